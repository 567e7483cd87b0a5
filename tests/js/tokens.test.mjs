// Token streams through the Model API: a language model trains on random windows of one long stream of ids held
// in wasm memory, and evaluates a held-out stream in fixed windows.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../wasm/tinytrain.js';

const T = 8;
const VOCAB = 27;
const languageModel = (seed = 1) => ({
  input: [T],
  layers: [{ type: 'embedding', vocab: VOCAB, dim: 16 }, { type: 'dense', units: VOCAB }],
  loss: 'cross_entropy',
  optimizer: { type: 'adam', lr: 0.03 },
  seed,
});

// "abc...z\n" repeated: every next character is determined by the current one.
const alphabet = (n, from = 0) => Uint16Array.from({ length: n }, (_, i) => (i + from) % VOCAB);

test('a language model learns the next token from a stream, and evaluateTokens reads a held-out stream', async () => {
  const m = await Model.create(languageModel());
  m.setTokens(alphabet(5000));
  const before = m.evaluateTokens(alphabet(400, 11));
  for (let i = 0; i < 20; i++) m.trainSteps(10, 32);
  const after = m.evaluateTokens(alphabet(400, 11));
  assert.ok(before.loss > 2.5 && after.loss < 0.1, `loss ${before.loss} -> ${after.loss}`);
  assert.equal(after.accuracy, 1);
  const next = m.predict(new Float32Array([3, 4, 5, 6, 7, 8, 9, 10])); // [T, VOCAB] logits
  const last = Array.from(next.subarray((T - 1) * VOCAB));
  assert.equal(last.indexOf(Math.max(...last)), 11);
  m.dispose();
});

test('evaluateTokens equals evaluate on the non-overlapping windows, for every id type', async () => {
  const m = await Model.create(languageModel(4));
  const ids = Array.from({ length: 45 }, (_, i) => (i * 11 + 5) % VOCAB);
  const windows = Math.floor((ids.length - 1) / T);
  const x = new Float32Array(windows * T);
  const y = new Int32Array(windows * T);
  for (let k = 0; k < windows; k++) {
    for (let t = 0; t < T; t++) {
      x[k * T + t] = ids[k * T + t];
      y[k * T + t] = ids[k * T + t + 1];
    }
  }
  const want = m.evaluate(x, y);
  for (const asType of [(a) => a, ...[Uint16Array, Int32Array, Uint32Array, Uint8Array].map((C) => (a) => C.from(a))]) {
    assert.deepEqual(m.evaluateTokens(asType(ids)), want);
  }
  m.dispose();
});

test('the same seed and stream give the same weights', async () => {
  const ids = Uint16Array.from({ length: 3000 }, (_, i) => (i * i + 7 * i) % VOCAB);
  const [a, b] = [await Model.create(languageModel(9)), await Model.create(languageModel(9))];
  for (const m of [a, b]) {
    m.setTokens(ids);
    m.trainSteps(25, 16);
  }
  assert.deepEqual(a.getWeights(), b.getWeights());
  a.dispose();
  b.dispose();
});

test('bad streams and models that are not language models give clear errors', async () => {
  const m = await Model.create(languageModel());
  assert.throws(() => m.setTokens(new Uint16Array([1, 2, 3])),
    /set_tokens: expected at least 9 tokens \(one window of 8 and the token after it\), got 3/);
  assert.throws(() => m.setTokens(alphabet(20).map((id, i) => (i === 13 ? 27 : id))),
    /set_tokens: token 13 is 27: ids must be below the vocabulary size 27/);
  assert.throws(() => m.setTokens(new Int32Array([0, 1, -1, 2, 3, 4, 5, 6, 7, 8])), /setTokens: token 2 is -1/);
  assert.throws(() => m.setTokens([0, 1, 2.5]), /setTokens: token ids must be whole numbers from 0, got 2.5/);
  assert.throws(() => m.setTokens('hello'), /setTokens: expected token ids as a Uint16Array/);
  assert.throws(() => m.trainSteps(1, 4), /no training data: call set_data or set_tokens first/);
  m.dispose();
  const mlp = await Model.create({ input: [T], layers: [{ type: 'dense', units: 3 }], loss: 'cross_entropy' });
  assert.throws(() => mlp.setTokens(alphabet(100)), /token streams need a language model/);
  mlp.dispose();
});

test('a 6 MB stream fits at 2 bytes per token and memory stays flat over 1,000 training chunks', async () => {
  const m = await Model.create(languageModel());
  const ids = new Uint16Array(6_000_000);
  for (let i = 0; i < ids.length; i++) ids[i] = (i * 2654435761) % VOCAB; // every id, in no simple order
  m.setTokens(ids);
  m.trainSteps(1, 32);
  const memory = Model.memoryBytes();
  for (let i = 0; i < 1000; i++) m.trainSteps(1, 32);
  assert.equal(Model.memoryBytes(), memory);
  assert.ok(memory < 64 * 1024 * 1024, `wasm memory ${memory} bytes`);
  m.dispose();
});

// Rewrites a .safetensors file's metadata (the header is JSON after an 8-byte length; data follows unchanged).
function withMetadata(bytes, edit) {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  edit(header.__metadata__);
  let text = JSON.stringify(header);
  while ((8 + text.length) % 8) text += ' ';
  const out = new Uint8Array(8 + text.length + bytes.length - 8 - headerLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(new TextEncoder().encode(text), 8);
  out.set(bytes.subarray(8 + headerLength), 8 + text.length);
  return out;
}

test('the vocabulary travels in the weight file, and a file whose vocabulary does not fit is refused', async () => {
  const tokens = [...'abcdefghijklmnopqrstuvwxyz', '\n'];
  const m = await Model.create(languageModel());
  assert.equal(m.vocabulary, null);
  assert.throws(() => m.setVocabulary(tokens.slice(1)), /vocabulary: expected 27 tokens \(the embedding's vocab\), got 26/);
  assert.throws(() => m.setVocabulary(['a', 1]), /setVocabulary: expected an array of token strings/);
  m.setVocabulary(tokens);
  const bytes = m.save();
  const again = await Model.load(bytes);
  assert.deepEqual(again.vocabulary, tokens);
  assert.deepEqual(again.getWeights(), m.getWeights());
  const short = withMetadata(bytes, (meta) => { meta.vocabulary = JSON.stringify(tokens.slice(0, 20)); });
  await assert.rejects(Model.load(short),
    /the vocabulary in this file's metadata does not fit its model: vocabulary: expected 27 tokens \(the embedding's vocab\), got 20/);
  const broken = withMetadata(bytes, (meta) => { meta.vocabulary = '["a", '; });
  await assert.rejects(Model.load(broken), /the vocabulary in this file's metadata does not fit its model: vocabulary: invalid JSON/);
  m.setVocabulary(null);
  assert.equal((await Model.load(m.save())).vocabulary, null);
  for (const model of [m, again]) model.dispose();
  const mlp = await Model.create({ input: [2], layers: [{ type: 'dense', units: 2 }], loss: 'cross_entropy' });
  assert.throws(() => mlp.setVocabulary(['a', 'b']), /only a model whose first layer is an embedding has one/);
  mlp.dispose();
});
