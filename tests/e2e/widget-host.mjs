// A documentation site in miniature for the widget's e2e tests: a fresh `dist` build served with a strict CSP
// header on every response, host pages that load it, and a recorder of the widgets' events and CSP violations
// (window.ttLog). serveWidgetHost() builds and serves; startWidgetHost() also launches Chromium, whose open(name)
// opens a host page.
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS, openPage, waitForValue } from './helpers.mjs';
import { MIME, resolveUnder } from '../../tools/serve.mjs';
import { buildDist } from '../../tools/dist.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'";

// The host's script: every event of the widgets (progress only when `progress` is listed) and CSP violations.
const recorder = (types) => `const log = { events: [], csp: [] };
Object.defineProperty(window, 'ttLog', { value: log, enumerable: false });
for (const type of ${JSON.stringify(types)}) {
  document.addEventListener(type, (e) => {
    if (e.target.localName === 'tiny-train') log.events.push({ id: e.target.id, type, ...e.detail, points: undefined });
  });
}
document.addEventListener('securitypolicyviolation', (e) => log.csp.push(e.violatedDirective + ' ' + e.blockedURI));`;

/**
 * Builds dist into `dist` (a path under the repository, e.g. '/tests/artifacts/x-dist') and serves the repository
 * plus `pages` ({name: body HTML}, at /tests/e2e/host/<name>.html) and `files` ({url path: body}), every response
 * with the strict CSP. `recorder` replaces the host's script (it must define window.ttLog with `events` and `csp`);
 * `mnist` and `text` copy the digits data and the text corpora into dist (tools/dist.mjs --mnist, --text).
 * Serves only: any browser can open its pages (tests/browsers/ opens them in Firefox and WebKit).
 * Returns {origin, built, close()}.
 */
export async function serveWidgetHost({ dist, pages, files = {}, events = ['ready', 'trained', 'error', 'generated'],
  recorder: script = recorder(events), mnist = false, text = false }) {
  const built = await buildDist(path.join(ROOT, dist.slice(1)), { mnist, text });
  const host = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>widget host</title>
<link rel="icon" href="/tests/e2e/host/icon.svg"><script type="module" src="/tests/e2e/host/record.js"></script>
<script type="module" src="${dist}/tiny-train.js"></script></head><body><main><p>Some prose.</p>${body}</main></body></html>`;
  const served = {
    '/tests/e2e/host/record.js': script,
    '/tests/e2e/host/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
    ...Object.fromEntries(Object.entries(pages).map(([name, body]) => [`/tests/e2e/host/${name}.html`, host(body)])),
    ...files,
  };
  const server = http.createServer((req, res) => {
    const url = req.url.split('?')[0];
    let body = served[url];
    const file = body === undefined ? resolveUnder(ROOT, url) : null;
    if (file) { try { body = fs.readFileSync(file); } catch { body = undefined; } }
    const headers = { 'Content-Security-Policy': STRICT_CSP, 'Cache-Control': 'no-store' };
    if (body === undefined) { res.writeHead(404, headers); res.end('not found'); return; }
    res.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(url)] || 'application/octet-stream' });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`, built,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/**
 * serveWidgetHost's site opened in Chromium. Returns {origin, built, browser, open(name, viewport), close()}.
 */
export async function startWidgetHost(options) {
  const site = await serveWidgetHost(options);
  const { origin, built } = site;
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
  } catch (err) {
    site.close();
    throw err;
  }
  return {
    origin, built, browser,
    // Opens a host page, recording the paths it requests; check() closes it and asserts it had no console errors, exceptions or CSP violations
    // (besides those matching a pattern of `expected`, e.g. the 404 of a missing file the test asks for).
    async open(name, viewport = { width: 1000, height: 900 }) {
      const { page, context, errors } = await openPage(browser, { viewport });
      const requests = []; // the paths the page asked for
      context.on('request', (r) => requests.push(new URL(r.url()).pathname));
      await page.goto(`${origin}/tests/e2e/host/${name}.html`);
      return {
        page, requests,
        async check({ expected = [] } = {}) {
          const csp = await page.evaluate(() => window.ttLog?.csp ?? []);
          await context.close();
          assert.deepEqual(errors.filter((e) => !expected.some((p) => p.test(e))), [], `problems on ${name}.html`);
          assert.deepEqual(csp, [], `CSP violations on ${name}.html`);
        },
      };
    },
    async close() {
      await browser.close();
      site.close();
    },
  };
}

/** Waits for widget `id`'s first event of `type` (recorded by the host's script) and returns its detail. */
export const eventOf = (page, id, type, what, timeoutMs = 60000) =>
  waitForValue(page, ([i, t]) => window.ttLog.events.find((e) => e.id === i && e.type === t), [id, type], { what, timeoutMs });
