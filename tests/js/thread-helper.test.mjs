// wasm/thread-helper.js's instances of the threaded build (a helper's, the helpers' watcher's) in Node: each runs on
// the stack it is given, and one without a stack of its own is refused. A new instance's stack pointer is the main
// thread's, so a thread that called into the module on it could write over the main thread's frames while it runs.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { instantiate } from '../../wasm/thread-helper.js';

const STACK = 16 * 1024;
const FILL = 0xa5;

test('a thread\'s instance runs on the stack it is given; without one it is refused', async () => {
  const module = await WebAssembly.compile(fs.readFileSync(new URL('../../wasm/tinytrain-mt.wasm', import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true });
  const main = new WebAssembly.Instance(module, { env: { memory, emscripten_notify_memory_growth() {} } }).exports;
  main._initialize();
  assert.throws(() => instantiate({ module, memory }), /^Error: a thread needs a stack of its own, got undefined$/);
  assert.throws(() => instantiate({ module, memory, stackTop: 0 }), /a thread needs a stack of its own, got 0/);

  // A call that uses the stack (a spec that does not parse: its error message is formatted there), made by another
  // instance on a block of the heap filled with a pattern: the call writes into that block.
  const block = main.tt_alloc(STACK);
  const stackTop = (block + STACK) & ~15;
  const stackBytes = () => new Uint8Array(memory.buffer, block, STACK);
  stackBytes().fill(FILL);
  const other = instantiate({ module, memory, stackTop });
  const spec = new TextEncoder().encode('{"layers": [{"type": "nonsense"}]}');
  const at = main.tt_alloc(spec.length);
  new Uint8Array(memory.buffer, at, spec.length).set(spec);
  assert.equal(other.tt_model_create(at, spec.length), 0, 'the spec is refused');
  const written = stackBytes().reduce((n, b) => n + (b !== FILL), 0);
  assert.ok(written > 0, 'the call did not use the stack it was given');
  // the same call on the main thread's own stack leaves that block alone
  stackBytes().fill(FILL);
  assert.equal(main.tt_model_create(at, spec.length), 0);
  assert.equal(stackBytes().reduce((n, b) => n + (b !== FILL), 0), 0, 'the main thread wrote into another thread\'s stack');
});
