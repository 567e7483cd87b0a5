/* The model: spec (parsed and validated in spec.c), the layer stack and its one arena (model.c). Shared with
 * src/io/ (weight files) and the CLI. */
#ifndef TT_MODEL_H
#define TT_MODEL_H

#include "../core/core.h"
#include "../layers/layers.h"
#include "../optim/optim.h"

#define TT_MAX_LAYERS 64

/* Everything a spec says, validated. */
typedef struct {
  tt__shape input;
  int n_layers;
  tt__layer layers[TT_MAX_LAYERS];  /* hyper-parameters and type only; shapes are set up by the model */
  tt__loss_type loss;
  tt__optim_config optim;
  unsigned seed;                    /* default 1 */
  /* data augmentation for image inputs during training (0 = off) */
  int augment_shift;                /* random shift of up to this many pixels */
  float augment_rotate;             /* random rotation of up to this many degrees */
} tt__spec;

/* Parses and validates a JSON spec. On error returns TT_ERR_SPEC with a message naming the field and what
 * was expected, e.g. "layers[2].units: expected a positive integer, got -3", "optimizer.kind: unknown field
 * (allowed: type, lr, momentum, ...)", "layers[0].type: unknown layer type \"dens\" (allowed: dense, ...)". */
int tt__spec_parse(tt__spec *out, const char *json, size_t len);

struct tt_model {
  char *spec_json;                  /* copy of the spec text (NUL-terminated) */
  size_t spec_len;
  char *vocab_json;                 /* a language model's tokens as a JSON array of strings, or NULL */
  size_t vocab_len;
  tt__spec spec;
  tt__layer *layers;                /* = spec.layers, set up */
  int n_layers;

  /* Parameters and optimizer state twice over (double buffering), then the gradients, in one block: each update
   * reads the current set and writes the other one, and the two swap, so the set before the last update stays
   * at hand to roll back to when training diverges, without copying. A model built by tt_model_load holds its
   * parameters only (the state pointers NULL, grads = params, unused) until it first trains. */
  size_t param_count;
  float *params, *opt_state;        /* the current set: the layers' w and b point into params */
  float *spare_params, *spare_state; /* the other set: params and state before the last update, if spare_valid */
  float *grads;
  int spare_valid;                  /* 0 after create, reset, load, set_weights, load_weights and a rollback */
  double first_loss;                /* first training loss since (re)initialisation, -1 before; divergence scale */
  float *block;
  size_t block_bytes;

  /* activations for up to max_batch samples: acts[i] is layer i's output (B, OUT_i), dacts[i] its gradient;
   * input buffer (B, IN); workspace shared by layers; saved buffers per layer */
  int max_batch;
  float *act_block;
  size_t act_bytes;
  float *input, *targets;
  float *acts[TT_MAX_LAYERS], *dacts[TT_MAX_LAYERS];
  float *workspace;

  /* training data (copied in by set_data) */
  float *data_x, *data_y;
  int data_n;
  int *perm;
  size_t data_bytes;
  int cursor;                       /* next position in perm */
  int no_shuffle;                   /* 1: keep the data order (set_hparam "shuffle" 0) */
  /* training token stream (set_tokens), instead of data_x/data_y: ids of token_width bytes (2: uint16_t,
   * 4: uint32_t), drawn as windows of T + 1 tokens */
  void *tokens;
  size_t token_count, token_bytes;
  int token_width;
  double tokens_drawn;              /* window positions trained on, for the epoch count */
  int epoch;
  double step;                      /* optimizer updates done */
  tt__rng rng;                      /* shuffling, dropout, augmentation */

  float last_loss, last_accuracy;

  /* generation (generate_begin/next): one block with each attention layer's cache (T, 3D), the logits that
   * predict the token after the context (vocab), their sorted copy for top-k (vocab) and the context's token ids
   * (T) */
  float *gen_block;
  size_t gen_bytes;
  float *next_logits, *sorted_logits;
  int *context;
  int context_len;                  /* 0 before generate_begin */
  int pending;                      /* the last token sampled, fed in at the next call; -1 for none */
  tt__rng gen_rng;                  /* sampling, apart from training's */
  /* 1 for a model from tt_model_quantize: block holds the float tensors and the int8 weights (see quantize.c),
   * params is NULL, and everything but inference is refused (tt__model_trainable) */
  int quantized;
};

/* The training loss of n samples (a forward pass in training mode), and with `gradients` the parameter gradients
 * of that loss in m->grads (overwritten), with no optimizer step; NAN when out of memory. For tests. */
double tt__model_loss(tt_model *m, const float *x, const float *y, int n, int gradients);

/* The model of a spec with its layers set up and no parameter memory yet, so tt_model_load can check a file's
 * tensors against it before allocating anything; tt__model_alloc_params then gives it its parameters only
 * (initialised from the spec's seed). Gradients and optimizer state come with the first training call. */
tt_model *tt__model_new(const char *spec_json, size_t len);
int tt__model_alloc_params(tt_model *m);

/* TT_OK for a model that can train and change its weights; for a quantized model a TT_ERR_STATE failure saying so.
 * Without TT_INT8 (kernels.h) no model is quantized: TT_OK, and the checks compile away. */
#ifdef TT_INT8
int tt__model_trainable(const tt_model *m);
#else
static inline int tt__model_trainable(const tt_model *m) { return TT_OK; }
#endif

#endif
