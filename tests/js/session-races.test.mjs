// web/runtime/session.js under request sequences that race its chunk loop (found in review): requests arrive between a
// chunk being scheduled and it running, so a stale chunk must never start a second training loop.
import test from 'node:test';
import assert from 'node:assert/strict';
import { REQUEST, EVENT, RATES } from '../../web/runtime/protocol.js';
import { TrainingSession } from '../../web/runtime/session.js';
import { FakeModel } from './fake-model.mjs';

const SPEC = { input: [2], layers: [{ type: 'dense', units: 3 }], loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.5 }, seed: 1 };
const DATA = { dataset: 'gaussians', n: 200, seed: 1, testFraction: 0.25 };
const tick = () => new Promise((r) => setImmediate(r));

// A session on a fake clock whose scheduler counts the chunks waiting to run (one per live training loop).
function harness() {
  const posts = [];
  let t = 0, pending = 0;
  const session = new TrainingSession({
    Model: FakeModel, rates: RATES, post: (m) => posts.push(m), now: () => (t += 1),
    schedule: (fn) => { pending++; setImmediate(() => { pending--; fn(); }); },
  });
  let id = 1;
  const send = (type, fields = {}) => session.handle({ type, id: id++, ...fields });
  return { session, posts, send, pending: () => pending };
}

test('start, pause, start before the first chunk runs leaves exactly one training loop', async () => {
  const h = harness();
  await h.send(REQUEST.INIT, { spec: SPEC, data: DATA });
  // all three handled in one turn of the event loop: the first start's chunk is still waiting to run
  h.send(REQUEST.START);
  h.send(REQUEST.PAUSE);
  await h.send(REQUEST.START);
  for (let i = 0; i < 20; i++) await tick();
  const loops = h.pending();
  await h.send(REQUEST.PAUSE); // stops every loop, so a failure below does not leave the process spinning
  assert.equal(loops, 1, `${loops} chunk loops were running (expected 1)`);
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(h.pending(), 0, `${h.pending()} chunk loops still running after pause`);
});

test('reset then start before the stale chunk runs leaves exactly one training loop', async () => {
  const h = harness();
  await h.send(REQUEST.INIT, { spec: SPEC, data: DATA });
  h.send(REQUEST.START);
  h.send(REQUEST.RESET, { seed: 1 });
  await h.send(REQUEST.START);
  for (let i = 0; i < 20; i++) await tick();
  const loops = h.pending();
  await h.send(REQUEST.PAUSE);
  assert.equal(loops, 1, `${loops} chunk loops were running (expected 1)`);
});

test('reset without a seed re-initialises with the spec seed, as Model.reset() does', async () => {
  const h = harness();
  await h.send(REQUEST.INIT, { spec: { ...SPEC, seed: 7 }, data: DATA });
  const initial = h.posts.filter((m) => m.type === EVENT.SNAPSHOT).at(-1).weights;
  await h.send(REQUEST.STEP, { n: 5 });
  await h.send(REQUEST.RESET, {});
  const after = h.posts.filter((m) => m.type === EVENT.SNAPSHOT).at(-1).weights;
  const diff = after.reduce((m, v, i) => Math.max(m, Math.abs(v - initial[i])), 0);
  assert.equal(diff, 0, `reset() weights differ from the initial (spec seed 7) weights by up to ${diff}`);
});
