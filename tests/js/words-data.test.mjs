// The words corpus: tools/words-data.mjs (word list -> token streams) and web/words.js (reader), on a tiny list.
// Proves the split is the documented seeded shuffle, train and held-out share no word and together hold every
// word once, and the ids decode back to the words, one per newline-terminated line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convert, splitWords, WORDS_SPLIT_SEED } from '../../tools/words-data.mjs';
import { parseWords, decodeWords, encodeWords, WORDS_VOCABULARY } from '../../web/words.js';

// A sorted list, as the package's is: neighbours share prefixes.
const WORDS = [];
for (const a of 'abcdefghij') for (const b of 'aeiou') WORDS.push(`${a}${b}${a}`, `${a}${b}${a}s`);
WORDS.sort();

// The documented order, re-implemented from tools/words-data.mjs's description (mulberry32 + Fisher-Yates, the
// first 90% for training), so a silent change of the order fails here.
function documentedSplit(words, seed) {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = words.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const cut = Math.floor(0.9 * words.length);
  return { train: order.slice(0, cut), heldout: order.slice(cut) };
}

function convertTiny(words) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'words-'));
  const src = path.join(dir, 'index.json');
  fs.writeFileSync(src, JSON.stringify(words));
  const outs = convert({ outDir: dir, src, force: true });
  const meta = JSON.parse(fs.readFileSync(outs.meta, 'utf8'));
  const corpus = parseWords(meta, fs.readFileSync(outs.train), fs.readFileSync(outs.heldout));
  fs.rmSync(dir, { recursive: true });
  return { meta, corpus };
}

test('the split is the documented seeded shuffle, 90/10, with no word in both parts', () => {
  const { meta, corpus } = convertTiny(WORDS);
  const want = documentedSplit(WORDS, WORDS_SPLIT_SEED);
  const train = decodeWords(corpus.train).split('\n'), heldout = decodeWords(corpus.heldout).split('\n');
  assert.equal(train.pop(), '', 'the stream ends with a newline');
  assert.equal(heldout.pop(), '');
  assert.deepEqual(train, want.train);
  assert.deepEqual(heldout, want.heldout);
  assert.equal(train.length, 90);
  assert.equal(heldout.length, 10);
  assert.ok(!heldout.some((w) => train.includes(w)), 'no held-out word is in training');
  assert.deepEqual([...train, ...heldout].sort(), WORDS, 'every word once');
  assert.notDeepEqual(train, WORDS.slice(0, 90), 'shuffled, not the sorted order');
  assert.deepEqual(meta.vocabulary, WORDS_VOCABULARY);
  assert.deepEqual(meta.splits.train.words, 90);
  assert.equal(meta.seed, WORDS_SPLIT_SEED);
});

test('another seed gives another split; the same seed the same', () => {
  assert.deepEqual(splitWords(WORDS), splitWords(WORDS));
  assert.notDeepEqual(splitWords(WORDS, 1).train, splitWords(WORDS).train);
});

test('ids: newline 0, a..z 1..26, and back', () => {
  assert.deepEqual(Array.from(encodeWords('az\nb\n')), [1, 26, 0, 2, 0]);
  assert.equal(decodeWords([8, 9, 0]), 'hi\n');
  assert.throws(() => encodeWords('Hi\n'), /character "H" at 0 is not a-z/);
  assert.throws(() => decodeWords([27]), /token id 27 is outside the vocabulary/);
});

test('bad input and bad files are refused with a message', () => {
  assert.throws(() => convertTiny(['ok', 'Not']), /expected a JSON array of words made of a-z/);
  const meta = { format: 'tinytrain-words', version: 1, vocabulary: WORDS_VOCABULARY,
                 splits: { train: { tokens: 2 }, heldout: { tokens: 1 } } };
  assert.throws(() => parseWords(meta, new Uint8Array(3), new Uint8Array(1)), /splits.train.tokens: expected the stream's length 3, got 2/);
  assert.throws(() => parseWords(meta, new Uint8Array([1, 40]), new Uint8Array(1)), /train token 1 is 40/);
  assert.throws(() => parseWords({ ...meta, format: 'x' }, new Uint8Array(2), new Uint8Array(1)), /expected format/);
});
