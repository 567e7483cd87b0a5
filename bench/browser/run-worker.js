// A benchmark page's module Worker, run once: resolves with the worker's one answer (rejects with its error).
export const runWorker = (url, options) => new Promise((resolve, reject) => {
  const worker = new Worker(url, { type: 'module' });
  worker.onmessage = (e) => {
    worker.terminate();
    if (e.data.error) reject(new Error(e.data.error));
    else resolve(e.data);
  };
  worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message || 'the worker failed to start')); };
  worker.postMessage(options);
});
