# PyTorch reference tests. Invoked from the repo root by the top Makefile as `$(MAKE) -f tests/torch/torch.mk`
# (target test-torch, the default here). Builds check_ref from the core sources it needs (with ASan + UBSan, so
# a layer reading out of bounds fails here too), generates the references with torch, then compares.
# Outputs go to build/torch/.

TORCH_CC     ?= $(or $(CC),cc)
PYTHON       ?= /usr/bin/python3
TORCH_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Wno-unused-parameter -Isrc \
                -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
TORCH_SRC    := $(wildcard src/core/*.c src/layers/*.c src/optim/*.c src/kernels/scalar/*.c)
TORCH_HDR    := $(wildcard src/*.h src/*/*.h)

# TORCH_SIMD (the top Makefile passes its NATIVE_SIMD flags on x86-64): the same checks once more with the SIMD
# twins compiled natively, so the kernels the module runs are held to PyTorch too, layer by layer, under ASan.
TORCH_SIMD   ?=
SIMD_SRC     := $(wildcard src/kernels/wasmsimd/*.c)

.PHONY: test-torch
test-torch: build/torch/check_ref build/torch/ref.txt $(if $(TORCH_SIMD),build/torch/check_ref_simd)
	build/torch/check_ref build/torch/ref.txt
	$(if $(TORCH_SIMD),build/torch/check_ref_simd build/torch/ref.txt)

build/torch/check_ref: tests/torch/check_ref.c $(TORCH_SRC) $(TORCH_HDR) tests/torch/torch.mk
	@mkdir -p $(dir $@)
	$(TORCH_CC) $(TORCH_CFLAGS) tests/torch/check_ref.c $(TORCH_SRC) -lm -o $@

build/torch/check_ref_simd: tests/torch/check_ref.c $(TORCH_SRC) $(SIMD_SRC) $(TORCH_HDR) tests/torch/torch.mk
	@mkdir -p $(dir $@)
	$(TORCH_CC) $(TORCH_CFLAGS) $(TORCH_SIMD) -Wno-attributes tests/torch/check_ref.c $(TORCH_SRC) $(SIMD_SRC) -lm -o $@

# Seeded, so regenerating gives the same file; rebuilt when the generator or the table of layers changes.
build/torch/ref.txt: tests/torch/gen_ref.py src/layers/layer_table.h tools/tinytrain_torch.py
	@mkdir -p $(dir $@)
	$(PYTHON) -W ignore::UserWarning tests/torch/gen_ref.py $@.tmp && mv $@.tmp $@
