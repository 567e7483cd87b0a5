/* Reference im2col / col2im for one sample (see kernels.h). col has C*k*k rows (channel-major, then kernel row,
 * kernel column: the order of a PyTorch Conv2d weight [out, in, kh, kw] flattened) and OH*OW columns, so a
 * convolution is weight (F, C*k*k) · col (C*k*k, OH*OW). Positions that fall in the zero padding give 0 in
 * im2col and are dropped by col2im. */
#include "kernels/kernels.h"

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
