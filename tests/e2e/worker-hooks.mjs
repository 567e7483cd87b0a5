// For the browser tests of worker deaths: an init script that gives a page tests/e2e/hooked-worker.mjs wherever it
// asks for web/runtime/worker.js, and keeps every Worker it makes in window.testWorkers (so a test can call
// Worker.prototype.terminate on one, bypassing anything the page wrapped around it).
export function USE_TEST_WORKER() {
  const RealWorker = window.Worker;
  const workers = [];
  Object.defineProperty(window, 'testWorkers', { value: workers, enumerable: false });
  window.Worker = class extends RealWorker {
    constructor(url, options) {
      const u = new URL(url, location.href);
      if (u.pathname.endsWith('/web/runtime/worker.js')) u.pathname = '/tests/e2e/hooked-worker.mjs';
      super(u, options);
      workers.push(this);
    }
  };
}
