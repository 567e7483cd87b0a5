/* The numeric CSV reader used by the CLI: header detection, line/field positions in errors, strict numbers. */
#include <stdlib.h>

#include "core/core.h"
#include "io/io.h"
#include "test.h"

static int parse(tt__csv *c, const char *text) { return tt__csv_parse(c, text, strlen(text), "train.csv"); }

TT_TEST(test_csv_reads_rows_and_skips_header_and_blank_lines) {
  tt__csv c;
  CHECK(parse(&c, "x,y,label\r\n0.5, -1 ,2\n\n\"3e2\",4.,0\n") == TT_OK);
  CHECK(c.has_header == 1);
  CHECK(c.rows == 2 && c.cols == 3);
  if (c.rows == 2) {
    CHECK_NEAR(c.values[0], 0.5, 0);
    CHECK_NEAR(c.values[1], -1, 0);
    CHECK_NEAR(c.values[2], 2, 0);
    CHECK_NEAR(c.values[3], 300, 0);
    CHECK_NEAR(c.values[4], 4, 0);
    CHECK(c.lines[0] == 2 && c.lines[1] == 4);
  }
  tt__csv_free(&c);
}

TT_TEST(test_csv_without_header_keeps_first_row) {
  tt__csv c;
  CHECK(parse(&c, "1,2\n3,4") == TT_OK);  // no final newline
  CHECK(c.has_header == 0 && c.rows == 2 && c.cols == 2);
  if (c.rows == 2) CHECK_NEAR(c.values[3], 4, 0);
  tt__csv_free(&c);
}

TT_TEST(test_csv_skips_a_leading_byte_order_mark) {
  tt__csv c;
  // without a header: the mark is no part of the first number, so the first row stays data
  CHECK(parse(&c, "\xEF\xBB\xBF" "0.000,1\n2,3\n") == TT_OK);
  if (tt_last_status()) fprintf(stderr, "  error: %s\n", tt_last_error());
  CHECK(c.has_header == 0 && c.rows == 2 && c.cols == 2 && c.lines[0] == 1);
  tt__csv_free(&c);
  CHECK(parse(&c, "\xEF\xBB\xBF" "x,y\n2,3\n") == TT_OK);
  CHECK(c.has_header == 1 && c.rows == 1);
  tt__csv_free(&c);
  // only at the very start: elsewhere the bytes are text like any other, reported in the usual way
  CHECK(parse(&c, "1,2\n\xEF\xBB\xBF" "3,4\n") == TT_ERR_DATA);
  CHECK_STR(tt_last_error(), "train.csv:2:1: expected a number, got \"\xEF\xBB\xBF" "3\"");
}

TT_TEST(test_csv_bad_value_names_line_and_field) {
  tt__csv c;
  CHECK(parse(&c, "a,b,c\n1,2,3\n1,2,3\n1,2,3\n1,2,3\n1,2,3\n1,2,abc\n") == TT_ERR_DATA);
  CHECK_STR(tt_last_error(), "train.csv:7:3: expected a number, got \"abc\"");
  CHECK(c.values == NULL && c.rows == 0);
}

TT_TEST(test_csv_first_row_with_some_numbers_is_data_not_header) {
  tt__csv c;
  CHECK(parse(&c, "1,x,3\n") == TT_ERR_DATA);
  CHECK_STR(tt_last_error(), "train.csv:1:2: expected a number, got \"x\"");
}

TT_TEST(test_csv_rejects_what_strtod_would_accept) {
  const char *bad[] = {"0x10", "inf", "nan", "1e", ".", "-", "1.2.3", "1 2", "", "1e999"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[64];
    snprintf(text, sizeof text, "1,2\n3,%s\n", bad[i]);
    tt__csv c;
    int status = parse(&c, text);
    if (status != TT_ERR_DATA) fprintf(stderr, "  value \"%s\" was accepted\n", bad[i]);
    CHECK(status == TT_ERR_DATA);
    CHECK(strncmp(tt_last_error(), "train.csv:2:2: expected a number", 32) == 0);
  }
}

TT_TEST(test_csv_ragged_row_is_reported_with_counts) {
  tt__csv c;
  CHECK(parse(&c, "1,2,3\n4,5\n") == TT_ERR_DATA);
  CHECK_STR(tt_last_error(), "train.csv:2: expected 3 values like line 1, got 2");
}

TT_TEST(test_csv_empty_or_header_only_is_an_error) {
  tt__csv c;
  CHECK(parse(&c, "") == TT_ERR_DATA);
  CHECK_STR(tt_last_error(), "train.csv: no data rows");
  CHECK(parse(&c, "x,y\n\n") == TT_ERR_DATA);
  CHECK_STR(tt_last_error(), "train.csv: no data rows after the header");
}

TT_TEST(test_csv_long_and_binary_values_are_quoted_safely) {
  char text[400] = "1\n";
  size_t n = strlen(text);
  for (int i = 0; i < 300; i++) text[n++] = (char)(i % 2 ? 'z' : 1);
  text[n] = '\0';
  tt__csv c;
  CHECK(parse(&c, text) == TT_ERR_DATA);
  CHECK(strlen(tt_last_error()) < 200);
  CHECK(strncmp(tt_last_error(), "train.csv:2:1: expected a number, got \"?z?z", 42) == 0);
}

int main(void) {
  TT_RUN(test_csv_reads_rows_and_skips_header_and_blank_lines);
  TT_RUN(test_csv_without_header_keeps_first_row);
  TT_RUN(test_csv_skips_a_leading_byte_order_mark);
  TT_RUN(test_csv_bad_value_names_line_and_field);
  TT_RUN(test_csv_first_row_with_some_numbers_is_data_not_header);
  TT_RUN(test_csv_rejects_what_strtod_would_accept);
  TT_RUN(test_csv_ragged_row_is_reported_with_counts);
  TT_RUN(test_csv_empty_or_header_only_is_an_error);
  TT_RUN(test_csv_long_and_binary_values_are_quoted_safely);
  return TT_SUMMARY();
}
