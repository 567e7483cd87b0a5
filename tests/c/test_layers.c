/* Layer forward values on small hand-computed cases, output shapes, initialisation statistics and
 * determinism, the setup error messages (exact text), and the ops registry. Layers are built by hand (no
 * spec parser, no model); buffers come from calloc. Reference numbers were worked out by hand and, for the
 * transcendental ones, agree with PyTorch 1.13 (nn.GELU, nn.LayerNorm, softmax). */
#include <stdint.h>
#include <stdlib.h>

#include "layers/layers.h"
#include "test.h"

/* ---- a layer with its buffers ----------------------------------------------------------------------------- */

typedef struct {
  tt__layer l;
  const tt__layer_ops *ops;
  float *ws;
  tt__rng rng;
  tt__ctx ctx;
} lay;

static tt__shape shp(int rank, int a, int b, int c) {
  tt__shape s = {rank, {a, b, c}};
  return s;
}

/* Sets up a layer of type t from the hyper-parameters in hp for batches of up to max_b; returns the setup
 * status (buffers are allocated only on success). */
static int lay_make(lay *L, tt__layer_type t, tt__layer hp, int max_b) {
  memset(L, 0, sizeof *L);
  L->l = hp;
  L->l.type = t;
  L->ops = tt__layer_ops_of(t);
  int st = L->ops->setup(&L->l);
  if (st != TT_OK) return st;
  tt__layer *l = &L->l;
  l->w = calloc(l->w_count + 1, sizeof(float));
  l->dw = calloc(l->w_count + 1, sizeof(float));
  l->b = calloc(l->b_count + 1, sizeof(float));
  l->db = calloc(l->b_count + 1, sizeof(float));
  l->saved = calloc(max_b * l->saved_per_sample + 1, sizeof(float));
  L->ws = calloc(l->workspace_fixed + max_b * l->workspace_per_sample + 1, sizeof(float));
  tt__rng_seed(&L->rng, 7);
  L->ctx.workspace = L->ws;
  L->ctx.rng = &L->rng;
  return TT_OK;
}

static void lay_free(lay *L) {
  free(L->l.w), free(L->l.dw), free(L->l.b), free(L->l.db), free(L->l.saved), free(L->ws);
}

static void lay_forward(lay *L, float *out, const float *in, int B) { L->ops->forward(&L->l, out, in, B, &L->ctx); }

/* CHECK_NEAR over arrays, naming the first index that differs. */
static void check_values(const char *what, const float *got, const float *want, int n, double tol) {
  for (int i = 0; i < n; i++)
    if (!(fabs(got[i] - want[i]) <= tol * fmax(1.0, fabs(want[i])))) {
      tt_test_failed_checks++;
      fprintf(stderr, "%s: [%d] = %.9g, expected %.9g (tol %g)\n", what, i, got[i], want[i], tol);
      return;
    }
}

static void check_shape(tt__shape got, int rank, int a, int b, int c) {
  int ok = got.rank == rank && got.d[0] == a && (rank < 2 || got.d[1] == b) && (rank < 3 || got.d[2] == c);
  if (!ok) {
    char s[64];
    tt__shape_str(got, s, sizeof s);
    tt_test_failed_checks++;
    fprintf(stderr, "shape %s, expected rank %d [%d, %d, %d]\n", s, rank, a, b, c);
  }
}

static const float img3x3[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

/* ---- dense -------------------------------------------------------------------------------------------------- */

TT_TEST(test_dense_forward_is_x_wt_plus_b) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(1, 3, 0, 0), hp.units = 2, hp.bias = 1;
  CHECK(lay_make(&L, TT_DENSE, hp, 2) == TT_OK);
  check_shape(L.l.out, 1, 2, 0, 0);
  CHECK(L.l.w_count == 6 && L.l.b_count == 2);
  const float w[6] = {1, 2, 3, -1, 0, 1}, b[2] = {0.5f, -2};  // W (OUT=2, IN=3)
  memcpy(L.l.w, w, sizeof w), memcpy(L.l.b, b, sizeof b);
  float x[6] = {1, 1, 1, 2, 0, -1}, y[4];
  lay_forward(&L, y, x, 2);
  const float want[4] = {6.5f, -2, 2 + 0 - 3 + 0.5f, -2 - 1 - 2};
  check_values("dense y", y, want, 4, 1e-6);
  CHECK_NEAR(L.ops->flops_forward(&L.l), 2 * 3 * 2 + 2, 0);
  lay_free(&L);
}

TT_TEST(test_dense_on_rank2_input_applies_per_position) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(2, 2, 3, 0), hp.units = 1, hp.bias = 0;
  CHECK(lay_make(&L, TT_DENSE, hp, 1) == TT_OK);
  check_shape(L.l.out, 2, 2, 1, 0);
  CHECK(L.l.b_count == 0);
  const float w[3] = {1, 10, 100};
  memcpy(L.l.w, w, sizeof w);
  float x[6] = {1, 2, 3, 4, 5, 6}, y[2];
  lay_forward(&L, y, x, 1);
  const float want[2] = {321, 654};
  check_values("dense rank-2 y", y, want, 2, 1e-6);
  lay_free(&L);
}

/* ---- conv2d ------------------------------------------------------------------------------------------------- */

static void conv_case(const char *what, tt__layer hp, const float *w, float bias, const float *want, int oh,
                      int ow) {
  lay L;
  CHECK(lay_make(&L, TT_CONV2D, hp, 1) == TT_OK);
  check_shape(L.l.out, 3, hp.filters, oh, ow);
  memcpy(L.l.w, w, L.l.w_count * sizeof(float));
  if (L.l.b_count) L.l.b[0] = bias;
  float y[16];
  lay_forward(&L, y, img3x3, 1);
  check_values(what, y, want, oh * ow, 1e-6);
  lay_free(&L);
}

TT_TEST(test_conv2d_forward_on_a_3x3_image) {
  tt__layer hp = {0};
  hp.in = shp(3, 1, 3, 3), hp.filters = 1, hp.kernel = 2, hp.stride = 1, hp.bias = 1;
  // x[i][j] - x[i+1][j+1] + 0.5 = -3.5 everywhere
  const float diag[4] = {1, 0, 0, -1}, want_diag[4] = {-3.5f, -3.5f, -3.5f, -3.5f};
  conv_case("conv 2x2 valid", hp, diag, 0.5f, want_diag, 2, 2);
  // 3x3 box sum, padding 1: neighbourhood sums
  const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  const float want_pad1[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  hp.kernel = 3, hp.padding = 1;
  conv_case("conv 3x3 padding 1", hp, ones, 0, want_pad1, 3, 3);
  // same thing with stride 2: the four corners of that map
  const float want_s2[4] = {12, 16, 24, 28};
  hp.stride = 2;
  conv_case("conv 3x3 stride 2 padding 1", hp, ones, 0, want_s2, 2, 2);
  // "same" with an even kernel: PyTorch pads 0 before and 1 after
  const float want_same2[9] = {12, 16, 9, 24, 28, 15, 15, 17, 9};
  hp.kernel = 2, hp.stride = 1, hp.padding = 0, hp.padding_same = 1;
  conv_case("conv 2x2 same", hp, ones, 0, want_same2, 3, 3);
  hp.kernel = 3;
  conv_case("conv 3x3 same", hp, ones, 0, want_pad1, 3, 3);
}

TT_TEST(test_conv2d_weight_layout_is_filters_channels_k_k) {
  // 1x1 kernels on 2 channels, 3 filters: out[f] = W[f][0] * x[0] + W[f][1] * x[1] + b[f]
  lay L;
  tt__layer hp = {0};
  hp.in = shp(3, 2, 1, 2), hp.filters = 3, hp.kernel = 1, hp.stride = 1, hp.bias = 1;
  CHECK(lay_make(&L, TT_CONV2D, hp, 2) == TT_OK);
  check_shape(L.l.out, 3, 3, 1, 2);
  const float w[6] = {1, 0, 0, 1, 2, -1}, b[3] = {0, 0, 10};
  memcpy(L.l.w, w, sizeof w), memcpy(L.l.b, b, sizeof b);
  float x[8] = {1, 2, 3, 4, /* second sample */ 5, 6, 7, 8}, y[12];
  lay_forward(&L, y, x, 2);
  const float want[12] = {1, 2, 3, 4, 9, 10, 5, 6, 7, 8, 13, 14};
  check_values("conv 1x1 layout", y, want, 12, 1e-6);
  // flops: 2 * C*K*K per output plus the bias add
  CHECK_NEAR(L.ops->flops_forward(&L.l), 6 * (2 * 2 + 1), 0);
  lay_free(&L);
}

TT_TEST(test_digits_cnn_shapes_and_flops) {
  // conv 5x5x8 same, maxpool 2, conv 5x5x16 same, maxpool 2, flatten, dense 10 on 28x28
  lay c1, p1, c2, p2, fl, d;
  tt__layer hp = {0};
  hp.in = shp(3, 1, 28, 28), hp.filters = 8, hp.kernel = 5, hp.stride = 1, hp.padding_same = 1, hp.bias = 1;
  CHECK(lay_make(&c1, TT_CONV2D, hp, 1) == TT_OK);
  check_shape(c1.l.out, 3, 8, 28, 28);
  CHECK(c1.l.pad_lo == 2 && c1.l.pad_hi == 2);
  CHECK(c1.l.workspace_fixed + c1.l.workspace_per_sample > 0);
  CHECK_NEAR(c1.ops->flops_forward(&c1.l), 8.0 * 28 * 28 * (2 * 25 + 1), 0);
  tt__layer ph = {0};
  ph.in = c1.l.out, ph.kernel = 2, ph.stride = 2;
  CHECK(lay_make(&p1, TT_MAXPOOL2D, ph, 1) == TT_OK);
  check_shape(p1.l.out, 3, 8, 14, 14);
  hp.in = p1.l.out, hp.filters = 16;
  CHECK(lay_make(&c2, TT_CONV2D, hp, 1) == TT_OK);
  check_shape(c2.l.out, 3, 16, 14, 14);
  CHECK(c2.l.w_count == 16 * 8 * 25 && c2.l.b_count == 16);
  ph.in = c2.l.out;
  CHECK(lay_make(&p2, TT_MAXPOOL2D, ph, 1) == TT_OK);
  check_shape(p2.l.out, 3, 16, 7, 7);
  tt__layer fh = {0};
  fh.in = p2.l.out;
  CHECK(lay_make(&fl, TT_FLATTEN, fh, 1) == TT_OK);
  check_shape(fl.l.out, 1, 784, 0, 0);
  tt__layer dh = {0};
  dh.in = fl.l.out, dh.units = 10, dh.bias = 1;
  CHECK(lay_make(&d, TT_DENSE, dh, 1) == TT_OK);
  CHECK(d.l.w_count == 7840);
  lay_free(&c1), lay_free(&p1), lay_free(&c2), lay_free(&p2), lay_free(&fl), lay_free(&d);
}

TT_TEST(test_conv2d_batch_equals_samples_one_by_one) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(3, 2, 5, 4), hp.filters = 3, hp.kernel = 3, hp.stride = 2, hp.padding = 1, hp.bias = 1;
  CHECK(lay_make(&L, TT_CONV2D, hp, 3) == TT_OK);
  tt__rng g;
  tt__rng_seed(&g, 3);
  L.ops->init(&L.l, &g);
  for (int i = 0; i < 3; i++) L.l.b[i] = 0.1f * i;
  float x[3 * 40], y[3 * 18], y1[18];
  for (int i = 0; i < 120; i++) x[i] = tt__rng_normal(&g);
  lay_forward(&L, y, x, 3);
  for (int s = 0; s < 3; s++) {  // B = 1 < max batch 3 is allowed
    lay_forward(&L, y1, x + s * 40, 1);
    check_values("conv sample of a batch", y + s * 18, y1, 18, 0);
  }
  lay_free(&L);
}

/* ---- pools -------------------------------------------------------------------------------------------------- */

TT_TEST(test_maxpool_ties_pick_the_first_max) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(3, 2, 2, 4), hp.kernel = 2, hp.stride = 2;
  CHECK(lay_make(&L, TT_MAXPOOL2D, hp, 1) == TT_OK);
  check_shape(L.l.out, 3, 2, 1, 2);
  // channel 0: windows {1,3 / 3,2} (tie between 3s) and {5,5 / 5,5}; channel 1: {-1,-2 / -3,-4}, {0,9 / 9,0}
  const float x[16] = {1, 3, 5, 5, 3, 2, 5, 5, -1, -2, 0, 9, -3, -4, 9, 0};
  float y[4];
  lay_forward(&L, y, x, 1);
  const float want[4] = {3, 5, -1, 9}, want_arg[4] = {1, 2, 8, 11};
  check_values("maxpool y", y, want, 4, 0);
  check_values("maxpool argmax", L.l.saved, want_arg, 4, 0);
  // backward sends each gradient to that first max only
  float dy[4] = {1, 2, 3, 4}, dx[16];
  L.ops->backward(&L.l, dx, dy, x, y, 1, &L.ctx);
  const float want_dx[16] = {0, 1, 2, 0, 0, 0, 0, 0, 3, 0, 0, 4, 0, 0, 0, 0};
  check_values("maxpool dx", dx, want_dx, 16, 0);
  lay_free(&L);
}

TT_TEST(test_maxpool_overlapping_windows_accumulate_gradient) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(3, 1, 3, 3), hp.kernel = 2, hp.stride = 1;
  CHECK(lay_make(&L, TT_MAXPOOL2D, hp, 1) == TT_OK);
  const float x[9] = {0, 0, 0, 0, 9, 0, 0, 0, 0};  // the centre wins all four windows
  float y[4], dy[4] = {1, 1, 1, 1}, dx[9];
  lay_forward(&L, y, x, 1);
  L.ops->backward(&L.l, dx, dy, x, y, 1, &L.ctx);
  CHECK(dx[4] == 4 && dx[0] == 0 && dx[8] == 0);
  lay_free(&L);
}

TT_TEST(test_avgpool_forward_and_floor_size) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(3, 1, 3, 3), hp.kernel = 2, hp.stride = 2;  // floor: one window, the last row/col dropped
  CHECK(lay_make(&L, TT_AVGPOOL2D, hp, 1) == TT_OK);
  check_shape(L.l.out, 3, 1, 1, 1);
  float y[1];
  lay_forward(&L, y, img3x3, 1);
  CHECK_NEAR(y[0], 3.0, 1e-6);  // (1 + 2 + 4 + 5) / 4
  lay_free(&L);
  hp.stride = 1;
  CHECK(lay_make(&L, TT_AVGPOOL2D, hp, 1) == TT_OK);
  float y4[4];
  lay_forward(&L, y4, img3x3, 1);
  const float want[4] = {3, 4, 6, 7};
  check_values("avgpool stride 1", y4, want, 4, 1e-6);
  lay_free(&L);
}

/* ---- flatten, dropout --------------------------------------------------------------------------------------- */

TT_TEST(test_flatten_is_a_copy_in_order) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(3, 1, 3, 3);
  CHECK(lay_make(&L, TT_FLATTEN, hp, 1) == TT_OK);
  check_shape(L.l.out, 1, 9, 0, 0);
  float y[9];
  lay_forward(&L, y, img3x3, 1);
  check_values("flatten", y, img3x3, 9, 0);
  lay_free(&L);
}

TT_TEST(test_dropout_drops_rate_and_scales_the_rest) {
  enum { N = 20000 };
  lay L;
  tt__layer hp = {0};
  hp.in = shp(1, N, 0, 0), hp.rate = 0.25f;
  CHECK(lay_make(&L, TT_DROPOUT, hp, 1) == TT_OK);
  float *x = malloc(N * sizeof(float)), *y = malloc(N * sizeof(float)), *y2 = malloc(N * sizeof(float));
  for (int i = 0; i < N; i++) x[i] = 1.0f + (float)(i % 7);
  L.ctx.training = 1;
  lay_forward(&L, y, x, 1);
  int zeros = 0, bad = 0;
  for (int i = 0; i < N; i++) {
    if (y[i] == 0) zeros++;
    else if (fabsf(y[i] - x[i] / 0.75f) > 1e-5f * y[i]) bad++;
  }
  CHECK_NEAR(zeros / (double)N, 0.25, 0.02);  // binomial std is 0.003
  CHECK(bad == 0);
  // same rng state, same mask; inference is the identity
  tt__rng_seed(&L.rng, 7);
  lay_forward(&L, y2, x, 1);
  CHECK(memcmp(y, y2, N * sizeof(float)) == 0);
  L.ctx.training = 0;
  lay_forward(&L, y2, x, 1);
  CHECK(memcmp(x, y2, N * sizeof(float)) == 0);
  free(x), free(y), free(y2);
  lay_free(&L);
}

/* ---- activations ------------------------------------------------------------------------------------------- */

static void act_case(tt__layer_type t, float slope, const float *x, const float *want, int n, double tol) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(1, n, 0, 0), hp.slope = slope;
  CHECK(lay_make(&L, t, hp, 1) == TT_OK);
  float y[16];
  lay_forward(&L, y, x, 1);
  check_values(L.ops->name, y, want, n, tol);
  lay_free(&L);
}

TT_TEST(test_elementwise_activation_values) {
  const float x[5] = {-2, -0.5f, 0, 0.5f, 3};
  const float relu[5] = {0, 0, 0, 0.5f, 3};
  act_case(TT_RELU, 0, x, relu, 5, 0);
  const float leaky[5] = {-0.2f, -0.05f, 0, 0.5f, 3};
  act_case(TT_LEAKY_RELU, 0.1f, x, leaky, 5, 1e-7);
  const float th[5] = {-0.96402758f, -0.46211716f, 0, 0.46211716f, 0.99505475f};
  act_case(TT_TANH, 0, x, th, 5, 1e-6);
  const float sx[4] = {-100, 100, 0, 0.5f}, sg[4] = {0, 1, 0.5f, 0.62245935f};  // no overflow at ±100
  act_case(TT_SIGMOID, 0, sx, sg, 4, 1e-6);
  // exact erf GELU (PyTorch's nn.GELU() default): gelu(1) = 0.8413447
  const float gx[4] = {1, -1, 0, 3}, gy[4] = {0.84134471f, -0.15865529f, 0, 2.99595022f};
  act_case(TT_GELU, 0, gx, gy, 4, 1e-6);
  // silu(x) = x sigmoid(x) (nn.SiLU), with no overflow at -100
  const float qx[5] = {1, -1, 0, 3, -100}, qy[5] = {0.73105858f, -0.26894142f, 0, 2.85772238f, 0};
  act_case(TT_SILU, 0, qx, qy, 5, 1e-6);
}

TT_TEST(test_softmax_rows_sum_to_one_and_are_stable_at_1000) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(2, 2, 3, 0);
  CHECK(lay_make(&L, TT_SOFTMAX, hp, 1) == TT_OK);
  const float x[6] = {1000, 1000, 999, -1, 0, 1};
  float y[6];
  lay_forward(&L, y, x, 1);
  const float want[6] = {0.42231882f, 0.42231882f, 0.15536241f, 0.09003057f, 0.24472847f, 0.66524096f};
  check_values("softmax", y, want, 6, 1e-6);
  CHECK_NEAR(y[0] + y[1] + y[2], 1.0, 1e-6);
  CHECK_NEAR(y[3] + y[4] + y[5], 1.0, 1e-6);
  lay_free(&L);
}

/* ---- embedding, layernorm --------------------------------------------------------------------------------- */

TT_TEST(test_embedding_looks_up_rows_and_clamps) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(1, 5, 0, 0), hp.vocab = 3, hp.dim = 2;
  CHECK(lay_make(&L, TT_EMBEDDING, hp, 1) == TT_OK);
  check_shape(L.l.out, 2, 5, 2, 0);
  const float w[6] = {10, 11, 20, 21, 30, 31};
  memcpy(L.l.w, w, sizeof w);
  // 2, 0, then out-of-range values that the data checks would reject, clamped rather than read out of bounds
  const float x[5] = {2, 0, -3, 99, NAN};
  float y[10];
  lay_forward(&L, y, x, 1);
  const float want[10] = {30, 31, 10, 11, 10, 11, 30, 31, 10, 11};
  check_values("embedding", y, want, 10, 0);
  lay_free(&L);
}

TT_TEST(test_layernorm_of_1_2_3) {
  lay L;
  tt__layer hp = {0};
  hp.in = shp(2, 2, 3, 0), hp.eps = 1e-5f;
  CHECK(lay_make(&L, TT_LAYERNORM, hp, 1) == TT_OK);
  CHECK(L.l.w_count == 3 && L.l.b_count == 3);
  tt__rng g;
  tt__rng_seed(&g, 1);
  L.ops->init(&L.l, &g);
  const float x[6] = {1, 2, 3, 1001, 1002, 1003};  // a large offset must not change the result
  float y[6];
  lay_forward(&L, y, x, 1);
  const float want[6] = {-1.22473562f, 0, 1.22473562f, -1.22473562f, 0, 1.22473562f};
  check_values("layernorm", y, want, 6, 1e-5);
  CHECK_NEAR(L.l.saved[0], 2.0, 1e-6);     // mean of the first row
  CHECK_NEAR(L.l.saved[2], 1002.0, 1e-6);  // mean of the second row
  // gamma 2, beta 1 scale and shift
  for (int i = 0; i < 3; i++) L.l.w[i] = 2, L.l.b[i] = 1;
  lay_forward(&L, y, x, 1);
  const float want2[6] = {-1.44947124f, 1, 3.44947124f, -1.44947124f, 1, 3.44947124f};
  check_values("layernorm gamma 2 beta 1", y, want2, 6, 1e-5);
  lay_free(&L);
}

/* ---- initialisation ----------------------------------------------------------------------------------------- */

static void stats(const float *w, size_t n, double *mean, double *std, double *maxabs) {
  double s = 0, ss = 0, m = 0;
  for (size_t i = 0; i < n; i++) s += w[i], ss += (double)w[i] * w[i], m = fmax(m, fabs(w[i]));
  *mean = s / n, *std = sqrt(ss / n - *mean * *mean), *maxabs = m;
}

TT_TEST(test_init_he_and_glorot_statistics) {
  lay L;
  tt__layer hp = {0};
  double mean, std, maxabs;
  tt__rng g;
  // dense 300 -> 200, He: std sqrt(2/300)
  hp.in = shp(1, 300, 0, 0), hp.units = 200, hp.bias = 1, hp.init_he = 1;
  CHECK(lay_make(&L, TT_DENSE, hp, 1) == TT_OK);
  for (int i = 0; i < 200; i++) L.l.b[i] = 5;
  tt__rng_seed(&g, 1);
  L.ops->init(&L.l, &g);
  stats(L.l.w, L.l.w_count, &mean, &std, &maxabs);
  CHECK_NEAR(std, sqrt(2.0 / 300), 0.02 * sqrt(2.0 / 300));
  CHECK_NEAR(mean, 0, 1e-3);
  stats(L.l.b, L.l.b_count, &mean, &std, &maxabs);
  CHECK(maxabs == 0);  // biases start at 0
  // Glorot uniform: within ±sqrt(6/500), std limit/sqrt(3)
  L.l.init_he = 0;
  L.ops->init(&L.l, &g);
  stats(L.l.w, L.l.w_count, &mean, &std, &maxabs);
  double limit = sqrt(6.0 / 500);
  CHECK(maxabs <= limit && maxabs > 0.99 * limit);
  CHECK_NEAR(std, limit / sqrt(3), 0.02 * limit);
  lay_free(&L);
  // conv fans: fan_in = C*K*K = 3*25, fan_out = F*K*K = 32*25
  hp = (tt__layer){0};
  hp.in = shp(3, 3, 8, 8), hp.filters = 32, hp.kernel = 5, hp.stride = 1, hp.bias = 1, hp.init_he = 1;
  CHECK(lay_make(&L, TT_CONV2D, hp, 1) == TT_OK);
  L.ops->init(&L.l, &g);
  stats(L.l.w, L.l.w_count, &mean, &std, &maxabs);
  CHECK_NEAR(std, sqrt(2.0 / 75), 0.03 * sqrt(2.0 / 75));
  L.l.init_he = 0;
  L.ops->init(&L.l, &g);
  stats(L.l.w, L.l.w_count, &mean, &std, &maxabs);
  limit = sqrt(6.0 / (75 + 800));
  CHECK(maxabs <= limit && maxabs > 0.99 * limit);
  lay_free(&L);
  // embedding N(0, 1)
  hp = (tt__layer){0};
  hp.in = shp(1, 4, 0, 0), hp.vocab = 100, hp.dim = 100;
  CHECK(lay_make(&L, TT_EMBEDDING, hp, 1) == TT_OK);
  L.ops->init(&L.l, &g);
  stats(L.l.w, L.l.w_count, &mean, &std, &maxabs);
  CHECK_NEAR(mean, 0, 0.03);
  CHECK_NEAR(std, 1, 0.03);
  lay_free(&L);
}

TT_TEST(test_init_is_deterministic_for_a_seed) {
  lay A, B;
  tt__layer hp = {0};
  hp.in = shp(3, 2, 6, 6), hp.filters = 4, hp.kernel = 3, hp.stride = 1, hp.bias = 1;
  CHECK(lay_make(&A, TT_CONV2D, hp, 1) == TT_OK);
  CHECK(lay_make(&B, TT_CONV2D, hp, 1) == TT_OK);
  tt__rng g1, g2;
  tt__rng_seed(&g1, 42), tt__rng_seed(&g2, 42);
  A.ops->init(&A.l, &g1), B.ops->init(&B.l, &g2);
  CHECK(memcmp(A.l.w, B.l.w, A.l.w_count * sizeof(float)) == 0);
  CHECK(g1.state == g2.state);  // the same number of draws
  tt__rng_seed(&g2, 43);
  B.ops->init(&B.l, &g2);
  CHECK(memcmp(A.l.w, B.l.w, A.l.w_count * sizeof(float)) != 0);
  lay_free(&A), lay_free(&B);
}

/* ---- setup errors ---------------------------------------------------------------------------------------------- */

static void check_setup_error(tt__layer_type t, tt__layer hp, const char *want) {
  tt__clear_error();
  hp.type = t;
  int st = tt__layer_ops_of(t)->setup(&hp);
  CHECK(st == TT_ERR_SPEC);
  CHECK_STR(tt_last_error(), want);
}

TT_TEST(test_setup_errors_name_the_layer_and_the_fix) {
  tt__layer hp = {0};
  strcpy(hp.path, "layers[3]"), hp.in = shp(3, 8, 14, 14), hp.units = 10, hp.bias = 1;
  check_setup_error(TT_DENSE, hp,
                    "layers[3] (dense): expects a flat input, got [8, 14, 14]: add {\"type\": \"flatten\"} before it");
  hp.in = shp(1, 64, 0, 0), hp.units = 0;
  check_setup_error(TT_DENSE, hp, "layers[3] (dense): units must be a positive integer, got 0");
  hp = (tt__layer){0};
  strcpy(hp.path, "layers[3]"), hp.in = shp(1, 64, 0, 0), hp.filters = 8, hp.kernel = 3, hp.stride = 1;
  check_setup_error(TT_CONV2D, hp,
                    "layers[3] (conv2d): expects an input of shape [channels, height, width], got [64]");
  hp.in = shp(3, 1, 4, 4), hp.padding_same = 1, hp.stride = 2;
  check_setup_error(TT_CONV2D, hp, "layers[3] (conv2d): padding \"same\" needs stride 1, got stride 2");
  hp.padding_same = 0, hp.stride = 1, hp.kernel = 7, hp.padding = 1;
  check_setup_error(TT_CONV2D, hp, "layers[3] (conv2d): kernel 7 is larger than the padded input 6x6");
  hp = (tt__layer){0};
  strcpy(hp.path, "layers[2]"), hp.in = shp(3, 4, 2, 2), hp.kernel = 3, hp.stride = 3;
  check_setup_error(TT_MAXPOOL2D, hp, "layers[2] (maxpool2d): size 3 is larger than the input 2x2");
  check_setup_error(TT_AVGPOOL2D, hp, "layers[2] (avgpool2d): size 3 is larger than the input 2x2");
  hp.in = shp(1, 10, 0, 0);
  check_setup_error(TT_MAXPOOL2D, hp,
                    "layers[2] (maxpool2d): expects an input of shape [channels, height, width], got [10]");
  hp = (tt__layer){0};
  strcpy(hp.path, "layers[0]"), hp.in = shp(2, 3, 4, 0), hp.vocab = 10, hp.dim = 4;
  check_setup_error(TT_EMBEDDING, hp, "layers[0] (embedding): expects an input of token indices [T], got [3, 4]");
  hp = (tt__layer){0};
  strcpy(hp.path, "layers[1]"), hp.in = shp(1, 10, 0, 0), hp.rate = 1;
  check_setup_error(TT_DROPOUT, hp, "layers[1] (dropout): rate must be at least 0 and below 1, got 1");
}

/* ---- registry --------------------------------------------------------------------------------------------------- */

/* Every line of layer_table.h, as the test reads it: its name and enum constant, and its traits as bits. */
#define PARAMS | TT_TRAIT_PARAMS
#define HE_INIT | TT_TRAIT_HE_INIT
#define FUSES_NEXT | TT_TRAIT_FUSES_NEXT
#define ACTIVATION | TT_TRAIT_ACTIVATION
static const struct {
  const char *name;
  tt__layer_type type;
  unsigned traits;
} table[] = {
#define TT_LAYER(name, NAME, fields, traits, fused, torch) {#name, TT_##NAME, 0 traits},
#include "layers/layer_table.h"
#undef TT_LAYER
};
#undef PARAMS
#undef HE_INIT
#undef FUSES_NEXT
#undef ACTIVATION
#define TABLE_LINES ((int)(sizeof table / sizeof table[0]))

TT_TEST(test_every_layer_type_has_complete_ops) {
  CHECK(TABLE_LINES == TT_LAYER_TYPE_COUNT);
  for (int i = 0; i < TABLE_LINES; i++) {
    tt__layer_type t = table[i].type;
    const tt__layer_ops *ops = tt__layer_ops_of(t);
    CHECK((int)t == i);
    CHECK(ops != NULL);
    if (!ops) continue;
    CHECK_STR(ops->name, table[i].name);
    CHECK_STR(tt__layer_names[t], table[i].name);
    CHECK(ops->setup && ops->forward && ops->backward && ops->flops_forward);
    // the PARAMS trait and the ops agree: init exactly for layers with parameters
    CHECK((ops->init != NULL) == tt__layer_has(t, TT_TRAIT_PARAMS));
    CHECK(tt__layer_has(t, table[i].traits) && tt__layer_has(t, 0));
  }
  CHECK(tt__layer_names[TT_LAYER_TYPE_COUNT] == NULL);
  CHECK(tt__layer_ops_of(TT_RESIDUAL_END) == &tt__residual_end_ops);  // past the table: the parser's own marker
  CHECK(tt__layer_ops_of((tt__layer_type)(TT_LAYER_TYPE_COUNT + 1)) == NULL);
  CHECK(tt__layer_ops_of((tt__layer_type)-1) == NULL);
}

/* The traits are consistent: an ACTIVATION has no parameters, takes any shape and keeps it, and saves nothing;
 * only activations are HE_INIT or have a fused kernel; a FUSES_NEXT layer has the bias the fused pass adds. */
TT_TEST(test_table_traits_hold) {
  int activations = 0;
  for (int i = 0; i < TABLE_LINES; i++) {
    tt__layer_type t = table[i].type;
    if (tt__layer_fused_act(t)) CHECK(tt__layer_has(t, TT_TRAIT_ACTIVATION));
    if (tt__layer_has(t, TT_TRAIT_FUSES_NEXT)) CHECK(tt__layer_has(t, TT_TRAIT_PARAMS));
    if (tt__layer_has(t, TT_TRAIT_HE_INIT)) CHECK(tt__layer_has(t, TT_TRAIT_ACTIVATION));
    if (!tt__layer_has(t, TT_TRAIT_ACTIVATION)) continue;
    activations++;
    CHECK(!tt__layer_has(t, TT_TRAIT_PARAMS));
    tt__layer hp = {0};
    hp.in = shp(2, 3, 5, 0);
    lay L;
    CHECK(lay_make(&L, t, hp, 2) == TT_OK);
    CHECK(tt__shape_size(L.l.out) == 15 && L.l.out.rank == 2 && L.l.saved_per_sample == 0);
    lay_free(&L);
  }
  CHECK(activations >= 5);
}

int main(void) {
  TT_RUN(test_dense_forward_is_x_wt_plus_b);
  TT_RUN(test_dense_on_rank2_input_applies_per_position);
  TT_RUN(test_conv2d_forward_on_a_3x3_image);
  TT_RUN(test_conv2d_weight_layout_is_filters_channels_k_k);
  TT_RUN(test_digits_cnn_shapes_and_flops);
  TT_RUN(test_conv2d_batch_equals_samples_one_by_one);
  TT_RUN(test_maxpool_ties_pick_the_first_max);
  TT_RUN(test_maxpool_overlapping_windows_accumulate_gradient);
  TT_RUN(test_avgpool_forward_and_floor_size);
  TT_RUN(test_flatten_is_a_copy_in_order);
  TT_RUN(test_dropout_drops_rate_and_scales_the_rest);
  TT_RUN(test_elementwise_activation_values);
  TT_RUN(test_softmax_rows_sum_to_one_and_are_stable_at_1000);
  TT_RUN(test_embedding_looks_up_rows_and_clamps);
  TT_RUN(test_layernorm_of_1_2_3);
  TT_RUN(test_init_he_and_glorot_statistics);
  TT_RUN(test_init_is_deterministic_for_a_seed);
  TT_RUN(test_setup_errors_name_the_layer_and_the_fix);
  TT_RUN(test_every_layer_type_has_complete_ops);
  TT_RUN(test_table_traits_hold);
  return TT_SUMMARY();
}
