// Shared pieces of the per-system benchmark scripts: the case list, model shapes, MNIST loading, timing and the
// one-line result protocol the runner (bench/run.mjs) reads.
//
// A system script is run as `node bench/<system>.mjs <case>` in its own process and prints, for every row it
// measures, one line `BENCH_RESULT {json}` with {system, case, row, status, value, unit, note}. status is
// 'ok' (value is a number), 'failed' (the system cannot do it; note holds its error message), 'pending' (our side
// is not built yet) or 'not-yet' (the case is a stub); caveat, if set, becomes a footnote of the table.
// Anything else on stdout/stderr is shown to the user.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { loadMnistNode } from '../tools/mnist-data.mjs';
import { loadWordsNode } from '../tools/words-data.mjs';
import { gptSpec as modelsGptSpec } from '../web/text/gpt.js';

// Duration of one measurement in seconds; BENCH_TIME scales every case (e.g. 0.3 for a quick look).
export const TIME = Number(process.env.BENCH_TIME || 1);
// Seconds every system runs a measured call before timing it: V8 first runs wasm (tinytrain, TF.js's XNNPACK)
// and JS (ConvNetJS, TF.js cpu) with its baseline compilers and needs ~0.5 s to swap in optimised code, while the
// process's start-up work (loading MNIST) still runs on the other core. 0.3 s left the first chunks slow.
export const SETTLE = Math.min(TIME, 2);

// GEMM rows: C (M, N) = op(A) · op(B) with op(A) (M, K), op(B) (K, N). ta/tb: A or B is stored transposed.
// The MLP rows are the products of one 784-128-10 layer step at batch 64 with PyTorch's [out, in] weights.
export const GEMM_ROWS = [
  { row: 'gemm 64³', M: 64, N: 64, K: 64, ta: 0, tb: 0 },
  { row: 'gemm 128³', M: 128, N: 128, K: 128, ta: 0, tb: 0 },
  { row: 'gemm 256³', M: 256, N: 256, K: 256, ta: 0, tb: 0 },
  { row: 'gemm 512³', M: 512, N: 512, K: 512, ta: 0, tb: 0 },
  { row: 'gemm 256³ A·Bᵀ', M: 256, N: 256, K: 256, ta: 0, tb: 1 },
  { row: 'gemm 256³ Aᵀ·B', M: 256, N: 256, K: 256, ta: 1, tb: 0 },
  { row: 'gemm 64x784 · 784x128', M: 64, N: 128, K: 784, ta: 0, tb: 0 },
  { row: 'gemm 64x784 · (128x784)ᵀ (forward)', M: 64, N: 128, K: 784, ta: 0, tb: 1 },
  { row: 'gemm (64x128)ᵀ · 64x784 (weight grad)', M: 128, N: 784, K: 64, ta: 1, tb: 0 },
  { row: 'gemm 64x128 · 128x784 (input grad)', M: 64, N: 784, K: 128, ta: 0, tb: 0 },
];

// Every case: which systems run it, what its rows measure, and whether bigger is better.
export const CASES = {
  'gemm': { title: 'GEMM', unit: 'GFLOP/s', higher: true,
            systems: ['tinytrain', 'tfjs-wasm'], rows: GEMM_ROWS.map((r) => r.row) },
  'mlp-sgd': { title: 'MLP 784-128-10 training, batch 64, SGD', unit: 'samples/s', higher: true,
               systems: ['tinytrain', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs', 'tinytrain-cli'] },
  'mlp-adam': { title: 'MLP 784-128-10 training, batch 64, Adam', unit: 'samples/s', higher: true,
                systems: ['tinytrain', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs', 'tinytrain-cli'] },
  'cnn-adam': { title: 'digits CNN training, batch 32, Adam', unit: 'samples/s', higher: true,
                systems: ['tinytrain', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs', 'tinytrain-cli'] },
  'infer-mlp': { title: 'MLP batch-1 inference latency', unit: 'µs', higher: false,
                 systems: ['tinytrain', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs'] },
  'infer-cnn': { title: 'CNN batch-1 inference latency', unit: 'µs', higher: false,
                 systems: ['tinytrain', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs'] },
  // int8 serving (Model.quantize): the pretrained digits models at batch 1, f32 and int8 weights in one process.
  'infer-int8': { title: 'pretrained digits models, batch-1 latency with f32 vs int8 weights', unit: 'µs', higher: false,
                  systems: ['tinytrain'] },
  'acc-mlp': { title: 'MLP held-out accuracy after 5 epochs (Adam 0.001, batch 64)', unit: '%', higher: true,
               systems: ['tinytrain'], reps: 1 },
  'acc-cnn': { title: 'CNN held-out accuracy after 10 epochs (Adam 0.001, batch 32)', unit: '%', higher: true,
               systems: ['tinytrain'], reps: 1 },
  // tinytrain runs its Node mlp-adam here too, so the row compares Node with the browser's worker path.
  'worker-mlp-adam': { title: 'MLP training, Node vs headless Chromium through web/runtime/worker.js, batch 64, Adam',
                       unit: 'samples/s', higher: true, systems: ['tinytrain', 'tinytrain-browser'] },
  // The words GPT (gptSpec below). baseline: the system the speed-up column compares with; the quality case has
  // rows of its own units (each result carries its unit and direction).
  'gpt-train': { title: 'words GPT training (2 blocks, D 64, T 16), batch 32, AdamW', unit: 'tokens/s',
                 higher: true, baseline: 'pytorch', systems: ['tinytrain', 'pytorch', 'tfjs-wasm', 'tinytrain-browser'] },
  'gpt-generate': { title: 'words GPT generation, batch 1, after a 16-token prompt', unit: 'µs/token', higher: false,
                    baseline: 'pytorch', systems: ['tinytrain', 'pytorch'] },
  'gpt-quality': { title: 'words GPT quality', unit: 'nats/char', higher: false, baseline: 'pytorch',
                   systems: ['tinytrain', 'pytorch', 'tinytrain-browser'], reps: 1, timeLimit: 1200 },
  // The threaded build (wasm/tinytrain-mt.wasm) on 1, 2 and all threads in one process (bench/threads.mjs): a row
  // per model and thread count, samples (tokens for the GPT) per second in wall-clock time.
  'threads': { title: 'threaded build: training on 1, 2 and all threads (in-process A/B, wall clock)',
               unit: 'samples/s', higher: true, systems: ['tinytrain', 'tinytrain-browser'], reps: 1 },
  // Every SIMD twin of src/kernels/kernel_list.h against its scalar reference (bench/kernels/bench_twins.c): the
  // wasm build in Node and the native build as the CLI compiles it; a row per kernel and size.
  'kernels': { title: 'SIMD vs scalar', unit: '×', higher: true, systems: ['tinytrain', 'tinytrain-cli'] },
  // docs/design.md's runtime budgets on a page (bench/budgets.mjs); each row has its own unit and limit.
  'budgets': { title: 'docs/design.md budgets in headless Chromium', unit: '', higher: false, systems: ['tinytrain-budgets'] },
};

export const SYSTEM_NAMES = {
  'tinytrain': 'tinytrain (wasm)', 'tfjs-wasm': 'TF.js wasm', 'tfjs-cpu': 'TF.js cpu', 'convnetjs': 'ConvNetJS',
  'tinytrain-browser': 'tinytrain (Chromium worker)', 'tinytrain-budgets': 'tinytrain (Chromium page)',
  'tinytrain-cli': 'tinytrain (native CLI)', 'pytorch': 'PyTorch eager (1 thread)',
};

// Training hyper-parameters shared by all systems (speed does not depend on them, but the runs should be real).
export const MLP = { hidden: 128, batch: 64, sgdLr: 0.05, adamLr: 0.001 };
export const CNN = { batch: 32, adamLr: 0.001 };

export function mlpSpec(opt) {
  return {
    input: [784],
    layers: [{ type: 'dense', units: 128 }, { type: 'relu' }, { type: 'dense', units: 10 }],
    loss: 'cross_entropy',
    optimizer: opt === 'sgd' ? { type: 'sgd', lr: MLP.sgdLr } : { type: 'adam', lr: MLP.adamLr },
    seed: 1,
  };
}

export function cnnSpec() {
  return {
    input: [1, 28, 28],
    layers: [
      { type: 'conv2d', filters: 8, kernel: 5, padding: 'same' }, { type: 'relu' }, { type: 'maxpool2d', size: 2 },
      { type: 'conv2d', filters: 16, kernel: 5, padding: 'same' }, { type: 'relu' }, { type: 'maxpool2d', size: 2 },
      { type: 'flatten' }, { type: 'dense', units: 10 },
    ],
    loss: 'cross_entropy',
    optimizer: { type: 'adam', lr: CNN.adamLr },
    seed: 1,
  };
}

// The "words" GPT of issue 16: characters a-z and newline (vocab 27), a window of T = 16, 2 pre-norm blocks of
// D = 64 (4 heads, MLP 4D with GELU), 105k parameters; AdamW lr 3e-3 (weight decay 0.01, torch's default).
// BENCH_GPT_STEPS shortens gpt-quality's 2,000 steps for a quick look at the case.
export const GPT = { T: 16, vocab: 27, dim: 64, heads: 4, batch: 32, lr: 0.003,
                     steps: Number(process.env.BENCH_GPT_STEPS || 2000), lines: 3000,
                     promptTokens: 16, generateTokens: 200 };
export function gptSpec() {
  return modelsGptSpec({ vocab: GPT.vocab, size: { dim: GPT.dim, heads: GPT.heads, blocks: 2, window: GPT.T }, lr: GPT.lr, seed: 1 });
}

/** The threaded build's cases (bench/threads.mjs, in Node and in a Chromium worker): plain data, to pass to a page. */
export const THREAD_CASES = [
  { name: 'MLP 784-128-10, Adam, batch 64', spec: mlpSpec('adam'), batch: MLP.batch, steps: 10, data: 'mnist' },
  { name: 'digits CNN, Adam, batch 32', spec: cnnSpec(), batch: CNN.batch, steps: 2, data: 'mnist' },
  { name: 'words GPT, AdamW, batch 32', spec: gptSpec(), batch: GPT.batch, steps: 2, data: 'words' },
];

let wordsCache = null;
/** The words corpus from demos/data/generated (converted on first use): {vocabulary, train, heldout, words}. */
export function words() {
  return (wordsCache ??= loadWordsNode());
}

/** The share (%) of the complete lines of sampled token ids (newline 0) that are words of the corpus. */
export function wordShare(ids, lines = GPT.lines) {
  const { vocabulary, train, heldout } = words();
  const decode = (a) => Array.from(a, (id) => vocabulary[id]).join('');
  const known = new Set([...decode(train).split('\n'), ...decode(heldout).split('\n')]);
  const sampled = decode(ids).split('\n').slice(0, -1).slice(0, lines); // complete lines only
  const hits = sampled.filter((w) => w && known.has(w));
  return { share: (100 * hits.length) / sampled.length, lines: sampled.length,
           examples: sampled.filter((w) => w && !known.has(w)).slice(0, 8), hits: hits.slice(0, 8) };
}

export const GPT_DECODE_ROW = `decode, median µs per token of ${GPT.generateTokens}`;
export const GPT_PREFILL_ROW = `prefill of the ${GPT.promptTokens}-token prompt, µs`;

/** The gpt-quality rows of one system: held-out loss, the share of sampled lines that are words, training time. */
export function emitQuality(system, loss, seconds, share, note) {
  emit(system, 'gpt-quality', `held-out loss after ${GPT.steps} steps`, 'ok', loss, note);
  emit(system, 'gpt-quality', `sampled lines that are words (${GPT.lines}, temperature 1)`, 'ok', share.share,
       `e.g. ${share.examples.join(', ')}; words: ${share.hits.join(', ')}`, '', { unit: '%', higher: true });
  emit(system, 'gpt-quality', `wall time of the ${GPT.steps} steps`, 'ok', seconds, '', '', { unit: 's' });
}

let mnistCache = {};
/** The real MNIST split from demos/data/generated (converted on first use): {x, y, n, ...}. */
export function mnist(split = 'train') {
  return (mnistCache[split] ??= loadMnistNode(split));
}

/** A Float32Array of `n` random values in [-1, 1) from a fixed seed (GEMM operands). */
export function randomArray(n, seed = 1) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2147483648 - 1;
  }
  return a;
}

// The profiles of a tree instrumented by bench/job-profile.py (job-profile.mjs, call-profile.mjs): the threaded build
// on 2 threads trains THREAD_CASES' model named by `which` (after 1.5 s of warm-up), one step per call, in `rounds`
// rounds of `steps` steps in each mode, in turns: '1' (1 thread), 's' (the 2-thread split, every chunk run by the
// main thread in order: the split's work on one core) and '2' (2 threads). record(mode, wallUs) reads each step's
// profile after it. Returns the case and the load averages before and after.
export async function profileInTurns(tt, which, steps, rounds, record, { beforeStep = () => {} } = {}) {
  const c = THREAD_CASES.find((t) => t.name.toLowerCase().includes(which.toLowerCase()));
  const core = await tt.loadTinytrain({ threads: 2 });
  const model = await tt.Model.create(c.spec);
  if (c.data === 'words') model.setTokens(words().train);
  else model.setData(mnist('train').x, mnist('train').y);
  for (const t0 = performance.now(); performance.now() - t0 < 1500;) model.trainSteps(c.steps, c.batch);
  const modes = ['1', 's', '2'], loadBefore = os.loadavg();
  for (let r = 0; r < rounds; r++) {
    for (let m = 0; m < 3; m++) {
      const t = modes[(m + r) % 3];
      core.setThreads({ threads: t === '1' ? 1 : 2 });
      core.tt_prof_inline(t === 's' ? 1 : 0);
      for (let s = 0; s < steps; s++) {
        core.tt_prof_step();
        beforeStep(core);
        const w0 = performance.now();
        model.trainSteps(1, c.batch);
        record(core, t, 1000 * (performance.now() - w0));
      }
    }
  }
  model.dispose();
  return { c, loadBefore, loadAfter: os.loadavg() };
}

export function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Which clock rates are computed from: 'wall' (default; what a user waits) or 'cpu' (this process's CPU time, which
// leaves out time spent waiting for a core on a busy shared machine; it includes V8's helper threads, so it is only
// close, not exact). Either way every result records cpuShare = CPU time / wall time of its measurement: well
// under 1 means the process was not running most of the time and the wall-clock number is pessimistic.
export const CLOCK = process.env.BENCH_CLOCK === 'cpu' ? 'cpu' : 'wall';
export const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
let shareCpu = 0, shareWall = 0; // totals since the last emit()
/** For loops timed by other means (tinytrain's in-wasm GEMM timer): adds to the cpuShare of the next result. */
export function noteShare(cpu, wall) { shareCpu += cpu; shareWall += wall; }

/**
 * Throughput of `fn` (one call does `work` units and returns nothing, or returns its own work count): runs it for
 * warmup seconds (warmup 0: no warm-up call at all), then in chunks of at least `chunk` seconds for `time`
 * seconds (always at least `minChunks` chunks), and returns the median chunk rate in units per second. A slow fn
 * (seconds per call) gives one-call chunks.
 */
export function measureRate(fn, { work = 1, time = TIME, warmup = SETTLE, chunk = 0.1, minChunks = 1 } = {}) {
  const now = () => performance.now() / 1000;
  const call = () => { const w = fn(); return typeof w === 'number' ? w : work; };
  const t0 = now();
  if (warmup > 0) do call(); while (now() - t0 < warmup);
  const rates = [];
  const start = now();
  while (rates.length < minChunks || now() - start < time) {
    let done = 0;
    const c0 = now(), u0 = cpuSeconds();
    let t;
    do { done += call(); t = now(); } while (t - c0 < chunk);
    const cpu = cpuSeconds() - u0;
    shareCpu += cpu; shareWall += t - c0;
    rates.push(done / (CLOCK === 'cpu' ? Math.max(cpu, 1e-6) : t - c0));
  }
  return { rate: median(rates), chunks: rates.length };
}

/** Median latency of one call of fn in microseconds (chunks of >= 20 ms, mean per call within a chunk). */
export function measureLatency(fn, { time = TIME, warmup = SETTLE } = {}) {
  const r = measureRate(fn, { time, warmup, chunk: 0.02, minChunks: 5 });
  return 1e6 / r.rate;
}

/**
 * The GEMM case: every row of GEMM_ROWS measured in ROUNDS passes over all rows, a slice of 0.4 * TIME / ROUNDS
 * seconds per row and pass, a row's rate being the median of its slices. The shared machine's speed changes within
 * seconds; measured in one go, a row took whatever speed the machine had at that moment, and the 256³ row of one
 * system could fall in a slow second and the other system's in a fast one. rate(g, seconds) measures row g for
 * about that long and returns FLOP/s; it throws if the system cannot do the product.
 */
export function emitGemmRows(system, rate, rounds = 4) {
  const rates = GEMM_ROWS.map(() => []), errors = [];
  for (let r = 0; r < rounds; r++) {
    GEMM_ROWS.forEach((g, i) => {
      if (errors[i]) return;
      try { rates[i].push(rate(g, 0.4 * TIME / rounds)); } catch (e) { errors[i] = e.message; }
    });
  }
  GEMM_ROWS.forEach((g, i) => emit(system, 'gemm', g.row, errors[i] ? 'failed' : 'ok',
                                   errors[i] ? null : median(rates[i]) / 1e9, errors[i] ?? ''));
}

/** Prints one result line for the runner. */
// note: detail for the JSON (final loss, epochs); caveat: something a reader of the table must know (footnote).
// unit and higher: for a row whose unit or direction is not the case's.
export function emit(system, kase, row, status, value, note = '', caveat = '', { unit, higher } = {}) {
  unit ??= CASES[kase]?.unit ?? '';
  console.log('BENCH_RESULT ' + JSON.stringify({ system, case: kase, row: row ?? CASES[kase]?.title ?? kase,
                                                  status, value, unit, higher, note, caveat, clock: CLOCK,
                                                  cpuShare: shareWall ? +(shareCpu / shareWall).toFixed(3) : null }));
  shareCpu = shareWall = 0;
}

/** Runs one case of a system: `handlers[case]()` may emit rows itself or return a number for the case's row. */
export async function runSystem(system, handlers) {
  const kase = process.argv[2];
  if (!CASES[kase]) {
    console.error(`usage: node bench/${system}.mjs <case>; cases: ${Object.keys(CASES).join(', ')}`);
    process.exit(2);
  }
  const h = handlers[kase];
  if (!h) { emit(system, kase, null, 'failed', null, `${system} has no implementation of ${kase}`); return; }
  try {
    const v = await h();
    if (typeof v === 'number') emit(system, kase, null, 'ok', v);
    else if (v && typeof v.value === 'number') emit(system, kase, null, 'ok', v.value, v.note ?? '', v.caveat ?? '');
  } catch (e) {
    // A system that cannot run a case is a result, not a crash: report its own message.
    emit(system, kase, null, e.pending ? 'pending' : 'failed', null, String(e?.message ?? e).split('\n')[0]);
  }
}

/**
 * The kernels case: runs one build of bench/kernels/bench_twins.c (`command` and the arguments before its own),
 * which times every twin of the kernel list and prints its rows as BENCH_RESULT lines for `system`.
 */
export function runKernelTwins(system, command, args = []) {
  const program = args.at(-1) ?? command;
  if (!fs.existsSync(program)) {
    throw new Error(`${program} is missing: run make -f bench/kernels/kernels.mk twins-build`);
  }
  const run = spawnSync(command, [...args, String(TIME), CLOCK, system], { encoding: 'utf8', maxBuffer: 1 << 24 });
  process.stdout.write(run.stdout ?? '');
  if (run.status !== 0) {
    const why = (run.stderr || run.error?.message || '').trim().split('\n').at(-1);
    throw new Error(`${program} failed: ${why}`);
  }
}

export function pending(message) {
  const e = new Error(message);
  e.pending = true;
  return e;
}

/** One-hot float labels (n, 10) for systems that want them. */
export function oneHot(y, classes = 10) {
  const out = new Float32Array(y.length * classes);
  for (let i = 0; i < y.length; i++) out[i * classes + y[i]] = 1;
  return out;
}
