// A model's split kernels at 1 and 2 threads, in a tree instrumented by bench/split-profile.py (see there): the digits
// CNN unless another case of bench/common.mjs THREAD_CASES is named (mlp, gpt).
// Per site (the n-th split call of a step) and step: 1 thread: the call's wall time; 2 threads: the call's wall
// time, each thread's time inside chunks. Low percentiles over steps (a loaded machine only adds time).
import * as tt from '../wasm/tinytrain.js';
import { THREAD_CASES, words, mnist } from './common.mjs';
const STEPS = Number(process.argv[2] || 20), ROUNDS = Number(process.argv[3] || 10), Q = Number(process.argv[4] || 0.1);
const c = THREAD_CASES.find((t) => t.name.toLowerCase().includes((process.argv[5] || 'cnn').toLowerCase()));
const core = await tt.loadTinytrain({ threads: 2 });
const model = await tt.Model.create(c.spec);
if (c.data === 'words') model.setTokens(words().train);
else model.setData(mnist('train').x, mnist('train').y);
const F = 15, N = 64;
const table = () => new Float64Array(core.memory.buffer, core.tt_prof_table(), N * F);
const rec = { 1: [], 2: [] }, wall = { 1: [], 2: [] };
let kinds = null;
for (const t0 = performance.now(); performance.now() - t0 < 1000;) model.trainSteps(2, c.batch);
for (let r = 0; r < ROUNDS; r++) {
  for (const t of r % 2 ? [2, 1] : [1, 2]) {
    core.setThreads({ threads: t });
    for (let s = 0; s < STEPS; s++) {
      table().fill(0);
      core.tt_prof_step();
      const w0 = performance.now();
      model.trainSteps(1, c.batch);
      wall[t].push(performance.now() - w0);
      const tab = Float64Array.from(table());
      kinds ??= Array.from({ length: N }, (_, i) => [tab[i * F], tab[i * F + 1], tab[i * F + 2]]);
      rec[t].push(tab);
    }
  }
}
const KIND = ['', 'gemm', 'conv_fwd', 'conv_dw', 'conv_sparse', 'range', 'bias_act', 'relu', 'relu_bw', 'fill', 'adam', 'sgd'];
const q = (v, p = Q) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(p * (s.length - 1))]; };
const col = (t, i, k) => rec[t].map((tab) => 1000 * tab[i * F + k]);
console.log(`steps ${rec[1].length} per count; step ms p${Q * 100}: 1 thread ${q(wall[1]).toFixed(3)}, 2 threads ${q(wall[2]).toFixed(3)}; median ${q(wall[1], 0.5).toFixed(3)}, ${q(wall[2], 0.5).toFixed(3)}`);
console.log('site kind fn | 1t call µs | 2t call µs, busy main, busy helper, busy sum, max busy (per step), jobs, chunks | work x (sum/1t), eff = 1t/(2 max busy), call speed-up');
let t1 = 0, t2 = 0, sumMax = 0;
for (let i = 0; i < N; i++) {
  if (!kinds[i][2]) continue;
  const c1 = q(col(1, i, 3)), c2 = q(col(2, i, 3));
  const b0 = q(col(2, i, 5)), b1 = q(col(2, i, 6));
  const sum = q(rec[2].map((tab) => 1000 * (tab[i * F + 5] + tab[i * F + 6]))), mx = q(col(2, i, 4));
  const jobs = rec[2][0][i * F + 7], chunks = rec[2][0][i * F + 8];
  t1 += c1; t2 += c2; sumMax += mx;
  const jobsText = [0, 1, 2].filter((k) => rec[2][0][i * F + 12 + k]).map((k) => `${q(col(2, i, 9 + k)).toFixed(1)}/${rec[2][0][i * F + 12 + k]}`).join(" + ");
  console.log(`${i} ${KIND[kinds[i][0]]} ${kinds[i][1]} | ${c1.toFixed(1)} | ${c2.toFixed(1)}, ${b0.toFixed(1)}, ${b1.toFixed(1)}, ${sum.toFixed(1)}, ${mx.toFixed(1)}, ${jobs}, ${chunks} | ${(sum / c1).toFixed(2)}, ${(c1 / (2 * mx)).toFixed(2)}, ${(c1 / c2).toFixed(2)}x | jobs (work µs/chunks): ${jobsText}`);
}
console.log(`sum of sites µs: 1t ${t1.toFixed(0)}, 2t calls ${t2.toFixed(0)}, 2t max busy ${sumMax.toFixed(0)}`);
model.dispose();
process.exit(0);
