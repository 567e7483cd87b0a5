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

.PHONY: test-simd bench microkernel layers
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

# Per-layer profile of a training step (the shipped module's optimisation levels: kernels -O3, the rest -Oz).
LAYER_SRC := $(filter-out src/cli/%,$(wildcard src/core/*.c src/layers/*.c src/optim/*.c src/io/*.c src/model/*.c))
LAYER_OBJ := $(patsubst %.c,build/simd/obj/%.o,$(LAYER_SRC) $(KERNEL_SRC) tests/simd/bench_layers.c)
layers: build/simd/bench_layers.wasm
	$(NODE) tests/simd/run.mjs build/simd/bench_layers.wasm

build/simd/obj/src/kernels/%.o: src/kernels/%.c $(wildcard src/*/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(EMCC) -O3 -msimd128 -std=c11 -Isrc -c $< -o $@
build/simd/obj/%.o: %.c $(wildcard src/*/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(EMCC) -Oz -msimd128 -std=c11 -Isrc -c $< -o $@
build/simd/bench_layers.wasm: $(LAYER_OBJ)
	$(EMCC) -Oz -sALLOW_MEMORY_GROWTH -sSTANDALONE_WASM -sFILESYSTEM=0 -sMALLOC=emmalloc $(LAYER_OBJ) -o $@
