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

/* off[q] for the C·k·k taps in (c, ki, kj) order */
TT_COLD static void conv_offsets(int *off, int C, int k, int Hp, int Wp) {
  TT_NO_UNROLL
  for (int c = 0, q = 0; c < C; c++)
    TT_NO_UNROLL
    for (int ki = 0; ki < k; ki++)
      TT_NO_UNROLL
      for (int kj = 0; kj < k; kj++) off[q++] = (c * Hp + ki) * Wp + kj;
}

/* xp (C, Hp, Wp) = x (C, H, W) moved by pad_lo rows and columns (a negative pad crops x); the border stays as
 * zeroed once per call. */
TT_COLD static void conv_pad(float *xp, const float *x, int C, int H, int W, int Hp, int Wp, int pad_lo) {
  const int i0 = pad_lo < 0 ? -pad_lo : 0, h1 = H < Hp - pad_lo ? H : Hp - pad_lo, w1 = W < Wp - pad_lo ? W : Wp - pad_lo;
  TT_NO_UNROLL
  for (int c = 0; c < C; c++)
    TT_NO_UNROLL
    for (int ih = i0; ih < h1; ih++) {
      float *d = xp + ((size_t)c * Hp + ih + pad_lo) * Wp + i0 + pad_lo;
      const float *s = x + ((size_t)c * H + ih) * W + i0;
      int i = 0;
      TT_NO_UNROLL
      for (; i + 4 <= w1 - i0; i += 4) wasm_v128_store(d + i, wasm_v128_load(s + i));
      TT_NO_UNROLL
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
  TT_NO_UNROLL
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

TT_COLD void tt_f32_conv_forward__wasmsimd(float *y, const float *x, const float *w, const float *bias, int B, int C, int H,
                                   int W, int F, int k, int pad_lo, int pad_hi, int adjoint, float *ws) {
  const int Hp = H + pad_lo + pad_hi, Wp = W + pad_lo + pad_hi, OH = Hp - k + 1, OW = Wp - k + 1;
  const int kk = k * k, ckk = C * kk, P = OH * OW;
  const int gw = (OW + 3) / 4, groups = OH * gw;  // groups of 4 outputs per row; a row's last one may overlap
  float *xp = ws;                                  // (C, Hp, Wp) + 4 floats read past the end when OW < 4
  int *off = (int *)(xp + (size_t)C * Hp * Wp + 4);  // (ckk)
  float *ap = (float *)(off + ckk);                // (F4 / 4, ckk, 4): weights, 4 output channels a panel
  tt_f32_fill__wasmsimd(xp, 0.0f, (size_t)C * Hp * Wp + 4);
  conv_offsets(off, C, k, Hp, Wp);
  TT_NO_UNROLL
  for (int f = 0; f < (F + 3) / 4 * 4; f++)
    TT_NO_UNROLL
    for (int q = 0; q < ckk; q++) {
      // tap q = (c, t) with t = ki·k + kj; the adjoint reads w (C, F, k, k) at the 180°-rotated tap kk-1-t
      const int c = q / kk, t = q % kk;
      ap[(size_t)(f / 4) * ckk * 4 + q * 4 + f % 4] =
          f >= F ? 0.0f : adjoint ? w[((size_t)c * F + f) * kk + kk - 1 - t] : w[((size_t)f * C + c) * kk + t];
    }
  float tile[32] __attribute__((aligned(16)));
  TT_NO_UNROLL
  for (int b = 0; b < B; b++) {
    conv_pad(xp, x + (size_t)b * C * H * W, C, H, W, Hp, Wp, pad_lo);
    float *yb = y + (size_t)b * F * P;  // (F, P)
    TT_NO_UNROLL
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
      TT_NO_UNROLL
      for (int f0 = 0; f0 < F; f0 += 4) {
        conv_4x8(ckk, ap + (size_t)f0 * ckk, off, src[0], src[1], tile);
        TT_NO_UNROLL
        for (int r = 0; r < 4 && f0 + r < F; r++)
          TT_NO_UNROLL
          for (int u = 0; u < 2; u++) {
            float *d = yb + (size_t)(f0 + r) * P + pos[u];
            const v128_t v = wasm_f32x4_add(wasm_v128_load(tile + 8 * r + 4 * u),
                                            wasm_f32x4_splat(bias ? bias[f0 + r] : 0.0f));
            if (OW >= 4) {
              wasm_v128_store(d, v);
            } else {
              wasm_v128_store(tile + 8 * r + 4 * u, v);
              TT_NO_UNROLL
              for (int i = 0; i < OW; i++) d[i] = tile[8 * r + 4 * u + i];
            }
          }
      }
    }
  }
}

/* dst (P, ld) = src (F, P) transposed: 4×4 blocks with shuffles, the edges one by one. */
TT_COLD static void conv_transpose(float *dst, const float *src, int F, int P, int ld) {
  const int F4 = F & ~3, P4 = P & ~3;
  TT_NO_UNROLL
  for (int f = 0; f < F4; f += 4)
    TT_NO_UNROLL
    for (int p = 0; p < P4; p += 4) {
      const float *s = src + (size_t)f * P + p;
      const v128_t r0 = wasm_v128_load(s), r1 = wasm_v128_load(s + P);
      const v128_t r2 = wasm_v128_load(s + 2 * P), r3 = wasm_v128_load(s + 3 * P);
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
      const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      float *d = dst + (size_t)p * ld + f;
      wasm_v128_store(d, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
      wasm_v128_store(d + ld, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
      wasm_v128_store(d + 2 * ld, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
      wasm_v128_store(d + 3 * ld, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
    }
  TT_NO_UNROLL
  for (int f = 0; f < F; f++)
    TT_NO_UNROLL
    for (int p = f < F4 ? P4 : 0; p < P; p++) dst[(size_t)p * ld + f] = src[(size_t)f * P + p];
}

/* acc (4 taps, 8 filters) += Σ over the OH×OW outputs of x at the 4 taps (xq[r]: the padded image at tap r's
 * offset) · dyt (P, F8) at columns 0..7: the weight gradient's 4×8 tile, positions as the reduction. */
static __attribute__((noinline)) void conv_dw_4x8(int OH, int OW, int Wp, const float *const *xq, const float *dyt,
                                                  int F8, float *acc) {
  v128_t c0[4], c1[4];
  TT_UNROLL_FULL
  for (int r = 0; r < 4; r++) c0[r] = wasm_v128_load(acc + 8 * r), c1[r] = wasm_v128_load(acc + 8 * r + 4);
  TT_NO_UNROLL
  for (int oh = 0; oh < OH; oh++) {
    const float *x0 = xq[0] + (size_t)oh * Wp, *x1 = xq[1] + (size_t)oh * Wp;
    const float *x2 = xq[2] + (size_t)oh * Wp, *x3 = xq[3] + (size_t)oh * Wp;
    TT_NO_UNROLL
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

TT_COLD void tt_f32_conv_backward_w__wasmsimd(float *dw, const float *dy, const float *x, int B, int C, int H, int W, int F,
                                      int k, int pad_lo, int pad_hi, float *ws) {
  const int Hp = H + pad_lo + pad_hi, Wp = W + pad_lo + pad_hi, OH = Hp - k + 1, OW = Wp - k + 1;
  const int ckk = C * k * k, P = OH * OW, F8 = (F + 7) / 8 * 8, T8 = F8 / 8;
  float *xp = ws;                                    // (C, Hp, Wp) + 4
  int *off = (int *)(xp + (size_t)C * Hp * Wp + 4);  // (ckk)
  float *dyt = (float *)(off + ckk);                 // (P, F8): one sample's dy transposed, zero past F
  float *acc = dyt + (size_t)P * F8;                 // (ckk4 / 4, F8 / 8, 4, 8): dwᵀ in 4×8 tiles
  tt_f32_fill__wasmsimd(xp, 0.0f, (size_t)C * Hp * Wp + 4);
  tt_f32_fill__wasmsimd(dyt, 0.0f, ((size_t)P + (ckk + 3) / 4 * 4) * F8);
  conv_offsets(off, C, k, Hp, Wp);
  TT_NO_UNROLL
  for (int b = 0; b < B; b++) {
    conv_pad(xp, x + (size_t)b * C * H * W, C, H, W, Hp, Wp, pad_lo);
    const float *d = dy + (size_t)b * F * P;  // (F, P)
    conv_transpose(dyt, d, F, P, F8);
    TT_NO_UNROLL
    for (int q0 = 0; q0 < ckk; q0 += 4) {
      const float *xq[4];
      TT_UNROLL_FULL
      for (int r = 0; r < 4; r++) xq[r] = xp + off[q0 + r < ckk ? q0 + r : q0];  // taps past the end: discarded
      TT_NO_UNROLL
      for (int t = 0; t < T8; t++) conv_dw_4x8(OH, OW, Wp, xq, dyt + 8 * t, F8, acc + ((size_t)q0 / 4 * T8 + t) * 32);
    }
  }
  TT_NO_UNROLL
  for (int f = 0; f < F; f++)
    TT_NO_UNROLL
    for (int q = 0; q < ckk; q++) dw[(size_t)f * ckk + q] += acc[((size_t)q / 4 * T8 + f / 8) * 32 + q % 4 * 8 + f % 8];
}


/* ---- the sparse backward pass (see kernels.h) ---- */

/* x (C, H, W) <-> xp (Hp, Wp, C) with rows RS floats apart, x moved by pad_lo rows and columns: mode 0 copies x
 * into xp (elements a negative pad crops are skipped, the rest of xp is left as it is), 1 writes x from xp (0
 * where cropped), 2 adds xp to x. With H = Hp = W = Wp = k and pad 0: one filter (C, k, k) <-> (k, RS). */
TT_COLD static void conv_nhwc(float *xp, float *x, int C, int H, int W, int Hp, int Wp, int RS, int pad_lo, int mode) {
  // x's rows and columns i0 <= i < i1 (j1) fall inside xp
  const int i0 = pad_lo < 0 ? -pad_lo : 0, i1 = H < Hp - pad_lo ? H : Hp - pad_lo, j1 = W < Wp - pad_lo ? W : Wp - pad_lo;
  if (mode == 1 && (i0 || i1 < H || j1 < W)) tt_f32_fill__wasmsimd(x, 0.0f, (size_t)C * H * W);
  TT_NO_UNROLL
  for (int c = 0; c < C; c++)
    TT_NO_UNROLL
    for (int ih = i0; ih < i1; ih++) {
      float *p = xp + (size_t)(ih + pad_lo) * RS + (size_t)(i0 + pad_lo) * C + c, *q = x + ((size_t)c * H + ih) * W;
      TT_NO_UNROLL
      for (int iw = i0; iw < j1; iw++, p += C) {
        if (mode == 0) *p = q[iw];
        if (mode == 1) q[iw] = *p;
        if (mode == 2) q[iw] += *p;
      }
    }
}

/* 8 vectors of dwᵀ[f] (at g; tap q at xp offset off[q]) += Σ_m v[m] · xp[o[m] + off[q]], kept in registers over
 * the m nonzeros of one filter (o[m]: the window's top-left in xp). */
static __attribute__((noinline)) void conv_sparse_dw(float *g, const float *xp, const int *off, const int *o,
                                                     const float *v, int n) {
  v128_t a[8];
  TT_UNROLL_FULL
  for (int r = 0; r < 8; r++) a[r] = wasm_v128_load(g + 4 * r);
  TT_NO_UNROLL
  for (int m = 0; m < n; m++) {
    const float *p = xp + o[m];
    const v128_t s = wasm_v128_load32_splat(v + m);
    TT_UNROLL_FULL
    for (int r = 0; r < 8; r++) a[r] = wasm_f32x4_add(a[r], wasm_f32x4_mul(s, wasm_v128_load(p + off[r])));
  }
  TT_UNROLL_FULL
  for (int r = 0; r < 8; r++) wasm_v128_store(g + 4 * r, a[r]);
}

/* dxp[o[m] + off[q]] += v[m] · 8 vectors of wᵀ[f] (at wr), kept in registers, m ascending. */
static __attribute__((noinline)) void conv_sparse_dx(float *dxp, const float *wr, const int *off, const int *o,
                                                     const float *v, int n) {
  v128_t a[8];
  TT_UNROLL_FULL
  for (int r = 0; r < 8; r++) a[r] = wasm_v128_load(wr + 4 * r);
  TT_NO_UNROLL
  for (int m = 0; m < n; m++) {
    float *p = dxp + o[m];
    const v128_t s = wasm_v128_load32_splat(v + m);
    TT_UNROLL_FULL
    for (int r = 0; r < 8; r++)
      wasm_v128_store(p + off[r], wasm_f32x4_add(wasm_v128_load(p + off[r]), wasm_f32x4_mul(s, a[r])));
  }
}

TT_COLD void tt_f32_conv_backward_sparse__wasmsimd(float *dw, float *dx, const float *dy, const float *x,
                                                   const float *w, int B, int C, int H, int W, int F, int k,
                                                   int pad_lo, int pad_hi, float *ws) {
  const int Hp = H + pad_lo + pad_hi, Wp = W + pad_lo + pad_hi, OH = Hp - k + 1, OW = Wp - k + 1, S = Wp * C;
  const int L4 = (k * C + 3) / 4 * 4, V = L4 / 4, Q = k * V, Q8 = (Q + 7) / 8 * 8, FS = 4 * Q8;
  const size_t np = (size_t)Hp * Wp * C + 4, chw = (size_t)C * H * W;
  float *xp = ws, *dxp = xp + np, *wt = dxp + np, *dwt = wt + (size_t)F * FS;  // see tt__conv_sparse_ws_floats
  int *off = (int *)(dwt + (size_t)F * FS), *o = off + Q8;                        // (Q8), (P)
  float *v = (float *)(o + OH * OW);                                              // (P)
  tt_f32_fill__wasmsimd(ws, 0.0f, 2 * (np + (size_t)F * FS));
  TT_NO_UNROLL
  for (int q = 0; q < Q8; q++) off[q] = q < Q ? q / V * S + q % V * 4 : 0;  // tap vector q: row q / V of the window
  TT_NO_UNROLL
  for (int f = 0; f < F; f++) conv_nhwc(wt + (size_t)f * FS, (float *)w + (size_t)f * C * k * k, C, k, k, k, k, L4, 0, 0);
  TT_NO_UNROLL
  for (int b = 0; b < B; b++) {
    conv_nhwc(xp, (float *)x + b * chw, C, H, W, Hp, Wp, S, pad_lo, 0);
    if (dx) tt_f32_fill__wasmsimd(dxp, 0.0f, np);
    TT_NO_UNROLL
    for (int f = 0; f < F; f++) {
      int n = 0;  // the nonzeros of dy[b][f] in order of position, listed without a branch
      TT_NO_UNROLL
      for (int oy = 0; oy < OH; oy++)
        TT_NO_UNROLL
        for (int ox = 0; ox < OW; ox++, dy++) o[n] = (oy * Wp + ox) * C, v[n] = *dy, n += *dy != 0.0f;
      if (!n) continue;
      TT_NO_UNROLL
      for (int q = 0; q < Q8; q += 8) conv_sparse_dw(dwt + (size_t)f * FS + 4 * q, xp, off + q, o, v, n);
      // the last taps first: each element of dxp still gets its terms in order of position (see kernels.h)
      TT_NO_UNROLL
      for (int q = Q8 - 8; q >= 0 && dx; q -= 8) conv_sparse_dx(dxp, wt + (size_t)f * FS + 4 * q, off + q, o, v, n);
    }
    if (dx) conv_nhwc(dxp, dx + b * chw, C, H, W, Hp, Wp, S, pad_lo, 1);
  }
  TT_NO_UNROLL
  for (int f = 0; f < F; f++) conv_nhwc(dwt + (size_t)f * FS, dw + (size_t)f * C * k * k, C, k, k, k, k, L4, 0, 2);
}
