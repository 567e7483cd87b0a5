/* Losses: values on small cases worked out by hand, gradients against central finite differences in double,
 * accuracy counting, and stability on logits of ±1000. */
#include "test.h"
#include "layers/layers.h"

/* Deterministic values in [-2, 2) without touching the library's RNG. */
static float next_value(unsigned *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)((*s >> 8) & 0xFFFF) / 65536.0f * 4.0f - 2.0f;
}

TT_TEST(test_mse_is_mean_of_squared_differences) {
  const float x[4] = {1, 2, 3, 4}, y[4] = {0, 2, 1, 4};   // differences 1, 0, 2, 0
  float dx[4];
  long correct = 0, total = 0;
  CHECK_NEAR(tt__loss(TT_LOSS_MSE, dx, x, y, 2, 2, &correct, &total), 5.0 / 4.0, 1e-12);
  const double want[4] = {0.5, 0.0, 1.0, 0.0};             // 2 (x - y) / 4
  for (int i = 0; i < 4; i++) CHECK_NEAR(dx[i], want[i], 1e-7);
  CHECK(correct == 0 && total == 0);                       // mse judges nothing
}

TT_TEST(test_cross_entropy_is_mean_negative_log_softmax) {
  // row 0: uniform logits, target 1 -> log 3; row 1: (1, 2, 3), target 2 -> log(e^-2 + e^-1 + 1)
  const float x[6] = {0, 0, 0, 1, 2, 3}, t[2] = {1, 2};
  float dx[6];
  long correct = 0, total = 0;
  double l1 = log(3.0), l2 = log(exp(-2.0) + exp(-1.0) + 1.0);
  CHECK_NEAR(tt__loss(TT_LOSS_CROSS_ENTROPY, dx, x, t, 2, 3, &correct, &total), (l1 + l2) / 2, 1e-9);
  // d/dx = (softmax - onehot) / rows
  CHECK_NEAR(dx[0], (1.0 / 3) / 2, 1e-7);
  CHECK_NEAR(dx[1], (1.0 / 3 - 1) / 2, 1e-7);
  double z = exp(1.0) + exp(2.0) + exp(3.0);
  CHECK_NEAR(dx[3], exp(1.0) / z / 2, 1e-7);
  CHECK_NEAR(dx[5], (exp(3.0) / z - 1) / 2, 1e-7);
  // row 0 ties everywhere: argmax takes the first index (0), which is wrong; row 1 is right
  CHECK(correct == 1 && total == 2);
}

TT_TEST(test_bce_with_logits_matches_stable_formula) {
  // max(x, 0) - x y + log(1 + e^-|x|)
  const float x[4] = {0, 2, -3, 0.5f}, y[4] = {1, 0, 1, 0.25f};
  double want[4] = {log(2.0), 2.0 + log1p(exp(-2.0)), 3.0 + log1p(exp(-3.0)),
                    0.5 - 0.125 + log1p(exp(-0.5))};
  float dx[4];
  long correct = 0, total = 0;
  CHECK_NEAR(tt__loss(TT_LOSS_BCE, dx, x, y, 1, 4, &correct, &total),
             (want[0] + want[1] + want[2] + want[3]) / 4, 1e-9);
  for (int i = 0; i < 4; i++) CHECK_NEAR(dx[i], (1.0 / (1.0 + exp(-x[i])) - y[i]) / 4, 1e-7);
  // judged as (x > 0) == (y >= 0.5): every one of these four is wrong (x = 0 counts as predicting 0)
  CHECK(total == 4);
  CHECK(correct == 0);
}

TT_TEST(test_accuracy_counts_accumulate_across_calls) {
  const float x[6] = {3, 1, 0, -1, 5, 2}, t[2] = {0, 2};   // row 0 right (argmax 0), row 1 wrong (argmax 1)
  long correct = 7, total = 10;                            // counters are added to, not reset
  tt__loss(TT_LOSS_CROSS_ENTROPY, NULL, x, t, 2, 3, &correct, &total);
  CHECK(correct == 8 && total == 12);
  const float b[3] = {2, -1, 0.1f}, y[3] = {1, 0, 0};      // right, right, wrong
  tt__loss(TT_LOSS_BCE, NULL, b, y, 3, 1, &correct, &total);
  CHECK(correct == 10 && total == 15);
  // NULL counters are allowed
  tt__loss(TT_LOSS_BCE, NULL, b, y, 3, 1, NULL, NULL);
}

/* Central differences of the (double) mean loss against the analytic dlogits, for one loss on random
 * logits. The step is taken on the float input, so the denominator uses the float values actually seen. */
static void check_gradient(tt__loss_type type, const char *name, int rows, int cols) {
  enum { MAX = 64 };
  float x[MAX], dx[MAX], t[MAX];
  int n = rows * cols;
  CHECK(n > 0 && n <= MAX);
  if (n <= 0 || n > MAX) return;
  unsigned s = 12345u + (unsigned)type;
  for (int i = 0; i < n; i++) x[i] = next_value(&s) * 2.0f;          // logits in [-4, 4)
  for (int i = 0; i < n; i++) {
    float v = next_value(&s);
    t[i] = type == TT_LOSS_CROSS_ENTROPY ? (float)((unsigned)(v * 1000 + 5000) % (unsigned)cols)
         : type == TT_LOSS_BCE ? (v + 2.0f) / 4.0f                    // soft targets in [0, 1)
         : v;
  }
  tt__loss(type, dx, x, t, rows, cols, NULL, NULL);
  double worst = 0.0;
  int worst_i = -1;
  for (int i = 0; i < n; i++) {
    float keep = x[i];
    float hi = keep + 1e-2f, lo = keep - 1e-2f;
    x[i] = hi;
    double lp = tt__loss(type, NULL, x, t, rows, cols, NULL, NULL);
    x[i] = lo;
    double lm = tt__loss(type, NULL, x, t, rows, cols, NULL, NULL);
    x[i] = keep;
    double numeric = (lp - lm) / ((double)hi - (double)lo);
    // relative error with a floor: gradients here are O(1/n), so the floor is set at that scale
    double err = fabs(dx[i] - numeric) / fmax(fabs(numeric), 1e-2 / n);
    if (err > worst) worst = err, worst_i = i;
  }
  if (worst > 1e-3) {
    fprintf(stderr, "  %s: worst relative gradient error %.3g at element %d (analytic %.9g)\n", name, worst,
            worst_i, dx[worst_i]);
  }
  CHECK(worst <= 1e-3);
}

TT_TEST(test_loss_gradients_match_finite_differences) {
  check_gradient(TT_LOSS_MSE, "mse", 5, 3);
  check_gradient(TT_LOSS_CROSS_ENTROPY, "cross_entropy", 6, 4);
  check_gradient(TT_LOSS_CROSS_ENTROPY, "cross_entropy one class", 3, 1);
  check_gradient(TT_LOSS_BCE, "binary_cross_entropy", 4, 3);
}

static int all_finite(const float *x, int n) {
  for (int i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}

TT_TEST(test_losses_stay_finite_on_logits_of_plus_minus_1000) {
  const float x[6] = {1000, -1000, 0, -1000, 1000, 1000};
  float dx[6];
  // cross entropy: row 0 target 0 is confidently right (loss 0); row 1 target 0 is off by 2000
  const float t[2] = {0, 0};
  double ce = tt__loss(TT_LOSS_CROSS_ENTROPY, dx, x, t, 2, 3, NULL, NULL);
  CHECK(isfinite(ce));
  CHECK_NEAR(ce, (0.0 + 2000.0 + log(2.0)) / 2, 1e-9);
  CHECK(all_finite(dx, 6));
  CHECK_NEAR(dx[0], 0.0, 1e-7);
  CHECK_NEAR(dx[3], -0.5, 1e-7);                           // (0 - 1) / 2
  CHECK_NEAR(dx[4], 0.25, 1e-7);                           // (1/2) / 2
  // BCE: x = 1000, y = 0 costs 1000; x = -1000, y = 0 costs 0; x = 1000, y = 1 costs 0
  const float b[3] = {1000, -1000, 1000}, y[3] = {0, 0, 1};
  double bce = tt__loss(TT_LOSS_BCE, dx, b, y, 3, 1, NULL, NULL);
  CHECK_NEAR(bce, 1000.0 / 3, 1e-9);
  CHECK(all_finite(dx, 3));
  CHECK_NEAR(dx[0], 1.0 / 3, 1e-7);
  CHECK_NEAR(dx[1], 0.0, 1e-7);
  CHECK_NEAR(dx[2], 0.0, 1e-7);
  // MSE on big values is just big, never Inf
  const float m[2] = {1000, -1000}, z[2] = {0, 0};
  CHECK_NEAR(tt__loss(TT_LOSS_MSE, dx, m, z, 1, 2, NULL, NULL), 1e6, 1e-9);
  CHECK(all_finite(dx, 2));
}

TT_TEST(test_empty_batch_returns_zero_loss) {
  long correct = 0, total = 0;
  CHECK(tt__loss(TT_LOSS_CROSS_ENTROPY, NULL, NULL, NULL, 0, 3, &correct, &total) == 0.0);
  CHECK(correct == 0 && total == 0);
}

int main(void) {
  TT_RUN(test_mse_is_mean_of_squared_differences);
  TT_RUN(test_cross_entropy_is_mean_negative_log_softmax);
  TT_RUN(test_bce_with_logits_matches_stable_formula);
  TT_RUN(test_accuracy_counts_accumulate_across_calls);
  TT_RUN(test_loss_gradients_match_finite_differences);
  TT_RUN(test_losses_stay_finite_on_logits_of_plus_minus_1000);
  TT_RUN(test_empty_batch_returns_zero_loss);
  return TT_SUMMARY();
}
