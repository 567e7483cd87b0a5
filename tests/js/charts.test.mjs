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

// A 2D context that records the text drawn (also as boxes: 6 px a character, 11 px tall, placed by the context's
// textAlign and textBaseline) and the path's vertices.
function recordingCanvas(width, height) {
  const texts = [], boxes = [], vertices = [];
  const ctx = new Proxy({ measureText: (t) => ({ width: 6 * String(t).length }) }, {
    get: (target, key) => target[key] ?? ((...args) => {
      if (key === 'fillText') {
        const [text, x, y] = args, w = 6 * String(text).length;
        const left = { left: x, center: x - w / 2, right: x - w }[target.textAlign ?? 'left'] ?? x;
        const top = target.textBaseline === 'middle' ? y - 5.5 : y - 11;
        texts.push(String(text));
        boxes.push({ text: String(text), left, right: left + w, top, bottom: top + 11 });
      }
      if (key === 'lineTo' || key === 'moveTo') vertices.push(args);
    }),
    set: (target, key, value) => { target[key] = value; return true; },
  });
  return { canvas: { clientWidth: width, clientHeight: height, width, height, getContext: () => ctx }, texts, boxes, vertices };
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

test('no two labels of the chart overlap: the step axis\'s name has a line of its own under its ticks', async () => {
  const { drawLineChart } = await import('../../web/views/chart.js');
  for (const width of [240, 320, 454, 640]) {
    for (const last of [50, 150, 1000, 10000, 170000]) {
      const s = new Series();
      for (let step = 1; step <= last; step = Math.ceil(step * 1.5)) s.push(step, 2 / step);
      s.push(last, 2 / last);
      const { canvas, boxes } = recordingCanvas(width, 130); // the widget's chart is 130 px tall
      drawLineChart(canvas, [{ series: s, color: '#000', label: 'training loss' }]);
      const name = boxes.find((b) => b.text.startsWith('step '));
      assert.ok(name && name.bottom <= 130 && name.left >= 0, `${width} px, ${last} steps: the axis's name ${JSON.stringify(name)}`);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i], b = boxes[j];
          const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0;
          assert.ok(!overlap, `${width} px, ${last} steps: "${a.text}" ${JSON.stringify(a)} overlaps "${b.text}" ${JSON.stringify(b)}`);
        }
      }
    }
  }
});
