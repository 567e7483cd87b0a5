/* Readers and converters shared by src/io/ (weight files), the CLI and the fuzzers. Internal: tt__ names.
 * Everything here reads untrusted bytes: failures return a TT_ERR_* status with a message set by tt__fail()
 * that names the file position. */
#ifndef TT_IO_H
#define TT_IO_H

#include <stddef.h>
#include <stdint.h>

/* ---- half-precision conversions (exact: subnormals, signed zeros, inf and NaN payloads kept) ---------- */

float tt__f16_to_f32(uint16_t h);
float tt__bf16_to_f32(uint16_t h);

/* ---- numeric CSV --------------------------------------------------------------------------------------- */

/* A numeric table read from CSV text: `rows` rows of `cols` floats. An optional header row (a first line in
 * which no field is a number) is skipped; empty lines are skipped; fields may be surrounded by spaces or
 * double quotes; line ends may be \n or \r\n. */
typedef struct {
  int rows, cols;
  float *values;      /* (rows, cols) */
  int *lines;         /* (rows): 1-based line number of each row in the text, for error messages */
  int has_header;
  size_t bytes;       /* allocation size, for tt__csv_free */
} tt__csv;

/* Parses len bytes of CSV text. `name` (e.g. the file name) prefixes messages, which give line and field
 * (column) numbers, 1-based: "train.csv:7:3: expected a number, got \"abc\"",
 * "train.csv:9: expected 3 values like line 1, got 2". Returns TT_OK or TT_ERR_DATA (TT_ERR_MEMORY if the
 * table does not fit). On failure *out is left empty. */
int tt__csv_parse(tt__csv *out, const char *text, size_t len, const char *name);
void tt__csv_free(tt__csv *c);

#endif
