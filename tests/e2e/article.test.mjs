// demos/article.html in Chromium: the explainer with two <tiny-train> widgets. The page loads under its own strict
// CSP (a meta tag), the pretrained widget answers before any training, and the prose follows the live widget's
// events (progress, trained). One browser for the file; no console errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, waitForValue } from './helpers.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const text = (page, id) => page.evaluate((i) => document.getElementById(i).textContent, id);
const seen = (s) => Number((/seen ([\d,]+) examples/.exec(s) || [, '0'])[1].replaceAll(',', ''));

test('the article loads, its pretrained widget predicts at once, and its text follows the live widget', async () => {
  const { page, context, errors } = await openPage(env.browser, { viewport: { width: 800, height: 1000 } });
  await page.goto(`${env.origin}/demos/article.html`);
  await waitForValue(page, () => /^Ready, without a single training step/.test(document.getElementById('pretrained-report').textContent),
    null, { what: 'the pretrained widget to be ready' });
  const pre = await page.evaluate(() => ({
    out: document.getElementById('pretrained').shadowRoot.querySelector('.out').textContent,
    step: document.getElementById('pretrained').trainer?.progress?.step ?? 0,
  }));
  assert.match(pre.out, /^class [01] \(\d+\.\d%\)$/, 'the pretrained widget shows a prediction');
  assert.equal(pre.step, 0, 'without training');
  assert.match(await text(page, 'live-report'), /^Nothing has happened yet/);

  const live = page.locator('#live');
  await live.scrollIntoViewIfNeeded();
  await live.getByLabel('Speed').selectOption('fast'); // the article's default is to watch (tests/e2e/teach-pace)
  await live.getByRole('button', { name: 'Train' }).click();
  await waitForValue(page, () => /has now seen [\d,]+ examples/.test(document.getElementById('live-report').textContent),
    null, { what: 'the article to report progress' });
  // The run (steps="3000" at batch 32, at full speed) ends by itself with `trained`; the prose then compares the models.
  await waitForValue(page, () => /^Your model needed [\d,]+ examples/.test(document.getElementById('compare').textContent),
    null, { timeoutMs: 30000, what: 'the comparison paragraph after training' });
  const report = await text(page, 'live-report');
  assert.match(report, /Training finished its run at step 3,000\.$/);
  assert.equal(seen(report), 96000, report);
  assert.match(await text(page, 'compare'), /examples and \d+\.\d s of training to reach (9\d|100)\.\d%/);
  await screenshot(page, 'article');
  await context.close();
  assert.deepEqual(errors, []);
});

test('the article fits a phone screen without sideways scrolling', async () => {
  const { page, context, errors } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
  await page.goto(`${env.origin}/demos/article.html`);
  await waitForValue(page, () => /^Ready/.test(document.getElementById('pretrained-report').textContent), null, { what: 'ready' });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `scrollWidth ${width} > 360`);
  await context.close();
  assert.deepEqual(errors, []);
});

test('the language-model section: training cost, the cost of a character of an answer, 300 against 2,000 steps', async () => {
  const { page, context, errors } = await openPage(env.browser, { viewport: { width: 800, height: 1000 } });
  await page.goto(`${env.origin}/demos/article.html`);
  await waitForValue(page, () => /^Both models are loaded/.test(document.getElementById('pair-report').textContent),
    null, { timeoutMs: 30000, what: 'the two pretrained language models' });
  // Each pretrained model continues "th"; the report gives each one's cost per character.
  for (const id of ['early', 'trained']) {
    const widget = page.locator(`#${id}`);
    await widget.scrollIntoViewIfNeeded();
    await widget.getByRole('button', { name: 'Continue' }).click();
  }
  const pair = await waitForValue(page, () => {
    const t = document.getElementById('pair-report').textContent;
    return (t.match(/\d+\.\d µs per character/g) || []).length === 2 && t;
  }, null, { timeoutMs: 30000, what: 'both answers\' costs' });
  assert.match(pair, /300 steps, \d+\.\d µs per character for the one trained for 2,000/);
  // Both continued the same start.
  const answers = await page.evaluate(() => ['early', 'trained'].map((id) =>
    document.getElementById(id).shadowRoot.querySelector('.tx-answer').textContent));
  assert.ok(answers.every((a) => a.startsWith('th') && a.length > 20), JSON.stringify(answers));

  const talk = page.locator('#talk');
  await talk.scrollIntoViewIfNeeded();
  await talk.getByRole('button', { name: 'Train' }).click();
  const report = await waitForValue(page, () => {
    const t = document.getElementById('talk-report').textContent;
    const steps = Number((/Training so far: ([\d,]+) steps/.exec(t) || [, '0'])[1].replaceAll(',', ''));
    return steps >= 200 && /nats per character/.test(t) && t;
  }, null, { timeoutMs: 60000, what: 'the language model to train 200 steps' });
  assert.match(report, /[\d,]+ characters read, \d+\.\d s of work in its worker and \d+\.\d (billion|trillion) floating-point operations/);
  await talk.getByRole('button', { name: 'Pause' }).click();
  await talk.getByRole('button', { name: 'Continue' }).click();
  await waitForValue(page, () => /Its last answer cost \d+\.\d µs per character/.test(document.getElementById('talk-report').textContent),
    null, { timeoutMs: 30000, what: 'the cost of the trained model\'s answer' });
  await context.close();
  assert.deepEqual(errors, []);
});
