/* Generation under the sanitizers: a small GPT decodes with its key/value cache exactly what recomputing the
 * whole window gives, across the window's end, and sampling is seeded. */
#include "test.h"
#include "tinytrain.h"
#include "model/model.h"

#define T 6
#define VOCAB 9

static const char *GPT =
    "{\"input\": [6], \"layers\": [{\"type\": \"embedding\", \"vocab\": 9, \"dim\": 8}, "
    "{\"type\": \"position_embedding\", \"length\": 6}, "
    "{\"type\": \"residual\", \"layers\": [{\"type\": \"layernorm\"}, {\"type\": \"attention\", \"heads\": 2}]}, "
    "{\"type\": \"residual\", \"layers\": [{\"type\": \"layernorm\"}, {\"type\": \"dense\", \"units\": 16}, "
    "{\"type\": \"relu\"}, {\"type\": \"dense\", \"units\": 8}]}, "
    "{\"type\": \"layernorm\"}, {\"type\": \"dense\", \"units\": 9}], \"loss\": \"cross_entropy\", \"seed\": 11}";

/* The logits of the token after context[0..n) by a forward pass over the padded window; returns the greedy token. */
static int greedy_without_cache(tt_model *m, const int *context, int n, float logits[VOCAB]) {
  float x[T] = {0}, out[T * VOCAB];
  for (int t = 0; t < n; t++) x[t] = (float)context[t];
  CHECK(tt_model_predict(m, x, 1, out, 0) == TT_OK);
  memcpy(logits, out + (n - 1) * VOCAB, sizeof(float) * VOCAB);
  int best = 0;
  for (int v = 1; v < VOCAB; v++)
    if (logits[v] > logits[best]) best = v;
  return best;
}

TT_TEST(test_cached_decoding_equals_recomputing_the_window) {
  tt_model *m = tt_model_create(GPT, strlen(GPT));
  int prompt[2] = {3, 1}, context[T + 1] = {3, 1}, n = 2;
  CHECK(tt_model_generate_begin(m, prompt, 2, 1) == TT_OK);
  for (int i = 0; i < 30; i++) {
    float want_logits[VOCAB];
    int token = -1, want = greedy_without_cache(m, context, n, want_logits);
    CHECK(tt_model_generate_next(m, 0.0f, 0, &token) == TT_OK);
    CHECK(token == want);
    for (int v = 0; v < VOCAB; v++) CHECK_NEAR(m->next_logits[v], want_logits[v], 1e-5);
    if (token != want) break;
    if (n == T) { /* a full window keeps its last T/2 tokens */
      memmove(context, context + T - T / 2, (T / 2) * sizeof(int));
      n = T / 2;
    }
    context[n++] = token;
  }
  tt_model_free(m);
}

TT_TEST(test_sampling_is_seeded) {
  tt_model *m = tt_model_create(GPT, strlen(GPT));
  int prompt[1] = {0}, a[20], b[20];
  for (int run = 0; run < 2; run++) {
    CHECK(tt_model_generate_begin(m, prompt, 1, 42) == TT_OK);
    for (int i = 0; i < 20; i++) CHECK(tt_model_generate_next(m, 1.0f, 3, run ? &b[i] : &a[i]) == TT_OK);
  }
  CHECK(!memcmp(a, b, sizeof a));
  tt_model_free(m);
}

TT_TEST(test_generation_needs_a_prompt_and_a_start) {
  tt_model *m = tt_model_create(GPT, strlen(GPT));
  int token, bad[2] = {1, 9};
  CHECK(tt_model_generate_next(m, 0.0f, 0, &token) == TT_ERR_STATE);
  CHECK_STR(tt_last_error(), "generate_next: call generate_begin first");
  CHECK(tt_model_generate_begin(m, bad, 2, 1) == TT_ERR_DATA);
  CHECK_STR(tt_last_error(), "generate: prompt token 1 is 9: ids must be from 0 to 8");
  CHECK(tt_model_generate_begin(m, bad, 0, 1) == TT_ERR_DATA);
  tt_model_free(m);
}

/* Top-k sampling sorts the logits in scratch of the model's own: a model without attention (an embedding and a
 * dense layer) has little workspace, and a vocabulary far larger than its positions. */
TT_TEST(test_top_k_sampling_without_attention_stays_in_bounds) {
  static const char lm[] = "{\"input\": [2], \"layers\": [{\"type\": \"embedding\", \"vocab\": 300, \"dim\": 2}, "
                           "{\"type\": \"dense\", \"units\": 300}], \"loss\": \"cross_entropy\"}";
  tt_model *m = tt_model_create(lm, sizeof lm - 1);
  int prompt[1] = {7}, token = -1;
  CHECK(tt_model_generate_begin(m, prompt, 1, 3) == TT_OK);
  for (int i = 0; i < 5; i++) {
    CHECK(tt_model_generate_next(m, 1.0f, 250, &token) == TT_OK);
    CHECK(token >= 0 && token < 300);
  }
  tt_model_free(m);
}

int main(void) {
  TT_RUN(test_cached_decoding_equals_recomputing_the_window);
  TT_RUN(test_sampling_is_seeded);
  TT_RUN(test_generation_needs_a_prompt_and_a_start);
  TT_RUN(test_top_k_sampling_without_attention_stays_in_bounds);
  return TT_SUMMARY();
}
