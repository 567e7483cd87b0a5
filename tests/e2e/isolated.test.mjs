// The demos served as `make demo` serves them, cross-origin isolated (COOP/COEP): the playground, digits and text
// pages train on the threaded build and show its threads; the iframe embed loads. (Helpers that end or stall:
// tests/e2e/thread-death.test.mjs.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue } from './helpers.mjs';

let env; // served as `make demo` serves: cross-origin isolated
test.before(async () => { env = await startBrowser({ isolated: true }); });
test.after(async () => { await env?.close(); });

const threadsShown = (page) => page.evaluate(() => document.getElementById('stat-threads').textContent);
const step = (page) => page.evaluate(() => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')));

async function trainPlayground({ testWorker = false } = {}) {
  const opened = await openPage(env.browser);
  const { page } = opened;
  if (testWorker) await page.addInitScript(USE_TEST_WORKER);
  await page.goto(`${env.origin}/demos/playground/#steps=1000000&speed=fast`);
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready', null,
    { timeoutMs: 30000, what: 'the playground to be ready' });
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').textContent) >= 100, null,
    { timeoutMs: 30000, what: '100 steps' });
  return opened;
}

test('playground: trains on the threads the device has, and says how many', async () => {
  const { page, context, errors } = await trainPlayground();
  const cores = await page.evaluate(() => Math.min(navigator.hardwareConcurrency, 8));
  assert.equal(await threadsShown(page), String(cores));
  assert.deepEqual(errors, []);
  await context.close();
});

test('playground: a compared run trains on one thread beside the page\'s model on all of them', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/playground/#steps=1000000&speed=fast&vs=seed=2`);
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready' &&
    window.playground.runs.length === 1, null, { timeoutMs: 30000, what: 'the playground and its compared run' });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const threads = () => [window.playground.trainer, ...window.playground.runs.map((r) => r.trainer)]
    .map((t) => t.progress?.threads);
  await waitForValue(page, () => document.getElementById('stat-threads').textContent !== '' &&
    window.playground.runs[0].trainer.progress?.step > 0, null, { timeoutMs: 30000, what: 'both training' });
  const cores = await page.evaluate(() => Math.min(navigator.hardwareConcurrency, 8));
  assert.deepEqual(await page.evaluate(threads), [cores, 1]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('digits and text pages show their threads; the iframe embed trains', async () => {
  const { page, context, errors } = await openPage(env.browser);
  const cores = await page.evaluate(() => Math.min(navigator.hardwareConcurrency, 8));
  await page.goto(`${env.origin}/demos/digits/`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, (n) => document.getElementById('stat-threads').textContent === String(n), cores,
    { timeoutMs: 60000, what: `digits: ${cores} threads shown` });
  await page.goto(`${env.origin}/demos/text/`);
  await waitForValue(page, () => document.body.dataset.ready === '1', null, { timeoutMs: 60000, what: 'the text page' });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, (n) => document.getElementById('stat-threads').textContent === String(n), cores,
    { timeoutMs: 60000, what: `text: ${cores} threads shown` });
  assert.deepEqual(errors, [], errors.join('\n'));
  // (embed.html has no icon link: its favicon 404 is not this test's business)
  await page.goto(`${env.origin}/demos/embed.html`);
  await page.locator('tiny-train').waitFor();
  await context.close();
});
