/* Post-training int8 quantization (tt_model_quantize, src/tinytrain.h): a second model of the same spec whose
 * dense and conv2d weights are int8 rows with one scale each. Its block holds the float tensors (every other
 * parameter, the biases, the scales) first, in layer order, then the int8 weights; nothing else is allocated
 * until it predicts (activations, as any model). Compiled in with -DTT_INT8 only (kernels.h). */
#include <math.h>
#include <string.h>

#include "../kernels/kernels.h"
#include "model.h"

#ifdef TT_INT8 /* the int8 build only; without it tt_model_quantize is not defined (kernels.h) */
int tt__model_trainable(const tt_model *m) {
  return m->quantized ? tt__fail(TT_ERR_STATE, "this model is quantized to int8 for inference; train the original")
                      : TT_OK;
}

static int quantized_layer(const tt__layer *l) { return l->type == TT_DENSE || l->type == TT_CONV2D; }

/* Bytes of a layer's int8 weights: packed for gemm_i8 (dense), or as they are (conv2d, see src/layers/conv2d.c). */
static size_t int8_bytes(const tt__layer *l, int rows) {
  return l->type == TT_DENSE ? tt__i8_packed_bytes(rows, (int)(l->w_count / rows)) : l->w_count;
}

/* Symmetric per row: scale = max |w| / 127 and q = w / scale rounded to nearest, so the largest weight of each row
 * is ±127 exactly (a row of zeros: scale 0, q 0); q in the order gemm_i8 reads (tt__i8_packed_at) when packed,
 * else in w's (rows, K). */
static void quantize_rows(int8_t *q, float *scale, const float *w, int rows, int K, int packed) {
  for (int r = 0; r < rows; r++, w += K) {
    float m = 0.0f;
    for (int i = 0; i < K; i++) m = fmaxf(m, fabsf(w[i]));
    scale[r] = m / 127.0f;
    for (int i = 0; i < K; i++)
      q[packed ? tt__i8_packed_at(r, i, K) : (size_t)r * K + i] = (int8_t)(m > 0.0f ? rintf(w[i] * (127.0f / m)) : 0);
  }
}

size_t tt_model_weight_bytes(const tt_model *m) {
  return m->quantized ? m->block_bytes : tt_model_param_count(m) * sizeof(float);
}

tt_model *tt_model_quantize(const tt_model *m) {
  tt__clear_error();
  if (m->quantized) {
    tt__fail(TT_ERR_STATE, "quantize: this model is quantized already");
    return NULL;
  }
  tt_model *q = tt__model_new(m->spec_json, m->spec_len);
  if (!q) return NULL;
  size_t floats = 0, bytes = 0;  // the float tensors and scales; the int8 weights
  for (int i = 0; i < q->n_layers; i++) {
    tt__layer *l = &q->layers[i];
    const int rows = l->type == TT_DENSE ? l->units : l->filters;
    if (!quantized_layer(l)) {
      floats += l->w_count + l->b_count;
      continue;
    }
    if (!tt__i8_limit((int)(l->w_count / rows))) { // not even int16 activations of ±1 keep the int32 sums exact
      tt__fail(TT_ERR_STATE, "quantize: %s has %zu weights per output, too many for int8", l->path, l->w_count / rows);
      tt_model_free(q);
      return NULL;
    }
    floats += (size_t)rows + l->b_count;
    bytes += int8_bytes(l, rows);
    // the int8 forward pass needs its own scratch, in the one workspace all layers share
    const size_t ws = l->type == TT_DENSE ? tt__dense_i8_workspace(l) : tt__conv2d_i8_workspace(l);
    if (ws > l->workspace_fixed) l->workspace_fixed = ws;
  }
  if (tt_model_set_vocabulary(q, m->vocab_json, m->vocab_len) ||
      !(q->block = tt__malloc(bytes = tt__add(tt__mul(floats, sizeof(float)), bytes)))) {
    tt_model_free(q);
    return NULL;
  }
  q->block_bytes = bytes;
  q->quantized = 1;
  q->last_loss = q->last_accuracy = NAN;
  float *f = q->block;
  int8_t *i8 = (int8_t *)(q->block + floats);
  memset(i8, 0, bytes - floats * sizeof(float));  // the packing's padding
  for (int i = 0; i < q->n_layers; i++) {
    tt__layer *l = &q->layers[i];
    const tt__layer *src = &m->layers[i];
    if (quantized_layer(l)) {
      const int rows = l->type == TT_DENSE ? l->units : l->filters;
      quantize_rows(i8, f, src->w, rows, (int)(l->w_count / rows), l->type == TT_DENSE);
      l->wq = i8, l->w_scale = f;
      i8 += int8_bytes(l, rows), f += rows;
    } else {
      l->w = f;
      memcpy(f, src->w, l->w_count * sizeof(float));
      f += l->w_count;
    }
    l->b = f;
    memcpy(f, src->b, l->b_count * sizeof(float));
    f += l->b_count;
  }
  return q;
}
#endif
