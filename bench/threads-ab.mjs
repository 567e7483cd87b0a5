// In-process A/B of the threaded build on one model of bench/common.mjs THREAD_CASES (mlp, cnn or gpt): one model,
// short slices of training that take 1 and 2 threads in turn (setThreads on the loaded module, the order alternating
// each round), so a shared machine's load falls on both alike. Prints the median rate of each count, the median of
// the rounds' 2-thread / 1-thread ratios, CPU time / wall time at 2 threads, the load average before and after, and
// the pool's counters per training step at 2 threads (tt_threads_stats: jobs, the helper's share of the chunks, how
// often it was asleep when a job was published, ...).
//   node bench/threads-ab.mjs [mlp|cnn|gpt] [rounds] [seconds per slice] [path of a tinytrain.js to load instead]
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { THREAD_CASES, GPT, words, mnist, median } from './common.mjs';

const [which = 'mlp'] = process.argv.slice(2, 3);
const [rounds = 20, slice = 0.3] = process.argv.slice(3, 5).map(Number);
const loader = process.argv[5] ? pathToFileURL(process.argv[5]).href : '../wasm/tinytrain.js';
const { Model, loadTinytrain } = await import(loader);
const c = THREAD_CASES.find((t) => t.name.toLowerCase().includes(which.toLowerCase()));
if (!c) throw new Error(`no case ${which}: expected mlp, cnn or gpt`);

const core = await loadTinytrain({ threads: 2 });
const model = await Model.create(c.spec);
if (c.data === 'words') model.setTokens(words().train);
else model.setData(mnist('train').x, mnist('train').y);
model.trainSteps(c.steps * 4, c.batch); // warm-up
const unit = c.data === 'words' ? GPT.T : 1; // the GPT's rate in tokens
const rates = { 1: [], 2: [] }, ratios = [], cpuShare = [];
// tt_threads_stats: the pool's counters since the last call (src/core/threads.c STATS names them)
const readStats = () => {
  if (!core.tt_threads_stats) return null;
  const at = core.tt_threads_stats();
  return Array.from(new Int32Array(core.memory.buffer, at, STATS.length));
};
const STATS = ['jobs', 'main thread\'s chunks', 'jobs published to a sleeping helper', 'join spins', 'join waits',
               'jobs with short spins', 'helpers\' chunks', 'helpers\' sleeps', 'helpers late (no chunk left)',
               'helpers\' parks (waits on the count in use)'];
const totals = new Array(STATS.length).fill(0);
let steps2 = 0;
const loadBefore = os.loadavg();
for (let r = 0; r < rounds; r++) {
  const round = {};
  for (const threads of r % 2 ? [2, 1] : [1, 2]) {
    core.setThreads({ threads });
    let samples = 0, steps = 0;
    readStats();
    const cpu0 = process.cpuUsage(), t0 = performance.now();
    do { model.trainSteps(c.steps, c.batch); samples += c.steps * c.batch; steps += c.steps; } while (performance.now() - t0 < 1000 * slice);
    const wall = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0);
    const stats = readStats();
    round[threads] = (samples * unit) / wall;
    rates[threads].push(round[threads]);
    if (threads === 2) {
      cpuShare.push((cpu.user + cpu.system) / 1e6 / wall);
      stats?.forEach((v, i) => (totals[i] += v));
      steps2 += steps;
    }
  }
  ratios.push(round[2] / round[1]);
}
model.dispose();
const fixed = (x, digits = 2) => Number(x.toFixed(digits));
console.log(JSON.stringify({
  case: c.name, rounds, slice,
  rate: { 1: Math.round(median(rates[1])), 2: Math.round(median(rates[2])) },
  ratioOfMedians: fixed(median(rates[2]) / median(rates[1]), 3),
  medianRatio: fixed(median(ratios), 3),
  cpuPerWallAt2: fixed(median(cpuShare)),
  perStepAt2: core.tt_threads_stats ? Object.fromEntries(STATS.map((s, i) => [s, fixed(totals[i] / steps2, 1)])) : null,
  load: { before: loadBefore.map((x) => fixed(x)), after: os.loadavg().map((x) => fixed(x)) },
}));
