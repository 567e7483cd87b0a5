// The iframe embed (demos/embed.html + embed.js, shipped as dist/embed.html) in Chromium, as a host that allows no
// scripts of ours would use it: a documentation page on one origin frames dist/embed.html?demo=...&layers=... from
// another (tools/serve.mjs over a fresh dist/). The frame shows one widget with the query's attributes, tells the
// parent its height (the host's snippet, docs/embedding.md, sizes the frame to it) and forwards the widget's events
// (ready, progress, trained; a bad attribute's error). No console errors, failed requests or CSP violations.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS, ARTIFACTS, openPage, waitForValue, screenshot } from './helpers.mjs';
import { startServer } from '../../tools/serve.mjs';
import { buildDist } from '../../tools/dist.mjs';

const SITE = path.join(ARTIFACTS, 'embed-site');

// The host page's script: the snippet of docs/embedding.md (sizes each frame from its messages), plus a record of
// the forwarded events for the test.
const HOST_SCRIPT = fs.readFileSync(new URL('../../docs/embed-host.js', import.meta.url), 'utf8') + `
window.forwarded = [];
addEventListener('message', (e) => { if (e.data?.source === 'tiny-train') window.forwarded.push(e.data); });`;
const hostPage = (frames) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>a wiki page</title>
<link rel="icon" href="data:,"><script src="host.js"></script></head><body><h1>Some prose</h1>${frames}<p id="after">after</p></body></html>`;

let browser, embedServer, hostServer, hostOrigin;

test.before(async () => {
  fs.rmSync(SITE, { recursive: true, force: true });
  await buildDist(path.join(SITE, 'tinytrain'));
  embedServer = await startServer({ root: SITE, port: 0 });
  const frame = (id, query) => `<iframe id="${id}" title="tinytrain ${id}" loading="lazy" style="width: 100%; border: 0"
  src="${embedServer.origin}/tinytrain/embed.html?id=${id}&${query}"></iframe>`;
  const pages = {
    '/host.js': ['text/javascript', HOST_SCRIPT],
    '/one.html': ['text/html', hostPage(frame('c', 'demo=circles&layers=16%20tanh,%2016%20tanh&steps=400&autoplay'))],
    '/bad.html': ['text/html', hostPage(frame('b', 'demo=nope&lr=abc'))],
  };
  hostServer = http.createServer((req, res) => {
    const page = pages[req.url];
    if (!page) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': page[0] });
    res.end(page[1]);
  });
  await new Promise((r) => hostServer.listen(0, '127.0.0.1', r));
  hostOrigin = `http://127.0.0.1:${hostServer.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
});

test.after(async () => {
  await browser?.close();
  await embedServer?.close();
  hostServer?.closeAllConnections();
  hostServer?.close();
});

test('a framed widget from another origin trains with the query\'s attributes, sizes its frame and forwards its events', async () => {
  const { page, context, errors } = await openPage(browser, { viewport: { width: 900, height: 1000 } });
  await page.goto(`${hostOrigin}/one.html`);
  const trained = await waitForValue(page, () => window.forwarded.find((m) => m.type === 'event' && m.event === 'trained'),
    null, { timeoutMs: 60000, what: 'the framed widget to train and say so' });
  assert.equal(trained.id, 'c');
  assert.equal(trained.detail.step, 400);
  assert.ok(trained.detail.testAccuracy >= 0.9, `test accuracy ${trained.detail.testAccuracy}`);
  const events = await page.evaluate(() => [...new Set(window.forwarded.filter((m) => m.type === 'event').map((m) => m.event))]);
  for (const e of ['ready', 'progress', 'snapshot', 'trained']) assert.ok(events.includes(e), `${e} not forwarded: ${events}`);

  // The query's attributes reached the widget.
  const frame = page.frameLocator('#c');
  const inner = page.frames().find((f) => f.url().includes('/tinytrain/embed.html'));
  const spec = await inner.evaluate(() => document.querySelector('tiny-train').trainer.spec);
  assert.deepEqual(spec.layers.map((l) => l.type), ['dense', 'tanh', 'dense', 'tanh', 'dense']);
  assert.deepEqual([spec.layers[0].units, spec.layers[2].units], [16, 16]);
  await frame.locator('tiny-train').waitFor();

  // The frame is as tall as its content (the last height it was told), not the default 150 px.
  const wanted = await inner.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  const told = await page.evaluate(() => window.forwarded.filter((m) => m.type === 'resize').at(-1)?.height);
  await waitForValue(page, (h) => document.getElementById('c').getBoundingClientRect().height === h, wanted,
    { what: `the frame to be ${wanted} px tall` });
  assert.equal(told, wanted);
  assert.ok(wanted > 300, `the widget's page is only ${wanted} px tall`);
  const scrolls = await inner.evaluate(() => document.scrollingElement.scrollHeight > innerHeight + 1);
  assert.equal(scrolls, false, 'the frame scrolls: it is shorter than its content');
  await screenshot(page.locator('#c'), 'embed-frame');
  await context.close();
  assert.deepEqual(errors, []);
});

test('a bad attribute in the query is shown in the frame and forwarded as an error event', async () => {
  const { page, context, errors } = await openPage(browser);
  await page.goto(`${hostOrigin}/bad.html`);
  const error = await waitForValue(page, () => window.forwarded.find((m) => m.event === 'error'), null,
    { what: 'the error to be forwarded' });
  assert.equal(error.id, 'b');
  assert.equal(error.detail.kind, 'attribute');
  assert.match(error.detail.message, /demo: expected one of .*got "nope"/);
  assert.match(error.detail.message, /lr: expected a number above 0, at most 10, got "abc"/);
  assert.match(await page.frameLocator('#b').locator('tiny-train .msg').textContent(), /demo: expected one of/);
  assert.equal(await page.textContent('#after'), 'after');
  await context.close();
  assert.deepEqual(errors, []);
});

test('docs/embedding.md shows the host snippet this test runs', () => {
  const guide = fs.readFileSync(new URL('../../docs/embedding.md', import.meta.url), 'utf8');
  const code = fs.readFileSync(new URL('../../docs/embed-host.js', import.meta.url), 'utf8')
    .split('\n').filter((line) => !line.startsWith('//')).join('\n').trim();
  assert.ok(guide.includes(code), 'the iframe recipe\'s snippet differs from docs/embed-host.js');
});
