/* Reference int8 kernels (see kernel_list.h): the activations' int16 quantization and the int8-weight GEMM, plain
 * loops. */
#include <math.h>

#include "kernels/kernels.h"

#ifdef TT_INT8 /* the int8 build only (kernels.h) */

float tt_f32_quantize_i16__scalar(int16_t *q, const float *x, int n, int limit) {
  float m = 0.0f;  // max |x|; NaN is passed over (pmax's rule, as in the SIMD twin)
  for (int i = 0; i < n; i++) m = m < fabsf(x[i]) ? fabsf(x[i]) : m;
  const float L = (float)limit, inv = m > 0.0f ? L / m : 0.0f;
  for (int i = 0; i < n; i++) {
    float v = rintf(x[i] * inv);
    v = v < L ? v : L;    // NaN -> L
    v = -L < v ? v : -L;
    q[i] = (int16_t)v;
  }
  return m / L;
}

void tt_f32_gemm_i8__scalar(float *y, int ldm, int ldn, const int16_t *a, int lda, const int8_t *w, const float *scale,
                            float s, int M, int N, int K, int *nz) {
  const int K2 = (K + 1) / 2;
  for (int m = 0; m < M; m++, a += lda)
    for (int j = 0; j < N; j++) {
      const int8_t *wj = w + tt__i8_packed_at(j, 0, K);  // w_jk at wj[32 (k/2) + k%2]
      int32_t acc = 0;
      for (int p = 0; p < K2; p++) acc += a[2 * p] * wj[32 * p] + a[2 * p + 1] * wj[32 * p + 1];
      y[(size_t)m * ldm + (size_t)j * ldn] = (float)acc * (scale[j] * s);
    }
}
#endif
