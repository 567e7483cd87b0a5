/* Scaled dot-product attention of one query (see kernels.h): the scalar reference. */
#include <math.h>

#include "../kernels.h"

void tt_f32_attend__scalar(float *out, float *p, const float *q, const float *k, const float *v, int n, int ld,
                           int dh, float scale) {
  float max = -INFINITY, sum = 0.0f;
  for (int j = 0; j < n; j++) {
    const float *kj = k + (size_t)j * ld;
    float s = 0.0f;
    for (int d = 0; d < dh; d++) s += q[d] * kj[d];
    p[j] = s * scale;
    if (p[j] > max) max = p[j];
  }
  for (int j = 0; j < n; j++) sum += p[j] = expf(p[j] - max);
  float inv = 1.0f / sum;
  for (int d = 0; d < dh; d++) out[d] = 0.0f;
  for (int j = 0; j < n; j++) {
    const float *vj = v + (size_t)j * ld;
    p[j] *= inv;
    for (int d = 0; d < dh; d++) out[d] += p[j] * vj[d];
  }
}

void tt_f32_attend_backward__scalar(float *dq, float *dk, float *dv, float *ds, const float *dout, const float *p,
                                    const float *q, const float *k, const float *v, int n, int ld, int dh,
                                    float scale) {
  float pdp = 0.0f;  // Σ_j p_j dp_j, the softmax's share of every score's gradient
  for (int j = 0; j < n; j++) {
    const float *vj = v + (size_t)j * ld;
    float *dvj = dv + (size_t)j * ld;
    float dp = 0.0f;
    for (int d = 0; d < dh; d++) {
      dp += dout[d] * vj[d];
      dvj[d] += p[j] * dout[d];
    }
    ds[j] = dp;
    pdp += p[j] * dp;
  }
  for (int d = 0; d < dh; d++) dq[d] = 0.0f;
  for (int j = 0; j < n; j++) {
    const float *kj = k + (size_t)j * ld;
    float *dkj = dk + (size_t)j * ld, g = p[j] * (ds[j] - pdp) * scale;  // d loss / d (q·k_j)
    for (int d = 0; d < dh; d++) {
      dq[d] += g * kj[d];
      dkj[d] += g * q[d];
    }
  }
}
