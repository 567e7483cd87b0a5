// Page side of the Chromium worker benchmark (bench/tinytrain-browser.mjs opens bench/browser/worker.html): the
// real page path — fetch the MNIST split, hand it to a Trainer, let its worker train — timed by the page from the
// worker's progress events. window.runWorkerBench resolves with {rate, workerRate, steps, loss}.
import { Trainer } from '../../web/runtime/trainer.js';
import { fetchMnist } from '../../web/mnist.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

window.runWorkerBench = async ({ spec, batchSize, warmupMs, timeMs }) => {
  const data = await fetchMnist(new URL('../../demos/data/generated/mnist-train.bin', import.meta.url));
  const trainer = new Trainer(spec, { x: data.x, y: data.y }, { batchSize });
  let last = null;
  const workerRates = [];
  trainer.addEventListener('progress', (e) => {
    last = { step: e.detail.step, t: performance.now(), loss: e.detail.loss };
    if (e.detail.samplesPerSec > 0) workerRates.push(e.detail.samplesPerSec);
  });
  try {
    await trainer.ready;
    await trainer.start();
    // The worker's first chunk includes its wasm tiering; wait for a report before the warm-up clock starts.
    for (let waited = 0; !last && waited < 30000; waited += 50) await sleep(50);
    await sleep(warmupMs);
    const a = last;
    workerRates.length = 0;
    await sleep(timeMs);
    const b = last;
    await trainer.pause();
    if (!a || !b || b.step <= a.step) throw new Error('no training progress arrived from the worker');
    workerRates.sort((p, q) => p - q);
    return {
      rate: ((b.step - a.step) * batchSize * 1000) / (b.t - a.t), // samples/s as the page sees it
      workerRate: workerRates[workerRates.length >> 1] ?? null,    // the worker's own smoothed figure
      steps: b.step, loss: b.loss,
    };
  } finally {
    trainer.dispose();
  }
};
window.workerBenchReady = true;
