// Trainer: the page side of training. Owns one worker (web/runtime/worker.js) and a predictor — a Model on the main thread
// holding the latest snapshot — so the page predicts synchronously while the worker trains (docs/design.md, "The JS API").
// Events (CustomEvent, detail): preparing {phase, done, total} (a text corpus being tokenized), ready (init
// result), progress, snapshot {step, epoch}, stopped {reason}, error {message, kind, fatal, restarting},
// restarted {step}.
//
// Text data ({text: {corpus, tokenizer, ...}}, protocol.js) trains a language model: the worker fixes the spec's
// vocabulary size to its tokenizer's, so the predictor is made from the init result's spec and vocabulary, and a
// restarted worker gets that vocabulary back instead of learning its tokenizer again.
//
// When the worker dies (a wasm trap, a crash, terminate() called by other code, self.close(), the browser ending
// it), Trainer emits `error` {kind: 'fatal', fatal: true, restarting: true}, rejects every request still waiting
// for that worker (pause(), step(), ...) with an Error named WorkerStoppedError, starts a new worker from the last
// snapshot, paused, and emits `restarted`; requests made meanwhile go to the new worker once it is restored. The
// predictor keeps the last good weights throughout. After MAX_RESTARTS restarts within a minute it gives up instead:
// one `error` with restarting: false, `failed` holds the reason, every request rejects with it, and the predictor
// still answers.
//
// A worker that ends without any event is noticed by the lock it holds while alive, where the Web Locks API exists
// (the lock is granted to the page the moment the worker ends: exact, with no timer to misjudge a busy worker), and
// otherwise by silence: the worker posts `alive` every HEARTBEAT_MS, and after silenceMs with no message at all it
// is presumed dead (protocol.js startHeartbeat).
import { REQUEST, EVENT, SILENCE_MS, RequestClient, validateSettings } from './protocol.js';
import { startWorker as defaultCreateWorker } from './start-worker.js';
import { nextTask } from '../timing.js';

const MAX_RESTARTS = 3; // within RESTART_WINDOW_MS; more means the worker cannot live here (e.g. no wasm)
const RESTART_WINDOW_MS = 60000;
// The worker's memory cap by default: room for the digits CNN with its 8,000 training images several times over
// (and so for the text models), while a hostile file or a typo (a dense layer of 10^6 units) is refused with the
// size it needs long before the tab runs out of memory.
export const DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024;


export class Trainer extends EventTarget {
  // options: {batchSize, logEvery, evalEvery, evalTrainMax, snapshotHz (snapshots a second while training: fewer for
  // a page that needs few, as each is a copy of every weight)}, threads (how many the worker trains on: more than 1
  // needs a cross-origin isolated page; by default its loader chooses; 1 from the restart after a helper thread
  // ended) and memoryLimit (bytes, 0 for none; the worker's wasm memory: the page's own is the page's business,
  // Model.setMemoryLimit) for the worker; silenceMs: how long a worker may say nothing before it is presumed dead,
  // where there are no Web Locks; Model: the Model class for the predictor (a page that imports it already passes
  // it; otherwise it is imported here); createWorker(threads) (start-worker.js) and locks to run elsewhere than a
  // page (tests).
  constructor(spec, data, { createWorker = defaultCreateWorker, Model = null, silenceMs = SILENCE_MS,
    locks = globalThis.navigator?.locks, memoryLimit = DEFAULT_MEMORY_LIMIT, ...options } = {}) {
    super();
    this.spec = typeof spec === 'string' ? JSON.parse(spec) : spec;
    options = { ...options, memoryLimit };
    Object.assign(this, { data, options, createWorker, ModelClass: Model, silenceMs, locks });
    this.predictor = null;
    this.info = null;           // init result: paramCount, flops, dataset, ...
    this.lastSnapshot = null;   // {weights, step, epoch}: the last good weights (a page-side copy)
    this.weightsVersion = 0;    // bumped on every snapshot applied to the predictor
    this.progress = null;       // the last progress detail
    this.running = this.disposed = false;
    this.settings = {};         // everything set() so far, re-applied after a restart
    this.restarts = [];
    this.restoring = false;     // true while a restarted worker is being given the last snapshot
    this.failed = null;         // why the worker is not restarted any more (too many deaths), or null
    // The silence check; unref: in Node (tests) it does not keep the process alive.
    this.watchdog = setInterval(() => this._checkSilence(), Math.min(1000, silenceMs / 4));
    this.watchdog.unref?.();
    this.ready = this._boot();
    this.ready.catch(() => {}); // reported as an `error` event too; callers awaiting ready still see it
  }

  async _boot() {
    try {
      this.alive = this._spawn();
      let info;
      if (this.data?.text) { // the spec is only known once the worker has tokenized the corpus
        info = await this.alive;
        this.spec = info.spec;
        this.data = { ...this.data, text: { ...this.data.text, vocabulary: info.vocabulary } };
        await this._makePredictor();
        this.predictor.setVocabulary(info.vocabulary);
      } else {
        [info] = await Promise.all([this.alive, this._makePredictor()]);
      }
      this.info = info;
      // The worker's weights in a task after the one that made the predictor (its first calls into wasm): on a
      // phone the two together are a long task.
      await nextTask();
      if (this.lastSnapshot) this._applySnapshot(this.lastSnapshot);
      this._emit('ready', info);
      return info;
    } catch (err) {
      if (!this.disposed) this._emit('error', { message: err.message, kind: 'init', fatal: false });
      throw err;
    }
  }

  async _makePredictor() {
    const Model = this.ModelClass || (await import('../../wasm/tinytrain.js')).Model;
    const predictor = await Model.create(this.spec);
    if (this.disposed) { // disposed while it was being made: nobody would ever free it
      predictor.dispose();
      throw new Error('this Trainer was disposed');
    }
    this.predictor = predictor;
  }

  // Starts a worker and sends it init; resolves with the init result.
  _spawn() {
    const worker = this.worker = this.createWorker(this.options.threads);
    const client = this.client = new RequestClient((msg, transfer) => worker.postMessage(msg, transfer));
    const current = () => worker === this.worker; // events of a terminated predecessor are ignored
    // performance.now() of this worker's last message (monotonic: a clock change is no silence); null until its
    // first, so a slow script load is not one either.
    this.heardAt = null;
    this.suspect = null;      // heardAt when a silence check last found it silent
    this.lockWatch = false;   // the page waits for this worker's lock: silence means busy, not dead
    // A worker terminated by other code sends no event at all: treat it as a death, or every request would hang.
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      terminate();
      if (current() && !this.disposed) this._onDeath('the training worker was terminated');
    };
    worker.addEventListener('message', ({ data: msg }) => {
      if (!current()) return;
      this.heardAt = performance.now();
      if (msg?.type === EVENT.ALIVE) this._watchLock(msg.lock, current);
      else this._onMessage(msg);
    });
    worker.addEventListener('error', (e) => {
      if (!current()) return;
      e.preventDefault?.();
      this._onDeath(`the training worker crashed: ${e.message || 'script error'}`);
    });
    worker.addEventListener('messageerror', () => {
      if (current()) this._onDeath('the training worker sent a message that could not be read');
    });
    // init goes now, not after the worker's `ready`: the worker holds it until its wasm is loaded (a page busy with
    // its first frames then costs no round trip), and a worker that dies first rejects it (_onDeath).
    return client.send(REQUEST.INIT, { spec: this.spec, data: this.data, options: this.options });
  }

  // The worker holds `lock` while it lives: queue for it, and the grant is the news of its end.
  _watchLock(lock, current) {
    if (!lock || !this.locks || this.lockWatch) return;
    this.lockWatch = true;
    this.locks.request(lock, () => {
      if (!current() || this.disposed) return;
      this._onDeath('the training worker ended without an error (closed, or stopped by the browser)');
    }).catch(() => { if (current()) this.lockWatch = false; }); // no lock after all: back to the silence check
  }

  // Runs every silenceMs / 4 (or less often: browsers throttle timers in hidden tabs, which only delays this).
  _checkSilence() {
    const silentMs = performance.now() - this.heardAt;
    if (!this.worker || this.heardAt === null || this.lockWatch || silentMs <= this.silenceMs) return;
    // Silent for too long: dead, unless its messages merely wait behind this timer (a frozen page resuming), so
    // only a second check with nothing heard in between decides.
    if (this.suspect !== this.heardAt) {
      this.suspect = this.heardAt;
      return;
    }
    this._onDeath(`the training worker stopped answering (no message for ${Math.round(silentMs / 1000)} s)`);
  }

  _onMessage(msg) {
    if (!msg || typeof msg !== 'object' || this.client.handleReply(msg)) return;
    const { type, ...detail } = msg;
    if (type === EVENT.PREPARING) {
      this._emit('preparing', detail);
    } else if (type === EVENT.PROGRESS) {
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

  // The worker is gone: fail what waited for it, report, then restart it from the last snapshot (paused).
  _onDeath(message) {
    this._endWorker();
    this.client?.rejectAll(`the training worker stopped (${message})`, 'WorkerStoppedError');
    if (this.disposed) return;
    if (!this.info) return this._fatal(message, false); // nothing trained yet: the failed boot is the report
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      return this._giveUp(`the training worker failed ${MAX_RESTARTS + 1} times within a minute (last: ${message}); it is not restarted`);
    }
    this.restarts.push(now);
    // A helper thread ended in the middle of a step (wasm/threads.js): the new worker trains on one thread, with the
    // single-threaded module (start-worker.js), and so do the ones after it.
    /helper thread/.test(message) && (this.options.threads = 1);
    this._fatal(message, true);
    const restart = this.alive = this._restart();
    // A restart that fails on its own (not because the new worker died too: that is a death of its own) is final.
    restart.catch((err) => {
      if (this.alive === restart && !this.disposed) this._giveUp(`could not restart the training worker: ${err.message}`);
    });
  }

  // Forgets the worker, then ends it (so that its terminate() is not taken for a death of the current worker).
  _endWorker() {
    const worker = this.worker;
    this.worker = null;
    this.running = false;
    worker?.terminate();
  }

  _fatal(message, restarting) {
    this._emit('error', { message, kind: 'fatal', fatal: true, restarting });
  }

  // No more workers: requests reject with the reason; the predictor keeps answering with the last good weights.
  _giveUp(reason) {
    this.failed = reason;
    this._endWorker();
    clearInterval(this.watchdog);
    this.alive = Promise.reject(Object.assign(new Error(reason), { name: 'WorkerStoppedError' }));
    this.alive.catch(() => {});
    this._fatal(reason, false);
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
    if (!this.disposed) await this.alive;
    if (this.disposed) throw new Error('this Trainer was disposed'); // (perhaps while waiting: the worker is gone)
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

  /** Asks for a snapshot now (otherwise they arrive at most options.snapshotHz times a second, 10 unless set, and
   * on pause/finish). */
  snapshot() {
    return this._request(REQUEST.SNAPSHOT);
  }

  dispose() {
    this.disposed = true;
    clearInterval(this.watchdog);
    this._endWorker();
    this.client?.rejectAll('the Trainer was disposed');
    this.predictor?.dispose();
    this.predictor = null;
  }
}
