// Page side of the threads benchmark (bench/tinytrain-browser.mjs opens bench/browser/threads.html, served with
// COOP/COEP): a module Worker (threads-worker.js) loads the threaded build as a training worker of an isolated page
// does and measures it (bench/threads.mjs). window.runThreadsBench(options) resolves with the worker's answer.
import { runWorker } from './run-worker.js';

window.runThreadsBench = async (options) => {
  if (!self.crossOriginIsolated) {
    throw new Error('this page is not cross-origin isolated: serve it with COOP/COEP (tools/serve.mjs --isolated)');
  }
  return runWorker(new URL('./threads-worker.js', import.meta.url), options);
};
window.threadsBenchReady = true;
