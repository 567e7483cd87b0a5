/** The full build, tinytrain-int8.wasm beside tinytrain.wasm: the core with int8 inference (Model#quantize). Pass it
 * to loadTinytrain before creating any model or importing tiny-train.js; the default module, the one widgets load,
 * has no int8 kernels. */
export const INT8_WASM_URL: URL;
