// Page side of the budget measurements (bench/budgets.mjs drives it; bench/browser/budgets.html loads it as a
// classic script in <head>, so its observers exist before the widget's module runs). Times are performance.now():
// milliseconds since navigation start. Everything is read by the harness from window.budgets.
'use strict';
(() => {
  const b = window.budgets = {
    firstStepMs: null,  // the first `progress` event whose step > 0
    firstSnapshot: null, // {ms, step, pageBytes}: the first snapshot applied after step 0
    lastStep: 0,
    longTasks: [],      // {start, ms} of every main-thread task > 50 ms since navigation start
  };
  const widget = () => document.querySelector('tiny-train');
  // The page's wasm memory: the widget's predictor is a Model of the page's one tinytrain instance.
  b.pageBytes = () => widget()?.trainer?.predictor?.constructor.memoryBytes() ?? null;

  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
  }).observe({ type: 'longtask', buffered: true });
  // The widget's events bubble out of its shadow root (composed).
  document.addEventListener('progress', (e) => {
    if (e.target !== widget()) return;
    if (e.detail.step > 0 && b.firstStepMs === null) b.firstStepMs = performance.now();
    b.lastStep = e.detail.step;
  });
  document.addEventListener('snapshot', (e) => {
    if (e.target === widget() && e.detail.step > 0 && !b.firstSnapshot) {
      b.firstSnapshot = { ms: performance.now(), step: e.detail.step, pageBytes: b.pageBytes() };
    }
  });

  const median = (v) => { const s = [...v].sort((p, q) => p - q), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const yieldToPage = () => new Promise((r) => setTimeout(r, 0)); // so the measurement makes no long task itself

  // Predict latency through a 2-16-16-3 MLP (act: the README's example spec uses tanh, the widget's default layers
  // relu), a Model of the page's own tinytrain instance (the same module URL as the widget's import), measured
  // while the widget keeps training in its worker.
  // Chromium coarsens performance.now() on pages that are not cross-origin isolated (to about 0.1 ms), so one
  // point is timed as batches of calls lasting >= batchMs each (median over batches of the mean per call), and
  // the heatmap (one call of 10,000 points, ~1 ms) as single calls whose median carries that granularity.
  b.latency = async ({ act = 'tanh', batchMs = 5, batches = 31, heatmaps = 31 } = {}) => {
    const { Model } = await import('../../wasm/tinytrain.js');
    const m = await Model.create({
      input: [2],
      layers: [{ type: 'dense', units: 16 }, { type: act }, { type: 'dense', units: 16 }, { type: act },
               { type: 'dense', units: 3 }],
      loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.01 }, seed: 1,
    });
    try {
      const x = Float32Array.of(0.3, -0.2);
      // Calibrate the batch size on warm code: calls per batchMs.
      let calls = 0;
      for (const t0 = performance.now(); performance.now() - t0 < 20; calls++) m.predict(x);
      calls = Math.max(1, Math.ceil((calls * batchMs) / 20));
      const perCall = [];
      for (let i = 0; i < batches; i++) {
        await yieldToPage();
        const t0 = performance.now();
        for (let k = 0; k < calls; k++) m.predict(x);
        perCall.push(((performance.now() - t0) * 1000) / calls); // µs
      }
      // The 100 x 100 grid over [-1.3, 1.3]^2, (10000, 2), as the decision map asks for it: one batched call.
      const res = 100, grid = new Float32Array(2 * res * res);
      for (let i = 0; i < res * res; i++) {
        grid[2 * i] = -1.3 + (2.6 * ((i % res) + 0.5)) / res;
        grid[2 * i + 1] = 1.3 - (2.6 * (Math.floor(i / res) + 0.5)) / res;
      }
      const time = (fn) => { const t0 = performance.now(); fn(); return performance.now() - t0; };
      // warm-up (and any scratch growth); its first calls show V8's tiers (Liftoff, then TurboFan), kept as a diagnostic
      const warmup = [];
      for (let i = 0; i < 3; i++) { warmup.push(time(() => m.predict(grid))); m.probabilities(grid); }
      const heat = [], heatProb = [];
      for (let i = 0; i < heatmaps; i++) {
        await yieldToPage();
        heat.push(time(() => m.predict(grid)));
        heatProb.push(time(() => m.probabilities(grid)));
      }
      return {
        act, predictUs: median(perCall), predictUsMin: Math.min(...perCall), callsPerBatch: calls, batches,
        heatmapMs: median(heat), heatmapProbabilitiesMs: median(heatProb), heatmaps,
        heatmapMinMs: Math.min(...heat), heatmapWarmupMs: warmup, // diagnostics: the best call and the first three
      };
    } finally {
      m.dispose();
    }
  };
})();
