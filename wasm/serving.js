// What serving a Model costs on this machine, measured (Model.measureServing loads this module on first use).
//
// Latency: p50 and p95 of batch-1 predictions. A page's clock steps by 0.1 ms and one prediction of a small model
// takes microseconds, so calls are timed in groups of k calls, k chosen so that a group lasts at least groupMs;
// each group gives one sample (its time / k), and the percentiles are taken over the groups.
// Throughput at each batch size: calls in rounds of at least roundMs, and the fastest round's mean is kept (a GC
// pause or another tab must not count as the model's speed), as web/timing.js times the pages' predictions.
// No reading is ever 0: a group or round in which the clock did not move is not counted.
//
// The work runs in slices of at most sliceMs (idle callbacks on a page, the event loop elsewhere), returning to
// the event loop between slices, so measuring never makes a long task, except a single call that is longer by
// itself: batch sizes whose one call would exceed maxCallMs (estimated from the smaller batches) are skipped.

const DEFAULTS = Object.freeze({
  batches: [1, 8, 64], input: null, output: null, latencyGroups: 41, groupMs: 1, rounds: 5, roundMs: 2,
  sliceMs: 8, maxCallMs: Infinity, signal: null,
});

const WARM_UP_GROUPS = 5;

// One sample for a model the caller gave none: seeded values in [0, 1), none 0 (the core skips zero inputs of a
// first dense layer, so zeros would time a shortcut); token 0 everywhere for a language model (ids must be whole).
function defaultInput(model) {
  const x = new Float32Array(model.inputSize);
  if (model.spec.layers?.[0]?.type === 'embedding') return x;
  let seed = 1;
  for (let i = 0; i < x.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    x[i] = (seed >>> 8) / (1 << 24) + 1 / (1 << 25);
  }
  return x;
}

// Runs fn(deadlineMs) at the next idle moment of a page, or the next turn of the event loop elsewhere.
function nextSlice(fn, sliceMs) {
  if (typeof requestIdleCallback === 'function') {
    requestIdleCallback((deadline) => fn(Math.min(sliceMs, deadline.timeRemaining())), { timeout: 100 });
  } else if (typeof setImmediate === 'function') {
    setImmediate(() => fn(sliceMs));
  } else {
    setTimeout(() => fn(sliceMs), 0);
  }
}

/** The value at fraction p (0..1) of sorted values, nearest rank. */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function checkOptions(model, o) {
  const batches = o.batches;
  if (!Array.isArray(batches) || !batches.length || !batches.every((b) => Number.isInteger(b) && b >= 1 && b <= 4096)) {
    throw new RangeError(`measureServing: batches: expected a list of whole numbers from 1 to 4096, got ${JSON.stringify(batches)}`);
  }
  for (const name of ['latencyGroups', 'rounds']) {
    if (!Number.isInteger(o[name]) || o[name] < 1 || o[name] > 10000) {
      throw new RangeError(`measureServing: ${name}: expected a whole number from 1 to 10000, got ${o[name]}`);
    }
  }
  for (const name of ['groupMs', 'roundMs', 'sliceMs', 'maxCallMs']) {
    if (typeof o[name] !== 'number' || !(o[name] > 0)) {
      throw new RangeError(`measureServing: ${name}: expected a number of milliseconds above 0, got ${o[name]}`);
    }
  }
  if (o.output !== null && o.output !== 'predict' && o.output !== 'probabilities') {
    throw new RangeError(`measureServing: output: expected "predict" or "probabilities", got ${JSON.stringify(o.output)}`);
  }
  const n = model.inputSize;
  if (o.input !== null && !(o.input instanceof Float32Array && o.input.length === n)) {
    throw new TypeError(`measureServing: input: expected one sample as a Float32Array of ${n} values`);
  }
}

// The measurement as a sequence of units of work, each at most about max(groupMs, roundMs) plus one call; the
// generator pauses after each, and the driver decides when to yield to the page. Fills `result`.
function* units(model, o, result) {
  const now = () => performance.now();
  const sample = o.input ?? defaultInput(model);
  const inputs = new Map();
  const inputOf = (b) => {
    if (!inputs.has(b)) {
      const x = new Float32Array(b * sample.length);
      for (let i = 0; i < b; i++) x.set(sample, i * sample.length);
      inputs.set(b, x);
    }
    return inputs.get(b);
  };
  const call = (b) => model[o.output](inputOf(b));

  // Warm-up (the first calls size the activations and let the JS engine compile the path), which also finds k:
  // the most calls any warm-up group fitted into groupMs (a group the machine paused would give too few).
  let k = 1;
  for (let w = 0; w < WARM_UP_GROUPS; w++) {
    const start = now();
    let calls = 0;
    do {
      call(1);
      calls++;
    } while (now() - start < o.groupMs && calls < 100000);
    k = Math.max(k, calls);
    yield;
  }
  const latencies = [];
  for (let g = 0; g < o.latencyGroups; g++) {
    const t0 = now();
    for (let i = 0; i < k; i++) call(1);
    const ms = now() - t0;
    if (ms > 0) latencies.push((1000 * ms) / k);
    if (ms < o.groupMs / 2 && k < 100000) k *= 2; // too short for the clock: longer groups from now on
    yield;
  }
  latencies.sort((a, b) => a - b);
  result.p50Us = percentile(latencies, 0.5);
  result.p95Us = percentile(latencies, 0.95);
  result.latency = { groups: latencies.length, callsPerGroup: k }; // k of the last groups

  // Throughput per batch size, smallest first, so each larger call's time can be foreseen from the last.
  let known = { batch: 1, us: result.p50Us };
  for (const b of [...new Set(o.batches)].sort((x, y) => x - y)) {
    const foreseenMs = (known.us * b) / known.batch / 1000; // per-sample time falls with the batch: an upper bound
    if (foreseenMs > o.maxCallMs) {
      result.skipped[b] = `one call of ${b} would take about ${Math.round(foreseenMs)} ms, over ${o.maxCallMs} ms`;
      result.perSecond[b] = NaN;
      continue;
    }
    call(b); // warm-up at this size
    yield;
    let best = Infinity;
    for (let r = 0; r < o.rounds; r++) {
      const t0 = now();
      let calls = 0, t = t0;
      do {
        call(b);
        calls++;
        t = now();
      } while (t - t0 < o.roundMs && calls < 100000);
      if (t > t0) best = Math.min(best, (1000 * (t - t0)) / calls);
      yield;
    }
    if (Number.isFinite(best)) known = { batch: b, us: best };
    result.usPerCall[b] = best;
    result.perSecond[b] = Number.isFinite(best) ? (b * 1e6) / best : NaN;
  }
}

/**
 * Measures what serving `model` costs here; resolves with
 *   {flopsPerPrediction, p50Us, p95Us, perSecond: {1: ..., 8: ..., 64: ...}, usPerCall: {batch: µs per call},
 *    latency: {groups, callsPerGroup}, skipped: {batch: why}, output}
 * p50Us/p95Us: µs per prediction at batch 1; perSecond: predictions per second at each batch size.
 * Options: batches, input (one sample, Float32Array: pass a real one, as a model's speed can depend on its input;
 * by default seeded values in [0, 1), or token 0 for a language model), output ('predict' or 'probabilities';
 * by default what a classifier's page shows, the probabilities), latencyGroups, groupMs, rounds, roundMs,
 * sliceMs, maxCallMs, signal (an AbortSignal), onProgress(fraction).
 */
export function measureServing(model, options = {}) {
  const o = { ...DEFAULTS };
  for (const [name, value] of Object.entries(options)) if (value !== undefined) o[name] = value; // undefined: the default
  checkOptions(model, o);
  o.output ??= /cross_entropy$/.test(model.spec.loss ?? '') ? 'probabilities' : 'predict';
  const result = {
    flopsPerPrediction: model.flops.forward, p50Us: NaN, p95Us: NaN, perSecond: {}, usPerCall: {},
    latency: null, skipped: {}, output: o.output,
  };
  const work = units(model, o, result);
  const total = WARM_UP_GROUPS + o.latencyGroups + new Set(o.batches).size * (1 + o.rounds);
  let done = 0;
  return new Promise((resolve, reject) => {
    const slice = (budgetMs) => {
      try {
        if (o.signal?.aborted) throw o.signal.reason ?? new Error('measureServing: aborted');
        const t0 = performance.now();
        do {
          if (work.next().done) return resolve(result);
          done++;
        } while (performance.now() - t0 < budgetMs);
        options.onProgress?.(Math.min(1, done / total));
        nextSlice(slice, o.sliceMs);
      } catch (err) {
        reject(err);
      }
    };
    nextSlice(slice, o.sliceMs);
  });
}
