/* Reference max pooling of one (H, W) plane (see kernels.h). Written without data-dependent branches: the
 * window comparisons of a layer are close to coin flips, and a mispredicted branch per comparison made the
 * branchy version of the layer cost more than the convolution after it. */
#include <string.h>

#include "kernels/kernels.h"

void tt_f32_maxpool__scalar(float *y, float *arg, const float *x, int H, int W, int K, int S, int OH, int OW,
                            int base) {
  // y, arg (OH, OW) <- x (H, W); window elements in row-major order, so a later one wins only if strictly greater
  for (int oh = 0; oh < OH; oh++)
    for (int ow = 0; ow < OW; ow++) {
      const int at = oh * S * W + ow * S;
      float m = x[at];
      int best = at;
      for (int i = 0; i < K; i++)
        for (int j = 0; j < K; j++) {
          const float v = x[at + i * W + j];
          const int take = v > m || v != v;  // NaN propagates, as in PyTorch
          m = take ? v : m;
          best = take ? at + i * W + j : best;
        }
      y[oh * OW + ow] = m;
      arg[oh * OW + ow] = (float)(base + best);
    }
}

void tt_f32_maxpool_backward__scalar(float *dx, const float *dy, const float *arg, int H, int W, int K, int OH,
                                     int OW, int base) {
  // dx (H, W) <- dy (OH, OW) at each window's argmax; windows are K×K at stride K, so each dx is written once
  for (int ih = 0; ih < H; ih++) {
    float *row = dx + (size_t)ih * W;
    const int oh = ih / K;
    int iw = 0;
    if (oh < OH)
      for (; iw < OW * K; iw++) {
        const int o = oh * OW + iw / K;
        row[iw] = arg[o] == (float)(base + ih * W + iw) ? dy[o] : 0.0f;
      }
    for (; iw < W; iw++) row[iw] = 0.0f;  // past the last window
  }
}
