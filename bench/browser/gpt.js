// Page side of the GPT worker benchmark (bench/tinytrain-browser.mjs opens bench/browser/gpt.html): web/runtime/worker.js
// takes no token stream yet, so a module Worker of its own (gpt-worker.js) runs the Model API on the words corpus
// the way a text page would. window.runGptBench(options) resolves with the worker's answer.
window.runGptBench = (options) => new Promise((resolve, reject) => {
  const worker = new Worker(new URL('./gpt-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e) => {
    worker.terminate();
    if (e.data.error) reject(new Error(e.data.error));
    else resolve(e.data);
  };
  worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message || 'the worker failed to start')); };
  worker.postMessage(options);
});
window.gptBenchReady = true;
