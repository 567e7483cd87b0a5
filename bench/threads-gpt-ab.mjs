// In-process A/B of the threaded build on the words GPT (bench/common.mjs gptSpec, AdamW, batch 32): one model,
// short slices of training that take 1 and 2 threads in turn (setThreads on the loaded module, the order alternating
// each round), so a shared machine's load falls on both alike. Prints the median tokens/s of each count, the median
// of the rounds' 2-thread / 1-thread ratios, CPU time / wall time at 2 threads and the load average before and after.
//   node bench/threads-gpt-ab.mjs [rounds] [seconds per slice] [path of a tinytrain.js to load instead]
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { GPT, gptSpec, words, median } from './common.mjs';

const [rounds = 30, slice = 0.3] = process.argv.slice(2, 4).map(Number);
const loader = process.argv[4] ? pathToFileURL(process.argv[4]).href : '../wasm/tinytrain.js';
const { Model, loadTinytrain } = await import(loader);

const core = await loadTinytrain({ threads: 2 });
const model = await Model.create(gptSpec());
model.setTokens(words().train);
model.trainSteps(4, GPT.batch); // warm-up
const tokensPerStep = GPT.batch * GPT.T;
const rates = { 1: [], 2: [] }, ratios = [], cpuShare = [];
const loadBefore = os.loadavg();
for (let r = 0; r < rounds; r++) {
  const round = {};
  for (const threads of r % 2 ? [2, 1] : [1, 2]) {
    core.setThreads({ threads });
    let tokens = 0;
    const cpu0 = process.cpuUsage(), t0 = performance.now();
    do { model.trainSteps(1, GPT.batch); tokens += tokensPerStep; } while (performance.now() - t0 < 1000 * slice);
    const wall = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0);
    round[threads] = tokens / wall;
    rates[threads].push(round[threads]);
    if (threads === 2) cpuShare.push((cpu.user + cpu.system) / 1e6 / wall);
  }
  ratios.push(round[2] / round[1]);
}
model.dispose();
const fixed = (x, digits = 2) => Number(x.toFixed(digits));
console.log(JSON.stringify({
  rounds, slice,
  tokensPerSecond: { 1: Math.round(median(rates[1])), 2: Math.round(median(rates[2])) },
  ratioOfMedians: fixed(median(rates[2]) / median(rates[1]), 3),
  medianRatio: fixed(median(ratios), 3),
  cpuPerWallAt2: fixed(median(cpuShare)),
  load: { before: loadBefore.map((x) => fixed(x)), after: os.loadavg().map((x) => fixed(x)) },
}));
