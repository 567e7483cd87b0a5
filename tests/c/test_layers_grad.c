/* Finite-difference gradient checks for every layer type, in several configurations each. The loss is
 * L = Σ out·r with a fixed random r, so dL/dout = r is what backward receives. Each input, weight and bias is
 * nudged by ±eps and (L+ - L-) / 2eps (in double, from the layer's float outputs) is compared with what
 * backward wrote: |a - n| <= 1e-2 * max(|a|, |n|) + 1e-3. Points within 2 eps of a kink (relu/leaky at 0, a
 * near-tie in a max-pool window) are skipped. Layers are set up by hand here (no spec parser, no model).
 * Each check also proves that backward overwrites din (it is pre-filled with garbage), ACCUMULATES into
 * dw/db (a second call doubles them) and accepts din == NULL. Prints the max relative error per case. */
#include <stdint.h>
#include <stdlib.h>

#include "core/testing.h"
#include "kernels/kernels.h"
#include "layers/layers.h"
#include "model/model.h"
#include "test.h"

/* ---- a hand-built layer with its buffers -------------------------------------------------------------- */

typedef struct {
  tt__layer l;
  const tt__layer_ops *ops;
  int B;
  size_t in_n, out_n;             /* per batch: B * per-sample size */
  float *x, *y, *r, *din, *ws;    /* x (B, IN), y (B, OUT), r (B, OUT), din (B, IN) */
  float *w0, *b0;                 /* analytic parameter gradients after one backward */
} gc_case;

typedef int (*kink_fn)(const gc_case *c, size_t i, double eps);

static float urand(tt__rng *g, float lo, float hi) { return lo + (hi - lo) * tt__rng_uniform(g); }

/* Layer of type t with input shape in; hyper-parameters are set by the caller through *l before setup. */
static int gc_setup(gc_case *c, tt__layer_type t, const tt__layer *hp, int B, uint64_t seed) {
  memset(c, 0, sizeof *c);
  c->l = *hp;
  c->l.type = t;
  c->ops = tt__layer_ops_of(t);
  c->B = B;
  int st = c->ops->setup(&c->l);
  if (st != TT_OK) {
    fprintf(stderr, "setup of %s failed: %s\n", c->ops->name, tt_last_error());
    return st;
  }
  tt__layer *l = &c->l;
  c->in_n = (size_t)B * tt__shape_size(l->in);
  c->out_n = (size_t)B * tt__shape_size(l->out);
  l->w = calloc(l->w_count + 1, sizeof(float));
  l->dw = calloc(l->w_count + 1, sizeof(float));
  l->b = calloc(l->b_count + 1, sizeof(float));
  l->db = calloc(l->b_count + 1, sizeof(float));
  l->saved = calloc(B * l->saved_per_sample + 1, sizeof(float));
  c->ws = calloc(l->workspace_fixed + B * l->workspace_per_sample + 1, sizeof(float));
  c->x = calloc(c->in_n, sizeof(float));
  c->din = calloc(c->in_n, sizeof(float));
  c->y = calloc(c->out_n, sizeof(float));
  c->r = calloc(c->out_n, sizeof(float));
  c->w0 = calloc(l->w_count + 1, sizeof(float));
  c->b0 = calloc(l->b_count + 1, sizeof(float));

  /* Parameters: the layer's own init first (so it runs under the sanitizers), then random values, so
   * biases and layernorm's gamma/beta are not trivially 0/1. Inputs in [-1, 1]; r in [-1, 1]. */
  tt__rng g;
  tt__rng_seed(&g, seed);
  if (c->ops->init) c->ops->init(l, &g);
  for (size_t i = 0; i < l->w_count; i++) l->w[i] = t == TT_LAYERNORM ? urand(&g, 0.5f, 1.5f) : urand(&g, -1, 1);
  for (size_t i = 0; i < l->b_count; i++) l->b[i] = urand(&g, -1, 1);
  for (size_t i = 0; i < c->in_n; i++) c->x[i] = urand(&g, -1, 1);
  for (size_t i = 0; i < c->out_n; i++) c->r[i] = urand(&g, -1, 1);
  return TT_OK;
}

static void gc_free(gc_case *c) {
  free(c->l.w), free(c->l.dw), free(c->l.b), free(c->l.db), free(c->l.saved);
  free(c->ws), free(c->x), free(c->din), free(c->y), free(c->r), free(c->w0), free(c->b0);
}

/* Forward with the dropout rng re-seeded every time, so each pass draws the same mask. */
static void gc_forward(gc_case *c, int training) {
  tt__rng rng;
  tt__rng_seed(&rng, 77);
  tt__ctx ctx = {c->ws, &rng, training};
  c->ops->forward(&c->l, c->y, c->x, c->B, &ctx);
}

static double gc_loss(gc_case *c, int training) {
  gc_forward(c, training);
  double L = 0;
  for (size_t i = 0; i < c->out_n; i++) L += (double)c->y[i] * c->r[i];
  return L;
}

static void gc_backward(gc_case *c, float *din, int training) {
  tt__rng rng;
  tt__rng_seed(&rng, 77);
  tt__ctx ctx = {c->ws, &rng, training};
  c->ops->backward(&c->l, din, c->r, c->x, c->y, c->B, &ctx);
}

/* Compares analytic gradient a[i] with central differences of L wrt v[i]. Returns the number of failures;
 * updates *max_err with max |a - n| / (max(|a|, |n|) + 0.1). */
static int gc_compare(gc_case *c, const char *what, float *v, const float *a, size_t n, double eps, int training,
                      kink_fn kink, double *max_err, int *skipped) {
  int fails = 0;
  for (size_t i = 0; i < n; i++) {
    if (kink && kink(c, i, eps)) {
      (*skipped)++;
      continue;
    }
    float keep = v[i];
    v[i] = (float)(keep + eps);
    double hi_x = v[i];
    double Lp = gc_loss(c, training);
    v[i] = (float)(keep - eps);
    double lo_x = v[i];
    double Lm = gc_loss(c, training);
    v[i] = keep;
    double num = (Lp - Lm) / (hi_x - lo_x), an = a[i];  // the float step actually taken
    double diff = fabs(an - num), big = fmax(fabs(an), fabs(num));
    double err = diff / (big + 0.1);
    if (err > *max_err) *max_err = err;
    if (!(diff <= 1e-2 * big + 1e-3)) {
      if (fails < 5)
        fprintf(stderr, "  %s: d%s[%zu]: backward %.7g, finite difference %.7g (diff %.3g)\n", c->ops->name, what,
                i, an, num, diff);
      fails++;
    }
  }
  return fails;
}

/* The whole check for one configuration. Prints one line: name, max relative error, points checked. */
static int grad_check(gc_case *c, const char *label, double eps, int training, kink_fn kink, int check_din) {
  tt__layer *l = &c->l;
  int fails = 0, skipped = 0;
  double max_err = 0;

  /* analytic: forward, then backward into zeroed dw/db and a garbage-filled din */
  memset(l->dw, 0, l->w_count * sizeof(float));
  memset(l->db, 0, l->b_count * sizeof(float));
  for (size_t i = 0; i < c->in_n; i++) c->din[i] = 1234.5f;
  gc_forward(c, training);
  gc_backward(c, c->din, training);
  memcpy(c->w0, l->dw, l->w_count * sizeof(float));
  memcpy(c->b0, l->db, l->b_count * sizeof(float));
  float *din = malloc(c->in_n * sizeof(float));
  memcpy(din, c->din, c->in_n * sizeof(float));

  /* backward again, once with din and once without: dw/db must be 3x the first call, din the same */
  gc_backward(c, c->din, training);
  gc_backward(c, NULL, training);
  for (size_t i = 0; i < l->w_count; i++)
    if (fabsf(l->dw[i] - 3 * c->w0[i]) > 1e-5f * (1 + fabsf(3 * c->w0[i]))) {
      fprintf(stderr, "  %s: dw[%zu] = %g after 3 backward calls, expected 3 x %g (not accumulated)\n", label, i,
              l->dw[i], c->w0[i]);
      fails++;
      break;
    }
  for (size_t i = 0; i < l->b_count; i++)
    if (fabsf(l->db[i] - 3 * c->b0[i]) > 1e-5f * (1 + fabsf(3 * c->b0[i]))) {
      fprintf(stderr, "  %s: db[%zu] = %g after 3 backward calls, expected 3 x %g (not accumulated)\n", label, i,
              l->db[i], c->b0[i]);
      fails++;
      break;
    }
  for (size_t i = 0; i < c->in_n; i++)
    if (c->din[i] != din[i]) {
      fprintf(stderr, "  %s: din[%zu] changed from %g to %g on a second call (not overwritten)\n", label, i,
              din[i], c->din[i]);
      fails++;
      break;
    }

  size_t points = 0;
  if (check_din) {
    fails += gc_compare(c, "in", c->x, din, c->in_n, eps, training, kink, &max_err, &skipped);
    points += c->in_n;
  }
  fails += gc_compare(c, "w", l->w, c->w0, l->w_count, eps, training, NULL, &max_err, &skipped);
  fails += gc_compare(c, "b", l->b, c->b0, l->b_count, eps, training, NULL, &max_err, &skipped);
  points += l->w_count + l->b_count;
  printf("  %-44s max rel err %.2e over %zu points (%d kinks skipped)%s\n", label, max_err,
         points - (size_t)skipped, skipped, fails ? "  FAILED" : "");
  free(din);
  return fails;
}

/* ---- kink predicates ------------------------------------------------------------------------------------ */

static int kink_at_zero(const gc_case *c, size_t i, double eps) { return fabs(c->x[i]) < 2 * eps; }

/* Input i is at a kink of max pooling if, in some window containing it, another value is within 2 eps. */
static int kink_maxpool(const gc_case *c, size_t i, double eps) {
  const tt__layer *l = &c->l;
  int C = l->in.d[0], H = l->in.d[1], W = l->in.d[2], K = l->kernel, S = l->stride;
  size_t per = (size_t)C * H * W;
  const float *x = c->x + (i / per) * per;
  int k = (int)(i % per), ch = k / (H * W), h = (k / W) % H, w = k % W;
  for (int oh = 0; oh < l->out.d[1]; oh++)
    for (int ow = 0; ow < l->out.d[2]; ow++) {
      if (h < oh * S || h >= oh * S + K || w < ow * S || w >= ow * S + K) continue;
      for (int a = 0; a < K; a++)
        for (int b = 0; b < K; b++) {
          int j = ch * H * W + (oh * S + a) * W + ow * S + b;
          if (j != k && fabs(x[j] - x[k]) < 2 * eps) return 1;
        }
    }
  return 0;
}

/* ---- the cases -------------------------------------------------------------------------------------------- */

static tt__shape shp(int rank, int a, int b, int c) {
  tt__shape s = {rank, {a, b, c}};
  return s;
}

static int run_case(tt__layer_type t, tt__layer hp, int B, const char *label, double eps, int training,
                    kink_fn kink, int check_din) {
  gc_case c;
  if (gc_setup(&c, t, &hp, B, 1000 + (uint64_t)B * 31 + t) != TT_OK) return 1;
  int f = grad_check(&c, label, eps, training, kink, check_din);
  gc_free(&c);
  return f;
}

TT_TEST(test_dense_grad_matches_finite_difference) {
  tt__layer hp = {0};
  hp.in = shp(1, 5, 0, 0), hp.units = 4, hp.bias = 1;
  CHECK(run_case(TT_DENSE, hp, 3, "dense [5] -> 4, bias", 1e-2, 0, NULL, 1) == 0);
  hp.bias = 0, hp.init_he = 1;
  CHECK(run_case(TT_DENSE, hp, 2, "dense [5] -> 4, no bias, He init", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(2, 3, 4, 0), hp.units = 5, hp.bias = 1, hp.init_he = 0;
  CHECK(run_case(TT_DENSE, hp, 2, "dense [3, 4] -> [3, 5] (rank-2 input)", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(1, 37, 0, 0), hp.units = 19;
  CHECK(run_case(TT_DENSE, hp, 5, "dense [37] -> 19, B 5", 1e-2, 0, NULL, 1) == 0);
}

TT_TEST(test_conv2d_grad_matches_finite_difference) {
  tt__layer hp = {0};
  hp.in = shp(3, 2, 5, 6), hp.filters = 3, hp.kernel = 3, hp.stride = 1, hp.bias = 1;
  CHECK(run_case(TT_CONV2D, hp, 2, "conv2d 2x5x6, 3 filters 3x3, valid", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(3, 2, 7, 7), hp.filters = 2, hp.stride = 2, hp.padding = 1;
  CHECK(run_case(TT_CONV2D, hp, 2, "conv2d 2x7x7, 3x3 stride 2 padding 1", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(3, 2, 6, 5), hp.filters = 2, hp.stride = 2, hp.padding = 0, hp.kernel = 2;
  CHECK(run_case(TT_CONV2D, hp, 2, "conv2d 2x6x5, 2x2 stride 2 (floor)", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(3, 2, 5, 6), hp.filters = 3, hp.kernel = 3, hp.stride = 1, hp.padding_same = 1;
  CHECK(run_case(TT_CONV2D, hp, 2, "conv2d 2x5x6, 3x3 same (odd kernel)", 1e-2, 0, NULL, 1) == 0);
  hp.kernel = 4;
  CHECK(run_case(TT_CONV2D, hp, 2, "conv2d 2x5x6, 4x4 same (even kernel)", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(3, 1, 6, 6), hp.filters = 8, hp.kernel = 5, hp.init_he = 1;
  CHECK(run_case(TT_CONV2D, hp, 2, "conv2d 1x6x6, 8 filters 5x5 same", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(3, 3, 4, 4), hp.filters = 2, hp.kernel = 2, hp.padding_same = 0, hp.bias = 0, hp.init_he = 0;
  CHECK(run_case(TT_CONV2D, hp, 3, "conv2d 3x4x4, 2x2, no bias", 1e-2, 0, NULL, 1) == 0);
  // padding >= kernel (the input gradient's adjoint crops), and stride 3 with a remainder
  hp.in = shp(3, 2, 4, 5), hp.filters = 3, hp.kernel = 2, hp.padding = 2, hp.bias = 1;
  CHECK(run_case(TT_CONV2D, hp, 2, "conv2d 2x4x5, 2x2 padding 2", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(3, 2, 8, 7), hp.kernel = 3, hp.stride = 3, hp.padding = 1;
  CHECK(run_case(TT_CONV2D, hp, 2, "conv2d 2x8x7, 3x3 stride 3 padding 1 (floor)", 1e-2, 0, NULL, 1) == 0);
}

/* The start of both sparse-path tests: a stride-1 conv2d from cfg (C, H, W, filters, kernel, padding (-1:
 * "same"), batch, bias), with all but 1 in 10 of dout (input = 0) or of x (input = 1) zeroed when sparse (zeros
 * of both signs); the finite-difference check through the layer, and whether the sparse kernel ran is checked
 * against `sparse`. Returns 0 when the case cannot be set up (then c holds nothing). */
static int sparse_conv_case(gc_case *c, const int cfg[8], unsigned seed, int sparse, int input, char *label,
                            size_t label_size) {
  tt__layer hp = {0};
  hp.in = shp(3, cfg[0], cfg[1], cfg[2]), hp.filters = cfg[3], hp.kernel = cfg[4], hp.stride = 1, hp.bias = cfg[7];
  hp.padding_same = cfg[5] < 0, hp.padding = cfg[5] < 0 ? 0 : cfg[5];
  if (gc_setup(c, TT_CONV2D, &hp, cfg[6], seed) != TT_OK) {
    CHECK(0);
    return 0;
  }
  float *data = input ? c->x : c->r;
  const size_t n = input ? c->in_n : c->out_n;
  size_t nnz = 0;
  for (size_t i = 0; i < n; i++)
    if (sparse && i % 10 != 3 + (size_t)input) data[i] = i % 2 ? -0.0f : 0.0f;
    else nnz++;
  snprintf(label, label_size, "conv2d %dx%dx%d, %d filters %dx%d, %zu of %zu %s nonzero", cfg[0], cfg[1], cfg[2],
           cfg[3], cfg[4], cfg[4], nnz, n, input ? "inputs" : "dout");
  const unsigned before = tt__conv2d_sparse_calls;
  CHECK(grad_check(c, label, 1e-2, 0, NULL, 1) == 0);
  if (sparse != (tt__conv2d_sparse_calls > before))
    fprintf(stderr, "  %s: the %s path ran\n", label, sparse ? "dense" : "sparse");
  CHECK(sparse == (tt__conv2d_sparse_calls > before));
  return 1;
}

/* A stride-1 conv2d whose dout is mostly zeros (as after relu and max pooling) runs its backward pass through
 * the sparse kernel: the finite-difference check through that path (and that it was taken), and dw, db, din bit
 * for bit equal to the dense kernels called directly on the same dout. A dense dout keeps the dense kernels. */
TT_TEST(test_conv2d_sparse_dout_takes_sparse_path_and_matches_finite_difference) {
  static const int cfg[][8] = {  // C, H, W, filters, kernel, padding (-1: "same"), batch, bias
      {8, 6, 7, 5, 3, -1, 2, 1}, {4, 6, 6, 3, 5, 2, 2, 1}, {8, 4, 5, 3, 2, 2, 2, 1}, {3, 5, 4, 4, 5, -1, 3, 1}};
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    for (int sparse = 1; sparse >= 0; sparse--) {
      gc_case c;
      char label[96];
      if (!sparse_conv_case(&c, cfg[t], 77 + (unsigned)t, sparse, 0, label, sizeof label)) continue;
      const int C = cfg[t][0], H = cfg[t][1], W = cfg[t][2], B = cfg[t][6];
      tt__layer *l = &c.l;

      // one more backward pass against the dense kernels on the same dout
      const int k = l->kernel, pl = l->pad_lo, ph = l->pad_hi;
      const tt__conv_shape shape = {B, C, H, W, l->filters, k, pl, ph, 0}, adj = tt__conv_adjoint(&shape);
      float *dw = calloc(l->w_count, sizeof(float));
      float *din = malloc(c.in_n * sizeof(float));
      float *ws = malloc(tt__conv_ws_floats(&adj) * sizeof(float));
      tt_f32_conv_backward_w__scalar(dw, c.r, c.x, &shape, NULL);
      tt_f32_conv_forward__scalar(din, c.r, l->w, NULL, &adj, ws);
      memset(l->dw, 0, l->w_count * sizeof(float));
      gc_backward(&c, c.din, 0);
      size_t bad_w = 0, bad_x = 0;
      for (size_t i = 0; i < l->w_count; i++) bad_w += memcmp(&dw[i], &l->dw[i], sizeof(float)) != 0;
      for (size_t i = 0; i < c.in_n; i++) bad_x += memcmp(&din[i], &c.din[i], sizeof(float)) != 0;
      if (bad_w || bad_x)
        fprintf(stderr, "  %s: %zu of %zu dw and %zu of %zu din differ from the dense kernels'\n", label, bad_w,
                l->w_count, bad_x, c.in_n);
      CHECK(bad_w == 0 && bad_x == 0);
      free(dw), free(din), free(ws);
      gc_free(&c);
    }
}

/* A stride-1 conv2d whose input is mostly zeros (as MNIST's pixels) runs its forward pass, and without din (a first
 * layer) its weight gradient, from the input's nonzeros: the finite-difference check through those paths (and that
 * they ran), and y and dw bit for bit equal to the dense kernels called directly on the same input. A dense input
 * keeps the dense kernels. */
TT_TEST(test_conv2d_sparse_input_takes_sparse_path_and_matches_finite_difference) {
  static const int cfg[][8] = {  // C, H, W, filters, kernel, padding (-1: "same"), batch, bias
      {1, 9, 8, 8, 5, -1, 2, 1}, {2, 6, 7, 5, 3, 1, 2, 0}, {1, 5, 6, 8, 3, 0, 3, 1}, {3, 4, 5, 8, 4, -1, 2, 1}};
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    for (int sparse = 1; sparse >= 0; sparse--) {
      gc_case c;
      char label[96];
      if (!sparse_conv_case(&c, cfg[t], 91 + (unsigned)t, sparse, 1, label, sizeof label)) continue;
      const int C = cfg[t][0], H = cfg[t][1], W = cfg[t][2], B = cfg[t][6];
      tt__layer *l = &c.l;

      // one forward and one backward pass without din against the dense kernels on the same input
      const int k = l->kernel, pl = l->pad_lo, ph = l->pad_hi;
      const tt__conv_shape shape = {B, C, H, W, l->filters, k, pl, ph, 0};
      float *y = malloc(c.out_n * sizeof(float)), *dw = calloc(l->w_count, sizeof(float));
      tt_f32_conv_forward__scalar(y, c.x, l->w, l->bias ? l->b : NULL, &shape, NULL);
      tt_f32_conv_backward_w__scalar(dw, c.r, c.x, &shape, NULL);
      const unsigned mid = tt__conv2d_sparse_calls;
      gc_forward(&c, 0);
      memset(l->dw, 0, l->w_count * sizeof(float));
      gc_backward(&c, NULL, 0);
      const unsigned ran = tt__conv2d_sparse_calls - mid;
      size_t bad_y = 0, bad_w = 0;
      for (size_t i = 0; i < c.out_n; i++) bad_y += memcmp(&y[i], &c.y[i], sizeof(float)) != 0;
      for (size_t i = 0; i < l->w_count; i++) bad_w += memcmp(&dw[i], &l->dw[i], sizeof(float)) != 0;
      if (bad_y || bad_w || ran != (sparse ? 2u : 0u))
        fprintf(stderr, "  %s: %zu of %zu y and %zu of %zu dw differ from the dense kernels'; %u sparse passes\n",
                label, bad_y, c.out_n, bad_w, l->w_count, ran);
      CHECK(bad_y == 0 && bad_w == 0 && ran == (sparse ? 2u : 0u));
      free(y), free(dw);
      gc_free(&c);
    }
}

TT_TEST(test_pool_grads_match_finite_difference) {
  tt__layer hp = {0};
  hp.in = shp(3, 2, 4, 4), hp.kernel = 2, hp.stride = 2;
  CHECK(run_case(TT_MAXPOOL2D, hp, 2, "maxpool2d 2x4x4, size 2", 1e-3, 0, kink_maxpool, 1) == 0);
  CHECK(run_case(TT_AVGPOOL2D, hp, 2, "avgpool2d 2x4x4, size 2", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(3, 2, 7, 7), hp.kernel = 3, hp.stride = 2;
  CHECK(run_case(TT_MAXPOOL2D, hp, 2, "maxpool2d 2x7x7, size 3 stride 2 (overlap)", 1e-3, 0, kink_maxpool, 1) == 0);
  CHECK(run_case(TT_AVGPOOL2D, hp, 2, "avgpool2d 2x7x7, size 3 stride 2 (overlap)", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(3, 1, 5, 5), hp.kernel = 2, hp.stride = 1;
  CHECK(run_case(TT_MAXPOOL2D, hp, 2, "maxpool2d 1x5x5, size 2 stride 1", 1e-3, 0, kink_maxpool, 1) == 0);
  CHECK(run_case(TT_AVGPOOL2D, hp, 2, "avgpool2d 1x5x5, size 2 stride 1", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(3, 3, 5, 7), hp.kernel = 2, hp.stride = 2;
  CHECK(run_case(TT_MAXPOOL2D, hp, 2, "maxpool2d 3x5x7, size 2 (floor)", 1e-3, 0, kink_maxpool, 1) == 0);
  CHECK(run_case(TT_AVGPOOL2D, hp, 2, "avgpool2d 3x5x7, size 2 (floor)", 1e-2, 0, NULL, 1) == 0);
}

TT_TEST(test_shape_layers_grad_match_finite_difference) {
  tt__layer hp = {0};
  hp.in = shp(3, 2, 3, 4);
  CHECK(run_case(TT_FLATTEN, hp, 2, "flatten [2, 3, 4]", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(2, 3, 5, 0);
  CHECK(run_case(TT_FLATTEN, hp, 2, "flatten [3, 5]", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(1, 40, 0, 0), hp.rate = 0.3f;
  CHECK(run_case(TT_DROPOUT, hp, 3, "dropout 0.3, training (fixed rng)", 1e-2, 1, NULL, 1) == 0);
  hp.in = shp(3, 2, 3, 3), hp.rate = 0.5f;
  CHECK(run_case(TT_DROPOUT, hp, 2, "dropout 0.5 on [2, 3, 3], training", 1e-2, 1, NULL, 1) == 0);
  CHECK(run_case(TT_DROPOUT, hp, 2, "dropout 0.5, inference (identity)", 1e-2, 0, NULL, 1) == 0);
}

TT_TEST(test_activation_grads_match_finite_difference) {
  tt__layer hp = {0};
  hp.in = shp(2, 3, 7, 0);
  CHECK(run_case(TT_RELU, hp, 2, "relu [3, 7]", 1e-3, 0, kink_at_zero, 1) == 0);
  hp.slope = 0.01f;
  CHECK(run_case(TT_LEAKY_RELU, hp, 2, "leaky_relu slope 0.01", 1e-3, 0, kink_at_zero, 1) == 0);
  hp.slope = 0.2f;
  CHECK(run_case(TT_LEAKY_RELU, hp, 2, "leaky_relu slope 0.2", 1e-3, 0, kink_at_zero, 1) == 0);
  CHECK(run_case(TT_TANH, hp, 2, "tanh [3, 7]", 3e-3, 0, NULL, 1) == 0);
  CHECK(run_case(TT_SIGMOID, hp, 2, "sigmoid [3, 7]", 3e-3, 0, NULL, 1) == 0);
  CHECK(run_case(TT_GELU, hp, 2, "gelu [3, 7]", 3e-3, 0, NULL, 1) == 0);
  CHECK(run_case(TT_SOFTMAX, hp, 2, "softmax [3, 7] (over the last dim)", 3e-3, 0, NULL, 1) == 0);
  hp.in = shp(1, 6, 0, 0);
  CHECK(run_case(TT_SOFTMAX, hp, 3, "softmax [6]", 3e-3, 0, NULL, 1) == 0);
  hp.in = shp(3, 2, 2, 3);
  CHECK(run_case(TT_GELU, hp, 2, "gelu [2, 2, 3]", 3e-3, 0, NULL, 1) == 0);
}

TT_TEST(test_gelu_grad_far_from_zero) {
  /* Inputs spread over [-4, 4] (the default data is [-1, 1]), where the erf tail matters. */
  gc_case c;
  tt__layer hp = {0};
  hp.in = shp(1, 33, 0, 0);
  CHECK(gc_setup(&c, TT_GELU, &hp, 1, 5) == TT_OK);
  for (int i = 0; i < 33; i++) c.x[i] = -4.0f + 0.25f * i;
  CHECK(grad_check(&c, "gelu on -4..4", 3e-3, 0, NULL, 1) == 0);
  gc_free(&c);
}

/* Every ACTIVATION of layer_table.h, with its spec defaults (leaky_relu's slope 0.01): near zero on [3, 7] and
 * spread over [-4, 4] (tails). A new activation is checked here without a line of its own. */
TT_TEST(test_every_table_activation_grad_matches_finite_difference) {
  int checked = 0;
  for (int t = 0; t < TT_LAYER_TYPE_COUNT; t++) {
    if (!tt__layer_has((tt__layer_type)t, TT_TRAIT_ACTIVATION)) continue;
    char label[64];
    tt__layer hp = {0};
    hp.slope = 0.01f;
    hp.in = shp(2, 3, 7, 0);
    snprintf(label, sizeof label, "%s [3, 7]", tt__layer_names[t]);
    CHECK(run_case((tt__layer_type)t, hp, 2, label, 1e-3, 0, kink_at_zero, 1) == 0);
    gc_case c;
    hp.in = shp(1, 33, 0, 0);
    CHECK(gc_setup(&c, (tt__layer_type)t, &hp, 1, 7) == TT_OK);
    for (int i = 0; i < 33; i++) c.x[i] = -4.0f + 0.25f * i;
    snprintf(label, sizeof label, "%s on -4..4", tt__layer_names[t]);
    CHECK(grad_check(&c, label, 1e-3, 0, kink_at_zero, 1) == 0);
    gc_free(&c);
    checked++;
  }
  CHECK(checked >= 5);
}

TT_TEST(test_embedding_grad_matches_finite_difference) {
  gc_case c;
  tt__layer hp = {0};
  hp.in = shp(1, 6, 0, 0), hp.vocab = 5, hp.dim = 4;
  CHECK(gc_setup(&c, TT_EMBEDDING, &hp, 2, 9) == TT_OK);
  float idx[12] = {0, 3, 3, 4, 1, 0, 2, 2, 2, 4, 4, 1};  // repeats: the gradient rows must add up
  memcpy(c.x, idx, sizeof idx);
  // indices are not differentiable: din must come back exactly zero, so only W is differenced
  CHECK(grad_check(&c, "embedding vocab 5 dim 4, T 6", 1e-2, 0, NULL, 0) == 0);
  for (size_t i = 0; i < c.in_n; i++) CHECK(c.din[i] == 0.0f);
  gc_free(&c);
}

TT_TEST(test_layernorm_grad_matches_finite_difference) {
  tt__layer hp = {0};
  hp.in = shp(1, 6, 0, 0), hp.eps = 1e-5f;
  CHECK(run_case(TT_LAYERNORM, hp, 3, "layernorm [6]", 3e-3, 0, NULL, 1) == 0);
  hp.in = shp(2, 3, 5, 0);
  CHECK(run_case(TT_LAYERNORM, hp, 2, "layernorm [3, 5] (over the last dim)", 3e-3, 0, NULL, 1) == 0);
}

TT_TEST(test_position_embedding_grad_matches_finite_difference) {
  tt__layer hp = {0};
  hp.in = shp(2, 4, 3, 0), hp.length = 4;
  CHECK(run_case(TT_POSITION_EMBEDDING, hp, 3, "position_embedding [4, 3], length 4", 1e-2, 0, NULL, 1) == 0);
  hp.length = 7;  // a longer table: the rows past the input's positions get no gradient
  CHECK(run_case(TT_POSITION_EMBEDDING, hp, 2, "position_embedding [4, 3], length 7", 1e-2, 0, NULL, 1) == 0);
}

TT_TEST(test_attention_grad_matches_finite_difference) {
  tt__layer hp = {0};
  hp.in = shp(2, 5, 6, 0), hp.heads = 2, hp.causal = 1, hp.bias = 1;
  CHECK(run_case(TT_ATTENTION, hp, 2, "attention [5, 6], 2 heads, causal", 1e-2, 0, NULL, 1) == 0);
  hp.causal = 0;
  CHECK(run_case(TT_ATTENTION, hp, 2, "attention [5, 6], 2 heads, not causal", 1e-2, 0, NULL, 1) == 0);
  hp.heads = 3, hp.causal = 1, hp.bias = 0;
  CHECK(run_case(TT_ATTENTION, hp, 3, "attention [5, 6], 3 heads, causal, no bias", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(2, 1, 4, 0), hp.heads = 1, hp.bias = 1;
  CHECK(run_case(TT_ATTENTION, hp, 2, "attention [1, 4], 1 head (one position)", 1e-2, 0, NULL, 1) == 0);
  hp.in = shp(2, 7, 3, 0), hp.heads = 3, hp.causal = 0;
  CHECK(run_case(TT_ATTENTION, hp, 1, "attention [7, 3], 3 heads of 1, not causal", 1e-2, 0, NULL, 1) == 0);
}

/* Residual blocks are wired by the model (their start and end markers share buffers through skip_buf), so they
 * are checked through a whole model: every parameter's gradient from tt__model_loss against central differences
 * of the loss. The layers before a block get their gradient through both of its paths. */
static int model_grad_check(const char *label, const char *spec, int n, double eps) {
  tt_model *m = tt_model_create(spec, strlen(spec));
  if (!m) {
    fprintf(stderr, "  %s: %s\n", label, tt_last_error());
    return 1;
  }
  size_t in = (size_t)tt_model_input_size(m), lab = (size_t)tt_model_label_size(m), P = tt_model_param_count(m);
  int classes = m->layers[m->n_layers - 1].out.d[m->layers[m->n_layers - 1].out.rank - 1];
  float *x = malloc(n * in * sizeof(float)), *y = malloc(n * lab * sizeof(float)), *g = malloc(P * sizeof(float));
  tt__rng r;
  tt__rng_seed(&r, 5);
  for (size_t i = 0; i < n * in; i++) x[i] = urand(&r, -1, 1);
  for (size_t i = 0; i < n * lab; i++) y[i] = (float)tt__rng_below(&r, (uint32_t)classes);
  tt__model_loss(m, x, y, n, 1);
  memcpy(g, m->grads, P * sizeof(float));
  int fails = 0;
  double max_err = 0;
  for (size_t i = 0; i < P; i++) {
    float keep = m->params[i];
    m->params[i] = (float)(keep + eps);
    double hi = m->params[i], Lp = tt__model_loss(m, x, y, n, 0);
    m->params[i] = (float)(keep - eps);
    double lo = m->params[i], Lm = tt__model_loss(m, x, y, n, 0);
    m->params[i] = keep;
    double num = (Lp - Lm) / (hi - lo), diff = fabs(g[i] - num), big = fmax(fabs(g[i]), fabs(num));
    if (diff / (big + 0.1) > max_err) max_err = diff / (big + 0.1);
    if (!(diff <= 1e-2 * big + 1e-3)) {
      if (fails++ < 5)
        fprintf(stderr, "  %s: dparams[%zu]: backward %.7g, finite difference %.7g\n", label, i, g[i], num);
    }
  }
  printf("  %-44s max rel err %.2e over %zu parameters%s\n", label, max_err, P, fails ? "  FAILED" : "");
  free(x), free(y), free(g);
  tt_model_free(m);
  return fails;
}

TT_TEST(test_residual_grad_matches_finite_difference) {
  CHECK(model_grad_check("residual, nested, after a dense layer",
                         "{\"input\": [3, 4], \"loss\": \"cross_entropy\", \"layers\": [{\"type\": \"dense\", "
                         "\"units\": 4}, {\"type\": \"residual\", \"layers\": [{\"type\": \"layernorm\"}, {\"type\": "
                         "\"dense\", \"units\": 6}, {\"type\": \"tanh\"}, {\"type\": \"dense\", \"units\": 4}]}, "
                         "{\"type\": \"residual\", \"layers\": [{\"type\": \"residual\", \"layers\": [{\"type\": "
                         "\"dense\", \"units\": 4}]}, {\"type\": \"gelu\"}]}, {\"type\": \"dense\", \"units\": 3}]}",
                         2, 1e-2) == 0);
  CHECK(model_grad_check("residual as the first layer",
                         "{\"input\": [3, 4], \"loss\": \"cross_entropy\", \"layers\": [{\"type\": \"residual\", "
                         "\"layers\": [{\"type\": \"dense\", \"units\": 4}]}, {\"type\": \"dense\", \"units\": 3}]}",
                         3, 1e-2) == 0);
  CHECK(model_grad_check("a 1-block GPT (embedding, attention, MLP)",
                         "{\"input\": [5], \"loss\": \"cross_entropy\", \"layers\": [{\"type\": \"embedding\", "
                         "\"vocab\": 7, \"dim\": 8}, {\"type\": \"position_embedding\", \"length\": 5}, {\"type\": "
                         "\"residual\", \"layers\": [{\"type\": \"layernorm\"}, {\"type\": \"attention\", \"heads\": "
                         "2}]}, {\"type\": \"residual\", \"layers\": [{\"type\": \"layernorm\"}, {\"type\": "
                         "\"dense\", \"units\": 16}, {\"type\": \"gelu\"}, {\"type\": \"dense\", \"units\": 8}]}, "
                         "{\"type\": \"layernorm\"}, {\"type\": \"dense\", \"units\": 7}]}",
                         2, 1e-2) == 0);
}

int main(void) {
  TT_RUN(test_dense_grad_matches_finite_difference);
  TT_RUN(test_conv2d_grad_matches_finite_difference);
  TT_RUN(test_conv2d_sparse_dout_takes_sparse_path_and_matches_finite_difference);
  TT_RUN(test_conv2d_sparse_input_takes_sparse_path_and_matches_finite_difference);
  TT_RUN(test_pool_grads_match_finite_difference);
  TT_RUN(test_shape_layers_grad_match_finite_difference);
  TT_RUN(test_activation_grads_match_finite_difference);
  TT_RUN(test_gelu_grad_far_from_zero);
  TT_RUN(test_every_table_activation_grad_matches_finite_difference);
  TT_RUN(test_embedding_grad_matches_finite_difference);
  TT_RUN(test_layernorm_grad_matches_finite_difference);
  TT_RUN(test_position_embedding_grad_matches_finite_difference);
  TT_RUN(test_attention_grad_matches_finite_difference);
  TT_RUN(test_residual_grad_matches_finite_difference);
  return TT_SUMMARY();
}
