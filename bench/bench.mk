# `make bench` runs `$(MAKE) -f bench/bench.mk` from the repository root, after `make wasm data`.
# Side-by-side benchmarks of tinytrain against TF.js (wasm and cpu backends) and ConvNetJS; see bench/run.mjs.
# Knobs: BENCH_REPS (default 3), BENCH_TIME (seconds per measurement, default 1), BENCH_CASES, BENCH_SYSTEMS
# (comma-separated subsets), BENCH_CLOCK (wall or cpu; cpu leaves out time spent waiting for a core on a busy
# machine), e.g. `make bench BENCH_CASES=gemm,infer-mlp BENCH_TIME=0.3`.

NODE ?= node
BENCH_REPS ?= 3
BENCH_TIME ?= 1
BENCH_CLOCK ?= wall
BENCH_ARGS := --reps $(BENCH_REPS) --time $(BENCH_TIME) --clock $(BENCH_CLOCK) \
              $(if $(BENCH_CASES),--cases $(BENCH_CASES)) $(if $(BENCH_SYSTEMS),--systems $(BENCH_SYSTEMS))

.PHONY: bench
bench:
	$(NODE) bench/run.mjs $(BENCH_ARGS)
	$(if $(BENCH_CASES)$(BENCH_SYSTEMS),,$(NODE) bench/readme-speed.mjs)
