// web/runtime/trainer.js when its worker dies without an `error` event (issue 15 items 2 and 9): terminate() called on the
// Worker prototype, self.close(), or the browser ending it. In-process workers (FakeModel) with the real session,
// heartbeat and, where given, a FakeLockManager standing in for the Web Locks API.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Trainer } from '../../web/runtime/trainer.js';
import { TrainingSession } from '../../web/runtime/session.js';
import { RATES } from '../../web/runtime/protocol.js';
import { FakeModel } from './fake-model.mjs';
import { InProcessWorker, SPEC, DATA } from './in-process-worker.mjs';
import { FakeLockManager } from './crash-hooks.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(pred, what, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await sleep(2);
  }
  assert.fail(`timed out after ${ms} ms waiting for ${what}`);
}
// Resolves to 'resolved', 'rejected: <name>: <message>' or 'pending' after ms.
const outcome = (p, ms = 2000) => Promise.race([
  p.then(() => 'resolved', (e) => `rejected: ${e.name}: ${e.message}`),
  sleep(ms).then(() => 'pending'),
]);
// Kills a worker the way Worker.prototype.terminate.call(worker) or self.close() does: no event, no wrapper.
const silentDeath = (w) => InProcessWorker.prototype.terminate.call(w);

function make({ heartbeatMs = 20, silenceMs = 200, locks = null, ...options } = {}) {
  const workers = [];
  const t = new Trainer(SPEC, DATA, {
    Model: FakeModel, silenceMs, locks: locks?.client('page') ?? null, ...options,
    createWorker: () => { const w = new InProcessWorker(FakeModel, { heartbeatMs, locks }); workers.push(w); return w; },
  });
  const events = [];
  for (const type of ['ready', 'stopped', 'error', 'restarted']) t.addEventListener(type, (e) => events.push({ type, ...e.detail }));
  return { t, workers, events, of: (type) => events.filter((e) => e.type === type) };
}

test('a worker that ends silently while training is noticed by its silence; pause() settles; it restarts from the last snapshot', async () => {
  const { t, workers, of } = make();
  await t.ready;
  await t.step(20);
  const good = t.predictor.getWeights();
  silentDeath(workers[0]);
  const pause = t.pause(); // sent to the dead worker: must not hang
  const p = await outcome(pause);
  assert.match(p, /^rejected: WorkerStoppedError: pause: the training worker stopped \(the training worker stopped answering/, p);
  await until(() => of('restarted').length === 1, 'the restart');
  const [e] = of('error');
  assert.deepEqual([e.kind, e.fatal, e.restarting], ['fatal', true, true]);
  assert.deepEqual(of('restarted').map((r) => r.step), [20]);
  assert.equal(workers.length, 2);
  assert.deepEqual(t.predictor.getWeights(), good, 'the predictor lost the last snapshot');
  assert.deepEqual(workers[1].session.model.getWeights(), good, 'the new worker is not at the last snapshot');
  assert.equal((await t.step(5)).step, 25);
  t.dispose();
});

test('with Web Locks the death is noticed at once, and a silent but living worker is never taken for dead', async () => {
  const locks = new FakeLockManager();
  // No heartbeat within the test (a worker busy for longer than the silence limit): only the lock says it lives.
  const { t, workers, of } = make({ locks, heartbeatMs: 60000, silenceMs: 50 });
  await t.ready;
  await t.step(10);
  await sleep(400); // eight silence limits without a word
  assert.deepEqual(of('error'), [], 'a living worker holding its lock was declared dead');
  const t0 = Date.now();
  silentDeath(workers[0]);
  await until(() => of('restarted').length === 1, 'the restart');
  assert.match(of('error')[0].message, /ended without an error/);
  console.log(`lock released -> restarted in ${Date.now() - t0} ms`);
  t.dispose();

  // The same silence without the lock is a death (so the check above can fail).
  const bare = make({ heartbeatMs: 60000, silenceMs: 50 });
  await bare.t.ready;
  await until(() => bare.of('error').length === 1, 'the silence check');
  bare.t.dispose();
});

test('a page whose timers ran late (a frozen or throttled tab) does not take queued messages for silence', async () => {
  const { t, of } = make({ heartbeatMs: 20, silenceMs: 100 });
  await t.ready;
  await t.start();
  for (let i = 0; i < 3; i++) {
    const end = Date.now() + 350; // the whole thread stops: the page's check and the worker's messages wait alike
    while (Date.now() < end);
    await sleep(60);
  }
  assert.deepEqual(of('error'), [], 'a stalled page declared its worker dead');
  await t.pause();
  t.dispose();
});

test('a long step(n) request yields between chunks, so the worker keeps answering while it runs', async () => {
  let now = 0, yields = 0;
  const posts = [];
  const session = new TrainingSession({ Model: FakeModel, post: (m) => posts.push(m), now: () => (now += 1),
    rates: RATES, schedule: (fn) => { yields++; setImmediate(fn); } });
  await session.handle({ type: 'init', id: 1, spec: SPEC, data: DATA });
  const before = yields;
  await session.handle({ type: 'step', id: 2, n: 2000 });
  const reply = posts.find((m) => m.type === 'reply' && m.id === 2);
  assert.equal(reply.result.step, 2000);
  // 2000 steps in units of 10, one fake ms per unit: 200 ms, some thirteen 15 ms chunks.
  assert.ok(yields - before >= 10, `step(2000) yielded ${yields - before} times`);
});

test('after 4 deaths in a minute the Trainer gives up in one consistent state; the predictor still answers', async () => {
  const { t, workers, events, of } = make();
  await t.ready;
  await t.step(10);
  for (let i = 0; i < 3; i++) {
    workers.at(-1).die(`boom ${i + 1}`);
    await until(() => of('restarted').length === i + 1, `restart ${i + 1}`);
  }
  const pending = t.step(5).catch((e) => e); // reaches the fourth worker, then waits with it
  await sleep(0);
  silentDeath(workers.at(-1));
  await until(() => t.failed !== null, 'giving up');
  const good = t.predictor.getWeights(); // of step 10, or 15 if the step reached the fourth worker in time
  assert.deepEqual(good, t.lastSnapshot.weights);
  assert.equal(workers.length, 4, 'a fifth worker was started');
  const last = events.at(-1);
  assert.deepEqual([last.type, last.kind, last.restarting], ['error', 'fatal', false]);
  assert.match(last.message, /^the training worker failed 4 times within a minute \(last: the training worker stopped answering .*\); it is not restarted$/);
  assert.equal(last.message, t.failed);
  assert.deepEqual(of('error').map((e) => e.restarting), [true, true, true, false], 'a restart was announced for the last death');
  assert.equal(of('restarted').length, 3);
  const s = await pending;
  assert.ok(s instanceof Error || s.step === 15, String(s));
  for (const call of [() => t.pause(), () => t.start(), () => t.step(1)]) {
    const r = await outcome(call());
    assert.equal(r, `rejected: WorkerStoppedError: ${t.failed}`);
  }
  assert.equal(t.running, false);
  assert.deepEqual(t.predictor.getWeights(), good);
  assert.equal(t.predictor.probabilities(new Float32Array([0.1, 0.2])).length, 3);
  await sleep(300);
  assert.equal(workers.length, 4);
  t.dispose();
});

test('the worker gets a memory limit by default (256 MiB), or the one given, or none', async () => {
  const seen = [];
  class LimitedModel extends FakeModel {
    static setMemoryLimit(bytes) { seen.push(bytes); }
  }
  for (const memoryLimit of [undefined, 1 << 20, 0]) {
    const t = new Trainer(SPEC, DATA, { Model: LimitedModel, memoryLimit, createWorker: () => new InProcessWorker(LimitedModel) });
    await t.ready;
    t.dispose();
  }
  assert.deepEqual(seen, [256 * 1024 * 1024, 1 << 20, 0]);
  const bad = new Trainer(SPEC, DATA, { Model: FakeModel, memoryLimit: -1, createWorker: () => new InProcessWorker() });
  await assert.rejects(bad.ready, /init.options.memoryLimit: expected a byte count from 0 \(no limit\) to 4294967295, got -1/);
  bad.dispose();
});

test('a helper thread that ends in the middle of a step: the restarted worker trains on one thread; any other death keeps the threads', async () => {
  const { ThreadLostError } = await import('../../wasm/threads.js');
  const created = []; // the options of every Model.create in the workers
  const started = []; // what every worker was started with (start-worker.js: the threads, its name)
  let lose = null;    // the next trainSteps throws this
  class ThreadedModel extends FakeModel {
    static async create(spec, options) {
      created.push(options?.threads);
      return Object.setPrototypeOf(await FakeModel.create(spec), ThreadedModel.prototype);
    }
    trainSteps(n, batch) {
      const err = lose;
      lose = null;
      if (err) throw err;
      return super.trainSteps(n, batch);
    }
  }
  const workers = [];
  const t = new Trainer(SPEC, DATA, { Model: FakeModel,
    createWorker: (threads) => { started.push(threads); const w = new InProcessWorker(ThreadedModel); workers.push(w); return w; } });
  const errors = [], restarts = [];
  t.addEventListener('error', (e) => errors.push(e.detail));
  t.addEventListener('restarted', (e) => restarts.push(e.detail.step));
  await t.ready;
  await t.step(10);
  // an ordinary trap: a new worker, threads as before
  lose = new WebAssembly.RuntimeError('unreachable');
  await assert.rejects(t.step(1));
  await until(() => restarts.length === 1, 'the first restart');
  assert.deepEqual(created, [undefined, undefined]);
  assert.deepEqual(started, [undefined, undefined], 'a worker that trains on the threads its loader chooses');
  // a helper thread lost mid-step
  lose = new ThreadLostError('a helper thread stopped (it ended in the middle of a step): the results of this step are lost; going back to the last good weights');
  await assert.rejects(t.step(1));
  await until(() => restarts.length === 2, 'the second restart');
  assert.deepEqual(created, [undefined, undefined, 1], 'the third worker trains on one thread');
  assert.deepEqual(started, [undefined, undefined, 1], 'the third worker is started for one thread');
  assert.match(errors[1].message, /^wasm trap: a helper thread stopped/);
  assert.deepEqual([errors[1].fatal, errors[1].restarting], [true, true]);
  assert.deepEqual(restarts, [10, 10], 'both from the last snapshot');
  assert.equal((await t.step(5)).step, 15);
  // and any restart after that stays on one thread
  lose = new WebAssembly.RuntimeError('unreachable');
  await assert.rejects(t.step(1));
  await until(() => restarts.length === 3, 'the third restart');
  assert.deepEqual(started, [undefined, undefined, 1, 1]);
  assert.deepEqual(created, [undefined, undefined, 1, 1]);
  t.dispose();
});
