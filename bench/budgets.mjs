// The "Budgets" of docs/design.md of the shipped runtime, measured in headless Chromium on bench/browser/budgets.html (one
// <tiny-train demo="spiral" autoplay>, embedded as a documentation page does it). Used by the `budgets` bench case
// (bench/tinytrain-budgets.mjs: the numbers) and by tests/e2e/widget-budgets.test.mjs (wide-margin limits).
//   firstStep(page, origin)        navigation start -> the widget's first `progress` event with step > 0, in ms
//   trainingWindow(page, origin, ms)  long tasks, steps and wasm memory (page and worker) over ms of training
//   latency(page, {act})           one-point predict (µs) and a 100x100 heatmap (ms) through a 2-16-16-3 MLP
// The wasm size and widget JS budgets are checked by tests/js/wasm-size.test.mjs and tests/e2e/dist.test.mjs.

// The page in two builds: the source files as they are (served one by one) and dist/ (`make dist`: minified, bundled),
// what a documentation site serves. Each with the URLs of its training worker and of the Model API module it imports.
export const BUILDS = Object.freeze({
  dist: { page: '/bench/browser/budgets-dist.html', worker: '/dist/worker.js', api: '/dist/tinytrain.js' },
  source: { page: '/bench/browser/budgets.html', worker: '/web/runtime/worker.js', api: '/wasm/tinytrain.js' },
});

// Budget rows: name (the bench row), what docs/design.md says, the limit and how a measured value is shown.
export const BUDGETS = [
  { row: 'page load to first training step', unit: 'ms', budget: '<= 500 ms', limit: 500 },
  { row: 'the same, the source files served one by one (not dist/)', unit: 'ms', budget: '<= 500 ms', limit: 500 },
  { row: 'main-thread long tasks (> 50 ms) while training', unit: 'tasks', budget: 'none', limit: 0 },
  { row: 'predict, 2-16-16-3 MLP (tanh), one point, on the page', unit: 'µs', budget: '<= 10 µs', limit: 10 },
  { row: 'heatmap 100x100 through that MLP (tanh), one batched call', unit: 'ms', budget: '<= 3 ms', limit: 3 },
  { row: 'heatmap 100x100, the same MLP with relu (the widget default)', unit: 'ms', budget: '<= 3 ms', limit: 3 },
  { row: 'wasm memory growth after the first step (worker)', unit: 'bytes', budget: 'none', limit: 0 },
  { row: 'wasm memory growth after the first step (page predictor)', unit: 'bytes', budget: 'none', limit: 0 },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function poll(page, fn, what, timeoutMs) {
  const h = await page.waitForFunction(fn, null, { timeout: timeoutMs, polling: 20 }).catch((e) => {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${e.message.split('\n')[0]}`);
  });
  return h.jsonValue();
}

/** Loads the page in `page` (fresh: a new context per load) and returns ms from navigation start to step > 0.
 * The 20 ms polling only delays reading the number; the page records the event's own time. */
export async function firstStep(page, origin, { build = 'source', timeoutMs = 20000 } = {}) {
  await page.goto(origin + BUILDS[build].page);
  return poll(page, () => window.budgets.firstStepMs, 'the first progress event with step > 0', timeoutMs);
}

// The worker's wasm memory. A dynamic import of the Model API inside the worker returns the module instance the
// worker trains with (one module map per worker; in dist/ the API entry re-exports the chunk the worker imports),
// whose Model.memoryBytes() is its memory.
async function workerBytes(page, origin) {
  const build = Object.values(BUILDS).find((b) => page.workers().some((x) => x.url().endsWith(b.worker)));
  const w = build && page.workers().find((x) => x.url().endsWith(build.worker));
  if (!w) throw new Error(`no training worker on the page (workers: ${page.workers().map((x) => x.url()).join(', ') || 'none'})`);
  return w.evaluate(async (url) => (await import(url)).Model.memoryBytes(), origin + build.api);
}

/**
 * After firstStep(): waits for the first snapshot after step 0, then lets the widget train for `ms` and returns
 * {longTasks: [{start, ms}] from the first progress event on, loadTasks (before it), steps: [at the first
 * snapshot, at the end], pageBytes: [first snapshot, end], workerBytes: [first snapshot, end], seconds}.
 */
export async function trainingWindow(page, origin, ms = 5000) {
  const snap = await poll(page, () => window.budgets.firstSnapshot, 'the first snapshot after step 0', 10000);
  const w0 = await workerBytes(page, origin);
  const t0 = Date.now();
  await sleep(ms);
  const end = await page.evaluate(() => ({ step: window.budgets.lastStep, pageBytes: window.budgets.pageBytes(),
                                           first: window.budgets.firstStepMs, tasks: window.budgets.longTasks }));
  const w1 = await workerBytes(page, origin);
  return {
    longTasks: end.tasks.filter((t) => t.start + t.ms > end.first), // any part of the task after the first step
    loadTasks: end.tasks.filter((t) => t.start + t.ms <= end.first),
    steps: [snap.step, end.step], pageBytes: [snap.pageBytes, end.pageBytes], workerBytes: [w0, w1],
    seconds: (Date.now() - t0) / 1000,
  };
}

/** Predict latency on the page (see bench/browser/budgets.js): {predictUs, heatmapMs, heatmapProbabilitiesMs, ...}. */
export function latency(page, options = {}) {
  return page.evaluate((o) => window.budgets.latency(o), options);
}

const fmt = (v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The markdown "budget | measured | ok?" table from {row: value} medians; returns {lines, rows}. */
export function budgetTable(values) {
  const rows = [], lines = ['| budget | measured | ok? |', '| --- | ---: | --- |'];
  for (const b of BUDGETS) {
    const v = values[b.row];
    if (v === undefined || v === null) continue;
    const measured = b.limit === 0 && v === 0 ? 'none' : `${fmt(v)} ${v === 1 && b.unit === 'tasks' ? 'task' : b.unit}`;
    const ok = v <= b.limit;
    rows.push({ ...b, measured: v, ok });
    lines.push(`| ${b.row}: ${b.budget} | ${measured} | ${ok ? 'yes' : 'NO'} |`);
  }
  return { lines, rows };
}
