/* Micro-kernel shape comparison (not a test): GFLOP/s of MRxNR register tiles of the packed GEMM's inner loop
 * on packed panels that stay in L1 (kc = 256), the same loop as src/kernels/wasmsimd/gemm.c's gemm_4x8 in
 * other shapes, plus two variants (k unrolled by 2; A broadcast by shuffles instead of load32_splat). Timed
 * in process CPU time, best of 5, three rounds. This is how the 4x8 tile was chosen on this machine; rerun it
 * on another CPU before changing MR/NR. `make -f bench/kernels/kernels.mk microkernel`. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>
#include <wasm_simd128.h>
#define TT_UNROLL_FULL _Pragma("clang loop unroll(full)")
#define TT_NO_UNROLL _Pragma("clang loop unroll(disable) vectorize(disable)")
static float ap_[8 * 256] __attribute__((aligned(16))), bp_[16 * 256] __attribute__((aligned(16)));
#define KER(NAME, MRr, NV)                                                                                          \
  static __attribute__((noinline)) void NAME(int kc, const float *ap, const float *bp, float *c, int ldc) {         \
    v128_t acc[MRr][NV];                                                                                            \
    TT_UNROLL_FULL for (int r = 0; r < MRr; r++) TT_UNROLL_FULL for (int v = 0; v < NV; v++) acc[r][v] =            \
        wasm_f32x4_splat(0.0f);                                                                                     \
    TT_NO_UNROLL for (int p = 0; p < kc; p++, ap += MRr, bp += 4 * NV) {                                            \
      v128_t b[NV];                                                                                                 \
      TT_UNROLL_FULL for (int v = 0; v < NV; v++) b[v] = wasm_v128_load(bp + 4 * v);                                \
      TT_UNROLL_FULL for (int r = 0; r < MRr; r++) {                                                                \
        const v128_t a = wasm_v128_load32_splat(ap + r);                                                            \
        TT_UNROLL_FULL for (int v = 0; v < NV; v++) acc[r][v] = wasm_f32x4_add(acc[r][v], wasm_f32x4_mul(a, b[v])); \
      }                                                                                                             \
    }                                                                                                               \
    TT_UNROLL_FULL for (int r = 0; r < MRr; r++) TT_UNROLL_FULL for (int v = 0; v < NV; v++)                        \
        wasm_v128_store(c + r * ldc + 4 * v, acc[r][v]);                                                            \
  }
KER(k6x8, 6, 2)
KER(k5x8, 5, 2)
KER(k4x8, 4, 2)
KER(k3x8, 3, 2)
KER(k4x12, 4, 3)
KER(k3x12, 3, 3)
KER(k2x16, 2, 4)
KER(k3x16, 3, 4)
KER(k7x8, 7, 2)

#define KERU(NAME, MRr, NV)                                                                                         \
  static __attribute__((noinline)) void NAME(int kc, const float *ap, const float *bp, float *c, int ldc) {         \
    v128_t acc[MRr][NV];                                                                                            \
    TT_UNROLL_FULL for (int r = 0; r < MRr; r++) TT_UNROLL_FULL for (int v = 0; v < NV; v++) acc[r][v] =            \
        wasm_f32x4_splat(0.0f);                                                                                     \
    _Pragma("clang loop unroll_count(2)") for (int p = 0; p < kc; p++, ap += MRr, bp += 4 * NV) {                   \
      v128_t b[NV];                                                                                                 \
      TT_UNROLL_FULL for (int v = 0; v < NV; v++) b[v] = wasm_v128_load(bp + 4 * v);                                \
      TT_UNROLL_FULL for (int r = 0; r < MRr; r++) {                                                                \
        const v128_t a = wasm_v128_load32_splat(ap + r);                                                            \
        TT_UNROLL_FULL for (int v = 0; v < NV; v++) acc[r][v] = wasm_f32x4_add(acc[r][v], wasm_f32x4_mul(a, b[v])); \
      }                                                                                                             \
    }                                                                                                               \
    TT_UNROLL_FULL for (int r = 0; r < MRr; r++) TT_UNROLL_FULL for (int v = 0; v < NV; v++)                        \
        wasm_v128_store(c + r * ldc + 4 * v, acc[r][v]);                                                            \
  }
KERU(k4x8u, 4, 2)
KERU(k6x8u, 6, 2)
static __attribute__((noinline)) void k4x8s(int kc, const float *ap, const float *bp, float *c, int ldc) {
  v128_t acc[4][2];
  TT_UNROLL_FULL for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = wasm_f32x4_splat(0.0f);
  TT_NO_UNROLL for (int p = 0; p < kc; p++, ap += 4, bp += 8) {
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4), av = wasm_v128_load(ap);
    v128_t a;
    a = wasm_i32x4_shuffle(av, av, 0, 0, 0, 0);
    acc[0][0] = wasm_f32x4_add(acc[0][0], wasm_f32x4_mul(a, b0));
    acc[0][1] = wasm_f32x4_add(acc[0][1], wasm_f32x4_mul(a, b1));
    a = wasm_i32x4_shuffle(av, av, 1, 1, 1, 1);
    acc[1][0] = wasm_f32x4_add(acc[1][0], wasm_f32x4_mul(a, b0));
    acc[1][1] = wasm_f32x4_add(acc[1][1], wasm_f32x4_mul(a, b1));
    a = wasm_i32x4_shuffle(av, av, 2, 2, 2, 2);
    acc[2][0] = wasm_f32x4_add(acc[2][0], wasm_f32x4_mul(a, b0));
    acc[2][1] = wasm_f32x4_add(acc[2][1], wasm_f32x4_mul(a, b1));
    a = wasm_i32x4_shuffle(av, av, 3, 3, 3, 3);
    acc[3][0] = wasm_f32x4_add(acc[3][0], wasm_f32x4_mul(a, b0));
    acc[3][1] = wasm_f32x4_add(acc[3][1], wasm_f32x4_mul(a, b1));
  }
  TT_UNROLL_FULL for (int r = 0; r < 4; r++) {
    wasm_v128_store(c + r * ldc, acc[r][0]);
    wasm_v128_store(c + r * ldc + 4, acc[r][1]);
  }
}
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
typedef void (*kf)(int, const float *, const float *, float *, int);
int main(void) {
  static const struct {
    const char *n;
    kf f;
    int m, nn;
  } ks[] = {{"6x8", k6x8, 6, 8},    {"5x8", k5x8, 5, 8},    {"4x8", k4x8, 4, 8},    {"3x8", k3x8, 3, 8},
            {"7x8", k7x8, 7, 8},    {"4x12", k4x12, 4, 12}, {"3x12", k3x12, 3, 12}, {"2x16", k2x16, 2, 16},
            {"3x16", k3x16, 3, 16}, {"4x8u2", k4x8u, 4, 8}, {"6x8u2", k6x8u, 6, 8}, {"4x8shuf", k4x8s, 4, 8}};
  float c[16 * 16];
  for (int round = 0; round < 3; round++)
    for (unsigned i = 0; i < sizeof ks / sizeof ks[0]; i++) {
      double best = 1e9;
      for (int s = 0; s < 5; s++) {
        double t0 = now();
        for (int r = 0; r < 20000; r++) ks[i].f(256, ap_, bp_, c, 16);
        double dt = now() - t0;
        if (dt < best) best = dt;
      }
      printf("%s %5.2f  ", ks[i].n, 2.0 * ks[i].m * ks[i].nn * 256 * 20000 / best * 1e-9);
      if (i + 1 == sizeof ks / sizeof ks[0]) printf("\n");
    }
  return 0;
}
