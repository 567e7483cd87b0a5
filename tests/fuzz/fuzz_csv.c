/* libFuzzer target for the numeric CSV reader (tt__csv_parse). Accepted text must give rows x cols finite
 * values with increasing line numbers; rejected text a readable message and an empty table. */
#include <math.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "io/io.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  tt_set_memory_limit(FUZZ_MEMORY_LIMIT);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tt__csv c;
  int st = tt__csv_parse(&c, (const char *)data, size, "fuzz.csv");
  if (st) {
    fuzz_check_failure(st, "csv");
    FUZZ_CHECK(!c.values && !c.rows && !c.cols, "a rejected table is not empty");
    return 0;
  }
  FUZZ_CHECK(c.rows > 0 && c.cols > 0, "%d rows, %d cols", c.rows, c.cols);
  for (size_t i = 0; i < (size_t)c.rows * (size_t)c.cols; i++)
    FUZZ_CHECK(isfinite(c.values[i]), "value %zu is not finite", i);
  for (int r = 0; r < c.rows; r++) {
    FUZZ_CHECK(c.lines[r] >= 1 && (r == 0 || c.lines[r] > c.lines[r - 1]), "row %d has line %d", r, c.lines[r]);
  }
  tt__csv_free(&c);
  return 0;
}
