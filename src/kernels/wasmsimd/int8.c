/* WebAssembly SIMD128 int8 kernels, twins of ../scalar/int8.c (same contracts, see kernel_list.h). */
#include <math.h>

#include "kernels/simd128.h"
#include "kernels/kernels.h"

float tt_f32_quantize_i16__wasmsimd(int16_t *q, const float *x, int n, int limit) {
  v128_t vm = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) vm = wasm_f32x4_pmax(vm, wasm_f32x4_abs(wasm_v128_load(x + i)));
  float lanes[4], m = 0.0f;  // max is exact in any order: the lanes, then the tail
  wasm_v128_store(lanes, vm);
  for (int l = 0; l < 4; l++) m = m < lanes[l] ? lanes[l] : m;
  for (; i < n; i++) m = m < fabsf(x[i]) ? fabsf(x[i]) : m;
  const float L = (float)limit, inv = m > 0.0f ? L / m : 0.0f;
  const v128_t vinv = wasm_f32x4_splat(inv), hi = wasm_f32x4_splat(L), lo = wasm_f32x4_splat(-L);
  for (i = 0; i + 8 <= n; i += 8) {
    v128_t v[2];
    TT_UNROLL_FULL
    for (int h = 0; h < 2; h++) {  // rint, then v < L ? v : L, then -L < v ? v : -L, as the scalar twin
      const v128_t r = wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(x + i + 4 * h), vinv));
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

void tt_f32_gemm_i8__wasmsimd(float *y, int ldm, int ldn, const int16_t *a, const int8_t *w, const float *scale,
                              int M, int N, int K) {
  for (int m = 0; m < M; m++, a += K)
    for (int j = 0; j < N; j += 4) {
      // rows j..j+3 of w; past the last row, the last row again (its sums are not stored): one code path for all N
      const int8_t *wr[4];
      v128_t acc[4];
      TT_UNROLL_FULL
      for (int r = 0; r < 4; r++) wr[r] = w + (size_t)(j + r < N ? j + r : N - 1) * K, acc[r] = wasm_i32x4_splat(0);
      int k = 0;
      for (; k + 8 <= K; k += 8) {
        const v128_t x = wasm_v128_load(a + k);
        if (!wasm_v128_any_true(x)) continue;  // 8 zeros add nothing
        TT_UNROLL_FULL
        for (int r = 0; r < 4; r++)
          acc[r] = wasm_i32x4_add(acc[r], wasm_i32x4_dot_i16x8(x, wasm_i16x8_load8x8(wr[r] + k)));
      }
      int32_t lanes[4][4];
      TT_UNROLL_FULL
      for (int r = 0; r < 4; r++) wasm_v128_store(lanes[r], acc[r]);
      for (int r = 0; r < 4 && j + r < N; r++) {
        int32_t s = lanes[r][0] + lanes[r][1] + lanes[r][2] + lanes[r][3];  // |partial sums| < 2^31: exact in any order
        for (int t = k; t < K; t++) s += a[t] * wr[r][t];
        y[(size_t)m * ldm + (size_t)(j + r) * ldn] = (float)s * scale[j + r];
      }
    }
}
