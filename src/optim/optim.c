/* Optimizers (SGD, Adam, AdamW), learning-rate schedules with linear warmup, and global-norm gradient
 * clipping over the model's one flat parameter block. Formulas are torch.optim's (see optim.h); the Adam
 * family and the clipping reductions run through the kernels so the wasm build gets the SIMD twins.
 * Legend: N parameters. */
#include <math.h>
#include <stdint.h>

#include "optim.h"
#include "../core/core.h"
#include "../kernels/kernels.h"

/* base^n for a whole n >= 0 by binary powering in double: within a few ulps of pow() (far below float
 * precision, where the results are used) and it keeps libm's 2 KiB pow out of the wasm module. */
static double powi(double base, double n) {
  double r = 1;
  for (uint64_t k = (uint64_t)n; k; k >>= 1, base *= base)
    if (k & 1) r *= base;
  return r;
}

int tt__optim_state_per_param(const tt__optim_config *c) {
  switch (c->type) {
    case TT_OPT_SGD: return c->momentum != 0.0f ? 1 : 0;
    case TT_OPT_ADAM:
    case TT_OPT_ADAMW: return 2;
  }
  TT_ASSERT(!"unknown optimizer type");
  return 0;
}

/* Schedules are closed forms of the update number, so the lr of any step can be asked for directly (a
 * resumed run, a chart of the schedule) and equals what torch's LinearLR warmup followed (SequentialLR) by
 * StepLR / CosineAnnealingLR gives step by step. The schedule's own clock starts after the warmup. One
 * deliberate difference: past total_steps cosine stays at min_lr, where torch's climbs back up (a period). */
float tt__optim_lr(const tt__optim_config *c, double step) {
  double lr = c->lr;
  if (step < 0) step = 0;
  if (c->warmup > 0 && step < c->warmup) return (float)(lr * (floor(step) + 1.0) / c->warmup);
  double s = step - (c->warmup > 0 ? c->warmup : 0);
  switch (c->schedule) {
    case TT_SCHED_CONSTANT: return (float)lr;
    case TT_SCHED_STEP:
      if (c->step_size <= 0) return (float)lr;     // the spec rejects this; stay finite anyway
      return (float)(lr * powi(c->gamma, floor(s / c->step_size)));
    case TT_SCHED_COSINE: {
      if (c->total_steps <= 0) return (float)lr;
      double done = fmin(s, (double)c->total_steps) / c->total_steps;   // in [0, 1]: stays at min_lr after
      double sin_pd, cos_pd;
      tt__sincos(3.14159265358979323846 * done, &sin_pd, &cos_pd);
      return (float)(c->min_lr + (lr - c->min_lr) * (1.0 + cos_pd) / 2.0);
    }
  }
  TT_ASSERT(!"unknown schedule type");
  return (float)lr;
}

/* torch.nn.utils.clip_grad_norm_ (1.13): coef = max / (norm + 1e-6), applied when it is below 1. A NaN or
 * Inf norm leaves the gradients alone; the caller sees the norm and rejects the step. */
float tt__optim_clip(const tt__optim_config *c, float *grads, size_t n) {
  // without clipping only whether the norm is finite counts (and a message shows it): its last bits may vary
  float norm = sqrtf(c->clip_norm > 0.0f ? tt__sumsq(grads, n) : tt__sumsq_unordered(grads, n));
  if (c->clip_norm > 0.0f && isfinite(norm)) {
    double coef = (double)c->clip_norm / ((double)norm + 1e-6);
    if (coef < 1.0) tt__scale(grads, (float)coef, n);
  }
  return norm;
}

void tt__optim_step(const tt__optim_config *c, float *params_out, float *state_out, const float *params,
                    const float *grads, const float *state, size_t n, double t, float lr) {
  TT_ASSERT(t >= 1.0);
  if (c->type == TT_OPT_SGD) {
    TT_ASSERT(c->momentum == 0.0f || (state && state_out));
    // torch.optim.SGD with dampening 0: the momentum buffer starts as the first gradient itself
    tt__sgd(params_out, state_out, params, grads, state, n, lr, c->momentum, c->weight_decay, c->nesterov, t <= 1.0);
    return;
  }
  TT_ASSERT(state && state_out);
  // Bias corrections in double: 1 - 0.999^t loses most of its digits in float for small t.
  float bc1 = (float)(1.0 - powi(c->beta1, t));
  float bc2 = (float)(1.0 - powi(c->beta2, t));
  // Adam folds weight decay into the gradient (L2); AdamW decays the weights directly by lr*wd.
  float wd_l2 = c->type == TT_OPT_ADAM ? c->weight_decay : 0.0f;
  float decay = c->type == TT_OPT_ADAMW ? lr * c->weight_decay : 0.0f;
  tt__adam(params_out, state_out, state_out + n, params, grads, state, state + n, n, lr, c->beta1, c->beta2, c->eps,
           wd_l2, decay, bc1, bc2);
}
