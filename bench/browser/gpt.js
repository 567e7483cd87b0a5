// Page side of the GPT worker benchmark (bench/tinytrain-browser.mjs opens bench/browser/gpt.html): web/runtime/worker.js
// takes no token stream yet, so a module Worker of its own (gpt-worker.js) runs the Model API on the words corpus
// the way a text page would. window.runGptBench(options) resolves with the worker's answer.
import { runWorker } from './run-worker.js';

window.runGptBench = (options) => runWorker(new URL('./gpt-worker.js', import.meta.url), options);
window.gptBenchReady = true;
