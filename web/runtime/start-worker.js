// How a Trainer starts its worker: web/runtime/worker.js as a module Worker from beside this module (bundlers such as
// Vite and webpack recognise this very expression and ship the worker). The one-file build (tools/standalone.mjs)
// puts a module of the same name and export in its place that starts the worker it carries, from a blob: URL.
// threads: 1 (a restart after a helper thread ended, trainer.js) starts a worker that trains on one thread, with the
// single-threaded module even on a cross-origin isolated page. The worker reads that from its name (worker.js): it
// has its name from the start, and begins loading the module before any message could reach it.
export const startWorker = (threads) =>
  new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: threads });
