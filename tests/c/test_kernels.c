/* Scalar kernels (the references every SIMD twin is tested against) vs independent naive computations in
 * double: GEMM in all four transpose forms with leading dimensions and beta 0/1, the convolution against a
 * direct one in double and its two gradients as exact adjoints, im2col + GEMM (strided convolutions) likewise,
 * the element-wise ops, and Adam against its formula. */
#include <stdint.h>
#include <stdlib.h>
#include "kernels/kernels.h"
#include "test.h"

static uint64_t rng = 88172645463325252ull;
static float frand(void) {  // uniform in [-1, 1)
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (float)((rng >> 40) * (1.0 / 8388608.0)) - 1.0f;
}
static float *rand_buf(size_t n) {
  float *x = malloc((n ? n : 1) * sizeof(float));
  for (size_t i = 0; i < n; i++) x[i] = frand();
  return x;
}

/* ---- GEMM ------------------------------------------------------------------------------------------------ */

/* Returns the max over C of |got - want| / (Σ|a b| + |beta c| + tiny), want computed in double; also checks
 * that nothing outside the M×N window of C (padding columns) changed. */
static double gemm_case(int ta, int tb, int M, int N, int K, float beta, int pad, int *outside_written) {
  const int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
  float *A = rand_buf((size_t)(ta ? K : M) * lda), *B = rand_buf((size_t)(tb ? N : K) * ldb);
  float *C = rand_buf((size_t)M * ldc), *C0 = malloc(sizeof(float) * M * ldc);
  memcpy(C0, C, sizeof(float) * M * ldc);
  if (beta == 0.0f)  // must not be read
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) C[(size_t)i * ldc + j] = NAN;
  tt_f32_gemm__scalar(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
  double worst = 0.0;
  *outside_written = 0;
  for (int i = 0; i < M; i++) {
    for (int j = 0; j < N; j++) {
      double want = beta == 0.0f ? 0.0 : (double)beta * C0[(size_t)i * ldc + j], mag = fabs(want);
      for (int p = 0; p < K; p++) {
        const double a = ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
        const double b = tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j];
        want += a * b, mag += fabs(a * b);
      }
      const double err = fabs(C[(size_t)i * ldc + j] - want) / (mag + 1e-30);
      if (!(err <= worst)) worst = isnan(err) ? INFINITY : err;
    }
    for (int j = N; j < ldc; j++)
      if (C[(size_t)i * ldc + j] != C0[(size_t)i * ldc + j]) *outside_written = 1;
  }
  free(A), free(B), free(C), free(C0);
  return worst;
}

TT_TEST(test_gemm_all_transposes_match_double_reference) {
  static const int sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33};
  const int ns = (int)(sizeof sizes / sizeof sizes[0]);
  for (int form = 0; form < 4; form++)
    for (int a = 0; a < ns; a++)
      for (int b = 0; b < ns; b++)
        for (int c = 0; c < ns; c++)
          for (int bi = 0; bi < 2; bi++) {
            const int ta = form & 1, tb = form >> 1, M = sizes[a], N = sizes[b], K = sizes[c];
            const float beta = (float)bi;
            int outside = 0;
            const double err = gemm_case(ta, tb, M, N, K, beta, (a + b + c) % 3, &outside);
            const double tol = 1e-6 * sqrt((double)K);  // float rounding grows ~sqrt(K)
            if (!(err <= tol) || outside) {
              fprintf(stderr, "gemm ta=%d tb=%d M=%d N=%d K=%d beta=%g: rel err %.3g (tol %.3g)%s\n", ta, tb, M, N,
                      K, beta, err, tol, outside ? ", wrote outside C" : "");
              CHECK(err <= tol && !outside);
              return;
            }
          }
}

TT_TEST(test_gemm_k0_gives_beta_c) {
  float C[6] = {1, 2, 3, 4, 5, 6}, A[1] = {0}, B[1] = {0};
  tt_f32_gemm__scalar(0, 0, 2, 3, 0, A, 1, B, 3, 1.0f, C, 3);
  CHECK_NEAR(C[5], 6.0, 0);
  tt_f32_gemm__scalar(0, 0, 2, 3, 0, A, 1, B, 3, 0.0f, C, 3);
  for (int i = 0; i < 6; i++) CHECK_NEAR(C[i], 0.0, 0);
}

/* ---- convolution ------------------------------------------------------------------------------------------ */

static double dot(const float *a, const float *b, size_t n, double *mag) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i], *mag += fabs((double)a[i] * b[i]);
  return s;
}

TT_TEST(test_conv_forward_matches_a_double_direct_convolution) {
  // y[f][oh][ow] = bias[f] + Σ w[f][c][ki][kj] x[c][oh+ki-pad_lo][ow+kj-pad_lo] over taps inside the image
  static const int cfg[][7] = {{1, 5, 5, 3, 0, 0, 2}, {2, 7, 6, 3, 1, 1, 3}, {3, 8, 8, 5, 2, 2, 4},
                               {2, 4, 9, 2, 0, 1, 5}, {1, 3, 3, 3, 1, 1, 1}, {2, 6, 5, 1, 0, 0, 3}};
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++) {
    const int C = cfg[t][0], H = cfg[t][1], W = cfg[t][2], k = cfg[t][3], pl = cfg[t][4], ph = cfg[t][5];
    const int F = cfg[t][6], OH = H + pl + ph - k + 1, OW = W + pl + ph - k + 1, B = 2;
    float *x = rand_buf((size_t)B * C * H * W), *w = rand_buf((size_t)F * C * k * k), *bias = rand_buf(F);
    float *y = malloc(sizeof(float) * B * F * OH * OW);
    tt_f32_conv_forward__scalar(y, x, w, bias, B, C, H, W, F, k, pl, ph, 0, NULL);
    double worst = 0;
    for (int b = 0; b < B; b++)
      for (int f = 0; f < F; f++)
        for (int oh = 0; oh < OH; oh++)
          for (int ow = 0; ow < OW; ow++) {
            double want = bias[f];
            for (int c = 0; c < C; c++)
              for (int ki = 0; ki < k; ki++)
                for (int kj = 0; kj < k; kj++) {
                  const int ih = oh - pl + ki, iw = ow - pl + kj;
                  if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                    want += (double)w[((f * C + c) * k + ki) * k + kj] * x[((b * C + c) * H + ih) * W + iw];
                }
            worst = fmax(worst, fabs(y[((b * F + f) * OH + oh) * OW + ow] - want));
          }
    if (worst > 1e-5) fprintf(stderr, "conv config %zu: max abs err %.3g\n", t, worst);
    CHECK(worst <= 1e-5);
    free(x), free(w), free(bias), free(y);
  }
}

TT_TEST(test_conv_adjoint_and_weight_gradient_are_exact_adjoints) {
  // With y = conv(x; w) (no bias): <adjoint(dy; w), x> == <dy, y> (the input gradient, pads k-1-pad, negative when
  // pad >= k) and <backward_w(dy, x), w> == <dy, y> (the weight gradient); backward_w accumulates into dw.
  static const int cfg[][7] = {{1, 5, 5, 3, 0, 0, 2}, {2, 7, 6, 3, 1, 1, 3}, {3, 8, 8, 5, 2, 2, 4},
                               {2, 4, 9, 2, 0, 1, 5}, {1, 6, 6, 3, 3, 4, 2}, {4, 5, 7, 4, 1, 2, 1}};
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++) {
    const int C = cfg[t][0], H = cfg[t][1], W = cfg[t][2], k = cfg[t][3], pl = cfg[t][4], ph = cfg[t][5];
    const int F = cfg[t][6], OH = H + pl + ph - k + 1, OW = W + pl + ph - k + 1, B = 2;
    const size_t nx = (size_t)B * C * H * W, ny = (size_t)B * F * OH * OW, nw = (size_t)F * C * k * k;
    float *x = rand_buf(nx), *w = rand_buf(nw), *dy = rand_buf(ny), *y = malloc(sizeof(float) * ny);
    float *dx = malloc(sizeof(float) * nx), *dw = calloc(nw, sizeof(float));
    tt_f32_conv_forward__scalar(y, x, w, NULL, B, C, H, W, F, k, pl, ph, 0, NULL);
    tt_f32_conv_forward__scalar(dx, dy, w, NULL, B, F, OH, OW, C, k, k - 1 - pl, k - 1 - ph, 1, NULL);
    tt_f32_conv_backward_w__scalar(dw, dy, x, B, C, H, W, F, k, pl, ph, NULL);
    double mag = 0, mag_x = 0, mag_w = 0;
    const double want = dot(dy, y, ny, &mag), got_x = dot(dx, x, nx, &mag_x), got_w = dot(dw, w, nw, &mag_w);
    if (fabs(got_x - want) > 1e-6 * (mag_x + 1) || fabs(got_w - want) > 1e-6 * (mag_w + 1))
      fprintf(stderr, "config %zu: <dy,y> = %.9g, <dx,x> = %.9g, <dw,w> = %.9g\n", t, want, got_x, got_w);
    CHECK(fabs(got_x - want) <= 1e-6 * (mag_x + 1));
    CHECK(fabs(got_w - want) <= 1e-6 * (mag_w + 1));
    float *dw2 = malloc(sizeof(float) * nw);  // a second call adds the same again
    memcpy(dw2, dw, sizeof(float) * nw);
    tt_f32_conv_backward_w__scalar(dw2, dy, x, B, C, H, W, F, k, pl, ph, NULL);
    for (size_t i = 0; i < nw; i++) CHECK_NEAR(dw2[i], 2.0 * dw[i], 1e-5);
    free(x), free(w), free(dy), free(y), free(dx), free(dw), free(dw2);
  }
}

TT_TEST(test_conv_sparse_backward_equals_the_dense_kernels_bit_for_bit) {
  // dy mostly zeros (both signs): dw += and dx = as conv_backward_w and the adjoint conv_forward give them, to the
  // bit (the same sums in the same order without the ±0 terms); with `limit` nonzeros or more it does nothing
  static const int cfg[][8] = {{2, 8, 7, 6, 5, 3, 1, 1}, {1, 1, 9, 9, 4, 5, 2, 2}, {2, 3, 5, 4, 3, 2, 0, 1},
                               {1, 2, 3, 4, 3, 3, 4, 3}};  // B, C, H, W, F, k, pad_lo, pad_hi
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++) {
    const int B = cfg[t][0], C = cfg[t][1], H = cfg[t][2], W = cfg[t][3], F = cfg[t][4], k = cfg[t][5];
    const int pl = cfg[t][6], ph = cfg[t][7], OH = H + pl + ph - k + 1, OW = W + pl + ph - k + 1;
    const size_t nx = (size_t)B * C * H * W, ny = (size_t)B * F * OH * OW, nw = (size_t)F * C * k * k;
    float *x = rand_buf(nx), *w = rand_buf(nw), *dy = rand_buf(ny), *dw0 = rand_buf(nw), *dw1 = malloc(nw * 4);
    float *dx0 = malloc(nx * 4), *dx1 = malloc(nx * 4);
    float *ws = malloc(tt__conv_sparse_ws_floats(C, H, W, F, k, pl, ph) * 4);
    float *wsd = malloc(tt__conv_ws_floats(F, OH, OW, C, k, k - 1 - pl, k - 1 - ph) * 4);
    int nnz = 0;
    for (size_t i = 0; i < ny; i++) dy[i] = i % 7 == 2 ? dy[i] : i % 2 ? -0.0f : 0.0f, nnz += dy[i] != 0.0f;
    memcpy(dw1, dw0, nw * 4);
    for (size_t i = 0; i < nx; i++) dx1[i] = 1234.5f;
    CHECK(tt_f32_conv_sparse__scalar(dw1, dx1, dy, x, w, NULL, B, C, H, W, F, k, pl, ph, 0, nnz, ws) == 0);
    CHECK(memcmp(dw1, dw0, nw * 4) == 0 && dx1[0] == 1234.5f && dx1[nx - 1] == 1234.5f);
    CHECK(tt_f32_conv_sparse__scalar(dw1, dx1, dy, x, w, NULL, B, C, H, W, F, k, pl, ph, 0, nnz + 1, ws) == 1);
    tt_f32_conv_backward_w__scalar(dw0, dy, x, B, C, H, W, F, k, pl, ph, NULL);
    tt_f32_conv_forward__scalar(dx0, dy, w, NULL, B, F, OH, OW, C, k, k - 1 - pl, k - 1 - ph, 1, wsd);
    size_t bad_w = 0, bad_x = 0;
    for (size_t i = 0; i < nw; i++) bad_w += memcmp(&dw0[i], &dw1[i], 4) != 0;
    for (size_t i = 0; i < nx; i++) bad_x += memcmp(&dx0[i], &dx1[i], 4) != 0;
    if (bad_w || bad_x)
      fprintf(stderr, "sparse config %zu: %zu of %zu dw and %zu of %zu dx differ from the dense kernels'\n", t, bad_w,
              nw, bad_x, nx);
    CHECK(bad_w == 0 && bad_x == 0);
    free(x), free(w), free(dy), free(dw0), free(dw1), free(dx0), free(dx1), free(ws), free(wsd);
  }
}

TT_TEST(test_conv_sparse_on_the_input_equals_the_dense_forward_and_weight_gradient_bit_for_bit) {
  // a layer input x mostly zeros (both signs), given to the sparse kernel as its dy with the weights as adjoint:
  // dx = the layer's forward pass with its bias and dw += its weight gradient, as conv_forward and conv_backward_w
  // give them, to the bit (the same sums in the same order without the ±0 terms)
  static const int cfg[][8] = {{2, 1, 9, 8, 8, 5, 2, 2}, {1, 2, 5, 6, 5, 3, 0, 2},
                               {3, 3, 4, 4, 1, 3, 1, 0}};  // B, C, H, W, F, k, pad_lo, pad_hi
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++) {
    const int B = cfg[t][0], C = cfg[t][1], H = cfg[t][2], W = cfg[t][3], F = cfg[t][4], k = cfg[t][5];
    const int pl = cfg[t][6], ph = cfg[t][7], OH = H + pl + ph - k + 1, OW = W + pl + ph - k + 1;
    const size_t nx = (size_t)B * C * H * W, ny = (size_t)B * F * OH * OW, nw = (size_t)F * C * k * k;
    float *x = rand_buf(nx), *w = rand_buf(nw), *bias = rand_buf(F), *dy = rand_buf(ny), *dw0 = rand_buf(nw);
    float *dw1 = malloc(nw * 4), *y0 = malloc(ny * 4), *y1 = malloc(ny * 4);
    float *ws = malloc(tt__conv_sparse_ws_floats(F, OH, OW, C, k, k - 1 - pl, k - 1 - ph) * 4);
    for (size_t i = 0; i < nx; i++) x[i] = i % 5 == 1 ? x[i] : i % 2 ? -0.0f : 0.0f;
    memcpy(dw1, dw0, nw * 4);
    CHECK(tt_f32_conv_sparse__scalar(NULL, y1, x, NULL, w, bias, B, F, OH, OW, C, k, k - 1 - pl, k - 1 - ph,
                                     1, (int)nx, ws) == 1);
    CHECK(tt_f32_conv_sparse__scalar(dw1, NULL, x, dy, w, NULL, B, F, OH, OW, C, k, k - 1 - pl, k - 1 - ph,
                                     1, (int)nx, ws) == 1);
    tt_f32_conv_forward__scalar(y0, x, w, bias, B, C, H, W, F, k, pl, ph, 0, NULL);
    tt_f32_conv_backward_w__scalar(dw0, dy, x, B, C, H, W, F, k, pl, ph, NULL);
    size_t bad_y = 0, bad_w = 0;
    for (size_t i = 0; i < ny; i++) bad_y += memcmp(&y0[i], &y1[i], 4) != 0;
    for (size_t i = 0; i < nw; i++) bad_w += memcmp(&dw0[i], &dw1[i], 4) != 0;
    if (bad_y || bad_w)
      fprintf(stderr, "input-sparse config %zu: %zu of %zu y and %zu of %zu dw differ from the dense kernels'\n", t,
              bad_y, ny, bad_w, nw);
    CHECK(bad_y == 0 && bad_w == 0);
    free(x), free(w), free(bias), free(dy), free(dw0), free(dw1), free(y0), free(y1), free(ws);
  }
}

TT_TEST(test_im2col_gemm_equals_direct_convolution) {
  // conv2d (F filters, C channels, k×k, stride, padding) via weight (F, C*k*k) · col (C*k*k, OH*OW)
  static const int cfg[][6] = {{1, 5, 5, 3, 1, 0}, {2, 7, 6, 3, 2, 1}, {3, 8, 8, 5, 1, 2}, {2, 4, 9, 2, 3, 1},
                               {1, 3, 3, 3, 1, 1}, {2, 6, 5, 1, 2, 0}};
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++) {
    const int C = cfg[t][0], H = cfg[t][1], W = cfg[t][2], k = cfg[t][3], s = cfg[t][4], pad = cfg[t][5], F = 3;
    const int OH = (H + 2 * pad - k) / s + 1, OW = (W + 2 * pad - k) / s + 1, R = C * k * k;
    float *in = rand_buf((size_t)C * H * W), *w = rand_buf((size_t)F * R), *col = rand_buf((size_t)R * OH * OW);
    float *out = malloc(sizeof(float) * F * OH * OW);
    tt_f32_im2col__scalar(col, in, C, H, W, k, s, pad, OH, OW);
    tt_f32_gemm__scalar(0, 0, F, OH * OW, R, w, R, col, OH * OW, 0.0f, out, OH * OW);
    double worst = 0;
    for (int f = 0; f < F; f++)
      for (int oh = 0; oh < OH; oh++)
        for (int ow = 0; ow < OW; ow++) {
          double want = 0;
          for (int c = 0; c < C; c++)
            for (int ki = 0; ki < k; ki++)
              for (int kj = 0; kj < k; kj++) {
                const int ih = oh * s - pad + ki, iw = ow * s - pad + kj;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                  want += (double)w[((f * C + c) * k + ki) * k + kj] * in[(c * H + ih) * W + iw];
              }
          const double err = fabs(out[(f * OH + oh) * OW + ow] - want);
          if (err > worst) worst = err;
        }
    if (worst > 1e-5) fprintf(stderr, "conv config %zu: max abs err %.3g\n", t, worst);
    CHECK(worst <= 1e-5);
    free(in), free(w), free(col), free(out);
  }
}

TT_TEST(test_col2im_is_adjoint_of_im2col) {
  // <col2im(y), x> == <y, im2col(x)> for random x (C,H,W) and y (C*k*k, OH*OW), including asymmetric padding
  // (pad_lo only: the output size decides how much of the bottom/right is covered)
  static const int cfg[][6] = {{1, 5, 5, 3, 1, 0}, {2, 7, 6, 3, 2, 1}, {3, 8, 8, 5, 1, 2},
                               {2, 4, 9, 2, 3, 1}, {1, 6, 6, 3, 1, 1}, {4, 5, 7, 4, 2, 2}};
  for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++) {
    const int C = cfg[t][0], H = cfg[t][1], W = cfg[t][2], k = cfg[t][3], s = cfg[t][4], pad = cfg[t][5];
    const int OH = (H + 2 * pad - k) / s + 1, OW = (W + 2 * pad - k) / s + 1;
    const size_t nx = (size_t)C * H * W, ny = (size_t)C * k * k * OH * OW;
    float *x = rand_buf(nx), *y = rand_buf(ny), *col = malloc(sizeof(float) * ny), *dx = calloc(nx, sizeof(float));
    tt_f32_im2col__scalar(col, x, C, H, W, k, s, pad, OH, OW);
    tt_f32_col2im__scalar(dx, y, C, H, W, k, s, pad, OH, OW);
    double lhs = 0, rhs = 0, mag = 0;
    for (size_t i = 0; i < nx; i++) lhs += (double)dx[i] * x[i], mag += fabs((double)dx[i] * x[i]);
    for (size_t i = 0; i < ny; i++) rhs += (double)y[i] * col[i];
    if (fabs(lhs - rhs) > 1e-6 * (mag + 1))
      fprintf(stderr, "config %zu: <col2im(y),x> = %.9g, <y,im2col(x)> = %.9g\n", t, lhs, rhs);
    CHECK(fabs(lhs - rhs) <= 1e-6 * (mag + 1));
    // col2im accumulates: a second call doubles the result
    float *dx2 = malloc(sizeof(float) * nx);
    memcpy(dx2, dx, sizeof(float) * nx);
    tt_f32_col2im__scalar(dx2, y, C, H, W, k, s, pad, OH, OW);
    for (size_t i = 0; i < nx; i++) CHECK_NEAR(dx2[i], 2.0 * dx[i], 1e-6);
    free(x), free(y), free(col), free(dx), free(dx2);
  }
}

/* ---- element-wise ---------------------------------------------------------------------------------------- */

TT_TEST(test_eltwise_ops_match_definitions) {
  enum { R = 3, Cn = 5, N = R * Cn };
  float *x = rand_buf(N), *b = rand_buf(Cn), y[N], db[Cn];
  x[0] = 0.0f, x[1] = -0.0f;
  memcpy(y, x, sizeof y);
  tt_f32_bias_act__scalar(y, b, R, Cn, 0);
  for (int i = 0; i < N; i++) CHECK_NEAR(y[i], (double)x[i] + b[i % Cn], 1e-7);
  // the fused activations: exactly the bias added, then the relu or tanh kernel
  for (int act = TT_ACT_RELU; act <= TT_ACT_TANH; act++) {
    float want[N];
    for (int i = 0; i < N; i++) want[i] = x[i] + b[i % Cn];
    if (act == TT_ACT_RELU) tt_f32_relu__scalar(want, want, N);
    else tt_f32_tanh__scalar(want, want, N);
    memcpy(y, x, sizeof y);
    tt_f32_bias_act__scalar(y, b, R, Cn, act);
    for (int i = 0; i < N; i++) CHECK_NEAR(y[i], want[i], 0);
    memcpy(y, want, sizeof y);  // no bias: the activation alone, applied once more
    tt_f32_bias_act__scalar(y, NULL, R, Cn, act);
    if (act == TT_ACT_RELU) tt_f32_relu__scalar(want, want, N);
    else tt_f32_tanh__scalar(want, want, N);
    for (int i = 0; i < N; i++) CHECK_NEAR(y[i], want[i], 0);
  }
  for (int c = 0; c < Cn; c++) db[c] = 1.0f;
  tt_f32_sum_rows__scalar(db, x, R, Cn);  // accumulates onto 1
  for (int c = 0; c < Cn; c++) CHECK_NEAR(db[c], 1.0 + x[c] + x[Cn + c] + x[2 * Cn + c], 1e-6);
  tt_f32_relu__scalar(y, x, N);
  for (int i = 0; i < N; i++) CHECK_NEAR(y[i], x[i] > 0 ? x[i] : 0.0, 0);
  float nan_in = NAN, nan_out = 1.0f;
  tt_f32_relu__scalar(&nan_out, &nan_in, 1);
  CHECK(nan_out == 0.0f);  // NaN does not pass through relu (the comparison is false)
  float dy[N], dx[N];
  for (int i = 0; i < N; i++) dy[i] = frand();
  tt_f32_relu_backward__scalar(dx, dy, y, N);
  for (int i = 0; i < N; i++) CHECK_NEAR(dx[i], y[i] > 0 ? dy[i] : 0.0, 0);
  double ss = 0;
  for (int i = 0; i < N; i++) ss += (double)x[i] * x[i];
  CHECK_NEAR(tt_f32_sumsq__scalar(x, N), ss, 1e-6);
  memcpy(y, x, sizeof y);
  tt_f32_scale__scalar(y, 0.5f, N);
  for (int i = 0; i < N; i++) CHECK_NEAR(y[i], 0.5 * x[i], 0);
  free(x), free(b);
}

/* ---- Adam ------------------------------------------------------------------------------------------------- */

TT_TEST(test_adam_matches_formula_over_steps) {
  // three steps of Adam (L2) and AdamW (decoupled decay) against the textbook formula in double, in place and out
  // of place (bit for bit the same)
  enum { N = 37 };
  for (int variant = 0; variant < 2; variant++) {
    const float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.1f;
    float p[N], m[N] = {0}, v[N] = {0};
    float ps[2][N], ms[2][N] = {{0}}, vs[2][N] = {{0}};  // the same steps out of place, between two sets
    double pd[N], md[N] = {0}, vd[N] = {0};
    for (int i = 0; i < N; i++) p[i] = frand(), pd[i] = p[i], ps[0][i] = p[i];
    for (int t = 1; t <= 3; t++) {
      float g[N];
      for (int i = 0; i < N; i++) g[i] = frand();
      const double bc1 = 1 - pow(b1, t), bc2 = 1 - pow(b2, t);
      const float wd_l2 = variant == 0 ? wd : 0.0f, decay = variant == 1 ? lr * wd : 0.0f;
      tt_f32_adam__scalar(p, m, v, p, g, m, v, N, lr, b1, b2, eps, wd_l2, decay, (float)bc1, (float)bc2);
      const int in = (t - 1) % 2, out = t % 2;
      tt_f32_adam__scalar(ps[out], ms[out], vs[out], ps[in], g, ms[in], vs[in], N, lr, b1, b2, eps, wd_l2, decay,
                          (float)bc1, (float)bc2);
      CHECK(!memcmp(ps[out], p, sizeof p) && !memcmp(ms[out], m, sizeof m) && !memcmp(vs[out], v, sizeof v));
      for (int i = 0; i < N; i++) {
        pd[i] *= 1.0 - (double)decay;
        const double gi = g[i] + (double)wd_l2 * pd[i];
        md[i] = b1 * md[i] + (1 - (double)b1) * gi;
        vd[i] = b2 * vd[i] + (1 - (double)b2) * gi * gi;
        pd[i] -= lr * (md[i] / bc1) / (sqrt(vd[i] / bc2) + eps);
      }
    }
    double worst = 0;
    for (int i = 0; i < N; i++) worst = fmax(worst, fabs(p[i] - pd[i]));
    if (worst > 1e-6) fprintf(stderr, "adam variant %d: max |p - p_double| = %.3g\n", variant, worst);
    CHECK(worst <= 1e-6);
  }
}

int main(void) {
  TT_RUN(test_gemm_all_transposes_match_double_reference);
  TT_RUN(test_gemm_k0_gives_beta_c);
  TT_RUN(test_conv_forward_matches_a_double_direct_convolution);
  TT_RUN(test_conv_adjoint_and_weight_gradient_are_exact_adjoints);
  TT_RUN(test_conv_sparse_backward_equals_the_dense_kernels_bit_for_bit);
  TT_RUN(test_conv_sparse_on_the_input_equals_the_dense_forward_and_weight_gradient_bit_for_bit);
  TT_RUN(test_im2col_gemm_equals_direct_convolution);
  TT_RUN(test_col2im_is_adjoint_of_im2col);
  TT_RUN(test_eltwise_ops_match_definitions);
  TT_RUN(test_adam_matches_formula_over_steps);
  return TT_SUMMARY();
}
