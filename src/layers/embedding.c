/* embedding as torch.nn.Embedding(vocab, dim): input [T] of token indices stored as floats, output (T, dim),
 * W (vocab, dim). Indices are validated as integers in [0, vocab) by the data checks; here they are clamped
 * anyway so a bad value can never read or write outside W. The input is not differentiable: din is zero. */
#include <string.h>

#include "../kernels/kernels.h"
#include "../kernels/parallel.h"
#include "layer_util.h"

static int embedding_setup(tt__layer *l) {
  if (l->in.rank != 1)
    return tt__layer_fail(l, "embedding", "expects an input of token indices [T], got %s",
                          tt__shape_text_of(l->in).s);
  if (tt__layer_positive(l, "embedding", "vocab", l->vocab) || tt__layer_positive(l, "embedding", "dim", l->dim))
    return TT_ERR_SPEC;
  size_t wc = tt__mul((size_t)l->vocab, (size_t)l->dim), oc = tt__mul((size_t)l->in.d[0], (size_t)l->dim);
  if (!tt__layer_count_ok(wc) || !tt__layer_count_ok(oc))
    return tt__layer_fail(l, "embedding", "vocab %d x dim %d on %d tokens is too large", l->vocab, l->dim,
                          l->in.d[0]);
  l->out.rank = 2;
  l->out.d[0] = l->in.d[0];
  l->out.d[1] = l->dim;
  l->out.d[2] = 0;
  l->w_count = wc;
  l->b_count = 0;
  l->saved_per_sample = 0;
  l->workspace_fixed = l->workspace_per_sample = 0;
  return TT_OK;
}

static void embedding_init(tt__layer *l, tt__rng *rng) {
  for (size_t i = 0; i < l->w_count; i++) l->w[i] = tt__rng_normal(rng);  // N(0, 1), as PyTorch
}

static size_t token_row(const tt__layer *l, float v) {
  if (!(v >= 0.0f)) return 0;  // also catches NaN
  if (v >= (float)(l->vocab - 1)) return (size_t)(l->vocab - 1);
  return (size_t)v;
}

/* The loops below, which the threaded build splits over threads: the forward pass by tokens [lo, hi), the backward
 * pass by blocks of 16 columns [lo, hi) of W, each adding every token's gradient in token order (+=: a token may
 * repeat). */
typedef struct {
  const tt__layer *l;
  float *out;
  const float *in, *dout;
  size_t n;
} embedding_job;

TT__RANGE_FN void embedding_tokens(void *arg, int lo, int hi) {
  const embedding_job *j = arg;
  const size_t D = (size_t)j->l->dim;
  for (size_t t = (size_t)lo; t < (size_t)hi; t++)
    memcpy(j->out + t * D, j->l->w + token_row(j->l, j->in[t]) * D, D * sizeof(float));
}

TT__RANGE_FN void embedding_columns(void *arg, int lo, int hi) {
  const embedding_job *j = arg;
  const size_t D = (size_t)j->l->dim, end = (size_t)hi == (D + 15) / 16 ? D : (size_t)hi * 16;
  for (size_t t = 0; t < j->n; t++) {
    float *dw = j->l->dw + token_row(j->l, j->in[t]) * D;
    const float *dy = j->dout + t * D;
    for (size_t i = (size_t)lo * 16; i < end; i++) dw[i] += dy[i];
  }
}

static void embedding_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  size_t n = (size_t)B * l->in.d[0];
  embedding_job j = {l, out, in, NULL, n};
  tt__parallel_range((int)n, (double)n * l->dim, embedding_tokens, &j);
}

static void embedding_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out,
                               int B, tt__ctx *ctx) {
  size_t n = (size_t)B * l->in.d[0], D = (size_t)l->dim;
  embedding_job j = {l, NULL, in, dout, n};
  tt__parallel_range((int)((D + 15) / 16), (double)n * D, embedding_columns, &j);
  if (din) memset(din, 0, n * sizeof(float));
}

static double embedding_flops(const tt__layer *l) { return (double)l->in.d[0] * l->dim; }

const tt__layer_ops tt__embedding_ops = {"embedding", embedding_setup, embedding_init, embedding_forward,
                                         embedding_backward, embedding_flops};
