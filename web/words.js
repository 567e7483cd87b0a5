// The words corpus for language models: reads what tools/words-data.mjs writes (`make data` puts it in
// demos/data/generated/). No DOM and no Node APIs here, so the same file runs in a page, a module Worker and Node.
//
// Format: words.json describes two token streams stored beside it as raw bytes, one token id per byte:
//   {"format": "tinytrain-words", "version": 1, "source": "an-array-of-english-words 2.0.0", "seed": 20261206,
//    "vocabulary": ["\n", "a", "b", ..., "z"],
//    "splits": {"train":   {"file": "words-train.bin",   "words": 247..., "tokens": ...},
//               "heldout": {"file": "words-heldout.bin", "words": 27...,  "tokens": ...}}}
// Token ids: 0 is the newline that ends every word, 1..26 are a..z, so a stream is the words one per line, each
// line newline-terminated, and id i decodes to vocabulary[i].

export const WORDS_FORMAT = 'tinytrain-words';
export const WORDS_VOCABULARY = ['\n', ...'abcdefghijklmnopqrstuvwxyz'];

/** Token ids of text made of a-z and newlines (a Uint8Array); throws on any other character. */
export function encodeWords(text) {
  const ids = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) ids[i] = 0;
    else if (c >= 97 && c <= 122) ids[i] = c - 96;
    else throw new Error(`words: character ${JSON.stringify(text[i])} at ${i} is not a-z or a newline`);
  }
  return ids;
}

/** The text of a stream of token ids. */
export function decodeWords(ids, vocabulary = WORDS_VOCABULARY) {
  let s = '';
  for (const id of ids) {
    if (!(id >= 0 && id < vocabulary.length)) throw new Error(`words: token id ${id} is outside the vocabulary`);
    s += vocabulary[id];
  }
  return s;
}

/** Checks a parsed words.json and the bytes of its two streams: {vocabulary, train, heldout} (Uint8Arrays). */
export function parseWords(meta, trainBytes, heldoutBytes) {
  if (meta?.format !== WORDS_FORMAT || meta.version !== 1) {
    throw new Error(`words.json: expected format "${WORDS_FORMAT}" version 1, got ${meta?.format} ${meta?.version}`);
  }
  const vocabulary = meta.vocabulary;
  if (!Array.isArray(vocabulary) || vocabulary.length > 256 || !vocabulary.every((t) => typeof t === 'string')) {
    throw new Error('words.json: vocabulary: expected an array of at most 256 strings');
  }
  const out = { vocabulary, words: {} };
  for (const [name, bytes] of [['train', trainBytes], ['heldout', heldoutBytes]]) {
    const ids = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const split = meta.splits?.[name];
    if (!split || ids.length !== split.tokens) {
      throw new Error(`words.json: splits.${name}.tokens: expected the stream's length ${ids.length}, got ${split?.tokens}`);
    }
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] >= vocabulary.length) throw new Error(`words: ${name} token ${i} is ${ids[i]}, outside the vocabulary`);
    }
    out[name] = ids;
    out.words[name] = split.words;
  }
  return out;
}

/** Fetches words.json and its two streams from a folder URL (ending in '/'). */
export async function fetchWords(baseUrl) {
  const get = async (name) => {
    const r = await fetch(new URL(name, baseUrl));
    if (!r.ok) throw new Error(`words: ${name}: HTTP ${r.status}`);
    return r;
  };
  const meta = await (await get('words.json')).json();
  const [train, heldout] = await Promise.all(['train', 'heldout'].map(async (s) =>
    new Uint8Array(await (await get(meta.splits?.[s]?.file ?? `words-${s}.bin`)).arrayBuffer())));
  return parseWords(meta, train, heldout);
}
