// The training worker without a browser, for the Trainer tests: web/runtime/session.js behind a structured-clone message
// boundary, the way a module Worker behaves (async delivery both ways, messages cloned, transferred buffers
// detached), with FakeModel or the real wasm Model, the real heartbeat (and lock, given a FakeLockManager), and the
// test-only `crash` request. Plus the small spec and dataset those tests train.
import { TrainingSession } from '../../web/runtime/session.js';
import { startHeartbeat } from '../../web/runtime/protocol.js';
import { FakeModel } from './fake-model.mjs';
import { addCrashRequest } from './crash-hooks.mjs';

export const SPEC = { input: [2], layers: [{ type: 'dense', units: 3 }], loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.5 }, seed: 1 };
export const DATA = { dataset: 'gaussians', n: 200, seed: 1, testFraction: 0.25 };

export class InProcessWorker extends EventTarget {
  // heartbeatMs: the interval of `alive`; locks: a FakeLockManager shared with the Trainer (none: no lock).
  constructor(Model = FakeModel, { heartbeatMs = 1000, locks = null } = {}) {
    super();
    this.terminated = false;
    this.locks = locks;
    const post = (m, transfer = []) => this._deliver(structuredClone(m, { transfer }));
    this.session = addCrashRequest(new TrainingSession({ Model, post }));
    this.stopHeartbeat = startHeartbeat(post, { locks: locks?.client(this) ?? null, intervalMs: heartbeatMs });
    setImmediate(() => this._deliver({ type: 'ready' }));
  }
  _deliver(data) {
    setImmediate(() => { if (!this.terminated) this.dispatchEvent(new MessageEvent('message', { data })); });
  }
  postMessage(m, transfer = []) {
    const copy = structuredClone(m, { transfer });
    setImmediate(() => { if (!this.terminated) this.session.handle(copy); });
  }
  // A crash the way a browser reports it: an `error` event on the Worker object.
  die(message) {
    this.dispatchEvent(Object.assign(new Event('error'), { message }));
  }
  // The worker ends without any event, as after self.close() or Worker.prototype.terminate.call(worker).
  terminate() {
    this.terminated = true;
    this.session.running = false;
    this.stopHeartbeat();
    this.locks?.end(this);
  }
}
