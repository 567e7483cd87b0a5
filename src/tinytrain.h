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

/* All parameters as one block, in safetensors/PyTorch order and layout. The block moves with every training
 * step (the optimizer writes a second copy, kept for a rollback when training diverges): ask again after one.
 * Writable; tt_model_set_weights also makes sure a later divergence does not roll back past the new weights. */
float *tt_model_params(tt_model *m);
/* Copies param_count finite weights (weights points to that many floats) into the parameters. */
int tt_model_set_weights(tt_model *m, const float *weights);
size_t tt_model_param_count(const tt_model *m);

/* Weight files (safetensors, PyTorch nn.Sequential names). tt_model_save stores a malloc'd buffer in *out
 * (release it with tt_free). */
int tt_model_save(const tt_model *m, unsigned char **out, size_t *out_len);
tt_model *tt_model_load(const unsigned char *bytes, size_t len);
int tt_model_load_weights(tt_model *m, const unsigned char *bytes, size_t len);

/* Benchmark support: reps times C[M,N] = op(A)·op(B) with the build's fastest GEMM kernel (packed rows,
 * ta/tb = 1 for transposed operands). */
void tt_gemm(int ta, int tb, int M, int N, int K, const float *A, const float *B, float *C, int reps);

/* Memory for callers across the wasm boundary. */
void *tt_alloc(size_t bytes);
void tt_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
