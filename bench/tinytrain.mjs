// tinytrain through its JS API (wasm/tinytrain.js over wasm/tinytrain.wasm), in Node, single thread.
// Training uses the worker's path: setData() once, then trainSteps() runs chunks of mini-batches inside wasm.
// Usage: node bench/tinytrain.mjs <case>.
import * as tt from '../wasm/tinytrain.js';
import { benchGemm } from './gemm-wasm.mjs';
import { MLP, CNN, TIME, SETTLE, CLOCK, mnist, mlpSpec, cnnSpec, measureRate, measureLatency, median, emit, emitGemmRows,
         runSystem, pending, cpuSeconds, noteShare } from './common.mjs';

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
  'acc-mlp': () => accuracy(mlpSpec('adam'), MLP.batch, 5, 60),
  'acc-cnn': () => accuracy(cnnSpec(), CNN.batch, 10, 120),
});
