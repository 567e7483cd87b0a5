/* residual: {"type": "residual", "layers": [...]}, output = input + the inner layers' output. The spec parser
 * flattens a block into the stack as TT_RESIDUAL, the inner layers, TT_RESIDUAL_END (l->skip layers apart), and
 * the model points each marker's skip_buf at the buffer it needs (see tt__layer). Forward: the start passes its
 * input on, the end adds the block's input to the inner output. Backward: the end passes the gradient on to the
 * inner layers, the start adds the same gradient (skip path) to what the inner layers give back. Blocks nest. */
#include <string.h>

#include "../kernels/kernels.h"
#include "../kernels/parallel.h"
#include "layer_util.h"

static int residual_setup(tt__layer *l) {
  l->out = l->in;
  l->w_count = l->b_count = 0;
  l->saved_per_sample = 0;
  l->workspace_fixed = l->workspace_per_sample = 0;
  return TT_OK;
}

/* The end checks that the inner layers kept the block's shape (the start's input, skip layers before it). */
static int residual_end_setup(tt__layer *l) {
  const tt__layer *start = l - l->skip;
  tt__shape a = start->in, b = l->in;
  int same = a.rank == b.rank;
  for (int i = 0; same && i < a.rank; i++) same = a.d[i] == b.d[i];
  if (!same)
    return tt__layer_fail(l, "residual", "the inner layers' output %s must have the block's input shape %s",
                          tt__shape_text_of(b).s, tt__shape_text_of(a).s);
  return residual_setup(l);
}

static size_t size_of(const tt__layer *l, int B) { return (size_t)B * tt__shape_size(l->in); }

/* The adds below: y = a + b, floats [lo, hi) (split over threads in the threaded build). */
typedef struct {
  float *y;
  const float *a, *b;
} sum_job;

TT__RANGE_FN void sum_floats(void *arg, int lo, int hi) {
  const sum_job *j = arg;
  for (int i = lo; i < hi; i++) j->y[i] = j->a[i] + j->b[i];
}

static void sum(float *y, const float *a, const float *b, size_t n) {
  sum_job j = {y, a, b};
  tt__parallel_range((int)n, (double)n, sum_floats, &j);
}

static void residual_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  tt__copy(out, in, size_of(l, B));
}

static void residual_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                              tt__ctx *ctx) {
  if (!din) return;
  size_t n = size_of(l, B);
  sum(din, dout, l->skip_buf, n);
}

static void residual_end_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  sum(out, in, l->skip_buf, size_of(l, B));
}

static void residual_end_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out,
                                  int B, tt__ctx *ctx) {
  if (din) tt__copy(din, dout, size_of(l, B));
}

static double residual_flops(const tt__layer *l) { return 0.0; }
static double residual_end_flops(const tt__layer *l) { return tt__shape_size(l->in); }

const tt__layer_ops tt__residual_ops = {"residual", residual_setup, NULL, residual_forward, residual_backward,
                                        residual_flops};
const tt__layer_ops tt__residual_end_ops = {"residual", residual_end_setup, NULL, residual_end_forward,
                                            residual_end_backward, residual_end_flops};
