/* A small snprintf for error messages and file headers, and a decimal-to-double conversion for the JSON reader.
 * libc's printf and strtod drag long-double (f128 software) code into the wasm module, about half of its size;
 * these cover what the library needs in a few hundred bytes.
 *
 * Formats: %% %c %s %.Ns %.*s %d %i %u %x (with 0-padded width, e.g. %04x) and the l, ll, z length modifiers,
 * %g %.Ng %.*g (up to 15 significant digits), %f %.Nf. Doubles print to within one unit in the last printed
 * digit; the output is always NUL-terminated and the return value is the length it would have had. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "core.h"

typedef struct {
  char *buf;
  size_t len, at;
} out;

static void put(out *o, char c) {
  if (o->at + 1 < o->len) o->buf[o->at] = c;
  o->at++;
}

static void put_str(out *o, const char *s, size_t max) {
  for (size_t i = 0; i < max && s[i]; i++) put(o, s[i]);
}

static void put_uint(out *o, uint64_t v, unsigned base, int width) {
  char digits[24];
  int n = 0;
  do digits[n++] = "0123456789abcdef"[v % base], v /= base; while (v);
  while (width-- > n) put(o, '0');
  while (n) put(o, digits[--n]);
}

/* 10^e by binary powering: exact up to 10^22, within a few ulps beyond (libm's pow and log10 would add a few
 * KiB of tables to the wasm module). */
static double pow10i(int e) {
  double r = 1, base = 10;
  for (int n = e < 0 ? -e : e; n; n >>= 1, base *= base)
    if (n & 1) r *= base;
  return e < 0 ? 1 / r : r;
}

/* floor(log10(v)) for finite v > 0. */
static int decimal_exponent(double v) {
  /* v = m * 2^e2 with m in [0.5, 1), as frexp would say (without linking libm's frexp): the biased exponent
   * field, or for subnormals (field 0) the bit length of the fraction */
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  int e2 = (int)(bits >> 52) - 1022;
  if (e2 == -1022) e2 = -1074 + (64 - __builtin_clzll(bits));
  int e = (int)floor((e2 - 1) * 0.30102999566398120); /* log10(2): at most one too small */
  if (e > -300 && v >= pow10i(e + 1)) e++;
  else if (e <= -300 && v * 1e300 >= pow10i(e + 301)) e++;
  return e;
}

/* The first `sig` significant decimal digits of v > 0 as an integer, and the decimal exponent of the first. */
static uint64_t significant_digits(double v, int sig, int *exp10) {
  int e = decimal_exponent(v);
  int shift = sig - 1 - e;
  double scaled = shift > 300 ? v * 1e300 * pow10i(shift - 300) : v * pow10i(shift); /* subnormals */
  uint64_t d = (uint64_t)rint(scaled); /* ties to even, as printf does for exact halves */
  uint64_t limit = 1;
  for (int i = 0; i < sig; i++) limit *= 10;
  if (d >= limit) d = (d + 5) / 10, e++; /* log10 rounding put us one digit short */
  if (d < limit / 10) d *= 10, e--;
  *exp10 = e;
  return d;
}

static void put_g(out *o, double v, int precision) {
  if (isnan(v)) return put_str(o, "nan", 3);
  if (v < 0 || (v == 0 && signbit(v))) put(o, '-'), v = -v;
  if (isinf(v)) return put_str(o, "inf", 3);
  if (v == 0) return put(o, '0');
  if (precision < 1) precision = 1;
  if (precision > 15) precision = 15; /* what the double arithmetic above gets right */
  int e;
  uint64_t d = significant_digits(v, precision, &e);
  char digits[20];
  int n = precision;
  for (int i = n - 1; i >= 0; i--) digits[i] = (char)('0' + d % 10), d /= 10;
  while (n > 1 && digits[n - 1] == '0') n--; /* %g drops trailing zeros */
  if (e < -4 || e >= precision) { /* scientific: d.ddde±XX */
    put(o, digits[0]);
    if (n > 1) put(o, '.'), put_str(o, digits + 1, (size_t)n - 1);
    put(o, 'e');
    put(o, e < 0 ? '-' : '+');
    put_uint(o, (uint64_t)(e < 0 ? -e : e), 10, 2);
  } else if (e < 0) { /* 0.000ddd */
    put(o, '0'), put(o, '.');
    for (int i = -1; i > e; i--) put(o, '0');
    put_str(o, digits, (size_t)n);
  } else { /* ddd.ddd */
    for (int i = 0; i <= e; i++) put(o, i < n ? digits[i] : '0');
    if (n > e + 1) put(o, '.'), put_str(o, digits + e + 1, (size_t)(n - e - 1));
  }
}

static void put_f(out *o, double v, int precision) {
  if (isnan(v)) return put_str(o, "nan", 3);
  if (v < 0) put(o, '-'), v = -v;
  if (isinf(v)) return put_str(o, "inf", 3);
  if (precision > 9) precision = 9;
  double scale = pow10i(precision);
  if (v * scale >= 1.8e19) return put_g(o, v, 17); /* beyond uint64: rare, and still readable */
  uint64_t x = (uint64_t)rint(v * scale), unit = (uint64_t)scale;
  put_uint(o, x / unit, 10, 1);
  if (precision) put(o, '.'), put_uint(o, x % unit, 10, precision);
}

int tt__vsnprintf(char *buf, size_t len, const char *fmt, va_list ap) {
  out o = {buf, len, 0};
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') { put(&o, *p); continue; }
    p++;
    int width = 0, precision = -1, longs = 0, size_t_arg = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    if (*p == '.') {
      p++;
      if (*p == '*') precision = va_arg(ap, int), p++;
      else for (precision = 0; *p >= '0' && *p <= '9'; p++) precision = precision * 10 + (*p - '0');
    }
    for (; *p == 'l' || *p == 'z'; p++) longs += *p == 'l', size_t_arg |= *p == 'z';
    switch (*p) {
      case '%': put(&o, '%'); break;
      case 'c': put(&o, (char)va_arg(ap, int)); break;
      case 's': put_str(&o, va_arg(ap, const char *), precision < 0 ? SIZE_MAX : (size_t)precision); break;
      case 'd': case 'i': case 'u': case 'x': {
        /* one read per argument width, not per type: 64 bits for ll, and for l or z where long or size_t have 64
         * (natively; on wasm32 only ll), else 32 bits, sign-extended for %d */
        int is_signed = *p == 'd' || *p == 'i';
        uint64_t v;
        if (longs > 1 || (longs && sizeof(long) == 8) || (size_t_arg && sizeof(size_t) == 8))
          v = va_arg(ap, unsigned long long);
        else
          v = is_signed ? (uint64_t)(int64_t)va_arg(ap, int) : va_arg(ap, unsigned);
        if (is_signed && (int64_t)v < 0) put(&o, '-'), v = -v;
        put_uint(&o, v, *p == 'x' ? 16 : 10, width);
        break;
      }
      case 'g': put_g(&o, va_arg(ap, double), precision < 0 ? 6 : precision); break;
      case 'f': put_f(&o, va_arg(ap, double), precision < 0 ? 6 : precision); break;
      default: put(&o, '%'), put(&o, *p); /* not supported: shown as written, never a trap on an error path */
    }
    if (!*p) break;
  }
  if (len) buf[o.at < len ? o.at : len - 1] = '\0';
  return (int)o.at;
}

int tt__snprintf(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = tt__vsnprintf(buf, len, fmt, ap);
  va_end(ap);
  return n;
}

/* Exact when the digits fit in 2^53 and the decimal exponent is within ±22 (both factors are then exact
 * doubles and one IEEE operation rounds correctly): every number a spec or a safetensors header holds in
 * practice. Otherwise within a few ulps, which no spec field can tell apart. */
double tt__parse_double(const char *s, size_t len) {
  size_t i = 0;
  int negative = i < len && s[i] == '-';
  i += (size_t)negative;
  uint64_t mantissa = 0;
  int digits = 0, exp10 = 0;
  for (int fraction = 0; i < len; i++) {
    if (s[i] == '.') { fraction = 1; continue; }
    if (s[i] < '0' || s[i] > '9') break;
    if (digits < 19) { /* keep 19 significant digits; later ones only move the exponent */
      mantissa = mantissa * 10 + (uint64_t)(s[i] - '0');
      digits += mantissa != 0;
      exp10 -= fraction;
    } else {
      exp10 += !fraction;
    }
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    int exp_negative = i < len && s[i] == '-';
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    int e = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) e = e < 100000 ? e * 10 + (s[i] - '0') : e;
    exp10 += exp_negative ? -e : e;
  }
  double v;
  if (mantissa == 0) v = 0;
  else if (mantissa < (1ull << 53) && exp10 >= -22 && exp10 <= 22)
    /* pow10i is exact here: every partial product is a power of ten <= 1e22 (5^22 < 2^53) */
    v = exp10 >= 0 ? (double)mantissa * pow10i(exp10) : (double)mantissa / pow10i(-exp10);
  else if (exp10 < -300) /* keep the intermediate power out of the subnormal range */
    v = (double)mantissa * 1e-300 * pow10i(exp10 + 300);
  else
    v = (double)mantissa * pow10i(exp10);
  return negative ? -v : v;
}
