// Benchmark-only access to the core's kernels (bench/tinytrain.mjs). Not part of the widget: nothing it loads
// imports this file, so `make dist` does not ship it.
import { loadTinytrain } from './tinytrain.js';

const wasm = await loadTinytrain(); // the same instance as every Model in this realm

/** Times `reps` GEMMs C[M,N] = op(A)·op(B) of the core's kernel. Returns seconds per GEMM (wall clock). */
export function benchGemm(ta, tb, M, N, K, reps, now = () => performance.now()) {
  const a = wasm.tt_alloc(M * K * 4), b = wasm.tt_alloc(K * N * 4), c = wasm.tt_alloc(M * N * 4);
  try {
    new Float32Array(wasm.memory.buffer, a, M * K).fill(0.5);
    new Float32Array(wasm.memory.buffer, b, K * N).fill(0.25);
    wasm.tt_gemm(ta, tb, M, N, K, a, b, c, 1); // warm-up
    const t0 = now();
    wasm.tt_gemm(ta, tb, M, N, K, a, b, c, reps);
    return (now() - t0) / 1000 / reps;
  } finally {
    wasm.tt_free(a); wasm.tt_free(b); wasm.tt_free(c);
  }
}
