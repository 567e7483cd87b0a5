/* Reference stride-1 convolution of a batch and its weight gradient (see kernels.h): direct loops over the
 * outputs, each a sum over the taps in (c, ki, kj) order; taps in the zero padding are skipped (they add +0).
 * Then im2col / col2im for one sample, which strided convolutions use in every build: col has C*k*k rows
 * (channel-major, then kernel row, kernel column: a PyTorch Conv2d weight [out, in, kh, kw] flattened) and OH*OW
 * columns, so a convolution is weight (F, C*k*k) · col (C*k*k, OH*OW). Positions in the zero padding give 0 in
 * im2col and are dropped by col2im. */
#include "kernels/kernels.h"

void tt_f32_conv_forward__scalar(float *y, const float *x, const float *w, const float *bias, int B, int C, int H,
                                 int W, int F, int k, int pad_lo, int pad_hi, int adjoint, float *ws) {
  const int OH = H + pad_lo + pad_hi - k + 1, OW = W + pad_lo + pad_hi - k + 1;
  TT_NO_UNROLL
  for (int b = 0; b < B; b++)
    TT_NO_UNROLL
    for (int f = 0; f < F; f++)
      TT_NO_UNROLL
      for (int oh = 0; oh < OH; oh++)
        TT_NO_UNROLL
        for (int ow = 0; ow < OW; ow++) {
          float acc = 0.0f;
          TT_NO_UNROLL
          for (int c = 0; c < C; c++)
            TT_NO_UNROLL
            for (int ki = 0; ki < k; ki++) {
              const int ih = oh + ki - pad_lo;
              if (ih < 0 || ih >= H) continue;
              TT_NO_UNROLL
              for (int kj = 0; kj < k; kj++) {
                const int iw = ow + kj - pad_lo;
                if (iw < 0 || iw >= W) continue;
                // w (F, C, k, k), or adjoint: w (C, F, k, k) rotated by 180°
                const float wv = adjoint ? w[(((size_t)c * F + f) * k + (k - 1 - ki)) * k + (k - 1 - kj)]
                                         : w[(((size_t)f * C + c) * k + ki) * k + kj];
                acc += wv * x[(((size_t)b * C + c) * H + ih) * W + iw];
              }
            }
          y[(((size_t)b * F + f) * OH + oh) * OW + ow] = (bias ? bias[f] : 0.0f) + acc;
        }
}

void tt_f32_conv_backward_w__scalar(float *dw, const float *dy, const float *x, int B, int C, int H, int W, int F,
                                    int k, int pad_lo, int pad_hi, float *ws) {
  const int OH = H + pad_lo + pad_hi - k + 1, OW = W + pad_lo + pad_hi - k + 1;
  // dw[f][c][ki][kj] += Σ_b Σ_(oh, ow) dy[b][f][oh][ow] · x[b][c][oh + ki - pad_lo][ow + kj - pad_lo]
  TT_NO_UNROLL
  for (int f = 0; f < F; f++)
    TT_NO_UNROLL
    for (int c = 0; c < C; c++)
      TT_NO_UNROLL
      for (int ki = 0; ki < k; ki++)
        TT_NO_UNROLL
        for (int kj = 0; kj < k; kj++) {
          float acc = 0.0f;
          TT_NO_UNROLL
          for (int b = 0; b < B; b++)
            TT_NO_UNROLL
            for (int oh = 0; oh < OH; oh++) {
              const int ih = oh + ki - pad_lo;
              if (ih < 0 || ih >= H) continue;
              const float *d = dy + (((size_t)b * F + f) * OH + oh) * OW;
              const float *xi = x + (((size_t)b * C + c) * H + ih) * W;
              TT_NO_UNROLL
              for (int ow = 0; ow < OW; ow++) {
                const int iw = ow + kj - pad_lo;
                if (iw >= 0 && iw < W) acc += d[ow] * xi[iw];
              }
            }
          dw[(((size_t)f * C + c) * k + ki) * k + kj] += acc;
        }
}

/* x (C, H, W) <-> xp (Hp, Wp, C) with rows RS floats apart, x moved by pad_lo rows and columns: mode 0 copies x
 * into xp (elements a negative pad crops are skipped, the rest of xp is left as it is), 1 writes x from xp (0
 * where cropped), 2 adds xp to x. With H = Hp = W = Wp = k and pad 0: one filter (C, k, k) <-> (k, RS). */
static void conv_nhwc(float *xp, float *x, int C, int H, int W, int Hp, int Wp, int RS, int pad_lo, int mode) {
  // x's rows and columns i0 <= i < i1 (j1) fall inside xp
  const int i0 = pad_lo < 0 ? -pad_lo : 0, i1 = H < Hp - pad_lo ? H : Hp - pad_lo, j1 = W < Wp - pad_lo ? W : Wp - pad_lo;
  if (mode == 1 && (i0 || i1 < H || j1 < W)) tt_f32_fill__scalar(x, 0.0f, (size_t)C * H * W);
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

/* The sparse backward pass: the SIMD twin's layout (kernels.h) without its padding lanes and register tiles.
 * Per dw element the terms come in order of sample, then position; per dxp element in order of filter, then
 * position: the dense kernels' orders. */
void tt_f32_conv_backward_sparse__scalar(float *dw, float *dx, const float *dy, const float *x, const float *w, int B,
                                         int C, int H, int W, int F, int k, int pad_lo, int pad_hi, float *ws) {
  const int Hp = H + pad_lo + pad_hi, Wp = W + pad_lo + pad_hi, OH = Hp - k + 1, OW = Wp - k + 1, S = Wp * C;
  const int L = k * C, L4 = (L + 3) / 4 * 4, FS = (k * L4 / 4 + 7) / 8 * 32;  // a kernel row; a filter's stride
  const size_t np = (size_t)Hp * Wp * C + 4, chw = (size_t)C * H * W;
  float *xp = ws, *dxp = xp + np, *wt = dxp + np, *dwt = wt + (size_t)F * FS;  // (Hp, Wp, C) twice, (F, FS) twice
  tt_f32_fill__scalar(ws, 0.0f, 2 * (np + (size_t)F * FS));
  TT_NO_UNROLL
  for (int f = 0; f < F; f++) conv_nhwc(wt + (size_t)f * FS, (float *)w + (size_t)f * C * k * k, C, k, k, k, k, L4, 0, 0);
  TT_NO_UNROLL
  for (int b = 0; b < B; b++) {
    conv_nhwc(xp, (float *)x + b * chw, C, H, W, Hp, Wp, S, pad_lo, 0);
    if (dx) tt_f32_fill__scalar(dxp, 0.0f, np);
    TT_NO_UNROLL
    for (int f = 0; f < F; f++)
      TT_NO_UNROLL
      for (int p = 0; p < OH * OW; p++, dy++) {
        if (*dy == 0.0f) continue;  // the dense kernels add ±0 here, which leaves every sum as it is
        const size_t o = ((size_t)(p / OW) * Wp + p % OW) * C;  // the window's top-left in xp and dxp
        TT_NO_UNROLL
        for (int i = 0; i < k; i++)
          TT_NO_UNROLL
          for (int t = 0; t < L; t++) {  // k taps × C channels, contiguous in every buffer
            dwt[(size_t)f * FS + i * L4 + t] += *dy * xp[o + (size_t)i * S + t];
            if (dx) dxp[o + (size_t)i * S + t] += *dy * wt[(size_t)f * FS + i * L4 + t];
          }
      }
    if (dx) conv_nhwc(dxp, dx + b * chw, C, H, W, Hp, Wp, S, pad_lo, 1);
  }
  TT_NO_UNROLL
  for (int f = 0; f < F; f++) conv_nhwc(dwt + (size_t)f * FS, dw + (size_t)f * C * k * k, C, k, k, k, k, L4, 0, 2);
}

void tt_f32_im2col__scalar(float *col, const float *in, int C, int H, int W, int k, int stride, int pad_lo,
                           int OH, int OW) {
  // col (C*k*k, OH*OW) <- in (C, H, W)
  TT_NO_UNROLL
  for (int c = 0; c < C; c++)
    TT_NO_UNROLL
    for (int ki = 0; ki < k; ki++)
      TT_NO_UNROLL
      for (int kj = 0; kj < k; kj++) {
        float *row = col + ((size_t)(c * k + ki) * k + kj) * ((size_t)OH * OW);
        TT_NO_UNROLL
        for (int oh = 0; oh < OH; oh++) {
          const int ih = oh * stride - pad_lo + ki;
          TT_NO_UNROLL
          for (int ow = 0; ow < OW; ow++) {
            const int iw = ow * stride - pad_lo + kj;
            const int inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
            row[(size_t)oh * OW + ow] = inside ? in[((size_t)c * H + ih) * W + iw] : 0.0f;
          }
        }
      }
}

void tt_f32_col2im__scalar(float *din, const float *col, int C, int H, int W, int k, int stride, int pad_lo,
                           int OH, int OW) {
  // din (C, H, W) += scatter of col (C*k*k, OH*OW): the exact adjoint of im2col
  TT_NO_UNROLL
  for (int c = 0; c < C; c++)
    TT_NO_UNROLL
    for (int ki = 0; ki < k; ki++)
      TT_NO_UNROLL
      for (int kj = 0; kj < k; kj++) {
        const float *row = col + ((size_t)(c * k + ki) * k + kj) * ((size_t)OH * OW);
        TT_NO_UNROLL
        for (int oh = 0; oh < OH; oh++) {
          const int ih = oh * stride - pad_lo + ki;
          if (ih < 0 || ih >= H) continue;
          TT_NO_UNROLL
          for (int ow = 0; ow < OW; ow++) {
            const int iw = ow * stride - pad_lo + kj;
            if (iw < 0 || iw >= W) continue;
            din[((size_t)c * H + ih) * W + iw] += row[(size_t)oh * OW + ow];
          }
        }
      }
}
