/* WebAssembly SIMD128 twins of ../scalar/gelu.c: the reference's float operations in its order, 4 lanes at a time
 * (the tail through the same vector code on a padded copy), so the results are bit-identical. */
#include <string.h>

#include "kernels/simd128.h"
#include "kernels/kernels.h"

static v128_t exp_approx(v128_t a) {
  a = wasm_f32x4_pmax(wasm_f32x4_splat(-87.0f), a);
  a = wasm_f32x4_pmin(wasm_f32x4_splat(88.0f), a);
  v128_t n = wasm_f32x4_floor(wasm_f32x4_add(wasm_f32x4_mul(a, wasm_f32x4_splat(TT_LOG2E)), wasm_f32x4_splat(0.5f)));
  v128_t r = wasm_f32x4_sub(wasm_f32x4_sub(a, wasm_f32x4_mul(n, wasm_f32x4_splat(TT_LN2_HI))),
                            wasm_f32x4_mul(n, wasm_f32x4_splat(TT_LN2_LO)));
  static const float c[] = {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f};
  v128_t p = wasm_f32x4_splat(1.0f / 5040);
  TT_UNROLL_FULL
  for (int i = 0; i < 7; i++) p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(c[i]));
  v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, scale);
}

static v128_t gaussian_cdf(v128_t x) {
  static const float c[] = TT_ERFC_FIT;
  const v128_t one = wasm_f32x4_splat(1.0f), half = wasm_f32x4_splat(0.5f);
  v128_t z = wasm_f32x4_mul(wasm_f32x4_abs(x), wasm_f32x4_splat(0.70710678f));
  v128_t t = wasm_f32x4_div(one, wasm_f32x4_add(one, wasm_f32x4_mul(half, z)));
  v128_t p = wasm_f32x4_splat(c[9]);
  TT_UNROLL_FULL
  for (int i = 8; i >= 0; i--) p = wasm_f32x4_add(wasm_f32x4_mul(p, t), wasm_f32x4_splat(c[i]));
  v128_t h = wasm_f32x4_mul(wasm_f32x4_mul(half, t), exp_approx(wasm_f32x4_sub(p, wasm_f32x4_mul(z, z))));
  return wasm_v128_bitselect(wasm_f32x4_sub(one, h), h, wasm_f32x4_ge(x, wasm_f32x4_splat(0.0f)));
}

static v128_t gelu4(v128_t x) { return wasm_f32x4_mul(x, gaussian_cdf(x)); }

static v128_t gelu_backward4(v128_t dy, v128_t x) {
  v128_t pdf = wasm_f32x4_mul(wasm_f32x4_splat(TT_INV_SQRT2PI),
                              exp_approx(wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_splat(-0.5f), x), x)));
  return wasm_f32x4_mul(dy, wasm_f32x4_add(gaussian_cdf(x), wasm_f32x4_mul(x, pdf)));
}

void tt_f32_gelu__wasmsimd(float *y, const float *x, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, gelu4(wasm_v128_load(x + i)));
  if (i == n) return;
  float in[4] = {0}, out[4];
  memcpy(in, x + i, (n - i) * sizeof(float));
  wasm_v128_store(out, gelu4(wasm_v128_load(in)));
  memcpy(y + i, out, (n - i) * sizeof(float));
}

void tt_f32_gelu_backward__wasmsimd(float *dx, const float *dy, const float *x, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dx + i, gelu_backward4(wasm_v128_load(dy + i), wasm_v128_load(x + i)));
  if (i == n) return;
  float g[4] = {0}, in[4] = {0}, out[4];
  memcpy(g, dy + i, (n - i) * sizeof(float));
  memcpy(in, x + i, (n - i) * sizeof(float));
  wasm_v128_store(out, gelu_backward4(wasm_v128_load(g), wasm_v128_load(in)));
  memcpy(dx + i, out, (n - i) * sizeof(float));
}
