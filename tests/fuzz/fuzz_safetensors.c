/* libFuzzer target for the safetensors reader: the same bytes go to tt_model_load (the spec comes from the
 * file's metadata) and to tt_model_load_weights into a fixed 2-4-3 model. A rejected file must fail with a
 * readable message and leave that model's parameters exactly as they were (the "validate everything before
 * writing one weight" contract); an accepted one must produce a model that saves and predicts. */
#include <stdint.h>

#include "fuzz_common.h"

static const char SPEC[] = "{\"input\":[2],\"layers\":[{\"type\":\"dense\",\"units\":4},{\"type\":\"tanh\"},"
                           "{\"type\":\"dense\",\"units\":3}],\"loss\":\"cross_entropy\",\"seed\":1}";
static tt_model *fixed;
static float before[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  tt_set_memory_limit(FUZZ_MEMORY_LIMIT);
  fixed = tt_model_create(SPEC, sizeof SPEC - 1);
  FUZZ_CHECK(fixed && tt_model_param_count(fixed) <= 64, "the fixed model: %s", tt_last_error());
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tt_model *m = tt_model_load(data, size);
  if (!m) {
    fuzz_check_failure(tt_last_status(), "load");
  } else {
    unsigned char *bytes = NULL;
    size_t len = 0;
    int st = tt_model_save(m, &bytes, &len);
    if (st) fuzz_check_failure(st, "save");
    tt_free(bytes);
    tt_model_free(m);
  }

  size_t n = tt_model_param_count(fixed);
  memcpy(before, tt_model_params(fixed), n * sizeof(float));
  int st = tt_model_load_weights(fixed, data, size);
  if (st) {
    fuzz_check_failure(st, "load_weights");
    FUZZ_CHECK(!memcmp(before, tt_model_params(fixed), n * sizeof(float)),
               "a rejected file changed the weights (%s)", tt_last_error());
  }
  float x[2] = {0.5f, -0.5f}, out[3];
  st = tt_model_predict(fixed, x, 1, out, 1);
  FUZZ_CHECK(st == TT_OK, "predict after load_weights: %s", tt_last_error());
  return 0;
}
