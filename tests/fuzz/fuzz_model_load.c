/* libFuzzer target for what tt_model_load allocates: a file under 1 MB must never make the loader ask for more
 * than 64 MiB in total (the memory limit), counting requests the limit refuses, so a small file whose spec asks
 * for a huge model is turned down before its memory is asked for. A model that loads holds its parameters only
 * (no gradients or optimizer state): no more than the file's data as floats, the model and its spec. A failed
 * load, and freeing the model, give back every byte. Sizes come from the core's allocator (tt__memory_peak). */
#include <stdint.h>

#include "fuzz_common.h"
#include "model/model.h"

#define MAX_FILE (1u << 20)

/* The bytes in use now (and the peak starts again from them). */
static size_t in_use(void) {
  tt__memory_peak(1);
  return tt__memory_peak(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  tt_set_memory_limit(FUZZ_MEMORY_LIMIT);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= MAX_FILE) return 0;
  size_t base = in_use();
  tt_model *m = tt_model_load(data, size);
  size_t asked = tt__memory_peak(0) - base;
  FUZZ_CHECK(asked <= FUZZ_MEMORY_LIMIT, "a %zu-byte file made the loader ask for %zu bytes in total", size, asked);
  if (!m) {
    fuzz_check_failure(tt_last_status(), "load");
    FUZZ_CHECK(in_use() == base, "a failed load kept %zu bytes", in_use() - base);
    return 0;
  }
  // parameters: at most 2 floats' bytes per byte of file (F16 data); the spec's copy is shorter than the file
  size_t held = in_use() - base, params = tt_model_param_count(m) * sizeof(float);
  FUZZ_CHECK(params <= 2 * size, "%zu bytes of parameters from a %zu-byte file", params, size);
  FUZZ_CHECK(held <= sizeof(tt_model) + params + size + 1, "a %zu-byte file's model holds %zu bytes (%zu of parameters)",
             size, held, params);
  tt_model_free(m);
  FUZZ_CHECK(in_use() == base, "freeing a loaded model left %zu bytes", in_use() - base);
  return 0;
}
