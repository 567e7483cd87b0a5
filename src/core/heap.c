/* malloc and free for the wasm module (linked with -sMALLOC=none): a first-fit free list in address order that
 * merges neighbours on free, a few hundred bytes of the module (emmalloc is several times that). The
 * library allocates a handful of large blocks per model (arena, activations, data, a JSON tree) and the JS side
 * a short-lived block per call, so the free list stays short and a linear walk is cheap.
 *
 * The heap is [__heap_base rounded up to 16, end of memory): every byte of it belongs to exactly one chunk,
 * free or in use. A chunk is a 16-byte header (its size in bytes, a multiple of 16, header included; free
 * chunks also keep the next free chunk there) followed by the caller's bytes, 16-byte aligned like emmalloc's.
 * When no free chunk fits, memory grows by the pages missing (less a free chunk already at the end) and the new
 * pages are freed into the list, so they merge with that chunk.
 *
 * Natively the libc allocator is used and this file compiles to nothing, except in tests/c/test_heap.c, which
 * includes it with TT_HEAP_TEST over a simulated memory to run the same code under ASan and UBSan. */
#if defined(__wasm__) || defined(TT_HEAP_TEST)
#include <stddef.h>
#include <stdint.h>

#ifndef TT_HEAP_TEST
extern unsigned char __heap_base;
/* The module's one import (env): the JS loader makes views afresh, but a standalone module reports growth. */
extern void emscripten_notify_memory_growth(size_t memory_index);
#define HEAP_BASE ((uintptr_t)&__heap_base)
#define MEMORY_END() ((uintptr_t)__builtin_wasm_memory_size(0) << 16)
static int memory_grow(size_t pages) {
  if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
  emscripten_notify_memory_growth(0);
  return 1;
}
#endif

#define HEADER 16

typedef struct chunk {
  size_t size;         /* bytes of the whole chunk, header included */
  struct chunk *next;  /* free chunks only: the next free chunk, at a higher address */
} chunk;

static chunk *free_list; /* address order */
static uintptr_t heap_end; /* 0 until the first malloc claims [HEAP_BASE, end of memory) */

/* Puts c into the free list, merged with the free chunks right before and after it. */
static void release(chunk *c) {
  chunk **at = &free_list, *prev = NULL;
  while (*at && *at < c) prev = *at, at = &(*at)->next;
  chunk *next = *at;
  if (next && (uintptr_t)c + c->size == (uintptr_t)next) c->size += next->size, next = next->next;
  c->next = next;
  if (prev && (uintptr_t)prev + prev->size == (uintptr_t)c) prev->size += c->size, prev->next = next;
  else *at = c;
}

/* Frees [heap_end, end of memory) into the list: the heap always reaches the end of memory. */
static void claim_to_end(void) {
  uintptr_t end = MEMORY_END();
  if (end - heap_end < HEADER) return;
  chunk *c = (chunk *)heap_end;
  c->size = end - heap_end;
  heap_end = end;
  release(c);
}

void *malloc(size_t n) {
  if (!heap_end) heap_end = (HEAP_BASE + 15) & ~(uintptr_t)15, claim_to_end();
  if (n > SIZE_MAX / 2) return NULL; /* more than wasm32 memory can hold; keeps the sums below from wrapping */
  size_t need = (n + HEADER + 15) & ~(size_t)15;
  for (;;) {
    chunk *last = NULL;
    for (chunk **at = &free_list; *at; at = &(*at)->next) {
      chunk *c = *at;
      last = c;
      if (c->size < need) continue;
      if (c->size - need >= 2 * HEADER) { /* split: the tail stays free, in c's place in the list */
        chunk *rest = (chunk *)((uintptr_t)c + need);
        rest->size = c->size - need;
        rest->next = c->next;
        *at = rest;
        c->size = need;
      } else {
        *at = c->next;
      }
      return (char *)c + HEADER;
    }
    /* nothing fits: grow by what is missing beyond a free chunk that ends the heap, then retry (it fits) */
    size_t missing = need;
    if (last && (uintptr_t)last + last->size == heap_end) missing -= last->size;
    if (!memory_grow((missing + 0xFFFF) >> 16)) return NULL;
    claim_to_end();
  }
}

void free(void *p) {
  if (p) release((chunk *)((char *)p - HEADER));
}
#endif
