/* Core services shared by every module: error text, invariant asserts, seeded RNG, a small JSON reader,
 * tensor shapes and overflow-checked size arithmetic. Internal: names are tt__ (shared) or static. */
#ifndef TT_CORE_H
#define TT_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "../tinytrain.h"

/* ---- errors ------------------------------------------------------------------------------------------ */

/* Sets the message returned by tt_last_error() (printf-style) and returns status, so callers can write
 * `return tt__fail(TT_ERR_SPEC, "layers[%d].units: expected ...", i);`. */
int tt__fail(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* snprintf for the library (src/core/format.c): %c %s %d %u %x %g %f with l/ll/z, widths and precisions. Use it
 * instead of libc's printf family, which would pull long-double code into the wasm module. */
int tt__snprintf(char *buf, size_t len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int tt__vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
/* Decimal text (JSON number grammar, already validated) to double; see format.c for its accuracy. */
double tt__parse_double(const char *s, size_t len);

/* Clears the last error (called at the start of each public entry point). */
void tt__clear_error(void);

/* Broken internal invariant (a bug, never user input): records file and line, then traps. The wasm module leaves
 * out the condition's text (file and line find it; the module has a 64 KiB budget). */
void tt__assert_fail(const char *file, int line, const char *cond);
#if defined(__wasm__)
#define TT_ASSERT(c) ((c) ? (void)0 : tt__assert_fail(__FILE__, __LINE__, ""))
#else
#define TT_ASSERT(c) ((c) ? (void)0 : tt__assert_fail(__FILE__, __LINE__, #c))
#endif

/* Memory accounting: all model allocations go through these so the limit of tt_set_memory_limit holds. */
void *tt__malloc(size_t bytes);           /* NULL and a TT_ERR_MEMORY message when over the limit or OOM */
void *tt__calloc(size_t count, size_t size);
void tt__free(void *p, size_t bytes);
size_t tt__memory_limit(void);
/* The most bytes the accounted blocks ever came to, counting each request when it was made (even one refused by
 * the limit); with reset, it starts again from the bytes in use now. For tests and fuzzers. */
size_t tt__memory_peak(int reset);
/* A size as people read it, for messages: "1000 bytes", "1.4 KiB", "39.7 MiB". Returns buf. */
const char *tt__size_str(size_t bytes, char *buf, size_t len);

/* a * b and a + b, or SIZE_MAX on overflow (SIZE_MAX is then always rejected as too large). */
size_t tt__mul(size_t a, size_t b);
size_t tt__add(size_t a, size_t b);

/* ---- seeded RNG (splitmix64: tiny, fast, good enough for init, shuffling and dropout) ------------------ */

typedef struct {
  uint64_t state;
} tt__rng;

void tt__rng_seed(tt__rng *r, uint64_t seed);
uint32_t tt__rng_u32(tt__rng *r);
float tt__rng_uniform(tt__rng *r);           /* [0, 1) */
float tt__rng_normal(tt__rng *r);            /* mean 0, std 1 (Marsaglia's polar method) */
uint32_t tt__rng_below(tt__rng *r, uint32_t n); /* [0, n), unbiased */

/* sin and cos of x in [-pi, pi] (src/core/trig.c; libm's carry a large-argument reduction we do not need). */
void tt__sincos(double x, double *s, double *c);

/* ---- shapes -------------------------------------------------------------------------------------------- */

#define TT_MAX_RANK 3
typedef struct {
  int rank;           /* 1: [D]; 2: [T, D]; 3: [C, H, W] (one sample, no batch dim) */
  int d[TT_MAX_RANK];
} tt__shape;

static inline int tt__shape_size(tt__shape s) {
  int n = 1;
  for (int i = 0; i < s.rank; i++) n *= s.d[i];
  return n;
}
/* Writes "[a, b, c]" into buf. */
void tt__shape_str(tt__shape s, char *buf, size_t len);
/* The same for rank sizes, separated by sep: "[3, 2]" for messages, "[3,2]" (sep ",") in a safetensors header. */
void tt__dims_str(const uint64_t *dims, int rank, char *buf, size_t len, const char *sep);

/* ---- JSON reader --------------------------------------------------------------------------------------- */

typedef enum { TT_JSON_NULL, TT_JSON_BOOL, TT_JSON_NUMBER, TT_JSON_STRING, TT_JSON_ARRAY, TT_JSON_OBJECT } tt__json_type;

typedef struct tt__json {
  tt__json_type type;
  double number;           /* TT_JSON_NUMBER; TT_JSON_BOOL: 0 or 1 */
  const char *str;         /* TT_JSON_STRING: decoded, NUL-terminated (may contain NUL if escaped \u0000) */
  size_t str_len;
  const char *key;         /* decoded key when this value is an object member, else NULL */
  size_t key_len;
  struct tt__json *child;  /* first element / member */
  struct tt__json *next;   /* next sibling */
  int count;               /* number of children */
  size_t offset;           /* byte offset of the value in the source text, for error messages */
} tt__json;

/* Parses UTF-8 JSON text of len bytes (not necessarily NUL-terminated). Returns the root, allocated as one
 * block (free with tt__json_free), or NULL with a TT_ERR_* status message set via tt__fail(err_status, ...)
 * naming the byte offset: "<what>: invalid JSON at byte 17: expected ',' or '}'". `what` prefixes the message
 * ("spec", "safetensors header"). Nesting deeper than 64 levels is rejected. Duplicate object keys are
 * rejected. */
tt__json *tt__json_parse(const char *text, size_t len, int err_status, const char *what);
void tt__json_free(tt__json *root);
/* Member of an object by key, or NULL. */
const tt__json *tt__json_get(const tt__json *obj, const char *key);
/* Short description of a value for error messages: "-3", "\"abc\"", "an object", "an array", "null". */
void tt__json_describe(const tt__json *v, char *buf, size_t len);

/* Heap sort of n elements of size bytes by less(a, b) (no allocation, O(n log n) even for a hostile input with
 * many keys or tensors): the JSON duplicate-key check and the safetensors tiling check share it. */
void tt__sort(void *base, size_t n, size_t size, int (*less)(const void *, const void *));

#endif
