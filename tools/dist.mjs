#!/usr/bin/env node
// `make dist`: writes dist/, everything a site copies to serve the <tiny-train> widget, as minified ES modules
// with source maps beside them (esbuild), and checks the budgets on what a reader's browser downloads, gzipped:
//
//   - everything one <tiny-train> loads before its first training step (the element, the worker, the Model API and
//     the code they share, plus tinytrain.wasm): <= 64 KiB;
//   - each part loaded on demand (the digits pad, the CSV reader, ...): <= 32 KiB, counting only what it adds.
//
// Entry points: the element (web/tiny-train.js -> dist/tiny-train.js), the Model API (wasm/tinytrain.js ->
// dist/tinytrain.js) and the training worker (web/runtime/worker.js -> dist/worker.js, which web/runtime/trainer.js starts with
// new URL('./worker.js', import.meta.url)). Every dynamic import() becomes a chunk of its own, and code shared by
// the entries goes into shared chunks; all files sit side by side in dist/, so the relative URLs of the worker and
// of tinytrain.wasm resolve as they do in the sources. Nothing is rewritten: where data lives (MNIST for
// demo="digits") is configuration the element is given.
//
// The MNIST files for demo="digits" (gzipped, 1.6 MB; no budget) are left out unless asked: --mnist copies them into
// dist/data/, the folder the element looks in by default (`make data` makes them). Without them, a site that uses
// demo="digits" copies them itself or points the widget's `data` attribute at a folder holding them. The text
// corpora of demo="text" (words 2.8 MB, prose 6 MB) likewise: --text copies them.
//
// tinytrain-int8.wasm, the full build with int8 inference (Model#quantize), is copied beside tinytrain.wasm as an
// extra outside the budgets: only a page that calls loadTinytrain({ url: INT8_WASM_URL }) fetches it; no widget does.
// INT8_WASM_URL is in int8.js (wasm/int8.js), an entry of its own, so the widget's modules do not carry it.
//
// Beside them: the TypeScript declarations (types/*.d.ts), the iframe embed (embed.html, embed.js), and
// tiny-train.standalone.js (tools/standalone.mjs), the same element with its worker and wasm inside one classic
// script, for pages opened from disk and scripts served from another origin (a page loads either, not both).
//
// Usage: node tools/dist.mjs [--out DIR] [--mnist] [--text]   (exit 1 when over a budget)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildStandalone, STANDALONE } from './standalone.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUDGETS = Object.freeze({ initial: 64 * 1024, onDemand: 32 * 1024 }); // gzipped bytes
const ENTRIES = Object.freeze({
  'tiny-train': 'web/tiny-train.js',
  tinytrain: 'wasm/tinytrain.js',
  worker: 'web/runtime/worker.js',
  int8: 'wasm/int8.js', // INT8_WASM_URL for pages; Model#quantize imports it on demand
  threads: 'wasm/threads.js', // the threaded build's loader, imported on demand by wasm/tinytrain.js
  'thread-helper': 'wasm/thread-helper.js', // the threaded build's helper workers (wasm/threads.js starts them)
});
const ELEMENT = 'tiny-train.js';
const WORKER = 'worker.js';
const WASM = 'wasm/tinytrain.wasm';
const WASM_INT8 = 'wasm/tinytrain-int8.wasm';
const WASM_MT = 'wasm/tinytrain-mt.wasm'; // the threaded build, for cross-origin isolated pages (wasm/threads.js)
// The iframe embed page's script tag for the element, in demos/ and in dist/; embed.js is built on its own, so it
// changes nothing in the widget's chunks.
const EMBED_ELEMENT = '"../web/tiny-train.js"';
const EMBED_BUILD = { entryPoints: ['demos/embed.js'], bundle: true, format: 'esm', target: 'es2022', minify: true,
  sourcemap: 'external', logLevel: 'silent' };
const TYPES = ['tinytrain.d.ts', 'tiny-train.d.ts', 'int8.d.ts']; // types/ -> dist/: the package's TypeScript declarations
const MNIST = ['mnist-train.bin.gz', 'mnist-test.bin.gz']; // from demos/data/generated/ (make data) to dist/data/
// demo="text"'s corpora (web/text/corpus.js), copied when `make data` has made them.
const TEXT_DATA = ['words.json', 'words-train.bin', 'words-heldout.bin', 'prose.json', 'prose-train.txt', 'prose-heldout.txt'];

export const gzipSize = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;

// The widget's markup and style sheet (web/widget/style.js) are template literals indented for people; esbuild keeps
// template literals as they are. Here each run of a line break and indentation in the markup becomes one space,
// which HTML reads the same way (no <pre> or <textarea> there), and the style sheets lose the spaces CSS ignores
// (no strings or url() in them).
const COMPACT_STYLE = {
  name: 'compact-style',
  setup(build) {
    build.onLoad({ filter: /web[\\/]widget[\\/]style\.js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const compact = (literal) => {
        if (/<pre|<textarea|white-space:\s*pre/.test(literal)) throw new Error(`dist: ${args.path}: a <pre> in the markup`);
        // markup: no space either next to a block or flex item (sections, divs, headings, paragraphs, canvases,
        // progress bars, and the buttons and labels of the flex .bar), where HTML renders none
        const block = '(?:section|div|h3|p|canvas|progress|button|label)\\b';
        if (literal.includes('<')) {
          return literal.replace(/\n\s*/g, ' ').replace(new RegExp(`(<\\/?${block}[^>]*>) (?=<)|(>) (?=<\\/?${block})`, 'g'), '$1$2')
            .replace(/^` (?=<)/, '`').replace(/(>) `$/, '$1`');
        }
        // a style sheet: no space is needed around { } ; , or after a colon, nor a rule's last semicolon (outside
        // strings and url(), which it has none of)
        if (/["']|url\(/.test(literal)) {
          throw new Error(`dist: ${args.path}: a string or url() in a style sheet; update compact-style (tools/dist.mjs)`);
        }
        return literal.replace(/\s*([{};,])\s*/g, '$1').replace(/:\s+/g, ':').replaceAll(';}', '}').replace(/^`\s+/, '`');
      };
      return { contents: source.replace(/`[^`]*`/g, compact), loader: 'js' };
    });
  },
};

// The dist files a module needs before it runs: itself and its static imports, transitively. outputs: esbuild's
// metafile outputs keyed by dist name.
function staticClosure(start, outputs, into = new Set()) {
  const todo = [...start];
  while (todo.length) {
    const name = todo.pop();
    if (into.has(name)) continue;
    into.add(name);
    for (const dep of outputs[name]?.imports ?? []) {
      if (dep.kind === 'import-statement' && !dep.external) todo.push(dep.path);
    }
  }
  return into;
}

/**
 * Bundles and minifies into outDir and measures it. Returns {files, initial, parts, mnist}:
 *   files: [{name, bytes, gzip, part}] for every file written (source maps apart), part being 'initial', the
 *     source module of an on-demand part, 'api' (the Model API entry, for pages that import it themselves),
 *     'standalone' (the one-file build), 'embed' (the iframe embed page) or 'data';
 *   initial: {bytes, gzip} of what one widget loads before its first step;
 *   parts: [{name, source, bytes, gzip, files}] per on-demand part (what it adds to the initial files);
 *   mnist: whether the MNIST files were copied (only when asked: {mnist: true}).
 */
export async function buildDist(outDir, { mnist = false, text = false } = {}) {
  const wasmFrom = path.join(ROOT, WASM);
  for (const f of [WASM, WASM_INT8, WASM_MT]) if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`dist: ${f} is missing (run make wasm)`);
  fs.rmSync(outDir, { recursive: true, force: true }); // only our own output directory
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.entries(ENTRIES).map(([out, src]) => ({ in: src, out })),
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'external', // maps beside the files, unnamed in them: their names would cost every reader ~35 bytes a file
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    external: ['node:*'], // the Model API reads the wasm file with node:fs when it runs in Node
    metafile: true,
    logLevel: 'silent',
    plugins: [COMPACT_STYLE],
  });
  fs.copyFileSync(wasmFrom, path.join(outDir, 'tinytrain.wasm'));
  fs.copyFileSync(path.join(ROOT, WASM_INT8), path.join(outDir, 'tinytrain-int8.wasm'));
  fs.copyFileSync(path.join(ROOT, WASM_MT), path.join(outDir, 'tinytrain-mt.wasm'));
  await buildStandalone(outDir, wasmFrom);
  // The iframe embed: demos/embed.html beside the element (its one path to it changed), embed.js minified apart.
  const embedHtml = fs.readFileSync(path.join(ROOT, 'demos/embed.html'), 'utf8');
  if (!embedHtml.includes(EMBED_ELEMENT)) throw new Error(`dist: demos/embed.html no longer loads ${EMBED_ELEMENT}`);
  fs.writeFileSync(path.join(outDir, 'embed.html'), embedHtml.replace(EMBED_ELEMENT, `"${ELEMENT}"`));
  await esbuild.build({ ...EMBED_BUILD, absWorkingDir: ROOT, outdir: outDir });
  for (const f of TYPES) fs.copyFileSync(path.join(ROOT, 'types', f), path.join(outDir, f));

  const outputs = {};
  const sourceOf = {}; // dist name -> the source module a dynamic import or entry names
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    const name = path.relative(outDir, path.join(ROOT, file));
    outputs[name] = { ...meta, imports: meta.imports.map((d) => ({ ...d, path: path.relative(outDir, path.join(ROOT, d.path)) })) };
    if (meta.entryPoint) sourceOf[name] = meta.entryPoint;
  }
  const sizes = (name) => {
    const bytes = fs.readFileSync(path.join(outDir, name));
    return { bytes: bytes.length, gzip: gzipSize(bytes) };
  };
  const sum = (names) => [...names].map(sizes).reduce((s, x) => ({ bytes: s.bytes + x.bytes, gzip: s.gzip + x.gzip }), { bytes: 0, gzip: 0 });

  // What the element loads before its first step: its module graph, the worker's, and the wasm both instantiate.
  // (The element gives its Trainer the Model class it imports, so the Trainer's own import of the Model API, for
  // pages that give none, is not taken.)
  const initialSet = staticClosure([ELEMENT, WORKER], outputs);
  initialSet.add('tinytrain.wasm');
  // Every dynamic import() leading out of that set is a part loaded on demand; it adds its own static closure.
  const partOf = new Map();
  const parts = [];
  const targets = new Set();
  for (const name of Object.keys(outputs)) {
    for (const dep of outputs[name].imports) if (dep.kind === 'dynamic-import' && !dep.external) targets.add(dep.path);
  }
  for (const target of [...targets].sort()) {
    if (initialSet.has(target)) continue;
    const files = [...staticClosure([target], outputs)].filter((f) => !initialSet.has(f));
    const source = sourceOf[target] ?? target;
    for (const f of files) if (!partOf.has(f)) partOf.set(f, source);
    parts.push({ name: target, source, files, ...sum(files) });
  }
  const files = Object.keys(outputs).concat('tinytrain.wasm', 'tinytrain-int8.wasm', 'tinytrain-mt.wasm', STANDALONE, 'embed.html', 'embed.js')
    .sort().map((name) => ({
      name, ...sizes(name),
      part: initialSet.has(name) ? 'initial' : name === STANDALONE ? 'standalone' : name.startsWith('embed.') ? 'embed'
        : name === 'tinytrain-int8.wasm' ? 'int8' : name === 'tinytrain-mt.wasm' || name === 'thread-helper.js' ? 'threads'
        : partOf.get(name) ?? 'api',
  }));

  const data = MNIST.map((f) => path.join(ROOT, 'demos/data/generated', f));
  const missing = data.filter((f) => !fs.existsSync(f));
  if (mnist && missing.length) throw new Error(`dist: --mnist: ${missing.map((f) => path.relative(ROOT, f)).join(', ')} missing (run make data)`);
  if (mnist) {
    fs.mkdirSync(path.join(outDir, 'data'));
    for (const [i, from] of data.entries()) {
      fs.copyFileSync(from, path.join(outDir, 'data', MNIST[i]));
      files.push({ name: `data/${MNIST[i]}`, bytes: fs.statSync(from).size, gzip: null, part: 'data' });
    }
  }
  const corpora = TEXT_DATA.map((f) => path.join(ROOT, 'demos/data/generated', f));
  const absent = corpora.filter((f) => !fs.existsSync(f));
  if (text && absent.length) throw new Error(`dist: --text: ${absent.map((f) => path.relative(ROOT, f)).join(', ')} missing (run make data)`);
  if (text) {
    fs.mkdirSync(path.join(outDir, 'data'), { recursive: true });
    for (const [i, from] of corpora.entries()) {
      fs.copyFileSync(from, path.join(outDir, 'data', TEXT_DATA[i]));
      files.push({ name: `data/${TEXT_DATA[i]}`, bytes: fs.statSync(from).size, gzip: null, part: 'text data' });
    }
  }
  return { files, initial: sum(initialSet), parts, mnist, text };
}

/** The lines `make dist` prints, and whether everything is within budget. */
export function report(built, where = 'dist') {
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const lines = ['     raw    gzip  file'];
  for (const f of built.files) {
    const gz = f.gzip === null ? '       -' : String(f.gzip).padStart(8);
    const what = f.part === 'initial' ? '' : f.part === 'api' ? '  (the Model API for pages)'
      : f.part === 'standalone' ? '  (the one-file build: element, worker and wasm, for file:// and other origins)'
      : f.part === 'embed' ? '  (the iframe embed page)'
      : f.part === 'int8' ? '  (the full build with int8 inference, for pages that load INT8_WASM_URL; no budget)'
      : f.part === 'threads' ? '  (the threaded build, for cross-origin isolated pages; no budget)'
      : f.part === 'data' ? '  (demo="digits" data, no budget)' : f.part === 'text data' ? '  (demo="text" data, no budget)' : `  (on demand: ${f.part})`;
    lines.push(`${String(f.bytes).padStart(8)}${gz}  ${where}/${f.name}${what}`);
  }
  const over = [];
  const line = (what, size, budget) => {
    if (size.gzip > budget) over.push(what);
    return `${what}: ${size.bytes} bytes minified, ${size.gzip} gzipped (${kib(size.gzip)}), budget ${kib(budget)} gzipped` +
      (size.gzip > budget ? ` -- OVER by ${size.gzip - budget} bytes` : '');
  };
  lines.push(line('one <tiny-train> before its first step (JS + wasm)', built.initial, BUDGETS.initial));
  for (const p of built.parts) lines.push(line(`on demand, ${p.source} (${p.files.join(', ')})`, p, BUDGETS.onDemand));
  if (!built.mnist) lines.push('MNIST for demo="digits" not copied (--mnist copies it): give such widgets a data folder');
  if (!built.text) lines.push('The corpora of demo="text" not copied (--text copies them): give such widgets a data folder');
  return { lines, ok: over.length === 0, over };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let out = path.join(ROOT, 'dist'), mnist = false, text = false;
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = path.resolve(args[++i]);
    else if (args[i] === '--mnist') mnist = true;
    else if (args[i] === '--text') text = true;
    else {
      console.error(`usage: node tools/dist.mjs [--out DIR] [--mnist] [--text] (unknown: ${args[i]})`);
      process.exit(2);
    }
  }
  try {
    const built = await buildDist(out, { mnist, text });
    const { lines, ok, over } = report(built, path.relative(process.cwd(), out) || '.');
    console.log(lines.join('\n'));
    if (!ok) console.error(`dist: over budget: ${over.join('; ')}`);
    process.exit(ok ? 0 : 1);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
