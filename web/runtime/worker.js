// The training worker (a module Worker): loads the wasm, then hands every message to a TrainingSession, which
// trains in short chunks and posts progress, snapshots and errors (see protocol.js). It never touches the DOM.
// Imported anywhere but a worker (a server-side renderer importing every module in Node), it does nothing.
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { TrainingSession } from './session.js';
import { EVENT, startHeartbeat } from './protocol.js';
// What the modules above import, listed here too: a browser loading these files one by one then asks for them in
// the same round trip as the rest, not one round trip later.
import '../../wasm/fetch-module.js';
import '../datasets.js';

const post = (msg, transfer = []) => self.postMessage(msg, transfer);
// Exported for a script that runs this worker and extends it (tests add requests through session.validate).
export const session = new TrainingSession({ Model, post });

if (typeof WorkerGlobalScope !== 'undefined') {
  // Installed before any await, so nothing sent early is lost; requests wait for the wasm inside the session
  // (Model.create awaits the same load).
  self.onmessage = (e) => session.handle(e.data);

  // A trap or bug that escapes the session still reaches the page as `fatal`, so it can restart the worker.
  self.addEventListener('unhandledrejection', ({ reason: r }) => post({ type: EVENT.FATAL, message: `worker: ${r?.message ?? r}` }));

  // So the page notices if this worker ends without a word (see startHeartbeat).
  startHeartbeat(post);

  // Its name, when set, is the threads it trains on (start-worker.js): 1 loads the single-threaded module and starts
  // no helper threads, even on a cross-origin isolated page; none lets the loader choose.
  loadTinytrain({ threads: +self.name || undefined }).then(
    () => post({ type: EVENT.READY }),
    (err) => post({ type: EVENT.FATAL, message: `could not load tinytrain.wasm: ${err.message}` }),
  );
}
