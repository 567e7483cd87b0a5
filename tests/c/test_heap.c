/* The wasm module's malloc/free (src/core/heap.c), run natively under ASan/UBSan over a simulated wasm memory:
 * a static arena that "grows" by 64 KiB pages up to a cap. After every operation the whole heap is walked:
 * chunks must tile [heap start, end of memory) exactly, the free list must be in address order with no two free
 * chunks touching (fully merged), and every live block must still hold the bytes written into it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

#define MAX_PAGES 96
static unsigned char memory_[MAX_PAGES << 16] __attribute__((aligned(16)));
static size_t pages;
static int refuse_growth; /* simulates the browser refusing memory.grow */
#define HEAP_BASE ((uintptr_t)memory_ + 1000) /* not 16-aligned, like a real __heap_base may be */
#define MEMORY_END() ((uintptr_t)memory_ + (pages << 16))
static int memory_grow(size_t n) {
  if (refuse_growth || n > MAX_PAGES - pages) return 0;
  pages += n;
  return 1;
}

#define TT_HEAP_TEST
#define malloc heap_malloc
#define free heap_free
#include "../../src/core/heap.c"
#undef malloc
#undef free

static void reset_heap(size_t initial_pages) {
  free_list = NULL;
  heap_end = 0;
  pages = initial_pages;
  refuse_growth = 0;
}

/* Walks the heap; returns the number of free chunks, or -1 (after printing why) when an invariant is broken. */
static int heap_check(void) {
  uintptr_t start = (HEAP_BASE + 15) & ~(uintptr_t)15, at = start;
  const chunk *f = free_list, *prev_free = NULL;
  int n_free = 0;
  if (!heap_end) return 0;
  if (heap_end != MEMORY_END()) {
    fprintf(stderr, "heap ends at +%zu, memory at +%zu\n", (size_t)(heap_end - start), (size_t)(MEMORY_END() - start));
    return -1;
  }
  while (at < heap_end) {
    const chunk *c = (const chunk *)at;
    if (c->size < HEADER || c->size % 16 || c->size > heap_end - at) {
      fprintf(stderr, "chunk at +%zu has size %zu (heap end +%zu)\n", (size_t)(at - start), c->size,
              (size_t)(heap_end - start));
      return -1;
    }
    if (c == f) { /* the next free chunk in address order */
      if (prev_free && (uintptr_t)prev_free + prev_free->size == at) {
        fprintf(stderr, "free chunks at +%zu and +%zu touch but were not merged\n",
                (size_t)((uintptr_t)prev_free - start), (size_t)(at - start));
        return -1;
      }
      prev_free = f, f = f->next, n_free++;
    }
    at += c->size;
  }
  if (at != heap_end || f) {
    fprintf(stderr, "chunks end at +%zu, heap at +%zu; %s\n", (size_t)(at - start), (size_t)(heap_end - start),
            f ? "a free-list entry is not a chunk boundary (or out of order)" : "free list complete");
    return -1;
  }
  return n_free;
}

/* A deterministic generator for sizes and choices. */
static uint32_t lcg_state;
static uint32_t lcg(void) { return (lcg_state = lcg_state * 1664525u + 1013904223u) >> 8; }

typedef struct {
  unsigned char *p;
  size_t n;
  unsigned char tag;
} block;

static int block_intact(const block *b) {
  for (size_t i = 0; i < b->n; i++)
    if (b->p[i] != (unsigned char)(b->tag + i)) {
      fprintf(stderr, "block of %zu bytes (tag %u) changed at byte %zu\n", b->n, b->tag, i);
      return 0;
    }
  return 1;
}

static int block_new(block *b, size_t n, unsigned char tag) {
  b->p = heap_malloc(n);
  b->n = n;
  b->tag = tag;
  if (!b->p) return 0;
  for (size_t i = 0; i < n; i++) b->p[i] = (unsigned char)(tag + i);
  return 1;
}

TT_TEST(test_heap_random_blocks_are_aligned_disjoint_and_keep_their_bytes) {
  reset_heap(2);
  lcg_state = 12345;
  block live[64] = {{0}};
  int bad = 0;
  size_t live_bytes = 0, peak = 0;
  for (int op = 0; op < 20000 && !bad; op++) {
    block *b = &live[lcg() % 64];
    if (b->p) {
      bad |= !block_intact(b);
      heap_free(b->p);
      b->p = NULL;
      live_bytes -= b->n;
    } else {
      /* mostly small (JS argument blocks, JSON trees), sometimes up to 200 KB (arenas) */
      uint32_t r = lcg();
      size_t n = r % 8 ? r % 300 : r % 200000;
      if (!block_new(b, n, (unsigned char)op)) {
        fprintf(stderr, "op %d: malloc(%zu) failed with %zu pages\n", op, n, pages);
        bad = 1;
      } else if ((uintptr_t)b->p % 16 || (uintptr_t)b->p < HEAP_BASE || (uintptr_t)b->p + n > MEMORY_END()) {
        fprintf(stderr, "op %d: malloc(%zu) = +%zu is misaligned or outside the memory\n", op, n,
                (size_t)((uintptr_t)b->p - (uintptr_t)memory_));
        bad = 1;
      }
      live_bytes += n;
      peak = live_bytes > peak ? live_bytes : peak;
    }
    if (heap_check() < 0) {
      fprintf(stderr, "after op %d\n", op);
      bad = 1;
    }
  }
  for (int i = 0; i < 64; i++)
    if (live[i].p) bad |= !block_intact(&live[i]), heap_free(live[i].p);
  CHECK(!bad);
  /* everything freed: one free chunk spans the heap again */
  CHECK(heap_check() == 1);
  /* fragmentation bounded: the memory stays within twice the most bytes ever live at once */
  if (!(pages << 16 <= 2 * peak + (2 << 16))) {
    fprintf(stderr, "%zu pages for at most %zu bytes live\n", pages, peak);
    CHECK(0);
  }
}

TT_TEST(test_heap_memory_stays_flat_when_models_are_created_and_freed_1000_times) {
  reset_heap(2);
  size_t after_first = 0;
  for (int round = 0; round < 1000; round++) {
    /* the allocations of create + set_data + train + save + dispose, with a JS block freed in between */
    void *json = heap_malloc(3000), *model = heap_malloc(20000), *params = heap_malloc(70000 + round % 7);
    heap_free(json);
    void *js = heap_malloc(800), *acts = heap_malloc(150000), *data = heap_malloc(40000);
    heap_free(js);
    void *saved = heap_malloc(71000);
    heap_free(acts), heap_free(params), heap_free(saved), heap_free(data), heap_free(model);
    if (round == 0) after_first = pages;
    if (heap_check() != 1 || pages != after_first) {
      fprintf(stderr, "round %d: %d free chunks, %zu pages (after the first round: %zu)\n", round, heap_check(),
              pages, after_first);
      CHECK(0);
      break;
    }
  }
}

TT_TEST(test_heap_grows_only_by_what_a_free_chunk_at_the_end_lacks) {
  reset_heap(2);
  void *a = heap_malloc(100);
  size_t before = pages;
  void *big = heap_malloc(3 << 16); /* 3 pages wanted; most of 2 pages are free at the end already */
  CHECK(big != NULL);
  CHECK(pages == before + 2);
  CHECK(heap_check() >= 0);
  heap_free(big), heap_free(a);
  CHECK(heap_check() == 1);
  /* the freed space is reused before memory grows again */
  before = pages;
  void *again = heap_malloc((size_t)(3 << 16) + 100);
  CHECK(again != NULL && pages == before);
  heap_free(again);
}

TT_TEST(test_heap_refuses_what_it_cannot_have_and_stays_usable) {
  reset_heap(2);
  void *a = heap_malloc(64);
  CHECK(a != NULL);
  CHECK(heap_malloc(SIZE_MAX) == NULL);
  CHECK(heap_malloc(SIZE_MAX / 2 + 1) == NULL);
  CHECK(heap_malloc(SIZE_MAX - 15) == NULL);
  CHECK(heap_malloc((size_t)MAX_PAGES << 16) == NULL); /* more than the memory can grow to */
  refuse_growth = 1;
  CHECK(heap_malloc(5 << 16) == NULL);
  CHECK(heap_check() >= 0);
  refuse_growth = 0;
  void *b = heap_malloc(5 << 16), *c = heap_malloc(0), *d = heap_malloc(0);
  CHECK(b != NULL && c != NULL && d != NULL && c != d);
  heap_free(NULL); /* a no-op, as free(NULL) */
  heap_free(a), heap_free(b), heap_free(c), heap_free(d);
  CHECK(heap_check() == 1);
}

TT_TEST(test_heap_free_merges_with_both_neighbours) {
  reset_heap(2);
  void *p[5];
  for (int i = 0; i < 5; i++) p[i] = heap_malloc(1000);
  heap_free(p[1]), heap_free(p[3]);
  CHECK(heap_check() == 3); /* p1, p3 and the rest of the heap */
  heap_free(p[2]); /* joins p1 and p3 into one */
  CHECK(heap_check() == 2);
  void *q = heap_malloc(3 * 1000); /* the merged hole fits it: first fit takes the lowest address */
  CHECK(q == p[1]);
  heap_free(q), heap_free(p[0]), heap_free(p[4]);
  CHECK(heap_check() == 1);
}

int main(void) {
  TT_RUN(test_heap_random_blocks_are_aligned_disjoint_and_keep_their_bytes);
  TT_RUN(test_heap_memory_stays_flat_when_models_are_created_and_freed_1000_times);
  TT_RUN(test_heap_grows_only_by_what_a_free_chunk_at_the_end_lacks);
  TT_RUN(test_heap_refuses_what_it_cannot_have_and_stays_usable);
  TT_RUN(test_heap_free_merges_with_both_neighbours);
  return TT_SUMMARY();
}
