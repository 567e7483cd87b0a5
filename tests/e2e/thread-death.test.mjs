// Helper threads that end or stall, in Chromium, on the digits page served as `make demo` serves it (cross-origin
// isolated: its training worker runs the threaded build, wasm/threads.js, with a helper worker per extra core), and
// on the widget's iframe embed there:
// - a helper that ends between steps: the page says so and training goes on with one thread, no restart, and the
//   other helpers and their watcher end;
// - a helper that ends in the middle of a step: the step's results are dropped, the worker restarts on one thread
//   from the last snapshot, training goes on by itself, and the page says so in words; the new worker runs the
//   single-threaded module with no helper threads; the widget says so in words too, and trains on;
// - a helper that stalls for longer than any silence limit (paused in DevTools, in the middle of a step and between
//   jobs), then resumes: it is not taken for gone, and training goes on with every thread.
// The helper is reached through DevTools' protocol (its worker's target, with the debugger: a breakpoint where the
// helper has claimed a chunk, Debugger.pause, Runtime.terminateExecution), or ended between steps by the test worker
// (tests/e2e/hooked-worker.mjs). No console error on the page or in its workers, only the warning that says why.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { loadMnistNode } from '../../tools/mnist-data.mjs';
import { startBrowser, openPage, waitForValue, drawImage } from './helpers.mjs';
import { USE_TEST_WORKER } from './worker-hooks.mjs';

const STALL_MS = 21000; // longer than the pool's old silence limits (10 s in a join, 10 s between heartbeat checks)
// How far the last snapshot may be ahead of the step a page shows when training stalls: the page shows the worker's
// progress (at most 30 a second) and the snapshot (2 a second here) may come from a later chunk of training (15 ms of
// steps) than the last progress did.
const SNAPSHOT_AHEAD = 50;
const heldOut = loadMnistNode('test');

let env; // served as `make demo` serves: cross-origin isolated
test.before(async () => { env = await startBrowser({ isolated: true }); });
test.after(async () => { await env?.close(); });

const stats = (page) => page.evaluate(() => {
  const text = (id) => document.getElementById(id).textContent;
  return { step: Number(text('stat-step').replace(/,/g, '')), loss: Number(text('stat-loss')), threads: text('stat-threads'),
    message: document.getElementById('message').hidden ? '' : text('message') };
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The digits page training the MLP (as fast as it can, or at the watch pace), on the test worker; resolves once it
// trains on 2 threads. warnings: the console warnings of the page and its workers.
async function trainDigits({ speed = 'fast' } = {}) {
  const opened = await openPage(env.browser, { viewport: { width: 1280, height: 1400 } });
  const { page } = opened;
  opened.warnings = [];
  // (Playwright reports the console of the page's workers, nested ones too, on the page)
  page.on('console', (m) => { if (m.type() === 'warning') opened.warnings.push(m.text()); });
  await page.addInitScript(USE_TEST_WORKER);
  await page.goto(`${env.origin}/demos/digits/`);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.ok(cores >= 2, `this machine reports ${cores} core: no helper threads to lose`);
  opened.threads = String(Math.min(cores, 8));
  await page.selectOption('#speed', speed);
  await page.fill('#epochs', '50');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= 50 &&
    Number(document.getElementById('stat-threads').textContent) >= 2, null, { timeoutMs: 90000, what: '50 steps on threads' });
  return opened;
}

// The workers of the page, by DevTools' targets in its browser context (a page of an earlier test, closed, is not
// counted): the page's training worker(s) and the helper threads (and their watcher) of the threaded build, which
// are workers of the training worker. oldTraining: the target ids of its unnamed training workers (the threaded
// ones, before a restart on one thread).
async function workersAlive(page) {
  const own = await page.context().newCDPSession(page);
  const { targetInfo: { browserContextId } } = await own.send('Target.getTargetInfo');
  await own.detach();
  const cdp = await env.browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const workers = targetInfos.filter((t) => t.type === 'worker' && t.browserContextId === browserContextId);
    const training = workers.filter((t) => t.url.endsWith('/tests/e2e/hooked-worker.mjs'));
    return {
      training: training.map((t) => t.title),
      helpers: workers.filter((t) => /^tinytrain helper/.test(t.title)).map((t) => t.title),
      oldTraining: training.filter((t) => t.title !== '1').map((t) => t.targetId),
    };
  } finally {
    await cdp.detach();
  }
}

// Whether a worker target still runs its script: once attached and asked to evaluate, it says anything within 5 s
// (the answer, or an event of the attach); a worker the page has terminated says nothing, even while still listed.
async function answers(targetId) {
  const cdp = await env.browser.newBrowserCDPSession();
  try {
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: false });
    const answer = new Promise((resolve) => cdp.on('Target.receivedMessageFromTarget', (e) => resolve(e.sessionId === sessionId)));
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: '1' } }) });
    return await Promise.race([answer, sleep(5000).then(() => false)]);
  } catch {
    return false; // gone meanwhile
  } finally {
    await cdp.detach().catch(() => {});
  }
}

// The browser's dedicated worker threads (Linux: the renderers' threads of that name), for the log; null elsewhere.
async function workerThreads() {
  const cdp = await env.browser.newBrowserCDPSession();
  try {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    return processInfo.filter((p) => p.type === 'renderer').reduce((n, p) => n + readdirSync(`/proc/${p.id}/task`)
      .filter((t) => readFileSync(`/proc/${p.id}/task/${t}/comm`, 'utf8').startsWith('DedicatedWorker')).length, 0);
  } catch {
    return null;
  } finally {
    await cdp.detach();
  }
}

// What the page's training worker loaded: the wasm modules and threads.js it fetched, whether its memory is shared, its helper threads
// and the threads it says it uses (from the loader it imported: the same module, so the same load).
async function trainingWorkerLoad(page, { last = false } = {}) {
  // (not the digits page's download worker); last: the newest, after a restart
  const workers = page.workers().filter((w) => /(\/worker\.js|\/hooked-worker\.mjs)$/.test(new URL(w.url()).pathname));
  const worker = last ? workers.at(-1) : workers[0];
  return worker.evaluate(async () => {
    const core = await (await import('/wasm/tinytrain.js')).loadTinytrain();
    return {
      name: self.name,
      fetched: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.wasm') || p === '/wasm/threads.js'),
      shared: core.memory.buffer instanceof SharedArrayBuffer,
      helpers: core.helpers?.length ?? 0,
      threads: core.threads ?? 1,
    };
  });
}

// A DevTools session on the first helper thread of the page (a worker of its training worker). Playwright opens
// none on a worker, so messages go through the browser's session (Target.sendMessageToTarget).
async function debugHelper() {
  const cdp = await env.browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const helper = targetInfos.find((t) => t.type === 'worker' && t.title === 'tinytrain helper 1');
  assert.ok(helper, `no helper thread among ${targetInfos.map((t) => `${t.type} ${t.title}`).join(', ')}`);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: helper.targetId, flatten: false });
  let next = 0, wasm = null;
  const replies = new Map(), waiting = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    if (m.id) return replies.get(m.id)?.(m);
    if (m.method === 'Debugger.scriptParsed' && m.params.url.endsWith('/tinytrain-mt.wasm')) wasm = m.params.scriptId;
    waiting.get(m.method)?.(m.params);
  });
  // (a worker that ends does not answer what was sent to it last: hence the time limit)
  const send = (method, params = {}, timeoutMs = 30000) => new Promise((resolve, reject) => {
    const id = ++next;
    const timer = setTimeout(() => reject(new Error(`${method}: no answer within ${timeoutMs} ms`)), timeoutMs);
    replies.set(id, (m) => {
      clearTimeout(timer);
      if (m.error) reject(new Error(`${method}: ${m.error.message}`));
      else resolve(m.result);
    });
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
  });
  const event = (method, timeoutMs = 60000) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
    waiting.set(method, (params) => { clearTimeout(timer); waiting.delete(method); resolve(params); });
  });
  await send('Debugger.enable');
  assert.ok(wasm, 'the helper\'s module was not reported to the debugger');
  return { send, event, wasm, close: () => cdp.detach() };
}

// The byte offset, in the threaded module, of the call that runs a chunk the helper has claimed (the first
// call_indirect in the function that tt_thread_run in src/core/threads.c calls to claim and run a job's chunks: the
// first it calls that has one): a helper stopped there holds a chunk, and the thread that trains waits for it in the
// join. (A breakpoint in tt_thread_run itself would never be hit: it never returns, so its frame keeps the code it
// started with.)
async function chunkCallOffset({ send, wasm }) {
  const first = await send('Debugger.disassembleWasmModule', { scriptId: wasm });
  let { lines, bytecodeOffsets } = first.chunk;
  for (let chunk; first.streamId && (chunk = (await send('Debugger.nextWasmDisassemblyChunk', { streamId: first.streamId })).chunk).lines.length;) {
    lines = lines.concat(chunk.lines);
    bytecodeOffsets = bytecodeOffsets.concat(chunk.bytecodeOffsets);
  }
  const isFunction = (line) => /^\s*\(func /.test(line);
  const start = lines.findIndex((l) => /\(func \$tt_thread_run\b/.test(l));
  assert.ok(start >= 0, 'tt_thread_run is not in the disassembly');
  // the first call_indirect in the function named `callee`, as a line index, or -1
  const callIndirectIn = (callee) => {
    for (let i = lines.findIndex((l) => isFunction(l) && l.trim().startsWith(`(func ${callee} `)) + 1; i > 0 && i < lines.length && !isFunction(lines[i]); i++) {
      if (/^\s*call_indirect\b/.test(lines[i])) return i;
    }
    return -1;
  };
  const callees = [];
  for (let i = start + 1; i < lines.length && !isFunction(lines[i]); i++) {
    const callee = /^\s*call (\$\S+)/.exec(lines[i])?.[1];
    if (callee && !callees.includes(callee)) callees.push(callee);
  }
  const at = callees.map(callIndirectIn).find((i) => i >= 0);
  assert.ok(at !== undefined, `none of the functions tt_thread_run calls runs a chunk: ${callees.join(', ')}`);
  return bytecodeOffsets[at];
}

// Stops the helper right after it has claimed a chunk of a job; resolves once it is stopped there and the breakpoint is gone
// (it is stopped once, not at every job).
async function stopInJob(helper) {
  const columnNumber = await chunkCallOffset(helper);
  const paused = helper.event('Debugger.paused');
  const { breakpointId } = await helper.send('Debugger.setBreakpoint', { location: { scriptId: helper.wasm, lineNumber: 0, columnNumber } });
  await paused;
  await helper.send('Debugger.removeBreakpoint', { breakpointId });
}

// Training does not move for `ms`: the thread that trains waits for the stopped helper. (Counted from a moment after
// the stop, as the page may still be showing progress that was on its way.)
async function assertStalled(page, ms) {
  await sleep(1500);
  const before = (await stats(page)).step;
  await sleep(ms);
  const after = (await stats(page)).step;
  assert.equal(after, before, `training went on (${before} -> ${after} steps) while the helper was stopped in a job`);
  return before;
}

// Training goes on by `steps` more, with a finite loss that stays low (it did not start again from random weights).
async function assertTrainsOn(page, steps) {
  const from = (await stats(page)).step;
  await waitForValue(page, (n) => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= n, from + steps,
    { timeoutMs: 90000, what: `${steps} more steps` });
  const { loss } = await stats(page);
  assert.ok(Number.isFinite(loss) && loss < 1, `loss ${loss} after going on`);
}

test('a helper that ends between steps: the page says so, training goes on with one thread, no restart', async () => {
  const { page, context, errors, warnings } = await trainDigits();
  // The test worker ends its helper's worker between two chunks of training.
  const t0 = Date.now();
  await page.evaluate(() => window.testWorkers[0].postMessage({ type: 'endHelper' }));
  await waitForValue(page, () => document.getElementById('stat-threads').textContent === '1 (a helper thread stopped)', null,
    { timeoutMs: 30000, what: 'the page to show one thread' });
  console.log(`a helper ended between steps: the page showed one thread ${Date.now() - t0} ms later`);
  await assertTrainsOn(page, 100);
  const after = await stats(page);
  assert.equal(after.message, '', 'no restart, no message: nothing was lost');
  // The other helpers and the watcher are ended too: nothing would ever wake them again.
  const deadline = Date.now() + 30000;
  let alive;
  while ((alive = await workersAlive(page)).helpers.length && Date.now() < deadline) await sleep(250);
  assert.deepEqual(alive.helpers, [], 'helper threads left alive after training went on with one thread');
  assert.deepEqual(warnings, ['tinytrain: a helper thread stopped (helper 1 ended); training goes on with one thread']);
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('a helper that ends in the middle of a step: a restart from the last snapshot on one thread, and training goes on', async () => {
  const { page, context, errors, warnings, threads } = await trainDigits();
  const before = await trainingWorkerLoad(page);
  assert.deepEqual([before.name, before.shared, before.helpers, before.threads], ['', true, Number(threads) - 1, Number(threads)]);
  assert.ok(before.fetched.includes('/wasm/tinytrain-mt.wasm') && before.fetched.includes('/wasm/threads.js'), before.fetched.join(', '));
  const helper = await debugHelper();
  await stopInJob(helper);
  const stalledAt = await assertStalled(page, 2000);
  // Its script is stopped where it stands: its worker then ends itself (thread-helper.js), with the job unfinished.
  // (in that order; its worker ends before it answers either)
  const t0 = Date.now();
  helper.send('Runtime.terminateExecution', {}, 5000).catch(() => {});
  helper.send('Debugger.resume', {}, 5000).catch(() => {});
  const message = await waitForValue(page, () => /^A helper thread stopped; training goes on/.test(document.getElementById('message').textContent) &&
    document.getElementById('message').textContent, null, { timeoutMs: 60000, what: 'the page to say training goes on with one thread' });
  console.log(`a helper ended mid-step: training went on, on one thread, ${Date.now() - t0} ms later`);
  await helper.close().catch(() => {}); // (a DevTools session left on the ended helper can keep its worker listed)
  const from = Number(/from step ([\d,]+)/.exec(message)[1].replace(/,/g, ''));
  assert.ok(from > 0 && from <= stalledAt + SNAPSHOT_AHEAD, `went on from step ${from}; the helper stopped at ${stalledAt}`);
  assert.equal(message, `A helper thread stopped; training goes on with one thread from step ${from.toLocaleString('en')}, the last good weights.`);
  await assertTrainsOn(page, 100);
  assert.equal((await stats(page)).threads, '1 (a helper thread stopped)');
  // The new worker loaded the single-threaded module and started no helper threads; the old one's are gone with it.
  // The old training worker, terminated by the page, runs no script from then on (it must not answer) and is gone
  // within 30 s. (Blink ends a worker only once the threads of its nested workers have ended: when the helpers'
  // workers were ended just before it, by threads.js or by the helper closing itself, it sometimes stayed, asleep
  // and holding its memory, until the page closed.)
  const ending = Date.now(), deadline = ending + 30000;
  let alive;
  while ((alive = await workersAlive(page)).training.length + alive.helpers.length > 1 && Date.now() < deadline) await sleep(250);
  const kept = alive.oldTraining.length ? `still listed (${await workerThreads()} worker threads in the browser)` : 'gone';
  console.log(`${Date.now() - ending} ms after training went on, the old training worker is ${kept}; listed: ${JSON.stringify(alive.training)}`);
  for (const targetId of alive.oldTraining) assert.equal(await answers(targetId), false, 'the old training worker still runs its script');
  assert.deepEqual(alive.oldTraining, [], `the old training worker is ${kept} 30 s after the page terminated it`);
  assert.deepEqual(alive.helpers, [], 'no helper threads after the restart on one thread');
  assert.deepEqual(alive.training.filter((name) => name === '1'), ['1'], 'one training worker named for one thread');
  const after = await trainingWorkerLoad(page, { last: true });
  assert.deepEqual(after, { name: '1', fetched: ['/wasm/tinytrain.wasm'], shared: false, helpers: 0, threads: 1 });
  // The weights are the last good ones, trained on: held-out accuracy, and the pad reads drawn digits.
  await waitForValue(page, () => Number(document.getElementById('test-accuracy').dataset.value) >= 0.85, null,
    { timeoutMs: 60000, what: 'held-out accuracy of 85% or more' });
  let right = 0;
  for (let i = 0; i < 3; i++) {
    await page.getByRole('button', { name: 'Clear' }).click();
    const strokes = await drawImage(page, '#pad', heldOut.x.subarray(i * 784, (i + 1) * 784), { ink: 0.5 });
    await waitForValue(page, (s) => document.getElementById('prediction').dataset.strokes === String(s), strokes,
      { what: `the prediction for held-out digit ${i}` });
    right += Number(await page.evaluate(() => document.getElementById('prediction').dataset.digit)) === heldOut.y[i];
  }
  assert.ok(right >= 2, `${right} of 3 drawn digits read right`);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /^tinytrain: a helper thread stopped \(it ended in the middle of a step\); training goes on with one thread$/);
  assert.deepEqual(errors, [], errors.join('\n'));
  await helper.close().catch(() => {});
  await context.close();
});

test('a helper stalled for longer than any silence limit, in a job and between jobs, is not taken for gone', async () => {
  // At the watch pace: at full speed the 50 epochs could end while the helper is paused between jobs (training goes
  // on without it then), and a finished run takes no more steps.
  const { page, context, errors, warnings, threads } = await trainDigits({ speed: 'watch' });
  const helper = await debugHelper();
  // In a job: training waits for it the whole time, then goes on with both threads.
  await stopInJob(helper);
  await assertStalled(page, STALL_MS);
  await helper.send('Debugger.resume');
  await assertTrainsOn(page, 100);
  // Between jobs (or wherever the pause finds it): training goes on without it meanwhile, or waits.
  const paused = helper.event('Debugger.paused');
  await helper.send('Debugger.pause');
  const where = (await paused).callFrames[0]?.functionName;
  await sleep(STALL_MS);
  await helper.send('Debugger.resume');
  console.log(`the second pause stopped the helper in ${where}`);
  await assertTrainsOn(page, 100);
  const after = await stats(page);
  assert.equal(after.threads, threads, 'every thread still trains');
  assert.equal(after.message, '', 'no restart');
  assert.deepEqual(warnings, []);
  assert.deepEqual(errors, [], errors.join('\n'));
  await helper.close().catch(() => {});
  await context.close();
});

// The widget's counters and words (its shadow DOM), and its Trainer's last progress.
const widget = (page) => page.evaluate(() => {
  const w = document.querySelector('tiny-train'), text = (name) => w.shadowRoot.querySelector(`.${name}`).textContent;
  const p = w.trainer?.progress;
  return { step: Number(text('s-step').replace(/,/g, '')), status: text('status'), go: text('go'),
    msg: w.shadowRoot.querySelector('.msg').hidden ? '' : text('msg'), threads: p?.threads, running: p?.running };
});

test('the widget on an isolated page: a helper that ends mid-step; it says so in plain words and trains on, on one thread', async () => {
  const { page, context, errors } = await openPage(env.browser);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  // layers and a batch large enough for its matrix products to be split over the threads
  await page.goto(`${env.origin}/demos/embed.html?demo=spiral&layers=64%20relu,64%20relu&batch-size=256&steps=1000000&autoplay`);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  await waitForValue(page, () => {
    const w = document.querySelector('tiny-train');
    return w?.trainer?.progress?.step >= 50 && w.trainer.progress.threads >= 2;
  }, null, { timeoutMs: 90000, what: 'the widget to train 50 steps on threads' });
  const helper = await debugHelper();
  await stopInJob(helper);
  await sleep(1500);
  const stalledAt = (await widget(page)).step;
  await sleep(2000);
  assert.equal((await widget(page)).step, stalledAt, 'the widget trained on while the helper was stopped in a job');
  helper.send('Runtime.terminateExecution', {}, 5000).catch(() => {});
  helper.send('Debugger.resume', {}, 5000).catch(() => {});
  const status = await waitForValue(page, () => {
    const root = document.querySelector('tiny-train').shadowRoot, s = root.querySelector('.status').textContent;
    return /^A helper thread stopped; training goes on/.test(s) && document.querySelector('tiny-train').trainer.progress?.running && s;
  }, null, { timeoutMs: 60000, what: 'the widget to say it trains on with one thread' });
  const from = Number(/from step ([\d,]+)/.exec(status)[1].replace(/,/g, ''));
  assert.ok(from > 0 && from <= stalledAt + SNAPSHOT_AHEAD, `went on from step ${from}; the helper stopped at ${stalledAt}`);
  assert.equal(status, `A helper thread stopped; training goes on with one thread from step ${from.toLocaleString('en')}, the last good weights.`);
  await waitForValue(page, (n) => document.querySelector('tiny-train').trainer.progress.step >= n, from + 100,
    { timeoutMs: 60000, what: '100 more steps' });
  const after = await widget(page);
  assert.deepEqual([after.threads, after.running, after.go, after.msg], [1, true, 'Pause', ''], JSON.stringify(after));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /^tinytrain: a helper thread stopped \(it ended in the middle of a step\); training goes on with one thread$/);
  // (embed.html has no icon link: the browser's favicon request is its 404, without a URL; any of the page's own
  // is an `HTTP 404: <url>`)
  const problems = errors.filter((e) => e !== 'console: Failed to load resource: the server responded with a status of 404 (Not Found)');
  assert.deepEqual(problems, [], problems.join('\n'));
  await helper.close().catch(() => {});
  await context.close();
});
