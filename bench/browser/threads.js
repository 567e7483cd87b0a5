// Page side of the threads benchmark (bench/tinytrain-browser.mjs opens bench/browser/threads.html, served with
// COOP/COEP): a module Worker (threads-worker.js) loads the threaded build as a training worker of an isolated page
// does and measures it (bench/threads.mjs). window.runThreadsBench(options) resolves with the worker's answer.
window.runThreadsBench = (options) => new Promise((resolve, reject) => {
  if (!self.crossOriginIsolated) {
    reject(new Error('this page is not cross-origin isolated: serve it with COOP/COEP (tools/serve.mjs --isolated)'));
    return;
  }
  const worker = new Worker(new URL('./threads-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e) => {
    worker.terminate();
    if (e.data.error) reject(new Error(e.data.error));
    else resolve(e.data);
  };
  worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message || 'the worker failed to start')); };
  worker.postMessage(options);
});
window.threadsBenchReady = true;
