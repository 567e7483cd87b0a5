// tools/serve.mjs: the static server the demos and the browser tests use. Right MIME types, no way out of the
// root, only the folders the pages load (never .git, node_modules, build outputs or sources), redirects that stay
// on this server (also in Chromium, which follows them), 127.0.0.1 only, and the CLI prints the URL of the demos
// index.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, resolveUnder } from '../../tools/serve.mjs';
import { CHROMIUM, LAUNCH_ARGS } from './helpers.mjs';

let s;
test.before(async () => { s = await startServer({ port: 0 }); });
test.after(async () => { if (s) await s.close(); });

// A raw GET (fetch would normalise "..", which is exactly what must be tested).
function get(pathname, method = 'GET', headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: s.port, path: pathname, method, headers }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], location: res.headers.location,
        headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the demos, the runtime and the wasm with browser-correct MIME types', async () => {
  const cases = [
    ['/demos/index.html', 200, 'text/html; charset=utf-8'],
    ['/demos/playground/', 200, 'text/html; charset=utf-8'],
    ['/web/runtime/trainer.js', 200, 'text/javascript; charset=utf-8'],
    ['/demos/playground/style.css', 200, 'text/css; charset=utf-8'],
    ['/wasm/tinytrain.js', 200, 'text/javascript; charset=utf-8'],
    ['/wasm/tinytrain.wasm', 200, 'application/wasm'],
    ['/bench/browser/budgets.html', 200, 'text/html; charset=utf-8'],
  ];
  for (const [p, status, type] of cases) {
    const r = await get(p);
    assert.deepEqual([r.status, r.type], [status, type], p);
  }
  const head = await get('/web/runtime/worker.js', 'HEAD');
  assert.deepEqual([head.status, head.body], [200, '']);
});

test('validators as static hosts send them: a conditional GET of an unchanged file is 304 with no body', async () => {
  const file = '/web/runtime/protocol.js';
  const first = await get(file);
  const { etag, 'last-modified': modified, 'cache-control': cache } = first.headers;
  assert.equal(first.status, 200);
  assert.match(etag ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.ok(Date.parse(modified) > 0, `Last-Modified: ${modified}`);
  assert.equal(cache, 'no-cache', 'a browser must revalidate: an edited file is seen at once');
  for (const headers of [{ 'If-None-Match': etag }, { 'If-None-Match': `"other", W/${etag}` }, { 'If-None-Match': '*' },
    { 'If-Modified-Since': modified }]) {
    const r = await get(file, 'GET', headers);
    assert.deepEqual([r.status, r.body, r.headers.etag], [304, '', etag], JSON.stringify(headers));
  }
  for (const headers of [{ 'If-None-Match': '"other"' }, { 'If-Modified-Since': new Date(Date.parse(modified) - 1000).toUTCString() },
    { 'If-None-Match': '"other"', 'If-Modified-Since': modified }, { 'If-Modified-Since': 'not a date' }]) {
    const r = await get(file, 'GET', headers);
    assert.deepEqual([r.status, r.body.length > 0], [200, true], JSON.stringify(headers)); // If-None-Match wins over a date
  }
  assert.notEqual((await get('/web/runtime/trainer.js')).headers.etag, etag, 'each file has its own tag');
});

test('in Chromium, the training worker revalidates the modules its page fetched (304, no body again)', async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
  try {
    const page = await browser.newPage();
    await page.goto(`${s.origin}/bench/browser/budgets.html`);
    await page.waitForFunction(() => window.budgets.firstStepMs, null, { timeout: 60000 });
    // the page's fetch of a module shared with the worker, then the worker's: transferSize counts headers only for a 304
    const fetches = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.name.endsWith('/web/runtime/protocol.js')).map((e) => [e.transferSize, e.encodedBodySize]));
    assert.equal(fetches.length, 2, `fetches of protocol.js: ${JSON.stringify(fetches)}`);
    assert.ok(fetches[0][0] > fetches[0][1], `the page's fetch carried the file: ${fetches[0]}`);
    assert.ok(fetches[1][0] < fetches[1][1], `the worker's fetch carried the file again: ${fetches[1]}`);
  } finally {
    await browser.close();
  }
});

test('a directory without its slash redirects, so relative links in its index work', async () => {
  const r = await get('/demos/playground');
  assert.deepEqual([r.status, r.location], [301, '/demos/playground/']);
});

test('a redirect names a path on this server, whatever the request looks like', async () => {
  // "//host/..." in a Location header is another site's address: the location is the resolved path, encoded
  for (const [p, location] of [['//evil.example/%2E%2E%2Fdemos', '/demos/'], ['//evil.example/..%2F..%2Fdemos/playground', '/demos/playground/'],
    ['/\\evil.example/%2E%2E%2Fdemos', '/demos/'], ['/demos/./playground', '/demos/playground/'], ['/demos%2Fdigits', '/demos/digits/']]) {
    const r = await get(p);
    assert.deepEqual([r.status, r.location], [301, location], p);
  }
});

test('in Chromium, a crafted link to this server stays on it', async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
  try {
    const page = await browser.newPage();
    const offsite = [];
    // anything that leaves 127.0.0.1 is recorded and answered here (nothing is fetched from elsewhere)
    await page.route((url) => url.hostname !== '127.0.0.1', (route) => {
      offsite.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<title>evil</title>' });
    });
    await page.goto(`${s.origin}//evil.example/%2E%2E%2Fdemos`);
    assert.deepEqual(offsite, [], 'the browser was sent off-site');
    assert.equal(page.url(), `${s.origin}/demos/`);
    assert.match(await page.title(), /tinytrain/);
  } finally {
    await browser.close();
  }
});

test('only the folders the pages load are served: not .git, node_modules, build outputs, sources or tests', async () => {
  for (const p of ['/.git/config', '/.git/HEAD', '/.gitignore', '/node_modules/playwright-core/package.json',
    '/build/tinytrain', '/build/libtinytrain.a', '/src/tinytrain.h', '/src/', '/tests/e2e/helpers.mjs',
    '/tools/serve.mjs', '/package.json', '/Makefile', '/README.md', '/bench/bench.mk', '/demos/data/data.mk',
    '/demos/../.git/config', '/web/../src/tinytrain.h', '/demos/.hidden', '/build', '/.git']) {
    const r = await get(p);
    assert.equal(r.status, 404, `${p} answered ${r.status}: ${r.body.slice(0, 60)}`);
    assert.equal(r.location, undefined, `${p} redirected to ${r.location}`);
  }
});

test('another --root is served whole, except dotfiles and files of unknown types', async () => {
  const demos = await startServer({ port: 0, root: fileURLToPath(new URL('../../demos/', import.meta.url)) });
  try {
    const at = (p) => new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: demos.port, path: p }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
    });
    assert.deepEqual([await at('/index.html'), await at('/playground/'), await at('/data/data.mk'), await at('/../README.md')],
      [200, 200, 404, 404]);
    assert.equal(await at('/'), 200, 'the root of another --root is its index.html');
  } finally {
    await demos.close();
  }
});

test('the root redirects to the demos index (the URL people type after make demo)', async () => {
  const r = await get('/');
  assert.deepEqual([r.status, r.location], [302, '/demos/index.html']);
});

test('no path leaves the root: .., encoded .., NUL and malformed escapes are refused', async () => {
  for (const p of ['/../etc/passwd', '/demos/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd',
    '/demos/%00index.html', '/%E0%A4%A']) {
    const r = await get(p);
    assert.ok(r.status === 400 || r.status === 404, `${p} answered ${r.status}`);
    assert.doesNotMatch(r.body, /root:/, `${p} leaked /etc/passwd`);
  }
  assert.equal(resolveUnder('/srv/site', '/a/../../etc'), '/srv/site/etc', '.. above / stays at the root');
  assert.equal(resolveUnder('/srv/site', '/a/b.js?x=1'), '/srv/site/a/b.js');
  assert.equal((await get('/missing.js')).status, 404);
  assert.equal((await get('/web/runtime/trainer.js', 'POST')).status, 405);
});

test('listens on 127.0.0.1 only', () => {
  assert.equal(s.server.address().address, '127.0.0.1');
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/demos\/index\.html$/);
});

test('the CLI prints the URL of the demos index and serves it', async () => {
  const script = fileURLToPath(new URL('../../tools/serve.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no URL printed within 5 s')), 5000);
      child.stdout.on('data', (d) => { clearTimeout(timer); resolve(String(d)); });
      child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const url = /(http:\/\/127\.0\.0\.1:\d+\/demos\/index\.html)/.exec(line)?.[1];
    assert.ok(url, `no index URL in: ${line}`);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /tinytrain demos/);
  } finally {
    child.kill();
  }
  const bad = spawn(process.execPath, [script, '--port', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  bad.stderr.on('data', (d) => { err += d; });
  const code = await new Promise((r) => bad.on('exit', r));
  assert.equal(code, 1);
  assert.match(err, /--port: expected 0\.\.65535, got x/);
});
