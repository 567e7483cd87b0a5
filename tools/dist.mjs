#!/usr/bin/env node
// `make dist`: writes dist/, everything a site copies to serve the <tiny-train> widget, and checks the budgets of
// docs/design.md: tinytrain.wasm <= 64 KiB, the widget's JS (loader + API + worker + element + charts) <= 80 KiB,
// uncompressed and unminified (the files are copied as written).
//
// The files are found by following the imports of web/tiny-train.js (static, dynamic and new URL(..., import.meta
// .url) assets), so nothing unused ships and nothing needed is forgotten. dist/ is flat: web/x.js -> dist/x.js,
// web/widget/x.js -> dist/widget/x.js, wasm/tinytrain.{js,wasm} -> dist/; the one import path this changes
// ('../wasm/tinytrain.js' -> './tinytrain.js') is rewritten.
//
// <tiny-train demo="digits"> needs MNIST: its modules load on demand, web/mnist-load.js too (session.js imports it
// through a variable, so it is named here), and the two data files (7.8 MB, no budget) are copied to dist/data/,
// where web/widget/digits.js's default path is rewritten to point. --no-mnist leaves the data out (a site then
// gives the widget a `data` folder, or does without demo="digits").
//
// Usage: node tools/dist.mjs [--out DIR] [--no-wasm-budget] [--no-mnist]   (exit 1 when over a budget; the wasm flag
// only reports the wasm's size, for while the wasm is being shrunk)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUDGETS = Object.freeze({ wasm: 64 * 1024, js: 80 * 1024 });
const ENTRY = 'web/tiny-train.js';
const ON_DEMAND = ['web/mnist-load.js']; // reached only through a dynamic import of a variable (session.js)
const MNIST = ['mnist-train.bin', 'mnist-test.bin']; // from demos/data/generated/ (make data) to dist/data/
// Paths that change with dist's flat layout: source text -> dist text.
const REWRITES = [["'../wasm/tinytrain.js'", "'./tinytrain.js'"], ["'../../demos/data/generated/'", "'../data/'"]];
const REFERENCE = /(from\s*|import\s*\(\s*|import\s+|new URL\(\s*)'(\.{1,2}\/[^']+)'/g;

// Source path (relative to the repository) -> path inside dist/.
export function distPath(src) {
  if (src.startsWith('wasm/')) return src.slice(5);
  if (src.startsWith('web/')) return src.slice(4);
  throw new Error(`dist: ${src} is outside web/ and wasm/; it has no place in dist/`);
}

// Every file the entry needs -> whether the widget loads it (static imports and new URL assets such as the worker,
// from the entry on) or only on demand (reached through a dynamic import() alone). Discovery order, entry first.
export function collect(entry = ENTRY) {
  const files = new Map([[entry, true], ...ON_DEMAND.map((f) => [f, false])]);
  const todo = [...files.keys()];
  while (todo.length) {
    const file = todo.shift();
    if (!file.endsWith('.js')) continue;
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const [, kind, ref] of text.matchAll(REFERENCE)) {
      const dep = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref));
      const loaded = files.get(file) && (kind.startsWith('new URL') || !kind.includes('('));
      if (!files.has(dep) || (loaded && !files.get(dep))) {
        files.set(dep, !!loaded || !!files.get(dep));
        todo.push(dep); // again when it turns out to be loaded after all: so are its imports
      }
    }
  }
  return files;
}

/** Writes dist into outDir; returns {files: [{name, bytes, onDemand}], js, jsOnDemand, wasm, mnist} (byte counts;
 * mnist: whether the data files were copied). The JS budget counts what the widget loads; modules only ever
 * imported on demand are listed apart, as are the MNIST files. */
export function buildDist(outDir, { mnist = true } = {}) {
  const files = [];
  fs.rmSync(outDir, { recursive: true, force: true }); // only our own output directory
  for (const [src, loaded] of collect()) {
    const name = distPath(src);
    const from = path.join(ROOT, src);
    if (!fs.existsSync(from)) throw new Error(`dist: ${src} is missing${src.endsWith('.wasm') ? ' (run make wasm)' : ''}`);
    let body = fs.readFileSync(from);
    if (src.endsWith('.js')) body = Buffer.from(REWRITES.reduce((t, [a, b]) => t.replaceAll(a, b), body.toString('utf8')));
    fs.mkdirSync(path.dirname(path.join(outDir, name)), { recursive: true });
    fs.writeFileSync(path.join(outDir, name), body);
    files.push({ name, bytes: body.length, onDemand: !loaded });
  }
  // Missing data (no `make data` yet) is not an error: only demo="digits" needs it, and a site may give `data`.
  const data = MNIST.map((f) => path.join(ROOT, 'demos/data/generated', f));
  mnist &&= data.every((f) => fs.existsSync(f));
  if (mnist) fs.mkdirSync(path.join(outDir, 'data'));
  for (const [i, from] of data.entries()) {
    if (!mnist) break;
    fs.copyFileSync(from, path.join(outDir, 'data', MNIST[i]));
    files.push({ name: `data/${MNIST[i]}`, bytes: fs.statSync(from).size, onDemand: true });
  }
  const sum = (keep) => files.filter(keep).reduce((s, f) => s + f.bytes, 0);
  return {
    files, mnist, wasm: sum((f) => f.name.endsWith('.wasm')),
    js: sum((f) => f.name.endsWith('.js') && !f.onDemand), jsOnDemand: sum((f) => f.name.endsWith('.js') && f.onDemand),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let out = path.join(ROOT, 'dist'), wasmBudget = true, mnist = true;
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = path.resolve(args[++i]);
    else if (args[i] === '--no-wasm-budget') wasmBudget = false;
    else if (args[i] === '--no-mnist') mnist = false;
    else {
      console.error(`usage: node tools/dist.mjs [--out DIR] [--no-wasm-budget] [--no-mnist] (unknown: ${args[i]})`);
      process.exit(2);
    }
  }
  try {
    const r = buildDist(out, { mnist });
    const rel = path.relative(process.cwd(), out) || '.';
    for (const f of r.files) console.log(`${String(f.bytes).padStart(8)}  ${rel}/${f.name}${f.onDemand ? '  (only on demand)' : ''}`);
    const line = (what, bytes, budget) => `${what}: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB), budget ${budget / 1024} KiB` +
      (bytes > budget ? ` -- OVER by ${bytes - budget} bytes` : '');
    console.log(line('widget JS', r.js, BUDGETS.js) + (r.jsOnDemand ? ` (+ ${r.jsOnDemand} bytes loaded only on demand)` : ''));
    console.log(line('tinytrain.wasm', r.wasm, BUDGETS.wasm) + (wasmBudget ? '' : ' (not enforced: --no-wasm-budget)'));
    if (!r.mnist) console.log(`MNIST for demo="digits" not copied (${mnist ? 'run make data first' : '--no-mnist'}): give such widgets a data folder`);
    const over = r.js > BUDGETS.js || (wasmBudget && r.wasm > BUDGETS.wasm);
    if (over) console.error('dist: over budget (see above)');
    process.exit(over ? 1 : 0);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
