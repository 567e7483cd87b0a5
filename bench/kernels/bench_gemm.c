#define _POSIX_C_SOURCE 199309L
/* Optional GEMM timing (not run by the tests): GFLOP/s of the SIMD GEMM vs the scalar reference, both in the
 * same wasm build, on the shapes the models run. `make -f bench/kernels/kernels.mk gemm`. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "kernels/kernels.h"

typedef void (*gemm_fn)(int, int, int, int, int, const float *, int, const float *, int, float, float *, int);

/* CPU time of the process (tools/wasi-run.mjs maps it to process.cpuUsage()): on a machine shared with other
 * jobs, wall time would mostly measure the wait for a core. */
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Best-of-15 GFLOP/s for op(A)[M,K]·op(B)[K,N]. */
static double gflops(gemm_fn f, int ta, int tb, int M, int N, int K, float beta) {
  float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N), *C = calloc((size_t)M * N, 4);
  for (int i = 0; i < M * K; i++) A[i] = (float)(i % 7) * 0.1f;
  for (int i = 0; i < K * N; i++) B[i] = (float)(i % 5) * 0.1f;
  const double flop = 2.0 * M * N * K;
  int reps = (int)(4e7 / flop) + 1;  // ~4-20 ms per sample; the best of 15 filters out other load
  double best = 1e30;
  for (int s = 0; s < 15; s++) {
    const double t0 = now();
    for (int r = 0; r < reps; r++)
      f(ta, tb, M, N, K, A, ta ? M : K, B, tb ? K : N, beta, C, N);
    const double dt = (now() - t0) / reps;
    if (dt < best) best = dt;
  }
  free(A), free(B), free(C);
  return flop / best * 1e-9;
}

int main(void) {
  static const struct { const char *what; int ta, tb, M, N, K; float beta; } cases[] = {
      {"256^3 A.B", 0, 0, 256, 256, 256, 0},
      {"256^3 At.B", 1, 0, 256, 256, 256, 0},
      {"256^3 A.Bt", 0, 1, 256, 256, 256, 0},
      {"dense fwd x(64,784).W(128,784)t", 0, 1, 64, 128, 784, 0},
      {"dense dW += dy(64,128)t.x(64,784)", 1, 0, 128, 784, 64, 1},
      {"dense dx = dy(64,128).W(128,784)", 0, 0, 64, 784, 128, 0},
      {"dense fwd (64,128).(10,128)t", 0, 1, 64, 10, 128, 0},
      {"conv1 fwd W(8,25).col(25,784)", 0, 0, 8, 784, 25, 0},
      {"conv1 dW dy(8,784).col(25,784)t", 0, 1, 8, 25, 784, 1},
      {"conv2 fwd W(16,200).col(200,196)", 0, 0, 16, 196, 200, 0},
      {"conv2 dcol W(16,200)t.dy(16,196)", 1, 0, 200, 196, 16, 0},
      {"heatmap (10000,2).(16,2)t", 0, 1, 10000, 16, 2, 0},
      {"heatmap (10000,16).(3,16)t", 0, 1, 10000, 3, 16, 0},
      {"batch1 (1,784).(128,784)t", 0, 1, 1, 128, 784, 0},
      {"tiny (1,2).(16,2)t", 0, 1, 1, 16, 2, 0},
      {"tiny (4,16).(16,16)t", 0, 1, 4, 16, 16, 0},
  };
  // warm up: V8 compiles with its baseline tier first and tiers up hot functions later
  gflops(tt_f32_gemm__wasmsimd, 0, 0, 256, 256, 256, 0);
  gflops(tt_f32_gemm__scalar, 0, 0, 256, 256, 256, 0);
  printf("%-36s %10s %10s %8s\n", "shape", "simd GF/s", "scalar", "speedup");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const double s = gflops(tt_f32_gemm__wasmsimd, cases[i].ta, cases[i].tb, cases[i].M, cases[i].N, cases[i].K,
                            cases[i].beta);
    const double r = gflops(tt_f32_gemm__scalar, cases[i].ta, cases[i].tb, cases[i].M, cases[i].N, cases[i].K,
                            cases[i].beta);
    printf("%-36s %10.2f %10.2f %7.1fx\n", cases[i].what, s, r, s / r);
  }
  return 0;
}
