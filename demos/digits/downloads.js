// The page's side of data-worker.js: downloads made in a worker, handed over as transferred buffers. One worker,
// started on the first download and kept for the next ones (the pretrained CNN, a second try).

let worker = null, nextId = 1;
const waiting = new Map(); // id -> {resolve, reject, onProgress}

function start() {
  worker = new Worker(new URL('./data-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data: { id, progress, result, error } }) => {
    const request = waiting.get(id);
    if (!request) return;
    if (progress) return request.onProgress?.(...progress);
    waiting.delete(id);
    if (error === undefined) request.resolve(result);
    else request.reject(new Error(error));
  };
  // The worker's script could not load or run: every download waiting fails, and the next one starts a new worker.
  worker.onerror = (e) => {
    e.preventDefault();
    worker.terminate();
    worker = null;
    const failed = new Error(`the download worker failed (${e.message || 'script error'})`);
    for (const request of waiting.values()) request.reject(failed);
    waiting.clear();
  };
}

function ask(message, onProgress) {
  if (!worker) start();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject, onProgress });
    worker.postMessage({ id, ...message });
  });
}

/** An MNIST split (web/mnist.js's file): {n, x, y} as fetchMnist gives them (x null when floats is false);
 * onProgress(loadedBytes, totalBytes) as the bytes come. */
export const fetchMnistSplit = (url, { floats = true, onProgress } = {}) =>
  ask({ kind: 'mnist', url: String(url), floats }, onProgress);

/** A file's bytes: {status (HTTP), bytes (Uint8Array, null unless the status is OK)}. */
export const fetchFile = (url) => ask({ kind: 'bytes', url: String(url) });
