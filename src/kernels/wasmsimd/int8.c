/* WebAssembly SIMD128 int8 kernels, twins of ../scalar/int8.c (same contracts, see kernel_list.h). */
#include <math.h>
#include <string.h>

#include "kernels/simd128.h"
#include "kernels/kernels.h"

#ifdef TT_INT8 /* the int8 build only (kernels.h) */

float tt_f32_quantize_i16__wasmsimd(int16_t *q, const float *x, int n, int limit) {
  v128_t vm[4] = {wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f)};
  int i = 0;
  for (; i + 16 <= n; i += 16) {  // 4 running maxima: one would wait on pmax's latency at every step
    TT_UNROLL_FULL
    for (int h = 0; h < 4; h++) vm[h] = wasm_f32x4_pmax(vm[h], wasm_f32x4_abs(wasm_v128_load(x + i + 4 * h)));
  }
  for (; i + 4 <= n; i += 4) vm[0] = wasm_f32x4_pmax(vm[0], wasm_f32x4_abs(wasm_v128_load(x + i)));
  vm[0] = wasm_f32x4_pmax(wasm_f32x4_pmax(vm[0], vm[1]), wasm_f32x4_pmax(vm[2], vm[3]));
  float lanes[4], m = 0.0f;  // max is exact in any order: the lanes, then the tail
  wasm_v128_store(lanes, vm[0]);
  for (int l = 0; l < 4; l++) m = m < lanes[l] ? lanes[l] : m;
  for (; i < n; i++) m = m < fabsf(x[i]) ? fabsf(x[i]) : m;
  const float L = (float)limit, inv = m > 0.0f ? L / m : 0.0f;
  const v128_t vinv = wasm_f32x4_splat(inv), hi = wasm_f32x4_splat(L), lo = wasm_f32x4_splat(-L);
  for (i = 0; i + 8 <= n; i += 8) {
    const v128_t in[2] = {wasm_v128_load(x + i), wasm_v128_load(x + i + 4)};
    if (!wasm_v128_any_true(wasm_v128_or(in[0], in[1]))) {  // 8 zeros (sparse inputs) give 8 zeros
      wasm_v128_store(q + i, in[0]);
      continue;
    }
    v128_t v[2];
    TT_UNROLL_FULL
    for (int h = 0; h < 2; h++) {  // rint, then v < L ? v : L, then -L < v ? v : -L, as the scalar twin
      const v128_t r = wasm_f32x4_nearest(wasm_f32x4_mul(in[h], vinv));
      v[h] = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_pmax(lo, wasm_f32x4_pmin(hi, r)));
    }
    wasm_v128_store(q + i, wasm_i16x8_narrow_i32x4(v[0], v[1]));
  }
  for (; i < n; i++) {
    float v = rintf(x[i] * inv);
    v = v < L ? v : L;
    v = -L < v ? v : -L;
    q[i] = (int16_t)v;
  }
  return m / L;
}

void tt_f32_gemm_i8__wasmsimd(float *y, int ldm, int ldn, const int16_t *a, int lda, const int8_t *w,
                              const float *scale, float s, int M, int N, int K, int *nz) {
  const v128_t vs = wasm_f32x4_splat(s);
  const int K2 = (K + 1) / 2;  // pairs of a row
  for (int m = 0; m < M; m++, a += lda) {
    int n = 0;
    for (int p = 0; p < K2; p++) {  // the pairs (a[2p], a[2p+1]) that are not both zero; 4 zero pairs at once
      if (p + 4 <= K2 && !wasm_v128_any_true(wasm_v128_load(a + 2 * p))) {
        p += 3;
        continue;
      }
      int32_t pair;
      memcpy(&pair, a + 2 * p, sizeof pair);
      if (pair) nz[n++] = p;
    }
    for (int j0 = 0; j0 < N; j0 += 16) {
      const int8_t *block = w + (size_t)(j0 / 16) * K2 * 32;  // (K2, 16 rows, 2)
      v128_t acc[4];  // lane r of acc[i]: the sum of row j0 + 4i + r
      TT_UNROLL_FULL
      for (int i = 0; i < 4; i++) acc[i] = wasm_i32x4_splat(0);
      for (int t = 0; t < n; t++) {
        const int p = nz[t];
        const v128_t x = wasm_v128_load32_splat(a + 2 * p);  // int16 lanes: a[2p], a[2p+1], a[2p], ...
        const int8_t *wp = block + 32 * (size_t)p;
        TT_UNROLL_FULL
        for (int i = 0; i < 4; i++) acc[i] = wasm_i32x4_add(acc[i], wasm_i32x4_dot_i16x8(x, wasm_i16x8_load8x8(wp + 8 * i)));
      }
      if (ldn == 1 && j0 + 16 <= N) {  // a whole block into a row of y: convert and scale 4 at a time
        TT_UNROLL_FULL
        for (int i = 0; i < 4; i++) {
          float *yp = y + (size_t)m * ldm + j0 + 4 * i;
          const v128_t sc = wasm_f32x4_mul(wasm_v128_load(scale + j0 + 4 * i), vs);
          wasm_v128_store(yp, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc[i]), sc));
        }
        continue;
      }
      int32_t sums[16];
      TT_UNROLL_FULL
      for (int i = 0; i < 4; i++) wasm_v128_store(sums + 4 * i, acc[i]);
      for (int j = j0; j < j0 + 16 && j < N; j++) y[(size_t)m * ldm + (size_t)j * ldn] = (float)sums[j - j0] * (scale[j] * s);
    }
  }
}
#endif
