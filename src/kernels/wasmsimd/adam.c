/* WebAssembly SIMD128 twin of ../scalar/adam.c: the same operations in the same order (torch.optim.Adam's
 * form, see there), four parameters at a time, so results are bit-identical to the reference (sqrt and
 * division are correctly rounded in both; baseline SIMD128 has no fused multiply-add to change rounding). */
#include <math.h>
#include "kernels/simd128.h"
#include "kernels/kernels.h"

void tt_f32_adam__wasmsimd(float *p_out, float *m_out, float *v_out, const float *p, const float *g, const float *m,
                           const float *v, size_t n, float lr, float beta1, float beta2, float eps, float wd_l2,
                           float decay, float bc1, float bc2) {
  const float step = lr / bc1, sqrt_bc2 = sqrtf(bc2);
  const float keep = 1.0f - decay, c1 = 1.0f - beta1, c2 = 1.0f - beta2;
  const v128_t vstep = wasm_f32x4_splat(step), vsqrt_bc2 = wasm_f32x4_splat(sqrt_bc2);
  const v128_t vkeep = wasm_f32x4_splat(keep), vc1 = wasm_f32x4_splat(c1), vc2 = wasm_f32x4_splat(c2);
  const v128_t vb1 = wasm_f32x4_splat(beta1), vb2 = wasm_f32x4_splat(beta2);
  const v128_t vwd = wasm_f32x4_splat(wd_l2), veps = wasm_f32x4_splat(eps);
  size_t i = 0;
  TT_NO_UNROLL
  for (; i + 4 <= n; i += 4) {
    v128_t pi = wasm_f32x4_mul(wasm_v128_load(p + i), vkeep);
    const v128_t gi = wasm_f32x4_add(wasm_v128_load(g + i), wasm_f32x4_mul(vwd, pi));
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(vb1, wasm_v128_load(m + i)), wasm_f32x4_mul(vc1, gi));
    // c2 * g * g evaluates as (c2 * g) * g, as in the scalar expression
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(vb2, wasm_v128_load(v + i)),
                                     wasm_f32x4_mul(wasm_f32x4_mul(vc2, gi), gi));
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(vi), vsqrt_bc2), veps);
    pi = wasm_f32x4_sub(pi, wasm_f32x4_div(wasm_f32x4_mul(vstep, mi), denom));
    wasm_v128_store(p_out + i, pi);
    wasm_v128_store(m_out + i, mi);
    wasm_v128_store(v_out + i, vi);
  }
  TT_NO_UNROLL
  for (; i < n; i++) {
    float pi = p[i] * keep;
    const float gi = g[i] + wd_l2 * pi;
    const float mi = beta1 * m[i] + c1 * gi;
    const float vi = beta2 * v[i] + c2 * gi * gi;
    pi -= step * mi / (sqrtf(vi) / sqrt_bc2 + eps);
    p_out[i] = pi; m_out[i] = mi; v_out[i] = vi;
  }
}
