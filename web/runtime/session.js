// The training loop that runs inside the worker, kept free of Worker globals so Node tests drive it directly.
// It trains in chunks of about RATES.chunkMs and returns to the event loop between chunks, so pause/step/set/
// reset/snapshot requests are handled at once. Loss points are logged every `logEvery` steps (not per chunk), so
// the curve depends only on spec, seed and data, never on timing: the same URL draws the same curve.
import { EVENT, RATES, HPARAMS, Throttle, validateRequest, classifyError } from './protocol.js';
import { makeDataset, toTargets } from '../datasets.js';

// Yields to the event loop: setImmediate in Node; a MessageChannel in browsers (setTimeout is clamped to >= 4 ms
// when nested, which would waste a fifth of the time).
function defaultScheduler() {
  if (typeof setImmediate === 'function') return setImmediate;
  const ch = new MessageChannel();
  let queued = null;
  ch.port1.onmessage = () => { const f = queued; queued = null; f?.(); };
  return (fn) => { queued = fn; ch.port2.postMessage(0); };
}

const positive = (v, otherwise) => (Number.isInteger(v) && v > 0 ? v : otherwise);
const noPoints = () => ({ steps: [], losses: [], accuracies: [] });

export class TrainingSession {
  // Model: the class from wasm/tinytrain.js (or a fake with the same surface); post(message, transfer).
  // schedule(fn): run fn soon (between chunks); wait(fn, ms): run fn after ms (between the chunks of a paced run).
  // prepareText: the text pipeline (web/text/corpus.js by default; text-data.js loads it on first use).
  constructor({ Model, post, now = () => performance.now(), schedule = defaultScheduler(),
    wait = (fn, ms) => setTimeout(fn, ms), rates = RATES, prepareText = null }) {
    Object.assign(this, { Model, post, now, schedule, wait, rates, prepareText });
    this.model = null;
    this.running = this.dead = false; // dead: after a trap the wasm instance can no longer be trusted
    this.run = 0;                     // id of the current run: a chunk of an earlier run, still queued, stops
    this.queue = Promise.resolve();
  }

  // Entry point for every message; requests run one after another (init awaits the wasm).
  handle(msg) {
    // A bug escaping _handle must not poison the queue (every later request would be dropped): report it as fatal.
    this.queue = this.queue.then(() => this._handle(msg)).catch((err) => this._fatal(`worker: ${err && err.message}`));
    return this.queue;
  }

  // Checks a request before it is handled: null when fine, otherwise the message of the error reply.
  validate(msg) {
    return validateRequest(msg);
  }

  // Request `type` is handled by the method `_type` (validate lets only the protocol's types through).
  async _handle(msg) {
    let problem = this.validate(msg);
    if (!problem && this.dead) problem = 'the worker stopped after a wasm trap; start a new one';
    else if (!problem && msg.type !== 'init' && !this.model) problem = `${msg.type}: no model yet; send init first`;
    if (problem) return this._reply(msg?.id, false, problem);
    try {
      this._reply(msg.id, true, (await this[`_${msg.type}`](msg)) ?? null);
    } catch (err) {
      const ev = classifyError(err);
      this._reply(msg.id, false, ev.message);
      if (ev.type === EVENT.FATAL) this._fatal(ev.message);
    }
  }

  // result: the handler's result, or the error's message
  _reply(id, ok, result) {
    this.post({ type: EVENT.REPLY, id, ok, [ok ? 'result' : 'error']: result });
  }

  get step() {
    return this.stepBase + this.model.step; // stepBase carries the step count across a worker restart
  }

  async _init(msg) {
    this.running = false;
    let spec = typeof msg.spec === 'string' ? JSON.parse(msg.spec) : msg.spec;
    const opt = msg.options || {};
    // The cap on this worker's wasm memory (its own instance): a model or data set over it is refused with the
    // size it needs, instead of growing memory by gigabytes.
    if (opt.memoryLimit !== undefined) this.Model.setMemoryLimit?.(opt.memoryLimit);
    let data;
    if (msg.data.text) { // a language model: the text code is loaded only for it (make dist: a part on demand)
      const { loadText, textSpec } = await import('./text-data.js');
      data = await loadText(msg.data.text,
        { post: this.post, now: this.now, hz: this.rates.progressHz, prepareText: this.prepareText });
      spec = textSpec(spec, data);
    } else {
      data = await loadData(msg.data, spec);
    }
    const model = await this.Model.create(spec, opt); // opt.threads: a restart after a helper thread ended says 1
    try {
      feed(model, data);
    } catch (e) {
      model.dispose();
      throw e;
    }
    if (!data.generated && !data.text) {
      data.nTrain = data.x.length / model.inputSize;
      data.nTest = data.testX ? data.testX.length / model.inputSize : 0;
    }
    this.model?.dispose();
    this.model = model;
    this.data = data;
    this.batchSize = positive(opt.batchSize, 32);
    this.logEvery = positive(opt.logEvery, 10);
    this.pace = opt.pace ?? 0;
    // A page that uses few snapshots asks for fewer: each one is a copy of every weight, garbage on the page.
    this.snapshotHz = positive(opt.snapshotHz, this.rates.snapshotHz);
    // For big data sets (MNIST: a full evaluation costs seconds): evaluate at most every evalEvery steps, and
    // measure train accuracy on the first evalTrainMax samples only. Unset: every evaluation, on everything.
    this.evalEvery = positive(opt.evalEvery, 0);
    this.evalTrainMax = positive(opt.evalTrainMax, Infinity);
    this._clearCounters(0);
    this._postSnapshot();
    return {
      paramCount: model.paramCount, inputSize: model.inputSize, outputSize: model.outputSize, flops: model.flops,
      nTrain: data.nTrain, nTest: data.nTest, batchSize: this.batchSize, logEvery: this.logEvery,
      // makeDataset's result (labels as class indices), so the page can draw exactly what is trained on.
      dataset: data.generated,
      // A language model: the spec trained (its vocabulary size is the tokenizer's), the tokens, the streams.
      ...(data.text && { spec, vocabulary: data.vocabulary, text: data.text }),
    };
  }

  // Everything counted since init/reset.
  _clearCounters(stepBase) {
    this.stepBase = stepBase;
    this.samplesSeen = this.wallMs = this.cpuMs = this.rate = this.evalMs = 0;
    this.rateMark = null;
    this.points = noPoints();
    this.lastLoss = this.lastAccuracy = NaN;
    this.metrics = { accuracy: NaN, testLoss: NaN, testAccuracy: NaN, at: -1 };
    const r = this.rates;
    this.throttles = [r.progressHz, this.snapshotHz, r.testHz].map((hz) => new Throttle(hz)); // progress, snapshot, test
  }

  _start(msg) {
    this.maxSteps = msg.maxSteps ?? Infinity;
    if (!this.running) {
      this.running = true;
      this.runStart = this.now();
      this.rateMark = { t: this.runStart, samples: this.samplesSeen };
      this._paceFromNow();
      const run = ++this.run; // start, pause, start in one turn: the first run's queued chunk must not run too
      this.schedule(() => this._chunk(run));
    }
    return { step: this.step };
  }

  // A pace counts its steps from here: the run's start, or the moment the pace changed.
  _paceFromNow() {
    this.paceFrom = { t: this.now(), step: this.step };
  }

  // One chunk: logEvery-step units until the chunk's time is used up (or, at a pace, until the steps due by now
  // are done), then report and yield.
  _chunk(run) {
    if (!this.running || this.dead || run !== this.run) return;
    const t0 = this.now(), pace = this.pace, from = this.paceFrom;
    const due = pace ? from.step + Math.floor(((t0 - from.t) * pace) / 1000) : Infinity;
    try {
      for (;;) {
        const unit = Math.min(this._unitSize(), this.maxSteps - this.step);
        if (unit <= 0 || this.step + unit > due) break;
        this._trainUnit(unit);
        if (this.now() - t0 >= this.rates.chunkMs) break;
      }
    } catch (err) {
      return this._stopOnError(err);
    }
    const t1 = this.now(), [progress, snapshot] = this.throttles;
    if (this.step >= this.maxSteps) return this._halt('finished');
    if (progress.due(t1)) this._progress(false);
    if (snapshot.due(t1)) this._postSnapshot();
    // A pace the core cannot keep up with does not pile up steps to rush through later.
    if (pace && due - this.step > pace) this._paceFromNow();
    if (pace) this.wait(() => this._chunk(run), this.rates.paceMs);
    else this.schedule(() => this._chunk(run));
  }

  // cpuMs counts the time inside the core's training calls only: no yields, evaluations or messages.
  _trainUnit(n) {
    const t0 = this.now();
    const r = this.model.trainSteps(n, this.batchSize);
    this.cpuMs += this.now() - t0;
    this.samplesSeen += n * this.batchSize;
    this.lastLoss = r.loss;
    this.lastAccuracy = r.accuracy;
    this.points.steps.push(this.step);
    this.points.losses.push(r.loss);
    this.points.accuracies.push(r.accuracy);
  }

  // Steps up to the next multiple of logEvery, so points land on the same steps however the run was chunked.
  _unitSize() {
    return this.logEvery - (this.step % this.logEvery);
  }

  // Milliseconds spent training (runs and step requests) up to time t.
  _wall(t) {
    return this.wallMs + (this.running ? t - this.runStart : 0);
  }

  _stopRun() {
    this.wallMs = this._wall(this.now());
    this.running = false;
  }

  // Stops the loop and reports the final state: progress with fresh test metrics, a snapshot, `stopped`.
  _halt(reason) {
    this._stopRun();
    this._progress(true);
    this._postSnapshot();
    this.post({ type: EVENT.STOPPED, reason, step: this.step });
  }

  // Divergence (or any core error) mid-run: stop, say why. A trap is fatal. After a divergence the core has rolled
  // back to the weights before the update that went wrong, which the page may never have seen as a snapshot (or
  // it holds the bad ones): send them.
  _stopOnError(err) {
    const ev = classifyError(err);
    this._stopRun();
    if (ev.type === EVENT.FATAL) return this._fatal(ev.message);
    this._progress(false);
    if (ev.kind === 'diverged') this._postSnapshot();
    this.post({ ...ev, step: this.step }); // {type: error, kind, message}
    this.post({ type: EVENT.STOPPED, reason: ev.kind, step: this.step });
  }

  _fatal(message) {
    this.running = false;
    this.dead = true;
    this.post({ type: EVENT.FATAL, message });
  }

  // Test metrics are evaluated on the whole test split (and train accuracy on the training set), throttled, and
  // kept to at most a tenth of the time spent training so big data sets do not starve the run.
  _evaluate(force) {
    const t = this.now(), m = this.metrics, d = this.data, model = this.model, throttle = this.throttles[2];
    if (!force && ((this.evalEvery && this.step - m.at < this.evalEvery) || !throttle.due(t) ||
      this.evalMs > 0.1 * this._wall(t))) return;
    if (force) throttle.last = t;
    if (d.text) {
      ({ loss: m.trainLoss, accuracy: m.accuracy } = model.evaluateTokens(d.evalTrain));
      ({ loss: m.testLoss, accuracy: m.testAccuracy } = model.evaluateTokens(d.evalHeldout));
    } else {
      const nTr = Math.min(d.nTrain, this.evalTrainMax);
      const tr = model.evaluate(d.x.subarray(0, nTr * model.inputSize), d.y.subarray(0, nTr * model.labelSize));
      m.accuracy = tr.accuracy;
      m.trainLoss = tr.loss;
      if (d.nTest > 0) ({ loss: m.testLoss, accuracy: m.testAccuracy } = model.evaluate(d.testX, d.testY));
    }
    m.at = this.step;
    this.evalMs += this.now() - t;
  }

  _progress(forceTest) {
    const t = this.now(), m = this.metrics, p = this.points;
    this._evaluate(forceTest);
    if (this.rateMark && t > this.rateMark.t) {
      // Smoothed samples/s over the time between reports, yields included (what the user gets).
      const inst = ((this.samplesSeen - this.rateMark.samples) * 1000) / (t - this.rateMark.t);
      this.rate = this.rate > 0 ? 0.7 * this.rate + 0.3 * inst : inst;
    }
    this.rateMark = this.running ? { t, samples: this.samplesSeen } : null;
    this.points = noPoints();
    this.post({
      type: EVENT.PROGRESS,
      step: this.step, epoch: this.model.epoch, running: this.running,
      loss: this.lastLoss, accuracy: m.accuracy, batchAccuracy: this.lastAccuracy,
      trainLoss: m.trainLoss ?? NaN, testLoss: m.testLoss, testAccuracy: m.testAccuracy, metricsStep: m.at,
      samplesPerSec: this.rate, threads: this.model.threads, samplesSeen: this.samplesSeen,
      flopsDone: this.samplesSeen * this.model.flops.train,
      wallMs: this._wall(t), cpuMs: this.cpuMs, batchSize: this.batchSize,
      ...(this.data.text && this._textProgress()),
      // Every logged point since the last report: (steps, losses) of equal length.
      points: { steps: Float64Array.from(p.steps), losses: Float32Array.from(p.losses),
        accuracies: Float32Array.from(p.accuracies) },
    });
  }

  // A language model trains on windows of inputSize tokens, each predicting every next token; losses per
  // character as well as per token (BPE tokens span several characters).
  _textProgress() {
    const T = this.model.inputSize, m = this.metrics, perChar = this.data.tokensPerChar;
    return {
      tokensSeen: this.samplesSeen * T, tokensPerSec: this.rate * T,
      trainLossPerChar: m.trainLoss * perChar.train, testLossPerChar: m.testLoss * perChar.heldout,
    };
  }

  // getWeights() returns a copy out of wasm memory, so its buffer can be transferred (a view of wasm memory
  // cannot: Chromium refuses to detach it).
  _postSnapshot() {
    const weights = this.model.getWeights();
    this.post({ type: EVENT.SNAPSHOT, weights, step: this.step, epoch: this.model.epoch }, [weights.buffer]);
  }

  _pause() {
    if (this.running) this._halt('paused');
    return { step: this.step };
  }

  // Exactly n steps, now (pausing a run first), logged in logEvery units so the curve matches a continuous run.
  // A long request yields between chunks of about chunkMs, like a run, so the heartbeat keeps going (the page must
  // not take a worker busy with step(100000) for a dead one); other requests still wait for it to finish.
  async _step(msg) {
    this._pause();
    let t0 = this.now();
    try {
      for (let left = msg.n, k; left > 0; left -= k) {
        this._trainUnit(k = Math.min(this._unitSize(), left));
        if (left > k && this.now() - t0 >= this.rates.chunkMs) {
          this.wallMs += this.now() - t0;
          await new Promise((resolve) => this.schedule(resolve));
          t0 = this.now();
        }
      }
    } catch (err) {
      if (classifyError(err).kind === 'diverged') this._postSnapshot(); // the rolled-back weights, as _stopOnError
      throw err;
    } finally {
      this.wallMs += this.now() - t0;
    }
    this._progress(true);
    this._postSnapshot();
    return { step: this.step, epoch: this.model.epoch };
  }

  _set(msg) {
    for (const [k, v] of Object.entries(msg.values)) {
      if (HPARAMS.includes(k)) this.model.setHparam(k, v);
      else this[k] = v; // batchSize, logEvery, pace (validated by the protocol)
    }
    if ('pace' in msg.values) this._paceFromNow();
    return { applied: msg.values, step: this.step };
  }

  _reset(msg) {
    const wasRunning = this.running;
    this.running = false;
    this.model.reset(msg.seed); // no seed: Model#reset takes the spec's, as init did
    // Setting the data again restarts the core's seeded shuffling too, so the run repeats from step 0.
    feed(this.model, this.data);
    this._clearCounters(0);
    this._progress(true);
    this._postSnapshot();
    if (wasRunning) this.post({ type: EVENT.STOPPED, reason: 'reset', step: 0 });
    return { step: 0 };
  }

  _snapshot() {
    this._postSnapshot();
    return { step: this.step };
  }

  // Restores weights from a page-side snapshot (a restarted worker); optionally continues the step count.
  _setWeights(msg) {
    this.model.setWeights(msg.weights);
    if (Number.isInteger(msg.step) && msg.step >= 0) this._clearCounters(msg.step - this.model.step);
    return this._snapshot();
  }
}

// Gives a model its training data: token streams (with their vocabulary) or samples.
function feed(model, data) {
  if (!data.text) return model.setData(data.x, data.y);
  model.setVocabulary(data.vocabulary);
  model.setTokens(data.train);
}

// {dataset: 'mnist'} is fetched here, in the worker, so the page need not post it tens of MB. Its loader is imported
// on first use only: `make dist` makes it a chunk of its own, loaded only by <tiny-train demo="digits">.
export async function loadData(data, spec, { loadMnist } = {}) {
  if (data?.dataset === 'mnist') return (await import('../mnist-load.js')).loadMnistData(data, spec, loadMnist);
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
  const hasTest = data.testX !== undefined || data.testY !== undefined;
  for (const k of hasTest ? ['x', 'y', 'testX', 'testY'] : ['x', 'y']) {
    const v = data[k], labels = /y$/i.test(k);
    if (!(v instanceof Float32Array || (labels && v instanceof Int32Array))) {
      throw new Error(`data.${k}: expected ${labels ? 'an Int32Array or ' : 'a '}Float32Array`);
    }
  }
  // Sample counts are filled in once the model (and so the input size) is known.
  return { generated: null, x: data.x, y: data.y, testX: hasTest ? data.testX : null, testY: hasTest ? data.testY : null };
}
