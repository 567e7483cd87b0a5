// The threaded build (wasm/tinytrain-mt.wasm) on 1, 2 and all threads, in one process: rounds that take each
// thread count in turn on the same model (Model.create's {threads} changes the count in use), so a shared machine's
// load falls on every count alike; each row is the median over the rounds. Wall clock: CPU time adds up over threads.
// Node: `node bench/tinytrain.mjs threads` (run.mjs); the Chromium worker: bench/browser/threads-worker.js.
import { MLP, CNN, GPT, TIME, mlpSpec, cnnSpec, gptSpec, median } from './common.mjs';

/** The thread counts to compare: 1, 2 and all the device has (once each). */
export const threadCounts = (cores) => [...new Set([1, 2, Math.max(2, cores)])];

/** The threaded build's cases: [{row, spec, batch, steps, unit, data: 'mnist' | 'words'}] */
export const THREAD_CASES = [
  { name: 'MLP 784-128-10, Adam, batch 64', spec: () => mlpSpec('adam'), batch: MLP.batch, steps: 10, data: 'mnist' },
  { name: 'digits CNN, Adam, batch 32', spec: () => cnnSpec(), batch: CNN.batch, steps: 2, data: 'mnist' },
  { name: 'words GPT, AdamW, batch 32', spec: () => gptSpec(), batch: GPT.batch, steps: 2, data: 'words' },
];

/**
 * Measures every case on every thread count: Model is wasm/tinytrain.js's (loaded with the threaded build),
 * setData(model, kind) gives a model its data. Yields {case, threads, rate (samples/s), cpuShare}.
 */
export async function* measureThreads(Model, setData, cores, { time = TIME, rounds = 5, cpuSeconds = null } = {}) {
  const counts = threadCounts(cores);
  for (const c of THREAD_CASES) {
    const model = await Model.create(c.spec(), { threads: counts.at(-1) });
    setData(model, c.data);
    const rates = new Map(counts.map((t) => [t, []]));
    const shares = new Map(counts.map((t) => [t, []]));
    const slice = Math.max(0.15, (0.8 * time) / rounds);
    model.trainSteps(c.steps, c.batch); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 ? [...counts].reverse() : counts) {
        await Model.create(c.spec(), { threads: t }).then((m) => m.dispose()); // sets the count in use
        let samples = 0;
        const t0 = performance.now(), u0 = cpuSeconds?.();
        do { model.trainSteps(c.steps, c.batch); samples += c.steps * c.batch; } while (performance.now() - t0 < 1000 * slice);
        const wall = (performance.now() - t0) / 1000;
        rates.get(t).push(samples / wall);
        if (cpuSeconds) shares.get(t).push((cpuSeconds() - u0) / wall);
      }
    }
    model.dispose();
    for (const t of counts) {
      yield { case: c.name, threads: t, rate: median(rates.get(t)), cpuShare: cpuSeconds ? median(shares.get(t)) : null };
    }
  }
}
