# A scratch timeline of the thread pool's jobs (bench/README.md: "The MLP's jobs, chunk by chunk"). Run it in a COPY
# of the tree, never in a checkout you commit from: it edits src/core/threads.c, the Makefile and the loader so that
# every job of a training step (tt__parallel_for) records, on one clock shared by all threads: when the main thread
# published it, when each chunk started and ended and on which thread, when the main thread ran out of chunks and
# when its join ended. wasm/threads.js and wasm/thread-helper.js pass in performance.timeOrigin + performance.now(),
# the same clock in Node's worker threads. tt_prof_inline(1) makes the main thread run every chunk of every job by
# itself, one after the other, with the 2-thread split (the split's work on one core, timed chunk by chunk).
# (In a git worktree, .git is a file naming the repository's own index: git commands in a copy that keeps it change
# the worktree's index, hence the rm.)
#   cp -a . /tmp/jobs && rm -rf /tmp/jobs/.git && cd /tmp/jobs && python3 bench/job-profile.py && make wasm/tinytrain-mt.wasm
#   node bench/job-profile.mjs [mlp|cnn|gpt] [steps per slice] [rounds]
p = 'src/core/threads.c'
s = open(p).read()

def edit(old, new):
    global s
    assert old in s, old
    s = s.replace(old, new, 1)

edit('''static float *scratch;''', '''__attribute__((import_module("env"), import_name("tt_prof_now"))) double tt_prof_now(void);
/* one record per job of a step: [0] chunks, [1] published, [2] main out of chunks, [3] join done (ms from the
 * step's start), [4] fn, then PROF_CHUNKS chunk starts, ends and threads */
#define PROF_CHUNKS 32
#define PROF_JOBS 128
#define PROF_F (5 + 3 * PROF_CHUNKS)
static double prof[PROF_JOBS * PROF_F], prof_t0;
static int prof_n;
static double *volatile prof_rec;
void tt_prof_step(void) { prof_n = 0; prof_t0 = tt_prof_now(); }
double *tt_prof_table(void) { return prof; }
int tt_prof_jobs(void) { return prof_n; }
static void prof_chunk(int i, void (*fn)(void *, int), void *arg) {
  double *r = prof_rec;
  double t = tt_prof_now();
  fn(arg, i);
  if (r && i < PROF_CHUNKS) r[5 + i] = t - prof_t0, r[5 + PROF_CHUNKS + i] = tt_prof_now() - prof_t0, r[5 + 2 * PROF_CHUNKS + i] = thread_id;
}
static double *prof_begin(int chunks, void *fn) {
  if (thread_id || prof_n >= PROF_JOBS) return 0;
  double *r = prof + (size_t)prof_n++ * PROF_F;
  for (int i = 0; i < PROF_F; i++) r[i] = 0;
  r[0] = chunks, r[1] = tt_prof_now() - prof_t0, r[4] = (double)(int)fn;
  return r;
}
static float *scratch;''')
edit('''int tt__threads(void) { return broken || thread_id ? 1 : job.in_use; }''', '''static int prof_inline;
void tt_prof_inline(int on) { prof_inline = on; }
int tt__threads(void) { return broken || thread_id ? 1 : prof_inline ? 2 : job.in_use; }''')
edit('''  const int threads = tt__threads() < chunks ? tt__threads() : chunks;''', '''  const int threads = prof_inline ? 1 : tt__threads() < chunks ? tt__threads() : chunks;''')
edit('''      job.fn(job.arg, chunk), ran++;''', '''      prof_chunk(chunk, job.fn, job.arg), ran++;''')
edit('''  if (threads <= 1 || chunks > TT_MAX_CHUNKS) {
    for (int i = 0; i < chunks; i++) fn(arg, i);
    return;
  }''', '''  double *rec = prof_begin(chunks, (void *)fn);
  if (threads <= 1 || chunks > TT_MAX_CHUNKS) {
    double *outer = prof_rec;
    prof_rec = rec;
    for (int i = 0; i < chunks; i++) prof_chunk(i, fn, arg);
    prof_rec = outer;
    if (rec) rec[2] = rec[3] = tt_prof_now() - prof_t0;
    return;
  }
  prof_rec = rec;''')
edit('''  main_stats.n[MAIN_CHUNKS] += ran;''', '''  main_stats.n[MAIN_CHUNKS] += ran;
  if (rec) rec[2] = tt_prof_now() - prof_t0;''')
edit('''  if (LOAD(crew.done) < chunks) STORE(broken, 1);
}''', '''  if (LOAD(crew.done) < chunks) STORE(broken, 1);
  if (rec) rec[3] = tt_prof_now() - prof_t0;
}''')
open(p, 'w').write(s)

p = 'Makefile'
s = open(p).read()
edit('wasm/tinytrain-mt.wasm: WASM_LDFLAGS += -sMAXIMUM_MEMORY',
     'wasm/tinytrain-mt.wasm: WASM_LDFLAGS += -sERROR_ON_UNDEFINED_SYMBOLS=0 -sMAXIMUM_MEMORY')
edit('_tt_threads_gone,_tt_threads_stats', '_tt_threads_gone,_tt_threads_stats,_tt_prof_step,_tt_prof_table,_tt_prof_jobs,_tt_prof_inline')
open(p, 'w').write(s)
for p in ['wasm/threads.js', 'wasm/thread-helper.js']:
    s = open(p).read()
    edit('emscripten_notify_memory_growth() {} }',
         'emscripten_notify_memory_growth() {}, tt_prof_now: () => performance.timeOrigin + performance.now() }')
    open(p, 'w').write(s)
