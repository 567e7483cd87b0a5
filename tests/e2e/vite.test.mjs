// A bundler between the package and the reader: `npm pack` of a fresh dist/, the tarball installed (offline) into
// a scratch Vite app whose one line is `import 'tinytrain/tiny-train.js'` (plus worker.format 'es' in its config),
// `vite build` (vite, a pinned dev dependency), and the built site served by a plain static server. Vite rewrites
// `new URL('./tinytrain.wasm', import.meta.url)` and `new Worker(new URL('./worker.js', import.meta.url))` into its
// own hashed assets: the widget must still find both, train in Chromium and predict on the page.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM, LAUNCH_ARGS, ARTIFACTS, openPage, waitForValue } from './helpers.mjs';
import { startServer } from '../../tools/serve.mjs';
import { buildDist } from '../../tools/dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORK = path.join(ARTIFACTS, 'vite');
const APP = path.join(WORK, 'app');

// The app as docs/embedding.md's Vite recipe writes it.
const APP_FILES = {
  'package.json': JSON.stringify({ name: 'vite-docs', private: true, type: 'module' }),
  'vite.config.js': `export default { worker: { format: 'es' }, logLevel: 'warn' };\n`,
  'index.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vite docs</title>
<link rel="icon" href="data:,"><script type="module" src="/main.js"></script></head>
<body><p>Some prose.</p><tiny-train id="w" demo="circles" steps="400" autoplay></tiny-train></body></html>`,
  'main.js': `import 'tinytrain/tiny-train.js';
window.ttLog = [];
for (const type of ['ready', 'trained', 'error']) {
  document.addEventListener(type, (e) => { if (e.target.localName === 'tiny-train') window.ttLog.push({ type, ...e.detail }); });
}
`,
};

let browser, server, out;

test.before(async () => {
  fs.rmSync(WORK, { recursive: true, force: true });
  // The package, packed from a copy with a fresh dist/.
  const pkg = path.join(WORK, 'pkg');
  await buildDist(path.join(pkg, 'dist'));
  for (const f of ['package.json', 'README.md', 'LICENSE']) fs.copyFileSync(path.join(ROOT, f), path.join(pkg, f));
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', WORK], { cwd: pkg, encoding: 'utf8' }));
  fs.mkdirSync(APP, { recursive: true });
  for (const [name, text] of Object.entries(APP_FILES)) fs.writeFileSync(path.join(APP, name), text);
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-save', path.join(WORK, info.filename)],
    { cwd: APP, stdio: 'pipe' });
  out = path.join(APP, 'dist');
  await build({ root: APP, configFile: path.join(APP, 'vite.config.js'), build: { outDir: out, emptyOutDir: true } });
  server = await startServer({ root: out, port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
});

test.after(async () => {
  await browser?.close();
  await server?.close();
});

test('vite build ships the wasm and the worker as its own assets, and the widget trains and predicts from them', async () => {
  const assets = fs.readdirSync(path.join(out, 'assets'));
  assert.ok(assets.some((f) => /^tinytrain-.*\.wasm$/.test(f)), `no wasm among Vite's assets: ${assets.join(', ')}`);
  assert.ok(assets.some((f) => /^worker-.*\.js$/.test(f)), `no worker among Vite's assets: ${assets.join(', ')}`);

  const { page, context, errors } = await openPage(browser, { viewport: { width: 1000, height: 900 } });
  const requests = [];
  context.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${server.origin}/index.html`);
  const trained = await waitForValue(page, () => window.ttLog.find((e) => e.type === 'trained' || e.type === 'error'),
    null, { timeoutMs: 60000, what: 'the widget built by Vite to train' });
  assert.equal(trained.type, 'trained', `the widget failed: ${trained.message}`);
  assert.equal(trained.step, 400);
  assert.ok(trained.testAccuracy >= 0.9, `test accuracy ${trained.testAccuracy}`);
  const answers = await page.evaluate(() => {
    const probs = document.getElementById('w').trainer.predictor.predict(new Float32Array([0, 0, 0.9, 0.9]));
    return [probs[0] > probs[1] ? 0 : 1, probs[2] > probs[3] ? 0 : 1];
  });
  assert.notEqual(answers[0], answers[1], 'the centre and the corner get the same class');
  for (const kind of [/\/assets\/tinytrain-.*\.wasm$/, /\/assets\/worker-.*\.js$/]) {
    assert.ok(requests.some((u) => kind.test(u)), `nothing fetched matches ${kind}: ${requests.join(', ')}`);
  }
  await context.close();
  assert.deepEqual(errors, []);
});

test('docs/embedding.md\'s Vite recipe is this app: the import line and the worker format', () => {
  const guide = fs.readFileSync(path.join(ROOT, 'docs/embedding.md'), 'utf8');
  assert.ok(guide.includes(APP_FILES['main.js'].split('\n')[0]), 'the import line');
  assert.ok(guide.includes("export default { worker: { format: 'es' } };"), 'the worker format');
});
