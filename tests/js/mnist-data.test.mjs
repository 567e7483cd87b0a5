// The MNIST pipeline: tools/mnist-data.mjs (JSON -> TTMNIST1) and web/mnist.js (reader). Proves that the binary
// holds exactly the package's digits and labels, in the documented split order, and that bad bytes are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convert, loadMnistNode, outputPaths, jsonPaths, MNIST_SPLIT_SEED } from '../../tools/mnist-data.mjs';
import http from 'node:http';
import zlib from 'node:zlib';
import { parseMnist, fetchMnist } from '../../web/mnist.js';

const SIZE = 784;

// The JSON source, read here independently of the converter: per digit file, its flat pixel array.
const source = jsonPaths().map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).data);
const sourceCounts = source.map((d) => d.length / SIZE);
const total = sourceCounts.reduce((a, b) => a + b, 0);

// The split order as documented in tools/mnist-data.mjs, re-implemented from its description (mulberry32 +
// Fisher-Yates over the concatenated source order), so a silent change of the order fails this test.
function documentedOrder(n, seed) {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

// Source index -> [digit, index within that digit's file].
function locate(s) {
  let d = 0;
  while (s >= sourceCounts[d]) s -= sourceCounts[d++];
  return [d, s];
}

const train = loadMnistNode('train');
const testSet = loadMnistNode('test');

test('mnist files have the documented sizes: 8,000 + 2,000 images of 28x28', () => {
  const outs = outputPaths();
  assert.equal(total, 10000, 'the mnist package should ship 10,000 digits');
  assert.deepEqual([train.n, train.rows, train.cols], [8000, 28, 28]);
  assert.deepEqual([testSet.n, testSet.rows, testSet.cols], [2000, 28, 28]);
  assert.equal(fs.statSync(outs.train).size, 20 + 8000 * SIZE + 8000);
  assert.equal(fs.statSync(outs.test).size, 20 + 2000 * SIZE + 2000);
  assert.equal(train.x.length, 8000 * SIZE);
  assert.equal(train.y.length, 8000);
});

test('mnist binary round-trips exactly to the JSON source (every pixel and label, documented order)', () => {
  const order = documentedOrder(total, MNIST_SPLIT_SEED);
  let checked = 0;
  for (const [name, set, offset] of [['train', train, 0], ['test', testSet, 8000]]) {
    for (let i = 0; i < set.n; i++) {
      const [digit, j] = locate(order[offset + i]);
      assert.equal(set.y[i], digit, `${name}[${i}]: label ${set.y[i]}, source ${digit}.json image ${j}`);
      const src = source[digit];
      for (let p = 0; p < SIZE; p++) {
        const k = set.pixels[i * SIZE + p];
        const back = Number((k / 255).toFixed(3));
        if (back !== src[j * SIZE + p]) {
          assert.fail(`${name}[${i}] pixel ${p}: byte ${k} reads back as ${back}, ` +
                      `source ${digit}.json image ${j} has ${src[j * SIZE + p]}`);
        }
      }
      checked++;
    }
  }
  assert.equal(checked, 10000);
});

test('mnist split uses every source image exactly once', () => {
  const order = documentedOrder(total, MNIST_SPLIT_SEED);
  const seen = new Uint8Array(total);
  for (const s of order) seen[s]++;
  assert.ok(seen.every((c) => c === 1), 'the split order is not a permutation of the source images');
});

test('mnist x is the pixel byte scaled to [0, 1] and y holds the label bytes', () => {
  for (const set of [train, testSet]) {
    let maxErr = 0;
    for (let i = 0; i < set.x.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(set.x[i] - Math.fround(set.pixels[i] / 255)));
    }
    assert.equal(maxErr, 0, `x differs from pixel/255 by up to ${maxErr}`);
    assert.ok(set.y instanceof Int32Array && set.x instanceof Float32Array);
    for (let i = 0; i < set.n; i++) assert.equal(set.y[i], set.labels[i]);
  }
});

test('mnist reader with floats: false gives the labels and pixels without the float copy', () => {
  const bytes = new Uint8Array(train.pixels.buffer, train.pixels.byteOffset - 20, 20 + train.n * 785);
  const lean = parseMnist(bytes, { floats: false });
  assert.equal(lean.x, null);
  assert.deepEqual([lean.n, lean.rows, lean.cols], [train.n, 28, 28]);
  assert.deepEqual(lean.y, train.y);
  assert.equal(Buffer.compare(lean.pixels, train.pixels), 0);
});

test('mnist label distribution: all ten digits in both splits, test share 20% +- 5 points per digit', () => {
  const counts = (set) => { const c = new Array(10).fill(0); for (const l of set.y) c[l]++; return c; };
  const tr = counts(train), te = counts(testSet);
  console.log(`  train per digit: ${tr.join(' ')}\n  test per digit:  ${te.join(' ')}`);
  for (let d = 0; d < 10; d++) {
    assert.equal(tr[d] + te[d], sourceCounts[d], `digit ${d}: ${tr[d]} + ${te[d]} != ${sourceCounts[d]} in source`);
    const share = te[d] / sourceCounts[d];
    assert.ok(share > 0.15 && share < 0.25, `digit ${d}: ${(share * 100).toFixed(1)}% of it is in test`);
  }
});

test('mnist converter is idempotent: a second run writes nothing, a forced run writes identical bytes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-mnist-'));
  try {
    const t0 = performance.now();
    const first = convert({ outDir: dir });
    const ms = performance.now() - t0;
    console.log(`  conversion took ${ms.toFixed(0)} ms`);
    assert.equal(first.written, true);
    const mtime = fs.statSync(first.train).mtimeMs;
    assert.equal(convert({ outDir: dir }).written, false, 'up-to-date outputs were rewritten');
    assert.equal(fs.statSync(first.train).mtimeMs, mtime);
    const a = fs.readFileSync(first.train);
    convert({ outDir: dir, force: true });
    assert.ok(a.equals(fs.readFileSync(first.train)), 'a forced rerun produced different bytes');
    // And the same bytes as the shared build output.
    assert.ok(a.equals(fs.readFileSync(outputPaths().train)), 'temp build differs from demos/data/generated');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('mnist reader rejects malformed files with a message naming the problem', () => {
  const good = fs.readFileSync(outputPaths().test);
  const bad = (mutate) => { const b = new Uint8Array(good); mutate(b); return b; };
  assert.throws(() => parseMnist(good.subarray(0, 10)), /shorter than the 20-byte header/);
  assert.throws(() => parseMnist(bad((b) => { b[0] = 0x58; })), /expected magic "TTMNIST1"/);
  assert.throws(() => parseMnist(good.subarray(0, good.length - 1)), /header says 2000 images .* but the file has/);
  assert.throws(() => parseMnist(bad((b) => { new DataView(b.buffer).setUint32(8, 0xffffffff, true); })),
                /header says 4294967295 images/);
  assert.throws(() => parseMnist(bad((b) => { b[b.length - 1] = 10; })), /label 1999 .* is 10, expected a digit/);
  assert.throws(() => parseMnist(bad((b) => { new DataView(b.buffer).setUint32(12, 0, true); })), /out of range/);
});

test('fetchMnist streams a split over http with progress and parses it like the file', async () => {
  const body = fs.readFileSync(outputPaths().test);
  // A tiny local server: the page path is the same fetch over http.
  const server = http.createServer((req, res) => {
    if (req.url !== '/mnist-test.bin') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${server.address().port}/mnist-test.bin`;
    const progress = [];
    const got = await fetchMnist(url, { onProgress: (loaded, totalBytes) => progress.push([loaded, totalBytes]) });
    assert.equal(got.n, 2000);
    assert.deepEqual(Array.from(got.y.subarray(0, 50)), Array.from(testSet.y.subarray(0, 50)));
    assert.ok(Buffer.from(got.pixels).equals(Buffer.from(testSet.pixels)), 'fetched pixels differ from the file');
    assert.ok(progress.length >= 1, 'onProgress was never called');
    assert.deepEqual(progress.at(-1), [body.length, body.length], `last progress ${progress.at(-1)}`);
    await assert.rejects(fetchMnist(`http://127.0.0.1:${server.address().port}/missing.bin`), /HTTP 404/);
  } finally {
    server.close();
  }
});

test('the .bin.gz files make data writes are the splits gzipped; fetchMnist decompresses them, whatever the server says', async () => {
  const raw = fs.readFileSync(outputPaths().test);
  const gz = fs.readFileSync(`${outputPaths().test}.gz`);
  assert.ok(zlib.gunzipSync(gz).equals(raw), 'mnist-test.bin.gz is not mnist-test.bin gzipped');
  assert.ok(gz.length < raw.length / 3, `gzipped ${gz.length} bytes of ${raw.length}`);
  const trainGz = fs.readFileSync(`${outputPaths().train}.gz`);
  assert.ok(zlib.gunzipSync(trainGz).equals(fs.readFileSync(outputPaths().train)), 'mnist-train.bin.gz differs');
  // /plain.gz: a host serving the file as bytes; /encoded.gz: one sending it with Content-Encoding: gzip, which
  // fetch decompresses itself; /cut.gz: a truncated upload.
  const server = http.createServer((req, res) => {
    const routes = { '/plain.gz': [gz, {}], '/encoded.gz': [gz, { 'content-encoding': 'gzip' }], '/cut.gz': [gz.subarray(0, 5000), {}] };
    const [body, headers] = routes[req.url] ?? [null];
    if (!body) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length, ...headers });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    for (const route of ['/plain.gz', '/encoded.gz']) {
      const progress = [];
      const got = await fetchMnist(`${base}${route}`, { onProgress: (loaded, totalBytes) => progress.push([loaded, totalBytes]) });
      assert.equal(got.n, 2000, route);
      assert.ok(Buffer.from(got.pixels).equals(Buffer.from(testSet.pixels)), `${route}: pixels differ from the file`);
      assert.deepEqual(Array.from(got.labels), Array.from(testSet.labels), route);
      assert.ok(progress.length >= 1, `${route}: onProgress was never called`);
      const plain = await fetchMnist(`${base}${route}`); // without progress: the one-read path
      assert.ok(Buffer.from(plain.pixels).equals(Buffer.from(testSet.pixels)), `${route}: pixels differ (no progress)`);
    }
    await assert.rejects(fetchMnist(`${base}/cut.gz`), /^Error: mnist: http:.*\/cut\.gz is not a complete gzip file/);
    await assert.rejects(fetchMnist(`${base}/gone.bin.gz`), /^Error: mnist: the digits data is missing: nothing at http:.*\/gone\.bin\.gz \(HTTP 404\)$/);
  } finally {
    server.close();
  }
});
