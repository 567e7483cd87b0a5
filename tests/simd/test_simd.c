/* Every wasm SIMD128 kernel against its scalar twin, inside one wasm build (emcc -msimd128, run under node) and
 * natively under ASan/UBSan (-DTT_NATIVE_SIMD, the same twins through kernels/simd128_native.h).
 * Sizes 1..3*width+3 in every dimension plus larger ones, unaligned pointers (+1 float), leading dimensions
 * wider than the matrix, in-place calls where the op allows, all four GEMM transpose forms with beta 0 (C
 * poisoned with NaN: it must not be read) and 1. Memory around each output is filled with a sentinel that
 * must survive. Prints the max error per kernel and ends with "simd: N passed, N failed". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels/kernels.h"

#if !defined(__wasm_simd128__) && !defined(TT_NATIVE_SIMD)
#error "tests/simd must be compiled with emcc -msimd128 or -DTT_NATIVE_SIMD, or it would compare nothing but scalar"
#endif

static int passed, failed;
static const float SENTINEL = -12345.678f;

/* ---- helpers ---------------------------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static float frand(void) {  // uniform in [-1, 1)
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (float)((rng_state >> 40) * (1.0 / 8388608.0)) - 1.0f;
}
static void fill_rand(float *x, size_t n) {
  for (size_t i = 0; i < n; i++) x[i] = frand();
}
static void fill(float *x, size_t n, float v) {
  for (size_t i = 0; i < n; i++) x[i] = v;
}
static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

static void *xmalloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) {
    fprintf(stderr, "test_simd: out of memory (%zu bytes)\n", bytes);
    exit(2);
  }
  return p;
}

/* Max error seen per kernel, for the summary. */
typedef struct {
  const char *name;
  double max_err;
  int cases, fails;
} kstat;
static kstat stats[96];
static int nstats;
static kstat *stat_for(const char *name) {
  for (int i = 0; i < nstats; i++)
    if (strcmp(stats[i].name, name) == 0) return &stats[i];
  stats[nstats].name = name;
  return &stats[nstats++];
}
static void record(kstat *s, double err, int ok, const char *what) {
  s->cases++;
  if (err > s->max_err) s->max_err = err;
  if (ok) {
    passed++;
  } else {
    failed++;
    if (s->fails++ < 10) fprintf(stderr, "FAIL %s: %s\n", s->name, what);
  }
}

/* ---- GEMM ------------------------------------------------------------------------------------------------- */

/* One GEMM case: ta, tb, M, N, K, beta; `pad` extra floats per row (lda/ldb/ldc wider than the matrix) and
 * `off` floats of offset from a 16-byte-aligned allocation. Tolerance: |simd - scalar| <= 1e-5 sqrt(K) * s,
 * where s = Σ_p |op(A)ᵢₚ op(B)ₚⱼ| + |beta Cᵢⱼ| bounds the magnitudes summed (so cancellation is no excuse). */
static int gemm_sparse_a;  // 1: A has long runs of zeros
static int gemm_sparse_2d; // 1: A (2: B, 3: both) zero in bands of their stored (row, col) that shift with the row,
                           // as images in a batch: the packed GEMM skips rows of a panel that are all zero
static void check_gemm(int ta, int tb, int M, int N, int K, float beta, int pad, int off) {
  kstat *st = stat_for("gemm");
  const int ra = ta ? K : M, ca = ta ? M : K, rb = tb ? N : K, cb = tb ? K : N;
  const int lda = ca + pad, ldb = cb + pad, ldc = N + pad;
  const size_t na = (size_t)ra * lda + off, nb = (size_t)rb * ldb + off, nc = (size_t)M * ldc + off + 4;
  float *A = xmalloc(na * 4), *B = xmalloc(nb * 4), *Aabs = xmalloc(na * 4), *Babs = xmalloc(nb * 4);
  float *Cref = xmalloc(nc * 4), *Csimd = xmalloc(nc * 4), *Cabs = xmalloc(nc * 4);
  fill_rand(A, na);
  fill_rand(B, nb);
  // sparse A (zero runs as in an image's background; the batch-1 GEMV skips all-zero chunks of x): +-0 runs
  for (size_t i = 0; i < na && gemm_sparse_a; i++)
    if ((i / 9) % 3 != 2) A[i] = (i / 9) % 2 ? -0.0f : 0.0f;
  // (r / 3 + c / 5) % 3 != 0: a third of each stored row nonzero, in bands that move every 3 rows; -0 in some
  for (int r = 0; r < ra && (gemm_sparse_2d & 1); r++)
    for (int c = 0; c < ca; c++)
      if ((r / 3 + c / 5) % 3) A[off + (size_t)r * lda + c] = (r + c) % 2 ? -0.0f : 0.0f;
  for (int r = 0; r < rb && (gemm_sparse_2d & 2); r++)
    for (int c = 0; c < cb; c++)
      if ((r / 3 + c / 5) % 3) B[off + (size_t)r * ldb + c] = (r + c) % 2 ? -0.0f : 0.0f;
  for (size_t i = 0; i < na; i++) Aabs[i] = fabsf(A[i]);
  for (size_t i = 0; i < nb; i++) Babs[i] = fabsf(B[i]);
  // C: sentinel everywhere, then the M×N window random (beta 1) or NaN (beta 0 must not read it)
  fill(Cref, nc, SENTINEL);
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) Cref[off + (size_t)i * ldc + j] = beta == 0.0f ? NAN : frand();
  memcpy(Csimd, Cref, nc * 4);
  float *Cold = xmalloc(nc * 4);
  memcpy(Cold, Cref, nc * 4);
  tt_f32_gemm__scalar(ta, tb, M, N, K, A + off, lda, B + off, ldb, beta, Cref + off, ldc);
  tt_f32_gemm__wasmsimd(ta, tb, M, N, K, A + off, lda, B + off, ldb, beta, Csimd + off, ldc);
  tt_f32_gemm__scalar(ta, tb, M, N, K, Aabs + off, lda, Babs + off, ldb, 0.0f, Cabs + off, ldc);

  double worst = 0.0;
  int bad_i = -1, bad_j = -1, guard_broken = -1;
  const double tol = 1e-5 * sqrt((double)K + 1.0);
  for (size_t t = 0; t < nc; t++) {
    const long r = ((long)t - off) >= 0 ? ((long)t - off) / ldc : -1, c = ((long)t - off) - r * ldc;
    const int inside = r >= 0 && r < M && c < N;
    if (!inside) {
      if (!same_bits(Csimd[t], SENTINEL) && guard_broken < 0) guard_broken = (int)t;
      continue;
    }
    const double s = Cabs[t] + (beta == 0.0f ? 0.0 : fabs((double)beta * Cold[t]));
    const double err = fabs((double)Csimd[t] - Cref[t]) / (s > 0 ? s : 1.0);
    if (!(err <= worst) || isnan(Csimd[t])) {
      worst = isnan(Csimd[t]) ? INFINITY : err;
      bad_i = (int)r, bad_j = (int)c;
    }
  }
  char what[200];
  const int ok = worst <= tol && guard_broken < 0;
  snprintf(what, sizeof what,
           "ta=%d tb=%d M=%d N=%d K=%d beta=%g pad=%d off=%d: rel err %.3g at C[%d][%d] (tol %.3g)%s", ta, tb, M,
           N, K, beta, pad, off, worst, bad_i, bad_j, tol,
           guard_broken >= 0 ? "; wrote outside C's M x N window" : "");
  record(st, worst, ok, what);
  free(A), free(B), free(Aabs), free(Babs), free(Cref), free(Csimd), free(Cabs), free(Cold);
}

static void check_gemm_all_forms(int M, int N, int K, int pad, int off) {
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++) {
      check_gemm(ta, tb, M, N, K, 0.0f, pad, off);
      check_gemm(ta, tb, M, N, K, 1.0f, pad, off);
    }
}

static void test_gemm(void) {
  // every combination of small sizes: below, at and around the 4x8 tile (M up to 3*4+3), aligned and not
  for (int M = 1; M <= 15; M++)
    for (int N = 1; N <= 15; N++)
      for (int K = 1; K <= 15; K++) {
        check_gemm_all_forms(M, N, K, 0, 0);
        check_gemm_all_forms(M, N, K, 3, 1);
      }
  // N up to 3*8+3 (a few K each, to keep the run short)
  for (int M = 1; M <= 15; M++)
    for (int N = 16; N <= 27; N++)
      for (int K = 1; K <= 15; K += 7) check_gemm_all_forms(M, N, K, M % 2, N % 2);
  // larger sizes mixed with small ones: block edges of MC=96, NC=256, KC=256, the vector paths (M or N = 1)
  static const int sizes[] = {1, 2, 3, 7, 8, 9, 13, 33, 64, 100, 130, 257};
  const int ns = (int)(sizeof sizes / sizeof sizes[0]);
  int idx = 0;
  for (int a = 0; a < ns; a++)
    for (int b = 0; b < ns; b++)
      for (int c = 0; c < ns; c++) {
        const int M = sizes[a], N = sizes[b], K = sizes[c];
        if (M < 16 && N < 16 && K < 16) continue;              // covered above
        if ((double)M * N * K > 1.2e6 && !(M == 257 && N == 257 && K == 257)) continue;  // keep the run short
        idx++;
        check_gemm_all_forms(M, N, K, idx % 2 ? 5 : 0, idx % 3 == 1);
      }
  // the shapes the models run: MLP 784-128-10 at batch 64, conv-shaped products, a batched heatmap
  static const int shapes[][3] = {{64, 128, 784}, {128, 784, 64}, {64, 784, 128}, {64, 10, 128}, {10, 128, 64},
                                  {8, 784, 25},   {8, 25, 784},   {25, 784, 8},   {16, 196, 200}, {16, 200, 196},
                                  {200, 196, 16}, {10000, 16, 2}, {1, 128, 784},  {1, 784, 128},  {600, 1, 300},
                                  {513, 300, 520}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    check_gemm_all_forms(shapes[s][0], shapes[s][1], shapes[s][2], (int)(s % 2), (int)(s % 2));
  // sparse inputs: the batch-1 GEMV lists x's nonzero chunks (and falls back to all of them past 3/4 or K > 4096)
  gemm_sparse_a = 1;
  for (int K = 1; K <= 40; K += 3) check_gemm_all_forms(1, 13, K, K % 2, K % 3 == 1);
  check_gemm_all_forms(1, 128, 784, 0, 1);
  check_gemm_all_forms(1, 5, 4100, 1, 0);
  check_gemm_all_forms(3, 1, 300, 0, 0);
  gemm_sparse_a = 0;
  // sparse panels (the packed path lists the runs of nonzero rows of A's and B's panels and takes the shorter):
  // odd sizes around the tiles, the MLP's products on sparse images, and blocks past MC, NC and KC
  for (gemm_sparse_2d = 1; gemm_sparse_2d <= 3; gemm_sparse_2d++) {
    for (int M = 2; M <= 13; M += 3)
      for (int N = 2; N <= 19; N += 4)
        for (int K = 1; K <= 40; K += 6) check_gemm_all_forms(M, N, K, (M + K) % 2, N % 3 == 1);
    check_gemm_all_forms(64, 128, 784, 0, 0);
    check_gemm_all_forms(128, 784, 64, 1, 1);
    check_gemm_all_forms(130, 270, 300, 3, 1);
  }
  gemm_sparse_2d = 0;
  // K = 0: C = beta * C (the packed path, and both vector paths)
  check_gemm_all_forms(5, 9, 0, 1, 1);
  check_gemm_all_forms(1, 9, 0, 0, 0);
  check_gemm_all_forms(7, 1, 0, 2, 1);
  // beta other than 0 and 1 is outside the contract but must still be honoured
  check_gemm(0, 0, 20, 30, 40, 0.5f, 1, 1);
  check_gemm(1, 1, 1, 30, 40, -2.0f, 0, 1);
  check_gemm(0, 1, 30, 1, 40, 3.0f, 2, 0);
}

/* ---- element-wise kernels ------------------------------------------------------------------------------- */

#define NSIZES 21
static const size_t vec_sizes[NSIZES] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 64, 100, 1001};

/* Compares n floats (bit-exact when tol is 0, else relative with a floor of 1) and the sentinel after them. */
static void compare_vec(const char *kernel, const float *ref, const float *got, size_t n, double tol,
                        const char *ctx) {
  kstat *st = stat_for(kernel);
  double worst = 0.0;
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    double err = fabs((double)got[i] - ref[i]) / fmax(1.0, fabs((double)ref[i]));
    if (tol == 0.0 && !same_bits(got[i], ref[i])) err = fmax(err, 1e-30);  // -0 vs +0, NaN payloads
    if (isnan(err)) err = INFINITY;
    if (err > worst) worst = err, at = i;
  }
  const int guard_ok = same_bits(got[n], SENTINEL);
  char what[200];
  snprintf(what, sizeof what, "%s: err %.3g at [%zu] (got %.9g, want %.9g, tol %g)%s", ctx, worst, at,
           (double)got[at], (double)ref[at], tol, guard_ok ? "" : "; wrote past the end");
  record(st, worst, worst <= tol && guard_ok, what);
}

/* Random vector of n floats with some exact zeros, negative zeros and (if nan) NaNs mixed in. */
static void fill_special(float *x, size_t n, int nan) {
  fill_rand(x, n);
  for (size_t i = 0; i < n; i += 7) x[i] = (i / 7) % 2 ? -0.0f : 0.0f;
  if (nan)
    for (size_t i = 3; i < n; i += 11) x[i] = NAN;
}

static void test_eltwise(void) {
  for (int s = 0; s < NSIZES; s++)
    for (int off = 0; off < 2; off++)
      for (int inplace = 0; inplace < 2; inplace++) {
        const size_t n = vec_sizes[s];
        char ctx[80];
        snprintf(ctx, sizeof ctx, "n=%zu off=%d inplace=%d", n, off, inplace);
        float *x = xmalloc((n + 2) * 4), *y = xmalloc((n + 2) * 4), *dy = xmalloc((n + 2) * 4);
        float *r = xmalloc((n + 2) * 4), *g = xmalloc((n + 2) * 4);
        float *xs = x + off, *ys = y + off, *dys = dy + off;

        // relu (in place: y == x)
        fill_special(xs, n, 1);
        xs[n] = SENTINEL;
        memcpy(r, xs, (n + 1) * 4);
        memcpy(g, xs, (n + 1) * 4);
        tt_f32_relu__scalar(r, r, n);
        if (inplace) tt_f32_relu__wasmsimd(g, g, n);
        else {
          fill(ys, n + 1, SENTINEL);
          tt_f32_relu__wasmsimd(ys, xs, n);
          memcpy(g, ys, (n + 1) * 4);
        }
        compare_vec("relu", r, g, n, 0.0, ctx);

        // relu_backward (in place: dx == dy); y holds exact zeros, -0 and NaN so the mask edges are hit
        fill_special(ys, n, 1);
        fill_rand(dys, n);
        dys[n] = SENTINEL;
        memcpy(r, dys, (n + 1) * 4);
        tt_f32_relu_backward__scalar(r, r, ys, n);
        memcpy(g, dys, (n + 1) * 4);
        if (inplace) tt_f32_relu_backward__wasmsimd(g, g, ys, n);
        else {
          float *dx = xmalloc((n + 2) * 4);
          fill(dx + off, n + 1, SENTINEL);
          tt_f32_relu_backward__wasmsimd(dx + off, dys, ys, n);
          memcpy(g, dx + off, (n + 1) * 4);
          free(dx);
        }
        compare_vec("relu_backward", r, g, n, 0.0, ctx);

        // scale (always in place)
        fill_special(xs, n, 0);
        xs[n] = SENTINEL;
        memcpy(r, xs, (n + 1) * 4);
        memcpy(g, xs, (n + 1) * 4);
        tt_f32_scale__scalar(r, -0.37f, n);
        tt_f32_scale__wasmsimd(g, -0.37f, n);
        compare_vec("scale", r, g, n, 0.0, ctx);

        // tanh (in place too): random values over [-12, 12) with the edges mixed in: +-0, +-tiny (subnormal
        // too), +-large, +-inf, NaN, and either side of the clamp at 9
        {
          static const float edges[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-45f, -1e-40f, 30.0f, -1e30f, INFINITY,
                                        -INFINITY, NAN, 8.99999905f, -9.00000095f, 9.0f, -10.0f, 20.0f};
          fill_rand(xs, n);
          for (size_t i = 0; i < n; i++) xs[i] = i % 3 == 2 ? edges[(i / 3 + s) % 16] : 12.0f * xs[i];
          xs[n] = SENTINEL;
          memcpy(r, xs, (n + 1) * 4);
          memcpy(g, xs, (n + 1) * 4);
          tt_f32_tanh__scalar(r, r, n);
          if (inplace) tt_f32_tanh__wasmsimd(g, g, n);
          else {
            fill(ys, n + 1, SENTINEL);
            tt_f32_tanh__wasmsimd(ys, xs, n);
            memcpy(g, ys, (n + 1) * 4);
          }
          // bit-exact, NaN payloads and -0 included (compare_vec counts any NaN as an error), sentinel kept
          size_t diff = 0;
          while (diff <= n && same_bits(r[diff], g[diff])) diff++;
          char at_what[120];
          snprintf(at_what, sizeof at_what, "%s: first differing bits at [%zu] of %zu (got %.9g, want %.9g)", ctx,
                   diff, n, diff <= n ? (double)g[diff] : 0.0, diff <= n ? (double)r[diff] : 0.0);
          record(stat_for("tanh"), diff <= n ? 1.0 : 0.0, diff > n, at_what);
          // and the reference itself against libm (abs error; NaN in, NaN out)
          kstat *st = stat_for("tanh_vs_libm");
          double worst = 0.0;
          size_t at = 0;
          for (size_t i = 0; i < n; i++) {
            const double e = isnan(xs[i]) ? (isnan(r[i]) ? 0.0 : INFINITY) : fabs((double)r[i] - tanhf(xs[i]));
            if (!(e <= worst)) worst = e, at = i;
          }
          char what[160];
          snprintf(what, sizeof what, "%s: |err| %.3g at x = %.9g (got %.9g, tanhf %.9g)", ctx, worst,
                   (double)xs[at], (double)r[at], (double)tanhf(xs[at]));
          record(st, worst, worst <= 3e-7, what);
        }

        // fill and copy (not in place: copy's buffers must not overlap); the output starts as NaN
        if (!inplace) {
          fill(ys, n + 1, NAN);
          ys[n] = SENTINEL;
          fill(r, n, -0.0f);
          r[n] = SENTINEL;
          tt_f32_fill__wasmsimd(ys, -0.0f, n);
          compare_vec("fill", r, ys, n, 0.0, ctx);
          fill_special(xs, n, 1);
          xs[n] = SENTINEL;
          fill(ys, n + 1, NAN);
          ys[n] = SENTINEL;
          tt_f32_copy__scalar(r, xs, n + 1);
          tt_f32_copy__wasmsimd(ys, xs, n);
          kstat *st = stat_for("copy");
          record(st, 0.0, memcmp(r, ys, (n + 1) * 4) == 0, ctx);  // bit-exact, NaNs and -0 included
        }

        // sumsq: both sum in double, in different orders
        if (!inplace) {
          fill_rand(xs, n);
          const float a = tt_f32_sumsq__scalar(xs, n), b = tt_f32_sumsq__wasmsimd(xs, n);
          kstat *st = stat_for("sumsq");
          const double err = fabs((double)a - b) / fmax(1.0, fabs((double)a));
          char what[160];
          snprintf(what, sizeof what, "%s: got %.9g, want %.9g", ctx, (double)b, (double)a);
          record(st, err, err <= 1e-6, what);
        }
        free(x), free(y), free(dy), free(r), free(g);
      }
}

/* The tanh reference over a geometric sweep of |x| from 2^-40 to 12 (both signs): within 3e-7 of tanh in double
 * (absolute) and 4e-7 relative, x itself below 2^-12 (where tanh x rounds to x), and never beyond +-1. */
static void test_tanh_sweep(void) {
  enum { NS = 200001 };
  float *xs = xmalloc(NS * sizeof(float)), *ys = xmalloc(NS * sizeof(float));
  for (int i = 0; i < NS; i++) {
    const float v = (float)(exp2(-40.0 + (40.0 + log2(12.0)) * i / (NS - 1)));
    xs[i] = i % 2 ? -v : v;
  }
  tt_f32_tanh__scalar(ys, xs, NS);
  double worst_abs = 0, worst_rel = 0;
  int at_abs = 0, at_rel = 0, bad_tiny = -1, beyond_one = -1;
  for (int i = 0; i < NS; i++) {
    const double want = tanh((double)xs[i]), e = fabs(ys[i] - want), rel = e / fabs(want);
    if (e > worst_abs) worst_abs = e, at_abs = i;
    if (rel > worst_rel) worst_rel = rel, at_rel = i;
    if (fabsf(xs[i]) < 0x1p-12f && ys[i] != xs[i] && bad_tiny < 0) bad_tiny = i;
    if (fabsf(ys[i]) > 1.0f && beyond_one < 0) beyond_one = i;
  }
  char what[200];
  snprintf(what, sizeof what, "tanh sweep: |err| %.3g at x = %.9g, relative %.3g at x = %.9g", worst_abs,
           (double)xs[at_abs], worst_rel, (double)xs[at_rel]);
  record(stat_for("tanh_sweep"), worst_rel, worst_abs <= 3e-7 && worst_rel <= 4e-7, what);
  snprintf(what, sizeof what, "tanh(x) != x for tiny x: first at x = %.9g (got %.9g)",
           bad_tiny < 0 ? 0.0 : (double)xs[bad_tiny], bad_tiny < 0 ? 0.0 : (double)ys[bad_tiny]);
  record(stat_for("tanh_tiny"), bad_tiny < 0 ? 0.0 : 1.0, bad_tiny < 0, what);
  snprintf(what, sizeof what, "|tanh| > 1 at x = %.9g (got %.9g)", beyond_one < 0 ? 0.0 : (double)xs[beyond_one],
           beyond_one < 0 ? 0.0 : (double)ys[beyond_one]);
  record(stat_for("tanh_bounded"), beyond_one < 0 ? 0.0 : 1.0, beyond_one < 0, what);
  free(xs);
  free(ys);
}

static void test_rows(void) {
  static const int rows_list[] = {1, 2, 3, 5, 64};
  for (size_t ri = 0; ri < sizeof rows_list / sizeof rows_list[0]; ri++)
    for (int s = 0; s < NSIZES; s++)
      for (int off = 0; off < 2; off++) {
        const int rows = rows_list[ri], cols = (int)vec_sizes[s];
        const size_t n = (size_t)rows * cols;
        char ctx[80];
        snprintf(ctx, sizeof ctx, "rows=%d cols=%d off=%d", rows, cols, off);
        float *y = xmalloc((n + 2) * 4), *b = xmalloc((cols + 2) * 4), *r = xmalloc((n + 2) * 4);
        float *g = xmalloc((n + 2) * 4);
        float *ys = y + off, *bs = b + off;
        // bias_act: y (rows, cols) = act(y + bias (cols,)), with and without the bias, each activation
        fill_rand(bs, cols);
        for (int act = 0; act <= TT_ACT_TANH; act++)
          for (int with_bias = 0; with_bias < 2; with_bias++) {
            const float *bias = with_bias ? bs : NULL;
            char actx[120];
            snprintf(actx, sizeof actx, "%s act=%d bias=%s", ctx, act, bias ? "yes" : "no");
            fill_rand(ys, n);
            ys[n] = SENTINEL;
            memcpy(r, ys, (n + 1) * 4);
            memcpy(g + off, ys, (n + 1) * 4);
            tt_f32_bias_act__scalar(r, bias, rows, cols, act);
            tt_f32_bias_act__wasmsimd(g + off, bias, rows, cols, act);
            compare_vec("bias_act", r, g + off, n, 0.0, actx);
          }
        // sum_rows: db (cols,) += Σ_r dy (rows, cols); db starts non-zero because it accumulates
        float *db_ref = xmalloc((cols + 2) * 4), *db = xmalloc((cols + 2) * 4);
        fill_rand(db_ref, cols);
        db_ref[cols] = SENTINEL;
        memcpy(db + off, db_ref, (cols + 1) * 4);
        tt_f32_sum_rows__scalar(db_ref, ys, rows, cols);
        tt_f32_sum_rows__wasmsimd(db + off, ys, rows, cols);
        compare_vec("sum_rows", db_ref, db + off, cols, 0.0, ctx);
        free(y), free(b), free(r), free(g), free(db_ref), free(db);
      }
}

/* ---- convolution -------------------------------------------------------------------------------------------- */

/* The batch convolution kernels (stride 1, implicit GEMM): the forward pass bit-exact against the scalar twin (the
 * same sums in the same order), in both weight modes (adjoint: the input gradient's rotated kernel), with and
 * without bias, on the demo's shapes and odd ones (outputs narrower than 4, 1x1 and even kernels, pads up to k-1
 * and negative ones (the adjoint of a padding >= k crops), channel counts that are not multiples of 4 or 8), unaligned buffers, outputs poisoned with NaN (every element
 * must be written) and a sentinel after them. The weight gradient too is bit-exact: each of its sums runs over
 * samples, then positions, in the scalar twin's order. Inputs get runs of exact zeros (ReLU outputs, image backgrounds). */
static void test_conv(void) {
  static const int cfg[][8] = {  // B, C, H, W, F, k, pad_lo, pad_hi
      {2, 1, 28, 28, 8, 5, 2, 2}, {3, 8, 14, 14, 16, 5, 2, 2}, {1, 3, 7, 9, 5, 3, 1, 1}, {2, 2, 5, 6, 3, 3, 0, 0},
      {1, 2, 5, 6, 3, 4, 1, 2},   {2, 1, 1, 1, 1, 1, 0, 0},    {1, 2, 3, 3, 7, 5, 2, 2}, {1, 1, 2, 2, 2, 2, 1, 1},
      {1, 4, 6, 6, 9, 1, 0, 0},   {2, 3, 5, 11, 6, 3, 2, 1},   {1, 1, 17, 3, 4, 3, 1, 1}, {3, 5, 4, 7, 12, 2, 0, 1},
      {2, 3, 9, 8, 5, 3, -1, -1}, {1, 2, 10, 7, 4, 2, -2, 0},  {1, 2, 6, 9, 3, 3, 0, -1}};
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    for (int variant = 0; variant < 4; variant++) {  // bit 0: adjoint weights, bit 1: bias
      const int B = cfg[t][0], C = cfg[t][1], H = cfg[t][2], W = cfg[t][3], F = cfg[t][4], k = cfg[t][5];
      const int pl = cfg[t][6], ph = cfg[t][7], off = variant & 1, adjoint = variant & 1;
      const int OH = H + pl + ph - k + 1, OW = W + pl + ph - k + 1;
      const tt__conv_shape shape = {B, C, H, W, F, k, pl, ph, adjoint};
      const size_t nx = (size_t)B * C * H * W, ny = (size_t)B * F * OH * OW, nw = (size_t)F * C * k * k;
      float *x = xmalloc((nx + 1) * 4), *w = xmalloc((nw + 1) * 4), *bias = xmalloc((F + 1) * 4);
      float *y0 = xmalloc((ny + 2) * 4), *y1 = xmalloc((ny + 2) * 4), *dy = xmalloc((ny + 1) * 4);
      float *dw0 = xmalloc((nw + 2) * 4), *dw1 = xmalloc((nw + 2) * 4);
      float *ws = xmalloc(tt__conv_ws_floats(&shape) * 4);
      char ctx[160];
      snprintf(ctx, sizeof ctx, "B=%d C=%d H=%d W=%d F=%d k=%d pads %d,%d adjoint=%d bias=%d off=%d", B, C, H, W, F,
               k, pl, ph, adjoint, variant >> 1, off);
      fill_special(x + off, nx, 0);
      fill_rand(w + off, nw);
      fill_rand(bias + off, F);
      fill_special(dy + off, ny, 0);
      const float *b = variant & 2 ? bias + off : NULL;
      fill(y0, ny + 2, SENTINEL);
      fill(y1 + off, ny, NAN);
      y1[off + ny] = SENTINEL;
      tt_f32_conv_forward__scalar(y0, x + off, w + off, b, &shape, NULL);
      tt_f32_conv_forward__wasmsimd(y1 + off, x + off, w + off, b, &shape, ws);
      compare_vec("conv_forward", y0, y1 + off, ny, 0.0, ctx);
      if (adjoint) goto done;  // the weight gradient has one mode
      fill_rand(dw0, nw);
      dw0[nw] = SENTINEL;
      memcpy(dw1 + off, dw0, (nw + 1) * 4);
      tt_f32_conv_backward_w__scalar(dw0, dy + off, x + off, &shape, NULL);
      tt_f32_conv_backward_w__wasmsimd(dw1 + off, dy + off, x + off, &shape, ws);
      compare_vec("conv_backward_w", dw0, dw1 + off, nw, 0.0, ctx);
    done:
      free(x), free(w), free(bias), free(y0), free(y1), free(dy), free(dw0), free(dw1), free(ws);
    }
}

/* The sparse backward pass (stride 1): the SIMD twin bit for bit against the scalar one, and both bit for bit
 * against the dense scalar kernels (conv_backward_w, and the adjoint conv_forward for dx), which sum the same terms
 * in the same order plus ±0 terms. dy has exact zeros of both signs at densities 0, 5%, 30% and 100%; shapes
 * include 1, 3 and 8 channels, 1, 5 and 16 filters, 1x1 to 5x5 kernels, asymmetric pads and pads >= k, H != W,
 * and kernel rows (k·C floats) wider than the padded image row; dx NULL (the first layer) and not;
 * unaligned buffers; dx and the scratch poisoned with NaN (every dx element must be written, no scratch read
 * before it is written), sentinels after dw and dx, and a scratch of exactly tt__conv_sparse_ws_floats floats.
 * With as many nonzeros as its limit, the pass must return 0 and leave dw and dx as they were; one more, run. */
static void test_conv_sparse(void) {
  static const int cfg[][8] = {  // B, C, H, W, F, k, pad_lo, pad_hi
      {2, 8, 14, 14, 16, 5, 2, 2}, {2, 1, 28, 28, 8, 5, 2, 2}, {1, 3, 7, 9, 5, 3, 1, 1},  {2, 1, 5, 6, 1, 1, 0, 0},
      {1, 3, 6, 5, 16, 3, 0, 2},   {2, 8, 4, 7, 5, 5, 5, 6},   {1, 1, 3, 3, 5, 3, 3, 3},  {1, 8, 5, 3, 1, 1, 1, 0},
      {2, 3, 9, 8, 5, 3, 0, 3},    {1, 1, 3, 4, 1, 3, 0, 0},   {1, 3, 5, 3, 5, 3, 0, 0},  {1, 5, 4, 4, 3, 4, 1, 2},
      {3, 8, 6, 9, 16, 3, 1, 1},   {1, 3, 2, 2, 5, 5, 4, 3}};
  static const float density[] = {0.0f, 0.05f, 0.3f, 1.0f};
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    for (int dn = 0; dn < 4; dn++)
      for (int variant = 0; variant < 2; variant++) {  // 1: with dx, and unaligned buffers
        const int B = cfg[t][0], C = cfg[t][1], H = cfg[t][2], W = cfg[t][3], F = cfg[t][4], k = cfg[t][5];
        const int pl = cfg[t][6], ph = cfg[t][7], off = variant, OH = H + pl + ph - k + 1, OW = W + pl + ph - k + 1;
        const tt__conv_shape shape = {B, C, H, W, F, k, pl, ph, 0}, adj = tt__conv_adjoint(&shape);
        const size_t nx = (size_t)B * C * H * W, ny = (size_t)B * F * OH * OW, nw = (size_t)F * C * k * k;
        const size_t nws = tt__conv_sparse_ws_floats(&shape);
        const size_t nwd = tt__conv_ws_floats(&adj);
        float *x = xmalloc((nx + 1) * 4), *w = xmalloc((nw + 1) * 4), *dy = xmalloc((ny + 1) * 4);
        float *dw0 = xmalloc((nw + 1) * 4), *dw1 = xmalloc((nw + 2) * 4), *dw2 = xmalloc((nw + 2) * 4);
        float *dx0 = xmalloc((nx + 1) * 4), *dx1 = xmalloc((nx + 2) * 4), *dx2 = xmalloc((nx + 2) * 4);
        float *ws1 = xmalloc(nws * 4), *ws2 = xmalloc(nws * 4), *wsd = xmalloc(nwd * 4);
        char ctx[160];
        snprintf(ctx, sizeof ctx, "B=%d C=%d H=%d W=%d F=%d k=%d pads %d,%d density %.2f dx=%d off=%d", B, C, H, W, F,
                 k, pl, ph, density[dn], variant, off);
        fill_special(x + off, nx, 0);
        fill_rand(w + off, nw);
        for (size_t i = 0; i < ny; i++) {
          const float r = 0.5f * (frand() + 1.0f);
          dy[off + i] = r < density[dn] ? frand() : i % 2 ? -0.0f : 0.0f;
        }
        fill_rand(dw0, nw + 1);
        dw0[nw] = SENTINEL;
        memcpy(dw1 + off, dw0, (nw + 1) * 4), memcpy(dw2 + off, dw0, (nw + 1) * 4);
        fill(dx1, nx + 2, NAN), fill(dx2, nx + 2, NAN), fill(ws1, nws, NAN), fill(ws2, nws, NAN);
        dx0[nx] = dx1[off + nx] = dx2[off + nx] = SENTINEL;
        float *const dx1p = variant ? dx1 + off : NULL, *const dx2p = variant ? dx2 + off : NULL;
        // a limit at the count of nonzeros: nothing happens; one above it: the pass runs
        int nnz = 0, ran[4];
        for (size_t i = 0; i < ny; i++) nnz += dy[off + i] != 0.0f;
        ran[0] = tt_f32_conv_sparse__scalar(dw1 + off, dx1p, dy + off, x + off, w + off, NULL, &shape, nnz, ws1);
        ran[1] = tt_f32_conv_sparse__wasmsimd(dw2 + off, dx2p, dy + off, x + off, w + off, NULL, &shape, nnz, ws2);
        int untouched = memcmp(dw1 + off, dw0, nw * 4) == 0 && memcmp(dw2 + off, dw0, nw * 4) == 0;
        for (size_t i = 0; i < nx; i++) untouched &= isnan(dx1[off + i]) && isnan(dx2[off + i]);
        ran[2] = tt_f32_conv_sparse__scalar(dw1 + off, dx1p, dy + off, x + off, w + off, NULL, &shape, nnz + 1, ws1);
        ran[3] = tt_f32_conv_sparse__wasmsimd(dw2 + off, dx2p, dy + off, x + off, w + off, NULL, &shape, nnz + 1, ws2);
        tt_f32_conv_backward_w__scalar(dw0, dy + off, x + off, &shape, NULL);
        tt_f32_conv_forward__scalar(dx0, dy + off, w + off, NULL, &adj, wsd);
        char what[200];
        snprintf(what, sizeof what, "%s: returned %d %d at the limit (untouched %d), %d %d above it", ctx, ran[0],
                 ran[1], untouched, ran[2], ran[3]);
        record(stat_for("conv_sparse"), 0.0, !ran[0] && !ran[1] && untouched && ran[2] && ran[3], what);
        compare_vec("conv_sparse", dw1 + off, dw2 + off, nw, 0.0, ctx);  // the twins
        compare_vec("conv_sparse", dw0, dw2 + off, nw, 0.0, ctx);        // against the dense kernels
        if (variant) {
          compare_vec("conv_sparse", dx1 + off, dx2 + off, nx, 0.0, ctx);
          compare_vec("conv_sparse", dx0, dx2 + off, nx, 0.0, ctx);
        }
        free(x), free(w), free(dy), free(dw0), free(dw1), free(dw2), free(dx0), free(dx1), free(dx2);
        free(ws1), free(ws2), free(wsd);
      }
}

/* The sparse pass's tiles on listed nonzeros (kernels.h: conv_sparse_dw_tiles, conv_sparse_dx_tiles, the threaded
 * split's): the SIMD twins bit for bit against the scalar ones. Padded channels-last images of odd sizes with 1, 3, 5
 * and 8 channels, 1x1 to 5x5 kernels (rows of k·C floats rounded up to 16: 1 to 3 tiles a row), lists of 0, 1, a few
 * and every position (windows that overlap, so dx's order matters), with exact zeros of both signs among the
 * values; dwᵀ's tiles as the whole range and as parts of it, unaligned buffers, sentinels after dwᵀ and the image. */
static void test_conv_sparse_tiles(void) {
  static const int cfg[][4] = {{8, 18, 18, 5}, {1, 32, 32, 5}, {3, 9, 11, 3}, {5, 6, 5, 4}, {1, 3, 4, 1}, {8, 7, 9, 2}};
  for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++)
    for (int density = 0; density < 4; density++) {  // none, one, a few, all
      const int C = cfg[c][0], Hp = cfg[c][1], Wp = cfg[c][2], k = cfg[c][3], off = density % 2;
      const int S = Wp * C, L = (k * C + 15) / 16 * 16, R = L / 16, T = k * R, OH = Hp - k + 1, OW = Wp - k + 1;
      const size_t np = (size_t)Hp * S + 16, nt = (size_t)T * 16;
      int *o = xmalloc((size_t)OH * OW * sizeof(int)), n = 0;
      float *v = xmalloc((size_t)OH * OW * 4), *xp = xmalloc((np + 2) * 4), *wt = xmalloc((nt + 1) * 4);
      float *dwt1 = xmalloc((nt + 2) * 4), *dwt2 = xmalloc((nt + 2) * 4);
      float *dxp1 = xmalloc((np + 2) * 4), *dxp2 = xmalloc((np + 2) * 4);
      for (int p = 0; p < OH * OW; p++) {
        const float r = 0.5f * (frand() + 1.0f);
        const int take = density == 3 || (density == 1 && p == OH * OW / 2) || (density == 2 && r < 0.1f);
        if (!take) continue;
        o[n] = (p / OW * Wp + p % OW) * C;
        v[n++] = n % 5 == 4 ? (n % 2 ? -0.0f : 0.0f) : frand();
      }
      fill_special(xp + off, np, 0);
      fill_rand(wt + off, nt);
      fill_rand(dwt1 + off, nt);
      memcpy(dwt2 + off, dwt1 + off, nt * 4);
      dwt1[off + nt] = dwt2[off + nt] = SENTINEL;
      fill_rand(dxp1 + off, np);
      memcpy(dxp2 + off, dxp1 + off, np * 4);
      dxp1[off + np] = dxp2[off + np] = SENTINEL;
      char ctx[160];
      snprintf(ctx, sizeof ctx, "C=%d Hp=%d Wp=%d k=%d: %d nonzeros, off=%d", C, Hp, Wp, k, n, off);
      // the whole range on the first, in two parts (the split's chunks) on the second: each tile's sum alone
      tt_f32_conv_sparse_dw_tiles__scalar(dwt1 + off, xp + off, o, v, n, 0, T, R, S);
      tt_f32_conv_sparse_dw_tiles__wasmsimd(dwt2 + off, xp + off, o, v, n, 0, T / 2, R, S);
      tt_f32_conv_sparse_dw_tiles__wasmsimd(dwt2 + off, xp + off, o, v, n, T / 2, T, R, S);
      compare_vec("conv_sparse_dw_tiles", dwt1 + off, dwt2 + off, nt, 0.0, ctx);
      tt_f32_conv_sparse_dx_tiles__scalar(dxp1 + off, wt + off, o, v, n, T, R, S);
      tt_f32_conv_sparse_dx_tiles__wasmsimd(dxp2 + off, wt + off, o, v, n, T, R, S);
      compare_vec("conv_sparse_dx_tiles", dxp1 + off, dxp2 + off, np, 0.0, ctx);
      free(o), free(v), free(xp), free(wt), free(dwt1), free(dwt2), free(dxp1), free(dxp2);
    }
}

/* The sparse kernel on a layer's mostly-zero input (adjoint set: x as its dy, the weights (F, C, k, k) read as
 * (C, F) rotated, pads k-1-pad), as src/layers/conv2d.c runs its forward pass and weight gradient: the twins bit
 * for bit against each other and against the dense scalar kernels (conv_forward with its bias, conv_backward_w).
 * x has exact zeros of both signs at densities 0, 5%, 20% and 100%; 1-3 channels, 1, 5 and 8 filters, 1x1 to 5x5
 * kernels, odd sizes, asymmetric pads (0 to k-1), unaligned buffers; y and the scratch poisoned with NaN, a scratch
 * of exactly tt__conv_sparse_ws_floats floats, sentinels after y and dw. With as many nonzeros as its limit it
 * must return 0 and leave y and dw as they were; one more, run. */
static void test_conv_sparse_input(void) {
  static const int cfg[][8] = {  // B, C, H, W, F, k, pad_lo, pad_hi
      {2, 1, 28, 28, 8, 5, 2, 2}, {2, 1, 9, 7, 5, 3, 1, 1}, {1, 2, 6, 5, 8, 3, 0, 2}, {3, 3, 5, 6, 1, 3, 2, 0},
      {2, 1, 4, 3, 5, 1, 0, 0},   {1, 3, 7, 4, 8, 5, 4, 1}, {2, 2, 3, 3, 1, 2, 1, 0}, {1, 1, 2, 2, 8, 4, 3, 3}};
  static const float density[] = {0.0f, 0.05f, 0.2f, 1.0f};
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    for (int dn = 0; dn < 4; dn++)
      for (int off = 0; off < 2; off++) {
        const int B = cfg[t][0], C = cfg[t][1], H = cfg[t][2], W = cfg[t][3], F = cfg[t][4], k = cfg[t][5];
        const int pl = cfg[t][6], ph = cfg[t][7], OH = H + pl + ph - k + 1, OW = W + pl + ph - k + 1;
        const tt__conv_shape shape = {B, C, H, W, F, k, pl, ph, 0}, adj = tt__conv_adjoint(&shape);
        const size_t nx = (size_t)B * C * H * W, ny = (size_t)B * F * OH * OW, nw = (size_t)F * C * k * k;
        const size_t nws = tt__conv_sparse_ws_floats(&adj);
        float *x = xmalloc((nx + 1) * 4), *w = xmalloc((nw + 1) * 4), *dy = xmalloc((ny + 1) * 4);
        float *bias = xmalloc((F + 1) * 4), *y0 = xmalloc((ny + 1) * 4), *y1 = xmalloc((ny + 2) * 4);
        float *y2 = xmalloc((ny + 2) * 4), *dw0 = xmalloc((nw + 1) * 4), *dw1 = xmalloc((nw + 2) * 4);
        float *dw2 = xmalloc((nw + 2) * 4), *ws1 = xmalloc(nws * 4), *ws2 = xmalloc(nws * 4);
        char ctx[160];
        snprintf(ctx, sizeof ctx, "B=%d C=%d H=%d W=%d F=%d k=%d pads %d,%d density %.2f off=%d", B, C, H, W, F, k,
                 pl, ph, density[dn], off);
        for (size_t i = 0; i < nx; i++) {
          const float r = 0.5f * (frand() + 1.0f);
          x[off + i] = r < density[dn] ? frand() : i % 2 ? -0.0f : 0.0f;
        }
        fill_rand(w + off, nw), fill_rand(bias + off, F), fill_rand(dy + off, ny);
        fill_rand(dw0, nw + 1);
        dw0[nw] = y0[ny] = SENTINEL;
        memcpy(dw1 + off, dw0, (nw + 1) * 4), memcpy(dw2 + off, dw0, (nw + 1) * 4);
        fill(y1, ny + 2, NAN), fill(y2, ny + 2, NAN), fill(ws1, nws, NAN), fill(ws2, nws, NAN);
        y1[off + ny] = y2[off + ny] = SENTINEL;
        int nnz = 0, ran[8];
        for (size_t i = 0; i < nx; i++) nnz += x[off + i] != 0.0f;
        // at the limit: nothing; one above: the forward pass (y with the bias), then the weight gradient
        for (int r = 0; r < 2; r++) {
          const float *xo = x + off, *wo = w + off;
          ran[4 * r] = tt_f32_conv_sparse__scalar(NULL, y1 + off, xo, NULL, wo, bias + off, &adj, nnz + r, ws1);
          ran[4 * r + 1] = tt_f32_conv_sparse__wasmsimd(NULL, y2 + off, xo, NULL, wo, bias + off, &adj, nnz + r, ws2);
          ran[4 * r + 2] = tt_f32_conv_sparse__scalar(dw1 + off, NULL, xo, dy + off, wo, NULL, &adj, nnz + r, ws1);
          ran[4 * r + 3] = tt_f32_conv_sparse__wasmsimd(dw2 + off, NULL, xo, dy + off, wo, NULL, &adj, nnz + r, ws2);
          if (r) continue;
          int untouched = memcmp(dw1 + off, dw0, nw * 4) == 0 && memcmp(dw2 + off, dw0, nw * 4) == 0;
          for (size_t i = 0; i < ny; i++) untouched &= isnan(y1[off + i]) && isnan(y2[off + i]);
          char what[200];
          snprintf(what, sizeof what, "%s: at the limit returned %d %d %d %d (untouched %d)", ctx, ran[0], ran[1],
                   ran[2], ran[3], untouched);
          record(stat_for("conv_sparse_in"), 0.0, !(ran[0] | ran[1] | ran[2] | ran[3]) && untouched, what);
        }
        char what[200];
        snprintf(what, sizeof what, "%s: above the limit returned %d %d %d %d", ctx, ran[4], ran[5], ran[6], ran[7]);
        record(stat_for("conv_sparse_in"), 0.0, ran[4] && ran[5] && ran[6] && ran[7], what);
        tt_f32_conv_forward__scalar(y0, x + off, w + off, bias + off, &shape, NULL);
        tt_f32_conv_backward_w__scalar(dw0, dy + off, x + off, &shape, NULL);
        compare_vec("conv_sparse_in", y1 + off, y2 + off, ny, 0.0, ctx);    // the twins
        compare_vec("conv_sparse_in", y0, y2 + off, ny, 0.0, ctx);          // against the dense forward pass
        compare_vec("conv_sparse_in", dw1 + off, dw2 + off, nw, 0.0, ctx);  // the twins
        compare_vec("conv_sparse_in", dw0, dw2 + off, nw, 0.0, ctx);        // against the dense weight gradient
        free(x), free(w), free(dy), free(bias), free(y0), free(y1), free(y2), free(dw0), free(dw1), free(dw2);
        free(ws1), free(ws2);
      }
}

/* In place (p_out == p) and out of place (into other arrays, the inputs left as they were), bit-exact with the
 * scalar twin in place. */
static void test_adam(void) {
  for (int s = 0; s < NSIZES; s++)
    for (int off = 0; off < 2; off++)
      for (int variant = 0; variant < 3; variant++) {  // plain Adam, Adam with L2, AdamW decay
        const size_t n = vec_sizes[s];
        char ctx[80];
        snprintf(ctx, sizeof ctx, "n=%zu off=%d variant=%d", n, off, variant);
        float *buf[14];
        for (int i = 0; i < 14; i++) buf[i] = xmalloc((n + 2) * 4);
        float *p0 = buf[0] + off, *g = buf[1] + off, *m0 = buf[2] + off, *v0 = buf[3] + off;
        float *p1 = buf[4] + off, *m1 = buf[5] + off, *v1 = buf[6] + off;
        float *pi = buf[7] + off, *mi = buf[8] + off, *vi = buf[9] + off;     // inputs of the out-of-place calls
        float *p2 = buf[10] + off, *m2 = buf[11] + off, *v2 = buf[12] + off;  // their outputs
        fill_rand(p0, n), fill_rand(g, n), fill_rand(m0, n), fill_rand(v0, n);
        for (size_t i = 0; i < n; i++) v0[i] = v0[i] * v0[i];  // second moments are non-negative
        p0[n] = m0[n] = v0[n] = SENTINEL;
        memcpy(p1, p0, (n + 1) * 4), memcpy(m1, m0, (n + 1) * 4), memcpy(v1, v0, (n + 1) * 4);
        memcpy(pi, p0, (n + 1) * 4), memcpy(mi, m0, (n + 1) * 4), memcpy(vi, v0, (n + 1) * 4);
        const float wd = variant == 1 ? 0.01f : 0.0f, decay = variant == 2 ? 1e-4f : 0.0f;
        const float bc1 = 1.0f - powf(0.9f, 3.0f), bc2 = 1.0f - powf(0.999f, 3.0f);
        tt_f32_adam__scalar(p0, m0, v0, p0, g, m0, v0, n, 1e-3f, 0.9f, 0.999f, 1e-8f, wd, decay, bc1, bc2);
        tt_f32_adam__wasmsimd(p1, m1, v1, p1, g, m1, v1, n, 1e-3f, 0.9f, 0.999f, 1e-8f, wd, decay, bc1, bc2);
        compare_vec("adam", p0, p1, n, 0.0, ctx);
        compare_vec("adam", m0, m1, n, 0.0, ctx);
        compare_vec("adam", v0, v1, n, 0.0, ctx);
        for (int twin = 0; twin < 2; twin++) {
          p2[n] = m2[n] = v2[n] = SENTINEL;
          (twin ? tt_f32_adam__wasmsimd : tt_f32_adam__scalar)(p2, m2, v2, pi, g, mi, vi, n, 1e-3f, 0.9f, 0.999f,
                                                                1e-8f, wd, decay, bc1, bc2);
          char where[120];
          snprintf(where, sizeof where, "%s, %s out of place", ctx, twin ? "simd" : "scalar");
          compare_vec("adam", p0, p2, n, 0.0, where);
          compare_vec("adam", m0, m2, n, 0.0, where);
          compare_vec("adam", v0, v2, n, 0.0, where);
        }
        for (int i = 0; i < 14; i++) free(buf[i]);
      }
}

/* Every option combination (weight decay, momentum, Nesterov, first step), bit-exact with the scalar twin, in
 * place and out of place (into other arrays; with mu = 0 the buffer output is left alone). */
static void test_sgd(void) {
  static const float cfg[][4] = {  // mu, wd, nesterov, first
      {0, 0, 0, 0}, {0, 0.01f, 0, 0}, {0.9f, 0, 0, 1}, {0.9f, 0, 0, 0}, {0.9f, 0.01f, 1, 0}, {0.5f, 0.001f, 1, 1}};
  for (int s = 0; s < NSIZES; s++)
    for (int off = 0; off < 2; off++)
      for (size_t v = 0; v < sizeof cfg / sizeof cfg[0]; v++) {
        const size_t n = vec_sizes[s];
        char ctx[80];
        snprintf(ctx, sizeof ctx, "n=%zu off=%d mu=%g wd=%g nesterov=%g first=%g", n, off, cfg[v][0], cfg[v][1],
                 cfg[v][2], cfg[v][3]);
        float *buf[9];
        for (int i = 0; i < 9; i++) buf[i] = xmalloc((n + 2) * 4);
        float *p0 = buf[0] + off, *g = buf[1] + off, *b0 = buf[2] + off, *p1 = buf[3] + off, *b1 = buf[4] + off;
        float *pi = buf[5] + off, *bi = buf[6] + off, *p2 = buf[7] + off, *b2 = buf[8] + off;
        fill_special(p0, n, 0), fill_rand(g, n), fill_rand(b0, n);
        p0[n] = b0[n] = SENTINEL;
        memcpy(p1, p0, (n + 1) * 4), memcpy(b1, b0, (n + 1) * 4);
        memcpy(pi, p0, (n + 1) * 4), memcpy(bi, b0, (n + 1) * 4);
        const float mu = cfg[v][0], wd = cfg[v][1];
        const int nesterov = (int)cfg[v][2], first = (int)cfg[v][3];
        tt_f32_sgd__scalar(p0, b0, p0, g, b0, n, 0.05f, mu, wd, nesterov, first);
        tt_f32_sgd__wasmsimd(p1, b1, p1, g, b1, n, 0.05f, mu, wd, nesterov, first);
        compare_vec("sgd", p0, p1, n, 0.0, ctx);
        compare_vec("sgd", b0, b1, n, 0.0, ctx);
        for (int twin = 0; twin < 2; twin++) {
          memcpy(b2, bi, (n + 1) * 4);  // with mu = 0 the output buffer keeps what it held
          p2[n] = SENTINEL;
          (twin ? tt_f32_sgd__wasmsimd : tt_f32_sgd__scalar)(p2, b2, pi, g, bi, n, 0.05f, mu, wd, nesterov, first);
          char where[120];
          snprintf(where, sizeof where, "%s, %s out of place", ctx, twin ? "simd" : "scalar");
          compare_vec("sgd", p0, p2, n, 0.0, where);
          compare_vec("sgd", b0, b2, n, 0.0, where);
        }
        for (int i = 0; i < 9; i++) free(buf[i]);
      }
}

/* ---- max pooling -------------------------------------------------------------------------------------------- */

/* Forward (max and argmax) and backward (non-overlapping windows) bit-exact against the scalar twins: window
 * sizes and strides the SIMD path takes (2×2 at stride 2) and the ones it hands to the scalar kernel, widths
 * with 1-3 windows past a multiple of 4 and fewer than 4 windows, odd sizes with a row and column past the last
 * window, unaligned buffers, many ties (values on a grid of 1/3), +-0 and NaNs; outputs poisoned with NaN first
 * (every element must be written), a sentinel after each. */
static int same_floats(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

static void test_pool(void) {
  static const int cfg[][4] = {  // H, W, K, S
      {28, 28, 2, 2}, {14, 14, 2, 2}, {7, 7, 2, 2}, {5, 9, 2, 2}, {4, 6, 2, 2}, {3, 17, 2, 2}, {2, 2, 2, 2},
      {9, 9, 3, 3},   {7, 6, 3, 2},   {6, 5, 2, 1}, {8, 11, 2, 2}, {1, 1, 1, 1}};
  kstat *st = stat_for("maxpool");
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++)
    for (int variant = 0; variant < 4; variant++) {
      const int H = cfg[t][0], W = cfg[t][1], K = cfg[t][2], S = cfg[t][3], off = variant & 1, base = 1000 * t;
      const int OH = (H - K) / S + 1, OW = (W - K) / S + 1;
      const size_t n = (size_t)H * W, no = (size_t)OH * OW;
      float *x = xmalloc((n + 1) * 4), *y0 = xmalloc((no + 1) * 4), *y1 = xmalloc((no + 2) * 4);
      float *a0 = xmalloc((no + 1) * 4), *a1 = xmalloc((no + 2) * 4), *dy = xmalloc((no + 1) * 4);
      float *d0 = xmalloc((n + 1) * 4), *d1 = xmalloc((n + 2) * 4);
      for (size_t i = 0; i < n; i++) x[i] = roundf(frand() * 3.0f) / 3.0f;  // ties
      for (size_t i = 3; i < n; i += 11) x[i] = (i / 11) % 2 ? -0.0f : 0.0f;
      if (variant >= 2)
        for (size_t i = 5; i < n; i += 13) x[i] = NAN;
      fill(y1, no + 2, NAN), fill(a1, no + 2, NAN);
      y0[no] = a0[no] = y1[off + no] = a1[off + no] = SENTINEL;
      tt_f32_maxpool__scalar(y0, a0, x, H, W, K, S, OH, OW, base);
      tt_f32_maxpool__wasmsimd(y1 + off, a1 + off, x, H, W, K, S, OH, OW, base);
      char what[160];
      snprintf(what, sizeof what, "forward H=%d W=%d K=%d S=%d off=%d nan=%d", H, W, K, S, off, variant >= 2);
      record(st, 0.0, same_floats(y0, y1 + off, no + 1) && same_floats(a0, a1 + off, no + 1), what);
      if (S == K) {
        fill_rand(dy, no);
        fill(d1, n + 2, NAN);
        d0[n] = d1[off + n] = SENTINEL;
        tt_f32_maxpool_backward__scalar(d0, dy, a0, H, W, K, OH, OW, base);
        tt_f32_maxpool_backward__wasmsimd(d1 + off, dy, a0, H, W, K, OH, OW, base);
        // the scalar kernel itself: dy at each argmax, 0 elsewhere, nothing past the plane
        int ok = same_floats(d0, d1 + off, n + 1);
        for (size_t i = 0, o; i < n; i++) {
          for (o = 0; o < no && a0[o] != (float)(base + i); o++) {}
          ok &= same_bits(d0[i], o < no ? dy[o] : 0.0f);
        }
        snprintf(what, sizeof what, "backward H=%d W=%d K=%d off=%d nan=%d", H, W, K, off, variant >= 2);
        record(stat_for("maxpool_backward"), 0.0, ok, what);
      }
      free(x), free(y0), free(y1), free(a0), free(a1), free(dy), free(d0), free(d1);
    }
}

/* ---- attention ---------------------------------------------------------------------------------------------- */

/* One query against n keys and values of dh features at row stride ld (wider than dh, as in a [T, 3D] q|k|v
 * buffer), forward and backward, +1 float off alignment when `off`. dk and dv start random (the kernel adds to
 * them); the floats of each row past dh must stay as they were, and a sentinel follows every output. Dot products
 * sum in another order than the reference: tolerance 1e-5 relative (absolute below 1). */
static void check_attend(int n, int dh, int ld, int off) {
  char ctx[80];
  snprintf(ctx, sizeof ctx, "n=%d dh=%d ld=%d off=%d", n, dh, ld, off);
  const size_t rows = (size_t)n * ld, total = rows + 2;
  float *k = xmalloc(total * 4), *v = xmalloc(total * 4), *q = xmalloc((dh + 2) * 4), *dout = xmalloc((dh + 2) * 4);
  float *ref[5], *got[5];  // out, p, dq, dk, dv
  const size_t len[5] = {(size_t)dh, (size_t)n, (size_t)dh, rows, rows};
  fill_rand(k + off, rows), fill_rand(v + off, rows), fill_rand(q + off, dh), fill_rand(dout + off, dh);
  for (int i = 0; i < 5; i++) {
    ref[i] = xmalloc((len[i] + 2) * 4), got[i] = xmalloc((len[i] + 2) * 4);
    fill_rand(ref[i] + off, len[i]);
    ref[i][off + len[i]] = SENTINEL;
    memcpy(got[i] + off, ref[i] + off, (len[i] + 1) * 4);
  }
  float *ds = xmalloc((n + 1) * 4), *pr = ref[1] + off, *pg = got[1] + off;
  const float scale = 1.0f / sqrtf((float)dh);
  tt_f32_attend__scalar(ref[0] + off, pr, q + off, k + off, v + off, n, ld, dh, scale);
  tt_f32_attend__wasmsimd(got[0] + off, pg, q + off, k + off, v + off, n, ld, dh, scale);
  compare_vec("attend", ref[0] + off, got[0] + off, len[0], 1e-5, ctx);
  compare_vec("attend", pr, pg, len[1], 1e-5, ctx);
  // backward from the same probabilities, so only the kernel's own differences count
  tt_f32_attend_backward__scalar(ref[2] + off, ref[3] + off, ref[4] + off, ds, dout + off, pr, q + off, k + off,
                                 v + off, n, ld, dh, scale);
  tt_f32_attend_backward__wasmsimd(got[2] + off, got[3] + off, got[4] + off, ds, dout + off, pr, q + off, k + off,
                                   v + off, n, ld, dh, scale);
  compare_vec("attend_backward", ref[2] + off, got[2] + off, len[2], 1e-5, ctx);
  compare_vec("attend_backward", ref[3] + off, got[3] + off, len[3], 1e-5, ctx);
  compare_vec("attend_backward", ref[4] + off, got[4] + off, len[4], 1e-5, ctx);
  for (int i = 0; i < 5; i++) free(ref[i]), free(got[i]);
  free(k), free(v), free(q), free(dout), free(ds);
}

static void test_attention(void) {
  static const int dhs[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 32};
  static const int ns[] = {1, 2, 3, 4, 5, 9, 16, 33};
  for (size_t a = 0; a < sizeof dhs / sizeof dhs[0]; a++)
    for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++)
      for (int off = 0; off < 2; off++) check_attend(ns[b], dhs[a], 3 * dhs[a] + off, off);
  check_attend(64, 16, 192, 0);  // the words model: 4 heads of 16 in a [T, 3 * 64] buffer
}

/* ---- layernorm ---------------------------------------------------------------------------------------------- */

/* Rows of every vector size, unaligned when `off`, rows offset from zero (the sums are in double for that); the row
 * sums run in another order, so the tolerance is 1e-5 (the element-wise steps are the reference's). dgamma and
 * dbeta start random (the kernel adds to them); a second backward call with dx NULL must only add. */
static void test_layernorm(void) {
  static const int rows_list[] = {1, 2, 3, 7};
  for (size_t ri = 0; ri < sizeof rows_list / sizeof rows_list[0]; ri++)
    for (int s = 0; s < NSIZES; s++)
      for (int off = 0; off < 2; off++) {
        const int rows = rows_list[ri], D = (int)vec_sizes[s];
        const size_t n = (size_t)rows * D;
        char ctx[80];
        snprintf(ctx, sizeof ctx, "rows=%d D=%d off=%d", rows, D, off);
        float *x = xmalloc((n + 2) * 4), *dy = xmalloc((n + 2) * 4);
        float *g = xmalloc((D + 2) * 4), *b = xmalloc((D + 2) * 4);
        fill_rand(x + off, n), fill_rand(dy + off, n), fill_rand(g + off, D), fill_rand(b + off, D);
        for (size_t i = 0; i < n; i++) x[off + i] = x[off + i] * 3.0f + (float)(ri * 40);
        float *ref[5], *got[5];  // y, stats, dx, dgamma, dbeta
        const size_t len[5] = {n, 2 * (size_t)rows, n, (size_t)D, (size_t)D};
        for (int i = 0; i < 5; i++) {
          ref[i] = xmalloc((len[i] + 2) * 4), got[i] = xmalloc((len[i] + 2) * 4);
          fill_rand(ref[i] + off, len[i]);
          ref[i][off + len[i]] = SENTINEL;
          memcpy(got[i] + off, ref[i] + off, (len[i] + 1) * 4);
        }
        tt_f32_layernorm__scalar(ref[0] + off, ref[1] + off, x + off, g + off, b + off, rows, D, 1e-5f);
        tt_f32_layernorm__wasmsimd(got[0] + off, got[1] + off, x + off, g + off, b + off, rows, D, 1e-5f);
        compare_vec("layernorm", ref[0] + off, got[0] + off, len[0], 1e-5, ctx);
        compare_vec("layernorm", ref[1] + off, got[1] + off, len[1], 1e-5, ctx);
        // backward from the same stats, then once more without dx (dgamma and dbeta only add)
        for (int pass = 0; pass < 2; pass++) {
          tt_f32_layernorm_backward__scalar(pass ? NULL : ref[2] + off, ref[3] + off, ref[4] + off, dy + off, x + off,
                                            ref[1] + off, g + off, rows, D);
          tt_f32_layernorm_backward__wasmsimd(pass ? NULL : got[2] + off, got[3] + off, got[4] + off, dy + off,
                                              x + off, ref[1] + off, g + off, rows, D);
        }
        compare_vec("layernorm_backward", ref[2] + off, got[2] + off, len[2], 1e-5, ctx);
        compare_vec("layernorm_backward", ref[3] + off, got[3] + off, len[3], 1e-5, ctx);
        compare_vec("layernorm_backward", ref[4] + off, got[4] + off, len[4], 1e-5, ctx);
        for (int i = 0; i < 5; i++) free(ref[i]), free(got[i]);
        free(x), free(dy), free(g), free(b);
      }
}

/* ---- gelu ----------------------------------------------------------------------------------------------------- */

/* The twins bit-identical on every vector size (odd tails included), unaligned and in place, on values from tiny
 * to beyond where Φ saturates; then the scalar twin against the exact GELU and its derivative in double over
 * ±[2^-20, 30]: relative error at most 2e-5 (it grows with x² in the far negative tail, where the float rounding
 * of -x²/2 is what e^a sees; for the derivative away from its zero near -0.75) and absolute at most 1e-6. */
static void test_gelu(void) {
  for (int s = 0; s < NSIZES; s++)
    for (int off = 0; off < 2; off++) {
      const size_t n = vec_sizes[s];
      char ctx[80];
      snprintf(ctx, sizeof ctx, "n=%zu off=%d", n, off);
      float *x = xmalloc((n + 2) * 4), *dy = xmalloc((n + 2) * 4), *r = xmalloc((n + 2) * 4), *g = xmalloc((n + 2) * 4);
      fill_rand(x + off, n), fill_rand(dy + off, n);
      for (size_t i = 0; i < n; i++) x[off + i] *= i % 5 == 0 ? 0.001f : i % 5 == 1 ? 12.0f : i % 5 == 2 ? 1e20f : 4.0f;
      if (n > 3) x[off + 3] = -0.0f;
      r[n] = g[off + n] = SENTINEL;
      tt_f32_gelu__scalar(r, x + off, n);
      tt_f32_gelu__wasmsimd(g + off, x + off, n);
      compare_vec("gelu", r, g + off, n, 0.0, ctx);
      tt_f32_gelu_backward__scalar(r, dy + off, x + off, n);
      tt_f32_gelu_backward__wasmsimd(g + off, dy + off, x + off, n);
      compare_vec("gelu_backward", r, g + off, n, 0.0, ctx);
      memcpy(g + off, x + off, n * 4);  // in place
      tt_f32_gelu__wasmsimd(g + off, g + off, n);
      tt_f32_gelu__scalar(r, x + off, n);
      compare_vec("gelu", r, g + off, n, 0.0, ctx);
      free(x), free(dy), free(r), free(g);
    }
  enum { NS = 100001 };
  float *xs = xmalloc(NS * 4), *ys = xmalloc(NS * 4), *ds = xmalloc(NS * 4), *ones = xmalloc(NS * 4);
  for (int i = 0; i < NS; i++) {
    const float v = (float)(exp2(-20.0 + (20.0 + log2(30.0)) * i / (NS - 1)));
    xs[i] = i % 2 ? -v : v, ones[i] = 1.0f;
  }
  tt_f32_gelu__scalar(ys, xs, NS);
  tt_f32_gelu_backward__scalar(ds, ones, xs, NS);
  double worst_rel = 0, worst_abs = 0;
  int at = 0;
  for (int i = 0; i < NS; i++) {
    const double x = xs[i], cdf = 0.5 * erfc(-x / sqrt(2.0)), pdf = exp(-0.5 * x * x) * 0.3989422804014327;
    const double want[2] = {x * cdf, cdf + x * pdf}, got[2] = {ys[i], ds[i]};
    for (int k = 0; k < 2; k++) {
      const double e = fabs(got[k] - want[k]);
      if (e > worst_abs) worst_abs = e;
      // relative where it means something: the derivative crosses zero near x = -0.75 (cancellation there)
      if (fabs(want[k]) > (k ? 0.05 : 1e-30) && e / fabs(want[k]) > worst_rel) worst_rel = e / fabs(want[k]), at = i;
    }
  }
  char what[160];
  snprintf(what, sizeof what, "gelu sweep: relative %.3g at x = %.9g, absolute %.3g", worst_rel, (double)xs[at],
           worst_abs);
  record(stat_for("gelu_sweep"), worst_rel, worst_rel <= 2e-5 && worst_abs <= 1e-6, what);
  free(xs), free(ys), free(ds), free(ones);
}

#ifdef TT_INT8 /* the int8 kernels exist in the int8 build only (kernels.h); tests/simd/simd.mk defines it */
/* ---- int8 inference ------------------------------------------------------------------------------------------ */

/* quantize_i16: every vector size, unaligned (x and q one element off), values spanning magnitudes with exact
 * halves (ties), zeros and an all-zero vector, for the limits the layers use: q and the returned scale bit for bit,
 * and the int16 after q untouched. */
static void test_quantize_i16(void) {
  static const int limits[] = {32767, 21567, 127, 1};
  for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++)
    for (int s = 0; s < NSIZES; s++)
      for (int off = 0; off < 2; off++)
        for (int zeros = 0; zeros < 2; zeros++) {
          const size_t n = vec_sizes[s];
          const int limit = limits[li];
          float *x = xmalloc((n + 2) * 4);
          int16_t *ref = xmalloc((n + 2) * 2), *got = xmalloc((n + 2) * 2);
          fill_rand(x + off, n);
          for (size_t i = 0; i < n; i++) {
            float *v = x + off + i;
            *v = zeros ? (i % 3 ? 0.0f : -0.0f) : i % 7 == 3 ? 0.0f : *v * (i % 4 == 1 ? 100.0f : 1.0f);
          }
          if (!zeros && n > 2) x[off + 2] = -x[off + 1] * 0.5f;  // with x[1] the max: lands on an exact half
          ref[off + n] = got[off + n] = 0x5a5a;
          const float sr = tt_f32_quantize_i16__scalar(ref + off, x + off, (int)n, limit);
          const float sg = tt_f32_quantize_i16__wasmsimd(got + off, x + off, (int)n, limit);
          size_t bad = n + 1;
          for (size_t i = 0; i <= n && bad > n; i++)
            if (ref[off + i] != got[off + i]) bad = i;
          char what[160];
          snprintf(what, sizeof what, "n=%zu off=%d limit=%d zeros=%d: scale %.9g vs %.9g, first differing q at %zu", n,
                   off, limit, zeros, (double)sr, (double)sg, bad);
          record(stat_for("quantize_i16"), bad <= n, bad > n && got[off + n] == 0x5a5a && same_bits(sr, sg), what);
          free(x), free(ref), free(got);
        }
}

/* gemm_i8: M, N and K over 1..3*8+3 and longer rows (the 784 inputs of a digits MLP), both output layouts (rows of
 * N, and columns: ldm 1, ldn M as the conv layer writes), a rows with runs of zeros (skipped by the SIMD twin) at
 * the limit tt__i8_limit(K) allows and a zero past an odd K, w packed as the kernel reads it (zeros past N and K),
 * unaligned pointers: bit for bit, and nothing written outside y's elements. */
static void check_gemm_i8(int M, int N, int K, int transposed, int off) {
  const int limit = tt__i8_limit(K), ldm = transposed ? 1 : N, ldn = transposed ? M : 1, lda = K + K % 2;
  const size_t ny = (size_t)M * N + off + 1, nw = tt__i8_packed_bytes(N, K);
  int16_t *a = xmalloc(((size_t)M * lda + 1) * 2);
  int8_t *w = xmalloc(nw + 1);
  int *nz = xmalloc(((K + 1) / 2) * sizeof(int));
  float *scale = xmalloc((N + 1) * 4), *ref = xmalloc(ny * 4), *got = xmalloc(ny * 4);
  for (int m = 0; m < M; m++)
    for (int k = 0; k < lda; k++) {
      const size_t i = (size_t)m * K + k;
      a[off + (size_t)m * lda + k] = k >= K || (i / 6) % 3 == 1 ? 0 : i % 5 == 0 ? (i % 2 ? limit : -limit)
                                                                              : (int16_t)(frand() * limit);
    }
  memset(w + off, 0, nw);
  for (int j = 0; j < N; j++)
    for (int k = 0; k < K; k++) {
      const size_t i = (size_t)j * K + k;
      w[off + tt__i8_packed_at(j, k, K)] = i % 11 == 0 ? (i % 2 ? 127 : -128) : (int8_t)(frand() * 127);
    }
  fill_rand(scale + off, N);
  fill(ref, ny, SENTINEL), fill(got, ny, SENTINEL);
  const float s = 0.37f + (float)K / 1000.0f;  // a's scale, as quantize_i16 returns it
  tt_f32_gemm_i8__scalar(ref + off, ldm, ldn, a + off, lda, w + off, scale + off, s, M, N, K, nz);
  tt_f32_gemm_i8__wasmsimd(got + off, ldm, ldn, a + off, lda, w + off, scale + off, s, M, N, K, nz);
  char ctx[100];
  snprintf(ctx, sizeof ctx, "M=%d N=%d K=%d transposed=%d off=%d", M, N, K, transposed, off);
  compare_vec("gemm_i8", ref + off, got + off, (size_t)M * N, 0.0, ctx);
  free(a), free(w), free(nz), free(scale), free(ref), free(got);
}

static void test_gemm_i8(void) {
  static const int Ks[] = {64, 100, 200, 784, 1001};
  for (int M = 1; M <= 3; M++)
    for (int N = 1; N <= 35; N += (N < 9 ? 1 : 4))
      for (int K = 1; K <= 27; K++)
        for (int tr = 0; tr < 2; tr++) check_gemm_i8(M, N, K, tr, (K + N) % 2);
  for (size_t i = 0; i < sizeof Ks / sizeof Ks[0]; i++)
    for (int off = 0; off < 2; off++) check_gemm_i8(2, 13, Ks[i], off, off), check_gemm_i8(1, 128, Ks[i], 0, off);
}
#endif

/* Every TWIN kernel of kernels/kernel_list.h has had cases above, under its own name: a kernel added to the list
 * without a twin test fails here. */
#define TWIN_NAME_TWIN(name) #name,
#define TWIN_NAME_SCALAR(name)
#define TT_KERNEL_DEF(kind, ret, name, params, args) TWIN_NAME_##kind(name)
static const char *const twin_kernels[] = {
#include "kernels/kernel_list.h"
};
#undef TT_KERNEL_DEF

static void test_every_twin_compared(void) {
  for (size_t i = 0; i < sizeof twin_kernels / sizeof twin_kernels[0]; i++) {
    int cases = 0;
    for (int s = 0; s < nstats; s++)
      if (strcmp(stats[s].name, twin_kernels[i]) == 0) cases = stats[s].cases;
    char what[120];
    snprintf(what, sizeof what, "tt_f32_%s: in kernel_list.h but no twin test compared it", twin_kernels[i]);
    record(stat_for("kernel_list"), 0.0, cases > 0, what);
  }
}

int main(void) {
  test_pool();
  test_eltwise();
  test_tanh_sweep();
  test_rows();
  test_adam();
  test_sgd();
  test_conv();
  test_conv_sparse();
  test_conv_sparse_input();
  test_conv_sparse_tiles();
  test_gemm();
  test_attention();
  test_layernorm();
  test_gelu();
#ifdef TT_INT8
  test_quantize_i16();
  test_gemm_i8();
#endif
  test_every_twin_compared();
  for (int i = 0; i < nstats; i++)
    printf("  %-14s %6d cases, max err %.3g%s\n", stats[i].name, stats[i].cases, stats[i].max_err,
           stats[i].fails ? "  <- FAILED" : "");
  printf("simd: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
