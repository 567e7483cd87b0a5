// The training loop that runs inside the worker, kept free of Worker globals so Node tests drive it directly.
// It trains in chunks of about RATES.chunkMs and returns to the event loop between chunks, so pause/step/set/
// reset/snapshot requests are handled at once. Loss points are logged every `logEvery` steps (not per chunk), so
// the curve depends only on spec, seed and data, never on timing: the same URL draws the same curve.
import { REQUEST, EVENT, RATES, HPARAMS, Throttle, validateRequest, classifyError } from './protocol.js';
import { makeDataset, toTargets } from './datasets.js';

// A tiny wasm module whose one function executes `unreachable`: the `crash` request calls it to raise a real
// WebAssembly.RuntimeError, so tests can prove that a trap is reported as fatal and the page recovers.
const TRAP_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f" = function 0
  0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b, // code: no locals, unreachable, end
]);

// Yields to the event loop: setImmediate in Node; a MessageChannel in browsers (setTimeout is clamped to >= 4 ms
// when nested, which would waste a fifth of the time).
function defaultScheduler() {
  if (typeof setImmediate === 'function') return (fn) => setImmediate(fn);
  const ch = new MessageChannel();
  let queued = null;
  ch.port1.onmessage = () => { const f = queued; queued = null; if (f) f(); };
  return (fn) => { queued = fn; ch.port2.postMessage(0); };
}

// Request type -> handler method.
const HANDLERS = Object.freeze({
  [REQUEST.INIT]: '_init', [REQUEST.START]: '_start', [REQUEST.PAUSE]: '_pause', [REQUEST.STEP]: '_stepRequest',
  [REQUEST.SET]: '_set', [REQUEST.RESET]: '_reset', [REQUEST.SNAPSHOT]: '_snapshotRequest',
  [REQUEST.SET_WEIGHTS]: '_setWeights', [REQUEST.CRASH]: '_crash',
});

const defaultNow = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class TrainingSession {
  // Model: the class from wasm/tinytrain.js (or a fake with the same surface); post(message, transfer).
  constructor({ Model, post, now = defaultNow, schedule = defaultScheduler(), rates = RATES }) {
    this.Model = Model;
    this.post = post;
    this.now = now;
    this.schedule = schedule;
    this.rates = rates;
    this.model = null;
    this.dead = false; // set after a trap: the wasm instance can no longer be trusted
    this.running = false;
    this.queue = Promise.resolve();
    this.progressThrottle = new Throttle(rates.progressHz);
    this.snapshotThrottle = new Throttle(rates.snapshotHz);
    this.testThrottle = new Throttle(rates.testHz);
  }

  // Entry point for every message; requests run one after another (init awaits the wasm).
  handle(msg) {
    // A bug escaping _handle must not poison the queue (every later request would be dropped): report it as fatal.
    this.queue = this.queue.then(() => this._handle(msg)).catch((err) => this._fatal(`worker: ${err && err.message}`));
    return this.queue;
  }

  async _handle(msg) {
    const problem = validateRequest(msg);
    if (problem) {
      this._reply(msg && msg.id, false, problem);
      return;
    }
    if (this.dead) {
      this._reply(msg.id, false, 'the worker stopped after a wasm trap; start a new one');
      return;
    }
    if (msg.type !== REQUEST.INIT && !this.model) {
      this._reply(msg.id, false, `${msg.type}: no model yet; send init first`);
      return;
    }
    try {
      const result = await this[HANDLERS[msg.type]](msg);
      this._reply(msg.id, true, result === undefined ? null : result);
    } catch (err) {
      const ev = classifyError(err);
      this._reply(msg.id, false, ev.message);
      if (ev.type === EVENT.FATAL) this._fatal(ev.message);
    }
  }

  _reply(id, ok, payload) {
    if (ok) this.post({ type: EVENT.REPLY, id, ok: true, result: payload });
    else this.post({ type: EVENT.REPLY, id, ok: false, error: String(payload) });
  }

  async _init(msg) {
    this.running = false;
    const spec = typeof msg.spec === 'string' ? JSON.parse(msg.spec) : msg.spec;
    const data = await loadData(msg.data, spec);
    const model = await this.Model.create(spec);
    try {
      model.setData(data.x, data.y);
    } catch (e) {
      model.dispose();
      throw e;
    }
    if (!data.generated) {
      data.nTrain = data.x.length / model.inputSize;
      data.nTest = data.testX ? data.testX.length / model.inputSize : 0;
    }
    if (this.model) this.model.dispose();
    this.model = model;
    this.data = data;
    const opt = msg.options || {};
    this.batchSize = Number.isInteger(opt.batchSize) && opt.batchSize > 0 ? opt.batchSize : 32;
    this.logEvery = Number.isInteger(opt.logEvery) && opt.logEvery > 0 ? opt.logEvery : 10;
    // For big data sets (MNIST: a full evaluation costs seconds): evaluate at most every evalEvery steps, and
    // measure train accuracy on the first evalTrainMax samples only. Unset: every evaluation, on everything.
    this.evalEvery = Number.isInteger(opt.evalEvery) && opt.evalEvery > 0 ? opt.evalEvery : 0;
    this.evalTrainMax = Number.isInteger(opt.evalTrainMax) && opt.evalTrainMax > 0 ? opt.evalTrainMax : Infinity;
    this.flops = model.flops;
    this._clearCounters(0);
    this._snapshot();
    return {
      paramCount: model.paramCount, inputSize: model.inputSize, outputSize: model.outputSize, flops: model.flops,
      nTrain: data.nTrain, nTest: data.nTest, batchSize: this.batchSize, logEvery: this.logEvery,
      // The generated points (labels as class indices), so the page can draw exactly what is trained on.
      dataset: data.generated ? {
        name: data.generated.name, task: data.generated.task, classes: data.generated.classes,
        domain: data.generated.domain, x: data.generated.x, y: data.generated.y,
        testX: data.generated.testX, testY: data.generated.testY,
      } : null,
    };
  }

  // Everything counted since init/reset; stepBase carries the step count across a worker restart.
  _clearCounters(stepBase) {
    this.stepBase = stepBase;
    this.samplesSeen = 0;
    this.wallMs = 0;
    this.rate = 0;
    this.evalMs = 0;
    this.rateMark = null;
    this.points = { steps: [], losses: [], accuracies: [] };
    this.lastLoss = NaN;
    this.lastAccuracy = NaN;
    this.metrics = { accuracy: NaN, testLoss: NaN, testAccuracy: NaN, at: -1 };
    this.progressThrottle.reset();
    this.snapshotThrottle.reset();
    this.testThrottle.reset();
  }

  _start(msg) {
    this.maxSteps = msg.maxSteps === undefined ? Infinity : msg.maxSteps;
    if (!this.running) {
      this.running = true;
      this.runStart = this.now();
      this.rateMark = { t: this.runStart, samples: this.samplesSeen };
      this.schedule(() => this._chunk());
    }
    return { step: this._step() };
  }

  // One chunk: logEvery-step units until the chunk's time is used up, then report and yield.
  _chunk() {
    if (!this.running || this.dead) return;
    const t0 = this.now();
    let finished = false;
    try {
      do {
        const left = this.maxSteps - this._step();
        if (left <= 0) { finished = true; break; }
        this._trainUnit(Math.min(this._unitSize(), left));
      } while (this.now() - t0 < this.rates.chunkMs);
      if (this._step() >= this.maxSteps) finished = true;
    } catch (err) {
      this._stopOnError(err);
      return;
    }
    const t1 = this.now();
    if (finished) {
      this._halt('finished');
      return;
    }
    if (this.progressThrottle.due(t1)) this._progress(false);
    if (this.snapshotThrottle.due(t1)) this._snapshot();
    this.schedule(() => this._chunk());
  }

  _trainUnit(n) {
    const r = this.model.trainSteps(n, this.batchSize);
    this.samplesSeen += n * this.batchSize;
    this.lastLoss = r.loss;
    this.lastAccuracy = r.accuracy;
    this.points.steps.push(this._step());
    this.points.losses.push(r.loss);
    this.points.accuracies.push(r.accuracy);
  }

  _step() {
    return this.stepBase + this.model.step;
  }

  // Steps up to the next multiple of logEvery, so points land on the same steps however the run was chunked.
  _unitSize() {
    return this.logEvery - (this._step() % this.logEvery);
  }

  // Stops the loop and reports the final state: progress with fresh test metrics, a snapshot, `stopped`.
  _halt(reason) {
    if (this.running) this.wallMs += this.now() - this.runStart;
    this.running = false;
    this._progress(true);
    this._snapshot();
    this.post({ type: EVENT.STOPPED, reason, step: this._step() });
  }

  // Divergence (or any core error) mid-run: stop, say why, keep the last snapshot on the page. A trap is fatal.
  _stopOnError(err) {
    const ev = classifyError(err);
    if (this.running) this.wallMs += this.now() - this.runStart;
    this.running = false;
    if (ev.type === EVENT.FATAL) {
      this._fatal(ev.message);
      return;
    }
    this._progress(false);
    this.post({ type: EVENT.ERROR, kind: ev.kind, message: ev.message, step: this._step() });
    this.post({ type: EVENT.STOPPED, reason: ev.kind, step: this._step() });
  }

  _fatal(message) {
    this.running = false;
    this.dead = true;
    this.post({ type: EVENT.FATAL, message });
  }

  // Test metrics are evaluated on the whole test split (and train accuracy on the training set), throttled, and
  // kept to at most a tenth of the time spent training so big data sets do not starve the run.
  _evaluate(force) {
    const t = this.now();
    if (!force && this.evalEvery && this._step() - this.metrics.at < this.evalEvery) return;
    if (!force && !this.testThrottle.due(t)) return;
    if (!force && this.evalMs > 0.1 * (this.wallMs + (this.running ? t - this.runStart : 0))) return;
    if (force) this.testThrottle.last = t;
    const d = this.data;
    const nTr = Math.min(d.nTrain, this.evalTrainMax);
    const tr = nTr < d.nTrain
      ? this.model.evaluate(d.x.subarray(0, nTr * this.model.inputSize), d.y.subarray(0, nTr * this.model.labelSize))
      : this.model.evaluate(d.x, d.y);
    this.metrics.accuracy = tr.accuracy;
    this.metrics.trainLoss = tr.loss;
    if (d.nTest > 0) {
      const te = this.model.evaluate(d.testX, d.testY);
      this.metrics.testLoss = te.loss;
      this.metrics.testAccuracy = te.accuracy;
    }
    this.metrics.at = this._step();
    this.evalMs += this.now() - t;
  }

  _progress(forceTest) {
    const t = this.now();
    this._evaluate(forceTest);
    if (this.rateMark && t > this.rateMark.t) {
      // Smoothed samples/s over the time between reports, yields included (what the user gets).
      const inst = ((this.samplesSeen - this.rateMark.samples) * 1000) / (t - this.rateMark.t);
      this.rate = this.rate > 0 ? 0.7 * this.rate + 0.3 * inst : inst;
    }
    this.rateMark = this.running ? { t, samples: this.samplesSeen } : null;
    const p = this.points;
    this.points = { steps: [], losses: [], accuracies: [] };
    const wallMs = this.wallMs + (this.running ? t - this.runStart : 0);
    this.post({
      type: EVENT.PROGRESS,
      step: this._step(), epoch: this.model.epoch, running: this.running,
      loss: this.lastLoss, accuracy: this.metrics.accuracy, batchAccuracy: this.lastAccuracy,
      trainLoss: this.metrics.trainLoss ?? NaN, testLoss: this.metrics.testLoss, testAccuracy: this.metrics.testAccuracy,
      metricsStep: this.metrics.at,
      samplesPerSec: this.rate, samplesSeen: this.samplesSeen, flopsDone: this.samplesSeen * this.flops.train,
      wallMs, batchSize: this.batchSize,
      // Every logged point since the last report: (steps, losses) of equal length.
      points: { steps: Float64Array.from(p.steps), losses: Float32Array.from(p.losses),
        accuracies: Float32Array.from(p.accuracies) },
    });
  }

  // getWeights() returns a copy out of wasm memory, so its buffer can be transferred (a view of wasm memory
  // cannot: Chromium refuses to detach it).
  _snapshot() {
    const weights = this.model.getWeights();
    this.post({ type: EVENT.SNAPSHOT, weights, step: this._step(), epoch: this.model.epoch }, [weights.buffer]);
  }

  _pause() {
    if (this.running) this._halt('paused');
    return { step: this._step() };
  }

  // Exactly n steps, now (pausing a run first). Logged in logEvery units so the curve matches a continuous run.
  _trainExactly(n) {
    let left = n;
    while (left > 0) {
      const k = Math.min(this._unitSize(), left);
      this._trainUnit(k);
      left -= k;
    }
  }

  async _stepRequest(msg) {
    if (this.running) this._halt('paused');
    const t0 = this.now();
    try {
      this._trainExactly(msg.n);
    } finally {
      this.wallMs += this.now() - t0;
    }
    this._progress(true);
    this._snapshot();
    return { step: this._step(), epoch: this.model.epoch };
  }

  _set(msg) {
    const applied = {};
    for (const [k, v] of Object.entries(msg.values)) {
      if (HPARAMS.includes(k)) this.model.setHparam(k, v);
      else this[k] = v; // batchSize, logEvery (validated by the protocol)
      applied[k] = v;
    }
    return { applied, step: this._step() };
  }

  _reset(msg) {
    const wasRunning = this.running;
    this.running = false;
    this.model.reset(msg.seed === undefined ? 0 : msg.seed);
    // Setting the data again restarts the core's seeded shuffling too, so the run repeats from step 0.
    this.model.setData(this.data.x, this.data.y);
    this._clearCounters(0);
    this._progress(true);
    this._snapshot();
    if (wasRunning) this.post({ type: EVENT.STOPPED, reason: 'reset', step: 0 });
    return { step: 0 };
  }

  _snapshotRequest() {
    this._snapshot();
    return { step: this._step() };
  }

  // Restores weights from a page-side snapshot (a restarted worker); optionally continues the step count.
  _setWeights(msg) {
    this.model.setWeights(msg.weights);
    if (Number.isInteger(msg.step) && msg.step >= 0) this._clearCounters(msg.step - this.model.step);
    this._snapshot();
    return { step: this._step() };
  }

  _crash() {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(TRAP_MODULE));
    inst.exports.f(); // throws WebAssembly.RuntimeError: unreachable
  }
}


// web/mnist.js is imported on first use only: the demos need it, the widget does not (tools/dist.mjs follows
// literal imports, so it stays out of dist/, which ships no MNIST data either).
const MNIST_MODULE = './mnist.js';
const fetchMnistLazily = async (where) => (await import(MNIST_MODULE)).fetchMnist(where);

// Turns init.data into training arrays, fetching what needs fetching: {dataset: 'mnist'} is loaded here, in the
// worker, so the page need not hand it tens of MB (one structured clone, a long task on the page's thread);
// everything else goes to prepareData. loadMnist(splitOrUrl) defaults to web/mnist.js's fetchMnist.
export async function loadData(data, spec, { loadMnist = fetchMnistLazily } = {}) {
  if (data && data.dataset === 'mnist') return loadMnistData(data, spec, loadMnist);
  return prepareData(data, spec);
}

// The synchronous part: {dataset, ...options} is generated here (seeded), {x, y} is used as given. Class labels
// are converted to what the spec's loss expects.
export function prepareData(data, spec) {
  if (data.dataset === 'mnist') throw new Error('data: mnist is fetched; use loadData');
  if (typeof data.dataset === 'string') {
    const { dataset, ...options } = data;
    const g = makeDataset(dataset, options);
    return {
      generated: g, nTrain: g.nTrain, nTest: g.nTest, x: g.x, testX: g.testX,
      y: toTargets(g.y, g.classes, spec.loss), testY: toTargets(g.testY, g.classes, spec.loss),
    };
  }
  const { x, y } = data;
  if (!(x instanceof Float32Array)) throw new Error('data.x: expected a Float32Array');
  if (!(y instanceof Float32Array || y instanceof Int32Array)) throw new Error('data.y: expected an Int32Array or Float32Array');
  const hasTest = data.testX !== undefined || data.testY !== undefined;
  if (hasTest && !(data.testX instanceof Float32Array)) throw new Error('data.testX: expected a Float32Array');
  if (hasTest && !(data.testY instanceof Float32Array || data.testY instanceof Int32Array)) {
    throw new Error('data.testY: expected an Int32Array or Float32Array');
  }
  // Sample counts are filled in once the model (and so the input size) is known.
  return { generated: null, x, y, testX: hasTest ? data.testX : null, testY: hasTest ? data.testY : null };
}

// {dataset: 'mnist', train?, test?}: both splits of web/mnist.js's binary (8,000 + 2,000 digits of 28x28, pixels
// in [0, 1]), fetched in parallel; train/test are URLs to fetch instead of the files next to web/mnist.js.
const MNIST_KEYS = ['dataset', 'train', 'test'];
async function loadMnistData(data, spec, loadMnist) {
  for (const k of Object.keys(data)) {
    if (!MNIST_KEYS.includes(k)) throw new Error(`data.${k}: unknown option for mnist (allowed: ${MNIST_KEYS.join(', ')})`);
  }
  const load = async (split) => {
    const where = data[split] ?? split;
    if (typeof where !== 'string') throw new Error(`data.${split}: expected a URL string`);
    try {
      return await loadMnist(where);
    } catch (err) { // fetch's own errors ("fetch failed") do not say what was fetched
      const what = where === split ? `the ${split} split` : `the ${split} split from ${where}`;
      throw new Error(/^mnist/.test(err.message) ? err.message : `mnist: could not load ${what}: ${err.message}`);
    }
  };
  const [train, test] = await Promise.all([load('train'), load('test')]);
  return {
    generated: null, x: train.x, testX: test.x,
    y: toTargets(train.y, 10, spec.loss), testY: toTargets(test.y, 10, spec.loss),
  };
}
