/* The one table from layer type to its ops, in tt__layer_type order. (Names to types is the spec's job:
 * tt__layer_type_from_name lives in src/model/spec.c.) */
#include <stdarg.h>

#include "layer_util.h"

static const tt__layer_ops *const layer_ops[TT_LAYER_TYPE_COUNT] = {
    [TT_DENSE] = &tt__dense_ops,         [TT_CONV2D] = &tt__conv2d_ops,   [TT_MAXPOOL2D] = &tt__maxpool2d_ops,
    [TT_AVGPOOL2D] = &tt__avgpool2d_ops, [TT_FLATTEN] = &tt__flatten_ops, [TT_DROPOUT] = &tt__dropout_ops,
    [TT_RELU] = &tt__relu_ops,           [TT_LEAKY_RELU] = &tt__leaky_relu_ops, [TT_TANH] = &tt__tanh_ops,
    [TT_SIGMOID] = &tt__sigmoid_ops,     [TT_GELU] = &tt__gelu_ops,       [TT_SOFTMAX] = &tt__softmax_ops,
    [TT_EMBEDDING] = &tt__embedding_ops, [TT_LAYERNORM] = &tt__layernorm_ops,
    [TT_POSITION_EMBEDDING] = &tt__position_embedding_ops, [TT_ATTENTION] = &tt__attention_ops,
    [TT_RESIDUAL] = &tt__residual_ops,   [TT_RESIDUAL_END] = &tt__residual_end_ops,
};

const tt__layer_ops *tt__layer_ops_of(tt__layer_type type) {
  if ((int)type < 0 || (int)type >= TT_LAYER_TYPE_COUNT) return NULL;
  return layer_ops[type];
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
