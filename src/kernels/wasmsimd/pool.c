/* WebAssembly SIMD128 twins of ../scalar/pool.c for the common 2×2 window at stride 2 (other shapes, and rows
 * of fewer than 4 windows, call the scalar kernel). Four outputs at a time: the two input rows of a window row
 * are loaded 8 floats at a time and split into even and odd columns, and the running max and its index are kept
 * with compare masks and bitselect, so no branch depends on the data. A row's last 1-3 windows are done as the
 * 4 that end the row (some recomputed, same values). Same results as the scalar kernel bit for bit (the same
 * comparisons in the same order; indices are exact as floats below 2^24, which the layer checks). */
#include "kernels/simd128.h"
#include "kernels/kernels.h"

void tt_f32_maxpool__wasmsimd(float *y, float *arg, const float *x, int H, int W, int K, int S, int OH, int OW,
                              int base) {
  if (K != 2 || S != 2 || OW < 4) {
    tt_f32_maxpool__scalar(y, arg, x, H, W, K, S, OH, OW, base);
    return;
  }
  const v128_t step = wasm_f32x4_make(0.0f, 2.0f, 4.0f, 6.0f);  // index offsets of 4 windows' first elements
  for (int oh = 0; oh < OH; oh++) {
    const float *r0 = x + (size_t)2 * oh * W, *r1 = r0 + W;  // the window's two input rows
    for (int o = 0; o < OW; o += 4) {
      const int ow = o + 4 <= OW ? o : OW - 4;  // the last 1-3 windows: 4 ending at the row's end (recomputed)
      const v128_t a0 = wasm_v128_load(r0 + 2 * ow), a1 = wasm_v128_load(r0 + 2 * ow + 4);
      const v128_t b0 = wasm_v128_load(r1 + 2 * ow), b1 = wasm_v128_load(r1 + 2 * ow + 4);
      // window elements (0,0), (0,1), (1,0), (1,1) of 4 windows, and the index of (0,0)
      const v128_t v[4] = {wasm_i32x4_shuffle(a0, a1, 0, 2, 4, 6), wasm_i32x4_shuffle(a0, a1, 1, 3, 5, 7),
                           wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6), wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7)};
      const v128_t first = wasm_f32x4_add(wasm_f32x4_splat((float)(base + 2 * oh * W + 2 * ow)), step);
      const float off[4] = {0.0f, 1.0f, (float)W, (float)W + 1.0f};
      v128_t m = v[0], best = first;
      TT_UNROLL_FULL
      for (int e = 1; e < 4; e++) {
        const v128_t take = wasm_v128_or(wasm_f32x4_gt(v[e], m), wasm_f32x4_ne(v[e], v[e]));
        m = wasm_v128_bitselect(v[e], m, take);
        best = wasm_v128_bitselect(wasm_f32x4_add(first, wasm_f32x4_splat(off[e])), best, take);
      }
      wasm_v128_store(y + oh * OW + ow, m);
      wasm_v128_store(arg + oh * OW + ow, best);
    }
  }
}

void tt_f32_maxpool_backward__wasmsimd(float *dx, const float *dy, const float *arg, int H, int W, int K, int OH,
                                       int OW, int base) {
  if (K != 2 || OW < 4) {
    tt_f32_maxpool_backward__scalar(dx, dy, arg, H, W, K, OH, OW, base);
    return;
  }
  const v128_t lo = wasm_f32x4_make(0.0f, 1.0f, 2.0f, 3.0f), hi = wasm_f32x4_make(4.0f, 5.0f, 6.0f, 7.0f);
  for (int ih = 0; ih < 2 * OH; ih++) {
    float *row = dx + (size_t)ih * W;
    const float *a = arg + (ih / 2) * OW, *g = dy + (ih / 2) * OW;
    for (int o = 0; o < OW; o += 4) {
      const int ow = o + 4 <= OW ? o : OW - 4;  // as in the forward pass, the last group ends at the row's end
      // 8 input columns: each window's argmax and gradient twice, compared with the columns' own indices
      const v128_t av = wasm_v128_load(a + ow), gv = wasm_v128_load(g + ow);
      const v128_t at = wasm_f32x4_splat((float)(base + ih * W + 2 * ow));
      const v128_t e0 = wasm_f32x4_eq(wasm_i32x4_shuffle(av, av, 0, 0, 1, 1), wasm_f32x4_add(at, lo));
      const v128_t e1 = wasm_f32x4_eq(wasm_i32x4_shuffle(av, av, 2, 2, 3, 3), wasm_f32x4_add(at, hi));
      wasm_v128_store(row + 2 * ow, wasm_v128_and(wasm_i32x4_shuffle(gv, gv, 0, 0, 1, 1), e0));
      wasm_v128_store(row + 2 * ow + 4, wasm_v128_and(wasm_i32x4_shuffle(gv, gv, 2, 2, 3, 3), e1));
    }
    if (W > 2 * OW) row[W - 1] = 0.0f;  // odd W: the column past the last window
  }
  for (int i = 2 * OH * W; i < H * W; i++) dx[i] = 0.0f;  // a row past the last window
}
