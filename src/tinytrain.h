/* tinytrain: train and run small neural networks, natively or in WebAssembly.
 *
 * A model is described by a JSON spec (the one description used by C, JS, the CLI and weight files):
 *
 *   {"input": [2],
 *    "layers": [{"type": "dense", "units": 16}, {"type": "tanh"}, {"type": "dense", "units": 3}],
 *    "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.01}, "seed": 1}
 *
 * Example (error handling shortened):
 *
 *   tt_model *m = tt_model_create(spec, strlen(spec));
 *   if (!m) { fprintf(stderr, "%s\n", tt_last_error()); return 1; }
 *   tt_model_set_data(m, x, y, n);              // copied into the model; y holds class indices as floats
 *   for (int i = 0; i < 100; i++) tt_model_train_steps(m, 10, 32);
 *   float res[2]; tt_model_evaluate(m, x, y, n, res);   // res[0] = mean loss, res[1] = accuracy in [0, 1]
 *   tt_model_predict(m, x, 1, out, 0);          // out: tt_model_output_size(m) floats per sample
 *   tt_model_free(m);
 *
 * Contract:
 * - Functions returning int return TT_OK (0) or a TT_ERR_* status; functions returning a pointer return NULL on
 *   failure. Either way tt_last_error() says why in words a person understands, naming the spec field
 *   ("layers[2].units: expected a positive integer, got -3") or the file offset.
 * - The library never exits, aborts or prints on user input. A failed call leaves the model as it was.
 * - One arena per model, sized from the spec: parameters, gradients, optimizer state and activations for the
 *   largest batch used so far (a model from tt_model_load holds its parameters only until it first trains).
 *   Nothing allocates inside a training step.
 * - Same spec, seed and data give bit-identical results in the same build.
 * - Data layout: x holds n samples laid out as the spec's input shape (PyTorch order, [C, H, W] for images).
 *   For cross_entropy, y holds one class index per output row (one per sample, or one per position for
 *   sequence outputs); for mse and binary_cross_entropy, y holds output-size targets per sample.
 * - Not thread-safe: the last error is global. One model per thread if you must.
 */
#ifndef TINYTRAIN_H
#define TINYTRAIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  TT_OK = 0,
  TT_ERR_SPEC = 1,     /* the model spec is invalid */
  TT_ERR_DATA = 2,     /* data has the wrong size, NaN/Inf values or labels out of range */
  TT_ERR_MEMORY = 3,   /* the model does not fit (arena size or memory limit) */
  TT_ERR_FILE = 4,     /* a weight file is malformed or does not match the model */
  TT_ERR_DIVERGED = 5, /* loss or gradients became NaN/Inf, or the loss grew 1000-fold over the first one: the
                          update that made these weights went wrong, so weights, optimizer state and step count
                          go back to what they were before it (the last step whose loss and gradients were
                          sane), unless the weights were set since (create, reset, load, set_weights,
                          load_weights or a rollback) and stay; the position in the shuffled data does not move.
                          Training can go on from there, e.g. at a lower learning rate */
  TT_ERR_STATE = 6,    /* the call is not valid now (e.g. train before set_data) or an argument is out of range */
};

typedef struct tt_model tt_model;

/* The message of the last failure (empty string if none). Valid until the next call into the library. */
const char *tt_last_error(void);
/* The status of the last failure (TT_OK if none). */
int tt_last_status(void);

/* Upper bound in bytes for everything the library allocates (all models, their training data and activation
 * buffers together); 0 means no limit (the default). An allocation over it fails up front with a message that
 * gives the size needed. */
void tt_set_memory_limit(size_t bytes);

/* The layer types of src/layers/layer_table.h, i from 0 up: the spec name of type i (NULL past the last type), and
 * its traits as bits, one per word of the table's traits column. */
enum { TT_TRAIT_PARAMS = 1, TT_TRAIT_HE_INIT = 2, TT_TRAIT_FUSES_NEXT = 4, TT_TRAIT_ACTIVATION = 8 };
const char *tt_layer_type_name(int i);
int tt_layer_type_traits(int i);

/* Lifetime. */
tt_model *tt_model_create(const char *spec_json, size_t len);
void tt_model_free(tt_model *m);
/* Re-initialise weights and optimizer state and reset step/epoch counters with a new seed. */
int tt_model_reset(tt_model *m, unsigned seed);

/* Shapes and costs. */
int tt_model_input_size(const tt_model *m);   /* floats per input sample */
int tt_model_output_size(const tt_model *m);  /* floats per output sample */
int tt_model_label_size(const tt_model *m);   /* floats of y per sample */
double tt_model_flops_forward(const tt_model *m); /* per sample */
double tt_model_flops_train(const tt_model *m);   /* per sample: forward + backward + optimizer share */
const char *tt_model_spec(const tt_model *m);     /* the spec JSON the model was built from */

/* Training on data held inside the model (so JS crosses into wasm once per chunk of steps). */
int tt_model_set_data(tt_model *m, const float *x, const float *y, int n);
/* Runs `steps` mini-batch steps of batch_size samples, shuffling (seeded) at each epoch start. */
int tt_model_train_steps(tt_model *m, int steps, int batch_size);
/* One optimizer step on the given batch (augmented as the spec's "augment" says, like train_steps). */
int tt_model_train_batch(tt_model *m, const float *x, const float *y, int n);
/* Language models (input [T] of token ids into an embedding, cross_entropy with one label per position) train on
 * one long stream of token ids instead: set_tokens copies n ids of `width` bytes each (2: uint16_t, 4: uint32_t;
 * kept at 2 bytes per token when the vocabulary has at most 65536 entries), replacing any set data; train_steps
 * then draws batch_size seeded random windows of T + 1 tokens per step (inputs: the first T, labels: the next T). */
int tt_model_set_tokens(tt_model *m, const void *ids, size_t n, int width);
/* A language model's tokens (the text of each id) as a JSON array of strings, one per embedding row; saved in
 * the weight file's metadata and restored by tt_model_load. len 0 removes it. tt_model_vocabulary gives the
 * JSON text ("" when there is none). */
int tt_model_set_vocabulary(tt_model *m, const char *json, size_t len);
const char *tt_model_vocabulary(const tt_model *m);
float tt_model_last_loss(const tt_model *m);     /* mean training loss of the last train call */
float tt_model_last_accuracy(const tt_model *m); /* accuracy in [0, 1] of the last train call; NaN for mse */
double tt_model_step_count(const tt_model *m);   /* optimizer steps taken */
int tt_model_epoch(const tt_model *m);           /* completed passes over the set data */

/* Change a hyper-parameter while training: "lr", "momentum", "weight_decay", "beta1", "beta2", "eps",
 * "clip_norm"; and "shuffle" (1, the default: shuffle at each epoch start; 0: keep the data order). */
int tt_model_set_hparam(tt_model *m, const char *name, double value);

/* Inference. out gets n * output_size floats. With probabilities != 0, softmax (cross_entropy) or sigmoid
 * (binary_cross_entropy) is applied to the output. */
int tt_model_predict(tt_model *m, const float *x, int n, float *out, int probabilities);
/* result[0] = mean loss, result[1] = accuracy in [0, 1] (NaN for mse). */
int tt_model_evaluate(tt_model *m, const float *x, const float *y, int n, float result[2]);
/* The same over a held-out token stream, in fixed non-overlapping windows: tokens kT .. kT + T for every whole k. */
int tt_model_evaluate_tokens(tt_model *m, const void *ids, size_t n, int width, float result[2]);

/* Generation with a language model whose attention is causal (input [T] of token ids, one prediction per
 * position). generate_begin takes a prompt (its last T tokens count), seeds the sampler and runs the prompt at
 * once, filling each attention layer's cache of keys and values; each generate_next then samples one token and
 * costs one position's work: at temperature 0 the most likely token, else a draw from softmax(logits /
 * temperature) over the top_k most likely (0: all). When the context fills its T positions, it keeps its last
 * T/2 tokens and runs them again (the positions shift). */
int tt_model_generate_begin(tt_model *m, const int *prompt, int n, unsigned seed);
int tt_model_generate_next(tt_model *m, float temperature, int top_k, int *token);
/* For showing what the model thinks: the next token's probabilities after a prompt (out: vocab floats), and
 * each attention layer's weights over the prompt's last L = min(n, T) tokens (out: for every attention layer in
 * order, heads x L x L floats, row q holding what position q attends to). attention_heads gives the k-th
 * attention layer's heads, 0 past the last. Neither disturbs a generation in progress. */
int tt_model_next_token_probabilities(tt_model *m, const int *prompt, int n, float *out);
int tt_model_attention_weights(tt_model *m, const int *prompt, int n, float *out);
int tt_model_attention_heads(const tt_model *m, int k);

/* All parameters as one block, in safetensors/PyTorch order and layout. The block moves with every training
 * step (the optimizer writes a second copy, kept for a rollback when training diverges): ask again after one.
 * Writable; tt_model_set_weights also makes sure a later divergence does not roll back past the new weights. */
float *tt_model_params(tt_model *m);
/* Copies param_count finite weights (weights points to that many floats) into the parameters. */
int tt_model_set_weights(tt_model *m, const float *weights);
size_t tt_model_param_count(const tt_model *m);

/* Serving: a new, inference-only model with m's weights quantized after training, symmetric per output channel:
 * every dense and conv2d weight matrix as int8 with one float scale per output row (units or filters), 4x smaller;
 * biases and other layers' parameters stay float, and so do activations between layers (each layer turns its
 * input into int16 with one scale per row or sample, then sums exactly in int32). predict, evaluate and
 * generation work as on m; training, changing or saving its weights fail with TT_ERR_STATE (train and save m,
 * which is unchanged, and quantize again). Free it with tt_model_free. Only in builds with -DTT_INT8 (the native
 * library, wasm/tinytrain-int8.wasm): wasm/tinytrain.wasm, the widget's module, leaves int8 out. */
tt_model *tt_model_quantize(const tt_model *m);
/* Bytes of m's weights in memory: 4 per parameter, or for a model from tt_model_quantize its int8 weights (dense
 * rows padded to blocks of 16 as its kernel reads them), their scales and its float parameters. Int8 builds only,
 * as tt_model_quantize. */
size_t tt_model_weight_bytes(const tt_model *m);

/* Weight files (safetensors, PyTorch nn.Sequential names). tt_model_save stores a malloc'd buffer in *out
 * (release it with tt_free). */
int tt_model_save(const tt_model *m, unsigned char **out, size_t *out_len);
tt_model *tt_model_load(const unsigned char *bytes, size_t len);
int tt_model_load_weights(tt_model *m, const unsigned char *bytes, size_t len);

/* Memory for callers across the wasm boundary. */
void *tt_alloc(size_t bytes);
void tt_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
