/* int8 quantization for serving (tt_model_quantize, src/model/quantize.c): predictions within the error that int8
 * weights and int16 activations allow, the quantized model's refusals, the original left alone, 4x smaller
 * weights, language models, and the weight file's round trip (a quantized model is not saved; the original's file
 * quantizes to the same model). */
#include <stdint.h>
#include <stdlib.h>

#include "core/core.h"
#include "kernels/kernels.h"
#include "model/model.h"
#include "test.h"

static const char MLP[] = "{\"input\":[20],\"layers\":[{\"type\":\"dense\",\"units\":33},{\"type\":\"relu\"},"
                          "{\"type\":\"dense\",\"units\":17},{\"type\":\"tanh\"},{\"type\":\"dense\",\"units\":5}],"
                          "\"loss\":\"cross_entropy\",\"optimizer\":{\"type\":\"adam\",\"lr\":0.01},\"seed\":3}";
static const char CNN[] = "{\"input\":[2,9,11],\"layers\":[{\"type\":\"conv2d\",\"filters\":5,\"kernel\":3,"
                          "\"padding\":\"same\"},{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"size\":2},"
                          "{\"type\":\"conv2d\",\"filters\":6,\"kernel\":3,\"stride\":2,\"padding\":1},"
                          "{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":4}],\"loss\":\"cross_entropy\","
                          "\"optimizer\":{\"type\":\"adam\",\"lr\":0.01},\"seed\":5}";

static uint64_t rng = 12345;
static float frand(void) {  // uniform in [-1, 1)
  rng = rng * 6364136223846793005ull + 1442695040888963407ull;
  return (float)((rng >> 40) * (1.0 / 8388608.0)) - 1.0f;
}

/* the scales: one per output row of every dense and conv2d layer */
static size_t rows_of_scales(const tt_model *m) {
  size_t n = 0;
  for (int i = 0; i < m->n_layers; i++)
    if (m->layers[i].w_count) n += m->layers[i].type == TT_DENSE ? m->layers[i].units : m->layers[i].filters;
  return n;
}

static tt_model *make(const char *spec) {
  tt_model *m = tt_model_create(spec, strlen(spec));
  if (!m) fprintf(stderr, "  create: %s\n", tt_last_error());
  return m;
}

/* One dense layer: each output within the bound int8 rounding gives, |Δy_j| <= Σ_k |x_k| s_j/2 + |w_jk| s_x/2
 * (s_j = max_k |w_jk| / 127 the row's scale, s_x = max |x| / limit the input's), plus float rounding. */
TT_TEST(test_quantized_dense_is_within_the_int8_rounding_bound) {
  static const char spec[] = "{\"input\":[37],\"layers\":[{\"type\":\"dense\",\"units\":11}],\"loss\":\"mse\","
                             "\"optimizer\":{\"type\":\"sgd\",\"lr\":0.1}}";
  tt_model *m = make(spec);
  if (!m) return;
  const float *w = tt_model_params(m), *b = w + 37 * 11;
  tt_model *q = tt_model_quantize(m);
  CHECK(q != NULL);
  if (!q) return tt_model_free(m);
  enum { N = 9 };
  float x[N * 37], yf[N * 11], yq[N * 11];
  for (int i = 0; i < N * 37; i++) x[i] = frand() * (i % 37 == 5 ? 30.0f : 1.0f);
  CHECK(tt_model_predict(m, x, N, yf, 0) == TT_OK);
  CHECK(tt_model_predict(q, x, N, yq, 0) == TT_OK);
  double worst = 0;
  for (int n = 0; n < N; n++) {
    const float *xn = x + n * 37;
    double xmax = 0;
    for (int k = 0; k < 37; k++) xmax = fmax(xmax, fabs(xn[k]));
    for (int j = 0; j < 11; j++) {
      double wmax = 0, bound = 1e-5 * (1 + fabs(b[j]));
      for (int k = 0; k < 37; k++) wmax = fmax(wmax, fabs(w[j * 37 + k]));
      for (int k = 0; k < 37; k++)
        bound += fabs(xn[k]) * wmax / 254 + fabs(w[j * 37 + k]) * xmax / (2 * tt__i8_limit(37)) + 1e-6;
      const double err = fabs(yq[n * 11 + j] - yf[n * 11 + j]);
      CHECK(err <= bound);
      worst = fmax(worst, err / bound);
    }
  }
  printf("  dense: worst error %.3f of the int8 bound\n", worst);
  CHECK(worst > 0);  // the int8 path really ran: float would match exactly
  tt_model_free(q), tt_model_free(m);
}

/* Whole models, MLP and CNN (same padding and stride 2): outputs within a few percent of float and the same class
 * for almost every input. */
static void check_close(const char *spec, int per_sample) {
  tt_model *m = make(spec);
  if (!m) return;
  tt_model *q = tt_model_quantize(m);
  CHECK(q != NULL);
  if (!q) return tt_model_free(m);
  enum { N = 200 };
  const int outs = tt_model_output_size(m);
  float *x = malloc(sizeof(float) * N * per_sample), *yf = malloc(sizeof(float) * N * outs),
        *yq = malloc(sizeof(float) * N * outs);
  for (int i = 0; i < N * per_sample; i++) x[i] = frand() > 0.3f ? 0.0f : frand();  // sparse, as digits
  CHECK(tt_model_predict(m, x, N, yf, 0) == TT_OK && tt_model_predict(q, x, N, yq, 0) == TT_OK);
  double diff = 0, norm = 0;
  int same = 0;
  for (int n = 0; n < N; n++) {
    int af = 0, aq = 0;
    for (int j = 0; j < outs; j++) {
      diff += pow(yq[n * outs + j] - yf[n * outs + j], 2), norm += pow(yf[n * outs + j], 2);
      if (yf[n * outs + j] > yf[n * outs + af]) af = j;
      if (yq[n * outs + j] > yq[n * outs + aq]) aq = j;
    }
    same += af == aq;
  }
  printf("  %.20s...: relative error %.4f, same class %d of %d\n", spec, sqrt(diff / norm), same, N);
  CHECK(sqrt(diff / norm) < 0.03);
  CHECK(same >= N * 95 / 100);
  // one sample at a time gives the same as the batch: each sample is quantized on its own
  float one[64];
  for (int n = 0; n < N; n += 37) {
    CHECK(tt_model_predict(q, x + n * per_sample, 1, one, 0) == TT_OK);
    CHECK(memcmp(one, yq + n * outs, sizeof(float) * outs) == 0);
  }
  free(x), free(yf), free(yq);
  tt_model_free(q), tt_model_free(m);
}

TT_TEST(test_quantized_mlp_and_cnn_predict_close_to_float) {
  check_close(MLP, 20);
  check_close(CNN, 2 * 9 * 11);
}

/* Everything that trains or changes weights is refused with one message; inference works; the original trains on
 * and the quantized copy does not move with it. */
TT_TEST(test_quantized_model_refuses_training_and_the_original_trains_on) {
  tt_model *m = make(MLP);
  if (!m) return;
  tt_model *q = tt_model_quantize(m);
  CHECK(q != NULL);
  if (!q) return tt_model_free(m);
  float x[4 * 20], y[4] = {0, 1, 2, 3}, before[4 * 5], after[4 * 5], res[2];
  for (int i = 0; i < 4 * 20; i++) x[i] = frand();
  CHECK(tt_model_predict(q, x, 4, before, 1) == TT_OK);
  CHECK(tt_model_evaluate(q, x, y, 4, res) == TT_OK && isfinite(res[0]));
  const char *want = "this model is quantized to int8 for inference; train the original";
  unsigned char *bytes = NULL, file[8] = {0};
  size_t len = 0;
  const int status[] = {tt_model_set_data(q, x, y, 4), tt_model_train_steps(q, 1, 4), tt_model_train_batch(q, x, y, 4),
                        tt_model_reset(q, 1), tt_model_set_hparam(q, "lr", 0.1), tt_model_set_weights(q, x),
                        tt_model_load_weights(q, file, sizeof file), tt_model_params(q) ? TT_OK : tt_last_status()};
  for (size_t i = 0; i < sizeof status / sizeof status[0]; i++) CHECK(status[i] == TT_ERR_STATE);
  CHECK_STR(tt_last_error(), want);
  CHECK(tt_model_set_data(q, x, y, 4) == TT_ERR_STATE);
  CHECK_STR(tt_last_error(), want);
  CHECK(tt_model_save(q, &bytes, &len) == TT_ERR_STATE && !bytes);
  CHECK_STR(tt_last_error(), "save: this model is quantized to int8 for inference and is not saved; save the original "
                             "model and quantize it again after loading");
  CHECK(tt_model_quantize(q) == NULL);
  CHECK_STR(tt_last_error(), "quantize: this model is quantized already");
  CHECK(tt_model_set_data(m, x, y, 4) == TT_OK && tt_model_train_steps(m, 20, 4) == TT_OK);
  CHECK(tt_model_predict(q, x, 4, after, 1) == TT_OK);
  CHECK(memcmp(before, after, sizeof before) == 0);
  CHECK(tt_model_predict(m, x, 4, after, 1) == TT_OK);
  CHECK(memcmp(before, after, sizeof before) != 0);
  tt_model_free(q), tt_model_free(m);
}

/* Dense and conv2d weights take one byte each (dense rows padded to groups of 4 and pairs, as gemm_i8 reads them)
 * plus a float scale per output row; the rest stays float. A digits-sized MLP's parameters take under 27% of float's. */
TT_TEST(test_quantized_weights_take_a_quarter_of_the_memory) {
  static const char digits[] = "{\"input\":[784],\"layers\":[{\"type\":\"dense\",\"units\":128},{\"type\":\"relu\"},"
                               "{\"type\":\"dense\",\"units\":10}],\"loss\":\"cross_entropy\"}";
  const char *specs[] = {CNN, digits};
  for (int s = 0; s < 2; s++) {
    tt_model *m = make(specs[s]);
    if (!m) return;
    tt_model *q = tt_model_quantize(m);
    CHECK(q != NULL);
    if (!q) return tt_model_free(m);
    size_t packed = 0, floats = 0, weights = 0;
    for (int i = 0; i < m->n_layers; i++) {
      const tt__layer *l = &m->layers[i];
      const int rows = l->type == TT_DENSE ? l->units : l->filters;
      if (!l->w_count) continue;
      packed += l->type == TT_DENSE ? tt__i8_packed_bytes(rows, (int)(l->w_count / rows)) : l->w_count;
      floats += l->b_count + rows;
      weights += l->w_count;
    }
    CHECK(q->block_bytes == packed + 4 * floats);
    CHECK(weights + floats - rows_of_scales(m) == tt_model_param_count(m));  // every weight but the biases is int8
    const double share = (double)q->block_bytes / (4.0 * tt_model_param_count(m));
    printf("  %.12s...: %zu bytes of parameters quantized, %zu as float (%.1f%%)\n", specs[s], q->block_bytes,
           4 * tt_model_param_count(m), 100 * share);
    if (s == 1) CHECK(share < 0.27);
    tt_model_free(q), tt_model_free(m);
  }
}

/* The weight file: the original's file, loaded and quantized, gives the same quantized model bit for bit. */
TT_TEST(test_quantize_after_a_weight_file_round_trip_is_the_same) {
  tt_model *m = make(CNN);
  if (!m) return;
  unsigned char *bytes = NULL;
  size_t len = 0;
  CHECK(tt_model_save(m, &bytes, &len) == TT_OK);
  tt_model *loaded = tt_model_load(bytes, len);
  tt_free(bytes);
  CHECK(loaded != NULL);
  tt_model *q1 = tt_model_quantize(m), *q2 = loaded ? tt_model_quantize(loaded) : NULL;
  CHECK(q1 && q2);
  if (q1 && q2) {
    CHECK(q1->block_bytes == q2->block_bytes && memcmp(q1->block, q2->block, q1->block_bytes) == 0);
    float x[3 * 198], y1[12], y2[12];
    for (int i = 0; i < 3 * 198; i++) x[i] = frand();
    CHECK(tt_model_predict(q1, x, 3, y1, 0) == TT_OK && tt_model_predict(q2, x, 3, y2, 0) == TT_OK);
    CHECK(memcmp(y1, y2, sizeof y1) == 0);
  }
  tt_model_free(q1), tt_model_free(q2), tt_model_free(loaded), tt_model_free(m);
}

/* A small GPT: the quantized model writes text (generation with its cache runs the dense layers row by row) and its
 * next-token probabilities stay close to the float model's. */
TT_TEST(test_quantized_language_model_generates) {
  static const char spec[] =
      "{\"input\":[8],\"layers\":[{\"type\":\"embedding\",\"vocab\":11,\"dim\":16},"
      "{\"type\":\"position_embedding\",\"length\":8},{\"type\":\"residual\",\"layers\":[{\"type\":\"layernorm\"},"
      "{\"type\":\"attention\",\"heads\":2}]},{\"type\":\"residual\",\"layers\":[{\"type\":\"layernorm\"},"
      "{\"type\":\"dense\",\"units\":32},{\"type\":\"gelu\"},{\"type\":\"dense\",\"units\":16}]},"
      "{\"type\":\"layernorm\"},{\"type\":\"dense\",\"units\":11}],\"loss\":\"cross_entropy\","
      "\"optimizer\":{\"type\":\"adamw\",\"lr\":0.01}}";
  tt_model *m = make(spec);
  if (!m) return;
  static const char vocab[] = "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]";
  CHECK(tt_model_set_vocabulary(m, vocab, sizeof vocab - 1) == TT_OK);
  tt_model *q = tt_model_quantize(m);
  CHECK(q != NULL);
  if (!q) return tt_model_free(m);
  CHECK_STR(tt_model_vocabulary(q), tt_model_vocabulary(m));
  const int prompt[] = {1, 2, 3};
  float pf[11], pq[11];
  CHECK(tt_model_next_token_probabilities(m, prompt, 3, pf) == TT_OK);
  CHECK(tt_model_next_token_probabilities(q, prompt, 3, pq) == TT_OK);
  for (int i = 0; i < 11; i++) CHECK(fabsf(pf[i] - pq[i]) < 0.01f);
  CHECK(tt_model_generate_begin(q, prompt, 3, 7) == TT_OK);
  for (int i = 0; i < 20; i++) {  // past the window of 8: the context shifts and runs again
    int token = -1;
    CHECK(tt_model_generate_next(q, 1.0f, 0, &token) == TT_OK && token >= 0 && token < 11);
  }
  tt_model_free(q), tt_model_free(m);
}

int main(void) {
  TT_RUN(test_quantized_dense_is_within_the_int8_rounding_bound);
  TT_RUN(test_quantized_mlp_and_cnn_predict_close_to_float);
  TT_RUN(test_quantized_model_refuses_training_and_the_original_trains_on);
  TT_RUN(test_quantized_weights_take_a_quarter_of_the_memory);
  TT_RUN(test_quantize_after_a_weight_file_round_trip_is_the_same);
  TT_RUN(test_quantized_language_model_generates);
  return TT_SUMMARY();
}
