/* Reference element-wise and row kernels (see kernels.h for each contract). The SIMD twins must match these. */
#include "kernels/kernels.h"

void tt_f32_bias_act__scalar(float *y, const float *bias, int rows, int cols, int act) {
  // y (rows, cols) = act(y + bias (cols,) broadcast over rows), row by row
  for (int r = 0; r < rows; r++) {
    float *yr = y + (size_t)r * cols;
    for (int c = 0; c < cols && bias; c++) yr[c] += bias[c];
    if (act == TT_ACT_RELU) tt_f32_relu__scalar(yr, yr, (size_t)cols);
    if (act == TT_ACT_TANH) tt_f32_tanh__scalar(yr, yr, (size_t)cols);
  }
}

void tt_f32_sum_rows__scalar(float *db, const float *dy, int rows, int cols) {
  // db (cols,) += column sums of dy (rows, cols); accumulates, as every backward does
  for (int r = 0; r < rows; r++) {
    const float *dr = dy + (size_t)r * cols;
    for (int c = 0; c < cols; c++) db[c] += dr[c];
  }
}

void tt_f32_relu__scalar(float *y, const float *x, size_t n) {
  // In place allowed (y == x). NaN maps to 0, as the comparison is false.
  for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void tt_f32_relu_backward__scalar(float *dx, const float *dy, const float *y, size_t n) {
  // dx = dy where the output was positive; in place allowed (dx == dy).
  for (size_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

float tt_f32_sumsq__scalar(const float *x, size_t n) {
  // Accumulates in double so the reference is accurate for long vectors (millions of parameters).
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += (double)x[i] * x[i];
  return (float)s;
}

void tt_f32_scale__scalar(float *x, float s, size_t n) {
  for (size_t i = 0; i < n; i++) x[i] *= s;
}

void tt_f32_fill__scalar(float *x, float v, size_t n) {
  for (size_t i = 0; i < n; i++) x[i] = v;
}

void tt_f32_copy__scalar(float *y, const float *x, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = x[i];
}
