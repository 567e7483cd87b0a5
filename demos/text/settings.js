// The text page's settings and their URL-hash form. No DOM here: a link such as
// #corpus=words&tok=chars&size=small&seed=1&lr=0.003 always describes the same run.
import { GPT_SIZES, GPT_DEFAULTS } from '../../web/text/gpt.js';

export const CORPUS_NAMES = Object.freeze(['words', 'prose', 'own']);
// 'chars' trains on characters; 'bpe256' and 'bpe512' on byte-pair tokens with that many merges.
export const TOKENIZERS = Object.freeze(['chars', 'bpe256', 'bpe512']);

export const DEFAULTS = Object.freeze({
  corpus: 'words', tokenizer: 'chars', size: GPT_DEFAULTS.size, seed: GPT_DEFAULTS.seed, lr: GPT_DEFAULTS.lr,
  temperature: 0.8, topK: 0, genSeed: 1, maxTokens: 200,
});

/** The tokenizer field of the worker's text options: {tokenizer: 'characters' | 'bpe', merges}. */
export function tokenizerOptions(choice) {
  return choice === 'chars' ? { tokenizer: 'characters' } : { tokenizer: 'bpe', merges: Number(choice.slice(3)) };
}

function num(label, lo, hi, integer) {
  return (s) => {
    const v = Number(s);
    if (s === '' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
      throw new Error(`${label}: expected ${integer ? 'a whole number' : 'a number'} from ${lo} to ${hi}, got "${s}"`);
    }
    return v;
  };
}
function oneOf(label, list) {
  return (s) => {
    if (!list.includes(s)) throw new Error(`${label}: expected one of ${list.join(', ')}, got "${s}"`);
    return s;
  };
}

// hash key -> [field, parser whose message uses the form's words]
const KEYS = {
  corpus: ['corpus', oneOf('Corpus', CORPUS_NAMES)],
  tok: ['tokenizer', oneOf('Tokenizer', TOKENIZERS)],
  size: ['size', oneOf('Model size', Object.keys(GPT_SIZES))],
  seed: ['seed', num('Seed', 0, 0xffffffff, true)],
  lr: ['lr', num('Learning rate', 1e-6, 1, false)],
  temp: ['temperature', num('Temperature', 0, 5, false)],
  topk: ['topK', num('Top-k', 0, 100000, true)],
  gseed: ['genSeed', num('Sampling seed', 0, 0xffffffff, true)],
};

/** Parses a location.hash: {settings, error}; an unreadable setting keeps its default and error says why. */
export function parseHash(hash) {
  const settings = { ...DEFAULTS };
  const problems = [];
  for (const part of (hash || '').replace(/^#/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    const entry = KEYS[key];
    if (!entry) { problems.push(`unknown setting "${key}"`); continue; }
    try {
      settings[entry[0]] = entry[1](value);
    } catch (e) {
      problems.push(e.message);
    }
  }
  return { settings, error: problems.length ? `This link's settings: ${problems.join('; ')}. Those keep their defaults.` : null };
}

/** The hash of a settings object: every field, in a fixed order. */
export function toHash(s) {
  return Object.entries(KEYS).map(([key, [field]]) => `${key}=${encodeURIComponent(String(s[field]))}`).join('&');
}
