// The text page's logic without a browser: its URL-hash settings (demos/text/settings.js) and its page-side draws
// (demos/text/sampling.js: seeded, log-probabilities kept, best of N ranked by them, real words counted), on a
// model whose next-token probabilities are known exactly.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, parseHash, toHash, tokenizerOptions } from '../../demos/text/settings.js';
import { seededRandom, drawSequence, bestOfN, pickWords } from '../../demos/text/sampling.js';

// A fake language model over 3 tokens: after any context, token 0 with 0.5, 1 with 0.3, 2 (the end) with 0.2.
const PROBS = Float32Array.from([0.5, 0.3, 0.2]);
const fake = { calls: 0, nextTokenProbabilities(context) { this.calls++; assert.ok(context.length > 0); return PROBS; } };

test('settings: a hash round-trips, and a bad value keeps its default with a message naming the field', () => {
  const s = { ...DEFAULTS, corpus: 'prose', tokenizer: 'bpe512', size: 'tiny', seed: 7, lr: 0.001, topK: 5 };
  assert.deepEqual(parseHash(`#${toHash(s)}`), { settings: s, error: null });
  const { settings, error } = parseHash('#corpus=poems&seed=-1&size=medium&what=1');
  assert.equal(settings.corpus, 'words');
  assert.equal(settings.seed, DEFAULTS.seed);
  assert.equal(settings.size, 'medium');
  assert.match(error, /Corpus: expected one of words, prose, own, got "poems"/);
  assert.match(error, /Seed: expected a whole number from 0/);
  assert.match(error, /unknown setting "what"/);
  assert.deepEqual(tokenizerOptions('chars'), { tokenizer: 'characters' });
  assert.deepEqual(tokenizerOptions('bpe256'), { tokenizer: 'bpe', merges: 256 });
});

test('seededRandom: the same seed gives the same floats in [0, 1), another seed others', () => {
  const a = seededRandom(3), b = seededRandom(3), c = seededRandom(4);
  const xs = Array.from({ length: 1000 }, a);
  assert.deepEqual(Array.from({ length: 1000 }, b), xs);
  assert.notDeepEqual(Array.from({ length: 1000 }, c), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});

test('drawSequence: stops at the end token, keeps the exact log-probability, draws in proportion', () => {
  const random = seededRandom(1);
  const counts = [0, 0, 0];
  for (let i = 0; i < 3000; i++) {
    const { ids, logProb } = drawSequence(fake, [0], { isEnd: (id) => id === 2, maxTokens: 50, random });
    const expected = ids.reduce((s, id) => s + Math.log(PROBS[id]), 0);
    assert.ok(Math.abs(logProb - expected) < 1e-9, `${logProb} vs ${expected}`);
    assert.ok(ids.at(-1) === 2 || ids.length === 50);
    for (const id of ids) counts[id]++;
  }
  const total = counts.reduce((s, n) => s + n, 0);
  counts.forEach((n, id) => assert.ok(Math.abs(n / total - PROBS[id]) < 0.02, `token ${id}: ${n / total}`));
  const capped = drawSequence(fake, [1], { maxTokens: 3, random });
  assert.equal(capped.ids.length, 3);
});

test('bestOfN: N draws, most probable first, N times the calls of one', () => {
  fake.calls = 0;
  const draws = bestOfN(fake, [0], 16, { isEnd: (id) => id === 2, maxTokens: 8, random: seededRandom(9) });
  assert.equal(draws.length, 16);
  for (let i = 1; i < draws.length; i++) assert.ok(draws[i - 1].logProb >= draws[i].logProb);
  assert.equal(fake.calls, draws.reduce((s, d) => s + d.ids.length, 0));
});

test('pickWords: each pick continues the list of the picks before it, in the last window of tokens', () => {
  const contexts = [];
  const recorder = { nextTokenProbabilities(context) { contexts.push(Array.from(context)); return PROBS; } };
  const picks = pickWords(recorder, { n: 2, start: 2, window: 4, isEnd: (id) => id === 2, maxTokens: 3, random: seededRandom(5) });
  const list = [2];
  for (let i = 0; i < 20; i++) {
    contexts.length = 0;
    const pick = picks.next().value;
    // every draw of this pick starts from the list so far (its last 4 tokens)
    assert.deepEqual(contexts[0], list.slice(-4));
    list.push(...pick.ids);
    if (pick.ids.at(-1) !== 2) list.push(2);
  }
});
