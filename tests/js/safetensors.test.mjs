// Weight files through the JS API on the wasm build: save() writes standard safetensors with PyTorch names,
// Model.load / loadWeights accept F32, F16 and BF16, and every file of the malformed corpus
// (tests/data/safetensors, see make_corpus.py) is rejected with the C core's message, leaving weights unchanged
// and wasm memory bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Model } from '../../wasm/tinytrain.js';

const CORPUS = new URL('../data/safetensors/', import.meta.url);
const read = (name) => new Uint8Array(fs.readFileSync(new URL(name, CORPUS)));
const cases = fs.readFileSync(new URL('cases.tsv', CORPUS), 'utf8').trim().split('\n')
  .map((line) => { const [file, mode, expected = ''] = line.split('\t'); return { file, mode, expected }; });
const specText = fs.readFileSync(new URL('model.json', CORPUS), 'utf8');

function header(bytes) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
}

test('save() writes PyTorch names, shapes, offsets and the spec in __metadata__', async () => {
  const spec = { input: [1, 6, 6], layers: [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'relu' },
    { type: 'flatten' }, { type: 'dense', units: 3 }], loss: 'cross_entropy', seed: 2 };
  const m = await Model.create(spec);
  const bytes = m.save();
  const { n, json } = header(bytes);
  assert.equal(n % 8, 0, 'data is 8-byte aligned');
  assert.equal(json.__metadata__.format, 'tinytrain');
  assert.deepEqual(JSON.parse(json.__metadata__.spec), spec);
  assert.deepEqual(Object.keys(json).filter((k) => k !== '__metadata__'), ['0.weight', '0.bias', '3.weight', '3.bias']);
  assert.deepEqual(json['0.weight'], { dtype: 'F32', shape: [2, 1, 3, 3], data_offsets: [0, 72] });
  assert.deepEqual(json['3.weight'].shape, [3, 32]);
  assert.equal(bytes.length, 8 + n + m.paramCount * 4);
  // the data region is getWeights() in order
  const data = new Float32Array(bytes.slice(8 + n).buffer);
  assert.deepEqual(data, m.getWeights());
  m.dispose();
});

test('Model.load of save() gives the same spec, weights and predictions', async () => {
  const m = await Model.create(specText);
  const x = new Float32Array([0.5, -1, 2, 0.25, -0.75, 0]);
  m.fit(x, new Int32Array([0, 1, 2]), { epochs: 3, batchSize: 3 });
  const copy = await Model.load(m.save());
  assert.deepEqual(copy.getWeights(), m.getWeights());
  assert.deepEqual(copy.predict(x), m.predict(x));
  assert.deepEqual(copy.spec, m.spec);
  m.dispose();
  copy.dispose();
});

test('the valid corpus files (F32, F16 with subnormals, BF16, unordered header) load exactly', async () => {
  for (const { file } of cases.filter((c) => c.mode === 'ok')) {
    const want = new Float32Array(read(file.replace('.safetensors', '.expected.f32')).buffer);
    const m = await Model.load(read(file));
    assert.deepEqual(m.getWeights(), want, `${file}: Model.load`);
    const w = await Model.create(specText);
    w.loadWeights(read(file));
    assert.deepEqual(w.getWeights(), want, `${file}: loadWeights`);
    m.dispose();
    w.dispose();
  }
});

test('every malformed corpus file is rejected with a message naming the tensor or offset', async () => {
  const m = await Model.create(specText);
  const before = m.getWeights();
  const bad = cases.filter((c) => c.mode !== 'ok');
  assert.ok(bad.length >= 30, `only ${bad.length} malformed cases`);
  const memory = Model.memoryBytes();
  for (const { file, mode, expected } of bad) {
    const bytes = read(file);
    await assert.rejects(Model.load(bytes), (e) => {
      assert.ok(e instanceof Error);
      assert.ok(e.message.includes(expected), `${file}: Model.load said "${e.message}", expected "${expected}"`);
      return true;
    });
    if (mode === 'both') {
      assert.throws(() => m.loadWeights(bytes), (e) => e.message.includes(expected),
        `${file}: loadWeights should fail with "${expected}"`);
      assert.deepEqual(m.getWeights(), before, `${file}: a failed load changed the weights`);
    }
  }
  assert.equal(Model.memoryBytes(), memory, 'wasm memory grew while rejecting files');
  m.dispose();
});

test('a file without tinytrain metadata points to Model.create + loadWeights', async () => {
  await assert.rejects(Model.load(read('no_metadata.safetensors')), {
    message: 'this file has no tinytrain spec in its metadata: create the model with Model.create(spec) and call ' +
      'loadWeights',
  });
  const m = await Model.create(specText);
  m.loadWeights(read('no_metadata.safetensors'));  // the weights alone are fine
  m.dispose();
});

test('loadWeights into another architecture explains the mismatch', async () => {
  const a = await Model.create(specText);
  const b = await Model.create({ input: [2], layers: [{ type: 'dense', units: 16 }, { type: 'tanh' },
    { type: 'dense', units: 3 }], loss: 'cross_entropy' });
  assert.throws(() => b.loadWeights(a.save()), { message: "0.weight: shape [4, 2] does not match the model's [16, 2]" });
  const c = await Model.create({ input: [2], layers: [{ type: 'dense', units: 4 }, { type: 'dense', units: 3 }],
    loss: 'cross_entropy' });
  assert.throws(() => c.loadWeights(a.save()), /2\.weight: unexpected tensor/);
  for (const x of [a, b, c]) x.dispose();
});

test('truncated and bit-flipped files never crash the wasm module', async () => {
  const m = await Model.create(specText);
  const bytes = m.save();
  for (let n = 0; n < bytes.length; n += 7) {
    await assert.rejects(Model.load(bytes.subarray(0, n)), Error, `prefix of ${n} bytes`);
  }
  const { n } = header(bytes);
  for (let i = 0; i < 8 + n; i += 3) {
    const copy = bytes.slice();
    copy[i] ^= 1 << (i % 8);
    try { m.loadWeights(copy); } catch (e) { assert.ok(e.message.length > 0); }
  }
  const ok = await Model.create(specText);  // the module still works
  ok.loadWeights(bytes);
  assert.deepEqual(ok.getWeights(), m.getWeights());
  m.dispose();
  ok.dispose();
});
