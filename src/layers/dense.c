/* dense: y = x·Wᵀ + b over the last dim, as torch.nn.Linear. Input [IN] or [T, IN] (then applied to each of
 * the T positions, so a batch is B*T rows). W (OUT, IN), b (OUT). */
#include <string.h>

#include "../kernels/kernels.h"
#include "layer_util.h"

static int dense_rows(const tt__layer *l) { return l->in.rank == 2 ? l->in.d[0] : 1; }

static int dense_setup(tt__layer *l) {
  if (l->in.rank == 3)
    return tt__layer_fail(l, "dense", "expects a flat input, got %s: add {\"type\": \"flatten\"} before it",
                          tt__shape_text_of(l->in).s);
  if (l->in.rank < 1 || l->in.rank > 2)
    return tt__layer_fail(l, "dense", "expects an input of shape [features] or [positions, features], got %s",
                          tt__shape_text_of(l->in).s);
  if (tt__layer_positive(l, "dense", "units", l->units)) return TT_ERR_SPEC;
  int IN = l->in.d[l->in.rank - 1];
  size_t wc = tt__mul((size_t)IN, (size_t)l->units);
  size_t oc = tt__mul((size_t)dense_rows(l), (size_t)l->units);
  /* say how big it would be, so a person sees how far off the spec is */
  if (!tt__layer_count_ok(wc))
    return tt__layer_fail(l, "dense", "%d units on an input of %s need %.0f weights (%.1f GiB); at most %d per layer "
                          "are supported", l->units, tt__shape_text_of(l->in).s, (double)IN * l->units,
                          (double)IN * l->units * sizeof(float) / (1024.0 * 1024.0 * 1024.0), INT_MAX);
  if (!tt__layer_count_ok(oc))
    return tt__layer_fail(l, "dense", "%d units on an input of %s give %.0f values per sample; at most %d are "
                          "supported", l->units, tt__shape_text_of(l->in).s, (double)dense_rows(l) * l->units, INT_MAX);
  l->out = l->in;
  l->out.d[l->out.rank - 1] = l->units;
  l->w_count = wc;
  l->b_count = l->bias ? (size_t)l->units : 0;
  l->saved_per_sample = 0;
  l->workspace_fixed = l->workspace_per_sample = 0;
  return TT_OK;
}

static void dense_init(tt__layer *l, tt__rng *rng) {
  int IN = l->in.d[l->in.rank - 1];
  tt__layer_init_weights(l->w, l->w_count, IN, l->units, l->init_he, rng);
  if (l->b) memset(l->b, 0, l->b_count * sizeof(float));
}

#ifdef TT_INT8
/* Workspace of the int8 forward pass: a row of the input as int16 (IN rounded up to even), its nonzero pairs (ints). */
size_t tt__dense_i8_workspace(const tt__layer *l) { return (size_t)(l->in.d[l->in.rank - 1] + 1); }
#endif

static void dense_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  int IN = l->in.d[l->in.rank - 1], OUT = l->units, rows = B * dense_rows(l);
#ifdef TT_INT8
  if (!l->w) { // int8 weights (layers.h): each row of the input as int16 with its own scale s, out[j] = (xq · wq[j]) (w_scale[j] s)
    const int pairs = (IN + 1) / 2;
    int16_t *xq = (int16_t *)ctx->workspace;         // (2 pairs): a zero after an odd IN
    int *nz = (int *)ctx->workspace + pairs;         // (pairs)
    xq[2 * pairs - 1] = 0;
    for (int r = 0; r < rows; r++) {
      const float s = tt__quantize_i16(xq, in + (size_t)r * IN, IN, tt__i8_limit(IN));
      tt__gemm_i8(out + (size_t)r * OUT, 0, 1, xq, 2 * pairs, l->wq, l->w_scale, s, 1, OUT, IN, nz);
    }
  } else
#endif
  { // out (rows, OUT) = in (rows, IN) · Wᵀ, W (OUT, IN)
    tt__gemm(0, 1, rows, OUT, IN, in, IN, l->w, IN, 0.0f, out, OUT);
  }
  tt__bias_act(out, l->bias ? l->b : NULL, rows, OUT, l->act);
}

static void dense_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                           tt__ctx *ctx) {
  int IN = l->in.d[l->in.rank - 1], OUT = l->units, rows = B * dense_rows(l);
  // dW (OUT, IN) += doutᵀ (OUT, rows) · in (rows, IN)
  tt__gemm(1, 0, OUT, IN, rows, dout, OUT, in, IN, 1.0f, l->dw, IN);
  if (l->bias) tt__sum_rows(l->db, dout, rows, OUT);  // db (OUT) += Σ_rows dout
  // din (rows, IN) = dout (rows, OUT) · W (OUT, IN)
  if (din) tt__gemm(0, 0, rows, IN, OUT, dout, OUT, l->w, IN, 0.0f, din, IN);
}

static double dense_flops(const tt__layer *l) {
  double IN = l->in.d[l->in.rank - 1], OUT = l->units, rows = dense_rows(l);
  return rows * (2.0 * IN * OUT + (l->bias ? OUT : 0.0));
}

const tt__layer_ops tt__dense_ops = {"dense", dense_setup, dense_init, dense_forward, dense_backward, dense_flops};
