/* The list of compute kernels, one TT_KERNEL_DEF(kind, ret, name, params, args) per kernel. This file has no
 * include guard: kernels.h includes it to declare the kernels and their dispatch functions, tests/simd/test_simd.c
 * and the benchmarks include it to list them. Define TT_KERNEL_DEF before including it.
 *   kind   TWIN: a scalar reference tt_f32_<name>__scalar (src/kernels/scalar/) and a SIMD128 twin
 *          tt_f32_<name>__wasmsimd (src/kernels/wasmsimd/, same file name) with the same signature;
 *          SCALAR: the scalar kernel only.
 *   ret    the return type (void, int or float); params: the parameter list; args: the same names as a call.
 * A new kernel is one entry here, its two definitions, and a twin test in tests/simd/test_simd.c (which fails
 * while a TWIN kernel of this list has none). Its benchmark rows (SIMD against scalar, bench/kernels/bench_twins.c)
 * are made from the entry: the bench sets each parameter by its name and type, so a name keeps the meaning it has
 * elsewhere in this list (n, rows, cols, M, N, K, dy, ...). A kernel on n elements (a size_t n) needs nothing more;
 * one with shapes adds its sizes to that file's WORKLOADS (its quick pass in `make test-simd` fails until then). */

/* C[M,N] = beta * C + op(A)[M,K] · op(B)[K,N], with beta 0 or 1 (when 0, C is not read).
 * op(A) = A (ta = 0, A is M×K with row stride lda) or Aᵀ (ta = 1, A is K×M with row stride lda);
 * likewise op(B) with tb (B is K×N or, transposed, N×K with row stride ldb). Row-major. No transposes are
 * materialised. */
TT_KERNEL_DEF(TWIN, void, gemm,
              (int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float beta,
               float *C, int ldc),
              (ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc))

/* Stride-1 convolution of a batch without a column buffer (an implicit GEMM: each kernel tap reads the
 * zero-padded image at its own offset), torch.nn.Conv2d's layout: y (B, F, OH, OW) = bias (F, or NULL) + w ⋆ x
 * (B, C, H, W) in the shape s (kernels.h: tt__conv_shape), w (F, C, k, k), or with s->adjoint (C, F, k, k)
 * rotated by 180°: on dy in tt__conv_adjoint of a layer's shape, this is the layer's input gradient.
 * conv_backward_w adds the weight gradient dw (F, C, k, k) += Σ_b dy[b] ⋆ x[b] (s->adjoint must be 0).
 * ws: tt__conv_ws_floats(s) floats of scratch (the scalar twins need none). Each output (and each weight
 * gradient) is one sum over the same terms in the same order in both twins: bit for bit equal on finite inputs. */
TT_KERNEL_DEF(TWIN, void, conv_forward,
              (float *y, const float *x, const float *w, const float *bias, const tt__conv_shape *s, float *ws),
              (y, x, w, bias, s, ws))
TT_KERNEL_DEF(TWIN, void, conv_backward_w,
              (float *dw, const float *dy, const float *x, const tt__conv_shape *s, float *ws), (dw, dy, x, s, ws))

/* The sparse pass: the same layer's backward pass (weight and input gradient at once) for a dy that is mostly zeros,
 * as after ReLU and 2x2 max pooling (at most 1 in 4 nonzero), and in the adjoint shape (below) the forward pass and
 * weight gradient of a layer whose input is mostly zeros; the work is proportional to the nonzeros. In the shape s
 * (y of the convolution s is dy here), unless dw is NULL, dw (F, C, k, k) += Σ_b dy[b] ⋆ x[b] as conv_backward_w
 * does (x is not read when dw is NULL), and, unless dx is NULL, dx (B, C, H, W) = the input gradient (written, not
 * accumulated) as conv_forward in tt__conv_adjoint(s) gives it, plus bias (C, or NULL) added last; w (F, C, k, k),
 * always read; pads >= 0. With s->adjoint set, w and dw are stored (C, F, k, k) and used rotated by 180°
 * (conv_forward's convention): with s = tt__conv_adjoint of a layer's shape and the layer's mostly-zero input as
 * dy, dx is the layer's forward pass (with its bias) and dw its weight gradient, from the input's nonzeros
 * (src/layers/conv2d.c). The SIMD
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
 * ws: tt__conv_sparse_ws_floats(s) floats (the scalar twin, direct loops, uses F·C·k·k of them). */
TT_KERNEL_DEF(TWIN, int, conv_sparse,
              (float *dw, float *dx, const float *dy, const float *x, const float *w, const float *bias,
               const tt__conv_shape *s, int limit, float *ws),
              (dw, dx, dy, x, w, bias, s, limit, ws))

/* im2col for one sample: in (C, H, W) -> col (C*k*k, OH*OW) at any stride, zero padding pad_lo on top/left (the
 * output size decides the bottom/right); col2im accumulates (+=) col back into din (C, H, W). Strided
 * convolutions only (stride 1 runs the kernels above): no SIMD twin, the GEMM after it is where the time goes. */
TT_KERNEL_DEF(SCALAR, void, im2col,
              (float *col, const float *in, int C, int H, int W, int k, int stride, int pad_lo, int OH, int OW),
              (col, in, C, H, W, k, stride, pad_lo, OH, OW))
TT_KERNEL_DEF(SCALAR, void, col2im,
              (float *din, const float *col, int C, int H, int W, int k, int stride, int pad_lo, int OH, int OW),
              (din, col, C, H, W, k, stride, pad_lo, OH, OW))

/* Max pooling of one (H, W) plane: y and arg (OH, OW) get the max of each K×K window at stride S and its
 * index in the plane plus `base`, as a float (exact below 2^24). Ties go to the first max in row-major window
 * order; a NaN wins. The backward pass is for non-overlapping windows (stride K) only: it writes every element
 * of dx (H, W) once, dy at each window's argmax and 0 elsewhere, so dx needs no zeroing first. The SIMD twin
 * handles 2×2 windows and calls the scalar kernel for other sizes. */
TT_KERNEL_DEF(TWIN, void, maxpool,
              (float *y, float *arg, const float *x, int H, int W, int K, int S, int OH, int OW, int base),
              (y, arg, x, H, W, K, S, OH, OW, base))
TT_KERNEL_DEF(TWIN, void, maxpool_backward,
              (float *dx, const float *dy, const float *arg, int H, int W, int K, int OH, int OW, int base),
              (dx, dy, arg, H, W, K, OH, OW, base))

/* y (rows, cols) = act(y + bias) in place, bias (cols,) or NULL for none, act 0 (none), TT_ACT_RELU or
 * TT_ACT_TANH: a dense or conv layer's bias and the activation after it in one pass, with the same results bit for
 * bit as the bias added and then the relu or tanh kernel (tanh a row at a time, while the row is in cache). */
TT_KERNEL_DEF(TWIN, void, bias_act, (float *y, const float *bias, int rows, int cols, int act),
              (y, bias, rows, cols, act))
/* db[c] += Σ_r dy[r][c] */
TT_KERNEL_DEF(TWIN, void, sum_rows, (float *db, const float *dy, int rows, int cols), (db, dy, rows, cols))

/* Element-wise ops on n elements. */
TT_KERNEL_DEF(TWIN, void, relu, (float *y, const float *x, size_t n), (y, x, n))
/* dx = dy * (y > 0) */
TT_KERNEL_DEF(TWIN, void, relu_backward, (float *dx, const float *dy, const float *y, size_t n), (dx, dy, y, n))
/* Σ x² (for clip_norm) */
TT_KERNEL_DEF(TWIN, float, sumsq, (const float *x, size_t n), (x, n))
/* x = v */
TT_KERNEL_DEF(TWIN, void, fill, (float *x, float v, size_t n), (x, v, n))
/* y = x, no overlap */
TT_KERNEL_DEF(TWIN, void, copy, (float *y, const float *x, size_t n), (y, x, n))
/* x *= s */
TT_KERNEL_DEF(TWIN, void, scale, (float *x, float s, size_t n), (x, s, n))

/* Adam/AdamW update of n parameters (see src/optim/optim.h for the exact formula; wd_l2 is added to the
 * gradient as PyTorch Adam does; decay (AdamW) multiplies p by (1 - decay) first). bc1 = 1 - beta1^t,
 * bc2 = 1 - beta2^t. Computed in torch.optim.Adam's form: p -= (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps). Reads
 * p, m, v and writes the updated values to p_out, m_out, v_out: each pair is either the same array (in place) or
 * two that do not overlap. */
TT_KERNEL_DEF(TWIN, void, adam,
              (float *p_out, float *m_out, float *v_out, const float *p, const float *g, const float *m,
               const float *v, size_t n, float lr, float beta1, float beta2, float eps, float wd_l2, float decay,
               float bc1, float bc2),
              (p_out, m_out, v_out, p, g, m, v, n, lr, beta1, beta2, eps, wd_l2, decay, bc1, bc2))

/* SGD update of n parameters as torch.optim.SGD with dampening 0 (see src/kernels/scalar/sgd.c for the exact
 * formula): weight decay wd (skipped when 0), momentum mu with buffer buf (unused when mu is 0; first = 1 on the
 * first step, when the buffer starts as the gradient), Nesterov if nesterov. Reads p and buf and writes the
 * updated values to p_out and buf_out (buf_out is left alone when mu is 0): each pair is either the same array (in
 * place) or two that do not overlap. */
TT_KERNEL_DEF(TWIN, void, sgd,
              (float *p_out, float *buf_out, const float *p, const float *g, const float *buf, size_t n, float lr,
               float mu, float wd, int nesterov, int first),
              (p_out, buf_out, p, g, buf, n, lr, mu, wd, nesterov, first))

/* y = tanh(x), within 3e-7 of libm's tanhf (about 5 float32 ulps of 1), in place allowed; tanh(x) = x exactly for
 * tiny x. A rational function with one division and no exp: |x| clamped to 9 (where tanh is 1.0f), z = x²,
 * A = |x|·P(z), B = Q(z), then min(2AB/(A² + B²), 1), which is tanh by the double-angle formula from
 * t = A/B ≈ tanh(|x|/2) (it damps the fit's error near ±1); then x's sign (tanh(-0) = -0); NaN passes through.
 * The twins run the same float operations in the same order, so they are bit-identical. Coefficients:
 * TT_TANH_* in kernels.h. */
TT_KERNEL_DEF(TWIN, void, tanh, (float *y, const float *x, size_t n), (y, x, n))

/* Scaled dot-product attention of one query q (dh floats) over n keys and values, key j at k + j*ld and value j
 * at v + j*ld (rows of a [positions, 3D] q|k|v buffer, or a cache of past positions): p (n) = softmax_j(scale ·
 * q·k_j), out (dh) = Σ_j p_j v_j. A causal layer passes the keys up to the query's own position. */
TT_KERNEL_DEF(TWIN, void, attend,
              (float *out, float *p, const float *q, const float *k, const float *v, int n, int ld, int dh,
               float scale),
              (out, p, q, k, v, n, ld, dh, scale))
/* Its backward pass, given p from the forward pass and dout (dh) the gradient of out: writes dq (dh) and ADDS to
 * dk and dv (laid out as k and v, stride ld). ds: n floats of scratch. */
TT_KERNEL_DEF(TWIN, void, attend_backward,
              (float *dq, float *dk, float *dv, float *ds, const float *dout, const float *p, const float *q,
               const float *k, const float *v, int n, int ld, int dh, float scale),
              (dq, dk, dv, ds, dout, p, q, k, v, n, ld, dh, scale))

/* Layer normalisation of rows of D floats (torch.nn.LayerNorm(D)): y = (x - mean) · rstd · gamma + beta, with
 * rstd = 1/sqrt(var + eps) (biased variance; mean and variance summed in double, so large offsets keep their
 * precision); stats (rows, 2) gets each row's mean and rstd for the backward pass. */
TT_KERNEL_DEF(TWIN, void, layernorm,
              (float *y, float *stats, const float *x, const float *gamma, const float *beta, int rows, int D,
               float eps),
              (y, stats, x, gamma, beta, rows, D, eps))
/* Its backward pass from those stats: ADDS to dgamma and dbeta (D), and writes dx (rows, D) unless it is NULL. */
TT_KERNEL_DEF(TWIN, void, layernorm_backward,
              (float *dx, float *dgamma, float *dbeta, const float *dy, const float *x, const float *stats,
               const float *gamma, int rows, int D),
              (dx, dgamma, dbeta, dy, x, stats, gamma, rows, D))

/* GELU, exact form as torch.nn.GELU(): y = x Φ(x) and dx = dy (Φ(x) + x φ(x)), with Φ(x) = 0.5 erfc(-x/√2) from
 * the Chebyshev fit of erfc in Numerical Recipes (fractional error below 1.2e-7; erfc of |x| directly, so 1 + erf(x)
 * never cancels for x << 0) and e^a by range reduction to |r| <= ln2/2 and a degree-7 polynomial, all in float
 * (constants in kernels.h). In place allowed. The twins run the same float operations in the same order:
 * bit-identical. */
TT_KERNEL_DEF(TWIN, void, gelu, (float *y, const float *x, size_t n), (y, x, n))
TT_KERNEL_DEF(TWIN, void, gelu_backward, (float *dx, const float *dy, const float *x, size_t n), (dx, dy, x, n))

#ifdef TT_INT8 /* the int8 build only (kernels.h: TT_INT8) */
/* int8 inference (a model from tt_model_quantize: dense and conv2d weights as int8 with one float scale per output
 * channel; activations stay float between layers). quantize_i16 turns a vector x (n floats) into int16 q (n):
 * x / s rounded to nearest (ties to even) and clamped to ±limit (NaN gives +limit), with s = max|x| / limit, which
 * it returns (0 for a vector of zeros; q is then all zeros). With limit from tt__i8_limit(K) no sum of K products
 * with int8 weights leaves int32. The twins give the same q and s bit for bit. */
TT_KERNEL_DEF(TWIN, float, quantize_i16, (int16_t *q, const float *x, int n, int limit), (q, x, n, limit))
/* y[m·ldm + j·ldn] = (float)(Σ_k a[m·lda + k] · w_jk) · (scale[j] · s) for m < M, j < N (s: a's scale): a (M, lda) int16 rows, lda even
 * and a[m·lda + K] = 0 when K is odd; w_jk int8 at w[tt__i8_packed_at(j, k, K)]: rows in blocks of 16, a block
 * holding (K+1)/2 pairs of 32 bytes (row 0's k and k+1, row 1's, ..., row 15's), zeros past N and K. The sums
 * are exact in int32 (see quantize_i16), so the twins agree bit for bit. The SIMD twin lists a row's nonzero pairs
 * of a in nz ((K+1)/2 ints of scratch: sparse inputs such as MNIST's background cost nothing), then per block of
 * 16 rows adds i32x4.dot_i16x8_s(the pair in every lane, the pair of 4 rows) to 4 sums of 4 rows each. */
TT_KERNEL_DEF(TWIN, void, gemm_i8,
              (float *y, int ldm, int ldn, const int16_t *a, int lda, const int8_t *w, const float *scale, float s,
               int M, int N, int K, int *nz),
              (y, ldm, ldn, a, lda, w, scale, s, M, N, K, nz))
#endif
