/* maxpool2d and avgpool2d as torch.nn.MaxPool2d(size, stride) / AvgPool2d(size, stride): input (C, H, W),
 * output (C, OH, OW) with OH = (H - size) / stride + 1 (floor), no padding. Max pooling saves, per output,
 * the index of the winning input within the sample (as a float; exact below 2^24), so backward is a scatter.
 * Ties go to the first maximum in row-major window order and a NaN propagates, as in PyTorch. */
#include <string.h>

#include "../kernels/kernels.h"
#include "layer_util.h"

static int pool_setup_common(tt__layer *l, const char *name) {
  if (l->in.rank != 3)
    return tt__layer_fail(l, name, "expects an input of shape [channels, height, width], got %s",
                          tt__shape_text_of(l->in).s);
  if (tt__layer_positive(l, name, "size", l->kernel)) return TT_ERR_SPEC;
  if (l->stride == 0) l->stride = l->kernel;  // default stride = size, should spec.c leave it unset
  if (tt__layer_positive(l, name, "stride", l->stride)) return TT_ERR_SPEC;
  int C = l->in.d[0], H = l->in.d[1], W = l->in.d[2], K = l->kernel;
  if (K > H || K > W) return tt__layer_fail(l, name, "size %d is larger than the input %dx%d", K, H, W);
  if (tt__shape_size(l->in) > (1 << 24))  // maxpool keeps indices as floats, exact up to 2^24
    return tt__layer_fail(l, name, "the input %s is too large (at most 16777216 values per sample)",
                          tt__shape_text_of(l->in).s);
  l->out.rank = 3;
  l->out.d[0] = C;
  l->out.d[1] = (H - K) / l->stride + 1;
  l->out.d[2] = (W - K) / l->stride + 1;
  l->w_count = l->b_count = 0;
  l->saved_per_sample = 0;
  l->workspace_fixed = l->workspace_per_sample = 0;
  return TT_OK;
}

static int maxpool_setup(tt__layer *l) {
  int st = pool_setup_common(l, "maxpool2d");
  if (st == TT_OK) l->saved_per_sample = (size_t)tt__shape_size(l->out);  // argmax per output
  return st;
}
static int avgpool_setup(tt__layer *l) { return pool_setup_common(l, "avgpool2d"); }

/* Max pooling by (sample, channel) planes [lo, hi), one (H, W) plane each, which the threaded build splits over
 * threads (kernels.h: tt__parallel_range); argmax counts from the sample's start, hence the base c*H*W */
typedef struct {
  tt__layer *l;
  float *y;
  const float *x;
} pool_job;

TT__RANGE_FN void maxpool_planes(void *arg, int lo, int hi) {
  const pool_job *j = arg;
  const tt__layer *l = j->l;
  int C = l->in.d[0], H = l->in.d[1], W = l->in.d[2], OH = l->out.d[1], OW = l->out.d[2];
  for (int sc = lo; sc < hi; sc++)
    tt__maxpool(j->y + (size_t)sc * OH * OW, l->saved + (size_t)sc * OH * OW, j->x + (size_t)sc * H * W, H, W,
                l->kernel, l->stride, OH, OW, (sc % C) * H * W);
}

static void maxpool_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  pool_job j = {l, out, in};
  tt__parallel_range(B * l->in.d[0], (double)B * tt__shape_size(l->in), maxpool_planes, &j);
}

/* the same for backward with no overlap (stride = size) */
TT__RANGE_FN void maxpool_backward_planes(void *arg, int lo, int hi) {
  const pool_job *j = arg;
  const tt__layer *l = j->l;
  int C = l->in.d[0], H = l->in.d[1], W = l->in.d[2], OH = l->out.d[1], OW = l->out.d[2];
  for (int sc = lo; sc < hi; sc++)
    tt__maxpool_backward(j->y + (size_t)sc * H * W, j->x + (size_t)sc * OH * OW, l->saved + (size_t)sc * OH * OW, H,
                         W, l->kernel, OH, OW, (sc % C) * H * W);
}

static void maxpool_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                             tt__ctx *ctx) {
  if (!din) return;
  int C = l->in.d[0], H = l->in.d[1], W = l->in.d[2], OH = l->out.d[1], OW = l->out.d[2];
  size_t in_n = (size_t)C * H * W, out_n = (size_t)C * OH * OW;
  if (l->stride == l->kernel) {  // no overlap: the kernel writes every din element once, no memset needed
    pool_job j = {l, din, dout};
    tt__parallel_range(B * C, (double)B * in_n, maxpool_backward_planes, &j);
    return;
  }
  memset(din, 0, (size_t)B * in_n * sizeof(float));
  for (int s = 0; s < B; s++) {
    const float *arg = l->saved + s * out_n, *dy = dout + s * out_n;
    float *dx = din + s * in_n;
    for (size_t o = 0; o < out_n; o++) dx[(size_t)arg[o]] += dy[o];  // += : overlapping windows
  }
}

static void avgpool_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  int C = l->in.d[0], H = l->in.d[1], W = l->in.d[2], K = l->kernel, S = l->stride;
  int OH = l->out.d[1], OW = l->out.d[2];
  float inv = 1.0f / (float)(K * K);
  for (int s = 0; s < B; s++)
    for (int c = 0; c < C; c++) {
      const float *x = in + ((size_t)s * C + c) * H * W;  // (H, W)
      float *y = out + ((size_t)s * C + c) * OH * OW;      // (OH, OW)
      for (int oh = 0; oh < OH; oh++)
        for (int ow = 0; ow < OW; ow++) {
          float sum = 0.0f;
          for (int i = 0; i < K; i++)
            for (int j = 0; j < K; j++) sum += x[(oh * S + i) * W + ow * S + j];
          y[oh * OW + ow] = sum * inv;
        }
    }
}

static void avgpool_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                             tt__ctx *ctx) {
  if (!din) return;
  int C = l->in.d[0], H = l->in.d[1], W = l->in.d[2], K = l->kernel, S = l->stride;
  int OH = l->out.d[1], OW = l->out.d[2];
  float inv = 1.0f / (float)(K * K);
  memset(din, 0, (size_t)B * C * H * W * sizeof(float));
  for (int s = 0; s < B; s++)
    for (int c = 0; c < C; c++) {
      float *dx = din + ((size_t)s * C + c) * H * W;            // (H, W)
      const float *dy = dout + ((size_t)s * C + c) * OH * OW;  // (OH, OW)
      for (int oh = 0; oh < OH; oh++)
        for (int ow = 0; ow < OW; ow++) {
          float g = dy[oh * OW + ow] * inv;
          for (int i = 0; i < K; i++)
            for (int j = 0; j < K; j++) dx[(oh * S + i) * W + ow * S + j] += g;
        }
    }
}

static double pool_flops(const tt__layer *l) {
  return (double)tt__shape_size(l->out) * l->kernel * l->kernel;  // one compare or add per window element
}

const tt__layer_ops tt__maxpool2d_ops = {"maxpool2d", maxpool_setup, NULL, maxpool_forward, maxpool_backward,
                                         pool_flops};
const tt__layer_ops tt__avgpool2d_ops = {"avgpool2d", avgpool_setup, NULL, avgpool_forward, avgpool_backward,
                                         pool_flops};
