// The worker protocol (web/runtime/protocol.js) and the worker's training loop (web/runtime/session.js), without a browser: the
// session runs in-process on a fake clock with FakeModel (tests/js/fake-model.mjs), so chunking, throttling,
// replies, divergence and traps are checked exactly.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  REQUEST, EVENT, RATES, validateRequest, validateSettings, Throttle, RequestClient, classifyError, startHeartbeat,
} from '../../web/runtime/protocol.js';
import { TrainingSession } from '../../web/runtime/session.js';
import { FakeModel } from './fake-model.mjs';
import { addCrashRequest } from './crash-hooks.mjs';

const SPEC = { input: [2], layers: [{ type: 'dense', units: 3 }], loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.5 }, seed: 1 };
const DATA = { dataset: 'gaussians', n: 200, seed: 1, testFraction: 0.25 };

// A session on a fake clock that advances `tick` ms per reading; collects everything posted.
// A paced run's sleep (wait) moves the fake clock on by its length.
function harness({ tick = 1, rates = RATES } = {}) {
  const posts = [];
  let t = 0;
  const session = new TrainingSession({
    Model: FakeModel, rates, post: (m, transfer = []) => posts.push({ m, transfer }),
    now: () => (t += tick), schedule: (fn) => setImmediate(fn), wait: (fn, ms) => { t += ms; setImmediate(fn); },
  });
  let id = 1;
  const request = async (type, fields = {}) => {
    const rid = id++;
    await session.handle({ type, id: rid, ...fields });
    const r = posts.find((p) => p.m.type === EVENT.REPLY && p.m.id === rid);
    assert.ok(r, `no reply to ${type} #${rid}`);
    return r.m;
  };
  const of = (type) => posts.filter((p) => p.m.type === type).map((p) => p.m);
  return { session, posts, request, of, clock: () => t };
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(pred, what, max = 20000) {
  for (let i = 0; i < max; i++) {
    if (pred()) return;
    await tick();
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('validateRequest names the field of a malformed request', () => {
  assert.match(validateRequest(null), /expected an object/);
  assert.match(validateRequest({ type: 'train', id: 1 }), /unknown request "train"/);
  assert.match(validateRequest({ type: 'pause' }), /pause.id: expected a non-negative integer/);
  assert.match(validateRequest({ type: 'step', id: 1, n: 0 }), /step.n: expected an integer in \[1, 1000000\], got 0/);
  assert.match(validateRequest({ type: 'reset', id: 1, seed: -1 }), /reset.seed/);
  assert.match(validateRequest({ type: 'init', id: 1, spec: SPEC }), /init.data/);
  assert.match(validateRequest({ type: 'setWeights', id: 1, weights: [1, 2] }), /Float32Array/);
  assert.equal(validateRequest({ type: 'step', id: 3, n: 10 }), null);
  assert.equal(validateRequest({ type: 'set', id: 3, values: { lr: 0.1, batchSize: 8 } }), null);
  assert.match(validateSettings({ learningRate: 1 }), /set.learningRate: unknown setting/);
  assert.match(validateSettings({ lr: NaN }), /set.lr: expected a finite number/);
  assert.match(validateSettings({ batchSize: 2.5 }), /set.batchSize: expected an integer/);
  assert.match(validateSettings({ pace: -1 }), /set.pace: expected an integer in \[0, 65536\], got -1/);
  assert.equal(validateSettings({ pace: 0 }), null);
  assert.match(validateRequest({ type: 'init', id: 1, spec: SPEC, data: DATA, options: { pace: 'slow' } }),
    /init.options: set.pace: expected a finite number, got "slow"/);
});

test('Throttle lets through at most hz events per second', () => {
  const th = new Throttle(30);
  let n = 0;
  for (let t = 0; t <= 1000; t += 1) if (th.due(t)) n++;
  assert.ok(n >= 29 && n <= 31, `${n} events in one second at 30 Hz`);
});

test('RequestClient pairs replies with requests and rejects with the worker message', async () => {
  const sent = [];
  const c = new RequestClient((m) => sent.push(m));
  const a = c.send('step', { n: 2 });
  const b = c.send('pause');
  assert.deepEqual(sent.map((m) => [m.type, m.id]), [['step', 1], ['pause', 2]]);
  assert.equal(c.handleReply({ type: 'reply', id: 2, ok: false, error: 'nope' }), true);
  assert.equal(c.handleReply({ type: 'reply', id: 1, ok: true, result: { step: 2 } }), true);
  assert.equal(c.handleReply({ type: 'reply', id: 1, ok: true }), false, 'a reply is consumed once');
  assert.deepEqual(await a, { step: 2 });
  await assert.rejects(b, /^Error: nope$/);
  const d = c.send('start');
  assert.equal(c.rejectAll('worker died'), 1);
  await assert.rejects(d, /start: worker died/);
});

test('classifyError: a wasm trap is fatal, a diverged loss is a recoverable error', () => {
  assert.equal(classifyError(new WebAssembly.RuntimeError('unreachable')).type, EVENT.FATAL);
  const d = classifyError(new Error('diverged at step 120 (loss = nan): try a lower learning rate'));
  assert.deepEqual([d.type, d.kind], [EVENT.ERROR, 'diverged']);
  assert.equal(classifyError(new Error('layers[0].units: bad')).kind, 'error');
});

test('init replies with sizes and the generated data, after posting the first snapshot', async () => {
  const h = harness();
  const r = await h.request(REQUEST.INIT, { spec: SPEC, data: DATA, options: { batchSize: 16 } });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.result.paramCount, 9);
  assert.equal(r.result.nTrain + r.result.nTest, 200);
  assert.equal(r.result.nTest, 50);
  assert.equal(r.result.dataset.classes, 3);
  assert.equal(r.result.batchSize, 16);
  const types = h.posts.map((p) => p.m.type);
  assert.deepEqual(types, [EVENT.SNAPSHOT, EVENT.REPLY]);
  const snap = h.posts[0];
  assert.equal(snap.m.weights.length, 9);
  assert.deepEqual(snap.transfer, [snap.m.weights.buffer], 'the snapshot buffer is transferred');
  snap.m.weights.fill(99);
  assert.ok(h.session.model.getWeights().every((v) => v !== 99), 'the snapshot aliases the model weights');
});

test('requests before init and malformed requests get error replies, not exceptions', async () => {
  const h = harness();
  const r = await h.request(REQUEST.START);
  assert.deepEqual([r.ok, r.error], [false, 'start: no model yet; send init first']);
  await h.session.handle({ type: 'bogus', id: 77 });
  assert.match(h.posts.at(-1).m.error, /unknown request "bogus"/);
  const bad = await h.request(REQUEST.INIT, { spec: { ...SPEC, layers: [{ type: 'dense', units: -3 }] }, data: DATA });
  assert.match(bad.error, /layers\[0\].units: expected a positive integer, got -3/);
  const badData = await h.request(REQUEST.INIT, { spec: SPEC, data: { dataset: 'spirals' } });
  assert.match(badData.error, /unknown name "spirals"/);
});

// A page that needs few snapshots asks for few (init options.snapshotHz): the other events keep their rates, and a
// pause still ends with a snapshot of the step it stopped at.
test('init options.snapshotHz sets the snapshots per second of a run (2/s here), not the progress rate', async () => {
  const h = harness({ tick: 1 });
  await h.request(REQUEST.INIT, { spec: SPEC, data: DATA, options: { logEvery: 1, snapshotHz: 2 } });
  const t0 = h.clock(), before = h.of(EVENT.SNAPSHOT).length;
  await h.request(REQUEST.START);
  await until(() => h.clock() - t0 > 3000, '3 s of fake time');
  const seconds = (h.clock() - t0) / 1000, during = h.of(EVENT.SNAPSHOT).length - before;
  await h.request(REQUEST.PAUSE);
  const progress = h.of(EVENT.PROGRESS).length;
  assert.ok(during >= 2 * seconds - 2 && during <= 2 * seconds + 1, `${during} snapshots in ${seconds.toFixed(2)} s at 2/s`);
  assert.ok(progress >= 20 * seconds, `only ${progress} progress posts in ${seconds.toFixed(2)} s`);
  assert.equal(h.of(EVENT.SNAPSHOT).at(-1).step, h.session.step, 'the pause sends the weights of its step');
  // unset, zero or not a whole number: the default rate
  for (const snapshotHz of [undefined, 0, -3, 1.5, 'often']) {
    const d = harness({ tick: 1 });
    await d.request(REQUEST.INIT, { spec: SPEC, data: DATA, options: { snapshotHz } });
    assert.equal(d.session.throttles[1].interval, 1000 / RATES.snapshotHz, String(snapshotHz));
  }
});

test('training runs in ~15 ms chunks; progress <= 30/s and snapshots <= 10/s of (fake) time', async () => {
  const h = harness({ tick: 1 });
  await h.request(REQUEST.INIT, { spec: SPEC, data: DATA, options: { logEvery: 1 } });
  const t0 = h.clock();
  await h.request(REQUEST.START);
  await until(() => h.clock() - t0 > 2000, '2 s of fake time');
  await h.request(REQUEST.PAUSE);
  const seconds = (h.clock() - t0) / 1000;
  const progress = h.of(EVENT.PROGRESS);
  const snaps = h.of(EVENT.SNAPSHOT).length - 1; // minus the one from init
  console.log(`fake ${seconds.toFixed(2)} s: ${progress.length} progress, ${snaps} snapshots, step ${h.session.model.step}`);
  assert.ok(progress.length <= 30 * seconds + 2, `${progress.length} progress posts in ${seconds} s`);
  assert.ok(progress.length >= 20 * seconds, `only ${progress.length} progress posts in ${seconds} s`);
  assert.ok(snaps <= 10 * seconds + 2, `${snaps} snapshots in ${seconds} s`);
  // Every logged point arrives exactly once, in order.
  const steps = progress.flatMap((p) => [...p.points.steps]);
  assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i + 1));
  assert.equal(steps.at(-1), h.session.model.step);
  const last = progress.at(-1);
  assert.equal(last.running, false);
  assert.ok(last.samplesPerSec > 0 && last.samplesSeen === last.step * 32, JSON.stringify(last));
  assert.equal(last.flopsDone, last.samplesSeen * 36);
  // The time inside the core's training calls is part of the run's time, never more.
  assert.ok(last.cpuMs > 0 && last.cpuMs < last.wallMs, `cpuMs ${last.cpuMs}, wallMs ${last.wallMs}`);
  assert.ok(last.testAccuracy > 0.8, `test accuracy ${last.testAccuracy}`);
});

test('pause is handled between chunks: no step is taken after its reply', async () => {
  const h = harness();
  await h.request(REQUEST.INIT, { spec: SPEC, data: DATA });
  await h.request(REQUEST.START);
  await until(() => h.session.model.step > 50, 'some steps');
  const r = await h.request(REQUEST.PAUSE);
  const stopped = h.of(EVENT.STOPPED);
  assert.deepEqual(stopped.map((s) => s.reason), ['paused']);
  const at = h.session.model.step;
  assert.equal(r.result.step, at);
  for (let i = 0; i < 50; i++) await tick();
  assert.equal(h.session.model.step, at, 'steps were taken after pause');
  assert.equal(h.of(EVENT.SNAPSHOT).at(-1).step, at, 'the final snapshot is at the pause step');
});

test('the loss curve does not depend on timing: points land on multiples of logEvery', async () => {
  const curve = async (tickMs) => {
    const h = harness({ tick: tickMs });
    await h.request(REQUEST.INIT, { spec: SPEC, data: DATA, options: { logEvery: 5 } });
    await h.request(REQUEST.STEP, { n: 3 }); // an odd step first: later points still land on multiples of 5
    await h.request(REQUEST.START, { maxSteps: 200 });
    await until(() => h.of(EVENT.STOPPED).length > 0, 'maxSteps');
    assert.equal(h.of(EVENT.STOPPED)[0].reason, 'finished');
    return h.of(EVENT.PROGRESS).flatMap((p) => [...p.points.steps].map((s, i) => [s, p.points.losses[i]]));
  };
  const fast = await curve(0.5);
  const slow = await curve(7);
  assert.deepEqual(fast.map((p) => p[0]).slice(0, 4), [3, 5, 10, 15]);
  assert.equal(fast.at(-1)[0], 200);
  assert.deepEqual(fast, slow, 'different chunking gave a different curve');
});

test('step(n) takes exactly n steps and posts progress and a snapshot before replying', async () => {
  const h = harness();
  await h.request(REQUEST.INIT, { spec: SPEC, data: DATA });
  const r = await h.request(REQUEST.STEP, { n: 7 });
  assert.equal(r.result.step, 7);
  const types = h.posts.slice(-3).map((p) => p.m.type);
  assert.deepEqual(types, [EVENT.PROGRESS, EVENT.SNAPSHOT, EVENT.REPLY]);
  await h.request(REQUEST.STEP, { n: 1 });
  assert.equal(h.session.model.step, 8);
});

test('set changes lr and batch size from the next chunk; a bad name is an error reply', async () => {
  const h = harness();
  await h.request(REQUEST.INIT, { spec: SPEC, data: DATA });
  const r = await h.request(REQUEST.SET, { values: { lr: 0.01, batchSize: 8 } });
  assert.deepEqual(r.result.applied, { lr: 0.01, batchSize: 8 });
  assert.equal(h.session.model.lr, 0.01);
  await h.request(REQUEST.STEP, { n: 2 });
  assert.equal(h.of(EVENT.PROGRESS).at(-1).samplesSeen, 16);
  const bad = await h.request(REQUEST.SET, { values: { lr: 'fast' } });
  assert.match(bad.error, /set.lr: expected a finite number/);
});

test('reset with the same seed reproduces the same losses', async () => {
  const h = harness();
  await h.request(REQUEST.INIT, { spec: SPEC, data: DATA, options: { logEvery: 1 } });
  await h.request(REQUEST.STEP, { n: 20 });
  const first = [...h.of(EVENT.PROGRESS).at(-1).points.losses];
  await h.request(REQUEST.RESET, { seed: 1 });
  assert.equal(h.of(EVENT.PROGRESS).at(-1).step, 0);
  await h.request(REQUEST.STEP, { n: 20 });
  const again = [...h.of(EVENT.PROGRESS).at(-1).points.losses];
  assert.deepEqual(again, first);
  await h.request(REQUEST.RESET, { seed: 2 });
  await h.request(REQUEST.STEP, { n: 20 });
  assert.notDeepEqual([...h.of(EVENT.PROGRESS).at(-1).points.losses], first, 'seed 2 repeated seed 1');
});

test('divergence stops training with a readable error and posts a snapshot of the weights before the bad update', async () => {
  const h = harness();
  await h.request(REQUEST.INIT, { spec: SPEC, data: DATA });
  await h.request(REQUEST.STEP, { n: 5 });
  const good = h.of(EVENT.SNAPSHOT).at(-1).weights;
  await h.request(REQUEST.SET, { values: { lr: 1e7 } });
  const nSnaps = h.of(EVENT.SNAPSHOT).length;
  await h.request(REQUEST.START);
  await until(() => h.of(EVENT.STOPPED).length > 0, 'stopped');
  const err = h.of(EVENT.ERROR);
  assert.equal(err.length, 1);
  assert.equal(err[0].kind, 'diverged');
  assert.match(err[0].message, /^diverged at step \d+ \(loss = .*\): try a lower learning rate$/);
  assert.equal(h.of(EVENT.STOPPED)[0].reason, 'diverged');
  // the page may hold the bad update's weights (from a snapshot between it and the divergence): it gets the
  // rolled-back ones, here the last good snapshot's
  const snaps = h.of(EVENT.SNAPSHOT);
  assert.equal(snaps.length, nSnaps + 1, 'one snapshot after the divergence');
  assert.deepEqual(snaps.at(-1).weights, good);
  assert.ok(good.every(Number.isFinite));
  assert.equal(h.session.running, false);
});

test('a wasm trap is reported as fatal and the session refuses further work', async () => {
  const h = harness();
  addCrashRequest(h.session);
  await h.request(REQUEST.INIT, { spec: SPEC, data: DATA });
  const r = await h.request('crash');
  assert.match(r.error, /wasm trap: unreachable/);
  assert.equal(h.of(EVENT.FATAL).length, 1);
  const after = await h.request(REQUEST.STEP, { n: 1 });
  assert.match(after.error, /stopped after a wasm trap/);

  // A trap inside the training loop (not in a request) is fatal too.
  const h2 = harness();
  await h2.request(REQUEST.INIT, { spec: SPEC, data: DATA });
  FakeModel.trapAtStep = 30;
  try {
    await h2.request(REQUEST.START);
    await until(() => h2.of(EVENT.FATAL).length > 0, 'fatal');
  } finally {
    FakeModel.trapAtStep = 0;
  }
  assert.match(h2.of(EVENT.FATAL)[0].message, /^wasm trap: unreachable/);
  assert.equal(h2.session.running, false);
});

test('evaluation is kept to about a tenth of the training time when it is expensive', async () => {
  let t = 0;
  class SlowEvalModel extends FakeModel {
    static async create(spec) {
      const m = await FakeModel.create(spec);
      Object.setPrototypeOf(m, SlowEvalModel.prototype);
      return m;
    }

    evaluate(x, y) {
      t += 200; // a big held-out set: each evaluation costs 200 ms of (fake) time
      return super.evaluate(x, y);
    }
  }
  const posts = [];
  const session = new TrainingSession({
    Model: SlowEvalModel, rates: RATES, post: (m) => posts.push(m), now: () => (t += 1),
    schedule: (fn) => setImmediate(fn),
  });
  await session.handle({ type: REQUEST.INIT, id: 1, spec: SPEC, data: DATA });
  const t0 = t, evalsBefore = posts.filter((m) => m.type === EVENT.PROGRESS).length;
  await session.handle({ type: REQUEST.START, id: 2 });
  await until(() => t - t0 > 20000, '20 s of fake time');
  await session.handle({ type: REQUEST.PAUSE, id: 3 });
  const evaluated = new Set(posts.filter((m) => m.type === EVENT.PROGRESS).slice(evalsBefore).map((m) => m.metricsStep));
  // Two evaluate calls (train + test) per evaluation: 400 ms each; 20 s of running allows about 2 s of them.
  const evalSeconds = (evaluated.size * 400) / 1000;
  console.log(`${evaluated.size} evaluations in ${((t - t0) / 1000).toFixed(1)} s of fake time`);
  assert.ok(evaluated.size >= 2, 'still evaluates');
  assert.ok(evalSeconds <= 0.12 * ((t - t0) / 1000) + 0.8, `${evalSeconds} s of evaluation`);
});

test('a paced run takes `pace` steps per second of its clock; set pace 0 goes back to full speed', async () => {
  const h = harness({ tick: 0.01 });
  await h.request(REQUEST.INIT, { spec: SPEC, data: DATA, options: { logEvery: 5, pace: 250 } });
  const t0 = h.clock();
  await h.request(REQUEST.START);
  await until(() => h.clock() - t0 > 2000, '2 s of fake time');
  let seconds = (h.clock() - t0) / 1000, step = h.session.model.step;
  assert.ok(step <= 250 * seconds && step >= 250 * seconds - 2 * 5 - 250 * 0.016, `${step} steps in ${seconds} s at 250/s`);
  // Points still land on multiples of logEvery.
  const steps = h.of(EVENT.PROGRESS).flatMap((p) => [...p.points.steps]);
  assert.ok(steps.length > 50 && steps.every((s, i) => s === 5 * (i + 1)), String(steps.slice(0, 10)));
  // Faster now: from the moment of the change, not as a burst of the steps "owed" since the start.
  await h.request(REQUEST.SET, { values: { pace: 1000 } });
  const t1 = h.clock(), s1 = h.session.model.step;
  await until(() => h.clock() - t1 > 1000, '1 s more');
  seconds = (h.clock() - t1) / 1000;
  step = h.session.model.step - s1;
  assert.ok(step <= 1000 * seconds && step >= 1000 * seconds - 30, `${step} steps in ${seconds} s at 1000/s`);
  await h.request(REQUEST.SET, { values: { pace: 0 } });
  const t2 = h.clock(), s2 = h.session.model.step;
  await until(() => h.clock() - t2 > 100, '0.1 s at full speed');
  step = h.session.model.step - s2;
  assert.ok(step > 1000, `only ${step} steps in 0.1 s of fake time with no pace`);
  await h.request(REQUEST.PAUSE);
});

test('the heartbeat names the worker\'s lock in every beat once held, so a page that listens late still learns it', async () => {
  const posts = [];
  let grant;
  const locks = { request: (name, held) => new Promise((resolve) => { grant = () => resolve(held()); }) };
  const stop = startHeartbeat((msg) => posts.push(msg), { locks, intervalMs: 5 });
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.ok(posts.length > 0 && posts.every((m) => m.type === EVENT.ALIVE && m.lock === undefined), 'no name before the lock is held');
  grant();
  const granted = posts.length;
  await new Promise((resolve) => setTimeout(resolve, 30));
  stop();
  const after = posts.slice(granted);
  assert.ok(after.length >= 3, `beats after the grant: ${after.length}`);
  assert.match(after[0].lock, /^tinytrain-worker-/);
  assert.ok(after.every((m) => m.lock === after[0].lock), 'every later beat names the same lock');
});
