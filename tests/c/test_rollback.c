/* After a divergence, weights, optimizer state and step count are those before the update that went wrong (the
 * last step whose loss and gradients were sane), however the steps were split into calls; weights set from
 * outside are never rolled back past. A model from tt_model_load holds its parameters only until it trains. */
#include <stdlib.h>

#include "model/model.h"
#include "test.h"

/* 2-16-3 tanh MLP on 64 points of 3 classes, full batch, data in a fixed order (so two runs see the same batches). */
static const char SGD[] = "{\"input\":[2],\"layers\":[{\"type\":\"dense\",\"units\":16},{\"type\":\"tanh\"},"
                          "{\"type\":\"dense\",\"units\":3}],\"loss\":\"cross_entropy\","
                          "\"optimizer\":{\"type\":\"sgd\",\"lr\":0.1,\"momentum\":0.9},\"seed\":3}";
static const char ADAM[] = "{\"input\":[2],\"layers\":[{\"type\":\"dense\",\"units\":16},{\"type\":\"tanh\"},"
                           "{\"type\":\"dense\",\"units\":3}],\"loss\":\"cross_entropy\","
                           "\"optimizer\":{\"type\":\"adam\",\"lr\":0.01},\"seed\":3}";
enum { N = 64 };
static float X[N * 2], Y[N];

static void make_data(void) {
  for (int i = 0; i < N; i++) {
    X[2 * i] = (float)((i * 37) % 64) / 32.0f - 1.0f;
    X[2 * i + 1] = (float)((i * 11) % 64) / 32.0f - 1.0f;
    Y[i] = (float)(i % 3);
  }
}

static tt_model *new_model(const char *spec, size_t len) {
  tt_model *m = tt_model_create(spec, len);
  CHECK(m != NULL);
  if (!m) return NULL;
  CHECK(tt_model_set_data(m, X, Y, N) == TT_OK);
  CHECK(tt_model_set_hparam(m, "shuffle", 0) == TT_OK);
  return m;
}

/* One step: through train_steps, or train_batch on the whole set (the same batch). */
static int step(tt_model *m, int batch) { return batch ? tt_model_train_batch(m, X, Y, N) : tt_model_train_steps(m, 1, N); }

static int same(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

/* Three sane steps, one at lr 1e6 (its loss and gradient are sane, its update is not), then the next step
 * diverges: back to the weights, state and step count after the three sane steps, and training at a lower lr
 * goes on exactly as if the bad update had never happened. One step per call, the case a checkpoint taken at the
 * start of each call got wrong. */
static void rollback_case(const char *spec, size_t len, int batch) {
  tt_model *m = new_model(spec, len), *ref = new_model(spec, len);
  if (!m || !ref) return;
  size_t n = tt_model_param_count(m);
  float *w3 = malloc(n * sizeof(float)), *s3 = malloc(2 * n * sizeof(float));
  for (int i = 0; i < 3; i++) CHECK(step(m, batch) == TT_OK && step(ref, batch) == TT_OK);
  memcpy(w3, tt_model_params(m), n * sizeof(float));
  memcpy(s3, m->opt_state, 2 * n * sizeof(float));
  CHECK(tt_model_set_hparam(m, "lr", 1e6) == TT_OK);
  CHECK(step(m, batch) == TT_OK);
  CHECK(!same(tt_model_params(m), w3, n));
  CHECK(tt_model_step_count(m) == 4);
  CHECK(step(m, batch) == TT_ERR_DIVERGED);
  CHECK(strstr(tt_last_error(), "diverged at step 5 (loss = ") == tt_last_error());
  CHECK(same(tt_model_params(m), w3, n));
  CHECK(same(m->opt_state, s3, 2 * n));
  CHECK(tt_model_step_count(m) == 3);

  CHECK(tt_model_set_hparam(m, "lr", 0.01) == TT_OK);
  CHECK(tt_model_set_hparam(ref, "lr", 0.01) == TT_OK);
  for (int i = 0; i < 5; i++) CHECK(step(m, batch) == TT_OK && step(ref, batch) == TT_OK);
  CHECK(isfinite(tt_model_last_loss(m)));
  CHECK(same(tt_model_params(m), tt_model_params(ref), n));
  CHECK(same(m->opt_state, ref->opt_state, 2 * n));
  CHECK(tt_model_step_count(m) == 8);
  free(w3), free(s3);
  tt_model_free(m), tt_model_free(ref);
}

TT_TEST(test_sgd_momentum_rolls_back_one_step_per_train_steps_call) { rollback_case(SGD, sizeof SGD - 1, 0); }
TT_TEST(test_sgd_momentum_rolls_back_one_step_per_train_batch_call) { rollback_case(SGD, sizeof SGD - 1, 1); }
TT_TEST(test_adam_rolls_back_one_step_per_train_steps_call) { rollback_case(ADAM, sizeof ADAM - 1, 0); }
TT_TEST(test_adam_rolls_back_one_step_per_train_batch_call) { rollback_case(ADAM, sizeof ADAM - 1, 1); }

/* Within one call the same: the divergence at step 5 of a 10-step call ends at the weights after step 3. */
TT_TEST(test_rollback_inside_one_call_goes_back_one_update) {
  tt_model *m = new_model(SGD, sizeof SGD - 1), *ref = new_model(SGD, sizeof SGD - 1);
  if (!m || !ref) return;
  CHECK(tt_model_train_steps(ref, 3, N) == TT_OK);
  CHECK(tt_model_train_steps(m, 3, N) == TT_OK);
  CHECK(tt_model_set_hparam(m, "lr", 1e6) == TT_OK);
  CHECK(tt_model_train_steps(m, 10, N) == TT_ERR_DIVERGED);
  CHECK(tt_model_step_count(m) == 3);
  CHECK(same(tt_model_params(m), tt_model_params(ref), tt_model_param_count(m)));
  tt_model_free(m), tt_model_free(ref);
}

/* Weights set from outside (set_weights, load_weights) are where a divergence stops: a first step that diverges
 * on them keeps them, rather than going back to the weights before the last update. */
TT_TEST(test_weights_set_from_outside_are_not_rolled_back_past) {
  tt_model *m = new_model(SGD, sizeof SGD - 1);
  if (!m) return;
  size_t n = tt_model_param_count(m);
  float *big = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) big[i] = (i % 2 ? 1e4f : -1e4f);  // a loss far over 1000x the first one
  for (int how = 0; how < 2; how++) {
    CHECK(tt_model_train_steps(m, 2, N) == TT_OK);  // the spare set: the weights before the second step
    if (how == 0) {
      CHECK(tt_model_set_weights(m, big) == TT_OK);
    } else {
      tt_model *donor = tt_model_create(SGD, sizeof SGD - 1);
      unsigned char *file = NULL;
      size_t len = 0;
      CHECK(donor && tt_model_set_weights(donor, big) == TT_OK && tt_model_save(donor, &file, &len) == TT_OK);
      CHECK(tt_model_load_weights(m, file, len) == TT_OK);
      tt_free(file);
      tt_model_free(donor);
    }
    double steps = tt_model_step_count(m);
    CHECK(tt_model_train_steps(m, 1, N) == TT_ERR_DIVERGED);
    CHECK(tt_model_step_count(m) == steps);
    CHECK(same(tt_model_params(m), big, n));
    CHECK(tt_model_reset(m, 3) == TT_OK);
  }
  big[1] = NAN;
  CHECK(tt_model_set_weights(m, big) == TT_ERR_DATA);
  CHECK(strstr(tt_last_error(), "weights[1] is NaN") == tt_last_error());
  free(big);
  tt_model_free(m);
}

/* After reset, a divergence goes back to the reset weights and step 0. */
TT_TEST(test_rollback_after_reset_goes_back_to_the_reset_weights) {
  tt_model *m = new_model(ADAM, sizeof ADAM - 1);
  if (!m) return;
  size_t n = tt_model_param_count(m);
  CHECK(tt_model_train_steps(m, 4, N) == TT_OK);
  CHECK(tt_model_reset(m, 5) == TT_OK);
  float *w0 = malloc(n * sizeof(float));
  memcpy(w0, tt_model_params(m), n * sizeof(float));
  CHECK(tt_model_set_hparam(m, "lr", 1e6) == TT_OK);
  CHECK(tt_model_train_steps(m, 1, N) == TT_OK);
  CHECK(tt_model_train_steps(m, 1, N) == TT_ERR_DIVERGED);
  CHECK(tt_model_step_count(m) == 0);
  CHECK(same(tt_model_params(m), w0, n));
  free(w0);
  tt_model_free(m);
}

/* tt_model_load allocates the parameters only: under a limit that holds them (and the file's scratch copy) but
 * not gradients and optimizer state, the load succeeds and training then fails with "out of memory". */
TT_TEST(test_load_allocates_parameters_only_until_training) {
  static const char spec[] = "{\"input\":[64],\"layers\":[{\"type\":\"dense\",\"units\":512},{\"type\":\"tanh\"},"
                             "{\"type\":\"dense\",\"units\":3}],\"loss\":\"cross_entropy\"}";
  tt_model *m = tt_model_create(spec, sizeof spec - 1);
  CHECK(m != NULL);
  if (!m) return;
  unsigned char *file = NULL;
  size_t len = 0;
  CHECK(tt_model_save(m, &file, &len) == TT_OK);
  size_t count = tt_model_param_count(m), param_bytes = count * sizeof(float);
  float *want = malloc(param_bytes);
  memcpy(want, tt_model_params(m), param_bytes);
  tt_model_free(m);                      // nothing else accounted while the limit is on
  tt_set_memory_limit(3 * param_bytes);  // the parameters and the file's scratch copy fit; 7 floats each do not
  tt_model *loaded = tt_model_load(file, len);
  CHECK(loaded != NULL);
  if (!loaded) fprintf(stderr, "  load: %s\n", tt_last_error());
  if (loaded) {
    CHECK(same(tt_model_params(loaded), want, count));
    float x[64] = {0}, out[3], y[1] = {1};
    tt_set_memory_limit(0);
    CHECK(tt_model_predict(loaded, x, 1, out, 1) == TT_OK);  // activations: not part of this test's budget
    tt_set_memory_limit(3 * param_bytes);
    CHECK(tt_model_train_batch(loaded, x, y, 1) == TT_ERR_MEMORY);
    CHECK(strstr(tt_last_error(), "out of memory") == tt_last_error());
    CHECK(same(tt_model_params(loaded), want, count));
    tt_set_memory_limit(0);
    CHECK(tt_model_train_batch(loaded, x, y, 1) == TT_OK);
    CHECK(tt_model_step_count(loaded) == 1);
    tt_model_free(loaded);
  }
  tt_set_memory_limit(0);
  free(want);
  tt_free(file);
}

int main(void) {
  make_data();
  TT_RUN(test_sgd_momentum_rolls_back_one_step_per_train_steps_call);
  TT_RUN(test_sgd_momentum_rolls_back_one_step_per_train_batch_call);
  TT_RUN(test_adam_rolls_back_one_step_per_train_steps_call);
  TT_RUN(test_adam_rolls_back_one_step_per_train_batch_call);
  TT_RUN(test_rollback_inside_one_call_goes_back_one_update);
  TT_RUN(test_weights_set_from_outside_are_not_rolled_back_past);
  TT_RUN(test_rollback_after_reset_goes_back_to_the_reset_weights);
  TT_RUN(test_load_allocates_parameters_only_until_training);
  return TT_SUMMARY();
}
