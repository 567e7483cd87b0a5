/* flatten: any per-sample shape ([C, H, W], [T, D]) to [N], as torch.nn.Flatten(). The data is already
 * contiguous per sample, so forward and backward are copies. */
#include <string.h>

#include "layer_util.h"

static int flatten_setup(tt__layer *l) {
  if (l->in.rank < 1 || l->in.rank > TT_MAX_RANK || !tt__layer_count_ok((size_t)tt__shape_size(l->in)))
    return tt__layer_fail(l, "flatten", "cannot flatten an input of shape %s", tt__shape_text_of(l->in).s);
  l->out.rank = 1;
  l->out.d[0] = tt__shape_size(l->in);
  l->out.d[1] = l->out.d[2] = 0;
  l->w_count = l->b_count = 0;
  l->saved_per_sample = 0;
  l->workspace_fixed = l->workspace_per_sample = 0;
  return TT_OK;
}

static void flatten_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  if (out != in) memcpy(out, in, (size_t)B * l->out.d[0] * sizeof(float));
}

static void flatten_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                             tt__ctx *ctx) {
  if (din && din != dout) memcpy(din, dout, (size_t)B * l->out.d[0] * sizeof(float));
}

static double flatten_flops(const tt__layer *l) { return 0.0; }

const tt__layer_ops tt__flatten_ops = {"flatten", flatten_setup, NULL, flatten_forward, flatten_backward,
                                       flatten_flops};
