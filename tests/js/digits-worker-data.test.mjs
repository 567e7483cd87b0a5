// The Digits page's training data path without a browser: web/runtime/session.js loads {dataset: 'mnist'} itself (both
// splits fetched with web/mnist.js, here over a local http server, the way a worker fetches them from the site),
// and a TrainingSession driven by messages trains the augmented MLP of demos/digits/models.js on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { Model } from '../../wasm/tinytrain.js';
import { loadData, prepareData, TrainingSession } from '../../web/runtime/session.js';
import { loadMnistNode, outputPaths } from '../../tools/mnist-data.mjs';
import { MLP_SPEC, CNN_SPEC, withAugment, AUGMENT } from '../../demos/digits/models.js';

const files = outputPaths(); // demos/data/generated/mnist-{train,test}.bin, built by `make data`
const train = loadMnistNode('train');
const heldOut = loadMnistNode('test');

// Serves the two split files (and counts requests); anything else is a 404.
async function serveMnist() {
  const bodies = { '/mnist-train.bin': fs.readFileSync(files.train), '/mnist-test.bin': fs.readFileSync(files.test) };
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    const body = bodies[req.url];
    if (!body) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { base, requests, data: { dataset: 'mnist', train: `${base}/mnist-train.bin`, test: `${base}/mnist-test.bin` },
    close: () => new Promise((r) => server.close(r)) };
}

function firstDifference(a, b) {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  const i = a.findIndex((v, k) => v !== b[k]);
  return i < 0 ? null : `index ${i}: ${a[i]} vs ${b[i]}`;
}

test('loadData fetches both MNIST splits over http, equal to the files; mse gets one-hot targets', async () => {
  const srv = await serveMnist();
  try {
    const d = await loadData(srv.data, { loss: 'cross_entropy' });
    assert.deepEqual(srv.requests.sort(), ['/mnist-test.bin', '/mnist-train.bin']);
    assert.equal(d.generated, null);
    assert.equal(firstDifference(d.x, train.x), null, 'train pixels differ from the file');
    assert.equal(firstDifference(d.y, train.y), null, 'train labels differ from the file');
    assert.equal(firstDifference(d.testX, heldOut.x), null, 'held-out pixels differ from the file');
    assert.equal(firstDifference(d.testY, heldOut.y), null, 'held-out labels differ from the file');
    assert.ok(d.y instanceof Int32Array, 'class indices for cross_entropy');

    const mse = await loadData(srv.data, { loss: 'mse' });
    assert.equal(mse.y.length, 8000 * 10, 'one-hot rows of 10 for mse');
    const row = Array.from(mse.y.subarray(0, 10));
    assert.deepEqual(row, row.map((_, k) => (k === train.y[0] ? 1 : 0)), `first one-hot row for label ${train.y[0]}`);
  } finally {
    await srv.close();
  }
});

test('loadData says what is wrong: an unknown option, a missing or non-string URL, a missing file, an unreadable URL', async () => {
  const srv = await serveMnist();
  try {
    await assert.rejects(loadData({ dataset: 'mnist', n: 100 }, { loss: 'cross_entropy' }),
      { message: 'data.n: unknown option for mnist (allowed: dataset, train, test)' });
    await assert.rejects(loadData({ dataset: 'mnist', train: 3 }, { loss: 'cross_entropy' }),
      { message: 'data.train: expected a URL string (where mnist-train.bin is)' });
    await assert.rejects(loadData({ ...srv.data, test: `${srv.base}/nothing.bin` }, { loss: 'cross_entropy' }),
      /^Error: mnist: the digits data is missing: nothing at http:.*\/nothing\.bin \(HTTP 404\)\. Put mnist-train\.bin\.gz and mnist-test\.bin\.gz there/);
    // Where the files are is the caller's to say: there is no default location.
    await assert.rejects(loadData({ dataset: 'mnist' }, { loss: 'cross_entropy' }),
      { message: 'data.train: expected a URL string (where mnist-train.bin is)' });
    await assert.rejects(loadData({ dataset: 'mnist', train: 'file:///nowhere/mnist-train.bin', test: srv.data.test }, { loss: 'cross_entropy' }),
      /^Error: mnist: could not load the train split from file:\/\/\/nowhere\/mnist-train\.bin: /);
    // Generated and given data stay synchronous (prepareData), and mnist is refused there with a pointer.
    assert.throws(() => prepareData({ dataset: 'mnist' }, {}), /use loadData/);
    assert.equal((await loadData({ dataset: 'xor', n: 40 }, { loss: 'cross_entropy' })).nTrain, 20);
  } finally {
    await srv.close();
  }
});

test('withAugment: the CNN keeps its layers; the MLP gets [1, 28, 28] and a leading flatten; the core accepts both', async () => {
  const cnn = withAugment(CNN_SPEC), mlp = withAugment(MLP_SPEC);
  assert.deepEqual(cnn.layers, CNN_SPEC.layers);
  assert.deepEqual(cnn.augment, { shift: 2, rotate: 10 });
  assert.deepEqual(mlp.input, [1, 28, 28]);
  assert.deepEqual(mlp.layers, [{ type: 'flatten' }, ...MLP_SPEC.layers]);
  assert.deepEqual(withAugment(mlp).layers, mlp.layers, 'applied twice, one flatten');
  assert.deepEqual(AUGMENT, { shift: 2, rotate: 10 });
  for (const spec of [cnn, mlp]) {
    const m = await Model.create(spec);
    try {
      assert.equal(m.inputSize, 784);
      assert.equal(m.outputSize, 10);
    } finally {
      m.dispose();
    }
  }
  // Same parameter count as the flat MLP: the flatten adds nothing.
  const [a, b] = await Promise.all([Model.create(MLP_SPEC), Model.create(mlp)]);
  assert.equal(a.paramCount, b.paramCount);
  a.dispose(); b.dispose();
});

test('a session given {dataset: "mnist"} loads the digits itself and trains the augmented MLP (held-out > 80% in 150 steps)', async () => {
  const srv = await serveMnist();
  const posted = [];
  const session = new TrainingSession({ Model, post: (m) => posted.push(m) });
  const reply = (id) => posted.find((m) => m.type === 'reply' && m.id === id);
  try {
    await session.handle({ type: 'init', id: 1, spec: withAugment(MLP_SPEC), data: srv.data, options: { batchSize: 64 } });
    const init = reply(1);
    assert.ok(init && init.ok, `init failed: ${init && init.error}`);
    assert.equal(init.result.nTrain, 8000);
    assert.equal(init.result.nTest, 2000);
    assert.equal(init.result.dataset, null, 'nothing generated to send back');
    const t0 = performance.now();
    await session.handle({ type: 'step', id: 2, n: 150 });
    assert.ok(reply(2)?.ok, `step failed: ${reply(2)?.error}`);
    const p = posted.filter((m) => m.type === 'progress').at(-1);
    console.log(`augmented MLP, 150 steps of 64 in Node: ${(performance.now() - t0).toFixed(0)} ms, ` +
      `held-out ${(p.testAccuracy * 100).toFixed(2)}%, loss ${p.loss.toFixed(4)}`);
    assert.ok(p.testAccuracy > 0.8, `held-out accuracy after 150 steps is ${(p.testAccuracy * 100).toFixed(2)}% (<= 80%)`);
    // A bad mnist option is the init's error reply, not a crash of the session.
    await session.handle({ type: 'init', id: 3, spec: MLP_SPEC, data: { dataset: 'mnist', split: 'x' } });
    assert.equal(reply(3).ok, false);
    assert.match(reply(3).error, /data\.split: unknown option for mnist/);
    assert.ok(!posted.some((m) => m.type === 'fatal'), 'no fatal event');
  } finally {
    if (session.model) session.model.dispose();
    await srv.close();
  }
});
