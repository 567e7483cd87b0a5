// The threaded build in headless Chromium: a module worker of a page served with COOP/COEP loads it by itself
// (crossOriginIsolated) and trains the MLP, CNN and words GPT of tests/js/threads-models.mjs to the same weights,
// bit for bit, as the single-threaded module in Node; on 2 threads and on 1. Without the headers the same worker
// loads the single-threaded module and nothing asks for SharedArrayBuffer.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, SERVED } from '../../tools/serve.mjs';
import { CHROMIUM, LAUNCH_ARGS, openPage } from './helpers.mjs';

const FILES = [...SERVED, 'tests/e2e/threads.html', 'tests/e2e/threads-worker.mjs', 'tests/js/threads-models.mjs'];
const SCRIPT = fileURLToPath(new URL('../js/threads-train.mjs', import.meta.url));
const single = JSON.parse(execFileSync(process.execPath, [SCRIPT, 'single'], { encoding: 'utf8' })).hashes;

// Runs the worker in a fresh page of `origin`; resolves with its answer.
async function trainInWorker(browser, origin, threads) {
  const { page, context, errors } = await openPage(browser);
  try {
    await page.goto(`${origin}/tests/e2e/threads.html`);
    const answer = await page.evaluate((threads) => new Promise((resolve) => {
      const worker = new Worker('/tests/e2e/threads-worker.mjs', { type: 'module' });
      worker.onmessage = (e) => resolve({ ...e.data, page: { isolated: self.crossOriginIsolated, sab: typeof SharedArrayBuffer } });
      worker.onerror = (e) => resolve({ error: e.message });
      worker.postMessage({ threads });
    }), threads);
    assert.deepEqual(errors, []);
    return answer;
  } finally {
    await context.close();
  }
}

test('Chromium worker under COOP/COEP: threaded build, same weights as the single-threaded module', async (t) => {
  const server = await startServer({ port: 0, folders: FILES, isolated: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
  t.after(async () => { await browser.close(); await server.close(); });
  const auto = await trainInWorker(browser, server.origin, undefined);
  assert.equal(auto.error, undefined);
  assert.ok(auto.isolated && auto.page.isolated, 'the page and its worker are cross-origin isolated');
  assert.ok(auto.threads >= 2, `threads in use by default: ${auto.threads}`);
  assert.deepEqual(auto.hashes, single, 'default threads against the single-threaded module in Node');
  for (const threads of [2, 1]) {
    const got = await trainInWorker(browser, server.origin, threads);
    assert.equal(got.error, undefined);
    assert.equal(got.threads, threads);
    assert.deepEqual(got.hashes, single, `${threads} thread(s) against the single-threaded module in Node`);
  }
});

test('Chromium worker without COOP/COEP: the single-threaded module, the same weights', async (t) => {
  const server = await startServer({ port: 0, folders: FILES });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
  t.after(async () => { await browser.close(); await server.close(); });
  const got = await trainInWorker(browser, server.origin, undefined);
  assert.equal(got.error, undefined);
  assert.equal(got.isolated, false);
  assert.equal(got.page.sab, 'undefined', 'no SharedArrayBuffer on a page that is not isolated');
  assert.equal(got.threads, 1);
  assert.deepEqual(got.hashes, single);
});
