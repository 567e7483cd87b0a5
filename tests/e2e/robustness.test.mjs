// Robustness in headless Chromium through the playground page (issue 7): a learning rate of 1e6 diverges with the
// message on the page while inference keeps serving the last good weights, also when the bad update was a step of
// its own (issue 15); a worker terminated mid-training is replaced from the last snapshot and training continues;
// and the loss curve the worker logs for a fixed seed is bit-identical to the one wasm/tinytrain.js computes in
// Node. Issue 15: a worker that ends without any event (Worker.prototype.terminate, self.close()) is noticed,
// reported and replaced, pending requests settle, and after four deaths in a minute the page says one consistent
// thing; the same for the <tiny-train> widget. One browser for the whole file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue } from './helpers.mjs';
import { USE_TEST_WORKER } from './worker-hooks.mjs';
import { Model } from '../../wasm/tinytrain.js';
import { DEFAULTS, buildSpec, dataOptions, cloneConfig } from '../../demos/playground/config.js';
import { prepareData } from '../../web/runtime/session.js';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { if (env) await env.close(); });

// testWorker: the page gets tests/e2e/hooked-worker.mjs for web/runtime/worker.js (it closes itself on {type: 'close'}).
async function openPlayground(hash = '', { testWorker = false } = {}) {
  const { page, context, errors } = await openPage(env.browser);
  if (testWorker) await page.addInitScript(USE_TEST_WORKER);
  await page.goto(`${env.origin}/demos/playground/${hash}`);
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready', null, { what: 'status "ready"' });
  return { page, context, errors };
}
const stepOf = (page) => page.evaluate(() => Number(document.getElementById('stat-step').dataset.value));
// The predictor's weights and its probabilities for the first 50 training points, straight from the page.
const inference = (page) => page.evaluate(() => {
  const t = window.playground.trainer;
  const x = t.info.dataset.x.subarray(0, 100);
  return { weights: Array.from(t.predictor.getWeights()), probs: Array.from(t.predictor.probabilities(x)) };
});

test('lr 1e6: training stops with the divergence message and predictions still come from the last good weights', async () => {
  // Adam's normalised steps survive lr 1e6 (the loss even falls); plain SGD blows up, as a reader's typo would.
  const { page, context, errors } = await openPlayground('#opt=sgd&lr=0.1');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 10, null, { what: 'step 10' });
  const good = await inference(page);
  // The form caps lr at 10 (and Train re-applies the form's lr), so go through the page's Trainer, as a page
  // embedding it with its own controls would.
  await page.evaluate(async () => {
    const t = window.playground.trainer;
    await t.set({ lr: 1e6 });
    await t.start();
  });
  await waitForValue(page, () => document.getElementById('status').textContent === 'stopped: diverged', null,
    { what: 'divergence', timeoutMs: 15000 });
  const msg = await page.textContent('#message');
  console.log(`message: ${msg}`);
  assert.ok(await page.isVisible('#message'), 'the divergence message is not visible');
  assert.match(msg, /^Training stopped: diverged at step (1[1-9]|20) \((loss|gradient norm) = [^)]+\): try a lower learning rate\. Inference keeps the last good weights\.$/);
  const after = await inference(page);
  assert.deepEqual(after.weights, good.weights, 'the predictor weights changed');
  assert.deepEqual(after.probs, good.probs, 'predictions differ from those of the last good weights');
  assert.ok(after.probs.every(Number.isFinite), 'non-finite predictions');
  // Hovering the map still answers from those weights.
  const box = await page.locator('#map').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  await waitForValue(page, () => /class 0: \d+\.\d%/.test(document.getElementById('probe').textContent), null, { what: 'a probe' });
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

// Issue 15: the bad update is the only step of its call, so the page gets its weights as a snapshot; the step that
// finds them (a step request, or a run) must bring the page back to the weights before it, and training goes on.
test('sgd lr 0.1, 9 steps, one step at lr 1e6: once the divergence is found the page holds the weights before the bad update', async () => {
  const { page, context, errors } = await openPlayground('#opt=sgd&lr=0.1');
  const r = await page.evaluate(async () => {
    const t = window.playground.trainer;
    const weights = () => Array.from(t.predictor.getWeights());
    const maxAbs = (w) => w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    await t.ready;
    await t.step(9);
    const good = weights();
    await t.set({ lr: 1e6 });
    await t.step(1); // its loss and gradient were sane: nothing is wrong yet but the weights it made
    const bad = maxAbs(weights());
    let message = null;
    try { await t.step(1); } catch (e) { message = e.message; }
    const afterStep = weights();
    // again through a run (the Train button's path): the error event, and the predictor back at the good weights
    await t.set({ lr: 0.1 });
    const { step: resumed } = await t.step(10);
    const good2 = weights();
    await t.set({ lr: 1e6 });
    await t.step(1);
    const stopped = new Promise((resolve) => t.addEventListener('stopped', (e) => resolve(e.detail), { once: true }));
    await t.start();
    const stop = await stopped;
    await t.pause();
    return { good, bad, message, afterStep, resumed, good2, stop, afterRun: weights(), maxGood: maxAbs(good2) };
  });
  console.log(`after the bad update |w| ${r.bad.toExponential(2)}; ${r.message}; the good weights' |w| ${r.maxGood.toFixed(2)}`);
  assert.ok(r.bad > 1e3, `the bad update did not blow the weights up (${r.bad}): the test proves nothing`);
  assert.match(r.message, /^diverged at step 11 \(loss = [^)]+\): try a lower learning rate$/);
  assert.deepEqual(r.afterStep, r.good, 'a step request: the predictor does not hold the weights before the bad update');
  assert.equal(r.resumed, 19, 'training at lr 0.1 did not go on from step 9');
  assert.deepEqual(r.stop.reason, 'diverged');
  assert.deepEqual(r.afterRun, r.good2, 'a run: the predictor does not hold the weights before the bad update');
  assert.ok(r.maxGood < 100, `weights after recovery: |w| ${r.maxGood}`);
  assert.equal(await page.textContent('#status'), 'stopped: diverged');
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('worker.terminate() mid-training: an error is shown, a new worker resumes from the last snapshot, Train continues', async () => {
  const { page, context, errors } = await openPlayground();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) >= 200, null, { what: 'step 200' });
  const before = await page.evaluate(() => {
    const t = window.playground.trainer;
    const info = { snapshots: t.weightsVersion };
    t.worker.terminate(); // what any code holding the worker, or the browser under memory pressure, may do
    info.weights = Array.from(t.predictor.getWeights());
    info.step = t.lastSnapshot.step;
    return info;
  });
  try {
    await waitForValue(page, (s) => document.getElementById('status').textContent === `restarted at step ${s}; paused`,
      before.step, { what: `"restarted at step ${before.step}; paused" (the last snapshot)`, timeoutMs: 15000 });
  } catch (err) { // say what the page shows instead
    const shown = await page.evaluate(() => ({ status: document.getElementById('status').textContent,
      message: document.getElementById('message').textContent, restarts: window.playground.trainer.restarts.length }));
    throw new Error(`${err.message}; the page shows ${JSON.stringify(shown)}`);
  }
  assert.match(await page.textContent('#message'), /training worker failed \(the training worker was terminated\)/);
  const restored = await page.evaluate(() => {
    const t = window.playground.trainer;
    return { weights: Array.from(t.predictor.getWeights()), restarts: t.restarts.length };
  });
  assert.deepEqual(restored.weights, before.weights, 'the predictor lost the last snapshot');
  assert.equal(restored.restarts, 1);
  console.log(`terminated after the snapshot of step ${before.step}; restarted from it`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, (s) => Number(document.getElementById('stat-step').dataset.value) >= s + 100, before.step,
    { what: `training past step ${before.step + 100} on the new worker` });
  await page.getByRole('button', { name: 'Pause' }).click();
  const w = await page.evaluate(() => Array.from(window.playground.trainer.predictor.getWeights()));
  assert.notDeepEqual(w, before.weights, 'the new worker did not train');
  assert.ok(w.every(Number.isFinite));
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

// What the page shows, for failure messages.
const shown = (page) => page.evaluate(() => ({ status: document.getElementById('status').textContent,
  message: document.getElementById('message').textContent, step: document.getElementById('stat-step').dataset.value }));
const statusIs = async (page, fn, arg, what, timeoutMs = 10000) => {
  try {
    return await waitForValue(page, fn, arg, { what, timeoutMs });
  } catch (err) {
    throw new Error(`${err.message}; the page shows ${JSON.stringify(await shown(page))}`);
  }
};

// Ends the page's training worker the way a page's other code or the browser would, with no event and bypassing
// the Trainer's own terminate wrapper; then asks for a pause, which must settle. Returns when and what it killed.
const KILLS = {
  'Worker.prototype.terminate': () => Worker.prototype.terminate.call(window.playground.trainer.worker),
  'self.close() in the worker': () => window.playground.trainer.worker.postMessage({ type: 'close' }),
};

for (const [how, kill] of Object.entries(KILLS)) {
  test(`${how} mid-training: the page reports it, pause() settles, the run restarts from the last snapshot`, async () => {
    const { page, context, errors } = await openPlayground('', { testWorker: true });
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    // A snapshot from step 200 on (at the "watch" pace the step shown runs a few steps ahead of the last snapshot).
    await waitForValue(page, () => window.playground.trainer.lastSnapshot?.step >= 200, null, { what: 'a snapshot from step 200' });
    await page.evaluate((source) => {
      const t = window.playground.trainer;
      window.killedAt = performance.now();
      (0, eval)(`(${source})`)(); // the kill, in the page
      window.pauseOutcome = null;
      t.pause().then(() => 'resolved', (e) => `rejected: ${e.name}: ${e.message}`).then((r) => { window.pauseOutcome = r; });
    }, kill.toString());
    const outcome = await waitForValue(page, () => window.pauseOutcome, null, { what: 'pause() to settle' });
    assert.match(outcome, /^rejected: WorkerStoppedError: pause: the training worker stopped \(the training worker ended without an error/);
    const s = await statusIs(page, () => {
      const m = /^restarted at step (\d+); paused$/.exec(document.getElementById('status').textContent);
      return m && Number(m[1]);
    }, null, 'the status "restarted at step N; paused"');
    const after = await page.evaluate(() => {
      const t = window.playground.trainer;
      return { snapshot: t.lastSnapshot.step, same: t.predictor.getWeights().every((v, i) => v === t.lastSnapshot.weights[i]),
        restarts: t.restarts.length, running: t.running, ms: performance.now() - window.killedAt };
    });
    console.log(`${how}: noticed and restarted at step ${s} in ${after.ms.toFixed(0)} ms`);
    assert.equal(s, after.snapshot, 'the restart is not at the last snapshot');
    assert.ok(s >= 200, `restarted at step ${s}`);
    assert.ok(after.same, 'the predictor does not hold the last snapshot');
    assert.deepEqual([after.restarts, after.running], [1, false]);
    assert.match(await page.textContent('#message'), /^The training worker failed \(the training worker ended without an error \(closed, or stopped by the browser\)\); it restarts from the last snapshot and inference keeps working\.$/);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await waitForValue(page, (n) => Number(document.getElementById('stat-step').dataset.value) >= n + 100, s,
      { what: `training past step ${s + 100} on the new worker` });
    await page.getByRole('button', { name: 'Pause' }).click();
    await statusIs(page, () => document.getElementById('status').textContent === 'paused', null, 'status "paused"');
    assert.deepEqual(errors, [], errors.join('\n'));
    await context.close();
  });
}

test('without Web Locks (an insecure context), a silently ended worker is noticed by its silence, and a training one is not', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }));
  // big batches and the most steps a run may have: the run lasts well over the 20 s below
  await page.goto(`${env.origin}/demos/playground/#bs=256&steps=1000000`);
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready', null, { what: 'status "ready"' });
  assert.equal(await page.evaluate(() => window.playground.trainer.locks), undefined);
  // 20 s of training, longer than the silence limit: progress and heartbeats keep it alive.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForTimeout(20000);
  assert.equal((await shown(page)).status, 'training…');
  await page.evaluate(() => {
    window.killedAt = performance.now();
    Worker.prototype.terminate.call(window.playground.trainer.worker);
  });
  await statusIs(page, () => /^restarted at step \d+; paused$/.test(document.getElementById('status').textContent), null,
    'the restart after the silence', 30000);
  const ms = await page.evaluate(() => performance.now() - window.killedAt);
  const msg = await page.textContent('#message');
  console.log(`no locks: restarted ${(ms / 1000).toFixed(1)} s after the kill: ${msg}`);
  assert.match(msg, /^The training worker failed \(the training worker stopped answering \(no message for 1\d s\)\); it restarts/);
  assert.ok(ms >= 15000, `noticed after ${ms} ms, before the silence limit`);
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('after 4 worker deaths in a minute the page says one thing: stopped, not restarting; Train is off; inference works', async () => {
  const { page, context, errors } = await openPlayground();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 10, null, { what: 'step 10' });
  const good = await inference(page);
  for (let i = 1; i <= 3; i++) {
    await page.evaluate(() => Worker.prototype.terminate.call(window.playground.trainer.worker));
    await statusIs(page, (n) => window.playground.trainer.restarts.length === n &&
      document.getElementById('status').textContent === 'restarted at step 10; paused', i, `restart ${i}`);
  }
  await page.evaluate(() => Worker.prototype.terminate.call(window.playground.trainer.worker));
  await statusIs(page, () => document.getElementById('status').textContent === 'stopped: the training worker keeps failing', null, 'giving up');
  await page.waitForTimeout(500); // nothing may follow: no restart, no other status
  const s = await shown(page);
  assert.equal(s.status, 'stopped: the training worker keeps failing');
  assert.match(s.message, /^Training stopped: the training worker failed 4 times within a minute \(last: the training worker ended without an error \(closed, or stopped by the browser\)\); it is not restarted\. Inference keeps the last good weights; change a setting or reload the page to train a new model\.$/);
  assert.doesNotMatch(s.message, /it restarts/);
  for (const name of ['Train', 'Pause', 'Step', 'Reset']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).isDisabled(), true, `${name} is enabled`);
  }
  const after = await inference(page);
  assert.deepEqual(after.weights, good.weights);
  assert.deepEqual(after.probs, good.probs);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  await waitForValue(page, () => /class 0: \d+\.\d%/.test(document.getElementById('probe').textContent), null, { what: 'a probe' });
  // A new model (any setting) has a new worker, and training works again.
  await page.selectOption('#optimizer', 'sgd');
  await statusIs(page, () => document.getElementById('status').textContent === 'ready', null, 'the rebuilt model');
  assert.equal(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled(), false);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 10, null, { what: 'step 10 again' });
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('<tiny-train>: a worker terminated on the prototype mid-training is reported in the widget and the prose; Train goes on', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/article.html`);
  const live = page.locator('#live');
  const train = live.getByRole('button', { name: 'Train', exact: true });
  await waitForValue(page, () => !document.getElementById('live').shadowRoot.querySelector('.go').disabled, null, { what: 'the widget ready' });
  await train.click();
  await waitForValue(page, () => (document.getElementById('live').trainer.progress?.step ?? 0) >= 100, null, { what: 'step 100' });
  await page.evaluate(() => {
    const t = document.getElementById('live').trainer;
    Worker.prototype.terminate.call(t.worker);
    window.pauseOutcome = null;
    t.pause().then(() => 'resolved', (e) => `rejected: ${e.name}`).then((r) => { window.pauseOutcome = r; });
  });
  assert.equal(await waitForValue(page, () => window.pauseOutcome, null, { what: 'pause() to settle' }), 'rejected: WorkerStoppedError');
  const widget = () => page.evaluate(() => {
    const el = document.getElementById('live'), root = el.shadowRoot;
    return { status: root.querySelector('.status').textContent, msg: root.querySelector('.msg').textContent,
      go: root.querySelector('.go').textContent, snapshot: el.trainer.lastSnapshot?.step,
      report: document.getElementById('live-report').textContent };
  });
  try {
    await waitForValue(page, () => /^Restarted at step \d+; paused\.$/.test(document.getElementById('live').shadowRoot.querySelector('.status').textContent),
      null, { what: 'the widget restarted' });
  } catch (err) {
    throw new Error(`${err.message}; the widget shows ${JSON.stringify(await widget())}`);
  }
  const w = await widget();
  assert.equal(w.status, `Restarted at step ${w.snapshot}; paused.`);
  assert.match(w.msg, /^The training worker failed \(the training worker ended without an error/);
  assert.equal(w.go, 'Train');
  assert.match(w.report, /^The training worker stopped unexpectedly/);
  await train.click();
  await waitForValue(page, (s) => (document.getElementById('live').trainer.progress?.step ?? 0) >= s + 50, w.snapshot,
    { what: 'training on after the restart' });
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('<tiny-train>: after 4 worker deaths in a minute the widget says it stopped, its buttons are off, it still predicts', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/article.html`);
  await waitForValue(page, () => !document.getElementById('live').shadowRoot.querySelector('.go').disabled, null, { what: 'the widget ready' });
  const kill = () => page.evaluate(() => Worker.prototype.terminate.call(document.getElementById('live').trainer.worker));
  for (let i = 1; i <= 3; i++) {
    await kill();
    await waitForValue(page, (n) => document.getElementById('live').trainer.restarts.length === n &&
      /^Restarted at step 0; paused\.$/.test(document.getElementById('live').shadowRoot.querySelector('.status').textContent), i,
    { what: `restart ${i}` });
  }
  await kill();
  await waitForValue(page, () => document.getElementById('live').trainer.failed, null, { what: 'giving up' });
  await page.waitForTimeout(300); // nothing may follow
  const w = await page.evaluate(() => {
    const el = document.getElementById('live'), root = el.shadowRoot;
    return { status: root.querySelector('.status').textContent, msg: root.querySelector('.msg').textContent,
      disabled: ['.go', '.step', '.reset'].map((c) => root.querySelector(c).disabled),
      report: document.getElementById('live-report').textContent,
      probs: Array.from(el.trainer.predictor.probabilities(new Float32Array([0.1, 0.2]))) };
  });
  assert.equal(w.status, 'Training stopped: its worker keeps failing.');
  assert.match(w.msg, /^Training stopped: the training worker failed 4 times within a minute \(last: .*\); it is not restarted\. Predictions keep the last good weights\.$/);
  assert.deepEqual(w.disabled, [true, true, true]);
  assert.match(w.report, /^The training worker kept failing/);
  assert.ok(w.probs.length === 2 && w.probs.every(Number.isFinite), JSON.stringify(w.probs));
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('digits: a training worker ended on the prototype is reported, the buttons say paused, and Train goes on', async () => {
  const { page, context, errors } = await openPage(env.browser, { viewport: { width: 1280, height: 1400 } });
  await page.addInitScript(USE_TEST_WORKER); // keeps the page's workers in window.testWorkers
  await page.goto(`${env.origin}/demos/digits/`);
  await waitForValue(page, () => !document.getElementById('train').disabled, null, { what: 'the data loaded', timeoutMs: 60000 });
  await page.click('#train');
  const stepNow = () => Number(document.getElementById('stat-step').textContent);
  await waitForValue(page, `(${stepNow})() >= 30`, null, { what: 'step 30', timeoutMs: 30000 });
  await page.evaluate(() => Worker.prototype.terminate.call(window.testWorkers.at(-1)));
  const state = () => ({ message: document.getElementById('message').textContent,
    train: document.getElementById('train').disabled, pause: document.getElementById('pause').disabled });
  const after = await waitForValue(page, `(() => { const s = (${state})(); return !s.train && s.pause && /restarts/.test(s.message) && s; })()`,
    null, { what: 'the message and Train enabled again' });
  assert.match(after.message, /^The training worker failed \(the training worker ended without an error \(closed, or stopped by the browser\)\); it restarts from the last snapshot, paused, and the pad keeps answering\.$/);
  const step = await page.evaluate(stepNow);
  await page.click('#train');
  await waitForValue(page, `(${stepNow})() >= ${step + 30}`, null, { what: 'training on the new worker', timeoutMs: 30000 });
  await page.click('#pause');
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

// A .safetensors file whose spec asks for 64 million parameters (with gradients and Adam's moments, 1.7 GiB) and
// holds no tensors: loading it once grew the page's wasm memory to 1.7 GiB before the missing tensor was noticed.
// The loader now compares the file's tensors with the spec before it allocates, and the page's memory cap stands
// behind that.
function hostileWeightsFile() {
  const spec = { input: [2], layers: [{ type: 'dense', units: 8000 }, { type: 'relu' }, { type: 'dense', units: 8000 },
    { type: 'relu' }, { type: 'dense', units: 2 }], loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.01 } };
  const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'tinytrain', spec: JSON.stringify(spec) } }));
  const bytes = Buffer.alloc(8 + header.length);
  bytes.writeBigUInt64LE(BigInt(header.length), 0);
  header.copy(bytes, 8);
  return bytes;
}

test('a weight file whose spec asks for 1.7 GiB is refused before anything is allocated', async () => {
  const { page, context, errors } = await openPlayground();
  const before = await page.evaluate(() => window.playground.trainer.predictor.constructor.memoryBytes());
  const t0 = Date.now();
  await page.locator('#load-weights').setInputFiles({ name: 'huge.safetensors', mimeType: 'application/octet-stream', buffer: hostileWeightsFile() });
  const msg = await waitForValue(page, () => !document.getElementById('message').hidden && document.getElementById('message').textContent,
    null, { what: 'the message about the file' });
  console.log(`${msg} (${Date.now() - t0} ms; page memory ${(before / 2 ** 20).toFixed(0)} MiB before)`);
  assert.match(msg, /^huge\.safetensors holds weights of another shape of network \(0\.weight: missing tensor: the model needs it \(shape \[8000, 2\]\)\)\.$/);
  const after = await page.evaluate(() => window.playground.trainer.predictor.constructor.memoryBytes());
  assert.ok(after <= before + 16 * 2 ** 20, `the page's wasm memory grew from ${before} to ${after} bytes`);
  assert.equal(await page.textContent('#status'), 'ready', 'the page left its model');
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('the worker in Chromium logs the same loss curve as wasm/tinytrain.js in Node, bit for bit', async () => {
  const config = cloneConfig(DEFAULTS);
  config.seed = 7;
  const hash = '#ds=spiral&arms=3&n=300&layers=16:tanh,8:relu&loss=cross_entropy&opt=adam&lr=0.02&bs=16&seed=7';
  Object.assign(config, { dataset: 'spiral', arms: 3, n: 300, layers: [{ units: 16, act: 'tanh' }, { units: 8, act: 'relu' }],
    optimizer: 'adam', lr: 0.02, batchSize: 16 });
  const { page, context, errors } = await openPlayground(hash);
  assert.deepEqual(await page.evaluate(() => window.playground.config), JSON.parse(JSON.stringify(config)), 'the link did not give this config');
  const steps = 300;
  await page.evaluate((n) => window.playground.trainer.step(n), steps);
  const browser = await waitForValue(page, (n) => {
    const l = window.playground.losses;
    return l.values.length === n / 10 ? l.values : null;
  }, steps, { what: `${steps / 10} logged losses` });

  // Node: the session's recipe (spec and data from the config, logEvery 10, the page's batch size).
  const spec = buildSpec(config);
  const data = prepareData(dataOptions(config), spec);
  const m = await Model.create(spec);
  m.setData(data.x, data.y);
  const node = [];
  for (let i = 0; i < steps / 10; i++) node.push(m.trainSteps(10, config.batchSize).loss);
  m.dispose();
  const first = node.findIndex((v, i) => !Object.is(v, browser[i]));
  console.log(`losses at steps 10..${steps}: ${node[0].toFixed(6)} -> ${node.at(-1).toFixed(6)}; first difference: ${first}`);
  assert.equal(first, -1, `the curves differ first at step ${10 * (first + 1)}: Node ${node[first]} vs Chromium ${browser[first]}`);
  assert.ok(node.at(-1) < node[0], 'the run did not learn (the comparison would be weak)');
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});
