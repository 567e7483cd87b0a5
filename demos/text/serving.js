// What one generated token costs on this page, in the shape of Model.measureServing's result so the cost panel
// (web/views/costs.js) shows it per token: p50/p95 of the time per token over groups of about a millisecond of
// decoding, and tokens per second at batch 1. The core writes one sequence at a time, so batches 8 and 64 are
// reported as skipped. The model is copied first: measuring must not end a generation the page is streaming.
import { Model } from '../../wasm/tinytrain.js';

const GROUPS = 40;        // timed groups for the percentiles
const GROUP_MS = 1;       // decoding per group: far above the page clock's step (0.1 ms in some browsers)
const SLICE_MS = 8;       // work per slice before yielding, so the page keeps its frames

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** measure(model, {batches, signal, onProgress}) for CostPanel.setModel on a language model. */
export async function measureTokenServing(model, { batches = [1, 8, 64], signal, onProgress } = {}) {
  const copy = await Model.load(model.save());
  try {
    const newline = Math.max(0, (copy.vocabulary ?? []).indexOf('\n'));
    let tokens = copy.startGeneration(Int32Array.of(newline), { maxTokens: 1e9, seed: 1 });
    const group = () => { // tokens in about GROUP_MS; returns µs per token
      const t0 = performance.now();
      let n = 0;
      do {
        tokens.next();
        n++;
      } while (performance.now() - t0 < GROUP_MS);
      return (1000 * (performance.now() - t0)) / n;
    };
    group(); // warm-up: the prefill and the first tokens
    const perToken = [];
    while (perToken.length < GROUPS) {
      signal?.throwIfAborted();
      const t0 = performance.now();
      while (perToken.length < GROUPS && performance.now() - t0 < SLICE_MS) perToken.push(group());
      onProgress?.(perToken.length / GROUPS);
      tokens = copy.startGeneration(Int32Array.of(newline), { maxTokens: 1e9, seed: perToken.length });
      await nextFrame();
    }
    perToken.sort((a, b) => a - b);
    const p50Us = percentile(perToken, 0.5), p95Us = percentile(perToken, 0.95), best = perToken[0];
    const skipped = {};
    for (const b of batches) if (b !== 1) skipped[b] = 'the core writes one sequence at a time';
    return {
      flopsPerPrediction: copy.flops.forward / copy.inputSize, p50Us, p95Us,
      perSecond: { 1: 1e6 / best }, usPerCall: { 1: best }, skipped,
      latency: { groups: GROUPS, callsPerGroup: NaN },
    };
  } finally {
    copy.dispose();
  }
}
