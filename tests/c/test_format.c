/* tt__snprintf and tt__parse_double (src/core/format.c) against libc on the values error messages and headers
 * print and parse. */
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "test.h"

TT_TEST(test_format_matches_libc_printf) {
  /* every precision for ordinary magnitudes; 12 digits at the extremes, where powers of ten are inexact */
  const double values[] = {0, -3, 2.5, 1e-5, 0.001, 123456, 1234567, 0.1, 1e300, -0.000123456, 1e6, 3.14159265,
                           100, 1e-300, 5e-324, 1.7976931348623157e308, 0.5, 1.5, 2e-7};
  char ours[128], theirs[128];
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    int extreme = fabs(values[i]) > 1e22 || (values[i] != 0 && fabs(values[i]) < 1e-22);
    for (int p = 1; p <= (extreme ? 12 : 15); p += 1) {
      tt__snprintf(ours, sizeof ours, "%.*g", p, values[i]);
      snprintf(theirs, sizeof theirs, "%.*g", p, values[i]);
      CHECK_STR(ours, theirs);
    }
    if (values[i] < 1e15 && values[i] > -1e15) {
      tt__snprintf(ours, sizeof ours, "%g|%.1f|%.0f", values[i], values[i], values[i]);
      snprintf(theirs, sizeof theirs, "%g|%.1f|%.0f", values[i], values[i], values[i]);
      CHECK_STR(ours, theirs);
    }
  }
  tt__snprintf(ours, sizeof ours, "%d %u %zu %ld %s %.3s %c %04x %% [%.*s] %g %g", -42, 7u, (size_t)99, -5L, "hi",
               "abcdef", 'Z', 0x1f, 2, "xyz", 0.0 / 0.0, -1.0 / 0.0);
  CHECK_STR(ours, "-42 7 99 -5 hi abc Z 001f % [xy] nan -inf");
}

TT_TEST(test_format_truncates_and_reports_full_length) {
  char small[6];
  int n = tt__snprintf(small, sizeof small, "%s=%d", "units", 12345);
  CHECK(n == 11);
  CHECK_STR(small, "units");
}

TT_TEST(test_parse_double_matches_strtod) {
  const char *texts[] = {"0", "-0", "1", "2.5", "1e-5", "0.1", "1e22", "0.30000000000000004", "123.456e-7", "1E+2",
                         "-1234567890123456", "0.0000000000000000000001", "65536", "4294967296"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    double ours = tt__parse_double(texts[i], strlen(texts[i])), theirs = strtod(texts[i], NULL);
    if (ours != theirs) fprintf(stderr, "  %s: %.17g vs strtod %.17g\n", texts[i], ours, theirs);
    CHECK(ours == theirs);
  }
  /* beyond the exact range: within a few ulps */
  CHECK_NEAR(tt__parse_double("1e23", 4), 1e23, 1e-15);
  CHECK_NEAR(tt__parse_double("2.2250738585072014e-308", 23) / 2.2250738585072014e-308, 1, 1e-14);
  CHECK_NEAR(tt__parse_double("1.5e300", 7), 1.5e300, 1e-14 * 1.5e300);
  CHECK_NEAR(tt__parse_double("123456789012345678901234", 24), 123456789012345678901234.0, 1e-15);
}

int main(void) {
  TT_RUN(test_format_matches_libc_printf);
  TT_RUN(test_format_truncates_and_reports_full_length);
  TT_RUN(test_parse_double_matches_strtod);
  return TT_SUMMARY();
}
