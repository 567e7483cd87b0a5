# Benchmarks of the kernels. From the repo root:
#   make -f bench/kernels/kernels.mk twins              every SIMD twin of kernels/kernel_list.h against its scalar
#                                                       reference (bench_twins.c), wasm then native; `make bench`
#                                                       runs the same builds as its `kernels` case
#   make -f bench/kernels/kernels.mk twins-quick        one call of each row, checked, also under ASan
#                                                       (`make test-simd` runs it)
# and the kernel author's tools, not part of `make bench`:
#   make -f bench/kernels/kernels.mk microkernel        register-tile shapes of the GEMM's inner loop
#   make -f bench/kernels/kernels.mk layers             per-layer profile of a training step (bench_layers.c)
#   make -f bench/kernels/kernels.mk conv-sparse        dense against sparse convolution backward, by density
#   make -f bench/kernels/kernels.mk conv-sparse-input  the same for the passes on a mostly-zero input
# Whole-model A/B of two wasm builds: bench/kernels/ab_model.mjs (in one process) and bench_model.mjs (in fresh
# processes); see bench/README.md. Programs are standalone .wasm files (WASI commands) run by tools/wasi-run.mjs.
EMCC ?= emcc
NODE ?= node
OUT := build/bench/kernels

KERNEL_SRC := $(wildcard src/kernels/scalar/*.c src/kernels/wasmsimd/*.c)
KERNEL_H := $(wildcard src/kernels/*.h)
# kernels' loops as the shipped module compiles them (Makefile: KERNEL_LOOP_FLAGS)
SIMD_FLAGS := -O3 -fno-unroll-loops -fno-vectorize -msimd128 -std=c11 -Wall -Wextra -Wno-unused-parameter -Isrc \
              -sALLOW_MEMORY_GROWTH -sSTANDALONE_WASM -sFILESYSTEM=0

.PHONY: twins twins-quick twins-build microkernel layers conv-sparse conv-sparse-input
twins: twins-build
	$(NODE) --no-liftoff tools/wasi-run.mjs $(OUT)/bench_twins.wasm
	$(OUT)/bench_twins_native 1 wall tinytrain-cli
# also under ASan/UBSan, which checks that every workload's buffers are long enough for its kernel
twins-quick: twins-build $(OUT)/bench_twins_asan
	$(NODE) --no-liftoff tools/wasi-run.mjs $(OUT)/bench_twins.wasm --quick >$(OUT)/bench_twins.quick.txt
	$(OUT)/bench_twins_native --quick >$(OUT)/bench_twins_native.quick.txt
	$(OUT)/bench_twins_asan --quick >$(OUT)/bench_twins_asan.quick.txt
twins-build: $(OUT)/bench_twins.wasm $(OUT)/bench_twins_native
microkernel: $(OUT)/bench_microkernel.wasm
	$(NODE) tools/wasi-run.mjs $<
conv-sparse: $(OUT)/bench_conv_sparse.wasm
	$(NODE) --no-liftoff tools/wasi-run.mjs $<
conv-sparse-input: $(OUT)/bench_conv_sparse_input.wasm
	$(NODE) --no-liftoff tools/wasi-run.mjs $<
layers: $(OUT)/bench_layers.wasm
	$(NODE) tools/wasi-run.mjs $<

$(OUT)/bench_twins.wasm: bench/kernels/bench_twins.c $(KERNEL_SRC) $(KERNEL_H) bench/kernels/kernels.mk
	@mkdir -p $(OUT)
	$(EMCC) $(SIMD_FLAGS) bench/kernels/bench_twins.c $(KERNEL_SRC) -o $@
# The native twins as the CLI compiles them (Makefile: NATIVE_SIMD; NATIVE_ISA is its instruction set flags).
CC ?= cc
NATIVE_ISA ?= -msse4.1
$(OUT)/bench_twins_native: bench/kernels/bench_twins.c $(KERNEL_SRC) $(KERNEL_H) bench/kernels/kernels.mk
	@mkdir -p $(OUT)
	$(CC) -O3 -std=c11 -Wall -Wextra -Wno-unused-parameter -Wno-attributes -Isrc -DTT_NATIVE_SIMD $(NATIVE_ISA) \
	  bench/kernels/bench_twins.c $(KERNEL_SRC) -lm -o $@
$(OUT)/bench_twins_asan: bench/kernels/bench_twins.c $(KERNEL_SRC) $(KERNEL_H) bench/kernels/kernels.mk
	@mkdir -p $(OUT)
	$(CC) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -std=c11 \
	  -Wall -Wextra -Wno-unused-parameter -Wno-attributes -Isrc -DTT_NATIVE_SIMD $(NATIVE_ISA) \
	  bench/kernels/bench_twins.c $(KERNEL_SRC) -lm -o $@
$(OUT)/bench_microkernel.wasm: bench/kernels/bench_microkernel.c
	@mkdir -p $(OUT)
	$(EMCC) $(SIMD_FLAGS) $< -o $@
$(OUT)/bench_conv_sparse.wasm: bench/kernels/bench_conv_sparse.c $(KERNEL_SRC) $(KERNEL_H)
	@mkdir -p $(OUT)
	$(EMCC) $(SIMD_FLAGS) bench/kernels/bench_conv_sparse.c $(KERNEL_SRC) -o $@
$(OUT)/bench_conv_sparse_input.wasm: bench/kernels/bench_conv_sparse.c $(KERNEL_SRC) $(KERNEL_H)
	@mkdir -p $(OUT)
	$(EMCC) $(SIMD_FLAGS) -DINPUT_SPARSE=1 bench/kernels/bench_conv_sparse.c $(KERNEL_SRC) -o $@

# Per-layer profile of a training step (the shipped module's optimisation levels: kernels -O3, the rest -Oz).
LAYER_SRC := $(filter-out src/cli/%,$(wildcard src/core/*.c src/layers/*.c src/optim/*.c src/io/*.c src/model/*.c))
LAYER_OBJ := $(patsubst %.c,$(OUT)/obj/%.o,$(LAYER_SRC) $(KERNEL_SRC) bench/kernels/bench_layers.c)
$(OUT)/obj/src/kernels/%.o: src/kernels/%.c $(wildcard src/*/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(EMCC) -O3 -fno-unroll-loops -fno-vectorize -msimd128 -std=c11 -Isrc -c $< -o $@
$(OUT)/obj/%.o: %.c $(wildcard src/*/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(EMCC) -Oz -msimd128 -std=c11 -Isrc -c $< -o $@
$(OUT)/bench_layers.wasm: $(LAYER_OBJ)
	$(EMCC) -Oz -sALLOW_MEMORY_GROWTH -sSTANDALONE_WASM -sFILESYSTEM=0 -sMALLOC=emmalloc $(LAYER_OBJ) -o $@
