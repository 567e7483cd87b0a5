// Server-side rendering (Docusaurus, VitePress, Astro...) and bundlers' prerendering import every module in Node,
// where there is no DOM: every module `make dist` writes, and every entry of the package's `exports`, imports in
// plain Node without throwing, without adding globals, without registering anything and without keeping Node
// alive (no timer, worker or socket left behind), and without loading the wasm. Where customElements exists, the element defines itself.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildDist } from '../../tools/dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = path.join(ROOT, 'tests/artifacts/ssr-site'); // SITE/node_modules/tinytrain: the package as installed
const PKG = path.join(SITE, 'node_modules/tinytrain');
let specifiers; // every module to import, as a package specifier ('tinytrain', 'tinytrain/dist/worker.js', ...)

test.before(async () => {
  fs.rmSync(SITE, { recursive: true, force: true });
  await buildDist(path.join(PKG, 'dist'), { mnist: false });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(PKG, 'package.json'));
  fs.writeFileSync(path.join(SITE, 'package.json'), JSON.stringify({ name: 'ssr-site', private: true, type: 'module' }));
  const { exports } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const named = Object.entries(exports).map(([sub, target]) => [sub, target.default ?? target])
    .filter(([, file]) => file.endsWith('.js') && !file.includes('*')).map(([sub]) => path.posix.join('tinytrain', sub));
  const distFiles = fs.readdirSync(path.join(PKG, 'dist')).filter((f) => f.endsWith('.js')).map((f) => `tinytrain/dist/${f}`);
  specifiers = [...named, ...distFiles];
});

// Runs `code` as an ES module in a fresh Node inside SITE; resolves with its stdout parsed as JSON.
function runNode(code) {
  return new Promise((resolve, reject) => {
    const file = path.join(SITE, `run-${process.hrtime.bigint()}.mjs`);
    fs.writeFileSync(file, code);
    execFile(process.execPath, [file], { cwd: SITE, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.killed ? 'did not exit within 60 s (something keeps Node alive)' : err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

test('every dist module and package export imports in plain Node: no throw, no globals, Node exits', async () => {
  assert.ok(specifiers.includes('tinytrain') && specifiers.includes('tinytrain/tiny-train.js'), specifiers.join(', '));
  assert.ok(specifiers.includes('tinytrain/dist/worker.js') && specifiers.length >= 6, specifiers.join(', '));
  const result = await runNode(`
const before = new Set(Reflect.ownKeys(globalThis).map(String));
const failures = {};
for (const s of ${JSON.stringify(specifiers)}) {
  try { await import(s); } catch (e) { failures[s] = String(e && e.stack || e); }
}
const added = Reflect.ownKeys(globalThis).map(String).filter((k) => !before.has(k));
const { Model } = await import('tinytrain');
console.log(JSON.stringify({ failures, added, dom: typeof HTMLElement, registry: typeof customElements,
  wasmBytes: Model.memoryBytes() }));
`);
  assert.deepEqual(result.failures, {}, 'modules threw at import');
  assert.deepEqual(result.added, [], 'modules added globals');
  assert.equal(result.dom, 'undefined');
  assert.equal(result.registry, 'undefined');
  assert.equal(result.wasmBytes, 0, 'a module loaded the wasm at import (the layer list comes from web/layer-types.js)');
});

test('the element module defines <tiny-train> where customElements exists, once, and the Model API still works', async () => {
  const result = await runNode(`
const defined = [];
globalThis.HTMLElement = class {};
globalThis.customElements = { get: (name) => defined.find((d) => d[0] === name)?.[1], define: (name, cls) => defined.push([name, cls]) };
const { TinyTrain } = await import('tinytrain/tiny-train.js');
await import('tinytrain/dist/tiny-train.js'); // the same module: no second definition
const { Model } = await import('tinytrain');
const m = await Model.create({ input: [2], layers: [{ type: 'dense', units: 2 }], loss: 'cross_entropy' });
console.log(JSON.stringify({ names: defined.map((d) => d[0]), same: defined[0]?.[1] === TinyTrain,
  extendsBase: TinyTrain.prototype instanceof HTMLElement, outputs: m.outputSize }));
`);
  assert.deepEqual(result, { names: ['tiny-train'], same: true, extendsBase: true, outputs: 2 });
});
