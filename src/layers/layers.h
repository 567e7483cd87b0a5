/* Layers and losses. Every layer is a forward/backward pair over a batch of B samples, described by a
 * tt__layer (hyper-parameters from the spec, shapes, views of its parameters). One file per layer type in
 * src/layers/, each exporting a tt__layer_ops table. Legend for shape comments: B batch, IN/OUT per-sample
 * sizes, C channels, H height, W width, F filters, K kernel, T positions, D features. */
#ifndef TT_LAYERS_H
#define TT_LAYERS_H

#include "../core/core.h"

/* One constant per line of layer_table.h, in its order. */
typedef enum {
#define TT_LAYER(name, NAME, fields, traits, fused, torch) TT_##NAME,
#include "layer_table.h"
#undef TT_LAYER
  TT_LAYER_TYPE_COUNT,
  /* not a spec type, so not in the table: the parser closes each residual block's layers with one */
  TT_RESIDUAL_END = TT_LAYER_TYPE_COUNT
} tt__layer_type;

typedef struct tt__layer {
  tt__layer_type type;
  int index;                /* position in the model's stack of layers (a residual block adds its own two) */
  char path[64];            /* where the spec describes it, for messages and weight names: "layers[3].layers[1]" */
  tt__shape in, out;        /* per-sample shapes; set by setup */

  /* hyper-parameters from the spec (which ones apply depends on type; spec.c fills defaults) */
  int units;                /* dense */
  int bias;                 /* dense, conv2d: 1 if the layer has a bias (default 1) */
  int filters, kernel;      /* conv2d (kernel: square size); pools use kernel as "size" */
  int stride;               /* conv2d (default 1), pools (default = size) */
  int padding;              /* conv2d: explicit zero padding on every side (default 0) */
  int padding_same;         /* conv2d: padding "same" (stride must be 1); setup sets pad_lo/pad_hi */
  int pad_lo, pad_hi;       /* conv2d: effective padding top/left and bottom/right; set by setup */
  float rate;               /* dropout probability of zeroing (default 0.5) */
  float slope;              /* leaky_relu negative slope (default 0.01) */
  float eps;                /* layernorm epsilon (default 1e-5) */
  int vocab, dim;           /* embedding */
  int length;               /* position_embedding: rows of the table (at least the input's positions) */
  int heads, causal;        /* attention (causal default 1) */
  /* residual blocks are flattened into the stack as TT_RESIDUAL (the block's start: its output is its input)
   * and TT_RESIDUAL_END (adds the block's input to the inner layers' output). skip: how many layers apart the
   * two markers are. skip_buf, set by the model with the activation buffers: for TT_RESIDUAL_END, the block's
   * input (B, IN), for TT_RESIDUAL the gradient of the block's output (B, IN), which flows back along the skip
   * path and is added to the inner layers' input gradient */
  int skip;
  const float *skip_buf;
  /* attention during generation: the q|k|v rows (positions, 3D) of the positions so far; set by the model */
  float *cache;
  int init_he;              /* set by the model: 1 if followed by a HE_INIT (ReLU-family) activation */
  /* set by the model for a dense or conv2d layer followed by relu or tanh (fused): act is that activation
   * (TT_ACT_RELU, TT_ACT_TANH), which this layer applies to its own output, and the activation layer, marked
   * fused, shares this layer's output and gradient buffers: its forward pass is skipped, its backward runs in place */
  int act, fused;

  /* parameters: views into the model's parameter and gradient blocks; set by the model after setup.
   * Order and layout are PyTorch's: dense w (OUT, IN), conv2d w (F, C, K, K), layernorm w = gamma,
   * b = beta, embedding w (vocab, dim), position_embedding w (length, dim), attention w = in_proj_weight (3D, D),
   * in_proj_bias (3D), out_proj.weight (D, D), out_proj.bias (D) (state_dict() order; no b). */
  /* A dense or conv2d layer of a model from tt_model_quantize has w NULL and, in place of the gradients such a model
   * never has, its weights as int8 in wq (dense: packed for gemm_i8, see tt__i8_packed_at; conv2d: (F, C, K, K))
   * with one scale per output row (units or filters) in w_scale: w ≈ wq · w_scale[row]. Sharing the gradients'
   * fields keeps the struct, and the code of a build without TT_INT8, as it is without int8. */
  float *w;
  union { float *dw; const int8_t *wq; };
  float *b;
  union { float *db; const float *w_scale; };
  size_t w_count, b_count;  /* set by setup */

  /* per-sample floats that forward saves for backward (dropout mask, maxpool argmax, layernorm mean/rstd);
   * set by setup; the model provides `saved` with B * saved_per_sample floats */
  size_t saved_per_sample;
  float *saved;
  /* floats of scratch this layer needs for a batch of B: workspace_fixed + B * workspace_per_sample
   * (im2col columns etc.); the model provides one shared workspace of the largest need */
  size_t workspace_fixed, workspace_per_sample;
} tt__layer;

/* What forward/backward may use besides the layer itself. */
typedef struct {
  float *workspace;         /* at least the layer's workspace need for this B */
  tt__rng *rng;             /* dropout */
  int training;             /* 0 at inference: dropout is the identity */
} tt__ctx;

typedef struct {
  const char *name;         /* spec type name, e.g. "dense" */
  /* l->in and hyper-parameters are set; computes l->out, w_count, b_count, saved_per_sample and workspace
   * needs, and validates the input shape. On error returns TT_ERR_SPEC with a message such as
   * "layers[3] (conv2d): expected an input of shape [channels, height, width], got [64]". */
  int (*setup)(tt__layer *l);
  /* Initialises w and b (He normal when l->init_he, else Glorot uniform; biases 0; layernorm 1/0;
   * embedding N(0, 1)). NULL for layers without parameters. */
  void (*init)(tt__layer *l, tt__rng *rng);
  /* out (B, OUT) from in (B, IN). */
  void (*forward)(tt__layer *l, float *out, const float *in, int B, tt__ctx *ctx);
  /* Given dout (B, OUT), writes din (B, IN) (overwrite; din may be NULL for the first layer) and
   * ACCUMULATES parameter gradients into dw/db. in/out are the values forward saw and produced. */
  void (*backward)(tt__layer *l, float *din, const float *dout, const float *in, const float *out, int B,
                   tt__ctx *ctx);
  /* Multiply-adds count as 2 FLOPs. Per sample. */
  double (*flops_forward)(const tt__layer *l);
} tt__layer_ops;

#define TT_LAYER(name, NAME, fields, traits, fused, torch) extern const tt__layer_ops tt__##name##_ops;
#include "layer_table.h"
#undef TT_LAYER
extern const tt__layer_ops tt__residual_end_ops;

/* Generation runs one position at a time: out (D) from in (D), the row of position `pos` of one sample, after
 * positions 0..pos-1. Attention and position_embedding depend on the position and have their own; every other
 * layer of a language model works row by row and runs its row as a sequence of length 1. */
void tt__attention_forward_at(tt__layer *l, float *out, const float *in, int pos, tt__ctx *ctx);
void tt__position_embedding_forward_at(tt__layer *l, float *out, const float *in, int pos, tt__ctx *ctx);
/* attention: after a forward pass of one sample, copies its first n positions' q|k|v rows into l->cache, and
 * gives its softmax probabilities (heads, T, T), for generation and for showing what attends to what. */
void tt__attention_cache_positions(tt__layer *l, int n);
const float *tt__attention_probabilities(const tt__layer *l);

/* Floats of workspace the forward pass of a quantized dense or conv2d layer needs (any batch); int8 build only. */
#ifdef TT_INT8
size_t tt__dense_i8_workspace(const tt__layer *l);
size_t tt__conv2d_i8_workspace(const tt__layer *l);
#endif

/* The ops for a type (never NULL for a valid type). */
const tt__layer_ops *tt__layer_ops_of(tt__layer_type type);
/* Spec names in type order, NULL-terminated. */
extern const char *const tt__layer_names[TT_LAYER_TYPE_COUNT + 1];
/* Type from spec name, or -1. */
int tt__layer_type_from_name(const char *name);
/* Whether a valid type has every trait in `traits` (TT_TRAIT_* bits, src/tinytrain.h). */
int tt__layer_has(tt__layer_type type, unsigned traits);
/* How a FUSES_NEXT layer before a valid type applies it (TT_ACT_*), 0 if it cannot. */
int tt__layer_fused_act(tt__layer_type type);

/* ---- losses (src/layers/loss.c) ------------------------------------------------------------------------ */

typedef enum { TT_LOSS_MSE, TT_LOSS_CROSS_ENTROPY, TT_LOSS_BCE } tt__loss_type;

/* Mean loss over a batch whose output is `rows` rows of `cols` values:
 * - cross_entropy: one row per (sample, position), cols = classes (the output's last dim), softmax fused;
 *   targets: rows class indices (as floats, already validated). Mean over rows, like PyTorch.
 * - mse: targets rows*cols; mean over all elements.
 * - binary_cross_entropy: logits, sigmoid fused (numerically stable); targets rows*cols in [0, 1]; mean.
 * If dlogits is non-NULL, writes d(mean loss)/d(logits) there (overwrite). Adds the number of correct
 * predictions to *correct and the number judged to *total (argmax for cross_entropy; threshold 0.5 for
 * binary_cross_entropy; nothing for mse). Sums in double for stability. */
double tt__loss(tt__loss_type type, float *dlogits, const float *logits, const float *targets, int rows,
                int cols, long *correct, long *total);

#endif
