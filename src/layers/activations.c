/* Element-wise activations (relu, leaky_relu, tanh, sigmoid, gelu, silu) and softmax over the last dim, with the
 * semantics of the torch.nn modules of the same names (GELU in its exact erf form, nn.GELU()'s default).
 * Shapes: out has the input's shape; n = B * (elements per sample). Backward uses whichever of the saved
 * input or output gives the derivative most cheaply. */
#include <math.h>
#include <string.h>

#include "../kernels/kernels.h"
#include "layer_util.h"

/* The setup of every layer here: any shape, out = in, nothing saved. */
static int act_setup(tt__layer *l) {
  const char *name = tt__layer_names[l->type];
  if (l->in.rank < 1 || tt__shape_size(l->in) < 1 || !tt__layer_count_ok((size_t)tt__shape_size(l->in)))
    return tt__layer_fail(l, name, "cannot apply to an input of shape %s", tt__shape_text_of(l->in).s);
  l->out = l->in;
  l->w_count = l->b_count = 0;
  l->saved_per_sample = 0;
  l->workspace_fixed = l->workspace_per_sample = 0;
  return TT_OK;
}

static size_t act_n(const tt__layer *l, int B) { return (size_t)B * (size_t)tt__shape_size(l->in); }
static double act_flops(const tt__layer *l) { return (double)tt__shape_size(l->in); }
static double act_flops_transcendental(const tt__layer *l) { return 10.0 * tt__shape_size(l->in); }

/* ---- relu: y = max(x, 0); dx = dy where y > 0 (PyTorch's gradient at 0 is 0 too) ------------------------ */

static void relu_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  tt__relu(out, in, act_n(l, B));
}
static void relu_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                          tt__ctx *ctx) {
  if (din) tt__relu_backward(din, dout, out, act_n(l, B));
}
const tt__layer_ops tt__relu_ops = {"relu", act_setup, NULL, relu_forward, relu_backward, act_flops};

/* ---- leaky_relu: y = x > 0 ? x : slope * x; the gradient at 0 is slope, as PyTorch -------------------- */

static void leaky_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  size_t n = act_n(l, B);
  float a = l->slope;
  for (size_t i = 0; i < n; i++) out[i] = in[i] > 0.0f ? in[i] : a * in[i];
}
static void leaky_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                           tt__ctx *ctx) {
  if (!din) return;
  size_t n = act_n(l, B);
  float a = l->slope;
  for (size_t i = 0; i < n; i++) din[i] = in[i] > 0.0f ? dout[i] : a * dout[i];
}
const tt__layer_ops tt__leaky_relu_ops = {"leaky_relu", act_setup, NULL, leaky_forward, leaky_backward,
                                          act_flops};

/* ---- tanh: dx = dy * (1 - y²) ------------------------------------------------------------------------------- */

static void tanh_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  tt__tanh(out, in, act_n(l, B)); /* the tanh kernels: within 3e-7 of tanhf, no exp */
}
static void tanh_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                          tt__ctx *ctx) {
  if (!din) return;
  size_t n = act_n(l, B);
  for (size_t i = 0; i < n; i++) din[i] = dout[i] * (1.0f - out[i] * out[i]);
}
const tt__layer_ops tt__tanh_ops = {"tanh", act_setup, NULL, tanh_forward, tanh_backward,
                                    act_flops_transcendental};

/* ---- sigmoid: y = 1 / (1 + e^-x), evaluated without overflow for large |x|; dx = dy * y * (1 - y) --------- */

static float sigmoid_of(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}

static void sigmoid_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  size_t n = act_n(l, B);
  for (size_t i = 0; i < n; i++) out[i] = sigmoid_of(in[i]);
}
static void sigmoid_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                             tt__ctx *ctx) {
  if (!din) return;
  size_t n = act_n(l, B);
  for (size_t i = 0; i < n; i++) din[i] = dout[i] * out[i] * (1.0f - out[i]);
}
const tt__layer_ops tt__sigmoid_ops = {"sigmoid", act_setup, NULL, sigmoid_forward, sigmoid_backward,
                                       act_flops_transcendental};

/* ---- gelu (exact): y = x * Φ(x) = 0.5 x (1 + erf(x / √2)); dx = dy * (Φ(x) + x φ(x)) (the kernel tt_f32_gelu) -- */

static void gelu_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  tt__gelu(out, in, act_n(l, B));
}
static void gelu_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                          tt__ctx *ctx) {
  if (din) tt__gelu_backward(din, dout, in, act_n(l, B));
}
const tt__layer_ops tt__gelu_ops = {"gelu", act_setup, NULL, gelu_forward, gelu_backward,
                                    act_flops_transcendental};

/* ---- silu: y = x σ(x), σ the sigmoid above; dx = dy * σ(x) (1 + x (1 - σ(x))) --------------------------------- */

static void silu_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  size_t n = act_n(l, B);
  for (size_t i = 0; i < n; i++) out[i] = in[i] * sigmoid_of(in[i]);
}
static void silu_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                          tt__ctx *ctx) {
  if (!din) return;
  size_t n = act_n(l, B);
  for (size_t i = 0; i < n; i++) {
    float s = sigmoid_of(in[i]);
    din[i] = dout[i] * s * (1.0f + in[i] * (1.0f - s));
  }
}
const tt__layer_ops tt__silu_ops = {"silu", act_setup, NULL, silu_forward, silu_backward, act_flops_transcendental};

/* ---- softmax over the last dim: rows of D = in.d[rank-1] values; the row max is subtracted first so inputs
 * of 1000 do not overflow. dx = y * (dy - Σ dy·y) per row. ------------------------------------------------- */

static void softmax_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  int D = l->in.d[l->in.rank - 1];
  size_t rows = act_n(l, B) / (size_t)D;
  for (size_t r = 0; r < rows; r++) {
    const float *x = in + r * D;  // (D)
    float *y = out + r * D;       // (D)
    float m = x[0];
    for (int i = 1; i < D; i++)
      if (x[i] > m) m = x[i];
    float sum = 0.0f;
    for (int i = 0; i < D; i++) {
      y[i] = expf(x[i] - m);
      sum += y[i];
    }
    float inv = 1.0f / sum;
    for (int i = 0; i < D; i++) y[i] *= inv;
  }
}
static void softmax_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                             tt__ctx *ctx) {
  if (!din) return;
  int D = l->in.d[l->in.rank - 1];
  size_t rows = act_n(l, B) / (size_t)D;
  for (size_t r = 0; r < rows; r++) {
    const float *y = out + r * D, *dy = dout + r * D;  // (D)
    float *dx = din + r * D;
    float dot = 0.0f;
    for (int i = 0; i < D; i++) dot += dy[i] * y[i];
    for (int i = 0; i < D; i++) dx[i] = y[i] * (dy[i] - dot);
  }
}
const tt__layer_ops tt__softmax_ops = {"softmax", act_setup, NULL, softmax_forward, softmax_backward,
                                       act_flops_transcendental};
