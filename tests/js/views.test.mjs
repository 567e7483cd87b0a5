// The view layer the widget and the demos share (web/views/) and the model presets and spec builder
// (web/models.js), in Node: the decision map's grid, coordinates and colours (on a stand-in canvas), and that the
// widget's and the playground's configurations build their specs through the same code.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DecisionMap, nearestPoint } from '../../web/views/map.js';
import { FunctionPlot } from '../../web/views/plot.js';
import { CLASS_COLORS, classColor, rgbOf, LIGHT } from '../../web/views/palette.js';
import { mlpSpec, optimizerSpec } from '../../web/models.js';
import { DIGITS_MLP, DIGITS_CNN } from '../../web/digits-models.js';
import { readConfig, buildSpec as widgetSpec } from '../../web/widget/config.js';
import { DEFAULTS, buildSpec as playgroundSpec } from '../../demos/playground/config.js';
import { MLP_SPEC, CNN_SPEC } from '../../demos/digits/models.js';

// Just enough of a canvas for DecisionMap: an image the map paints into, and a CSS size.
globalThis.OffscreenCanvas ??= class {
  constructor(width, height) { Object.assign(this, { width, height }); }
  getContext() {
    return { createImageData: (w, h) => ({ data: new Uint8ClampedArray(4 * w * h) }), putImageData() {} };
  }
};
const canvas = { width: 200, height: 100, clientWidth: 200, clientHeight: 100 };

test('DecisionMap: the grid and the coordinates follow each input\'s own domain', () => {
  const map = new DecisionMap(canvas, { resolution: 4, domain: [[0, 4], [-2, 2]] });
  const grid = map.gridInputs();
  assert.equal(grid.length, 4 * 4 * 2);
  assert.deepEqual([...grid.subarray(0, 4)], [0.5, 1.5, 1.5, 1.5], 'row 0 is the top (largest x1), cell centres');
  assert.deepEqual([...grid.subarray(-2)], [3.5, -1.5]);
  assert.equal(map.gridInputs(), grid, 'made once');
  assert.deepEqual(map.toData(100, 25), [2, 1]);
  assert.deepEqual(map.toCanvas(2, 1), [100, 25]);
  assert.deepEqual(new DecisionMap(canvas, { domain: [-1, 1] }).axes, [[-1, 1], [-1, 1]], 'one [lo, hi] for both inputs');
});

test('DecisionMap.paint: in bands of rows the same pixels as at once; sure cells take the class colour, unsure ones the background', () => {
  const res = 4, K = 2;
  const probs = Float32Array.from({ length: res * res * K }, (_, i) => ((i >> 1) % 3 === 0 ? [1, 0] : [0.5, 0.5])[i & 1]);
  const whole = new DecisionMap(canvas, { resolution: res });
  whole.paint(probs, K, { background: '#0d1117' });
  const banded = new DecisionMap(canvas, { resolution: res });
  for (let row = 0; row < res; row += 3) {
    const end = Math.min(res, row + 3);
    banded.paint(probs.subarray(row * res * K, end * res * K), K, { background: '#0d1117', firstRow: row });
    assert.equal(banded.rowsPainted, end);
  }
  assert.deepEqual(banded.pixels.data, whole.pixels.data);
  const [r, g, b] = rgbOf(classColor(0)), bg = rgbOf('#0d1117');
  const px = (i) => [...whole.pixels.data.subarray(4 * i, 4 * i + 3)];
  assert.deepEqual(px(0), [0, 1, 2].map((c) => Math.round(bg[c] + ([r, g, b][c] - bg[c]) * 0.7)), 'certain: 70% class colour');
  const mixed = [0, 1, 2].map((c) => (rgbOf(classColor(0))[c] + rgbOf(classColor(1))[c]) / 2);
  assert.deepEqual(px(1), [0, 1, 2].map((c) => Math.round(bg[c] + (mixed[c] - bg[c]) * 0.2)), 'a coin toss: 20% of the mix');
});

test('FunctionPlot: x grid over its domain, y over yDomain', () => {
  const plot = new FunctionPlot(canvas, { resolution: 5, domain: [-1, 1], yDomain: [-2, 2] });
  assert.deepEqual([...plot.gridInputs()], [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(plot.toCanvas(0, 0), [100, 50]);
  assert.deepEqual(plot.toData(200, 0), [1, 2]);
});

// A canvas whose CSS size is counted when read (in a page each read may force a layout), with a 2-D context and
// Path2D that accept every call: enough for render() in Node.
function countingCanvas() {
  const counted = { width: 200, height: 100, reads: 0 };
  Object.defineProperty(counted, 'clientWidth', { get: () => (counted.reads++, 200) });
  Object.defineProperty(counted, 'clientHeight', { get: () => (counted.reads++, 100) });
  const context = new Proxy({}, { get: (target, name) => target[name] ?? (() => {}), set: (target, name, value) => (target[name] = value, true) });
  counted.getContext = () => context;
  return counted;
}
globalThis.document ??= { createElement: () => countingCanvas() };
globalThis.Path2D ??= class { moveTo() {} arc() {} };

test('render reads the canvas size once per frame, not once per point (each read may force a layout)', () => {
  const n = 300, x = Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i)), y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const map = new DecisionMap(countingCanvas(), { resolution: 4 });
  map.render({ x, y, testX: x, testY: y, probe: [10, 10] });
  assert.ok(map.canvas.reads <= 2, `${map.canvas.reads} reads of the map's size for ${2 * n} points`);
  const plot = new FunctionPlot(countingCanvas(), { resolution: 50 });
  plot.paint(new Float32Array(50));
  plot.render({ x: x.subarray(0, n), y: x.subarray(n), testX: x.subarray(0, n), testY: x.subarray(n) });
  assert.ok(plot.canvas.reads <= 2, `${plot.canvas.reads} reads of the plot's size for ${2 * n} points and a curve of 50`);
  assert.deepEqual(map.toCanvas(0.5, -0.25, [200, 100]), map.toCanvas(0.5, -0.25), 'a size given is the size read');
  assert.deepEqual(plot.toCanvas(0.5, -0.25, [200, 100]), plot.toCanvas(0.5, -0.25));
});

test('one palette: ten class colours, classes beyond it reuse them; a light surface by default', () => {
  assert.equal(CLASS_COLORS.length, 10);
  assert.equal(classColor(12), CLASS_COLORS[2]);
  assert.deepEqual(rgbOf('#ea781e'), [234, 120, 30]);
  assert.equal(LIGHT.background, '#ffffff');
});

test('one spec builder: the widget\'s and the playground\'s settings give the same spec; momentum is sgd with 0.9', () => {
  assert.deepEqual(optimizerSpec('momentum', 0.05), { type: 'sgd', lr: 0.05, momentum: 0.9 });
  assert.deepEqual(optimizerSpec('adamw', 0.01), { type: 'adamw', lr: 0.01 });
  const widget = readConfig((name) => ({ demo: 'spiral', layers: '8 tanh, 4 linear', optimizer: 'momentum', lr: '0.05', seed: '3' })[name] ?? null).config;
  const playground = { ...DEFAULTS, dataset: 'spiral', arms: 2, layers: [{ units: 8, act: 'tanh' }, { units: 4, act: 'linear' }],
    loss: 'cross_entropy', optimizer: 'momentum', lr: 0.05, seed: 3 };
  assert.deepEqual(widgetSpec(widget, 2, 2), playgroundSpec(playground));
  assert.deepEqual(playgroundSpec(playground), mlpSpec({ inputs: 2, hidden: playground.layers, classes: 2, loss: 'cross_entropy',
    optimizer: 'momentum', lr: 0.05, seed: 3 }));
});

test('the digits presets are defined once: the demo\'s MLP and CNN and the widget\'s "cnn" are web/models.js\'s', () => {
  assert.equal(MLP_SPEC, DIGITS_MLP);
  assert.equal(CNN_SPEC, DIGITS_CNN);
  const digitsMlp = readConfig((name) => ({ demo: 'digits' })[name] ?? null).config;
  assert.deepEqual(widgetSpec(digitsMlp, 784, 10), { ...DIGITS_MLP, input: [784] }, 'demo="digits" defaults: the classic MLP');
});

test('nearestPoint finds the closest training or held-out point within the radius, on a map and on a plot', () => {
  const map = new DecisionMap(canvas, { resolution: 4, domain: [[0, 4], [-2, 2]] });
  const sets = [['train', Float32Array.of(1, 1, 3, -1), Int32Array.of(0, 1)], ['test', Float32Array.of(2, 0), Int32Array.of(1)]];
  // (3, -1) is CSS pixel (150, 75); (2, 0) is (100, 50)
  assert.deepEqual(nearestPoint(map, 148, 76, sets), { set: 'train', index: 1, x: [3, -1], label: 1 });
  assert.deepEqual(nearestPoint(map, 103, 50, sets), { set: 'test', index: 0, x: [2, 0], label: 1 });
  assert.equal(nearestPoint(map, 10, 10, sets), null, 'nothing within 8 pixels');
  const plot = new FunctionPlot(canvas, { domain: [-1, 1], yDomain: [-2, 2] });
  // x = 0.5, y = 1 is CSS pixel (150, 25)
  assert.deepEqual(nearestPoint(plot, 151, 27, [['train', Float32Array.of(-0.5, 0.5), Float32Array.of(0, 1)]]),
    { set: 'train', index: 1, x: [0.5], label: 1 });
});
