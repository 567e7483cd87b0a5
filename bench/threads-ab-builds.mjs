// In-process A/B of two threaded builds (two trees, each with its wasm/tinytrain.js and wasm/tinytrain-mt.wasm, e.g. a
// copy of the tree at another commit, built): one model of bench/common.mjs THREAD_CASES per build, trained in short
// slices that take build A and build B, each on 2 threads and on 1, in an order that rotates every round, so a shared
// machine's load falls on all four alike. Prints the median rate of each, the median of the rounds' B/A ratios at 2
// threads and each build's median 2-thread / 1-thread ratio, and the load average before and after.
//   node bench/threads-ab-builds.mjs <tree A> <tree B> [mlp|cnn|gpt] [rounds] [seconds per slice]
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { THREAD_CASES, GPT, words, mnist, median } from './common.mjs';

const [treeA, treeB, which = 'mlp'] = process.argv.slice(2, 5);
const [rounds = 20, slice = 0.3] = process.argv.slice(5, 7).map(Number);
if (!treeA || !treeB) throw new Error('usage: node bench/threads-ab-builds.mjs <tree A> <tree B> [mlp|cnn|gpt] [rounds] [seconds]');
const c = THREAD_CASES.find((t) => t.name.toLowerCase().includes(which.toLowerCase()));
if (!c) throw new Error(`no case ${which}: expected mlp, cnn or gpt`);
const unit = c.data === 'words' ? GPT.T : 1; // the GPT's rate in tokens

const builds = {};
for (const [name, tree] of [['A', treeA], ['B', treeB]]) {
  const { Model, loadTinytrain } = await import(pathToFileURL(path.resolve(tree, 'wasm/tinytrain.js')).href);
  const core = await loadTinytrain({ threads: 2 });
  const model = await Model.create(c.spec);
  if (c.data === 'words') model.setTokens(words().train);
  else model.setData(mnist('train').x, mnist('train').y);
  model.trainSteps(c.steps * 4, c.batch); // warm-up
  builds[name] = { core, model };
}
const runs = ['A2', 'B2', 'A1', 'B1'];
const rates = Object.fromEntries(runs.map((r) => [r, []]));
const ratios = { 'B/A at 2': [], 'A 2/1': [], 'B 2/1': [] };
const loadBefore = os.loadavg();
for (let r = 0; r < rounds; r++) {
  const round = {};
  for (let i = 0; i < runs.length; i++) {
    const run = runs[(i + r) % runs.length];
    const { core, model } = builds[run[0]];
    core.setThreads({ threads: Number(run[1]) });
    let samples = 0;
    const t0 = performance.now();
    do { model.trainSteps(c.steps, c.batch); samples += c.steps * c.batch; } while (performance.now() - t0 < 1000 * slice);
    round[run] = (samples * unit) / ((performance.now() - t0) / 1000);
    rates[run].push(round[run]);
  }
  ratios['B/A at 2'].push(round.B2 / round.A2);
  ratios['A 2/1'].push(round.A2 / round.A1);
  ratios['B 2/1'].push(round.B2 / round.B1);
}
for (const { model } of Object.values(builds)) model.dispose();
const fixed = (x, digits = 2) => Number(x.toFixed(digits));
console.log(JSON.stringify({
  case: c.name, rounds, slice, A: treeA, B: treeB,
  rate: Object.fromEntries(runs.map((r) => [r, Math.round(median(rates[r]))])),
  medianRatio: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, fixed(median(v), 3)])),
  load: { before: loadBefore.map((x) => fixed(x)), after: os.loadavg().map((x) => fixed(x)) },
}));
process.exit(0);
