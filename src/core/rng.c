/* splitmix64: one 64-bit state, a few instructions per number, and good enough statistical quality for
 * initialisation, shuffling, dropout and augmentation. Same seed, same sequence on every platform. */
#include <math.h>

#include "core.h"

void tt__rng_seed(tt__rng *r, uint64_t seed) { r->state = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull; }

static uint64_t next64(tt__rng *r) {
  uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint32_t tt__rng_u32(tt__rng *r) { return (uint32_t)(next64(r) >> 32); }

float tt__rng_uniform(tt__rng *r) { return (float)(tt__rng_u32(r) >> 8) * (1.0f / 16777216.0f); }

float tt__rng_normal(tt__rng *r) {
  /* Marsaglia's polar method, in double: needs only log and sqrt (no trigonometry in the wasm module). */
  for (;;) {
    double u = (double)(next64(r) >> 11) * (2.0 / 9007199254740992.0) - 1.0; /* [-1, 1) */
    double v = (double)(next64(r) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
    double s = u * u + v * v;
    if (s > 0 && s < 1) return (float)(u * sqrt(-2.0 * log(s) / s));
  }
}

uint32_t tt__rng_below(tt__rng *r, uint32_t n) {
  /* Lemire's multiply-shift with rejection: unbiased. */
  uint64_t m = (uint64_t)tt__rng_u32(r) * n;
  uint32_t low = (uint32_t)m;
  if (low < n) {
    uint32_t threshold = (uint32_t)(-n) % n;
    while (low < threshold) {
      m = (uint64_t)tt__rng_u32(r) * n;
      low = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}
