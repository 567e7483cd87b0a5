/* layernorm as torch.nn.LayerNorm(D): normalise each row of the last dim D to zero mean and unit (biased)
 * variance, then y = xhat * gamma + beta, gamma = w (D), beta = b (D) (the kernel tt_f32_layernorm). Saves mean
 * and rstd = 1/sqrt(var + eps) per row for backward. */
#include <string.h>

#include "../kernels/kernels.h"
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
  tt__layernorm(out, l->saved, in, l->w, l->b, B * (tt__shape_size(l->in) / D), D, l->eps);
}

static void layernorm_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out,
                               int B, tt__ctx *ctx) {
  int D = l->in.d[l->in.rank - 1];
  tt__layernorm_backward(din, l->dw, l->db, dout, in, l->saved, l->w, B * (tt__shape_size(l->in) / D), D);
}

static double layernorm_flops(const tt__layer *l) { return 8.0 * tt__shape_size(l->in); }

const tt__layer_ops tt__layernorm_ops = {"layernorm", layernorm_setup, layernorm_init, layernorm_forward,
                                         layernorm_backward, layernorm_flops};
