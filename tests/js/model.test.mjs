// The Model API end to end on the wasm build: convergence on the built-in datasets, save/load, errors, memory.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../wasm/tinytrain.js';
import { makeDataset } from '../../web/datasets.js';

const mlp = (inputs, hidden, act, outputs, loss, lr = 0.01, seed = 1) => ({
  input: [inputs],
  layers: [
    ...hidden.flatMap((units) => [{ type: 'dense', units }, { type: act }]),
    { type: 'dense', units: outputs },
  ],
  loss,
  optimizer: { type: 'adam', lr },
  seed,
});

test('3-arm spiral: 2-16-16-3 tanh MLP with Adam reaches >= 98% training accuracy', async () => {
  const d = makeDataset('spiral', { n: 300, arms: 3, noise: 0.02, seed: 3, testFraction: 0 });
  const m = await Model.create(mlp(2, [16, 16], 'tanh', 3, 'cross_entropy', 0.01));
  m.fit(d.x, d.y, { epochs: 600, batchSize: 32 });
  const { accuracy } = m.evaluate(d.x, d.y);
  console.log(`spiral training accuracy ${(accuracy * 100).toFixed(1)}%`);
  assert.ok(accuracy >= 0.98, `accuracy ${accuracy}`);
  m.dispose();
});

test('XOR reaches 100% accuracy', async () => {
  const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
  const y = new Int32Array([0, 1, 1, 0]);
  const m = await Model.create(mlp(2, [8], 'tanh', 2, 'cross_entropy', 0.05));
  m.fit(x, y, { epochs: 300, batchSize: 4 });
  assert.equal(m.evaluate(x, y).accuracy, 1);
  const p = m.probabilities(x);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(p[2 * i] + p[2 * i + 1] - 1) < 1e-6, 'softmax rows sum to 1');
  m.dispose();
});

test('sine regression reaches MSE < 1e-3', async () => {
  const n = 256;
  const x = new Float32Array(n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = -Math.PI + (2 * Math.PI * i) / (n - 1);
    y[i] = Math.sin(x[i]);
  }
  const m = await Model.create(mlp(1, [32, 32], 'tanh', 1, 'mse', 0.01));
  m.fit(x, y, { epochs: 800, batchSize: 32 });
  const { loss, accuracy } = m.evaluate(x, y);
  console.log(`sine mse ${loss.toExponential(2)}`);
  assert.ok(loss < 1e-3, `mse ${loss}`);
  assert.ok(Number.isNaN(accuracy), 'accuracy is NaN for mse');
  m.dispose();
});

test('same spec, seed and data give bit-identical training', async () => {
  const d = makeDataset('moons', { n: 200, seed: 5, testFraction: 0 });
  const run = async () => {
    const m = await Model.create(mlp(2, [16], 'relu', 2, 'cross_entropy', 0.01, 7));
    const losses = [];
    m.setData(d.x, d.y);
    for (let i = 0; i < 20; i++) losses.push(m.trainSteps(3, 16).loss);
    const w = m.getWeights();
    m.dispose();
    return { losses, w };
  };
  const a = await run(), b = await run();
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.w, b.w);
});

test('reset(seed) repeats the run from the start, shuffles included', async () => {
  const d = makeDataset('moons', { n: 100, seed: 5, testFraction: 0 });
  const m = await Model.create(mlp(2, [16], 'relu', 2, 'cross_entropy', 0.01, 7));
  m.setData(d.x, d.y);
  const first = [], second = [];
  for (let i = 0; i < 15; i++) first.push(m.trainSteps(3, 16).loss);
  m.reset(7);
  assert.equal(m.step, 0);
  for (let i = 0; i < 15; i++) second.push(m.trainSteps(3, 16).loss);
  assert.deepEqual(second, first);
  m.dispose();
});

test('save then load reproduces predictions exactly, and loadWeights restores a model', async () => {
  const d = makeDataset('circles', { n: 200, seed: 2, testFraction: 0 });
  const m = await Model.create(mlp(2, [8], 'relu', 2, 'cross_entropy'));
  m.fit(d.x, d.y, { epochs: 5, batchSize: 16 });
  const bytes = m.save();
  const loaded = await Model.load(bytes);
  assert.deepEqual(loaded.predict(d.x), m.predict(d.x));
  const fresh = await Model.create(mlp(2, [8], 'relu', 2, 'cross_entropy', 0.01, 99));
  fresh.loadWeights(bytes);
  assert.deepEqual(fresh.predict(d.x), m.predict(d.x));
  for (const x of [m, loaded, fresh]) x.dispose();
});

test('a bad spec throws an Error naming the field', async () => {
  const spec = mlp(2, [16], 'tanh', 3, 'cross_entropy');
  spec.layers[2].units = -3;
  await assert.rejects(Model.create(spec), { message: 'layers[2].units: expected a positive integer, got -3' });
  await assert.rejects(Model.create('{"input": [2], '), /spec: invalid JSON at byte \d+/);
});

test('bad data throws a readable Error and keeps the model usable', async () => {
  const m = await Model.create(mlp(2, [4], 'tanh', 3, 'cross_entropy'));
  assert.throws(() => m.setData(new Float32Array([0, 1, 2]), new Int32Array([0])), /x: expected a whole number/);
  assert.throws(() => m.setData(new Float32Array([0, NaN]), new Int32Array([0])), /x\[1\] is NaN/);
  assert.throws(() => m.setData(new Float32Array([0, 1]), new Int32Array([3])), /class labels must be whole numbers in \[0, 3\)/);
  assert.throws(() => m.trainSteps(1, 8), /no training data/);
  m.setData(new Float32Array([0, 1]), new Int32Array([2]));
  assert.ok(Number.isFinite(m.trainSteps(1, 8).loss));
  m.dispose();
  assert.throws(() => m.predict(new Float32Array(2)), /disposed/);
});

test('a diverging run stops with a message and keeps the last good weights', async () => {
  const d = makeDataset('spiral', { n: 200, seed: 1, testFraction: 0 });
  const spec = mlp(2, [16], 'relu', 2, 'cross_entropy');
  spec.optimizer = { type: 'sgd', lr: 1e6 }; // cross_entropy keeps the loss finite: the 1000x rule must catch it
  const m = await Model.create(spec);
  m.setData(d.x, d.y);
  let error;
  const weights = [m.getWeights()]; // before each step
  for (let i = 0; i < 100 && !error; i++) {
    try { m.trainSteps(1, 32); weights.push(m.getWeights()); } catch (e) { error = e; }
  }
  assert.match(error?.message ?? '', /^diverged at step \d+ \((loss|gradient norm) = [^)]+\): try a lower learning rate$/);
  // the diverging step's forward pass found the weights of the update before it bad: they are undone too
  assert.ok(weights.length >= 2);
  assert.deepEqual(m.getWeights(), weights.at(-2), 'the weights before the update that went wrong');
  assert.equal(m.step, weights.length - 2);
  assert.ok(m.predict(d.x.subarray(0, 2)).every(Number.isFinite));
  m.dispose();
});

test('wasm memory does not grow across repeated fit calls after the first', async () => {
  const d = makeDataset('xor', { n: 400, seed: 1, testFraction: 0 });
  const m = await Model.create(mlp(2, [32, 32], 'relu', 2, 'cross_entropy'));
  m.fit(d.x, d.y, { epochs: 1, batchSize: 32 });
  const after = Model.memoryBytes();
  for (let i = 0; i < 20; i++) {
    m.fit(d.x, d.y, { epochs: 2, batchSize: 32 });
    m.evaluate(d.x, d.y);
    m.predict(d.x);
  }
  assert.equal(Model.memoryBytes(), after);
  m.dispose();
});

test('FLOP counts: a 784-128-10 MLP costs 2*(784*128 + 128*10) multiply-adds forward', async () => {
  const m = await Model.create(mlp(784, [128], 'relu', 10, 'cross_entropy'));
  const dense = 2 * (784 * 128 + 128 * 10);
  assert.ok(m.flops.forward >= dense && m.flops.forward < dense * 1.01, `forward ${m.flops.forward}`);
  assert.ok(m.flops.train > 2.5 * m.flops.forward);
  assert.equal(m.paramCount, 784 * 128 + 128 + 128 * 10 + 10);
  m.dispose();
});
