/* tt__snprintf and tt__parse_double (src/core/format.c) against libc on the values error messages and headers
 * print and parse. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
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

/* Up to 2^53 with a decimal exponent within +-22, parsing is one correctly rounded IEEE operation (the power of
 * ten comes from pow10i's binary powering, exact up to 1e22): bit-identical to strtod. */
TT_TEST(test_parse_double_is_exact_with_exponents_to_22) {
  const char *mantissas[] = {"1", "7", "123456789", "9007199254740991", "25"};
  char text[64];
  for (size_t m = 0; m < sizeof mantissas / sizeof mantissas[0]; m++)
    for (int e = -22; e <= 22; e++) {
      snprintf(text, sizeof text, "%se%d", mantissas[m], e);
      double ours = tt__parse_double(text, strlen(text)), theirs = strtod(text, NULL);
      if (ours != theirs) {
        fprintf(stderr, "%s: parsed %.17g, strtod %.17g\n", text, ours, theirs);
        CHECK(ours == theirs);
      }
    }
}

/* %g's decimal exponent comes from the binary exponent field (subnormals from the fraction's bit length): every
 * binary exponent, normal and subnormal, prints as libc does. */
TT_TEST(test_format_g_across_every_binary_exponent) {
  char ours[64], theirs[64];
  for (int k = -1074; k <= 1023; k++) {
    double v = ldexp(1.2345678901, k);
    if (v == 0) continue;
    tt__snprintf(ours, sizeof ours, "%.10g|%g", v, -v);
    snprintf(theirs, sizeof theirs, "%.10g|%g", v, -v);
    if (strcmp(ours, theirs)) {
      fprintf(stderr, "2^%d: %s, libc %s\n", k, ours, theirs);
      CHECK_STR(ours, theirs);
      break;
    }
  }
}

/* Integers of every width and signedness the library prints, at their extremes. */
TT_TEST(test_format_integers_of_every_width) {
  char ours[256], theirs[256];
  const char *fmt = "%d %d %u %i %ld %lu %lld %llu %llu %zu %zd %x %04x %lld";
  tt__snprintf(ours, sizeof ours, fmt, INT_MIN, INT_MAX, UINT_MAX, -1, LONG_MIN, ULONG_MAX, LLONG_MIN, ULLONG_MAX,
               0ull, SIZE_MAX, (ptrdiff_t)-7, 0xdeadbeefu, 0x1fu, -5000000000000ll);
  snprintf(theirs, sizeof theirs, fmt, INT_MIN, INT_MAX, UINT_MAX, -1, LONG_MIN, ULONG_MAX, LLONG_MIN, ULLONG_MAX,
           0ull, SIZE_MAX, (ptrdiff_t)-7, 0xdeadbeefu, 0x1fu, -5000000000000ll);
  CHECK_STR(ours, theirs);
}

int main(void) {
  TT_RUN(test_format_matches_libc_printf);
  TT_RUN(test_format_truncates_and_reports_full_length);
  TT_RUN(test_parse_double_matches_strtod);
  TT_RUN(test_parse_double_is_exact_with_exponents_to_22);
  TT_RUN(test_format_g_across_every_binary_exponent);
  TT_RUN(test_format_integers_of_every_width);
  return TT_SUMMARY();
}
