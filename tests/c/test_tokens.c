/* Token streams: set_tokens keeps the ids at 2 bytes each, train_steps draws seeded windows whose labels are the
 * next tokens, evaluate_tokens reads fixed non-overlapping windows, and wrong models or ids are refused. */
#include <stdint.h>

#include "test.h"
#include "tinytrain.h"
#include "model/model.h"

/* A bigram-style language model: 4 positions, a vocabulary of 5. */
static const char *LM = "{\"input\": [4], \"layers\": [{\"type\": \"embedding\", \"vocab\": 5, \"dim\": 8}, "
                        "{\"type\": \"dense\", \"units\": 5}], \"loss\": \"cross_entropy\", "
                        "\"optimizer\": {\"type\": \"adam\", \"lr\": 0.05}, \"seed\": 3}";

static tt_model *lm(void) { return tt_model_create(LM, strlen(LM)); }

/* 0 1 2 3 4 0 1 2 ...: every next token is determined by the current one. */
static void cycle(uint16_t *ids, size_t n) {
  for (size_t i = 0; i < n; i++) ids[i] = (uint16_t)(i % 5);
}

TT_TEST(test_tokens_are_kept_at_two_bytes_each) {
  tt_model *m = lm();
  uint32_t wide[10];
  for (int i = 0; i < 10; i++) wide[i] = (uint32_t)(i % 5);
  CHECK(tt_model_set_tokens(m, wide, 10, 4) == TT_OK);
  CHECK(m->token_width == 2 && m->token_count == 10 && m->token_bytes == 20);
  CHECK(((uint16_t *)m->tokens)[7] == 2);
  tt_model_free(m);
}

TT_TEST(test_train_steps_learns_the_next_token_of_a_stream) {
  tt_model *m = lm();
  uint16_t ids[500], held_out[41];
  cycle(ids, 500);
  for (int i = 0; i < 41; i++) held_out[i] = (uint16_t)((i + 2) % 5);
  CHECK(tt_model_set_tokens(m, ids, 500, 2) == TT_OK);
  float before[2], after[2];
  CHECK(tt_model_evaluate_tokens(m, held_out, 41, 2, before) == TT_OK);
  CHECK(tt_model_train_steps(m, 200, 16) == TT_OK);
  CHECK(tt_model_evaluate_tokens(m, held_out, 41, 2, after) == TT_OK);
  CHECK(before[0] > 1.0f && after[0] < 0.05f);
  CHECK_NEAR(after[1], 1.0, 0);
  CHECK(tt_model_epoch(m) == (int)(200.0 * 16 * 4 / 500)); /* tokens trained on per token of the stream */
  tt_model_free(m);
}

TT_TEST(test_evaluate_tokens_equals_evaluate_on_the_windows) {
  tt_model *m = lm();
  uint16_t ids[23];
  for (int i = 0; i < 23; i++) ids[i] = (uint16_t)((i * 7 + 1) % 5);
  /* 23 tokens hold (23 - 1) / 4 = 5 windows: tokens 0..4, 4..8, ..., 16..20 */
  float x[20], y[20], by_stream[2], by_samples[2];
  for (int k = 0; k < 5; k++)
    for (int t = 0; t < 4; t++) x[k * 4 + t] = ids[k * 4 + t], y[k * 4 + t] = ids[k * 4 + t + 1];
  CHECK(tt_model_evaluate_tokens(m, ids, 23, 2, by_stream) == TT_OK);
  CHECK(tt_model_evaluate(m, x, y, 5, by_samples) == TT_OK);
  CHECK(by_stream[0] == by_samples[0] && by_stream[1] == by_samples[1]);
  tt_model_free(m);
}

TT_TEST(test_token_training_is_seeded) {
  uint16_t ids[300];
  for (int i = 0; i < 300; i++) ids[i] = (uint16_t)((i * i + 3 * i) % 5);
  tt_model *a = lm(), *b = lm();
  CHECK(tt_model_set_tokens(a, ids, 300, 2) == TT_OK && tt_model_set_tokens(b, ids, 300, 2) == TT_OK);
  CHECK(tt_model_train_steps(a, 30, 8) == TT_OK && tt_model_train_steps(b, 30, 8) == TT_OK);
  CHECK(!memcmp(tt_model_params(a), tt_model_params(b), tt_model_param_count(a) * sizeof(float)));
  tt_model_free(a);
  tt_model_free(b);
}

TT_TEST(test_set_tokens_refuses_what_it_cannot_train_on) {
  tt_model *m = lm();
  uint16_t ids[8] = {0, 1, 2, 3, 4, 0, 1, 2};
  CHECK(tt_model_set_tokens(m, ids, 4, 2) == TT_ERR_DATA);
  CHECK_STR(tt_last_error(), "set_tokens: expected at least 5 tokens (one window of 4 and the token after it), got 4");
  ids[6] = 5;
  CHECK(tt_model_set_tokens(m, ids, 8, 2) == TT_ERR_DATA);
  CHECK_STR(tt_last_error(), "set_tokens: token 6 is 5: ids must be below the vocabulary size 5");
  CHECK(tt_model_set_tokens(m, ids, 8, 3) == TT_ERR_STATE);
  tt_model_free(m);

  const char *mlp = "{\"input\": [4], \"layers\": [{\"type\": \"dense\", \"units\": 5}], \"loss\": \"cross_entropy\"}";
  m = tt_model_create(mlp, strlen(mlp));
  ids[6] = 1;
  CHECK(tt_model_set_tokens(m, ids, 8, 2) == TT_ERR_STATE);
  CHECK(strstr(tt_last_error(), "token streams need a language model") != NULL);
  tt_model_free(m);
}

TT_TEST(test_set_data_and_set_tokens_replace_each_other) {
  tt_model *m = lm();
  uint16_t ids[20];
  cycle(ids, 20);
  float x[4] = {0, 1, 2, 3}, y[4] = {1, 2, 3, 4};
  CHECK(tt_model_set_tokens(m, ids, 20, 2) == TT_OK);
  CHECK(tt_model_set_data(m, x, y, 1) == TT_OK);
  CHECK(m->tokens == NULL && m->data_n == 1);
  CHECK(tt_model_set_tokens(m, ids, 20, 2) == TT_OK);
  CHECK(m->data_n == 0 && m->tokens != NULL);
  CHECK(tt_model_train_steps(m, 2, 4) == TT_OK);
  tt_model_free(m);
}

int main(void) {
  TT_RUN(test_tokens_are_kept_at_two_bytes_each);
  TT_RUN(test_train_steps_learns_the_next_token_of_a_stream);
  TT_RUN(test_evaluate_tokens_equals_evaluate_on_the_windows);
  TT_RUN(test_token_training_is_seeded);
  TT_RUN(test_set_tokens_refuses_what_it_cannot_train_on);
  TT_RUN(test_set_data_and_set_tokens_replace_each_other);
  return TT_SUMMARY();
}
