/* attention: multi-head self-attention on an input [T, D], as torch.nn.MultiheadAttention(D, heads, bias=bias,
 * batch_first=True) called as mha(x, x, x, attn_mask=causal mask)[0]. One input projection qkv = x·W_inᵀ + b_in
 * (W_in (3D, D): rows of q, then k, then v), per head h of dh = D/heads features: scores q·kᵀ/sqrt(dh), with
 * `causal` each position sees itself and the positions before it only, softmax over the keys, the weighted sum
 * of v; the heads side by side (ctx, [T, D]), then out = ctx·W_outᵀ + b_out (W_out (D, D)).
 * All four parameters are in w, in state_dict() order: W_in, b_in, W_out, b_out (without bias: W_in, W_out), so the
 * parameter block is the weight file's tensors one after the other. Saved for backward, for the whole batch: qkv
 * (B, T, 3D), ctx (B, T, D) and the softmax probabilities (B, heads, T, T). */
#include <math.h>
#include <string.h>

#include "../kernels/kernels.h"
#include "../kernels/parallel.h"
#include "layer_util.h"

static int attention_setup(tt__layer *l) {
  if (l->in.rank != 2)
    return tt__layer_fail(l, "attention", "expects an input of shape [positions, features], got %s",
                          tt__shape_text_of(l->in).s);
  int T = l->in.d[0], D = l->in.d[1];
  if (tt__layer_positive(l, "attention", "heads", l->heads)) return TT_ERR_SPEC;
  if (D % l->heads)
    return tt__fail(TT_ERR_SPEC, "%s.heads: expected a divisor of the input's %d features, got %d", l->path, D,
                    l->heads);
  double saved = 4.0 * T * D + (double)l->heads * T * T, weights = 4.0 * D * D;
  if (saved > INT_MAX || weights > INT_MAX)
    return tt__layer_fail(l, "attention", "%d heads on an input of %s are too large", l->heads,
                          tt__shape_text_of(l->in).s);
  l->out = l->in;
  l->w_count = 4 * (size_t)D * D + (l->bias ? 4 * (size_t)D : 0);
  l->b_count = 0;
  l->saved_per_sample = (size_t)saved;
  l->workspace_fixed = (size_t)T * TT_MAX_THREADS;   // the backward kernel's scratch, per thread
  l->workspace_per_sample = 4 * (size_t)T * D;      // gradients of ctx and of qkv
  return TT_OK;
}

/* The parameters (or their gradients) inside p = w or dw; the biases are NULL without bias. */
typedef struct {
  float *w_in, *b_in, *w_out, *b_out;
} param_views;

static param_views params_of(const tt__layer *l, float *p) {
  size_t D = (size_t)l->in.d[1];
  param_views v = {p, l->bias ? p + 3 * D * D : NULL, p + 3 * D * D + (l->bias ? 3 * D : 0), NULL};
  if (l->bias) v.b_out = v.w_out + D * D;
  return v;
}

static void attention_init(tt__layer *l, tt__rng *rng) {
  int D = l->in.d[1];
  param_views p = params_of(l, l->w);
  // as MultiheadAttention: W_in Glorot uniform over (3D, D), W_out U(-1/sqrt(D), 1/sqrt(D)), biases 0
  tt__layer_init_weights(p.w_in, 3 * (size_t)D * D, D, 3 * D, 0, rng);
  float limit = 1.0f / sqrtf((float)D);
  for (size_t i = 0; i < (size_t)D * D; i++) p.w_out[i] = limit * (2.0f * tt__rng_uniform(rng) - 1.0f);
  if (l->bias) {
    memset(p.b_in, 0, 3 * (size_t)D * sizeof(float));
    memset(p.b_out, 0, (size_t)D * sizeof(float));
  }
}

/* The saved buffers of a batch of B. */
typedef struct {
  float *qkv, *ctx, *probs;
} saved_views;

static saved_views saved_of(const tt__layer *l, int B) {
  size_t T = (size_t)l->in.d[0], D = (size_t)l->in.d[1];
  saved_views s = {l->saved, l->saved + B * T * 3 * D, l->saved + B * T * 4 * D};
  return s;
}

/* The heads' loops by (sample, head) pairs [lo, hi), pair = b · heads + h, each pair's queries in order (the
 * threaded build splits the pairs over threads): a pair's outputs are its own (its columns of ctx and its probabilities; in backward
 * its columns of dqkv), so every output is the same sum in the same order on any thread. ds holds TT_MAX_THREADS
 * rows of T floats of scratch, one per thread. */
typedef struct {
  const tt__layer *l;
  saved_views s;
  const float *dctx;
  float *dqkv, *ds;
  float scale;
} heads_job;

TT__RANGE_FN void heads_forward(void *arg, int lo, int hi) {
  const heads_job *j = arg;
  const int T = j->l->in.d[0], D = j->l->in.d[1], H = j->l->heads, dh = D / H;
  for (int pair = lo; pair < hi; pair++) {
    const int b = pair / H, h = pair % H;
    const float *qkv = j->s.qkv + (size_t)b * T * 3 * D + h * dh;  // head h's q of position 0; k at +D, v at +2D
    for (int i = 0; i < T; i++)
      tt__attend(j->s.ctx + ((size_t)b * T + i) * D + h * dh, j->s.probs + ((size_t)pair * T + i) * T,
                 qkv + (size_t)i * 3 * D, qkv + D, qkv + 2 * D, j->l->causal ? i + 1 : T, 3 * D, dh, j->scale);
  }
}

TT__RANGE_FN void heads_backward(void *arg, int lo, int hi) {
  const heads_job *j = arg;
  const int T = j->l->in.d[0], D = j->l->in.d[1], H = j->l->heads, dh = D / H;
  float *ds = j->ds + (size_t)tt__thread_id() * T;
  for (int pair = lo; pair < hi; pair++) {
    const int b = pair / H, h = pair % H;
    const size_t at = (size_t)b * T * 3 * D + h * dh;
    const float *qkv = j->s.qkv + at;
    float *dq = j->dqkv + at;
    for (int i = 0; i < T; i++)
      tt__attend_backward(dq + (size_t)i * 3 * D, dq + D, dq + 2 * D, ds, j->dctx + ((size_t)b * T + i) * D + h * dh,
                          j->s.probs + ((size_t)pair * T + i) * T, qkv + (size_t)i * 3 * D, qkv + D, qkv + 2 * D,
                          j->l->causal ? i + 1 : T, 3 * D, dh, j->scale);
  }
}

static void attention_forward(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx) {
  int T = l->in.d[0], D = l->in.d[1], H = l->heads, dh = D / H, rows = B * T;
  float scale = 1.0f / sqrtf((float)dh);
  param_views p = params_of(l, l->w);
  saved_views s = saved_of(l, B);
  tt__gemm(0, 1, rows, 3 * D, D, in, D, p.w_in, D, 0.0f, s.qkv, 3 * D);  // qkv (rows, 3D) = x · W_inᵀ
  if (p.b_in) tt__bias_act(s.qkv, p.b_in, rows, 3 * D, 0);
  heads_job j = {l, s, NULL, NULL, NULL, scale};
  tt__parallel_range(B * H, 2.0 * B * T * T * D, heads_forward, &j);
  tt__gemm(0, 1, rows, D, D, s.ctx, D, p.w_out, D, 0.0f, out, D);  // out (rows, D) = ctx · W_outᵀ
  if (p.b_out) tt__bias_act(out, p.b_out, rows, D, 0);
}

static void attention_backward(tt__layer *l, float *din, const float *dout, const float *in, const float *out,
                               int B, tt__ctx *ctx) {
  int T = l->in.d[0], D = l->in.d[1], H = l->heads, dh = D / H, rows = B * T;
  float scale = 1.0f / sqrtf((float)dh);
  param_views p = params_of(l, l->w), g = params_of(l, l->dw);
  saved_views s = saved_of(l, B);
  float *dctx = ctx->workspace, *dqkv = dctx + (size_t)rows * D, *ds = dqkv + (size_t)rows * 3 * D;
  tt__gemm(1, 0, D, D, rows, dout, D, s.ctx, D, 1.0f, g.w_out, D);  // dW_out += doutᵀ · ctx
  if (g.b_out) tt__sum_rows(g.b_out, dout, rows, D);
  tt__gemm(0, 0, rows, D, D, dout, D, p.w_out, D, 0.0f, dctx, D);  // dctx = dout · W_out
  tt__fill(dqkv, 0.0f, (size_t)rows * 3 * D);                     // dk and dv accumulate over the queries
  heads_job j = {l, s, dctx, dqkv, ds, scale};
  tt__parallel_range(B * H, 4.0 * B * T * T * D, heads_backward, &j);
  tt__gemm(1, 0, 3 * D, D, rows, dqkv, 3 * D, in, D, 1.0f, g.w_in, D);  // dW_in += dqkvᵀ · x
  if (g.b_in) tt__sum_rows(g.b_in, dqkv, rows, 3 * D);
  if (din) tt__gemm(0, 0, rows, D, 3 * D, dqkv, 3 * D, p.w_in, D, 0.0f, din, D);  // din = dqkv · W_in
}

static double attention_flops(const tt__layer *l) {
  double T = l->in.d[0], D = l->in.d[1], pairs = l->causal ? T * (T + 1) / 2 : T * T;
  return 8.0 * T * D * D + 4.0 * pairs * D;  // the projections, then scores and weighted sums over all heads
}

void tt__attention_cache_positions(tt__layer *l, int n) {
  tt__copy(l->cache, saved_of(l, 1).qkv, (size_t)n * 3 * l->in.d[1]);
}

const float *tt__attention_probabilities(const tt__layer *l) { return saved_of(l, 1).probs; }

/* One new position: its q|k|v row joins the cache, its query attends over positions 0..pos (causal), then the
 * output projection. Workspace: the context row (D) and the probabilities (pos + 1). */
void tt__attention_forward_at(tt__layer *l, float *out, const float *in, int pos, tt__ctx *ctx) {
  int D = l->in.d[1], H = l->heads, dh = D / H;
  float scale = 1.0f / sqrtf((float)dh);
  param_views w = params_of(l, l->w);
  float *qkv = l->cache + (size_t)pos * 3 * D, *ctx_row = ctx->workspace, *p = ctx_row + D;
  tt__gemm(0, 1, 1, 3 * D, D, in, D, w.w_in, D, 0.0f, qkv, 3 * D);  // qkv (1, 3D) = x · W_inᵀ
  if (w.b_in) tt__bias_act(qkv, w.b_in, 1, 3 * D, 0);
  for (int h = 0; h < H; h++)
    tt__attend(ctx_row + h * dh, p, qkv + h * dh, l->cache + D + h * dh, l->cache + 2 * D + h * dh, pos + 1, 3 * D,
               dh, scale);
  tt__gemm(0, 1, 1, D, D, ctx_row, D, w.w_out, D, 0.0f, out, D);  // out (1, D) = ctx · W_outᵀ
  if (w.b_out) tt__bias_act(out, w.b_out, 1, D, 0);
}

const tt__layer_ops tt__attention_ops = {"attention", attention_setup, attention_init, attention_forward,
                                         attention_backward, attention_flops};
