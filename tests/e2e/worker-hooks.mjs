// For the browser tests of worker deaths: an init script that gives a page tests/e2e/hooked-worker.mjs wherever it
// asks for web/runtime/worker.js, and keeps those training workers in window.testWorkers, oldest first (so a test
// can call Worker.prototype.terminate on one, bypassing anything the page wrapped around it; the page's other
// workers, such as the digits page's downloads, are not counted).
export function USE_TEST_WORKER() {
  const RealWorker = window.Worker;
  const workers = [];
  Object.defineProperty(window, 'testWorkers', { value: workers, enumerable: false });
  window.Worker = class extends RealWorker {
    constructor(url, options) {
      const u = new URL(url, location.href), training = u.pathname.endsWith('/web/runtime/worker.js');
      if (training) u.pathname = '/tests/e2e/hooked-worker.mjs';
      super(u, options);
      if (training) workers.push(this);
    }
  };
}
