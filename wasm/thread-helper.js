// A helper thread of the threaded build (threads.js starts it): instantiates the module on the shared memory, moves
// onto the stack the main thread gave it, and enters the pool's loop (src/core/threads.c), which never returns.
// It gets {module, memory, id, stackTop} as its Node workerData, or as the first message in a browser.
function run({ module, memory, id, stackTop }) {
  const { exports } = new WebAssembly.Instance(module, { env: { memory, emscripten_notify_memory_growth() {} } });
  exports.stackRestore(stackTop);
  exports.tt_thread_run(id);
}

// Imported anywhere else (a server-side renderer importing every module in Node), it does nothing.
if (typeof WorkerGlobalScope !== 'undefined') {
  self.onmessage = (e) => run(e.data);
} else if (typeof process !== 'undefined' && process.versions?.node) {
  const { isMainThread, workerData } = await import('node:worker_threads');
  if (!isMainThread && workerData?.module) run(workerData);
}
