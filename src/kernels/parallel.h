/* Threads for the kernels: the threaded wasm build (wasm/tinytrain-mt.wasm, compiled with -DTT_THREADS) splits its
 * largest kernels over helper threads that share the module's memory (wasm/threads.js starts them). Every other
 * build compiles none of this and its kernels run as they are.
 *
 * Same results at any thread count: no reduction that changes the weights is ever split (tt__sumsq_unordered, for
 * finiteness checks, is the one that is). A GEMM is cut along its output (blocks of rows or columns aligned to its
 * 4x8 tiles, so each element is the same sum over K as in one call), a convolution by samples (its output and input
 * gradient) or by filters or tiles of kernel rows (its weight gradient, all samples in order in one chunk), the
 * optimizer update by elements. Each output element is thus computed by one thread, with the same operations in the
 * same order as the single-threaded module: 1, 2 or 8 threads train to the same bits.
 *
 * Work is handed out in chunks from an atomic counter: a thread takes the next chunk when it is done with one, so
 * a core that is busy with something else takes fewer and does not stall the others. The main thread takes them
 * from the front and helpers from the back, so each thread tends to get the same part of every split, step after
 * step, and finds its data in its own core's cache. A split of one chunk per thread (each chunk repeating work of
 * its own) moves its boundary toward the faster thread instead. Only the main thread allocates, and only it calls
 * into the rest of the core; helpers run kernels on what it hands them. */
#ifndef TT_PARALLEL_H
#define TT_PARALLEL_H

#include <stddef.h>

#ifdef TT_THREADS
/* Threads in use (the calling one included): 1 until wasm/threads.js has started helpers, and on a helper (a split
 * kernel that a chunk of another job calls runs whole there). */
int tt__threads(void);
/* This thread's index: 0 on the main thread, 1.. on helpers. */
int tt__thread_id(void);
/* Runs fn(arg, i) once for each i < chunks, over the threads in use; returns when all are done. Main thread only.
 * A job of more than TT_MAX_CHUNKS chunks runs on the calling thread alone. */
#define TT_MAX_CHUNKS 255
void tt__parallel_for(int chunks, void (*fn)(void *arg, int chunk), void *arg);
/* floats_per_thread floats of scratch for each thread (thread t's at the result + t * floats_per_thread), kept
 * between calls; NULL when memory runs out (the caller then runs on one thread). Main thread only. */
float *tt__thread_scratch(size_t floats_per_thread);
#else
/* one thread: its index is 0, and it has no scratch of the pool's (its callers run as they are) */
#define tt__thread_id() 0
#define tt__thread_scratch(floats_per_thread) ((float *)NULL)
#endif

/* Scratch that a unit of a layer's split loop (kernels.h: tt__parallel_range) needs is per thread: TT_MAX_THREADS
 * copies (threads.c's most), the thread's at tt__thread_id(). Other builds run those loops as they are. */
#ifdef TT_THREADS
#define TT_MAX_THREADS 16
#else
#define TT_MAX_THREADS 1
#endif

#endif
