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
