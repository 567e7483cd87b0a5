// `make dist` (tools/dist.mjs) and what it ships: the gzipped budgets (README, "Budgets"; the accounting is checked
// in Node by tests/js/dist-budgets.test.mjs, and here against what Chromium really fetches), a site served by a
// plain static server (`python3 -m http.server` in dist's parent, no special headers), and `npm pack` giving a
// package that Node can install and import. Builds into tests/artifacts/dist-site/ so the repository's own dist/ is left alone.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS, ARTIFACTS, openPage, waitForValue } from './helpers.mjs';
import { buildDist, BUDGETS } from '../../tools/dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = path.join(ARTIFACTS, 'dist-site'); // SITE/dist/ + SITE/index.html, like a documentation site
let built;

test.before(async () => {
  fs.rmSync(SITE, { recursive: true, force: true });
  fs.mkdirSync(SITE, { recursive: true });
  built = await buildDist(path.join(SITE, 'dist'));
});

const table = () => built.files.map((f) => `${f.name} ${f.bytes} bytes, ${f.gzip} gzipped (${f.part})`).join('; ');

test('dist/ holds the element, the Model API, the wasm and the worker, as minified modules with source maps', () => {
  const names = built.files.map((f) => f.name);
  for (const f of ['tiny-train.js', 'tinytrain.js', 'tinytrain.wasm', 'worker.js']) {
    assert.ok(names.includes(f), `${f} missing from dist: ${names.join(', ')}`);
    if (f.endsWith('.js')) assert.ok(fs.existsSync(path.join(SITE, 'dist', `${f}.map`)), `${f}.map missing`);
  }
  for (const f of built.files.filter((x) => x.name.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(SITE, 'dist', f.name), 'utf8');
    assert.ok(!text.includes('../wasm/'), `${f.name} still imports from ../wasm/`);
  }
});

test('one widget loads at most 64 KiB gzipped (JS + wasm) before its first step; each on-demand part at most 32 KiB', () => {
  assert.ok(built.initial.gzip <= BUDGETS.initial && BUDGETS.initial === 64 * 1024,
    `the widget loads ${built.initial.gzip} bytes gzipped before its first step, over ${BUDGETS.initial}: ${table()}`);
  for (const p of built.parts) assert.ok(p.gzip <= BUDGETS.onDemand, `${p.source}: ${p.gzip} bytes gzipped, over ${BUDGETS.onDemand}`);
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

test('dist/ works from a plain static server (python3 -m http.server in its parent)', async () => {
  // The site's own files: a page with a widget, and a script using the Model API from dist/tinytrain.js.
  fs.writeFileSync(path.join(SITE, 'index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>a docs site</title><link rel="icon" href="icon.svg">
<script type="module" src="dist/tiny-train.js"></script><script type="module" src="site.js"></script></head>
<body><p>Some prose.</p><tiny-train id="w" demo="xor" steps="400" autoplay></tiny-train></body></html>`);
  fs.writeFileSync(path.join(SITE, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>');
  fs.writeFileSync(path.join(SITE, 'site.js'), `import { Model } from './dist/tinytrain.js';
const m = await Model.create({ input: [2], layers: [{ type: 'dense', units: 3 }], loss: 'cross_entropy' });
document.body.dataset.outputs = String(m.predict(new Float32Array([0.5, -0.5])).length);
document.getElementById('w').addEventListener('trained', (e) => { document.body.dataset.accuracy = String(e.detail.testAccuracy); });`);
  const port = await freePort();
  const py = spawn('/usr/bin/python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', SITE], { stdio: 'ignore' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
  try {
    const { page, context, errors } = await openPage(browser);
    const fetched = new Set(); // dist files the page and the widget's worker request
    context.on('request', (r) => { const p = new URL(r.url()).pathname; if (p.startsWith('/dist/')) fetched.add(p.slice(6)); });
    for (let i = 0; ; i++) { // python needs a moment to listen
      try { await page.goto(`http://127.0.0.1:${port}/index.html`); break; } catch (e) { if (i > 40) throw e; await page.waitForTimeout(100); }
    }
    const acc = await waitForValue(page, () => document.body.dataset.accuracy, null, { timeoutMs: 20000, what: 'the widget to train' });
    assert.ok(Number(acc) >= 0.9, `xor test accuracy ${acc}`);
    assert.equal(await page.evaluate(() => document.body.dataset.outputs), '3', 'the Model API from dist/tinytrain.js');
    assert.deepEqual(errors, []);
    // What the budget counts as loaded before the first step is what a widget fetches, and after its first step
    // the plain words (web/widget/teach.js, on demand); the page's own script imports dist/tinytrain.js, the Model
    // API's entry, which the widget does not.
    const initial = built.files.filter((f) => f.part === 'initial').map((f) => f.name).sort();
    const teach = built.parts.find((p) => p.source === 'web/widget/teach.js').files;
    // the plain words are imported at the first progress event: a short run may end while their files still load
    for (let i = 0; i < 100 && !teach.every((f) => fetched.has(f)); i++) await page.waitForTimeout(100);
    assert.deepEqual([...fetched].filter((f) => !f.endsWith('.map')).sort(), [...initial, 'tinytrain.js', ...teach].sort());
  } finally {
    await browser.close();
    py.kill();
  }
});

// int8 serving from dist/: a page loads the full build (INT8_WASM_URL from dist/int8.js) before its first model and
// before it imports the element, as the README says, and quantizes; a widget on the same page still trains, its
// worker on the default module; a page that did not load the full build is told which module to load, and its
// model works on.
test('a page served from dist/ quantizes on tinytrain-int8.wasm beside a widget; without it, quantize says what to load', async () => {
  fs.writeFileSync(path.join(SITE, 'int8.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>int8</title><link rel="icon" href="icon.svg">
<script type="module" src="int8-site.js"></script></head>
<body><tiny-train id="w" demo="xor" steps="400" autoplay></tiny-train></body></html>`);
  fs.writeFileSync(path.join(SITE, 'int8-site.js'), `import { Model, loadTinytrain } from './dist/tinytrain.js';
import { INT8_WASM_URL } from './dist/int8.js';
const full = new URLSearchParams(location.search).has('full');
if (full) await loadTinytrain({ url: INT8_WASM_URL });
await import('./dist/tiny-train.js');
const m = await Model.create({ input: [2], layers: [{ type: 'dense', units: 16 }, { type: 'tanh' }, { type: 'dense', units: 2 }],
  loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.05 }, seed: 3 });
const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), y = new Int32Array([0, 1, 1, 0]);
m.fit(x, y, { epochs: 300, batchSize: 4 });
const result = { f32: m.evaluate(x, y).accuracy };
try {
  const q = await m.quantize('int8');
  result.int8 = q.evaluate(x, y).accuracy;
  try { q.trainSteps(1, 4); } catch (e) { result.refused = e.message; }
} catch (e) { result.error = e.message; }
result.after = m.evaluate(x, y).accuracy; // the original works on either way
document.body.dataset.result = JSON.stringify(result);
document.getElementById('w').addEventListener('trained', (e) => { document.body.dataset.accuracy = String(e.detail.testAccuracy); });`);
  if (!fs.existsSync(path.join(SITE, 'icon.svg'))) {
    fs.writeFileSync(path.join(SITE, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>');
  }
  const port = await freePort();
  const py = spawn('/usr/bin/python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', SITE], { stdio: 'ignore' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
  try {
    for (const full of [true, false]) {
      const { page, context, errors } = await openPage(browser);
      const fetched = []; // wasm modules fetched by the page and the widget's worker
      context.on('request', (r) => { const p = new URL(r.url()).pathname; if (p.endsWith('.wasm')) fetched.push(p.slice(6)); });
      for (let i = 0; ; i++) { // python needs a moment to listen
        try { await page.goto(`http://127.0.0.1:${port}/int8.html${full ? '?full' : ''}`); break; } catch (e) { if (i > 40) throw e; await page.waitForTimeout(100); }
      }
      const result = JSON.parse(await waitForValue(page, () => document.body.dataset.result, null, { timeoutMs: 20000, what: 'the page to quantize' }));
      const acc = await waitForValue(page, () => document.body.dataset.accuracy, null, { timeoutMs: 20000, what: 'the widget to train' });
      assert.ok(Number(acc) >= 0.9, `the widget beside it: xor test accuracy ${acc}`);
      assert.equal(result.f32, 1, JSON.stringify(result));
      assert.equal(result.after, 1, JSON.stringify(result));
      if (full) {
        assert.equal(result.int8, 1, `the quantized model: ${JSON.stringify(result)}`);
        assert.equal(result.refused, 'this model is quantized to int8 for inference; train the original');
        // the page fetched the full build, the widget's worker the default one
        assert.deepEqual(fetched.sort(), ['tinytrain-int8.wasm', 'tinytrain.wasm'], fetched.join(', '));
      } else {
        assert.match(result.error, /^quantize: this build of tinytrain has no int8 kernels; load tinytrain-int8\.wasm with `await loadTinytrain\(\{ url: INT8_WASM_URL \}\)`/);
        assert.deepEqual(fetched, ['tinytrain.wasm', 'tinytrain.wasm'], fetched.join(', '));
      }
      assert.deepEqual(errors, []);
      await page.close();
    }
  } finally {
    await browser.close();
    py.kill();
  }
});

test('npm pack gives a package that installs and imports (exports: ".", "./tiny-train.js", "./int8.js", the two wasm builds)', () => {
  // Pack a copy of the package with the fresh dist/, so the repository's own dist/ does not matter.
  const pkg = path.join(SITE, 'pkg');
  fs.mkdirSync(pkg, { recursive: true });
  for (const f of ['package.json', 'README.md', 'LICENSE']) fs.copyFileSync(path.join(ROOT, f), path.join(pkg, f));
  fs.cpSync(path.join(SITE, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', SITE], { cwd: pkg, encoding: 'utf8' }));
  const files = info.files.map((f) => f.path);
  for (const f of ['dist/tiny-train.js', 'dist/tinytrain.js', 'dist/tinytrain.wasm', 'dist/worker.js', 'dist/int8.js',
    'dist/tinytrain-int8.wasm', 'package.json']) {
    assert.ok(files.includes(f), `${f} not in the package: ${files.join(', ')}`);
  }
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('tests/')), 'sources or tests were packed');
  // Install it the way npm would (unpack into node_modules/tinytrain) and import it through its exports.
  const site = path.join(SITE, 'node-site');
  const mod = path.join(site, 'node_modules', 'tinytrain');
  fs.mkdirSync(mod, { recursive: true });
  execFileSync('tar', ['xzf', path.join(SITE, info.filename), '-C', mod, '--strip-components=1']);
  // The site's own package.json stops Node from resolving 'tinytrain' to the repository itself (package
  // self-reference), which would pass only where the repository's dist/ happens to exist.
  fs.writeFileSync(path.join(site, 'package.json'), JSON.stringify({ name: 'docs-site', private: true, type: 'module' }));
  fs.writeFileSync(path.join(site, 'check.mjs'), `import { Model, loadTinytrain } from 'tinytrain';
import { INT8_WASM_URL } from 'tinytrain/int8.js';
await loadTinytrain({ url: INT8_WASM_URL });
const m = await Model.create({ input: [2], layers: [{ type: 'dense', units: 2 }], loss: 'cross_entropy' });
const q = await m.quantize('int8');
const wasm = import.meta.resolve('tinytrain/tinytrain.wasm');
const int8 = import.meta.resolve('tinytrain/tinytrain-int8.wasm');
const widget = import.meta.resolve('tinytrain/tiny-train.js');
console.log(JSON.stringify({ outputs: m.outputSize, quantized: q.outputSize, wasm: wasm.endsWith('/dist/tinytrain.wasm'),
  int8: int8 === INT8_WASM_URL.href, widget: widget.endsWith('/dist/tiny-train.js') }));`);
  const out = JSON.parse(execFileSync(process.execPath, [path.join(site, 'check.mjs')], { cwd: site, encoding: 'utf8' }));
  assert.deepEqual(out, { outputs: 2, quantized: 2, wasm: true, int8: true, widget: true });
});
