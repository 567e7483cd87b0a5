/* Fused activations (tt__layer.act): relu or tanh right after a dense or conv2d layer runs inside that layer, in
 * place, and shares its buffers. Training and inference must give the same numbers bit for bit as the layers run
 * one by one (tt__fuse_activations = 0), on every path the fused layers can take. */
#include <stdlib.h>

#include "core/testing.h"
#include "model/model.h"
#include "test.h"
#include "tinytrain.h"


enum { N = 48, STEPS = 5, BATCH = 16 };

/* A model of `spec` trained STEPS steps on seeded data (sparse inputs when `sparse`), then its predictions of the
 * first samples into pred; fused or not. Returns the model (caller frees). */
static tt_model *trained(const char *spec, int fuse, int sparse, float *pred, int *pred_n) {
  tt__fuse_activations = fuse;
  tt_model *m = tt_model_create(spec, strlen(spec));
  tt__fuse_activations = 1;
  if (!m) {
    fprintf(stderr, "spec refused: %s\n", tt_last_error());
    return NULL;
  }
  int in = tt_model_input_size(m), lab = tt_model_label_size(m);
  float *x = malloc(sizeof(float) * N * in), *y = malloc(sizeof(float) * N * lab);
  unsigned s = 7;
  for (int i = 0; i < N * in; i++) {
    s = s * 1103515245u + 12345u;
    x[i] = sparse && (s >> 16) % 5 ? 0.0f : (float)((s >> 8) & 1023) / 512.0f - 1.0f;
  }
  for (int i = 0; i < N * lab; i++) y[i] = (float)(i % 3);
  CHECK(tt_model_set_data(m, x, y, N) == TT_OK);
  CHECK(tt_model_train_steps(m, STEPS, BATCH) == TT_OK);
  *pred_n = 4 * tt_model_output_size(m);
  CHECK(tt_model_predict(m, x, 4, pred, 0) == TT_OK);
  free(x), free(y);
  return m;
}

/* fused and unfused runs of spec agree bit for bit; `fused` activations are expected to be fused */
static void check_same(const char *name, const char *spec, int sparse, int fused) {
  static float p1[4096], p0[4096];
  int n1 = 0, n0 = 0;
  const unsigned sparse_calls = tt__conv2d_sparse_calls;
  tt_model *a = trained(spec, 1, sparse, p1, &n1), *b = trained(spec, 0, sparse, p0, &n0);
  if (sparse && tt__conv2d_sparse_calls == sparse_calls) fprintf(stderr, "%s: the sparse conv paths never ran\n", name);
  CHECK(!sparse || tt__conv2d_sparse_calls > sparse_calls);
  if (!a || !b) {
    CHECK(0);
  } else {
    int count = 0;
    for (int i = 0; i < a->n_layers; i++) {
      count += a->layers[i].fused;
      CHECK(!b->layers[i].fused);
    }
    if (count != fused) fprintf(stderr, "%s: %d activations fused, expected %d\n", name, count, fused);
    CHECK(count == fused);
    CHECK(!fused || a->act_bytes < b->act_bytes);  // the fused activations have no buffers of their own
    size_t np = (size_t)tt_model_param_count(a), bad = 0;
    for (size_t i = 0; i < np; i++) bad += memcmp(&a->params[i], &b->params[i], sizeof(float)) != 0;
    for (int i = 0; i < n1; i++) bad += memcmp(&p1[i], &p0[i], sizeof(float)) != 0;
    if (bad) fprintf(stderr, "%s: %zu weights or predictions differ between fused and unfused\n", name, bad);
    CHECK(bad == 0 && n1 == n0 && tt_model_last_loss(a) == tt_model_last_loss(b));
  }
  tt_model_free(a), tt_model_free(b);
}

#define OPT ", \"loss\": \"cross_entropy\", \"optimizer\": {\"type\": \"adam\", \"lr\": 0.01}, \"seed\": 3}"

TT_TEST(test_fused_dense_relu_and_tanh_train_and_predict_the_same) {
  check_same("mlp relu", "{\"input\": [20], \"layers\": [{\"type\": \"dense\", \"units\": 13}, {\"type\": \"relu\"}, "
             "{\"type\": \"dense\", \"units\": 3}]" OPT, 0, 1);
  check_same("mlp tanh", "{\"input\": [5], \"layers\": [{\"type\": \"dense\", \"units\": 9}, {\"type\": \"tanh\"}, "
             "{\"type\": \"dense\", \"units\": 7, \"bias\": false}, {\"type\": \"tanh\"}, {\"type\": \"dense\", "
             "\"units\": 3}]" OPT, 0, 2);
  // a dense layer applied per position of a [positions, features] input, then flattened
  check_same("per-position relu", "{\"input\": [3, 5], \"layers\": [{\"type\": \"dense\", \"units\": 4}, "
             "{\"type\": \"relu\"}, {\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 3}]" OPT, 0, 1);
  // the last layer is the activation: predict returns the fused layer's output
  check_same("relu last", "{\"input\": [6], \"layers\": [{\"type\": \"dense\", \"units\": 5}, {\"type\": \"relu\"}]"
             OPT, 0, 1);
  // not fused: an activation after another activation or after a pool, and the others (gelu needs its input)
  check_same("unfused kinds", "{\"input\": [6], \"layers\": [{\"type\": \"dense\", \"units\": 8}, {\"type\": "
             "\"gelu\"}, {\"type\": \"relu\"}, {\"type\": \"dense\", \"units\": 8}, {\"type\": \"sigmoid\"}, "
             "{\"type\": \"dense\", \"units\": 3}]" OPT, 0, 0);
}

TT_TEST(test_fused_conv_activations_train_and_predict_the_same) {
  // the digits CNN's shape on sparse input: input-sparse forward, dout-sparse backward, dense kernels
  check_same("cnn relu sparse", "{\"input\": [1, 12, 12], \"layers\": [{\"type\": \"conv2d\", \"filters\": 4, "
             "\"kernel\": 5, \"padding\": \"same\"}, {\"type\": \"relu\"}, {\"type\": \"maxpool2d\", \"size\": 2}, "
             "{\"type\": \"conv2d\", \"filters\": 6, \"kernel\": 3, \"padding\": \"same\"}, {\"type\": \"relu\"}, "
             "{\"type\": \"maxpool2d\", \"size\": 2}, {\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 3}]"
             OPT, 1, 2);
  // dense input, a strided conv (im2col + GEMM) and tanh, then a conv without a bias
  check_same("cnn tanh strided", "{\"input\": [2, 9, 9], \"layers\": [{\"type\": \"conv2d\", \"filters\": 5, "
             "\"kernel\": 3, \"stride\": 2, \"padding\": 1}, {\"type\": \"tanh\"}, {\"type\": \"conv2d\", "
             "\"filters\": 3, \"kernel\": 3, \"bias\": false}, {\"type\": \"relu\"}, {\"type\": \"flatten\"}, "
             "{\"type\": \"dense\", \"units\": 3}]" OPT, 0, 2);
}

int main(void) {
  TT_RUN(test_fused_dense_relu_and_tanh_train_and_predict_the_same);
  TT_RUN(test_fused_conv_activations_train_and_predict_the_same);
  return TT_SUMMARY();
}
