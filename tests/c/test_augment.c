/* Data augmentation (spec "augment": {"shift", "rotate"}; model.c's augment()) seen through the public API.
 *
 * The augmented batch never leaves the core, so the tests read it back with a probe model whose first update
 * writes its input into the weights: input [1, H, W] -> flatten -> dense 1, mse, plain sgd with lr 0.5. With all
 * parameters set to 0 and target 1, the output is 0, dL/dy = 2 (0 - 1) = -2, so one step gives
 *   W = -0.5 * (-2 * x_aug) = x_aug   and   b = -0.5 * (-2) = 1,
 * exactly in float. One training sample and batch 1 make every step a new epoch and a new random transform,
 * and a one-sample shuffle draws nothing, so the model's RNG feeds the augmentation alone. */
#include <stdlib.h>

#include "test.h"
#include "tinytrain.h"

#define MAX_SIDE 16

typedef struct {
  tt_model *m;
  int h, w;
} probe;

/* A probe for [1, h, w] images with the given augment JSON ("" for none), trained on the one image img. */
static probe probe_create(int h, int w, const char *augment, unsigned seed, const float *img) {
  char spec[512];
  snprintf(spec, sizeof spec,
           "{\"input\": [1, %d, %d], \"layers\": [{\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 1}],"
           " \"loss\": \"mse\", \"optimizer\": {\"type\": \"sgd\", \"lr\": 0.5}, \"seed\": %u%s%s}",
           h, w, seed, *augment ? ", \"augment\": " : "", augment);
  probe p = {tt_model_create(spec, strlen(spec)), h, w};
  if (!p.m) {
    fprintf(stderr, "probe spec rejected: %s\n  %s\n", tt_last_error(), spec);
    return p;
  }
  float one = 1.0f;
  if (tt_model_set_data(p.m, img, &one, 1) != TT_OK) fprintf(stderr, "set_data: %s\n", tt_last_error());
  return p;
}

/* One training step; copies the image the step trained on into out (h * w). Returns 0 on success. */
static int probe_next(probe *p, float *out) {
  size_t n = tt_model_param_count(p->m), hw = (size_t)p->h * p->w;
  float *params = tt_model_params(p->m); // (hw weights, 1 bias)
  memset(params, 0, n * sizeof(float));
  if (tt_model_train_steps(p->m, 1, 1) != TT_OK) {
    fprintf(stderr, "train_steps: %s\n", tt_last_error());
    return 1;
  }
  params = tt_model_params(p->m);
  if (params[hw] != 1.0f) { // the bias must read exactly 1, or the weights are not x_aug
    fprintf(stderr, "probe bias after one step = %.9g, expected 1\n", params[hw]);
    return 1;
  }
  memcpy(out, params, hw * sizeof(float));
  return 0;
}

static double sum_of(const float *img, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += img[i];
  return s;
}

/* Centre of mass (x, y) in pixel indices. */
static void centroid(const float *img, int h, int w, double *cx, double *cy) {
  double s = 0, sx = 0, sy = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) s += img[y * w + x], sx += x * img[y * w + x], sy += y * img[y * w + x];
  *cx = sx / s;
  *cy = sy / s;
}

/* img moved by (dx, dy) whole pixels, zero where nothing comes in: out(y, x) = img(y - dy, x - dx). */
static void shifted(const float *img, int h, int w, int dx, int dy, float *out) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int sy = y - dy, sx = x - dx;
      out[y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? img[sy * w + sx] : 0.0f;
    }
}

/* An interior blob on 8x8 whose values all differ, so the shift that produced a copy of it is unambiguous. */
static void interior_blob(float *img) {
  memset(img, 0, 64 * sizeof(float));
  const float v[3][3] = {{0.25f, 0.5f, 0.125f}, {1.0f, 0.75f, 0.375f}, {0.0625f, 0.875f, 0.625f}};
  for (int y = 0; y < 3; y++)
    for (int x = 0; x < 3; x++) img[(3 + y) * 8 + 2 + x] = v[y][x]; // rows 3..5, cols 2..4: >= 2 from each edge
}

TT_TEST(test_probe_without_augment_reads_back_the_exact_input) {
  float img[64], got[64];
  interior_blob(img);
  probe p = probe_create(8, 8, "", 1, img);
  CHECK(p.m != NULL);
  if (!p.m) return;
  for (int k = 0; k < 3; k++) {
    CHECK(probe_next(&p, got) == 0);
    int diff = 0;
    for (int i = 0; i < 64; i++) diff += got[i] != img[i];
    if (diff) fprintf(stderr, "  step %d: %d of 64 pixels differ from the input\n", k, diff);
    CHECK(diff == 0);
  }
  tt_model_free(p.m);
}

/* Every augmented copy must equal the blob moved by some (dx, dy) with |dx|, |dy| <= shift, exactly (whole-pixel
 * shifts need no interpolation); over many steps every such shift turns up about equally often. */
static void check_whole_pixel_shifts(int shift, int steps) {
  float img[64], got[64], want[64];
  interior_blob(img);
  char aug[64];
  snprintf(aug, sizeof aug, "{\"shift\": %d}", shift);
  probe p = probe_create(8, 8, aug, 7, img);
  CHECK(p.m != NULL);
  if (!p.m) return;
  int side = 2 * shift + 1, seen[5][5] = {{0}}, unmatched = 0;
  double mass = sum_of(img, 64);
  for (int k = 0; k < steps && !probe_next(&p, got); k++) {
    int found = 0;
    for (int dy = -shift; dy <= shift; dy++)
      for (int dx = -shift; dx <= shift; dx++) {
        shifted(img, 8, 8, dx, dy, want);
        if (!memcmp(got, want, sizeof want)) seen[dy + shift][dx + shift]++, found++;
      }
    if (found != 1 && unmatched++ < 3) {
      double cx, cy, bx, by;
      centroid(got, 8, 8, &cx, &cy);
      centroid(img, 8, 8, &bx, &by);
      fprintf(stderr, "  shift %d, step %d: not a whole-pixel shift within %d (mass %.6g of %.6g, centre moved by "
              "(%.3g, %.3g))\n", shift, k, shift, sum_of(got, 64), mass, cx - bx, cy - by);
    }
  }
  CHECK(unmatched == 0);
  // Each of the side^2 shifts is drawn with probability 1/side^2; demand at least half its expected count.
  int rare = 0;
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      if (seen[y][x] < steps / (2 * side * side)) {
        fprintf(stderr, "  shift %d: (dx %d, dy %d) seen %d times in %d steps (expected about %d)\n", shift,
                x - shift, y - shift, seen[y][x], steps, steps / (side * side));
        rare++;
      }
  CHECK(rare == 0);
  tt_model_free(p.m);
}

TT_TEST(test_shift_1_moves_an_interior_blob_by_whole_pixels_and_keeps_its_mass) { check_whole_pixel_shifts(1, 360); }

TT_TEST(test_shift_2_reaches_every_offset_up_to_two_pixels) { check_whole_pixel_shifts(2, 1000); }

TT_TEST(test_shift_fills_with_zeros_and_never_wraps_around) {
  // One lit pixel in the top-left corner of 8x8: it either stays inside (moved right/down) or leaves the image;
  // nothing may appear on the far edges, and no copy has more than one lit pixel.
  float img[64] = {0}, got[64];
  img[0] = 1.0f;
  probe p = probe_create(8, 8, "{\"shift\": 2}", 3, img);
  CHECK(p.m != NULL);
  if (!p.m) return;
  int gone = 0, kept = 0, bad = 0;
  for (int k = 0; k < 200 && !probe_next(&p, got); k++) {
    int lit = 0, at = -1;
    for (int i = 0; i < 64; i++)
      if (got[i] != 0) lit++, at = i;
    if (lit == 0) gone++;
    else if (lit == 1 && got[at] == 1.0f && at / 8 <= 2 && at % 8 <= 2) kept++;
    else if (bad++ < 3) fprintf(stderr, "  step %d: %d lit pixels, last at (row %d, col %d)\n", k, lit, at / 8, at % 8);
  }
  CHECK(bad == 0);
  // P(dx >= 0 and dy >= 0) = (3/5)^2 = 36%: both outcomes must occur often.
  if (gone < 60 || kept < 40) fprintf(stderr, "  the corner pixel stayed %d times and left %d times\n", kept, gone);
  CHECK(gone >= 60 && kept >= 40);
  tt_model_free(p.m);
}

/* A round Gaussian blob (sigma 1) on 15x15, centred r pixels right of the image centre (7, 7). */
TT_TEST(test_train_batch_augments_like_train_steps) {
  float img[64], got[64], want[64], one = 1.0f;
  interior_blob(img);
  probe p = probe_create(8, 8, "{\"shift\": 1}", 7, img);
  CHECK(p.m != NULL);
  if (!p.m) return;
  int moved = 0;
  for (int k = 0; k < 20; k++) {
    float *params = tt_model_params(p.m);
    memset(params, 0, tt_model_param_count(p.m) * sizeof(float));
    CHECK(tt_model_train_batch(p.m, img, &one, 1) == TT_OK);
    memcpy(got, tt_model_params(p.m), sizeof got);
    int whole = 0;
    for (int dy = -1; dy <= 1; dy++)
      for (int dx = -1; dx <= 1; dx++) {
        shifted(img, 8, 8, dx, dy, want);
        whole += !memcmp(got, want, sizeof want);
      }
    CHECK(whole == 1);
    moved += memcmp(got, img, sizeof img) != 0;
  }
  CHECK(moved > 0); /* 8 of 9 draws move the blob: 20 unmoved ones would be a bug */
  tt_model_free(p.m);
}

static void offset_blob(float *img, int r) {
  for (int y = 0; y < 15; y++)
    for (int x = 0; x < 15; x++) {
      double d2 = (x - 7.0 - r) * (x - 7.0 - r) + (y - 7.0) * (y - 7.0);
      img[y * 15 + x] = (float)exp(-0.5 * d2);
    }
}

TT_TEST(test_rotation_turns_about_the_centre_by_at_most_the_limit_and_keeps_mass) {
  float img[225], got[225];
  offset_blob(img, 4);
  double mass = sum_of(img, 225), lo = 1e9, hi = -1e9;
  probe p = probe_create(15, 15, "{\"rotate\": 20}", 11, img);
  CHECK(p.m != NULL);
  if (!p.m) return;
  int bad = 0, steps = 300;
  for (int k = 0; k < steps && !probe_next(&p, got); k++) {
    double cx, cy;
    centroid(got, 15, 15, &cx, &cy);
    // Rotation about the centre keeps the blob's distance from it and turns it by the drawn angle.
    double r = hypot(cx - 7, cy - 7), deg = atan2(cy - 7, cx - 7) * 57.29577951308232, m = sum_of(got, 225);
    lo = fmin(lo, deg), hi = fmax(hi, deg);
    // Bilinear sampling blurs a little: allow 0.1 px of radius, 0.5 degrees, 2% of mass.
    if ((fabs(r - 4) > 0.1 || fabs(deg) > 20.5 || fabs(m - mass) > 0.02 * mass) && bad++ < 3)
      fprintf(stderr, "  step %d: radius %.4f (want 4), angle %.3f deg (limit 20), mass %.4f (want %.4f)\n", k, r,
              deg, m, mass);
  }
  CHECK(bad == 0);
  // Angles are uniform in [-20, 20]: 300 draws come within 2 degrees of both ends.
  if (lo > -18 || hi < 18) fprintf(stderr, "  angles drawn span [%.2f, %.2f] degrees, expected about [-20, 20]\n", lo, hi);
  CHECK(lo <= -18 && hi >= 18);
  tt_model_free(p.m);
}

TT_TEST(test_rotation_keeps_the_centre_pixel_exactly) {
  // The centre of an odd-sized image maps onto itself under any rotation, with no interpolation.
  float img[225] = {0}, got[225];
  img[7 * 15 + 7] = 1.0f;
  probe p = probe_create(15, 15, "{\"rotate\": 45}", 5, img);
  CHECK(p.m != NULL);
  if (!p.m) return;
  for (int k = 0; k < 20 && !probe_next(&p, got); k++) {
    if (got[7 * 15 + 7] != 1.0f) fprintf(stderr, "  step %d: centre pixel %.9g, expected 1\n", k, got[7 * 15 + 7]);
    CHECK(got[7 * 15 + 7] == 1.0f);
  }
  tt_model_free(p.m);
}

TT_TEST(test_shift_and_rotation_together_move_a_central_blob_by_at_most_the_shift) {
  float img[225], got[225];
  offset_blob(img, 0); // centred: rotation alone leaves its centre where it is
  probe p = probe_create(15, 15, "{\"shift\": 2, \"rotate\": 10}", 13, img);
  CHECK(p.m != NULL);
  if (!p.m) return;
  int bad = 0, moved = 0;
  for (int k = 0; k < 200 && !probe_next(&p, got); k++) {
    double cx, cy;
    centroid(got, 15, 15, &cx, &cy);
    // The shift is whole pixels; the centroid sits within 0.05 px of one of them.
    double ex = cx - 7, ey = cy - 7, rx = round(ex), ry = round(ey);
    if (fabs(rx) > 2 || fabs(ry) > 2 || fabs(ex - rx) > 0.05 || fabs(ey - ry) > 0.05) {
      if (bad++ < 3) fprintf(stderr, "  step %d: centre moved by (%.4f, %.4f)\n", k, ex, ey);
    }
    moved += rx != 0 || ry != 0;
  }
  CHECK(bad == 0);
  CHECK(moved > 100); // 24 of 25 shifts move it
  tt_model_free(p.m);
}

/* ---- determinism on a real model ---------------------------------------------------------------------------- */

static const char *CNN =
    "{\"input\": [1, 8, 8], \"layers\": [{\"type\": \"conv2d\", \"filters\": 3, \"kernel\": 3, \"padding\": 1},"
    " {\"type\": \"relu\"}, {\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 4}],"
    " \"loss\": \"cross_entropy\", \"optimizer\": {\"type\": \"adam\", \"lr\": 0.01}, \"seed\": %u%s}";

#define N_DATA 40

/* A CNN trained for 30 steps of batch 8 on fixed random images; its parameters go to out (allocated). */
static float *train_cnn(unsigned seed, const char *augment, size_t *count) {
  char spec[512];
  snprintf(spec, sizeof spec, CNN, seed, augment);
  tt_model *m = tt_model_create(spec, strlen(spec));
  if (!m) {
    fprintf(stderr, "spec rejected: %s\n", tt_last_error());
    return NULL;
  }
  static float x[N_DATA * 64], y[N_DATA];
  unsigned s = 12345;
  for (int i = 0; i < N_DATA * 64; i++) s = s * 1103515245u + 12345u, x[i] = (float)((s >> 8) & 0xffff) / 65536.0f;
  for (int i = 0; i < N_DATA; i++) y[i] = (float)(i % 4);
  float *out = NULL;
  if (tt_model_set_data(m, x, y, N_DATA) == TT_OK && tt_model_train_steps(m, 30, 8) == TT_OK) {
    *count = tt_model_param_count(m);
    out = malloc(*count * sizeof(float));
    if (out) memcpy(out, tt_model_params(m), *count * sizeof(float));
  } else {
    fprintf(stderr, "training failed: %s\n", tt_last_error());
  }
  tt_model_free(m);
  return out;
}

static size_t count_differences(const float *a, const float *b, size_t n) {
  size_t d = 0;
  for (size_t i = 0; i < n; i++) d += memcmp(&a[i], &b[i], sizeof(float)) != 0;
  return d;
}

TT_TEST(test_same_seed_and_augment_give_bit_identical_weights_unlike_augment_off) {
  const char *aug = ", \"augment\": {\"shift\": 2, \"rotate\": 10}";
  size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0;
  float *a = train_cnn(1, aug, &n1), *b = train_cnn(1, aug, &n2), *off = train_cnn(1, "", &n3),
        *other = train_cnn(2, aug, &n4);
  CHECK(a && b && off && other);
  if (a && b && off && other) {
    CHECK(n1 == n2 && n1 == n3 && n1 == n4);
    size_t same = count_differences(a, b, n1), vs_off = count_differences(a, off, n1),
           vs_seed = count_differences(a, other, n1);
    if (same) fprintf(stderr, "  two runs with seed 1 and augment differ in %zu of %zu parameters\n", same, n1);
    CHECK(same == 0);
    // Augmentation must change what is learned (else it did nothing); so must the seed.
    if (vs_off < n1 / 2) fprintf(stderr, "  augment on/off differ in only %zu of %zu parameters\n", vs_off, n1);
    CHECK(vs_off >= n1 / 2);
    CHECK(vs_seed >= n1 / 2);
  }
  free(a), free(b), free(off), free(other);
}

TT_TEST(test_prediction_and_evaluation_are_never_augmented) {
  // Freshly created with the same seed, the models have the same weights; only training may differ.
  const char *spec_on = "{\"input\": [1, 4, 4], \"layers\": [{\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 2}],"
                        " \"loss\": \"cross_entropy\", \"seed\": 4, \"augment\": {\"shift\": 2, \"rotate\": 30}}";
  const char *spec_off = "{\"input\": [1, 4, 4], \"layers\": [{\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 2}],"
                         " \"loss\": \"cross_entropy\", \"seed\": 4}";
  tt_model *on = tt_model_create(spec_on, strlen(spec_on)), *off = tt_model_create(spec_off, strlen(spec_off));
  CHECK(on && off);
  if (!on || !off) { tt_model_free(on), tt_model_free(off); return; }
  float x[3 * 16], y[3] = {0, 1, 1}, p_on[6], p_off[6], r_on[2], r_off[2];
  for (int i = 0; i < 48; i++) x[i] = (float)((i * 7) % 11) / 11.0f;
  for (int rep = 0; rep < 2; rep++) { // twice: a second call must not see a different (re-augmented) input
    CHECK(tt_model_predict(on, x, 3, p_on, 0) == TT_OK && tt_model_predict(off, x, 3, p_off, 0) == TT_OK);
    CHECK(memcmp(p_on, p_off, sizeof p_on) == 0);
    CHECK(tt_model_evaluate(on, x, y, 3, r_on) == TT_OK && tt_model_evaluate(off, x, y, 3, r_off) == TT_OK);
    CHECK(memcmp(r_on, r_off, sizeof r_on) == 0);
  }
  tt_model_free(on);
  tt_model_free(off);
}

TT_TEST(test_augment_on_a_flat_input_is_refused_with_a_message) {
  const char *spec = "{\"input\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 10}], \"loss\": \"cross_entropy\","
                     " \"augment\": {\"shift\": 2}}";
  tt_model *m = tt_model_create(spec, strlen(spec));
  CHECK(m == NULL);
  if (m) tt_model_free(m);
  else CHECK(strstr(tt_last_error(), "augment: only for image inputs") != NULL);
}

int main(void) {
  TT_RUN(test_probe_without_augment_reads_back_the_exact_input);
  TT_RUN(test_shift_1_moves_an_interior_blob_by_whole_pixels_and_keeps_its_mass);
  TT_RUN(test_shift_2_reaches_every_offset_up_to_two_pixels);
  TT_RUN(test_shift_fills_with_zeros_and_never_wraps_around);
  TT_RUN(test_rotation_turns_about_the_centre_by_at_most_the_limit_and_keeps_mass);
  TT_RUN(test_rotation_keeps_the_centre_pixel_exactly);
  TT_RUN(test_shift_and_rotation_together_move_a_central_blob_by_at_most_the_shift);
  TT_RUN(test_same_seed_and_augment_give_bit_identical_weights_unlike_augment_off);
  TT_RUN(test_prediction_and_evaluation_are_never_augmented);
  TT_RUN(test_augment_on_a_flat_input_is_refused_with_a_message);
  TT_RUN(test_train_batch_augments_like_train_steps);
  return TT_SUMMARY();
}
