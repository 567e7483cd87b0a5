// Issue 21's phone-class CPU: Chromium's main thread slowed 4x (CDP Emulation.setCPUThrottlingRate) at 390x844.
// Loading the playground and digits makes no task over 100 ms, and a few seconds of training (at full speed: the
// most snapshots, curves and maps per second) no long task at all. The limits get this shared machine's margin
// (helpers.mjs checkLongTasks). One browser for the file. The article is not checked: with its three language
// models it has load tasks over the limit at 4x (223 ms measured), left for the next round of issue 21.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue, LONG_TASK_OBSERVER, checkLongTasks } from './helpers.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 };
const checkNoErrors = (errors) => assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
// What this machine adds to a task on its own (other work on its 2 cores), on top of the budgets.
const MARGIN_MS = 40;
const TRAIN_MS = 4000;

async function openThrottled(path, ready) {
  const { page, context, errors } = await openPage(env.browser, PHONE);
  await page.addInitScript(LONG_TASK_OBSERVER);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(`${env.origin}${path}`);
  await waitForValue(page, ready, null, { what: 'the page ready', timeoutMs: 60000 });
  await page.waitForTimeout(500); // the first frames after ready are part of loading
  await checkLongTasks(page, `${path} loading, 4x slower CPU`, { limitMs: 100 + MARGIN_MS });
  await page.evaluate(() => { window.__longTasks = []; });
  return { page, context, errors };
}

async function trainAndCheck(page, label, start, stop) {
  await start();
  await page.waitForTimeout(TRAIN_MS);
  await checkLongTasks(page, `${label} training, 4x slower CPU`, { limitMs: 50 + MARGIN_MS });
  await stop();
}

test('playground: loading and training at full speed with a 4x slower CPU', async () => {
  const { page, context, errors } = await openThrottled('/demos/playground/#speed=fast&steps=1000000',
    () => window.playground?.stats.paints > 0);
  const button = (name) => page.getByRole('button', { name, exact: true });
  await trainAndCheck(page, 'playground', () => button('Train').click(), () => button('Pause').click());
  console.log(`playground worst frame parts: ${JSON.stringify(await page.evaluate(() => window.playground.stats.worstMs))}`);
  await context.close();
  checkNoErrors(errors);
});

test('digits: loading and training the MLP with a 4x slower CPU', async () => {
  const { page, context, errors } = await openThrottled('/demos/digits/',
    () => !document.getElementById('train').disabled && /held-out/.test(document.getElementById('predictor-name').textContent));
  await page.selectOption('#speed', 'fast');
  await page.fill('#epochs', '50');
  const button = (name) => page.getByRole('button', { name, exact: true });
  await trainAndCheck(page, 'digits', () => button('Train').click(), () => button('Pause').click());
  await context.close();
  checkNoErrors(errors);
});
