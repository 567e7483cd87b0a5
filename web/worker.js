// The training worker (a module Worker): loads the wasm, then hands every message to a TrainingSession, which
// trains in short chunks and posts progress, snapshots and errors (see protocol.js). It never touches the DOM.
//
//   new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })
import { Model, loadTinytrain } from '../wasm/tinytrain.js';
import { TrainingSession } from './session.js';
import { EVENT } from './protocol.js';

const session = new TrainingSession({ Model, post: (msg, transfer) => self.postMessage(msg, transfer || []) });

// The handler is installed before any await, so nothing sent early is lost; requests wait for the wasm inside
// the session (Model.create awaits the same load).
self.onmessage = (e) => { session.handle(e.data); };

// A trap or bug that escapes the session still reaches the page as `fatal`, so it can restart the worker.
self.addEventListener('unhandledrejection', (e) => {
  const r = e.reason;
  self.postMessage({ type: EVENT.FATAL, message: `worker: ${r && r.message ? r.message : String(r)}` });
});

loadTinytrain().then(
  () => self.postMessage({ type: EVENT.READY }),
  (err) => self.postMessage({ type: EVENT.FATAL, message: `could not load tinytrain.wasm: ${err.message}` }),
);
