// web/runtime/trainer.js when the page disposes a Trainer at awkward moments (found in review): during boot, and with a
// request waiting for the worker. Nothing may hang, and no predictor (wasm memory on the page) may outlive it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Trainer } from '../../web/runtime/trainer.js';
import { FakeModel } from './fake-model.mjs';
import { InProcessWorker, SPEC, DATA } from './in-process-worker.mjs';

const make = () => new Trainer(SPEC, DATA, { Model: FakeModel, createWorker: () => new InProcessWorker() });
// Resolves to 'resolved', 'rejected: <message>' or 'pending' after ms of real time.
const outcome = (p, ms = 500) => Promise.race([
  p.then(() => 'resolved', (e) => `rejected: ${e.message}`),
  new Promise((r) => setTimeout(() => r('pending'), ms)),
]);

test('dispose during boot: ready rejects instead of hanging, and the predictor is not left allocated', async () => {
  const live = FakeModel.live;
  const t = make();
  t.dispose();
  const r = await outcome(t.ready);
  assert.match(r, /^rejected: .*disposed/, `ready after dispose: ${r}`);
  await new Promise((res) => setTimeout(res, 50)); // let a late Model.create settle
  assert.equal(FakeModel.live - live, 0, `${FakeModel.live - live} predictor model(s) leaked after dispose`);
  assert.equal(t.predictor, null, 'a predictor was installed after dispose');
});

test('a request waiting for the worker rejects when the Trainer is disposed, instead of hanging', async () => {
  const t = make();
  const start = t.start(); // waits for boot
  t.dispose();
  const r = await outcome(start);
  assert.match(r, /^rejected: .*disposed/, `start() after dispose: ${r}`);
});

test('a request sent after boot but before dispose rejects too', async () => {
  const t = make();
  await t.ready;
  const step = t.step(5);
  t.dispose();
  const r = await outcome(step);
  assert.match(r, /^rejected: .*disposed/, `step() after dispose: ${r}`);
});
