// Sizes that do not fit wasm32's 32-bit size_t (found in review): a byte count of 4 GiB or more must be refused
// with a message, never wrapped modulo 2^32 into a small allocation that C then overruns.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Model } from '../../wasm/tinytrain.js';

const WASM = new URL('../../wasm/tinytrain.wasm', import.meta.url);
const skip = !existsSync(WASM) && 'wasm/tinytrain.wasm not built (make wasm)';

test('predict whose output would be 2^34 bytes is refused with the size, and the model still predicts', { skip }, async () => {
  // 65536 samples of one input, 65536 outputs each: 2^32 floats = 2^34 bytes of output (2^34 mod 2^32 = 0)
  const m = await Model.create({ input: [1], layers: [{ type: 'dense', units: 65536 }], loss: 'mse' });
  try {
    const one = m.predict(new Float32Array([0.5]));
    const x = new Float32Array(65536).fill(0.5);
    let err = null;
    try { m.predict(x); } catch (e) { err = e; }
    assert.ok(err, 'predict of a 16 GiB output returned');
    assert.ok(!(err instanceof WebAssembly.RuntimeError), `a wasm trap instead of a message: ${err.message}`);
    assert.match(err.message, /17180131328 bytes/, err.message); // one block: the 2^34 bytes of output and x's 2^18
    const again = m.predict(new Float32Array([0.5]));
    assert.deepEqual(again, one, 'the model predicts differently after the refused call');
  } finally {
    m.dispose();
  }
});
