/* The JSON reader: every kind of value, escapes and UTF-8, every rejection with its exact message and byte
 * offset, the nesting limit, duplicate keys, the memory limit. Every input is copied into a heap buffer of
 * exactly its length (no NUL after it), so ASan reports any read past `len`. */
#include <stdlib.h>

#include "core/core.h"
#include "test.h"

/* Parses text[0..len) from an exact-size heap copy. */
static tt__json *parse_n(const char *text, size_t len) {
  char *copy = malloc(len ? len : 1);
  memcpy(copy, text, len);
  tt__json *root = tt__json_parse(copy, len, TT_ERR_FILE, "doc");
  free(copy);  /* the tree holds decoded copies, never pointers into the text */
  return root;
}
static tt__json *parse(const char *text) { return parse_n(text, strlen(text)); }

static const char *describe(const tt__json *v) {
  static char buf[128];
  tt__json_describe(v, buf, sizeof buf);
  return buf;
}

TT_TEST(test_json_parses_every_kind_of_value) {
  const char *text = " {\"a\": [1, -2.5e3, 0, -0, 1E2, 0.125, true, false, null, \"s\"], \"b\": {}, \"c\": [],"
                     " \"d\": {\"e\": {\"f\": 7}}} ";
  tt__json *root = parse(text);
  CHECK(root != NULL);
  if (!root) { fprintf(stderr, "  error: %s\n", tt_last_error()); return; }
  CHECK(root->type == TT_JSON_OBJECT && root->count == 4 && root->offset == 1 && root->key == NULL);
  const tt__json *a = tt__json_get(root, "a");
  CHECK(a && a->type == TT_JSON_ARRAY && a->count == 10 && a->offset == 7);
  CHECK_STR(a->key, "a");
  double nums[] = {1, -2500, 0, -0.0, 100, 0.125};
  const tt__json *e = a->child;
  for (int i = 0; i < 6; i++, e = e->next) {
    CHECK(e->type == TT_JSON_NUMBER && e->key == NULL);
    CHECK_NEAR(e->number, nums[i], 0);
  }
  CHECK(signbit(a->child->next->next->next->number));  /* -0 keeps its sign */
  CHECK(e->type == TT_JSON_BOOL && e->number == 1);
  e = e->next;
  CHECK(e->type == TT_JSON_BOOL && e->number == 0);
  e = e->next;
  CHECK(e->type == TT_JSON_NULL);
  e = e->next;
  CHECK(e->type == TT_JSON_STRING && e->str_len == 1 && e->next == NULL);
  CHECK_STR(e->str, "s");
  const tt__json *b = tt__json_get(root, "b"), *c = tt__json_get(root, "c");
  CHECK(b && b->type == TT_JSON_OBJECT && b->count == 0 && b->child == NULL);
  CHECK(c && c->type == TT_JSON_ARRAY && c->count == 0 && c->child == NULL);
  const tt__json *f = tt__json_get(tt__json_get(tt__json_get(root, "d"), "e"), "f");
  CHECK(f && f->type == TT_JSON_NUMBER && f->number == 7);
  CHECK(tt__json_get(root, "missing") == NULL);
  CHECK(tt__json_get(a, "a") == NULL);     /* not an object */
  CHECK(tt__json_get(NULL, "a") == NULL);
  tt__json_free(root);
}

TT_TEST(test_json_parses_scalars_at_top_level_without_nul_terminator) {
  /* "123" cut from "1234": the reader must stop at len and not read the '4' */
  tt__json *n = tt__json_parse("1234", 3, TT_ERR_FILE, "doc");
  CHECK(n && n->type == TT_JSON_NUMBER && n->number == 123);
  tt__json_free(n);
  const char *ok[] = {"0", "-0", "1e-400", "true", "false", "null", "\"\"", "[]", "{}", " \t\r\n[ ]\n"};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    tt__json *v = parse(ok[i]);
    if (!v) fprintf(stderr, "  rejected valid \"%s\": %s\n", ok[i], tt_last_error());
    CHECK(v != NULL);
    tt__json_free(v);
  }
}

TT_TEST(test_json_decodes_every_escape_and_surrogate_pairs) {
  tt__json *v = parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u20AC\\ud83d\\ude00|\\u0000|\"");
  CHECK(v && v->type == TT_JSON_STRING);
  if (!v) { fprintf(stderr, "  error: %s\n", tt_last_error()); return; }
  const char want[] = "q\" b\\ s/ \b\f\n\r\t A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80|\0|";
  CHECK(v->str_len == sizeof want - 1);
  CHECK(memcmp(v->str, want, sizeof want) == 0);  /* includes the terminating NUL */
  tt__json_free(v);
  /* raw UTF-8 passes through unchanged, including 4-byte characters and DEL */
  const char raw[] = "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\x7F\"";
  v = parse(raw);
  CHECK(v && v->str_len == sizeof raw - 3 && memcmp(v->str, raw + 1, sizeof raw - 3) == 0);
  tt__json_free(v);
  /* keys are decoded too */
  v = parse("{\"k\\u0065y\": 1}");
  CHECK(v && tt__json_get(v, "key") != NULL);
  tt__json_free(v);
}

/* Each malformed document and the exact message, with the 0-based byte offset of the problem. */
static const struct {
  const char *text;
  size_t len;  /* 0: strlen */
  const char *message;
} rejections[] = {
    {"", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"   ", 0, "doc: invalid JSON at byte 3: expected a value"},
    {"{", 0, "doc: invalid JSON at byte 1: expected a string key or '}'"},
    {"{1: 2}", 0, "doc: invalid JSON at byte 1: expected a string key or '}'"},
    {"{\"a\" 1}", 0, "doc: invalid JSON at byte 5: expected ':'"},
    {"{\"a\":1,}", 0, "doc: invalid JSON at byte 7: expected a string key"},
    {"{\"a\":1 \"b\":2}", 0, "doc: invalid JSON at byte 7: expected ',' or '}'"},
    {"{\"a\":1", 0, "doc: invalid JSON at byte 6: expected ',' or '}'"},
    {"[1,]", 0, "doc: invalid JSON at byte 3: expected a value"},
    {"[1 2]", 0, "doc: invalid JSON at byte 3: expected ',' or ']'"},
    {"[1", 0, "doc: invalid JSON at byte 2: expected ',' or ']'"},
    {"[,1]", 0, "doc: invalid JSON at byte 1: expected a value"},
    {"01", 0, "doc: invalid JSON at byte 0: leading zeros are not allowed"},
    {"-01", 0, "doc: invalid JSON at byte 1: leading zeros are not allowed"},
    {"+1", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"1.", 0, "doc: invalid JSON at byte 2: expected a digit after '.'"},
    {"1.e5", 0, "doc: invalid JSON at byte 2: expected a digit after '.'"},
    {".5", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"1e", 0, "doc: invalid JSON at byte 2: expected a digit in the exponent"},
    {"1e+", 0, "doc: invalid JSON at byte 3: expected a digit in the exponent"},
    {"-", 0, "doc: invalid JSON at byte 1: expected a digit"},
    {"NaN", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"Infinity", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"-Infinity", 0, "doc: invalid JSON at byte 1: expected a digit"},
    {"0x10", 0, "doc: invalid JSON at byte 1: unexpected text after the JSON value"},
    {"[1e999]", 0, "doc: invalid JSON at byte 1: number out of range"},
    {"-1e400", 0, "doc: invalid JSON at byte 0: number out of range"},
    {"tru", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"nul", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"True", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"truex", 0, "doc: invalid JSON at byte 4: unexpected text after the JSON value"},
    {"[1] x", 0, "doc: invalid JSON at byte 4: unexpected text after the JSON value"},
    {"1 2", 0, "doc: invalid JSON at byte 2: unexpected text after the JSON value"},
    {"{}}", 0, "doc: invalid JSON at byte 2: unexpected text after the JSON value"},
    {"'a'", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"\"abc", 0, "doc: invalid JSON at byte 0: unterminated string"},
    {"[\"ab\\", 0, "doc: invalid JSON at byte 1: unterminated string"},
    {"\"a\x01\"", 0, "doc: invalid JSON at byte 2: control character 0x01 in a string (write it as an escape)"},
    {"\"a\nb\"", 0, "doc: invalid JSON at byte 2: control character 0x0a in a string (write it as an escape)"},
    {"\"\\x\"", 0,
     "doc: invalid JSON at byte 1: invalid escape sequence (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"},
    {"\"\\u12\"", 0, "doc: invalid JSON at byte 1: expected 4 hex digits after \\u"},
    {"\"\\u12", 0, "doc: invalid JSON at byte 1: expected 4 hex digits after \\u"},
    {"\"\\ug000\"", 0, "doc: invalid JSON at byte 1: expected 4 hex digits after \\u"},
    {"\"\\ud800\"", 0, "doc: invalid JSON at byte 1: unpaired surrogate \\ud800"},
    {"\"x\\udc00\"", 0, "doc: invalid JSON at byte 2: unpaired surrogate \\udc00"},
    {"\"\\ud800\\u0041\"", 0, "doc: invalid JSON at byte 1: unpaired surrogate \\ud800"},
    {"\"\\ud800\\ud800\"", 0, "doc: invalid JSON at byte 1: unpaired surrogate \\ud800"},
    {"\"\\ud800\\", 0, "doc: invalid JSON at byte 1: unpaired surrogate \\ud800"},
    {"\"\xff\"", 0, "doc: invalid JSON at byte 1: invalid UTF-8 in a string"},
    {"\"\xc0\xaf\"", 0, "doc: invalid JSON at byte 1: invalid UTF-8 in a string"},         /* overlong '/' */
    {"\"\xe0\x80\xaf\"", 0, "doc: invalid JSON at byte 1: invalid UTF-8 in a string"},     /* overlong */
    {"\"\xed\xa0\x80\"", 0, "doc: invalid JSON at byte 1: invalid UTF-8 in a string"},     /* encoded surrogate */
    {"\"\xf4\x90\x80\x80\"", 0, "doc: invalid JSON at byte 1: invalid UTF-8 in a string"}, /* above U+10FFFF */
    {"\"ab\xe2\x82\"", 0, "doc: invalid JSON at byte 3: invalid UTF-8 in a string"},       /* truncated */
    {"\"\xe2\x82", 0, "doc: invalid JSON at byte 1: invalid UTF-8 in a string"},           /* truncated at end */
    {"\x80", 0, "doc: invalid JSON at byte 0: expected a value"},
    {"\xef\xbb\xbf{}", 0, "doc: invalid JSON at byte 0: expected a value"}, /* BOM */
    {"[\"a\"\0]", 6, "doc: invalid JSON at byte 4: expected ',' or ']'"},   /* NUL inside len */
    {"{\"a\":1,\"a\":2}", 0, "doc: invalid JSON at byte 7: duplicate key \"a\""},
    {"{\"a\":1,\"b\":{\"c\":1,\"c\":2},\"b\":3}", 0, "doc: invalid JSON at byte 18: duplicate key \"c\""},
    {"{\"\\u0061\":1,\"a\":2}", 0, "doc: invalid JSON at byte 12: duplicate key \"a\""},
    {"{\"x\\ny\":1,\"x\\ny\":2}", 0, "doc: invalid JSON at byte 10: duplicate key \"x\\ny\""},
};

TT_TEST(test_json_rejects_malformed_text_with_message_and_byte_offset) {
  for (size_t i = 0; i < sizeof rejections / sizeof *rejections; i++) {
    size_t len = rejections[i].len ? rejections[i].len : strlen(rejections[i].text);
    tt__clear_error();
    tt__json *v = parse_n(rejections[i].text, len);
    if (v) fprintf(stderr, "  case %zu accepted, expected: %s\n", i, rejections[i].message);
    CHECK(v == NULL);
    tt__json_free(v);
    CHECK(tt_last_status() == TT_ERR_FILE);
    CHECK_STR(tt_last_error(), rejections[i].message);
  }
}

TT_TEST(test_json_rejects_overlong_number_token) {
  char text[500];
  memset(text, '1', sizeof text);
  text[0] = '0', text[1] = '.';
  tt__json *v = parse_n(text, 400);  /* 0.111...: long but fine */
  CHECK(v && fabs(v->number - 1.0 / 9) < 1e-15);
  tt__json_free(v);
  CHECK(parse_n(text, 401) == NULL);
  CHECK_STR(tt_last_error(), "doc: invalid JSON at byte 0: number longer than 400 characters");
}

TT_TEST(test_json_accepts_64_levels_and_rejects_65) {
  char text[2 * 65 + 1];
  for (int depth = 63; depth <= 65; depth++) {
    for (int i = 0; i < depth; i++) text[i] = '[', text[2 * depth - 1 - i] = ']';
    tt__json *v = parse_n(text, (size_t)(2 * depth));
    CHECK((v != NULL) == (depth <= 64));
    tt__json_free(v);
  }
  CHECK_STR(tt_last_error(), "doc: invalid JSON at byte 64: nesting deeper than 64 levels");
  /* objects count towards the same limit */
  char obj[64 * 6 + 16];
  size_t at = 0;
  for (int i = 0; i < 65; i++) at += (size_t)sprintf(obj + at, "{\"a\":");
  at += (size_t)sprintf(obj + at, "1");
  for (int i = 0; i < 65; i++) obj[at++] = '}';
  CHECK(parse_n(obj, at) == NULL);
  CHECK_STR(tt_last_error(), "doc: invalid JSON at byte 320: nesting deeper than 64 levels");
  /* a very deep document fails fast at the limit, without deep recursion */
  size_t big = 1000000;
  char *deep = malloc(big);
  memset(deep, '[', big);
  CHECK(parse_n(deep, big) == NULL);
  CHECK_STR(tt_last_error(), "doc: invalid JSON at byte 64: nesting deeper than 64 levels");
  free(deep);
}

TT_TEST(test_json_finds_duplicate_among_many_keys) {
  /* 5000 distinct keys parse (the check sorts, so this stays fast); one repeated key at the end is found */
  size_t cap = 5000 * 16 + 64, at = 0;
  char *text = malloc(cap);
  text[at++] = '{';
  for (int i = 0; i < 5000; i++) at += (size_t)sprintf(text + at, "%s\"k%d\":%d", i ? "," : "", i, i);
  size_t end = at;
  text[at++] = '}';
  tt__json *v = parse_n(text, at);
  CHECK(v && v->count == 5000);
  const tt__json *k = tt__json_get(v, "k4321");
  CHECK(k && k->number == 4321);
  tt__json_free(v);
  at = end + (size_t)sprintf(text + end, ",\"k17\":0}");
  CHECK(parse_n(text, at) == NULL);
  char want[96];
  snprintf(want, sizeof want, "doc: invalid JSON at byte %zu: duplicate key \"k17\"", end + 1);
  CHECK_STR(tt_last_error(), want);
  /* the same key in different objects is fine */
  v = parse("{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]}");
  CHECK(v != NULL);
  tt__json_free(v);
  free(text);
}

TT_TEST(test_json_respects_memory_limit_and_frees_everything) {
  const char *text = "{\"layers\": [{\"type\": \"dense\", \"units\": 16}, {\"type\": \"relu\"}], \"name\": \"abc\"}";
  /* a limit too small for the tree: NULL with a memory error, nothing held */
  tt_set_memory_limit(64);
  CHECK(parse(text) == NULL);
  CHECK(tt_last_status() == TT_ERR_MEMORY);
  /* a limit that fits one tree: parsing and freeing many times never drifts (the block size is accounted) */
  tt_set_memory_limit(4096);
  for (int i = 0; i < 100; i++) {
    tt__json *v = parse(text);
    CHECK(v != NULL);
    tt__json_free(v);
  }
  tt_set_memory_limit(0);
  tt__json_free(NULL);
}

TT_TEST(test_json_describe_gives_short_readable_values) {
  tt__json *v = parse("[-3, 2.5, 0.1, 1e21, -0, 4294967296, \"abc\", \"say \\\"hi\\\"\\n\", true, false, null, {}, [],"
                      " \"0123456789012345678901234567890123456789tail\", \"\\u00e9t\\u00e9\", \"\\u0001\\u007f\"]");
  CHECK(v != NULL);
  if (!v) return;
  const char *want[] = {"-3", "2.5", "0.1", "1e+21", "0", "4294967296", "\"abc\"", "\"say \\\"hi\\\"\\n\"", "true",
                        "false", "null", "an object", "an array",
                        "\"0123456789012345678901234567890123456789...\"", "\"\xC3\xA9t\xC3\xA9\"",
                        "\"\\u0001\\u007f\""};
  const tt__json *e = v->child;
  for (size_t i = 0; i < sizeof want / sizeof *want && e; i++, e = e->next) CHECK_STR(describe(e), want[i]);
  CHECK_STR(describe(NULL), "nothing");
  /* a tiny buffer is never overrun and stays terminated */
  char small[4];
  tt__json_describe(v->child->next->next->next->next->next->next, small, sizeof small);
  CHECK(strlen(small) < sizeof small);
  tt__json_free(v);
}

TT_TEST(test_json_null_text_is_an_empty_document) {
  CHECK(tt__json_parse(NULL, 5, TT_ERR_SPEC, "spec") == NULL);
  CHECK(tt_last_status() == TT_ERR_SPEC);
  CHECK_STR(tt_last_error(), "spec: invalid JSON at byte 0: expected a value");
}

int main(void) {
  TT_RUN(test_json_parses_every_kind_of_value);
  TT_RUN(test_json_parses_scalars_at_top_level_without_nul_terminator);
  TT_RUN(test_json_decodes_every_escape_and_surrogate_pairs);
  TT_RUN(test_json_rejects_malformed_text_with_message_and_byte_offset);
  TT_RUN(test_json_rejects_overlong_number_token);
  TT_RUN(test_json_accepts_64_levels_and_rejects_65);
  TT_RUN(test_json_finds_duplicate_among_many_keys);
  TT_RUN(test_json_respects_memory_limit_and_frees_everything);
  TT_RUN(test_json_describe_gives_short_readable_values);
  TT_RUN(test_json_null_text_is_an_empty_document);
  return TT_SUMMARY();
}
