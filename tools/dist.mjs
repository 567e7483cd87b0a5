#!/usr/bin/env node
// `make dist`: writes dist/, everything a site copies to serve the <tiny-train> widget, and checks the budgets of
// DESIGN.md: tinytrain.wasm <= 64 KiB, the widget's JS (loader + API + worker + element + charts) <= 80 KiB,
// uncompressed and unminified (the files are copied as written).
//
// The files are found by following the imports of web/tiny-train.js (static, dynamic and new URL(..., import.meta
// .url) assets), so nothing unused ships and nothing needed is forgotten. dist/ is flat: web/x.js -> dist/x.js,
// web/widget/x.js -> dist/widget/x.js, wasm/tinytrain.{js,wasm} -> dist/; the one import path this changes
// ('../wasm/tinytrain.js' -> './tinytrain.js') is rewritten.
//
// Usage: node tools/dist.mjs [--out DIR] [--no-wasm-budget]   (exit 1 when over a budget; the flag only reports
// the wasm's size, for while the wasm is being shrunk)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUDGETS = Object.freeze({ wasm: 64 * 1024, js: 80 * 1024 });
const ENTRY = 'web/tiny-train.js';
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
  const files = new Map([[entry, true]]);
  const todo = [entry];
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

/** Writes dist into outDir; returns {files: [{name, bytes, onDemand}], js, jsOnDemand, wasm} (byte counts). The
 * JS budget counts what the widget loads; modules only ever imported on demand are listed apart. */
export function buildDist(outDir) {
  const files = [];
  fs.rmSync(outDir, { recursive: true, force: true }); // only our own output directory
  for (const [src, loaded] of collect()) {
    const name = distPath(src);
    const from = path.join(ROOT, src);
    if (!fs.existsSync(from)) throw new Error(`dist: ${src} is missing${src.endsWith('.wasm') ? ' (run make wasm)' : ''}`);
    let body = fs.readFileSync(from);
    if (src.endsWith('.js')) body = Buffer.from(body.toString('utf8').replaceAll("'../wasm/tinytrain.js'", "'./tinytrain.js'"));
    fs.mkdirSync(path.dirname(path.join(outDir, name)), { recursive: true });
    fs.writeFileSync(path.join(outDir, name), body);
    files.push({ name, bytes: body.length, onDemand: !loaded });
  }
  const sum = (keep) => files.filter(keep).reduce((s, f) => s + f.bytes, 0);
  return {
    files, wasm: sum((f) => f.name.endsWith('.wasm')),
    js: sum((f) => f.name.endsWith('.js') && !f.onDemand), jsOnDemand: sum((f) => f.name.endsWith('.js') && f.onDemand),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let out = path.join(ROOT, 'dist'), wasmBudget = true;
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = path.resolve(args[++i]);
    else if (args[i] === '--no-wasm-budget') wasmBudget = false;
    else {
      console.error(`usage: node tools/dist.mjs [--out DIR] [--no-wasm-budget] (unknown: ${args[i]})`);
      process.exit(2);
    }
  }
  try {
    const r = buildDist(out);
    const rel = path.relative(process.cwd(), out) || '.';
    for (const f of r.files) console.log(`${String(f.bytes).padStart(8)}  ${rel}/${f.name}${f.onDemand ? '  (only on demand)' : ''}`);
    const line = (what, bytes, budget) => `${what}: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB), budget ${budget / 1024} KiB` +
      (bytes > budget ? ` -- OVER by ${bytes - budget} bytes` : '');
    console.log(line('widget JS', r.js, BUDGETS.js) + (r.jsOnDemand ? ` (+ ${r.jsOnDemand} bytes loaded only on demand)` : ''));
    console.log(line('tinytrain.wasm', r.wasm, BUDGETS.wasm) + (wasmBudget ? '' : ' (not enforced: --no-wasm-budget)'));
    const over = r.js > BUDGETS.js || (wasmBudget && r.wasm > BUDGETS.wasm);
    if (over) console.error('dist: over budget (see above)');
    process.exit(over ? 1 : 0);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
