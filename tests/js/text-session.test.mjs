// The worker's language-model training (web/runtime/session.js with text data) on the real wasm Model: the spec gets
// the tokenizer's vocabulary size, `preparing` reports the tokenizing, progress counts tokens and losses per
// character, reset repeats the run, and bad text sources get messages that name the field. The text pipeline is
// a stand-in over the words streams here (tests/js/text-pipeline.test.mjs covers the real one).
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { REQUEST, EVENT } from '../../web/runtime/protocol.js';
import { TrainingSession } from '../../web/runtime/session.js';
import { TEXT_EVAL_TOKENS } from '../../web/runtime/text-data.js';
import { gptSpec } from '../../web/text/gpt.js';
import { WORDS_VOCABULARY, decodeWords } from '../../web/words.js';

const built = existsSync(new URL('../../wasm/tinytrain.wasm', import.meta.url)) &&
  existsSync(new URL('../../demos/data/generated/words.json', import.meta.url));
const { Model } = built ? await import('../../wasm/tinytrain.js') : {};
const { loadWordsNode } = built ? await import('../../tools/words-data.mjs') : {};

// The words streams, cut short (the tests train a few steps), behind the prepareText interface.
function wordsPipeline(calls = []) {
  const w = loadWordsNode();
  const train = w.train.subarray(0, 50000), heldout = w.heldout.subarray(0, 5000);
  return async (source, options) => {
    calls.push({ source, options });
    options.onProgress({ phase: 'encoding', done: 1, total: 2 });
    options.onProgress({ phase: 'encoding', done: 2, total: 2 });
    return { tokenizer: { kind: 'characters', decode: (ids) => decodeWords(ids) }, vocabulary: WORDS_VOCABULARY,
      train, heldout, chars: { train: train.length, heldout: heldout.length }, corpus: source.corpus };
  };
}

function harness(prepareText) {
  const posts = [];
  const session = new TrainingSession({ Model, post: (m) => posts.push(m), prepareText });
  let id = 1;
  const send = async (type, fields = {}) => {
    const n = id++;
    await session.handle({ type, id: n, ...fields });
    const reply = posts.find((m) => m.type === EVENT.REPLY && m.id === n);
    if (!reply.ok) throw new Error(reply.error);
    return reply.result;
  };
  return { session, posts, send, of: (type) => posts.filter((m) => m.type === type) };
}

const TEXT = { text: { corpus: 'words', base: 'http://localhost/data/', tokenizer: 'characters' } };

test('init sizes the spec for the tokenizer, sets the vocabulary and reports the streams', { skip: !built }, async () => {
  const calls = [];
  const h = harness(wordsPipeline(calls));
  const info = await h.send(REQUEST.INIT, { spec: gptSpec({ vocab: 2, size: 'tiny' }), data: TEXT });
  assert.equal(info.spec.layers[0].vocab, 27);
  assert.equal(info.spec.layers.at(-1).units, 27);
  assert.deepEqual(info.vocabulary, WORDS_VOCABULARY);
  assert.equal(info.outputSize, 16 * 27);
  assert.deepEqual(info.text, { corpus: 'words', tokenizer: 'characters', merges: 0, trainTokens: 50000,
    heldoutTokens: 5000, trainChars: 50000, heldoutChars: 5000 });
  assert.deepEqual(h.session.model.vocabulary, WORDS_VOCABULARY);
  assert.equal(calls[0].options.tokenizer, 'characters');
  const preparing = h.of(EVENT.PREPARING);
  assert.ok(preparing.length >= 1, 'preparing was posted');
  assert.deepEqual(preparing.at(-1), { type: EVENT.PREPARING, phase: 'encoding', done: 2, total: 2 });
});

test('progress counts tokens and gives losses per character; reset repeats the run', { skip: !built }, async () => {
  const h = harness(wordsPipeline());
  await h.send(REQUEST.INIT, { spec: gptSpec({ vocab: 27, size: 'tiny' }), data: TEXT, options: { batchSize: 8 } });
  const run = async () => {
    await h.send(REQUEST.STEP, { n: 20 });
    return h.of(EVENT.PROGRESS).at(-1);
  };
  const p = await run();
  assert.equal(p.step, 20);
  assert.equal(p.tokensSeen, 20 * 8 * 16);
  assert.ok(p.testLoss > 1 && p.testLoss < Math.log(27) + 0.5, `held-out loss ${p.testLoss}`);
  assert.equal(p.testLossPerChar, p.testLoss); // one character per token
  assert.ok(Number.isFinite(p.trainLossPerChar) && p.testAccuracy > 0);
  await h.send(REQUEST.RESET, {});
  const again = await run();
  assert.equal(again.loss, p.loss);
  assert.equal(again.testLoss, p.testLoss);
});

test('losses per character divide by the characters of the evaluated slice (multi-character tokens)', { skip: !built }, async () => {
  // A tokenizer whose every token decodes to two characters: nats per character are half the nats per token.
  const inner = wordsPipeline();
  const h = harness(async (source, options) => {
    const r = await inner(source, options);
    return { ...r, tokenizer: { kind: 'bpe', decode: (ids) => 'ab'.repeat(ids.length) } };
  });
  await h.send(REQUEST.INIT, { spec: gptSpec({ vocab: 27, size: 'tiny' }), data: TEXT });
  await h.send(REQUEST.STEP, { n: 1 });
  const p = h.of(EVENT.PROGRESS).at(-1);
  assert.ok(Math.abs(p.testLossPerChar - p.testLoss / 2) < 1e-6);
  assert.ok(TEXT_EVAL_TOKENS.heldout >= 16384);
});

test('bad text sources and specs get messages that name what is wrong', { skip: !built }, async () => {
  const h = harness(wordsPipeline());
  const spec = gptSpec({ vocab: 27, size: 'tiny' });
  const cases = [
    [{ text: { corpus: 'poems', base: 'x/' } }, /init\.data\.text\.corpus: expected one of words, prose, own/],
    [{ text: { corpus: 'own' } }, /your own text is missing/],
    [{ text: { corpus: 'words' } }, /init\.data\.text\.base/],
    [{ text: { corpus: 'words', base: 'x/', tokenizer: 'bytes' } }, /tokenizer: expected one of characters, bpe/],
    [{ text: { corpus: 'words', base: 'x/', merges: -1 } }, /merges: expected an integer in \[0, 4096\]/],
    [{ text: { corpus: 'words', base: 'x/', vocabulary: [] } }, /vocabulary: expected a non-empty array/],
  ];
  for (const [data, message] of cases) await assert.rejects(h.send(REQUEST.INIT, { spec, data }), message);
  const mlp = { input: [16], layers: [{ type: 'dense', units: 3 }], loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1 } };
  await assert.rejects(h.send(REQUEST.INIT, { spec: mlp, data: TEXT }), /must start with an embedding layer/);
  // A text whose held-out part is shorter than the window (BPE can shorten a short text a lot) is refused.
  const short = harness(async (source, options) => ({ ...(await wordsPipeline()(source, options)), heldout: new Uint8Array(16) }));
  await assert.rejects(short.send(REQUEST.INIT, { spec, data: TEXT }),
    /the held-out part of the text is 16 tokens, too short for the model's window of 16/);
  // A pipeline failure (an empty paste, a binary file) is the init's error, word for word.
  const failing = harness(async () => { throw new Error('the text is empty'); });
  await assert.rejects(failing.send(REQUEST.INIT, { spec, data: { text: { corpus: 'own', text: ' ' } } }), /^Error: the text is empty$/);
});
