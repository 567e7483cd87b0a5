/* WebAssembly SIMD128 GEMM, twin of ../scalar/gemm.c (same contract, see kernels.h):
 * C[M,N] = beta * C + op(A)[M,K] · op(B)[K,N], row-major, any of the four transpose forms.
 *
 * Structure (Goto/BLIS style, written for one ISA):
 * - C is cut into blocks of at most MC rows × NC columns and K into slices of at most KC.
 * - For each (column block, K slice) op(B) is packed into panels of NR = 8 columns: kc rows of 8 contiguous
 *   floats, zero-padded on the right edge. For each row block op(A) is packed into panels of MR rows: kc
 *   columns of MR contiguous floats. Packing reads A and B in whichever orientation they are stored, which is
 *   how Aᵀ·B and A·Bᵀ run without a transposed copy in the caller.
 * - A register-blocked micro-kernel computes an MR × 8 tile of C over one K slice: 2·MR f32x4 accumulators
 *   (12 for 6×8, the most V8 keeps in registers without spilling), per k two loads of B, MR splats of A, and
 *   a mul then an add (baseline SIMD128 has no fused multiply-add). A row block is cut into panels of
 *   near-equal height <= MR, each run by the 1..6-row instance of the same kernel, so no work is wasted on
 *   padding rows and short blocks (8 conv filters) do not end in a slow thin tile.
 * - Vector-shaped products (M == 1 or N == 1: batch-1 inference, single-output layers) skip packing and run a
 *   GEMV; very small products call the scalar reference, where packing would cost more than it saves.
 *
 * Memory: the packing buffers are fixed static arrays (KC·NC + MC·KC floats, 224 KiB); nothing is allocated
 * per call, so training steps never grow the wasm memory. Not reentrant (neither is the rest of the core:
 * one model per thread). */
#include <string.h>
#include <wasm_simd128.h>
#include "kernels/kernels.h"

#if !defined(__wasm_simd128__)
#error "wasmsimd kernels need emcc -msimd128"
#endif

#define TT_GEMM_MR 6
#define TT_GEMM_NR 8
#define TT_GEMM_KC 256
#define TT_GEMM_MC 96   /* multiple of MR */
#define TT_GEMM_NC 128  /* multiple of NR; 256 measured no faster */
/* Code size matters (the whole module has a 64 KiB budget): clang's default unrolling and vectorising of the
 * packing, edge and scalar-tail loops tripled this file's code for no measured speed. Loops over the
 * accumulators are unrolled fully (so they stay in registers); every other loop is left as written. */
#define TT_UNROLL_FULL _Pragma("clang loop unroll(full)")
#define TT_NO_UNROLL _Pragma("clang loop unroll(disable) vectorize(disable)")

/* At or below this many multiply-adds the scalar reference is faster than packing (measured: 5x5x5 ties). */
#define TT_GEMM_SMALL 128

static float gemm_apack[TT_GEMM_MC * TT_GEMM_KC] __attribute__((aligned(16)));  // (MC/MR, kc, MR)
static float gemm_bpack[TT_GEMM_KC * TT_GEMM_NC] __attribute__((aligned(16)));  // (NC/NR, kc, NR)

/* ---- micro-kernel ---------------------------------------------------------------------------------------- */

/* One MR × 8 tile of C (row stride ldc) from a packed A panel ap (kc, MR) and a packed B panel bp (kc, 8).
 * accumulate: add to C (otherwise C is overwritten and not read); nr < 8 stores only the first nr columns.
 * MR is a compile-time constant in every instance below, so the accumulator arrays live in registers. */
static inline __attribute__((always_inline)) void gemm_tile(const int MR, int kc, const float *ap, const float *bp,
                                                             float *C, int ldc, int accumulate, int nr) {
  v128_t c0[TT_GEMM_MR], c1[TT_GEMM_MR];  // columns 0-3 and 4-7 of each row
  TT_UNROLL_FULL
  for (int r = 0; r < MR; r++) c0[r] = c1[r] = wasm_f32x4_splat(0.0f);
  TT_NO_UNROLL
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    TT_UNROLL_FULL
    for (int r = 0; r < MR; r++) {
      const v128_t a = wasm_v128_load32_splat(ap + r);
      c0[r] = wasm_f32x4_add(c0[r], wasm_f32x4_mul(a, b0));
      c1[r] = wasm_f32x4_add(c1[r], wasm_f32x4_mul(a, b1));
    }
    ap += MR;
    bp += TT_GEMM_NR;
  }
  if (nr == TT_GEMM_NR) {
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
  } else {
    // right edge: spill the tile row and copy the valid columns
    float t[TT_GEMM_NR] __attribute__((aligned(16)));
    TT_UNROLL_FULL
    for (int r = 0; r < MR; r++) {
      float *c = C + (size_t)r * ldc;
      wasm_v128_store(t, c0[r]);
      wasm_v128_store(t + 4, c1[r]);
      TT_NO_UNROLL
      for (int j = 0; j < nr; j++) c[j] = accumulate ? c[j] + t[j] : t[j];
    }
  }
}

typedef void (*gemm_tile_fn)(int kc, const float *ap, const float *bp, float *C, int ldc, int accumulate, int nr);
#define TT_GEMM_TILE(mr)                                                                                     \
  static void tt__f32_gemm_##mr##x8__wasmsimd(int kc, const float *ap, const float *bp, float *C, int ldc, \
                                               int accumulate, int nr) {                                   \
    gemm_tile(mr, kc, ap, bp, C, ldc, accumulate, nr);                                                       \
  }
TT_GEMM_TILE(1)
TT_GEMM_TILE(2)
TT_GEMM_TILE(3)
TT_GEMM_TILE(4)
TT_GEMM_TILE(5)
TT_GEMM_TILE(6)
// indexed by the panel height
static const gemm_tile_fn gemm_tiles[TT_GEMM_MR + 1] = {
    0, tt__f32_gemm_1x8__wasmsimd, tt__f32_gemm_2x8__wasmsimd, tt__f32_gemm_3x8__wasmsimd,
    tt__f32_gemm_4x8__wasmsimd, tt__f32_gemm_5x8__wasmsimd, tt__f32_gemm_6x8__wasmsimd};

/* ---- packing --------------------------------------------------------------------------------------------- */

/* op(B)[p0 : p0+kc, j0 : j0+nc] -> panels of 8 columns (ceil(nc/8), kc, 8), zero-padded past nc. */
static void gemm_pack_b(float *dst, int tb, const float *B, int ldb, int p0, int kc, int j0, int nc) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int jp = 0; jp < nc; jp += TT_GEMM_NR) {
    const int w = nc - jp < TT_GEMM_NR ? nc - jp : TT_GEMM_NR;  // valid columns in this panel
    const int j = j0 + jp;
    if (!tb) {
      // B (K, N): each panel row is a contiguous piece of a B row
      const float *src = B + (size_t)p0 * ldb + j;
      TT_NO_UNROLL
      for (int p = 0; p < kc; p++, src += ldb, dst += TT_GEMM_NR) {
        if (w == TT_GEMM_NR) {
          wasm_v128_store(dst, wasm_v128_load(src));
          wasm_v128_store(dst + 4, wasm_v128_load(src + 4));
        } else {
          wasm_v128_store(dst, zero);
          wasm_v128_store(dst + 4, zero);
          TT_NO_UNROLL
          for (int q = 0; q < w; q++) dst[q] = src[q];
        }
      }
    } else {
      // B (N, K): panel column q is a contiguous piece of B row j+q; transpose 4×4 blocks with shuffles
      const float *src = B + (size_t)j * ldb + p0;
      int p = 0;
      if (w == TT_GEMM_NR) {
        TT_NO_UNROLL
        for (; p + 4 <= kc; p += 4) {
          for (int h = 0; h < 2; h++) {  // columns 4h .. 4h+3
            const float *s = src + (size_t)(4 * h) * ldb + p;
            const v128_t r0 = wasm_v128_load(s), r1 = wasm_v128_load(s + ldb);
            const v128_t r2 = wasm_v128_load(s + 2 * (size_t)ldb), r3 = wasm_v128_load(s + 3 * (size_t)ldb);
            const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
            const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
            float *d = dst + (size_t)p * TT_GEMM_NR + 4 * h;
            wasm_v128_store(d, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
            wasm_v128_store(d + TT_GEMM_NR, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
            wasm_v128_store(d + 2 * TT_GEMM_NR, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
            wasm_v128_store(d + 3 * TT_GEMM_NR, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
          }
        }
      }
      TT_NO_UNROLL
      for (; p < kc; p++) {
        float *d = dst + (size_t)p * TT_GEMM_NR;
        for (int q = 0; q < TT_GEMM_NR; q++) d[q] = q < w ? src[(size_t)q * ldb + p] : 0.0f;
      }
      dst += (size_t)kc * TT_GEMM_NR;
    }
  }
}

/* Height of row panel `index` when mc rows are cut into ceil(mc/MR) panels of near-equal height (8 rows give
 * 4+4 rather than 6+2: a 2-row tile runs at half the speed of a 4-row one). */
static inline int gemm_panel_rows(int mc, int index) {
  const int np = (mc + TT_GEMM_MR - 1) / TT_GEMM_MR;
  return mc / np + (index < mc % np);
}

/* op(A)[i0 : i0+mc, p0 : p0+kc] -> row panels of h <= MR rows each (kc, h), heights from gemm_panel_rows. */
static void gemm_pack_a(float *dst, int ta, const float *A, int lda, int i0, int mc, int p0, int kc) {
  for (int ip = 0, index = 0; ip < mc; ip += gemm_panel_rows(mc, index++)) {
    const int h = gemm_panel_rows(mc, index);
    const int i = i0 + ip;
    if (ta) {
      // A (K, M): the h values for one k are contiguous
      const float *src = A + (size_t)p0 * lda + i;
      TT_NO_UNROLL
      for (int p = 0; p < kc; p++, src += lda, dst += h) memcpy(dst, src, (size_t)h * sizeof(float));
    } else {
      // A (M, K): h rows, each contiguous in k; interleave them
      TT_NO_UNROLL
      for (int r = 0; r < h; r++) {
        const float *src = A + (size_t)(i + r) * lda + p0;
        TT_NO_UNROLL
        for (int p = 0; p < kc; p++) dst[(size_t)p * h + r] = src[p];
      }
      dst += (size_t)kc * h;
    }
  }
}

/* ---- vector products ------------------------------------------------------------------------------------- */

/* y[j*incy] = beta*y + Σ_p x[p*incx] · op(B)[p][j] for j < N, where op(B)[p][j] = tb ? B[j*ldb + p] :
 * B[p*ldb + j]. Serves M == 1 directly and N == 1 through Cᵀ = op(B)ᵀ · op(A)ᵀ. */
static void gemm_gemv(int N, int K, const float *x, size_t incx, const float *B, size_t ldb, int tb, float beta,
                      float *y, size_t incy) {
  if (!tb) {
    // rows of B are contiguous in j: accumulate 16 outputs at a time over p (4 accumulators)
    int j = 0;
    for (; j + 16 <= N; j += 16) {
      v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
      const float *b = B + j;
      TT_NO_UNROLL
      for (int p = 0; p < K; p++, b += ldb) {
        const v128_t xv = wasm_f32x4_splat(x[(size_t)p * incx]);
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(xv, wasm_v128_load(b)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(xv, wasm_v128_load(b + 4)));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(xv, wasm_v128_load(b + 8)));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(xv, wasm_v128_load(b + 12)));
      }
      float t[16] __attribute__((aligned(16)));
      wasm_v128_store(t, a0), wasm_v128_store(t + 4, a1), wasm_v128_store(t + 8, a2), wasm_v128_store(t + 12, a3);
      for (int q = 0; q < 16; q++) {
        float *yq = y + (size_t)(j + q) * incy;
        *yq = beta == 0.0f ? t[q] : beta * *yq + t[q];
      }
    }
    for (; j + 4 <= N; j += 4) {
      v128_t a0 = wasm_f32x4_splat(0.0f);
      const float *b = B + j;
      TT_NO_UNROLL
      for (int p = 0; p < K; p++, b += ldb)
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_f32x4_splat(x[(size_t)p * incx]), wasm_v128_load(b)));
      float t[4] __attribute__((aligned(16)));
      wasm_v128_store(t, a0);
      for (int q = 0; q < 4; q++) {
        float *yq = y + (size_t)(j + q) * incy;
        *yq = beta == 0.0f ? t[q] : beta * *yq + t[q];
      }
    }
    TT_NO_UNROLL
    for (; j < N; j++) {
      float acc = 0.0f;
      TT_NO_UNROLL
      for (int p = 0; p < K; p++) acc += x[(size_t)p * incx] * B[(size_t)p * ldb + j];
      float *yj = y + (size_t)j * incy;
      *yj = beta == 0.0f ? acc : beta * *yj + acc;
    }
    return;
  }
  // rows of B are contiguous in p: dot products. A strided x is copied in chunks to a stack buffer.
  enum { CHUNK = 512 };
  float xbuf[CHUNK] __attribute__((aligned(16)));
  for (int p0 = 0; p0 < K; p0 += CHUNK) {  // K > 0 here
    const int kc = K - p0 < CHUNK ? K - p0 : CHUNK;
    const float *xs = x + (size_t)p0 * incx;
    if (incx != 1) {
      TT_NO_UNROLL
      for (int p = 0; p < kc; p++) xbuf[p] = xs[(size_t)p * incx];
      xs = xbuf;
    }
    const int first = p0 == 0;  // the first chunk applies beta, later chunks add
    TT_NO_UNROLL
    for (int j = 0; j < N; j++) {
      const float *b = B + (size_t)j * ldb + p0;
      v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
      int p = 0;
      TT_NO_UNROLL
      for (; p + 8 <= kc; p += 8) {
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xs + p), wasm_v128_load(b + p)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xs + p + 4), wasm_v128_load(b + p + 4)));
      }
      a0 = wasm_f32x4_add(a0, a1);
      float acc = (wasm_f32x4_extract_lane(a0, 0) + wasm_f32x4_extract_lane(a0, 1)) +
                  (wasm_f32x4_extract_lane(a0, 2) + wasm_f32x4_extract_lane(a0, 3));
      TT_NO_UNROLL
      for (; p < kc; p++) acc += xs[p] * b[p];
      float *yj = y + (size_t)j * incy;
      *yj = first ? (beta == 0.0f ? acc : beta * *yj + acc) : *yj + acc;
    }
  }
}

/* ---- dispatch entry ---------------------------------------------------------------------------------------- */

void tt_f32_gemm__wasmsimd(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                           float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if ((size_t)M * N * K <= TT_GEMM_SMALL || K == 0) {
    tt_f32_gemm__scalar(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  if (M == 1) {
    gemm_gemv(N, K, A, ta ? (size_t)lda : 1, B, (size_t)ldb, tb, beta, C, 1);
    return;
  }
  if (N == 1) {
    // C (M, 1) viewed as a row: Cᵀ = op(B)ᵀ · op(A)ᵀ, where op(A)ᵀ is "B" transposed iff A is not
    gemm_gemv(M, K, B, tb ? 1 : (size_t)ldb, A, (size_t)lda, !ta, beta, C, (size_t)ldc);
    return;
  }
  if (beta != 0.0f && beta != 1.0f) {
    // the contract allows only 0 and 1; any other beta is honoured by scaling C first
    for (int i = 0; i < M; i++) tt_f32_scale__wasmsimd(C + (size_t)i * ldc, beta, (size_t)N);
    beta = 1.0f;
  }
  // Equal-sized blocks (rounded up to the tile) rather than full blocks plus a thin remainder.
  const int nkb = (K + TT_GEMM_KC - 1) / TT_GEMM_KC, kb = (K + nkb - 1) / nkb;
  const int nnb = (N + TT_GEMM_NC - 1) / TT_GEMM_NC;
  const int nb = ((N + nnb - 1) / nnb + TT_GEMM_NR - 1) / TT_GEMM_NR * TT_GEMM_NR;
  const int nmb = (M + TT_GEMM_MC - 1) / TT_GEMM_MC;
  const int mb = ((M + nmb - 1) / nmb + TT_GEMM_MR - 1) / TT_GEMM_MR * TT_GEMM_MR;
  for (int j0 = 0; j0 < N; j0 += nb) {
    const int nc = N - j0 < nb ? N - j0 : nb;
    for (int p0 = 0; p0 < K; p0 += kb) {
      const int kc = K - p0 < kb ? K - p0 : kb;
      const int accumulate = p0 > 0 || beta != 0.0f;  // later K slices add to the partial sums in C
      gemm_pack_b(gemm_bpack, tb, B, ldb, p0, kc, j0, nc);
      for (int i0 = 0; i0 < M; i0 += mb) {
        const int mc = M - i0 < mb ? M - i0 : mb;
        gemm_pack_a(gemm_apack, ta, A, lda, i0, mc, p0, kc);
        // B panel outer, A panels inner: one 8-column B panel (kc × 8, <= 8 KiB) stays in L1 while the
        // A block (mc × kc) streams from L2.
        for (int jp = 0; jp < nc; jp += TT_GEMM_NR) {
          const int nr = nc - jp < TT_GEMM_NR ? nc - jp : TT_GEMM_NR;
          const float *bp = gemm_bpack + (size_t)jp * kc;
          const float *ap = gemm_apack;
          for (int ip = 0, index = 0; ip < mc; ip += gemm_panel_rows(mc, index++)) {
            const int h = gemm_panel_rows(mc, index);
            gemm_tiles[h](kc, ap, bp, C + (size_t)(i0 + ip) * ldc + j0 + jp, ldc, accumulate, nr);
            ap += (size_t)h * kc;
          }
        }
      }
    }
  }
}
