/* The one table of layer types: every fact about a layer type that code outside its own file needs, one line
 * each. It is an X-macro: a file defines TT_LAYER(name, NAME, fields, traits, fused, torch), includes this file,
 * and gets one expansion per line, in this order (the enum's order, and the order of every list made from it).
 * It feeds the tt__layer_type enum and the extern ops (layers.h), the registry of ops, names and traits
 * (registry.c), the spec's field tables and "allowed: ..." list (src/model/spec.c), the model's choice of He
 * initialisation and activation fusion (src/model/model.c), the JS API (tt_layer_type_name/traits, Model
 * .layerTypes(): the menus and parsers of the demos and the widget), the PyTorch bridge (tools/tinytrain_torch.py)
 * and the tests that loop over layer types.
 *
 * Columns:
 *   name    the spec's type name; the layer's ops are tt__<name>_ops (forward/backward in src/layers/)
 *   NAME    the enum constant TT_<NAME>
 *   fields  the spec fields it accepts: a field table in src/model/spec.c (no_fields for none)
 *   traits  words separated by spaces, possibly none:
 *             PARAMS      has parameters (weights, biases)
 *             HE_INIT     a ReLU-family activation: the layer before it is initialised He, not Glorot
 *             FUSES_NEXT  applies a fusable activation right after it to its own output (dense, conv2d)
 *             ACTIVATION  an element-wise activation without required fields: offered in the menus of the
 *                         playground and the widget
 *   fused   how a FUSES_NEXT layer before it applies it: RELU or TANH (the kernels' TT_ACT_*), NONE if never
 *   torch   the torch.nn module of the same semantics (- for none), or the bridge's own module of that name
 *           (tools/tinytrain_torch.py: PositionEmbedding, SelfAttention, Residual)
 *
 * Python and JS read this file as text: every table line is `TT_LAYER(` then the six columns separated by commas
 * (none contains a comma or a parenthesis) then `)`, alone on its line. Keep it that way. */

/*       name        NAME        fields            traits                 fused  torch */
TT_LAYER(dense,      DENSE,      dense_fields,     PARAMS FUSES_NEXT,     NONE,  Linear)
TT_LAYER(conv2d,     CONV2D,     conv2d_fields,    PARAMS FUSES_NEXT,     NONE,  Conv2d)
TT_LAYER(maxpool2d,  MAXPOOL2D,  pool_fields,      ,                      NONE,  MaxPool2d)
TT_LAYER(avgpool2d,  AVGPOOL2D,  pool_fields,      ,                      NONE,  AvgPool2d)
TT_LAYER(flatten,    FLATTEN,    no_fields,        ,                      NONE,  Flatten)
TT_LAYER(dropout,    DROPOUT,    dropout_fields,   ,                      NONE,  Dropout)
TT_LAYER(relu,       RELU,       no_fields,        ACTIVATION HE_INIT,    RELU,  ReLU)
TT_LAYER(leaky_relu, LEAKY_RELU, leaky_fields,     ACTIVATION HE_INIT,    NONE,  LeakyReLU)
TT_LAYER(tanh,       TANH,       no_fields,        ACTIVATION,            TANH,  Tanh)
TT_LAYER(sigmoid,    SIGMOID,    no_fields,        ACTIVATION,            NONE,  Sigmoid)
TT_LAYER(gelu,       GELU,       no_fields,        ACTIVATION HE_INIT,    NONE,  GELU)
TT_LAYER(softmax,    SOFTMAX,    no_fields,        ,                      NONE,  Softmax)
TT_LAYER(embedding,  EMBEDDING,  embedding_fields, PARAMS,                NONE,  Embedding)
TT_LAYER(layernorm,  LAYERNORM,  layernorm_fields, PARAMS,                NONE,  LayerNorm)
TT_LAYER(silu,       SILU,       no_fields,        ACTIVATION HE_INIT,    NONE,  SiLU)
TT_LAYER(position_embedding, POSITION_EMBEDDING, position_embedding_fields, PARAMS, NONE, PositionEmbedding)
TT_LAYER(attention,  ATTENTION,  attention_fields, PARAMS,                NONE,  SelfAttention)
TT_LAYER(residual,   RESIDUAL,   residual_fields,  ,                      NONE,  Residual)
