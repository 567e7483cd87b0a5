// The core's GEMM kernel timed inside wasm (bench/tinytrain.mjs, the `gemm` case). It runs in the benchmark build,
// build/bench/tinytrain-bench.wasm (`make bench` makes it): the shipped module's objects plus bench/wasm/gemm.c,
// which exports tt_bench_gemm. The shipped wasm/tinytrain.wasm has no benchmark exports.
import { readFile } from 'node:fs/promises';

const WASM_URL = new URL('../build/bench/tinytrain-bench.wasm', import.meta.url);
const IMPORTS = { env: { emscripten_notify_memory_growth() {} } };

const { instance } = await WebAssembly.instantiate(await readFile(WASM_URL), IMPORTS);
const wasm = instance.exports;
wasm._initialize?.();

/** Times `reps` GEMMs C[M,N] = op(A)·op(B) of the core's kernel. Returns seconds per GEMM (wall clock). */
export function benchGemm(ta, tb, M, N, K, reps, now = () => performance.now()) {
  const a = wasm.tt_alloc(M * K * 4), b = wasm.tt_alloc(K * N * 4), c = wasm.tt_alloc(M * N * 4);
  try {
    new Float32Array(wasm.memory.buffer, a, M * K).fill(0.5);
    new Float32Array(wasm.memory.buffer, b, K * N).fill(0.25);
    wasm.tt_bench_gemm(ta, tb, M, N, K, a, b, c, 1); // warm-up
    const t0 = now();
    wasm.tt_bench_gemm(ta, tb, M, N, K, a, b, c, reps);
    return (now() - t0) / 1000 / reps;
  } finally {
    wasm.tt_free(a); wasm.tt_free(b); wasm.tt_free(c);
  }
}
