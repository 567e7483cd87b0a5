/* The model: builds the layer stack from a validated spec, owns one arena for parameters, gradients and
 * optimizer state, a second one for activations of the largest batch so far, and the training data. Implements
 * the public tt_model_* API of src/tinytrain.h except weight files (src/io/). Nothing allocates inside a
 * training step: buffers are reserved before the step loop starts. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../core/testing.h"
#include "../kernels/kernels.h"
#include "model.h"

/* Activations are reserved for at least this many samples, so evaluating or predicting in chunks during training
 * never grows memory after the first step. */
#define MIN_RESERVED_BATCH 64

static const tt__layer_ops *ops_of(const tt__layer *l) { return tt__layer_ops_of(l->type); }

/* Output rows and columns the loss sees for B samples: cross_entropy classifies every row of the output's last
 * dimension; mse and binary_cross_entropy see one row per sample. */
static void loss_rows_cols(const tt_model *m, int B, int *rows, int *cols) {
  tt__shape out = m->layers[m->n_layers - 1].out;
  int size = tt__shape_size(out);
  if (m->spec.loss == TT_LOSS_CROSS_ENTROPY) {
    *cols = out.d[out.rank - 1];
    *rows = B * (size / *cols);
  } else {
    *cols = size;
    *rows = B;
  }
}

int tt_model_input_size(const tt_model *m) { return tt__shape_size(m->spec.input); }
int tt_model_output_size(const tt_model *m) { return tt__shape_size(m->layers[m->n_layers - 1].out); }
int tt_model_label_size(const tt_model *m) {
  int rows, cols;
  loss_rows_cols(m, 1, &rows, &cols);
  return m->spec.loss == TT_LOSS_CROSS_ENTROPY ? rows : cols;
}
const char *tt_model_spec(const tt_model *m) { return m->spec_json; }
float *tt_model_params(tt_model *m) { return tt__model_trainable(m) ? NULL : m->params; }
size_t tt_model_param_count(const tt_model *m) { return m->param_count; }
float tt_model_last_loss(const tt_model *m) { return m->last_loss; }
float tt_model_last_accuracy(const tt_model *m) { return m->last_accuracy; }
double tt_model_step_count(const tt_model *m) { return m->step; }
int tt_model_epoch(const tt_model *m) { return m->epoch; }

double tt_model_flops_forward(const tt_model *m) {
  double f = 0;
  for (int i = 0; i < m->n_layers; i++) f += ops_of(&m->layers[i])->flops_forward(&m->layers[i]);
  return f;
}

/* Backward costs about twice the forward pass (input and weight gradients); the optimizer's per-parameter work
 * is shared by the whole batch and left out. */
double tt_model_flops_train(const tt_model *m) { return 3.0 * tt_model_flops_forward(m); }

static int check_finite(const char *what, const float *v, size_t n);

/* ---- construction ----------------------------------------------------------------------------------------- */

#ifdef TT_TESTING
int tt__fuse_activations = 1;  // core/testing.h
#endif

/* Shapes flow from the spec's input through each layer's setup. */
static int setup_layers(tt_model *m) {
  tt__shape shape = m->spec.input;
  for (int i = 0; i < m->n_layers; i++) {
    tt__layer *l = &m->layers[i];
    l->in = shape;
    l->init_he = i + 1 < m->n_layers && tt__layer_has(m->layers[i + 1].type, TT_TRAIT_HE_INIT);
    // an activation with a fused kernel (relu, tanh: layer_table.h's fused column) right after a FUSES_NEXT layer
    // (dense, conv2d) runs inside it (see tt__layer.act): the same results bit for bit, without the activation's
    // own pass and buffers
    if (i && TT__FUSE_ACTIVATIONS && tt__layer_fused_act(l->type) && tt__layer_has(l[-1].type, TT_TRAIT_FUSES_NEXT))
      l->fused = 1, l[-1].act = tt__layer_fused_act(l->type);
    int status = ops_of(l)->setup(l);
    if (status) return status;
    shape = l->out;
  }
  int rows, cols;
  loss_rows_cols(m, 1, &rows, &cols);
  if (m->spec.loss == TT_LOSS_CROSS_ENTROPY && cols < 2) {
    char s[64];
    tt__shape_str(shape, s, sizeof s);
    return tt__fail(TT_ERR_SPEC,
                    "loss: cross_entropy needs at least 2 classes in the last layer's output, got %s "
                    "(use binary_cross_entropy for one output)", s);
  }
  return TT_OK;
}

/* Points the layers' w and b into the current parameter set and dw and db into the gradients (a layer without
 * weights or bias gets a pointer it never uses). */
static void seat_params(tt_model *m) {
  size_t at = 0;
  for (int i = 0; i < m->n_layers; i++) {
    tt__layer *l = &m->layers[i];
    l->w = m->params + at, l->dw = m->grads + at;
    at += l->w_count;
    l->b = m->params + at, l->db = m->grads + at;
    at += l->b_count;
  }
}

/* The parameter block: the parameters alone (train = 0), or two sets of params | optimizer state, then the
 * gradients (train = 1; see tt_model in model.h). 2 floats of state per parameter cover every optimizer, so
 * changing momentum while training never reallocates. Parameters already there are kept. */
static int allocate_params(tt_model *m, int train) {
  size_t n = m->param_count, per_param = train ? 7 : 1;
  size_t bytes = tt__mul(tt__mul(n, per_param), sizeof(float));
  if (bytes == SIZE_MAX) { /* beyond size_t (wasm32: 4 GiB): give the size needed, counted in double */
    double count = 0;
    for (int i = 0; i < m->n_layers; i++) count += (double)m->layers[i].w_count + (double)m->layers[i].b_count;
    /* reached with train only: the parameters alone (tt_model_load) never outgrow the file that holds them */
    return tt__fail(TT_ERR_MEMORY, "out of memory: the model needs %.1f GiB (%.0f parameters with their gradients, "
                    "optimizer state and checkpoint), more than can be addressed", count * 7 * sizeof(float) /
                    (1024.0 * 1024.0 * 1024.0), count);
  }
  float *block = tt__malloc(bytes);
  if (!block) return tt_last_status();
  memset(block, 0, bytes);
  if (m->block) tt__copy(block, m->params, n);
  tt__free(m->block, m->block_bytes);
  m->block = block;
  m->block_bytes = bytes;
  m->params = block;
  m->opt_state = train ? block + n : NULL;
  m->spare_params = train ? block + 3 * n : NULL;
  m->spare_state = train ? block + 4 * n : NULL;
  m->grads = train ? block + 6 * n : block; /* nothing reads gradients before training allocates them */
  m->spare_valid = 0;
  seat_params(m);
  return TT_OK;
}

/* Gradients, optimizer state and the second set, for a model built by tt_model_load that is about to train. */
static int allocate_training(tt_model *m) {
  return tt__model_trainable(m) ? TT_ERR_STATE : m->opt_state ? TT_OK : allocate_params(m, 1);
}

static void init_params(tt_model *m, unsigned seed) {
  tt__rng init;
  tt__rng_seed(&init, seed);
  for (int i = 0; i < m->n_layers; i++)
    if (ops_of(&m->layers[i])->init) ops_of(&m->layers[i])->init(&m->layers[i], &init);
  if (m->opt_state) memset(m->opt_state, 0, 2 * m->param_count * sizeof(float));
  m->spare_valid = 0;
  tt__rng_seed(&m->rng, (uint64_t)seed ^ 0x7F4A7C15D1B54A32ull);
  m->step = 0;
  m->epoch = 0;
  m->cursor = 0;
  m->tokens_drawn = 0;
  for (int i = 0; i < m->data_n; i++) m->perm[i] = i; /* so a reset run repeats the shuffles of the first */
  m->last_loss = NAN;
  m->last_accuracy = NAN;
  m->first_loss = -1;
}

tt_model *tt__model_new(const char *spec_json, size_t len) {
  tt__clear_error();
  if (!spec_json) {
    tt__fail(TT_ERR_SPEC, "spec: expected JSON text, got nothing");
    return NULL;
  }
  tt_model *m = tt__calloc(1, sizeof *m);
  if (!m) return NULL;
  if (tt__spec_parse(&m->spec, spec_json, len) || !(m->spec_json = tt__malloc(len + 1))) {
    tt_model_free(m);
    return NULL;
  }
  memcpy(m->spec_json, spec_json, len);
  m->spec_json[len] = '\0';
  m->spec_len = len;
  m->layers = m->spec.layers;
  m->n_layers = m->spec.n_layers;
  if (setup_layers(m)) {
    tt_model_free(m);
    return NULL;
  }
  for (int i = 0; i < m->n_layers; i++)
    m->param_count = tt__add(m->param_count, tt__add(m->layers[i].w_count, m->layers[i].b_count));
  return m;
}

int tt__model_alloc_params(tt_model *m) {
  if (allocate_params(m, 0)) return tt_last_status();
  init_params(m, m->spec.seed);
  return TT_OK;
}

tt_model *tt_model_create(const char *spec_json, size_t len) {
  tt_model *m = tt__model_new(spec_json, len);
  if (m && allocate_params(m, 1)) {
    tt_model_free(m);
    return NULL;
  }
  if (m) init_params(m, m->spec.seed);
  return m;
}

void tt_model_free(tt_model *m) {
  if (!m) return;
  tt__free(m->spec_json, m->spec_len + 1);
  tt__free(m->vocab_json, m->vocab_len + 1);
  tt__free(m->block, m->block_bytes);
  tt__free(m->act_block, m->act_bytes);
  tt__free(m->data_x, m->data_bytes);
  tt__free(m->tokens, m->token_bytes);
  tt__free(m->gen_block, m->gen_bytes);
  tt__free(m, sizeof *m);
}

int tt_model_reset(tt_model *m, unsigned seed) {
  tt__clear_error();
  if (tt__model_trainable(m)) return TT_ERR_STATE;
  init_params(m, seed);
  return TT_OK;
}

int tt_model_set_weights(tt_model *m, const float *weights) {
  tt__clear_error();
  if (tt__model_trainable(m)) return TT_ERR_STATE;
  if (check_finite("weights", weights, m->param_count)) return TT_ERR_DATA;
  tt__copy(m->params, weights, m->param_count);
  m->spare_valid = 0; /* a divergence must not roll back past weights set from outside */
  return TT_OK;
}

/* Reserves activations, gradients, saved tensors and workspace for batches of up to B samples. Called before a
 * step loop, never inside one. */
static int reserve(tt_model *m, int B) {
  if (B < MIN_RESERVED_BATCH) B = MIN_RESERVED_BATCH;
  if (B <= m->max_batch) return TT_OK;
  size_t floats = tt__mul((size_t)B, (size_t)tt_model_input_size(m));
  floats = tt__add(floats, tt__mul((size_t)B, (size_t)tt_model_label_size(m)));
  size_t workspace = 0;
  for (int i = 0; i < m->n_layers; i++) {
    const tt__layer *l = &m->layers[i];
    size_t outputs = l->fused ? 0 : 2 * (size_t)tt__shape_size(l->out);  // its output and gradient, unless shared
    size_t per_sample = tt__add(outputs, l->saved_per_sample);
    floats = tt__add(floats, tt__mul((size_t)B, per_sample));
    size_t ws = tt__add(l->workspace_fixed, tt__mul((size_t)B, l->workspace_per_sample));
    if (ws > workspace) workspace = ws;
  }
  if (workspace < (size_t)tt_model_input_size(m)) workspace = (size_t)tt_model_input_size(m); /* augment() */
  floats = tt__add(floats, workspace);
  size_t bytes = tt__mul(floats, sizeof(float));
  float *block = tt__malloc(bytes);
  if (!block) {
    const char *why = tt_last_error(), *prefix = "out of memory: ";
    char size[24];
    if (!strncmp(why, prefix, strlen(prefix))) why += strlen(prefix);
    tt__fail(TT_ERR_MEMORY, "out of memory: batches of up to %d samples need %s of activations; %s", B,
             tt__size_str(bytes, size, sizeof size), why);
    return TT_ERR_MEMORY;
  }
  tt__free(m->act_block, m->act_bytes);
  m->act_block = block;
  m->act_bytes = bytes;
  m->max_batch = B;
  float *at = block;
  m->input = at, at += (size_t)B * tt_model_input_size(m);
  m->targets = at, at += (size_t)B * tt_model_label_size(m);
  for (int i = 0; i < m->n_layers; i++) {
    tt__layer *l = &m->layers[i];
    size_t out = l->fused ? 0 : (size_t)B * tt__shape_size(l->out);
    m->acts[i] = l->fused ? m->acts[i - 1] : at, at += out;  // a fused activation shares the layer before's buffers
    m->dacts[i] = l->fused ? m->dacts[i - 1] : at, at += out;
    l->saved = l->saved_per_sample ? at : NULL;
    at += (size_t)B * l->saved_per_sample;
  }
  for (int i = 0; i < m->n_layers; i++) { /* a residual block's skip path, from its start to its end */
    tt__layer *l = &m->layers[i];
    if (l->type == TT_RESIDUAL) l->skip_buf = m->dacts[i + l->skip];
    if (l->type == TT_RESIDUAL_END) l->skip_buf = i > l->skip ? m->acts[i - l->skip - 1] : m->input;
  }
  m->workspace = at;
  return TT_OK;
}

/* ---- token streams ---------------------------------------------------------------------------------------- */

static void drop_tokens(tt_model *m) {
  tt__free(m->tokens, m->token_bytes);
  m->tokens = NULL;
  m->token_count = m->token_bytes = 0;
  m->tokens_drawn = 0;
}

/* A language model reads T token ids and predicts the next token at every position: an embedding first, an
 * input [T] and one cross_entropy label per position. */
static int check_language_model(const tt_model *m, const char *call) {
  if (m->layers[0].type != TT_EMBEDDING || m->spec.input.rank != 1 || m->spec.loss != TT_LOSS_CROSS_ENTROPY ||
      tt_model_label_size(m) != m->spec.input.d[0])
    return tt__fail(TT_ERR_STATE, "%s: token streams need a language model: input [T] of token ids into an "
                    "embedding, and cross_entropy with one label per position", call);
  return TT_OK;
}

static size_t token_at(const void *ids, int width, size_t i) {
  return width == 2 ? ((const uint16_t *)ids)[i] : ((const uint32_t *)ids)[i];
}

/* Every id of a stream must index the embedding. */
static int check_tokens(const tt_model *m, const char *call, const void *ids, size_t n, int width) {
  if (width != 2 && width != 4)
    return tt__fail(TT_ERR_STATE, "%s: expected 2 or 4 bytes per token id, got %d", call, width);
  int T = m->spec.input.d[0];
  if (!ids || n < (size_t)T + 1)
    return tt__fail(TT_ERR_DATA, "%s: expected at least %d tokens (one window of %d and the token after it), "
                    "got %zu", call, T + 1, T, ids ? n : 0);
  size_t vocab = (size_t)m->layers[0].vocab;
  for (size_t i = 0; i < n; i++)
    if (token_at(ids, width, i) >= vocab)
      return tt__fail(TT_ERR_DATA, "%s: token %zu is %zu: ids must be below the vocabulary size %zu", call, i,
                      token_at(ids, width, i), vocab);
  return TT_OK;
}

/* Sample b of the batch: inputs = the T tokens from `start`, labels = the T tokens after each of them. */
static void window_to_batch(tt_model *m, const void *ids, int width, size_t start, int b) {
  int T = m->spec.input.d[0];
  float *x = m->input + (size_t)b * T, *y = m->targets + (size_t)b * T;
  for (int t = 0; t < T; t++) {
    x[t] = (float)token_at(ids, width, start + t);
    y[t] = (float)token_at(ids, width, start + t + 1);
  }
}

int tt_model_set_vocabulary(tt_model *m, const char *json, size_t len) {
  tt__clear_error();
  if (!json || !len) {
    tt__free(m->vocab_json, m->vocab_len + 1);
    m->vocab_json = NULL;
    m->vocab_len = 0;
    return TT_OK;
  }
  if (m->layers[0].type != TT_EMBEDDING)
    return tt__fail(TT_ERR_STATE, "vocabulary: only a model whose first layer is an embedding has one");
  tt__json *root = tt__json_parse(json, len, TT_ERR_DATA, "vocabulary");
  if (!root) return TT_ERR_DATA;
  int status = TT_OK, vocab = m->layers[0].vocab;
  if (root->type != TT_JSON_ARRAY) {
    status = tt__fail(TT_ERR_DATA, "vocabulary: expected an array of token strings");
  } else if (root->count != vocab) {
    status = tt__fail(TT_ERR_DATA, "vocabulary: expected %d tokens (the embedding's vocab), got %d", vocab,
                      root->count);
  } else {
    int i = 0;
    for (const tt__json *t = root->child; t && !status; t = t->next, i++)
      if (t->type != TT_JSON_STRING) status = tt__fail(TT_ERR_DATA, "vocabulary[%d]: expected a string", i);
  }
  tt__json_free(root);
  if (status) return status;
  char *copy = tt__malloc(len + 1);
  if (!copy) return TT_ERR_MEMORY;
  memcpy(copy, json, len);
  copy[len] = '\0';
  tt__free(m->vocab_json, m->vocab_len + 1);
  m->vocab_json = copy;
  m->vocab_len = len;
  return TT_OK;
}

const char *tt_model_vocabulary(const tt_model *m) { return m->vocab_json ? m->vocab_json : ""; }

int tt_model_set_tokens(tt_model *m, const void *ids, size_t n, int width) {
  tt__clear_error();
  if (tt__model_trainable(m) || check_language_model(m, "set_tokens") || check_tokens(m, "set_tokens", ids, n, width))
    return tt_last_status();
  if (n > UINT32_MAX) return tt__fail(TT_ERR_DATA, "set_tokens: %zu tokens are more than 2^32", n);
  /* two bytes per token whenever the vocabulary allows */
  int stored = m->layers[0].vocab <= 65536 ? 2 : 4;
  size_t bytes = tt__mul(n, (size_t)stored);
  void *block = tt__malloc(bytes);
  if (!block) return TT_ERR_MEMORY;
  if (stored == width) memcpy(block, ids, bytes);
  else if (stored == 2) for (size_t i = 0; i < n; i++) ((uint16_t *)block)[i] = (uint16_t)token_at(ids, width, i);
  else for (size_t i = 0; i < n; i++) ((uint32_t *)block)[i] = (uint32_t)token_at(ids, width, i);
  tt__free(m->data_x, m->data_bytes);
  m->data_x = m->data_y = NULL;
  m->perm = NULL;
  m->data_n = 0;
  m->data_bytes = 0;
  drop_tokens(m);
  m->tokens = block;
  m->token_count = n;
  m->token_bytes = bytes;
  m->token_width = stored;
  return TT_OK;
}

/* ---- validation of user data ------------------------------------------------------------------------------ */

static int check_finite(const char *what, const float *v, size_t n) {
  // fast path: a finite sum of squares means every value is finite (one SIMD pass, a small share of a batch-1
  // predict); else the loop finds the culprit, or huge finite values pass
  if (isfinite(tt__sumsq(v, n))) return TT_OK;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i])) return tt__fail(TT_ERR_DATA, "%s[%zu] is %s: data must be finite numbers", what, i,
                                         isnan(v[i]) ? "NaN" : "infinite");
  return TT_OK;
}

static int check_inputs(const tt_model *m, const float *x, int n) {
  if (!x || n <= 0) return tt__fail(TT_ERR_DATA, "x: expected at least one sample, got %d", n);
  size_t count = (size_t)n * tt_model_input_size(m);
  if (check_finite("x", x, count)) return TT_ERR_DATA;
  const tt__layer *first = &m->layers[0];
  if (first->type == TT_EMBEDDING)
    for (size_t i = 0; i < count; i++)
      if (x[i] != floorf(x[i]) || x[i] < 0 || x[i] >= first->vocab)
        return tt__fail(TT_ERR_DATA, "x[%zu] = %g: token indices must be whole numbers in [0, %d)", i, x[i],
                        first->vocab);
  return TT_OK;
}

static int check_labels(const tt_model *m, const float *y, int n) {
  if (!y) return tt__fail(TT_ERR_DATA, "y: expected labels, got nothing");
  int rows, cols;
  loss_rows_cols(m, 1, &rows, &cols);
  size_t count = (size_t)n * tt_model_label_size(m);
  if (check_finite("y", y, count)) return TT_ERR_DATA;
  for (size_t i = 0; i < count; i++) {
    if (m->spec.loss == TT_LOSS_CROSS_ENTROPY && (y[i] != floorf(y[i]) || y[i] < 0 || y[i] >= cols))
      return tt__fail(TT_ERR_DATA, "y[%zu] = %g: class labels must be whole numbers in [0, %d)", i, y[i], cols);
    if (m->spec.loss == TT_LOSS_BCE && (y[i] < 0 || y[i] > 1))
      return tt__fail(TT_ERR_DATA, "y[%zu] = %g: binary_cross_entropy targets must be in [0, 1]", i, y[i]);
  }
  return TT_OK;
}

int tt_model_set_data(tt_model *m, const float *x, const float *y, int n) {
  tt__clear_error();
  if (tt__model_trainable(m) || check_inputs(m, x, n) || check_labels(m, y, n)) return tt_last_status();
  size_t in = (size_t)tt_model_input_size(m), lab = (size_t)tt_model_label_size(m);
  size_t bytes = tt__mul((size_t)n, tt__add(tt__mul(tt__add(in, lab), sizeof(float)), sizeof(int)));
  float *block = tt__malloc(bytes);
  if (!block) return TT_ERR_MEMORY;
  tt__free(m->data_x, m->data_bytes);
  drop_tokens(m);
  m->data_x = block;
  m->data_y = block + (size_t)n * in;
  m->perm = (int *)(m->data_y + (size_t)n * lab);
  m->data_bytes = bytes;
  m->data_n = n;
  memcpy(m->data_x, x, (size_t)n * in * sizeof(float));
  memcpy(m->data_y, y, (size_t)n * lab * sizeof(float));
  for (int i = 0; i < n; i++) m->perm[i] = i;
  m->cursor = 0;
  return TT_OK;
}

/* ---- forward, backward, one step ------------------------------------------------------------------------- */

static void forward_from(tt_model *m, const float *in, int B, int training) {
  tt__ctx ctx = {m->workspace, &m->rng, training};
  for (int i = 0; i < m->n_layers; i++) {
    if (!m->layers[i].fused) ops_of(&m->layers[i])->forward(&m->layers[i], m->acts[i], in, B, &ctx);
    in = m->acts[i];
  }
}

static void forward(tt_model *m, int B, int training) { forward_from(m, m->input, B, training); }

#ifdef TT_INT8
/* Whether a layer reads m->input after the first has run: a residual block that starts at the input adds it back. */
static int input_read_later(const tt_model *m) {
  for (int i = 0; i < m->n_layers; i++)
    if (m->layers[i].type == TT_RESIDUAL_END && m->layers[i].skip_buf == m->input) return 1;
  return 0;
}
#endif

static void backward(tt_model *m, int B) {
  tt__ctx ctx = {m->workspace, &m->rng, 1};
  tt__fill(m->grads, 0.0f, m->param_count); /* layers accumulate; the SIMD fill is ~6x libc's memset here */
  for (int i = m->n_layers - 1; i >= 0; i--) {
    const float *in = i ? m->acts[i - 1] : m->input;
    float *din = i ? m->dacts[i - 1] : NULL;
    ops_of(&m->layers[i])->backward(&m->layers[i], din, m->dacts[i], in, m->acts[i], B, &ctx);
  }
}

double tt__model_loss(tt_model *m, const float *x, const float *y, int n, int gradients) {
  int rows, cols, last = m->n_layers - 1;
  long correct = 0, total = 0;
  if (reserve(m, n) || (gradients && allocate_training(m))) return NAN;
  tt__copy(m->input, x, (size_t)n * tt_model_input_size(m));
  tt__copy(m->targets, y, (size_t)n * tt_model_label_size(m));
  loss_rows_cols(m, n, &rows, &cols);
  forward(m, n, 1);
  double loss = tt__loss(m->spec.loss, m->dacts[last], m->acts[last], m->targets, rows, cols, &correct, &total);
  if (gradients) backward(m, n);
  return loss;
}

/* The spare set becomes the current one and the current one the spare. */
static void swap_sets(tt_model *m) {
  float *params = m->params, *state = m->opt_state;
  m->params = m->spare_params, m->opt_state = m->spare_state;
  m->spare_params = params, m->spare_state = state;
  seat_params(m);
}

/* Fails with the divergence message and rolls back to the parameters and optimizer state before the last update,
 * when that set is still at hand: the update that led here is undone, and the step counter with it. */
static int diverged(tt_model *m, const char *what, double value) {
  /* %g writes nan, inf and -inf as they are */
  tt__fail(TT_ERR_DIVERGED, "diverged at step %.0f (%s = %.3g): try a lower learning rate", m->step + 1, what, value);
  if (m->spare_valid) {
    swap_sets(m);
    m->spare_valid = 0;
    m->step -= 1;
  }
  return TT_ERR_DIVERGED;
}

/* A loss is diverging when it is not finite, or when it has grown a thousand-fold over the first loss after
 * (re)initialisation: by then the weights are exploding even if the numbers still fit in a float. */
static int loss_diverged(tt_model *m, double loss) {
  if (!isfinite(loss)) return 1;
  if (m->first_loss < 0) m->first_loss = loss;
  return loss > 1000.0 * (m->first_loss > 1.0 ? m->first_loss : 1.0);
}

/* One optimizer step on the B samples in m->input / m->targets. Checks loss and gradient norm before updating:
 * a diverging loss or gradient on the current parameters means the update that made them went wrong, so
 * diverged() rolls back to the set before it. The update writes the spare set, which then becomes current. */
static int train_step(tt_model *m, int B, double *loss, long *correct, long *total) {
  int rows, cols;
  loss_rows_cols(m, B, &rows, &cols);
  forward(m, B, 1);
  int last = m->n_layers - 1;
  *loss = tt__loss(m->spec.loss, m->dacts[last], m->acts[last], m->targets, rows, cols, correct, total);
  if (loss_diverged(m, *loss)) return diverged(m, "loss", *loss);
  backward(m, B);
  float norm = tt__optim_clip(&m->spec.optim, m->grads, m->param_count);
  if (!isfinite(norm)) return diverged(m, "gradient norm", norm);
  float lr = tt__optim_lr(&m->spec.optim, m->step);
  tt__optim_step(&m->spec.optim, m->spare_params, m->spare_state, m->params, m->grads, m->opt_state, m->param_count,
                 m->step + 1, lr);
  swap_sets(m);
  m->spare_valid = 1;
  m->step += 1;
  return TT_OK;
}

/* Random shift and rotation of each image in the batch (bilinear, zero outside), drawn from the model's RNG. */
static void augment(tt_model *m, int B) {
  const tt__spec *s = &m->spec;
  if (s->input.rank != 3 || (s->augment_shift <= 0 && s->augment_rotate <= 0)) return;
  int C = s->input.d[0], H = s->input.d[1], W = s->input.d[2];
  float *tmp = m->workspace; /* the workspace is free between steps and holds at least one image */
  for (int b = 0; b < B; b++) {
    float *img = m->input + (size_t)b * C * H * W;
    float dx = 0, dy = 0, angle = 0;
    if (s->augment_shift > 0) {
      dx = (float)((int)tt__rng_below(&m->rng, 2 * s->augment_shift + 1) - s->augment_shift);
      dy = (float)((int)tt__rng_below(&m->rng, 2 * s->augment_shift + 1) - s->augment_shift);
    }
    if (s->augment_rotate > 0) angle = (2 * tt__rng_uniform(&m->rng) - 1) * s->augment_rotate * 0.017453292f;
    double sin_a, cos_a;
    tt__sincos(angle, &sin_a, &cos_a);
    float cs = (float)cos_a, sn = (float)sin_a, cy = (H - 1) * 0.5f, cx = (W - 1) * 0.5f;
    memcpy(tmp, img, (size_t)C * H * W * sizeof(float));
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        /* inverse map: where in the source does output pixel (y, x) come from; the same for every channel */
        float ox = x - cx - dx, oy = y - cy - dy;
        float sx = cs * ox + sn * oy + cx, sy = -sn * ox + cs * oy + cy;
        int x0 = (int)floorf(sx), y0 = (int)floorf(sy);
        float fx = sx - x0, fy = sy - y0;
        /* bilinear weights of the neighbours (y0, x0), (y0, x0 + 1), (y0 + 1, x0), (y0 + 1, x0 + 1) */
        const float wt[4] = {(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx};
        /* all four neighbours inside (most pixels): no bounds checks; whole-pixel shifts give wt[0] = 1 exactly */
        int inside = x0 >= 0 && y0 >= 0 && x0 < W - 1 && y0 < H - 1;
        for (int c = 0; c < C; c++) {
          const float *src = tmp + (size_t)c * H * W;
          float v = 0;
          if (inside) {
            const float *p = src + y0 * W + x0;
            v = wt[0] * p[0] + wt[1] * p[1] + wt[2] * p[W] + wt[3] * p[W + 1];
          } else { /* zero outside: the neighbours inside, in the same order */
            for (int t = 0; t < 4; t++) {
              int yy = y0 + t / 2, xx = x0 + t % 2;
              if (yy >= 0 && yy < H && xx >= 0 && xx < W) v += wt[t] * src[yy * W + xx];
            }
          }
          img[((size_t)c * H + y) * W + x] = v;
        }
      }
  }
}

static void shuffle(tt_model *m) {
  for (int i = m->data_n - 1; i > 0; i--) {
    int j = (int)tt__rng_below(&m->rng, (uint32_t)i + 1);
    int t = m->perm[i];
    m->perm[i] = m->perm[j];
    m->perm[j] = t;
  }
}

static float accuracy(long correct, long total) { return total ? (float)correct / (float)total : NAN; }

/* Samples [lo, hi) of the next batch into input and targets, from the shuffled order at the cursor (split over
 * threads in the threaded build) */
TT__RANGE_FN void copy_samples(void *arg, int lo, int hi) {
  const tt_model *m = arg;
  const int *order = m->perm + m->cursor;
  size_t in = (size_t)tt_model_input_size(m), lab = (size_t)tt_model_label_size(m);
  for (int i = lo; i < hi; i++) {
    int k = order[i];
    tt__copy(m->input + i * in, m->data_x + k * in, in);
    tt__copy(m->targets + i * lab, m->data_y + k * lab, lab);
  }
}

/* Fills input and targets with the next training batch of up to B samples and returns its size: the set data in
 * shuffled order (the last batch of an epoch may be smaller, as PyTorch's DataLoader does by default), or B
 * seeded random windows of the token stream. */
static int next_batch(tt_model *m, int B) {
  if (m->tokens) {
    int T = m->spec.input.d[0];
    uint32_t starts = (uint32_t)(m->token_count - (size_t)T); /* a window holds T + 1 tokens */
    for (int i = 0; i < B; i++) window_to_batch(m, m->tokens, m->token_width, tt__rng_below(&m->rng, starts), i);
    return B;
  }
  if (m->cursor == 0 && !m->no_shuffle) shuffle(m);
  int b = m->data_n - m->cursor < B ? m->data_n - m->cursor : B;
  tt__parallel_range(b, 4.0 * b * tt_model_input_size(m), copy_samples, m);  // a float: 4 multiply-adds' time
  return b;
}

/* After a step on b samples: the position in the data, and the epoch count (passes over the data, or tokens
 * trained on per token of the stream). */
static void advance(tt_model *m, int b) {
  if (m->tokens) {
    m->tokens_drawn += (double)b * m->spec.input.d[0];
    m->epoch = (int)(m->tokens_drawn / (double)m->token_count);
    return;
  }
  m->cursor += b;
  if (m->cursor >= m->data_n) m->cursor = 0, m->epoch++;
}

int tt_model_train_steps(tt_model *m, int steps, int batch_size) {
  tt__clear_error();
  if (tt__model_trainable(m)) return TT_ERR_STATE;
  if (!m->data_n && !m->tokens) return tt__fail(TT_ERR_STATE, "no training data: call set_data or set_tokens first");
  if (steps < 0 || batch_size < 1)
    return tt__fail(TT_ERR_STATE, "train_steps: expected steps >= 0 and batch_size >= 1, got %d and %d", steps,
                    batch_size);
  int B = m->tokens || batch_size < m->data_n ? batch_size : m->data_n;
  if (allocate_training(m) || reserve(m, B)) return TT_ERR_MEMORY;
  double loss_sum = 0;
  long correct = 0, total = 0;
  for (int s = 0; s < steps; s++) {
    int b = next_batch(m, B);
    augment(m, b);
    double loss;
    if (train_step(m, b, &loss, &correct, &total)) {
      m->last_loss = (float)loss;
      return TT_ERR_DIVERGED;
    }
    loss_sum += loss;
    advance(m, b);
  }
  m->last_loss = steps ? (float)(loss_sum / steps) : NAN;
  m->last_accuracy = accuracy(correct, total);
  return TT_OK;
}

int tt_model_train_batch(tt_model *m, const float *x, const float *y, int n) {
  tt__clear_error();
  if (tt__model_trainable(m) || check_inputs(m, x, n) || check_labels(m, y, n) || allocate_training(m) ||
      reserve(m, n))
    return tt_last_status();
  tt__copy(m->input, x, (size_t)n * tt_model_input_size(m));
  tt__copy(m->targets, y, (size_t)n * tt_model_label_size(m));
  augment(m, n); /* the spec's augmentation applies to every training step */
  double loss;
  long correct = 0, total = 0;
  int status = train_step(m, n, &loss, &correct, &total);
  m->last_loss = (float)loss;
  m->last_accuracy = accuracy(correct, total);
  return status;
}

/* ---- inference -------------------------------------------------------------------------------------------- */

int tt_model_predict(tt_model *m, const float *x, int n, float *out, int probabilities) {
  tt__clear_error();
  if (!out) return tt__fail(TT_ERR_STATE, "predict: no output buffer");
  if (check_inputs(m, x, n) || reserve(m, n < m->max_batch ? n : m->max_batch)) return tt_last_status();
  size_t in = (size_t)tt_model_input_size(m), outs = (size_t)tt_model_output_size(m);
  int rows, cols;
  const float *logits = m->acts[m->n_layers - 1];
#ifdef TT_INT8 /* the serving build: unless a layer reads the input again, the layers read x where it is */
  const int copy = input_read_later(m);
#else /* the widget's module spends no bytes on that shortcut (its 64 KiB budget) */
  const int copy = 1;
#endif
  for (int at = 0; at < n; at += m->max_batch) {
    int B = n - at < m->max_batch ? n - at : m->max_batch;
    if (copy) tt__copy(m->input, x + at * in, B * in);
    forward_from(m, copy ? m->input : x + at * in, B, 0);
    float *o = out + at * outs;
    tt__copy(o, logits, B * outs);
    if (!probabilities || m->spec.loss == TT_LOSS_MSE) continue;
    /* the softmax layer over each row of classes, or the sigmoid layer over every output, in place */
    loss_rows_cols(m, B, &rows, &cols);
    tt__layer act = {.in = {1, {cols}}};
    (m->spec.loss == TT_LOSS_CROSS_ENTROPY ? &tt__softmax_ops : &tt__sigmoid_ops)->forward(&act, o, o, rows, NULL);
  }
  return TT_OK;
}

/* Sums for evaluating in batches: tt__loss returns a batch's mean, so each batch is weighted by what it averaged. */
typedef struct { double loss, weight; long correct, total; } eval_sums;

/* Forward pass over the B samples in input/targets, added to the sums. */
static void evaluate_batch(tt_model *m, int B, eval_sums *sums) {
  int rows, cols;
  forward(m, B, 0);
  loss_rows_cols(m, B, &rows, &cols);
  double weight = m->spec.loss == TT_LOSS_CROSS_ENTROPY ? rows : (double)rows * cols;
  sums->loss += weight * tt__loss(m->spec.loss, NULL, m->acts[m->n_layers - 1], m->targets, rows, cols,
                                  &sums->correct, &sums->total);
  sums->weight += weight;
}

static void evaluate_result(const eval_sums *sums, float result[2]) {
  result[0] = (float)(sums->loss / sums->weight);
  result[1] = accuracy(sums->correct, sums->total);
}

int tt_model_evaluate(tt_model *m, const float *x, const float *y, int n, float result[2]) {
  tt__clear_error();
  if (check_inputs(m, x, n) || check_labels(m, y, n) || reserve(m, n < m->max_batch ? n : m->max_batch))
    return tt_last_status();
  size_t in = (size_t)tt_model_input_size(m), lab = (size_t)tt_model_label_size(m);
  eval_sums sums = {0};
  for (int at = 0; at < n; at += m->max_batch) {
    int B = n - at < m->max_batch ? n - at : m->max_batch;
    memcpy(m->input, x + at * in, B * in * sizeof(float));
    memcpy(m->targets, y + at * lab, B * lab * sizeof(float));
    evaluate_batch(m, B, &sums);
  }
  evaluate_result(&sums, result);
  return TT_OK;
}

int tt_model_evaluate_tokens(tt_model *m, const void *ids, size_t n, int width, float result[2]) {
  tt__clear_error();
  if (check_language_model(m, "evaluate_tokens") || check_tokens(m, "evaluate_tokens", ids, n, width) ||
      reserve(m, m->max_batch))
    return tt_last_status();
  size_t T = (size_t)m->spec.input.d[0], windows = (n - 1) / T; /* window k: tokens k*T .. k*T + T */
  eval_sums sums = {0};
  for (size_t at = 0; at < windows; at += (size_t)m->max_batch) {
    int B = windows - at < (size_t)m->max_batch ? (int)(windows - at) : m->max_batch;
    for (int i = 0; i < B; i++) window_to_batch(m, ids, width, (at + i) * T, i);
    evaluate_batch(m, B, &sums);
  }
  evaluate_result(&sums, result);
  return TT_OK;
}

/* ---- generation ------------------------------------------------------------------------------------------- */

/* Generation runs a language model one position at a time, so every layer must keep the T positions as its first
 * dimension and only look back: attention must be causal. */
static int check_generation(tt_model *m, const char *call, const int *prompt, int n) {
  if (check_language_model(m, call)) return tt_last_status();
  int T = m->spec.input.d[0];
  for (int i = 0; i < m->n_layers; i++) {
    const tt__layer *l = &m->layers[i];
    if (l->type == TT_ATTENTION && !l->causal)
      return tt__fail(TT_ERR_STATE, "%s: %s (attention) is not causal: only a causal model can write text", call,
                      l->path);
    if (l->out.d[0] != T)
      return tt__fail(TT_ERR_STATE, "%s: %s changes the %d positions: only a model that keeps them can write text",
                      call, l->path, T);
  }
  if (!prompt || n < 1) return tt__fail(TT_ERR_DATA, "%s: expected a prompt of at least one token", call);
  for (int i = 0; i < n; i++)
    if (prompt[i] < 0 || prompt[i] >= m->layers[0].vocab)
      return tt__fail(TT_ERR_DATA, "%s: prompt token %d is %d: ids must be from 0 to %d", call, i, prompt[i],
                      m->layers[0].vocab - 1);
  return TT_OK;
}

/* The generation block, once per model: nothing allocates while generating. */
static int reserve_generation(tt_model *m) {
  if (reserve(m, 1)) return tt_last_status();
  if (m->gen_block) return TT_OK;
  size_t T = (size_t)m->spec.input.d[0], V = (size_t)tt_model_output_size(m) / T;
  size_t floats = tt__add(2 * V, T); /* the logits, top-k's sorted copy, the context (an int per float) */
  for (int i = 0; i < m->n_layers; i++)
    if (m->layers[i].type == TT_ATTENTION) floats = tt__add(floats, tt__mul(T, 3 * (size_t)m->layers[i].in.d[1]));
  size_t bytes = tt__mul(floats, sizeof(float));
  float *block = tt__malloc(bytes);
  if (!block) return TT_ERR_MEMORY;
  m->gen_block = block;
  m->gen_bytes = bytes;
  m->next_logits = block;
  m->sorted_logits = block + V;
  m->context = (int *)(block + 2 * V);
  float *at = block + 2 * V + T;
  for (int i = 0; i < m->n_layers; i++)
    if (m->layers[i].type == TT_ATTENTION) {
      m->layers[i].cache = at;
      at += T * 3 * (size_t)m->layers[i].in.d[1];
    }
  return TT_OK;
}

/* A forward pass of one sample: the n tokens, then padding up to T (causal layers keep it from the positions
 * before it). Row t of the last layer's output predicts the token after token t. */
static void forward_tokens(tt_model *m, const int *ids, int n) {
  int T = m->spec.input.d[0];
  for (int t = 0; t < T; t++) m->input[t] = t < n ? (float)ids[t] : 0.0f;
  forward(m, 1, 0);
}

/* The whole context at once (as a server's prefill): fills the attention caches and the next logits. */
static void prefill(tt_model *m) {
  int n = m->context_len, V = tt_model_output_size(m) / m->spec.input.d[0];
  forward_tokens(m, m->context, n);
  for (int i = 0; i < m->n_layers; i++)
    if (m->layers[i].type == TT_ATTENTION) tt__attention_cache_positions(&m->layers[i], n);
  tt__copy(m->next_logits, m->acts[m->n_layers - 1] + (size_t)(n - 1) * V, (size_t)V);
}

/* One new token at the end of the context: each layer runs on that position's row only. */
static void decode(tt_model *m, int token) {
  int pos = m->context_len++, V = tt_model_output_size(m) / m->spec.input.d[0];
  m->context[pos] = token;
  m->input[0] = (float)token;
  tt__ctx ctx = {m->workspace, &m->rng, 0};
  const float *in = m->input;
  for (int i = 0; i < m->n_layers; i++) {
    tt__layer *l = &m->layers[i];
    if (l->fused) {
    } else if (l->type == TT_ATTENTION) {
      tt__attention_forward_at(l, m->acts[i], in, pos, &ctx);
    } else if (l->type == TT_POSITION_EMBEDDING) {
      tt__position_embedding_forward_at(l, m->acts[i], in, pos, &ctx);
    } else { /* a position-wise layer: its row is a sequence of length 1 */
      tt__layer row = *l;
      row.in.d[0] = row.out.d[0] = 1;
      ops_of(l)->forward(&row, m->acts[i], in, 1, &ctx);
    }
    in = m->acts[i];
  }
  tt__copy(m->next_logits, m->acts[m->n_layers - 1], (size_t)V);
}

/* Appends a token to the context. A full window (T tokens) keeps its last T/2 and runs them again as a prefill:
 * the positions shift, so the cached keys and values of the old positions no longer apply. */
static void feed(tt_model *m, int token) {
  int T = m->spec.input.d[0];
  if (m->context_len < T) {
    decode(m, token);
    return;
  }
  int keep = T / 2;
  memmove(m->context, m->context + T - keep, (size_t)keep * sizeof(int));
  m->context[keep] = token;
  m->context_len = keep + 1;
  prefill(m);
}

static int by_logit_desc(const void *a, const void *b) { return *(const float *)a > *(const float *)b; }

/* The next token from the logits: the most likely one at temperature 0 (the lowest id on ties), else a draw from
 * softmax(logits / temperature) over the top_k most likely tokens (all for top_k 0; ties at the k-th are kept). */
static int sample(tt_model *m, float temperature, int top_k) {
  int V = tt_model_output_size(m) / m->spec.input.d[0];
  const float *z = m->next_logits;
  int best = 0;
  for (int i = 1; i < V; i++)
    if (z[i] > z[best]) best = i;
  if (temperature <= 0.0f) return best;
  float threshold = -INFINITY;
  if (top_k > 0 && top_k < V) {
    float *sorted = m->sorted_logits;
    tt__copy(sorted, z, (size_t)V);
    tt__sort(sorted, (size_t)V, sizeof(float), by_logit_desc);
    threshold = sorted[top_k - 1];
  }
  double total = 0;
  for (int i = 0; i < V; i++)
    if (z[i] >= threshold) total += exp((double)(z[i] - z[best]) / temperature);
  double u = tt__rng_uniform(&m->gen_rng) * total;
  int last = best;
  for (int i = 0; i < V; i++) {
    if (z[i] < threshold) continue;
    last = i;
    u -= exp((double)(z[i] - z[best]) / temperature);
    if (u < 0) return i;
  }
  return last; /* rounding left u a hair above 0 */
}

int tt_model_generate_begin(tt_model *m, const int *prompt, int n, unsigned seed) {
  tt__clear_error();
  if (check_generation(m, "generate", prompt, n) || reserve_generation(m)) return tt_last_status();
  int T = m->spec.input.d[0], start = n > T ? n - T : 0;
  m->context_len = n - start;
  memcpy(m->context, prompt + start, (size_t)m->context_len * sizeof(int));
  m->pending = -1;
  tt__rng_seed(&m->gen_rng, seed);
  prefill(m);
  return TT_OK;
}

int tt_model_generate_next(tt_model *m, float temperature, int top_k, int *token) {
  tt__clear_error();
  if (!m->context_len) return tt__fail(TT_ERR_STATE, "generate_next: call generate_begin first");
  if (!token) return tt__fail(TT_ERR_STATE, "generate_next: no place for the token");
  if (!(temperature >= 0.0f) || !isfinite(temperature) || top_k < 0)
    return tt__fail(TT_ERR_STATE, "generate_next: expected temperature >= 0 and top_k >= 0, got %g and %d",
                    temperature, top_k);
  if (m->pending >= 0) feed(m, m->pending);
  *token = m->pending = sample(m, temperature, top_k);
  return TT_OK;
}

int tt_model_next_token_probabilities(tt_model *m, const int *prompt, int n, float *out) {
  tt__clear_error();
  if (!out) return tt__fail(TT_ERR_STATE, "next_token_probabilities: no output buffer");
  if (check_generation(m, "next_token_probabilities", prompt, n) || reserve(m, 1)) return tt_last_status();
  int T = m->spec.input.d[0], start = n > T ? n - T : 0, V = tt_model_output_size(m) / T;
  forward_tokens(m, prompt + start, n - start);
  tt__copy(out, m->acts[m->n_layers - 1] + (size_t)(n - start - 1) * V, (size_t)V);
  tt__layer softmax = {.in = {1, {V}}};
  tt__softmax_ops.forward(&softmax, out, out, 1, NULL);
  return TT_OK;
}

int tt_model_attention_heads(const tt_model *m, int k) {
  for (int i = 0; i < m->n_layers; i++)
    if (m->layers[i].type == TT_ATTENTION && k-- == 0) return m->layers[i].heads;
  return 0;
}

int tt_model_attention_weights(tt_model *m, const int *prompt, int n, float *out) {
  tt__clear_error();
  if (!out) return tt__fail(TT_ERR_STATE, "attention_weights: no output buffer");
  if (check_generation(m, "attention_weights", prompt, n) || reserve(m, 1)) return tt_last_status();
  int T = m->spec.input.d[0], start = n > T ? n - T : 0, L = n - start;
  forward_tokens(m, prompt + start, L);
  for (int i = 0; i < m->n_layers; i++) {
    const tt__layer *l = &m->layers[i];
    if (l->type != TT_ATTENTION) continue;
    const float *p = tt__attention_probabilities(l); /* (heads, T, T); a causal row q holds q + 1 weights */
    for (int h = 0; h < l->heads; h++)
      for (int q = 0; q < L; q++, out += L) {
        int seen = l->causal ? q + 1 : L;
        tt__copy(out, p + ((size_t)h * T + q) * T, (size_t)seen);
        tt__fill(out + seen, 0.0f, (size_t)(L - seen));
      }
  }
  return TT_OK;
}

/* ---- hyper-parameters ------------------------------------------------------------------------------------- */

int tt_model_set_hparam(tt_model *m, const char *name, double value) {
  tt__clear_error();
  if (tt__model_trainable(m)) return TT_ERR_STATE;
  if (!strcmp(name, "shuffle")) { /* not an optimizer field: whether each epoch starts with a shuffle (1 or 0) */
    if (value != 0 && value != 1) return tt__fail(TT_ERR_STATE, "%s: %g is out of range", name, value);
    m->no_shuffle = value == 0;
    return TT_OK;
  }
  tt__optim_config *c = &m->spec.optim;
  /* static: a table built on the stack would be filled by code at each call. `only`: the optimizers that have the
   * field (the others refuse it) */
  enum { ANY, SGD_ONLY, ADAM_ONLY };
  static const struct { const char *name; unsigned char offset, lo_open, only; double hi; } fields[] = {
      {"lr", offsetof(tt__optim_config, lr), 1, ANY, 1e9},
      {"momentum", offsetof(tt__optim_config, momentum), 0, SGD_ONLY, 0.999999},
      {"weight_decay", offsetof(tt__optim_config, weight_decay), 0, ANY, 1e9},
      {"beta1", offsetof(tt__optim_config, beta1), 0, ADAM_ONLY, 0.999999},
      {"beta2", offsetof(tt__optim_config, beta2), 0, ADAM_ONLY, 0.999999},
      {"eps", offsetof(tt__optim_config, eps), 1, ADAM_ONLY, 1},
      {"clip_norm", offsetof(tt__optim_config, clip_norm), 0, ANY, 1e9},
  };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    if (strcmp(name, fields[i].name) != 0) continue;
    /* every lower bound is 0 */
    if (!isfinite(value) || value < 0 || value > fields[i].hi || (fields[i].lo_open && value <= 0))
      return tt__fail(TT_ERR_STATE, "%s: %g is out of range", name, value);
    const int adam_only = fields[i].only == ADAM_ONLY;
    if (fields[i].only != ANY && (c->type == TT_OPT_SGD) == adam_only)
      return tt__fail(TT_ERR_STATE, "%s: only %s %s (this model uses %s)", name, adam_only ? "adam and adamw have" :
                      "sgd has", name, c->type == TT_OPT_SGD ? "sgd" : c->type == TT_OPT_ADAM ? "adam" : "adamw");
    *(float *)((char *)c + fields[i].offset) = (float)value;
    /* sgd without momentum leaves its buffer alone: both sets keep the same one for when momentum comes back */
    if (i == 1 && value == 0 && m->opt_state) tt__copy(m->spare_state, m->opt_state, m->param_count);
    return TT_OK;
  }
  return tt__fail(TT_ERR_STATE,
                  "unknown hyper-parameter \"%s\" (allowed: lr, momentum, weight_decay, beta1, beta2, eps, clip_norm, shuffle)",
                  name);
}
