// Issue 15 items 1 and 3 through the JS API in Node. After a divergence the weights (and optimizer state and step
// count) are those before the update that went wrong, however the steps were split into calls (fit with one-step
// epochs, trainBatch, trainSteps(1)), and training then goes on at a lower lr. Model.load of a small file whose
// spec asks for a huge model is refused before any of that memory is allocated.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Model } from '../../wasm/tinytrain.js';

// The example: a 2-16-3 tanh MLP on 64 points.
const MLP = {
  input: [2],
  layers: [{ type: 'dense', units: 16 }, { type: 'tanh' }, { type: 'dense', units: 3 }],
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 1e6 },
  seed: 1,
};
const N = 64;
const X = Float32Array.from({ length: 2 * N }, (_, i) => Math.sin(i * 1.7) * 0.9);
const Y = Int32Array.from({ length: N }, (_, i) => i % 3);

// The README's XOR example.
const XOR = {
  input: [2],
  layers: [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 2 }],
  loss: 'cross_entropy',
  optimizer: { type: 'adam', lr: 0.05 },
};
const XOR_X = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
const XOR_Y = new Int32Array([0, 1, 1, 0]);

const DIVERGED = /^diverged at step (\d+) \((loss|gradient norm) = [^)]+\): try a lower learning rate$/;
const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

test('the issue\'s example: fit at lr 1e6 diverges at step 2, predictions stay those of the initial weights, and lr 0.01 then trains', async () => {
  const m = await Model.create(MLP);
  const w0 = m.getWeights(), p0 = m.predict(X);
  assert.throws(() => m.fit(X, Y, { epochs: 5, batchSize: 64 }), (e) => {
    assert.match(e.message, DIVERGED);
    assert.equal(DIVERGED.exec(e.message)[1], '2');
    return true;
  });
  assert.deepEqual(m.getWeights(), w0, 'the weights before the update that went wrong');
  assert.deepEqual(m.predict(X), p0);
  assert.ok(maxAbs(m.predict(X)) < 10, `predictions ${maxAbs(m.predict(X))}`);
  assert.equal(m.step, 0);
  m.setHparam('lr', 0.01);
  const before = m.evaluate(X, Y).loss;
  for (let i = 0; i < 3; i++) m.fit(X, Y, { epochs: 20, batchSize: 64 }); // retrying no longer diverges
  const after = m.evaluate(X, Y).loss;
  assert.ok(after < before, `loss ${before} -> ${after}`);
  assert.equal(m.step, 60);
  m.dispose();
});

// One bad update (lr 1e6) after some good steps, then the step that finds it: through `train(m)`, one step per
// call. The weights after the divergence equal those before the bad update, and training at the README's lr works.
async function rollbackOneStepPerCall(train, prepare = () => {}) {
  const m = await Model.create(XOR);
  prepare(m);
  for (let i = 0; i < 5; i++) train(m);
  const good = m.getWeights(), goodPredictions = m.predict(XOR_X);
  m.setHparam('lr', 1e6);
  train(m); // the bad update: its own loss and gradient were sane
  assert.ok(maxAbs(m.getWeights()) > 1e5, `weights after the bad update: ${maxAbs(m.getWeights())}`);
  assert.throws(() => train(m), (e) => {
    assert.match(e.message, DIVERGED);
    assert.equal(DIVERGED.exec(e.message)[1], '7');
    return true;
  });
  assert.deepEqual(m.getWeights(), good);
  assert.deepEqual(m.predict(XOR_X), goodPredictions);
  assert.equal(m.step, 5);
  m.setHparam('lr', 0.05);
  for (let i = 0; i < 300; i++) train(m);
  assert.equal(m.evaluate(XOR_X, XOR_Y).accuracy, 1);
  m.dispose();
}

test('trainBatch: the XOR example rolls back past the bad update and then learns XOR', () =>
  rollbackOneStepPerCall((m) => m.trainBatch(XOR_X, XOR_Y)));

test('trainSteps(1): the same', () =>
  rollbackOneStepPerCall((m) => m.trainSteps(1, 4), (m) => m.setData(XOR_X, XOR_Y)));

test('fit with one-step epochs (the README\'s XOR example at a huge lr): back to the initial weights, then it learns', async () => {
  const m = await Model.create({ ...XOR, optimizer: { type: 'adam', lr: 1e6 } });
  const w0 = m.getWeights();
  assert.throws(() => m.fit(XOR_X, XOR_Y, { epochs: 300, batchSize: 4 }), (e) => {
    assert.match(e.message, DIVERGED);
    return true;
  });
  // adam moves every weight by about lr at its first update: that update is undone
  assert.deepEqual(m.getWeights(), w0);
  assert.equal(m.step, 0);
  m.setHparam('lr', 0.05);
  m.fit(XOR_X, XOR_Y, { epochs: 300, batchSize: 4 });
  assert.equal(m.evaluate(XOR_X, XOR_Y).accuracy, 1);
  m.dispose();
});

test('setWeights: a divergence right after keeps the weights set, not the ones before the last update', async () => {
  const m = await Model.create({ ...MLP, optimizer: { type: 'sgd', lr: 0.1 } });
  m.setData(X, Y);
  m.trainSteps(3, 64);
  const big = m.getWeights().map((_, i) => (i % 2 ? 1e4 : -1e4));
  m.setWeights(big);
  assert.throws(() => m.trainSteps(1, 64), { message: DIVERGED });
  assert.deepEqual(m.getWeights(), big);
  assert.equal(m.step, 3);
  m.dispose();
});

// tests/data/safetensors/make_corpus.py: the 2-4-3 corpus model's tensors with "input": [16777216] in the spec
// (67M parameters: 1.9 GB with gradients, optimizer state and the second set).
const HUGE_SPEC_FILE = new URL('../data/safetensors/metadata_huge_input.safetensors', import.meta.url);

test('Model.load of a 616-byte file whose spec asks for 67M parameters fails with the shape and allocates nothing big', async () => {
  await Model.create(XOR).then((m) => m.dispose()); // the module is loaded
  const start = Model.memoryBytes();
  const bytes = fs.readFileSync(HUGE_SPEC_FILE);
  assert.ok(bytes.length < 1024);
  await assert.rejects(Model.load(bytes), { message: "0.weight: shape [4, 2] does not match the model's [4, 16777216]" });
  assert.ok(Model.memoryBytes() <= start + (1 << 20), `wasm memory grew from ${start} to ${Model.memoryBytes()} bytes`);
});

test('Model.load allocates the parameters only; the first training call adds the rest, and the loaded model trains', async () => {
  const spec = { ...XOR, layers: [{ type: 'dense', units: 1024 }, { type: 'tanh' }, { type: 'dense', units: 2 }] };
  const a = await Model.create(spec);
  a.fit(XOR_X, XOR_Y, { epochs: 3, batchSize: 4 });
  const file = a.save(), weights = a.getWeights();
  const params = a.paramCount * 4;
  a.dispose();
  // Under a limit that holds the parameters (and the load's scratch copy and the file) but not 7 floats each.
  Model.setMemoryLimit(4 * params);
  try {
    const b = await Model.load(file);
    assert.deepEqual(b.getWeights(), weights);
    assert.throws(() => b.trainBatch(XOR_X, XOR_Y), { message: /^out of memory/ });
    assert.deepEqual(b.getWeights(), weights);
    Model.setMemoryLimit(0);
    b.fit(XOR_X, XOR_Y, { epochs: 300, batchSize: 4 });
    assert.equal(b.evaluate(XOR_X, XOR_Y).accuracy, 1);
    b.dispose();
  } finally {
    Model.setMemoryLimit(0);
  }
});
