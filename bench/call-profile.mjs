// Each split call of a training step (the n-th tt__par_* or tt__parallel_range call on the main thread) at 1 thread
// (the single-threaded kernels), 1s (the 2-thread split run chunk by chunk on the main thread: its work) and
// 2 threads, medians over the steps (µs), in a tree instrumented by bench/job-profile.py and bench/call-profile.py
// (see there). The 1s / 1-thread column is what a split adds to the work; the last column the call's speed-up.
//   node bench/call-profile.mjs [mlp|cnn|gpt] [steps per slice] [rounds]
import os from 'node:os';
import * as tt from '../wasm/tinytrain.js';
import { THREAD_CASES, words, mnist, median } from './common.mjs';

const [which = 'cnn'] = process.argv.slice(2, 3);
const STEPS = Number(process.argv[3] || 10), ROUNDS = Number(process.argv[4] || 10);
const c = THREAD_CASES.find((t) => t.name.toLowerCase().includes(which.toLowerCase()));
const core = await tt.loadTinytrain({ threads: 2 });
const model = await tt.Model.create(c.spec);
if (c.data === 'words') model.setTokens(words().train);
else model.setData(mnist('train').x, mnist('train').y);
for (const t0 = performance.now(); performance.now() - t0 < 1500;) model.trainSteps(c.steps, c.batch);
const MODES = ['1', 's', '2'], calls = { 1: [], s: [], 2: [] }, wall = { 1: [], s: [], 2: [] };
const loadBefore = os.loadavg();
for (let r = 0; r < ROUNDS; r++) {
  for (let m = 0; m < 3; m++) {
    const t = MODES[(m + r) % 3];
    core.setThreads({ threads: t === '1' ? 1 : 2 });
    core.tt_prof_inline(t === 's' ? 1 : 0);
    for (let s = 0; s < STEPS; s++) {
      core.tt_prof_step();
      core.tt_prof_ncalls();
      const w0 = performance.now();
      model.trainSteps(1, c.batch);
      wall[t].push(1000 * (performance.now() - w0));
      const n = core.tt_prof_ncalls(), tab = new Float64Array(core.memory.buffer, core.tt_prof_calls(), 2 * n);
      calls[t].push(Array.from({ length: n }, (_, i) => 1000 * tab[2 * i + 1]));
    }
  }
}
model.dispose();
const f = (x) => x.toFixed(1);
console.log(`${c.name}: load ${loadBefore.map(f)} -> ${os.loadavg().map(f)}; step µs (median): 1 thread ` +
  `${f(median(wall[1]))}, 1s ${f(median(wall.s))}, 2 threads ${f(median(wall[2]))}`);
console.log('call | 1 thread | 1s (1s / 1 thread) | 2 threads (speed-up)');
const sum = { 1: 0, s: 0, 2: 0 };
for (let i = 0; i < calls.s[0].length; i++) {
  const [one, s, two] = MODES.map((t) => median(calls[t].map((v) => v[i] ?? NaN)));
  sum[1] += one, sum.s += s, sum[2] += two;
  console.log(`${i} | ${f(one)} | ${f(s)} (${(s / one).toFixed(2)}) | ${f(two)} (${(one / two).toFixed(2)}x)`);
}
console.log(`all calls: 1 thread ${f(sum[1])}, 1s ${f(sum.s)} (${(sum.s / sum[1]).toFixed(3)}), 2 threads ${f(sum[2])}`);
process.exit(0);
