/* Weight files in the safetensors format, with PyTorch nn.Sequential names, so a file moves between tinytrain
 * and torch unchanged.
 *
 * Layout: 8-byte little-endian header length N | N bytes of JSON header | data. The header maps tensor names
 * to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data start) and carries
 * "__metadata__": {"format": "tinytrain", "spec": "<spec JSON>"}. Names are "<i>.weight" / "<i>.bias" with i
 * the layer's index in the spec's layers array (= its nn.Sequential index). Layouts are PyTorch's: Linear
 * [out, in], Conv2d [out, in, kh, kw], LayerNorm [D], Embedding [vocab, dim].
 *
 * Reading treats the file as hostile: every length, offset, dtype and shape is checked, the tensors must
 * tile the data region exactly (no gaps, no overlaps, no trailing bytes), and the whole file is validated
 * against the model before one weight is written, so a failed load leaves the model as it was. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/model.h"
#include "io.h"

/* Largest header we accept (the reference implementation's limit too): keeps a hostile length from making
 * us allocate or scan gigabytes. */
#define TT_ST_MAX_HEADER (100u * 1024u * 1024u)
/* Numbers in the header are doubles: integers above 2^53 are not exact, so they cannot be offsets. */
#define TT_ST_MAX_INT 9007199254740992.0

static const char no_spec_message[] =
    "this file has no tinytrain spec in its metadata: create the model with Model.create(spec) and call "
    "loadWeights";

/* ---- half precision ---------------------------------------------------------------------------------- */

static float bits_to_f32(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

float tt__f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  if (exp == 0x1f) return bits_to_f32(sign | 0x7f800000u | (man << 13));  // inf, NaN (payload kept)
  if (exp != 0) return bits_to_f32(sign | ((exp + 112u) << 23) | (man << 13));  // rebias 15 -> 127
  // zero or subnormal: man * 2^-24, exact in f32 (man < 2^10 and the scale is a power of two)
  float f = (float)man * 5.9604644775390625e-8f;
  return sign ? -f : f;
}

float tt__bf16_to_f32(uint16_t h) { return bits_to_f32((uint32_t)h << 16); }

/* ---- the tensors a model expects --------------------------------------------------------------------- */

typedef struct {
  char name[32];
  int rank;
  uint64_t dims[4];
  size_t count;
  float *dst;            /* the parameter view inside the model's block */
  const tt__layer *layer;
  int found;             /* matched by a file tensor (load) */
} expected_tensor;

/* Fills up to TT_MAX_LAYERS * 2 expected tensors in layer order, weight then bias. */
static int expected_tensors(const tt_model *m, expected_tensor *out) {
  int n = 0;
  for (int i = 0; i < m->n_layers; i++) {
    const tt__layer *l = &m->layers[i];
    for (int part = 0; part < 2; part++) {
      size_t count = part == 0 ? l->w_count : l->b_count;
      if (count == 0) continue;
      expected_tensor *t = &out[n++];
      memset(t, 0, sizeof *t);
      tt__snprintf(t->name, sizeof t->name, "%d.%s", l->index, part == 0 ? "weight" : "bias");
      t->count = count;
      t->dst = part == 0 ? l->w : l->b;
      t->layer = l;
      if (part == 0 && l->type == TT_DENSE) {  // Linear: [out, in], applied to the last dim of [T, in] too
        t->rank = 2;
        t->dims[0] = (size_t)l->units;
        t->dims[1] = (size_t)l->in.d[l->in.rank - 1];
      } else if (part == 0 && l->type == TT_CONV2D) {  // Conv2d: [out, in, kh, kw]
        t->rank = 4;
        t->dims[0] = (size_t)l->filters;
        t->dims[1] = (size_t)l->in.d[0];
        t->dims[2] = t->dims[3] = (size_t)l->kernel;
      } else if (part == 0 && l->type == TT_EMBEDDING) {  // Embedding: [vocab, dim]
        t->rank = 2;
        t->dims[0] = (size_t)l->vocab;
        t->dims[1] = (size_t)l->dim;
      } else {  // biases, LayerNorm weight and bias: one dimension
        t->rank = 1;
        t->dims[0] = count;
      }
      uint64_t prod = 1;
      for (int d = 0; d < t->rank; d++) prod *= t->dims[d];
      TT_ASSERT(prod == count);  // the layer's setup and this table must agree
    }
  }
  return n;
}

/* "[3, 2]" for messages; compact "[3,2]" (sep ",") for the header. */
static void dims_sep(const uint64_t *dims, int rank, char *buf, size_t len, const char *sep) {
  size_t at = (size_t)tt__snprintf(buf, len, "[");
  for (int i = 0; i < rank && at < len; i++)
    at += (size_t)tt__snprintf(buf + at, len - at, "%s%llu", i ? sep : "", (unsigned long long)dims[i]);
  if (at < len) tt__snprintf(buf + at, len - at, "]");
}

static void dims_str(const uint64_t *dims, int rank, char *buf, size_t len) { dims_sep(dims, rank, buf, len, ", "); }

/* ---- writing ----------------------------------------------------------------------------------------- */

typedef struct {
  char *p;
  size_t len, cap;
  int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = 1; return; }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* s as a JSON string literal: quotes, backslashes and control characters escaped. */
static void sb_json_string(sbuf *b, const char *s, size_t n) {
  sb_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; sb_put(b, esc, 2); }
    else if (c == '\n') sb_put(b, "\\n", 2);
    else if (c == '\t') sb_put(b, "\\t", 2);
    else if (c == '\r') sb_put(b, "\\r", 2);
    else if (c < 0x20) { tt__snprintf(esc, sizeof esc, "\\u%04x", c); sb_put(b, esc, 6); }
    else sb_put(b, (const char *)&c, 1);
  }
  sb_put(b, "\"", 1);
}

static void put_u64le(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

int tt_model_save(const tt_model *m, unsigned char **out, size_t *out_len) {
  tt__clear_error();
  if (!m || !out || !out_len) return tt__fail(TT_ERR_STATE, "save: model and output pointers must not be NULL");
  *out = NULL;
  *out_len = 0;
  expected_tensor tensors[TT_MAX_LAYERS * 2];
  int n = expected_tensors(m, tensors);

  // header: metadata first, then tensors in layer order with consecutive offsets (= the params order)
  sbuf h = {0};
  sb_str(&h, "{\"__metadata__\":{\"format\":\"tinytrain\",\"spec\":");
  sb_json_string(&h, m->spec_json, m->spec_len);
  sb_str(&h, "}");
  size_t offset = 0;
  for (int i = 0; i < n; i++) {
    char item[256], shape[96];
    dims_sep(tensors[i].dims, tensors[i].rank, shape, sizeof shape, ",");
    size_t bytes = tensors[i].count * 4;
    tt__snprintf(item, sizeof item, ",\"%.31s\":{\"dtype\":\"F32\",\"shape\":%.95s,\"data_offsets\":[%zu,%zu]}",
             tensors[i].name, shape, offset, offset + bytes);
    sb_str(&h, item);
    offset += bytes;
  }
  sb_str(&h, "}");
  // pad with spaces so the data starts 8-byte aligned, as the reference writer does
  while (!h.oom && (h.len % 8) != 0) sb_put(&h, " ", 1);
  if (h.oom) {
    free(h.p);
    return tt__fail(TT_ERR_MEMORY, "save: out of memory building the header");
  }

  size_t total = 8 + h.len + offset;
  unsigned char *buf = malloc(total);  // released by the caller with tt_free
  if (!buf) {
    free(h.p);
    return tt__fail(TT_ERR_MEMORY, "save: out of memory (%zu bytes)", total);
  }
  put_u64le(buf, (uint64_t)h.len);
  memcpy(buf + 8, h.p, h.len);
  free(h.p);
  unsigned char *d = buf + 8 + h.len;
  for (int i = 0; i < n; i++) {
    // explicit little-endian bytes: the format's byte order whatever the host's
    for (size_t k = 0; k < tensors[i].count; k++) {
      uint32_t u;
      memcpy(&u, &tensors[i].dst[k], 4);
      d[0] = (unsigned char)u; d[1] = (unsigned char)(u >> 8);
      d[2] = (unsigned char)(u >> 16); d[3] = (unsigned char)(u >> 24);
      d += 4;
    }
  }
  *out = buf;
  *out_len = total;
  return TT_OK;
}

/* ---- reading ----------------------------------------------------------------------------------------- */

/* A parsed, structurally valid file: the header's tensors, each checked against the data region. */
typedef struct {
  tt__json *root;
  const unsigned char *data;  /* start of the data region */
  size_t data_len;
  size_t data_at;             /* file offset of the data region, for messages */
  const tt__json *metadata;   /* "__metadata__" object or NULL */
} st_file;

typedef struct {
  const tt__json *entry;
  char name[72];              /* printable copy for messages */
  int dtype_size;             /* 4 F32, 2 F16/BF16 */
  int is_bf16;
  int rank;
  uint64_t dims[8];           /* as in the file (may exceed size_t on wasm32) */
  size_t count;
  size_t begin, end;          /* data offsets */
} st_tensor;

/* Copies a possibly hostile name into a printable, bounded buffer. */
static void printable(char *dst, size_t cap, const char *s, size_t n) {
  size_t j = 0;
  for (size_t i = 0; i < n && j + 4 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    dst[j++] = (c >= 0x20 && c != 0x7f) ? (char)c : '?';
  }
  if (n > 0 && j + 4 >= cap && j < n) { dst[j++] = '.'; dst[j++] = '.'; dst[j++] = '.'; }
  dst[j] = '\0';
}

static int key_is(const tt__json *v, const char *key) {
  return v->key && v->key_len == strlen(key) && memcmp(v->key, key, v->key_len) == 0;
}

static int is_index(const tt__json *v, double *out) {
  if (!v || v->type != TT_JSON_NUMBER) return 0;
  double d = v->number;
  if (!(d >= 0 && d <= TT_ST_MAX_INT) || d != (double)(uint64_t)d) return 0;
  *out = d;
  return 1;
}

static uint64_t get_u64le(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/* Framing and header JSON. */
static int st_open(st_file *f, const unsigned char *bytes, size_t len) {
  memset(f, 0, sizeof *f);
  if (!bytes) return tt__fail(TT_ERR_FILE, "safetensors: no bytes given");
  if (len < 8)
    return tt__fail(TT_ERR_FILE, "safetensors: the file is %zu bytes, shorter than its 8-byte header length", len);
  uint64_t n = get_u64le(bytes);
  if (n > len - 8)
    return tt__fail(TT_ERR_FILE, "safetensors: header length %llu exceeds the file size %zu",
                    (unsigned long long)n, len);
  if (n > TT_ST_MAX_HEADER)
    return tt__fail(TT_ERR_FILE, "safetensors: header length %llu is larger than the %u-byte limit",
                    (unsigned long long)n, TT_ST_MAX_HEADER);
  if (n < 2) return tt__fail(TT_ERR_FILE, "safetensors: header length %llu is too short for a JSON object",
                             (unsigned long long)n);
  f->root = tt__json_parse((const char *)bytes + 8, (size_t)n, TT_ERR_FILE, "safetensors header");
  if (!f->root) {
    if (tt_last_status() == TT_OK) tt__fail(TT_ERR_FILE, "safetensors header: not valid JSON");
    return tt_last_status();
  }
  if (f->root->type != TT_JSON_OBJECT) {
    char what[64];
    tt__json_describe(f->root, what, sizeof what);
    tt__json_free(f->root);
    f->root = NULL;
    return tt__fail(TT_ERR_FILE, "safetensors header: expected a JSON object, got %s", what);
  }
  f->data_at = 8 + (size_t)n;
  f->data = bytes + f->data_at;
  f->data_len = len - f->data_at;
  f->metadata = tt__json_get(f->root, "__metadata__");
  return TT_OK;
}

static void st_close(st_file *f) {
  if (f->root) tt__json_free(f->root);
  f->root = NULL;
}

static int cmp_begin(const void *a, const void *b) {
  const st_tensor *x = *(st_tensor *const *)a, *y = *(st_tensor *const *)b;
  if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
  return x->end < y->end ? -1 : x->end > y->end;
}

/* One tensor entry: dtype, shape (overflow-checked), offsets inside the data and matching the byte size. */
static int st_tensor_parse(const st_file *f, const tt__json *e, st_tensor *t) {
  memset(t, 0, sizeof *t);
  t->entry = e;
  printable(t->name, sizeof t->name, e->key, e->key_len);
  if (e->type != TT_JSON_OBJECT) {
    char what[64];
    tt__json_describe(e, what, sizeof what);
    return tt__fail(TT_ERR_FILE, "%s: expected an object with dtype, shape and data_offsets, got %s", t->name, what);
  }
  for (const tt__json *c = e->child; c; c = c->next) {
    if (!key_is(c, "dtype") && !key_is(c, "shape") && !key_is(c, "data_offsets")) {
      char k[40];
      printable(k, sizeof k, c->key, c->key_len);
      return tt__fail(TT_ERR_FILE, "%s: unknown field \"%s\" (allowed: dtype, shape, data_offsets)", t->name, k);
    }
  }
  const tt__json *dtype = tt__json_get(e, "dtype"), *shape = tt__json_get(e, "shape"),
                 *offs = tt__json_get(e, "data_offsets");
  if (!dtype || !shape || !offs)
    return tt__fail(TT_ERR_FILE, "%s: missing %s", t->name, !dtype ? "dtype" : !shape ? "shape" : "data_offsets");

  if (dtype->type != TT_JSON_STRING) return tt__fail(TT_ERR_FILE, "%s: dtype must be a string", t->name);
  char dt[24];
  printable(dt, sizeof dt, dtype->str, dtype->str_len);
  if (!strcmp(dtype->str, "F32") && dtype->str_len == 3) t->dtype_size = 4;
  else if (!strcmp(dtype->str, "F16") && dtype->str_len == 3) t->dtype_size = 2;
  else if (!strcmp(dtype->str, "BF16") && dtype->str_len == 4) { t->dtype_size = 2; t->is_bf16 = 1; }
  else {
    static const char *known[] = {"F64", "F8_E4M3", "F8_E5M2", "I64", "I32", "I16", "I8", "U64",
                                  "U32", "U16", "U8", "BOOL"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
      if (!strcmp(dtype->str, known[i]))
        return tt__fail(TT_ERR_FILE, "%s: dtype %s is not supported (expected F32, F16 or BF16)", t->name, dt);
    return tt__fail(TT_ERR_FILE, "%s: unknown dtype \"%s\" (expected F32, F16 or BF16)", t->name, dt);
  }

  if (shape->type != TT_JSON_ARRAY)
    return tt__fail(TT_ERR_FILE, "%s: shape must be an array of sizes", t->name);
  if (shape->count > 8)
    return tt__fail(TT_ERR_FILE, "%s: shape has %d dimensions (at most 8 supported)", t->name, shape->count);
  size_t count = 1;
  for (const tt__json *d = shape->child; d; d = d->next) {
    double v;
    if (!is_index(d, &v)) {
      char what[64];
      tt__json_describe(d, what, sizeof what);
      return tt__fail(TT_ERR_FILE, "%s: shape[%d]: expected a non-negative integer, got %s", t->name, t->rank, what);
    }
    t->dims[t->rank++] = (uint64_t)v;
    // a dimension beyond size_t (wasm32: 2^32) is an overflow too, not a truncation
    count = v >= (double)SIZE_MAX ? SIZE_MAX : tt__mul(count, (size_t)v);
  }
  size_t nbytes = tt__mul(count, (size_t)t->dtype_size);
  if (count == SIZE_MAX || nbytes == SIZE_MAX) {
    char s[200];
    dims_str(t->dims, t->rank, s, sizeof s);
    return tt__fail(TT_ERR_FILE, "%s: shape %s has too many elements (the size overflows)", t->name, s);
  }
  t->count = count;

  double b, en;
  if (offs->type != TT_JSON_ARRAY || offs->count != 2 || !is_index(offs->child, &b) ||
      !is_index(offs->child->next, &en))
    return tt__fail(TT_ERR_FILE, "%s: data_offsets must be [begin, end] with non-negative integers", t->name);
  if (b > en)
    return tt__fail(TT_ERR_FILE, "%s: data_offsets [%.0f, %.0f] end before they begin", t->name, b, en);
  if (en > (double)f->data_len)
    return tt__fail(TT_ERR_FILE,
                    "%s: data_offsets [%.0f, %.0f] go past the end of the data (%zu bytes at file offset %zu)",
                    t->name, b, en, f->data_len, f->data_at);
  t->begin = (size_t)b;
  t->end = (size_t)en;
  if (t->end - t->begin != nbytes) {
    char s[200];
    dims_str(t->dims, t->rank, s, sizeof s);
    return tt__fail(TT_ERR_FILE, "%s: data_offsets [%zu, %zu] hold %zu bytes, but shape %s of %s needs %zu",
                    t->name, t->begin, t->end, t->end - t->begin, s, dt, nbytes);
  }
  return TT_OK;
}

/* Validates metadata and every tensor entry, and that the tensors tile the data region exactly. On success
 * *tensors (tt__malloc'd, *n entries) describe the file. */
/* Safetensors metadata is a map of strings to strings. */
static int st_check_metadata(const st_file *f) {
  if (!f->metadata) return TT_OK;
  if (f->metadata->type != TT_JSON_OBJECT)
    return tt__fail(TT_ERR_FILE, "__metadata__: expected an object of strings");
  for (const tt__json *c = f->metadata->child; c; c = c->next)
    if (c->type != TT_JSON_STRING) {
      char k[40];
      printable(k, sizeof k, c->key, c->key_len);
      return tt__fail(TT_ERR_FILE, "__metadata__.%s: expected a string (safetensors metadata holds strings)", k);
    }
  return TT_OK;
}

static int st_tensors(const st_file *f, st_tensor **tensors, int *n) {
  *tensors = NULL;
  *n = 0;
  if (st_check_metadata(f) != TT_OK) return tt_last_status();
  int count = f->root->count - (f->metadata ? 1 : 0);
  size_t bytes = tt__mul((size_t)(count > 0 ? count : 1), sizeof(st_tensor) + sizeof(st_tensor *));
  st_tensor *ts = tt__malloc(bytes);
  if (!ts) return tt_last_status();
  st_tensor **order = (st_tensor **)(ts + (count > 0 ? count : 1));
  int k = 0, status = TT_OK;
  for (const tt__json *e = f->root->child; e && status == TT_OK; e = e->next) {
    if (e == f->metadata) continue;
    status = st_tensor_parse(f, e, &ts[k]);
    order[k] = &ts[k];
    k++;
  }
  if (status == TT_OK) {
    // in offset order, each tensor must start where the previous one ended and the last must end the file
    qsort(order, (size_t)k, sizeof *order, cmp_begin);
    size_t at = 0;
    for (int i = 0; i < k && status == TT_OK; i++) {
      const st_tensor *t = order[i];
      if (t->begin < at)
        status = tt__fail(TT_ERR_FILE, "%s: data_offsets [%zu, %zu] overlap %s [%zu, %zu]", t->name, t->begin,
                          t->end, order[i - 1]->name, order[i - 1]->begin, order[i - 1]->end);
      else if (t->begin > at)
        status = tt__fail(TT_ERR_FILE,
                          "safetensors: data bytes %zu..%zu (file offset %zu) belong to no tensor (before %s)", at,
                          t->begin, f->data_at + at, t->name);
      at = t->end;
    }
    if (status == TT_OK && at != f->data_len)
      status = tt__fail(TT_ERR_FILE, "safetensors: %zu trailing bytes at file offset %zu belong to no tensor",
                        f->data_len - at, f->data_at + at);
  }
  if (status != TT_OK) {
    tt__free(ts, bytes);
    return status;
  }
  *tensors = ts;
  *n = k;
  return TT_OK;
}

/* The tensors of a validated file against the model: every name expected, every shape the model's, every
 * expected tensor present, every value finite; then (and only then) copies them in, converting to F32. */
static int st_apply(tt_model *m, const st_file *f) {
  st_tensor *ts;
  int n;
  int status = st_tensors(f, &ts, &n);
  if (status != TT_OK) return status;
  size_t ts_bytes = tt__mul((size_t)(n > 0 ? n : 1), sizeof(st_tensor) + sizeof(st_tensor *));
  expected_tensor ex[TT_MAX_LAYERS * 2];
  int n_ex = expected_tensors(m, ex);
  const st_tensor **match = tt__calloc((size_t)(n_ex > 0 ? n_ex : 1), sizeof *match);
  if (!match) { tt__free(ts, ts_bytes); return tt_last_status(); }

  for (int i = 0; i < n && status == TT_OK; i++) {
    const st_tensor *t = &ts[i];
    int j = 0;
    while (j < n_ex && !(strlen(ex[j].name) == t->entry->key_len && !memcmp(ex[j].name, t->entry->key, t->entry->key_len)))
      j++;
    if (j == n_ex) {
      // say what the model has at that index, when the name looks like "<i>.<part>"
      char *end;
      long idx = strtol(t->name, &end, 10);
      if (end != t->name && *end == '.' && idx >= 0 && idx < m->n_layers)
        status = tt__fail(TT_ERR_FILE, "%s: unexpected tensor: the model's layer %ld (%s) has no such parameter",
                          t->name, idx, tt__layer_ops_of(m->layers[idx].type)->name);
      else
        status = tt__fail(TT_ERR_FILE, "%s: unexpected tensor: the model (%d layers) has no parameter of that name",
                          t->name, m->n_layers);
      break;
    }
    match[j] = t;
    ex[j].found = 1;
    if (t->rank != ex[j].rank || memcmp(t->dims, ex[j].dims, (size_t)t->rank * sizeof(uint64_t)) != 0) {
      char got[200], want[96];
      dims_str(t->dims, t->rank, got, sizeof got);
      dims_str(ex[j].dims, ex[j].rank, want, sizeof want);
      status = tt__fail(TT_ERR_FILE, "%s: shape %s does not match the model's %s", t->name, got, want);
    }
  }
  for (int j = 0; j < n_ex && status == TT_OK; j++)
    if (!ex[j].found) {
      char want[96];
      dims_str(ex[j].dims, ex[j].rank, want, sizeof want);
      status = tt__fail(TT_ERR_FILE, "%s: missing tensor: the model needs it (shape %s)", ex[j].name, want);
    }

  // values: convert into a scratch copy first, so a NaN in the last tensor cannot leave the model half-loaded
  size_t total = 0;
  for (int j = 0; j < n_ex; j++) total += ex[j].count;
  float *tmp = NULL;
  if (status == TT_OK) {
    tmp = tt__malloc(tt__mul(total ? total : 1, sizeof(float)));
    if (!tmp) status = tt_last_status();
  }
  size_t at = 0;
  for (int j = 0; j < n_ex && status == TT_OK; j++) {
    const st_tensor *t = match[j];
    const unsigned char *p = f->data + t->begin;
    for (size_t k = 0; k < t->count; k++) {
      float v;
      if (t->dtype_size == 4) {
        uint32_t u = (uint32_t)p[4 * k] | (uint32_t)p[4 * k + 1] << 8 | (uint32_t)p[4 * k + 2] << 16 |
                     (uint32_t)p[4 * k + 3] << 24;
        v = bits_to_f32(u);
      } else {
        uint16_t h = (uint16_t)(p[2 * k] | p[2 * k + 1] << 8);
        v = t->is_bf16 ? tt__bf16_to_f32(h) : tt__f16_to_f32(h);
      }
      if (v != v || v - v != 0) {  // NaN or inf: would poison every prediction
        status = tt__fail(TT_ERR_FILE, "%s: element %zu is %s (at file offset %zu); weights must be finite",
                          t->name, k, v != v ? "NaN" : "infinite", f->data_at + t->begin + k * (size_t)t->dtype_size);
        break;
      }
      tmp[at + k] = v;
    }
    at += t->count;
  }
  if (status == TT_OK) {
    at = 0;
    for (int j = 0; j < n_ex; j++) {
      memcpy(ex[j].dst, tmp + at, ex[j].count * sizeof(float));
      at += ex[j].count;
    }
  }
  if (tmp) tt__free(tmp, total * sizeof(float));
  tt__free((void *)match, (size_t)(n_ex > 0 ? n_ex : 1) * sizeof *match);
  tt__free(ts, ts_bytes);
  return status;
}

int tt_model_load_weights(tt_model *m, const unsigned char *bytes, size_t len) {
  tt__clear_error();
  if (!m) return tt__fail(TT_ERR_STATE, "load_weights: the model is NULL");
  st_file f;
  int status = st_open(&f, bytes, len);
  if (status == TT_OK) status = st_apply(m, &f);
  st_close(&f);
  return status;
}

tt_model *tt_model_load(const unsigned char *bytes, size_t len) {
  tt__clear_error();
  st_file f;
  if (st_open(&f, bytes, len) != TT_OK) return NULL;
  if (st_check_metadata(&f) != TT_OK) {
    st_close(&f);
    return NULL;
  }
  const tt__json *fmt = f.metadata ? tt__json_get(f.metadata, "format") : NULL;
  const tt__json *spec = f.metadata ? tt__json_get(f.metadata, "spec") : NULL;
  if (!fmt || fmt->type != TT_JSON_STRING || strcmp(fmt->str, "tinytrain") != 0 || !spec ||
      spec->type != TT_JSON_STRING) {
    st_close(&f);
    tt__fail(TT_ERR_FILE, "%s", no_spec_message);
    return NULL;
  }
  tt_model *m = tt_model_create(spec->str, spec->str_len);
  if (!m) {
    char why[400];
    tt__snprintf(why, sizeof why, "%s", tt_last_error());  // copy: tt__fail rewrites the buffer we would read
    st_close(&f);
    tt__fail(TT_ERR_FILE, "the spec in this file's metadata is invalid: %s", why);
    return NULL;
  }
  tt__clear_error();
  int status = st_apply(m, &f);
  st_close(&f);
  if (status != TT_OK) {
    char why[512];
    tt__snprintf(why, sizeof why, "%s", tt_last_error());
    tt_model_free(m);  // may not touch the error, but keep the message safe either way
    tt__fail(status, "%s", why);
    return NULL;
  }
  return m;
}
