// The `budgets` case: docs/design.md's runtime budgets measured in headless Chromium on bench/browser/budgets.html (one
// <tiny-train demo="spiral" autoplay>; see bench/budgets.mjs for how each is measured). Per process: LOADS fresh
// page loads (a new browser context each) for load -> first training step (their median), then on the last page
// ~5 s of training (long tasks, wasm memory of the worker and of the page's predictor), then predict latency.
// The runner (bench/run.mjs) prints the "budget | measured | ok?" table. Usage: node bench/tinytrain-budgets.mjs budgets
import { chromium } from 'playwright-core';
import os from 'node:os';
import { existsSync } from 'node:fs';
import { startServer } from '../tools/serve.mjs';
import { BUDGETS, firstStep, trainingWindow, latency } from './budgets.mjs';
import { median } from './common.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
              '--disable-component-update', '--disable-sync'];
const LOADS = 5; // of each build
const TRAIN_MS = 5000;

// One BENCH_RESULT line per budget row, each with its own unit (common.mjs's emit() takes the case's one unit).
function emit(i, value, note = '') {
  const b = BUDGETS[i];
  console.log('BENCH_RESULT ' + JSON.stringify({ system: 'tinytrain-budgets', case: 'budgets', row: b.row,
    status: value === null ? 'failed' : 'ok', value, unit: b.unit, note, caveat: '', clock: 'wall', cpuShare: null }));
}

async function main() {
  if (process.argv[2] !== 'budgets') {
    console.error('usage: node bench/tinytrain-budgets.mjs budgets');
    process.exit(2);
  }
  const server = await startServer({ port: 0 });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    if (!existsSync(new URL('../dist/tiny-train.js', import.meta.url))) throw new Error('dist/ is missing: run make dist');
    // The two builds' loads alternate, so a change in the shared machine's load falls on both alike; the source
    // build's page is the last one, measured further below.
    const loads = { dist: [], source: [] };
    let page, context, errors;
    for (let i = 0; i < LOADS; i++) {
      for (const build of ['dist', 'source']) {
        await context?.close();
        context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
        page = await context.newPage();
        errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        loads[build].push(await firstStep(page, server.origin, { build }));
      }
    }
    const note = (v) => `median of ${LOADS} fresh loads: ${v.map(Math.round).join(', ')} ms; load average ${os.loadavg()[0].toFixed(1)}`;
    emit(0, median(loads.dist), `dist/, as a site serves it: ${note(loads.dist)}`);
    emit(1, median(loads.source), note(loads.source));

    const w = await trainingWindow(page, server.origin, TRAIN_MS);
    const steps = w.steps[1] - w.steps[0];
    const tasks = w.longTasks.map((t) => `${t.ms} ms @${t.start}`).join(', ');
    emit(2, w.longTasks.length, `${w.seconds.toFixed(1)} s of training, ${steps} steps` +
      (tasks ? `; tasks: ${tasks}` : '') + `; before the first step: ${w.loadTasks.length}` +
      `; load average ${os.loadavg()[0].toFixed(1)}`);
    const lat = { tanh: await latency(page, { act: 'tanh' }), relu: await latency(page, { act: 'relu' }) };
    const t = lat.tanh;
    emit(3, t.predictUs, `median of ${t.batches} batches of ${t.callsPerBatch} calls (best ${t.predictUsMin.toFixed(2)} µs); ` +
      `relu ${lat.relu.predictUs.toFixed(2)} µs; while the widget trains`);
    emit(4, t.heatmapMs, `median of ${t.heatmaps} calls of 10,000 points (~0.1 ms timer); probabilities() ` +
      `${t.heatmapProbabilitiesMs.toFixed(2)} ms`);
    emit(5, lat.relu.heatmapMs, `median of ${lat.relu.heatmaps} calls; probabilities() ` +
      `${lat.relu.heatmapProbabilitiesMs.toFixed(2)} ms`);
    emit(6, w.workerBytes[1] - w.workerBytes[0], `${w.workerBytes.join(' -> ')} bytes`);
    emit(7, w.pageBytes[1] - w.pageBytes[0], `${w.pageBytes.join(' -> ')} bytes`);
    if (errors.length) { // shown, not fatal: the budgets are still measured (a broken paint changes long tasks)
      const counts = new Map();
      for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
      console.log(`the page reported: ${[...counts].map(([e, n]) => (n > 1 ? `${e} (${n} times)` : e)).join(' | ')}`);
    }
    await context.close();
  } finally {
    await browser?.close().catch(() => {});
    await server.close();
  }
}

main().catch((e) => {
  // A failure is a result: every row reports the message, so the table shows why.
  const msg = String(e?.message ?? e).split('\n')[0];
  BUDGETS.forEach((_, i) => emit(i, null, msg));
});
