// int8 serving (Model.quantize, src/model/quantize.c) on the full build (wasm/tinytrain-int8.wasm, loaded first as a
// page would): the pretrained digits MLP and CNN keep their held-out MNIST accuracy within half a point,
// predictions stay close, the quantized model refuses training with one message while the original trains on, and
// a quantized model's weights are not saved (the original's file is); weightBytes counts its int8 weights, scales
// and biases. The default build's refusal is in quantize-default-build.test.mjs (one module per process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { INT8_WASM_URL } from '../../wasm/int8.js';
import { parseMnist } from '../../web/mnist.js';

const generated = new URL('../../demos/data/generated/', import.meta.url);
const mnist = parseMnist(fs.readFileSync(new URL('mnist-test.bin', generated)));
const pretrained = (name) => Model.load(fs.readFileSync(new URL(`digits-${name}.safetensors`, generated)));
const REFUSED = 'this model is quantized to int8 for inference; train the original';

test.before(async () => {
  const wasm = await loadTinytrain({ url: INT8_WASM_URL });
  assert.equal(typeof wasm.tt_model_quantize, 'function', 'the full build exports tt_model_quantize');
});

for (const name of ['mlp', 'cnn']) {
  test(`the pretrained digits ${name.toUpperCase()} quantized to int8 keeps its held-out accuracy within 0.5 points`, async () => {
    const m = await pretrained(name);
    const q = await m.quantize('int8');
    const f32 = m.evaluate(mnist.x, mnist.y).accuracy, int8 = q.evaluate(mnist.x, mnist.y).accuracy;
    console.log(`  digits ${name}: ${mnist.n} held-out digits, f32 ${(100 * f32).toFixed(2)}%, int8 ${(100 * int8).toFixed(2)}%`);
    assert.ok(f32 > 0.9, `the pretrained ${name} is trained (f32 accuracy ${f32})`);
    assert.ok(Math.abs(int8 - f32) <= 0.005, `int8 ${int8} vs f32 ${f32}`);
    // the same answers on almost every digit, and probabilities close to float's
    const n = 500, x = mnist.x.subarray(0, n * 784);
    const pf = m.probabilities(x), pq = q.probabilities(x);
    let same = 0, worst = 0;
    for (let i = 0; i < n; i++) {
      const row = (p) => Array.from(p.subarray(i * 10, i * 10 + 10));
      const argmax = (r) => r.indexOf(Math.max(...r));
      same += argmax(row(pf)) === argmax(row(pq));
      for (let j = 0; j < 10; j++) worst = Math.max(worst, Math.abs(pf[i * 10 + j] - pq[i * 10 + j]));
    }
    assert.ok(same >= 0.99 * n, `same class on ${same} of ${n}`);
    assert.ok(worst < 0.1, `largest probability difference ${worst}`);
    // the original is untouched by quantizing
    assert.equal(m.evaluate(mnist.x, mnist.y).accuracy, f32);
    q.dispose();
    m.dispose();
  });
}

test('a quantized model refuses every training call with one message; the original trains on', async () => {
  const m = await pretrained('mlp');
  const q = await m.quantize('int8');
  const x = mnist.x.subarray(0, 64 * 784), y = mnist.y.subarray(0, 64);
  const before = q.predict(x);
  const calls = {
    setData: () => q.setData(x, y), trainSteps: () => q.trainSteps(1, 8), trainBatch: () => q.trainBatch(x, y),
    fit: () => q.fit(x, y), reset: () => q.reset(), setHparam: () => q.setHparam('lr', 0.1),
    setWeights: () => q.setWeights(m.getWeights()), getWeights: () => q.getWeights(),
    loadWeights: () => q.loadWeights(m.save()),
  };
  for (const [call, run] of Object.entries(calls)) assert.throws(run, { message: REFUSED }, call);
  m.fit(x, y, { epochs: 2, batchSize: 16 });
  assert.deepEqual(q.predict(x), before, 'the quantized copy does not move when the original trains');
  assert.notDeepEqual(m.predict(x), before);
  await assert.rejects(q.quantize('int8'), { message: 'quantize: this model is quantized already' });
  await assert.rejects(m.quantize('int4'), { message: `quantize: expected 'int8', got the string "int4"` });
  q.dispose();
  m.dispose();
});

test('a quantized model is not saved; the original file loads and quantizes to the same predictions', async () => {
  const m = await pretrained('cnn');
  const q = await m.quantize('int8');
  assert.throws(() => q.save(), { message: /^save: this model is quantized to int8 for inference and is not saved; save the original model/ });
  const reloaded = await Model.load(m.save());
  const q2 = await reloaded.quantize('int8');
  const x = mnist.x.subarray(0, 20 * 784);
  assert.deepEqual(q2.predict(x), q.predict(x));
  for (const model of [q, q2, reloaded, m]) model.dispose();
});

test('a quantized GPT writes text and its next-token probabilities stay close', async () => {
  const spec = { input: [8], layers: [
    { type: 'embedding', vocab: 12, dim: 16 }, { type: 'position_embedding', length: 8 },
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'attention', heads: 2, causal: true }] },
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'dense', units: 32 }, { type: 'gelu' }, { type: 'dense', units: 16 }] },
    { type: 'layernorm' }, { type: 'dense', units: 12 }], loss: 'cross_entropy', optimizer: { type: 'adamw', lr: 0.01 } };
  const m = await Model.create(spec);
  m.setTokens(Uint16Array.from({ length: 400 }, (_, i) => (i * 7) % 12));
  m.trainSteps(30, 8);
  const q = await m.quantize('int8');
  const pf = m.nextTokenProbabilities([1, 8, 3]), pq = q.nextTokenProbabilities([1, 8, 3]);
  pf.forEach((p, i) => assert.ok(Math.abs(p - pq[i]) < 0.02, `token ${i}: ${p} vs ${pq[i]}`));
  const text = q.generate([1, 8], { maxTokens: 20, temperature: 0 });
  assert.equal(text.length, 20);
  assert.deepEqual(Array.from(text), Array.from(m.generate([1, 8], { maxTokens: 20, temperature: 0 })));
  q.dispose();
  m.dispose();
});

test('weightBytes counts the int8 rows (padded to blocks of 16), their scales and the float biases', async () => {
  const m = await pretrained('mlp'), q = await m.quantize('int8');
  // 784-128-10: 128 rows of 392 input pairs in 8 blocks of 16 rows, 32 bytes per pair and block; 10 rows of 64
  // pairs in one block (6 rows of zeros); a float scale and a float bias per row
  const int8 = 8 * 392 * 32 + 1 * 64 * 32, floats = (128 + 10) * 2;
  assert.equal(q.weightBytes, int8 + 4 * floats);
  assert.equal(m.paramCount, 784 * 128 + 128 + 128 * 10 + 10);
  assert.ok(4 * m.paramCount / q.weightBytes > 3.9, `${4 * m.paramCount} bytes as floats, ${q.weightBytes} as int8`);
  q.dispose();
  m.dispose();
});
