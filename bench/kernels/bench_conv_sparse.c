/* Timing of the stride-1 convolution's backward pass, dense (conv_backward_w + the adjoint conv_forward) against
 * the sparse kernel, over the density of dy, on the digits CNN's two convolutions and six other shapes (batch
 * 32). Dense and sparse alternate within each round, so the VM's speed phases hit both alike. Not a test.
 * Build and run: make -f bench/kernels/kernels.mk conv-sparse (or conv-sparse-input for -DINPUT_SPARSE=1); it runs
 * under node --no-liftoff: V8 otherwise times some calls in its baseline compiler, which a model's many steps leave
 * behind.
 * The layer's rule (tt__conv_sparse_limit in kernels.h) comes from the crossovers this prints. With -DINPUT_SPARSE=1
 * it times the layer's passes on a mostly-zero input instead (run_input: the forward pass and the weight gradient,
 * dense against the same kernel driven by x's nonzeros), whose crossovers give tt__conv_sparse_input_limit. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernels/kernels.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}
static int cmp(const void *a, const void *b) { return *(const double *)a < *(const double *)b ? -1 : 1; }
static unsigned rs = 12345;
static float urand(void) {
  rs = rs * 1103515245u + 12345u;
  return (float)((rs >> 8) & 0xffff) / 65536.0f;
}
#define ROUNDS 9
#ifndef INPUT_SPARSE
#define INPUT_SPARSE 0
#endif
#define REPS 3

static void run(const char *name, int B, int C, int H, int W, int F, int k, int pl, int ph, int with_dx) {
  const int OH = H + pl + ph - k + 1, OW = W + pl + ph - k + 1;
  const tt__conv_shape shape = {B, C, H, W, F, k, pl, ph, 0}, adj = tt__conv_adjoint(&shape);
  const size_t nx = (size_t)B * C * H * W, ny = (size_t)B * F * OH * OW, nw = (size_t)F * C * k * k;
  const size_t a = tt__conv_ws_floats(&shape);
  const size_t b = tt__conv_ws_floats(&adj);
  const size_t c = tt__conv_sparse_ws_floats(&shape);
  float *x = malloc(nx * 4), *dx = malloc(nx * 4), *dy = malloc(ny * 4), *w = malloc(nw * 4), *dw = calloc(nw, 4);
  float *ws = malloc((a > b ? a > c ? a : c : b > c ? b : c) * 4);
  for (size_t i = 0; i < nx; i++) x[i] = urand() < 0.5f ? 0.0f : urand();
  for (size_t i = 0; i < nw; i++) w[i] = urand() - 0.5f;
  printf("%s (B %d, C %d, %dx%d, F %d, k %d%s): us per sample, median of %d\n", name, B, C, H, W, F, k,
         with_dx ? "" : ", no dx", ROUNDS);
  static const float dens[] = {0.0f, 0.02f, 0.05f, 0.1f, 0.15f, 0.2f, 0.3f, 0.4f, 0.5f};
  for (size_t t = 0; t < sizeof dens / sizeof dens[0]; t++) {
    size_t nnz = 0;
    for (size_t i = 0; i < ny; i++) dy[i] = urand() < dens[t] ? urand() + 0.25f : 0.0f, nnz += dy[i] != 0.0f;
    double td[ROUNDS], tsp[ROUNDS], tc[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      double t0 = now();
      tt__conv_backward_w(dw, dy, x, &shape, ws);
      if (with_dx) tt__conv_forward(dx, dy, w, NULL, &adj, ws);
      double t1 = now();
      tt__conv_sparse(dw, with_dx ? dx : NULL, dy, x, w, NULL, &shape, (int)ny + 1, ws);
      double t2 = now();
      size_t n = 0;
      for (size_t i = 0; i < ny; i++) n += dy[i] != 0.0f;
      double t3 = now();
      (void)n;
      td[r] = (t1 - t0) / B * 1e6, tsp[r] = (t2 - t1) / B * 1e6, tc[r] = (t3 - t2) / B * 1e6;
    }
    qsort(td, ROUNDS, sizeof(double), cmp);
    qsort(tsp, ROUNDS, sizeof(double), cmp);
    qsort(tc, ROUNDS, sizeof(double), cmp);
    printf("  density %.3f: dense %7.2f  sparse %7.2f  (%.2fx)  count %.2f\n", (double)nnz / ny, td[ROUNDS / 2],
           tsp[ROUNDS / 2], td[ROUNDS / 2] / tsp[ROUNDS / 2], tc[ROUNDS / 2]);
  }
  free(x), free(dx), free(dy), free(w), free(dw), free(ws);
}

/* The same kernel driven by the input's nonzeros (the forward pass and the weight gradient with the roles swapped,
 * as src/layers/conv2d.c runs them): dense conv_forward and conv_backward_w against the sparse kernel, over the
 * density of x, dy dense. */
static void run_input(const char *name, int B, int C, int H, int W, int F, int k, int pl, int ph) {
  const int OH = H + pl + ph - k + 1, OW = W + pl + ph - k + 1;
  const tt__conv_shape shape = {B, C, H, W, F, k, pl, ph, 0}, adj = tt__conv_adjoint(&shape);
  const size_t nx = (size_t)B * C * H * W, ny = (size_t)B * F * OH * OW, nw = (size_t)F * C * k * k;
  const size_t a = tt__conv_ws_floats(&shape);
  const size_t c = tt__conv_sparse_ws_floats(&adj);
  float *x = malloc(nx * 4), *y = malloc(ny * 4), *dy = malloc(ny * 4), *w = malloc(nw * 4);
  float *dw = calloc(nw, 4), *bias = malloc(F * 4), *ws = malloc((a > c ? a : c) * 4);
  for (size_t i = 0; i < ny; i++) dy[i] = urand() - 0.5f;
  for (size_t i = 0; i < nw; i++) w[i] = urand() - 0.5f;
  for (int f = 0; f < F; f++) bias[f] = urand();
  printf("%s (B %d, C %d, %dx%d, F %d, k %d), input-sparse: us per sample, median of %d\n", name, B, C, H, W, F, k,
         ROUNDS);
  static const float dens[] = {0.05f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
  for (size_t t = 0; t < sizeof dens / sizeof dens[0]; t++) {
    size_t nnz = 0;
    for (size_t i = 0; i < nx; i++) x[i] = urand() < dens[t] ? urand() + 0.25f : 0.0f, nnz += x[i] != 0.0f;
    double tf[ROUNDS], tfs[ROUNDS], tw[ROUNDS], tws[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      double t0 = now();
      tt__conv_forward(y, x, w, bias, &shape, ws);
      double t1 = now();
      tt__conv_sparse(NULL, y, x, NULL, w, bias, &adj, (int)nx + 1, ws);
      double t2 = now();
      tt__conv_backward_w(dw, dy, x, &shape, ws);
      double t3 = now();
      tt__conv_sparse(dw, NULL, x, dy, w, NULL, &adj, (int)nx + 1, ws);
      double t4 = now();
      tf[r] = (t1 - t0) / B * 1e6, tfs[r] = (t2 - t1) / B * 1e6, tw[r] = (t3 - t2) / B * 1e6;
      tws[r] = (t4 - t3) / B * 1e6;
    }
    qsort(tf, ROUNDS, sizeof(double), cmp);
    qsort(tfs, ROUNDS, sizeof(double), cmp);
    qsort(tw, ROUNDS, sizeof(double), cmp);
    qsort(tws, ROUNDS, sizeof(double), cmp);
    printf("  density %.3f: forward dense %6.2f sparse %6.2f (%.2fx); dw dense %6.2f sparse %6.2f (%.2fx)\n",
           (double)nnz / nx, tf[ROUNDS / 2], tfs[ROUNDS / 2], tf[ROUNDS / 2] / tfs[ROUNDS / 2], tw[ROUNDS / 2],
           tws[ROUNDS / 2], tw[ROUNDS / 2] / tws[ROUNDS / 2]);
  }
  free(x), free(y), free(dy), free(w), free(dw), free(bias), free(ws);
}

int main(void) {
  if (INPUT_SPARSE) {  // -DINPUT_SPARSE=1: the input-sparse shapes only
    run_input("digits CNN conv1", 32, 1, 28, 28, 8, 5, 2, 2);
    run_input("digits CNN conv2", 32, 8, 14, 14, 16, 5, 2, 2);
    run_input("RGB 3x3", 32, 3, 32, 32, 16, 3, 1, 1);
    run_input("1 channel 3x3", 32, 1, 28, 28, 16, 3, 1, 1);
    return 0;
  }
  run("digits CNN conv2", 32, 8, 14, 14, 16, 5, 2, 2, 1);
  run("digits CNN conv1", 32, 1, 28, 28, 8, 5, 2, 2, 0);
  run("RGB 5x5", 32, 3, 32, 32, 16, 5, 2, 2, 0);
  run("RGB 3x3", 32, 3, 32, 32, 16, 3, 1, 1, 0);
  run("4 channels 5x5", 32, 4, 14, 14, 8, 5, 2, 2, 1);
  run("8 channels 3x3", 32, 8, 14, 14, 16, 3, 1, 1, 1);
  run("16 channels 3x3", 32, 16, 8, 8, 16, 3, 1, 1, 1);
  run("16 channels 5x5", 32, 16, 7, 7, 32, 5, 2, 2, 1);
  return 0;
}
