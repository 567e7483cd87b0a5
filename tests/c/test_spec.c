/* The model-spec parser: a full spec with every layer type and optimizer field, the defaults, and the exact
 * message of every kind of mistake. Specs are written with ' for " to stay readable. */
#include <stdlib.h>

#include "model/model.h"
#include "test.h"

/* Parses a spec written with single quotes, from an exact-size heap copy (ASan catches reads past len). */
static int parse(const char *text, tt__spec *s) {
  size_t n = strlen(text);
  char *json = malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++) json[i] = text[i] == '\'' ? '"' : text[i];
  tt__clear_error();
  int status = tt__spec_parse(s, json, n);
  free(json);
  return status;
}

static tt__spec spec;  /* large (64 layers): keep it off the stack */

TT_TEST(test_spec_reads_every_layer_type_and_field) {
  const char *text =
      "{'input': [1, 28, 28], 'seed': 4294967295, 'loss': 'binary_cross_entropy',"
      " 'augment': {'shift': 2, 'rotate': 12.5},"
      " 'layers': ["
      "  {'type': 'conv2d', 'filters': 8, 'kernel': 3, 'stride': 1, 'padding': 'same', 'bias': false},"
      "  {'type': 'conv2d', 'filters': 4, 'kernel': 5, 'stride': 2, 'padding': 1},"
      "  {'type': 'maxpool2d', 'size': 2},"
      "  {'type': 'avgpool2d', 'size': 3, 'stride': 1},"
      "  {'type': 'flatten'}, {'type': 'dropout', 'rate': 0.25},"
      "  {'type': 'dense', 'units': 1048576, 'bias': true}, {'type': 'relu'},"
      "  {'type': 'leaky_relu', 'slope': 0.2}, {'type': 'tanh'}, {'type': 'sigmoid'}, {'type': 'gelu'},"
      "  {'type': 'softmax'}, {'type': 'layernorm', 'eps': 1e-6}],"
      " 'optimizer': {'type': 'sgd', 'lr': 0.5, 'momentum': 0.9, 'nesterov': true, 'weight_decay': 0.0005,"
      "  'clip_norm': 1.5, 'schedule': {'type': 'step', 'warmup': 10, 'step_size': 100, 'gamma': 0.5}}}";
  int status = parse(text, &spec);
  CHECK(status == TT_OK);
  if (status) { fprintf(stderr, "  error: %s\n", tt_last_error()); return; }
  CHECK(spec.input.rank == 3 && spec.input.d[0] == 1 && spec.input.d[1] == 28 && spec.input.d[2] == 28);
  CHECK(spec.seed == 4294967295u && spec.loss == TT_LOSS_BCE);
  CHECK(spec.augment_shift == 2);
  CHECK_NEAR(spec.augment_rotate, 12.5, 0);
  CHECK(spec.n_layers == 14);
  const tt__layer *l = spec.layers;
  tt__layer_type types[] = {TT_CONV2D,  TT_CONV2D, TT_MAXPOOL2D, TT_AVGPOOL2D, TT_FLATTEN,
                            TT_DROPOUT, TT_DENSE,  TT_RELU,      TT_LEAKY_RELU, TT_TANH,
                            TT_SIGMOID, TT_GELU,   TT_SOFTMAX,   TT_LAYERNORM};
  for (int i = 0; i < 14; i++) {
    if (l[i].type != types[i] || l[i].index != i)
      fprintf(stderr, "  layers[%d]: type %d index %d\n", i, l[i].type, l[i].index);
    CHECK(l[i].type == types[i] && l[i].index == i);
  }
  CHECK(l[0].filters == 8 && l[0].kernel == 3 && l[0].stride == 1 && l[0].padding_same == 1 && l[0].bias == 0);
  CHECK(l[1].filters == 4 && l[1].kernel == 5 && l[1].stride == 2 && l[1].padding == 1 && !l[1].padding_same &&
        l[1].bias == 1);
  CHECK(l[2].kernel == 2 && l[2].stride == 2);  /* pool stride defaults to size */
  CHECK(l[3].kernel == 3 && l[3].stride == 1);
  CHECK_NEAR(l[5].rate, 0.25, 0);
  CHECK(l[6].units == 1048576 && l[6].bias == 1);
  CHECK_NEAR(l[8].slope, 0.2, 1e-7);
  CHECK_NEAR(l[13].eps, 1e-6, 1e-7);
  const tt__optim_config *o = &spec.optim;
  CHECK(o->type == TT_OPT_SGD && o->nesterov == 1 && o->schedule == TT_SCHED_STEP);
  CHECK_NEAR(o->lr, 0.5, 0);
  CHECK_NEAR(o->momentum, 0.9, 1e-7);
  CHECK_NEAR(o->weight_decay, 0.0005, 1e-7);
  CHECK_NEAR(o->clip_norm, 1.5, 0);
  CHECK(o->warmup == 10 && o->step_size == 100);
  CHECK_NEAR(o->gamma, 0.5, 0);
  /* an embedding comes first (it reads token ids) */
  status = parse("{'input': [6], 'layers': [{'type': 'embedding', 'vocab': 1000, 'dim': 32}, {'type': 'flatten'},"
                 " {'type': 'dense', 'units': 2}], 'loss': 'cross_entropy'}", &spec);
  CHECK(status == TT_OK && spec.layers[0].type == TT_EMBEDDING);
  CHECK(spec.layers[0].vocab == 1000 && spec.layers[0].dim == 32);
}

TT_TEST(test_spec_fills_documented_defaults) {
  int status = parse("{'input': [2], 'layers': [{'type': 'dense', 'units': 3}, {'type': 'conv2d', 'filters': 2,"
                     " 'kernel': 3}, {'type': 'dropout'}, {'type': 'leaky_relu'}, {'type': 'layernorm'}],"
                     " 'loss': 'cross_entropy'}", &spec);
  CHECK(status == TT_OK);
  if (status) { fprintf(stderr, "  error: %s\n", tt_last_error()); return; }
  CHECK(spec.input.rank == 1 && spec.input.d[0] == 2 && spec.seed == 1 && spec.loss == TT_LOSS_CROSS_ENTROPY);
  CHECK(spec.augment_shift == 0 && spec.augment_rotate == 0);
  CHECK(spec.layers[0].bias == 1);
  CHECK(spec.layers[1].stride == 1 && spec.layers[1].padding == 0 && spec.layers[1].padding_same == 0 &&
        spec.layers[1].bias == 1);
  CHECK_NEAR(spec.layers[2].rate, 0.5, 0);
  CHECK_NEAR(spec.layers[3].slope, 0.01, 1e-7);
  CHECK_NEAR(spec.layers[4].eps, 1e-5, 1e-7);
  /* no optimizer: adam, lr 0.001, torch's betas/eps, no decay, constant schedule */
  const tt__optim_config *o = &spec.optim;
  CHECK(o->type == TT_OPT_ADAM && o->schedule == TT_SCHED_CONSTANT && o->warmup == 0);
  CHECK_NEAR(o->lr, 0.001, 1e-7);
  CHECK_NEAR(o->beta1, 0.9, 1e-7);
  CHECK_NEAR(o->beta2, 0.999, 1e-7);
  CHECK_NEAR(o->eps, 1e-8, 1e-7);
  CHECK(o->weight_decay == 0 && o->clip_norm == 0 && o->momentum == 0 && o->nesterov == 0);
  CHECK_NEAR(o->gamma, 0.1, 1e-7);
}

TT_TEST(test_spec_optimizer_defaults_per_type) {
  const char *base = "{'input': [2], 'layers': [{'type': 'dense', 'units': 1}], 'loss': 'mse', 'optimizer': %s}";
  char text[512];
  snprintf(text, sizeof text, base, "{'type': 'sgd'}");
  CHECK(parse(text, &spec) == TT_OK);
  CHECK(spec.optim.type == TT_OPT_SGD && spec.optim.momentum == 0 && spec.optim.weight_decay == 0);
  CHECK_NEAR(spec.optim.lr, 0.01, 1e-7);
  snprintf(text, sizeof text, base, "{'type': 'adamw'}");
  CHECK(parse(text, &spec) == TT_OK);
  CHECK(spec.optim.type == TT_OPT_ADAMW);
  CHECK_NEAR(spec.optim.lr, 0.001, 1e-7);
  CHECK_NEAR(spec.optim.weight_decay, 0.01, 1e-7);
  /* an optimizer object without a type is adam, like no optimizer at all */
  snprintf(text, sizeof text, base, "{'lr': 0.02}");
  CHECK(parse(text, &spec) == TT_OK);
  CHECK(spec.optim.type == TT_OPT_ADAM);
  CHECK_NEAR(spec.optim.lr, 0.02, 1e-7);
  /* every adam field, and the cosine and constant schedules */
  snprintf(text, sizeof text, base,
           "{'type': 'adamw', 'lr': 0.003, 'beta1': 0.8, 'beta2': 0.99, 'eps': 1e-6, 'weight_decay': 0,"
           " 'clip_norm': 5, 'schedule': {'type': 'cosine', 'warmup': 5, 'total_steps': 1000, 'min_lr': 1e-5}}");
  CHECK(parse(text, &spec) == TT_OK);
  const tt__optim_config *o = &spec.optim;
  CHECK(o->schedule == TT_SCHED_COSINE && o->warmup == 5 && o->total_steps == 1000 && o->weight_decay == 0);
  CHECK_NEAR(o->lr, 0.003, 1e-7);
  CHECK_NEAR(o->beta1, 0.8, 1e-7);
  CHECK_NEAR(o->beta2, 0.99, 1e-7);
  CHECK_NEAR(o->eps, 1e-6, 1e-7);
  CHECK_NEAR(o->clip_norm, 5, 0);
  CHECK_NEAR(o->min_lr, 1e-5, 1e-7);
  snprintf(text, sizeof text, base, "{'schedule': 'constant'}");
  CHECK(parse(text, &spec) == TT_OK && spec.optim.schedule == TT_SCHED_CONSTANT);
  snprintf(text, sizeof text, base, "{'schedule': {'warmup': 50}}");
  CHECK(parse(text, &spec) == TT_OK && spec.optim.schedule == TT_SCHED_CONSTANT && spec.optim.warmup == 50);
  snprintf(text, sizeof text, base, "{'type': 'sgd', 'momentum': 0, 'nesterov': false}");
  CHECK(parse(text, &spec) == TT_OK);
}

/* "<layer types>" in an expected message stands for the names of layer_table.h in its order, ", "-separated. */
#define ALLOWED_LAYERS "(allowed: <layer types>)"
static const char layer_types[] = /* ", dense, conv2d, ...": from the third character on */
#define TT_LAYER(name, NAME, fields, traits, fused, torch) ", " #name
#include "layers/layer_table.h"
#undef TT_LAYER
    ;

/* The message expected, with the layer types in place of "<layer types>". */
static const char *expected(const char *message) {
  static char text[1024];
  const char *at = strstr(message, "<layer types>");
  if (!at) return message;
  snprintf(text, sizeof text, "%.*s%s%s", (int)(at - message), message, layer_types + 2, at + strlen("<layer types>"));
  return text;
}
#define ADAM_FIELDS "(allowed: type, lr, beta1, beta2, eps, weight_decay, clip_norm, schedule)"
#define SGD_FIELDS "(allowed: type, lr, momentum, nesterov, weight_decay, clip_norm, schedule)"
#define LOSSES "(allowed: mse, cross_entropy, binary_cross_entropy)"
/* A valid spec around one layer (L), an optimizer (O) or extra top-level fields (X). */
#define L(layer) "{'input': [2], 'layers': [" layer "], 'loss': 'mse'}"
#define O(opt) "{'input': [2], 'layers': [{'type': 'dense', 'units': 1}], 'loss': 'mse', 'optimizer': " opt "}"
#define X(extra) "{'input': [2], 'layers': [{'type': 'dense', 'units': 1}], 'loss': 'mse', " extra "}"
#define IMG(extra) "{'input': [1, 8, 8], 'layers': [{'type': 'flatten'}], 'loss': 'mse', " extra "}"

static const struct {
  const char *spec, *message;
} mistakes[] = {
    /* the examples in the brief, word for word */
    {"{'input': [2], 'layers': [{'type': 'dense', 'units': 4}, {'type': 'relu'}, {'type': 'dense', 'units': -3}],"
     " 'loss': 'mse'}",
     "layers[2].units: expected a positive integer, got -3"},
    {L("{'type': 'dens'}"), "layers[0].type: unknown layer type \"dens\" " ALLOWED_LAYERS},
    {O("{'lr': 'fast'}"), "optimizer.lr: expected a positive number, got \"fast\""},
    {"{'input': [2], 'layers': [{'type': 'dense', 'units': 4}, {'type': 'relu', 'kernel': 3}], 'loss': 'mse'}",
     "layers[1].kernel: unknown field for relu (allowed: type)"},
    {X("'foo': 1"), "spec.foo: unknown field (allowed: input, layers, loss, optimizer, seed, augment)"},
    {"{'loss': 'mse'   'input': [2]}", "spec: invalid JSON at byte 17: expected ',' or '}'"},
    {"{'input': [0], 'layers': [{'type': 'relu'}], 'loss': 'mse'}",
     "input: expected an array of 1 to 3 positive integers, got [0]"},
    {"{'input': [2], 'layers': [], 'loss': 'mse'}", "layers: expected a non-empty array"},
    /* top level */
    {"[]",
     "spec: expected an object such as {\"input\": [2], \"layers\": [...], \"loss\": \"cross_entropy\"}, got an array"},
    {"", "spec: invalid JSON at byte 0: expected a value"},
    {"{'input': [2], 'loss': 'mse', 'loss': 'mse'}", "spec: invalid JSON at byte 30: duplicate key \"loss\""},
    {X("'a b': 1"), "spec.\"a b\": unknown field (allowed: input, layers, loss, optimizer, seed, augment)"},
    {X("'Input': [2]"), "spec.Input: unknown field (allowed: input, layers, loss, optimizer, seed, augment)"},
    /* input */
    {"{'layers': [{'type': 'relu'}], 'loss': 'mse'}",
     "input: required (an array of 1 to 3 positive integers, e.g. [2] or [1, 28, 28])"},
    {"{'input': [], 'layers': [{'type': 'relu'}], 'loss': 'mse'}",
     "input: expected an array of 1 to 3 positive integers, got []"},
    {"{'input': [1, 2, 3, 4], 'layers': [{'type': 'relu'}], 'loss': 'mse'}",
     "input: expected an array of 1 to 3 positive integers, got [1, 2, 3, 4]"},
    {"{'input': 2, 'layers': [{'type': 'relu'}], 'loss': 'mse'}",
     "input: expected an array of 1 to 3 positive integers, got 2"},
    {"{'input': [2.5, '3'], 'layers': [{'type': 'relu'}], 'loss': 'mse'}",
     "input: expected an array of 1 to 3 positive integers, got [2.5, \"3\"]"},
    {"{'input': [4096, 4096, 4096], 'layers': [{'type': 'relu'}], 'loss': 'mse'}",
     "input: [4096, 4096, 4096] is 68719476736 values per sample; at most 16777216 are supported"},
    /* layers */
    {"{'input': [2], 'loss': 'mse'}", "layers: required (a non-empty array of layer objects)"},
    {"{'input': [2], 'layers': {}, 'loss': 'mse'}", "layers: expected a non-empty array, got an object"},
    {L("5"), "layers[0]: expected an object such as {\"type\": \"relu\"}, got 5"},
    {L("{'units': 3}"), "layers[0].type: required " ALLOWED_LAYERS},
    {L("{'type': 5}"), "layers[0].type: expected a layer type name " ALLOWED_LAYERS ", got 5"},
    {L("{'type': 'Dense', 'units': 3}"), "layers[0].type: unknown layer type \"Dense\" " ALLOWED_LAYERS},
    {L("{'type': 'relu', 'a\\nb': 1}"), "layers[0].\"a\\nb\": unknown field for relu (allowed: type)"},
    {L("{'type': 'dense', 'units': 2.5}"), "layers[0].units: expected a positive integer, got 2.5"},
    {L("{'type': 'dense', 'units': 2000000}"),
     "layers[0].units: expected a positive integer at most 1048576, got 2000000"},
    {L("{'type': 'dense', 'units': '16'}"), "layers[0].units: expected a positive integer, got \"16\""},
    {L("{'type': 'dense', 'units': 0}"), "layers[0].units: expected a positive integer, got 0"},
    {L("{'type': 'dense'}"), "layers[0].units: required for dense (a positive integer)"},
    {L("{'type': 'dense', 'units': 3, 'bias': 1}"), "layers[0].bias: expected true or false, got 1"},
    {L("{'type': 'dense', 'units': 3, 'bias': null}"), "layers[0].bias: expected true or false, got null"},
    {L("{'type': 'dense', 'units': 3, 'filters': 2}"),
     "layers[0].filters: unknown field for dense (allowed: type, units, bias)"},
    {L("{'type': 'conv2d', 'kernel': 3}"), "layers[0].filters: required for conv2d (a positive integer)"},
    {L("{'type': 'conv2d', 'filters': 4}"), "layers[0].kernel: required for conv2d (a positive integer)"},
    {L("{'type': 'conv2d', 'filters': 4, 'kernel': 65}"),
     "layers[0].kernel: expected a positive integer at most 64, got 65"},
    {L("{'type': 'conv2d', 'filters': 4, 'kernel': 3, 'stride': 0}"),
     "layers[0].stride: expected a positive integer, got 0"},
    {L("{'type': 'conv2d', 'filters': 4, 'kernel': 3, 'padding': 'valid'}"),
     "layers[0].padding: expected an integer from 0 to 64 or \"same\", got \"valid\""},
    {L("{'type': 'conv2d', 'filters': 4, 'kernel': 3, 'padding': -1}"),
     "layers[0].padding: expected an integer from 0 to 64 or \"same\", got -1"},
    {L("{'type': 'conv2d', 'filters': 4, 'kernel': 3, 'stride': 2, 'padding': 'same'}"),
     "layers[0].padding: \"same\" needs stride 1, got stride 2"},
    {L("{'type': 'conv2d', 'filters': 4, 'kernel': 3, 'units': 2}"),
     "layers[0].units: unknown field for conv2d (allowed: type, filters, kernel, stride, padding, bias)"},
    {L("{'type': 'maxpool2d'}"), "layers[0].size: required for maxpool2d (a positive integer)"},
    {L("{'type': 'avgpool2d', 'size': 2, 'kernel': 2}"),
     "layers[0].kernel: unknown field for avgpool2d (allowed: type, size, stride)"},
    {L("{'type': 'dropout', 'rate': 1}"), "layers[0].rate: expected a number in [0, 1), got 1"},
    {L("{'type': 'dropout', 'rate': -0.1}"), "layers[0].rate: expected a number in [0, 1), got -0.1"},
    {L("{'type': 'leaky_relu', 'slope': 1.5}"), "layers[0].slope: expected a number in [0, 1], got 1.5"},
    {L("{'type': 'embedding', 'vocab': 0, 'dim': 8}"), "layers[0].vocab: expected a positive integer, got 0"},
    {L("{'type': 'embedding', 'vocab': 10}"), "layers[0].dim: required for embedding (a positive integer)"},
    {L("{'type': 'layernorm', 'eps': 0}"), "layers[0].eps: expected a positive number, got 0"},
    {L("{'type': 'layernorm', 'eps': 1e-50}"), "layers[0].eps: expected a positive number, got 1e-50"},
    {L("{'type': 'flatten', 'size': 2}"), "layers[0].size: unknown field for flatten (allowed: type)"},
    /* loss */
    {"{'input': [2], 'layers': [{'type': 'relu'}]}", "loss: required " LOSSES},
    {"{'input': [2], 'layers': [{'type': 'relu'}], 'loss': 'ce'}", "loss: unknown loss \"ce\" " LOSSES},
    {"{'input': [2], 'layers': [{'type': 'relu'}], 'loss': 1}", "loss: expected a loss name " LOSSES ", got 1"},
    /* optimizer */
    {O("'adam'"), "optimizer: expected an object such as {\"type\": \"adam\", \"lr\": 0.001}, got \"adam\""},
    {O("{'type': 'rmsprop'}"), "optimizer.type: unknown optimizer \"rmsprop\" (allowed: sgd, adam, adamw)"},
    {O("{'type': 'adam', 'momentum': 0.9}"), "optimizer.momentum: unknown field for adam " ADAM_FIELDS},
    {O("{'type': 'adam', 'kind': 1}"), "optimizer.kind: unknown field for adam " ADAM_FIELDS},
    {O("{'type': 'sgd', 'beta1': 0.9}"), "optimizer.beta1: unknown field for sgd " SGD_FIELDS},
    {O("{'warmup': 10}"), "optimizer.warmup: unknown field for adam " ADAM_FIELDS},
    {O("{'lr': 0}"), "optimizer.lr: expected a positive number, got 0"},
    {O("{'lr': -0.1}"), "optimizer.lr: expected a positive number, got -0.1"},
    {O("{'lr': 1e31}"), "optimizer.lr: expected a positive number at most 1e+30, got 1e+31"},
    {O("{'type': 'sgd', 'momentum': 1}"), "optimizer.momentum: expected a number in [0, 1), got 1"},
    {O("{'type': 'sgd', 'nesterov': true}"), "optimizer.nesterov: needs momentum > 0 (as in PyTorch), got momentum 0"},
    {O("{'type': 'sgd', 'momentum': 0.9, 'nesterov': 'yes'}"),
     "optimizer.nesterov: expected true or false, got \"yes\""},
    {O("{'type': 'sgd', 'weight_decay': -1}"), "optimizer.weight_decay: expected a non-negative number, got -1"},
    {O("{'beta1': 1}"), "optimizer.beta1: expected a number in [0, 1), got 1"},
    {O("{'beta2': -0.5}"), "optimizer.beta2: expected a number in [0, 1), got -0.5"},
    {O("{'eps': 0}"), "optimizer.eps: expected a positive number, got 0"},
    {O("{'clip_norm': 0}"), "optimizer.clip_norm: expected a positive number, got 0"},
    {O("{'schedule': 'step'}"),
     "optimizer.schedule: the step schedule needs step_size; write {\"type\": \"step\", \"step_size\": 100}"},
    {O("{'schedule': 'cosine'}"),
     "optimizer.schedule: the cosine schedule needs total_steps; write {\"type\": \"cosine\", \"total_steps\": 1000}"},
    {O("{'schedule': 'linear'}"), "optimizer.schedule: unknown schedule \"linear\" (allowed: constant, step, cosine)"},
    {O("{'schedule': 5}"),
     "optimizer.schedule: expected \"constant\", \"step\", \"cosine\" or an object such as "
     "{\"type\": \"cosine\", \"total_steps\": 1000}, got 5"},
    {O("{'schedule': {'type': 'exp'}}"),
     "optimizer.schedule.type: unknown schedule \"exp\" (allowed: constant, step, cosine)"},
    {O("{'schedule': {'type': 'step'}}"),
     "optimizer.schedule.step_size: required for the step schedule (a positive integer)"},
    {O("{'schedule': {'type': 'cosine'}}"),
     "optimizer.schedule.total_steps: required for the cosine schedule (a positive integer)"},
    {O("{'schedule': {'type': 'step', 'step_size': 10, 'gamma': 0}}"),
     "optimizer.schedule.gamma: expected a number in (0, 1], got 0"},
    {O("{'schedule': {'type': 'step', 'step_size': 1.5}}"),
     "optimizer.schedule.step_size: expected a positive integer, got 1.5"},
    {O("{'schedule': {'warmup': -1}}"), "optimizer.schedule.warmup: expected a non-negative integer, got -1"},
    {O("{'schedule': {'type': 'constant', 'step_size': 5}}"),
     "optimizer.schedule.step_size: unknown field for the constant schedule (allowed: type, warmup)"},
    {O("{'schedule': {'type': 'cosine', 'total_steps': 10, 'gamma': 0.5}}"),
     "optimizer.schedule.gamma: unknown field for the cosine schedule (allowed: type, warmup, total_steps, min_lr)"},
    {O("{'schedule': {'type': 'cosine', 'total_steps': 10, 'min_lr': -1}}"),
     "optimizer.schedule.min_lr: expected a non-negative number, got -1"},
    {O("{'schedule': {'type': 'cosine', 'total_steps': 100, 'warmup': 101}}"),
     "optimizer.schedule.warmup: expected at most total_steps (100), got 101"},
    /* layers that cannot work where they are */
    {"{'input': [4], 'layers': [{'type': 'dense', 'units': 4}, {'type': 'embedding', 'vocab': 10, 'dim': 3}],"
     " 'loss': 'mse'}",
     "layers[1].type: embedding must be the first layer (it reads token ids)"},
    {"{'input': [4], 'layers': [{'type': 'embedding', 'vocab': 10, 'dim': 3}, {'type': 'embedding', 'vocab': 10,"
     " 'dim': 3}], 'loss': 'mse'}",
     "layers[1].type: embedding must be the first layer (it reads token ids)"},
    {"{'input': [2], 'layers': [{'type': 'dense', 'units': 3}, {'type': 'softmax'}], 'loss': 'cross_entropy'}",
     "layers[1].type: cross_entropy takes logits: a softmax last would be applied twice"},
    {"{'input': [2], 'layers': [{'type': 'dense', 'units': 1}, {'type': 'sigmoid'}], 'loss': 'binary_cross_entropy'}",
     "layers[1].type: binary_cross_entropy takes logits: a sigmoid last would be applied twice"},
    /* seed */
    {X("'seed': -1"), "seed: expected an integer from 0 to 4294967295, got -1"},
    {X("'seed': 4294967296"), "seed: expected an integer from 0 to 4294967295, got 4294967296"},
    {X("'seed': 1.5"), "seed: expected an integer from 0 to 4294967295, got 1.5"},
    {X("'seed': '7'"), "seed: expected an integer from 0 to 4294967295, got \"7\""},
    /* augment */
    {X("'augment': {'shift': 1}"), "augment: only for image inputs [channels, height, width], but input is [2]"},
    {IMG("'augment': true"), "augment: expected an object such as {\"shift\": 2, \"rotate\": 10}, got true"},
    {IMG("'augment': {'shift': 5}"), "augment.shift: expected an integer from 0 to 4, got 5"},
    {IMG("'augment': {'rotate': 46}"), "augment.rotate: expected a number in [0, 45], got 46"},
    {IMG("'augment': {'flip': true}"), "augment.flip: unknown field (allowed: shift, rotate)"},
};

TT_TEST(test_spec_every_mistake_has_its_exact_message) {
  for (size_t i = 0; i < sizeof mistakes / sizeof *mistakes; i++) {
    int status = parse(mistakes[i].spec, &spec);
    if (status != TT_ERR_SPEC) fprintf(stderr, "  case %zu: status %d for %s\n", i, status, mistakes[i].spec);
    CHECK(status == TT_ERR_SPEC);
    CHECK(tt_last_status() == TT_ERR_SPEC);
    CHECK_STR(tt_last_error(), expected(mistakes[i].message));
  }
}

TT_TEST(test_spec_accepts_at_most_64_layers) {
  static char text[64 * 20 + 128];
  for (int n = 64; n <= 65; n++) {
    size_t at = (size_t)sprintf(text, "{'input': [2], 'loss': 'mse', 'layers': [");
    for (int i = 0; i < n; i++) at += (size_t)sprintf(text + at, "%s{'type': 'relu'}", i ? ", " : "");
    sprintf(text + at, "]}");
    int status = parse(text, &spec);
    CHECK(status == (n <= 64 ? TT_OK : TT_ERR_SPEC));
    if (n == 64) CHECK(spec.n_layers == 64 && spec.layers[63].index == 63);
  }
  CHECK_STR(tt_last_error(), "layers: at most 64 layers are supported, got 65");
}

TT_TEST(test_spec_boundary_values_are_accepted) {
  CHECK(parse(X("'seed': 0"), &spec) == TT_OK && spec.seed == 0);
  CHECK(parse(IMG("'augment': {'shift': 4, 'rotate': 45}"), &spec) == TT_OK);
  CHECK(spec.augment_shift == 4 && spec.augment_rotate == 45);
  CHECK(parse(IMG("'augment': {}"), &spec) == TT_OK && spec.augment_shift == 0);
  CHECK(parse(L("{'type': 'dropout', 'rate': 0}"), &spec) == TT_OK);
  CHECK(parse(L("{'type': 'dense', 'units': 1e2}"), &spec) == TT_OK && spec.layers[0].units == 100);
  CHECK(parse(L("{'type': 'conv2d', 'filters': 1, 'kernel': 64, 'padding': 64, 'stride': 64}"), &spec) == TT_OK);
  CHECK(parse("{'input': [4096, 4096], 'layers': [{'type': 'relu'}], 'loss': 'mse'}", &spec) == TT_OK);
  CHECK(spec.input.rank == 2 && spec.input.d[0] == 4096 && spec.input.d[1] == 4096);
  /* a warmup as long as the cosine decay; softmax and sigmoid last with mse (outputs in (0, 1) are a choice) */
  CHECK(parse(O("{'schedule': {'type': 'cosine', 'total_steps': 100, 'warmup': 100}}"), &spec) == TT_OK);
  CHECK(parse(L("{'type': 'dense', 'units': 3}, {'type': 'softmax'}"), &spec) == TT_OK);
  CHECK(parse(L("{'type': 'dense', 'units': 1}, {'type': 'sigmoid'}"), &spec) == TT_OK);
  CHECK(parse("{'input': [2], 'layers': [{'type': 'softmax'}, {'type': 'dense', 'units': 2}], 'loss': 'cross_entropy'}",
              &spec) == TT_OK);
}

TT_TEST(test_spec_layer_names_map_to_types) {
  static const struct {
    const char *name;
    tt__layer_type type;
  } table[] = {
#define TT_LAYER(name, NAME, fields, traits, fused, torch) {#name, TT_##NAME},
#include "layers/layer_table.h"
#undef TT_LAYER
  };
  CHECK(sizeof table / sizeof table[0] == TT_LAYER_TYPE_COUNT);
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    CHECK(tt__layer_type_from_name(table[i].name) == (int)table[i].type);
    // every type parses as a layer of a spec with its fields' defaults, or names a required field
    char text[256];
    snprintf(text, sizeof text, "{'input': [4], 'layers': [{'type': '%s'}], 'loss': 'mse'}", table[i].name);
    int status = parse(text, &spec);
    CHECK(status == TT_OK || strstr(tt_last_error(), "layers[0].") == tt_last_error());
    if (status == TT_OK) CHECK(spec.n_layers == 1 && spec.layers[0].type == table[i].type);
  }
  CHECK(tt__layer_type_from_name("dens") == -1);
  CHECK(tt__layer_type_from_name("") == -1);
  CHECK(tt__layer_type_from_name(NULL) == -1);
}

TT_TEST(test_spec_frees_everything_under_a_memory_limit) {
  /* the JSON tree is the only allocation; with a limit, repeated parses (ok and failing) must not drift */
  tt_set_memory_limit(8192);
  for (int i = 0; i < 200; i++) {
    CHECK(parse(O("{'type': 'sgd', 'momentum': 0.9}"), &spec) == TT_OK);
    CHECK(parse(O("{'type': 'sgd', 'beta1': 0.9}"), &spec) == TT_ERR_SPEC);
  }
  tt_set_memory_limit(64);
  CHECK(parse(O("{'type': 'sgd'}"), &spec) == TT_ERR_MEMORY);
  tt_set_memory_limit(0);
}

int main(void) {
  TT_RUN(test_spec_reads_every_layer_type_and_field);
  TT_RUN(test_spec_fills_documented_defaults);
  TT_RUN(test_spec_optimizer_defaults_per_type);
  TT_RUN(test_spec_every_mistake_has_its_exact_message);
  TT_RUN(test_spec_accepts_at_most_64_layers);
  TT_RUN(test_spec_boundary_values_are_accepted);
  TT_RUN(test_spec_layer_names_map_to_types);
  TT_RUN(test_spec_frees_everything_under_a_memory_limit);
  return TT_SUMMARY();
}
