/* The threaded build's split of the sequence models' work (kernels/parallel.h): ranges of units for the layers'
 * own loops (attention by (sample, head) pairs, cross entropy by rows, embeddings and residual adds by blocks), and
 * the kernels that GPT's steps run besides the GEMM: GELU by blocks of elements, layer norm by rows,
 * sum_rows (bias gradients) and layer norm's gamma and beta gradients by columns. As in parallel.c, no sum is ever
 * split: each output element is computed by one thread with the same operations in the same order as on one
 * thread, so any thread count gives the same bits. */
#ifdef TT_THREADS
#include <string.h>

#include "kernels/simd128.h"
#include "kernels/kernels.h"
#include "kernels/parallel.h"

/* below this much work a layer norm backward stays on the calling thread (parallel.c: tt__parallel_range for the rest) */
#define MIN_WORK 16384.0

/* ---- element-wise kernels: blocks of 16 elements -------------------------------------------------------------- */

#define BLOCK 16

typedef struct {
  float *y;
  const float *x, *dy, *bias;
  size_t n;
  int rows, cols, act;
} eltwise_job;

/* [lo, hi) blocks of 16 as elements [*at, *at + result) of the job's n */
static size_t block_span(const eltwise_job *e, int lo, int hi, size_t *at) {
  const size_t end = (size_t)hi * BLOCK < e->n ? (size_t)hi * BLOCK : e->n;
  *at = (size_t)lo * BLOCK;
  return end - *at;
}

static int blocks(size_t n) { return n / BLOCK >= 0x7fffffff ? 0 : (int)((n + BLOCK - 1) / BLOCK); }

static void gelu_blocks(void *arg, int lo, int hi) {
  const eltwise_job *e = arg;
  size_t at, n = block_span(e, lo, hi, &at);
  TT_KERNEL(tt_f32_gelu)(e->y + at, e->x + at, n);
}

/* a GELU costs some 40 operations an element */
void tt__par_gelu(float *y, const float *x, size_t n) {
  eltwise_job e = {.y = y, .x = x, .n = n};
  if (blocks(n)) tt__parallel_range(blocks(n), 40.0 * n, gelu_blocks, &e);
  else TT_KERNEL(tt_f32_gelu)(y, x, n);
}

static void gelu_backward_blocks(void *arg, int lo, int hi) {
  const eltwise_job *e = arg;
  size_t at, n = block_span(e, lo, hi, &at);
  TT_KERNEL(tt_f32_gelu_backward)(e->y + at, e->dy + at, e->x + at, n);
}

void tt__par_gelu_backward(float *dx, const float *dy, const float *x, size_t n) {
  eltwise_job e = {.y = dx, .dy = dy, .x = x, .n = n};
  if (blocks(n)) tt__parallel_range(blocks(n), 50.0 * n, gelu_backward_blocks, &e);
  else TT_KERNEL(tt_f32_gelu_backward)(dx, dy, x, n);
}

/* ---- row-wise kernels: blocks of rows ----------------------------------------------------------------------------- */

/* db (cols) += Σ_r dy[r] of columns [4 lo, 4 hi): the twins' own loop (each column's rows added in order to its
 * starting value), 4 columns at a time and a scalar tail */
static void sum_rows_columns(void *arg, int lo, int hi) {
  const eltwise_job *e = arg;
  const int cols = e->cols, end = 4 * hi < cols ? 4 * hi : cols;
  int c = 4 * lo;
  for (; c + 4 <= end; c += 4) {
    v128_t acc = wasm_v128_load(e->y + c);
    for (int r = 0; r < e->rows; r++) acc = wasm_f32x4_add(acc, wasm_v128_load(e->dy + (size_t)r * cols + c));
    wasm_v128_store(e->y + c, acc);
  }
  for (; c < end; c++) {
    float acc = e->y[c];
    for (int r = 0; r < e->rows; r++) acc += e->dy[(size_t)r * cols + c];
    e->y[c] = acc;
  }
}

void tt__par_sum_rows(float *db, const float *dy, int rows, int cols) {
  eltwise_job e = {.y = db, .dy = dy, .rows = rows, .cols = cols};
  tt__parallel_range((cols + 3) / 4, (double)rows * cols, sum_rows_columns, &e);
}

typedef struct {
  float *y, *stats, *dx, *dgamma, *dbeta, *junk;
  const float *x, *dy, *gamma, *beta, *stats_in;
  int rows, D;
  float eps;
} layernorm_job;

static void layernorm_rows(void *arg, int lo, int hi) {
  const layernorm_job *j = arg;
  const size_t at = (size_t)lo * j->D;
  TT_KERNEL(tt_f32_layernorm)(j->y + at, j->stats + 2 * (size_t)lo, j->x + at, j->gamma, j->beta, hi - lo, j->D,
                              j->eps);
}

void tt__par_layernorm(float *y, float *stats, const float *x, const float *gamma, const float *beta, int rows, int D,
                       float eps) {
  layernorm_job j = {.y = y, .stats = stats, .x = x, .gamma = gamma, .beta = beta, .rows = rows, .D = D, .eps = eps};
  tt__parallel_range(rows, 8.0 * rows * D, layernorm_rows, &j);
}

/* dx of rows [lo, hi): the kernel on those rows, its sums for dgamma and dbeta going to this thread's junk (they are
 * the column pass's) */
static void layernorm_dx_rows(void *arg, int lo, int hi) {
  const layernorm_job *j = arg;
  const size_t at = (size_t)lo * j->D;
  float *junk = j->junk + (size_t)tt__thread_id() * 2 * j->D;
  TT_KERNEL(tt_f32_layernorm_backward)(j->dx + at, junk, junk + j->D, j->dy + at, j->x + at, j->stats_in + 2 * (size_t)lo,
                                       j->gamma, hi - lo, j->D);
}

/* dgamma and dbeta of columns [4 lo, 4 hi): each adds its rows in order, with the kernels' operations (xhat =
 * (x - mean) · rstd, dgamma += dy · xhat, dbeta += dy), 4 columns at a time and a scalar tail */
static void layernorm_dgamma_columns(void *arg, int lo, int hi) {
  const layernorm_job *j = arg;
  const int D = j->D, end = 4 * hi < D ? 4 * hi : D;
  int c = 4 * lo;
  for (; c + 4 <= end; c += 4) {
    v128_t g = wasm_v128_load(j->dgamma + c), b = wasm_v128_load(j->dbeta + c);
    for (int r = 0; r < j->rows; r++) {
      const v128_t dy = wasm_v128_load(j->dy + (size_t)r * D + c);
      const v128_t xhat = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(j->x + (size_t)r * D + c),
                                                        wasm_f32x4_splat(j->stats_in[2 * r])),
                                         wasm_f32x4_splat(j->stats_in[2 * r + 1]));
      g = wasm_f32x4_add(g, wasm_f32x4_mul(dy, xhat));
      b = wasm_f32x4_add(b, dy);
    }
    wasm_v128_store(j->dgamma + c, g);
    wasm_v128_store(j->dbeta + c, b);
  }
  for (; c < end; c++) {
    float g = j->dgamma[c], b = j->dbeta[c];
    for (int r = 0; r < j->rows; r++) {
      const float dy = j->dy[(size_t)r * D + c], xhat = (j->x[(size_t)r * D + c] - j->stats_in[2 * r]) * j->stats_in[2 * r + 1];
      g += dy * xhat;
      b += dy;
    }
    j->dgamma[c] = g;
    j->dbeta[c] = b;
  }
}

/* The input gradient by rows, then dgamma and dbeta by columns (each a sum over every row, in order); in place
 * (dx == dy, which the column pass could not read back) on one thread. */
void tt__par_layernorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                                const float *stats, const float *gamma, int rows, int D) {
  layernorm_job j = {.dx = dx, .dgamma = dgamma, .dbeta = dbeta, .dy = dy, .x = x, .stats_in = stats, .gamma = gamma,
                     .rows = rows, .D = D};
  const double work = 10.0 * rows * D;
  if (!dx || dx == dy || tt__threads() <= 1 || work < MIN_WORK || !(j.junk = tt__thread_scratch(2 * (size_t)D))) {
    TT_KERNEL(tt_f32_layernorm_backward)(dx, dgamma, dbeta, dy, x, stats, gamma, rows, D);
    return;
  }
  memset(j.junk, 0, 2 * (size_t)D * (size_t)tt__threads() * sizeof(float));  // no stray denormals or NaNs
  tt__parallel_range(rows, work, layernorm_dx_rows, &j);
  tt__parallel_range((D + 3) / 4, 4.0 * rows * D, layernorm_dgamma_columns, &j);
}
#endif
