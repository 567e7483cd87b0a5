// The draw pad's MNIST preprocessing (web/digits-preprocess.js) on known inputs: a drawn rectangle lands where
// the arithmetic says, moving or enlarging the drawing changes nothing, colours are read as ink, and real MNIST
// digits scaled up onto a pad come back as the very pixels of the data set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  preprocess, preprocessRGBA, inkFromRGBA, inkBounds, resampleArea, centreOfMass, FIELD,
} from '../../web/digits-preprocess.js';
import { loadMnistNode } from '../../tools/mnist-data.mjs';

// A W x H ink image with the rectangle [x0, x0+w) x [y0, y0+h) filled with v.
function rect(W, H, x0, y0, w, h, v = 1) {
  const ink = new Float32Array(W * H);
  for (let y = y0; y < y0 + h; y++) ink.fill(v, y * W + x0, y * W + x0 + w);
  return ink;
}

function maxDiff(a, b) {
  let m = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > m) { m = d; at = i; }
  }
  return { m, at, where: at < 0 ? '' : `(row ${Math.floor(at / FIELD)}, col ${at % FIELD})` };
}

test('a 40x100 rectangle becomes an 8x20 block of ones centred at (14, 14)', () => {
  const p = preprocess(rect(200, 200, 30, 50, 40, 100), 200, 200);
  assert.deepEqual(p.bounds, { x0: 30, y0: 50, x1: 70, y1: 150 });
  assert.deepEqual(p.size, [8, 20]);
  // Centre of mass of the 8x20 block is (3.5, 9.5): round(14 - 3.5) = 11 (ties to +inf), round(14 - 9.5) = 5.
  assert.deepEqual(p.offset, [11, 5]);
  for (let r = 0; r < FIELD; r++) {
    for (let c = 0; c < FIELD; c++) {
      const want = r >= 5 && r < 25 && c >= 11 && c < 19 ? 1 : 0;
      assert.ok(Math.abs(p.x[r * FIELD + c] - want) < 1e-6, `pixel (${r}, ${c}) is ${p.x[r * FIELD + c]}, expected ${want}`);
    }
  }
});

test('moving or enlarging the drawing gives the same 28x28 input', () => {
  // An L shape: a vertical bar and a foot, drawn at two places and at twice the size.
  const draw = (W, k, ox, oy) => {
    const ink = new Float32Array(W * W);
    // One unit row of the shape covers k pad rows.
    const put = (x0, y, w) => {
      for (let a = 0; a < k; a++) ink.fill(1, (oy + y * k + a) * W + ox + x0 * k, (oy + y * k + a) * W + ox + (x0 + w) * k);
    };
    for (let y = 0; y < 60; y++) put(0, y, 10);
    for (let y = 50; y < 60; y++) put(10, y, 30);
    return preprocess(ink, W, W).x;
  };
  const a = draw(280, 1, 20, 30), b = draw(280, 1, 150, 200), c = draw(300, 2, 5, 40);
  const ab = maxDiff(a, b), ac = maxDiff(a, c);
  assert.ok(ab.m < 1e-6, `translated drawing differs by ${ab.m} at ${ab.where}`);
  assert.ok(ac.m < 1e-5, `enlarged drawing differs by ${ac.m} at ${ac.where}`);
});

test('a blank pad gives null, so the page shows no prediction', () => {
  assert.equal(preprocess(new Float32Array(100 * 100), 100, 100), null);
  assert.equal(preprocess(rect(100, 100, 10, 10, 5, 5, 0.01), 100, 100), null, 'dust below the threshold is not ink');
});

test('RGBA pixels are read as ink: light on dark, dark on light, and transparent as background', () => {
  const px = Uint8ClampedArray.from([255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 0, 128, 128, 128, 255]);
  const light = inkFromRGBA(px, 2, 2);
  assert.deepEqual(Array.from(light, (v) => +v.toFixed(3)), [1, 0, 0, 0.502]);
  const dark = inkFromRGBA(px, 2, 2, { inkIsLight: false });
  assert.deepEqual(Array.from(dark, (v) => +v.toFixed(3)), [0, 1, 0, 0.498]);
  assert.throws(() => inkFromRGBA(px, 3, 2), /expected 24 values for 3x2, got 16/);
  // The whole pipeline from RGBA: a white square on black.
  const W = 50, rgba = new Uint8ClampedArray(W * W * 4);
  for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) rgba.fill(255, (y * W + x) * 4, (y * W + x) * 4 + 4);
  const p = preprocessRGBA(rgba, W, W);
  assert.deepEqual(p.size, [20, 20]);
  assert.ok(Math.abs(p.x.reduce((s, v) => s + v, 0) - 400) < 1e-3, 'the 20x20 box is full of ink');
});

test('helpers: bounds are exclusive, area averaging keeps the mean, centre of mass in index coordinates', () => {
  assert.deepEqual(inkBounds(rect(10, 10, 2, 3, 4, 5), 10, 10), { x0: 2, y0: 3, x1: 6, y1: 8 });
  // 3 input cells onto 2 output cells: each output covers 1.5 cells.
  const r = resampleArea(Float32Array.from([1, 0, 1]), 3, 0, 0, 3, 1, 2, 1);
  assert.deepEqual(Array.from(r, (v) => +v.toFixed(6)), [0.666667, 0.666667]);
  assert.deepEqual(centreOfMass(Float32Array.from([0, 1, 0, 0, 0, 1]), 3, 2), { cx: 1.5, cy: 0.5 });
});

test('real MNIST digits scaled up 10x onto a pad come back as the same pixels (>= 95% exactly)', () => {
  const d = loadMnistNode('test');
  const K = 10, W = 300, H = 300, count = 300;
  let exact = 0, worst = { m: 0 };
  for (let i = 0; i < count; i++) {
    const ink = new Float32Array(W * H);
    const ox = 3 + (i % 7), oy = 5 + (i % 3); // a different place on the pad each time
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const v = d.x[i * 784 + r * 28 + c];
        if (v) for (let a = 0; a < K; a++) ink.fill(v, (oy + r * K + a) * W + ox + c * K, (oy + r * K + a) * W + ox + c * K + K);
      }
    }
    const got = preprocess(ink, W, H).x;
    const diff = maxDiff(got, d.x.subarray(i * 784, (i + 1) * 784));
    if (diff.m < 1e-5) exact++;
    else if (diff.m > worst.m) worst = { ...diff, i };
  }
  // The rest differ by a one-pixel shift where the centre of mass sits near a half pixel.
  assert.ok(exact >= 0.95 * count, `${exact}/${count} exact; worst: digit ${worst.i} differs by ${worst.m} at ${worst.where}`);
});
