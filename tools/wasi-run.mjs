// Runs a standalone emcc-built wasm program (WASI command: exports _start and memory) under node with the
// handful of WASI calls a printf-and-exit test needs. Usage: node tools/wasi-run.mjs build/simd/x.wasm [args...]
// Exits with the program's exit status. (Emscripten 3.1.6's JS glue cannot load its .wasm in Node 20.)
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let memory;
class Exit { constructor(code) { this.code = code; } }
const decoder = new TextDecoder();
// argv as the program sees it: its file name, then the arguments after it, NUL-terminated UTF-8
const argv = process.argv.slice(2).map((a) => new TextEncoder().encode(`${a}\0`));
const pending = { 1: '', 2: '' };

const wasi = {
  fd_write(fd, iovs, iovcnt, nwritten) {
    const view = new DataView(memory.buffer);
    let n = 0;
    for (let i = 0; i < iovcnt; i++) {
      const ptr = view.getUint32(iovs + 8 * i, true), len = view.getUint32(iovs + 8 * i + 4, true);
      pending[fd] = (pending[fd] ?? '') + decoder.decode(new Uint8Array(memory.buffer, ptr, len));
      n += len;
    }
    // write whole lines so stdout and stderr interleave readably
    const cut = pending[fd].lastIndexOf('\n');
    if (cut >= 0) {
      (fd === 2 ? process.stderr : process.stdout).write(pending[fd].slice(0, cut + 1));
      pending[fd] = pending[fd].slice(cut + 1);
    }
    view.setUint32(nwritten, n, true);
    return 0;
  },
  clock_time_get(id, precision, out) {
    // nanoseconds; monotonic and realtime alike come from the high-resolution clock (enough for timing);
    // the process CPU-time clock (id 2) from process.cpuUsage(), which leaves out time spent waiting for a core
    const ns = id === 2 ? BigInt(process.cpuUsage().user + process.cpuUsage().system) * 1000n : process.hrtime.bigint();
    new DataView(memory.buffer).setBigUint64(out, ns, true);
    return 0;
  },
  fd_close: () => 0,
  fd_seek: () => 70, // ESPIPE: stdout is not seekable
  proc_exit(code) { throw new Exit(code); },
  args_sizes_get(argc, size) {
    const view = new DataView(memory.buffer);
    view.setUint32(argc, argv.length, true);
    view.setUint32(size, argv.reduce((n, a) => n + a.length, 0), true);
    return 0;
  },
  args_get(pointers, strings) {
    const view = new DataView(memory.buffer);
    argv.forEach((a, i) => {
      view.setUint32(pointers + 4 * i, strings, true);
      new Uint8Array(memory.buffer, strings, a.length).set(a);
      strings += a.length;
    });
    return 0;
  },
  environ_sizes_get(count, size) {
    const view = new DataView(memory.buffer);
    view.setUint32(count, 0, true);
    view.setUint32(size, 0, true);
    return 0;
  },
  environ_get: () => 0,
};
const env = { emscripten_notify_memory_growth() {} };

const { instance } = await WebAssembly.instantiate(readFileSync(file), { wasi_snapshot_preview1: wasi, env });
memory = instance.exports.memory;
let code = 0;
try {
  instance.exports._start();
} catch (e) {
  if (!(e instanceof Exit)) throw e;
  code = e.code;
}
for (const fd of [1, 2]) if (pending[fd]) (fd === 2 ? process.stderr : process.stdout).write(pending[fd] + '\n');
process.exitCode = code;
