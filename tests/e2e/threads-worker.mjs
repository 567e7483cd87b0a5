// A module worker for tests/e2e/threads.test.mjs: loads tinytrain as a page's training worker does (the threaded
// build when the page is cross-origin isolated), trains tests/js/threads-models.mjs' cases and posts
// {threads, isolated, hashes}, or {error}.
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { trainAll } from '../js/threads-models.mjs';

self.onmessage = async ({ data: { threads } }) => {
  try {
    // 1 thread: the threaded build (loaded by default here) told to use one
    const wasm = await loadTinytrain();
    if (threads) wasm.setThreads({ threads });
    const hashes = await trainAll(Model);
    self.postMessage({ threads: wasm.threads ?? 1, isolated: self.crossOriginIsolated, hashes });
  } catch (err) {
    self.postMessage({ error: `${err.name}: ${err.message}` });
  }
};
