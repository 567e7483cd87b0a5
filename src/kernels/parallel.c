/* The kernels of the threaded build that split their work over threads (kernels/parallel.h): each cuts its
 * outputs into chunks and runs the SIMD twin on each chunk, so every output element is the twin's own sum. The layers
 * call them through the names kernels.h gives them under TT_THREADS. Small calls run on the calling thread. */
#ifdef TT_THREADS
#include <string.h>

#include "kernels/simd128.h"
#include "kernels/kernels.h"
#include "kernels/parallel.h"

/* chunks per thread: enough for a thread on a busy core to take fewer of them */
#define CHUNKS_PER_THREAD 3
/* below this many multiply-adds a call stays on one thread (the fork and join cost about a microsecond) */
#define MIN_WORK 65536.0

static int chunk_count(int units) {
  const int most = tt__threads() * CHUNKS_PER_THREAD;
  return units < most ? units : most;
}

/* One chunk per thread, for splits whose every chunk repeats work of its own (packing, transposing) */
static int chunk_per_thread(int units) { return units < tt__threads() ? units : tt__threads(); }

/* Chunks that shrink as the work runs out (guided scheduling), for the long splits by samples: in the order they are
 * taken, each has about 1 / (2 · threads) of the units left, at least `least` of them and 1 / 32 of all (so they
 * number at most 32). The first chunks are long, so a chunk's fixed work (packing the weights, zeroing an image)
 * repeats only a few times; the last are short, so the threads end within a short chunk of each other instead of one
 * waiting through a long last chunk of the other's. The pool hands out chunks from both ends (the main thread's from
 * the front, the helpers' from the back), so they are laid out long at both ends and short in the middle: chunk k in
 * taking order goes to the front when k % threads == 0, else to the back. Each thread then also takes the same
 * samples in every split of this kind (the main thread the first ones), so what it wrote in one job stays in its
 * core's cache for the next. Fills at[0..chunks] (chunk i is units [at[i], at[i + 1])) and returns chunks. */
#define MAX_GUIDED 64
static int guided(int *at, int n, int least) {
  const int threads = tt__threads(), share = 2 * threads;
  if (least < (n + MAX_GUIDED / 2 - 1) / (MAX_GUIDED / 2)) least = (n + MAX_GUIDED / 2 - 1) / (MAX_GUIDED / 2);
  int size[MAX_GUIDED], chunks = 0;
  for (int done = 0; done < n; done += size[chunks++]) {
    size[chunks] = (n - done + share - 1) / share;
    if (size[chunks] < least) size[chunks] = least;
    if (n - done < size[chunks] || chunks == MAX_GUIDED - 1) size[chunks] = n - done;
  }
  int place[MAX_GUIDED];  // place[i]: the taking order of the chunk at index i
  for (int k = 0, front = 0, back = chunks - 1; k < chunks; k++) place[k % threads ? back-- : front++] = k;
  at[0] = 0;
  for (int i = 0; i < chunks; i++) at[i + 1] = at[i] + size[place[i]];
  return chunks;
}

/* ---- two-way splits: the pair's shares follow their speeds ----------------------------------------------------- */

/* A split whose chunks each repeat work of their own (packing, copying) takes one chunk per thread; on 2 threads the
 * pool gives the front chunk to the main thread and the back one to the helper. A helper on a slower or busier core
 * (the host does not always leave the second core free) would make the main thread wait at every such join, so the
 * front chunk takes main_share of the units, which moves by SHARE_STEP after each such job toward the thread that
 * finished last: near halves for an even pair, more for the main thread while the helper is slow. Where a split
 * falls changes no result (each output is still computed whole by one call). main_share is the main thread's; a job's
 * `first` is written by its chunk that ends first. */
#define SHARE_STEP (1.0f / 32)
static float main_share = 0.5f;

typedef struct {
  int at;     // the front chunk's units (0: an even split)
  int first;  // the chunk that finished first (-1 until one has)
} two_way;

/* Sets w for a split of `units` in `chunks`: shared by speed when it is one chunk per thread on 2 threads */
static void two_way_start(two_way *w, int units, int chunks) {
  w->first = -1, w->at = 0;
  if (chunks != 2 || tt__threads() != 2 || units < 2) return;
  const int at = (int)(units * main_share + 0.5f);
  w->at = at < 1 ? 1 : at > units - 1 ? units - 1 : at;
}

/* chunk i's units [*lo, *hi) of `units` in `chunks` */
static void two_way_part(const two_way *w, int units, int chunks, int i, int *lo, int *hi) {
  *lo = w->at ? (i ? w->at : 0) : (int)((long long)units * i / chunks);
  *hi = w->at ? (i ? units : w->at) : (int)((long long)units * (i + 1) / chunks);
}

/* at the end of chunk i */
static void two_way_done(two_way *w, int i) {
  int none = -1;
  if (w->at) __atomic_compare_exchange_n(&w->first, &none, i, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* after the join: the thread that finished first gets more next time (the main thread also when the helper came
 * too late to take its chunk) */
static void two_way_end(const two_way *w) {
  if (!w->at) return;
  main_share += w->first == 0 ? SHARE_STEP : -SHARE_STEP;
  main_share = main_share < 0.25f ? 0.25f : main_share > 0.75f ? 0.75f : main_share;
}

/* ---- GEMM: blocks of output rows or columns ---------------------------------------------------------------- */

typedef struct {
  int ta, tb, M, N, K, lda, ldb, ldc, by_rows, unit, chunks;
  const float *A, *B;
  float *C, beta;
  two_way w;
} gemm_job;

/* chunk i: units of `unit` rows (or columns) shared out evenly (or by speed, see two_way); the last chunk also takes
 * the rest of the matrix */
static void gemm_chunk(void *arg, int i) {
  gemm_job *g = arg;
  const int total = g->by_rows ? g->M : g->N, units = total / g->unit;
  int ulo, uhi;
  two_way_part(&g->w, units, g->chunks, i, &ulo, &uhi);
  const int lo = ulo * g->unit, hi = i == g->chunks - 1 ? total : uhi * g->unit;
  if (g->by_rows)
    TT_KERNEL(tt_f32_gemm)(g->ta, g->tb, hi - lo, g->N, g->K, g->A + (g->ta ? (size_t)lo : (size_t)lo * g->lda),
                           g->lda, g->B, g->ldb, g->beta, g->C + (size_t)lo * g->ldc, g->ldc);
  else
    TT_KERNEL(tt_f32_gemm)(g->ta, g->tb, g->M, hi - lo, g->K, g->A, g->lda,
                           g->B + (g->tb ? (size_t)lo * g->ldb : (size_t)lo), g->ldb, g->beta, g->C + lo, g->ldc);
  two_way_done(&g->w, i);
}

/* The twin picks its path from the shape (a GEMV when M == 1, or N <= 4, with both operands contiguous along K;
 * else 4x8 tiles): every chunk keeps the whole call's path. A GEMV splits its outputs anywhere; tiles split at
 * multiples of 4 rows or 8 columns, where the whole call's tiles start (and at least 8 columns or 4 rows, so a
 * chunk never turns into a GEMV). The split shares out the largest operand, the one that costs most to move between
 * cores: C when it is the largest, by rows (each thread writes a contiguous block of it: a weight gradient, which
 * the optimizer's split by elements then finds in the same thread's cache), else A by rows or B by columns (a
 * layer's forward pass by its weights' rows). It duplicates the packing of the other operand: a column split packs
 * A again in every chunk, a row split B. Packing a float costs several of a tile's multiply-adds, so a split of
 * fewer than 64 rows or columns per chunk takes one chunk per thread, where that repeat stays small. */
static int split_rows(int M, int N, int K) {
  const double a = (double)M * K, b = (double)K * N, c = (double)M * N;
  return c >= a && c >= b ? 1 : a >= b;
}

void tt__par_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float beta,
                  float *C, int ldc) {
  gemm_job g = {ta, tb, M, N, K, lda, ldb, ldc, 0, 8, 1, A, B, C, beta, {0, -1}};
  const int contiguous = !ta && tb;
  if (M == 1 && contiguous) g.unit = 4;
  else if (N <= 4 && contiguous) g.by_rows = 1, g.unit = 4;
  else g.by_rows = split_rows(M, N, K), g.unit = g.by_rows ? 4 : 8;
  const int units = (g.by_rows ? M : N) / g.unit;
  if (tt__threads() > 1 && K > 0 && (beta == 0.0f || beta == 1.0f) && (double)M * N * K >= MIN_WORK && units > 1) {
    g.chunks = chunk_count(units);
    const int packed = !((M == 1 || N <= 4) && contiguous), most = (g.by_rows ? M : N) / 64;
    if (packed && g.chunks > most) g.chunks = most > chunk_per_thread(units) ? most : chunk_per_thread(units);
    two_way_start(&g.w, units, g.chunks);
    tt__parallel_for(g.chunks, gemm_chunk, &g);
    two_way_end(&g.w);
    return;
  }
  TT_KERNEL(tt_f32_gemm)(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

/* ---- convolutions: samples for outputs, filters for weight gradients ----------------------------------------- */

typedef struct {
  float *y, *dw, *ws;
  const float *x, *dy, *w, *bias;
  tt__conv_shape s;
  size_t ws_floats;  // each thread's scratch
  int chunks, act;   // act: the activation the forward chunks apply to their own samples (0: none)
  int at[MAX_GUIDED + 1];  // a split by samples: chunk i's are [at[i], at[i + 1]) (guided)
} conv_job;

static float *thread_ws(const conv_job *c) { return c->ws + (size_t)tt__thread_id() * c->ws_floats; }

/* [lo, hi) of n items for chunk i of c->chunks */
static int part(int n, int i, int chunks) { return (int)((long long)n * i / chunks); }

/* chunk i's samples: *s is c's shape for them (B = their count), *in and *out one sample's input and output floats;
 * returns the first sample */
static int chunk_samples(const conv_job *c, int i, tt__conv_shape *s, size_t *in, size_t *out) {
  *s = c->s;
  const int lo = c->at[i], hi = c->at[i + 1];
  *in = (size_t)s->C * s->H * s->W;
  *out = (size_t)s->F * (s->H + s->pad_lo + s->pad_hi - s->k + 1) * (s->W + s->pad_lo + s->pad_hi - s->k + 1);
  s->B = hi - lo;
  return lo;
}

void tt__conv_forward_pack(float *ws, const float *w, const tt__conv_shape *s);
void tt__conv_forward_samples(float *y, const float *x, const float *bias, const tt__conv_shape *s, float *xp,
                              float *packed);

/* forward (or an adjoint's input gradient) on samples [lo, hi), with the weights the calling thread packed into its
 * scratch (c->ws), in a padded image of this thread's */
static void conv_forward_chunk(void *arg, int i) {
  const conv_job *c = arg;
  tt__conv_shape s;
  size_t in, out;
  const int lo = chunk_samples(c, i, &s, &in, &out);
  tt__conv_forward_samples(c->y + lo * out, c->x + lo * in, c->bias, &s, thread_ws(c), c->ws);
  if (c->act) TT_KERNEL(tt_f32_bias_act)(c->y + lo * out, NULL, s.B * s.F, (int)(out / s.F), c->act);
}

void tt__par_conv_forward_act(float *y, const float *x, const float *w, const float *bias, const tt__conv_shape *s,
                              int act, float *ws) {
  const double work = (double)s->B * s->C * s->F * s->H * s->W * s->k * s->k;
  const size_t floats = tt__conv_ws_floats(s);
  conv_job c = {.y = y, .x = x, .w = w, .bias = bias, .s = *s, .ws_floats = floats, .act = act};
  if (tt__threads() > 1 && s->B > 1 && work >= MIN_WORK && (c.ws = tt__thread_scratch(floats))) {
    c.chunks = guided(c.at, s->B, 1);
    tt__conv_forward_pack(c.ws, w, s);  // once, not per chunk
    tt__parallel_for(c.chunks, conv_forward_chunk, &c);
    return;
  }
  TT_KERNEL(tt_f32_conv_forward)(y, x, w, bias, s, ws);
  const int OH = s->H + s->pad_lo + s->pad_hi - s->k + 1, OW = s->W + s->pad_lo + s->pad_hi - s->k + 1;
  if (act) tt__par_bias_act(y, NULL, s->B * s->F, OH * OW, act);
}

void tt__par_conv_forward(float *y, const float *x, const float *w, const float *bias, const tt__conv_shape *s,
                          float *ws) {
  tt__par_conv_forward_act(y, x, w, bias, s, 0, ws);
}

/* The weight gradient's filters split over threads (dw (F, C, k, k); the dense kernel takes no adjoint shape): a
 * chunk takes filters [lo, hi), copies their channels of dy of every sample into its scratch, and runs the kernel on
 * that narrower shape: each gradient still sums over all samples in one call, in the kernel's order. */
typedef struct {
  conv_job c;
  int rows, unit;    // rows go out in blocks of unit (the last chunk takes the rest)
  size_t kernel_ws;  // the kernel's part of each thread's scratch; the copied channels follow
} conv_dw_job;

static void conv_dw_chunk(void *arg, int i) {
  const conv_dw_job *j = arg;
  tt__conv_shape s = j->c.s;
  const int units = j->rows / j->unit, lo = part(units, i, j->c.chunks) * j->unit;
  const int hi = i == j->c.chunks - 1 ? j->rows : part(units, i + 1, j->c.chunks) * j->unit, n = hi - lo;
  const int OH = s.H + s.pad_lo + s.pad_hi - s.k + 1, OW = s.W + s.pad_lo + s.pad_hi - s.k + 1;
  float *ws = thread_ws(&j->c), *copy = ws + j->kernel_ws;
  const size_t plane = (size_t)OH * OW;  // the filters of dy that this chunk's rows need
  for (int b = 0; b < s.B; b++)
    memcpy(copy + (size_t)b * n * plane, j->c.dy + ((size_t)b * s.F + lo) * plane, (size_t)n * plane * sizeof(float));
  s.F = n;
  TT_KERNEL(tt_f32_conv_backward_w)(j->c.dw + (size_t)lo * s.C * s.k * s.k, copy, j->c.x, &s, ws);
}

/* Sets up *j, the weight gradient's split over threads, all but its scratch (j->c.ws, j->c.ws_floats floats a
 * thread); returns 0 when it is too small to split. The kernel computes filters 8 at a time (a tile's width), so
 * it gets blocks of 8: fewer would cost as much as 8 each. */
static int conv_dw_split(conv_dw_job *j, float *dw, const float *dy, const float *x, const tt__conv_shape *s) {
  const int OH = s->H + s->pad_lo + s->pad_hi - s->k + 1, OW = s->W + s->pad_lo + s->pad_hi - s->k + 1;
  const double work = (double)s->B * s->C * s->F * OH * OW * s->k * s->k;
  if (tt__threads() <= 1 || s->adjoint || s->F < 16 || work < MIN_WORK) return 0;
  *j = (conv_dw_job){.c = {.dw = dw, .dy = dy, .x = x, .s = *s}, .rows = s->F, .unit = 8};
  j->kernel_ws = tt__conv_ws_floats(s);
  // a chunk copies at most ceil(F / chunks) filters; bounded here by all of them
  j->c.ws_floats = j->kernel_ws + (size_t)s->B * s->F * OH * OW;
  j->c.chunks = chunk_per_thread(s->F / 8);  // each chunk pads and transposes every sample again
  return 1;
}

void tt__par_conv_backward_w(float *dw, const float *dy, const float *x, const tt__conv_shape *s, float *ws) {
  conv_dw_job j;
  if (conv_dw_split(&j, dw, dy, x, s) && (j.c.ws = tt__thread_scratch(j.c.ws_floats)))
    tt__parallel_for(j.c.chunks, conv_dw_chunk, &j);
  else
    TT_KERNEL(tt_f32_conv_backward_w)(dw, dy, x, s, ws);
}

/* ---- the sparse pass: each nonzero listed once, for both halves ------------------------------------------------ */

/* The sparse pass (kernel_list.h: conv_sparse) in three jobs. The first counts dy's nonzeros by samples, as the
 * kernel does before it decides (the dense kernels run when there are too many); below MIN_WORK floats it runs on
 * the calling thread, where reading each float once costs less than a job's hand-over (a larger count reads memory
 * that both threads have just written, each its part, which each then counts). With fewer than the limit, the
 * second, by samples (guided), lists the nonzeros of every (sample, filter) of dy (positions and values, as the
 * kernel lists them), and its first chunk makes wᵀ when dx is wanted. Without dw (a forward pass) there is no second
 * job: the calling thread makes wᵀ and each dx chunk lists its own samples. The third runs dwᵀ by tiles (filters ×
 * k·R tiles of 16 floats, one chunk per thread: each copies every sample of x into a padded channels-last image,
 * sums its tiles over the samples in order and adds them into dw) and dx by samples (guided), both from the shared
 * lists, each thread in a padded image of its own: no chunk lists or transposes w again, and no split pads a kernel
 * row more. dx's chunks apply the layer's fused activation (act) to the samples they write. */

void tt__conv_nhwc(float *xp, float *x, int C, int H, int W, int RS, int back);
void tt__conv_wt(float *wt, float *w, int F, int C, int k, int L, int adjoint, int add);

typedef struct {
  tt__conv_shape s;
  float *dw, *dx;
  const float *dy, *x, *w, *bias;
  int OH, OW, Hp, Wp, P, S, L, R, T;  // S: a padded row's floats; L = 16 R: a kernel row's in wᵀ; T = k·R tiles
  size_t np, at;                      // a padded image's floats (with the kernels' over-read); the interior's start
  int act;                            // the activation dx's chunks apply to their samples (0: none)
  int *o, *n;                         // (B, F, P) positions, (B, F) counts
  float *v, *wt, *dwt, *images;       // (B, F, P) values; (F, k, L) wᵀ and dwᵀ; (threads, np) padded images
  int count_chunks, list_chunks, dw_chunks, dx_chunks;
  two_way halves;                     // dw's two chunks when there is no dx to balance them
  int counts[16 * CHUNKS_PER_THREAD];
  int list_at[MAX_GUIDED + 1], dx_at[MAX_GUIDED + 1];  // the list's and dx's chunks of samples (guided)
} sparse_job;

/* xp (np floats) = 0 but where the H rows of W·C floats of a channels-last image start at `at` (S apart) */
static void zero_border(float *xp, size_t np, size_t at, int H, int W, int C, int S) {
  size_t from = 0;
  for (int ih = 0; ih < H; ih++, at += (size_t)S) {
    TT_KERNEL(tt_f32_fill)(xp + from, 0.0f, at - from);
    from = at + (size_t)W * C;
  }
  TT_KERNEL(tt_f32_fill)(xp + from, 0.0f, np - from);
}

/* dy's nonzeros in samples [lo, hi), counted 4 lanes at a time */
static void sparse_count_chunk(void *arg, int i) {
  sparse_job *j = arg;
  const size_t per = (size_t)j->s.F * j->P;
  const float *p = j->dy + part(j->s.B, i, j->count_chunks) * per;
  const float *end = j->dy + part(j->s.B, i + 1, j->count_chunks) * per;
  int n = 0;
  for (; p + 4 <= end; p += 4)
    n += __builtin_popcount((unsigned)wasm_i32x4_bitmask(wasm_f32x4_ne(wasm_v128_load(p), wasm_f32x4_splat(0.0f))));
  for (; p < end; p++) n += *p != 0.0f;
  j->counts[i] = n;
}

/* samples [lo, hi): dy's nonzeros per filter in order of position, listed without a branch */
static void sparse_list(const sparse_job *j, int lo, int hi) {
  const tt__conv_shape *s = &j->s;
  const float *dy = j->dy + (size_t)lo * s->F * j->P;
  for (int bf = lo * s->F; bf < hi * s->F; bf++) {
    int *o = j->o + (size_t)bf * j->P, n = 0;
    float *v = j->v + (size_t)bf * j->P;
    for (int oy = 0; oy < j->OH; oy++)
      for (int ox = 0; ox < j->OW; ox++, dy++) o[n] = (oy * j->Wp + ox) * s->C, v[n] = *dy, n += *dy != 0.0f;
    j->n[bf] = n;
  }
}

/* wᵀ first (when dx is wanted), then the lists' chunks */
static void sparse_first_chunk(void *arg, int i) {
  sparse_job *j = arg;
  const int wt = j->dx != NULL;
  if (i >= wt) sparse_list(j, j->list_at[i - wt], j->list_at[i - wt + 1]);
  else {  // wᵀ's lanes past k·C stay zero: dx's tiles add them to the next windows' floats
    TT_KERNEL(tt_f32_fill)(j->wt, 0.0f, (size_t)j->s.F * j->T * 16);
    tt__conv_wt(j->wt, (float *)j->w, j->s.F, j->s.C, j->s.k, j->L, j->s.adjoint, 0);
  }
}

/* dwᵀ's tiles [lo, hi) of all filters' F·T: zeroed, summed over the samples in order (each sample of x copied into
 * this thread's image first), then added into dw (conv_wt's add, tile by tile) */
static void sparse_dw_chunk(sparse_job *j, int i) {
  const tt__conv_shape *s = &j->s;
  const int units = s->F * j->T;
  int lo, hi;
  two_way_part(&j->halves, units, j->dw_chunks, i, &lo, &hi);
  TT_KERNEL(tt_f32_fill)(j->dwt + (size_t)lo * 16, 0.0f, (size_t)(hi - lo) * 16);
  float *xp = j->images + (size_t)tt__thread_id() * j->np;
  zero_border(xp, j->np, j->at, s->H, s->W, s->C, j->S);
  for (int b = 0; b < s->B; b++) {
    tt__conv_nhwc(xp + j->at, (float *)j->x + b * (size_t)s->C * s->H * s->W, s->C, s->H, s->W, j->S, 0);
    for (int u = lo; u < hi;) {  // the chunk's tiles of filter f
      const int f = u / j->T, end = (f + 1) * j->T < hi ? (f + 1) * j->T : hi, bf = b * s->F + f;
      if (j->n[bf])
        TT_KERNEL(tt_f32_conv_sparse_dw_tiles)(j->dwt + (size_t)f * j->T * 16, xp,
                                               j->o + (size_t)bf * j->P, j->v + (size_t)bf * j->P, j->n[bf],
                                               u - f * j->T, end - f * j->T, j->R, j->S);
      u = end;
    }
  }
  const int kk = s->k * s->k;
  for (int u = lo; u < hi; u++) {
    const int f = u / j->T, t = u % j->T, ki = t / j->R;
    for (int lane = t % j->R * 16, i = 0; i < 16 && lane < s->k * s->C; i++, lane++) {
      const int c = lane % s->C, tap = ki * s->k + lane / s->C;
      j->dw[s->adjoint ? ((size_t)c * s->F + f + 1) * kk - 1 - tap : ((size_t)f * s->C + c) * kk + tap] +=
          j->dwt[(size_t)u * 16 + i];
    }
  }
  two_way_done(&j->halves, i);
}

/* dx of samples [lo, hi), in this thread's padded image: the kernel's per-sample steps (when no dw is wanted, the
 * chunk lists its samples' nonzeros first: no other chunk reads them) */
static void sparse_dx_chunk(const sparse_job *j, int i) {
  const tt__conv_shape *s = &j->s;
  const int lo = j->dx_at[i], hi = j->dx_at[i + 1];
  if (!j->dw) sparse_list(j, lo, hi);
  float *dxp = j->images + (size_t)tt__thread_id() * j->np;
  for (int b = lo; b < hi; b++) {
    TT_KERNEL(tt_f32_fill)(dxp, 0.0f, j->np);
    for (int f = 0, bf = b * s->F; f < s->F; f++, bf++)
      if (j->n[bf])
        TT_KERNEL(tt_f32_conv_sparse_dx_tiles)(dxp, j->wt + (size_t)f * j->T * 16, j->o + (size_t)bf * j->P,
                                               j->v + (size_t)bf * j->P, j->n[bf], j->T, j->R, j->S);
    if (j->bias) TT_KERNEL(tt_f32_bias_act)(dxp, j->bias, j->Hp * j->Wp, s->C, 0);
    tt__conv_nhwc(dxp + j->at, j->dx + b * (size_t)s->C * s->H * s->W, s->C, s->H, s->W, j->S, 1);
    if (j->act) TT_KERNEL(tt_f32_bias_act)(j->dx + b * (size_t)s->C * s->H * s->W, NULL, s->C, s->H * s->W, j->act);
  }
}

/* dw's tile chunks (they sum over every sample) and dx's sample chunks in one job */
static void sparse_second_chunk(void *arg, int i) {
  sparse_job *j = arg;
  // dw's first chunk at the front, its others at the back (the pool's two ends: every thread starts on one), dx's
  // chunks in between
  const int last = j->dw_chunks + j->dx_chunks - 1;
  if (j->dw_chunks && (i == 0 || i > last - j->dw_chunks + 1)) sparse_dw_chunk(j, i ? last + 1 - i : 0);
  else sparse_dx_chunk(j, i - (j->dw_chunks > 0));
}

int tt__par_conv_sparse_act(float *dw, float *dx, const float *dy, const float *x, const float *w, const float *bias,
                            const tt__conv_shape *s, int limit, int act, float *ws) {
  sparse_job j = {.s = *s, .dw = dw, .dx = dx, .dy = dy, .x = x, .w = w, .bias = bias, .act = dx ? act : 0};
  j.Hp = s->H + s->pad_lo + s->pad_hi, j.Wp = s->W + s->pad_lo + s->pad_hi;
  j.OH = j.Hp - s->k + 1, j.OW = j.Wp - s->k + 1, j.P = j.OH * j.OW, j.S = j.Wp * s->C;
  j.L = (s->k * s->C + 15) / 16 * 16, j.R = j.L / 16, j.T = s->k * j.R;
  j.np = (size_t)j.Hp * j.S + 16, j.at = (size_t)s->pad_lo * (j.S + s->C);
  const double work = (double)s->B * s->C * s->F * j.P * s->k * s->k;
  // scratch: the lists, wᵀ, dwᵀ, a padded image per thread; in floats
  const double lists = 2.0 * s->B * s->F * j.P + (double)s->B * s->F, wts = (double)s->F * j.T * 16;
  const double all = lists + 2 * wts + (double)tt__threads() * j.np;
  if (limit <= 0 || tt__threads() <= 1 || s->B < 2 || work < MIN_WORK || all > 268435456.0 ||
      !(j.o = (int *)tt__thread_scratch(((size_t)all + tt__threads() - 1) / tt__threads()))) {
    if (!TT_KERNEL(tt_f32_conv_sparse)(dw, dx, dy, x, w, bias, s, limit, ws)) return 0;
    if (dx && act) tt__par_bias_act(dx, NULL, s->B * s->C, s->H * s->W, act);
    return 1;
  }
  const size_t entries = (size_t)s->B * s->F * j.P;
  j.v = (float *)(j.o + entries), j.n = (int *)(j.v + entries);
  float *next = (float *)(j.n + (size_t)s->B * s->F);
  j.wt = next, j.dwt = j.wt + (size_t)s->F * j.T * 16, j.images = j.dwt + (size_t)s->F * j.T * 16;
  j.count_chunks = (double)s->B * s->F * j.P < MIN_WORK ? 1 : chunk_count(s->B);
  tt__parallel_for(j.count_chunks, sparse_count_chunk, &j);
  long long nonzeros = 0;
  for (int i = 0; i < j.count_chunks; i++) nonzeros += j.counts[i];
  if (nonzeros >= limit) return 0;
  if (dw) {
    j.list_chunks = guided(j.list_at, s->B, 1);
    tt__parallel_for(j.list_chunks + (dx ? 1 : 0), sparse_first_chunk, &j);
  } else {  // dx alone: wᵀ here, and each dx chunk lists its own samples
    sparse_first_chunk(&j, 0);
  }
  j.dw_chunks = dw ? chunk_per_thread(s->F * j.T) : 0;  // each chunk copies every sample of x
  j.dx_chunks = dx ? guided(j.dx_at, s->B, 1) : 0;
  two_way_start(&j.halves, j.dx_chunks ? 0 : s->F * j.T, j.dw_chunks);
  tt__parallel_for(j.dw_chunks + j.dx_chunks, sparse_second_chunk, &j);
  two_way_end(&j.halves);
  return 1;
}

int tt__par_conv_sparse(float *dw, float *dx, const float *dy, const float *x, const float *w, const float *bias,
                        const tt__conv_shape *s, int limit, float *ws) {
  return tt__par_conv_sparse_act(dw, dx, dy, x, w, bias, s, limit, 0, ws);
}

/* ---- element-wise kernels and the layers' own loops -------------------------------------------------------------- */

typedef struct {
  int n, chunks;
  tt__range_fn *fn;
  void *arg;
} range_job;

static void range_chunk(void *arg, int i) {
  const range_job *r = arg;
  r->fn(r->arg, part(r->n, i, r->chunks), part(r->n, i + 1, r->chunks));
}

void tt__parallel_range(int n, double work, tt__range_fn *fn, void *arg) {
  if (tt__threads() > 1 && n > 1 && work >= MIN_WORK) {
    range_job r = {n, chunk_count(n), fn, arg};
    tt__parallel_for(r.chunks, range_chunk, &r);
    return;
  }
  fn(arg, 0, n);
}

/* Element-wise kernels on blocks of 16 floats (rows for bias_act): each element is what the twin gives it. */
typedef struct {
  float *y;
  const float *x, *z;
  size_t n;
  float v;
  int cols, act;
} elementwise_job;

#define BLOCK 16

static void bias_act_part(void *arg, int lo, int hi) {
  const elementwise_job *e = arg;
  TT_KERNEL(tt_f32_bias_act)(e->y + (size_t)lo * e->cols, e->x, hi - lo, e->cols, e->act);
}

void tt__par_bias_act(float *y, const float *bias, int rows, int cols, int act) {
  elementwise_job e = {.y = y, .x = bias, .cols = cols, .act = act};
  tt__parallel_range(rows, (double)rows * cols * (act == TT_ACT_TANH ? 8 : 1), bias_act_part, &e);
}

/* blocks [lo, hi) of e's n floats: *at is where they start, the result their count (the last block ends at n) */
static size_t in_blocks(const elementwise_job *e, int lo, int hi, size_t *at) {
  *at = (size_t)lo * BLOCK;
  return ((size_t)hi * BLOCK < e->n ? (size_t)hi * BLOCK : e->n) - *at;
}

static void relu_part(void *arg, int lo, int hi) {
  const elementwise_job *e = arg;
  size_t at, n = in_blocks(e, lo, hi, &at);
  TT_KERNEL(tt_f32_relu)(e->y + at, e->x + at, n);
}

static void relu_backward_part(void *arg, int lo, int hi) {
  const elementwise_job *e = arg;
  size_t at, n = in_blocks(e, lo, hi, &at);
  TT_KERNEL(tt_f32_relu_backward)(e->y + at, e->x + at, e->z + at, n);
}

static void fill_part(void *arg, int lo, int hi) {
  const elementwise_job *e = arg;
  size_t at, n = in_blocks(e, lo, hi, &at);
  TT_KERNEL(tt_f32_fill)(e->y + at, e->v, n);
}

/* n / BLOCK fits an int: the threaded build is wasm32's */
static void elementwise(elementwise_job *e, tt__range_fn *fn) {
  tt__parallel_range((int)((e->n + BLOCK - 1) / BLOCK), (double)e->n, fn, e);
}

void tt__par_relu(float *y, const float *x, size_t n) {
  elementwise(&(elementwise_job){.y = y, .x = x, .n = n}, relu_part);
}

void tt__par_relu_backward(float *dx, const float *dy, const float *y, size_t n) {
  elementwise(&(elementwise_job){.y = dx, .x = dy, .z = y, .n = n}, relu_backward_part);
}

void tt__par_fill(float *x, float v, size_t n) {
  elementwise(&(elementwise_job){.y = x, .v = v, .n = n}, fill_part);
}

/* where chunk i of `chunks` over n floats starts, at a multiple of BLOCK floats (n for i == chunks) */
static size_t block_part(size_t n, int i, int chunks) {
  return i == chunks ? n : n / BLOCK * (size_t)i / (size_t)chunks * BLOCK;
}

/* Σ x² in chunk sums added in chunk order: the same at one thread count, its last bits may change with another */
typedef struct {
  const float *x;
  size_t n;
  int chunks;
  double sums[TT_MAX_THREADS * CHUNKS_PER_THREAD];
} sumsq_job;

static void sumsq_chunk(void *arg, int i) {
  sumsq_job *s = arg;
  const size_t lo = block_part(s->n, i, s->chunks);
  s->sums[i] = TT_KERNEL(tt_f32_sumsq)(s->x + lo, block_part(s->n, i + 1, s->chunks) - lo);
}

float tt__par_sumsq_unordered(const float *x, size_t n) {
  sumsq_job s = {.x = x, .n = n, .chunks = chunk_count((int)(n / BLOCK))};
  if (tt__threads() <= 1 || (double)n < MIN_WORK || s.chunks < 2) return TT_KERNEL(tt_f32_sumsq)(x, n);
  tt__parallel_for(s.chunks, sumsq_chunk, &s);
  double total = 0.0;
  for (int i = 0; i < s.chunks; i++) total += s.sums[i];
  return (float)total;
}

/* ---- optimizer updates: blocks of parameters ------------------------------------------------------------------ */

typedef struct {
  float *p_out, *m_out, *v_out;
  const float *p, *g, *m, *v;
  size_t n;
  float lr, beta1, beta2, eps, wd, decay, bc1, bc2, mu;
  int nesterov, first, chunks;
} update_job;

#define UPDATE_MIN 8192 /* parameters below which an update stays on one thread */

static void adam_chunk(void *arg, int i) {
  const update_job *u = arg;
  const size_t lo = block_part(u->n, i, u->chunks), n = block_part(u->n, i + 1, u->chunks) - lo;
  TT_KERNEL(tt_f32_adam)(u->p_out + lo, u->m_out + lo, u->v_out + lo, u->p + lo, u->g + lo, u->m + lo, u->v + lo, n,
                         u->lr, u->beta1, u->beta2, u->eps, u->wd, u->decay, u->bc1, u->bc2);
}

void tt__par_adam(float *p_out, float *m_out, float *v_out, const float *p, const float *g, const float *m,
                  const float *v, size_t n, float lr, float beta1, float beta2, float eps, float wd_l2, float decay,
                  float bc1, float bc2) {
  update_job u = {.p_out = p_out, .m_out = m_out, .v_out = v_out, .p = p, .g = g, .m = m, .v = v, .n = n, .lr = lr,
                  .beta1 = beta1, .beta2 = beta2, .eps = eps, .wd = wd_l2, .decay = decay, .bc1 = bc1, .bc2 = bc2};
  if (tt__threads() > 1 && n >= UPDATE_MIN) {
    u.chunks = chunk_count((int)(n / 2048));
    tt__parallel_for(u.chunks, adam_chunk, &u);
    return;
  }
  TT_KERNEL(tt_f32_adam)(p_out, m_out, v_out, p, g, m, v, n, lr, beta1, beta2, eps, wd_l2, decay, bc1, bc2);
}

static void sgd_chunk(void *arg, int i) {
  const update_job *u = arg;
  const size_t lo = block_part(u->n, i, u->chunks), n = block_part(u->n, i + 1, u->chunks) - lo;
  TT_KERNEL(tt_f32_sgd)(u->p_out + lo, u->mu != 0.0f ? u->m_out + lo : u->m_out, u->p + lo, u->g + lo,
                        u->mu != 0.0f ? u->m + lo : u->m, n, u->lr, u->mu, u->wd, u->nesterov, u->first);
}

void tt__par_sgd(float *p_out, float *buf_out, const float *p, const float *g, const float *buf, size_t n, float lr,
                 float mu, float wd, int nesterov, int first) {
  update_job u = {.p_out = p_out, .m_out = buf_out, .p = p, .g = g, .m = buf, .n = n, .lr = lr, .wd = wd, .mu = mu,
                  .nesterov = nesterov, .first = first};
  if (tt__threads() > 1 && n >= UPDATE_MIN) {
    u.chunks = chunk_count((int)(n / 2048));
    tt__parallel_for(u.chunks, sgd_chunk, &u);
    return;
  }
  TT_KERNEL(tt_f32_sgd)(p_out, buf_out, p, g, buf, n, lr, mu, wd, nesterov, first);
}
#endif
