/* Reference SGD update, as torch.optim.SGD with dampening 0 (PyTorch 1.13, single-tensor path):
 *   g' = g + wd * p                      (only when wd != 0, so a 0 weight decay leaves g exactly as it is)
 *   buf = first ? g' : mu * buf + g'     (only when mu != 0; the first step's buffer is the gradient itself)
 *   g'' = nesterov ? g' + mu * buf : buf
 *   p -= lr * g'' */
#include "kernels/kernels.h"

void tt_f32_sgd__scalar(float *p, const float *g, float *buf, size_t n, float lr, float mu, float wd, int nesterov,
                        int first) {
  for (size_t i = 0; i < n; i++) {
    float gi = g[i];
    if (wd != 0.0f) gi += wd * p[i];
    if (mu != 0.0f) {
      buf[i] = first ? gi : mu * buf[i] + gi;
      gi = nesterov ? gi + mu * buf[i] : buf[i];
    }
    p[i] -= lr * gi;
  }
}
