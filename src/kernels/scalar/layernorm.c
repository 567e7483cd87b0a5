/* Layer normalisation over rows (see kernels.h): the scalar reference. */
#include <math.h>

#include "../kernels.h"

void tt_f32_layernorm__scalar(float *y, float *stats, const float *x, const float *gamma, const float *beta,
                              int rows, int D, float eps) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (size_t)r * D;
    float *yr = y + (size_t)r * D;
    double sum = 0.0, sq = 0.0;
    for (int i = 0; i < D; i++) sum += xr[i];
    double mean = sum / D;
    for (int i = 0; i < D; i++) sq += (xr[i] - mean) * (xr[i] - mean);
    float rstd = (float)(1.0 / sqrt(sq / D + (double)eps)), m = (float)mean;
    for (int i = 0; i < D; i++) yr[i] = (xr[i] - m) * rstd * gamma[i] + beta[i];
    stats[2 * r] = m;
    stats[2 * r + 1] = rstd;
  }
}

void tt_f32_layernorm_backward__scalar(float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                                       const float *stats, const float *gamma, int rows, int D) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (size_t)r * D, *dyr = dy + (size_t)r * D;
    float m = stats[2 * r], rstd = stats[2 * r + 1];
    // means over the row of dnorm = dy * gamma and of dnorm * xhat, for the input gradient
    float mean_dn = 0.0f, mean_dnx = 0.0f;
    for (int i = 0; i < D; i++) {
      float xhat = (xr[i] - m) * rstd, dn = dyr[i] * gamma[i];
      dgamma[i] += dyr[i] * xhat;
      dbeta[i] += dyr[i];
      mean_dn += dn;
      mean_dnx += dn * xhat;
    }
    if (!dx) continue;
    mean_dn /= (float)D;
    mean_dnx /= (float)D;
    float *dxr = dx + (size_t)r * D;
    for (int i = 0; i < D; i++) {
      float xhat = (xr[i] - m) * rstd;
      dxr[i] = rstd * (dyr[i] * gamma[i] - mean_dn - xhat * mean_dnx);
    }
  }
}
