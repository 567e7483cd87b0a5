# SIMD kernels vs their scalar twins, inside one wasm build run by node, and natively under ASan/UBSan. Called from the repo root by the top
# Makefile (`make test-simd`) as $(MAKE) -f tests/simd/simd.mk. Builds into build/simd/.
# The kernels' benchmarks are in bench/kernels/kernels.mk.
# Programs are standalone .wasm files (WASI commands) run by tools/wasi-run.mjs: emcc 3.1.6's JS glue cannot
# load its .wasm in Node 20 (its fetch of a file path fails).
EMCC ?= emcc
NODE ?= node

KERNEL_SRC := $(wildcard src/kernels/scalar/*.c src/kernels/wasmsimd/*.c)
# every twin is tested, the int8 ones (built only with TT_INT8, see kernels.h) included
INT8 := -DTT_INT8
# kernels' loops as the shipped module compiles them (Makefile: KERNEL_LOOP_FLAGS)
SIMD_FLAGS := -O3 -fno-unroll-loops -fno-vectorize -msimd128 -std=c11 -Wall -Wextra -Wno-unused-parameter -Isrc \
              $(INT8) -sALLOW_MEMORY_GROWTH -sSTANDALONE_WASM -sFILESYSTEM=0

.PHONY: test-simd test-simd-wasm test-simd-native
test-simd: test-simd-wasm test-simd-native

test-simd-wasm: build/simd/test_simd.wasm
	$(NODE) tools/wasi-run.mjs build/simd/test_simd.wasm

# The same twins compiled natively through kernels/simd128_native.h: first each wasm_* op must give the same bits
# as clang's real wasm_simd128.h under node (simd128_ops.c, hashes diffed), then test_simd runs under ASan/UBSan,
# which checks the SIMD kernels' memory accesses (the wasm run cannot see an out-of-bounds read). NATIVE_ISA is
# the top Makefile's instruction set flags for the native build (-msse4.1 on x86-64), so the same codegen is tested.
CC ?= cc
NATIVE_ISA ?=
NATIVE_FLAGS := -std=c11 -Wall -Wextra -Wno-unused-parameter -Wno-attributes -Isrc -DTT_NATIVE_SIMD $(INT8) $(NATIVE_ISA)
ASAN := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test-simd-native: build/simd/simd128_ops.wasm build/simd/simd128_ops build/simd/test_simd_native
	$(NODE) tools/wasi-run.mjs build/simd/simd128_ops.wasm >build/simd/simd128_ops.wasm.txt
	build/simd/simd128_ops >build/simd/simd128_ops.native.txt
	@diff build/simd/simd128_ops.wasm.txt build/simd/simd128_ops.native.txt && \
	  echo "simd128_ops: every op of kernels/simd128_native.h matches wasm_simd128.h" || \
	  { echo "FAILED simd128_ops: the ops on the lines above differ natively (<: wasm, >: native)"; exit 1; }
	build/simd/test_simd_native

build/simd/simd128_ops.wasm: tests/simd/simd128_ops.c src/kernels/simd128.h tests/simd/simd.mk
	@mkdir -p build/simd
	$(EMCC) $(SIMD_FLAGS) $< -o $@

build/simd/simd128_ops: tests/simd/simd128_ops.c src/kernels/simd128.h src/kernels/simd128_native.h tests/simd/simd.mk
	@mkdir -p build/simd
	$(CC) $(NATIVE_FLAGS) $(ASAN) $< -lm -o $@

build/simd/test_simd_native: tests/simd/test_simd.c $(KERNEL_SRC) $(wildcard src/kernels/*.h) tests/simd/simd.mk
	@mkdir -p build/simd
	$(CC) $(NATIVE_FLAGS) -Wno-format-truncation $(ASAN) tests/simd/test_simd.c $(KERNEL_SRC) -lm -o $@

build/simd/test_simd.wasm: tests/simd/test_simd.c $(KERNEL_SRC) $(wildcard src/kernels/*.h) tests/simd/simd.mk
	@mkdir -p build/simd
	$(EMCC) $(SIMD_FLAGS) tests/simd/test_simd.c $(KERNEL_SRC) -o $@
