// How a Trainer starts its worker: web/runtime/worker.js as a module Worker from beside this module (bundlers such as
// Vite and webpack recognise this very expression and ship the worker). The one-file build (tools/standalone.mjs)
// puts a module of the same name and export in its place that starts the worker it carries, from a blob: URL.
export const startWorker = () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
