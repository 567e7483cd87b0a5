/* sin and cos on [-pi, pi] by Taylor series. libm's versions carry a large-argument reduction (__rem_pio2_large)
 * that would be the biggest single function in the wasm module; the library only needs angles in this range
 * (the cosine schedule, image rotation). Error below 1e-12. */
#include <math.h>

#include "core.h"

void tt__sincos(double x, double *s, double *c) {
  TT_ASSERT(fabs(x) <= 3.2);
  /* fold into [-pi/2, pi/2] where the series converges fast: sin(pi - x) = sin x, cos(pi - x) = -cos x */
  double sign = 1;
  if (x > 1.5707963267948966) x = 3.141592653589793 - x, sign = -1;
  else if (x < -1.5707963267948966) x = -3.141592653589793 - x, sign = -1;
  double x2 = x * x, term_s = x, term_c = 1, sum_s = x, sum_c = 1;
  for (int k = 1; k <= 10; k++) {
    term_s *= -x2 / ((2 * k) * (2 * k + 1));
    term_c *= -x2 / ((2 * k - 1) * (2 * k));
    sum_s += term_s;
    sum_c += term_c;
  }
  *s = sum_s;
  *c = sign * sum_c;
}
