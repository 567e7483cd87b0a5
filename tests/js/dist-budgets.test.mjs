// `make dist` (tools/dist.mjs) in Node: the budgets on what a reader's browser downloads, minified and gzipped
// (everything one <tiny-train> loads before its first step, JS + wasm, <= 64 KiB; each part loaded on demand
// <= 32 KiB), which parts load on demand, and that dist/ is minified ES modules with source maps beside them that
// reach nothing outside dist/. The browser side (the built widget trains) is tests/e2e/dist.test.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDist, report, BUDGETS } from '../../tools/dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'tests/artifacts/dist-budgets');
let built;

test.before(async () => {
  built = await buildDist(OUT, { mnist: false });
  console.log(report(built, 'dist').lines.join('\n'));
});

const table = () => built.files.map((f) => `${f.name} ${f.bytes}/${f.gzip} (${f.part})`).join(', ');

test('one <tiny-train> loads at most 64 KiB gzipped (JS + wasm) before its first training step', () => {
  assert.equal(BUDGETS.initial, 64 * 1024);
  const initial = built.files.filter((f) => f.part === 'initial').map((f) => f.name);
  for (const f of ['tiny-train.js', 'worker.js', 'tinytrain.wasm']) assert.ok(initial.includes(f), `${f} is not counted: ${table()}`);
  // The element hands its Trainer the Model class it imports: the Model API's entry file is for pages that use it.
  assert.ok(!initial.includes('tinytrain.js'), table());
  assert.ok(built.initial.gzip <= BUDGETS.initial, `${built.initial.gzip} bytes gzipped, ${built.initial.gzip - BUDGETS.initial} over: ${table()}`);
});

test('the digits pad, the MNIST loader, the CSV reader, the src loader, the text demo, the cost panel, the plain words (legend, glossary, overfitting hint), the serving measurement, int8 quantizing, threads and the regression curve load on demand, each within 32 KiB gzipped', () => {
  const sources = built.parts.map((p) => p.source).sort();
  assert.deepEqual(sources, ['wasm/int8.js', 'wasm/serving.js', 'wasm/threads.js', 'wasm/tinytrain.js', 'web/mnist-load.js', 'web/runtime/text-data.js', 'web/text/corpus.js',
    'web/views/plot.js', 'web/widget/costs.js', 'web/widget/csv.js', 'web/widget/digits.js', 'web/widget/source.js', 'web/widget/teach.js', 'web/widget/text.js'], table());
  for (const p of built.parts) {
    assert.ok(p.gzip <= BUDGETS.onDemand, `${p.source}: ${p.gzip} bytes gzipped, ${p.gzip - BUDGETS.onDemand} over`);
    for (const f of p.files) assert.notEqual(built.files.find((x) => x.name === f).part, 'initial', `${f} counted twice`);
  }
});

// The full build (int8 inference) ships beside the default module for pages that quantize; no widget loads it.
test('tinytrain-int8.wasm is copied beside tinytrain.wasm, outside the budgets, and no widget module refers to it', () => {
  const int8 = built.files.find((f) => f.name === 'tinytrain-int8.wasm');
  assert.ok(int8 && int8.part === 'int8', table());
  assert.ok(fs.existsSync(path.join(OUT, 'tinytrain-int8.wasm')));
  const initialJs = built.files.filter((f) => f.part === 'initial' && f.name.endsWith('.js'));
  for (const f of initialJs) {
    assert.ok(!fs.readFileSync(path.join(OUT, f.name), 'utf8').includes('tinytrain-int8'), `${f.name} names the int8 build`);
  }
  assert.ok(fs.readFileSync(path.join(OUT, 'int8.js'), 'utf8').includes('tinytrain-int8.wasm'));
});

// The threaded build and its helper ship beside the default module for cross-origin isolated pages; only the
// threads part (on demand) names them.
test('tinytrain-mt.wasm and thread-helper.js ship outside the budgets; no initial module names them', () => {
  for (const name of ['tinytrain-mt.wasm', 'thread-helper.js']) {
    assert.equal(built.files.find((f) => f.name === name)?.part, 'threads', table());
  }
  for (const f of built.files.filter((x) => x.part === 'initial' && x.name.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(OUT, f.name), 'utf8');
    assert.ok(!/tinytrain-mt|thread-helper/.test(text), `${f.name} names the threaded build`);
  }
  assert.match(fs.readFileSync(path.join(OUT, 'threads.js'), 'utf8'), /tinytrain-mt\.wasm[^]*thread-helper\.js|thread-helper\.js[^]*tinytrain-mt\.wasm/);
});

test('report() fails a build over either budget and names what is over', () => {
  assert.equal(report(built).ok, true);
  const big = { ...built, initial: { bytes: 1, gzip: BUDGETS.initial + 1 } };
  assert.deepEqual(report(big).over, ['one <tiny-train> before its first step (JS + wasm)']);
  const part = { ...built, parts: [{ ...built.parts[0], gzip: BUDGETS.onDemand + 1 }] };
  assert.equal(report(part).ok, false);
  assert.match(report(part).over[0], /^on demand, /);
});

test('dist/ is minified ES modules with a source map beside each, importing only files inside dist/', () => {
  // (the one-file build is a classic script that imports nothing: tests/e2e/standalone.test.mjs)
  for (const f of built.files.filter((x) => x.name.endsWith('.js') && x.part !== 'standalone')) {
    const text = fs.readFileSync(path.join(OUT, f.name), 'utf8');
    assert.ok(fs.existsSync(path.join(OUT, `${f.name}.map`)), `${f.name}.map missing`);
    // unnamed in the file: a reader downloads no map name (DevTools' "Add source map" loads the map)
    assert.doesNotMatch(text, /sourceMappingURL/);
    // Minified: no comments left (template literals of markup and CSS keep their lines), code on long lines.
    const lines = text.split('\n');
    assert.ok(!lines.slice(0, -1).some((l) => /^\s*\/[/*]/.test(l)), `${f.name} keeps comments`);
    assert.ok(text.length < 1000 || Math.max(...lines.map((l) => l.length)) > 1000, `${f.name} does not look minified`);
    // import{...}from"x", import"x", import("x"): not the word "from" before a quote in a message
    const refs = [...text.matchAll(/(?:\}\s*from\s*|\bimport\s*\(?\s*)["']([^"']+)["']|new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url/g)];
    for (const ref of refs.map((m) => m[1] ?? m[2])) {
      if (ref.startsWith('node:')) continue; // the Model API reads the wasm with node:fs in Node only
      assert.match(ref, /^(\.\/)?[\w.-]+\/?$/, `${f.name} refers to ${ref}`);
      if (ref.endsWith('/')) continue; // a folder: the digits data's default, dist/data/
      assert.ok(fs.existsSync(path.join(OUT, ref)), `${f.name} refers to ${ref}, which is not in dist/`);
    }
    assert.ok(!/demos\/data/.test(text), `${f.name} knows the demos' data path`);
  }
});
