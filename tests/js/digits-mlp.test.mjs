// The Digits demo's MLP on real MNIST (8,000 training digits, 2,000 held out): a short seeded run through the
// same code that makes the shipped pretrained weights (tools/pretrain.mjs) reaches >= 92% held-out, and the
// saved file loads back (Model.load) into a model that predicts exactly the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../wasm/tinytrain.js';
import { loadMnistNode } from '../../tools/mnist-data.mjs';
import { pretrain } from '../../tools/pretrain.mjs';
import { MLP_SPEC } from '../../demos/digits/models.js';

const train = loadMnistNode('train');
const test_ = loadMnistNode('test');

test('the MLP trained 3 epochs on real MNIST reaches >= 92% held-out, and its file reloads identically', async () => {
  const r = await pretrain('mlp', { epochs: 3, train, test: test_ });
  const accs = r.history.map((h) => (h.testAccuracy * 100).toFixed(2)).join(', ');
  assert.ok(r.accuracy >= 0.92, `held-out accuracy after 3 epochs is ${(r.accuracy * 100).toFixed(2)}% (< 92%); per epoch: ${accs}`);

  const m = await Model.load(r.bytes);
  try {
    assert.deepEqual(m.spec.layers, MLP_SPEC.layers, 'the file carries the MLP spec');
    const ev = m.evaluate(test_.x, test_.y);
    assert.ok(Math.abs(ev.accuracy - r.accuracy) < 1e-6,
      `reloaded model scores ${(ev.accuracy * 100).toFixed(2)}%, the trained one ${(r.accuracy * 100).toFixed(2)}%`);
    // The page predicts one drawn digit at a time: probabilities sum to 1 and the argmax is a digit.
    const p = m.probabilities(test_.x.subarray(0, 784));
    const sum = p.reduce((s, v) => s + v, 0);
    assert.equal(p.length, 10);
    assert.ok(Math.abs(sum - 1) < 1e-5, `probabilities sum to ${sum}`);
  } finally {
    m.dispose();
  }
});

test('pretraining is seeded: two runs of one epoch give bit-identical weight files', async () => {
  const small = { x: train.x.subarray(0, 2000 * 784), y: train.y.subarray(0, 2000), n: 2000 };
  const a = await pretrain('mlp', { epochs: 1, train: small, test: test_ });
  const b = await pretrain('mlp', { epochs: 1, train: small, test: test_ });
  assert.equal(a.bytes.length, b.bytes.length, 'file sizes differ');
  const at = a.bytes.findIndex((v, i) => v !== b.bytes[i]);
  assert.equal(at, -1, `the two files first differ at byte ${at}`);
});
