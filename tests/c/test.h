/* A tiny test harness for the native C tests. Each test file defines tests with TT_TEST and lists them in
 * main via TT_RUN; failures print file, line and the values involved; main ends with TT_SUMMARY(), which prints
 * "<file>: N passed, N failed" and returns non-zero if anything failed. */
#ifndef TT_TEST_H
#define TT_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int tt_test_failed_checks;
static int tt_test_passed, tt_test_failed;

#define TT_TEST(name) static void name(void)

#define TT_RUN(name)                                                           \
  do {                                                                         \
    int before_ = tt_test_failed_checks;                                       \
    name();                                                                    \
    if (tt_test_failed_checks == before_) tt_test_passed++;                    \
    else { tt_test_failed++; fprintf(stderr, "FAILED %s\n", #name); }          \
  } while (0)

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      tt_test_failed_checks++;                                                 \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* |a - b| <= tol * max(1, |b|) */
#define CHECK_NEAR(a, b, tol)                                                                 \
  do {                                                                                        \
    double a_ = (a), b_ = (b), t_ = (tol);                                                    \
    if (!(fabs(a_ - b_) <= t_ * fmax(1.0, fabs(b_)))) {                                       \
      tt_test_failed_checks++;                                                                \
      fprintf(stderr, "%s:%d: %s = %.9g, expected %s = %.9g (tol %g)\n", __FILE__, __LINE__, \
              #a, a_, #b, b_, t_);                                                            \
    }                                                                                         \
  } while (0)

#define CHECK_STR(a, b)                                                                        \
  do {                                                                                         \
    const char *a_ = (a), *b_ = (b);                                                           \
    if (strcmp(a_, b_) != 0) {                                                                 \
      tt_test_failed_checks++;                                                                 \
      fprintf(stderr, "%s:%d: got      \"%s\"\n%*s  expected \"%s\"\n", __FILE__, __LINE__, a_, \
              (int)strlen(__FILE__) + 6, "", b_);                                              \
    }                                                                                          \
  } while (0)

#define TT_SUMMARY()                                                                       \
  (printf("%s: %d passed, %d failed\n", __FILE__, tt_test_passed, tt_test_failed), \
   tt_test_failed ? 1 : 0)

#endif
