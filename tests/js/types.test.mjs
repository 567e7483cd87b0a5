// The package's TypeScript declarations (types/*.d.ts, shipped in dist/ and named by package.json's exports): a
// TypeScript page using the API as the README shows compiles with tsc --strict against the installed package, and
// its @ts-expect-error lines are errors (tests/types/usage.ts); every member of the runtime classes Model and
// Trainer, every attribute the element observes and every event it and Trainer send is declared.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { buildDist } from '../../tools/dist.mjs';
import { Model } from '../../wasm/tinytrain.js';
import { Trainer } from '../../web/runtime/trainer.js';
import { ATTRIBUTES } from '../../web/widget/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = path.join(ROOT, 'tests/artifacts/types-site'); // a TypeScript project with the package installed
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

test('a TypeScript page using the README\'s API compiles with tsc --strict against the installed package', async () => {
  fs.rmSync(SITE, { recursive: true, force: true });
  const pkg = path.join(SITE, 'node_modules/tinytrain');
  await buildDist(path.join(pkg, 'dist'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.copyFileSync(path.join(ROOT, 'tests/types/usage.ts'), path.join(SITE, 'usage.ts'));
  fs.writeFileSync(path.join(SITE, 'package.json'), JSON.stringify({ name: 'types-site', private: true, type: 'module' }));
  fs.writeFileSync(path.join(SITE, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      lib: ['es2022', 'dom', 'dom.iterable'], types: [], skipLibCheck: false },
    files: ['usage.ts'],
  }));
  const { code, out } = await new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', SITE], { cwd: SITE, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? err.code ?? 1 : 0, out: stdout + stderr }));
  });
  assert.equal(code, 0, `tsc found errors:\n${out}`);
  // The declarations were found through the exports, not by accident: without them the imports do not resolve.
  for (const f of ['tinytrain.d.ts', 'tiny-train.d.ts']) fs.rmSync(path.join(pkg, 'dist', f));
  const missing = await new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', SITE], { cwd: SITE, timeout: 120_000 }, (err, stdout) => resolve(stdout));
  });
  assert.match(missing, /Could not find a declaration file for module 'tinytrain'/);
});

// The members a class declaration in a .d.ts names: {statics, instance} sets.
function declared(file, className) {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, 'types', file), 'utf8'), ts.ScriptTarget.ES2022);
  const found = { statics: new Set(), instance: new Set() };
  const visit = (node) => {
    if (ts.isClassDeclaration(node) && node.name?.text === className) {
      for (const m of node.members) {
        if (!m.name || ts.isConstructorDeclaration(m)) continue;
        const isStatic = ts.getModifiers(m)?.some((k) => k.kind === ts.SyntaxKind.StaticKeyword);
        found[isStatic ? 'statics' : 'instance'].add(m.name.getText(source));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

// The property names of an interface declared in a .d.ts.
function keysOf(file, name) {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, 'types', file), 'utf8'), ts.ScriptTarget.ES2022);
  const decl = source.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === name);
  assert.ok(decl, `${file} declares no interface ${name}`);
  return decl.members.filter((m) => m.name).map((m) => m.name.getText(source).replace(/^'|'$/g, '')).sort();
}

const runtimeMembers = (cls) => ({
  statics: Object.getOwnPropertyNames(cls).filter((n) => !['length', 'name', 'prototype'].includes(n)),
  instance: Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== 'constructor' && !n.startsWith('_')),
});

test('every static and instance member of Model and every method of Trainer is declared', () => {
  const model = declared('tinytrain.d.ts', 'Model');
  const runtime = runtimeMembers(Model);
  for (const n of runtime.statics) assert.ok(model.statics.has(n), `Model.${n} is not in types/tinytrain.d.ts`);
  for (const n of runtime.instance) assert.ok(model.instance.has(n), `Model#${n} is not in types/tinytrain.d.ts`);
  for (const n of model.statics) assert.ok(runtime.statics.includes(n), `types/tinytrain.d.ts declares Model.${n}, which does not exist`);
  const trainer = declared('tiny-train.d.ts', 'Trainer');
  for (const n of runtimeMembers(Trainer).instance) assert.ok(trainer.instance.has(n), `Trainer#${n} is not in types/tiny-train.d.ts`);
});

test('the element\'s attributes and the events of the element and of Trainer are the declared ones', () => {
  assert.deepEqual(keysOf('tiny-train.d.ts', 'TinyTrainAttributes'), [...ATTRIBUTES, 'label'].sort());
  // The event names the sources send: this.#emit('x' in the element, emit('x' in its panels (web/widget/).
  const emitted = (files, call) => [...new Set(files.flatMap((file) => [...fs.readFileSync(path.join(ROOT, file), 'utf8')
    .matchAll(new RegExp(`${call}\\('([a-z]+)'`, 'g'))].map((m) => m[1])))].sort();
  const panels = fs.readdirSync(path.join(ROOT, 'web/widget')).map((f) => `web/widget/${f}`);
  assert.deepEqual(keysOf('tiny-train.d.ts', 'TinyTrainEventDetails'), emitted(['web/tiny-train.js', ...panels], '\\bemit'));
  assert.deepEqual(keysOf('tiny-train.d.ts', 'TrainerEventDetails'), emitted(['web/runtime/trainer.js'], '_emit'));
});
