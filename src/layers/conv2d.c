/* conv2d as torch.nn.Conv2d(C, F, K, stride, padding): input (C, H, W), W (F, C, K, K), b (F), output
 * (F, OH, OW), on the batch convolution kernels (stride 1, implicit GEMM): forward, the weight gradient, and the
 * input gradient as the adjoint convolution of dout (pads K-1-pad, the kernel rotated by 180°). A stride S > 1 runs
 * the stride-1 convolution per sample into a full-resolution map (OH1, OW1) and keeps every S-th row and column;
 * backward spreads dout over that map with zeros in between (S² more work than needed: no model in the demos uses
 * strides, and one code path keeps the module small). Workspace: the kernels' scratch, the full map (strides
 * only), then a row of ones (the bias gradient as a GEMV). */
#include <string.h>

#include "../kernels/kernels.h"
#include "layer_util.h"

static int conv_setup(tt__layer *l) {
  if (l->in.rank != 3)
    return tt__layer_fail(l, "conv2d", "expects an input of shape [channels, height, width], got %s",
                          tt__shape_text_of(l->in).s);
  if (l->filters <= 0) return tt__layer_fail(l, "conv2d", "filters must be a positive integer, got %d", l->filters);
  if (l->kernel <= 0) return tt__layer_fail(l, "conv2d", "kernel must be a positive integer, got %d", l->kernel);
  if (l->stride <= 0) return tt__layer_fail(l, "conv2d", "stride must be a positive integer, got %d", l->stride);
  int C = l->in.d[0], H = l->in.d[1], W = l->in.d[2], K = l->kernel;
  if (l->padding_same) {
    if (l->stride != 1)
      return tt__layer_fail(l, "conv2d", "padding \"same\" needs stride 1, got stride %d", l->stride);
    // PyTorch: total padding K-1, the odd one out goes to the bottom/right
    l->pad_lo = (K - 1) / 2;
    l->pad_hi = K - 1 - l->pad_lo;
  } else {
    if (l->padding < 0) return tt__layer_fail(l, "conv2d", "padding must be 0 or more, got %d", l->padding);
    l->pad_lo = l->pad_hi = l->padding;
  }
  long ph = (long)H + l->pad_lo + l->pad_hi, pw = (long)W + l->pad_lo + l->pad_hi;
  if (K > ph || K > pw)
    return tt__layer_fail(l, "conv2d", "kernel %d is larger than the padded input %ldx%ld", K, ph, pw);
  int OH = (int)((ph - K) / l->stride + 1), OW = (int)((pw - K) / l->stride + 1);
  size_t ckk = tt__mul(tt__mul((size_t)C, (size_t)K), (size_t)K);
  size_t wc = tt__mul(ckk, (size_t)l->filters);
  size_t oc = tt__mul((size_t)l->filters, tt__mul((size_t)OH, (size_t)OW));
  // the stride-1 map's size (OH1, OW1) and the scratch of the three kernel calls on it
  const int OH1 = (int)(ph - K + 1), OW1 = (int)(pw - K + 1);
  const size_t fwd = tt_conv_ws_floats(C, H, W, l->filters, K, l->pad_lo, l->pad_hi);
  const size_t adj = tt_conv_ws_floats(l->filters, OH1, OW1, C, K, K - 1 - l->pad_lo, K - 1 - l->pad_hi);
  const size_t full = l->stride > 1 ? tt__mul((size_t)l->filters, tt__mul((size_t)OH1, (size_t)OW1)) : 0;
  if (!tt__layer_count_ok(wc) || !tt__layer_count_ok(oc) || !tt__layer_count_ok(fwd) || !tt__layer_count_ok(adj) ||
      !tt__layer_count_ok(full))
    return tt__layer_fail(l, "conv2d", "%d filters of %dx%d on an input of %s is too large", l->filters, K, K,
                          tt__shape_text_of(l->in).s);
  l->out.rank = 3;
  l->out.d[0] = l->filters;
  l->out.d[1] = OH;
  l->out.d[2] = OW;
  l->w_count = wc;
  l->b_count = l->bias ? (size_t)l->filters : 0;
  l->saved_per_sample = 0;
  l->workspace_fixed = tt__add(tt__add(fwd > adj ? fwd : adj, full), tt__mul((size_t)OH, (size_t)OW));
  l->workspace_per_sample = 0;
  return TT_OK;
}

static void conv_init(tt__layer *l, tt__rng *rng) {
  int KK = l->kernel * l->kernel;
  tt__layer_init_weights(l->w, l->w_count, l->in.d[0] * KK, l->filters * KK, l->init_he, rng);
  if (l->b) memset(l->b, 0, l->b_count * sizeof(float));
}

/* The workspace: the kernels' scratch at the start, then the stride-1 map (F, OH1, OW1) of one sample (strides
 * > 1 only), then a row of P ones, at the end. */
typedef struct {
  int C, H, W, K, F, S, OH, OW, P, OH1, OW1;
  float *scratch, *full, *ones;
} conv_dims;

static conv_dims conv_dims_of(const tt__layer *l, float *ws) {
  conv_dims d = {l->in.d[0], l->in.d[1], l->in.d[2], l->kernel, l->filters, l->stride, l->out.d[1], l->out.d[2]};
  d.P = d.OH * d.OW;
  d.OH1 = d.H + l->pad_lo + l->pad_hi - d.K + 1;
  d.OW1 = d.W + l->pad_lo + l->pad_hi - d.K + 1;
  d.scratch = ws;
  d.ones = ws + l->workspace_fixed - d.P;
  d.full = d.ones - (d.S > 1 ? (size_t)d.F * d.OH1 * d.OW1 : 0);
  return d;
}

static void conv_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  const conv_dims d = conv_dims_of(l, ctx->workspace);
  const float *bias = l->bias ? l->b : NULL;
  if (d.S == 1) {
    tt__conv_forward(out, in, l->w, bias, B, d.C, d.H, d.W, d.F, d.K, l->pad_lo, l->pad_hi, 0, d.scratch);
    return;
  }
  for (int s = 0; s < B; s++) {
    // the stride-1 map of sample s, then every S-th row and column of it
    tt__conv_forward(d.full, in + (size_t)s * d.C * d.H * d.W, l->w, bias, 1, d.C, d.H, d.W, d.F, d.K, l->pad_lo,
                     l->pad_hi, 0, d.scratch);
    float *y = out + (size_t)s * d.F * d.P;  // (F, OH, OW)
    for (int f = 0; f < d.F; f++)
      for (int oh = 0; oh < d.OH; oh++)
        for (int ow = 0; ow < d.OW; ow++)
          *y++ = d.full[((size_t)f * d.OH1 + (size_t)oh * d.S) * d.OW1 + (size_t)ow * d.S];
  }
}

static void conv_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                          tt__ctx *ctx) {
  const conv_dims d = conv_dims_of(l, ctx->workspace);
  const int adj_lo = d.K - 1 - l->pad_lo, adj_hi = d.K - 1 - l->pad_hi;  // the adjoint's pads (negative: crop)
  // db (F) += dy (F, P) · ones: a SIMD GEMV per sample, not a serial sum
  if (l->bias) tt__fill(d.ones, 1.0f, (size_t)d.P);
  for (int s = 0; s < B && l->bias; s++)
    tt__gemm(0, 0, d.F, 1, d.P, dout + (size_t)s * d.F * d.P, d.P, d.ones, 1, 1.0f, l->db, 1);
  if (d.S == 1) {
    tt__conv_backward_w(l->dw, dout, in, B, d.C, d.H, d.W, d.F, d.K, l->pad_lo, l->pad_hi, d.scratch);
    // din = dout ⋆ W rotated: the adjoint convolution (written, not accumulated)
    if (din) tt__conv_forward(din, dout, l->w, NULL, B, d.F, d.OH, d.OW, d.C, d.K, adj_lo, adj_hi, 1, d.scratch);
    return;
  }
  for (int s = 0; s < B; s++) {
    // dy of sample s spread over the stride-1 map, zeros in between; then the stride-1 gradients of that map
    const float *dy = dout + (size_t)s * d.F * d.P;  // (F, OH, OW)
    tt__fill(d.full, 0.0f, (size_t)d.F * d.OH1 * d.OW1);
    for (int f = 0; f < d.F; f++)
      for (int oh = 0; oh < d.OH; oh++)
        for (int ow = 0; ow < d.OW; ow++)
          d.full[((size_t)f * d.OH1 + (size_t)oh * d.S) * d.OW1 + (size_t)ow * d.S] = *dy++;
    const size_t at = (size_t)s * d.C * d.H * d.W;
    tt__conv_backward_w(l->dw, d.full, in + at, 1, d.C, d.H, d.W, d.F, d.K, l->pad_lo, l->pad_hi, d.scratch);
    if (din)
      tt__conv_forward(din + at, d.full, l->w, NULL, 1, d.F, d.OH1, d.OW1, d.C, d.K, adj_lo, adj_hi, 1, d.scratch);
  }
}

static double conv_flops(const tt__layer *l) {
  double CKK = (double)l->in.d[0] * l->kernel * l->kernel, outs = (double)tt__shape_size(l->out);
  return outs * (2.0 * CKK + (l->bias ? 1.0 : 0.0));
}

const tt__layer_ops tt__conv2d_ops = {"conv2d", conv_setup, conv_init, conv_forward, conv_backward, conv_flops};
