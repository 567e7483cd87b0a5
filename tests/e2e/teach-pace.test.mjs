// Issue 21's pace, in Chromium: the playground trains at "watch" speed by default (100 steps/s, set in the worker),
// so the spiral's loss keeps falling for seconds a reader can watch; "fast" is all the core can do; the digits
// page and the article's widget have the same control (the widget's `speed` attribute). One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue } from './helpers.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const checkNoErrors = (errors) => assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;

test('watch: the spiral\'s training loss keeps falling over more than 5 s of wall time; fast finishes in a blink', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/playground/`);
  await waitForValue(page, () => window.playground?.stats.paints > 0, null, { what: 'the first map paint' });
  assert.equal(await page.locator('#speed').inputValue(), 'watch', 'watch is the default');
  await page.getByRole('button', { name: 'Train' }).click();
  // wallMs: the worker's time in this run, sleeps between paced chunks included (what the reader waits)
  await waitForValue(page, () => window.playground.trainer.progress?.wallMs >= 6000, null,
    { what: '6 s of training', timeoutMs: 30000 });
  const { step, wallMs } = await page.evaluate(() => window.playground.trainer.progress);
  const curve = await page.evaluate(() => window.playground.losses);
  await page.getByRole('button', { name: 'Pause' }).click();
  console.log(`watch: step ${step} after ${(wallMs / 1000).toFixed(2)} s`);
  assert.ok(step <= (wallMs / 1000) * 100 + 20, `step ${step} after ${wallMs} ms is faster than 100 steps/s`);
  assert.ok(step >= 300, `step ${step} after ${wallMs} ms: far slower than 100 steps/s`);
  // The steps trained 1-2 s in and 5-6 s in (at 100 steps/s): the loss is still falling at 5 s.
  const around = (lo, hi) => curve.values.filter((_, i) => curve.steps[i] > lo && curve.steps[i] <= hi);
  // The run is seeded: the curve over steps does not depend on timing, only where 6 s falls on it.
  const early = mean(around(100, 200)), middle = mean(around(300, 400)), late = mean(around(step - 100, step));
  console.log(`mean training loss: steps 100-200 ${early.toFixed(3)}, 300-400 ${middle.toFixed(3)}, ` +
    `the last 100 steps ${late.toFixed(3)}`);
  assert.ok(middle < 0.7 * early && late < 0.7 * middle,
    `the loss did not keep falling: ${early} at 1-2 s, ${middle} at 3-4 s, ${late} at 5-6 s`);

  // fast: all the core can do, changed live on the running trainer
  await page.selectOption('#speed', 'fast');
  assert.match(await page.evaluate(() => location.hash), /speed=fast/, 'the link follows the speed');
  await page.getByRole('button', { name: 'Train' }).click();
  await page.waitForTimeout(1500);
  const fastStep = await page.evaluate(() => window.playground.trainer.progress.step);
  await page.getByRole('button', { name: 'Pause' }).click();
  console.log(`fast: ${fastStep - step} steps in about 1.5 s`);
  assert.ok(fastStep - step > 1000, `only ${fastStep - step} steps in 1.5 s at full speed`);
  await context.close();
  checkNoErrors(errors);
});

test('the article\'s live widget watches by default (speed="watch") and its Speed menu switches it to fast', async () => {
  const { page, context, errors } = await openPage(env.browser, { viewport: { width: 800, height: 1000 } });
  await page.goto(`${env.origin}/demos/article.html`);
  const live = page.locator('#live');
  await live.getByRole('button', { name: 'Train' }).waitFor();
  await waitForValue(page, () => !document.getElementById('live').shadowRoot.querySelector('.go').disabled, null, { what: 'ready' });
  const speed = live.getByLabel('Speed');
  assert.equal(await speed.inputValue(), 'watch');
  await live.scrollIntoViewIfNeeded();
  await live.getByRole('button', { name: 'Train' }).click();
  await waitForValue(page, () => document.getElementById('live').trainer.progress?.wallMs >= 2000, null, { what: '2 s of training' });
  const p = await page.evaluate(() => document.getElementById('live').trainer.progress);
  assert.ok(p.step <= (p.wallMs / 1000) * 100 + 20, `step ${p.step} after ${p.wallMs} ms at watch speed`);
  await speed.selectOption('fast');
  await waitForValue(page, () => /finished its run at step 3,000/.test(document.getElementById('live-report').textContent), null,
    { what: 'the run to finish at full speed', timeoutMs: 20000 });
  await context.close();
  checkNoErrors(errors);
});

test('digits: the Speed menu paces the worker; fast is the core\'s full speed', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/digits/`);
  await waitForValue(page, () => !document.getElementById('train').disabled, null, { what: 'the data', timeoutMs: 60000 });
  assert.equal(await page.locator('#speed').inputValue(), 'watch');
  await page.fill('#epochs', '1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // the worker reads the digits first; the pace counts from the first step
  await waitForValue(page, () => Number(document.getElementById('stat-step').textContent) > 0, null,
    { what: 'training to start', timeoutMs: 30000 });
  const from = Number(await page.textContent('#stat-step')), t0 = Date.now();
  await page.waitForTimeout(2000);
  const watched = Number(await page.textContent('#stat-step')) - from, seconds = (Date.now() - t0) / 1000;
  console.log(`digits, watch: ${watched} steps in ${seconds.toFixed(2)} s`);
  assert.ok(watched > 0 && watched <= 100 * seconds + 30, `${watched} steps in ${seconds} s at watch speed`);
  await page.selectOption('#speed', 'fast');
  await waitForValue(page, () => !document.getElementById('train').disabled, null, { what: 'the epoch to finish', timeoutMs: 30000 });
  assert.equal(Number(await page.textContent('#stat-step')), 125, 'one epoch of 8,000 digits at batch 64');
  await context.close();
  checkNoErrors(errors);
});
