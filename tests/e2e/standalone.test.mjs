// The one-file build (dist/tiny-train.standalone.js, tools/standalone.mjs) in Chromium, where the module build cannot
// go: a page opened from disk (file://) and a page whose script comes from another origin (a CDN), under the CSP the
// README gives for it (worker-src blob:). In both a circles widget trains in its worker to >= 90% test accuracy and
// predicts on the page; the page fetches nothing but the one script; no console errors, failed requests or CSP
// violations. Without `worker-src blob:` the widget says the page's CSP refuses its worker and what it needs.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS, ARTIFACTS, openPage, waitForValue } from './helpers.mjs';
import { buildStandalone, STANDALONE } from '../../tools/standalone.mjs';

const SITE = path.join(ARTIFACTS, 'standalone-site');
const CSP = (cdn, worker = 'blob:') =>
  `default-src 'self'; script-src 'self' ${cdn} 'wasm-unsafe-eval'; worker-src ${worker}; style-src 'self'`;

// A classic script (no modules: file:// pages may not load them) that records the widgets' events.
const RECORDER = `window.ttLog = { events: [], csp: [] };
for (const type of ['ready', 'trained', 'error']) {
  document.addEventListener(type, (e) => { if (e.target.localName === 'tiny-train') window.ttLog.events.push({ id: e.target.id, type, ...e.detail }); });
}
document.addEventListener('securitypolicyviolation', (e) => window.ttLog.csp.push(e.violatedDirective + ' ' + e.blockedURI));`;
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>';
const page = (script) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>one file</title>
<link rel="icon" href="icon.svg"><script src="record.js"></script><script src="${script}"></script></head>
<body><p>Some prose.</p><tiny-train id="w" demo="circles" steps="600" autoplay></tiny-train></body></html>`;

let browser, servers = [];

test.before(async () => {
  fs.rmSync(SITE, { recursive: true, force: true });
  fs.mkdirSync(SITE, { recursive: true });
  await buildStandalone(SITE);
  fs.writeFileSync(path.join(SITE, 'record.js'), RECORDER);
  fs.writeFileSync(path.join(SITE, 'icon.svg'), ICON);
  fs.writeFileSync(path.join(SITE, 'index.html'), page(STANDALONE));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
});

test.after(async () => {
  await browser?.close();
  for (const s of servers) { s.closeAllConnections(); s.close(); }
});

// An http server on 127.0.0.1 answering from routes {path: [type, body, headers]}; resolves with its origin.
async function serve(routes) {
  const server = http.createServer((req, res) => {
    const route = routes[req.url.split('?')[0]];
    if (!route) { res.writeHead(404); res.end(); return; }
    const [type, body, headers = {}] = route;
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
    res.end(body);
  });
  servers.push(server);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${server.address().port}`;
}

// Opens url and waits for the widget to train; returns what happened.
async function trainOn(url) {
  const { page: p, context, errors } = await openPage(browser, { viewport: { width: 1000, height: 900 } });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  await p.goto(url);
  const events = await waitForValue(p, () => {
    const e = window.ttLog.events;
    return e.some((x) => x.type === 'trained' || x.type === 'error') ? e : null;
  }, null, { timeoutMs: 60000, what: 'the widget to train' });
  // The predictor answers on the page: the point (0, 0) is inside the inner circle, (0.9, 0.9) outside.
  const answers = await p.evaluate(() => {
    const probs = document.getElementById('w').trainer.predictor.predict(new Float32Array([0, 0, 0.9, 0.9]));
    return [probs[0] > probs[1] ? 0 : 1, probs[2] > probs[3] ? 0 : 1];
  });
  const csp = await p.evaluate(() => window.ttLog.csp);
  await context.close();
  return { events, answers, requests, errors, csp };
}

function assertTrained({ events, answers, errors, csp }) {
  assert.deepEqual(events.filter((e) => e.type === 'error'), [], 'the widget reported an error');
  const trained = events.find((e) => e.type === 'trained');
  assert.equal(trained.step, 600);
  assert.ok(trained.testAccuracy >= 0.9, `test accuracy ${trained.testAccuracy} < 0.9`);
  assert.notEqual(answers[0], answers[1], `the trained model gives the centre and the corner the same class: ${answers}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(csp, []);
}

test('from disk (file://): the one-file build trains and predicts, fetching nothing else', async () => {
  const url = pathToFileURL(path.join(SITE, 'index.html')).href;
  const run = await trainOn(url);
  assertTrained(run);
  const fetched = run.requests.filter((u) => !u.startsWith('blob:') && !u.endsWith('/icon.svg'));
  assert.deepEqual(fetched.map((u) => path.basename(new URL(u).pathname)).sort(), ['index.html', 'record.js', STANDALONE].sort());
});

test('from another origin (a CDN) under a strict CSP with worker-src blob:, it trains; without it, the widget says what the CSP needs', async () => {
  const script = fs.readFileSync(path.join(SITE, STANDALONE));
  const cdn = await serve({ [`/${STANDALONE}`]: ['text/javascript', script] });
  const site = await serve({
    '/index.html': ['text/html; charset=utf-8', page(`${cdn}/${STANDALONE}`), { 'Content-Security-Policy': CSP(cdn) }],
    '/strict.html': ['text/html; charset=utf-8', page(`${cdn}/${STANDALONE}`), { 'Content-Security-Policy': CSP(cdn, "'self'") }],
    '/record.js': ['text/javascript', RECORDER],
    '/icon.svg': ['image/svg+xml', ICON],
  });
  const run = await trainOn(`${site}/index.html`);
  assertTrained(run);
  assert.ok(run.requests.includes(`${cdn}/${STANDALONE}`), 'the script came from the other origin');
  assert.ok(!run.requests.some((u) => /\.wasm$|worker\.js$/.test(u)), `fetched: ${run.requests.join(', ')}`);

  // Without worker-src blob: the browser refuses the worker; the widget says it could not start one.
  const { page: p, context } = await openPage(browser);
  await p.goto(`${site}/strict.html`);
  const error = await waitForValue(p, () => window.ttLog.events.find((e) => e.type === 'error'), null,
    { timeoutMs: 60000, what: 'the widget to report the refused worker' });
  const csp = await p.evaluate(() => window.ttLog.csp);
  await context.close();
  assert.match(error.message, /Content-Security-Policy refuses workers from blob: URLs \(it needs worker-src blob:\)/);
  assert.ok(csp.some((v) => /^worker-src blob/.test(v)), `CSP violations: ${csp}`);
  console.log(`without worker-src blob: the widget says: ${error.message}`);
});
