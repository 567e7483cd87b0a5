/* The benchmark build's extra export (build/bench/tinytrain-bench.wasm, made by `make bench`): the core's GEMM
 * kernel timed inside wasm, for bench/gemm-wasm.mjs. Not part of the shipped module or the public header. */
#include "kernels/kernels.h"

/* reps times C[M,N] = op(A)·op(B) (ta/tb = 1: the operand is stored transposed), packed rows, beta 0 */
void tt_bench_gemm(int ta, int tb, int M, int N, int K, const float *A, const float *B, float *C, int reps) {
  for (int r = 0; r < reps; r++) tt__gemm(ta, tb, M, N, K, A, ta ? M : K, B, tb ? K : N, 0.0f, C, N);
}
