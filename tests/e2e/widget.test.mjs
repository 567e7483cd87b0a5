// <tiny-train> in Chromium, as a documentation site embeds it: host pages outside dist/ (tests/e2e/host/, served by
// this file's server) load a fresh `dist` build under a strict CSP sent as a header on every response, the
// worker's included: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'.
// One browser for the file; every page must end without console errors, uncaught exceptions or CSP violations.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS, ARTIFACTS, openPage, screenshot, waitForValue } from './helpers.mjs';
import { MIME, resolveUnder } from '../../tools/serve.mjs';
import { buildDist } from '../../tools/dist.mjs';
import { Model } from '../../wasm/tinytrain.js';
import { makeDataset } from '../../web/datasets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'";
const DIST = '/tests/artifacts/widget-dist'; // built by before(); a host page reaches it like a site would

// The host page's own script: records the widgets' events and CSP violations in a non-enumerable window property
// (so Object.keys(window) shows only what the widget adds).
const RECORDER = `const log = { events: [], progress: {}, csp: [] };
Object.defineProperty(window, 'ttLog', { value: log, enumerable: false });
for (const type of ['progress', 'snapshot', 'trained', 'error']) {
  document.addEventListener(type, (e) => {
    if (e.target.localName !== 'tiny-train') return;
    if (type === 'progress') { log.progress[e.target.id] = (log.progress[e.target.id] || 0) + 1; return; }
    log.events.push({ id: e.target.id, type, ...e.detail });
  });
}
document.addEventListener('securitypolicyviolation', (e) => log.csp.push(e.violatedDirective + ' ' + e.blockedURI));`;

// Host styles that would break the widget if they leaked in.
const HOST_CSS = `* { letter-spacing: 3px; font-family: serif; } button { color: rgb(255, 0, 0) !important; font-size: 31px; }
.panels, section, .root { display: none !important; } h3 { font-size: 40px; } p { margin: 50px; }`;

function hostPage(body, { script = true, css = true } = {}) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title>
<link rel="icon" href="/tests/e2e/host/icon.svg">${css ? '<link rel="stylesheet" href="/tests/e2e/host/host.css">' : ''}
<script type="module" src="/tests/e2e/host/record.js"></script>
${script ? `<script type="module" src="${DIST}/tiny-train.js"></script>` : ''}</head><body>${body}</body></html>`;
}

const PAGES = {
  '/tests/e2e/host/record.js': RECORDER,
  '/tests/e2e/host/host.css': HOST_CSS,
  '/tests/e2e/host/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
  '/tests/e2e/host/two.html': hostPage(`<h3>Two widgets</h3>
<tiny-train id="a" demo="circles" steps="600" autoplay></tiny-train>
<tiny-train id="b" demo="moons" layers="16 tanh, 16 tanh" steps="900" batch-size="16" autoplay></tiny-train>`),
  '/tests/e2e/host/plain.html': hostPage('<h3>Host</h3><button id="hb">host button</button><section id="hs">s</section>', { script: false }),
  '/tests/e2e/host/keys.html': hostPage(`<h3>Host</h3><button id="hb">host button</button><section id="hs">s</section>
<tiny-train id="k" demo="xor" steps="1000000"></tiny-train>`),
  '/tests/e2e/host/scroll.html': hostPage(`<tiny-train id="s" demo="spiral" steps="1000000" autoplay></tiny-train>
<div id="spacer"></div><p id="end">end</p>`, { css: false }),
  '/tests/e2e/host/pretrained.html': hostPage(`<tiny-train id="p" demo="circles" src="/tests/artifacts/widget-circles.safetensors"></tiny-train>`),
  '/tests/e2e/host/bad.html': hostPage(`<tiny-train id="bad" lr="abc" layers="&lt;img src=x onerror=alert(1)&gt;" demo="nope" theme="neon"></tiny-train>
<tiny-train id="far" src="https://example.com/data.csv"></tiny-train>
<tiny-train id="csv" src="/tests/artifacts/widget-xor.csv" steps="800" controls="lr batch-size"></tiny-train>`),
  '/tests/e2e/host/none.html': hostPage('<tiny-train id="n" demo="gaussians" steps="300" autoplay theme="dark"></tiny-train>', { css: false }),
};

let server, origin, browser;

function startServer(csp) {
  const s = http.createServer((req, res) => {
    const url = req.url.split('?')[0];
    let body = PAGES[url];
    const file = body === undefined ? resolveUnder(ROOT, url) : null;
    if (file) { try { body = fs.readFileSync(file); } catch { body = undefined; } }
    const headers = { 'Content-Security-Policy': csp(url), 'Cache-Control': 'no-store' };
    if (body === undefined) { res.writeHead(404, headers); res.end('not found'); return; }
    res.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(url)] || 'application/octet-stream' });
    res.end(body);
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

test.before(async () => {
  await buildDist(path.join(ROOT, DIST.slice(1)));
  // A pretrained circles model (seeded) for the `src` test, and a CSV of the xor points with a header.
  const d = makeDataset('circles', { seed: 1, testFraction: 0.3 });
  const m = await Model.create({ input: [2], layers: [{ type: 'dense', units: 16 }, { type: 'relu' },
    { type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 2 }], loss: 'cross_entropy',
  optimizer: { type: 'adam', lr: 0.03 }, seed: 3 });
  m.fit(d.x, d.y, { epochs: 100, batchSize: 32 });
  fs.writeFileSync(path.join(ARTIFACTS, 'widget-circles.safetensors'), m.save());
  m.dispose();
  const xor = makeDataset('xor', { seed: 2, testFraction: 0 });
  const rows = Array.from(xor.y, (label, i) => `${xor.x[2 * i].toFixed(4)},${xor.x[2 * i + 1].toFixed(4)},${label}`);
  fs.writeFileSync(path.join(ARTIFACTS, 'widget-xor.csv'), `a,b,label\n${rows.join('\n')}\n`);
  // style-src 'none' for none.html: the widget's own styles need no style-src at all.
  server = await startServer((url) => (url.endsWith('none.html') ? CSP.replace("style-src 'self'", "style-src 'none'") : CSP));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
});

test.after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
});

// Opens a host page; returns {page, check()} where check() asserts that nothing went wrong on it.
async function open(name, options) {
  const { page, context, errors } = await openPage(browser, options);
  await page.goto(`${origin}/tests/e2e/host/${name}.html`);
  return {
    page,
    async check() {
      const csp = await page.evaluate(() => window.ttLog?.csp ?? []);
      await context.close();
      assert.deepEqual(errors, [], `problems on ${name}.html`);
      assert.deepEqual(csp, [], `CSP violations on ${name}.html`);
    },
  };
}

const shadowText = (page, id, sel) => page.evaluate(([i, s]) => document.getElementById(i).shadowRoot.querySelector(s).textContent, [id, sel]);
const stepOf = (page, id) => page.evaluate((i) => document.getElementById(i).trainer?.progress?.step ?? 0, id);

test('two widgets on a strict-CSP page train independently to >= 90% test accuracy, with progress and trained events', async () => {
  const { page, check } = await open('two');
  const trained = await waitForValue(page, () => {
    const t = window.ttLog.events.filter((e) => e.type === 'trained');
    return t.length === 2 ? t : null;
  }, null, { timeoutMs: 30000, what: 'both widgets to fire trained' });
  const by = Object.fromEntries(trained.map((t) => [t.id, t]));
  assert.equal(by.a.step, 600, 'widget a ran its own 600 steps');
  assert.equal(by.b.step, 900, 'widget b ran its own 900 steps');
  for (const t of trained) assert.ok(t.testAccuracy >= 0.9, `${t.id}: test accuracy ${t.testAccuracy} < 0.9`);
  const counts = await page.evaluate(() => window.ttLog.progress);
  assert.ok(counts.a >= 1 && counts.b >= 1, `progress events: ${JSON.stringify(counts)}`); // a fast run may need few
  const workers = await page.evaluate(() => {
    const [a, b] = document.querySelectorAll('tiny-train');
    return { distinct: a.trainer.worker !== b.trainer.worker && a.trainer.predictor !== b.trainer.predictor, n: 2 };
  });
  assert.ok(workers.distinct, 'each widget has its own worker and predictor');
  assert.match(await shadowText(page, 'a', '.status'), /Finished at step 600; test accuracy \d+/);
  await screenshot(page, 'widget-two');
  await check();
});

test('Object.keys(window) gains nothing; host styles do not leak into the widget, nor the widget\'s out', async () => {
  const plain = await open('plain');
  const before = await plain.page.evaluate(() => Object.keys(window));
  const hostStyle = await plain.page.evaluate(() => ({
    section: getComputedStyle(document.getElementById('hs')).backgroundColor, h3: getComputedStyle(document.querySelector('h3')).fontSize,
  }));
  await plain.check();
  const { page, check } = await open('keys');
  await page.getByRole('button', { name: 'Train' }).waitFor();
  const after = await page.evaluate(() => Object.keys(window));
  assert.deepEqual(after.filter((k) => !before.includes(k)), [], 'new window keys');
  const inside = await page.evaluate(() => {
    const root = document.getElementById('k').shadowRoot, b = root.querySelector('.go'), cs = getComputedStyle(b);
    return { color: cs.color, size: cs.fontSize, spacing: cs.letterSpacing, panels: getComputedStyle(root.querySelector('.panels')).display,
      h3: getComputedStyle(root.querySelector('h3')).fontSize };
  });
  assert.notEqual(inside.color, 'rgb(255, 0, 0)', 'host button colour leaked in');
  assert.notEqual(inside.size, '31px', 'host button font size leaked in');
  assert.equal(inside.panels, 'flex', 'host display:none leaked in');
  assert.equal(inside.spacing, 'normal', 'host letter-spacing leaked in (inherited through the host element)');
  assert.equal(inside.h3, '14px', 'host h3 size leaked in');
  const outside = await page.evaluate(() => ({
    section: getComputedStyle(document.getElementById('hs')).backgroundColor, h3: getComputedStyle(document.querySelector('h3')).fontSize,
    button: getComputedStyle(document.getElementById('hb')).color,
  }));
  assert.deepEqual({ section: outside.section, h3: outside.h3 }, hostStyle, 'widget styles leaked out');
  assert.equal(outside.button, 'rgb(255, 0, 0)');
  await check();
});

test('a widget scrolled out of view stops advancing its step counter and resumes when scrolled back', async () => {
  const { page, check } = await open('scroll', { viewport: { width: 800, height: 700 } });
  await page.evaluate(() => { document.getElementById('spacer').style.height = '4000px'; }); // CSSOM: allowed by the CSP
  await waitForValue(page, () => (document.getElementById('s').trainer?.progress?.step ?? 0) > 200, null, { what: 'training to start' });
  await page.evaluate(() => document.getElementById('end').scrollIntoView());
  await page.waitForTimeout(400); // the observer fires, the pause lands
  const s1 = await stepOf(page, 's');
  await page.waitForTimeout(800);
  const s2 = await stepOf(page, 's');
  assert.equal(s2, s1, `off-screen, the step counter moved from ${s1} to ${s2}`);
  assert.match(await shadowText(page, 's', '.status'), /out of view/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await waitForValue(page, (s) => document.getElementById('s').trainer.progress.step > s + 100, s2, { what: 'training to resume' });
  // A hidden tab (simulated: document.hidden and the visibilitychange event) pauses it the same way.
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(400);
  const h1 = await stepOf(page, 's');
  await page.waitForTimeout(600);
  assert.equal(await stepOf(page, 's'), h1, 'training went on in a hidden tab');
  await page.evaluate(() => {
    delete document.hidden; // back to the prototype's getter
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await waitForValue(page, (s) => document.getElementById('s').trainer.progress.step > s + 100, h1, { what: 'training to resume when visible' });
  const trained = await page.evaluate(() => window.ttLog.events.filter((e) => e.type === 'trained').length);
  assert.equal(trained, 0, 'an automatic pause is not a finished training');
  await check();
});

test('keyboard only: Tab reaches Train, Enter starts training; controls have accessible names and an aria-live status', async () => {
  const { page, check } = await open('keys');
  const train = page.getByRole('button', { name: 'Train' });
  await waitForValue(page, () => !document.getElementById('k').shadowRoot.querySelector('.go').disabled, null, { what: 'the widget to be ready' });
  for (const name of ['Step', 'Reset']) assert.equal(await page.getByRole('button', { name }).count(), 1, name);
  assert.equal(await page.locator('tiny-train [role=status][aria-live=polite]').count(), 1);
  let reached = false;
  for (let i = 0; i < 8 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await train.evaluate((b) => b.getRootNode().activeElement === b);
  }
  assert.ok(reached, 'Tab never reached the Train button');
  await page.keyboard.press('Enter');
  await waitForValue(page, () => (document.getElementById('k').trainer.progress?.step ?? 0) > 0, null, { what: 'training after Enter' });
  await page.getByRole('button', { name: 'Pause' }).waitFor();
  await page.keyboard.press('Enter'); // the same button now pauses
  await waitForValue(page, () => window.ttLog.events.some((e) => e.type === 'trained' && e.reason === 'paused'), null, { what: 'trained after pausing' });
  await check();
});

test('src with a .safetensors file: the widget predicts before any training', async () => {
  const { page, check } = await open('pretrained');
  const ask = async (x1, x2) => page.evaluate(async ([a, b]) => {
    const root = document.getElementById('p').shadowRoot, inputs = root.querySelectorAll('.inputs input');
    inputs[0].value = a; inputs[1].value = b;
    inputs[1].dispatchEvent(new Event('input', { bubbles: true }));
    return root.querySelector('.out').textContent;
  }, [x1, x2]);
  await waitForValue(page, () => /class/.test(document.getElementById('p').shadowRoot.querySelector('.out').textContent), null, { what: 'a prediction' });
  // The disc is class 0, the ring class 1 (web/datasets.js circles).
  assert.match(await ask(0, 0), /^class 0 \((9\d|100)\.\d%\)$/);
  assert.match(await ask(0.8, 0), /^class 1 \((9\d|100)\.\d%\)$/);
  assert.equal(await stepOf(page, 'p'), 0, 'no training happened');
  assert.equal(await page.evaluate(() => window.ttLog.progress.p ?? 0), 0, 'no progress event');
  assert.match(await shadowText(page, 'p', '.lat'), /^in \d+\.\d µs$/);
  // The worker holds the file's weights too: a snapshot from it leaves the answers as they were (fresh random
  // weights would answer near 50%), and training continues from there.
  await page.evaluate(() => document.getElementById('p').trainer.snapshot());
  assert.match(await ask(0, 0), /^class 0 \((9\d|100)\.\d%\)$/, 'after a snapshot from the worker');
  assert.match(await ask(0.8, 0), /^class 1 \((9\d|100)\.\d%\)$/, 'after a snapshot from the worker');
  await page.getByRole('button', { name: 'Step' }).click();
  const acc = await waitForValue(page, () => document.getElementById('p').trainer.progress?.testAccuracy, null, { what: 'a step' });
  assert.ok(acc >= 0.9, `after 10 steps from the file, test accuracy ${acc}`);
  await page.getByRole('button', { name: 'Reset' }).click();
  await waitForValue(page, () => /Reset to the pretrained weights/.test(document.getElementById('p').shadowRoot.querySelector('.status').textContent), null, { what: 'reset' });
  assert.match(await ask(0, 0), /^class 0 \((9\d|100)\.\d%\)$/, 'after Reset, the file\'s weights again');
  await check();
});

test('bad attribute values show a message inside the widget and never throw; CSV src and live attribute changes work', async () => {
  const { page, check } = await open('bad');
  await waitForValue(page, () => document.getElementById('csv').shadowRoot.querySelector('.go').disabled === false, null, { what: 'the CSV widget' });
  const bad = await shadowText(page, 'bad', '.msg');
  for (const name of ['lr: expected', 'layers item 1', 'demo: expected', 'theme: expected']) assert.ok(bad.includes(name), `"${name}" missing from: ${bad}`);
  assert.equal(await page.evaluate(() => document.getElementById('bad').shadowRoot.querySelectorAll('img').length), 0);
  await waitForValue(page, () => /only files from this site/.test(document.getElementById('far').shadowRoot.querySelector('.msg').textContent), null, { what: 'the cross-origin message' });
  // Changes after connection: a bad one is reported, a good live one reaches the trainer, a structural one rebuilds.
  await page.evaluate(() => {
    const w = document.getElementById('csv');
    w.setAttribute('batch-size', '-5');
  });
  assert.match(await shadowText(page, 'csv', '.msg'), /batch-size: expected an integer from 1 to 1024, got "-5"/);
  const settings = await page.evaluate(async () => {
    const w = document.getElementById('csv');
    w.setAttribute('batch-size', '8');
    w.setAttribute('lr', '0.01');
    await new Promise((r) => setTimeout(r, 200));
    return { ...w.trainer.settings, msg: w.shadowRoot.querySelector('.msg').hidden };
  });
  assert.deepEqual(settings, { batchSize: 8, lr: 0.01, msg: true });
  await page.evaluate(() => { // out of view, it would wait (see the scroll test)
    document.getElementById('csv').scrollIntoView();
    document.getElementById('csv').shadowRoot.querySelector('.go').click();
  });
  const t = await waitForValue(page, () => window.ttLog.events.find((e) => e.type === 'trained' && e.id === 'csv'), null, { timeoutMs: 20000, what: 'the CSV widget to train' });
  assert.ok(t.testAccuracy >= 0.9, `xor from CSV: test accuracy ${t.testAccuracy}`);
  await page.evaluate(() => document.getElementById('csv').setAttribute('demo', 'moons'));
  const errorEvents = await page.evaluate(() => window.ttLog.events.filter((e) => e.type === 'error').map((e) => e.kind));
  assert.ok(errorEvents.includes('attribute'), `error events: ${errorEvents}`);
  await check();
});

test('fits 320 px; dark theme; works under style-src \'none\'', async () => {
  const { page, check } = await open('none', { viewport: { width: 320, height: 900 } });
  const t = await waitForValue(page, () => window.ttLog.events.find((e) => e.type === 'trained'), null, { timeoutMs: 20000, what: 'training' });
  assert.ok(t.testAccuracy >= 0.9, `gaussians: ${t.testAccuracy}`);
  const box = await page.evaluate(() => {
    const w = document.getElementById('n');
    return { width: w.getBoundingClientRect().width, scroll: document.documentElement.scrollWidth,
      bg: getComputedStyle(w.shadowRoot.querySelector('.root')).backgroundColor };
  });
  assert.ok(box.scroll <= 320, `page scrolls sideways: ${box.scroll} px`);
  assert.equal(box.bg, 'rgb(13, 17, 23)', 'theme="dark"');
  await screenshot(page, 'widget-320-dark');
  await check();
});
