/* WebAssembly SIMD128 twin of ../scalar/tanh.c: the same float operations on 4 lanes, so the results are
 * bit-identical. The 1-3 elements left go through the same vector code from a 4-float buffer. */
#include "kernels/simd128.h"
#include "kernels/kernels.h"

static v128_t splat(float v) { return wasm_f32x4_splat(v); }
static v128_t fmadd(v128_t a, v128_t b, float c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), splat(c)); }

/* tanh of 4 lanes, inlined into the loop: a call per vector was ~30% of the kernel's time. */
static inline v128_t tanh4(v128_t v) {
  // a = min(|x|, 9) (pmin keeps a NaN: it is passed through below), z = a²
  const v128_t a = wasm_f32x4_pmin(wasm_f32x4_abs(v), splat(TT_TANH_CLAMP)), z = wasm_f32x4_mul(a, a);
  v128_t p = splat(TT_TANH_P3);
  p = fmadd(p, z, TT_TANH_P2);
  p = fmadd(p, z, TT_TANH_P1);
  p = fmadd(p, z, 1.0f);
  v128_t q = splat(TT_TANH_Q3);
  q = fmadd(q, z, TT_TANH_Q2);
  q = fmadd(q, z, TT_TANH_Q1);
  q = fmadd(q, z, 2.0f);
  // tanh a = 2AB/(A² + B²), A = a·P, B = Q; at most 1
  const v128_t A = wasm_f32x4_mul(a, p), ab = wasm_f32x4_mul(A, q);
  v128_t t = wasm_f32x4_div(wasm_f32x4_add(ab, ab), wasm_f32x4_add(wasm_f32x4_mul(A, A), wasm_f32x4_mul(q, q)));
  t = wasm_f32x4_pmin(t, splat(1.0f));
  // x's sign on tanh |x|, then NaN lanes pass through unchanged
  t = wasm_v128_bitselect(v, t, wasm_i32x4_splat((int32_t)0x80000000u));
  return wasm_v128_bitselect(v, t, wasm_f32x4_ne(v, v));
}

void tt_f32_tanh__wasmsimd(float *y, const float *x, size_t n) {
  // y (n) = tanh(x (n)); in place allowed
  size_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, tanh4(wasm_v128_load(x + i)));
  if (i == n) return;
  // the last 1-3 elements through a 4-float buffer padded with zeros, by the loop above (a second copy of the
  // arithmetic for them would add to the module's size)
  float buf[4] = {0};
  for (size_t j = i; j < n; j++) buf[j - i] = x[j];
  tt_f32_tanh__wasmsimd(buf, buf, 4);
  for (size_t j = i; j < n; j++) y[j] = buf[j - i];
}
