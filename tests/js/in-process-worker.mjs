// The training worker without a browser, for the Trainer tests: web/session.js behind a structured-clone message
// boundary, the way a module Worker behaves (async delivery both ways, messages cloned, transferred buffers
// detached), with FakeModel or the real wasm Model. Plus the small spec and dataset those tests train.
import { TrainingSession } from '../../web/session.js';
import { FakeModel } from './fake-model.mjs';

export const SPEC = { input: [2], layers: [{ type: 'dense', units: 3 }], loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.5 }, seed: 1 };
export const DATA = { dataset: 'gaussians', n: 200, seed: 1, testFraction: 0.25 };

export class InProcessWorker extends EventTarget {
  constructor(Model = FakeModel) {
    super();
    this.terminated = false;
    this.session = new TrainingSession({
      Model,
      post: (m, transfer = []) => this._deliver(structuredClone(m, { transfer })),
    });
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
  terminate() {
    this.terminated = true;
    this.session.running = false;
  }
}
