/* A strict RFC 8259 JSON reader for model specs and untrusted safetensors headers.
 *
 * Two passes over the text with the same recursive-descent code: the first validates and counts (nodes, decoded
 * string bytes, object members), the second fills one block allocated with tt__malloc:
 *   [header: block size] [nodes (n_nodes)] [member scratch (n_members)] [decoded strings, NUL-terminated]
 * so a whole tree is one allocation and one tt__free. Recursion is bounded by the nesting limit (64), every
 * read checks `pos < len`, and every size is overflow-checked. Byte offsets in messages are 0-based. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define MAX_DEPTH 64
#define MAX_NUMBER_CHARS 400 /* longer number tokens are rejected; no real double needs more */

/* The block starts with its size so tt__free can account it; the union keeps the nodes aligned. */
typedef union {
  size_t bytes;
  max_align_t align;
} block_header;

/* An object member seen in pass 2, kept on a stack until its object closes, for the duplicate-key check. */
typedef struct {
  const tt__json *node;
  size_t key_offset;
} member;

typedef struct {
  const char *s;
  size_t len, pos;
  int err_status;
  const char *what;
  /* pass 1 counts, pass 2 capacities */
  size_t n_nodes, n_str_bytes, n_members;
  /* pass 2 only (NULL in pass 1) */
  tt__json *nodes;
  member *members;
  char *strs;
  size_t used_nodes, used_str, used_members;
} parser;

/* ---- messages ---------------------------------------------------------------------------------------- */

/* Appends n bytes to buf[len] at *at, always NUL-terminated; a piece that does not fit is dropped whole (so
 * no half UTF-8 sequence or half escape is ever written). */
static void put_raw(char *buf, size_t len, size_t *at, const char *piece, size_t n) {
  if (*at + n >= len) return;
  memcpy(buf + *at, piece, n);
  *at += n;
  buf[*at] = '\0';
}

/* The same for formatted text (pieces up to 63 bytes). */
static void put(char *buf, size_t len, size_t *at, const char *fmt, ...) {
  char piece[64];
  va_list ap;
  va_start(ap, fmt);
  int n = tt__vsnprintf(piece, sizeof piece, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < sizeof piece) put_raw(buf, len, at, piece, (size_t)n);
}

/* "abc" with quotes, escapes for control characters, and "..." after max_chars characters. */
static void put_quoted(char *buf, size_t len, size_t *at, const char *s, size_t n, size_t max_chars) {
  put_raw(buf, len, at, "\"", 1);
  size_t chars = 0;
  for (size_t i = 0; i < n;) {
    if (chars++ == max_chars) { put_raw(buf, len, at, "...", 3); break; }
    unsigned char c = (unsigned char)s[i];
    char esc[8] = {'\\', (char)c};
    size_t k = 1;
    if (c == '"' || c == '\\') put_raw(buf, len, at, esc, 2);
    else if (c == '\n' || c == '\t') esc[1] = c == '\n' ? 'n' : 't', put_raw(buf, len, at, esc, 2);
    else if (c < 0x20 || c == 0x7F) put(buf, len, at, "\\u%04x", c);
    else {
      /* one whole UTF-8 character (the text was validated, but stay inside n regardless) */
      k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      if (k > n - i) k = n - i;
      put_raw(buf, len, at, s + i, k);
    }
    i += k;
  }
  put_raw(buf, len, at, "\"", 1);
}

static int fail(parser *p, size_t at, const char *fmt, ...) {
  char detail[192];
  va_list ap;
  va_start(ap, fmt);
  tt__vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  tt__fail(p->err_status, "%s: invalid JSON at byte %zu: %s", p->what, at, detail);
  return -1;
}

/* ---- scanning ---------------------------------------------------------------------------------------- */

static void skip_ws(parser *p) {
  while (p->pos < p->len) {
    char c = p->s[p->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    p->pos++;
  }
}

static int peek(const parser *p) { return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1; }

static int hex4(const parser *p, size_t at, unsigned *out) {
  if (at > p->len || p->len - at < 4) return -1;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p->s[at + (size_t)i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    v = v * 16 + (unsigned)d;
  }
  *out = v;
  return 0;
}

/* Length of the valid UTF-8 sequence at p->pos (lead byte >= 0x80), or 0 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const parser *p) {
  const unsigned char *u = (const unsigned char *)p->s + p->pos;
  size_t avail = p->len - p->pos;
  unsigned char c = u[0], lo = 0x80, hi = 0xBF;
  size_t k;
  if (c >= 0xC2 && c <= 0xDF) k = 2;
  else if (c >= 0xE0 && c <= 0xEF) k = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) k = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (avail < k || u[1] < lo || u[1] > hi) return 0;
  for (size_t i = 2; i < k; i++)
    if (u[i] < 0x80 || u[i] > 0xBF) return 0;
  return k;
}

/* Parses the string at p->pos (a '"'); in pass 2 decodes it into p->strs and returns it via *out. Every piece
 * (a plain byte, a UTF-8 sequence, an escape) is first put in b[0..k), then copied by one loop. */
static int parse_string(parser *p, const char **out, size_t *out_len) {
  size_t start = p->pos, n = 0;
  char *dst = p->strs ? p->strs + p->used_str : NULL;
  p->pos++;
  for (;;) {
    unsigned char b[4];
    size_t k = 1;
    if (p->pos >= p->len) return fail(p, start, "unterminated string");
    unsigned char c = (unsigned char)p->s[p->pos];
    b[0] = c;
    if (c == '"') { p->pos++; break; }
    if (c < 0x20) return fail(p, p->pos, "control character 0x%02x in a string (write it as an escape)", c);
    if (c >= 0x80) {
      if (!(k = utf8_len(p))) return fail(p, p->pos, "invalid UTF-8 in a string");
      memcpy(b, p->s + p->pos, k);
      p->pos += k;
    } else if (c != '\\') {
      p->pos++;
    } else {  /* escape sequence */
      if (p->pos + 1 >= p->len) return fail(p, start, "unterminated string");
      int e = p->s[p->pos + 1];
      static const char escapes[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
      const char *simple = e > 0 ? strchr(escapes, e) : NULL;
      unsigned cp, lo;
      size_t esc = p->pos;
      if (simple) {
        b[0] = (unsigned char)decoded[simple - escapes];
        p->pos += 2;
      } else {
        if (e != 'u')
          return fail(p, p->pos, "invalid escape sequence (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        if (hex4(p, p->pos + 2, &cp)) return fail(p, p->pos, "expected 4 hex digits after \\u");
        p->pos += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(p, esc, "unpaired surrogate \\u%04x", cp);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          /* a high surrogate must be followed by an escaped low surrogate */
          if (p->pos + 1 >= p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
              hex4(p, p->pos + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return fail(p, esc, "unpaired surrogate \\u%04x", cp);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          p->pos += 6;
        }
        /* UTF-8: continuation bytes from the end, then the lead byte (0xC0 / 0xE0 / 0xF0 for 2 / 3 / 4) */
        k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        for (size_t i = k - 1; i > 0; i--) b[i] = (unsigned char)(0x80 | (cp & 0x3F)), cp >>= 6;
        b[0] = (unsigned char)(k == 1 ? cp : (0xF00 >> k) | cp);
      }
    }
    for (size_t i = 0; i < k; i++, n++)
      if (dst) { TT_ASSERT(p->used_str + n + 1 < p->n_str_bytes); dst[n] = (char)b[i]; }
  }
  /* decoded length + NUL never exceeds what pass 1 counted, since both passes run the same code */
  if (dst) {
    TT_ASSERT(p->used_str + n < p->n_str_bytes);
    dst[n] = '\0';
    *out = dst;
    *out_len = n;
  }
  p->used_str += n + 1;
  return 0;
}

static int is_digit(const parser *p) { int c = peek(p); return c >= '0' && c <= '9'; }

/* Strict number grammar, then tt__parse_double (src/core/format.c) on the validated text. */
static int parse_number(parser *p, double *out) {
  size_t start = p->pos;
  if (peek(p) == '-') p->pos++;
  if (!is_digit(p)) return fail(p, p->pos, "expected a digit");
  if (p->s[p->pos++] == '0' && is_digit(p)) return fail(p, p->pos - 1, "leading zeros are not allowed");
  while (is_digit(p)) p->pos++;
  if (peek(p) == '.') {
    p->pos++;
    if (!is_digit(p)) return fail(p, p->pos, "expected a digit after '.'");
    while (is_digit(p)) p->pos++;
  }
  if (peek(p) == 'e' || peek(p) == 'E') {
    p->pos++;
    if (peek(p) == '+' || peek(p) == '-') p->pos++;
    if (!is_digit(p)) return fail(p, p->pos, "expected a digit in the exponent");
    while (is_digit(p)) p->pos++;
  }
  size_t n = p->pos - start;
  if (n > MAX_NUMBER_CHARS) return fail(p, start, "number longer than %d characters", MAX_NUMBER_CHARS);
  double v = tt__parse_double(p->s + start, n);
  if (!isfinite(v)) return fail(p, start, "number out of range");
  *out = v;
  return 0;
}

static tt__json *new_node(parser *p) {
  if (!p->nodes) { p->n_nodes++; return NULL; }
  TT_ASSERT(p->used_nodes < p->n_nodes);
  tt__json *v = &p->nodes[p->used_nodes++];
  memset(v, 0, sizeof *v);
  return v;
}

static void swap_bytes(char *x, char *y, size_t size) {
  for (size_t i = 0; i < size; i++) {
    char t = x[i];
    x[i] = y[i];
    y[i] = t;
  }
}

void tt__sort(void *base, size_t n, size_t size, int (*less)(const void *, const void *)) {
  char *a = base;
  for (size_t end = n, start = n / 2; end > 1;) {
    if (start > 0) start--;
    else end--, swap_bytes(a, a + end * size, size);
    for (size_t root = start, child; (child = 2 * root + 1) < end; root = child) {
      if (child + 1 < end && less(a + child * size, a + (child + 1) * size)) child++;
      if (!less(a + root * size, a + child * size)) break;
      swap_bytes(a + root * size, a + child * size, size);
    }
  }
}

/* Orders members by key (length, then bytes), then by position, for the duplicate check. */
static int member_less(const void *x, const void *y) {
  const member *a = x, *b = y;
  if (a->node->key_len != b->node->key_len) return a->node->key_len < b->node->key_len;
  int c = memcmp(a->node->key, b->node->key, a->node->key_len);
  return c ? c < 0 : a->key_offset < b->key_offset;
}

/* Reports the earliest repeated key among the members of one object, m[0..n). */
static int check_duplicates(parser *p, member *m, size_t n) {
  tt__sort(m, n, sizeof *m, member_less);
  size_t first = SIZE_MAX, at = 0;
  for (size_t i = 1; i < n; i++) {
    const tt__json *a = m[i - 1].node, *b = m[i].node;
    if (a->key_len == b->key_len && !memcmp(a->key, b->key, a->key_len) && m[i].key_offset < first)
      first = m[i].key_offset, at = i;
  }
  if (first == SIZE_MAX) return 0;
  char key[96];
  size_t k = 0;
  key[0] = '\0';
  put_quoted(key, sizeof key, &k, m[at].node->key, m[at].node->key_len, 40);
  return fail(p, first, "duplicate key %s", key);
}

static int parse_value(parser *p, tt__json *v, int depth);

static int parse_container(parser *p, tt__json *v, int depth, int is_object) {
  size_t open = p->pos;
  char close = is_object ? '}' : ']';
  if (depth >= MAX_DEPTH) return fail(p, open, "nesting deeper than %d levels", MAX_DEPTH);
  if (v) v->type = is_object ? TT_JSON_OBJECT : TT_JSON_ARRAY;
  size_t base = p->used_members;
  tt__json *last = NULL;
  int count = 0;
  p->pos++;
  skip_ws(p);
  if (peek(p) == close) { p->pos++; return 0; }
  for (;;) {
    const char *key = NULL;
    size_t key_len = 0, key_offset = 0;
    if (is_object) {
      skip_ws(p);
      key_offset = p->pos;
      if (peek(p) != '"') return fail(p, p->pos, count ? "expected a string key" : "expected a string key or '}'");
      if (parse_string(p, &key, &key_len)) return -1;
      skip_ws(p);
      if (peek(p) != ':') return fail(p, p->pos, "expected ':'");
      p->pos++;
    }
    if (count == INT32_MAX) return fail(p, p->pos, "too many elements");
    tt__json *child = new_node(p);
    if (child) {
      child->key = key, child->key_len = key_len;
      if (last) last->next = child;
      else v->child = child;
      last = child;
    }
    if (is_object) {
      if (p->members) {
        TT_ASSERT(p->used_members < p->n_members);
        p->members[p->used_members] = (member){child, key_offset};
      }
      p->used_members++;
    }
    if (parse_value(p, child, depth + 1)) return -1;
    count++;
    skip_ws(p);
    if (peek(p) == ',') { p->pos++; continue; }
    if (peek(p) == close) { p->pos++; break; }
    return fail(p, p->pos, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
  if (v) v->count = count;
  /* pass 2: this object's members sit on top of the member stack; check them, then pop */
  if (is_object && p->members && check_duplicates(p, p->members + base, p->used_members - base)) return -1;
  if (p->members) p->used_members = base;
  return 0;
}

static int literal(parser *p, const char *word) {
  size_t n = strlen(word);
  if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n)) return fail(p, p->pos, "expected a value");
  p->pos += n;
  return 0;
}

/* v is NULL in pass 1. */
static int parse_value(parser *p, tt__json *v, int depth) {
  skip_ws(p);
  if (v) v->offset = p->pos;
  int c = peek(p);
  tt__json scratch; /* pass 1 still needs somewhere to put scalars */
  tt__json *t = v ? v : &scratch;
  switch (c) {
    case '{': return parse_container(p, v, depth, 1);
    case '[': return parse_container(p, v, depth, 0);
    case '"': t->type = TT_JSON_STRING; return parse_string(p, &t->str, &t->str_len);
    case 't': t->type = TT_JSON_BOOL; t->number = 1; return literal(p, "true");
    case 'f': t->type = TT_JSON_BOOL; t->number = 0; return literal(p, "false");
    case 'n': t->type = TT_JSON_NULL; return literal(p, "null");
    default:
      if (c == '-' || (c >= '0' && c <= '9')) { t->type = TT_JSON_NUMBER; return parse_number(p, &t->number); }
      return fail(p, p->pos, "expected a value");
  }
}

static int parse_document(parser *p) {
  p->pos = 0;
  p->used_nodes = p->used_str = p->used_members = 0;
  if (parse_value(p, new_node(p), 0)) return -1;
  skip_ws(p);
  if (p->pos != p->len) return fail(p, p->pos, "unexpected text after the JSON value");
  return 0;
}

tt__json *tt__json_parse(const char *text, size_t len, int err_status, const char *what) {
  parser p = {0};
  p.s = text ? text : "";
  p.len = text ? len : 0;
  p.err_status = err_status;
  p.what = what ? what : "JSON";
  if (parse_document(&p)) return NULL;
  /* pass 1 counted everything: size the one block */
  p.n_str_bytes = p.used_str;
  p.n_members = p.used_members;
  size_t nodes_at = sizeof(block_header);
  size_t members_at = tt__add(nodes_at, tt__mul(p.n_nodes, sizeof(tt__json)));
  size_t strs_at = tt__add(members_at, tt__mul(p.n_members, sizeof(member)));
  size_t bytes = tt__add(strs_at, p.n_str_bytes);
  char *block = tt__malloc(bytes);
  if (!block) return NULL;
  ((block_header *)block)->bytes = bytes;
  p.nodes = (tt__json *)(block + nodes_at);
  p.members = (member *)(block + members_at);
  p.strs = block + strs_at;
  if (parse_document(&p)) {
    tt__free(block, bytes);
    return NULL;
  }
  TT_ASSERT(p.used_nodes == p.n_nodes && p.used_str == p.n_str_bytes);
  return p.nodes;
}

void tt__json_free(tt__json *root) {
  if (!root) return;
  block_header *h = (block_header *)((char *)root - sizeof(block_header));
  tt__free(h, h->bytes);
}

const tt__json *tt__json_get(const tt__json *obj, const char *key) {
  if (!obj || obj->type != TT_JSON_OBJECT || !key) return NULL;
  size_t n = strlen(key);
  for (const tt__json *m = obj->child; m; m = m->next)
    if (m->key_len == n && !memcmp(m->key, key, n)) return m;
  return NULL;
}

void tt__json_describe(const tt__json *v, char *buf, size_t len) {
  if (!buf || !len) return;
  size_t at = 0;
  buf[0] = '\0';
  if (!v) { put(buf, len, &at, "nothing"); return; }
  switch (v->type) {
    case TT_JSON_NULL: put(buf, len, &at, "null"); break;
    case TT_JSON_BOOL: put(buf, len, &at, v->number != 0 ? "true" : "false"); break;
    case TT_JSON_STRING: put_quoted(buf, len, &at, v->str, v->str_len, 40); break;
    case TT_JSON_ARRAY: put(buf, len, &at, "an array"); break;
    case TT_JSON_OBJECT: put(buf, len, &at, "an object"); break;
    case TT_JSON_NUMBER:
      /* whole numbers in full (2000000, not 2e+06); else the shortest form that reads back as the same
       * double: 0.1 -> "0.1", not 0.10000000000000001 */
      if (v->number == floor(v->number) && fabs(v->number) < 1e17) {
        put(buf, len, &at, "%.0f", v->number == 0 ? 0.0 : v->number); /* -0 reads as 0 */
        break;
      }
      for (int prec = 1; prec <= 15; prec++) {
        char tmp[32];
        size_t n = (size_t)tt__snprintf(tmp, sizeof tmp, "%.*g", prec, v->number);
        if (tt__parse_double(tmp, n) == v->number || prec == 15) { put(buf, len, &at, "%s", tmp); break; }
      }
      break;
  }
}
