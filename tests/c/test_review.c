/* Regressions for bugs found in review of the C core (each test names what it proves). Built with ASan + UBSan. */
#include <stdint.h>
#include <stdlib.h>

#include "core/core.h"
#include "test.h"

/* Bytes tt__malloc can still hand out under the current limit (= limit - bytes accounted as in use). */
static size_t headroom(void) {
  size_t lo = 0, hi = tt__memory_limit();
  while (lo < hi) { /* largest b that succeeds */
    size_t mid = lo + (hi - lo + 1) / 2;
    void *p = tt__malloc(mid);
    if (p) tt__free(p, mid), lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/* A model without parameters (only an activation) has an empty weight file; loading it must give back every byte
 * it accounts, or each load shrinks what tt_set_memory_limit allows until models are refused. */
TT_TEST(test_load_weights_of_a_parameterless_model_keeps_memory_accounting) {
  static const char spec[] = "{\"input\":[2],\"layers\":[{\"type\":\"relu\"}],\"loss\":\"mse\"}";
  tt_model *m = tt_model_create(spec, sizeof spec - 1);
  CHECK(m != NULL);
  if (!m) return;
  unsigned char *file = NULL;
  size_t len = 0;
  CHECK(tt_model_save(m, &file, &len) == TT_OK);
  tt_set_memory_limit(1 << 20);
  size_t before = headroom();
  for (int i = 0; i < 100; i++) CHECK(tt_model_load_weights(m, file, len) == TT_OK);
  size_t after = headroom();
  if (after != before)
    fprintf(stderr, "  100 loads changed the headroom by %ld bytes (%zu -> %zu)\n", (long)after - (long)before,
            before, after);
  CHECK(after == before);
  tt_set_memory_limit(0);
  tt_free(file);
  tt_model_free(m);
}

/* set_hparam refuses momentum on adam; the adam-only fields on sgd must be refused the same way, not accepted and
 * silently ignored (the page would show "beta1 0.5 applied" for a setting that changes nothing). */
TT_TEST(test_set_hparam_refuses_adam_fields_on_sgd_and_keeps_the_model) {
  static const char spec[] = "{\"input\":[2],\"layers\":[{\"type\":\"dense\",\"units\":2}],\"loss\":\"mse\","
                             "\"optimizer\":{\"type\":\"sgd\",\"lr\":0.1}}";
  tt_model *m = tt_model_create(spec, sizeof spec - 1);
  CHECK(m != NULL);
  if (!m) return;
  const char *names[] = {"beta1", "beta2", "eps"};
  for (int i = 0; i < 3; i++) {
    int status = tt_model_set_hparam(m, names[i], 0.5);
    if (status != TT_ERR_STATE) fprintf(stderr, "  %s on sgd: status %d, \"%s\"\n", names[i], status, tt_last_error());
    CHECK(status == TT_ERR_STATE);
    char want[128];
    tt__snprintf(want, sizeof want, "%s: only adam and adamw have %s (this model uses sgd)", names[i], names[i]);
    CHECK_STR(tt_last_error(), want);
  }
  CHECK(tt_model_set_hparam(m, "lr", 0.05) == TT_OK);
  CHECK(tt_model_set_hparam(m, "momentum", 0.9) == TT_OK);
  tt_model_free(m);
}

int main(void) {
  TT_RUN(test_load_weights_of_a_parameterless_model_keeps_memory_accounting);
  TT_RUN(test_set_hparam_refuses_adam_fields_on_sgd_and_keeps_the_model);
  return TT_SUMMARY();
}
