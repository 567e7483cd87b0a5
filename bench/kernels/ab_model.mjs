// In-process A/B timing of whole-model work for two or more builds of tinytrain.wasm: every build is instantiated
// side by side in one process and they take turns in 0.25 s chunks of CPU time, so a busy shared machine slows
// them alike (bench/kernels/bench_model.mjs runs each in its own process, rounds apart, and swings more here).
// Prints the median and the best chunk rate per build. Not a test; a tool for the kernel author.
// Usage: node bench/kernels/ab_model.mjs cnn|mlp-adam|mlp-sgd|infer|infer-dense a.wasm b.wasm   (AB_TIME seconds)
// infer is batch-1 MLP predict on an MNIST test digit (sparse); infer-dense on a dense input.
import { readFileSync } from 'node:fs';
import { mnist, mlpSpec, cnnSpec, CNN, MLP } from '../common.mjs';

const [kase, ...paths] = process.argv.slice(2);
const secs = Number(process.env.AB_TIME || 20);
const { x, y } = mnist('train');
const builds = [];
for (const path of paths) {
  const { instance } = await WebAssembly.instantiate(readFileSync(path), { env: { emscripten_notify_memory_growth() {} } });
  const w = instance.exports;
  w._initialize?.();
  const put = (arr) => { // a copy of arr in this build's memory (flat C API, no wrapper)
    const p = w.tt_alloc(arr.byteLength);
    new Uint8Array(w.memory.buffer, p, arr.byteLength).set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    return p;
  };
  const spec = new TextEncoder().encode(JSON.stringify(kase === 'cnn' ? cnnSpec() : mlpSpec(kase === 'mlp-sgd' ? 'sgd' : 'adam')));
  const m = w.tt_model_create(put(spec), spec.length);
  let run;
  if (kase.startsWith('infer')) {
    const x1 = kase === 'infer-dense' ? Float32Array.from({ length: 784 }, (_, i) => ((i * 37) % 101) / 101 + 0.01)
      : x.subarray(0, 784);
    const px = put(x1), po = w.tt_alloc(40);
    run = () => { for (let i = 0; i < 200; i++) w.tt_model_predict(m, px, 1, po, 0); return 200; };
  } else {
    const n = 4096, B = kase === 'cnn' ? CNN.batch : MLP.batch;
    if (w.tt_model_set_data(m, put(x.subarray(0, n * 784)), put(Float32Array.from(y.subarray(0, n))), n)) throw new Error('set_data failed');
    run = () => { w.tt_model_train_steps(m, 2, B); return 2 * B; };
  }
  builds.push({ path, run, rates: [] });
}
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (const b of builds) for (const t = cpu(); cpu() - t < 0.5;) b.run(); // warm-up: V8 tiers the hot code up
for (const t0 = cpu(); cpu() - t0 < secs;) {
  for (const b of builds) {
    let n = 0;
    const t = cpu();
    while (cpu() - t < 0.25) n += b.run();
    b.rates.push(n / (cpu() - t));
  }
}
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const show = kase.startsWith('infer') ? (r) => `${(1e6 / r).toFixed(2)} µs` : (r) => `${r.toFixed(0)} samples/s`;
for (const b of builds) {
  console.log(`${kase.padEnd(12)} ${b.path.padEnd(30)} median ${show(med(b.rates))}  best ${show(Math.max(...b.rates))}` +
              `  (${b.rates.length} chunks)`);
}
