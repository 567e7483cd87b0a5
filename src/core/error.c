/* Error text and status of the last failure, and the invariant assert. The library never prints: callers read
 * tt_last_error(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

static char last_message[512];
static int last_status;

int tt__fail(int status, const char *fmt, ...) {
  /* Format into a copy: an argument may be tt_last_error() itself (a message wrapping the previous one), and
   * writing the buffer while reading it garbles the text. */
  char message[sizeof last_message];
  va_list ap;
  va_start(ap, fmt);
  tt__vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  memcpy(last_message, message, sizeof message);
  last_status = status;
  return status;
}

void tt__clear_error(void) {
  last_message[0] = '\0';
  last_status = TT_OK;
}

const char *tt_last_error(void) { return last_message; }
int tt_last_status(void) { return last_status; }

void tt__assert_fail(const char *file, int line, const char *cond) {
  /* A bug, not bad input: leave the reason where a debugger or the wasm host can read it, then trap. */
  tt__snprintf(last_message, sizeof last_message, "internal error at %s:%d: %s", file, line, cond);
  last_status = TT_ERR_STATE;
  __builtin_trap();
}

void tt__dims_str(const uint64_t *dims, int rank, char *buf, size_t len, const char *sep) {
  size_t at = (size_t)tt__snprintf(buf, len, "[");
  for (int i = 0; i < rank && at < len; i++)
    at += (size_t)tt__snprintf(buf + at, len - at, "%s%llu", i ? sep : "", (unsigned long long)dims[i]);
  if (at < len) tt__snprintf(buf + at, len - at, "]");
}

void tt__shape_str(tt__shape s, char *buf, size_t len) {
  uint64_t d[TT_MAX_RANK];
  for (int i = 0; i < s.rank; i++) d[i] = (uint64_t)s.d[i]; /* sizes are positive */
  tt__dims_str(d, s.rank, buf, len, ", ");
}
