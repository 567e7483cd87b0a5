// web/views/overfit.js: overfitting is held-out loss climbing from its lowest point while training loss
// falls; a test loss that only wobbles, or climbs with the training loss, is not. The snapshot kept is one whose
// step a held-out loss was measured at, the lowest; a curve cut back to a step ends there.
import test from 'node:test';
import assert from 'node:assert/strict';
import { overfitting, BestHeldOut, cutCurve } from '../../web/views/overfit.js';
import { Series } from '../../web/views/chart.js';

const curve = (f, n, every = 10) => {
  const steps = [], values = [];
  for (let i = 0; i <= n; i++) { steps.push(i * every); values.push(f(i * every)); }
  return { steps, values };
};

test('held-out loss rising while training loss falls is overfitting, from the lowest held-out step', () => {
  const train = curve((s) => 1 / (1 + s / 100), 300);
  const test_ = curve((s) => 0.3 + ((s - 1000) / 1000) ** 2, 30, 100); // lowest at step 1000, then climbing
  const o = overfitting(train, test_);
  assert.ok(o, 'not detected');
  assert.equal(o.bestStep, 1000);
  assert.ok(Math.abs(o.bestLoss - 0.3) < 1e-9);
  assert.ok(o.latestLoss > 1);
});

test('a falling, a flat-with-noise or a jointly rising test loss is not overfitting', () => {
  const falling = curve((s) => 1 / (1 + s / 100), 300);
  assert.equal(overfitting(falling, curve((s) => 0.5 / (1 + s / 300), 30, 100)), null);
  assert.equal(overfitting(falling, curve((s) => 0.2 + 0.005 * Math.sin(s), 30, 100)), null);
  const rising = curve((s) => 0.1 + s / 1000, 300); // training loss climbing too: divergence, not overfitting
  assert.equal(overfitting(rising, curve((s) => 0.3 + ((s - 1000) / 1000) ** 2, 30, 100)), null);
  assert.equal(overfitting(falling, curve((s) => 0.3 + s, 2, 100)), null, 'three points are too few to call');
});

test('a held-out loss lowest at step 0, before the first training loss is logged, is overfitting from step 0', () => {
  const train = curve((s) => 1 / (1 + s / 100), 300);
  train.steps.shift(); train.values.shift(); // training losses are logged after their steps: from step 10
  const o = overfitting(train, curve((s) => 0.7 + s / 500, 30, 100));
  assert.deepEqual(o && [o.bestStep, o.bestLoss], [0, 0.7]);
});

test('BestHeldOut keeps only a snapshot of the step its held-out loss was measured at, the lowest, and asks for one once', () => {
  const kept = new BestHeldOut();
  const weights = (step) => Float32Array.of(step);
  const trainer = { progress: { step: 10, metricsStep: 10, testLoss: 0.5 }, lastSnapshot: { step: 0, weights: weights(0) } };
  assert.equal(kept.consider(trainer), false, 'a snapshot of another step');
  assert.equal(kept.wants(trainer), true, 'the lowest loss yet, no snapshot of step 10');
  assert.equal(kept.wants(trainer), false, 'asked once');
  trainer.lastSnapshot = { step: 10, weights: weights(10) };
  assert.equal(kept.consider(trainer), true);
  assert.deepEqual([kept.best.step, kept.best.loss, kept.best.weights[0]], [10, 0.5, 10]);
  trainer.progress = { step: 20, metricsStep: 20, testLoss: 0.7 };
  trainer.lastSnapshot = { step: 20, weights: weights(20) };
  assert.equal(kept.wants(trainer), false, 'not lower');
  assert.equal(kept.consider(trainer), false, 'a higher held-out loss');
  trainer.progress = { step: 30, metricsStep: 30, testLoss: NaN };
  assert.equal(kept.consider(trainer), false, 'no held-out loss');
  assert.equal(kept.best.step, 10);
  kept.clear();
  assert.equal(kept.best, null);
});

test('cutCurve drops the points after a step, merged ones too, and the curve goes on from there', () => {
  const s = new Series(8);
  for (let step = 10; step <= 100; step += 10) s.push(step, step / 10); // merged pairwise once 8 points are in
  cutCurve(s, 55);
  assert.ok(s.steps.every((x) => x <= 55), String(s.steps));
  const n = s.length;
  s.push(60, 1);
  assert.ok(s.length <= n + 1 && s.steps.at(-1) <= 60);
});
