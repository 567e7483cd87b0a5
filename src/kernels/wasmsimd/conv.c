/* WebAssembly SIMD128 twins of ../scalar/conv.c (im2col / col2im for one sample, same contract and results
 * bit for bit: they only move and add the same values in the same order).
 * For each output row oh and kernel offset (ki, kj) the input positions form one run of OW values with step
 * `stride`; the part of the run inside the image is computed once, the rest is padding. With stride 1 (every
 * model in the demos) the run is contiguous, so a row of col is a zero head, a block copy and a zero tail,
 * done 4 floats at a time instead of one bounds test per element. */
#include <wasm_simd128.h>
#include "kernels/kernels.h"

#if !defined(__wasm_simd128__)
#error "wasmsimd kernels need emcc -msimd128"
#endif

/* Runs of n floats, 4 at a time. Short copy tails are written as a last (overlapping) vector. Zero runs store
 * a zero the compiler cannot see (read once per call from a volatile): a loop storing a constant 0 is turned into
 * a call of memset, which costs more than the run itself at these lengths (1-28 floats). */
static volatile float conv_zero_value = 0.0f;

static inline void conv_zero(float *d, int n, float zero) {
  const v128_t z = wasm_f32x4_splat(zero);
  if (n >= 4) {
    TT_NO_UNROLL
    for (int i = 0; i + 4 < n; i += 4) wasm_v128_store(d + i, z);
    wasm_v128_store(d + n - 4, z);
    return;
  }
  if (n > 0) d[0] = zero;
  if (n > 1) d[1] = zero;
  if (n > 2) d[2] = zero;
}

/* d[i] = s[i*ss] for i < n */
static inline void conv_copy(float *d, const float *s, size_t ss, int n) {
  if (ss == 1 && n >= 4) {
    TT_NO_UNROLL
    for (int i = 0; i + 4 < n; i += 4) wasm_v128_store(d + i, wasm_v128_load(s + i));
    wasm_v128_store(d + n - 4, wasm_v128_load(s + n - 4));
    return;
  }
  TT_NO_UNROLL
  for (int i = 0; i < n; i++) d[i] = s[i * ss];
}

/* d[i*sd] += s[i] for i < n */
static inline void conv_add(float *d, size_t sd, const float *s, int n) {
  int i = 0;
  if (sd == 1)
    TT_NO_UNROLL
    for (; i + 4 <= n; i += 4) wasm_v128_store(d + i, wasm_f32x4_add(wasm_v128_load(d + i), wasm_v128_load(s + i)));
  TT_NO_UNROLL
  for (; i < n; i++) d[i * sd] += s[i];
}

/* The output columns [lo, hi) of a run whose input column ow*stride - pad_lo + kj lies inside [0, W). */
static void conv_inside(int *lo, int *hi, int W, int kj, int stride, int pad_lo, int OW) {
  const int first = pad_lo - kj;  // ow*stride >= first
  *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  *hi = W - 1 + first < 0 ? 0 : (W - 1 + first) / stride + 1;
  if (*hi > OW) *hi = OW;
  if (*lo > *hi) *lo = *hi;
}

/* One walk over (c, ki, kj, oh) for both directions: im2col copies in -> col (add = 0) and zero-fills the
 * padding; col2im adds col -> din (add = 1) and skips the padding. */
static void conv_walk(float *col, float *img, int C, int H, int W, int k, int stride, int pad_lo, int OH, int OW,
                      int add) {
  const size_t P = (size_t)OH * OW;
  const float zero = conv_zero_value;
  for (int c = 0; c < C; c++)
    for (int ki = 0; ki < k; ki++)
      for (int kj = 0; kj < k; kj++, col += P) {
        int lo, hi;
        conv_inside(&lo, &hi, W, kj, stride, pad_lo, OW);
        TT_NO_UNROLL
        for (int oh = 0; oh < OH; oh++) {
          float *row = col + (size_t)oh * OW;  // (OW,)
          const int ih = oh * stride - pad_lo + ki;
          if (ih < 0 || ih >= H) {
            if (!add) conv_zero(row, OW, zero);
            continue;
          }
          float *src = img + ((size_t)c * H + ih) * W + (lo * stride - pad_lo + kj);  // input of column lo
          if (add) {
            conv_add(src, (size_t)stride, row + lo, hi - lo);
          } else {
            conv_zero(row, lo, zero);
            conv_copy(row + lo, src, (size_t)stride, hi - lo);
            conv_zero(row + hi, OW - hi, zero);
          }
        }
      }
}

void tt_f32_im2col__wasmsimd(float *col, const float *in, int C, int H, int W, int k, int stride, int pad_lo,
                             int OH, int OW) {
  conv_walk(col, (float *)in, C, H, W, k, stride, pad_lo, OH, OW, 0);  // in is only read when add == 0
}

void tt_f32_col2im__wasmsimd(float *din, const float *col, int C, int H, int W, int k, int stride, int pad_lo,
                             int OH, int OW) {
  conv_walk((float *)col, din, C, H, W, k, stride, pad_lo, OH, OW, 1);  // col is only read when add == 1
}
