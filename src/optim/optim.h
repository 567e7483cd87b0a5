/* Optimizers, learning-rate schedules and gradient clipping, over the model's one flat parameter block
 * (so each update is one loop). Semantics follow torch.optim exactly:
 * - sgd:   g += wd*p; buf = momentum*buf + g (buf = g on the first step); g = nesterov ? g + momentum*buf : buf
 *          (g = buf only if momentum != 0); p -= lr*g.
 * - adam:  g += wd*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g²; p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)
 * - adamw: p *= 1 - lr*wd; then adam without the L2 term.
 * Schedules give the lr of update number `step` (0-based): constant; step (lr * gamma^floor(step/step_size));
 * cosine (min_lr + (lr - min_lr) * (1 + cos(pi * min(step, total)/total)) / 2, counted after warmup);
 * with warmup > 0, the first `warmup` updates use lr * (step+1)/warmup. */
#ifndef TT_OPTIM_H
#define TT_OPTIM_H

#include <stddef.h>

typedef enum { TT_OPT_SGD, TT_OPT_ADAM, TT_OPT_ADAMW } tt__opt_type;
typedef enum { TT_SCHED_CONSTANT, TT_SCHED_STEP, TT_SCHED_COSINE } tt__sched_type;

typedef struct {
  tt__opt_type type;
  float lr;            /* default 0.01 for sgd, 0.001 for adam/adamw */
  float momentum;      /* sgd, default 0 */
  int nesterov;        /* sgd, default 0 (requires momentum > 0) */
  float weight_decay;  /* default 0 (sgd, adam), 0.01 (adamw) */
  float beta1, beta2, eps; /* adam/adamw: 0.9, 0.999, 1e-8 */
  float clip_norm;     /* 0 = off; else clip the global gradient L2 norm to this */
  tt__sched_type schedule;
  int warmup;          /* linear warmup updates, default 0 */
  int step_size;       /* step schedule */
  float gamma;         /* step schedule, default 0.1 */
  int total_steps;     /* cosine: updates over which lr decays (after warmup) */
  float min_lr;        /* cosine floor, default 0 */
} tt__optim_config;

/* Number of state floats per parameter: 0 (sgd without momentum), 1 (sgd momentum), 2 (adam, adamw). */
int tt__optim_state_per_param(const tt__optim_config *c);

/* The learning rate for update number `step` (0-based). */
float tt__optim_lr(const tt__optim_config *c, double step);

/* Clips grads to c->clip_norm if set (as torch.nn.utils.clip_grad_norm_: scale by max/(norm+1e-6) when
 * norm > max). Returns the gradient L2 norm before clipping (used for the divergence check). */
float tt__optim_clip(const tt__optim_config *c, float *grads, size_t n);

/* One update of n parameters: reads params and state, writes the updated ones to params_out and state_out
 * (either the same arrays, in place, or arrays that do not overlap them). state holds state_per_param*n floats
 * (zero-initialised; layout: first n floats = momentum buffer / m, next n = v); sgd without momentum leaves
 * state_out alone. t is the 1-based update count (Adam bias correction; SGD's "first step" check). */
void tt__optim_step(const tt__optim_config *c, float *params_out, float *state_out, const float *params,
                    const float *grads, const float *state, size_t n, double t, float lr);

#endif
