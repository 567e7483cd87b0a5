/* dropout: inverted dropout as torch.nn.Dropout(rate). In training each value is kept with probability
 * 1 - rate and scaled by 1 / (1 - rate), so inference is the identity. The mask (0 or the scale per value)
 * comes from ctx->rng, one draw per value in order, and is saved for backward. */
#include <string.h>

#include "layer_util.h"

static int dropout_setup(tt__layer *l) {
  if (!(l->rate >= 0.0f && l->rate < 1.0f))
    return tt__layer_fail(l, "dropout", "rate must be at least 0 and below 1, got %g", (double)l->rate);
  if (l->in.rank < 1 || tt__shape_size(l->in) < 1 || !tt__layer_count_ok((size_t)tt__shape_size(l->in)))
    return tt__layer_fail(l, "dropout", "cannot apply to an input of shape %s", tt__shape_text_of(l->in).s);
  l->out = l->in;
  l->w_count = l->b_count = 0;
  l->saved_per_sample = (size_t)tt__shape_size(l->in);  // mask
  l->workspace_fixed = l->workspace_per_sample = 0;
  return TT_OK;
}

static void dropout_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  size_t n = (size_t)B * tt__shape_size(l->in);
  if (!ctx || !ctx->training) {
    if (out != in) memcpy(out, in, n * sizeof(float));
    return;
  }
  float scale = 1.0f / (1.0f - l->rate), *mask = l->saved;  // (B, N)
  for (size_t i = 0; i < n; i++) {
    mask[i] = tt__rng_uniform(ctx->rng) >= l->rate ? scale : 0.0f;
    out[i] = in[i] * mask[i];
  }
}

static void dropout_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                             tt__ctx *ctx) {
  if (!din) return;
  size_t n = (size_t)B * tt__shape_size(l->in);
  if (!ctx || !ctx->training) {
    if (din != dout) memcpy(din, dout, n * sizeof(float));
    return;
  }
  for (size_t i = 0; i < n; i++) din[i] = dout[i] * l->saved[i];
}

static double dropout_flops(const tt__layer *l) { return (double)tt__shape_size(l->in); }

const tt__layer_ops tt__dropout_ops = {"dropout", dropout_setup, NULL, dropout_forward, dropout_backward,
                                       dropout_flops};
