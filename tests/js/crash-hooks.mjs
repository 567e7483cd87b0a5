// Test-only hooks, never shipped (tools/dist.mjs follows web/tiny-train.js's imports, which never reach tests/): a
// real wasm trap raised inside the training session on request. The Node tests' in-process worker and the browser
// tests' worker (tests/e2e/hooked-worker.mjs) add it to the real session; tests ask for it with crashWorker().
import { validateRequest } from '../../web/runtime/protocol.js';

// A wasm module (header; type () -> (); one function; export "f"; body: unreachable).
export const TRAP_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0,
  10, 5, 1, 3, 0, 0, 11]);

// Teaches a TrainingSession the `crash` request: it executes `unreachable`, a real WebAssembly.RuntimeError, so the
// session handles it as any trap inside a request (a failed reply, then `fatal`).
export function addCrashRequest(session) {
  session._crash = () => new WebAssembly.Instance(new WebAssembly.Module(TRAP_MODULE)).exports.f();
  session.validate = (msg) => (msg?.type === 'crash' && Number.isInteger(msg.id) ? null : validateRequest(msg));
  return session;
}

// Asks the Trainer's current worker (one with addCrashRequest) for a trap; the promise rejects with its message.
export function crashWorker(trainer) {
  return trainer._request('crash');
}

// The Web Locks API for in-process workers: exclusive named locks, granted in request order, and end(agent)
// releases everything an agent holds, as a browser does when a worker ends.
export class FakeLockManager {
  #queues = new Map(); // name -> [{agent, run}], the holder first

  client(agent) {
    return { request: (name, callback) => this.#request(agent, name, callback) };
  }

  #request(agent, name, callback) {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(name) ?? [];
      this.#queues.set(name, queue);
      const entry = {
        agent,
        run: () => Promise.resolve().then(() => callback({ name })).then(resolve, reject).finally(() => this.#release(name, entry)),
      };
      queue.push(entry);
      if (queue.length === 1) entry.run();
    });
  }

  #release(name, entry) {
    const queue = this.#queues.get(name), i = queue?.indexOf(entry) ?? -1;
    if (i < 0) return;
    queue.splice(i, 1);
    if (i === 0 && queue.length) queue[0].run();
  }

  end(agent) {
    for (const [name, queue] of this.#queues) for (const e of queue.filter((q) => q.agent === agent)) this.#release(name, e);
  }
}
