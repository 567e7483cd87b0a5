// web/views/overfit.js: overfitting is held-out loss climbing from its lowest point while training loss
// falls; a test loss that only wobbles, or climbs with the training loss, is not.
import test from 'node:test';
import assert from 'node:assert/strict';
import { overfitting } from '../../web/views/overfit.js';

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
