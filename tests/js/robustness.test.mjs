// Robustness of the Model API on the wasm build (issue 7): models too large for memory are refused up front with
// the size they need, a configurable memory cap, no wasm memory growth during training, 1,000 create/fit/dispose
// cycles flat, and bad input everywhere (spec, data, arguments, weight files) rejected with the exact message
// while the model keeps its previous state. Divergence keeps the last good weights and training can go on.
// (The CSV reader is not part of the JS API: tests/c/test_csv.c, tests/cli/cli.sh and tests/fuzz cover it.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { makeDataset } from '../../web/datasets.js';
import { layerTable } from './layer-table.mjs';

const SPEC = {
  input: [2], layers: [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 3 }],
  loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.01 }, seed: 1,
};
const DATA = makeDataset('gaussians', { n: 120, seed: 2, testFraction: 0 });
const MiB = 1024 * 1024;
const wasmBytes = () => Model.memoryBytes();
const firstDiff = (a, b) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (!Object.is(a[i], b[i])) return `[${i}]: ${a[i]} vs ${b[i]}`;
  return null;
};
// Asserts two Float32Arrays are bit-identical, naming the first index that differs.
function assertSame(a, b, what) {
  const d = firstDiff(a, b);
  assert.equal(d, null, `${what} differ at ${d}`);
}

test.before(async () => { await loadTinytrain(); });

// ---- memory ----------------------------------------------------------------------------------------------------

test('a dense 100000x100000 spec is refused up front with the size it needs, without growing wasm memory', async () => {
  const before = wasmBytes();
  await assert.rejects(Model.create({ input: [100000], layers: [{ type: 'dense', units: 100000 }], loss: 'mse' }), {
    message: 'layers[0] (dense): 100000 units on an input of [100000] need 10000000000 weights (37.3 GiB); ' +
      'at most 2147483647 per layer are supported',
  });
  // Under the per-layer cap but beyond what wasm32 can address: the arena size is given.
  await assert.rejects(Model.create({ input: [30000], layers: [{ type: 'dense', units: 30000 }], loss: 'mse' }), {
    message: 'out of memory: the model needs 23.5 GiB (900030000 parameters with their gradients, optimizer state ' +
      'and checkpoint), more than can be addressed',
  });
  // Addressable but larger than wasm memory can grow to: malloc fails, and it says how much it wanted.
  await assert.rejects(Model.create({ input: [10000], layers: [{ type: 'dense', units: 10000 }], loss: 'mse' }), {
    message: 'out of memory: could not allocate 2670.6 MiB',
  });
  assert.equal(wasmBytes(), before, `wasm memory grew from ${before} to ${wasmBytes()} bytes for refused models`);
  const m = await Model.create(SPEC); // and the module is still fine
  assert.equal(m.predict(DATA.x.subarray(0, 2)).length, 3);
  m.dispose();
});

test('setMemoryLimit: models, data sets and batches over the cap are refused with the size needed; state is kept', async () => {
  const m = await Model.create({ ...SPEC, layers: [{ type: 'dense', units: 256 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
  const twin = await Model.create({ ...SPEC, layers: [{ type: 'dense', units: 256 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
  m.setData(DATA.x, DATA.y);
  twin.setData(DATA.x, DATA.y);
  Model.setMemoryLimit(2 * MiB);
  try {
    // 512*1024 + 1024 parameters, 7 floats each (params, grads, 2 optimizer moments, 3 checkpoint floats)
    await assert.rejects(Model.create({ input: [512], layers: [{ type: 'dense', units: 1024 }], loss: 'mse' }),
      { message: /^out of memory: needs 14\.0 MiB more, the limit is 2\.0 MiB \(\d+(\.\d)? (bytes|KiB|MiB) in use\)$/ });
    // 200,000 samples of 2 floats + 1 label + 1 shuffle index = 16 bytes each
    const bigX = new Float32Array(2 * 200000), bigY = new Int32Array(200000);
    assert.throws(() => m.setData(bigX, bigY), { message: /^out of memory: needs 3\.1 MiB more, the limit is 2\.0 MiB \(\d+(\.\d)? (bytes|KiB|MiB) in use\)$/ });
    // A batch as large as the data set needs its activations reserved first: refused before the step. Per sample:
    // 2 inputs, 1 label, 256 + 3 outputs and as many gradients (the relu runs inside the dense layer, in place).
    const x = new Float32Array(2 * 20000), y = new Int32Array(20000);
    m.setData(x, y);
    assert.throws(() => m.trainSteps(1, 20000), {
      message: /^out of memory: batches of up to 20000 samples need 39\.7 MiB of activations; needs 39\.7 MiB more, the limit is 2\.0 MiB \(\d+(\.\d)? (bytes|KiB|MiB) in use\)$/,
    });
    assert.throws(() => Model.setMemoryLimit(-1), { name: 'RangeError', message: 'setMemoryLimit: expected an integer from 0 to 4294967295, got -1' });
    m.setData(DATA.x, DATA.y);
    assertSame(m.trainSteps(5, 16).loss, twin.trainSteps(5, 16).loss, 'the loss after refused calls');
  } finally {
    Model.setMemoryLimit(0);
  }
  assertSame(m.getWeights(), twin.getWeights(), 'weights after the refused calls');
  m.setData(new Float32Array(2 * 20000), new Int32Array(20000));
  assert.ok(Number.isFinite(m.trainSteps(1, 20000).loss), 'the big batch trains once the limit is lifted');
  m.dispose();
  twin.dispose();
});

test('small memory limits are stated in bytes or KiB, never as 0.0 MiB', async () => {
  const size = '(\\d+ bytes|\\d+\\.\\d KiB|\\d+\\.\\d MiB)';
  try {
    Model.setMemoryLimit(1000);
    await assert.rejects(Model.create(SPEC), (e) => {
      assert.match(e.message, new RegExp(`^out of memory: needs ${size} more, the limit is 1000 bytes \\(${size} in use\\)$`));
      return true;
    });
    Model.setMemoryLimit(10 * 1024);
    await assert.rejects(Model.create({ ...SPEC, layers: [{ type: 'dense', units: 1000 }] }), (e) => {
      assert.match(e.message, new RegExp(`^out of memory: needs ${size} more, the limit is 10\\.0 KiB \\(${size} in use\\)$`));
      assert.doesNotMatch(e.message, /0\.0 MiB/);
      return true;
    });
  } finally {
    Model.setMemoryLimit(0);
  }
});

test('no wasm memory growth during training after the first step (CNN on 28x28 and an MLP with a 100x100 grid)', async () => {
  const n = 512;
  const x = new Float32Array(n * 784), y = new Int32Array(n);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) % 1000) / 1000;
  for (let i = 0; i < n; i++) y[i] = i % 10;
  const cnn = await Model.create({
    input: [1, 28, 28], loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.001 }, seed: 3,
    layers: [{ type: 'conv2d', filters: 8, kernel: 3, padding: 'same' }, { type: 'relu' }, { type: 'maxpool2d', size: 2 },
      { type: 'flatten' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 10 }],
  });
  const mlp = await Model.create(SPEC);
  const grid = new Float32Array(2 * 100 * 100).map((_, i) => (i % 200) / 100 - 1);
  cnn.setData(x, y);
  mlp.setData(DATA.x, DATA.y);
  const start = wasmBytes();
  // One round as the worker runs it: train, evaluate, predict, change a knob. The first round grows memory for the
  // activations and for the transient copies of the evaluate/predict inputs; later rounds must reuse them.
  const round = (i) => {
    cnn.trainSteps(3, 64);
    cnn.evaluate(x, y);           // all 512 samples, in chunks of the reserved batch
    cnn.predict(x.subarray(0, 784 * 100));
    mlp.trainSteps(10, 32);
    mlp.probabilities(grid);      // the decision-boundary heatmap: 10,000 points in one call
    mlp.setHparam('lr', 0.01 / (i + 1));
  };
  round(0);
  const afterFirst = wasmBytes();
  console.log(`wasm memory: ${start / MiB} MiB at the start, ${afterFirst / MiB} MiB after the first round`);
  assert.ok(afterFirst > 4 * MiB, 'the CNN should need more than the initial 4 MiB (else this test proves nothing)');
  for (let i = 1; i <= 30; i++) {
    round(i);
    assert.equal(wasmBytes(), afterFirst, `wasm memory grew at round ${i}: ${afterFirst} -> ${wasmBytes()} bytes`);
  }
  cnn.dispose();
  mlp.dispose();
});

test('1,000 create/fit/predict/save/load/dispose cycles leave wasm memory flat after warm-up', async () => {
  const spec = { ...SPEC, layers: [{ type: 'dense', units: 64 }, { type: 'relu' }, { type: 'dense', units: 64 }, { type: 'relu' }, { type: 'dense', units: 3 }] };
  const cycle = async () => {
    const m = await Model.create(spec);
    m.fit(DATA.x, DATA.y, { epochs: 1, batchSize: 32 });
    m.predict(DATA.x);
    m.loadWeights(m.save());
    m.dispose();
  };
  // Earlier tests left free heap behind, which would hide a small leak: fill it with ballast first, so that a leak
  // of a few KiB per cycle has to grow memory within 1,000 cycles.
  const wasm = await loadTinytrain();
  const ballast = [];
  for (const start = wasmBytes(); wasmBytes() === start;) ballast.push(wasm.tt_alloc(64 * 1024));
  for (let i = 0; i < 20; i++) await cycle();
  const warm = wasmBytes();
  const t0 = Date.now();
  for (let i = 0; i < 1000; i++) {
    await cycle();
    if (wasmBytes() !== warm) assert.fail(`wasm memory grew at cycle ${i}: ${warm} -> ${wasmBytes()} bytes`);
  }
  console.log(`1,000 cycles in ${Date.now() - t0} ms, wasm memory ${warm / MiB} MiB throughout`);
  // The measurement can fail: models that are never disposed do grow memory.
  const leaked = [];
  for (let i = 0; i < 100 && wasmBytes() === warm; i++) leaked.push(await Model.create(spec));
  assert.ok(wasmBytes() > warm, `100 undisposed models did not grow memory: the check above would not see a leak`);
  for (const m of leaked) m.dispose();
  for (const p of ballast) wasm.tt_free(p);
});

// ---- bad input ---------------------------------------------------------------------------------------------------

const SPEC_ERRORS = [
  ['wrong type: input', { ...SPEC, input: '2' }, 'input: expected an array of 1 to 3 positive integers, got "2"'],
  ['wrong type: units', { ...SPEC, layers: [{ type: 'dense', units: '4' }] }, 'layers[0].units: expected a positive integer, got "4"'],
  ['wrong type: lr', { ...SPEC, optimizer: { type: 'adam', lr: 'fast' } }, 'optimizer.lr: expected a positive number, got "fast"'],
  ['wrong type: spec', [SPEC], 'spec: expected an object such as {"input": [2], "layers": [...], "loss": "cross_entropy"}, got an array'],
  ['out of range: units', { ...SPEC, layers: [{ type: 'dense', units: 1e9 }] }, 'layers[0].units: expected a positive integer at most 1048576, got 1000000000'],
  ['out of range: dropout', { ...SPEC, layers: [{ type: 'dropout', rate: 1 }, { type: 'dense', units: 3 }] }, 'layers[0].rate: expected a number in [0, 1), got 1'],
  ['out of range: seed', { ...SPEC, seed: -1 }, 'seed: expected an integer from 0 to 4294967295, got -1'],
  ['out of range: input', { ...SPEC, input: [0] }, 'input: expected an array of 1 to 3 positive integers, got [0]'],
  ['unknown field: top', { ...SPEC, epochs: 3 }, 'spec.epochs: unknown field (allowed: input, layers, loss, optimizer, seed, augment)'],
  ['unknown field: layer', { ...SPEC, layers: [{ type: 'dense', units: 3, activation: 'relu' }] }, 'layers[0].activation: unknown field for dense (allowed: type, units, bias)'],
  ['unknown field: optimizer', { ...SPEC, optimizer: { type: 'sgd', beta1: 0.9 } }, 'optimizer.beta1: unknown field for sgd (allowed: type, lr, momentum, nesterov, weight_decay, clip_norm, schedule)'],
  ['unknown layer type', { ...SPEC, layers: [{ type: 'lstm', units: 3 }] }, `layers[0].type: unknown layer type "lstm" (allowed: ${layerTable().map((row) => row.name).join(', ')})`],
  ['unknown loss', { ...SPEC, loss: 'hinge' }, 'loss: unknown loss "hinge" (allowed: mse, cross_entropy, binary_cross_entropy)'],
  ['shape: conv2d on a flat input', { ...SPEC, layers: [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'flatten' }, { type: 'dense', units: 2 }] }, 'layers[0] (conv2d): expects an input of shape [channels, height, width], got [2]'],
  ['shape: dense on an image', { ...SPEC, input: [1, 4, 4], layers: [{ type: 'dense', units: 2 }] }, 'layers[0] (dense): expects a flat input, got [1, 4, 4]: add {"type": "flatten"} before it'],
  ['shape: kernel larger than the input', { ...SPEC, input: [1, 4, 4], layers: [{ type: 'conv2d', filters: 2, kernel: 5 }, { type: 'flatten' }, { type: 'dense', units: 2 }] }, 'layers[0] (conv2d): kernel 5 is larger than the padded input 4x4'],
  ['layer order: a dense layer feeding an embedding', { ...SPEC, layers: [{ type: 'dense', units: 4 }, { type: 'embedding', vocab: 10, dim: 3 }, { type: 'flatten' }, { type: 'dense', units: 3 }] }, 'layers[1].type: embedding must be the first layer (it reads token ids)'],
  ['layer order: softmax last with cross_entropy', { ...SPEC, layers: [...SPEC.layers, { type: 'softmax' }] }, 'layers[3].type: cross_entropy takes logits: a softmax last would be applied twice'],
  ['layer order: sigmoid last with binary_cross_entropy', { ...SPEC, layers: [{ type: 'dense', units: 1 }, { type: 'sigmoid' }], loss: 'binary_cross_entropy' }, 'layers[1].type: binary_cross_entropy takes logits: a sigmoid last would be applied twice'],
  ['schedule: a cosine warmup longer than total_steps', { ...SPEC, optimizer: { type: 'adam', schedule: { type: 'cosine', total_steps: 100, warmup: 500 } } }, 'optimizer.schedule.warmup: expected at most total_steps (100), got 500'],
  ['shape: one class for cross_entropy', { ...SPEC, layers: [{ type: 'dense', units: 1 }] }, 'loss: cross_entropy needs at least 2 classes in the last layer\'s output, got [1] (use binary_cross_entropy for one output)'],
  ['JSON: truncated', '{"input": [2], ', 'spec: invalid JSON at byte 15: expected a string key'],
  ['JSON: NaN', '{"input": [NaN]}', 'spec: invalid JSON at byte 11: expected a value'],
  ['JSON: nesting', '['.repeat(100000), 'spec: invalid JSON at byte 64: nesting deeper than 64 levels'],
];

test('bad specs: each rejected with the exact message; existing models and memory are untouched', async () => {
  const m = await Model.create(SPEC);
  m.setData(DATA.x, DATA.y);
  m.trainSteps(3, 16);
  const w = m.getWeights(), p = m.predict(DATA.x), mem = wasmBytes();
  for (const [what, spec, message] of SPEC_ERRORS) {
    await assert.rejects(Model.create(spec), (e) => {
      assert.equal(e.message, message, what);
      return true;
    });
  }
  assertSame(m.getWeights(), w, 'weights of a live model after failed creates');
  assertSame(m.predict(DATA.x), p, 'predictions of a live model after failed creates');
  assert.equal(wasmBytes(), mem, 'failed creates grew memory');
  m.dispose();
});

test('bad data and arguments: exact messages, and the model trains on exactly as if they never happened', async () => {
  const m = await Model.create(SPEC), twin = await Model.create(SPEC);
  for (const x of [m, twin]) { x.setData(DATA.x, DATA.y); x.trainSteps(4, 16); }
  const bad = [
    [() => m.setData(new Float32Array(3), new Int32Array(1)), 'x: expected a whole number of samples of 2 values, got 3 values'],
    [() => m.setData(new Float32Array(4), new Int32Array(1)), 'y: expected 2 labels for 2 samples, got 1'],
    [() => m.setData(new Float32Array([0, Infinity]), new Int32Array(1)), 'x[1] is infinite: data must be finite numbers'],
    [() => m.setData(new Float32Array([0, 1, 2, NaN]), new Int32Array(2)), 'x[3] is NaN: data must be finite numbers'],
    [() => m.setData(new Float32Array([0, 1]), new Float32Array([NaN])), 'y[0] is NaN: data must be finite numbers'],
    [() => m.setData(new Float32Array([0, 1]), new Int32Array([3])), 'y[0] = 3: class labels must be whole numbers in [0, 3)'],
    [() => m.setData(new Float32Array([0, 1]), new Float32Array([0.5])), 'y[0] = 0.5: class labels must be whole numbers in [0, 3)'],
    [() => m.setData(new Float32Array([0, 1, 2, 3]), new Int32Array([0, -1])), 'y[1] = -1: class labels must be whole numbers in [0, 3)'],
    [() => m.setData('abcd', new Int32Array(2)), 'x: expected a Float32Array (or Int32Array of class labels), got the string "abcd"'],
    [() => m.predict(new DataView(new ArrayBuffer(8))), 'x: expected a Float32Array (or Int32Array of class labels), got a DataView'],
    [() => m.setData(new Float32Array(2), new BigInt64Array(1)), 'y: expected a Float32Array (or Int32Array of class labels), got a BigInt64Array'],
    [() => m.predict(new Float32Array([NaN, 0])), 'x[0] is NaN: data must be finite numbers'],
    [() => m.evaluate(new Float32Array([0, 1]), new Int32Array([7])), 'y[0] = 7: class labels must be whole numbers in [0, 3)'],
    [() => m.trainBatch(new Float32Array([0, 1]), new Int32Array([9])), 'y[0] = 9: class labels must be whole numbers in [0, 3)'],
    [() => m.trainSteps(1, 0), 'trainSteps: batchSize: expected an integer from 1 to 2147483647, got 0'],
    [() => m.trainSteps(1, 2 ** 32 + 1), 'trainSteps: batchSize: expected an integer from 1 to 2147483647, got 4294967297'],
    [() => m.trainSteps(1.5, 8), 'trainSteps: steps: expected an integer from 0 to 2147483647, got 1.5'],
    [() => m.trainSteps('10', 8), 'trainSteps: steps: expected an integer from 0 to 2147483647, got "10"'],
    [() => m.fit(DATA.x, DATA.y, { epochs: 2, batchSize: -3 }), 'fit: batchSize: expected an integer from 1 to 2147483647, got -3'],
    [() => m.setHparam('lr', -1), 'lr: -1 is out of range'],
    [() => m.setHparam('lr', NaN), 'lr: nan is out of range'],
    [() => m.setHparam('momentum', 0.9), 'momentum: only sgd has momentum (this model uses adam)'],
    [() => m.setHparam('learning_rate', 0.1), 'unknown hyper-parameter "learning_rate" (allowed: lr, momentum, weight_decay, beta1, beta2, eps, clip_norm, shuffle)'],
    // exact names (C reads up to a NUL), numbers only, and shuffle is 1 or 0
    [() => m.setHparam('lr\u0000x', 0.1), 'unknown hyper-parameter "lr\\u0000x" (allowed: lr, momentum, weight_decay, beta1, beta2, eps, clip_norm, shuffle)'],
    [() => m.setHparam('lr', '0.5'), 'setHparam: lr: expected a number, got the string "0.5"'],
    [() => m.setHparam('lr', 1n), 'setHparam: lr: expected a number, got bigint 1'],
    [() => m.setHparam(Symbol.for('lr'), 0.1), 'setHparam: expected a name, got symbol Symbol(lr)'],
    [() => m.setHparam('shuffle', NaN), 'shuffle: nan is out of range'],
    [() => m.setHparam('shuffle', 0.5), 'shuffle: 0.5 is out of range'],
    [() => m.reset(-5), 'reset: seed: expected an integer from 0 to 4294967295, got -5'],
  ];
  for (const [call, message] of bad) {
    assert.throws(call, (e) => { assert.equal(e.message, message); return true; });
  }
  // Same data, weights, optimizer state, step count and shuffling as the twin that saw none of it.
  assert.equal(m.step, twin.step);
  for (let i = 0; i < 5; i++) assertSame([m.trainSteps(7, 16).loss], [twin.trainSteps(7, 16).loss], `loss of chunk ${i}`);
  assertSame(m.getWeights(), twin.getWeights(), 'weights');
  m.dispose();
  twin.dispose();
});

test('bad weights: files and arrays are rejected with the exact message and the weights stay as they were', async () => {
  const m = await Model.create(SPEC);
  m.setData(DATA.x, DATA.y);
  m.trainSteps(5, 16);
  const w = m.getWeights();
  const other = await Model.create({ ...SPEC, layers: [{ type: 'dense', units: 5 }, { type: 'tanh' }, { type: 'dense', units: 3 }] });
  const good = m.save();
  const truncated = good.slice(0, good.length - 4);
  const cases = [
    [() => m.loadWeights(new Uint8Array([1, 2, 3])), 'safetensors: the file is 3 bytes, shorter than its 8-byte header length'],
    [() => m.loadWeights(other.save()), /^0\.weight: shape \[5, 2\] does not match/],
    [() => m.loadWeights(truncated), /^2\.bias: data_offsets \[\d+, \d+\] go past the end of the data/],
    [() => m.loadWeights('weights.safetensors'), 'loadWeights: expected the bytes of a .safetensors file (Uint8Array or ArrayBuffer), got the string "weights.safetensors"'],
    [() => m.loadWeights(null), 'loadWeights: expected the bytes of a .safetensors file (Uint8Array or ArrayBuffer), got null'],
    [() => m.setWeights(new Float32Array(3)), `setWeights: expected a Float32Array of ${m.paramCount} values, got 3 values`],
    [() => m.setWeights(new Float64Array(m.paramCount)), `setWeights: expected a Float32Array of ${m.paramCount} values, got a Float64Array`],
    [() => m.setWeights(Array.from(w)), `setWeights: expected a Float32Array of ${m.paramCount} values, got an Array`],
    [() => m.setWeights(new Float32Array(m.paramCount).fill(0.5).fill(NaN, 7, 8)), 'setWeights: weights[7] is NaN: weights must be finite'],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (e) => {
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    });
    assertSame(m.getWeights(), w, `weights after "${message}"`);
  }
  await assert.rejects(Model.load(undefined), { name: 'TypeError', message: 'Model.load: expected the bytes of a .safetensors file (Uint8Array or ArrayBuffer), got undefined' });
  // A file bit-flipped anywhere never traps and never half-loads.
  for (let i = 0; i < good.length; i += 7) {
    const bytes = good.slice();
    bytes[i] ^= 0x5a;
    try { m.loadWeights(bytes); } catch { /* rejected: fine */ }
    const now = m.getWeights();
    assert.ok(firstDiff(now, w) === null || now.every(Number.isFinite), `flip at byte ${i} loaded non-finite weights`);
    m.setWeights(w);
  }
  m.dispose();
  other.dispose();
});

test('new Model(anything) is refused: only create() and load() make models, so no number passes for one', async () => {
  const m = await Model.create(SPEC);
  const p = m.predict(DATA.x), mem = wasmBytes();
  for (const arg of [16, 65536, 0, undefined, '16', {}, m]) {
    assert.throws(() => new Model(arg), { name: 'TypeError', message: 'new Model(): use await Model.create(spec) or await Model.load(bytes)' });
  }
  assert.throws(() => new Model(Symbol('Model'), 16), { name: 'TypeError' }, 'a look-alike token is not the module\'s');
  assert.throws(() => Model.prototype.dispose.call({}), TypeError, 'dispose on a non-Model');
  assertSame(m.predict(DATA.x), p, 'a live model after the refused constructions');
  assert.equal(wasmBytes(), mem);
  const again = await Model.load(m.save()); // the real ways still work
  assertSame(again.predict(DATA.x), p, 'a loaded copy');
  again.dispose();
  m.dispose();
});

test('weight file metadata: format must be exactly "tinytrain" (an escaped NUL after it does not pass)', async () => {
  const m = await Model.create(SPEC);
  const good = m.save();
  // Rewrites the header's format value; the header stays 8-byte aligned (padded with spaces, as the format allows).
  const withFormat = (format) => {
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(good.subarray(8, 8 + n)).trimEnd()
      .replace('"format":"tinytrain"', `"format":${JSON.stringify(format)}`);
    const header = new TextEncoder().encode(text.padEnd(Math.ceil(text.length / 8) * 8, ' '));
    const out = new Uint8Array(8 + header.length + good.length - 8 - n);
    new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
    out.set(header, 8);
    out.set(good.subarray(8 + n), 8 + header.length);
    return out;
  };
  const loaded = await Model.load(withFormat('tinytrain')); // the rewriting itself keeps a file valid
  assertSame(loaded.getWeights(), m.getWeights(), 'weights of the rewritten file');
  loaded.dispose();
  const noSpec = 'this file has no tinytrain spec in its metadata: create the model with Model.create(spec) and call loadWeights';
  for (const format of ['tinytrain\u0000x', 'tinytrain\u0000', 'tinytrainx', 'tinytrai', '']) {
    await assert.rejects(Model.load(withFormat(format)), { message: noSpec }, JSON.stringify(format));
  }
  m.dispose();
});

// ---- divergence and determinism --------------------------------------------------------------------------------

test('lr 1e6 diverges with the message; weights and step roll back to before the bad update (the call\'s first), and training goes on', async () => {
  const spec = { ...SPEC, layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }], optimizer: { type: 'sgd', lr: 0.05 } };
  const m = await Model.create(spec);
  m.setData(DATA.x, DATA.y);
  m.trainSteps(20, 16);
  const w = m.getWeights(), step = m.step;
  m.setHparam('lr', 1e6);
  assert.throws(() => m.trainSteps(50, 16), (e) => {
    assert.match(e.message, /^diverged at step (\d+) \((loss|gradient norm) = (nan|inf|[-0-9.e+]+)\): try a lower learning rate$/);
    const at = Number(/step (\d+)/.exec(e.message)[1]);
    assert.ok(at > step && at <= step + 50, `diverged at step ${at}, outside the call (steps ${step + 1}..${step + 50})`);
    return true;
  });
  assertSame(m.getWeights(), w, 'weights after divergence');
  assert.equal(m.step, step, 'the step count was not rolled back');
  m.setHparam('lr', 0.05);
  const before = m.evaluate(DATA.x, DATA.y).loss;
  m.trainSteps(50, 16);
  const after = m.evaluate(DATA.x, DATA.y).loss;
  assert.ok(after < before, `training after divergence did not improve the loss (${before} -> ${after})`);
  m.dispose();
});

test('determinism: two runs of the same spec, seed and data give bit-identical loss curves (CNN with dropout too)', async () => {
  const run = async (spec, x, y, batch) => {
    const m = await Model.create(spec);
    m.setData(x, y);
    const curve = new Float32Array(30);
    for (let i = 0; i < curve.length; i++) curve[i] = m.trainSteps(2, batch).loss;
    m.dispose();
    return curve;
  };
  const n = 64, x = new Float32Array(n * 64), y = new Int32Array(n);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37);
  for (let i = 0; i < n; i++) y[i] = i % 4;
  const cnn = { input: [1, 8, 8], loss: 'cross_entropy', seed: 9, augment: { shift: 1, rotate: 10 },
    layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'gelu' }, { type: 'flatten' }, { type: 'dropout', rate: 0.3 }, { type: 'dense', units: 4 }] };
  assertSame(await run(cnn, x, y, 16), await run(cnn, x, y, 16), 'CNN loss curves');
  assertSame(await run(SPEC, DATA.x, DATA.y, 8), await run(SPEC, DATA.x, DATA.y, 8), 'MLP loss curves');
});
