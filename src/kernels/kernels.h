/* Compute kernels. Each op has a scalar reference (src/kernels/scalar/, the spec) and, where it pays, a wasm
 * SIMD128 twin (src/kernels/wasmsimd/, same file names) with the same signature. The kernels and their contracts
 * are listed once, in kernels/kernel_list.h; layers call the tt__ dispatch functions made from that list, which
 * select the SIMD twin when compiled with -msimd128 or -DTT_NATIVE_SIMD (see Dispatch) and the scalar one
 * otherwise. tests/simd/ checks every twin against its scalar reference on sizes 1..3*width+3, unaligned offsets
 * and all transpose forms. */
#ifndef TT_KERNELS_H
#define TT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* bias_act's activations */
enum { TT_ACT_RELU = 1, TT_ACT_TANH = 2 };

/* Coefficients shared by the twins (highest first), from tools/fit_tanh.py: a fit of tanh(u)/u on
 * [0, 4.5] with the powers of 4 of u = x/2 folded in; P0 = 1 and Q0 = 2 exactly. */
#define TT_TANH_CLAMP 9.0f
#define TT_TANH_P3 8.61893099e-08f
#define TT_TANH_P2 0.0001600494f
#define TT_TANH_P1 0.0314985812f
#define TT_TANH_Q3 5.48301841e-06f
#define TT_TANH_Q2 0.00279212371f
#define TT_TANH_Q1 0.229663745f

/* GELU's twins share these: erfc(z) ≈ t exp(-z² + Σ_i c_i t^i), t = 1/(1 + z/2); ln2 split in a part exact in float
 * times any exponent up to 128 and the rest. */
#define TT_ERFC_FIT                                                                                              \
  {-1.26551223f, 1.00002368f, 0.37409196f, 0.09678418f, -0.18628806f, 0.27886807f, -1.13520398f, 1.48851587f,     \
   -0.82215223f, 0.17087277f}
#define TT_LOG2E 1.44269504f
#define TT_LN2_HI 0.693145751953125f
#define TT_LN2_LO 1.428606765330187e-06f
#define TT_INV_SQRT2PI 0.39894228f /* 1/√(2π) */

/* Helpers of a few instructions that take a shape: always inlined (the -Oz build would call them), so the shape's
 * fields become plain values. */
#if defined(__GNUC__)
#define TT__INLINE static inline __attribute__((always_inline))
#else
#define TT__INLINE static inline
#endif

/* The shape of a stride-1 batch convolution, as the convolution kernels take it: B samples of C channels of H×W
 * in, F filters of k×k, zero padding pad_lo on top/left and pad_hi on bottom/right (a negative pad crops); the
 * output is (B, F, OH, OW) with OH = H + pad_lo + pad_hi - k + 1, likewise OW. Weights are (F, C, k, k) unless
 * `adjoint` is set: then they are stored (C, F, k, k) and used rotated by 180°, the weights of the layer whose
 * adjoint this convolution is (see tt__conv_adjoint). */
typedef struct {
  int B, C, H, W, F, k, pad_lo, pad_hi;
  int adjoint;
} tt__conv_shape;

/* The adjoint of convolution s, with the same weights: on s's outputs (B, F, OH, OW) as its input, F and C
 * swapped, pads k-1-pad_lo and k-1-pad_hi, so its output is (B, C, H, W). Run on a layer's dy it gives the input
 * gradient (conv_forward); for conv_sparse, run on a layer's mostly-zero input x as its "dy", it gives the layer's
 * forward pass as its "dx" and the layer's weight gradient as its "dw" (src/layers/conv2d.c). */
TT__INLINE tt__conv_shape tt__conv_adjoint(const tt__conv_shape *s) {
  const int OH = s->H + s->pad_lo + s->pad_hi - s->k + 1, OW = s->W + s->pad_lo + s->pad_hi - s->k + 1;
  return (tt__conv_shape){.B = s->B, .C = s->F, .H = OH, .W = OW, .F = s->C, .k = s->k, .pad_lo = s->k - 1 - s->pad_lo,
                          .pad_hi = s->k - 1 - s->pad_hi, .adjoint = !s->adjoint};
}

/* Scratch sizes and sparse-pass limits of the convolution kernels (see conv_forward and conv_sparse in
 * kernel_list.h). */
/* Scratch of either call: the padded image (C, Hp, Wp) + 4 floats of over-read, the tap offsets (C*k*k), and
 * the weights packed 4 output channels at a time (forward) or the per-position gradients transposed to 8
 * filters a row (backward_w). Computed in double: SIZE_MAX when it does not fit an int (offsets are ints). */
TT__INLINE size_t tt__conv_ws_floats(const tt__conv_shape *s) {
  const int C = s->C, H = s->H, W = s->W, F = s->F, k = s->k, pad_lo = s->pad_lo, pad_hi = s->pad_hi;
  const double Hp = (double)H + pad_lo + pad_hi, Wp = (double)W + pad_lo + pad_hi, ckk = (double)C * k * k;
  const double P = (Hp - k + 1) * (Wp - k + 1), F8 = (double)((F + 7) / 8 * 8);
  const double packed = (double)((F + 3) / 4 * 4) * ckk, grads = (P + ckk + 3) * F8;
  const double n = C * Hp * Wp + 4 + ckk + (packed > grads ? packed : grads);
  return n > 2147483647.0 ? (size_t)-1 : (size_t)n;
}

/* xp and dxp (Hp·Wp·C + 16 floats of over-read each), wᵀ and dwᵀ (F filters of k rows of k·C rounded up to 16
 * floats) and one filter's nonzeros (positions and values: at most Hp·Wp), bounded in double; SIZE_MAX when it
 * does not fit an int. */
TT__INLINE size_t tt__conv_sparse_ws_floats(const tt__conv_shape *s) {
  const int C = s->C, H = s->H, W = s->W, F = s->F, k = s->k, pad_lo = s->pad_lo, pad_hi = s->pad_hi;
  const double n = 2 * (((double)H + pad_lo + pad_hi) * ((double)W + pad_lo + pad_hi) * (C + 1.0) + 16 +
                        (double)F * k * (k * C + 15));
  return n > 2147483647.0 ? (size_t)-1 : (size_t)n;
}

/* The count of nonzeros among the n elements of dy from which the dense pair beats the sparse pass in the wasm
 * build: a nonzero costs the k rows of L = k·C rounded up to 16 lanes of a filter, where the dense kernels spend
 * C·k·k per element of dy, plus a fixed cost per sample that weighs most with few channels. With u = k·C / L, the
 * share of those lanes that do work, the sparse pass runs below a density of 0.7u - 0.2, a margin under the
 * crossover that bench/kernels/bench_conv_sparse.c measures (its numbers are in bench/README.md). */
static inline int tt__conv_sparse_limit(size_t n, int C, int k) {
  const long long L = (k * C + 15) / 16 * 16, a = 7LL * k * C - 2 * L;  // nnz < n·a / 10L: the sparse pass
  // rounded up; a < 10L, so at most n. 0 also when n does not fit the kernel's int count (64-bit builds only)
  return a <= 0 || n > 2147483647u ? 0 : (int)(((long long)n * a + 10 * L - 1) / (10 * L));
}

/* The same for the input-sparse passes of src/layers/conv2d.c (the kernel on x's n floats, with the layer's F
 * filters as its C channels): under 2/5 nonzero when at least 3/4 of the kernel's lanes do work (u = k·F / L),
 * else never (1 filter of 5x5 would use 5 lanes of 16). The crossover bench/kernels/bench_conv_sparse.c
 * (INPUT_SPARSE) finds is above 2/5 on every shape with u >= 3/4. */
static inline int tt__conv_sparse_input_limit(size_t n, int F, int k) {
  return n <= 2147483647u && 4 * k * F >= 3 * ((k * F + 15) / 16 * 16) ? (int)(n / 5 * 2) : 0;
}

/* The sparse pass (kernel_list.h: conv_sparse) on nonzeros listed beforehand, for its split over threads
 * (src/kernels/parallel.c), which lists each (sample, filter)'s nonzeros once for both halves: n of them, at o
 * (offsets into a padded channels-last image, rows of S floats: the kernel's xp and dxp) with values v. A filter's
 * wᵀ and dwᵀ are k rows of L floats (L = 16 R), cut into T = k·R tiles of 16: tile t is row t / R at lane 16 (t % R).
 * dw_tiles adds to dwᵀ's tiles [t0, t1) their sums over the list (m ascending); dx_tiles adds each nonzero's
 * v · wᵀ to dxp's windows, tiles from T - 1 down, m ascending in each: the kernel's operations in its order, so a
 * split that runs them per (sample, filter) gives its bits. SIMD and scalar twins, equal bit for bit. */
void tt_f32_conv_sparse_dw_tiles__scalar(float *dwt, const float *xp, const int *o, const float *v, int n, int t0,
                                         int t1, int R, int S);
void tt_f32_conv_sparse_dw_tiles__wasmsimd(float *dwt, const float *xp, const int *o, const float *v, int n, int t0,
                                           int t1, int R, int S);
void tt_f32_conv_sparse_dx_tiles__scalar(float *dxp, const float *wt, const int *o, const float *v, int n, int T,
                                         int R, int S);
void tt_f32_conv_sparse_dx_tiles__wasmsimd(float *dxp, const float *wt, const int *o, const float *v, int n, int T,
                                           int R, int S);

/* int8 inference (tt_model_quantize) is compiled in only with -DTT_INT8: the native library and every test build
 * define it, and so does wasm/tinytrain-int8.wasm; wasm/tinytrain.wasm, the module every widget loads, leaves the
 * int8 kernels out (the widget's 64 KiB gzipped budget) and does not define or export tt_model_quantize
 * (wasm/int8.js, Model#quantize's work, says which module to load). */
#ifdef TT_INT8
/* The largest |q| quantize_i16 may give activations that meet int8 weights in sums of K products: K·limit·127 stays
 * below 2^31, so the int32 sums of gemm_i8 never overflow; 0 when K is too long for even 1. */
static inline int tt__i8_limit(int K) {
  const long long limit = 2147483647LL / (127LL * (K > 0 ? K : 1));
  return limit > 32767 ? 32767 : (int)limit;
}

/* Where gemm_i8 finds w_jk of an int8 matrix of N rows of K (kernel_list.h), and the bytes of the packed matrix. */
static inline size_t tt__i8_packed_at(int j, int k, int K) {
  return ((size_t)(j / 16) * (size_t)((K + 1) / 2) + (size_t)(k / 2)) * 32 + (size_t)(j % 16 * 2 + k % 2);
}
static inline size_t tt__i8_packed_bytes(int N, int K) { return (size_t)(N + 15) / 16 * (size_t)((K + 1) / 2) * 32; }
#endif

/* Loops and code size (the wasm module counts in the widget's 64 KiB gzipped budget): clang -O3 unrolls and
 * vectorises plain loops into several copies, so the kernels are compiled with -fno-unroll-loops -fno-vectorize
 * (Makefile): every loop stays as written, SIMD main loops and scalar tails alike. TT_UNROLL_FULL still unrolls a
 * loop over register-resident accumulators (a pragma is honoured under those flags). A no-op for other compilers. */
#if defined(__clang__)
#define TT_UNROLL_FULL _Pragma("clang loop unroll(full)")
#else
#define TT_UNROLL_FULL
#endif

/* Dispatch. The "wasmsimd" twins are the 128-bit SIMD kernels, written against wasm_simd128.h: compiled for
 * WebAssembly SIMD128 by emcc -msimd128, or natively with -DTT_NATIVE_SIMD, where kernels/simd128_native.h maps
 * the same API onto GCC/clang vector types (SSE/AVX on x86-64, NEON on arm64). Layers call tt__<name>, which
 * forwards to the twin this build selects. */
#if defined(__wasm_simd128__) || defined(TT_NATIVE_SIMD)
#define TT_KERNEL(name) name##__wasmsimd
#else
#define TT_KERNEL(name) name##__scalar
#endif

/* From kernel_list.h: the declarations of every kernel, then one forwarding function tt__<name> each. */
#define TT__RETURN_void
#define TT__RETURN_int return
#define TT__RETURN_float return
#define TT__DECLARE_TWIN(ret, name, params) ret tt_f32_##name##__scalar params; ret tt_f32_##name##__wasmsimd params;
#define TT__DECLARE_SCALAR(ret, name, params) ret tt_f32_##name##__scalar params;
/* always_inline: a call of tt__<name> compiles to a call of the kernel itself, at -Oz too */
#define TT__FORWARD TT__INLINE
#define TT__DISPATCH_TWIN(ret, name, params, args) \
  TT__FORWARD ret tt__##name params { TT__RETURN_##ret TT_KERNEL(tt_f32_##name) args; }
#define TT__DISPATCH_SCALAR(ret, name, params, args) \
  TT__FORWARD ret tt__##name params { TT__RETURN_##ret tt_f32_##name##__scalar args; }
#define TT_KERNEL_DEF(kind, ret, name, params, args) TT__DECLARE_##kind(ret, name, params)
#include "kernels/kernel_list.h"
#undef TT_KERNEL_DEF
#define TT_KERNEL_DEF(kind, ret, name, params, args) TT__DISPATCH_##kind(ret, name, params, args)
#include "kernels/kernel_list.h"
#undef TT_KERNEL_DEF

/* The threaded build (kernels/parallel.h) sends the layers' calls of these kernels to their versions that split the
 * work over threads (src/kernels/parallel.c), which run the twins above on each part. */
#ifdef TT_THREADS
void tt__par_gemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float beta,
                  float *C, int ldc);
void tt__par_conv_forward(float *y, const float *x, const float *w, const float *bias, const tt__conv_shape *s,
                          float *ws);
void tt__par_conv_backward_w(float *dw, const float *dy, const float *x, const tt__conv_shape *s, float *ws);
int tt__par_conv_sparse(float *dw, float *dx, const float *dy, const float *x, const float *w, const float *bias,
                        const tt__conv_shape *s, int limit, float *ws);
/* The same forward pass and sparse pass with an activation (TT_ACT_*, 0 for none) applied to the output (y, or dx)
 * after the bias: each chunk applies it to the samples it has just computed (src/layers/conv2d.c's fused one). */
void tt__par_conv_forward_act(float *y, const float *x, const float *w, const float *bias, const tt__conv_shape *s,
                              int act, float *ws);
int tt__par_conv_sparse_act(float *dw, float *dx, const float *dy, const float *x, const float *w, const float *bias,
                            const tt__conv_shape *s, int limit, int act, float *ws);
void tt__par_adam(float *p_out, float *m_out, float *v_out, const float *p, const float *g, const float *m,
                  const float *v, size_t n, float lr, float beta1, float beta2, float eps, float wd_l2, float decay,
                  float bc1, float bc2);
void tt__par_sgd(float *p_out, float *buf_out, const float *p, const float *g, const float *buf, size_t n, float lr,
                 float mu, float wd, int nesterov, int first);
#define tt__gemm tt__par_gemm
#define tt__conv_forward tt__par_conv_forward
#define tt__conv_backward_w tt__par_conv_backward_w
#define tt__conv_sparse tt__par_conv_sparse
#define tt__adam tt__par_adam
#define tt__sgd tt__par_sgd
void tt__par_bias_act(float *y, const float *bias, int rows, int cols, int act);
void tt__par_relu(float *y, const float *x, size_t n);
void tt__par_relu_backward(float *dx, const float *dy, const float *y, size_t n);
void tt__par_fill(float *x, float v, size_t n);
float tt__par_sumsq_unordered(const float *x, size_t n);
#define tt__bias_act tt__par_bias_act
#define tt__relu tt__par_relu
#define tt__relu_backward tt__par_relu_backward
#define tt__fill tt__par_fill
/* Σ x² whose last bits may change with the thread count (the threads' parts are summed in their order): for
 * checks of finiteness and for messages, never for a value that changes the weights */
#define tt__sumsq_unordered tt__par_sumsq_unordered
/* state a kernel keeps between its own calls is each thread's own */
#define TT_THREAD_LOCAL _Thread_local
#else
#define tt__sumsq_unordered tt__sumsq
#define TT_THREAD_LOCAL
#endif

/* A layer's loop whose iterations write outputs of their own (samples, planes, filters): fn(arg, lo, hi) runs
 * iterations [lo, hi), and the parts together cover [0, n) once. The threaded build splits them over the threads in
 * use when `work` (about that many operations in all) is worth a fork and join; otherwise, and in every other
 * build, it is the one call fn(arg, 0, n). */
typedef void tt__range_fn(void *arg, int lo, int hi);
#ifdef TT_THREADS
void tt__parallel_range(int n, double work, tt__range_fn *fn, void *arg);
#define TT__RANGE_FN static
#else
/* One direct call, and the loop function (declared TT__RANGE_FN) always inlined into it: this build's -Oz inlines
 * nothing unmarked, and the layer's loop then compiles to what it would be written out in place. */
#define tt__parallel_range(n, work, fn, arg) (fn)((arg), 0, (n))
#define TT__RANGE_FN TT__INLINE
#endif

/* The threaded build's versions of the sequence models' kernels (src/kernels/parallel_seq.c). */
#ifdef TT_THREADS
void tt__par_gelu(float *y, const float *x, size_t n);
void tt__par_gelu_backward(float *dx, const float *dy, const float *x, size_t n);
void tt__par_sum_rows(float *db, const float *dy, int rows, int cols);
void tt__par_layernorm(float *y, float *stats, const float *x, const float *gamma, const float *beta, int rows, int D,
                       float eps);
void tt__par_layernorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                                const float *stats, const float *gamma, int rows, int D);
#define tt__gelu tt__par_gelu
#define tt__gelu_backward tt__par_gelu_backward
#define tt__sum_rows tt__par_sum_rows
#define tt__layernorm tt__par_layernorm
#define tt__layernorm_backward tt__par_layernorm_backward
#endif

#endif
