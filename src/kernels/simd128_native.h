/* The subset of clang's <wasm_simd128.h> that src/kernels/wasmsimd/ uses, on GCC/clang generic vectors, so the
 * SIMD128 twins compile natively (-DTT_NATIVE_SIMD; included through kernels/simd128.h). No x86 intrinsics: the
 * compiler lowers the vector types to SSE/AVX with -msse4.1 / -mavx2, to NEON on arm64, or to scalar code.
 * Each op has wasm's exact semantics, so the twins stay bit-identical to the scalar kernels natively too:
 * comparisons give all-ones/zero lane masks, pmax is `a < b ? b : a`, trunc_sat saturates and maps NaN to 0,
 * shifts take the count modulo the lane width, integer lanes wrap, and loads/stores are unaligned (memcpy). */
#ifndef TT_SIMD128_NATIVE_H
#define TT_SIMD128_NATIVE_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#if !defined(__GNUC__)
#error "kernels/simd128_native.h needs GCC or clang vector extensions"
#endif

/* v128_t is 4 x int32 as in wasm_simd128.h; the ops reinterpret it (a vector cast is a bit copy). */
typedef int32_t v128_t __attribute__((vector_size(16), aligned(16)));
typedef uint32_t tt__u32x4 __attribute__((vector_size(16)));
typedef uint64_t tt__u64x2 __attribute__((vector_size(16)));
typedef float tt__f32x4 __attribute__((vector_size(16)));
typedef double tt__f64x2 __attribute__((vector_size(16)));
typedef int16_t tt__i16x8 __attribute__((vector_size(16)));

#define TT__SIMD static inline __attribute__((always_inline))

/* ---- memory: unaligned, and no aliasing assumptions (memcpy compiles to one vector move) ---- */
TT__SIMD v128_t wasm_v128_load(const void *p) {
  v128_t v;
  memcpy(&v, p, sizeof v);
  return v;
}
TT__SIMD void wasm_v128_store(void *p, v128_t v) { memcpy(p, &v, sizeof v); }
/* 8 int8 sign-extended to 8 int16 lanes */
TT__SIMD v128_t wasm_i16x8_load8x8(const void *p) {
  int8_t b[8];
  memcpy(b, p, sizeof b);
  return (v128_t)(tt__i16x8){b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]};
}
TT__SIMD v128_t wasm_v128_load32_splat(const void *p) {
  int32_t x;
  memcpy(&x, p, sizeof x);
  return (v128_t){x, x, x, x};
}
/* 64-bit halves: load into the low half (high half zero), replace half `i`, store half `i` */
TT__SIMD v128_t wasm_v128_load64_zero(const void *p) {
  uint64_t x;
  memcpy(&x, p, sizeof x);
  return (v128_t)(tt__u64x2){x, 0};
}
TT__SIMD v128_t wasm_v128_load64_lane(const void *p, v128_t v, int i) {
  tt__u64x2 h = (tt__u64x2)v;
  uint64_t x;
  memcpy(&x, p, sizeof x);
  h[i] = x;
  return (v128_t)h;
}
TT__SIMD void wasm_v128_store64_lane(void *p, v128_t v, int i) {
  const uint64_t x = ((tt__u64x2)v)[i];
  memcpy(p, &x, sizeof x);
}

/* ---- bitwise ---- */
TT__SIMD v128_t wasm_v128_and(v128_t a, v128_t b) { return a & b; }
TT__SIMD v128_t wasm_v128_or(v128_t a, v128_t b) { return a | b; }
/* bits of a where mask is 1, of b where it is 0 */
TT__SIMD v128_t wasm_v128_bitselect(v128_t a, v128_t b, v128_t mask) { return (a & mask) | (b & ~mask); }
TT__SIMD _Bool wasm_v128_any_true(v128_t a) {
  const tt__u64x2 h = (tt__u64x2)a;
  return (h[0] | h[1]) != 0;
}

/* ---- f32x4 ---- */
TT__SIMD v128_t wasm_f32x4_splat(float x) { return (v128_t)(tt__f32x4){x, x, x, x}; }
TT__SIMD v128_t wasm_f32x4_make(float a, float b, float c, float d) { return (v128_t)(tt__f32x4){a, b, c, d}; }
TT__SIMD float wasm_f32x4_extract_lane(v128_t a, int i) { return ((tt__f32x4)a)[i]; }
TT__SIMD v128_t wasm_f32x4_add(v128_t a, v128_t b) { return (v128_t)((tt__f32x4)a + (tt__f32x4)b); }
TT__SIMD v128_t wasm_f32x4_sub(v128_t a, v128_t b) { return (v128_t)((tt__f32x4)a - (tt__f32x4)b); }
TT__SIMD v128_t wasm_f32x4_mul(v128_t a, v128_t b) { return (v128_t)((tt__f32x4)a * (tt__f32x4)b); }
TT__SIMD v128_t wasm_f32x4_div(v128_t a, v128_t b) { return (v128_t)((tt__f32x4)a / (tt__f32x4)b); }
/* Comparisons: a vector comparison already yields -1 (all ones) / 0 per lane; != is true on NaN like wasm's ne. */
TT__SIMD v128_t wasm_f32x4_eq(v128_t a, v128_t b) { return (v128_t)((tt__f32x4)a == (tt__f32x4)b); }
TT__SIMD v128_t wasm_f32x4_ne(v128_t a, v128_t b) { return (v128_t)((tt__f32x4)a != (tt__f32x4)b); }
TT__SIMD v128_t wasm_f32x4_lt(v128_t a, v128_t b) { return (v128_t)((tt__f32x4)a < (tt__f32x4)b); }
TT__SIMD v128_t wasm_f32x4_gt(v128_t a, v128_t b) { return (v128_t)((tt__f32x4)a > (tt__f32x4)b); }
TT__SIMD v128_t wasm_f32x4_ge(v128_t a, v128_t b) { return (v128_t)((tt__f32x4)a >= (tt__f32x4)b); }
/* pseudo-max as the wasm spec defines it: a < b ? b : a per lane (a when either is NaN), a compare and a blend */
TT__SIMD v128_t wasm_f32x4_pmax(v128_t a, v128_t b) { return wasm_v128_bitselect(b, a, wasm_f32x4_lt(a, b)); }
/* pseudo-min: b < a ? b : a per lane (a when either is NaN) */
TT__SIMD v128_t wasm_f32x4_pmin(v128_t a, v128_t b) { return wasm_v128_bitselect(b, a, wasm_f32x4_lt(b, a)); }
TT__SIMD v128_t wasm_f32x4_abs(v128_t a) { return a & (v128_t){0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff}; }
/* Lane by lane through libm (correctly rounded sqrt; floor is exact); GCC emits sqrtps/roundps where it can. */
TT__SIMD v128_t wasm_f32x4_sqrt(v128_t a) {
  const tt__f32x4 f = (tt__f32x4)a;
  return (v128_t)(tt__f32x4){sqrtf(f[0]), sqrtf(f[1]), sqrtf(f[2]), sqrtf(f[3])};
}
TT__SIMD v128_t wasm_f32x4_floor(v128_t a) {
  const tt__f32x4 f = (tt__f32x4)a;
  return (v128_t)(tt__f32x4){floorf(f[0]), floorf(f[1]), floorf(f[2]), floorf(f[3])};
}
/* to the nearest integer, ties to even (rintf in the default rounding mode) */
TT__SIMD v128_t wasm_f32x4_nearest(v128_t a) {
  const tt__f32x4 f = (tt__f32x4)a;
  return (v128_t)(tt__f32x4){rintf(f[0]), rintf(f[1]), rintf(f[2]), rintf(f[3])};
}

/* ---- i16x8 ---- */
/* the lanes of a then b, each clamped to [-32768, 32767] */
TT__SIMD v128_t wasm_i16x8_narrow_i32x4(v128_t a, v128_t b) {
  tt__i16x8 r;
  for (int i = 0; i < 8; i++) {
    const int32_t v = i < 4 ? a[i] : b[i - 4];
    r[i] = (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
  }
  return (v128_t)r;
}
/* lane i = a[2i]·b[2i] + a[2i+1]·b[2i+1] of the int16 lanes, wrapping (only -32768² twice does) */
TT__SIMD v128_t wasm_i32x4_dot_i16x8(v128_t a, v128_t b) {
  const tt__i16x8 x = (tt__i16x8)a, y = (tt__i16x8)b;
  v128_t r;
  for (int i = 0; i < 4; i++)
    r[i] = (int32_t)((uint32_t)(x[2 * i] * y[2 * i]) + (uint32_t)(x[2 * i + 1] * y[2 * i + 1]));
  return r;
}

/* ---- i32x4: integer lanes wrap (computed unsigned: signed overflow would be undefined in C) ---- */
TT__SIMD v128_t wasm_i32x4_splat(int32_t x) { return (v128_t){x, x, x, x}; }
TT__SIMD v128_t wasm_i32x4_add(v128_t a, v128_t b) { return (v128_t)((tt__u32x4)a + (tt__u32x4)b); }
TT__SIMD v128_t wasm_i32x4_shl(v128_t a, uint32_t n) { return (v128_t)((tt__u32x4)a << (n & 31)); }
/* Lanes 0-3 of a and 4-7 of b, by constant indices (the shuffle is resolved at compile time). */
#define wasm_i32x4_shuffle(a, b, c0, c1, c2, c3) \
  ((v128_t)__builtin_shufflevector((v128_t)(a), (v128_t)(b), c0, c1, c2, c3))
/* float -> int32 toward zero, saturating at INT32_MIN/INT32_MAX, NaN -> 0. The plain conversion is only defined
 * in range, so lanes are clamped to [-2^31, largest float below 2^31] first and the >= 2^31 ones patched. */
TT__SIMD v128_t wasm_i32x4_trunc_sat_f32x4(v128_t a) {
  const v128_t lo = wasm_f32x4_splat(-2147483648.0f), hi = wasm_f32x4_splat(2147483520.0f);
  v128_t c = wasm_v128_bitselect(lo, a, wasm_f32x4_lt(a, lo));
  c = wasm_v128_bitselect(hi, c, wasm_f32x4_gt(c, hi));
  c = c & wasm_f32x4_eq(a, a);  // NaN lanes -> +0.0f
  const v128_t r = __builtin_convertvector((tt__f32x4)c, v128_t);
  return wasm_v128_bitselect(wasm_i32x4_splat(INT32_MAX), r, wasm_f32x4_ge(a, wasm_f32x4_splat(2147483648.0f)));
}

/* int32 -> float, rounded to nearest like C's (float) cast */
TT__SIMD v128_t wasm_f32x4_convert_i32x4(v128_t a) { return (v128_t)__builtin_convertvector(a, tt__f32x4); }

/* ---- f64x2 ---- */
TT__SIMD v128_t wasm_f64x2_splat(double x) { return (v128_t)(tt__f64x2){x, x}; }
TT__SIMD v128_t wasm_f64x2_add(v128_t a, v128_t b) { return (v128_t)((tt__f64x2)a + (tt__f64x2)b); }
TT__SIMD v128_t wasm_f64x2_mul(v128_t a, v128_t b) { return (v128_t)((tt__f64x2)a * (tt__f64x2)b); }
TT__SIMD v128_t wasm_f64x2_promote_low_f32x4(v128_t a) {
  const tt__f32x4 f = (tt__f32x4)a;
  return (v128_t)(tt__f64x2){f[0], f[1]};
}
TT__SIMD double wasm_f64x2_extract_lane(v128_t a, int i) { return ((tt__f64x2)a)[i]; }

#undef TT__SIMD
#endif
