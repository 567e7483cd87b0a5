/* Safetensors: exact half-precision conversion, save/load round trips, PyTorch names and layouts in the header,
 * and the malformed corpus of tests/data/safetensors (cases.tsv, made by make_corpus.py): every bad file is
 * rejected with a message naming the tensor or byte offset, and leaves the model's weights as they were.
 * Run from the repository root (as `make test-c` does). Built with ASan + UBSan. */
#include <stdint.h>
#include <stdlib.h>

#include "core/core.h"
#include "io/io.h"
#include "test.h"

#define CORPUS "tests/data/safetensors/"

static const char mlp_spec[] =
    "{\"input\":[2],\"layers\":[{\"type\":\"dense\",\"units\":4},{\"type\":\"tanh\"},{\"type\":\"dense\","
    "\"units\":3}],\"loss\":\"cross_entropy\",\"optimizer\":{\"type\":\"sgd\",\"lr\":0.1},\"seed\":1}";
static const char cnn_spec[] =
    "{\"input\":[1,8,8],\"layers\":[{\"type\":\"conv2d\",\"filters\":3,\"kernel\":3,\"padding\":1},"
    "{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"size\":2},{\"type\":\"flatten\"},{\"type\":\"dense\","
    "\"units\":5,\"bias\":false},{\"type\":\"layernorm\"},{\"type\":\"dense\",\"units\":2}],"
    "\"loss\":\"cross_entropy\",\"optimizer\":{\"type\":\"adam\"},\"seed\":7}";
static const char emb_spec[] =
    "{\"input\":[4],\"layers\":[{\"type\":\"embedding\",\"vocab\":6,\"dim\":3},{\"type\":\"layernorm\"},"
    "{\"type\":\"dense\",\"units\":5},{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":2}],"
    "\"loss\":\"mse\",\"seed\":3}";

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "  cannot open %s (run from the repository root)\n", path); return NULL; }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc((size_t)n + 1);
  *len = fread(b, 1, (size_t)n, f);
  b[*len] = '\0';  // the manifest and spec are read as text
  fclose(f);
  return b;
}

static tt_model *create(const char *spec) {
  tt_model *m = tt_model_create(spec, strlen(spec));
  if (!m) fprintf(stderr, "  tt_model_create: %s\n", tt_last_error());
  return m;
}

static uint32_t bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

TT_TEST(test_f16_conversion_is_exact_for_all_65536_values) {
  int bad = 0;
  for (uint32_t h = 0; h < 65536; h++) {
    int s = h >> 15, e = (h >> 10) & 31, man = h & 1023;
    float got = tt__f16_to_f32((uint16_t)h);
    if (e == 31) {  // inf or NaN, sign and payload kept
      uint32_t want = (uint32_t)s << 31 | 0x7f800000u | (uint32_t)man << 13;
      if (bits(got) != want && bad++ < 5) fprintf(stderr, "  f16 0x%04x -> 0x%08x, want 0x%08x\n", h, bits(got), want);
      continue;
    }
    double v = e == 0 ? ldexp(man, -24) : ldexp(1024 + man, e - 25);
    float want = (float)(s ? -v : v);
    if (bits(got) != bits(want) && bad++ < 5)
      fprintf(stderr, "  f16 0x%04x -> %.9g, want %.9g\n", h, got, want);
  }
  CHECK(bad == 0);
  CHECK(bits(tt__f16_to_f32(0x8000)) == 0x80000000u);  // -0 keeps its sign
  CHECK_NEAR(tt__f16_to_f32(0x0001), 5.9604644775390625e-8, 0);
  CHECK_NEAR(tt__f16_to_f32(0x7bff), 65504, 0);
}

TT_TEST(test_bf16_is_the_top_half_of_f32) {
  CHECK_NEAR(tt__bf16_to_f32(0x3f80), 1.0, 0);
  CHECK_NEAR(tt__bf16_to_f32(0x4049), 3.140625, 0);
  CHECK_NEAR(tt__bf16_to_f32(0xc2f7), -123.5, 0);
  CHECK(bits(tt__bf16_to_f32(0x0001)) == 0x00010000u);  // subnormal
  CHECK(isinf(tt__bf16_to_f32(0xff80)) && tt__bf16_to_f32(0xff80) < 0);
}

/* save -> load gives the same spec text, the same parameters bit for bit, and the same predictions. */
static void check_round_trip(const char *spec, const float *x, int n) {
  tt_model *a = create(spec);
  CHECK(a != NULL);
  if (!a) return;
  for (size_t i = 0; i < tt_model_param_count(a); i++) tt_model_params(a)[i] += 0.001f * (float)(i % 7);  // not the init
  unsigned char *bytes = NULL;
  size_t len = 0;
  CHECK(tt_model_save(a, &bytes, &len) == TT_OK);
  tt_model *b = bytes ? tt_model_load(bytes, len) : NULL;
  if (!b) fprintf(stderr, "  load: %s\n", tt_last_error());
  CHECK(b != NULL);
  if (b) {
    CHECK_STR(tt_model_spec(b), tt_model_spec(a));
    CHECK(tt_model_param_count(b) == tt_model_param_count(a));
    CHECK(memcmp(tt_model_params(a), tt_model_params(b), tt_model_param_count(a) * 4) == 0);
    int out = tt_model_output_size(a);
    float *pa = calloc((size_t)(n * out), 4), *pb = calloc((size_t)(n * out), 4);
    CHECK(tt_model_predict(a, x, n, pa, 0) == TT_OK && tt_model_predict(b, x, n, pb, 0) == TT_OK);
    CHECK(memcmp(pa, pb, (size_t)(n * out) * 4) == 0);
    free(pa);
    free(pb);
    // and loading weights into a fresh model of the same spec gives the same block
    tt_model *c = create(spec);
    CHECK(c && tt_model_load_weights(c, bytes, len) == TT_OK);
    if (c) CHECK(memcmp(tt_model_params(a), tt_model_params(c), tt_model_param_count(a) * 4) == 0);
    tt_model_free(c);
  }
  tt_free(bytes);
  tt_model_free(a);
  tt_model_free(b);
}

TT_TEST(test_save_load_round_trip_is_bit_exact_for_mlp_cnn_and_embedding) {
  float x[2 * 64 * 2];
  for (int i = 0; i < (int)(sizeof x / sizeof x[0]); i++) x[i] = (float)((i * 37) % 11) / 5.0f - 1.0f;
  check_round_trip(mlp_spec, x, 5);
  check_round_trip(cnn_spec, x, 2);
  float tokens[8] = {0, 1, 5, 2, 3, 3, 4, 0};
  check_round_trip(emb_spec, tokens, 2);
}

TT_TEST(test_saved_header_has_pytorch_names_shapes_metadata_and_alignment) {
  tt_model *m = create(cnn_spec);
  CHECK(m != NULL);
  if (!m) return;
  unsigned char *bytes;
  size_t len;
  CHECK(tt_model_save(m, &bytes, &len) == TT_OK);
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--) n = n << 8 | bytes[i];
  CHECK(n % 8 == 0);  // data 8-byte aligned
  CHECK(8 + n + tt_model_param_count(m) * 4 == len);
  char *h = calloc(n + 1, 1);
  memcpy(h, bytes + 8, n);
  const char *want[] = {
      "\"__metadata__\":{\"format\":\"tinytrain\",\"spec\":\"{\\\"input\\\":[1,8,8]",
      "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[3,1,3,3],\"data_offsets\":[0,108]}",
      "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[108,120]}",
      "\"4.weight\":{\"dtype\":\"F32\",\"shape\":[5,48]",  // no 4.bias: bias false
      "\"5.weight\":{\"dtype\":\"F32\",\"shape\":[5]", "\"5.bias\":{\"dtype\":\"F32\",\"shape\":[5]",
      "\"6.weight\":{\"dtype\":\"F32\",\"shape\":[2,5]", "\"6.bias\":{\"dtype\":\"F32\",\"shape\":[2]"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    if (!strstr(h, want[i])) fprintf(stderr, "  header lacks %s\n  header: %s\n", want[i], h);
    CHECK(strstr(h, want[i]) != NULL);
  }
  CHECK(strstr(h, "4.bias") == NULL);
  // the parameter block is the data region, in order
  CHECK(memcmp(bytes + 8 + n, tt_model_params(m), tt_model_param_count(m) * 4) == 0);
  free(h);
  tt_free(bytes);
  tt_model_free(m);
}

TT_TEST(test_malformed_corpus_is_rejected_by_name_and_weights_stay_unchanged) {
  size_t len;
  char *tsv = (char *)slurp(CORPUS "cases.tsv", &len);
  unsigned char *spec_text = slurp(CORPUS "model.json", &len);
  CHECK(tsv && spec_text);
  if (!tsv || !spec_text) { free(tsv); free(spec_text); return; }
  tt_model *m = tt_model_create((const char *)spec_text, len);
  CHECK(m != NULL);
  if (!m) { fprintf(stderr, "  %s\n", tt_last_error()); free(tsv); free(spec_text); return; }
  size_t np = tt_model_param_count(m);
  float *before = malloc(np * 4);
  int cases = 0, bad_cases = 0;
  for (char *line = strtok(tsv, "\n"); line; line = strtok(NULL, "\n")) {
    char *file = line, *mode = strchr(file, '\t');
    if (!mode) continue;
    *mode++ = '\0';
    char *expected = strchr(mode, '\t');
    expected = expected ? (*expected++ = '\0', expected) : "";
    char path[256];
    snprintf(path, sizeof path, CORPUS "%s", file);
    size_t n;
    unsigned char *bytes = slurp(path, &n);
    if (!bytes) { bad_cases++; continue; }
    cases++;
    for (size_t i = 0; i < np; i++) tt_model_params(m)[i] = (float)i * 0.5f - 3.0f;  // a known pattern
    memcpy(before, tt_model_params(m), np * 4);
    int failed_before = tt_test_failed_checks;

    tt_model *loaded = tt_model_load(bytes, n);
    int load_status = loaded ? TT_OK : tt_last_status();
    char load_msg[512];
    snprintf(load_msg, sizeof load_msg, "%s", tt_last_error());
    int w_status = tt_model_load_weights(m, bytes, n);
    char w_msg[512];
    snprintf(w_msg, sizeof w_msg, "%s", tt_last_error());

    if (!strcmp(mode, "ok")) {
      CHECK(loaded != NULL && w_status == TT_OK);
      char exp_path[256];
      snprintf(exp_path, sizeof exp_path, CORPUS "%.*s.expected.f32", (int)(strlen(file) - 12), file);
      size_t en;
      unsigned char *want = slurp(exp_path, &en);
      CHECK(want && en == np * 4);
      if (want && en == np * 4) {
        CHECK(memcmp(tt_model_params(m), want, en) == 0);
        if (loaded) CHECK(memcmp(tt_model_params(loaded), want, en) == 0);
      }
      free(want);
    } else {
      CHECK(loaded == NULL && load_status == TT_ERR_FILE);
      CHECK(strstr(load_msg, expected) != NULL);
      if (!strcmp(mode, "both")) {
        CHECK(w_status == TT_ERR_FILE && strstr(w_msg, expected) != NULL);
        CHECK(memcmp(tt_model_params(m), before, np * 4) == 0);  // nothing copied
      } else {
        CHECK(w_status == TT_OK);  // the weights themselves are fine
      }
    }
    if (tt_test_failed_checks != failed_before) {
      bad_cases++;
      fprintf(stderr, "  case %s (%s): expected \"%s\"\n    tt_model_load: %s\n    load_weights: %s\n", file, mode,
              expected, loaded ? "(loaded)" : load_msg, w_status == TT_OK ? "(loaded)" : w_msg);
    }
    tt_model_free(loaded);
    free(bytes);
  }
  printf("  safetensors corpus: %d cases, %d wrong\n", cases, bad_cases);
  CHECK(cases >= 30);
  free(before);
  tt_model_free(m);
  free(tsv);
  free(spec_text);
}

TT_TEST(test_dense_on_positions_is_saved_as_linear_out_by_last_dim) {
  tt_model *m = create(emb_spec);
  CHECK(m != NULL);
  if (!m) return;
  unsigned char *bytes;
  size_t len;
  CHECK(tt_model_save(m, &bytes, &len) == TT_OK);
  char *h = calloc(len + 1, 1);
  memcpy(h, bytes + 8, len - 8);
  const char *want[] = {"\"0.weight\":{\"dtype\":\"F32\",\"shape\":[6,3]", "\"1.weight\":{\"dtype\":\"F32\",\"shape\":[3]",
                        "\"2.weight\":{\"dtype\":\"F32\",\"shape\":[5,3]", "\"4.weight\":{\"dtype\":\"F32\",\"shape\":[2,20]"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    if (!strstr(h, want[i])) fprintf(stderr, "  header lacks %s\n", want[i]);
    CHECK(strstr(h, want[i]) != NULL);
  }
  free(h);
  tt_free(bytes);
  tt_model_free(m);
}

TT_TEST(test_loading_another_architecture_names_the_first_mismatch) {
  tt_model *a = create(mlp_spec), *b = create(cnn_spec);
  CHECK(a && b);
  if (a && b) {
    unsigned char *bytes;
    size_t len;
    CHECK(tt_model_save(a, &bytes, &len) == TT_OK);
    CHECK(tt_model_load_weights(b, bytes, len) == TT_ERR_FILE);
    CHECK_STR(tt_last_error(), "0.weight: shape [4, 2] does not match the model's [3, 1, 3, 3]");
    tt_free(bytes);
  }
  tt_model_free(a);
  tt_model_free(b);
}

/* A file whose model does not fit under the memory limit fails as out of memory, with that message (the file's
 * spec is valid: it is not called invalid). */
TT_TEST(test_loading_a_model_over_the_memory_limit_says_out_of_memory) {
  tt_model *a = create("{\"input\": [256], \"layers\": [{\"type\": \"dense\", \"units\": 256}], \"loss\": \"mse\"}");
  unsigned char *bytes = NULL;
  size_t len = 0;
  CHECK(a && tt_model_save(a, &bytes, &len) == TT_OK);
  tt_set_memory_limit(2u << 20);  // a holds 1.8 MiB (7 floats per parameter), a second copy does not fit
  tt_model *b = bytes ? tt_model_load(bytes, len) : NULL;
  CHECK(b == NULL && tt_last_status() == TT_ERR_MEMORY);
  if (strncmp(tt_last_error(), "out of memory: ", 15)) fprintf(stderr, "  load: %s\n", tt_last_error());
  CHECK(strncmp(tt_last_error(), "out of memory: ", 15) == 0);
  tt_set_memory_limit(0);
  tt_model_free(b), tt_model_free(a), tt_free(bytes);
}

/* Every prefix of a valid file and every single-byte change of its header must give a clean answer (ASan and
 * UBSan watch for reads out of bounds); a prefix can never load. */
TT_TEST(test_every_truncation_and_header_byte_flip_fails_cleanly) {
  tt_model *m = create(mlp_spec);
  CHECK(m != NULL);
  if (!m) return;
  unsigned char *bytes;
  size_t len;
  CHECK(tt_model_save(m, &bytes, &len) == TT_OK);
  int loaded_prefix = 0;
  for (size_t n = 0; n < len; n++) {
    tt_model *x = tt_model_load(bytes, n);
    if (x) loaded_prefix++;
    else CHECK(tt_last_error()[0] != '\0');
    tt_model_free(x);
  }
  CHECK(loaded_prefix == 0);
  size_t hlen = bytes[0] | (size_t)bytes[1] << 8;
  unsigned char *copy = malloc(len);
  int clean = 1;
  for (size_t i = 0; i < 8 + hlen; i++) {
    memcpy(copy, bytes, len);
    copy[i] ^= (unsigned char)(1u << (i % 8));
    int s = tt_model_load_weights(m, copy, len);
    if (s != TT_OK && s != TT_ERR_FILE && s != TT_ERR_MEMORY) clean = 0;
    if (s != TT_OK && tt_last_error()[0] == '\0') clean = 0;
  }
  CHECK(clean);
  free(copy);
  tt_free(bytes);
  tt_model_free(m);
}

/* Bytes tt__malloc can still hand out under the current limit (= limit - bytes accounted as in use). */
static size_t headroom(void) {
  size_t lo = 0, hi = tt__memory_limit();
  while (lo < hi) { /* largest b that succeeds */
    size_t mid = lo + (hi - lo + 1) / 2;
    void *p = tt__malloc(mid);
    if (p) tt__free(p, mid), lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/* A model without parameters (only an activation) has an empty weight file; loading it must give back every byte
 * it accounts, or each load shrinks what tt_set_memory_limit allows until models are refused. */
TT_TEST(test_load_weights_of_a_parameterless_model_keeps_memory_accounting) {
  static const char spec[] = "{\"input\":[2],\"layers\":[{\"type\":\"relu\"}],\"loss\":\"mse\"}";
  tt_model *m = tt_model_create(spec, sizeof spec - 1);
  CHECK(m != NULL);
  if (!m) return;
  unsigned char *file = NULL;
  size_t len = 0;
  CHECK(tt_model_save(m, &file, &len) == TT_OK);
  tt_set_memory_limit(1 << 20);
  size_t before = headroom();
  for (int i = 0; i < 100; i++) CHECK(tt_model_load_weights(m, file, len) == TT_OK);
  size_t after = headroom();
  if (after != before)
    fprintf(stderr, "  100 loads changed the headroom by %ld bytes (%zu -> %zu)\n", (long)after - (long)before,
            before, after);
  CHECK(after == before);
  tt_set_memory_limit(0);
  tt_free(file);
  tt_model_free(m);
}

int main(void) {
  TT_RUN(test_f16_conversion_is_exact_for_all_65536_values);
  TT_RUN(test_bf16_is_the_top_half_of_f32);
  TT_RUN(test_save_load_round_trip_is_bit_exact_for_mlp_cnn_and_embedding);
  TT_RUN(test_saved_header_has_pytorch_names_shapes_metadata_and_alignment);
  TT_RUN(test_malformed_corpus_is_rejected_by_name_and_weights_stay_unchanged);
  TT_RUN(test_dense_on_positions_is_saved_as_linear_out_by_last_dim);
  TT_RUN(test_loading_another_architecture_names_the_first_mismatch);
  TT_RUN(test_loading_a_model_over_the_memory_limit_says_out_of_memory);
  TT_RUN(test_every_truncation_and_header_byte_flip_fails_cleanly);
  TT_RUN(test_load_weights_of_a_parameterless_model_keeps_memory_accounting);
  return TT_SUMMARY();
}
