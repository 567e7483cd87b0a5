// Model.measureServing (wasm/serving.js) in Node: the shape the docs promise, values that agree with each other and
// with the model's FLOPs, the options' checks, skipped batch sizes, aborting, and that it yields to the event loop
// in short slices instead of blocking it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../wasm/tinytrain.js';
import { percentile } from '../../wasm/serving.js';
import { DIGITS_MLP } from '../../web/digits-models.js';
import { loadMnistNode } from '../../tools/mnist-data.mjs';

const heldOut = loadMnistNode('test');
const digit = heldOut.x.slice(0, 784);

test('measureServing returns p50/p95 at batch 1 and predictions per second at 1, 8 and 64', async () => {
  const m = await Model.create(DIGITS_MLP);
  const r = await m.measureServing({ batches: [1, 8, 64], input: digit });
  console.log(JSON.stringify(r));
  assert.equal(r.flopsPerPrediction, m.flops.forward);
  assert.equal(r.output, 'probabilities', 'a classifier is timed as its page uses it');
  assert.deepEqual(Object.keys(r.perSecond).sort(), ['1', '64', '8']);
  assert.ok(r.p50Us > 0 && r.p50Us <= r.p95Us, `p50 ${r.p50Us} µs, p95 ${r.p95Us} µs`);
  assert.equal(r.latency.groups, 41);
  assert.ok(r.latency.callsPerGroup >= 1);
  for (const b of [1, 8, 64]) {
    const perSecond = r.perSecond[b];
    assert.ok(Number.isFinite(perSecond) && perSecond > 0, `batch ${b}: ${perSecond}`);
    assert.ok(Math.abs(perSecond - (b * 1e6) / r.usPerCall[b]) < 1e-6 * perSecond, 'perSecond is batch / time per call');
    // Sane: the implied compute rate lies between a slow interpreter and what one core can do.
    const flopsPerSecond = perSecond * r.flopsPerPrediction;
    assert.ok(flopsPerSecond > 1e6 && flopsPerSecond < 1e12, `batch ${b}: ${flopsPerSecond} FLOP/s`);
  }
  // The median group and the fastest round time the same calls: on a quiet machine they are close; a busy one
  // moves either by a lot, but not by the factor 1000 a mixed-up unit would.
  const ratio = r.p50Us / r.usPerCall[1];
  assert.ok(ratio > 1 / 30 && ratio < 30, `p50 ${r.p50Us} µs vs the best round's ${r.usPerCall[1]} µs per call`);
  m.dispose();
});

test('a regression model is timed through predict, a language model with token ids by default', async () => {
  const sine = await Model.create({ input: [1], layers: [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 1 }], loss: 'mse' });
  const r = await sine.measureServing({ batches: [1, 4], latencyGroups: 5, rounds: 2, input: undefined }); // undefined: the default
  assert.equal(r.output, 'predict');
  assert.ok(r.perSecond[4] > 0 && r.p50Us > 0);
  sine.dispose();
  const lm = await Model.create({
    input: [8], layers: [{ type: 'embedding', vocab: 5, dim: 8 }, { type: 'dense', units: 5 }], loss: 'cross_entropy',
  });
  const t = await lm.measureServing({ batches: [1, 2], latencyGroups: 5, rounds: 2 });
  assert.ok(t.perSecond[2] > 0, JSON.stringify(t));
  assert.equal(t.flopsPerPrediction, lm.flops.forward, 'one prediction is one window of the input');
  lm.dispose();
});

test('bad options are refused with a message that says what was expected', async () => {
  const m = await Model.create(DIGITS_MLP);
  await assert.rejects(m.measureServing({ batches: [0, 8] }), /batches: expected a list of whole numbers from 1 to 4096, got \[0,8\]/);
  await assert.rejects(m.measureServing({ batches: 'all' }), /batches: expected a list/);
  await assert.rejects(m.measureServing({ output: 'logits' }), /output: expected "predict" or "probabilities", got "logits"/);
  await assert.rejects(m.measureServing({ input: new Float32Array(3) }), /input: expected one sample as a Float32Array of 784 values/);
  await assert.rejects(m.measureServing({ roundMs: -1 }), /roundMs: expected a number of milliseconds above 0, got -1/);
  await assert.rejects(m.measureServing({ latencyGroups: 0.5 }), /latencyGroups: expected a whole number/);
  // the model still serves and measures
  assert.ok((await m.measureServing({ batches: [1], latencyGroups: 3, rounds: 1 })).perSecond[1] > 0);
  m.dispose();
});

test('batch sizes whose one call would take longer than maxCallMs are skipped, with the reason', async () => {
  const m = await Model.create(DIGITS_MLP);
  const r = await m.measureServing({ batches: [1, 64, 4096], input: digit, latencyGroups: 5, rounds: 2, maxCallMs: 0.001 });
  assert.ok(r.perSecond[1] > 0 || Number.isNaN(r.perSecond[1]));
  assert.ok(Number.isNaN(r.perSecond[4096]));
  assert.match(r.skipped[4096], /^one call of 4096 would take about \d+ ms, over 0.001 ms$/);
  m.dispose();
});

test('an aborted measurement rejects with the signal\'s reason; a disposed model rejects too', async () => {
  const m = await Model.create(DIGITS_MLP);
  const controller = new AbortController();
  const running = m.measureServing({ signal: controller.signal });
  controller.abort(new Error('the model changed'));
  await assert.rejects(running, /the model changed/);
  const again = m.measureServing({ latencyGroups: 200 });
  m.dispose();
  await assert.rejects(again, /this model was disposed/);
});

test('measuring yields to the event loop in short slices', async () => {
  const m = await Model.create(DIGITS_MLP);
  let turns = 0, worstGapMs = 0, last = performance.now(), measuring = true;
  const tick = () => {
    const t = performance.now();
    worstGapMs = Math.max(worstGapMs, t - last);
    last = t;
    turns++;
    if (measuring) setImmediate(tick);
  };
  setImmediate(tick);
  const progress = [];
  await m.measureServing({ input: digit, sliceMs: 4, onProgress: (f) => progress.push(f) });
  measuring = false;
  console.log(`${turns} event-loop turns while measuring; the longest gap ${worstGapMs.toFixed(1)} ms`);
  assert.ok(turns >= 10, `only ${turns} turns of the event loop`);
  // A slice is ~4 ms plus one unit of work (a few ms); the bound is generous for a shared, busy machine.
  assert.ok(worstGapMs < 400, `the event loop waited ${worstGapMs.toFixed(1)} ms`);
  assert.ok(progress.length > 5 && progress.every((f, i) => f > 0 && f <= 1 && (i === 0 || f >= progress[i - 1])));
  m.dispose();
});

test('percentile takes the nearest rank', () => {
  const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(v, 0.5), 5);
  assert.equal(percentile(v, 0.95), 10);
  assert.equal(percentile([7], 0.95), 7);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});
