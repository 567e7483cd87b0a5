# A scratch profile of each split call of a training step at 1 thread, "1s" and 2 threads (bench/README.md: "The
# splits against a slower helper"). Run it in a COPY of the tree already instrumented by bench/job-profile.py (see
# there; never in a checkout you commit from): it adds a timer to every public split kernel of src/kernels/parallel.c
# (tt__par_*, tt__parallel_range) that records, on the main thread and for the outermost call only, how long the
# call took, in the order of the step, on job-profile's clock. At 1 thread the calls run the single-threaded
# kernels, so a call's 1s time against its 1-thread time is what its split adds to the work.
#   cp -a . /tmp/calls && rm -rf /tmp/calls/.git && cd /tmp/calls && python3 bench/job-profile.py && \
#     python3 bench/call-profile.py && make wasm/tinytrain-mt.wasm
#   node bench/call-profile.mjs [mlp|cnn|gpt] [steps per slice] [rounds]
import re

def edit(path, old, new):
    s = open(path).read()
    assert old in s, old
    open(path, 'w').write(s.replace(old, new, 1))

edit('src/core/threads.c', 'static float *scratch;', '''static double call_tab[256 * 2];
static int call_n, call_depth;
double *tt_prof_calls(void) { return call_tab; }
int tt_prof_ncalls(void) { int n = call_n; call_n = 0; return n; }
double tt__call_begin(void) { return thread_id || call_depth++ ? -1 : tt_prof_now(); }
void tt__call_end(double *t) {
  if (thread_id) return;
  call_depth--;
  if (*t < 0 || call_n >= 256) return;
  call_tab[call_n * 2] = *t - prof_t0, call_tab[call_n * 2 + 1] = tt_prof_now() - *t, call_n++;
}
static float *scratch;''')
p = 'src/kernels/parallel.c'
s = open(p).read()
s = s.replace('/* chunks per thread', 'double tt__call_begin(void);\nvoid tt__call_end(double *t);\n/* chunks per thread', 1)
for m in list(re.finditer(r'^(void|int|float) (tt__par_\w+|tt__parallel_range)\([^)]*\) \{\n', s, re.M))[::-1]:
    s = s[:m.end()] + '  __attribute__((cleanup(tt__call_end), unused)) double call_t = tt__call_begin();\n' + s[m.end():]
open(p, 'w').write(s)
edit('Makefile', '_tt_prof_inline', '_tt_prof_inline,_tt_prof_calls,_tt_prof_ncalls')
