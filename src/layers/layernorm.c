/* layernorm as torch.nn.LayerNorm(D): normalise each row of the last dim D to zero mean and unit (biased)
 * variance, then y = xhat * gamma + beta, gamma = w (D), beta = b (D). Saves mean and rstd = 1/sqrt(var + eps)
 * per row for backward. Row statistics are summed in double so large offsets do not lose precision. */
#include <math.h>
#include <string.h>

#include "layer_util.h"

static int layernorm_setup(tt__layer *l) {
  if (l->in.rank < 1 || tt__shape_size(l->in) < 1 || !tt__layer_count_ok((size_t)tt__shape_size(l->in)))
    return tt__layer_fail(l, "layernorm", "cannot normalise an input of shape %s", tt__shape_text_of(l->in).s);
  if (!(l->eps > 0.0f)) return tt__layer_fail(l, "layernorm", "eps must be positive, got %g", (double)l->eps);
  int D = l->in.d[l->in.rank - 1];
  l->out = l->in;
  l->w_count = l->b_count = (size_t)D;
  l->saved_per_sample = 2 * (size_t)(tt__shape_size(l->in) / D);  // (rows, 2): mean, rstd
  l->workspace_fixed = l->workspace_per_sample = 0;
  return TT_OK;
}

static void layernorm_init(tt__layer *l, tt__rng *rng) {
  for (size_t i = 0; i < l->w_count; i++) l->w[i] = 1.0f;
  memset(l->b, 0, l->b_count * sizeof(float));
}

static void layernorm_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  int D = l->in.d[l->in.rank - 1];
  size_t rows = (size_t)B * (tt__shape_size(l->in) / D);
  for (size_t r = 0; r < rows; r++) {
    const float *x = in + r * D;  // (D)
    float *y = out + r * D;       // (D)
    double sum = 0.0, sq = 0.0;
    for (int i = 0; i < D; i++) sum += x[i];
    double mean = sum / D;
    for (int i = 0; i < D; i++) sq += (x[i] - mean) * (x[i] - mean);
    float rstd = (float)(1.0 / sqrt(sq / D + (double)l->eps)), m = (float)mean;
    for (int i = 0; i < D; i++) y[i] = (x[i] - m) * rstd * l->w[i] + l->b[i];
    l->saved[2 * r] = m;
    l->saved[2 * r + 1] = rstd;
  }
}

static void layernorm_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out,
                               int B, tt__ctx *ctx) {
  int D = l->in.d[l->in.rank - 1];
  size_t rows = (size_t)B * (tt__shape_size(l->in) / D);
  for (size_t r = 0; r < rows; r++) {
    const float *x = in + r * D, *dy = dout + r * D;  // (D)
    float m = l->saved[2 * r], rstd = l->saved[2 * r + 1];
    // means over the row of dnorm = dy * gamma and of dnorm * xhat, for the input gradient
    float mean_dn = 0.0f, mean_dnx = 0.0f;
    for (int i = 0; i < D; i++) {
      float xhat = (x[i] - m) * rstd, dn = dy[i] * l->w[i];
      l->dw[i] += dy[i] * xhat;
      l->db[i] += dy[i];
      mean_dn += dn;
      mean_dnx += dn * xhat;
    }
    if (!din) continue;
    mean_dn /= (float)D;
    mean_dnx /= (float)D;
    float *dx = din + r * D;
    for (int i = 0; i < D; i++) {
      float xhat = (x[i] - m) * rstd;
      dx[i] = rstd * (dy[i] * l->w[i] - mean_dn - xhat * mean_dnx);
    }
  }
}

static double layernorm_flops(const tt__layer *l) { return 8.0 * tt__shape_size(l->in); }

const tt__layer_ops tt__layernorm_ops = {"layernorm", layernorm_setup, layernorm_init, layernorm_forward,
                                         layernorm_backward, layernorm_flops};
