/* Losses: mean squared error, cross entropy over logits (log-softmax fused) and binary cross entropy over
 * logits (sigmoid fused). Each returns the MEAN loss over the batch and, when asked, d(mean loss)/d(logits),
 * matching torch.nn.functional.{mse_loss, cross_entropy, binary_cross_entropy_with_logits} with the default
 * reduction='mean'. Sums run in double: a batch of a few thousand rows would otherwise lose digits in float.
 * Legend: R rows (samples, or sample positions for sequence outputs), K classes / outputs per row. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "layers.h"
#include "../kernels/kernels.h"
#include "../kernels/parallel.h"

static void count(long *counter, long n) {
  if (counter) *counter += n;
}

/* e^x for x <= 0, the only arguments the losses need, to within a few ulps of libm's exp (whose 2 KiB table
 * would be the largest item in the wasm module's data). x = k ln2 + r with |r| <= ln2/2 (ln2 split in a high
 * part exact in k * hi and a low part), e^r by its Taylor series to degree 13 (truncation < 1e-17), then
 * scaled by 2^k built from the exponent bits, in two steps when 2^k is below the normal range. */
static double exp_nonpositive(double x) {
  if (!(x > -746.0)) return x != x ? x : 0.0;  // NaN stays NaN; below e^-746 even subnormals are 0
  double k = floor(x * 1.4426950408889634 + 0.5);
  double r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  double p = 1.0, term = 1.0;
  for (int i = 1; i <= 13; i++) term *= r / i, p += term;
  int e = (int)k;
  if (e < -1000) p *= 0x1p-100, e += 100;
  uint64_t bits = (uint64_t)(e + 1023) << 52;
  double scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/* Cross entropy with the log-sum-exp shifted by the row max, so logits of ±1000 stay finite:
 * loss_r = log Σ_k exp(x_rk - m_r) + m_r - x_r,t;  dx_rk = (softmax_rk - [k == t]) / R.
 * One row x (K) of R with target t: returns its loss, writes its gradient row dx (K) unless dx is NULL, and adds 1 to
 * *right when its first max is at t. */
TT__INLINE double cross_entropy_row(float *dx, const float *x, int t, int rows, int cols, long *right) {
  TT_ASSERT(t >= 0 && t < cols);                   // labels were validated by the caller
  int arg = 0;                                     // first index of the max, as torch.argmax
  for (int k = 1; k < cols; k++)
    if (x[k] > x[arg]) arg = k;
  double m = x[arg], z = 0.0, e[16];              // e: the row's exponentials, reused by the gradient
  for (int k = 0; k < cols; k++) {
    double ek = exp_nonpositive((double)x[k] - m);
    if (k < 16) e[k] = ek;
    z += ek;
  }
  double lse = m + log(z);
  *right += arg == t;
  if (dx)
    for (int k = 0; k < cols; k++) {
      double p = (k < 16 ? e[k] : exp_nonpositive((double)x[k] - m)) / z;
      dx[k] = (float)((p - (k == t)) / rows);
    }
  return lse - (double)x[t];
}

/* Rows [lo, hi), each row's hit to its thread's counter and its loss to loss[r] (summed in row order afterwards)
 * when the job has that array, which the threaded build's split over threads needs; else to total, in row order. */
typedef struct {
  float *dlogits;
  const float *logits, *targets;
  int rows, cols;
  double *loss, total;
  long *hits;
} cross_entropy_job;

TT__RANGE_FN void cross_entropy_rows(void *arg, int lo, int hi) {
  cross_entropy_job *j = arg;
  long *right = j->hits + tt__thread_id();
  for (int r = lo; r < hi; r++) {
    const double loss = cross_entropy_row(j->dlogits ? j->dlogits + (size_t)r * j->cols : NULL,
                                          j->logits + (size_t)r * j->cols, (int)j->targets[r], j->rows, j->cols, right);
    if (j->loss) j->loss[r] = loss;
    else j->total += loss;
  }
}

static double cross_entropy(float *dlogits, const float *logits, const float *targets, int rows, int cols,
                            long *correct) {
  long hits[TT_MAX_THREADS] = {0}, right = 0;
  // the rows' losses (a double each) in the threads' scratch (none on one thread, or when memory runs out)
  cross_entropy_job j = {dlogits, logits, targets, rows, cols, (double *)tt__thread_scratch(2 * (size_t)rows), 0.0,
                         hits};
  if (j.loss) tt__parallel_range(rows, 300.0 * rows * cols, cross_entropy_rows, &j);  // an exp: 300 multiply-adds
  else cross_entropy_rows(&j, 0, rows);
  for (int r = 0; j.loss && r < rows; r++) j.total += j.loss[r];
  for (int t = 0; t < TT_MAX_THREADS; t++) right += hits[t];
  count(correct, right);
  return j.total / rows;
}

/* Mean over all R*K elements of (x - y)²; dx = 2 (x - y) / (R*K). */
static double mse(float *dlogits, const float *x, const float *y, size_t n) {
  double total = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = (double)x[i] - (double)y[i];
    total += d * d;
    if (dlogits) dlogits[i] = (float)(2.0 * d / (double)n);
  }
  return total / (double)n;
}

/* log(1 + e) for e in (0, 1], accurate to a few ulps also for tiny e (the correction cancels the rounding of
 * 1 + e): a few bytes instead of libm's log1p in the wasm module. */
static double log1p_small(double e) {
  double u = 1.0 + e;
  return u == 1.0 ? e : log(u) * e / (u - 1.0);
}

/* Binary cross entropy on logits, in the stable form max(x, 0) - x*y + log(1 + exp(-|x|)) (never exp of a
 * large positive number); dx = (sigmoid(x) - y) / (R*K), with sigmoid evaluated on the side where exp
 * cannot overflow. A prediction counts as correct when (x > 0) agrees with (y >= 0.5). */
static double binary_cross_entropy(float *dlogits, const float *x, const float *y, size_t n, long *correct) {
  double total = 0.0;
  long right = 0;
  for (size_t i = 0; i < n; i++) {
    double xi = x[i], yi = y[i];
    double e = exp_nonpositive(-fabs(xi));  // in (0, 1]
    total += fmax(xi, 0.0) - xi * yi + log1p_small(e);
    right += (xi > 0.0) == (yi >= 0.5);
    if (dlogits) {
      double s = xi >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      dlogits[i] = (float)((s - yi) / (double)n);
    }
  }
  count(correct, right);
  return total / (double)n;
}

double tt__loss(tt__loss_type type, float *dlogits, const float *logits, const float *targets, int rows,
                int cols, long *correct, long *total) {
  TT_ASSERT(rows >= 0 && cols > 0);
  if (rows == 0) return 0.0;                       // an empty batch has no mean; callers never train on one
  size_t n = (size_t)rows * (size_t)cols;
  switch (type) {
    case TT_LOSS_CROSS_ENTROPY:
      count(total, rows);
      return cross_entropy(dlogits, logits, targets, rows, cols, correct);
    case TT_LOSS_MSE:
      return mse(dlogits, logits, targets, n);
    case TT_LOSS_BCE:
      count(total, (long)n);
      return binary_cross_entropy(dlogits, logits, targets, n, correct);
  }
  TT_ASSERT(!"unknown loss type");
  return 0.0;
}
