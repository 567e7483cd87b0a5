// The GPT benchmark's worker: loads the words corpus (web/words.js) and the engine, trains, and posts the result.
// {task: 'rate', spec, batchSize, stepsPerChunk, warmupMs, timeMs}: tokens/s, the median of timed chunks;
// {task: 'quality', spec, batchSize, steps}: the wall time of the steps and the held-out loss after them.
import { Model } from '../../wasm/tinytrain.js';
import { fetchWords } from '../../web/words.js';

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };

self.onmessage = async ({ data: o }) => {
  try {
    const corpus = await fetchWords(new URL('../../demos/data/generated/', import.meta.url));
    const m = await Model.create(o.spec);
    m.setTokens(corpus.train);
    const tokensPerStep = o.batchSize * o.spec.input[0];
    if (o.task === 'rate') {
      const t0 = performance.now();
      while (performance.now() - t0 < o.warmupMs) m.trainSteps(o.stepsPerChunk, o.batchSize);
      const rates = [];
      let loss = NaN;
      for (const start = performance.now(); rates.length < 3 || performance.now() - start < o.timeMs;) {
        const t = performance.now();
        loss = m.trainSteps(o.stepsPerChunk, o.batchSize).loss;
        rates.push((o.stepsPerChunk * tokensPerStep * 1000) / (performance.now() - t));
      }
      self.postMessage({ rate: median(rates), chunks: rates.length, steps: m.step, loss });
    } else {
      const t0 = performance.now();
      let loss = NaN;
      for (let s = 0; s < o.steps; s += 100) loss = m.trainSteps(Math.min(100, o.steps - s), o.batchSize).loss;
      const seconds = (performance.now() - t0) / 1000;
      self.postMessage({ seconds, loss, heldout: m.evaluateTokens(corpus.heldout).loss });
    }
    m.dispose();
  } catch (e) {
    self.postMessage({ error: String(e?.message ?? e) });
  }
};
