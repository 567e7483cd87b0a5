# libFuzzer targets (clang 14, ASan + UBSan) for the three readers of untrusted input: the spec parser
# (tt_model_create), the safetensors reader (tt_model_load + tt_model_load_weights) and the numeric CSV reader;
# and for what tt_model_load allocates (model_load: never more than 64 MiB asked for a file under 1 MB).
#   make -f tests/fuzz/fuzz.mk test   bounded runs for CI (FUZZ_RUNS executions each), "fuzz: N passed, N failed"
#   make -f tests/fuzz/fuzz.mk long   time-bounded runs (FUZZ_SECONDS each) that also grow build/fuzz/corpus/
# Seeds are committed in tests/fuzz/corpus/<target>/; new inputs found go to build/fuzz/corpus/<target>/ (git-ignored)
# so the committed corpus stays small. A crash leaves build/fuzz/crash-* with the input that caused it.

FUZZ_CC      ?= clang
FUZZ_RUNS    ?= 100000
FUZZ_MAXTIME ?= 40
FUZZ_SECONDS ?= 600
FUZZ_FLAGS   := -g -O1 -std=c11 -Isrc -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_DIR     := build/fuzz
FUZZ_TARGETS := spec safetensors csv model_load

CORE_SRC  := $(wildcard src/core/*.c src/layers/*.c src/optim/*.c src/kernels/scalar/*.c src/io/*.c src/model/*.c)
FUZZ_OBJ  := $(CORE_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
HEADERS   := $(wildcard src/*.h src/*/*.h)
BINS      := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: test long build
.SECONDARY: $(FUZZ_OBJ)

build: $(BINS)

# The library is built with coverage instrumentation (fuzzer-no-link) so libFuzzer can steer into it.
$(FUZZ_DIR)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $< $(FUZZ_OBJ) -lm -o $@

# Each target runs FUZZ_RUNS inputs (FUZZ_MAXTIME seconds at most, so a slow machine still finishes) from the
# committed seeds; a crash, leak or sanitizer report fails it. -rss_limit_mb catches runaway allocation.
test: $(BINS)
	@pass=0; fail=0; \
	for t in $(FUZZ_TARGETS); do \
	  rm -rf $(FUZZ_DIR)/run/$$t; mkdir -p $(FUZZ_DIR)/run/$$t; \
	  if $(FUZZ_DIR)/fuzz_$$t -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_MAXTIME) -rss_limit_mb=1024 -max_len=8192 \
	       -artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/run/$$t tests/fuzz/corpus/$$t \
	       > $(FUZZ_DIR)/$$t.log 2>&1; then \
	    pass=$$((pass + 1)); echo "fuzz_$$t: ok ($$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' $(FUZZ_DIR)/$$t.log))"; \
	  else \
	    fail=$$((fail + 1)); echo "fuzz_$$t: FAILED (log: $(FUZZ_DIR)/$$t.log)"; tail -n 30 $(FUZZ_DIR)/$$t.log; \
	  fi; \
	done; \
	echo "fuzz: $$pass passed, $$fail failed"; test $$fail -eq 0

long: $(BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t; \
	done
