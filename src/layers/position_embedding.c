/* position_embedding: adds a learned table W (length, D) to an input [T, D], row t to position t, for T <= length
 * (a shorter input uses the first T rows). Initialised N(0, 0.02²), as GPT-2's position table. */
#include "../kernels/kernels.h"
#include "layer_util.h"

static int position_embedding_setup(tt__layer *l) {
  if (l->in.rank != 2)
    return tt__layer_fail(l, "position_embedding", "expects an input of shape [positions, features], got %s",
                          tt__shape_text_of(l->in).s);
  if (tt__layer_positive(l, "position_embedding", "length", l->length)) return TT_ERR_SPEC;
  if (l->in.d[0] > l->length)
    return tt__fail(TT_ERR_SPEC, "%s.length: expected at least the input's %d positions, got %d", l->path,
                    l->in.d[0], l->length);
  size_t wc = tt__mul((size_t)l->length, (size_t)l->in.d[1]);
  if (!tt__layer_count_ok(wc))
    return tt__layer_fail(l, "position_embedding", "length %d x %d features is too large", l->length, l->in.d[1]);
  l->out = l->in;
  l->w_count = wc;
  l->b_count = 0;
  l->saved_per_sample = 0;
  l->workspace_fixed = l->workspace_per_sample = 0;
  return TT_OK;
}

static void position_embedding_init(tt__layer *l, tt__rng *rng) {
  for (size_t i = 0; i < l->w_count; i++) l->w[i] = 0.02f * tt__rng_normal(rng);
}

static void position_embedding_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  size_t n = (size_t)tt__shape_size(l->in);  // T * D: the first T rows of W, for every sample
  for (int b = 0; b < B; b++)
    for (size_t i = 0; i < n; i++) out[b * n + i] = in[b * n + i] + l->w[i];
}

static void position_embedding_backward(tt__layer *l, float *din, const float *dout, const float *in,
                                        const float *out, int B, tt__ctx *ctx) {
  size_t n = (size_t)tt__shape_size(l->in);
  tt__sum_rows(l->dw, dout, B, (int)n);  // dw (n) += Σ_b dout[b], each column's rows in order
  if (din && din != dout)
    for (size_t i = 0; i < (size_t)B * n; i++) din[i] = dout[i];
}

static double position_embedding_flops(const tt__layer *l) { return tt__shape_size(l->in); }

void tt__position_embedding_forward_at(tt__layer *l, float *out, const float *in, int pos, tt__ctx *ctx) {
  int D = l->in.d[1];
  for (int i = 0; i < D; i++) out[i] = in[i] + l->w[(size_t)pos * D + i];
}

const tt__layer_ops tt__position_embedding_ops = {"position_embedding", position_embedding_setup,
                                                  position_embedding_init, position_embedding_forward,
                                                  position_embedding_backward, position_embedding_flops};
