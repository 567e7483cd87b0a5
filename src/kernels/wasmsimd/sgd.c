/* WebAssembly SIMD128 twin of ../scalar/sgd.c: the same operations in the same order, four parameters at a time
 * (bit-identical results). The options are loop-invariant branches, predicted after the first iteration. The
 * scalar loop in -Oz code was 2x the cost of the whole SIMD Adam step on the MLP. */
#include "kernels/simd128.h"
#include "kernels/kernels.h"

/* minsize: at -O3 clang unswitched the loop on the four options into copies that added 445 bytes to the module;
 * the branches left in the loop are the same every iteration. */
__attribute__((minsize)) void tt_f32_sgd__wasmsimd(float *p_out, float *buf_out, const float *p, const float *g,
                                                   const float *buf, size_t n, float lr, float mu, float wd,
                                                   int nesterov, int first) {
  const v128_t vlr = wasm_f32x4_splat(lr), vmu = wasm_f32x4_splat(mu), vwd = wasm_f32x4_splat(wd);
  size_t i = 0;
  TT_NO_UNROLL
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i), pi = wasm_v128_load(p + i);
    if (wd != 0.0f) gi = wasm_f32x4_add(gi, wasm_f32x4_mul(vwd, pi));
    if (mu != 0.0f) {
      const v128_t b = first ? gi : wasm_f32x4_add(wasm_f32x4_mul(vmu, wasm_v128_load(buf + i)), gi);
      wasm_v128_store(buf_out + i, b);
      gi = nesterov ? wasm_f32x4_add(gi, wasm_f32x4_mul(vmu, b)) : b;
    }
    wasm_v128_store(p_out + i, wasm_f32x4_sub(pi, wasm_f32x4_mul(vlr, gi)));
  }
  if (i < n)
    tt_f32_sgd__scalar(p_out + i, buf_out ? buf_out + i : buf_out, p + i, g + i, buf ? buf + i : buf, n - i, lr, mu,
                       wd, nesterov, first);
}
