/* Accounted allocation: every model allocation goes through here so tt_set_memory_limit() is enforced up
 * front, with a message that gives the size needed, instead of a trap or an abort later. */
#include <stdint.h>
#include <stdlib.h>

#include "core.h"

static size_t memory_limit;  /* 0 = none */
static size_t memory_used;
static size_t memory_peak;

void tt_set_memory_limit(size_t bytes) { memory_limit = bytes; }
size_t tt__memory_limit(void) { return memory_limit; }

size_t tt__memory_peak(int reset) {
  size_t peak = memory_peak;
  if (reset) memory_peak = memory_used;
  return peak;
}

const char *tt__size_str(size_t bytes, char *buf, size_t len) {
  int unit = bytes < 1024 ? 0 : bytes < 1024 * 1024 ? 1 : 2;  /* bytes, KiB, MiB: names 6 bytes apart */
  tt__snprintf(buf, len, "%.*f %s", unit ? 1 : 0, (double)bytes / (double)((size_t)1 << 10 * unit),
               &"bytes\0KiB\0\0\0MiB"[6 * unit]);
  return buf;
}

void *tt__malloc(size_t bytes) {
  char need[24], limit[24], used[24];
  size_t asked = tt__add(memory_used, bytes);
  if (asked > memory_peak) memory_peak = asked;
  if (bytes == SIZE_MAX || (memory_limit && (bytes > memory_limit || memory_used > memory_limit - bytes))) {
    if (bytes == SIZE_MAX)
      tt__fail(TT_ERR_MEMORY, "out of memory: the model needs more memory than can be addressed");
    else
      tt__fail(TT_ERR_MEMORY, "out of memory: needs %s more, the limit is %s (%s in use)",
               tt__size_str(bytes, need, sizeof need), tt__size_str(memory_limit, limit, sizeof limit),
               tt__size_str(memory_used, used, sizeof used));
    return NULL;
  }
  void *p = malloc(bytes ? bytes : 1);
  if (!p) {
    tt__fail(TT_ERR_MEMORY, "out of memory: could not allocate %s", tt__size_str(bytes, need, sizeof need));
    return NULL;
  }
  memory_used += bytes;
  return p;
}

void *tt__calloc(size_t count, size_t size) {
  size_t bytes = tt__mul(count, size);
  void *p = tt__malloc(bytes);
  if (p) for (size_t i = 0; i < bytes; i++) ((unsigned char *)p)[i] = 0;
  return p;
}

void tt__free(void *p, size_t bytes) {
  if (!p) return;
  memory_used -= bytes <= memory_used ? bytes : memory_used;
  free(p);
}

size_t tt__mul(size_t a, size_t b) {
  if (a == SIZE_MAX || b == SIZE_MAX) return SIZE_MAX;
  if (a && b > SIZE_MAX / a) return SIZE_MAX;
  return a * b;
}

size_t tt__add(size_t a, size_t b) {
  if (a == SIZE_MAX || b == SIZE_MAX || b > SIZE_MAX - a) return SIZE_MAX;
  return a + b;
}

void *tt_alloc(size_t bytes) { return malloc(bytes ? bytes : 1); }
void tt_free(void *p) { free(p); }
