// A helper thread of the threaded build (threads.js starts it): instantiates the module on the shared memory, moves
// onto the stack the main thread gave it, and enters the pool's loop (src/core/threads.c), which never returns.
// It gets {module, memory, id, stackTop, lock?} as its Node workerData, or as the first message in a browser. In a
// browser it holds the Web Lock named `lock` while its loop runs: the browser lets go of it when the worker ends,
// however it ends (terminate(), a crash, the browser stopping it), and the worker lets go of it when its loop ends
// (a trap, or its script stopped), which is how the pool's watcher learns of the end.
//
// The watcher is this file too, given {module, memory, watch: [each helper's lock], stackTop}: it queues for
// every helper's lock and, granted one, tells the pool that helper ended (tt_threads_gone, straight into the shared
// memory, since the thread that trains may be waiting in a join for that very helper) and tells threads.js
// ({gone: id}).

/** The module's instance for this thread, on the stack that starts at `stackTop`: a new instance's stack pointer is
 * the main thread's, so one without a stack of its own is refused rather than let it write over the main thread's. */
export function instantiate({ module, memory, stackTop }) {
  if (!(Number.isInteger(stackTop) && stackTop > 0)) throw new Error(`a thread needs a stack of its own, got ${stackTop}`);
  const core = new WebAssembly.Instance(module, { env: { memory, emscripten_notify_memory_growth() {} } }).exports;
  core.stackRestore(stackTop);
  return core;
}

function run(data) {
  instantiate(data).tt_thread_run(data.id);
}

// Watches only when every helper holds its lock (a context that refuses Web Locks gives none): the pool then keeps
// its silence limits.
async function watch(core, data) {
  const { held } = await navigator.locks.query();
  if (!data.watch.every((lock) => held.some((h) => h.name === lock))) return;
  data.watch.forEach((lock, i) => navigator.locks.request(lock, () => {
    core.tt_threads_gone(2 << i); // helper i + 1
    self.postMessage({ gone: i + 1 });
  }));
  core.tt_threads_gone(0); // ends are reported from now on: the join may wait for a slow helper
  self.postMessage({ watching: true });
}

// Imported anywhere else (a server-side renderer importing every module in Node), it does nothing.
if (typeof WorkerGlobalScope !== 'undefined') {
  self.onmessage = async ({ data }) => {
    // (an instance refused is this worker's error; no Web Locks here after all is no watcher)
    if (data.watch) return watch(instantiate(data), data).catch(() => {});
    let release = null;
    if (data.lock) {
      await new Promise((held) => navigator.locks.request(data.lock, () => {
        held();
        return new Promise((settle) => { release = settle; }); // held until the loop or the worker ends
      }).catch(held)); // refused: no lock, and the watcher sees it is missing
    }
    // In a task of its own, so that a trap is the worker's uncaught error (threads.js hears of it); the loop never
    // returns, so should it end (a trap, or its script stopped) the task after it lets go of the lock, and the
    // worker stays for threads.js or the training worker's own end to end it: Chromium ends a worker only once its
    // nested workers have ended, and one that closed itself just before its parent's terminate() sometimes kept
    // the parent alive until the page closed. Without a lock nothing would report the end: the worker closes.
    setTimeout(() => run(data));
    setTimeout(() => (release ? release() : self.close()));
  };
} else if (typeof process !== 'undefined' && process.versions?.node) {
  const { isMainThread, workerData } = await import('node:worker_threads');
  if (!isMainThread && workerData?.module) run(workerData);
}
