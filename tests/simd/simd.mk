# SIMD kernels vs their scalar twins, inside one wasm build run by node. Called from the repo root by the top
# Makefile (`make test-simd`) as $(MAKE) -f tests/simd/simd.mk. Builds into build/simd/.
# `make -f tests/simd/simd.mk bench` builds and runs the optional GEMM timing (not part of the tests);
# `... microkernel` compares register-tile shapes of the GEMM's inner loop.
# Programs are standalone .wasm files (WASI commands) run by tests/simd/run.mjs: emcc 3.1.6's JS glue cannot
# load its .wasm in Node 20 (its fetch of a file path fails).
EMCC ?= emcc
NODE ?= node

KERNEL_SRC := $(wildcard src/kernels/scalar/*.c src/kernels/wasmsimd/*.c)
SIMD_FLAGS := -O3 -msimd128 -std=c11 -Wall -Wextra -Wno-unused-parameter -Isrc -sALLOW_MEMORY_GROWTH \
              -sSTANDALONE_WASM -sFILESYSTEM=0

.PHONY: test-simd bench microkernel
test-simd: build/simd/test_simd.wasm
	$(NODE) tests/simd/run.mjs build/simd/test_simd.wasm

build/simd/test_simd.wasm: tests/simd/test_simd.c $(KERNEL_SRC) src/kernels/kernels.h tests/simd/simd.mk
	@mkdir -p build/simd
	$(EMCC) $(SIMD_FLAGS) tests/simd/test_simd.c $(KERNEL_SRC) -o $@

bench: build/simd/bench_gemm.wasm
	$(NODE) tests/simd/run.mjs build/simd/bench_gemm.wasm

build/simd/bench_gemm.wasm: tests/simd/bench_gemm.c $(KERNEL_SRC) src/kernels/kernels.h tests/simd/simd.mk
	@mkdir -p build/simd
	$(EMCC) $(SIMD_FLAGS) tests/simd/bench_gemm.c $(KERNEL_SRC) -o $@

microkernel: build/simd/bench_microkernel.wasm
	$(NODE) tests/simd/run.mjs build/simd/bench_microkernel.wasm

build/simd/bench_microkernel.wasm: tests/simd/bench_microkernel.c tests/simd/simd.mk
	@mkdir -p build/simd
	$(EMCC) $(SIMD_FLAGS) tests/simd/bench_microkernel.c -o $@
