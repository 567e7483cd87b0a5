/* Optimizer steps, learning-rate schedules and gradient clipping against values worked out by hand (plain
 * arithmetic on the torch.optim formulas, written out in the comments). Every optimizer case runs two
 * parameters, p = (1, -2), for three updates on a fixed gradient sequence:
 *   step 1: g = (1, 2);  step 2: g = (0.5, -1);  step 3: g = (-1, 0.25). */
#include "test.h"
#include "optim/optim.h"

static const float G[3][2] = {{1.0f, 2.0f}, {0.5f, -1.0f}, {-1.0f, 0.25f}};

static tt__optim_config sgd_config(float lr, float momentum, int nesterov, float wd) {
  tt__optim_config c = {0};
  c.type = TT_OPT_SGD;
  c.lr = lr;
  c.momentum = momentum;
  c.nesterov = nesterov;
  c.weight_decay = wd;
  c.gamma = 0.1f;
  return c;
}

static tt__optim_config adam_config(tt__opt_type type, float lr, float wd) {
  tt__optim_config c = {0};
  c.type = type;
  c.lr = lr;
  c.weight_decay = wd;
  c.beta1 = 0.9f, c.beta2 = 0.999f, c.eps = 1e-8f;
  c.gamma = 0.1f;
  return c;
}

/* Runs three updates from p = (1, -2) and compares p after each with want[step][param]. The same updates out of
 * place, from one (params, state) set into another and back (the model's double buffering), give the same bits. */
static int run_three_steps(const char *name, const tt__optim_config *c, const double want[3][2], double tol) {
  float p[2] = {1.0f, -2.0f};
  float state[4] = {0};                              // up to 2 floats per parameter (Adam's m, v)
  float sets[2][6] = {{1.0f, -2.0f}, {0}};           // params (2) | state (4), twice
  int bad = 0;
  CHECK(tt__optim_state_per_param(c) <= 2);
  for (int t = 0; t < 3; t++) {
    tt__optim_step(c, p, state, p, G[t], state, 2, t + 1, c->lr);
    float *in = sets[t % 2], *out = sets[(t + 1) % 2];
    tt__optim_step(c, out, out + 2, in, G[t], in + 2, 2, t + 1, c->lr);
    CHECK(memcmp(out, p, sizeof p) == 0);
    CHECK(memcmp(out + 2, state, 2 * (size_t)tt__optim_state_per_param(c) * sizeof(float)) == 0);
    for (int i = 0; i < 2; i++) {
      if (!(fabs(p[i] - want[t][i]) <= tol * fmax(1.0, fabs(want[t][i])))) {
        fprintf(stderr, "  %s: step %d param %d = %.9g, expected %.9g (off by %.3g)\n", name, t + 1, i, p[i],
                want[t][i], fabs(p[i] - want[t][i]));
        bad++;
      }
    }
  }
  CHECK(bad == 0);
  return bad;
}

TT_TEST(test_sgd_plain_follows_p_minus_lr_g) {
  // lr 0.1: p0: 1 - 0.1 = 0.9, 0.9 - 0.05 = 0.85, 0.85 + 0.1 = 0.95
  static const double want[3][2] = {{0.9, -2.2}, {0.85, -2.1}, {0.95, -2.125}};
  tt__optim_config c = sgd_config(0.1f, 0, 0, 0);
  CHECK(tt__optim_state_per_param(&c) == 0);
  run_three_steps("sgd", &c, want, 1e-6);
}

TT_TEST(test_sgd_momentum_buffer_starts_at_first_gradient) {
  // mu 0.9: buf = 1 -> p 0.9; buf = 0.9 + 0.5 = 1.4 -> p 0.76; buf = 1.26 - 1 = 0.26 -> p 0.734
  static const double want[3][2] = {{0.9, -2.2}, {0.76, -2.28}, {0.734, -2.377}};
  tt__optim_config c = sgd_config(0.1f, 0.9f, 0, 0);
  CHECK(tt__optim_state_per_param(&c) == 1);
  run_three_steps("sgd momentum", &c, want, 1e-6);
}

TT_TEST(test_sgd_nesterov_looks_ahead_by_momentum_times_buffer) {
  // g + mu*buf: 1 + 0.9 = 1.9 -> p 0.81; 0.5 + 0.9*1.4 = 1.76 -> 0.634; -1 + 0.9*0.26 = -0.766 -> 0.7106
  static const double want[3][2] = {{0.81, -2.38}, {0.634, -2.352}, {0.7106, -2.4643}};
  tt__optim_config c = sgd_config(0.1f, 0.9f, 1, 0);
  run_three_steps("sgd nesterov", &c, want, 1e-6);
}

TT_TEST(test_sgd_weight_decay_adds_wd_times_p_to_gradient) {
  // wd 0.1: g = 1 + 0.1 = 1.1 -> 0.89; 0.5 + 0.089 = 0.589 -> 0.8311; -1 + 0.08311 -> 0.922789
  static const double want[3][2] = {{0.89, -2.18}, {0.8311, -2.0582}, {0.922789, -2.062618}};
  tt__optim_config c = sgd_config(0.1f, 0, 0, 0.1f);
  run_three_steps("sgd weight decay", &c, want, 1e-6);
  // with momentum 0.9 the decayed gradient feeds the buffer: buf = 1.1, 0.99 + 0.589 = 1.579, ...
  static const double want_mom[3][2] = {{0.89, -2.18}, {0.7321, -2.2202}, {0.682669, -2.259178}};
  tt__optim_config m = sgd_config(0.1f, 0.9f, 0, 0.1f);
  run_three_steps("sgd momentum + weight decay", &m, want_mom, 1e-6);
}

TT_TEST(test_adam_matches_bias_corrected_moments) {
  // lr 0.1. Step 1: m^ = g, v^ = g², so p moves by lr*sign(g): 1 -> 0.9, -2 -> -2.1.
  // Step 2 (p0): m = 0.09 + 0.05 = 0.14, v = 0.000999 + 0.00025 = 0.001249; m^ = 0.14/0.19 = 0.736842,
  // v^ = 0.001249/0.001999 = 0.624812, p = 0.9 - 0.1 * 0.736842/0.790451 = 0.806782.
  static const double want[3][2] = {{0.9, -2.1}, {0.806782038, -2.1266337}, {0.795703731, -2.15419817}};
  tt__optim_config c = adam_config(TT_OPT_ADAM, 0.1f, 0);
  CHECK(tt__optim_state_per_param(&c) == 2);
  run_three_steps("adam", &c, want, 2e-6);
  // Adam's weight decay is L2 on the gradient: step 1 g = 1.1 still gives a sign step, later ones differ.
  static const double want_wd[3][2] = {{0.9, -2.1}, {0.805771797, -2.11407175}, {0.785050805, -2.12608499}};
  tt__optim_config w = adam_config(TT_OPT_ADAM, 0.1f, 0.1f);
  run_three_steps("adam weight decay", &w, want_wd, 2e-6);
}

TT_TEST(test_adamw_decays_weights_before_the_adam_step) {
  // p *= 1 - lr*wd = 0.99 first: 1 -> 0.99 - 0.1 = 0.89; -2 -> -1.98 - 0.1 = -2.08.
  static const double want[3][2] = {{0.89, -2.08}, {0.787882038, -2.0858337}, {0.768924911, -2.09253983}};
  tt__optim_config c = adam_config(TT_OPT_ADAMW, 0.1f, 0.1f);
  CHECK(tt__optim_state_per_param(&c) == 2);
  run_three_steps("adamw", &c, want, 2e-6);
}

TT_TEST(test_schedules_give_expected_lr_at_chosen_steps) {
  tt__optim_config c = sgd_config(1.0f, 0, 0, 0);
  c.schedule = TT_SCHED_CONSTANT;
  CHECK_NEAR(tt__optim_lr(&c, 0), 1.0, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 12345), 1.0, 1e-7);

  // step: lr * gamma^floor(step / step_size)
  c.schedule = TT_SCHED_STEP, c.step_size = 10, c.gamma = 0.5f;
  CHECK_NEAR(tt__optim_lr(&c, 0), 1.0, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 9), 1.0, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 10), 0.5, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 25), 0.25, 1e-7);

  // cosine from 1 to 0.1 over 100 updates, then flat at min_lr
  c.schedule = TT_SCHED_COSINE, c.total_steps = 100, c.min_lr = 0.1f;
  CHECK_NEAR(tt__optim_lr(&c, 0), 1.0, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 25), 0.868198052, 1e-6);   // 0.1 + 0.9 * (1 + cos(pi/4)) / 2
  CHECK_NEAR(tt__optim_lr(&c, 50), 0.55, 1e-6);
  CHECK_NEAR(tt__optim_lr(&c, 100), 0.1, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 200), 0.1, 1e-7);
}

TT_TEST(test_warmup_ramps_linearly_then_hands_over_to_schedule) {
  tt__optim_config c = sgd_config(1.0f, 0, 0, 0);
  c.warmup = 4;
  CHECK_NEAR(tt__optim_lr(&c, 0), 0.25, 1e-7);   // lr * (step + 1) / warmup
  CHECK_NEAR(tt__optim_lr(&c, 1), 0.5, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 3), 1.0, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 4), 1.0, 1e-7);
  // the cosine clock starts after warmup: step 9 is cosine step 5 of 10, halfway
  c.schedule = TT_SCHED_COSINE, c.total_steps = 10, c.min_lr = 0.1f;
  CHECK_NEAR(tt__optim_lr(&c, 2), 0.75, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 4), 1.0, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 9), 0.55, 1e-6);
  CHECK_NEAR(tt__optim_lr(&c, 14), 0.1, 1e-7);
  // likewise the step schedule: first decay 10 updates after warmup
  c.schedule = TT_SCHED_STEP, c.step_size = 10, c.gamma = 0.1f;
  CHECK_NEAR(tt__optim_lr(&c, 13), 1.0, 1e-7);
  CHECK_NEAR(tt__optim_lr(&c, 14), 0.1, 1e-7);
}

TT_TEST(test_clip_scales_to_max_norm_and_returns_norm_before) {
  tt__optim_config c = sgd_config(0.1f, 0, 0, 0);
  float g[2] = {3.0f, 4.0f};                     // norm 5
  CHECK_NEAR(tt__optim_clip(&c, g, 2), 5.0, 1e-7);  // clip off: norm reported, grads kept
  CHECK(g[0] == 3.0f && g[1] == 4.0f);

  c.clip_norm = 10.0f;                            // above the norm: untouched
  CHECK_NEAR(tt__optim_clip(&c, g, 2), 5.0, 1e-7);
  CHECK(g[0] == 3.0f && g[1] == 4.0f);

  c.clip_norm = 1.0f;                             // scale by 1 / (5 + 1e-6), as clip_grad_norm_
  CHECK_NEAR(tt__optim_clip(&c, g, 2), 5.0, 1e-7);
  CHECK_NEAR(g[0], 3.0 / (5.0 + 1e-6), 1e-7);
  CHECK_NEAR(g[1], 4.0 / (5.0 + 1e-6), 1e-7);
  CHECK_NEAR(sqrt((double)g[0] * g[0] + (double)g[1] * g[1]), 1.0, 1e-6);
}

TT_TEST(test_clip_leaves_non_finite_gradients_for_the_caller_to_reject) {
  tt__optim_config c = sgd_config(0.1f, 0, 0, 0);
  c.clip_norm = 1.0f;
  float g[3] = {1.0f, INFINITY, 2.0f};
  float norm = tt__optim_clip(&c, g, 3);
  CHECK(!isfinite(norm));
  CHECK(g[0] == 1.0f && g[2] == 2.0f);
}

int main(void) {
  TT_RUN(test_sgd_plain_follows_p_minus_lr_g);
  TT_RUN(test_sgd_momentum_buffer_starts_at_first_gradient);
  TT_RUN(test_sgd_nesterov_looks_ahead_by_momentum_times_buffer);
  TT_RUN(test_sgd_weight_decay_adds_wd_times_p_to_gradient);
  TT_RUN(test_adam_matches_bias_corrected_moments);
  TT_RUN(test_adamw_decays_weights_before_the_adam_step);
  TT_RUN(test_schedules_give_expected_lr_at_chosen_steps);
  TT_RUN(test_warmup_ramps_linearly_then_hands_over_to_schedule);
  TT_RUN(test_clip_scales_to_max_norm_and_returns_norm_before);
  TT_RUN(test_clip_leaves_non_finite_gradients_for_the_caller_to_reject);
  return TT_SUMMARY();
}
