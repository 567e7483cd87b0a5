/* The registry: ops, spec names and traits of every layer type, made from layer_table.h in tt__layer_type order.
 * (The spec's fields per type are src/model/spec.c's, from the same table.) */
#include <stdarg.h>
#include <string.h>

#include "../kernels/kernels.h"
#include "layer_util.h"

static const tt__layer_ops *const layer_ops[TT_LAYER_TYPE_COUNT] = {
#define TT_LAYER(name, NAME, fields, traits, fused, torch) [TT_##NAME] = &tt__##name##_ops,
#include "layer_table.h"
#undef TT_LAYER
};

const char *const tt__layer_names[TT_LAYER_TYPE_COUNT + 1] = {
#define TT_LAYER(name, NAME, fields, traits, fused, torch) [TT_##NAME] = #name,
#include "layer_table.h"
#undef TT_LAYER
};

/* The traits column's words as TT_TRAIT_* bits (each word expands to "| its bit" after a 0), and the fused
 * column's TT_ACT_* kernel above them. */
#define PARAMS | TT_TRAIT_PARAMS
#define HE_INIT | TT_TRAIT_HE_INIT
#define FUSES_NEXT | TT_TRAIT_FUSES_NEXT
#define ACTIVATION | TT_TRAIT_ACTIVATION
#define TT_ACT_NONE 0
#define FUSED_SHIFT 4
static const unsigned char layer_traits[TT_LAYER_TYPE_COUNT] = {
#define TT_LAYER(name, NAME, fields, traits, fused, torch) [TT_##NAME] = (0 traits) | TT_ACT_##fused << FUSED_SHIFT,
#include "layer_table.h"
#undef TT_LAYER
};
#undef PARAMS
#undef HE_INIT
#undef FUSES_NEXT
#undef ACTIVATION
#undef TT_ACT_NONE

const tt__layer_ops *tt__layer_ops_of(tt__layer_type type) {
  if (type == TT_RESIDUAL_END) return &tt__residual_end_ops;
  if ((int)type < 0 || (int)type >= TT_LAYER_TYPE_COUNT) return NULL;
  return layer_ops[type];
}

int tt__layer_type_from_name(const char *name) {
  for (int t = 0; name && t < TT_LAYER_TYPE_COUNT; t++)
    if (!strcmp(name, tt__layer_names[t])) return t;
  return -1;
}

/* TT_RESIDUAL_END, past the table, has no traits. */
int tt__layer_has(tt__layer_type type, unsigned traits) {
  return type < TT_LAYER_TYPE_COUNT && (layer_traits[type] & traits) == traits;
}

int tt__layer_fused_act(tt__layer_type type) {
  return type < TT_LAYER_TYPE_COUNT ? layer_traits[type] >> FUSED_SHIFT : 0;
}

const char *tt_layer_type_name(int i) { return (unsigned)i < TT_LAYER_TYPE_COUNT ? tt__layer_names[i] : NULL; }

int tt_layer_type_traits(int i) {
  return (unsigned)i < TT_LAYER_TYPE_COUNT ? layer_traits[i] & ((1 << FUSED_SHIFT) - 1) : 0;
}

int tt__layer_fail(const tt__layer *l, const char *name, const char *fmt, ...) {
  char msg[384];
  va_list ap;
  va_start(ap, fmt);
  tt__vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return tt__fail(TT_ERR_SPEC, "%s (%s): %s", l->path, name, msg);
}

int tt__layer_positive(const tt__layer *l, const char *name, const char *field, int v) {
  return v > 0 ? TT_OK : tt__layer_fail(l, name, "%s must be a positive integer, got %d", field, v);
}
