#!/usr/bin/env node
// A tiny static file server for the demos and the browser tests, on 127.0.0.1 only, with the MIME types browsers
// insist on (.wasm must be application/wasm for streaming compilation; module scripts must be JavaScript).
// From the repository it serves only what the pages load: the folders in SERVED (demos, the browser runtime, the
// wasm module and its loader, dist/, the browser benchmark pages); never .git, node_modules, build outputs or
// sources. From another --root, everything under it (/ is its index.html). Either way only files with a type in
// MIME and nothing whose name starts with a dot; no directory listings, no paths outside the root, and a redirect
// always names a path on this server.
//
//   node tools/serve.mjs [--port 8080] [--root DIR] [--isolated]   (--port 0 picks a free port; --isolated sends
//                                                                  COOP/COEP, see ISOLATION_HEADERS)
//   import { startServer } from './tools/serve.mjs'; const s = await startServer({ port: 0 }); ... await s.close();
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { stat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const MIME = Object.freeze({
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json',
  '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.gz': 'application/gzip', '.safetensors': 'application/octet-stream',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.csv': 'text/csv; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8', '.xml': 'application/xml', '.ico': 'image/x-icon', '.jpg': 'image/jpeg', '.webp': 'image/webp',
});

// The repository's folders (relative to its root, '/'-separated) whose files are served.
export const SERVED = Object.freeze(['demos', 'web', 'wasm', 'dist', 'bench/browser']);

// Whether a file (or directory) at `rel`, a path relative to the root, may be served: no part empty or starting
// with a dot (nor "..", outside the root), and inside one of `folders` unless that is null.
export function isServed(rel, folders = SERVED) {
  if (rel === '') return !folders; // the root itself: its index.html, when it is served whole
  const parts = rel.split(path.sep);
  if (parts.some((p) => p === '' || p.startsWith('.'))) return false;
  const posix = parts.join('/');
  return !folders || folders.some((dir) => posix === dir || posix.startsWith(dir + '/'));
}

// Maps a URL path to a file under root, or null when it is malformed or escapes the root.
export function resolveUnder(root, urlPath) {
  let p;
  try {
    p = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null; // malformed %-escape
  }
  if (p.includes('\0') || !p.startsWith('/')) return null;
  const full = path.resolve(root, '.' + path.posix.normalize(p));
  return full === root || full.startsWith(root + path.sep) ? full : null;
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// Cross-origin isolation: pages served with these may share memory with their workers (SharedArrayBuffer), so the
// training worker runs the threaded build (wasm/threads.js). Every page here loads only its own origin's files.
export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

// Whether the browser's copy is current (RFC 9110, 13.1.2-3): If-None-Match when sent (a list, or *), otherwise
// If-Modified-Since, compared in whole seconds as HTTP dates have them.
export function notModified(headers, etag, mtime) {
  const match = headers['if-none-match'];
  if (match !== undefined) return match.split(',').some((tag) => ['*', etag, `W/${etag}`].includes(tag.trim()));
  const since = Date.parse(headers['if-modified-since'] ?? '');
  return since >= Math.floor(mtime.getTime() / 1000) * 1000;
}

async function handle(root, folders, isolated, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'method not allowed\n');
    return;
  }
  if (folders && req.url.split('?')[0] === '/') { // the repository root has no page: the demos are what people came for
    res.writeHead(302, { Location: '/demos/index.html' });
    res.end();
    return;
  }
  let file = resolveUnder(root, req.url);
  if (!file) {
    send(res, 400, 'bad path\n');
    return;
  }
  const rel = path.relative(root, file);
  if (!isServed(rel, folders)) {
    send(res, 404, 'not found\n');
    return;
  }
  try {
    let st = await stat(file);
    if (st.isDirectory()) {
      if (!req.url.split('?')[0].endsWith('/')) {
        // relative links in index.html need the trailing slash; the location is built from the resolved path, never
        // from the request (whose "//host/..." would be another site's address)
        const location = '/' + rel.split(path.sep).map(encodeURIComponent).join('/') + '/';
        res.writeHead(301, { Location: location });
        res.end();
        return;
      }
      file = path.join(file, 'index.html');
      st = await stat(file);
    }
    // A symlink must not lead out of the served folders either.
    const real = await realpath(file);
    if (!isServed(path.relative(root, real), folders)) {
      send(res, 403, 'forbidden\n');
      return;
    }
    const type = MIME[path.extname(file).toLowerCase()];
    if (!type || !st.isFile()) {
      send(res, 404, 'not found\n');
      return;
    }
    // Validators, as static hosts send them: a browser revalidates what it has (no-cache: an edited file is seen at
    // once) and gets 304 with no body, as the training worker does for the modules the page fetched before it.
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers = {
      'Cache-Control': 'no-cache',
      ETag: etag,
      'Last-Modified': st.mtime.toUTCString(),
      'X-Content-Type-Options': 'nosniff',
      ...(isolated ? ISOLATION_HEADERS : {}),
    };
    if (notModified(req.headers, etag, st.mtime)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': st.size, ...headers });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  } catch {
    send(res, 404, 'not found\n');
  }
}

/** Starts the server; resolves with {server, port, origin, url (of demos/index.html), close()}. `folders`: what
 * is served from the repository (default SERVED; tests add a file or two of their own); another root is served
 * whole. `isolated`: send ISOLATION_HEADERS with every file (`make demo` does). */
export async function startServer({ root = REPO_ROOT, port = 8080, host = '127.0.0.1', folders = SERVED,
  isolated = false } = {}) {
  const absRoot = await realpath(path.resolve(root));
  if (absRoot !== await realpath(REPO_ROOT)) folders = null;
  const server = http.createServer((req, res) => {
    handle(absRoot, folders, isolated, req, res).catch(() => { if (!res.headersSent) send(res, 500, 'internal error\n'); else res.end(); });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = server.address().port;
  const origin = `http://${host}:${actual}`;
  return {
    server, port: actual, origin, url: `${origin}/demos/index.html`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

function parseArgs(argv) {
  const out = { port: 8080, root: REPO_ROOT, isolated: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--isolated') {
      out.isolated = true;
      continue;
    }
    const [k, inline] = argv[i].split('=', 2);
    const v = inline ?? argv[++i];
    if (k === '--port') {
      out.port = Number(v);
      if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error(`--port: expected 0..65535, got ${v}`);
    } else if (k === '--root') {
      out.root = path.resolve(v);
    } else {
      throw new Error(`unknown option ${argv[i]}; usage: serve.mjs [--port N] [--root DIR] [--isolated]`);
    }
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const s = await startServer(parseArgs(process.argv.slice(2)));
    console.log(`serving ${s.origin}/ (127.0.0.1 only${parseArgs(process.argv.slice(2)).isolated ? ', cross-origin isolated' : ''}); demos: ${s.url}`);
  } catch (err) {
    console.error(`serve.mjs: ${err.message}`);
    process.exit(1);
  }
}
