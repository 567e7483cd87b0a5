// The training worker of the browser tests: web/runtime/worker.js as it ships, plus what only tests may ask of it — the
// `crash` request (a real wasm trap inside the session, tests/js/crash-hooks.mjs), a `close` message, on which the
// worker ends itself with self.close(), which the page hears nothing of, and an `endHelper` message, on which it
// terminates its first helper thread's worker (the threaded build on a cross-origin isolated page), between steps.
// Pages get it instead of web/runtime/worker.js through USE_TEST_WORKER (tests/e2e/worker-hooks.mjs).
import { session } from '../../web/runtime/worker.js';
import { loadTinytrain } from '../../wasm/tinytrain.js';
import { addCrashRequest } from '../js/crash-hooks.mjs';

addCrashRequest(session);
const handle = self.onmessage;
self.onmessage = (e) => {
  if (e.data?.type === 'close') self.close();
  else if (e.data?.type === 'endHelper') loadTinytrain().then((core) => core.helpers[0].terminate());
  else handle(e);
};
