# A scratch profile of the threaded build's splits (bench/README.md: "The CNN's splits, kernel by kernel"). Run it in
# a COPY of the tree, never in a checkout you commit from: it edits src/core/threads.c, src/kernels/parallel.c, the
# Makefile and the loader so that every split kernel's call (tt__par_*, tt__parallel_range) on the main thread is
# timed, and each thread's time inside chunks of its jobs; wasm/tinytrain.js's loader passes performance.now in.
#   cp -a . /tmp/split && rm -rf /tmp/split/.git && cd /tmp/split && python3 bench/split-profile.py && make wasm/tinytrain-mt.wasm
#   node bench/split-profile.mjs [steps per slice] [rounds] [percentile] [cnn|mlp|gpt]
import re
p='src/core/threads.c'
s=open(p).read()
s=s.replace('''static float *scratch;''','''__attribute__((import_module("env"), import_name("tt_prof_now"))) double tt_prof_now(void);
typedef struct { double kind, fn, calls, call, busy_max, busy0, busy1, jobs, chunks, job[3], jchunks[3]; } prof_site;
static prof_site prof[128];
static int prof_seq, prof_depth = 0, prof_cur = -1;
static double prof_busy[MAX_THREADS];
void tt_prof_step(void) { prof_seq = 0; }
prof_site *tt_prof_table(void) { return prof; }
double tt__prof_begin(int kind, void *fn) {
  if (thread_id || prof_depth++) return -1;
  prof_cur = prof_seq++ & 127;
  prof[prof_cur].kind = kind; prof[prof_cur].fn = (double)(int)fn; prof[prof_cur].calls += 1;
  return tt_prof_now();
}
void tt__prof_end(double *t) {
  if (thread_id) return;
  prof_depth--;
  if (*t < 0) return;
  prof_site *p = &prof[prof_cur];
  double d = tt_prof_now() - *t;
  p->call += d;
  prof_cur = -1;
}
static float *scratch;''',1)
s=s.replace('''      job.fn(job.arg, v & 0xffff), ran++;''','''      { double t = tt_prof_now(); job.fn(job.arg, v & 0xffff), ran++; prof_busy[thread_id] += tt_prof_now() - t; }''',1)
s=s.replace('''void tt__parallel_for(int chunks, void (*fn)(void *arg, int chunk), void *arg) {
  const int threads = tt__threads() < chunks ? tt__threads() : chunks;
  if (threads <= 1) {
    for (int i = 0; i < chunks; i++) fn(arg, i);
    return;
  }''','''static void prof_job_done(int chunks) {
  if (prof_cur < 0) return;
  prof_site *p = &prof[prof_cur];
  p->busy_max += prof_busy[0] > prof_busy[1] ? prof_busy[0] : prof_busy[1];
  const int k = (int)p->jobs < 3 ? (int)p->jobs : 2;
  p->job[k] += prof_busy[0] + prof_busy[1]; p->jchunks[k] = chunks;
  p->busy0 += prof_busy[0]; p->busy1 += prof_busy[1]; p->jobs += 1; p->chunks += chunks;
}
void tt__parallel_for(int chunks, void (*fn)(void *arg, int chunk), void *arg) {
  const int threads = tt__threads() < chunks ? tt__threads() : chunks;
  prof_busy[0] = prof_busy[1] = 0;
  if (threads <= 1) {
    const double t0 = tt_prof_now();
    for (int i = 0; i < chunks; i++) fn(arg, i);
    prof_busy[0] = tt_prof_now() - t0;
    prof_job_done(chunks);
    return;
  }''',1)
s=s.replace('''  if (LOAD(crew.done) < chunks) STORE(broken, 1);
}''','''  if (LOAD(crew.done) < chunks) STORE(broken, 1);
  prof_job_done(chunks);
}''',1)
open(p,'w').write(s)
kinds={'tt__par_gemm':1,'tt__par_conv_forward':2,'tt__par_conv_backward_w':3,'tt__par_conv_sparse':4,'tt__parallel_range':5,
 'tt__par_bias_act':6,'tt__par_relu':7,'tt__par_relu_backward':8,'tt__par_fill':9,'tt__par_adam':10,'tt__par_sgd':11}
p='src/kernels/parallel.c'
s=open(p).read()
decl='''double tt__prof_begin(int kind, void *fn);
void tt__prof_end(double *t);
'''
s=s.replace('/* chunks per thread', decl+'/* chunks per thread',1)
for name,k in kinds.items():
    m=re.search(r'^(void|int) '+name+r'\([^)]*\) \{\n', s, re.M)
    assert m, name
    fnarg = 'fn' if name=='tt__parallel_range' else '0'
    s=s[:m.end()]+f'  __attribute__((cleanup(tt__prof_end))) double prof_t = tt__prof_begin({k}, (void *){fnarg});\n'+s[m.end():]
open(p,'w').write(s)
p='Makefile'
s=open(p).read()
s=s.replace('wasm/tinytrain-mt.wasm: WASM_LDFLAGS += -sMAXIMUM_MEMORY', 'wasm/tinytrain-mt.wasm: WASM_LDFLAGS += -sERROR_ON_UNDEFINED_SYMBOLS=0 -sMAXIMUM_MEMORY', 1)
s=s.replace('_tt_threads_gone,_tt_threads_stats)','_tt_threads_gone,_tt_threads_stats,_tt_prof_step,_tt_prof_table)',1)
open(p,'w').write(s)
for p in ['wasm/threads.js','wasm/thread-helper.js']:
    s=open(p).read()
    assert 'emscripten_notify_memory_growth() {} }' in s, p
    s=s.replace('emscripten_notify_memory_growth() {} }','emscripten_notify_memory_growth() {}, tt_prof_now: () => performance.now() }')
    open(p,'w').write(s)
