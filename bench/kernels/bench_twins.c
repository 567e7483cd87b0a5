#define _POSIX_C_SOURCE 199309L
/* Every TWIN kernel of kernels/kernel_list.h timed as its SIMD twin against its scalar reference, in one build
 * (emcc -msimd128, run by tools/wasi-run.mjs; natively with -DTT_NATIVE_SIMD). `make bench` runs it as the
 * `kernels` case (bench/tinytrain.mjs, bench/tinytrain-cli.mjs); alone: make -f bench/kernels/kernels.mk twins.
 *
 * The calls come from the list itself: for each kernel a function declares one local per parameter (its
 * `params`), sets each by its name and type from a workload, and calls both twins with the list's `args`. A
 * workload is a line of name=value pairs, so a parameter's meaning is its name, as the list documents it:
 *   - an int, size_t or float parameter takes the workload's value of that name, else the usual value of the
 *     name (DEFAULTS below: lr, beta1, eps, ...), else 0 (int, size_t: flags) or 1 (float);
 *   - a float pointer gets its own buffer, as long as the largest product of two of the workload's numbers (a
 *     matrix or plane of them; n alone for a vector), of uniform values in [-1, 1), except `v` (Adam's second
 *     moment: |values|), `arg` (max pooling's argmax: each window's first element) and the workload's `sparse`
 *     fraction of nonzeros in `dy`;
 *   - a tt__conv_shape from B C H W F k pad_lo pad_hi adjoint, with every buffer long enough for it and its scratch.
 * A kernel with a size_t parameter (the list's element-wise kernels on n elements) needs no workload of its own:
 * it runs at n = 15, 1001 and 100003. Kernels with shapes have their lines in WORKLOADS; a TWIN kernel that has
 * neither is reported as a failed row (and fails `--quick`, which `make test-simd` runs).
 *
 * Usage: bench_twins [seconds per row | --quick] [wall|cpu] [system]. Prints one `BENCH_RESULT {json}` line per
 * row (bench/common.mjs): the value is scalar time / SIMD time. Each row runs both twins in rounds of alternating
 * slices, so a machine that changes speed affects both (see row()). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernels/kernels.h"

#if !defined(__wasm_simd128__) && !defined(TT_NATIVE_SIMD)
#error "bench_twins must be compiled with emcc -msimd128 or -DTT_NATIVE_SIMD, or it would time scalar against scalar"
#endif

/* ---- workloads ------------------------------------------------------------------------------------------ */

/* The usual value of a parameter name, where 1 (float) or 0 (int) would not be a real call. */
static const char *const DEFAULTS = "lr=0.001 beta1=0.9 beta2=0.999 eps=1e-5 bc1=0.1 bc2=0.001 mu=0.9 wd=0.0001 "
                                    "wd_l2=0 decay=0.0001 limit=2147483647";

/* Kernels with shapes: their rows (label, then the workload). The digits CNN's layers, the words GPT's attention
 * and layernorm, the MLP's dense layer, the widget's decision map, and odd sizes that leave every SIMD loop a
 * tail. */
static const struct {
  const char *kernel, *label, *workload;
} WORKLOADS[] = {
    {"gemm", "17x17 · 17x17", "M=17 N=17 K=17 lda=17 ldb=17 ldc=17 beta=0"},
    {"gemm", "64x784 · (128x784)ᵀ (dense forward)", "tb=1 M=64 N=128 K=784 lda=784 ldb=784 ldc=128 beta=0"},
    {"gemm", "(64x128)ᵀ · 64x784 (dense weight gradient)", "ta=1 M=128 N=784 K=64 lda=128 ldb=784 ldc=784 beta=1"},
    {"gemm", "16x200 · 200x196 (conv2 as im2col)", "M=16 N=196 K=200 lda=200 ldb=196 ldc=196 beta=0"},
    {"gemm", "1x784 · (128x784)ᵀ (batch 1)", "tb=1 M=1 N=128 K=784 lda=784 ldb=784 ldc=128 beta=0"},
    {"gemm", "10000x16 · (3x16)ᵀ (decision map's last layer)", "tb=1 M=10000 N=3 K=16 lda=16 ldb=16 ldc=3 beta=0"},
    {"conv_forward", "B 4, 1x28x28, 8 of 5x5, same", "B=4 C=1 H=28 W=28 F=8 k=5 pad_lo=2 pad_hi=2"},
    {"conv_forward", "B 4, 8x14x14, 16 of 5x5, same", "B=4 C=8 H=14 W=14 F=16 k=5 pad_lo=2 pad_hi=2"},
    {"conv_forward", "B 3, 3x13x11, 5 of 3x3, pad 1", "B=3 C=3 H=13 W=11 F=5 k=3 pad_lo=1 pad_hi=1"},
    {"conv_backward_w", "B 4, 1x28x28, 8 of 5x5, same", "B=4 C=1 H=28 W=28 F=8 k=5 pad_lo=2 pad_hi=2"},
    {"conv_backward_w", "B 4, 8x14x14, 16 of 5x5, same", "B=4 C=8 H=14 W=14 F=16 k=5 pad_lo=2 pad_hi=2"},
    {"conv_backward_w", "B 3, 3x13x11, 5 of 3x3, pad 1", "B=3 C=3 H=13 W=11 F=5 k=3 pad_lo=1 pad_hi=1"},
    {"conv_sparse", "B 4, 8x14x14, 16 of 5x5, same, dy 25% nonzero",
     "B=4 C=8 H=14 W=14 F=16 k=5 pad_lo=2 pad_hi=2 sparse=0.25"},
    {"conv_sparse", "B 3, 3x13x11, 5 of 3x3, pad 1, dy 10% nonzero",
     "B=3 C=3 H=13 W=11 F=5 k=3 pad_lo=1 pad_hi=1 sparse=0.1"},
    {"maxpool", "2x2 of a 28x28 plane", "H=28 W=28 K=2 S=2 OH=14 OW=14"},
    {"maxpool", "2x2 of a 15x15 plane", "H=15 W=15 K=2 S=2 OH=7 OW=7"},
    {"maxpool_backward", "2x2 of a 28x28 plane", "H=28 W=28 K=2 OH=14 OW=14"},
    {"maxpool_backward", "2x2 of a 15x15 plane", "H=15 W=15 K=2 OH=7 OW=7"},
    {"bias_act", "64x128, ReLU", "rows=64 cols=128 act=1"},
    {"bias_act", "64x128, tanh", "rows=64 cols=128 act=2"},
    {"bias_act", "7x13, ReLU", "rows=7 cols=13 act=1"},
    {"sum_rows", "64x128", "rows=64 cols=128"},
    {"sum_rows", "7x13", "rows=7 cols=13"},
    {"attend", "16 keys, head 16 of D 64", "n=16 ld=192 dh=16 scale=0.25"},
    {"attend", "37 keys, head 33", "n=37 ld=99 dh=33 scale=0.174"},
    {"attend_backward", "16 keys, head 16 of D 64", "n=16 ld=192 dh=16 scale=0.25"},
    {"attend_backward", "37 keys, head 33", "n=37 ld=99 dh=33 scale=0.174"},
    {"layernorm", "16x64", "rows=16 D=64 eps=1e-5"},
    {"layernorm", "7x33", "rows=7 D=33 eps=1e-5"},
    {"layernorm_backward", "16x64", "rows=16 D=64"},
    {"layernorm_backward", "7x33", "rows=7 D=33"},
};
static const int VECTOR_SIZES[] = {15, 1001, 100003};

/* The value of `name` in a workload line ("a=1 b=2"), or 0 with *found = 0. */
static double lookup(const char *line, const char *name, int *found) {
  const size_t len = strlen(name);
  for (const char *p = line; p && *p;) {
    while (*p == ' ') p++;
    if (strncmp(p, name, len) == 0 && p[len] == '=') {
      *found = 1;
      return strtod(p + len + 1, NULL);
    }
    p = strchr(p, ' ');
  }
  *found = 0;
  return 0;
}

/* One call's arguments: the workload line and the buffers handed out so far (freed after the row). */
typedef struct {
  const char *line;
  size_t floats;  // length of every buffer
  float *bufs[24];
  int nbufs, next;  // buffers made, and the next one to hand out (each call gets the same ones in order)
  tt__conv_shape shape;
  uint64_t rng;
} ctx;

static double value(ctx *c, const char *name, double fallback) {
  int found;
  double v = lookup(c->line, name, &found);
  if (!found) v = lookup(DEFAULTS, name, &found);
  return found ? v : fallback;
}

static float frand(ctx *c) {  // uniform in [-1, 1)
  c->rng = c->rng * 6364136223846793005ull + 1442695040888963407ull;
  return (float)((c->rng >> 40) * (1.0 / 8388608.0)) - 1.0f;
}

static float *buffer(ctx *c, const char *name) {
  if (c->next < c->nbufs) return c->bufs[c->next++];
  float *b = malloc(c->floats * sizeof(float) + 64);
  if (!b || c->nbufs == (int)(sizeof c->bufs / sizeof c->bufs[0])) {
    fprintf(stderr, "bench_twins: out of memory, or more pointer parameters than bufs holds (%zu floats)\n",
            c->floats);
    exit(2);
  }
  c->bufs[c->nbufs++] = b;
  c->next++;
  const double sparse = value(c, "sparse", 1.0);
  for (size_t i = 0; i < c->floats; i++) {
    const float r = frand(c);
    b[i] = strcmp(name, "v") == 0 ? fabsf(r) : strcmp(name, "dy") == 0 && (r + 1.0f) / 2.0f >= sparse ? 0.0f : r;
  }
  if (strcmp(name, "arg") == 0) {  // each window's first element: an argmax maxpool could have written
    const int W = (int)value(c, "W", 0), K = (int)value(c, "K", 0), OH = (int)value(c, "OH", 0);
    const int OW = (int)value(c, "OW", 0), base = (int)value(c, "base", 0);
    for (int i = 0; i < OH; i++)
      for (int j = 0; j < OW; j++) b[i * OW + j] = (float)(base + i * K * W + j * K);
  }
  return b;
}

static const tt__conv_shape *shape(ctx *c) { return &c->shape; }

/* The local `p` of a kernel's call, from the workload by its name and type (the first call of a row makes and
 * fills the buffers; later calls get the same ones). */
#define SET(p)                                                                                             \
  p = _Generic(p, float *: buffer(c, #p), const float *: buffer(c, #p), int: (int)value(c, #p, 0),          \
               size_t: (size_t)value(c, #p, 0), float: (float)value(c, #p, 1), const tt__conv_shape *: shape(c));

/* FOR_EACH(m, a, b, ...) -> m(a) m(b) ..., up to 20 arguments. */
#define NARGS(...) NARGS_(__VA_ARGS__, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define NARGS_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, n, ...) n
#define CAT(a, b) CAT_(a, b)
#define CAT_(a, b) a##b
#define FOR_EACH(m, ...) CAT(EACH_, NARGS(__VA_ARGS__))(m, __VA_ARGS__)
#define EACH_1(m, a) m(a)
#define EACH_2(m, a, ...) m(a) EACH_1(m, __VA_ARGS__)
#define EACH_3(m, a, ...) m(a) EACH_2(m, __VA_ARGS__)
#define EACH_4(m, a, ...) m(a) EACH_3(m, __VA_ARGS__)
#define EACH_5(m, a, ...) m(a) EACH_4(m, __VA_ARGS__)
#define EACH_6(m, a, ...) m(a) EACH_5(m, __VA_ARGS__)
#define EACH_7(m, a, ...) m(a) EACH_6(m, __VA_ARGS__)
#define EACH_8(m, a, ...) m(a) EACH_7(m, __VA_ARGS__)
#define EACH_9(m, a, ...) m(a) EACH_8(m, __VA_ARGS__)
#define EACH_10(m, a, ...) m(a) EACH_9(m, __VA_ARGS__)
#define EACH_11(m, a, ...) m(a) EACH_10(m, __VA_ARGS__)
#define EACH_12(m, a, ...) m(a) EACH_11(m, __VA_ARGS__)
#define EACH_13(m, a, ...) m(a) EACH_12(m, __VA_ARGS__)
#define EACH_14(m, a, ...) m(a) EACH_13(m, __VA_ARGS__)
#define EACH_15(m, a, ...) m(a) EACH_14(m, __VA_ARGS__)
#define EACH_16(m, a, ...) m(a) EACH_15(m, __VA_ARGS__)
#define EACH_17(m, a, ...) m(a) EACH_16(m, __VA_ARGS__)
#define EACH_18(m, a, ...) m(a) EACH_17(m, __VA_ARGS__)
#define EACH_19(m, a, ...) m(a) EACH_18(m, __VA_ARGS__)
#define EACH_20(m, a, ...) m(a) EACH_19(m, __VA_ARGS__)
#define UNPAREN(...) __VA_ARGS__
#define DECLARE(p) p;
#define SIZE_T_PARAM(p) +_Generic(p, size_t: 1, default: 0)

/* ---- timing --------------------------------------------------------------------------------------------- */

static int use_cpu_clock;
static double wall_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static double now(void) { return use_cpu_clock ? cpu_now() : wall_now(); }

/* For each TWIN kernel: run(c, simd, slice, &vector) sets its arguments from c, then calls one twin (simd 1: the
 * SIMD one) until at least `slice` seconds have passed (at least once) and returns the seconds per call; vector
 * gets 1 when the kernel has a size_t parameter. With c NULL it only sets vector. */
typedef double (*runner)(ctx *c, int simd, double slice, int *vector);

#define RUNNER_TWIN(name, params, args)                                                                    \
  static double run_##name(ctx *c, int simd, double slice, int *vector) {                                 \
    FOR_EACH(DECLARE, UNPAREN params)                                                                      \
    *vector = 0 FOR_EACH(SIZE_T_PARAM, UNPAREN args);                                                      \
    if (!c) return 0;                                                                                      \
    c->next = 0;                                                                                           \
    FOR_EACH(SET, UNPAREN args)                                                                            \
    long calls = 0, batch = 1;                                                                             \
    const double t0 = now();                                                                               \
    double t;                                                                                              \
    do { /* batches that double, so reading the clock costs little beside a short kernel */                \
      for (long i = 0; i < batch; i++)                                                                     \
        if (simd)                                                                                          \
          (void)tt_f32_##name##__wasmsimd args;                                                            \
        else                                                                                               \
          (void)tt_f32_##name##__scalar args;                                                              \
      calls += batch;                                                                                      \
      if (batch < (1L << 20)) batch *= 2;                                                                  \
    } while ((t = now()) - t0 < slice);                                                                    \
    return (t - t0) / calls;                                                                               \
  }
#define RUNNER_SCALAR(name, params, args)
#define TT_KERNEL_DEF(kind, ret, name, params, args) RUNNER_##kind(name, params, args)
#include "kernels/kernel_list.h"
#undef TT_KERNEL_DEF

#define ENTRY_TWIN(name) {#name, run_##name},
#define ENTRY_SCALAR(name)
#define TT_KERNEL_DEF(kind, ret, name, params, args) ENTRY_##kind(name)
static const struct {
  const char *name;
  runner run;
} TWINS[] = {
#include "kernels/kernel_list.h"
};
#undef TT_KERNEL_DEF

/* ---- rows ----------------------------------------------------------------------------------------------- */

static const char *system_name = "tinytrain";
static double cpu_total, wall_total;  // for the next row's cpuShare

static void emit(const char *kernel, const char *label, const char *status, double ratio, const char *note) {
  printf("BENCH_RESULT {\"system\":\"%s\",\"case\":\"kernels\",\"row\":\"%s %s\",\"status\":\"%s\",", system_name,
         kernel, label, status);
  if (strcmp(status, "ok") == 0)
    printf("\"value\":%.4g,", ratio);
  else
    printf("\"value\":null,");
  printf("\"unit\":\"×\",\"note\":\"%s\",\"clock\":\"%s\",\"cpuShare\":", note, use_cpu_clock ? "cpu" : "wall");
  if (wall_total > 0)
    printf("%.3f}\n", cpu_total / wall_total);
  else
    printf("null}\n");
  cpu_total = wall_total = 0;
  fflush(stdout);
  if (strcmp(status, "ok") != 0) fprintf(stderr, "FAIL %s %s: %s\n", kernel, label, note);
}

static double fastest(const double *v, int n) {
  double best = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] < best) best = v[i];
  return best;
}

/* The largest product of two of the line's numbers (n alone for a vector), and what a conv shape needs. */
static size_t buffer_floats(ctx *c) {
  double v[32];
  int n = 0;
  for (const char *p = c->line; p && *p && n < 32;) {
    const char *eq = strchr(p, '=');
    if (!eq) break;
    v[n++] = fabs(strtod(eq + 1, NULL));
    p = strchr(eq, ' ');
  }
  double most = 1;
  for (int i = 0; i < n; i++) {
    if (v[i] > most) most = v[i];
    for (int j = i + 1; j < n; j++)
      if (v[i] * v[j] > most) most = v[i] * v[j];
  }
  int found;
  lookup(c->line, "F", &found);
  if (found) {
    tt__conv_shape *s = &c->shape;
    *s = (tt__conv_shape){.B = (int)value(c, "B", 1), .C = (int)value(c, "C", 1), .H = (int)value(c, "H", 1),
                          .W = (int)value(c, "W", 1), .F = (int)value(c, "F", 1), .k = (int)value(c, "k", 1),
                          .pad_lo = (int)value(c, "pad_lo", 0), .pad_hi = (int)value(c, "pad_hi", 0),
                          .adjoint = (int)value(c, "adjoint", 0)};
    const double Hp = s->H + s->pad_lo + s->pad_hi, Wp = s->W + s->pad_lo + s->pad_hi;
    const double sizes[] = {(double)s->B * s->C * Hp * Wp, (double)s->B * s->F * Hp * Wp,
                            (double)s->F * s->C * s->k * s->k, (double)tt__conv_ws_floats(s),
                            (double)tt__conv_sparse_ws_floats(s)};
    for (int i = 0; i < 5; i++)
      if (sizes[i] > most) most = sizes[i];
  }
  return (size_t)most + 16;
}

/* Times one row: both twins in ROUNDS rounds of alternating slices of `seconds` / (2 ROUNDS) each; a twin's time
 * is its fastest slice (another process taking the core only ever makes a slice slower). Returns 1 if it failed. */
enum { ROUNDS = 8 };
static int row(runner run, const char *kernel, const char *label, const char *line, double seconds) {
  ctx c = {.line = line, .rng = 0x9E3779B97F4A7C15ull};
  c.floats = buffer_floats(&c);
  double simd[ROUNDS], scalar[ROUNDS];
  int vector;
  const double w0 = wall_now(), c0 = cpu_now();
  run(&c, 1, 0, &vector);  // warm-up (V8 compiles hot code again at its top tier)
  run(&c, 0, 0, &vector);
  for (int r = 0; r < ROUNDS; r++) {
    simd[r] = run(&c, 1, seconds / (2 * ROUNDS), &vector);
    scalar[r] = run(&c, 0, seconds / (2 * ROUNDS), &vector);
  }
  for (int i = 0; i < c.nbufs; i++) free(c.bufs[i]);
  wall_total += wall_now() - w0, cpu_total += cpu_now() - c0;
  const double s = fastest(simd, ROUNDS), r = fastest(scalar, ROUNDS);
  if (!(s > 0 && r > 0 && isfinite(r / s))) {
    emit(kernel, label, "failed", 0, "no time measured");
    return 1;
  }
  char note[160];
  snprintf(note, sizeof note, "SIMD %.3g us, scalar %.3g us per call", s * 1e6, r * 1e6);
  emit(kernel, label, "ok", r / s, note);
  return 0;
}

int main(int argc, char **argv) {
  const int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  const double seconds = quick ? 0 : argc > 1 ? atof(argv[1]) * 0.25 : 0.25;
  use_cpu_clock = argc > 2 && strcmp(argv[2], "cpu") == 0;
  if (argc > 3) system_name = argv[3];
  int failures = 0;
  for (size_t k = 0; k < sizeof TWINS / sizeof TWINS[0]; k++) {
    int vector, rows = 0;
    TWINS[k].run(NULL, 0, 0, &vector);
    for (size_t w = 0; w < sizeof WORKLOADS / sizeof WORKLOADS[0]; w++)
      if (strcmp(WORKLOADS[w].kernel, TWINS[k].name) == 0)
        failures += row(TWINS[k].run, TWINS[k].name, WORKLOADS[w].label, WORKLOADS[w].workload, seconds), rows++;
    for (size_t i = 0; rows == 0 && vector && i < sizeof VECTOR_SIZES / sizeof VECTOR_SIZES[0]; i++) {
      char line[32], label[32];
      snprintf(line, sizeof line, "n=%d", VECTOR_SIZES[i]);
      snprintf(label, sizeof label, "n %d", VECTOR_SIZES[i]);
      failures += row(TWINS[k].run, TWINS[k].name, label, line, seconds);
    }
    if (rows == 0 && !vector) {
      emit(TWINS[k].name, "(no workload)", "failed", 0,
           "a kernel with shapes needs its rows in WORKLOADS of bench/kernels/bench_twins.c");
      failures++;
    }
  }
  if (quick) fprintf(stderr, "bench_twins --quick: %zu kernels, %d failed rows\n", sizeof TWINS / sizeof TWINS[0],
                     failures);
  return quick && failures ? 1 : 0;
}
