/* Compute kernels. Each op has a scalar reference (src/kernels/scalar/, the spec) and, where it pays, a wasm
 * SIMD128 twin (src/kernels/wasmsimd/, same file names) with the same signature. Layers call the tt__ dispatch
 * names below, which select the SIMD twin when compiled with -msimd128 or -DTT_NATIVE_SIMD (see Dispatch) and
 * the scalar one otherwise.
 * tests/simd/ checks every twin against its scalar reference on sizes 1..3*width+3, unaligned offsets and all
 * transpose forms. */
#ifndef TT_KERNELS_H
#define TT_KERNELS_H

#include <stddef.h>

/* C[M,N] = beta * C + op(A)[M,K] · op(B)[K,N], with beta 0 or 1 (when 0, C is not read).
 * op(A) = A (ta = 0, A is M×K with row stride lda) or Aᵀ (ta = 1, A is K×M with row stride lda);
 * likewise op(B) with tb (B is K×N or, transposed, N×K with row stride ldb). Row-major. No transposes are
 * materialised. */
void tt_f32_gemm__scalar(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                         float beta, float *C, int ldc);
void tt_f32_gemm__wasmsimd(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                           float beta, float *C, int ldc);

/* Stride-1 convolution of a batch without a column buffer (an implicit GEMM: each kernel tap reads the
 * zero-padded image at its own offset), torch.nn.Conv2d's layout: y (B, F, OH, OW) = bias (F, or NULL) + w ⋆ x
 * (B, C, H, W) with w (F, C, k, k), zero padding pad_lo on top/left and pad_hi on bottom/right (a negative pad
 * crops), OH = H + pad_lo + pad_hi - k + 1, likewise OW. With `adjoint` set, w is stored (C, F, k, k) and used
 * rotated by 180° with its first two dims swapped: called on dy with pads k-1-pad_lo and k-1-pad_hi, this is a
 * layer's input gradient. conv_backward_w adds the weight gradient dw (F, C, k, k) += Σ_b dy[b] ⋆ x[b].
 * ws: tt__conv_ws_floats(...) floats of scratch (the scalar twins need none). Each output (and each weight
 * gradient) is one sum over the same terms in the same order in both twins: bit for bit equal on finite inputs. */
void tt_f32_conv_forward__scalar(float *y, const float *x, const float *w, const float *bias, int B, int C, int H,
                                 int W, int F, int k, int pad_lo, int pad_hi, int adjoint, float *ws);
void tt_f32_conv_forward__wasmsimd(float *y, const float *x, const float *w, const float *bias, int B, int C, int H,
                                   int W, int F, int k, int pad_lo, int pad_hi, int adjoint, float *ws);
void tt_f32_conv_backward_w__scalar(float *dw, const float *dy, const float *x, int B, int C, int H, int W, int F,
                                    int k, int pad_lo, int pad_hi, float *ws);
void tt_f32_conv_backward_w__wasmsimd(float *dw, const float *dy, const float *x, int B, int C, int H, int W, int F,
                                      int k, int pad_lo, int pad_hi, float *ws);
/* Scratch of either call: the padded image (C, Hp, Wp) + 4 floats of over-read, the tap offsets (C*k*k), and
 * the weights packed 4 output channels at a time (forward) or the per-position gradients transposed to 8
 * filters a row (backward_w). Computed in double: SIZE_MAX when it does not fit an int (offsets are ints). */
static inline size_t tt__conv_ws_floats(int C, int H, int W, int F, int k, int pad_lo, int pad_hi) {
  const double Hp = (double)H + pad_lo + pad_hi, Wp = (double)W + pad_lo + pad_hi, ckk = (double)C * k * k;
  const double P = (Hp - k + 1) * (Wp - k + 1), F8 = (double)((F + 7) / 8 * 8);
  const double packed = (double)((F + 3) / 4 * 4) * ckk, grads = (P + ckk + 3) * F8;
  const double n = C * Hp * Wp + 4 + ckk + (packed > grads ? packed : grads);
  return n > 2147483647.0 ? (size_t)-1 : (size_t)n;
}

/* The sparse pass: the same layer's backward pass (weight and input gradient at once) for a dy that is mostly zeros,
 * as after ReLU and 2x2 max pooling (at most 1 in 4 nonzero), and with `adjoint` (below) the forward pass and weight
 * gradient of a layer whose input is mostly zeros; the work is proportional to the nonzeros. Unless dw is NULL, dw
 * (F, C, k, k) += Σ_b dy[b] ⋆ x[b] as conv_backward_w does (x is not read when dw is NULL), and, unless dx is NULL,
 * dx (B, C, H, W) = the input gradient (written, not accumulated) as the adjoint conv_forward gives it, plus
 * bias (C, or NULL) added last; w (F, C, k, k), always read; pads >= 0. With `adjoint` set, w and dw are stored
 * (C, F, k, k) and used rotated by 180° (conv_forward's convention): called on a mostly-zero layer input as dy
 * (its C channels as the F here, the layer's F as the C here, pads k-1-pad), dx is then the layer's forward pass
 * (with its bias) and dw its weight gradient, from the input's nonzeros (src/layers/conv2d.c). The SIMD
 * twin copies each sample into a zero-padded channels-last xp (Hp, Wp, C), where the k taps × C channels of a
 * kernel row at any window are k·C contiguous floats; the weights move to wᵀ (F, k, L) (rows of k·C rounded up to
 * L, a multiple of 16, zeros past k·C), the gradient gathers in dwᵀ (same layout) and in a padded dxp (Hp, Wp, C).
 * Per sample and filter it lists the nonzeros of dy[b][f], then adds Σ_nonzeros dy · (16 floats of a window row
 * of xp) to 4 vectors of dwᵀ[f] kept in registers, and dy · (4 vectors of wᵀ[f] in registers) to those 16 floats
 * of each window row of dxp, the last 16 first (lanes past k·C read floats that are ignored, or add exact zeros).
 * Every sum has the dense kernels' terms in their order (dw: samples, then positions; dx: filters, then
 * positions) minus terms that are ±0, so both twins give the dense kernels' results bit for bit on finite inputs.
 * It first counts dy's nonzeros: with `limit` of them or more (tt__conv_sparse_limit) it changes nothing and
 * returns 0 (the dense kernels are the faster ones then), else it returns 1; with limit <= 0, at once.
 * ws: tt__conv_sparse_ws_floats(...) floats (the scalar twin, direct loops, uses F·C·k·k of them). */
int tt_f32_conv_sparse__scalar(float *dw, float *dx, const float *dy, const float *x, const float *w,
                               const float *bias, int B, int C, int H, int W, int F, int k, int pad_lo,
                               int pad_hi, int adjoint, int limit, float *ws);
int tt_f32_conv_sparse__wasmsimd(float *dw, float *dx, const float *dy, const float *x, const float *w,
                                 const float *bias, int B, int C, int H, int W, int F, int k, int pad_lo,
                                 int pad_hi, int adjoint, int limit, float *ws);
/* xp and dxp (Hp·Wp·C + 16 floats of over-read each), wᵀ and dwᵀ (F filters of k rows of k·C rounded up to 16
 * floats) and one filter's nonzeros (positions and values: at most Hp·Wp), bounded in double; SIZE_MAX when it
 * does not fit an int. */
static inline size_t tt__conv_sparse_ws_floats(int C, int H, int W, int F, int k, int pad_lo, int pad_hi) {
  const double n = 2 * (((double)H + pad_lo + pad_hi) * ((double)W + pad_lo + pad_hi) * (C + 1.0) + 16 +
                        (double)F * k * (k * C + 15));
  return n > 2147483647.0 ? (size_t)-1 : (size_t)n;
}

/* The count of nonzeros among the n elements of dy from which the dense pair beats the sparse pass in the wasm
 * build: a nonzero costs the k rows of L = k·C rounded up to 16 lanes of a filter, where the dense kernels spend
 * C·k·k per element of dy, plus a fixed cost per sample that weighs most with few channels. Crossover densities
 * measured (tests/simd/bench_conv_sparse.c, batch 32) against u = k·C / L: ≈ 0.74u - 0.14 (0.09 at C 1, k 5, u
 * 0.31; 0.2 at C 3, k 3, u 0.56; 0.37-0.45 at u 0.63-0.75; 0.55-0.65 at u 0.83-1), so the sparse pass runs below
 * 0.7u - 0.2, a margin under them: under 38% nonzeros for the digits CNN's second layer (C 8, k 5), never at
 * realistic densities for its first (C 1: under 1.9%). */
static inline int tt__conv_sparse_limit(size_t n, int C, int k) {
  const long long L = (k * C + 15) / 16 * 16, a = 7LL * k * C - 2 * L;  // nnz < n·a / 10L: the sparse pass
  // rounded up; a < 10L, so at most n. 0 also when n does not fit the kernel's int count (64-bit builds only)
  return a <= 0 || n > 2147483647u ? 0 : (int)(((long long)n * a + 10 * L - 1) / (10 * L));
}

/* The same for the input-sparse passes of src/layers/conv2d.c (the kernel on x's n floats, with the layer's F
 * filters as its C channels): tests/simd/bench_conv_sparse.c (INPUT_SPARSE) measured the forward pass's crossover
 * at 45-47% nonzeros with 8 filters of 5x5 (u = 40/48) and 16 of 3x3 on 3 channels (u = 1), the weight
 * gradient's at 57-60%, and both above 60% with 16 filters of 5x5 on 8 channels: under 2/5 nonzero when at least
 * 3/4 of the kernel's lanes do work (u = k·F / L), else never (1 filter of 5x5 would use 5 lanes of 16). */
static inline int tt__conv_sparse_input_limit(size_t n, int F, int k) {
  return n <= 2147483647u && 4 * k * F >= 3 * ((k * F + 15) / 16 * 16) ? (int)(n / 5 * 2) : 0;
}

/* im2col for one sample: in (C, H, W) -> col (C*k*k, OH*OW) at any stride, zero padding pad_lo on top/left (the
 * output size decides the bottom/right); col2im accumulates (+=) col back into din (C, H, W). Strided
 * convolutions only (stride 1 runs the kernels above): no SIMD twin, the GEMM after it is where the time goes. */
void tt_f32_im2col__scalar(float *col, const float *in, int C, int H, int W, int k, int stride, int pad_lo,
                           int OH, int OW);
void tt_f32_col2im__scalar(float *din, const float *col, int C, int H, int W, int k, int stride, int pad_lo,
                           int OH, int OW);

/* Max pooling of one (H, W) plane: y and arg (OH, OW) get the max of each K×K window at stride S and its
 * index in the plane plus `base`, as a float (exact below 2^24). Ties go to the first max in row-major window
 * order; a NaN wins. The backward pass is for non-overlapping windows (stride K) only: it writes every element
 * of dx (H, W) once, dy at each window's argmax and 0 elsewhere, so dx needs no zeroing first. The SIMD twin
 * handles 2×2 windows and calls the scalar kernel for other sizes. */
void tt_f32_maxpool__scalar(float *y, float *arg, const float *x, int H, int W, int K, int S, int OH, int OW,
                            int base);
void tt_f32_maxpool__wasmsimd(float *y, float *arg, const float *x, int H, int W, int K, int S, int OH, int OW,
                              int base);
void tt_f32_maxpool_backward__scalar(float *dx, const float *dy, const float *arg, int H, int W, int K, int OH,
                                     int OW, int base);
void tt_f32_maxpool_backward__wasmsimd(float *dx, const float *dy, const float *arg, int H, int W, int K, int OH,
                                       int OW, int base);

/* Element-wise and row ops (n elements; rows × cols row-major). */
/* y (rows, cols) = act(y + bias) in place, bias (cols,) or NULL for none, act 0 (none), TT_ACT_RELU or
 * TT_ACT_TANH: a dense or conv layer's bias and the activation after it in one pass, with the same results bit for
 * bit as the bias added and then the relu or tanh kernel (tanh a row at a time, while the row is in cache). */
enum { TT_ACT_RELU = 1, TT_ACT_TANH = 2 };
void tt_f32_bias_act__scalar(float *y, const float *bias, int rows, int cols, int act);
void tt_f32_bias_act__wasmsimd(float *y, const float *bias, int rows, int cols, int act);
void tt_f32_sum_rows__scalar(float *db, const float *dy, int rows, int cols);         /* db[c] += Σ_r dy[r][c] */
void tt_f32_sum_rows__wasmsimd(float *db, const float *dy, int rows, int cols);
void tt_f32_relu__scalar(float *y, const float *x, size_t n);
void tt_f32_relu__wasmsimd(float *y, const float *x, size_t n);
void tt_f32_relu_backward__scalar(float *dx, const float *dy, const float *y, size_t n); /* dx = dy * (y > 0) */
void tt_f32_relu_backward__wasmsimd(float *dx, const float *dy, const float *y, size_t n);
float tt_f32_sumsq__scalar(const float *x, size_t n);                                  /* Σ x² (for clip_norm) */
float tt_f32_sumsq__wasmsimd(const float *x, size_t n);
void tt_f32_fill__scalar(float *x, float v, size_t n);                                /* x = v */
void tt_f32_fill__wasmsimd(float *x, float v, size_t n);
void tt_f32_copy__scalar(float *y, const float *x, size_t n);                         /* y = x, no overlap */
void tt_f32_copy__wasmsimd(float *y, const float *x, size_t n);
void tt_f32_scale__scalar(float *x, float s, size_t n);                                /* x *= s */
void tt_f32_scale__wasmsimd(float *x, float s, size_t n);
/* Adam/AdamW update of n parameters (see src/optim/optim.h for the exact formula; wd_l2 is added to the
 * gradient as PyTorch Adam does; decay (AdamW) multiplies p by (1 - decay) first). bc1 = 1 - beta1^t,
 * bc2 = 1 - beta2^t. Computed in torch.optim.Adam's form: p -= (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps). Reads
 * p, m, v and writes the updated values to p_out, m_out, v_out: each pair is either the same array (in place) or
 * two that do not overlap. */
void tt_f32_adam__scalar(float *p_out, float *m_out, float *v_out, const float *p, const float *g, const float *m,
                         const float *v, size_t n, float lr, float beta1, float beta2, float eps, float wd_l2,
                         float decay, float bc1, float bc2);
void tt_f32_adam__wasmsimd(float *p_out, float *m_out, float *v_out, const float *p, const float *g, const float *m,
                           const float *v, size_t n, float lr, float beta1, float beta2, float eps, float wd_l2,
                           float decay, float bc1, float bc2);

/* SGD update of n parameters as torch.optim.SGD with dampening 0 (see src/kernels/scalar/sgd.c for the exact
 * formula): weight decay wd (skipped when 0), momentum mu with buffer buf (unused when mu is 0; first = 1 on the
 * first step, when the buffer starts as the gradient), Nesterov if nesterov. Reads p and buf and writes the
 * updated values to p_out and buf_out (buf_out is left alone when mu is 0): each pair is either the same array (in
 * place) or two that do not overlap. */
void tt_f32_sgd__scalar(float *p_out, float *buf_out, const float *p, const float *g, const float *buf, size_t n,
                        float lr, float mu, float wd, int nesterov, int first);
void tt_f32_sgd__wasmsimd(float *p_out, float *buf_out, const float *p, const float *g, const float *buf, size_t n,
                          float lr, float mu, float wd, int nesterov, int first);

/* y = tanh(x), within 3e-7 of libm's tanhf (about 5 float32 ulps of 1), in place allowed; tanh(x) = x exactly for
 * tiny x. A rational function: |x| clamped to 9 (where tanh is 1.0f), z = x², A = |x|·P(z), B = Q(z), then
 * min(2AB/(A² + B²), 1), which is tanh by the double-angle formula from t = A/B ≈ tanh(|x|/2) (it damps the
 * fit's error near ±1); then x's sign (tanh(-0) = -0); NaN passes through. ~4.5x faster than the exp-based
 * kernel it replaced (one division, no floor or float-to-int). The twins run the same float operations in the
 * same order, so they are bit-identical. */
void tt_f32_tanh__scalar(float *y, const float *x, size_t n);
void tt_f32_tanh__wasmsimd(float *y, const float *x, size_t n);
/* Coefficients shared by the twins (highest first), from tests/simd/fit_tanh.py: a fit of tanh(u)/u on
 * [0, 4.5] with the powers of 4 of u = x/2 folded in; P0 = 1 and Q0 = 2 exactly. */
#define TT_TANH_CLAMP 9.0f
#define TT_TANH_P3 8.61893099e-08f
#define TT_TANH_P2 0.0001600494f
#define TT_TANH_P1 0.0314985812f
#define TT_TANH_Q3 5.48301841e-06f
#define TT_TANH_Q2 0.00279212371f
#define TT_TANH_Q1 0.229663745f

/* Loop pragmas for code size (the wasm module has a 64 KiB budget): clang -O3 unrolls and vectorises plain loops
 * into several copies; TT_NO_UNROLL keeps a loop as written (SIMD main loops and scalar tails alike),
 * TT_UNROLL_FULL unrolls loops over register-resident accumulators. No-ops for other compilers. */
#if defined(__clang__)
#define TT_NO_UNROLL _Pragma("clang loop unroll(disable) vectorize(disable)")
#define TT_UNROLL_FULL _Pragma("clang loop unroll(full)")
#else
#define TT_NO_UNROLL
#define TT_UNROLL_FULL
#endif

/* Dispatch. The "wasmsimd" twins are the 128-bit SIMD kernels, written against wasm_simd128.h: compiled for
 * WebAssembly SIMD128 by emcc -msimd128, or natively with -DTT_NATIVE_SIMD, where kernels/simd128_native.h maps
 * the same API onto GCC/clang vector types (SSE/AVX on x86-64, NEON on arm64). */
#if defined(__wasm_simd128__) || defined(TT_NATIVE_SIMD)
#define TT_KERNEL(name) name##__wasmsimd
#else
#define TT_KERNEL(name) name##__scalar
#endif
#define tt__gemm TT_KERNEL(tt_f32_gemm)
#define tt__bias_act TT_KERNEL(tt_f32_bias_act)
#define tt__sum_rows TT_KERNEL(tt_f32_sum_rows)
#define tt__relu TT_KERNEL(tt_f32_relu)
#define tt__relu_backward TT_KERNEL(tt_f32_relu_backward)
#define tt__sumsq TT_KERNEL(tt_f32_sumsq)
#define tt__scale TT_KERNEL(tt_f32_scale)
#define tt__fill TT_KERNEL(tt_f32_fill)
#define tt__copy TT_KERNEL(tt_f32_copy)
#define tt__adam TT_KERNEL(tt_f32_adam)
#define tt__sgd TT_KERNEL(tt_f32_sgd)
#define tt__tanh TT_KERNEL(tt_f32_tanh)
#define tt__conv_forward TT_KERNEL(tt_f32_conv_forward)
#define tt__conv_backward_w TT_KERNEL(tt_f32_conv_backward_w)
#define tt__conv_sparse TT_KERNEL(tt_f32_conv_sparse)
#define tt__im2col tt_f32_im2col__scalar
#define tt__col2im tt_f32_col2im__scalar
#define tt__maxpool TT_KERNEL(tt_f32_maxpool)
#define tt__maxpool_backward TT_KERNEL(tt_f32_maxpool_backward)

#endif
