/* The model's run-time API (src/model/model.c) beyond training itself: hyper-parameters changed while training. */
#include <stdint.h>
#include <stdlib.h>

#include "core/core.h"
#include "test.h"

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

/* and the other way round: momentum is sgd's, refused on adam and adamw with the same message; the fields both have
 * are accepted */
TT_TEST(test_set_hparam_refuses_momentum_on_adam_and_adamw) {
  static const char *types[] = {"adam", "adamw"};
  for (int t = 0; t < 2; t++) {
    char spec[200];
    tt__snprintf(spec, sizeof spec, "{\"input\":[2],\"layers\":[{\"type\":\"dense\",\"units\":2}],\"loss\":\"mse\","
                 "\"optimizer\":{\"type\":\"%s\",\"lr\":0.1}}", types[t]);
    tt_model *m = tt_model_create(spec, strlen(spec));
    CHECK(m != NULL);
    if (!m) return;
    CHECK(tt_model_set_hparam(m, "momentum", 0.9) == TT_ERR_STATE);
    char want[128];
    tt__snprintf(want, sizeof want, "momentum: only sgd has momentum (this model uses %s)", types[t]);
    CHECK_STR(tt_last_error(), want);
    const char *shared[] = {"lr", "weight_decay", "clip_norm", "beta1", "beta2", "eps"};
    for (int i = 0; i < 6; i++) CHECK(tt_model_set_hparam(m, shared[i], 0.5) == TT_OK);
    tt_model_free(m);
  }
}

int main(void) {
  TT_RUN(test_set_hparam_refuses_adam_fields_on_sgd_and_keeps_the_model);
  TT_RUN(test_set_hparam_refuses_momentum_on_adam_and_adamw);
  return TT_SUMMARY();
}
