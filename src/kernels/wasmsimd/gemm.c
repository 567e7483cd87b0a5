/* WebAssembly SIMD128 GEMM, twin of ../scalar/gemm.c (same contract, see kernels.h):
 * C[M,N] = beta * C + op(A)[M,K] · op(B)[K,N], row-major, any of the four transpose forms.
 *
 * Structure (Goto/BLIS style, written for one ISA and for code size: the module counts in the widget's size budget):
 * - C is cut into blocks of at most MC rows × NC columns and K into slices of at most KC (N and K in parts of
 *   near-equal size).
 * - op(B) is packed into panels of 8 columns (kc rows of 8 contiguous floats) and op(A) into panels of 4 rows
 *   (kc columns of 4 contiguous floats), both zero-padded at the matrix edge. One packing routine serves both
 *   operands and all four transpose forms: it reads a strided 2-D view, copying rows when they are contiguous
 *   and transposing 4×4 blocks with shuffles when columns are. No transposed copy is made by the caller.
 * - One register-blocked micro-kernel computes a 4×8 tile over one K slice: 8 f32x4 accumulators, per k two
 *   loads of B, four load32_splats of A, a mul then an add (baseline SIMD128 has no fused multiply-add).
 *   4x8 is the fastest tile shape bench/kernels/bench_microkernel.c compares (bench/README.md), and 4 rows
 *   divide the row counts the models use (8 and 16 filters, batches of 32 and 64). Edge tiles run the same kernel
 *   on the zero-padded panels into a small temporary tile, of which only the valid part is added to C. The kernel
 *   is not inlined into the driver, where V8 would spill its accumulators.
 * - Sparse operands (MNIST pixels: the dense layer's input in the forward A·Bᵀ and the weight gradient Aᵀ·B):
 *   each packed panel lists its runs of rows that are not all zero, and each tile sums only over the shorter
 *   list of its two panels (a zero row of either panel adds nothing, so the sums are the same). Scanning
 *   an operand's panels stops at the first panel without a zero row, so dense operands cost one scan per block.
 * - Vector-shaped products (M == 1 or N <= 4, both operands contiguous along K: batch-1 inference, the last layer
 *   of a classifier: one GEMV per column) skip packing and
 *   run a GEMV that reads the weights once, skipping the all-zero 4-float chunks of x (sparse inputs: digits).
 *
 * Memory: the packing buffers are fixed static arrays (KC·NC + MC·KC floats; each thread's own in the
 * threaded build, TT_THREAD_LOCAL); nothing is allocated per call, so training steps never grow the wasm memory.
 * Not reentrant (neither is the rest of the core: one model per thread). */
#include "kernels/simd128.h"
#include "kernels/kernels.h"

#define MR 4
#define NR 8
#define KC 256
#define MC 96   /* multiple of MR */
#define NC 128  /* multiple of NR */
#define GV 4    /* dot products per pass of the GEMV (multiple of 4; the pass is bound by L2, not by registers) */
/* Loops are kept as written (-fno-unroll-loops, see kernels.h): unrolled packing and tail loops are more code for
 * no speed; only loops over the accumulators are unrolled (TT_UNROLL_FULL), so they stay in registers. */

static TT_THREAD_LOCAL float gemm_apack[MC * KC] __attribute__((aligned(16)));  // (MC/MR, kc, MR)
static TT_THREAD_LOCAL float gemm_bpack[KC * NC] __attribute__((aligned(16)));  // (NC/NR, kc, NR)
/* per packed panel: its runs of nonzero rows ([start, end) pairs), their number and the kernel's work over them */
static TT_THREAD_LOCAL int gemm_aruns[MC / MR][KC + 3], gemm_acost[MC / MR];  // runs: (count, then [start, end) pairs)
static TT_THREAD_LOCAL int gemm_bruns[NC / NR][KC + 3], gemm_bcost[NC / NR];

/* The 4×8 micro-kernel: C tile (row stride ldc) = or += packed A panel ap (kc, 4) · packed B panel bp (kc, 8),
 * summed over the rows p of the panels in the runs [runs[2r], runs[2r+1]) for r < nruns (p ascending); rows
 * left out are those where one panel is all zero (sparse inputs), so the sums are the same. */
static __attribute__((noinline)) void gemm_4x8(const int *runs, int nruns, const float *ap, const float *bp,
                                                float *C, int ldc, int accumulate) {
  v128_t c0[MR], c1[MR];  // columns 0-3 and 4-7 of each row
  TT_UNROLL_FULL
  for (int r = 0; r < MR; r++) c0[r] = c1[r] = wasm_f32x4_splat(0.0f);
  for (int run = 0; run < nruns; run++) {
    const int p0 = runs[2 * run], n = runs[2 * run + 1] - p0;
    const float *a = ap + p0 * MR, *b = bp + p0 * NR;
    for (int p = 0; p < n; p++, a += MR, b += NR) {
      const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
      TT_UNROLL_FULL
      for (int r = 0; r < MR; r++) {
        const v128_t av = wasm_v128_load32_splat(a + r);
        c0[r] = wasm_f32x4_add(c0[r], wasm_f32x4_mul(av, b0));
        c1[r] = wasm_f32x4_add(c1[r], wasm_f32x4_mul(av, b1));
      }
    }
  }
  TT_UNROLL_FULL
  for (int r = 0; r < MR; r++) {
    float *c = C + (size_t)r * ldc;
    if (accumulate) {
      c0[r] = wasm_f32x4_add(wasm_v128_load(c), c0[r]);
      c1[r] = wasm_f32x4_add(wasm_v128_load(c + 4), c1[r]);
    }
    wasm_v128_store(c, c0[r]);
    wasm_v128_store(c + 4, c1[r]);
  }
}

/* The runs of rows of a packed panel (kc, W), W = 4 or 8, that are not all ±0 (NaN counts as nonzero), into
 * runs as their number and then [start, end) pairs; without scan, one run of all kc rows. Returns the kernel's
 * work over them: rows, plus a few per run for its setup. */
static __attribute__((noinline)) int gemm_runs(int *runs, const float *panel, int kc, int W, int scan) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int n = 0, rows = 0, open = 0;
  for (int p = 0; p < kc; p++, panel += W) {
    // the row's first and last 4 floats (the same ones when W = 4)
    const int nz = !scan || wasm_v128_any_true(wasm_v128_or(wasm_f32x4_ne(wasm_v128_load(panel), zero),
                                                            wasm_f32x4_ne(wasm_v128_load(panel + W - 4), zero)));
    if (nz != open) runs[1 + 2 * n + !nz] = p, n += !nz;  // a run opens at a nonzero row, closes at a zero one
    open = nz;
    rows += nz;
  }
  if (open) runs[2 + 2 * n] = kc, n++;
  runs[0] = n;
  return rows + 3 * n;
}

/* dst (kc, W) = the strided view src[p*sk + q*sq] for p < kc, q < w; columns w..W-1 are zero. */
static void gemm_pack(float *dst, const float *src, size_t sk, size_t sq, int kc, int w, int W) {
  int q0 = 0;
  if (sk == 1 && sq != 1) {
    // the view's columns are contiguous: transpose 4 columns × 4 rows at a time
    for (; q0 + 4 <= w; q0 += 4) {
      const float *s = src + q0 * sq;
      int p = 0;
      for (; p + 4 <= kc; p += 4) {
        const v128_t r0 = wasm_v128_load(s + p), r1 = wasm_v128_load(s + sq + p);
        const v128_t r2 = wasm_v128_load(s + 2 * sq + p), r3 = wasm_v128_load(s + 3 * sq + p);
        const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
        const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        float *d = dst + p * W + q0;
        wasm_v128_store(d, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
        wasm_v128_store(d + W, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
        wasm_v128_store(d + 2 * W, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
        wasm_v128_store(d + 3 * W, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
      }
      for (; p < kc; p++)
        for (int q = 0; q < 4; q++) dst[p * W + q0 + q] = s[q * sq + p];
    }
  }
  if (sq == 1 && w == W) {
    // full panels of contiguous rows (B of A·B, A of A·Bᵀ: most panels): a tight loop of whole-vector copies
    for (int p = 0; p < kc; p++, src += sk, dst += W)
      for (int q = 0; q < W; q += 4) wasm_v128_store(dst + q, wasm_v128_load(src + q));
    return;
  }
  // the remaining columns (all of them unless transposed above), row by row; contiguous rows 4 at a time
  for (int p = 0; p < kc; p++) {
    const float *s = src + p * sk;
    float *d = dst + p * W;
    int q = q0;
    if (sq == 1)
      for (; q + 4 <= w; q += 4) wasm_v128_store(d + q, wasm_v128_load(s + q));
    for (; q < W; q++) d[q] = q < w ? s[q * sq] : 0.0f;
  }
}

/* y[j*incy] = (beta ? y : 0) + Σ_p x[p] · B[j*sj + p] for j < N: a GEMV of contiguous dot products that reads B
 * once, for M == 1 (and N == 1 through Cᵀ = op(B)ᵀ · op(A)ᵀ) when both operands are contiguous along K, as in
 * batch-1 inference (x · Wᵀ). GV dot products at a time share the loads of x. Other vector shapes (batch-1
 * backward) take the packed path. */
static TT_THREAD_LOCAL int gemv_chunks[1024];  // offsets of x's 4-float chunks that are not all zero, for the dot products

/* dot[u] += x[q : q+4] · b[u][q : q+4] for the GV rows (lane-wise partial sums) */
static inline void gemv_dot4(v128_t *dot, const float *x, const float *const *b, int q) {
  const v128_t xv = wasm_v128_load(x + q);
  TT_UNROLL_FULL
  for (int u = 0; u < GV; u++) dot[u] = wasm_f32x4_add(dot[u], wasm_f32x4_mul(xv, wasm_v128_load(b[u] + q)));
}

static void gemm_gemv(int N, int K, const float *x, const float *B, size_t sj, float beta, float *y, size_t incy) {
  // Inputs of batch-1 inference are often sparse (a digit is ~80% zero pixels): the dot products skip the chunks
  // of x that are all ±0, listed once per call, when at most 3/4 of the chunks are left. Skipped terms are ±0
  // added to sums that start at +0, so the results are the same (unless B holds an inf or NaN).
  int nz = -1;  // listed chunks, or -1: all of them, in order
  if (K <= 4 * 1024) {
    nz = 0;
    for (int q = 0; q + 4 <= K; q += 4)
      if (wasm_v128_any_true(wasm_f32x4_ne(wasm_v128_load(x + q), wasm_f32x4_splat(0.0f)))) gemv_chunks[nz++] = q;
    if (4 * nz > 3 * (K / 4)) nz = -1;
  }
  float t[GV] __attribute__((aligned(16)));
  for (int j = 0; j < N;) {
    // past the last output, the last row is recomputed and dropped
    const float *b[GV];
    v128_t dot[GV];
    TT_UNROLL_FULL
    for (int u = 0; u < GV; u++) {
      b[u] = B + (size_t)(j + u < N ? j + u : N - 1) * sj;
      dot[u] = wasm_f32x4_splat(0.0f);
    }
    int p = 0;
    if (nz >= 0) {
      for (int c = 0; c < nz; c++) gemv_dot4(dot, x, b, gemv_chunks[c]);
      p = K & ~3;
    }
    for (; p + 4 <= K; p += 4) gemv_dot4(dot, x, b, p);
    // horizontal sums, 4 at a time: transpose 4 accumulators and add, t[u] = Σ lanes of dot[u]
    TT_UNROLL_FULL
    for (int u = 0; u < GV; u += 4) {
      const v128_t s0 = wasm_f32x4_add(wasm_i32x4_shuffle(dot[u], dot[u + 1], 0, 4, 1, 5),
                                       wasm_i32x4_shuffle(dot[u], dot[u + 1], 2, 6, 3, 7));
      const v128_t s1 = wasm_f32x4_add(wasm_i32x4_shuffle(dot[u + 2], dot[u + 3], 0, 4, 1, 5),
                                       wasm_i32x4_shuffle(dot[u + 2], dot[u + 3], 2, 6, 3, 7));
      wasm_v128_store(t + u, wasm_f32x4_add(wasm_i32x4_shuffle(s0, s1, 0, 1, 4, 5),
                                            wasm_i32x4_shuffle(s0, s1, 2, 3, 6, 7)));
    }
    for (; p < K; p++)
      TT_UNROLL_FULL
      for (int u = 0; u < GV; u++) t[u] += x[p] * b[u][p];
    for (int u = 0; u < GV && j < N; u++, j++) {
      float *yj = y + (size_t)j * incy;
      *yj = beta == 0.0f ? t[u] : beta * *yj + t[u];
    }
  }
}

void tt_f32_gemm__wasmsimd(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                           float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  // strides of op(A) along i and p, of op(B) along p and j
  const size_t sai = ta ? 1 : (size_t)lda, sap = ta ? (size_t)lda : 1;
  const size_t sbp = tb ? 1 : (size_t)ldb, sbj = tb ? (size_t)ldb : 1;
  if (M == 1 && sap == 1 && sbp == 1) {
    gemm_gemv(N, K, A, B, sbj, beta, C, 1);
    return;
  }
  if (N <= 4 && sap == 1 && sbp == 1) {
    // each column of C (M, N) as a row: Cᵀ[j] = op(B)ᵀ[j] (1, K) · op(A)ᵀ (K, M), contiguous dot products. For a
    // classifier's last layer (N = 2-4, as in the heatmap's (10000, 16)·(3, 16)ᵀ) this skips the packing and the
    // 4x8 tiles that would be mostly padding
    for (int j = 0; j < N; j++) gemm_gemv(M, K, B + j * sbj, A, sai, beta, C + j, (size_t)ldc);
    return;
  }
  if (K <= 0 || (beta != 0.0f && beta != 1.0f)) {
    // C = beta * C first (beta 0 must not read C); the product is then added
    for (int i = 0; i < M; i++) {
      float *c = C + (size_t)i * ldc;
      if (beta == 0.0f)
        for (int j = 0; j < N; j++) c[j] = 0.0f;
      else
        tt_f32_scale__wasmsimd(c, beta, (size_t)N);
    }
    beta = 1.0f;
  }
  if (K <= 0) return;
  float tile[MR * NR] __attribute__((aligned(16)));  // edge tiles land here first
  // Blocks of near-equal size (K = 784 as 4 x 196, not 3 x 256 + 16: a thin last slice costs a full pass over C)
  const int kb = (K + (K + KC - 1) / KC - 1) / ((K + KC - 1) / KC);
  const int nb = ((N + (N + NC - 1) / NC - 1) / ((N + NC - 1) / NC) + NR - 1) / NR * NR;
  for (int j0 = 0; j0 < N; j0 += nb) {
    const int nc = N - j0 < nb ? N - j0 : nb;
    for (int p0 = 0; p0 < K; p0 += kb) {
      const int kc = K - p0 < kb ? K - p0 : kb;
      const int accumulate = p0 > 0 || beta != 0.0f;  // later K slices add to the partial sums in C
      int scan = 1;  // panels are scanned for zero rows until one has none: then the operand is taken as dense
      for (int jp = 0; jp < nc; jp += NR) {
        gemm_pack(gemm_bpack + jp * kc, B + p0 * sbp + (j0 + jp) * sbj, sbp, sbj, kc, nc - jp < NR ? nc - jp : NR,
                  NR);
        gemm_bcost[jp / NR] = gemm_runs(gemm_bruns[jp / NR], gemm_bpack + jp * kc, kc, NR, scan);
        scan = gemm_bcost[jp / NR] < kc;
      }
      for (int i0 = 0; i0 < M; i0 += MC) {
        const int mc = M - i0 < MC ? M - i0 : MC;
        scan = 1;
        for (int ip = 0; ip < mc; ip += MR) {
          gemm_pack(gemm_apack + ip * kc, A + (i0 + ip) * sai + p0 * sap, sap, sai, kc,
                    mc - ip < MR ? mc - ip : MR, MR);
          gemm_acost[ip / MR] = gemm_runs(gemm_aruns[ip / MR], gemm_apack + ip * kc, kc, MR, scan);
          scan = gemm_acost[ip / MR] < kc;
        }
        // B panel outer, A panels inner: one B panel (kc × 8, <= 8 KiB) stays in L1 while the A block streams
        for (int jp = 0; jp < nc; jp += NR) {
          const int w = nc - jp < NR ? nc - jp : NR;
          for (int ip = 0; ip < mc; ip += MR) {
            const int h = mc - ip < MR ? mc - ip : MR;
            float *c = C + (size_t)(i0 + ip) * ldc + j0 + jp;
            const int full = h == MR && w == NR;
            // the rows where both panels are nonzero are covered by either panel's runs: take the cheaper
            const int *runs = gemm_bcost[jp / NR] < gemm_acost[ip / MR] ? gemm_bruns[jp / NR] : gemm_aruns[ip / MR];
            gemm_4x8(runs + 1, runs[0], gemm_apack + ip * kc, gemm_bpack + jp * kc, full ? c : tile, full ? ldc : NR,
                     full && accumulate);
            if (full) continue;
            for (int r = 0; r < h; r++, c += ldc)
              for (int q = 0; q < w; q++) c[q] = (accumulate ? c[q] : 0.0f) + tile[r * NR + q];
          }
        }
      }
    }
  }
}
