// tinytrain through its JS API (wasm/tinytrain.js over wasm/tinytrain.wasm), in Node, single thread.
// Training uses the worker's path: setData() once, then trainSteps() runs chunks of mini-batches inside wasm.
// Usage: node bench/tinytrain.mjs <case>.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tt from '../wasm/tinytrain.js';
import { INT8_WASM_URL } from '../wasm/int8.js';
import { benchGemm } from './gemm-wasm.mjs';
import { MLP, CNN, TIME, SETTLE, CLOCK, mnist, mlpSpec, cnnSpec, measureRate, measureLatency, median, emit, emitGemmRows,
         runSystem, pending, cpuSeconds, noteShare, GPT, gptSpec, words, wordShare, emitQuality, GPT_DECODE_ROW,
         GPT_PREFILL_ROW, runKernelTwins, THREAD_CASES } from './common.mjs';

const { Model } = tt;

async function trainRate(spec, batch, stepsPerChunk) {
  const { x, y } = mnist('train');
  const m = await Model.create(spec);
  m.setData(x, y);
  let loss = NaN;
  const r = measureRate(() => { loss = m.trainSteps(stepsPerChunk, batch).loss; },
                        { work: stepsPerChunk * batch });
  const note = `loss ${loss.toFixed(3)} after ${m.step} steps`;
  m.dispose();
  return { value: r.rate, note };
}

async function inferLatency(spec) {
  const m = await Model.create(spec);
  const x1 = mnist('test').x.slice(0, 784);
  let out;
  const us = measureLatency(() => { out = m.predict(x1); });
  if (!(out instanceof Float32Array) || out.length !== 10) throw new Error('prediction has the wrong shape');
  m.dispose();
  return us;
}

// int8 serving: the pretrained digits MLP and CNN (demos/data/generated) predicting one held-out digit at a time with
// f32 weights and with the int8 copy Model.quantize makes, timed in alternating slices (4 rounds, TIME / 4 each) so a
// change of the machine's speed falls on both; rows: each latency (median of its slices), and the speed-up, with
// the held-out accuracy of both in the notes. Both run on the full build (tinytrain-int8.wasm), loaded first: the
// default module has no int8 kernels.
async function inferInt8() {
  await tt.loadTinytrain({ url: INT8_WASM_URL });
  const test = mnist('test');
  const digits = Array.from({ length: 100 }, (_, i) => test.x.slice(i * 784, (i + 1) * 784));
  for (const name of ['mlp', 'cnn']) {
    const file = new URL(`../demos/data/generated/digits-${name}.safetensors`, import.meta.url);
    const f32 = await Model.load(fs.readFileSync(file)), int8 = await f32.quantize('int8');
    let k = 0;
    const predictOne = (m) => () => { m.predict(digits[k++ % digits.length]); };
    for (const t0 = performance.now(); performance.now() - t0 < 1000 * SETTLE;) predictOne(f32)(), predictOne(int8)();
    const slices = { f32: [], int8: [] };
    for (let round = 0; round < 4; round++) {
      for (const [label, m] of [['f32', f32], ['int8', int8]]) {
        slices[label].push(measureLatency(predictOne(m), { time: TIME / 4, warmup: 0 }));
      }
    }
    const accuracy = (m) => `held-out accuracy ${(100 * m.evaluate(test.x, test.y).accuracy).toFixed(2)}% of ${test.n}`;
    const us = (list) => list.map((v) => v.toFixed(1)).join(', ');
    const NAME = name.toUpperCase();
    emit('tinytrain', 'infer-int8', `${NAME}, f32 weights`, 'ok', median(slices.f32),
         `${accuracy(f32)}; slices ${us(slices.f32)} µs`);
    emit('tinytrain', 'infer-int8', `${NAME}, int8 weights (Model.quantize)`, 'ok', median(slices.int8),
         `${accuracy(int8)}; slices ${us(slices.int8)} µs`);
    emit('tinytrain', 'infer-int8', `${NAME}, int8 speed-up over f32 (same process)`, 'ok',
         median(slices.f32) / median(slices.int8), '', '', { unit: '×', higher: true });
    int8.dispose();
    f32.dispose();
  }
}

// Held-out accuracy after `epochs` passes (stops early at capSeconds); value in %, note has each epoch's.
async function accuracy(spec, batch, epochs, capSeconds) {
  const train = mnist('train'), test = mnist('test');
  const m = await Model.create(spec);
  m.setData(train.x, train.y);
  const perEpoch = [];
  const t0 = performance.now();
  let trainMs = 0;
  for (let e = 0; e < epochs && trainMs / 1000 < capSeconds; e++) {
    const t = performance.now();
    m.trainSteps(Math.ceil(train.n / batch), batch);
    trainMs += performance.now() - t;
    perEpoch.push((m.evaluate(test.x, test.y).accuracy * 100).toFixed(2));
  }
  m.dispose();
  const cut = perEpoch.length < epochs ? `ONLY ${perEpoch.length} of ${epochs} epochs (stopped at the ${capSeconds} s cap)`
                                       : `${epochs} epochs`;
  // The table shows this as a footnote of the cell: the time is half of what the row is about.
  const caveat = `${cut} in ${(trainMs / 1000).toFixed(1)} s of training in Node ` +
                 `(${((performance.now() - t0) / 1000).toFixed(1)} s with evaluation); held-out % per epoch: ` +
                 perEpoch.join(', ');
  return { value: Number(perEpoch.at(-1)), note: caveat, caveat };
}

// The words GPT: tokens/s training on seeded random windows of the training stream (trainSteps chunks).
async function gptTrainRate() {
  const m = await Model.create(gptSpec());
  m.setTokens(words().train);
  let loss = NaN;
  const steps = 5;
  const r = measureRate(() => { loss = m.trainSteps(steps, GPT.batch).loss; }, { work: steps * GPT.batch * GPT.T });
  const note = `loss ${loss.toFixed(3)} after ${m.step} steps`;
  m.dispose();
  return { value: r.rate, note };
}

// Decode: each token of a 200-token generation timed alone (the key/value cache makes it one position's work; when
// the window is full its last T/2 tokens run again, so every 8th token costs more), the median over the tokens of
// the median run; prefill: startGeneration() on the 16-token prompt, which runs the prompt at once.
async function gptGenerate() {
  const m = await Model.create(gptSpec());
  m.setTokens(words().train);
  m.trainSteps(20, GPT.batch); // weights off their initial values, as a page's would be
  const prompt = words().heldout.subarray(0, GPT.promptTokens);
  const now = () => performance.now();
  const runs = [], means = [], prefills = [];
  for (let seed = 1, t0 = now(); seed <= 5 || now() - t0 < 1000 * (SETTLE + TIME); seed++) {
    let t = now();
    const it = m.startGeneration(prompt, { maxTokens: GPT.generateTokens, temperature: 1, seed });
    prefills.push(1000 * (now() - t));
    const times = [];
    t = now();
    for (const _ of it) { const u = now(); times.push(1000 * (u - t)); t = u; } // eslint-disable-line no-unused-vars
    if (now() - t0 < 1000 * SETTLE) continue; // warm-up
    runs.push(median(times));
    means.push(times.reduce((a, b) => a + b, 0) / times.length);
  }
  m.dispose();
  emit('tinytrain', 'gpt-generate', GPT_DECODE_ROW, 'ok', median(runs),
       `median of ${runs.length} runs; mean per token ${median(means).toFixed(1)} µs (with the window's re-runs)`);
  emit('tinytrain', 'gpt-generate', GPT_PREFILL_ROW, 'ok', median(prefills.slice(-runs.length)), '', '', { unit: 'µs' });
}

// 2,000 steps from the seeded start, the held-out loss over fixed windows, then GPT.lines sampled lines at temperature 1.
async function gptQuality() {
  const m = await Model.create(gptSpec());
  m.setTokens(words().train);
  const t0 = performance.now();
  let loss = NaN;
  for (let s = 0; s < GPT.steps; s += 100) loss = m.trainSteps(Math.min(100, GPT.steps - s), GPT.batch).loss;
  const seconds = (performance.now() - t0) / 1000;
  const heldout = m.evaluateTokens(words().heldout).loss;
  const sample = [];
  let lines = 0;
  for (const id of m.startGeneration([0], { maxTokens: 100 * GPT.lines, temperature: 1, seed: 1 })) {
    sample.push(id);
    if (id === 0 && ++lines === GPT.lines) break;
  }
  m.dispose();
  emitQuality('tinytrain', heldout, seconds, wordShare(Uint8Array.from(sample)),
              `training loss ${loss.toFixed(3)} over the last 100 steps`);
}

// The threaded build on 1, 2 and all threads (bench/threads.mjs), with the two modules' sizes in the notes; then the
// single-threaded module against the threaded one on 1 thread (threadedOnOneRows).
async function threadRows() {
  const { availableParallelism } = await import('node:os');
  const { measureThreads, threadCounts } = await import('./threads.mjs');
  const cores = availableParallelism();
  const core = await tt.loadTinytrain({ threads: Math.max(2, cores) });
  const size = (name) => {
    const bytes = fs.readFileSync(new URL(`../wasm/${name}`, import.meta.url));
    return `${name} ${bytes.length} bytes`;
  };
  const sizes = `${size('tinytrain-mt.wasm')}, ${size('tinytrain.wasm')}`;
  const base = {};
  for await (const r of measureThreads({ Model, setThreads: (threads) => core.setThreads({ threads }), cases: THREAD_CASES,
                                         counts: threadCounts(cores), setData: setThreadData, time: 3 * TIME, cpuSeconds })) {
    if (r.threads === 1) base[r.case] = r.rate;
    const unit = /GPT/.test(r.case) ? GPT.T : 1; // the GPT's rate in tokens
    emit('tinytrain', 'threads', `${r.case}, ${r.threads} thread${r.threads > 1 ? 's' : ''}`, 'ok', r.rate * unit,
         `${(r.rate / base[r.case]).toFixed(2)}x of 1 thread; CPU/wall ${r.cpuShare?.toFixed(2)}; ${sizes}`, '',
         { unit: unit > 1 ? 'tokens/s' : 'samples/s' });
  }
  await threadedOnOneRows(core);
}

function setThreadData(model, kind) {
  if (kind === 'words') return model.setTokens(words().train);
  const { x, y } = mnist('train');
  return model.setData(x, y);
}

// The single-threaded module (a second copy of tinytrain.js, its own realm's module) against the threaded one set to
// 1 thread, same process, interleaved slices, rates per CPU second of the process (one thread runs either way, so
// the CPU clock leaves out the time a busy machine keeps it waiting): the cost of the threaded build's shared
// memory and atomics when it has one thread.
async function threadedOnOneRows(core) {
  const single = await import(`../wasm/tinytrain.js?single-threaded`);
  await single.loadTinytrain();
  core.setThreads({ threads: 1 });
  for (const c of THREAD_CASES) {
    const models = [await single.Model.create(c.spec), await Model.create(c.spec)];
    const rates = [[], []];
    for (const m of models) {
      setThreadData(m, c.data);
      for (const t0 = performance.now(); performance.now() - t0 < 300;) m.trainSteps(c.steps, c.batch);
    }
    for (let r = 0; r < 10; r++) {
      for (const i of r % 2 ? [1, 0] : [0, 1]) {
        const u0 = cpuSeconds(), t0 = performance.now();
        let samples = 0;
        do { models[i].trainSteps(c.steps, c.batch); samples += c.steps * c.batch; } while (performance.now() - t0 < 100 * TIME);
        rates[i].push(samples / (cpuSeconds() - u0));
      }
    }
    for (const m of models) m.dispose();
    const [a, b] = rates.map(median), unit = /GPT/.test(c.name) ? GPT.T : 1;
    emit('tinytrain', 'threads', `${c.name}, threaded module on 1 thread vs single-threaded module`, 'ok', b / a,
         `${Math.round(b * unit)} vs ${Math.round(a * unit)} ${unit > 1 ? 'tokens' : 'samples'} per CPU second`, '',
         { unit: '×' });
  }
}

await runSystem('tinytrain', {
  gemm: async () => {
    await tt.loadTinytrain();
    // Settle first (SETTLE, as tfjs-common.mjs does): start-up work and V8's tier-up would fall on the first rows.
    for (const t0 = performance.now(); performance.now() - t0 < 1000 * SETTLE;) benchGemm(0, 0, 256, 256, 256, 4);
    emitGemmRows('tinytrain', (g, seconds) => {
      const flops = 2 * g.M * g.N * g.K;
      // Enough GEMMs per timed call for ~20 ms, then the median over the calls of the slice.
      const reps = Math.max(1, Math.round(0.02 / (flops / 20e9)));
      const secs = [];
      const t0 = performance.now(), u0 = cpuSeconds();
      while (secs.length < 2 || performance.now() - t0 < 1000 * seconds) secs.push(benchGemm(g.ta, g.tb, g.M, g.N, g.K, reps));
      const wall = (performance.now() - t0) / 1000, cpu = cpuSeconds() - u0;
      noteShare(cpu, wall);
      // benchGemm times in wall-clock; for the cpu clock, scale by the loop's share of a core.
      return flops / median(secs) / (CLOCK === 'cpu' ? Math.min(1, cpu / wall) : 1);
    });
  },
  'mlp-sgd': () => trainRate(mlpSpec('sgd'), MLP.batch, 10),
  'mlp-adam': () => trainRate(mlpSpec('adam'), MLP.batch, 10),
  'worker-mlp-adam': () => trainRate(mlpSpec('adam'), MLP.batch, 10), // the Node side of the worker comparison
  'cnn-adam': () => trainRate(cnnSpec(), CNN.batch, 4),
  'infer-mlp': () => inferLatency(mlpSpec('adam')),
  'infer-cnn': () => inferLatency(cnnSpec()),
  'infer-int8': inferInt8,
  'acc-mlp': () => accuracy(mlpSpec('adam'), MLP.batch, 5, 60),
  'acc-cnn': () => accuracy(cnnSpec(), CNN.batch, 10, 120),
  'gpt-train': gptTrainRate,
  threads: threadRows,
  'gpt-generate': gptGenerate,
  'gpt-quality': gptQuality,
  // the kernels' wasm build as the shipped module compiles them, run under Node's optimising compiler only
  kernels: () => runKernelTwins('tinytrain', process.execPath,
                                ['--no-liftoff', fileURLToPath(new URL('../tools/wasi-run.mjs', import.meta.url)),
                                 fileURLToPath(new URL('../build/bench/kernels/bench_twins.wasm', import.meta.url))]),
});
