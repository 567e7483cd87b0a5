/* Shared by the libFuzzer targets: a bounded memory limit (a fuzzed spec may ask for gigabytes; it must be
 * refused with a message, not allocated), and the checks every failing public call must pass: a non-zero status
 * with a non-empty, printable, bounded message. A violated check aborts, which libFuzzer reports with the
 * input that caused it. */
#ifndef TT_FUZZ_COMMON_H
#define TT_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinytrain.h"

#define FUZZ_MEMORY_LIMIT (64u << 20) /* bytes: every model and data set the fuzzers build must fit */

/* Aborts with the reason (libFuzzer saves the input as a crash-* file). */
#define FUZZ_CHECK(cond, ...)                                   \
  do {                                                          \
    if (!(cond)) {                                              \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                             \
      fprintf(stderr, "\n");                                    \
      abort();                                                  \
    }                                                           \
  } while (0)

/* A failure must say why: a known status and a message of printable text (UTF-8 bytes allowed), under 1 KiB. */
static inline void fuzz_check_failure(int status, const char *what) {
  const char *msg = tt_last_error();
  FUZZ_CHECK(status >= TT_ERR_SPEC && status <= TT_ERR_STATE, "%s: status %d", what, status);
  FUZZ_CHECK(tt_last_status() == status, "%s: last status %d, returned %d", what, tt_last_status(), status);
  size_t n = strlen(msg);
  FUZZ_CHECK(n > 0 && n < 1024, "%s: message of %zu bytes", what, n);
  for (size_t i = 0; i < n; i++)
    FUZZ_CHECK((unsigned char)msg[i] >= 0x20 && msg[i] != 0x7f, "%s: control byte 0x%02x at %zu in \"%s\"", what,
               (unsigned char)msg[i], i, msg);
}

#endif
