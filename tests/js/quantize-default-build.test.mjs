// The default build (wasm/tinytrain.wasm, the module every widget loads) leaves int8 out: Model.quantize('int8')
// rejects with a message naming the module to load instead, the model keeps working, and a bad kind is still
// reported as such. The full build's quantization is tested in quantize.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { INT8_WASM_URL } from '../../wasm/int8.js';

test('on the default build quantize(\'int8\') says which module has int8; the model trains on', async () => {
  const wasm = await loadTinytrain();
  assert.equal(wasm.tt_model_quantize, undefined, 'the default build does not export tt_model_quantize');
  const m = await Model.create({ input: [2], layers: [{ type: 'dense', units: 4 }, { type: 'relu' }, { type: 'dense', units: 2 }],
    loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.05 } });
  await assert.rejects(m.quantize('int8'), {
    message: 'quantize: this build of tinytrain has no int8 kernels; load tinytrain-int8.wasm with ' +
      '`await loadTinytrain({ url: INT8_WASM_URL })` before the page creates a model or imports tiny-train.js',
  });
  await assert.rejects(m.quantize('int4'), { message: `quantize: expected 'int8', got the string "int4"` });
  const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), y = new Int32Array([0, 1, 1, 0]);
  m.fit(x, y, { epochs: 200, batchSize: 4 });
  assert.equal(m.evaluate(x, y).accuracy, 1);
  m.dispose();
  assert.equal(INT8_WASM_URL.href, new URL('../../wasm/tinytrain-int8.wasm', import.meta.url).href);
});
