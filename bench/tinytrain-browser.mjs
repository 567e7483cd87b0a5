// tinytrain in headless Chromium through the worker runtime: bench/browser/worker.html fetches the MNIST split,
// gives it to a Trainer (web/trainer.js) whose module Worker (web/worker.js) trains the MLP in chunks and posts
// progress; the page times the steps it reports. Against tinytrain's Node row this shows what the worker path
// costs (chunking, progress and snapshot messages, the browser's wasm tiering). Usage:
// node bench/tinytrain-browser.mjs worker-mlp-adam
import { chromium } from 'playwright-core';
import { startServer } from '../tools/serve.mjs';
import { MLP, TIME, SETTLE, mlpSpec, runSystem } from './common.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
              '--disable-component-update', '--disable-sync'];

async function workerRate() {
  const server = await startServer({ port: 0 });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${server.origin}/bench/browser/worker.html`);
    await page.waitForFunction(() => window.workerBenchReady === true, null, { timeout: 15000 });
    const r = await page.evaluate((o) => window.runWorkerBench(o), {
      spec: mlpSpec('adam'), batchSize: MLP.batch, warmupMs: Math.round(SETTLE * 1000) + 500,
      timeMs: Math.round(Math.max(2, 2 * TIME) * 1000), // progress comes a few times a second: a long window
    });
    if (errors.length) throw new Error(`the page reported: ${errors.join(' | ')}`);
    return { value: r.rate, note: `worker's own figure ${Math.round(r.workerRate)} samples/s; ` +
                                  `${r.steps} steps, loss ${r.loss.toFixed(3)}` };
  } finally {
    await browser?.close().catch(() => {});
    await server.close();
  }
}

await runSystem('tinytrain-browser', { 'worker-mlp-adam': workerRate });
