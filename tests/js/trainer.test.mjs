// web/runtime/trainer.js without a browser: each Trainer gets an in-process "worker" that runs web/runtime/session.js behind a
// structured-clone message boundary (transfers included), with FakeModel, or the real wasm Model when built.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Trainer } from '../../web/runtime/trainer.js';
import { FakeModel } from './fake-model.mjs';
import { InProcessWorker, SPEC, DATA } from './in-process-worker.mjs';
import { crashWorker } from './crash-hooks.mjs';

function makeTrainer(options = {}, spec = SPEC, data = DATA, Model = FakeModel) {
  const workers = [];
  const t = new Trainer(spec, data, {
    Model, createWorker: () => { const w = new InProcessWorker(Model); workers.push(w); return w; }, ...options,
  });
  const events = [];
  for (const type of ['ready', 'progress', 'snapshot', 'stopped', 'error', 'restarted']) {
    t.addEventListener(type, (e) => events.push({ type, detail: e.detail }));
  }
  return { t, workers, events, of: (type) => events.filter((e) => e.type === type).map((e) => e.detail) };
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(pred, what, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.fail(`timed out after ${ms} ms waiting for ${what}`);
}
const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('ready: the predictor starts with the worker weights and the page gets the generated data', async () => {
  const { t, workers, of } = makeTrainer();
  const info = await t.ready;
  assert.equal(info.paramCount, 9);
  assert.equal(info.dataset.x.length, 150 * 2);
  assert.equal(of('ready').length, 1);
  const d = maxAbsDiff(t.predictor.getWeights(), workers[0].session.model.getWeights());
  assert.equal(d, 0, `predictor differs from the worker by ${d}`);
  t.dispose();
});

test('start/pause: progress streams, pause freezes the step and syncs the predictor', async () => {
  const { t, workers, of } = makeTrainer();
  await t.ready;
  await t.start();
  await until(() => of('progress').length >= 3 && of('snapshot').length >= 2, 'progress and snapshots');
  const r = await t.pause();
  const model = workers[0].session.model;
  assert.equal(r.step, model.step);
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(model.step, r.step, 'the worker kept training after pause');
  assert.equal(t.progress.step, r.step, 'the last progress is not the final one');
  assert.equal(t.running, false);
  assert.equal(maxAbsDiff(t.predictor.getWeights(), model.getWeights()), 0, 'predictor not at the pause weights');
  const p = t.progress;
  for (const k of ['step', 'epoch', 'loss', 'accuracy', 'testLoss', 'testAccuracy', 'samplesPerSec']) {
    assert.ok(Number.isFinite(p[k]), `progress.${k} = ${p[k]}`);
  }
  assert.deepEqual(of('stopped').map((s) => s.reason), ['paused']);
  t.dispose();
});

test('step(n) resolves after the predictor holds the weights of step n', async () => {
  const { t, workers } = makeTrainer();
  await t.ready;
  const v0 = t.weightsVersion;
  const r = await t.step(12);
  assert.equal(r.step, 12);
  assert.ok(t.weightsVersion > v0);
  assert.equal(maxAbsDiff(t.predictor.getWeights(), workers[0].session.model.getWeights()), 0);
  const out = t.predictor.probabilities(new Float32Array([0.5, -0.4]));
  assert.equal(out.length, 3);
  t.dispose();
});

test('reset with the same seed gives the same first losses', async () => {
  const { t, of } = makeTrainer({ logEvery: 1 });
  await t.ready;
  await t.step(15);
  const first = [...of('progress').at(-1).points.losses];
  await t.reset({ seed: 1 });
  assert.equal(t.progress.step, 0);
  await t.step(15);
  assert.deepEqual([...of('progress').at(-1).points.losses], first);
  t.dispose();
});

test('set validates on the page and changes the worker lr while training', async () => {
  const { t, workers } = makeTrainer();
  await t.ready;
  await assert.rejects(t.set({ lr: -Infinity }), /set.lr: expected a finite number/);
  await t.start();
  await t.set({ lr: 0.02 });
  assert.equal(workers[0].session.model.lr, 0.02);
  await t.pause();
  t.dispose();
});

test('divergence: an error event with the core message, training stops, the predictor keeps good weights', async () => {
  const { t, of } = makeTrainer();
  await t.ready;
  await t.step(5);
  const good = t.predictor.getWeights();
  await t.set({ lr: 1e7 });
  await t.start();
  await until(() => of('stopped').length > 0, 'stopped');
  const e = of('error');
  assert.equal(e.length, 1);
  assert.deepEqual([e[0].kind, e[0].fatal], ['diverged', false]);
  assert.match(e[0].message, /^diverged at step \d+/);
  assert.equal(t.running, false);
  assert.deepEqual(t.predictor.getWeights(), good);
  t.dispose();
});

test('a wasm trap: error event, a new worker restored from the last snapshot, predictor kept meanwhile', async () => {
  const { t, workers, of } = makeTrainer();
  await t.ready;
  await t.step(20);
  const good = t.predictor.getWeights();
  await assert.rejects(crashWorker(t), /wasm trap/);
  await until(() => of('restarted').length === 1, 'restart');
  const e = of('error');
  assert.ok(e.some((x) => x.fatal && /wasm trap: unreachable/.test(x.message)), JSON.stringify(e));
  assert.equal(workers.length, 2);
  assert.equal(workers[0].terminated, true, 'the dead worker was not terminated');
  assert.deepEqual(t.predictor.getWeights(), good, 'predictor weights changed by the crash');
  assert.equal(maxAbsDiff(workers[1].session.model.getWeights(), good), 0, 'new worker not at the last snapshot');
  // Training continues from the snapshot's step count.
  const r = await t.step(5);
  assert.equal(r.step, 25);
  t.dispose();
});

test('a worker crash event (not a trap message) restarts too; requests made meanwhile wait for it', async () => {
  const { t, workers, of } = makeTrainer();
  await t.ready;
  await t.step(10);
  const inFlight = t.set({ lr: 0.05 }).catch((e) => e); // may be lost with the worker; still re-applied
  await tick();
  workers[0].die('boom');
  const r = await t.step(3); // sent during the restart: must reach the restored worker
  assert.equal(r.step, 13);
  assert.equal(workers.length, 2);
  assert.equal(workers[1].session.model.lr, 0.05, 'settings were not re-applied after the restart');
  assert.ok(of('error').some((x) => /crashed: boom/.test(x.message)));
  const s = await inFlight;
  assert.ok(!(s instanceof Error) || /worker stopped/.test(s.message), String(s));
  t.dispose();
});

test('an invalid spec rejects ready with the core message and emits an error event', async () => {
  const bad = { ...SPEC, layers: [{ type: 'dense', units: -3 }] };
  const { t, of } = makeTrainer({}, bad);
  await assert.rejects(t.ready, /layers\[0\].units: expected a positive integer, got -3/);
  assert.equal(of('error')[0].kind, 'init');
  t.dispose();
});

test('{x, y} data with a test split trains as given; bad arrays are rejected with the field name', async () => {
  // Two separable blobs: class 0 around (-1, 0), class 1 around (1, 0).
  const n = 64;
  const x = new Float32Array(2 * n), y = new Int32Array(n);
  for (let i = 0; i < n; i++) { y[i] = i % 2; x[2 * i] = y[i] ? 1 + 0.01 * i : -1 - 0.01 * i; x[2 * i + 1] = (i % 7) / 7 - 0.5; }
  const { t } = makeTrainer({ batchSize: 16 }, SPEC, { x, y, testX: x.slice(0, 20), testY: y.slice(0, 10) });
  const info = await t.ready;
  assert.deepEqual([info.nTrain, info.nTest, info.dataset], [64, 10, null]);
  await t.step(50);
  assert.equal(t.progress.testAccuracy, 1, `test accuracy ${t.progress.testAccuracy}`);
  t.dispose();
  const bad = makeTrainer({}, SPEC, { x: [0, 1], y });
  await assert.rejects(bad.t.ready, /data.x: expected a Float32Array/);
  bad.t.dispose();
});

test('a worker that cannot load the wasm fails ready with its message instead of hanging', async () => {
  class NoWasmWorker extends EventTarget {
    constructor() { super(); setImmediate(() => this.dispatchEvent(new MessageEvent('message', { data: { type: 'fatal', message: 'could not load tinytrain.wasm: HTTP 404' } }))); }
    postMessage() {}
    terminate() { this.terminated = true; }
  }
  const workers = [];
  const t = new Trainer(SPEC, DATA, { Model: FakeModel, createWorker: () => { const w = new NoWasmWorker(); workers.push(w); return w; } });
  await assert.rejects(t.ready, /could not load tinytrain.wasm: HTTP 404/);
  assert.equal(workers.length, 1, 'a worker that never booted was restarted');
  assert.equal(workers[0].terminated, true);
  t.dispose();
});

const WASM = new URL('../../wasm/tinytrain.wasm', import.meta.url);
test('with the real wasm Model: spiral trains past 90% test accuracy through the Trainer', { skip: !existsSync(WASM) && 'wasm/tinytrain.wasm not built (make wasm)' }, async () => {
  const { Model } = await import('../../wasm/tinytrain.js');
  const spec = { input: [2], layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 16 },
    { type: 'relu' }, { type: 'dense', units: 2 }], loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.03 }, seed: 1 };
  const { t, workers, of } = makeTrainer({ batchSize: 32 }, spec, { dataset: 'spiral', n: 400, seed: 1 }, Model);
  await t.ready;
  await t.step(1000);
  const p = t.progress;
  console.log(`real wasm: step ${p.step}, loss ${p.loss.toFixed(4)}, test accuracy ${p.testAccuracy}`);
  assert.ok(p.testAccuracy >= 0.9, `test accuracy ${p.testAccuracy}`);
  const first = of('progress')[0].points.losses[0];
  assert.ok(p.loss < first / 4, `loss ${p.loss} vs first ${first}`);
  assert.equal(maxAbsDiff(t.predictor.getWeights(), workers[0].session.model.getWeights()), 0);
  // Reset with the same seed repeats the run exactly (weights, optimizer state and the data shuffling).
  const firstThree = [...of('progress')[0].points.losses.slice(0, 3)];
  await t.reset({ seed: 1 });
  await t.step(30);
  assert.deepEqual([...of('progress').at(-1).points.losses], firstThree);
  t.dispose();
});
