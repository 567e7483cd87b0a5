// The threaded build of the core (tinytrain-mt.wasm, src/kernels/parallel.h): its module on a shared memory, plus
// helper threads (Web Workers, or Node worker threads) that run the same module on the same memory and take their
// share of the large kernels. tinytrain.js imports this only when threads are used: a cross-origin isolated page
// (SharedArrayBuffer may cross to workers only there) or Model.create(spec, {threads}) with more than one.

// Beside this file; made when used, so that a build without import.meta.url (the one-file build) fails inside
// instantiateThreaded, where a page's default falls back to the single-threaded module.
const besideThis = (name) => new URL(name, import.meta.url);
// The memory's size in 64 KiB pages: at the start, and at most (the module's own maximum, Makefile MT_MAX_MEMORY:
// 1 GiB; an imported memory with another maximum is refused).
const INITIAL_PAGES = 64;
export const THREADED_MAX_MEMORY = 16384 * 65536;
const MAX_THREADS = 16; // the pool's limit (src/core/threads.c)
const READY_MS = 10000; // how long helpers may take to start
// Where no watcher reports helpers' ends (no Web Locks: Node), how long a helper may sleep through every job before
// it is taken for gone.
const HEARTBEAT_MS = 10000;

// The module, from disk in Node or fetched (not through fetch-module.js: a module of its own here would cost the
// widget's initial load a file). A server that sets COOP/COEP sets a MIME type too: compileStreaming needs it.
async function compile(url) {
  if (url.protocol === 'file:') return WebAssembly.compile(await (await import('node:fs/promises')).readFile(url));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url.href}: HTTP ${response.status}`);
  return WebAssembly.compileStreaming(response);
}

/** The threads used when none are asked for: the cores this device reports, at most 8. */
export async function defaultThreads() {
  const cores = globalThis.navigator?.hardwareConcurrency ?? (await import('node:os')).availableParallelism();
  return Math.max(1, Math.min(cores || 1, 8));
}

/** Thrown by a call during which a helper thread ended (its worker died mid-job): that call's results are lost, so
 * its model must go back to the last good weights; the pool runs on one thread from then on. A
 * WebAssembly.RuntimeError, as a trap is: the training worker's runtime (web/runtime/protocol.js) reports it as
 * fatal, and the page restarts training from its last snapshot on one thread (web/runtime/trainer.js). (A helper
 * that dies between calls costs nothing: the next call runs on one thread, `threads` says 1, and the console says
 * why.) */
export class ThreadLostError extends WebAssembly.RuntimeError {
  constructor(message) {
    super(message);
    this.name = 'ThreadLostError';
  }
}

const isNode = typeof process !== 'undefined' && process.versions?.node;

// The watcher calls into the module (tt_threads_gone) while the thread that trains may be inside it, so it gets a
// stack of its own, as helpers do (tt_threads_setup): a new instance's stack pointer is the main thread's. A block of
// the module's heap, kept for the module's life; returns its top. (tt_threads_gone touches no thread-local storage,
// so the watcher needs none: a helper's is as large as its GEMM packing buffers.)
const WATCHER_STACK = 16 * 1024;
function watcherStack(core) {
  const block = core.tt_alloc(WATCHER_STACK);
  if (!block) throw new Error('out of memory: could not give the helpers\' watcher its stack');
  return (block + WATCHER_STACK) & ~15;
}

// A helper (data.id), or the helpers' watcher (data.watch): both are thread-helper.js.
function startHelper(data) {
  if (isNode) {
    // Node: a worker thread gets its start-up data at birth (a message sent before its listener exists is lost)
    return import('node:worker_threads').then(({ Worker }) => new Worker(besideThis('./thread-helper.js'), { workerData: data }));
  }
  const name = data.watch ? 'tinytrain helpers\' watcher' : `tinytrain helper ${data.id}`;
  const worker = new Worker(besideThis('./thread-helper.js'), { type: 'module', name });
  worker.postMessage(data);
  return worker;
}

/**
 * Instantiates the threaded module with `threads` threads in all (this one and threads - 1 helpers); resolves with
 * its exports as tinytrain.js uses them, plus `memory`, `threads` (the count in use) and `setThreads({threads})`. With
 * threads 1, or a url other than the default module's (tinytrain.js's loadTinytrain), undefined: that module then. With threads undefined (tinytrain.js on a cross-origin
 * isolated page), defaultThreads() in a worker, and undefined
 * (the single-threaded module) on a page's main thread, which may not block and predicts in small steps, on a
 * single core, or when the threaded module cannot start (it says why on the console).
 */
export { instantiateThreaded as default };
export async function instantiateThreaded(threads, url = besideThis('./tinytrain.wasm')) {
  if (threads === 1 || url.href !== besideThis('./tinytrain.wasm').href) return undefined;
  if (threads === undefined) {
    if (typeof document !== 'undefined' || typeof SharedArrayBuffer === 'undefined') return undefined;
    const cores = await defaultThreads();
    return cores > 1 ? instantiateThreaded(cores).catch((err) => {
      console.warn(`tinytrain: threads are not available here (${err.message}); training runs on one thread`);
    }) : undefined;
  }
  if (!Number.isInteger(threads) || threads < 2 || threads > MAX_THREADS) {
    throw new RangeError(`threads: expected an integer from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  const module = await compile(besideThis('./tinytrain-mt.wasm'));
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: THREADED_MAX_MEMORY / 65536, shared: true });
  const env = { memory, emscripten_notify_memory_growth() {} };
  const { exports: core } = await WebAssembly.instantiate(module, { env });
  core._initialize();
  // A page's main thread may not block in memory.atomic.wait; a worker or Node may.
  const stackTops = core.tt_threads_setup(threads - 1, typeof document === 'undefined' ? 1 : 0);
  if (!stackTops) throw new Error(`out of memory: could not give ${threads - 1} helper threads their stacks`);
  const tops = new Int32Array(memory.buffer, stackTops, threads);
  const helpers = [];
  let lost = null; // why a helper stopped, once one has
  // From then on every job runs on this thread alone, so the other helpers (parked, or finishing a chunk of a step
  // whose results are lost) and the watcher would only hold their workers and memory: they are ended too, unless
  // the loss was in the middle of a step (endHelpers false). Then the step's ThreadLostError is fatal for this
  // worker, whose end ends them: Chromium ends a worker only once its nested workers have ended, and one terminated
  // just before its parent sometimes kept the parent alive, asleep, until the page closed.
  const onLost = (why, { endHelpers = true } = {}) => {
    if (lost) return;
    lost = `a helper thread stopped (${why})`;
    core.tt_threads_use(1);
    if (endHelpers) {
      helpers.watcher?.terminate();
      for (const helper of helpers) helper.terminate();
    }
    console.warn(`tinytrain: ${lost}; training goes on with one thread`);
  };
  // In a browser each helper holds a Web Lock while its loop runs (thread-helper.js), and a watcher reports its end.
  const locks = !isNode && globalThis.navigator?.locks;
  const lockName = `tinytrain-helper-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-`;
  try {
    for (let id = 1; id < threads; id++) {
      const lock = locks ? lockName + id : undefined;
      const helper = await startHelper({ module, memory, id, stackTop: tops[id], lock });
      helper.addEventListener?.('error', (e) => onLost(e.message || 'its script failed'));
      helper.on?.('error', (e) => onLost(e.message));
      helper.on?.('exit', () => onLost('it ended'));
      helper.unref?.(); // Node: helpers do not keep the process alive
      helpers.push(helper);
    }
    const start = Date.now();
    while (core.tt_threads_ready() < threads - 1) {
      if (lost || Date.now() - start > READY_MS) throw new Error(lost ?? `helper threads did not start within ${READY_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } catch (err) {
    for (const helper of helpers) helper.terminate();
    throw err;
  }
  // Once every helper holds its lock (they take it before entering the pool): queued for it first, the watcher
  // would take a helper for ended.
  let watched = false;
  if (locks) {
    const watch = helpers.map((_, i) => lockName + (i + 1));
    const watcher = await startHelper({ module, memory, watch, stackTop: watcherStack(core) });
    watcher.onmessage = ({ data }) => (data.gone ? onLost(`helper ${data.gone} ended`) : (watched = true));
    helpers.watcher = watcher;
  }
  let inUse = core.tt_threads_use(threads);
  const exports = { ...core, memory, helpers, _initialize() {} }; // tinytrain.js calls it: this one ran
  Object.defineProperty(exports, 'threads', { get: () => (lost ? 1 : inUse) });
  // Model.create's options: {threads} sets the count in use (at most the threads started), none keeps it
  exports.setThreads = ({ threads: n } = {}) => {
    if (n === undefined) return;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`threads: expected an integer from 1, got ${n}`);
    inUse = Math.min(n, threads);
    if (!lost) core.tt_threads_use(inUse);
  };
  // A helper that ends between jobs never takes a chunk again, so the others do its share. The watcher reports its
  // end; without one (a browser tells no one of a terminated worker), it is noticed when jobs go on and it has not
  // woken up for any of them in HEARTBEAT_MS (a helper only paused that long would be taken for gone too). Only
  // helpers in use wake for jobs: the others are parked (src/core/threads.c).
  let check = { at: Date.now(), jobs: core.tt_threads_jobs(), awake: core.tt_threads_awake() };
  const checkHeartbeats = () => {
    const now = Date.now();
    if (lost || watched || now - check.at < HEARTBEAT_MS) return;
    const jobs = core.tt_threads_jobs(), awake = core.tt_threads_awake();
    const silent = helpers.findIndex((_, i) => i + 1 < inUse && !(awake & (2 << i)));
    if (silent >= 0 && jobs !== check.jobs) onLost(`helper ${silent + 1} has not answered for ${Math.round((now - check.at) / 1000)} s`);
    check = { at: now, jobs, awake };
  };
  // A training, prediction or evaluation during which the pool gave up on a silent helper throws.
  for (const [name, fn] of Object.entries(core)) {
    if (!/^tt_model_(train|predict|evaluate)/.test(name)) continue;
    exports[name] = (...args) => {
      const result = fn(...args);
      if (!lost && core.tt_threads_broken()) {
        onLost(watched ? 'it ended in the middle of a step' : 'it stopped answering in the middle of a step', { endHelpers: false });
        throw new ThreadLostError(`${lost}: the results of this step are lost; going back to the last good weights`);
      }
      checkHeartbeats();
      return result;
    };
  }
  return exports;
}
