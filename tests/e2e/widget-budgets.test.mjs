// docs/design.md's runtime budgets as wide-margin regression tests in headless Chromium, on the bench's page
// (bench/browser/budgets.html: one <tiny-train demo="spiral" autoplay>, measured by bench/budgets.mjs). The
// limits are several times the budgets, because this shared 2-core machine runs other suites meanwhile; the
// numbers against the budgets themselves come from `make bench BENCH_CASES=budgets`. One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { startBrowser, openPage, checkLongTasks } from './helpers.mjs';
import { firstStep, trainingWindow, latency } from '../../bench/budgets.mjs';

const LOADS = 3;         // fresh page loads; the median is checked
const TRAIN_MS = 5000;   // training watched for long tasks and memory growth
const LIMIT = {
  firstStepMs: 2000,     // budget 500 ms
  // budget none > 50 ms. The widget's first paint on cold code (ICU's first load, unoptimised map paint) made one
  // 60-175 ms task at the first step; spread over frames, each frame's work measured < 30 ms even at load 6. The
  // limit leaves room for the scheduling noise of this shared 2-core machine.
  longTaskMs: 150,
  predictUs: 50,         // budget 10 µs
  heatmapMs: 15,         // budget 3 ms; relu, the widget's default hidden layers
  heatmapTanhMs: 15,     // tanh (the README's example spec), through the core's tanh kernel
};

const median = (v) => { const s = [...v].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const loadNote = () => `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;

let env, last, watched; // last: {page, context, errors} of the last load; watched: its trainingWindow() result
const allErrors = [];
test.before(async () => { env = await startBrowser(); });
test.after(async () => { if (env) await env.close(); });

// The page must exist for the later tests even if the first one fails on its limit.
async function freshLoad() {
  await last?.context.close();
  last = await openPage(env.browser, { viewport: { width: 1000, height: 800 } });
  last.page.on('pageerror', (e) => allErrors.push(`uncaught: ${e.message}`));
  return firstStep(last.page, env.origin);
}

test(`page load to the first training step: median of ${LOADS} fresh loads < ${LIMIT.firstStepMs} ms (budget 500 ms)`, async () => {
  const times = [];
  for (let i = 0; i < LOADS; i++) times.push(await freshLoad());
  const med = median(times);
  console.log(`navigation start -> first progress with step > 0: ${times.map(Math.round).join(', ')} ms; median ` +
    `${Math.round(med)} ms (${loadNote()})`);
  assert.ok(med < LIMIT.firstStepMs, `the first training step came ${Math.round(med)} ms after navigation start ` +
    `(median of ${times.map(Math.round).join(', ')}), limit ${LIMIT.firstStepMs} ms (${loadNote()})`);
});

// helpers.mjs's checkLongTasks holds them to the limit unless the machine is overloaded; it reads
// window.__longTasks, here only the tasks after the first progress event.
test(`${TRAIN_MS / 1000} s of training after the first progress event: steps advance, no main-thread task > ${LIMIT.longTaskMs} ms`, async () => {
  assert.ok(last, 'needs the page of the first test');
  watched = await trainingWindow(last.page, env.origin, TRAIN_MS);
  const { steps } = watched;
  console.log(`steps ${steps[0]} -> ${steps[1]} in ${watched.seconds.toFixed(1)} s; ${watched.loadTasks.length} long ` +
    `tasks before the first step`);
  assert.ok(steps[1] > steps[0], `training did not advance: step ${steps[0]} at the first snapshot, ${steps[1]} at the end`);
  await last.page.evaluate((t) => { window.__longTasks = t; }, watched.longTasks);
  await checkLongTasks(last.page, 'long tasks while training', { limitMs: LIMIT.longTaskMs });
});

test('no wasm memory growth after the first snapshot: the page predictor and the worker', () => {
  assert.ok(watched, 'needs the training window of the previous test');
  const { pageBytes: p, workerBytes: w } = watched;
  console.log(`wasm memory: page ${p[0]} -> ${p[1]} bytes, worker ${w[0]} -> ${w[1]} bytes`);
  assert.ok(p[0] > 0 && w[0] > 0, `memory sizes were not read (page ${p[0]}, worker ${w[0]})`);
  assert.equal(p[1], p[0], `the page's wasm memory grew by ${p[1] - p[0]} bytes during training (${p[0]} -> ${p[1]})`);
  assert.equal(w[1], w[0], `the worker's wasm memory grew by ${w[1] - w[0]} bytes during training (${w[0]} -> ${w[1]})`);
});

test(`predict on the page, 2-16-16-3 MLP while the widget trains: one point < ${LIMIT.predictUs} µs, ` +
     `100x100 heatmap < ${LIMIT.heatmapMs} ms (relu) and < ${LIMIT.heatmapTanhMs} ms (tanh)`, async () => {
  assert.ok(last, 'needs the page of the first test');
  const relu = await latency(last.page, { act: 'relu' }), tanh = await latency(last.page, { act: 'tanh' });
  for (const r of [relu, tanh]) {
    console.log(`${r.act}: one point ${r.predictUs.toFixed(2)} µs (median of ${r.batches} batches of ` +
      `${r.callsPerBatch} calls), heatmap ${r.heatmapMs.toFixed(2)} ms (median of ${r.heatmaps}), with ` +
      `probabilities ${r.heatmapProbabilitiesMs.toFixed(2)} ms (${loadNote()})`);
    assert.ok(r.predictUs < LIMIT.predictUs, `${r.act}: one prediction took ${r.predictUs.toFixed(2)} µs, limit ` +
      `${LIMIT.predictUs} µs (${loadNote()})`);
  }
  assert.ok(relu.heatmapMs < LIMIT.heatmapMs, `relu: the 100x100 heatmap took ${relu.heatmapMs.toFixed(2)} ms, ` +
    `limit ${LIMIT.heatmapMs} ms (${loadNote()})`);
  assert.ok(tanh.heatmapMs < LIMIT.heatmapTanhMs, `tanh: the 100x100 heatmap took ${tanh.heatmapMs.toFixed(2)} ms, ` +
    `limit ${LIMIT.heatmapTanhMs} ms (${loadNote()})`);
});

test('the measured page reported no errors', () => {
  const errors = [...new Set([...allErrors, ...(last?.errors ?? [])])];
  assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
});
