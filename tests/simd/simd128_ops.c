/* Every wasm_* op the SIMD twins use, on edge-case lanes (±0, ±inf, NaN, subnormals, halves, the int32 limits),
 * one hash line per op. simd.mk builds this twice, with emcc -msimd128 (clang's real wasm_simd128.h, run by node)
 * and natively with -DTT_NATIVE_SIMD (kernels/simd128_native.h), and diffs the two outputs: any line that differs
 * names an op whose native semantics are not wasm's. NaN lanes computed by arithmetic are hashed as one canonical
 * NaN (wasm leaves their sign and payload open); ops that only select or mask bits are hashed bit for bit. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "kernels/simd128.h"

static const float E[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -1.5f, 2.5f, -2.5f, 0.49999997f, 1e-45f, -1e-40f, 3.4e38f,
                          __builtin_inff(), -__builtin_inff(), __builtin_nanf(""), -__builtin_nanf(""),
                          2147483520.0f, 2147483648.0f, -2147483648.0f, -2147483904.0f, 3e9f, -3e9f, 7.0f, -0.75f};
#define NE ((int)(sizeof E / sizeof E[0]))

static uint64_t h;
static void mix(uint32_t x) { h = (h ^ x) * 0x100000001B3ull; }
static void mix_bits(v128_t v) {  // exact bits of 4 lanes
  uint32_t u[4];
  wasm_v128_store(u, v);
  for (int i = 0; i < 4; i++) mix(u[i]);
}
static void mix_f32(v128_t v) {  // float lanes, NaN canonical
  float f[4];
  wasm_v128_store(f, v);
  for (int i = 0; i < 4; i++) {
    uint32_t u;
    memcpy(&u, &f[i], 4);
    mix(f[i] != f[i] ? 0x7fc00000u : u);
  }
}
static void mix_f64(v128_t v) {
  double d[2] = {wasm_f64x2_extract_lane(v, 0), wasm_f64x2_extract_lane(v, 1)};
  for (int i = 0; i < 2; i++) {
    uint64_t u;
    memcpy(&u, &d[i], 8);
    if (d[i] != d[i]) u = 0x7ff8000000000000ull;
    mix((uint32_t)u), mix((uint32_t)(u >> 32));
  }
}
static v128_t vec(int i) { return wasm_f32x4_make(E[i % NE], E[(i + 5) % NE], E[(i + 11) % NE], E[(i + 17) % NE]); }
static void report(const char *op) {
  printf("%-26s %016llx\n", op, (unsigned long long)h);
  h = 0xcbf29ce484222325ull;
}

int main(void) {
  h = 0xcbf29ce484222325ull;
  float buf[12];
  for (int i = 0; i < 12; i++) buf[i] = E[i];
  // loads and stores at every float offset (unaligned)
  for (int o = 0; o < 8; o++) mix_bits(wasm_v128_load(buf + o)), mix_bits(wasm_v128_load32_splat(buf + o));
  report("load/load32_splat");
  for (int o = 0; o < 8; o++) {
    mix_bits(wasm_v128_load64_zero(buf + o)), mix_bits(wasm_v128_load64_lane(buf + o, vec(o), 1));
    mix_bits(wasm_v128_load64_lane(buf + o, vec(o), 0));
    float out[4] = {0};
    wasm_v128_store64_lane(out, vec(o), 1), wasm_v128_store64_lane(out + 2, vec(o + 1), 0);
    mix_bits(wasm_v128_load(out));
  }
  report("load64_zero/lane/store64");
  // unary
  for (int i = 0; i < NE; i++) mix_bits(wasm_f32x4_abs(vec(i)));
  report("f32x4_abs");
  for (int i = 0; i < NE; i++) mix_f32(wasm_f32x4_sqrt(vec(i))), mix_f32(wasm_f32x4_floor(vec(i)));
  report("f32x4_sqrt/floor");
  for (int i = 0; i < NE; i++) mix_bits(wasm_i32x4_trunc_sat_f32x4(vec(i)));
  report("i32x4_trunc_sat_f32x4");
  for (int i = 0; i < NE; i++) mix_f64(wasm_f64x2_promote_low_f32x4(vec(i)));
  report("f64x2_promote_low_f32x4");
  for (int i = 0; i < NE; i++) {
    mix_bits(wasm_i32x4_shl(vec(i), (uint32_t)i));  // counts >= 32 are undefined in clang 14's header
    mix(wasm_v128_any_true(vec(i))), mix(wasm_v128_any_true(wasm_v128_and(vec(i), wasm_i32x4_splat(i & 1))));
    mix_bits(wasm_f32x4_splat(E[i])), mix_bits(wasm_i32x4_splat(i * 0x10001 - 7));
    mix_bits(wasm_f32x4_splat(wasm_f32x4_extract_lane(vec(i), 2)));
  }
  report("shl/any_true/splat/extract");
  // binary, on every pair of vectors
  for (int i = 0; i < NE; i++)
    for (int j = 0; j < NE; j++) {
      const v128_t a = vec(i), b = vec(j);
      mix_f32(wasm_f32x4_add(a, b)), mix_f32(wasm_f32x4_sub(a, b)), mix_f32(wasm_f32x4_mul(a, b));
      mix_f32(wasm_f32x4_div(a, b));
    }
  report("f32x4_add/sub/mul/div");
  for (int i = 0; i < NE; i++)
    for (int j = 0; j < NE; j++) {
      const v128_t a = vec(i), b = vec(j);
      mix_bits(wasm_f32x4_eq(a, b)), mix_bits(wasm_f32x4_ne(a, b)), mix_bits(wasm_f32x4_lt(a, b));
      mix_bits(wasm_f32x4_gt(a, b));
    }
  report("f32x4_eq/ne/lt/gt");
  for (int i = 0; i < NE; i++)
    for (int j = 0; j < NE; j++) mix_bits(wasm_f32x4_pmax(vec(i), vec(j)));
  report("f32x4_pmax");
  for (int i = 0; i < NE; i++)
    for (int j = 0; j < NE; j++) mix_bits(wasm_f32x4_pmin(vec(i), vec(j)));
  report("f32x4_pmin");
  for (int i = 0; i < NE; i++)
    for (int j = 0; j < NE; j++) {
      const v128_t a = vec(i), b = vec(j), m = wasm_f32x4_lt(a, b);
      mix_bits(wasm_v128_and(a, b)), mix_bits(wasm_v128_or(a, b)), mix_bits(wasm_v128_bitselect(a, b, m));
      mix_bits(wasm_v128_bitselect(a, b, vec(i + j))), mix_bits(wasm_i32x4_add(a, b));
    }
  report("and/or/bitselect/i32x4_add");
  for (int i = 0; i < NE; i++) {
    const v128_t a = vec(i), b = vec(i + 1);
    mix_bits(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5)), mix_bits(wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
    mix_bits(wasm_i32x4_shuffle(a, b, 0, 1, 4, 5)), mix_bits(wasm_i32x4_shuffle(a, b, 2, 3, 6, 7));
    mix_bits(wasm_i32x4_shuffle(a, b, 0, 2, 4, 6)), mix_bits(wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
    mix_bits(wasm_i32x4_shuffle(a, a, 0, 0, 1, 1)), mix_bits(wasm_i32x4_shuffle(a, a, 2, 3, 0, 1));
  }
  report("i32x4_shuffle");
  for (int i = 0; i < NE; i++) {
    const v128_t a = wasm_f64x2_promote_low_f32x4(vec(i)), b = wasm_f64x2_promote_low_f32x4(vec(i + 3));
    mix_f64(wasm_f64x2_add(a, b)), mix_f64(wasm_f64x2_mul(a, b)), mix_f64(wasm_f64x2_splat((double)E[i] / 3.0));
  }
  report("f64x2_add/mul/splat");
  // int8 inference: rounding, narrowing with saturation, sign-extending loads, int16 dot products (the float
  // vectors' bits as int16 lanes cover 0, -1, the int16 limits and everything between)
  for (int i = 0; i < NE; i++) mix_f32(wasm_f32x4_nearest(vec(i)));
  report("f32x4_nearest");
  for (int i = 0; i < NE; i++) {
    const v128_t a = wasm_i32x4_trunc_sat_f32x4(vec(i)), b = wasm_i32x4_trunc_sat_f32x4(vec(i + 7));
    mix_bits(wasm_i16x8_narrow_i32x4(a, b)), mix_bits(wasm_i16x8_narrow_i32x4(vec(i), vec(i + 2)));
  }
  report("i16x8_narrow_i32x4");
  const signed char bytes[24] = {0, 1, -1, 127, -128, 5, -77, 100, 3, -3, 64, -65, 0, 0, 1, 2, -2, 99, 12, -12, 45};
  for (int o = 0; o < 16; o++) mix_bits(wasm_i16x8_load8x8(bytes + o));
  report("i16x8_load8x8");
  for (int i = 0; i < NE; i++)
    for (int j = 0; j < NE; j++) mix_bits(wasm_i32x4_dot_i16x8(vec(i), vec(j)));
  for (int o = 0; o < 16; o++) mix_bits(wasm_i32x4_dot_i16x8(vec(o), wasm_i16x8_load8x8(bytes + o)));
  report("i32x4_dot_i16x8");
  return 0;
}
