/* WebAssembly SIMD128 twins of ../scalar/attention.c: the dot products and the weighted sums run 4 features of a
 * head at a time (a scalar tail for dh not a multiple of 4); the softmax is the reference's. Dot products sum in
 * another order than the reference, so results agree to rounding, not bit for bit. */
#include <math.h>

#include "kernels/simd128.h"
#include "kernels/kernels.h"

/* Σ_d a[d] b[d] over dh floats. */
static float dot(const float *a, const float *b, int dh) {
  v128_t acc = wasm_f32x4_splat(0.0f);
  int d = 0;
  for (; d + 4 <= dh; d += 4) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + d), wasm_v128_load(b + d)));
  float s = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
            (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
  for (; d < dh; d++) s += a[d] * b[d];
  return s;
}

/* y[d] += a x[d] over dh floats. */
static void axpy(float *y, float a, const float *x, int dh) {
  const v128_t va = wasm_f32x4_splat(a);
  int d = 0;
  for (; d + 4 <= dh; d += 4)
    wasm_v128_store(y + d, wasm_f32x4_add(wasm_v128_load(y + d), wasm_f32x4_mul(va, wasm_v128_load(x + d))));
  for (; d < dh; d++) y[d] += a * x[d];
}

void tt_f32_attend__wasmsimd(float *out, float *p, const float *q, const float *k, const float *v, int n, int ld,
                             int dh, float scale) {
  float max = -INFINITY, sum = 0.0f;
  for (int j = 0; j < n; j++) {
    p[j] = dot(q, k + (size_t)j * ld, dh) * scale;
    if (p[j] > max) max = p[j];
  }
  for (int j = 0; j < n; j++) sum += p[j] = expf(p[j] - max);
  float inv = 1.0f / sum;
  for (int d = 0; d < dh; d++) out[d] = 0.0f;
  for (int j = 0; j < n; j++) {
    p[j] *= inv;
    axpy(out, p[j], v + (size_t)j * ld, dh);
  }
}

void tt_f32_attend_backward__wasmsimd(float *dq, float *dk, float *dv, float *ds, const float *dout, const float *p,
                                      const float *q, const float *k, const float *v, int n, int ld, int dh,
                                      float scale) {
  float pdp = 0.0f;  // Σ_j p_j dp_j
  for (int j = 0; j < n; j++) {
    ds[j] = dot(dout, v + (size_t)j * ld, dh);
    axpy(dv + (size_t)j * ld, p[j], dout, dh);
    pdp += p[j] * ds[j];
  }
  for (int d = 0; d < dh; d++) dq[d] = 0.0f;
  for (int j = 0; j < n; j++) {
    float g = p[j] * (ds[j] - pdp) * scale;  // d loss / d (q·k_j)
    axpy(dq, g, k + (size_t)j * ld, dh);
    axpy(dk + (size_t)j * ld, g, q, dh);
  }
}
