// tinytrain in headless Chromium through the worker runtime: bench/browser/worker.html fetches the MNIST split,
// gives it to a Trainer (web/runtime/trainer.js) whose module Worker (web/runtime/worker.js) trains the MLP in chunks and posts
// progress; the page times the steps it reports. Against tinytrain's Node row this shows what the worker path
// costs (chunking, progress and snapshot messages, the browser's wasm tiering). The GPT cases run in a worker of
// bench/browser/gpt.html instead, and the threaded build's rows in a worker of bench/browser/threads.html, served
// cross-origin isolated (below). Usage: node bench/tinytrain-browser.mjs <worker-mlp-adam|gpt-train|gpt-quality|threads>
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import { startServer, SERVED } from '../tools/serve.mjs';
import { MLP, TIME, SETTLE, GPT, THREAD_CASES, mlpSpec, gptSpec, emit, runSystem } from './common.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
              '--disable-component-update', '--disable-sync'];

// Opens a bench page in a fresh Chromium, waits for window[readyFlag], and returns what window[run](options) gives;
// an error or a console error on the page fails the measurement. server: startServer's options (folders, isolated).
async function onBenchPage(file, readyFlag, run, options, server = {}) {
  server = await startServer({ port: 0, ...server });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${server.origin}/bench/browser/${file}`);
    await page.waitForFunction((flag) => window[flag] === true, readyFlag, { timeout: 15000 });
    const r = await page.evaluate(([fn, o]) => window[fn](o), [run, options]);
    if (errors.length) throw new Error(`the page reported: ${errors.join(' | ')}`);
    return r;
  } finally {
    await browser?.close().catch(() => {});
    await server.close();
  }
}

async function workerRate() {
  const r = await onBenchPage('worker.html', 'workerBenchReady', 'runWorkerBench', {
    spec: mlpSpec('adam'), batchSize: MLP.batch, warmupMs: Math.round(SETTLE * 1000) + 500,
    timeMs: Math.round(Math.max(2, 2 * TIME) * 1000), // progress comes a few times a second: a long window
  });
  return { value: r.rate, note: `worker's own figure ${Math.round(r.workerRate)} samples/s; ` +
                                `${r.steps} steps, loss ${r.loss.toFixed(3)}` };
}

// The words GPT in a module Worker of bench/browser/gpt.html (the Model API on the words corpus, as a text page
// would run it): tokens/s, or the 2,000 steps' wall time.
const gptInWorker = (options) => onBenchPage('gpt.html', 'gptBenchReady', 'runGptBench',
                                             { spec: gptSpec(), batchSize: GPT.batch, ...options });

// The threaded build in a worker of a cross-origin isolated page: the rows of bench/threads.mjs, as Node's.
async function threadRows() {
  const r = await onBenchPage('threads.html', 'threadsBenchReady', 'runThreadsBench', { cases: THREAD_CASES, time: 3 * TIME },
                              { folders: [...SERVED, 'bench/threads.mjs'], isolated: true });
  const size = (name) => `${name} ${fs.statSync(new URL(`../wasm/${name}`, import.meta.url)).size} bytes`;
  const base = {};
  for (const row of r.rows) {
    if (row.threads === 1) base[row.case] = row.rate;
    const unit = /GPT/.test(row.case) ? GPT.T : 1;
    emit('tinytrain-browser', 'threads', `${row.case}, ${row.threads} thread${row.threads > 1 ? 's' : ''}`, 'ok', row.rate * unit,
         `${(row.rate / base[row.case]).toFixed(2)}x of 1 thread; ${r.cores} cores reported; ` +
         `${size('tinytrain-mt.wasm')}, ${size('tinytrain.wasm')}`, '', { unit: unit > 1 ? 'tokens/s' : 'samples/s' });
  }
}

await runSystem('tinytrain-browser', {
  threads: threadRows,
  'worker-mlp-adam': workerRate,
  'gpt-train': async () => {
    const r = await gptInWorker({ task: 'rate', stepsPerChunk: 5, warmupMs: Math.round(SETTLE * 1000),
                                  timeMs: Math.round(TIME * 1000) });
    return { value: r.rate, note: `${r.chunks} chunks of 5 steps, loss ${r.loss.toFixed(3)} after ${r.steps} steps` };
  },
  'gpt-quality': async () => {
    const r = await gptInWorker({ task: 'quality', steps: GPT.steps });
    emit('tinytrain-browser', 'gpt-quality', `wall time of the ${GPT.steps} steps`, 'ok', r.seconds,
         `held-out loss ${r.heldout.toFixed(4)} (the same seeded run as Node's), training loss ${r.loss.toFixed(3)}`,
         '', { unit: 's' });
  },
});
