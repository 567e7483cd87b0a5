// web/views/chart.js Series: bounded memory on long runs, merging that depends only on the points (not on timing).
import test from 'node:test';
import assert from 'node:assert/strict';
import { Series } from '../../web/views/chart.js';

test('Series keeps every point until the cap, then halves by averaging neighbour pairs', () => {
  const s = new Series(8);
  for (let i = 1; i <= 7; i++) s.push(i, i);
  assert.deepEqual(s.steps, [1, 2, 3, 4, 5, 6, 7]);
  s.push(8, 8); // reaches the cap: 4 points of 2 raw points each
  assert.deepEqual([s.steps, s.values, s.merge], [[2, 4, 6, 8], [1.5, 3.5, 5.5, 7.5], 2]);
  for (let i = 9; i <= 20; i++) s.push(i, i);
  assert.deepEqual([s.steps, s.values, s.merge, s.count], [[4, 8, 12, 16, 20], [2.5, 6.5, 10.5, 14.5, 18.5], 4, 20]);
});

test('Series stays bounded over a million points and ignores non-finite values', () => {
  const s = new Series(4000);
  for (let i = 1; i <= 1e6; i++) s.push(i, 1 / i);
  s.push(1e6 + 1, NaN);
  assert.ok(s.length < 4000 && s.length >= 1000, `length ${s.length}`);
  assert.equal(s.count, 1e6);
  assert.ok(s.steps.every((v, i) => i === 0 || v > s.steps[i - 1]), 'steps are not increasing');
});

test('the same points pushed in different batches give the same series', () => {
  const a = new Series(16), b = new Series(16);
  for (let i = 1; i <= 100; i++) a.push(i * 10, Math.sin(i));
  let i = 1;
  for (const chunk of [3, 1, 40, 7, 49]) for (let k = 0; k < chunk; k++, i++) b.push(i * 10, Math.sin(i));
  assert.deepEqual([b.steps, b.values], [a.steps, a.values]);
});

// A 2D context that records the text drawn and the path's vertices.
function recordingCanvas(width, height) {
  const texts = [], vertices = [];
  const ctx = new Proxy({ measureText: (t) => ({ width: 6 * String(t).length }) }, {
    get: (target, key) => target[key] ?? ((...args) => {
      if (key === 'fillText') texts.push(String(args[0]));
      if (key === 'lineTo' || key === 'moveTo') vertices.push(args);
    }),
    set: (target, key, value) => { target[key] = value; return true; },
  });
  return { canvas: { clientWidth: width, clientHeight: height, width, height, getContext: () => ctx }, texts, vertices };
}

test('the step axis is logarithmic from 100 steps: step 100 sits halfway to step 10,000, with decade labels', async () => {
  const { drawLineChart } = await import('../../web/views/chart.js');
  const s = new Series();
  for (const step of [1, 100, 10000]) s.push(step, 1 / step);
  const { canvas, texts, vertices } = recordingCanvas(454, 200); // plot width 400 from x = 44
  drawLineChart(canvas, [{ series: s, color: '#000' }]);
  for (const label of ['1', '10', '100', '1k', 'step 10000 (log scale)']) assert.ok(texts.includes(label), `no "${label}" in ${texts}`);
  const xs = vertices.slice(-3).map(([x]) => x);
  assert.deepEqual(xs.map((x) => Math.round(x)), [44, 244, 444], 'steps 1, 100, 10000 at the left, middle and right');
  const linear = recordingCanvas(454, 200);
  drawLineChart(linear.canvas, [{ series: s, color: '#000' }], { logX: false });
  assert.deepEqual(linear.vertices.slice(-3).map(([x]) => Math.round(x)), [44, 48, 444]);
  assert.ok(linear.texts.includes('step 10000') && linear.texts.includes('0'));
});
