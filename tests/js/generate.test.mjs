// Generation through the Model API: a small GPT trained on a token stream writes text with a key/value cache,
// token for token what recomputing the whole window gives, across the window's end; sampling is seeded; the
// next-token probabilities and attention weights the text page shows.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../wasm/tinytrain.js';

const T = 8;
const VOCAB = 12;
const gpt = ({ causal = true, seed = 1 } = {}) => ({
  input: [T],
  layers: [
    { type: 'embedding', vocab: VOCAB, dim: 16 }, { type: 'position_embedding', length: T },
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'attention', heads: 2, causal }] },
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'dense', units: 32 }, { type: 'gelu' },
      { type: 'dense', units: 16 }] },
    { type: 'layernorm' }, { type: 'dense', units: VOCAB },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'adamw', lr: 0.01 },
  seed,
});

// "Words" of a seeded little language, separated by token 0: enough structure to learn in a few hundred steps.
function corpus(n, seed = 7) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const ids = [];
  while (ids.length < n) {
    const length = 2 + Math.floor(rand() * 5);
    let id = 1 + Math.floor(rand() * (VOCAB - 1));
    for (let i = 0; i < length; i++, id = 1 + ((id * 3 + Math.floor(rand() * 2)) % (VOCAB - 1))) ids.push(id);
    ids.push(0);
  }
  return Uint16Array.from(ids.slice(0, n));
}

let trained;
async function trainedModel() {
  if (!trained) {
    trained = await Model.create(gpt());
    trained.setTokens(corpus(20000));
    trained.trainSteps(300, 16);
  }
  return trained;
}

// Greedy decoding the slow way: the whole context through predict() at every step (padded to T positions;
// causal attention keeps the padding from the positions before it), with the same rule for a full window: keep
// its last T/2 tokens.
function greedyWithoutCache(m, prompt, count) {
  const vocab = m.outputSize / T;
  let context = Array.from(prompt).slice(-T);
  const out = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) context = context.length < T ? [...context, out[i - 1]] : [...context.slice(T - T / 2), out[i - 1]];
    const x = new Float32Array(T);
    context.forEach((id, t) => { x[t] = id; });
    const row = m.predict(x).subarray((context.length - 1) * vocab, context.length * vocab);
    let best = 0;
    for (let v = 1; v < vocab; v++) if (row[v] > row[best]) best = v;
    out.push(best);
  }
  return out;
}

test('greedy generation with the cache equals recomputing the window, across the window boundary', async () => {
  const m = await trainedModel();
  for (const prompt of [[0], [3, 4], Array.from(corpus(11, 3))]) {
    const fast = Array.from(m.generate(prompt, { maxTokens: 100, temperature: 0 }));
    assert.deepEqual(fast, greedyWithoutCache(m, prompt, 100), `prompt ${prompt}`);
    assert.ok(new Set(fast).size > 2, `a trained model writes more than one token: ${fast}`);
  }
});

test('the untrained model too: the cache is exact, not just close on an easy model', async () => {
  const m = await Model.create(gpt({ seed: 5 }));
  assert.deepEqual(Array.from(m.generate([1, 2, 3], { maxTokens: 40, temperature: 0 })),
    greedyWithoutCache(m, [1, 2, 3], 40));
  m.dispose();
});

test('sampling is seeded, streams one token at a time, and a later start ends an earlier one', async () => {
  const m = await trainedModel();
  const options = { maxTokens: 50, temperature: 0.8, topK: 4, seed: 3 };
  const a = m.generate([0], options);
  assert.deepEqual(m.generate([0], options), a);
  assert.notDeepEqual(m.generate([0], { ...options, seed: 4 }), a);
  const stream = m.startGeneration([0], options);
  const first = [stream.next().value, stream.next().value];
  assert.deepEqual(first, Array.from(a.subarray(0, 2)));
  m.startGeneration([0], options);
  assert.throws(() => stream.next(), /this generation was ended by a later startGeneration\(\)/);
  // topK 1 is greedy whatever the temperature
  assert.deepEqual(m.generate([5], { maxTokens: 30, temperature: 2, topK: 1 }),
    m.generate([5], { maxTokens: 30, temperature: 0 }));
});

test('next-token probabilities are the softmax of the last position, and attention weights are causal', async () => {
  const m = await trainedModel();
  const prompt = [0, 4, 1, 3, 9];
  const p = m.nextTokenProbabilities(prompt);
  assert.equal(p.length, VOCAB);
  assert.ok(Math.abs(p.reduce((a, b) => a + b) - 1) < 1e-5);
  const x = new Float32Array(T);
  prompt.forEach((id, t) => { x[t] = id; });
  const probs = m.probabilities(x).subarray((prompt.length - 1) * VOCAB, prompt.length * VOCAB);
  p.forEach((v, i) => assert.ok(Math.abs(v - probs[i]) < 1e-6, `token ${i}: ${v} vs ${probs[i]}`));

  const layers = m.attentionWeights(prompt);
  assert.equal(layers.length, 1);
  assert.equal(layers[0].length, 2);
  const L = prompt.length;
  for (const w of layers[0]) {
    assert.equal(w.length, L * L);
    for (let q = 0; q < L; q++) {
      const row = w.subarray(q * L, q * L + L);
      assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-5, `row ${q} sums to 1`);
      for (let k = q + 1; k < L; k++) assert.equal(row[k], 0, `position ${q} does not see ${k}`);
    }
  }
  // a prompt longer than the window: its last T tokens
  assert.deepEqual(m.nextTokenProbabilities([7, 7, 7, ...prompt, 1, 2, 3]), m.nextTokenProbabilities([...prompt, 1, 2, 3]));
});

test('generation refuses what cannot write text, with messages that say why', async () => {
  const m = await trainedModel();
  assert.throws(() => m.generate([], {}), /startGeneration: expected a prompt of at least one token/);
  assert.throws(() => m.generate([1, 12]), /generate: prompt token 1 is 12: ids must be from 0 to 11/);
  assert.throws(() => m.generate([1, 1.5]), /prompt token 1 is 1.5: ids must be whole numbers/);
  assert.throws(() => m.generate([1], { temperature: -1 }), /temperature must be a number >= 0, got -1/);
  assert.throws(() => m.generate([1], { topK: 1.5 }), /topK: expected an integer/);
  assert.throws(() => m.nextTokenProbabilities('abc'), /expected the prompt's token ids/);
  const bidirectional = await Model.create(gpt({ causal: false }));
  assert.throws(() => bidirectional.generate([1]), /layers\[2\]\.layers\[1\] \(attention\) is not causal: only a causal model can write text/);
  bidirectional.dispose();
  const mlp = await Model.create({ input: [2], layers: [{ type: 'dense', units: 3 }], loss: 'cross_entropy' });
  assert.throws(() => mlp.generate([1]), /need a language model/);
  mlp.dispose();
});

test('generating allocates once: memory stays flat over many generations', async () => {
  const m = await trainedModel();
  m.generate([0], { maxTokens: 20 });
  const memory = Model.memoryBytes();
  for (let i = 0; i < 200; i++) m.generate([i % VOCAB], { maxTokens: 20, seed: i });
  assert.equal(Model.memoryBytes(), memory);
});
