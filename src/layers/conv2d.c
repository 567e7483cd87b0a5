/* conv2d as torch.nn.Conv2d(C, F, K, stride, padding): input (C, H, W), W (F, C, K, K), b (F), output
 * (F, OH, OW). Stride 1 (every model in the demos) runs the batch convolution kernels (an implicit GEMM):
 * forward, the weight gradient, and the input gradient as the adjoint convolution of dout (pads K-1-pad, the
 * kernel rotated by 180°). Sparse data takes one sparse kernel, which skips the zero terms of the same sums: for
 * both gradients when dout is mostly zeros (relu then max pooling), and with the roles swapped for the forward
 * pass and the weight gradient when the input is (MNIST's pixels). Larger strides run per sample as im2col + one
 * GEMM: col (C*K*K, OH*OW) is the input unrolled so that out (F, OH*OW) = W (F, C*K*K) · col; backward rebuilds
 * col for dW, then reuses that buffer for dcol = Wᵀ · dout and folds it back into din with col2im. Workspace: the
 * kernels' scratch or the column buffer, then a row of ones (the bias gradient as a GEMV). */
#include <string.h>

#include "../core/testing.h"
#include "../kernels/kernels.h"
#include "layer_util.h"

static int conv_setup(tt__layer *l) {
  if (l->in.rank != 3)
    return tt__layer_fail(l, "conv2d", "expects an input of shape [channels, height, width], got %s",
                          tt__shape_text_of(l->in).s);
  if (tt__layer_positive(l, "conv2d", "filters", l->filters) || tt__layer_positive(l, "conv2d", "kernel", l->kernel) ||
      tt__layer_positive(l, "conv2d", "stride", l->stride))
    return TT_ERR_SPEC;
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
  // stride 1: the batch kernels' scratch, one bound for all their uses: the forward pass and the dy-sparse pass (C
  // channels, the input padded to H + pad_lo + pad_hi), the adjoint and the input-sparse passes (F channels, dout
  // padded to OH + 2K - 2 - pad_lo - pad_hi = H + K - 1). Both sizes grow with channels, filters and padded size.
  // Else the column buffer.
  const int CF = C > l->filters ? C : l->filters, pads = l->pad_lo + l->pad_hi > K - 1 ? l->pad_lo + l->pad_hi : K - 1;
  const tt__conv_shape bound = {.B = 1, .C = CF, .H = H, .W = W, .F = CF, .k = K, .pad_lo = 0, .pad_hi = pads};
  const size_t dense = tt__conv_ws_floats(&bound), sparse = tt__conv_sparse_ws_floats(&bound);
  const size_t stride1 = dense > sparse ? dense : sparse;
  const size_t scratch = l->stride > 1 ? tt__mul(ckk, tt__mul((size_t)OH, (size_t)OW)) : stride1;
  if (!tt__layer_count_ok(wc) || !tt__layer_count_ok(oc) || !tt__layer_count_ok(scratch))
    return tt__layer_fail(l, "conv2d", "%d filters of %dx%d on an input of %s is too large", l->filters, K, K,
                          tt__shape_text_of(l->in).s);
  l->out.rank = 3;
  l->out.d[0] = l->filters;
  l->out.d[1] = OH;
  l->out.d[2] = OW;
  l->w_count = wc;
  l->b_count = l->bias ? (size_t)l->filters : 0;
  l->saved_per_sample = 0;
  l->workspace_fixed = tt__add(scratch, tt__mul((size_t)OH, (size_t)OW));
  l->workspace_per_sample = 0;
  return TT_OK;
}

static void conv_init(tt__layer *l, tt__rng *rng) {
  int KK = l->kernel * l->kernel;
  tt__layer_init_weights(l->w, l->w_count, l->in.d[0] * KK, l->filters * KK, l->init_he, rng);
  if (l->b) memset(l->b, 0, l->b_count * sizeof(float));
}

/* Sizes of a batch of B, and the workspace: the kernels' scratch (or the column buffer) first, a row of P ones at
 * the end. `shape` is the layer's convolution as the stride-1 kernels take it, `adjoint` its adjoint
 * (tt__conv_adjoint: the input gradient, and the input-sparse passes). */
typedef struct {
  tt__conv_shape shape, adjoint;  // C, H, W, F and k are shape's
  int S, OH, OW, P, CKK;
  float *scratch, *ones;
} conv_dims;

static conv_dims conv_dims_of(const tt__layer *l, float *ws, int B) {
  const int P = l->out.d[1] * l->out.d[2];
  conv_dims d = {.S = l->stride, .OH = l->out.d[1], .OW = l->out.d[2], .P = P,
                 .CKK = l->in.d[0] * l->kernel * l->kernel, .scratch = ws, .ones = ws + l->workspace_fixed - P,
                 .shape = {.B = B, .C = l->in.d[0], .H = l->in.d[1], .W = l->in.d[2], .F = l->filters,
                           .k = l->kernel, .pad_lo = l->pad_lo, .pad_hi = l->pad_hi}};
  d.adjoint = tt__conv_adjoint(&d.shape);
  return d;
}

#ifdef TT_TESTING
unsigned tt__conv2d_sparse_calls;  // core/testing.h
#endif

/* An input that is mostly zeros (MNIST's pixels: ~19% ink) makes the forward pass (y set) and the weight gradient
 * (y NULL) sums over its nonzeros: the sparse kernel in the adjoint of the layer's shape (tt__conv_adjoint), with x
 * (B, C, H, W) as its "dy" (C filters, H×W outputs) and the weights (F, C, K, K) read as (C, F) rotated by 180°. Its
 * input-gradient half is then y = bias + w ⋆ x, its weight-gradient half (dout as its "x") dW += Σ_b dout ⋆ x,
 * each the dense kernels' sums in their order (x's positions ascending are output positions ascending): the same
 * results bit for bit. Counts x's nonzeros first: 0 when the dense kernels are faster
 * (tt__conv_sparse_input_limit) or the pads do not allow it. */
static int conv_sparse_input(const tt__layer *l, const conv_dims *d, float *y, const float *in, const float *dout,
                             int B) {
  const size_t n = (size_t)B * d->shape.C * d->shape.H * d->shape.W;
  // the kernel's pads must be >= 0
  if (d->S != 1 || (d->adjoint.pad_lo | d->adjoint.pad_hi) < 0 ||
      !tt__conv_sparse(y ? NULL : l->dw, y, in, dout, l->w, l->bias ? l->b : NULL, &d->adjoint,
                       tt__conv_sparse_input_limit(n, d->shape.F, d->shape.k), d->scratch))
    return 0;
  TT__COUNT_SPARSE_CALL();
  return 1;
}

/* out = the convolution of in plus the bias, by the kernel that suits the data and the stride */
static void conv_linear(tt__layer *l, float *out, const float *in, int B, const conv_dims *d) {
  if (conv_sparse_input(l, d, out, in, NULL, B)) return;
  if (d->S == 1) {
    tt__conv_forward(out, in, l->w, l->bias ? l->b : NULL, &d->shape, d->scratch);
    return;
  }
  float *col = d->scratch;  // (CKK, P)
  const int C = d->shape.C, H = d->shape.H, W = d->shape.W;
  for (int s = 0; s < B; s++) {
    float *y = out + (size_t)s * d->shape.F * d->P;  // (F, P)
    tt__im2col(col, in + (size_t)s * C * H * W, C, H, W, d->shape.k, d->S, l->pad_lo, d->OH, d->OW);
    // y starts as the bias (one fill per filter) and the GEMM adds to it: no separate pass over y
    for (int f = 0; f < d->shape.F && l->bias; f++) tt__fill(y + (size_t)f * d->P, l->b[f], (size_t)d->P);
    tt__gemm(0, 0, d->shape.F, d->P, d->CKK, l->w, d->CKK, col, d->P, l->bias ? 1.0f : 0.0f, y, d->P);
  }
}

#ifdef TT_INT8
/* A quantized layer (tt_model_quantize) keeps its weights as int8 (F, C, K, K) with one scale per filter and
 * turns them back into floats at the end of the workspace for each forward pass, then runs the float kernels (the
 * sparse input pass among them): int8 weights at float activations' speed. */
size_t tt__conv2d_i8_workspace(const tt__layer *l) { return tt__add(l->workspace_fixed, l->w_count); }
#endif

#ifdef TT_THREADS
/* The threaded build's stride-1 forward pass with the fused activation: conv_linear's choice of kernel, with the
 * activation applied in the convolution's own chunks, each to the samples it has just written (one job fewer, and
 * no thread reads outputs that another one wrote). Returns 0 when it does not apply (no activation, or a stride). */
static int conv_linear_act(tt__layer *l, float *out, const float *in, int B, const conv_dims *d) {
  if (!l->act || d->S != 1) return 0;
  const float *bias = l->bias ? l->b : NULL;
  const size_t n = (size_t)B * d->shape.C * d->shape.H * d->shape.W;
  if ((d->adjoint.pad_lo | d->adjoint.pad_hi) >= 0 &&
      tt__par_conv_sparse_act(NULL, out, in, NULL, l->w, bias, &d->adjoint,
                              tt__conv_sparse_input_limit(n, d->shape.F, d->shape.k), l->act, d->scratch)) {
    TT__COUNT_SPARSE_CALL();
    return 1;
  }
  tt__par_conv_forward_act(out, in, l->w, bias, &d->shape, l->act, d->scratch);
  return 1;
}
#endif

static void conv_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  const conv_dims d = conv_dims_of(l, ctx->workspace, B);
#ifdef TT_THREADS
  if (l->w && conv_linear_act(l, out, in, B, &d)) return;
#endif
#ifdef TT_INT8
  if (!l->w) { // int8 weights (layers.h)
    tt__layer f32 = *l;
    f32.w = ctx->workspace + l->workspace_fixed - l->w_count;  // (F, CKK)
    for (int f = 0, i = 0; f < d.shape.F; f++)
      for (int end = i + d.CKK; i < end; i++) f32.w[i] = l->wq[i] * l->w_scale[f];
    conv_linear(&f32, out, in, B, &d);
  } else
#endif
    conv_linear(l, out, in, B, &d);
  // the fused activation, in place: the activation layer after this one has no buffer of its own
  if (l->act) tt__bias_act(out, NULL, B * d.shape.F, d.P, l->act);
}

/* The bias gradient for filters [4·lo, 4·hi), one GEMV per sample: each filter's dot products are the same
 * whichever filters share the call (the threaded build splits the filters over threads) */
typedef struct {
  const conv_dims *d;
  const float *dy;
  float *db;
  int B;
} conv_bias_job;

/* The bias gradient's work for its split: none (it stays on one thread) when its rows are shorter than BIAS_ROW, as
 * each block of filters redoes the GEMV's fixed part per sample, which short rows do not repay (bench/README.md) */
#ifdef TT_THREADS
#define BIAS_ROW 512
static double bias_grad_work(const conv_dims *d, int B) {
  return d->P < BIAS_ROW ? 0.0 : (double)B * d->shape.F * d->P;
}
#endif

TT__RANGE_FN void conv_bias_grad(void *arg, int lo, int hi) {
  const conv_bias_job *j = arg;
  // the last block ends at F
  const int F = j->d->shape.F, P = j->d->P, f0 = 4 * lo, n = (hi == (F + 3) / 4 ? F : 4 * hi) - f0;
  for (int s = 0; s < j->B; s++)
    tt__gemm(0, 0, n, 1, P, j->dy + ((size_t)s * F + f0) * P, P, j->d->ones, 1, 1.0f, j->db + f0, 1);
}

static void conv_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                          tt__ctx *ctx) {
  const conv_dims d = conv_dims_of(l, ctx->workspace, B);
  // db (F) += dy (F, P) · ones: a SIMD GEMV per sample, not a serial sum
  if (l->bias) tt__fill(d.ones, 1.0f, (size_t)d.P);
  conv_bias_job j = {&d, dout, l->db, B};
  if (l->bias) tt__parallel_range((d.shape.F + 3) / 4, bias_grad_work(&d, B), conv_bias_grad, &j);
  // dW from the input's nonzeros when it is mostly zeros, in a first layer (no din: MNIST's pixels)
  if (!din && conv_sparse_input(l, &d, NULL, in, dout, B)) return;
  // a gradient that is mostly zeros (after relu and max pooling) takes the sparse kernel, which counts them first
  // (the choice depends on the data only: a seed still gives the same run) and gives the dense kernels' results
  if (d.S == 1 &&
      tt__conv_sparse(l->dw, din, dout, in, l->w, NULL, &d.shape,
                      tt__conv_sparse_limit((size_t)B * d.shape.F * d.P, d.shape.C, d.shape.k), d.scratch)) {
    TT__COUNT_SPARSE_CALL();
    return;
  }
  if (d.S == 1) {
    tt__conv_backward_w(l->dw, dout, in, &d.shape, d.scratch);
    // din = dout ⋆ W rotated: the adjoint convolution (written, not accumulated)
    if (din) tt__conv_forward(din, dout, l->w, NULL, &d.adjoint, d.scratch);
    return;
  }
  float *col = d.scratch;  // (CKK, P): first the input columns, then their gradient
  for (int s = 0; s < B; s++) {
    const float *x = in + (size_t)s * d.shape.C * d.shape.H * d.shape.W;  // (C, H, W)
    const float *dy = dout + (size_t)s * d.shape.F * d.P;      // (F, P)
    // dW (F, CKK) += dy (F, P) · colᵀ (P, CKK)
    tt__im2col(col, x, d.shape.C, d.shape.H, d.shape.W, d.shape.k, d.S, l->pad_lo, d.OH, d.OW);
    tt__gemm(0, 1, d.shape.F, d.CKK, d.P, dy, d.P, col, d.P, 1.0f, l->dw, d.CKK);
    if (!din) continue;
    // dcol (CKK, P) = Wᵀ (CKK, F) · dy (F, P), then scatter-add into din (C, H, W)
    float *dx = din + (size_t)s * d.shape.C * d.shape.H * d.shape.W;
    tt__gemm(1, 0, d.CKK, d.P, d.shape.F, l->w, d.CKK, dy, d.P, 0.0f, col, d.P);
    tt__fill(dx, 0.0f, (size_t)d.shape.C * d.shape.H * d.shape.W);
    tt__col2im(dx, col, d.shape.C, d.shape.H, d.shape.W, d.shape.k, d.S, l->pad_lo, d.OH, d.OW);
  }
}

static double conv_flops(const tt__layer *l) {
  double CKK = (double)l->in.d[0] * l->kernel * l->kernel, outs = (double)tt__shape_size(l->out);
  return outs * (2.0 * CKK + (l->bias ? 1.0 : 0.0));
}

const tt__layer_ops tt__conv2d_ops = {"conv2d", conv_setup, conv_init, conv_forward, conv_backward, conv_flops};
