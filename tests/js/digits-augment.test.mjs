// The Digits demo's seeded augmentation (demos/digits/augment.js): exact on whole-pixel shifts and quarter turns,
// seeded (same seed, same copies; sync and async alike), originals first, and ink roughly kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transformDigit, augmentSet, augmentSetAsync } from '../../demos/digits/augment.js';
import { loadMnistNode } from '../../tools/mnist-data.mjs';

const digits = loadMnistNode('test');
const img = (i) => digits.x.subarray(i * 784, (i + 1) * 784);

function firstDiff(a, b, tol = 1e-5) {
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i] - b[i]) > tol) return `pixel (${Math.floor(i / 28)}, ${i % 28}): ${a[i]} vs ${b[i]}`;
  }
  return null;
}

test('a shift by (2, -1) moves every pixel 2 right and 1 up, zero filling', () => {
  const src = img(0), out = transformDigit(src, new Float32Array(784), 0, 2, -1);
  const want = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    if (x - 2 >= 0 && y + 1 < 28) want[y * 28 + x] = src[(y + 1) * 28 + x - 2];
  }
  assert.equal(firstDiff(out, want), null);
});

test('a quarter turn maps pixel (x, y) to (27 - y, x) about the centre', () => {
  const src = img(1), out = transformDigit(src, new Float32Array(784), Math.PI / 2, 0, 0);
  const want = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) want[x * 28 + (27 - y)] = src[y * 28 + x];
  assert.equal(firstDiff(out, want, 1e-4), null);
});

test('augmentSet: originals first, labels repeated, seeded, async equals sync, ink roughly kept', async () => {
  const n = 200, x = digits.x.subarray(0, n * 784), y = digits.y.subarray(0, n);
  const a = augmentSet(x, y, { copies: 2, seed: 5 });
  assert.equal(a.x.length, 3 * n * 784);
  assert.deepEqual(Array.from(a.y), [...y, ...y, ...y]);
  assert.equal(firstDiff(a.x.subarray(0, n * 784), x), null, 'the originals come first, unchanged');
  const b = augmentSet(x, y, { copies: 2, seed: 5 });
  assert.equal(firstDiff(a.x, b.x, 0), null, 'the same seed gives the same copies');
  const c = await augmentSetAsync(x, y, { copies: 2, seed: 5 }, async () => {});
  assert.equal(firstDiff(a.x, c.x, 0), null, 'async and sync agree');
  const d = augmentSet(x, y, { copies: 1, seed: 6 });
  assert.notEqual(firstDiff(a.x.subarray(n * 784, 2 * n * 784), d.x.subarray(n * 784)), null, 'another seed, other copies');
  // Shifts of <= 2 px and turns of <= 10 degrees keep MNIST's ink inside the field: within 10% per digit.
  for (let i = 0; i < n; i++) {
    const sum = (v) => v.reduce((s, t) => s + t, 0);
    const before = sum(x.subarray(i * 784, (i + 1) * 784)), after = sum(a.x.subarray((n + i) * 784, (n + i + 1) * 784));
    assert.ok(Math.abs(after - before) <= 0.1 * before, `digit ${i}: ink ${before.toFixed(1)} became ${after.toFixed(1)}`);
  }
  assert.throws(() => augmentSet(x, y, { copies: 9 }), /augment copies: expected 0\.\.8, got 9/);
});
