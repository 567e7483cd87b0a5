// The one-file build, dist/tiny-train.standalone.js: the element, its worker and tinytrain.wasm in one classic
// script, for pages opened from disk (file://, where browsers refuse module scripts) and for a script served from
// another origin (a CDN, from which browsers refuse to start a worker). `make dist` writes it (tools/dist.mjs).
//
//   <script src="tiny-train.standalone.js"></script>  <tiny-train demo="circles"></tiny-train>
//
// Two modules of the sources are swapped for their one-file versions, with the same exports:
//   - wasm/fetch-module.js: compiles the wasm bytes the file carries (base64), instead of fetching tinytrain.wasm;
//   - web/runtime/start-worker.js: starts the worker from a blob: URL made from the worker's bundle, which the file
//     carries as text, instead of fetching worker.js. The worker gets the same wasm bytes (one copy in the file).
// Everything loaded on demand elsewhere (the digits pad, the CSV reader) is inside. `import.meta.url` becomes the
// script's own URL (document.currentScript), so relative defaults (the digits' data/ folder) stay beside it.
// CSP: the page needs `script-src` for wherever the file is, `'wasm-unsafe-eval'` and `worker-src blob:`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const STANDALONE = 'tiny-train.standalone.js';
const FETCH_MODULE = path.join(ROOT, 'wasm/fetch-module.js');
const START_WORKER = path.join(ROOT, 'web/runtime/start-worker.js');

// Decodes the base64 wasm (a string expression) and compiles it.
const compileBase64 = (expr) => `export async function fetchModule() {
  return WebAssembly.compile(Uint8Array.from(atob(${expr}), (c) => c.charCodeAt(0)));
}`;

// Loads the given files' contents instead of theirs ({absolute path: source}).
const swap = (modules) => ({
  name: 'tinytrain-standalone',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => (args.path in modules
      ? { contents: modules[args.path], loader: 'js', resolveDir: path.dirname(args.path) }
      : undefined));
  },
});

const common = {
  absWorkingDir: ROOT, bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022',
  minify: true, external: ['node:*'], logLevel: 'silent', define: { 'import.meta.url': '__ttBase' },
};

/** Writes outDir/tiny-train.standalone.js from the sources and wasmFile; returns its path. */
export async function buildStandalone(outDir, wasmFile = path.join(ROOT, 'wasm/tinytrain.wasm')) {
  const wasmBase64 = fs.readFileSync(wasmFile).toString('base64');
  // The worker: __ttWasm and __ttBase are set by the lines the page puts before it in the blob.
  const worker = await esbuild.build({
    ...common, entryPoints: ['web/runtime/worker.js'],
    plugins: [swap({ [FETCH_MODULE]: compileBase64('__ttWasm') })],
  });
  const workerSource = worker.outputFiles[0].text;
  // The page's side: the element (it defines itself), its Model API and Trainer.
  const startWorker = `import { WASM_BASE64 } from ${JSON.stringify(FETCH_MODULE)};
const WORKER_SOURCE = ${JSON.stringify(workerSource)};
let url = null; // one blob for every widget of the page
const REFUSED = "this page's Content-Security-Policy refuses workers from blob: URLs (it needs worker-src blob:)";
export function startWorker(threads) { // its name says how many threads it trains on: web/runtime/start-worker.js
  url ??= URL.createObjectURL(new Blob(['var __ttWasm="', WASM_BASE64, '",__ttBase=', JSON.stringify(__ttBase), ';\\n',
    WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: threads });
  // The script is in memory, so a worker that fails before its first word without a message was refused (CSP):
  // the Trainer, listening after this, hears that reason instead of a bare error.
  let heard = false;
  worker.addEventListener('message', () => { heard = true; }, { once: true });
  worker.addEventListener('error', (e) => {
    if (heard || e.message) return;
    e.stopImmediatePropagation();
    worker.dispatchEvent(new ErrorEvent('error', { message: REFUSED }));
  }, { once: true });
  return worker;
}`;
  const page = await esbuild.build({
    ...common, entryPoints: ['web/tiny-train.js'],
    plugins: [swap({
      [FETCH_MODULE]: `export const WASM_BASE64 = ${JSON.stringify(wasmBase64)};\n${compileBase64('WASM_BASE64')}`,
      [START_WORKER]: startWorker,
    })],
    // The script's URL, read while it runs (later document.currentScript is another script or null); in Node
    // (a server-side renderer importing it) there is none.
    banner: { js: '(() => { var __ttBase = typeof document < "u" && document.currentScript?.src || "file:///";' },
    footer: { js: '})();' },
  });
  const out = path.join(outDir, STANDALONE);
  fs.writeFileSync(out, page.outputFiles[0].text);
  return out;
}
