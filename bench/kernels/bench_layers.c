/* Per-layer timing of one training step of the digits CNN, the 784-128-10 MLP and the words GPT, inside wasm, with the
 * layers compiled as the shipped module compiles them (-Oz; kernels -O3). Not a test: a profile that V8's
 * sampling profiler cannot give reliably (it blurs inlined and short functions). Prints, per layer, the
 * microseconds per sample of forward and backward (median of rounds), then a whole train_steps call.
 * Build and run: make -f bench/kernels/kernels.mk layers */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model.h"
#include "kernels/kernels.h"
#include "tinytrain.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);  // CPU time: leaves out waiting for a core on a shared machine
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *a, const void *b) { return *(const double *)a < *(const double *)b ? -1 : 1; }
#define ROUNDS 15

/* n samples of MNIST-like inputs, or (tokens) a stream of n token ids below `tokens` for a language model. */
static void profile(const char *name, const char *spec, int B, int n, int tokens) {
  tt_model *m = tt_model_create(spec, strlen(spec));
  if (!m) {
    printf("%s: %s\n", name, tt_last_error());
    return;
  }
  int in = tt_model_input_size(m);
  static float x[256 * 784], y[256];
  unsigned s = 1;
  for (int i = 0; !tokens && i < n * in; i++) {  // MNIST-like: mostly zeros, some ink in [0, 1)
    s = s * 1103515245u + 12345u;
    x[i] = (s >> 16) % 5 == 0 ? (float)((s >> 8) & 255) / 256.0f : 0.0f;
  }
  for (int i = 0; !tokens && i < n; i++) y[i] = (float)(i % 10);
  if (tokens) {
    static unsigned short ids[1 << 16];
    for (int i = 0; i < n; i++) ids[i] = (unsigned short)(((s = s * 1103515245u + 12345u) >> 16) % (unsigned)tokens);
    if (tt_model_set_tokens(m, ids, (size_t)n, 2)) {
      printf("%s: %s\n", name, tt_last_error());
      tt_model_free(m);
      return;
    }
  } else {
    tt_model_set_data(m, x, y, n);
  }
  tt_model_train_steps(m, 3, B);  // reserves and warms up
  printf("%s, batch %d: microseconds per sample (median of %d)\n", name, B, ROUNDS);
  tt__ctx ctx = {m->workspace, &m->rng, 1};
  double total_f = 0, total_b = 0;
  for (int i = 0; i < m->n_layers; i++) {
    tt__layer *l = &m->layers[i];
    const tt__layer_ops *ops = tt__layer_ops_of(l->type);
    const float *lin = i ? m->acts[i - 1] : m->input;
    float *din = i ? m->dacts[i - 1] : NULL;
    double tf[ROUNDS], tb[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      double t0 = now();
      for (int k = 0; k < 4; k++) ops->forward(l, m->acts[i], lin, B, &ctx);
      double t1 = now();
      for (int k = 0; k < 4; k++) ops->backward(l, din, m->dacts[i], lin, m->acts[i], B, &ctx);
      double t2 = now();
      tf[r] = (t1 - t0) / 4 / B * 1e6;
      tb[r] = (t2 - t1) / 4 / B * 1e6;
    }
    qsort(tf, ROUNDS, sizeof(double), cmp);
    qsort(tb, ROUNDS, sizeof(double), cmp);
    if (l->fused) tf[ROUNDS / 2] = 0;  // its forward pass runs inside the layer before (in that layer's time)
    printf("  %2d %-10s forward %7.2f  backward %7.2f%s\n", i, ops->name, tf[ROUNDS / 2], tb[ROUNDS / 2],
           l->fused ? "  (fused into the layer before, in place)" : "");
    total_f += tf[ROUNDS / 2];
    total_b += tb[ROUNDS / 2];
  }
  // the rest of a step: loss, gradient zeroing, clipping norm, optimizer update
  {
    int last = m->n_layers - 1, rows = B, cols = tt__shape_size(m->layers[last].out);
    if (tokens) rows *= cols / tokens, cols = tokens;  // a language model: a class per position
    long correct = 0, total = 0;
    double tl[ROUNDS], tz[ROUNDS], to[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      double t0 = now();
      for (int k = 0; k < 4; k++)
        tt__loss(m->spec.loss, m->dacts[last], m->acts[last], m->targets, rows, cols, &correct, &total);
      double t1 = now();
      for (int k = 0; k < 4; k++) tt__fill(m->grads, 0.0f, m->param_count);
      double t2 = now();
      for (int k = 0; k < 4; k++) {
        tt__optim_clip(&m->spec.optim, m->grads, m->param_count);
        tt__optim_step(&m->spec.optim, m->params, m->opt_state, m->params, m->grads, m->opt_state, m->param_count,
                       m->step + 1, 1e-9f);
      }
      double t3 = now();
      tl[r] = (t1 - t0) / 4 / B * 1e6, tz[r] = (t2 - t1) / 4 / B * 1e6, to[r] = (t3 - t2) / 4 / B * 1e6;
    }
    qsort(tl, ROUNDS, sizeof(double), cmp);
    qsort(tz, ROUNDS, sizeof(double), cmp);
    qsort(to, ROUNDS, sizeof(double), cmp);
    printf("  loss %.2f, zero grads %.2f, clip + optimizer %.2f\n", tl[ROUNDS / 2], tz[ROUNDS / 2], to[ROUNDS / 2]);
  }
  // all layers in sequence, as a step runs them (each layer above ran 4 times in a row, its data hot in cache)
  double tc[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    double t0 = now();
    for (int k = 0; k < 4; k++) {
      for (int i = 0; i < m->n_layers; i++)  // an activation fused into the layer before runs inside it
        if (!m->layers[i].fused)
          tt__layer_ops_of(m->layers[i].type)->forward(&m->layers[i], m->acts[i], i ? m->acts[i - 1] : m->input, B,
                                                       &ctx);
      for (int i = m->n_layers - 1; i >= 0; i--)
        tt__layer_ops_of(m->layers[i].type)->backward(&m->layers[i], i ? m->dacts[i - 1] : NULL, m->dacts[i],
                                                     i ? m->acts[i - 1] : m->input, m->acts[i], B, &ctx);
    }
    tc[r] = (now() - t0) / 4 / B * 1e6;
  }
  qsort(tc, ROUNDS, sizeof(double), cmp);
  printf("  layers in sequence: %.2f per sample\n", tc[ROUNDS / 2]);
  double ts[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    double t0 = now();
    tt_model_train_steps(m, 4, B);
    ts[r] = (now() - t0) / 4 / B * 1e6;
  }
  qsort(ts, ROUNDS, sizeof(double), cmp);
  printf("  layers: forward %.2f + backward %.2f = %.2f; train_steps %.2f per sample (%.0f samples/s)\n", total_f,
         total_b, total_f + total_b, ts[ROUNDS / 2], 1e6 / ts[ROUNDS / 2]);
  tt_model_free(m);
}

int main(void) {
  profile("digits CNN",
          "{\"input\": [1, 28, 28], \"layers\": [{\"type\": \"conv2d\", \"filters\": 8, \"kernel\": 5, \"padding\": "
          "\"same\"}, {\"type\": \"relu\"}, {\"type\": \"maxpool2d\", \"size\": 2}, {\"type\": \"conv2d\", "
          "\"filters\": 16, \"kernel\": 5, \"padding\": \"same\"}, {\"type\": \"relu\"}, {\"type\": \"maxpool2d\", "
          "\"size\": 2}, {\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 10}], \"loss\": \"cross_entropy\", "
          "\"optimizer\": {\"type\": \"adam\", \"lr\": 0.001}}",
          32, 256, 0);
  profile("MLP 784-128-10",
          "{\"input\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 128}, {\"type\": \"relu\"}, {\"type\": "
          "\"dense\", \"units\": 10}], \"loss\": \"cross_entropy\", \"optimizer\": {\"type\": \"adam\", \"lr\": 0.001}}",
          64, 256, 0);
  profile("MLP 784-128-10, SGD",
          "{\"input\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 128}, {\"type\": \"relu\"}, {\"type\": "
          "\"dense\", \"units\": 10}], \"loss\": \"cross_entropy\", \"optimizer\": {\"type\": \"sgd\", \"lr\": 0.1}}",
          64, 256, 0);
  /* the words GPT of bench/common.mjs (gptSpec): T 16, 2 pre-norm blocks of D 64, 4 heads, MLP 4D */
#define GPT_BLOCK                                                                                                  \
  "{\"type\": \"residual\", \"layers\": [{\"type\": \"layernorm\"}, {\"type\": \"attention\", \"heads\": 4, "       \
  "\"causal\": true}]}, {\"type\": \"residual\", \"layers\": [{\"type\": \"layernorm\"}, {\"type\": \"dense\", "    \
  "\"units\": 256}, {\"type\": \"gelu\"}, {\"type\": \"dense\", \"units\": 64}]}"
  profile("words GPT (per sample = per window of 16 tokens)",
          "{\"input\": [16], \"layers\": [{\"type\": \"embedding\", \"vocab\": 27, \"dim\": 64}, "
          "{\"type\": \"position_embedding\", \"length\": 16}, " GPT_BLOCK ", " GPT_BLOCK ", {\"type\": \"layernorm\"}, "
          "{\"type\": \"dense\", \"units\": 27}], \"loss\": \"cross_entropy\", \"optimizer\": {\"type\": \"adamw\", "
          "\"lr\": 0.003}}",
          32, 1 << 16, 27);
  return 0;
}
