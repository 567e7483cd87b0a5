// Trainer: the page side of training. Owns one worker (web/worker.js) and a predictor — a Model on the main thread
// holding the latest snapshot — so the page predicts synchronously while the worker trains (docs/design.md, "The JS API").
// Events (CustomEvent, detail): ready (init result), progress, snapshot {step, epoch}, stopped {reason},
// error {message, kind, fatal}, restarted {step}. If the worker dies (a wasm trap, a crash), `error` is sent, a new
// worker starts from the last snapshot, and the predictor keeps the last good weights meanwhile.
import { REQUEST, EVENT, RequestClient, validateSettings } from './protocol.js';

const MAX_RESTARTS = 3; // within RESTART_WINDOW_MS; more means the worker cannot live here (e.g. no wasm)
const RESTART_WINDOW_MS = 60000;

const defaultCreateWorker = () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

export class Trainer extends EventTarget {
  // options: {batchSize, logEvery} for the worker; createWorker and Model to run elsewhere than a page (tests).
  constructor(spec, data, { createWorker = defaultCreateWorker, Model = null, ...options } = {}) {
    super();
    this.spec = typeof spec === 'string' ? JSON.parse(spec) : spec;
    Object.assign(this, { data, options, createWorker, ModelClass: Model });
    this.predictor = null;
    this.info = null;           // init result: paramCount, flops, dataset, ...
    this.lastSnapshot = null;   // {weights, step, epoch}: the last good weights (a page-side copy)
    this.weightsVersion = 0;    // bumped on every snapshot applied to the predictor
    this.progress = null;       // the last progress detail
    this.running = this.disposed = false;
    this.settings = {};         // everything set() so far, re-applied after a restart
    this.restarts = [];
    this.restoring = false;     // true while a restarted worker is being given the last snapshot
    this.ready = this._boot();
    this.ready.catch(() => {}); // reported as an `error` event too; callers awaiting ready still see it
  }

  async _boot() {
    try {
      this.alive = this._spawn();
      const [info] = await Promise.all([this.alive, this._makePredictor()]);
      this.info = info;
      if (this.lastSnapshot) this._applySnapshot(this.lastSnapshot);
      this._emit('ready', info);
      return info;
    } catch (err) {
      if (!this.disposed) this._emit('error', { message: err.message, kind: 'init', fatal: false });
      throw err;
    }
  }

  async _makePredictor() {
    const Model = this.ModelClass || (await import('../wasm/tinytrain.js')).Model;
    const predictor = await Model.create(this.spec);
    if (this.disposed) { // disposed while it was being made: nobody would ever free it
      predictor.dispose();
      throw new Error('this Trainer was disposed');
    }
    this.predictor = predictor;
  }

  // Starts a worker, waits for `ready`, sends init; resolves with the init result.
  _spawn() {
    const worker = this.worker = this.createWorker();
    const client = this.client = new RequestClient((msg, transfer) => worker.postMessage(msg, transfer));
    const current = () => worker === this.worker; // events of a terminated predecessor are ignored
    // A worker terminated by other code sends no event at all: treat it as a death, or every request would hang.
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      terminate();
      if (current() && !this.disposed) this._onDeath('the training worker was terminated');
    };
    const workerReady = new Promise((resolve, reject) => {
      this._abortSpawn = reject;
      worker.addEventListener('message', ({ data: msg }) => {
        if (!current()) return;
        if (msg?.type === EVENT.READY) resolve();
        else this._onMessage(msg);
      });
    });
    worker.addEventListener('error', (e) => {
      if (!current()) return;
      e.preventDefault?.();
      this._onDeath(`the training worker crashed: ${e.message || 'script error'}`);
    });
    worker.addEventListener('messageerror', () => {
      if (current()) this._onDeath('the training worker sent a message that could not be read');
    });
    return workerReady.then(() => client.send(REQUEST.INIT, { spec: this.spec, data: this.data, options: this.options }));
  }

  _onMessage(msg) {
    if (!msg || typeof msg !== 'object' || this.client.handleReply(msg)) return;
    const { type, ...detail } = msg;
    if (type === EVENT.PROGRESS) {
      this.progress = detail;
      this.running = detail.running;
      this._emit('progress', detail);
    } else if (type === EVENT.SNAPSHOT && !this.restoring) { // restoring: a restarted worker's fresh init weights
      this.lastSnapshot = detail;
      if (this.predictor) this._applySnapshot(detail);
    } else if (type === EVENT.STOPPED) {
      this.running = false;
      this._emit('stopped', detail); // {reason, step}
    } else if (type === EVENT.ERROR) {
      this._emit('error', { ...detail, fatal: false }); // {message, kind, step}
    } else if (type === EVENT.FATAL) {
      this._onDeath(detail.message);
    }
  }

  _applySnapshot(s) {
    this.predictor.setWeights(s.weights);
    this.weightsVersion++;
    this._emit('snapshot', { step: s.step, epoch: s.epoch });
  }

  // The worker is gone: report, then restart it from the last snapshot (training stays paused).
  _onDeath(message) {
    const dead = this.worker;
    this.worker = null;
    this.running = false;
    dead?.terminate();
    this.client?.rejectAll(`the training worker stopped (${message})`);
    this._abortSpawn(new Error(message)); // a worker that died before `ready`
    const fatal = (text) => this._emit('error', { message: text, kind: 'fatal', fatal: true });
    fatal(message);
    if (this.disposed || !this.info) return; // nothing trained yet: the failed boot is the report
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      fatal(`giving up after ${MAX_RESTARTS} worker crashes in a minute`);
      this.alive = Promise.reject(new Error('the training worker keeps crashing'));
      this.alive.catch(() => {});
      return;
    }
    this.restarts.push(now);
    this.alive = this._restart();
    this.alive.catch((err) => fatal(`could not restart the training worker: ${err.message}`));
  }

  // Requests made meanwhile wait for all of this (this.alive), so none reaches a half-restored worker.
  async _restart() {
    this.restoring = this.lastSnapshot !== null;
    await this._spawn();
    if (Object.keys(this.settings).length) await this.client.send(REQUEST.SET, { values: { ...this.settings } });
    let step = 0;
    if (this.lastSnapshot) {
      const weights = this.lastSnapshot.weights.slice(); // the page keeps its copy; transfer a new one
      step = this.lastSnapshot.step;
      await this.client.send(REQUEST.SET_WEIGHTS, { weights, step }, [weights.buffer]);
      this.restoring = false;
    }
    this._emit('restarted', { step });
  }

  // Sends a request once the current worker is up.
  async _request(type, fields, transfer) {
    if (this.disposed) throw new Error('this Trainer was disposed');
    await this.alive;
    if (this.disposed) throw new Error('this Trainer was disposed'); // while waiting: the worker is gone
    return this.client.send(type, fields, transfer);
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Trains until pause() (or maxSteps optimizer steps in total). Resolves once the worker has started. */
  async start({ maxSteps } = {}) {
    const r = await this._request(REQUEST.START, { maxSteps });
    this.running = true;
    return r;
  }

  /** Stops training; resolves after the final progress and snapshot have been applied. */
  async pause() {
    const r = await this._request(REQUEST.PAUSE);
    this.running = false;
    return r;
  }

  /** Exactly n optimizer steps (pauses a run first); resolves after the predictor has the new weights. */
  step(n = 1) {
    return this._request(REQUEST.STEP, { n });
  }

  /** Re-initialises weights, optimizer and counters; the same seed gives the same run again. */
  reset({ seed } = {}) {
    this.running = false;
    return this._request(REQUEST.RESET, { seed });
  }

  /** Changes hyper-parameters (protocol.js HPARAMS: lr, momentum, ...) or batchSize while training; they apply
   * from the next chunk (a few ms). */
  set(values) {
    const problem = validateSettings(values);
    if (problem) return Promise.reject(new Error(problem));
    Object.assign(this.settings, values);
    return this._request(REQUEST.SET, { values });
  }

  /** Replaces the worker's weights (e.g. from a .safetensors file; paramCount floats) and restarts the step count
   * at `step`; resolves once the predictor has them. */
  setWeights(weights, { step = 0 } = {}) {
    const copy = Float32Array.from(weights); // transferred: the caller keeps its array
    return this._request(REQUEST.SET_WEIGHTS, { weights: copy, step }, [copy.buffer]);
  }

  /** Asks for a snapshot now (otherwise they arrive at most ~10 times a second and on pause/finish). */
  snapshot() {
    return this._request(REQUEST.SNAPSHOT);
  }

  /** Test hook: makes the worker execute a wasm `unreachable`, as a real trap would. */
  crashWorkerForTest() {
    return this._request(REQUEST.CRASH);
  }

  dispose() {
    this.disposed = true;
    this.worker?.terminate();
    this.worker = null;
    this.client?.rejectAll('the Trainer was disposed');
    this._abortSpawn?.(new Error('this Trainer was disposed')); // a boot waiting for `ready` fails instead of hanging
    this.predictor?.dispose();
    this.predictor = null;
  }
}
