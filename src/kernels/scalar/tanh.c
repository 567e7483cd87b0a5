/* Reference tanh (see kernels.h): libm's tanhf per element made the tanh MLP's heatmap 5-10x slower than relu's;
 * this is branch-free arithmetic the SIMD twin repeats 4 lanes at a time. Both regimes are computed and one is
 * selected, so every element costs the same. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels/kernels.h"

/* 2^k for a whole k in [0, 29], from its exponent bits. */
static float pow2i(int k) {
  uint32_t u = (uint32_t)(k + 127) << 23;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

void tt_f32_tanh__scalar(float *y, const float *x, size_t n) {
  // y (n) = tanh(x (n)); in place allowed. Kept as written: in the wasm build it is the SIMD twin's 1-3 element
  // tail, and clang would otherwise add a vectorised copy of it.
  TT_NO_UNROLL
  for (size_t i = 0; i < n; i++) {
    const float v = x[i], a = fabsf(v), z = v * v;
    // |x| < 0.625: |x| + |x|·z·R(z)
    float r = TT_TANH_R4;
    r = r * z + TT_TANH_R3;
    r = r * z + TT_TANH_R2;
    r = r * z + TT_TANH_R1;
    r = r * z + TT_TANH_R0;
    const float small = a + (a * z) * r;
    // otherwise 1 - 2/(e^t + 1), t = 2|x| <= 20 (a NaN goes to 20 here and is passed through below)
    float t = a + a;
    t = t < 20.0f ? t : 20.0f;
    const float k = floorf(t * TT_TANH_LOG2E + 0.5f);
    const float f = (t - k * TT_TANH_LN2_HI) - k * TT_TANH_LN2_LO;  // |f| <= ln2/2
    float p = 1.0f / 5040.0f;  // e^f by its Taylor series to f^7 (relative error < 3e-9)
    p = p * f + 1.0f / 720.0f;
    p = p * f + 1.0f / 120.0f;
    p = p * f + 1.0f / 24.0f;
    p = p * f + 1.0f / 6.0f;
    p = p * f + 0.5f;
    p = p * f + 1.0f;
    p = p * f + 1.0f;
    const float e = p * pow2i((int)k);
    const float large = 1.0f - 2.0f / (e + 1.0f);
    // tanh is odd: |tanh x| from either regime gets x's sign (so tanh(-0) = -0)
    y[i] = v != v ? v : copysignf(a < TT_TANH_SMALL ? small : large, v);
  }
}
