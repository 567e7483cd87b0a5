/* libFuzzer target for the spec parser: tt_model_create on arbitrary bytes. A rejected spec must fail with a
 * readable message; an accepted one must be usable: predict and one training step on zero inputs run, and
 * save -> load gives back the same parameters (so every valid spec survives the trip through a weight file). */
#include <math.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  tt_set_memory_limit(FUZZ_MEMORY_LIMIT);
  return 0;
}

/* One zero sample (x) and a label every loss accepts (class 0, target 0) exercise forward and backward. Inputs
 * are capped so that a large but valid image spec does not make each run slow. */
static void exercise(tt_model *m) {
  size_t in = (size_t)tt_model_input_size(m), out = (size_t)tt_model_output_size(m),
         lab = (size_t)tt_model_label_size(m);
  if (in > (1u << 16) || out > (1u << 16) || lab > (1u << 16)) return;
  float *x = calloc(in, sizeof *x), *y = calloc(lab, sizeof *y), *o = calloc(out, sizeof *o);
  FUZZ_CHECK(x && y && o, "calloc");
  int st = tt_model_predict(m, x, 1, o, 1);
  if (st) fuzz_check_failure(st, "predict");
  st = tt_model_train_batch(m, x, y, 1);
  if (st) fuzz_check_failure(st, "train_batch");
  for (size_t i = 0; !st && i < tt_model_param_count(m); i++)
    FUZZ_CHECK(isfinite(tt_model_params(m)[i]), "param %zu is not finite after a successful step", i);
  free(x), free(y), free(o);
}

static void round_trip(tt_model *m) {
  unsigned char *bytes = NULL;
  size_t len = 0;
  int st = tt_model_save(m, &bytes, &len);
  if (st) {
    fuzz_check_failure(st, "save");
    return;
  }
  tt_model *back = tt_model_load(bytes, len);
  if (!back && tt_last_status() == TT_ERR_MEMORY) {  // a model over half the memory limit cannot load beside itself
    fuzz_check_failure(TT_ERR_MEMORY, "load");
    tt_free(bytes);
    return;
  }
  FUZZ_CHECK(back, "a saved model does not load: %s", tt_last_error());
  size_t n = tt_model_param_count(m);
  FUZZ_CHECK(tt_model_param_count(back) == n, "param count %zu != %zu", tt_model_param_count(back), n);
  FUZZ_CHECK(!memcmp(tt_model_params(back), tt_model_params(m), n * sizeof(float)), "params differ after load");
  tt_model_free(back);
  tt_free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tt_model *m = tt_model_create((const char *)data, size);
  if (!m) {
    fuzz_check_failure(tt_last_status(), "create");
    return 0;
  }
  FUZZ_CHECK(!memcmp(tt_model_spec(m), data, size), "the stored spec differs from the input");
  round_trip(m);
  exercise(m);
  tt_model_free(m);
  return 0;
}
