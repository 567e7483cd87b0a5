/* Reference stride-1 convolution of a batch and its weight gradient (see kernels.h): direct loops over the
 * outputs, each a sum over the taps in (c, ki, kj) order; taps in the zero padding are skipped (they add +0).
 * Then im2col / col2im for one sample, which strided convolutions use in every build: col has C*k*k rows
 * (channel-major, then kernel row, kernel column: a PyTorch Conv2d weight [out, in, kh, kw] flattened) and OH*OW
 * columns, so a convolution is weight (F, C*k*k) · col (C*k*k, OH*OW). Positions in the zero padding give 0 in
 * im2col and are dropped by col2im. */
#include "kernels/kernels.h"

/* im2col is compiled for size (strided convolutions only, where the GEMM after it is where the time goes).
 * clang only (gcc has no minsize). */
#if defined(__clang__)
#define TT_MINSIZE __attribute__((minsize))
#else
#define TT_MINSIZE
#endif

void tt_f32_conv_forward__scalar(float *y, const float *x, const float *w, const float *bias, const tt__conv_shape *s,
                                 float *ws) {
  const int B = s->B, C = s->C, H = s->H, W = s->W, F = s->F, k = s->k, pad_lo = s->pad_lo, pad_hi = s->pad_hi;
  const int adjoint = s->adjoint;
  const int OH = H + pad_lo + pad_hi - k + 1, OW = W + pad_lo + pad_hi - k + 1;
  for (int b = 0; b < B; b++)
    for (int f = 0; f < F; f++)
      for (int oh = 0; oh < OH; oh++)
        for (int ow = 0; ow < OW; ow++) {
          float acc = 0.0f;
          for (int c = 0; c < C; c++)
            for (int ki = 0; ki < k; ki++) {
              const int ih = oh + ki - pad_lo;
              if (ih < 0 || ih >= H) continue;
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

void tt_f32_conv_backward_w__scalar(float *dw, const float *dy, const float *x, const tt__conv_shape *s, float *ws) {
  const int B = s->B, C = s->C, H = s->H, W = s->W, F = s->F, k = s->k, pad_lo = s->pad_lo, pad_hi = s->pad_hi;
  const int OH = H + pad_lo + pad_hi - k + 1, OW = W + pad_lo + pad_hi - k + 1;
  // dw[f][c][ki][kj] += Σ_b Σ_(oh, ow) dy[b][f][oh][ow] · x[b][c][oh + ki - pad_lo][ow + kj - pad_lo]
  for (int f = 0; f < F; f++)
    for (int c = 0; c < C; c++)
      for (int ki = 0; ki < k; ki++)
        for (int kj = 0; kj < k; kj++) {
          float acc = 0.0f;
          for (int b = 0; b < B; b++)
            for (int oh = 0; oh < OH; oh++) {
              const int ih = oh + ki - pad_lo;
              if (ih < 0 || ih >= H) continue;
              const float *d = dy + (((size_t)b * F + f) * OH + oh) * OW;
              const float *xi = x + (((size_t)b * C + c) * H + ih) * W;
              for (int ow = 0; ow < OW; ow++) {
                const int iw = ow + kj - pad_lo;
                if (iw >= 0 && iw < W) acc += d[ow] * xi[iw];
              }
            }
          dw[(((size_t)f * C + c) * k + ki) * k + kj] += acc;
        }
}

int tt_f32_conv_sparse__scalar(float *dw, float *dx, const float *dy, const float *x, const float *w,
                               const float *bias, const tt__conv_shape *s, int limit, float *ws) {
  const int B = s->B, C = s->C, H = s->H, W = s->W, F = s->F, k = s->k, pad_lo = s->pad_lo, pad_hi = s->pad_hi;
  const int adjoint = s->adjoint;
  const int OH = H + pad_lo + pad_hi - k + 1, OW = W + pad_lo + pad_hi - k + 1;
  const size_t nw = (size_t)F * C * k * k;
  if (limit <= 0) return 0;  // the dense kernels for this shape: no count
  int nnz = 0;
  for (int i = 0; i < B * F * OH * OW; i++) nnz += dy[i] != 0.0f;
  if (nnz >= limit) return 0;
  float *dwt = ws;  // (F, C, k, k): this call's sums, added to dw at the end as the dense kernel does
  if (dw) tt_f32_fill__scalar(dwt, 0.0f, nw);
  if (dx) tt_f32_fill__scalar(dx, 0.0f, (size_t)B * C * H * W);
  // per dw element the terms come in order of sample, then position; per dx element in order of filter, then
  // position: the dense kernels' orders, without the terms of dy's zeros (±0, which change no sum)
  for (int b = 0; b < B; b++)
    for (int f = 0; f < F; f++)
      for (int oh = 0; oh < OH; oh++)
        for (int ow = 0; ow < OW; ow++) {
          const float d = dy[(((size_t)b * F + f) * OH + oh) * OW + ow];
          if (d == 0.0f) continue;
          for (int c = 0; c < C; c++)
            for (int ki = 0; ki < k; ki++)
              for (int kj = 0; kj < k; kj++) {
                const int ih = oh + ki - pad_lo, iw = ow + kj - pad_lo;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                // w and dw (F, C, k, k), or adjoint: (C, F, k, k) rotated by 180°
                const size_t wi = adjoint ? (((size_t)c * F + f) * k + k - 1 - ki) * k + k - 1 - kj
                                          : (((size_t)f * C + c) * k + ki) * k + kj;
                const size_t xi = (((size_t)b * C + c) * H + ih) * W + iw;
                if (dw) dwt[wi] += d * x[xi];
                if (dx) dx[xi] += d * w[wi];
              }
        }
  for (size_t i = 0; i < nw && dw; i++) dw[i] += dwt[i];
  // the bias last, as the dense forward pass adds it to the finished sum
  for (size_t i = 0; dx && bias && i < (size_t)B * C * H * W; i++) dx[i] += bias[i / ((size_t)H * W) % C];
  return 1;
}

/* The sparse pass's tiles on listed nonzeros (kernels.h; the threaded split's): tile t of a filter's k rows of L
 * floats is 16 floats of row t / R at lane 16 (t % R), R = L / 16; xp holds images channels-last in rows of S floats.
 * dw_tiles: dwt[16 t + i] += Σ_m v[m] · xp[o[m] + row and lane of t + i], t in [t0, t1), m ascending.
 * dx_tiles: dxp[o[m] + row and lane of u + i] += v[m] · wt[16 u + i], u from T - 1 down to 0, m ascending in each. */
void tt_f32_conv_sparse_dw_tiles__scalar(float *dwt, const float *xp, const int *o, const float *v, int n, int t0,
                                         int t1, int R, int S) {
  for (int t = t0; t < t1; t++)
    for (int i = 0; i < 16; i++) {
      float acc = dwt[16 * t + i];
      for (int m = 0; m < n; m++) acc += v[m] * xp[o[m] + t / R * S + t % R * 16 + i];
      dwt[16 * t + i] = acc;
    }
}

void tt_f32_conv_sparse_dx_tiles__scalar(float *dxp, const float *wt, const int *o, const float *v, int n, int T,
                                         int R, int S) {
  for (int u = T - 1; u >= 0; u--)
    for (int m = 0; m < n; m++)
      for (int i = 0; i < 16; i++) dxp[o[m] + u / R * S + u % R * 16 + i] += v[m] * wt[16 * u + i];
}

TT_MINSIZE void tt_f32_im2col__scalar(float *col, const float *in, int C, int H, int W, int k, int stride, int pad_lo,
                           int OH, int OW) {
  // col (C*k*k, OH*OW) <- in (C, H, W)
  for (int c = 0; c < C; c++)
    for (int ki = 0; ki < k; ki++)
      for (int kj = 0; kj < k; kj++) {
        float *row = col + ((size_t)(c * k + ki) * k + kj) * ((size_t)OH * OW);
        for (int oh = 0; oh < OH; oh++) {
          const int ih = oh * stride - pad_lo + ki;
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
  for (int c = 0; c < C; c++)
    for (int ki = 0; ki < k; ki++)
      for (int kj = 0; kj < k; kj++) {
        const float *row = col + ((size_t)(c * k + ki) * k + kj) * ((size_t)OH * OW);
        for (int oh = 0; oh < OH; oh++) {
          const int ih = oh * stride - pad_lo + ki;
          if (ih < 0 || ih >= H) continue;
          for (int ow = 0; ow < OW; ow++) {
            const int iw = ow * stride - pad_lo + kj;
            if (iw < 0 || iw >= W) continue;
            din[((size_t)c * H + ih) * W + iw] += row[(size_t)oh * OW + ow];
          }
        }
      }
}
