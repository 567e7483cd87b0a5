/* GELU (exact form) and its derivative (see kernels.h): the scalar reference, in the float operations the SIMD
 * twin runs lane by lane. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../kernels.h"

/* e^a for a clamped to [-87, 88]: a = n ln2 + r with |r| <= ln2/2 (ln2 in two parts), e^r by its degree-7 Taylor
 * polynomial, 2^n from the exponent bits. A NaN becomes -87, as the SIMD twin's pmax makes it. */
static float exp_approx(float a) {
  a = -87.0f < a ? a : -87.0f;
  a = a < 88.0f ? a : 88.0f;
  float n = floorf(a * TT_LOG2E + 0.5f);
  float r = (a - n * TT_LN2_HI) - n * TT_LN2_LO;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720, p = p * r + 1.0f / 120, p = p * r + 1.0f / 24, p = p * r + 1.0f / 6;
  p = p * r + 0.5f, p = p * r + 1.0f, p = p * r + 1.0f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/* Φ(x) = 0.5 erfc(-x/√2), erfc of |x|/√2 from its Chebyshev fit, so 1 + erf(x) never cancels for x << 0. */
static float gaussian_cdf(float x) {
  static const float c[] = TT_ERFC_FIT;
  float z = fabsf(x) * 0.70710678f, t = 1.0f / (1.0f + 0.5f * z);
  float p = c[9];
  for (int i = 8; i >= 0; i--) p = p * t + c[i];
  float h = 0.5f * t * exp_approx(p - z * z);
  return x >= 0.0f ? 1.0f - h : h;
}

void tt_f32_gelu__scalar(float *y, const float *x, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = x[i] * gaussian_cdf(x[i]);
}

void tt_f32_gelu_backward__scalar(float *dx, const float *dy, const float *x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float pdf = TT_INV_SQRT2PI * exp_approx(-0.5f * x[i] * x[i]);
    dx[i] = dy[i] * (gaussian_cdf(x[i]) + x[i] * pdf);
  }
}
