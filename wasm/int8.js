// int8 serving's own module: where the full build of the core is, and the work of Model#quantize. It is apart from
// tinytrain.js so that the widget, which never quantizes, does not carry it: pages import INT8_WASM_URL from here,
// and Model#quantize imports this module on first use.

/** The full build: tinytrain.wasm plus int8 inference (Model#quantize), beside it. The default module leaves int8
 * out to keep the widget small; a page that quantizes calls `await loadTinytrain({ url: INT8_WASM_URL })` before it
 * creates any model and before it imports tiny-train.js (the first module loaded serves every Model of the page, the
 * element's included; the widgets' workers load the default module all the same). */
export const INT8_WASM_URL = new URL('./tinytrain-int8.wasm', import.meta.url);

// What the core says to every call that would train or change a quantized model's weights.
const REFUSED = 'this model is quantized to int8 for inference; train the original';

/** Model#quantize's work: the model at `ptr` quantized by the module's tt_model_quantize, as a Model made by `wrap`
 * (Model's own, which throws the core's message for a NULL pointer). Throws when `kind` is not 'int8' or when the
 * module is the default build, which leaves the int8 kernels out. */
export function quantize(wasm, ptr, kind, wrap) {
  if (kind !== 'int8') {
    const got = typeof kind === 'string' ? `the string ${JSON.stringify(kind.slice(0, 40))}` : String(kind);
    throw new RangeError(`quantize: expected 'int8', got ${got}`);
  }
  if (!wasm.tt_model_quantize) {
    throw new Error('quantize: this build of tinytrain has no int8 kernels; load tinytrain-int8.wasm with ' +
      '`await loadTinytrain({ url: INT8_WASM_URL })` before the page creates a model or imports tiny-train.js');
  }
  const quantized = wasm.tt_model_quantize(ptr), model = wrap(quantized);
  // Its float weights are gone (tt_model_params gives NULL), so it has none to copy out; the core refuses the rest.
  model.getWeights = () => { throw new Error(REFUSED); };
  /** Bytes of its weights in memory: int8 weights, their float scales and the float parameters of other layers. */
  model.weightBytes = wasm.tt_model_weight_bytes(quantized);
  return model;
}
