// The threaded build (wasm/tinytrain-mt.wasm) on 1, 2 and all threads, in one process: rounds that take each
// thread count in turn on the same model (the threaded exports' setThreads changes the count in use, and each
// slice checks model.threads), so a shared machine's load falls on every count alike; each row is the median over
// the rounds. Wall clock: CPU time adds up over threads. Plain JS without imports: it runs in Node
// (`node bench/tinytrain.mjs threads`) and in a Chromium worker (bench/browser/threads-worker.js).

/** The thread counts to compare: 1, 2 and all the device has (once each). */
export const threadCounts = (cores) => [...new Set([1, 2, Math.max(2, cores)])];

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Measures every case on every thread count. Model is wasm/tinytrain.js's, loaded with the threaded build;
 * setThreads(n) sets the count in use (the exports' setThreads); cases [{name, spec, batch, steps, data}] (bench/
 * common.mjs THREAD_CASES); setData(model, data) gives a model its data; time: seconds per case in all;
 * cpuSeconds(): the process's CPU time (Node), or null. Yields {case, threads, rate (samples/s), cpuShare}.
 */
export async function* measureThreads({ Model, setThreads, cases, counts, setData, time, rounds = 5, cpuSeconds = null }) {
  for (const c of cases) {
    const model = await Model.create(c.spec);
    setData(model, c.data);
    const rates = new Map(counts.map((t) => [t, []]));
    const shares = new Map(counts.map((t) => [t, []]));
    const slice = Math.max(0.15, (0.8 * time) / rounds / counts.length);
    setThreads(counts.at(-1));
    for (const t0 = performance.now(); performance.now() - t0 < 300;) model.trainSteps(c.steps, c.batch); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 ? [...counts].reverse() : counts) {
        setThreads(t);
        if (model.threads !== t) throw new Error(`${t} threads asked for, ${model.threads} in use`);
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
