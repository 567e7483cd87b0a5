/* WebAssembly SIMD128 twins of the element-wise and row kernels in ../scalar/eltwise.c: a 4-wide main loop
 * and a scalar tail, same results as the reference (bit-identical except sumsq, which sums in another order). */
#include <string.h>

#include "kernels/simd128.h"
#include "kernels/kernels.h"

/* minsize on the two row kernels: at -O3 clang versions their loops into copies that add code and no speed. */
__attribute__((minsize)) void tt_f32_bias_act__wasmsimd(float *y, const float *bias, int rows, int cols, int act) {
  // y (rows, cols) = act(y + bias (cols,)), a row at a time: the activation's own kernel runs on the row while it
  // is in cache (less code than a second copy of relu and tanh in the add loop, and the same results by design)
  for (int r = 0; r < rows; r++) {
    float *yr = y + (size_t)r * cols;
    int c = 0;
    for (; bias && c + 4 <= cols; c += 4)
      wasm_v128_store(yr + c, wasm_f32x4_add(wasm_v128_load(yr + c), wasm_v128_load(bias + c)));
    for (; bias && c < cols; c++) yr[c] += bias[c];
    if (act == TT_ACT_RELU) tt_f32_relu__wasmsimd(yr, yr, (size_t)cols);
    if (act == TT_ACT_TANH) tt_f32_tanh__wasmsimd(yr, yr, (size_t)cols);
  }
}

__attribute__((minsize)) void tt_f32_sum_rows__wasmsimd(float *db, const float *dy, int rows, int cols) {
  // db (cols,) += Σ_r dy[r] (rows, cols). Four columns at a time, rows added in order as in the reference,
  // so the result is bit-identical.
  int c = 0;
  for (; c + 4 <= cols; c += 4) {
    v128_t acc = wasm_v128_load(db + c);
    for (int r = 0; r < rows; r++) acc = wasm_f32x4_add(acc, wasm_v128_load(dy + (size_t)r * cols + c));
    wasm_v128_store(db + c, acc);
  }
  for (; c < cols; c++) {
    float acc = db[c];
    for (int r = 0; r < rows; r++) acc += dy[(size_t)r * cols + c];
    db[c] = acc;
  }
}

void tt_f32_relu__wasmsimd(float *y, const float *x, size_t n) {
  // pmax(0, x) = (0 < x) ? x : 0, which maps NaN and -0 to +0 exactly like the scalar reference (f32x4.max
  // would propagate NaN).
  const v128_t zero = wasm_f32x4_splat(0.0f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_pmax(zero, wasm_v128_load(x + i)));
  for (; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void tt_f32_relu_backward__wasmsimd(float *dx, const float *dy, const float *y, size_t n) {
  // dx = dy & (y > 0): the comparison mask selects dy or +0
  const v128_t zero = wasm_f32x4_splat(0.0f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t mask = wasm_f32x4_gt(wasm_v128_load(y + i), zero);
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), mask));
  }
  for (; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

float tt_f32_sumsq__wasmsimd(const float *x, size_t n) {
  // Σ x² in double (two f64x2 accumulators), like the reference: gradient norms over many parameters must not
  // lose precision.
  v128_t lo = wasm_f64x2_splat(0.0), hi = wasm_f64x2_splat(0.0);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    const v128_t dlo = wasm_f64x2_promote_low_f32x4(v);
    const v128_t dhi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    lo = wasm_f64x2_add(lo, wasm_f64x2_mul(dlo, dlo));
    hi = wasm_f64x2_add(hi, wasm_f64x2_mul(dhi, dhi));
  }
  const v128_t s = wasm_f64x2_add(lo, hi);
  double acc = wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
  for (; i < n; i++) acc += (double)x[i] * x[i];
  return (float)acc;
}

void tt_f32_scale__wasmsimd(float *x, float s, size_t n) {
  const v128_t vs = wasm_f32x4_splat(s);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(x + i, wasm_f32x4_mul(wasm_v128_load(x + i), vs));
  for (; i < n; i++) x[i] *= s;
}

/* Fill and copy 16 floats per iteration: the libc memset/memcpy of this build (no bulk-memory instructions) moved
 * about 2.5 GB/s, and zeroing the gradients alone was 11% of an MLP training step. */
void tt_f32_fill__wasmsimd(float *x, float v, size_t n) {
  const v128_t s = wasm_f32x4_splat(v);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    TT_UNROLL_FULL
    for (int u = 0; u < 16; u += 4) wasm_v128_store(x + i + u, s);
  }
  for (; i < n; i++) x[i] = v;
}

void tt_f32_copy__wasmsimd(float *y, const float *x, size_t n) {
  // memory.copy (-mbulk-memory): as fast as the 16-float SIMD loop it replaced (in-process A/B of CNN and MLP
  // training and batch-1 predict) and 140 bytes less
  memcpy(y, x, n * sizeof *y);
}
