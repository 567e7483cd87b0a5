// The wasm module's own malloc/free (src/core/heap.c, linked with -sMALLOC=none) under stress, in the real module:
// random blocks through tt_alloc/tt_free must be 16-byte aligned, never overlap and keep their bytes; requests
// that cannot be met return 0 and leave the heap usable; and model lifecycles interleaved with JS blocks keep
// wasm memory flat. (tests/c/test_heap.c runs the same code natively under ASan with a full heap walk.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';

let wasm;
test.before(async () => { wasm = await loadTinytrain(); });

// Deterministic choices, so a failure repeats.
function lcg(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8;
}

const fill = (b) => new Uint8Array(wasm.memory.buffer, b.ptr, b.n).forEach((_, i, a) => { a[i] = (b.tag + i) & 255; });
function firstChanged(b) {
  const a = new Uint8Array(wasm.memory.buffer, b.ptr, b.n);
  for (let i = 0; i < b.n; i++) if (a[i] !== ((b.tag + i) & 255)) return i;
  return -1;
}

test('random tt_alloc/tt_free blocks are aligned, disjoint and keep their bytes', () => {
  const rand = lcg(7);
  const live = new Array(48).fill(null);
  for (let op = 0; op < 6000; op++) {
    const k = rand() % live.length;
    const b = live[k];
    if (b) {
      const at = firstChanged(b);
      assert.equal(at, -1, `op ${op}: block of ${b.n} bytes at ${b.ptr} changed at byte ${at}`);
      wasm.tt_free(b.ptr);
      live[k] = null;
      continue;
    }
    const r = rand();
    const n = r % 8 ? r % 500 : r % 300000; // mostly small argument blocks, sometimes arena-sized
    const ptr = wasm.tt_alloc(n);
    assert.ok(ptr !== 0, `op ${op}: tt_alloc(${n}) returned 0 with ${wasm.memory.buffer.byteLength} bytes of memory`);
    assert.equal(ptr % 16, 0, `op ${op}: tt_alloc(${n}) = ${ptr} is not 16-byte aligned`);
    assert.ok(ptr + n <= wasm.memory.buffer.byteLength, `op ${op}: block ${ptr}+${n} is outside the memory`);
    for (const o of live) {
      if (o && ptr < o.ptr + Math.max(o.n, 1) && o.ptr < ptr + Math.max(n, 1)) {
        assert.fail(`op ${op}: tt_alloc(${n}) = ${ptr} overlaps the live block ${o.ptr}+${o.n}`);
      }
    }
    live[k] = { ptr, n, tag: op & 255 };
    fill(live[k]);
  }
  for (const b of live) if (b) { assert.equal(firstChanged(b), -1); wasm.tt_free(b.ptr); }
});

test('requests beyond what wasm32 memory can hold return 0 without growing memory, and the heap stays usable', () => {
  const before = wasm.memory.buffer.byteLength;
  for (const n of [0xffffffff, 0xfffffff0, 0x80000000, 0x7ffffff0]) {
    assert.equal(wasm.tt_alloc(n), 0, `tt_alloc(${n})`);
  }
  assert.equal(wasm.memory.buffer.byteLength, before, 'memory grew for a refused request');
  const p = wasm.tt_alloc(100), q = wasm.tt_alloc(0), r = wasm.tt_alloc(0);
  assert.ok(p && q && r && q !== r, `tt_alloc after refusals: ${p}, ${q}, ${r}`);
  [p, q, r].forEach((x) => wasm.tt_free(x));
  wasm.tt_free(0); // free(NULL) is a no-op
});

test('1,000 model lifecycles interleaved with JS blocks keep wasm memory flat', async () => {
  const spec = {
    input: [4], layers: [{ type: 'dense', units: 32 }, { type: 'relu' }, { type: 'dense', units: 3 }],
    loss: 'cross_entropy', seed: 3,
  };
  const x = new Float32Array(64 * 4).map((_, i) => Math.sin(i));
  const y = new Int32Array(64).map((_, i) => i % 3);
  let after10 = 0;
  for (let round = 0; round < 1000; round++) {
    const hold = wasm.tt_alloc(1000 + (round % 13) * 100); // a block that outlives the model below
    const m = await Model.create(spec);
    m.trainBatch(x, y);
    const saved = m.save();
    const m2 = await Model.load(saved);
    m2.predict(x.subarray(0, 8));
    m.dispose();
    wasm.tt_free(hold);
    m2.dispose();
    if (round === 10) after10 = Model.memoryBytes();
    if (round > 10) assert.equal(Model.memoryBytes(), after10, `round ${round}: wasm memory grew`);
  }
});
