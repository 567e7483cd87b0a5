/* Helpers shared by the layer files only (not a contract): setup error messages that name the layer,
 * size checks, and the two weight initialisations. Everything here is static inline so each layer file stays
 * self-contained (except tt__layer_fail, defined once in registry.c). */
#ifndef TT_LAYER_UTIL_H
#define TT_LAYER_UTIL_H

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "layers.h"

/* Formats "<path> (name): <message>" (path: "layers[3]", or "layers[3].layers[1]" inside a residual block) as a
 * TT_ERR_SPEC failure and returns TT_ERR_SPEC. Defined once in registry.c (as a static inline, each layer file
 * carried its own copy into the wasm module). */
int tt__layer_fail(const tt__layer *l, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* TT_OK if v > 0, else tt__layer_fail's "<field> must be a positive integer, got <v>" (one format string for
 * every hyper-parameter: the module's size budget). */
int tt__layer_positive(const tt__layer *l, const char *name, const char *field, int v);

/* Shapes and counts are ints in the kernels: anything whose element count does not fit is rejected in setup
 * (the model's arena would refuse it anyway, but with a less helpful message). */
static inline int tt__layer_count_ok(size_t n) { return n != SIZE_MAX && n <= (size_t)INT_MAX; }

/* Shape of the input as text, for messages. */
typedef struct {
  char s[64];
} tt__shape_text;
static inline tt__shape_text tt__shape_text_of(tt__shape s) {
  tt__shape_text t;
  tt__shape_str(s, t.s, sizeof t.s);
  return t;
}

/* He normal (std sqrt(2/fan_in)) when he, else Glorot uniform (limit sqrt(6/(fan_in+fan_out))). Draws n
 * numbers from rng in order, so the same seed gives the same weights. */
static inline void tt__layer_init_weights(float *w, size_t n, int fan_in, int fan_out, int he, tt__rng *rng) {
  if (he) {
    float std = sqrtf(2.0f / (float)fan_in);
    for (size_t i = 0; i < n; i++) w[i] = std * tt__rng_normal(rng);
  } else {
    float limit = sqrtf(6.0f / (float)(fan_in + fan_out));
    for (size_t i = 0; i < n; i++) w[i] = limit * (2.0f * tt__rng_uniform(rng) - 1.0f);
  }
}

#endif
