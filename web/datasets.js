// Seeded toy datasets for the playground, the widget and the tests. Pure functions, no DOM: the same name, options
// and seed give the same points in a page, a Worker and Node, so a URL can reproduce a run. makeDataset(name, options):
//   d.x: Float32Array (nTrain, inputSize)   d.y: Int32Array (nTrain) class indices, or Float32Array targets
//   d.testX, d.testY: the same for the test split; d.classes (0 for regression); d.domain: [lo, hi] of x

// The generators: point(i, n, o, rand, noise) is the i-th of n points, [x0, (x1,) label], in class order (makeDataset
// shuffles and splits them); noise() draws a Gaussian of std o.noise. classes: the class count (0: regression).
export const DATASETS = Object.freeze({
  spiral: { task: 'classification', inputSize: 2, defaults: { n: 400, noise: 0.05, arms: 2 }, classes: (o) => o.arms, point: spiral },
  circles: { task: 'classification', inputSize: 2, defaults: { n: 400, noise: 0.05 }, classes: () => 2, point: circles },
  xor: { task: 'classification', inputSize: 2, defaults: { n: 400, noise: 0.05 }, classes: () => 2, point: xor },
  moons: { task: 'classification', inputSize: 2, defaults: { n: 400, noise: 0.08 }, classes: () => 2, point: moons },
  gaussians: { task: 'classification', inputSize: 2, defaults: { n: 400, noise: 0.1 }, classes: () => 3, point: gaussians },
  sine: { task: 'regression', inputSize: 1, defaults: { n: 200, noise: 0.05 }, classes: () => 0, point: sine },
});

export const DATASET_NAMES = Object.freeze(Object.keys(DATASETS));
export const LIMITS = Object.freeze({ minPoints: 20, maxPoints: 20000, maxNoise: 1 });

// mulberry32: a small, well-mixed 32-bit generator; enough for toy data and identical on every JS engine.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Standard normal samples from a uniform generator (Box-Muller; u1 kept away from 0 so log() stays finite).
function gaussian(rand) {
  const u1 = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand());
}

// Arms of an Archimedean spiral around the origin, radius 0..1.
const SPIRAL_TURNS = 1.75; // as in the classic demos: a 2-16-16 ReLU MLP separates it in a few hundred steps
function spiral(i, n, o, rand, noise) {
  const k = i % o.arms, r = 0.08 + 0.92 * (Math.floor(i / o.arms) / Math.ceil(n / o.arms));
  const t = 2 * Math.PI * SPIRAL_TURNS * r + (2 * Math.PI * k) / o.arms;
  return [r * Math.cos(t) + noise(), r * Math.sin(t) + noise(), k];
}

// A disc (class 0) inside a ring (class 1).
function circles(i, n, o, rand, noise) {
  const c = i % 2, r = c === 0 ? 0.4 * Math.sqrt(rand()) : 0.65 + 0.3 * rand(), t = 2 * Math.PI * rand();
  return [r * Math.cos(t) + noise(), r * Math.sin(t) + noise(), c];
}

// Four quadrants; class 1 where the signs of x0 and x1 agree. A small gap keeps the clean task separable.
function xor(i, n, o, rand, noise) {
  const c = i % 2; // the class picks the quadrant pair, so classes stay balanced
  const sa = rand() < 0.5 ? -1 : 1;
  const a = (0.05 + 0.9 * rand()) * sa;
  const b = (0.05 + 0.9 * rand()) * (c === 1 ? sa : -sa);
  return [a + noise(), b + noise(), c];
}

// Two interleaved half circles, scaled into about [-1, 1].
function moons(i, n, o, rand, noise) {
  const c = i % 2, t = Math.PI * rand();
  const px = c === 0 ? Math.cos(t) : 1 - Math.cos(t), py = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
  return [(px - 0.5) * 0.75 + noise(), (py - 0.25) * 0.75 + noise(), c];
}

// Three Gaussian blobs at the corners of a triangle; noise widens them.
const CENTERS = [[-0.5, -0.4], [0.5, -0.4], [0, 0.5]];
function gaussians(i, n, o, rand) {
  const c = i % 3, s = 0.12 + o.noise;
  return [CENTERS[c][0] + s * gaussian(rand), CENTERS[c][1] + s * gaussian(rand), c];
}

// 1-D regression: y = 0.8 sin(1.5 pi x) + noise on x in [-1, 1].
function sine(i, n, o, rand, noise) {
  const x = -1 + 2 * rand();
  return [x, 0.8 * Math.sin(1.5 * Math.PI * x) + noise()];
}

function checkNumber(name, v, lo, hi, integer) {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
    const what = integer ? 'an integer' : 'a number';
    throw new Error(`dataset ${name}: expected ${what} in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  }
  return v;
}

// Generates, shuffles (seeded) and splits a dataset. testFraction of the points (rounded) go to the test split.
export function makeDataset(name, options = {}) {
  const def = Object.prototype.hasOwnProperty.call(DATASETS, name) ? DATASETS[name] : null;
  if (!def) throw new Error(`dataset: unknown name ${JSON.stringify(name)}; expected one of ${DATASET_NAMES.join(', ')}`);
  const o = { ...def.defaults, seed: 1, testFraction: 0.5, ...options };
  checkNumber('n', o.n, LIMITS.minPoints, LIMITS.maxPoints, true);
  checkNumber('noise', o.noise, 0, LIMITS.maxNoise, false);
  checkNumber('seed', o.seed, 0, 0xffffffff, true);
  checkNumber('testFraction', o.testFraction, 0, 0.9, false);
  if (name === 'spiral') checkNumber('arms', o.arms, 2, 3, true);
  const rand = mulberry32(o.seed), noise = () => o.noise * gaussian(rand), classes = def.classes(o);
  const points = Array.from({ length: o.n }, (_, i) => def.point(i, o.n, o, rand, noise));
  // Fisher-Yates with the same generator, so the split mixes all classes.
  for (let i = points.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [points[i], points[j]] = [points[j], points[i]];
  }
  const nTest = Math.round(points.length * o.testFraction);
  const nTrain = points.length - nTest;
  const d = def.inputSize;
  // x: (N, inputSize); y: (N) class indices, or targets for regression.
  const pack = (pts) => ({ x: Float32Array.from(pts.flatMap((p) => p.slice(0, d))),
    y: (classes ? Int32Array : Float32Array).from(pts, (p) => p[d]) });
  const train = pack(points.slice(0, nTrain));
  const test = pack(points.slice(nTrain));
  return {
    name, task: def.task, inputSize: d, classes, options: o,
    x: train.x, y: train.y, testX: test.x, testY: test.y, nTrain, nTest,
    domain: def.task === 'regression' ? [-1, 1] : [-1.25, 1.25],
  };
}

// The label array a loss expects, from class indices: cross_entropy keeps indices; mse gets one-hot rows
// (N, classes); binary_cross_entropy gets one 0/1 target per sample (2-class data only). Regression targets pass
// through (they are already Float32Array).
export function toTargets(y, classes, loss) {
  if (classes === 0 || loss === 'cross_entropy') return y;
  if (loss === 'binary_cross_entropy') {
    if (classes !== 2) throw new Error(`loss binary_cross_entropy needs 2 classes, this dataset has ${classes}`);
    return Float32Array.from(y);
  }
  if (loss === 'mse') {
    const t = new Float32Array(y.length * classes); // (N, classes)
    for (let i = 0; i < y.length; i++) t[i * classes + y[i]] = 1;
    return t;
  }
  throw new Error(`unknown loss ${JSON.stringify(loss)}`);
}

// Output units the last layer needs for a dataset and loss.
export function outputUnits(classes, loss) {
  return classes && loss !== 'binary_cross_entropy' ? classes : 1; // one for regression or a sigmoid
}
