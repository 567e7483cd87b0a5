// Each split call of a training step (the n-th tt__par_* or tt__parallel_range call on the main thread) at 1 thread
// (the single-threaded kernels), 1s (the 2-thread split run chunk by chunk on the main thread: its work) and
// 2 threads, medians over the steps (µs), in a tree instrumented by bench/job-profile.py and bench/call-profile.py
// (see there). The 1s / 1-thread column is what a split adds to the work; the last column the call's speed-up.
//   node bench/call-profile.mjs [mlp|cnn|gpt] [steps per slice] [rounds]
import * as tt from '../wasm/tinytrain.js';
import { profileInTurns, median } from './common.mjs';

const [which = 'cnn'] = process.argv.slice(2, 3);
const STEPS = Number(process.argv[3] || 10), ROUNDS = Number(process.argv[4] || 10);
const MODES = ['1', 's', '2'], calls = { 1: [], s: [], 2: [] }, wall = { 1: [], s: [], 2: [] };
const { c, loadBefore, loadAfter } = await profileInTurns(tt, which, STEPS, ROUNDS, (core, t, us) => {
  wall[t].push(us);
  const n = core.tt_prof_ncalls(), tab = new Float64Array(core.memory.buffer, core.tt_prof_calls(), 2 * n);
  calls[t].push(Array.from({ length: n }, (_, i) => 1000 * tab[2 * i + 1]));
}, { beforeStep: (core) => core.tt_prof_ncalls() });
const f = (x) => x.toFixed(1);
console.log(`${c.name}: load ${loadBefore.map(f)} -> ${loadAfter.map(f)}; step µs (median): 1 thread ` +
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
