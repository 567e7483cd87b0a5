/* The thread pool of the threaded wasm build (kernels/parallel.h; compiled to nothing elsewhere). Helpers are Web
 * Workers or Node worker threads that instantiate the same module on the same shared memory; wasm/threads.js starts
 * them and calls, in order:
 *   main thread: _initialize(), then tt_threads_setup(helpers, can_wait), which gives each helper a stack and a
 *                block of thread-local storage and sets up the main thread's own (before any kernel runs);
 *   each helper: stackRestore(its stack top from that list), then tt_thread_run(id), which never returns;
 *   main thread: tt_threads_ready() until every helper is in its loop, then tt_threads_use(n).
 * A job is one tt__parallel_for: the main thread publishes it and bumps job.gen; helpers spin on job.gen for a while
 * (SPIN_LONG or SPIN_SHORT), then sleep in memory.atomic.wait32 until the next job's notify (sent only when one
 * sleeps). A helper beyond the count in use (tt_threads_use) is parked: it sleeps on that count until it takes the
 * helper in again, so it neither spins after every job nor is notified by one. Every thread takes chunks (see
 * claim.next) until none are left, and the main thread's join spins a while,
 * then waits, until every chunk is done. A helper that ends holding a chunk (its worker died) makes the join give
 * up on it: the pool is then marked broken and runs everything on the main thread (tt_threads_broken
 * tells JS, which reports it; that job's results are not trusted). The join knows of the end from JS
 * (tt_threads_gone: the browser released the lock the helper held) and waits for a helper not known to be gone
 * however long it takes, as a helper only paused or starved by a busy machine still finishes its chunk; where no one
 * reports ends (tt_threads_gone never called), a long silence is taken for an end instead. */
#ifdef TT_THREADS
#include <stdint.h>
#include <stdlib.h>

#include "../kernels/parallel.h"

#define MAX_THREADS 16
#define HELPER_STACK (512 * 1024)
/* Loads of a counter before sleeping on it. Waking a sleeping thread costs far more than a job's hand-over, and more
 * on a virtual machine whose idle core has halted, so on a machine with a core free the threads spin for SPIN_LONG,
 * longer than the serial stretches of a training step (the gradient norm, the small tensors' updates): a helper then
 * sleeps between calls, not between a step's jobs (bench/README.md has the times).
 * On a busy machine that spinning takes the time the other thread needs (the kernel shares a core between the
 * threads of a session), so there they spin for SPIN_SHORT. Which one: see spin_mode. */
#define SPIN_LONG 200000
#define SPIN_SHORT 20000
/* The main thread measures how often a helper was asleep when a job was published, over windows of WINDOW jobs:
 * with long spins, more than a quarter means the helpers sleep for want of a core, not for want of work, so the pool
 * goes to short spins, and tries long ones again after RETRY jobs. */
#define WINDOW 64
#define RETRY 1024
#define WAIT_NS 1000000LL     /* the join's sleeps, in ns, */
#define SILENCE 10000         /* and, where ends are not reported, how many of them without progress mean a helper
                                 is gone (10 s at least: a busy machine wakes the joining thread later) */

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define ADD(x, v) __atomic_fetch_add(&(x), (v), __ATOMIC_SEQ_CST)

extern void __wasm_init_tls(void *block);

static _Thread_local int thread_id;
static int helpers;          /* helpers given a stack and TLS by tt_threads_setup */
static int ready;            /* helpers in their loop */
static int can_wait;         /* the main thread may block (not a browser page's main thread) */
static int broken;           /* a helper stopped answering */
static void *tls_block[MAX_THREADS];
static int stack_top[MAX_THREADS];

/* The pool's shared words, each group on a 64-byte line of its own (the size of a cache line), so that the atomics
 * one thread writes often never invalidate the line another is spinning on:
 * - job: the current job, written by the main thread when it publishes one; helpers spin on job.gen.
 * - claim.next holds the job's generation (low 15 bits, shifted up by 16) and how many chunks have been taken from
 *   each end (front: bits 0-7, back: bits 8-15). The main thread takes chunks from the front, helpers from the back,
 *   each by swapping the word for one with its count one higher, so a helper that wakes late can never take a chunk
 *   of a later job. With the ends apart, the same thread tends to get the same part of every job's split, step
 *   after step: what a thread wrote in one job (a layer's gradient, its part of the weights) stays in its core's
 *   cache for the next job that splits the same way, instead of moving to the other core.
 * - crew: written by helpers as they come and go. done counts the job's chunks run (each thread adds its own once
 *   out of the claiming loop); the join waits for it to reach job.chunks, not for helpers that come late and find
 *   nothing left (nor for one that ended holding none). busy: bit i while helper i is inside that loop; sleeping:
 *   bit i while helper i is in (or about to enter) memory.atomic.wait32 on job.gen, so a job is notified only when
 *   some helper sleeps; joining: the main thread waits in the join, so the helper that completes done notifies it
 *   only then.
 * - awake: bit i: helper i woke up for a job since tt_threads_awake last read it (wasm/threads.js tells a helper that
 *   stopped waking up by it). Node 20's baseline wasm compiler (Liftoff) stores an atomic to a computed address at
 *   address 0, so the helpers' atomics all go to fixed addresses (no arrays indexed by helper). */
/* on a struct type: its objects start a line and fill whole ones */
#define LINE __attribute__((aligned(64)))
static struct LINE {
  int gen, chunks, threads, spin;  // spin: how many loads a helper spins before it sleeps
  void (*fn)(void *, int);
  void *arg;
  int in_use;  // threads a job may use, the main thread included (tt_threads_use); parked helpers wait on it
} job = {.spin = SPIN_LONG, .in_use = 1};
static struct LINE { int next; } claim;
static struct LINE { int done, busy, sleeping, joining, awake; } crew;
/* bit i: helper i has ended (from wasm/threads.js); reported: helpers' ends are reported, so the join never takes
 * a silence for one. */
static struct LINE { int gone, reported; } ends;

/* Counters of the pool's work, for bench/threads-ab.mjs (tt_threads_stats): the main thread's and the helpers' on
 * lines of their own, each written by its threads only (helpers add theirs atomically: there may be several). */
enum { JOBS, MAIN_CHUNKS, ASLEEP_AT_PUBLISH, JOIN_SPINS, JOIN_WAITS, SHORT_SPINS, MAIN_STATS };
enum { HELPER_CHUNKS, HELPER_SLEEPS, HELPER_LATE, HELPER_PARKS, HELPER_STATS };
static struct LINE { int n[MAIN_STATS]; } main_stats;
static struct LINE { int n[HELPER_STATS]; } helper_stats;
static int stats_copy[MAIN_STATS + HELPER_STATS];

static float *scratch;
static size_t scratch_floats;

/* 1 on a helper: a kernel that a job's chunk calls runs whole on that thread */
int tt__threads(void) { return broken || thread_id ? 1 : job.in_use; }
int tt__thread_id(void) { return thread_id; }

/* Exported to wasm/threads.js (Makefile: MT_EXPORTS). Allocates each helper's stack and every thread's TLS block and
 * sets up the main thread's; returns the helpers' stack tops (index = helper id, 1..helpers), or NULL when
 * memory runs out or helpers is out of range. Once only. */
int *tt_threads_setup(int count, int main_can_wait) {
  if (count < 1 || count >= MAX_THREADS || helpers) return NULL;
  const size_t align = __builtin_wasm_tls_align() > 16 ? __builtin_wasm_tls_align() : 16;
  const size_t tls = (__builtin_wasm_tls_size() + align - 1) / align * align;
  for (int t = 0; t <= count; t++) {
    char *block = malloc(tls + align + (t ? HELPER_STACK : 0));
    if (!block) return NULL;  // the few blocks already taken stay: the module is not used threaded
    tls_block[t] = (void *)(((uintptr_t)block + align - 1) / align * align);
    stack_top[t] = (int)(((uintptr_t)tls_block[t] + tls + HELPER_STACK) & ~(uintptr_t)15);
  }
  __wasm_init_tls(tls_block[0]);
  can_wait = main_can_wait;
  helpers = count;
  return stack_top;
}

int tt_threads_ready(void) { return LOAD(ready); }
/* The jobs published so far; which helpers (bit i for helper i) woke up for one since the last call. */
int tt_threads_jobs(void) { return LOAD(job.gen); }
int tt_threads_awake(void) { return __atomic_exchange_n(&crew.awake, 0, __ATOMIC_SEQ_CST); }
int tt_threads_broken(void) { return LOAD(broken); }
/* Tells the pool that helpers ended (bit i for helper i; 0 tells nothing), from now on and when they do: the join
 * then gives up only on a helper that ended, and may wait for a slow one however long. Any thread may call it. */
void tt_threads_gone(int helper_bits) {
  STORE(ends.reported, 1);
  __atomic_fetch_or(&ends.gone, helper_bits, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify(&crew.done, 1);
}

/* The pool's counters since the last call (the main thread's MAIN_STATS, then the helpers' HELPER_STATS, summed
 * over helpers), which it then sets to zero; main thread only. bench/threads-ab.mjs names them. */
int *tt_threads_stats(void) {
  for (int i = 0; i < MAIN_STATS; i++) stats_copy[i] = main_stats.n[i], main_stats.n[i] = 0;
  // one by one: the helpers' atomics stay at fixed addresses (see crew.awake)
  stats_copy[MAIN_STATS + HELPER_CHUNKS] = __atomic_exchange_n(&helper_stats.n[HELPER_CHUNKS], 0, __ATOMIC_SEQ_CST);
  stats_copy[MAIN_STATS + HELPER_SLEEPS] = __atomic_exchange_n(&helper_stats.n[HELPER_SLEEPS], 0, __ATOMIC_SEQ_CST);
  stats_copy[MAIN_STATS + HELPER_LATE] = __atomic_exchange_n(&helper_stats.n[HELPER_LATE], 0, __ATOMIC_SEQ_CST);
  stats_copy[MAIN_STATS + HELPER_PARKS] = __atomic_exchange_n(&helper_stats.n[HELPER_PARKS], 0, __ATOMIC_SEQ_CST);
  return stats_copy;
}

/* Sets how many threads the kernels use (1 .. helpers + 1); returns the number set. Main thread only, between
 * calls: parked helpers that the count now takes in wake up; helpers it leaves out park at their next look at it. */
int tt_threads_use(int n) {
  const int most = LOAD(ready) + 1;
  STORE(job.in_use, n < 1 ? 1 : n > most ? most : n);
  __builtin_wasm_memory_atomic_notify(&job.in_use, (unsigned)helpers);
  return job.in_use;
}

/* Claims and runs chunks of job `gen` until none are left (or a later job has begun), from the front on the main
 * thread and from the back on helpers (see claim); returns how many it ran. */
static int run_chunks(int gen) {
  const int tag = (gen & 0x7fff) << 16, back = thread_id != 0, step = back ? 1 << 8 : 1;
  int ran = 0;
  for (int v = LOAD(claim.next); (v & ~0xffff) == tag && (v & 0xff) + (v >> 8 & 0xff) < job.chunks;
       v = LOAD(claim.next))
    if (__atomic_compare_exchange_n(&claim.next, &v, v + step, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
      const int chunk = back ? job.chunks - 1 - (v >> 8 & 0xff) : v & 0xff;
      job.fn(job.arg, chunk), ran++;
    }
  return ran;
}

/* memory.atomic.wait32 in a function of its own: Node 20's baseline compiler (Liftoff) loses locals that a loop
 * keeps in registers across an inline wait (a helper's bits, its loop counter), and a helper's loop never leaves
 * that code (it never returns, so it is never replaced by optimized code). A call saves them. */
__attribute__((noinline)) static int wait32(int *word, int expected, long long timeout_ns) {
  return __builtin_wasm_memory_atomic_wait32(word, expected, timeout_ns);
}

/* A helper's loop (id 1..helpers), on the stack its worker set with stackRestore. It sleeps only after marking
 * itself sleeping and reading job.gen once more; the main thread stores job.gen before it reads the marks, so
 * either it sees the mark and notifies, or the helper sees the new job and does not sleep. Out of use, it parks:
 * it waits on job.in_use, unmarked, before it looks at a job and instead of sleeping on job.gen. Taken in again, it
 * goes on from the last job it saw: one published meanwhile is finished (the count changes between calls only),
 * and the claim's tag keeps it from taking a chunk of it. */
void tt_thread_run(int id) {
  __wasm_init_tls(tls_block[id]);
  thread_id = id;
  int seen = LOAD(job.gen);
  ADD(ready, 1);
  for (;;) {
    for (int n; id >= (n = LOAD(job.in_use));) {
      ADD(helper_stats.n[HELPER_PARKS], 1);
      wait32(&job.in_use, n, -1);
    }
    int g;
    for (int spin = 0, most = LOAD(job.spin); (g = LOAD(job.gen)) == seen; spin++) {
      if (spin < most) continue;
      if (id >= LOAD(job.in_use)) break;  // left out while it spun: it parks instead
      __atomic_fetch_or(&crew.sleeping, 1 << id, __ATOMIC_SEQ_CST);
      if (LOAD(job.gen) == seen) {
        ADD(helper_stats.n[HELPER_SLEEPS], 1);
        wait32(&job.gen, seen, -1);
      }
      __atomic_fetch_and(&crew.sleeping, ~(1 << id), __ATOMIC_SEQ_CST);
      spin = 0, most = LOAD(job.spin);
    }
    if (g == seen || id >= LOAD(job.in_use)) continue;  // left out: it parks
    seen = g;
    __atomic_fetch_or(&crew.awake, 1 << id, __ATOMIC_SEQ_CST);
    if (id >= job.threads) continue;
    __atomic_fetch_or(&crew.busy, 1 << id, __ATOMIC_SEQ_CST);
    const int ran = run_chunks(g);
    int last = 0;  // this helper completes done (job.chunks stays the job's until then)
    if (ran) {
      const int chunks = job.chunks;
      last = ADD(crew.done, ran) + ran == chunks;
      ADD(helper_stats.n[HELPER_CHUNKS], ran);
    } else {
      ADD(helper_stats.n[HELPER_LATE], 1);
    }
    __atomic_fetch_and(&crew.busy, ~(1 << id), __ATOMIC_SEQ_CST);
    if (last && LOAD(crew.joining)) __builtin_wasm_memory_atomic_notify(&crew.done, 1);
  }
}

/* Counts a published job (asleep: a helper was asleep then) in the window and, at its end, sets how long threads
 * spin (job.spin for the helpers); returns the join's spin. Main thread only. */
static int spin_mode(int asleep) {
  static int window, sleeps, since_short;
  sleeps += asleep;
  if (++window == WINDOW) {
    int most = LOAD(job.spin);
    if (most == SPIN_LONG && sleeps > WINDOW / 4) most = SPIN_SHORT, since_short = 0;
    else if (most == SPIN_SHORT && (since_short += WINDOW) >= RETRY) most = SPIN_LONG;
    STORE(job.spin, most);
    window = sleeps = 0;
  }
  return LOAD(job.spin);
}

void tt__parallel_for(int chunks, void (*fn)(void *arg, int chunk), void *arg) {
  const int threads = tt__threads() < chunks ? tt__threads() : chunks;
  if (threads <= 1 || chunks > TT_MAX_CHUNKS) {
    for (int i = 0; i < chunks; i++) fn(arg, i);
    return;
  }
  // the new tag before the job's fields: a helper late for the last job finds it changed and claims nothing
  const int gen = LOAD(job.gen) + 1;
  STORE(claim.next, (gen & 0x7fff) << 16);
  STORE(crew.done, 0);
  job.fn = fn;
  job.arg = arg;
  job.chunks = chunks;
  job.threads = threads;
  STORE(job.gen, gen);
  main_stats.n[JOBS]++;
  const int asleep = LOAD(crew.sleeping) != 0;
  if (asleep) {
    main_stats.n[ASLEEP_AT_PUBLISH]++;
    __builtin_wasm_memory_atomic_notify(&job.gen, (unsigned)helpers);
  }
  const int most = spin_mode(asleep);
  main_stats.n[SHORT_SPINS] += most == SPIN_SHORT;
  const int ran = run_chunks(gen);
  main_stats.n[MAIN_CHUNKS] += ran;
  ADD(crew.done, ran);
  // the join, once every chunk is claimed: spin a little, then sleep in short waits (or keep spinning where the
  // thread may not block) until every chunk is done, or the chunks left are held by helpers that have ended (busy,
  // and no helper still alive is). The helper that completes done notifies only a joining main thread, which reads
  // crew.done again after saying so.
  long long quiet = 0;
  int spin = 0;
  for (int done, last = -1; (done = LOAD(crew.done)) < chunks; spin++) {
    if (done != last) last = done, quiet = 0;
    const int busy = LOAD(crew.busy), gone = LOAD(ends.gone);
    if ((busy & gone) && !(busy & ~gone)) break;
    if (spin < most) continue;
    int timed_out;
    if (can_wait) {
      STORE(crew.joining, 1);
      timed_out = LOAD(crew.done) == done &&
                  wait32(&crew.done, done, WAIT_NS) == 2;
      STORE(crew.joining, 0);
      main_stats.n[JOIN_WAITS]++;
    } else {
      timed_out = 1;
    }
    if (timed_out && ++quiet >= (can_wait ? SILENCE : SILENCE * 100000LL)) {
      if (!LOAD(ends.reported)) break;
      quiet = 0;
    }
  }
  main_stats.n[JOIN_SPINS] += spin;
  if (LOAD(crew.done) < chunks) STORE(broken, 1);
}

float *tt__thread_scratch(size_t floats) {
  const size_t n = floats * (size_t)(helpers + 1);
  if (floats > SIZE_MAX / sizeof(float) / (size_t)(helpers + 1)) return NULL;
  if (n > scratch_floats) {
    free(scratch);
    scratch = malloc(n * sizeof(float));
    scratch_floats = scratch ? n : 0;
  }
  return scratch;
}
#endif
