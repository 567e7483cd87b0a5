/* WebAssembly SIMD128 twins of ../scalar/layernorm.c, 4 features at a time with a scalar tail. The row sums run
 * in other orders than the reference (the mean and variance in two f64x2 accumulators, the backward pass's means
 * in four float lanes); every element-wise step is the reference's float operations in its order, so given the
 * same row statistics y, dgamma, dbeta and dx are the reference's bit for bit. */
#include <math.h>

#include "kernels/simd128.h"
#include "kernels/kernels.h"

/* Σ of a vector's 4 lanes, as two doubles added to lo and hi. */
static void add_f64(v128_t *lo, v128_t *hi, v128_t v) {
  *lo = wasm_f64x2_add(*lo, wasm_f64x2_promote_low_f32x4(v));
  *hi = wasm_f64x2_add(*hi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
}

static double lanes_f64(v128_t lo, v128_t hi) {
  return (wasm_f64x2_extract_lane(lo, 0) + wasm_f64x2_extract_lane(lo, 1)) +
         (wasm_f64x2_extract_lane(hi, 0) + wasm_f64x2_extract_lane(hi, 1));
}

static float lanes_f32(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

void tt_f32_layernorm__wasmsimd(float *y, float *stats, const float *x, const float *gamma, const float *beta,
                                int rows, int D, float eps) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (size_t)r * D;
    float *yr = y + (size_t)r * D;
    v128_t lo = wasm_f64x2_splat(0.0), hi = lo;
    int i = 0;
    for (; i + 4 <= D; i += 4) add_f64(&lo, &hi, wasm_v128_load(xr + i));
    double sum = lanes_f64(lo, hi);
    for (; i < D; i++) sum += xr[i];
    double mean = sum / D;
    // Σ (x - mean)² in double: each lane's x - mean as x + (-mean), the same double as the reference's
    const v128_t neg_mean = wasm_f64x2_splat(-mean);
    lo = hi = wasm_f64x2_splat(0.0);
    for (i = 0; i + 4 <= D; i += 4) {
      v128_t v = wasm_v128_load(xr + i);
      v128_t a = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(v), neg_mean);
      v128_t b = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)), neg_mean);
      lo = wasm_f64x2_add(lo, wasm_f64x2_mul(a, a));
      hi = wasm_f64x2_add(hi, wasm_f64x2_mul(b, b));
    }
    double sq = lanes_f64(lo, hi);
    for (; i < D; i++) sq += (xr[i] - mean) * (xr[i] - mean);
    float rstd = (float)(1.0 / sqrt(sq / D + (double)eps)), m = (float)mean;
    const v128_t vm = wasm_f32x4_splat(m), vr = wasm_f32x4_splat(rstd);
    for (i = 0; i + 4 <= D; i += 4) {
      v128_t t = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), vm), vr),
                                wasm_v128_load(gamma + i));
      wasm_v128_store(yr + i, wasm_f32x4_add(t, wasm_v128_load(beta + i)));
    }
    for (; i < D; i++) yr[i] = (xr[i] - m) * rstd * gamma[i] + beta[i];
    stats[2 * r] = m;
    stats[2 * r + 1] = rstd;
  }
}

void tt_f32_layernorm_backward__wasmsimd(float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                                         const float *stats, const float *gamma, int rows, int D) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (size_t)r * D, *dyr = dy + (size_t)r * D;
    float m = stats[2 * r], rstd = stats[2 * r + 1];
    const v128_t vm = wasm_f32x4_splat(m), vr = wasm_f32x4_splat(rstd);
    v128_t sdn = wasm_f32x4_splat(0.0f), sdnx = sdn;
    int i = 0;
    for (; i + 4 <= D; i += 4) {
      v128_t g = wasm_v128_load(dyr + i);
      v128_t xhat = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), vm), vr);
      v128_t dn = wasm_f32x4_mul(g, wasm_v128_load(gamma + i));
      wasm_v128_store(dgamma + i, wasm_f32x4_add(wasm_v128_load(dgamma + i), wasm_f32x4_mul(g, xhat)));
      wasm_v128_store(dbeta + i, wasm_f32x4_add(wasm_v128_load(dbeta + i), g));
      sdn = wasm_f32x4_add(sdn, dn);
      sdnx = wasm_f32x4_add(sdnx, wasm_f32x4_mul(dn, xhat));
    }
    float mean_dn = lanes_f32(sdn), mean_dnx = lanes_f32(sdnx);
    int tail = i;
    for (; i < D; i++) {
      float xhat = (xr[i] - m) * rstd, dn = dyr[i] * gamma[i];
      dgamma[i] += dyr[i] * xhat;
      dbeta[i] += dyr[i];
      mean_dn += dn;
      mean_dnx += dn * xhat;
    }
    if (!dx) continue;
    mean_dn /= (float)D;
    mean_dnx /= (float)D;
    float *dxr = dx + (size_t)r * D;
    const v128_t vdn = wasm_f32x4_splat(mean_dn), vdnx = wasm_f32x4_splat(mean_dnx);
    for (i = 0; i + 4 <= D; i += 4) {
      v128_t xhat = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), vm), vr);
      v128_t t = wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(dyr + i), wasm_v128_load(gamma + i)), vdn);
      wasm_v128_store(dxr + i, wasm_f32x4_mul(vr, wasm_f32x4_sub(t, wasm_f32x4_mul(xhat, vdnx))));
    }
    for (i = tail; i < D; i++) {
      float xhat = (xr[i] - m) * rstd;
      dxr[i] = rstd * (dyr[i] * gamma[i] - mean_dn - xhat * mean_dnx);
    }
  }
}
