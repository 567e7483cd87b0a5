/* WebAssembly SIMD128 twins of ../scalar/conv.c: stride-1 convolution of a batch as an implicit GEMM.
 * Output channels × output positions = weights (F, C·k·k) · taps (C·k·k, OH·OW), as after im2col, but no column
 * buffer is built: each sample is copied once into a zero-padded (C, Hp, Wp) plane, where tap q = (c, ki, kj) of
 * the output at (oh, ow) is xp[off[q] + oh·Wp + ow] with off[q] = (c·Hp + ki)·Wp + kj. Four outputs of one row
 * are then one (unaligned) vector load per tap, straight from the image. Same results as the scalar twins bit for
 * bit on finite inputs: every output (or weight gradient) is one sum over the same terms in the same order. */
#include "kernels/simd128.h"
#include "kernels/kernels.h"

/* Drivers run once per call or per sample and are compiled for size; the micro-kernels are where the time goes. */
#define TT_COLD __attribute__((minsize))
/* A step of a driver that the threaded build also calls on its own: inlined where only the driver calls it, so that
 * driver compiles as one function */
#ifdef TT_THREADS
#define TT_STEP static __attribute__((noinline, minsize))
#else
#define TT_STEP static inline __attribute__((always_inline, minsize))
#endif

/* off[q] for the C·k·k taps in (c, ki, kj) order */
TT_COLD static void conv_offsets(int *off, int C, int k, int Hp, int Wp) {
  for (int c = 0, q = 0; c < C; c++)
    for (int ki = 0; ki < k; ki++)
      for (int kj = 0; kj < k; kj++) off[q++] = (c * Hp + ki) * Wp + kj;
}

/* xp (C, Hp, Wp) = x (C, H, W) moved by pad_lo rows and columns (a negative pad crops x); the border stays as
 * zeroed once per call. */
TT_COLD static void conv_pad(float *xp, const float *x, int C, int H, int W, int Hp, int Wp, int pad_lo) {
  const int i0 = pad_lo < 0 ? -pad_lo : 0, h1 = H < Hp - pad_lo ? H : Hp - pad_lo, w1 = W < Wp - pad_lo ? W : Wp - pad_lo;
  for (int c = 0; c < C; c++)
    for (int ih = i0; ih < h1; ih++) {
      float *d = xp + ((size_t)c * Hp + ih + pad_lo) * Wp + i0 + pad_lo;
      const float *s = x + ((size_t)c * H + ih) * W + i0;
      int i = 0;
      for (; i + 4 <= w1 - i0; i += 4) wasm_v128_store(d + i, wasm_v128_load(s + i));
      for (; i < w1 - i0; i++) d[i] = s[i];
    }
}

/* tile (4, 8) = 4 output channels, packed ap (ckk, 4), · the taps of two groups of 4 outputs starting at x0 and
 * x1 in the padded image: 8 accumulators, per tap two vector loads and four splats (the GEMM's 4×8 shape). */
static __attribute__((noinline)) void conv_4x8(int ckk, const float *ap, const int *off, const float *x0,
                                               const float *x1, float *tile) {
  v128_t c0[4], c1[4];
  TT_UNROLL_FULL
  for (int r = 0; r < 4; r++) c0[r] = c1[r] = wasm_f32x4_splat(0.0f);
  for (int q = 0; q < ckk; q++, ap += 4) {
    const v128_t b0 = wasm_v128_load(x0 + off[q]), b1 = wasm_v128_load(x1 + off[q]);
    TT_UNROLL_FULL
    for (int r = 0; r < 4; r++) {
      const v128_t a = wasm_v128_load32_splat(ap + r);
      c0[r] = wasm_f32x4_add(c0[r], wasm_f32x4_mul(a, b0));
      c1[r] = wasm_f32x4_add(c1[r], wasm_f32x4_mul(a, b1));
    }
  }
  TT_UNROLL_FULL
  for (int r = 0; r < 4; r++) {
    wasm_v128_store(tile + 8 * r, c0[r]);
    wasm_v128_store(tile + 8 * r + 4, c1[r]);
  }
}

/* conv_forward on s->B samples in the padded image xp (zeroed here), with the tap offsets and the packed weights in
 * `packed` (laid out as the call's ws), which pack = 1 first makes from w. The kernel is one call of it; the
 * threaded build's split by samples makes them once and runs each chunk's samples in a padded image of its thread. */
TT_STEP void conv_forward_run(float *y, const float *x, const float *w, const float *bias, const tt__conv_shape *s,
                              float *xp, float *packed, int pack) {
  const int B = s->B, C = s->C, H = s->H, W = s->W, F = s->F, k = s->k, pad_lo = s->pad_lo, pad_hi = s->pad_hi;
  const int adjoint = s->adjoint;
  const int Hp = H + pad_lo + pad_hi, Wp = W + pad_lo + pad_hi, OH = Hp - k + 1, OW = Wp - k + 1;
  const int kk = k * k, ckk = C * kk, P = OH * OW;
  const int gw = (OW + 3) / 4, groups = OH * gw;  // groups of 4 outputs per row; a row's last one may overlap
  // xp: (C, Hp, Wp) + 4 floats read past the end when OW < 4
  int *off = (int *)(packed + (size_t)C * Hp * Wp + 4);  // (ckk)
  float *ap = (float *)(off + ckk);                      // (F4 / 4, ckk, 4): weights, 4 output channels a panel
  tt_f32_fill__wasmsimd(xp, 0.0f, (size_t)C * Hp * Wp + 4);
  if (pack) conv_offsets(off, C, k, Hp, Wp);
  for (int f = 0; f < (F + 3) / 4 * 4 && pack; f++)
    for (int q = 0; q < ckk; q++) {
      // tap q = (c, t) with t = ki·k + kj; the adjoint reads w (C, F, k, k) at the 180°-rotated tap kk-1-t
      const int c = q / kk, t = q % kk;
      ap[(size_t)(f / 4) * ckk * 4 + q * 4 + f % 4] =
          f >= F ? 0.0f : adjoint ? w[((size_t)c * F + f) * kk + kk - 1 - t] : w[((size_t)f * C + c) * kk + t];
    }
  float tile[32] __attribute__((aligned(16)));
  for (int b = 0; b < B; b++) {
    conv_pad(xp, x + (size_t)b * C * H * W, C, H, W, Hp, Wp, pad_lo);
    float *yb = y + (size_t)b * F * P;  // (F, P)
    for (int g = 0; g < groups; g += 2) {
      int pos[2];
      const float *src[2];
      TT_UNROLL_FULL
      for (int u = 0; u < 2; u++) {
        const int gg = g + u < groups ? g + u : g;  // an odd last group is computed twice
        const int oh = gg / gw;
        int ow = gg % gw * 4;
        if (ow > OW - 4) ow = OW < 4 ? 0 : OW - 4;  // the row's last group ends at the row's end
        pos[u] = oh * OW + ow;
        src[u] = xp + (size_t)oh * Wp + ow;
      }
      for (int f0 = 0; f0 < F; f0 += 4) {
        conv_4x8(ckk, ap + (size_t)f0 * ckk, off, src[0], src[1], tile);
        for (int r = 0; r < 4 && f0 + r < F; r++)
          for (int u = 0; u < 2; u++) {
            float *d = yb + (size_t)(f0 + r) * P + pos[u];
            const v128_t v = wasm_f32x4_add(wasm_v128_load(tile + 8 * r + 4 * u),
                                            wasm_f32x4_splat(bias ? bias[f0 + r] : 0.0f));
            if (OW >= 4) {
              wasm_v128_store(d, v);
            } else {
              wasm_v128_store(tile + 8 * r + 4 * u, v);
              for (int i = 0; i < OW; i++) d[i] = tile[8 * r + 4 * u + i];
            }
          }
      }
    }
  }
}

TT_COLD void tt_f32_conv_forward__wasmsimd(float *y, const float *x, const float *w, const float *bias,
                                           const tt__conv_shape *s, float *ws) {
  conv_forward_run(y, x, w, bias, s, ws, ws, 1);
}

/* dst (P, ld) = src (F, P) transposed, src's rows lds apart: 4×4 blocks with shuffles, the edges one by one. */
TT_COLD static void conv_transpose(float *dst, const float *src, int F, int P, int lds, int ld) {
  const int F4 = F & ~3, P4 = P & ~3;
  for (int f = 0; f < F4; f += 4)
    for (int p = 0; p < P4; p += 4) {
      const float *s = src + (size_t)f * lds + p;
      const v128_t r0 = wasm_v128_load(s), r1 = wasm_v128_load(s + lds);
      const v128_t r2 = wasm_v128_load(s + 2 * lds), r3 = wasm_v128_load(s + 3 * lds);
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
      const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      float *d = dst + (size_t)p * ld + f;
      wasm_v128_store(d, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
      wasm_v128_store(d + ld, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
      wasm_v128_store(d + 2 * ld, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
      wasm_v128_store(d + 3 * ld, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
    }
  for (int f = 0; f < F; f++)
    for (int p = f < F4 ? P4 : 0; p < P; p++) dst[(size_t)p * ld + f] = src[(size_t)f * lds + p];
}

/* acc (4 taps, 8 filters) += Σ over the OH×OW outputs of x at the 4 taps (xq[r]: the padded image at tap r's
 * offset) · dyt (P, F8) at columns 0..7: the weight gradient's 4×8 tile, positions as the reduction. */
static __attribute__((noinline)) void conv_dw_4x8(int OH, int OW, int Wp, const float *const *xq, const float *dyt,
                                                  int F8, float *acc) {
  v128_t c0[4], c1[4];
  TT_UNROLL_FULL
  for (int r = 0; r < 4; r++) c0[r] = wasm_v128_load(acc + 8 * r), c1[r] = wasm_v128_load(acc + 8 * r + 4);
  for (int oh = 0; oh < OH; oh++) {
    const float *x0 = xq[0] + (size_t)oh * Wp, *x1 = xq[1] + (size_t)oh * Wp;
    const float *x2 = xq[2] + (size_t)oh * Wp, *x3 = xq[3] + (size_t)oh * Wp;
    for (int ow = 0; ow < OW; ow++, dyt += F8) {
      const v128_t b0 = wasm_v128_load(dyt), b1 = wasm_v128_load(dyt + 4);
      const v128_t a[4] = {wasm_v128_load32_splat(x0 + ow), wasm_v128_load32_splat(x1 + ow),
                           wasm_v128_load32_splat(x2 + ow), wasm_v128_load32_splat(x3 + ow)};
      TT_UNROLL_FULL
      for (int r = 0; r < 4; r++) {
        c0[r] = wasm_f32x4_add(c0[r], wasm_f32x4_mul(a[r], b0));
        c1[r] = wasm_f32x4_add(c1[r], wasm_f32x4_mul(a[r], b1));
      }
    }
  }
  TT_UNROLL_FULL
  for (int r = 0; r < 4; r++) wasm_v128_store(acc + 8 * r, c0[r]), wasm_v128_store(acc + 8 * r + 4, c1[r]);
}

TT_COLD void tt_f32_conv_backward_w__wasmsimd(float *dw, const float *dy, const float *x, const tt__conv_shape *s,
                                              float *ws) {
  const int B = s->B, C = s->C, H = s->H, W = s->W, F = s->F, k = s->k, pad_lo = s->pad_lo, pad_hi = s->pad_hi;
  const int Hp = H + pad_lo + pad_hi, Wp = W + pad_lo + pad_hi, OH = Hp - k + 1, OW = Wp - k + 1;
  const int ckk = C * k * k, P = OH * OW, F8 = (F + 7) / 8 * 8, T8 = F8 / 8;
  float *xp = ws;                                    // (C, Hp, Wp) + 4
  int *off = (int *)(xp + (size_t)C * Hp * Wp + 4);  // (ckk)
  float *dyt = (float *)(off + ckk);                 // (P, F8): one sample's dy transposed, zero past F
  float *acc = dyt + (size_t)P * F8;                 // (ckk4 / 4, F8 / 8, 4, 8): dwᵀ in 4×8 tiles
  tt_f32_fill__wasmsimd(xp, 0.0f, (size_t)C * Hp * Wp + 4);
  tt_f32_fill__wasmsimd(dyt, 0.0f, ((size_t)P + (ckk + 3) / 4 * 4) * F8);
  conv_offsets(off, C, k, Hp, Wp);
  for (int b = 0; b < B; b++) {
    conv_pad(xp, x + (size_t)b * C * H * W, C, H, W, Hp, Wp, pad_lo);
    const float *d = dy + (size_t)b * F * P;  // (F, P)
    conv_transpose(dyt, d, F, P, P, F8);
    for (int q0 = 0; q0 < ckk; q0 += 4) {
      const float *xq[4];
      TT_UNROLL_FULL
      for (int r = 0; r < 4; r++) xq[r] = xp + off[q0 + r < ckk ? q0 + r : q0];  // taps past the end: discarded
      for (int t = 0; t < T8; t++) conv_dw_4x8(OH, OW, Wp, xq, dyt + 8 * t, F8, acc + ((size_t)q0 / 4 * T8 + t) * 32);
    }
  }
  for (int f = 0; f < F; f++)
    for (int q = 0; q < ckk; q++) dw[(size_t)f * ckk + q] += acc[((size_t)q / 4 * T8 + f / 8) * 32 + q % 4 * 8 + f % 8];
}

/* ---- the sparse pass: backward on a sparse dy, or forward and weight gradient on a sparse input (kernels.h) ---- */

/* x (C, H, W) -> xp (H, W, C) with rows RS floats apart (back = 0), or xp -> x (back = 1): each row a transpose.
 * Images go to (and come from) the interior of a padded xp (Hp, Wp, C). */
TT_COLD static void conv_nhwc(float *xp, float *x, int C, int H, int W, int RS, int back) {
  for (int ih = 0; ih < H; ih++)
    if (back) conv_transpose(x + (size_t)ih * W, xp + (size_t)ih * RS, W, C, C, H * W);
    else conv_transpose(xp + (size_t)ih * RS, x + (size_t)ih * W, C, W, H * W, C);
}

/* wᵀ (F, k, L) = w (add 0), or dw += wᵀ (add 1): kernel row ki of filter f is L floats, lanes (kj, c); w and dw
 * (F, C, k, k), or with adjoint (C, F, k, k) rotated by 180°. */
TT_COLD static void conv_wt(float *wt, float *w, int F, int C, int k, int L, int adjoint, int add) {
  const int kk = k * k;
  for (int i = 0; i < F * C * kk; i++) {  // i = (f·C + c)·kk + t
    const int t = i % kk, c = i / kk % C, f = i / kk / C;
    float *p = wt + (size_t)(f * k + t / k) * L + t % k * C + c;
    float *q = w + (adjoint ? ((size_t)c * F + f + 1) * kk - 1 - t : (size_t)i);
    if (add) *q += *p;
    else *p = *q;
  }
}

/* 4 vectors of dwᵀ[f] (at g) += Σ_m v[m] · xp[o[m] + 0..15], kept in registers over the n nonzeros of one filter
 * (xp + o[m]: 16 floats of a kernel row of the window at the m-th nonzero). With dx set instead: dxp (at xp)
 * [o[m] + 0..15] += v[m] · 4 vectors of wᵀ[f] (at g) kept in registers, m ascending. */
static __attribute__((noinline)) void conv_sparse_4(float *g, float *xp, const int *o, const float *v, int n,
                                                    int dx) {
  v128_t a[4];
  TT_UNROLL_FULL
  for (int r = 0; r < 4; r++) a[r] = wasm_v128_load(g + 4 * r);
  for (int m = 0; m < n; m++) {
    float *p = xp + o[m];
    const v128_t s = wasm_v128_load32_splat(v + m);
    TT_UNROLL_FULL
    for (int r = 0; r < 4; r++)
      if (dx) wasm_v128_store(p + 4 * r, wasm_f32x4_add(wasm_v128_load(p + 4 * r), wasm_f32x4_mul(s, a[r])));
      else a[r] = wasm_f32x4_add(a[r], wasm_f32x4_mul(s, wasm_v128_load(p + 4 * r)));
  }
  TT_UNROLL_FULL
  for (int r = 0; r < 4 && !dx; r++) wasm_v128_store(g + 4 * r, a[r]);
}

/* The nonzeros of x (n), 4 lanes at a time: each lane of acc counts -1 per nonzero. */
static int conv_nonzeros(const float *x, int n) {
  v128_t acc = wasm_i32x4_splat(0);
  int i = 0, c[4];
  for (; i + 4 <= n; i += 4) acc = wasm_i32x4_add(acc, wasm_f32x4_ne(wasm_v128_load(x + i), wasm_f32x4_splat(0.0f)));
  wasm_v128_store(c, acc);
  int nnz = -c[0] - c[1] - c[2] - c[3];
  for (; i < n; i++) nnz += x[i] != 0.0f;
  return nnz;
}

TT_COLD int tt_f32_conv_sparse__wasmsimd(float *dw, float *dx, const float *dy, const float *x,
                                         const float *w, const float *bias, const tt__conv_shape *s, int limit,
                                         float *ws) {
  const int B = s->B, C = s->C, H = s->H, W = s->W, F = s->F, k = s->k, pad_lo = s->pad_lo, pad_hi = s->pad_hi;
  const int adjoint = s->adjoint;
  const int Hp = H + pad_lo + pad_hi, Wp = W + pad_lo + pad_hi, OH = Hp - k + 1, OW = Wp - k + 1, S = Wp * C;
  if (limit <= 0 || conv_nonzeros(dy, B * F * OH * OW) >= limit) return 0;  // limit <= 0: no count
  const int L = (k * C + 15) / 16 * 16, FS = k * L;  // a kernel row's floats in wᵀ and dwᵀ (4-vector tiles)
  const size_t np = (size_t)Hp * S + 16, chw = (size_t)C * H * W, at = (size_t)pad_lo * (S + C);
  float *xp = ws, *dxp = xp + np, *wt = dxp + np, *dwt = wt + (size_t)F * FS;  // see tt__conv_sparse_ws_floats
  int *o = (int *)(dwt + (size_t)F * FS);                                       // (P)
  float *v = (float *)(o + OH * OW);                                             // (P)
  tt_f32_fill__wasmsimd(ws, 0.0f, 2 * (np + (size_t)F * FS));
  conv_wt(wt, (float *)w, F, C, k, L, adjoint, 0);
  for (int b = 0; b < B; b++) {
    if (dw) conv_nhwc(xp + at, (float *)x + b * chw, C, H, W, S, 0);
    if (dx) tt_f32_fill__wasmsimd(dxp, 0.0f, np);
    for (int f = 0; f < F; f++) {
      int n = 0;  // the nonzeros of dy[b][f] in order of position, listed without a branch
      for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++, dy++) o[n] = (oy * Wp + ox) * C, v[n] = *dy, n += *dy != 0.0f;
      // tile t: 16 floats of row t / (L / 16) of the windows; for dx the last tiles first, so each element of dxp
      // still gets its terms in order of position (see kernels.h)
      for (int t = 0; t < FS / 16 && n; t++) {
        if (dw) conv_sparse_4(dwt + (size_t)f * FS + 16 * t, xp + t / (L / 16) * S + t % (L / 16) * 16, o, v, n, 0);
        const int u = FS / 16 - 1 - t;
        if (dx) conv_sparse_4(wt + (size_t)f * FS + 16 * u, dxp + u / (L / 16) * S + u % (L / 16) * 16, o, v, n, 1);
      }
    }
    // the bias (C) last, as the dense forward pass adds it to the finished sum: rows of C channels in dxp
    if (dx && bias) tt_f32_bias_act__wasmsimd(dxp, bias, Hp * Wp, C, 0);
    if (dx) conv_nhwc(dxp + at, dx + b * chw, C, H, W, S, 1);
  }
  if (dw) conv_wt(dwt, dw, F, C, k, L, adjoint, 1);
  return 1;
}

/* ---- the sparse pass on nonzeros listed beforehand, for the threaded split (kernels/parallel.c) ---------------- */

/* dwᵀ's tiles [t0, t1) of one filter (dwt: its k·L floats; tile t = 16 floats of kernel row t / R at lane
 * 16 (t % R), R = L / 16) += Σ_m v[m] · xp[o[m] + row and lane of t + 0..15] over the n listed nonzeros, m ascending:
 * the sparse pass's dw sums for one (sample, filter). */
void tt_f32_conv_sparse_dw_tiles__wasmsimd(float *dwt, const float *xp, const int *o, const float *v, int n, int t0,
                                           int t1, int R, int S) {
  for (int t = t0; t < t1; t++) conv_sparse_4(dwt + 16 * t, (float *)xp + t / R * S + t % R * 16, o, v, n, 0);
}

/* dxp[o[m] + row and lane of u + 0..15] += v[m] · tile u of wᵀ's filter (wt), for u from T - 1 down to 0 and m
 * ascending in each: the sparse pass's dx terms of one (sample, filter), in its order. */
void tt_f32_conv_sparse_dx_tiles__wasmsimd(float *dxp, const float *wt, const int *o, const float *v, int n, int T,
                                           int R, int S) {
  for (int u = T - 1; u >= 0; u--) conv_sparse_4((float *)wt + 16 * u, dxp + u / R * S + u % R * 16, o, v, n, 1);
}

#ifdef TT_THREADS
/* The sparse pass's layout changes, for its split: a sample to (back = 0) or from (back = 1) the interior of a
 * padded channels-last image (conv_nhwc), and the weights to wᵀ (add = 0) or dwᵀ back into dw (add = 1) (conv_wt). */
void tt__conv_nhwc(float *xp, float *x, int C, int H, int W, int RS, int back) { conv_nhwc(xp, x, C, H, W, RS, back); }
void tt__conv_wt(float *wt, float *w, int F, int C, int k, int L, int adjoint, int add) {
  conv_wt(wt, w, F, C, k, L, adjoint, add);
}
/* conv_forward in two steps, for its split by samples: the tap offsets and the packed weights into ws (the kernel's
 * scratch layout) once, then each chunk's samples from them (packed: that ws) in its thread's padded image xp
 * (C·Hp·Wp + 4 floats) */
void tt__conv_forward_pack(float *ws, const float *w, const tt__conv_shape *s) {
  tt__conv_shape none = *s;
  none.B = 0;
  conv_forward_run(NULL, NULL, w, NULL, &none, ws, ws, 1);
}
void tt__conv_forward_samples(float *y, const float *x, const float *bias, const tt__conv_shape *s, float *xp,
                              float *packed) {
  conv_forward_run(y, x, NULL, bias, s, xp, packed, 0);
}
#endif
