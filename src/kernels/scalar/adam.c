/* Reference Adam/AdamW update, in the operation order of torch.optim.Adam / AdamW (PyTorch 1.13,
 * single-tensor path) so results agree to rounding:
 *   p *= 1 - decay                       (AdamW: decay = lr * weight_decay; 0 for Adam)
 *   g' = g + wd_l2 * p                   (Adam's L2 weight decay; 0 for AdamW)
 *   m = b1*m + (1-b1)*g';  v = b2*v + (1-b2)*g'*g'
 *   p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps)      bc1 = 1 - b1^t, bc2 = 1 - b2^t
 * Note the torch form of the denominator: eps is added after dividing sqrt(v) by sqrt(bc2), which equals
 * sqrt(v/bc2) + eps mathematically but rounds slightly differently.
 * Out of place: the new p, m and v go to p_out, m_out and v_out (which may be p, m and v themselves). */
#include <math.h>
#include "kernels/kernels.h"

void tt_f32_adam__scalar(float *p_out, float *m_out, float *v_out, const float *p, const float *g, const float *m,
                         const float *v, size_t n, float lr, float beta1, float beta2, float eps, float wd_l2,
                         float decay, float bc1, float bc2) {
  const float step = lr / bc1, sqrt_bc2 = sqrtf(bc2);
  const float keep = 1.0f - decay, c1 = 1.0f - beta1, c2 = 1.0f - beta2;
  for (size_t i = 0; i < n; i++) {
    float pi = p[i] * keep;
    const float gi = g[i] + wd_l2 * pi;
    const float mi = beta1 * m[i] + c1 * gi;
    const float vi = beta2 * v[i] + c2 * gi * gi;
    pi -= step * mi / (sqrtf(vi) / sqrt_bc2 + eps);
    p_out[i] = pi; m_out[i] = mi; v_out[i] = vi;
  }
}
