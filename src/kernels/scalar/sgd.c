/* Reference SGD update, as torch.optim.SGD with dampening 0 (PyTorch 1.13, single-tensor path):
 *   g' = g + wd * p                      (only when wd != 0, so a 0 weight decay leaves g exactly as it is)
 *   buf = first ? g' : mu * buf + g'     (only when mu != 0; the first step's buffer is the gradient itself)
 *   g'' = nesterov ? g' + mu * buf : buf
 *   p -= lr * g''
 * Out of place: the new p and buf go to p_out and buf_out (which may be p and buf themselves). */
#include "kernels/kernels.h"

void tt_f32_sgd__scalar(float *p_out, float *buf_out, const float *p, const float *g, const float *buf, size_t n,
                        float lr, float mu, float wd, int nesterov, int first) {
  TT_NO_UNROLL  // kept as written: in wasm it serves only the SIMD twin's tail (and -O3 would copy it per option)
  for (size_t i = 0; i < n; i++) {
    float gi = g[i];
    if (wd != 0.0f) gi += wd * p[i];
    if (mu != 0.0f) {
      const float b = first ? gi : mu * buf[i] + gi;
      buf_out[i] = b;
      gi = nesterov ? gi + mu * b : b;
    }
    p_out[i] = p[i] - lr * gi;
  }
}
