/* WebAssembly SIMD128 twin of ../scalar/tanh.c: the same operations on 4 lanes (floor, truncation of a whole k,
 * exponent bits, an IEEE division), so the results are bit-identical. The 1-3 elements left go through the same
 * vector code from a 4-float buffer (a scalar tail would double the kernel's wasm size). */
#include "kernels/simd128.h"
#include "kernels/kernels.h"

static v128_t splat(float v) { return wasm_f32x4_splat(v); }
static v128_t fmadd(v128_t a, v128_t b, float c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), splat(c)); }

/* tanh of 4 lanes. Not inlined: the main loop and the tail share one copy (a call per 4 elements is cheap). */
__attribute__((noinline)) static v128_t tanh4(v128_t v) {
  const v128_t a = wasm_f32x4_abs(v), z = wasm_f32x4_mul(v, v);
  // |x| < 0.625: |x| + |x|·z·R(z)
  v128_t r = splat(TT_TANH_R4);
  r = fmadd(r, z, TT_TANH_R3);
  r = fmadd(r, z, TT_TANH_R2);
  r = fmadd(r, z, TT_TANH_R1);
  r = fmadd(r, z, TT_TANH_R0);
  const v128_t small = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_f32x4_mul(a, z), r));
  // otherwise 1 - 2/(e^t + 1), t = 2|x| <= 20 (NaN lanes take 20)
  v128_t t = wasm_f32x4_add(a, a);
  t = wasm_v128_bitselect(t, splat(20.0f), wasm_f32x4_lt(t, splat(20.0f)));
  const v128_t k = wasm_f32x4_floor(fmadd(t, splat(TT_TANH_LOG2E), 0.5f));
  const v128_t f = wasm_f32x4_sub(wasm_f32x4_sub(t, wasm_f32x4_mul(k, splat(TT_TANH_LN2_HI))),
                                  wasm_f32x4_mul(k, splat(TT_TANH_LN2_LO)));
  v128_t p = splat(1.0f / 5040.0f);
  p = fmadd(p, f, 1.0f / 720.0f);
  p = fmadd(p, f, 1.0f / 120.0f);
  p = fmadd(p, f, 1.0f / 24.0f);
  p = fmadd(p, f, 1.0f / 6.0f);
  p = fmadd(p, f, 0.5f);
  p = fmadd(p, f, 1.0f);
  p = fmadd(p, f, 1.0f);
  const v128_t two_k = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(k), wasm_i32x4_splat(127)), 23);
  const v128_t e = wasm_f32x4_mul(p, two_k);
  const v128_t large = wasm_f32x4_sub(splat(1.0f), wasm_f32x4_div(splat(2.0f), wasm_f32x4_add(e, splat(1.0f))));
  // x's sign on |tanh x|, then NaN lanes pass through unchanged
  v128_t out = wasm_v128_bitselect(small, large, wasm_f32x4_lt(a, splat(TT_TANH_SMALL)));
  out = wasm_v128_bitselect(v, out, wasm_i32x4_splat((int32_t)0x80000000u));
  return wasm_v128_bitselect(v, out, wasm_f32x4_ne(v, v));
}

void tt_f32_tanh__wasmsimd(float *y, const float *x, size_t n) {
  // y (n) = tanh(x (n)); in place allowed
  size_t i = 0;
  TT_NO_UNROLL
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, tanh4(wasm_v128_load(x + i)));
  if (i == n) return;
  float buf[4] = {0};  // the tail, padded with zeros (whose results are dropped)
  TT_NO_UNROLL
  for (size_t j = 0; i + j < n; j++) buf[j] = x[i + j];
  wasm_v128_store(buf, tanh4(wasm_v128_load(buf)));
  TT_NO_UNROLL
  for (size_t j = 0; i + j < n; j++) y[i + j] = buf[j];
}
