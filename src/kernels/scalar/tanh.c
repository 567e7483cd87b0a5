/* Reference tanh (see kernels.h): libm's tanhf per element made the tanh MLP's heatmap 5-10x slower than relu's;
 * this is branch-free arithmetic (a rational function, tools/fit_tanh.py) that the SIMD twin repeats 4 lanes
 * at a time, operation for operation. */
#include <math.h>

#include "kernels/kernels.h"

void tt_f32_tanh__scalar(float *y, const float *x, size_t n) {
  // y (n) = tanh(x (n)); in place allowed. Kept as written: clang would add a vectorised copy otherwise.
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    float a = fabsf(v);
    a = TT_TANH_CLAMP < a ? TT_TANH_CLAMP : a;  // as f32x4.pmin(a, 9); tanh(9) rounds to 1.0f
    const float z = a * a;
    // t = A/B ≈ tanh(a/2), then tanh a = 2t/(1 + t²) = 2AB/(A² + B²)
    float p = TT_TANH_P3;
    p = p * z + TT_TANH_P2;
    p = p * z + TT_TANH_P1;
    p = p * z + 1.0f;
    float q = TT_TANH_Q3;
    q = q * z + TT_TANH_Q2;
    q = q * z + TT_TANH_Q1;
    q = q * z + 2.0f;
    const float A = a * p, ab = A * q;
    float t = (ab + ab) / (A * A + q * q);
    t = 1.0f < t ? 1.0f : t;  // rounding may reach 1 + 1 ulp
    // tanh is odd: x's sign on tanh |x| (so tanh(-0) = -0); NaN passes through
    y[i] = v != v ? v : copysignf(t, v);
  }
}
