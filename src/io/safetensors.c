/* Weight files in the safetensors format, with PyTorch nn.Sequential names, so a file moves between tinytrain
 * and torch unchanged.
 *
 * Layout: 8-byte little-endian header length N | N bytes of JSON header | data. The header maps tensor names
 * to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data start) and carries
 * "__metadata__": {"format": "tinytrain", "spec": "<spec JSON>"}, and for a language model with a vocabulary
 * also "vocabulary": "<JSON array of its token strings>". Names are "<i>.weight" / "<i>.bias" with i the
 * layer's index in the spec's layers array (= its nn.Sequential index), "<i>.layers.<j>.weight" inside a
 * residual block, and MultiheadAttention's own names for attention. Layouts are PyTorch's (expected_tensors).
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
  char name[80];
  int rank;
  uint64_t dims[4];
  size_t count;
  const struct st_tensor *match; /* the file's tensor of this name (load) */
} expected_tensor;

/* At most 4 tensors a layer (attention's). */
#define MAX_TENSORS (TT_MAX_LAYERS * 4)

/* The layer's name in the PyTorch module: its spec path with "layers[i]" written as nn.Sequential indices,
 * "layers[2].layers[1]" -> "2.layers.1" (a residual block's inner layers are its nn.Sequential `layers`). */
static void torch_prefix(const tt__layer *l, char *buf, size_t len) {
  const char *p = l->path + strlen("layers[");  // every path starts so
  size_t at = 0;
  for (; *p && at + 1 < len; p++)
    if (*p != ']') buf[at++] = *p == '[' ? '.' : *p;
  buf[at] = '\0';
}

/* Appends the tensor <prefix>.<part> of the given shape. */
static expected_tensor *add_tensor(expected_tensor *t, const char *prefix, const char *part, int rank,
                                   const size_t *dims) {
  memset(t, 0, sizeof *t);
  tt__snprintf(t->name, sizeof t->name, "%s.%s", prefix, part);
  t->rank = rank;
  t->count = 1;
  for (int d = 0; d < rank; d++) t->count *= dims[d], t->dims[d] = dims[d];
  return t + 1;
}
#define DIMS(...) (sizeof((size_t[]){__VA_ARGS__}) / sizeof(size_t)), (size_t[]){__VA_ARGS__}

/* Fills up to MAX_TENSORS expected tensors in layer order, each layer's in its state_dict() order, which is the
 * order of its parameters in tt_model_params() (weight then bias; attention's in_proj_weight, in_proj_bias,
 * out_proj.weight, out_proj.bias), so the tensors' values one after the other are the parameter block. Layouts
 * are PyTorch's: Linear [out, in] (applied to the last dim of [T, in] too), Conv2d [out, in, kh, kw], Embedding
 * [vocab, dim], the position table [length, dim], MultiheadAttention's in_proj [3D, D] and out_proj [D, D], and
 * one dimension for biases and LayerNorm. */
static int expected_tensors(const tt_model *m, expected_tensor *out) {
  expected_tensor *t = out;
  for (int i = 0; i < m->n_layers; i++) {
    const tt__layer *l = &m->layers[i];
    char prefix[64];
    torch_prefix(l, prefix, sizeof prefix);
    size_t in = (size_t)l->in.d[l->in.rank - 1];
    if (l->type == TT_ATTENTION) {
      t = add_tensor(t, prefix, "in_proj_weight", DIMS(3 * in, in));
      if (l->bias) t = add_tensor(t, prefix, "in_proj_bias", DIMS(3 * in));
      t = add_tensor(t, prefix, "out_proj.weight", DIMS(in, in));
      if (l->bias) t = add_tensor(t, prefix, "out_proj.bias", DIMS(in));
      continue;
    }
    if (l->type == TT_DENSE) t = add_tensor(t, prefix, "weight", DIMS((size_t)l->units, in));
    else if (l->type == TT_CONV2D)
      t = add_tensor(t, prefix, "weight", DIMS((size_t)l->filters, (size_t)l->in.d[0], (size_t)l->kernel,
                                               (size_t)l->kernel));
    else if (l->type == TT_EMBEDDING) t = add_tensor(t, prefix, "weight", DIMS((size_t)l->vocab, (size_t)l->dim));
    else if (l->type == TT_POSITION_EMBEDDING) t = add_tensor(t, prefix, "weight", DIMS((size_t)l->length, in));
    else if (l->w_count) t = add_tensor(t, prefix, "weight", DIMS(l->w_count));
    if (l->b_count) t = add_tensor(t, prefix, "bias", DIMS(l->b_count));
  }
  size_t total = 0;
  for (expected_tensor *e = out; e < t; e++) total += e->count;
  TT_ASSERT(total == m->param_count);  // the layers' setup and this table must agree
  return (int)(t - out);
}

/* "[3, 2]" for messages (tt__dims_str with sep "," writes the header's compact "[3,2]"). */
static void dims_str(const uint64_t *dims, int rank, char *buf, size_t len) { tt__dims_str(dims, rank, buf, len, ", "); }

/* ---- writing ----------------------------------------------------------------------------------------- */

/* Appends to a buffer, or only counts when p is NULL: the header is laid out twice, once to size the file
 * and once to write it, so saving is one allocation (no growing buffer, no realloc in the wasm module). */
typedef struct {
  unsigned char *p;
  size_t len;
} writer;

static void w_put(writer *w, const void *s, size_t n) {
  if (w->p) memcpy(w->p + w->len, s, n);
  w->len += n;
}

static void w_str(writer *w, const char *s) { w_put(w, s, strlen(s)); }

/* The JSON header: metadata first (the spec as a JSON string literal), then the tensors in layer order with
 * consecutive offsets (= the params order), padded with spaces to a multiple of 8 as the reference writer
 * does, so the data starts aligned. Returns the size of the data that follows. */
/* text as the body of a JSON string literal */
static void w_escaped(writer *w, const char *text, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    char esc[8] = {'\\', (char)c};
    const char *named = c == '\n' ? "n" : c == '\t' ? "t" : c == '\r' ? "r" : NULL;
    if (c == '"' || c == '\\') w_put(w, esc, 2);
    else if (named) esc[1] = *named, w_put(w, esc, 2);
    else if (c < 0x20) w_put(w, esc, (size_t)tt__snprintf(esc, sizeof esc, "\\u%04x", c));
    else w_put(w, &c, 1);
  }
}

static size_t write_header(writer *w, const tt_model *m, const expected_tensor *t, int n) {
  w_str(w, "{\"__metadata__\":{\"format\":\"tinytrain\",\"spec\":\"");
  w_escaped(w, m->spec_json, m->spec_len);
  if (m->vocab_json) {
    w_str(w, "\",\"vocabulary\":\"");
    w_escaped(w, m->vocab_json, m->vocab_len);
  }
  w_str(w, "\"}");
  size_t offset = 0;
  for (int i = 0; i < n; i++) {
    char item[256], shape[96];
    tt__dims_str(t[i].dims, t[i].rank, shape, sizeof shape, ",");
    size_t bytes = t[i].count * 4;
    w_put(w, item, (size_t)tt__snprintf(item, sizeof item,
                                        ",\"%.79s\":{\"dtype\":\"F32\",\"shape\":%.95s,\"data_offsets\":[%zu,%zu]}",
                                        t[i].name, shape, offset, offset + bytes));
    offset += bytes;
  }
  w_str(w, "}");
  while (w->len % 8) w_put(w, " ", 1);
  return offset;
}

int tt_model_save(const tt_model *m, unsigned char **out, size_t *out_len) {
  tt__clear_error();
  if (!m || !out || !out_len) return tt__fail(TT_ERR_STATE, "save: model and output pointers must not be NULL");
#ifdef TT_INT8
  if (m->quantized)  // its float weights are gone; a file of them would claim a precision it does not have
    return tt__fail(TT_ERR_STATE, "save: this model is quantized to int8 for inference and is not saved; save the "
                    "original model and quantize it again after loading");
#endif
  *out = NULL;
  *out_len = 0;
  expected_tensor tensors[MAX_TENSORS];
  int n = expected_tensors(m, tensors);
  writer h = {0};
  size_t total = 8 + write_header(&h, m, tensors, n);  // sizes the file
  total += h.len;
  unsigned char *buf = malloc(total);  // released by the caller with tt_free
  if (!buf) return tt__fail(TT_ERR_MEMORY, "save: out of memory (%zu bytes)", total);
  // 8-byte little-endian header length, then the header itself
  for (int i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)h.len >> (8 * i));
  writer w = {buf + 8, 0};
  write_header(&w, m, tensors, n);
  unsigned char *d = buf + 8 + h.len;
  // the tensors' data one after the other is the parameter block; explicit little-endian bytes: the format's byte
  // order whatever the host's
  for (size_t k = 0; k < m->param_count; k++) {
    uint32_t u;
    memcpy(&u, &m->params[k], 4);
    for (int b = 0; b < 4; b++) *d++ = (unsigned char)(u >> (8 * b));
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

typedef struct st_tensor {
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

/* "<name>: ..., got <v described>": the messages that show a wrong JSON value. Kept out of line (cold). */
static __attribute__((noinline)) int fail_got(const char *fmt, const char *name, const tt__json *v) {
  char what[64];
  tt__json_describe(v, what, sizeof what);
  return tt__fail(TT_ERR_FILE, fmt, name, what);
}

/* "<where>.<key>: <message>" for an object member, with its key made printable. */
static __attribute__((noinline)) int fail_key(const char *fmt, const char *where, const tt__json *member) {
  char k[40];
  printable(k, sizeof k, member->key, member->key_len);
  return tt__fail(TT_ERR_FILE, fmt, where, k);
}

static int is_index(const tt__json *v, double *out) {
  if (!v || v->type != TT_JSON_NUMBER) return 0;
  double d = v->number;
  if (!(d >= 0 && d <= TT_ST_MAX_INT) || d != (double)(uint64_t)d) return 0;
  *out = d;
  return 1;
}

/* Framing and header JSON. */
static int st_open(st_file *f, const unsigned char *bytes, size_t len) {
  memset(f, 0, sizeof *f);
  if (!bytes) return tt__fail(TT_ERR_FILE, "safetensors: no bytes given");
  if (len < 8)
    return tt__fail(TT_ERR_FILE, "safetensors: the file is %zu bytes, shorter than its 8-byte header length", len);
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--) n = (n << 8) | bytes[i];  // little-endian
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
    fail_got("%s: expected a JSON object, got %s", "safetensors header", f->root);
    tt__json_free(f->root);
    f->root = NULL;
    return TT_ERR_FILE;
  }
  f->data_at = 8 + (size_t)n;
  f->data = bytes + f->data_at;
  f->data_len = len - f->data_at;
  f->metadata = tt__json_get(f->root, "__metadata__");
  return TT_OK;
}

/* Offset order, for the tiling check (tt__sort of st_tensor pointers): by begin, then end, then position in the
 * header (deterministic). */
static int before(const void *a, const void *b) {
  const st_tensor *x = *(st_tensor *const *)a, *y = *(st_tensor *const *)b;
  if (x->begin != y->begin) return x->begin < y->begin;
  return x->end != y->end ? x->end < y->end : x < y;
}

/* dtype names: the first three are the ones we read; the others are known to safetensors, so they get a
 * "not supported" message instead of "unknown". */
static const char *const dtypes[] = {"F32", "F16", "BF16", "F64", "F8_E4M3", "F8_E5M2", "I64", "I32",
                                     "I16", "I8",  "U64", "U32",  "U16", "U8",      "BOOL"};
static const char *const entry_fields[] = {"dtype", "shape", "data_offsets"};

/* One tensor entry: dtype, shape (overflow-checked), offsets inside the data and matching the byte size. */
static int st_tensor_parse(const st_file *f, const tt__json *e, st_tensor *t) {
  memset(t, 0, sizeof *t);
  t->entry = e;
  printable(t->name, sizeof t->name, e->key, e->key_len);
  if (e->type != TT_JSON_OBJECT)
    return fail_got("%s: expected an object with dtype, shape and data_offsets, got %s", t->name, e);
  for (const tt__json *c = e->child; c; c = c->next) {
    int k = 0;
    while (k < 3 && !(c->key_len == strlen(entry_fields[k]) && !memcmp(c->key, entry_fields[k], c->key_len))) k++;
    if (k == 3) return fail_key("%s: unknown field \"%s\" (allowed: dtype, shape, data_offsets)", t->name, c);
  }
  const tt__json *v[3];  // dtype, shape, data_offsets
  for (int k = 0; k < 3; k++)
    if (!(v[k] = tt__json_get(e, entry_fields[k]))) return tt__fail(TT_ERR_FILE, "%s: missing %s", t->name, entry_fields[k]);
  const tt__json *dtype = v[0], *shape = v[1], *offs = v[2];

  if (dtype->type != TT_JSON_STRING) return tt__fail(TT_ERR_FILE, "%s: dtype must be a string", t->name);
  char dt[24];
  printable(dt, sizeof dt, dtype->str, dtype->str_len);
  int d = 0, n_dtypes = (int)(sizeof dtypes / sizeof dtypes[0]);
  while (d < n_dtypes && strcmp(dtype->str, dtypes[d])) d++;
  if (d < 3 && dtype->str_len == strlen(dtypes[d])) {  // an escaped NUL must not pass for "F32"
    t->dtype_size = d ? 2 : 4;
    t->is_bf16 = d == 2;
  } else if (d >= 3 && d < n_dtypes) {
    return tt__fail(TT_ERR_FILE, "%s: dtype %s is not supported (expected F32, F16 or BF16)", t->name, dt);
  } else {
    return tt__fail(TT_ERR_FILE, "%s: unknown dtype \"%s\" (expected F32, F16 or BF16)", t->name, dt);
  }

  if (shape->type != TT_JSON_ARRAY)
    return tt__fail(TT_ERR_FILE, "%s: shape must be an array of sizes", t->name);
  if (shape->count > 8)
    return tt__fail(TT_ERR_FILE, "%s: shape has %d dimensions (at most 8 supported)", t->name, shape->count);
  size_t count = 1;
  char s[200];
  for (const tt__json *dim = shape->child; dim; dim = dim->next) {
    double x;
    if (!is_index(dim, &x)) {
      tt__snprintf(s, sizeof s, "%s: shape[%d]", t->name, t->rank);
      return fail_got("%s: expected a non-negative integer, got %s", s, dim);
    }
    t->dims[t->rank++] = (uint64_t)x;
    // a dimension beyond size_t (wasm32: 2^32) is an overflow too, not a truncation
    count = x >= (double)SIZE_MAX ? SIZE_MAX : tt__mul(count, (size_t)x);
  }
  size_t nbytes = tt__mul(count, (size_t)t->dtype_size);
  dims_str(t->dims, t->rank, s, sizeof s);
  if (count == SIZE_MAX || nbytes == SIZE_MAX)
    return tt__fail(TT_ERR_FILE, "%s: shape %s has too many elements (the size overflows)", t->name, s);
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
  if (t->end - t->begin != nbytes)
    return tt__fail(TT_ERR_FILE, "%s: data_offsets [%zu, %zu] hold %zu bytes, but shape %s of %s needs %zu",
                    t->name, t->begin, t->end, t->end - t->begin, s, dt, nbytes);
  return TT_OK;
}

/* Safetensors metadata is a map of strings to strings. */
static int st_check_metadata(const st_file *f) {
  if (!f->metadata) return TT_OK;
  if (f->metadata->type != TT_JSON_OBJECT)
    return tt__fail(TT_ERR_FILE, "__metadata__: expected an object of strings");
  for (const tt__json *c = f->metadata->child; c; c = c->next)
    if (c->type != TT_JSON_STRING)
      return fail_key("%s.%s: expected a string (safetensors metadata holds strings)", "__metadata__", c);
  return TT_OK;
}

/* Validates metadata and every tensor entry, and that the tensors tile the data region exactly. On success
 * ts (tt__malloc'd, *bytes long, *n entries) describes the file; on failure it is freed and NULL. */
static st_tensor *st_tensors(const st_file *f, int *n, size_t *bytes) {
  *n = 0;
  if (st_check_metadata(f) != TT_OK) return NULL;
  int count = f->root->count - (f->metadata ? 1 : 0);
  if (count < 1) count = 1;
  *bytes = tt__mul((size_t)count, sizeof(st_tensor) + sizeof(st_tensor *));
  st_tensor *ts = tt__malloc(*bytes);
  if (!ts) return NULL;
  st_tensor **order = (st_tensor **)(ts + count);
  int k = 0, status = TT_OK;
  for (const tt__json *e = f->root->child; e && status == TT_OK; e = e->next) {
    if (e == f->metadata) continue;
    status = st_tensor_parse(f, e, &ts[k]);
    order[k] = &ts[k];
    k++;
  }
  if (status == TT_OK) {
    // in offset order, each tensor must start where the previous one ended and the last must end the file
    tt__sort(order, (size_t)k, sizeof *order, before);
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
    tt__free(ts, *bytes);
    return NULL;
  }
  *n = k;
  return ts;
}

/* The layer whose PyTorch name is the longest prefix of a tensor name ("2.layers.1.foo" -> the layer named
 * "2.layers.1"), or -1; its name goes into buf. */
static int layer_of_name(const tt_model *m, const char *name, char *buf, size_t len) {
  int best = -1;
  size_t best_len = 0;
  for (int i = 0; i < m->n_layers; i++) {
    char prefix[64];
    torch_prefix(&m->layers[i], prefix, sizeof prefix);
    size_t n = strlen(prefix);
    if (n > best_len && !strncmp(name, prefix, n) && name[n] == '.' && m->layers[i].type != TT_RESIDUAL_END) {
      best = i, best_len = n;
      tt__snprintf(buf, len, "%s", prefix);
    }
  }
  return best;
}

/* The tensors of a validated file against the model: every name expected, every shape the model's, every
 * expected tensor present, every value finite; then (and only then) copies them in, converting to F32. With
 * allocate (a model from tt__model_new), the parameters are allocated once the names and shapes match: never
 * more than the file's own data holds. */
static int st_apply(tt_model *m, const st_file *f, int allocate) {
  int n;
  size_t ts_bytes;
  st_tensor *ts = st_tensors(f, &n, &ts_bytes);
  if (!ts) return tt_last_status();
  expected_tensor ex[MAX_TENSORS];
  int n_ex = expected_tensors(m, ex), status = TT_OK;
  char got[200], want[96];

  for (int i = 0; i < n && status == TT_OK; i++) {
    const st_tensor *t = &ts[i];
    int j = 0;
    while (j < n_ex && !(strlen(ex[j].name) == t->entry->key_len && !memcmp(ex[j].name, t->entry->key, t->entry->key_len)))
      j++;
    if (j == n_ex) {
      // say what the model has under that name, when it starts with a layer's
      char layer[64];
      int idx = layer_of_name(m, t->name, layer, sizeof layer);
      if (idx >= 0)
        status = tt__fail(TT_ERR_FILE, "%s: unexpected tensor: the model's layer %s (%s) has no such parameter",
                          t->name, layer, tt__layer_ops_of(m->layers[idx].type)->name);
      else
        status = tt__fail(TT_ERR_FILE, "%s: unexpected tensor: the model (%d layers) has no parameter of that name",
                          t->name, m->n_layers);
      break;
    }
    ex[j].match = t;
    dims_str(ex[j].dims, ex[j].rank, want, sizeof want);
    if (t->rank != ex[j].rank || memcmp(t->dims, ex[j].dims, (size_t)t->rank * sizeof(uint64_t)) != 0) {
      dims_str(t->dims, t->rank, got, sizeof got);
      status = tt__fail(TT_ERR_FILE, "%s: shape %s does not match the model's %s", t->name, got, want);
    }
  }
  size_t total = 0;
  for (int j = 0; j < n_ex; j++) {
    total += ex[j].count;
    if (status == TT_OK && !ex[j].match) {
      dims_str(ex[j].dims, ex[j].rank, want, sizeof want);
      status = tt__fail(TT_ERR_FILE, "%s: missing tensor: the model needs it (shape %s)", ex[j].name, want);
    }
  }

  if (status == TT_OK && allocate) status = tt__model_alloc_params(m);

  // values: convert into a scratch copy first, so a NaN in the last tensor cannot leave the model half-loaded
  float *tmp = NULL;
  size_t tmp_bytes = tt__mul(total ? total : 1, sizeof(float)); // freed with the same count: the limit's accounting
  if (status == TT_OK) {
    tmp = tt__malloc(tmp_bytes);
    if (!tmp) status = tt_last_status();
  }
  size_t at = 0;
  for (int j = 0; j < n_ex && status == TT_OK; j++) {
    const st_tensor *t = ex[j].match;
    const unsigned char *p = f->data + t->begin;
    for (size_t k = 0; k < t->count; k++, p += t->dtype_size) {
      float v;
      if (t->dtype_size == 4) v = bits_to_f32((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                                              (uint32_t)p[3] << 24);
      else v = t->is_bf16 ? tt__bf16_to_f32((uint16_t)(p[0] | p[1] << 8)) : tt__f16_to_f32((uint16_t)(p[0] | p[1] << 8));
      if (v != v || v - v != 0) {  // NaN or inf: would poison every prediction
        status = tt__fail(TT_ERR_FILE, "%s: element %zu is %s (at file offset %zu); weights must be finite",
                          t->name, k, v != v ? "NaN" : "infinite", f->data_at + (size_t)(p - f->data));
        break;
      }
      tmp[at + k] = v;
    }
    at += t->count;
  }
  if (status == TT_OK) {
    memcpy(m->params, tmp, total * sizeof(float));  // the tensors in order are the parameter block
    m->spare_valid = 0;  // a divergence must not roll back past the loaded weights
  }
  if (tmp) tt__free(tmp, tmp_bytes);
  tt__free(ts, ts_bytes);
  return status;
}

int tt_model_load_weights(tt_model *m, const unsigned char *bytes, size_t len) {
  tt__clear_error();
  if (!m) return tt__fail(TT_ERR_STATE, "load_weights: the model is NULL");
  if (tt__model_trainable(m)) return TT_ERR_STATE;
  st_file f;
  int status = st_open(&f, bytes, len);
  if (status == TT_OK) status = st_apply(m, &f, 0);
  tt__json_free(f.root);
  return status;
}

tt_model *tt_model_load(const unsigned char *bytes, size_t len) {
  tt__clear_error();
  st_file f;
  if (st_open(&f, bytes, len) != TT_OK) return NULL;
  tt_model *m = NULL;
  const tt__json *fmt = tt__json_get(f.metadata, "format"), *spec = tt__json_get(f.metadata, "spec");
  if (st_check_metadata(&f) != TT_OK) {
  } else if (!fmt || fmt->str_len != 9 || memcmp(fmt->str, "tinytrain", 9) || !spec) {
    // metadata values are strings by now; the length is compared too, so "tinytrain\u0000x" does not match
    tt__fail(TT_ERR_FILE, "%s", no_spec_message);
  } else if (!(m = tt__model_new(spec->str, spec->str_len))) {
    if (tt_last_status() != TT_ERR_MEMORY)  // out of memory is no fault of the file: that message stands
      tt__fail(TT_ERR_FILE, "the spec in this file's metadata is invalid: %.399s", tt_last_error());
  } else {
    tt__clear_error();
    const tt__json *vocab = tt__json_get(f.metadata, "vocabulary");
    int status = st_apply(m, &f, 1);
    if (status == TT_OK && vocab && tt_model_set_vocabulary(m, vocab->str, vocab->str_len) != TT_OK) {
      status = tt__fail(TT_ERR_FILE, "the vocabulary in this file's metadata does not fit its model: %.399s",
                        tt_last_error());
    }
    if (status != TT_OK) {  // the message stays: freeing the model does not touch it
      tt_model_free(m);
      m = NULL;
    }
  }
  tt__json_free(f.root);
  return m;
}
