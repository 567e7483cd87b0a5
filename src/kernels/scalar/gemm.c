/* Reference GEMM: the spec the SIMD twin is tested against, and the native (non-wasm) implementation.
 * C[M,N] = beta * C + op(A)[M,K] · op(B)[K,N], row-major, see kernels.h. Two loop orders, both plain:
 * when B is not transposed its rows are contiguous, so each C row is built as a sum of scaled B rows (i-p-j);
 * when B is transposed each C element is a dot product of two contiguous-or-strided vectors (i-j-p). */
#include "kernels/kernels.h"

void tt_f32_gemm__scalar(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                         float beta, float *C, int ldc) {
  // op(A)[i][p] and op(B)[p][j] without materialising a transpose.
  const size_t sai = ta ? 1 : (size_t)lda, sap = ta ? (size_t)lda : 1;  // strides of A along i and p
  const size_t sbp = tb ? 1 : (size_t)ldb, sbj = tb ? (size_t)ldb : 1;  // strides of B along p and j
  for (int i = 0; i < M; i++) {
    float *c = C + (size_t)i * ldc;  // (N,) row i of C
    const float *a = A + (size_t)i * sai;
    if (!tb) {
      // beta 0 must not read C (it may hold garbage or NaN), so it is overwritten, not scaled.
      for (int j = 0; j < N; j++) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
      for (int p = 0; p < K; p++) {
        const float ap = a[(size_t)p * sap];
        const float *b = B + (size_t)p * sbp;  // row p of B, contiguous in j
        for (int j = 0; j < N; j++) c[j] += ap * b[j];
      }
    } else {
      for (int j = 0; j < N; j++) {
        const float *b = B + (size_t)j * sbj;  // row j of B (= column j of op(B)), contiguous in p
        float acc = 0.0f;
        for (int p = 0; p < K; p++) acc += a[(size_t)p * sap] * b[p];
        c[j] = beta == 0.0f ? acc : beta * c[j] + acc;
      }
    }
  }
}
