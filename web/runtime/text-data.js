// The worker's text data, loaded on demand by the session for init {data: {text}} (protocol.js TEXT): the corpus
// is loaded, tokenized and split by web/text/corpus.js (learning BPE merges when asked), with `preparing` events
// on the way, and the spec is sized for the tokenizer's vocabulary.
import { EVENT, Throttle } from './protocol.js';
import { withVocabulary } from '../text/gpt.js';

// A language model's train and held-out losses are measured on fixed slices of its token streams (the same tokens
// at every evaluation, so the curve is smooth): big enough for a held-out estimate within ~0.01 nats, small enough
// that an evaluation stays a fraction of a second.
export const TEXT_EVAL_TOKENS = Object.freeze({ train: 8192, heldout: 32768 });

export const TEXT_CORPORA = Object.freeze(['words', 'prose', 'own']);
export const TOKENIZERS = Object.freeze(['characters', 'bpe']);
export const MAX_MERGES = 4096;

const got = (v) => `, got ${JSON.stringify(v)}`;

/** Checks init.data.text: null when fine, otherwise a message that names the field. */
export function validateText(t) {
  if (t === null || typeof t !== 'object') return 'init.data.text: expected {corpus, ...}';
  if (!TEXT_CORPORA.includes(t.corpus)) {
    return `init.data.text.corpus: expected one of ${TEXT_CORPORA.join(', ')}${got(t.corpus)}`;
  }
  if (t.corpus === 'own' && t.text == null) return 'init.data.text.text: your own text is missing';
  if (t.corpus !== 'own' && typeof t.base !== 'string') {
    return 'init.data.text.base: expected the URL of the corpus folder';
  }
  if (t.tokenizer !== undefined && !TOKENIZERS.includes(t.tokenizer)) {
    return `init.data.text.tokenizer: expected one of ${TOKENIZERS.join(', ')}${got(t.tokenizer)}`;
  }
  if (t.merges !== undefined && !(Number.isInteger(t.merges) && t.merges >= 0 && t.merges <= MAX_MERGES)) {
    return `init.data.text.merges: expected an integer in [0, ${MAX_MERGES}]${got(t.merges)}`;
  }
  if (t.vocabulary !== undefined && !(Array.isArray(t.vocabulary) && t.vocabulary.length > 0 &&
      t.vocabulary.every((v) => typeof v === 'string' && v.length > 0))) {
    return 'init.data.text.vocabulary: expected a non-empty array of token strings';
  }
  return null;
}

/**
 * Loads a text source into what the session trains on: {text: (info for the page), vocabulary, train, heldout
 * (token streams), evalTrain, evalHeldout (the evaluated slices), tokensPerChar, nTrain, nTest}. post: the
 * worker's; now: its clock; hz: the most `preparing` events per second; prepareText: web/text/corpus.js's, or a
 * stand-in (tests).
 */
export async function loadText(source, { post, now, hz, prepareText }) {
  const problem = validateText(source);
  if (problem) throw new Error(problem);
  const prepare = prepareText ?? (await import('../text/corpus.js')).prepareText;
  const throttle = new Throttle(hz);
  const onProgress = ({ phase, done, total }) => {
    if (done === total || throttle.due(now())) post({ type: EVENT.PREPARING, phase, done, total });
  };
  const { tokenizer, vocabulary, train, heldout, chars, corpus } = await prepare(source, {
    tokenizer: source.tokenizer, merges: source.merges, vocabulary: source.vocabulary, onProgress,
  });
  const evalTrain = train.subarray(0, TEXT_EVAL_TOKENS.train);
  const evalHeldout = heldout.subarray(0, TEXT_EVAL_TOKENS.heldout);
  // Tokens per character of the evaluated slices: nats per token -> nats per character.
  const perChar = (ids) => ids.length / Math.max(1, [...tokenizer.decode(ids)].length);
  return {
    generated: null, vocabulary, train, heldout, evalTrain, evalHeldout, nTrain: train.length, nTest: heldout.length,
    tokensPerChar: { train: perChar(evalTrain), heldout: perChar(evalHeldout) },
    text: {
      corpus, tokenizer: tokenizer.kind, merges: vocabulary.filter((t) => [...t].length > 1).length,
      trainTokens: train.length, heldoutTokens: heldout.length, trainChars: chars.train, heldoutChars: chars.heldout,
    },
  };
}

/** A language model's spec sized for the tokenizer's vocabulary of `text` (loadText's), which must be long enough
 * for the model's window in both parts. */
export function textSpec(spec, text) {
  if (spec.layers?.[0]?.type !== 'embedding') {
    throw new Error('data.text: a text corpus trains a language model; the spec must start with an embedding layer');
  }
  const window = spec.input?.[0];
  for (const [part, ids] of [['training', text.train], ['held-out', text.heldout]]) {
    if (ids.length <= window) {
      throw new Error(`the ${part} part of the text is ${ids.length} tokens, too short for the model's window of ` +
        `${window}: use a longer text, characters instead of byte pairs, or a smaller model`);
    }
  }
  return withVocabulary(spec, text.vocabulary.length);
}
