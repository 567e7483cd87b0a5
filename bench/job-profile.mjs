// The pool's jobs in a training step, chunk by chunk, at 1 and 2 threads: run in a tree instrumented by
// bench/job-profile.py (see there). One model of bench/common.mjs THREAD_CASES trains one step per call, in slices
// that take, in turn: 1 thread (no split), "1s" (the 2-thread split, every chunk run by the main thread in order:
// the split's work on one core, which load does not fake) and 2 threads. Per job of the step (its n-th fork-join),
// medians over the steps (µs):
// - 1s: the job's time; 2t: the job's time, each thread's time inside chunks (busy), the helper's start (its first
//   chunk's start after the publish), the join's wait (main thread out of chunks to join done), chunks per thread;
// - the serial stretch before the job (the main thread alone since the last join) at 1s and 2t;
// - with `chunks`: each chunk's time at 1s and at 2t (on either thread), so equal sizes with unequal times show.
// At 2 threads only the steps in which the helper took chunks of every job count; with a share below 1, only the
// fastest steps of each count (that share of them): on a busy machine, those during which no other process took our
// cores.
//   node bench/job-profile.mjs [mlp|cnn|gpt] [steps per slice] [rounds] [chunks|-] [share of steps]
import * as tt from '../wasm/tinytrain.js';
import { profileInTurns } from './common.mjs';

const [which = 'mlp'] = process.argv.slice(2, 3);
const STEPS = Number(process.argv[3] || 20), ROUNDS = Number(process.argv[4] || 10), SHOW_CHUNKS = process.argv[5] === 'chunks';
const SHARE = Number(process.argv[6] || 1);
const CH = 32, F = 5 + 3 * CH;
const MODES = ['1', 's', '2'];
const steps = { 1: [], s: [], 2: [] };
const { c, loadBefore, loadAfter } = await profileInTurns(tt, which, STEPS, ROUNDS, (core, t, wall) => {
  const n = core.tt_prof_jobs();
  const tab = new Float64Array(core.memory.buffer, core.tt_prof_table(), n * F);
  const jobs = [];
  for (let j = 0; j < n; j++) {
    const r0 = j * F, chunks = tab[r0];
    const ch = [];
    for (let i = 0; i < Math.min(chunks, CH); i++) {
      ch.push({ start: 1000 * tab[r0 + 5 + i], end: 1000 * tab[r0 + 5 + CH + i], thread: tab[r0 + 5 + 2 * CH + i] });
    }
    jobs.push({ chunks, publish: 1000 * tab[r0 + 1], out: 1000 * tab[r0 + 2], done: 1000 * tab[r0 + 3], fn: tab[r0 + 4], ch });
  }
  steps[t].push({ wall, jobs });
});

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
// steps whose job list matches the first step's (same shape every step)
const shape = (st) => st.jobs.map((j) => `${j.fn}:${j.chunks}`).join(',');
const ref = shape(steps.s[0]);
const fastest = (list) => {
  const walls = list.map((st) => st.wall).sort((a, b) => a - b);
  return list.filter((st) => st.wall <= walls[Math.max(0, Math.ceil(SHARE * walls.length) - 1)]);
};
// at 2 threads, only the steps in which the helper took chunks of every job split in two or more (else the fastest
// are those it missed)
steps[2] = steps[2].filter((st) => st.jobs.every((j) => j.chunks < 2 || j.ch.some((x) => x.thread === 1)));
for (const t of MODES) steps[t] = fastest(steps[t]);
const wall1 = median(steps[1].map((s) => s.wall));
for (const t of ['s', 2]) steps[t] = steps[t].filter((st) => shape(st) === ref);
const sites = steps.s[0].jobs.length;
const busy = (job, thread) => job.ch.filter((x) => x.thread === thread).reduce((a, x) => a + x.end - x.start, 0);
const count = (job, thread) => job.ch.filter((x) => x.thread === thread).length;
const gap = (st, k) => st.jobs[k].publish - (k ? st.jobs[k - 1].done : 0);
console.log(`${c.name}: ${steps.s.length} + ${steps[2].length} steps; load ${loadBefore.map((x) => x.toFixed(2))} -> ${loadAfter.map((x) => x.toFixed(2))}`);
console.log(`step µs (median): 1 thread ${f(wall1)}, 1s ${f(median(steps.s.map((s) => s.wall)))}, 2 threads ${f(median(steps[2].map((s) => s.wall)))}`);
console.log('job fn chunks | serial before: 1s 2t | 1s job | 2t job, busy main, busy helper, helper start, join wait, chunks main/helper');
let sum = { s1: 0, s2: 0, j1: 0, j2: 0, wait: 0, b0: 0, b1: 0 };
for (let k = 0; k < sites; k++) {
  const j0 = steps.s[0].jobs[k];
  const s1 = median(steps.s.map((st) => gap(st, k))), s2 = median(steps[2].map((st) => gap(st, k)));
  const d1 = median(steps.s.map((st) => st.jobs[k].done - st.jobs[k].publish));
  const d2 = median(steps[2].map((st) => st.jobs[k].done - st.jobs[k].publish));
  const b0 = median(steps[2].map((st) => busy(st.jobs[k], 0))), b1 = median(steps[2].map((st) => busy(st.jobs[k], 1)));
  const start = median(steps[2].map((st) => {
    const h = st.jobs[k].ch.filter((x) => x.thread === 1);
    return h.length ? Math.min(...h.map((x) => x.start)) - st.jobs[k].publish : NaN;
  }).filter(Number.isFinite));
  const wait = median(steps[2].map((st) => st.jobs[k].done - st.jobs[k].out));
  const c0 = median(steps[2].map((st) => count(st.jobs[k], 0))), c1 = median(steps[2].map((st) => count(st.jobs[k], 1)));
  sum.s1 += s1; sum.s2 += s2; sum.j1 += d1; sum.j2 += d2; sum.wait += wait; sum.b0 += b0; sum.b1 += b1;
  console.log(`${k} ${j0.fn} ${j0.chunks} | ${f(s1)} ${f(s2)} | ${f(d1)} | ${f(d2)}, ${f(b0)}, ${f(b1)}, ${f(start)}, ${f(wait)}, ${c0}/${c1}`);
  if (SHOW_CHUNKS) {
    const per = (t, i) => median(steps[t].map((st) => st.jobs[k].ch[i].end - st.jobs[k].ch[i].start));
    const line = (t) => j0.ch.map((_, i) => f(per(t, i))).join(' ');
    console.log(`    chunks 1s: ${line('s')}\n    chunks 2t: ${line(2)}`);
  }
}
const tailS = median(steps.s.map((st) => st.wall - st.jobs.at(-1).done)), tail2 = median(steps[2].map((st) => st.wall - st.jobs.at(-1).done));
console.log(`after the last job: 1s ${f(tailS)}, 2t ${f(tail2)}`);
console.log(`sums of medians: serial 1s ${f(sum.s1 + tailS)}, 2t ${f(sum.s2 + tail2)}; jobs 1s ${f(sum.j1)}, 2t ${f(sum.j2)}; busy main ${f(sum.b0)}, helper ${f(sum.b1)}; join waits ${f(sum.wait)}`);
process.exit(0);
