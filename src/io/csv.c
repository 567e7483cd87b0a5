/* Numeric CSV for the CLI and the fuzzers: every field a finite number, the same number of fields on every
 * row, an optional header, an optional UTF-8 byte order mark. Errors give file:line:field so a person can find
 * the bad value in an editor. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "io.h"

typedef struct {
  const char *p;
  size_t n;
} field;

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Trims spaces and one pair of surrounding double quotes. */
static field trim(const char *p, size_t n) {
  while (n && is_space(*p)) { p++; n--; }
  while (n && is_space(p[n - 1])) n--;
  if (n >= 2 && p[0] == '"' && p[n - 1] == '"') { p++; n -= 2; }
  while (n && is_space(*p)) { p++; n--; }
  while (n && is_space(p[n - 1])) n--;
  field f = {p, n};
  return f;
}

/* Strict decimal syntax ([sign] digits [. digits] [e [sign] digits]), so strtod's extras (hex, "inf",
 * "nan", leading junk) are never accepted. 1 and *out on success; 2 if well-formed but not a finite float. */
static int parse_number(field f, float *out) {
  size_t i = 0, digits = 0;
  if (f.n == 0 || f.n > 64) return 0;
  if (f.p[i] == '+' || f.p[i] == '-') i++;
  while (i < f.n && f.p[i] >= '0' && f.p[i] <= '9') { i++; digits++; }
  if (i < f.n && f.p[i] == '.') {
    i++;
    while (i < f.n && f.p[i] >= '0' && f.p[i] <= '9') { i++; digits++; }
  }
  if (!digits) return 0;
  if (i < f.n && (f.p[i] == 'e' || f.p[i] == 'E')) {
    i++;
    if (i < f.n && (f.p[i] == '+' || f.p[i] == '-')) i++;
    size_t exp_digits = 0;
    while (i < f.n && f.p[i] >= '0' && f.p[i] <= '9') { i++; exp_digits++; }
    if (!exp_digits) return 0;
  }
  if (i != f.n) return 0;
  double v = tt__parse_double(f.p, f.n);  // the syntax is checked above
  if (!(fabs(v) <= FLT_MAX)) return 2;
  *out = (float)v;
  return 1;
}

/* The value as a quoted, printable, bounded string for messages. */
static void quote(char *dst, size_t cap, field f) {
  size_t j = 0;
  dst[j++] = '"';
  for (size_t i = 0; i < f.n && j + 6 < cap; i++) {
    unsigned char c = (unsigned char)f.p[i];
    if (c == '"' || c == '\\') { dst[j++] = '\\'; dst[j++] = (char)c; }
    else dst[j++] = (c >= 0x20 && c != 0x7f) ? (char)c : '?';
  }
  if (j + 6 >= cap) { dst[j++] = '.'; dst[j++] = '.'; dst[j++] = '.'; }
  dst[j++] = '"';
  dst[j] = '\0';
}

/* Splits one line [p, p+n) at commas into up to max trimmed fields; returns the field count. */
static int split(const char *p, size_t n, field *fields, int max) {
  int k = 0;
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || p[i] == ',') {
      if (k < max) fields[k] = trim(p + start, i - start);
      k++;
      start = i + 1;
    }
  }
  return k;
}

static int blank(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_space(p[i])) return 0;
  return 1;
}

void tt__csv_free(tt__csv *c) {
  if (!c) return;
  // the block starts with the field scratch, cols fields before values
  if (c->values) tt__free((field *)c->values - c->cols, c->bytes);
  memset(c, 0, sizeof *c);
}

int tt__csv_parse(tt__csv *out, const char *text, size_t len, const char *name) {
  memset(out, 0, sizeof *out);
  if (!name) name = "csv";
  if (!text) len = 0;
  // a UTF-8 byte order mark (spreadsheets write one) is not part of the first field
  if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) text += 3, len -= 3;
  // pass 1: count lines (an upper bound on rows) and fields of the first non-blank line
  size_t lines = 0;
  for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
  lines++;
  if (lines > (size_t)0x7fffffff) return tt__fail(TT_ERR_DATA, "%s: more than 2^31 lines", name);

  field *fields = NULL;
  int cols = 0, first_line = 0, line = 0, rows = 0, status = TT_OK;
  size_t at = 0;
  while (at < len && status == TT_OK) {
    size_t end = at;
    while (end < len && text[end] != '\n') end++;
    size_t n = end - at;
    if (n && text[at + n - 1] == '\r') n--;
    const char *p = text + at;
    at = end + 1;
    line++;
    if (blank(p, n)) continue;
    if (!cols) {
      // the first non-blank line fixes the width; it is a header if none of its fields is a number
      cols = split(p, n, NULL, 0);
      first_line = line;
      // every data row holds at least `cols` digits, which bounds the rows by the text length too
      if (lines > len / (size_t)cols + 1) lines = len / (size_t)cols + 1;
      size_t bytes = tt__add(tt__mul(tt__mul(lines, (size_t)cols), sizeof(float)), tt__mul(lines, sizeof(int)));
      bytes = tt__add(bytes, tt__mul((size_t)cols, sizeof(field)));
      // one block: fields (pointer-aligned, first) | values (lines, cols) | line numbers (lines)
      fields = tt__malloc(bytes);
      if (!fields) return tt_last_status();
      out->bytes = bytes;
      out->values = (float *)(fields + cols);
      out->lines = (int *)(out->values + lines * (size_t)cols);
      out->cols = cols;
      split(p, n, fields, cols);
      int numeric = 0;
      float v;
      for (int c = 0; c < cols; c++) numeric += parse_number(fields[c], &v) != 0;
      if (!numeric) {
        out->has_header = 1;
        continue;
      }
    }
    int k = split(p, n, fields, cols);
    if (k != cols) {
      status = tt__fail(TT_ERR_DATA, "%s:%d: expected %d value%s like line %d, got %d", name, line, cols,
                        cols == 1 ? "" : "s", first_line, k);
      break;
    }
    float *row = out->values + (size_t)rows * (size_t)cols;
    for (int c = 0; c < cols; c++) {
      int r = parse_number(fields[c], &row[c]);
      if (r != 1) {
        char q[80];
        quote(q, sizeof q, fields[c]);
        status = tt__fail(TT_ERR_DATA, "%s:%d:%d: expected %s, got %s", name, line, c + 1,
                          r == 2 ? "a number within the float range" : "a number", q);
        break;
      }
    }
    out->lines[rows++] = line;
  }
  if (status == TT_OK && rows == 0)
    status = tt__fail(TT_ERR_DATA, "%s: no data rows%s", name, out->has_header ? " after the header" : "");
  if (status != TT_OK) {
    tt__csv_free(out);
    return status;
  }
  out->rows = rows;
  return TT_OK;
}
