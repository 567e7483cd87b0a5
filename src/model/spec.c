/* The model spec: JSON text -> a validated tt__spec (format in README.md, "The model spec").
 *
 * Table-driven: each layer type, optimizer, schedule and the augment object has a table of its fields (name,
 * kind, where it goes, range). One routine rejects unknown fields, checks kind and range and stores the value,
 * so every error names the exact path and what was expected ("layers[2].units: expected a positive integer,
 * got -3"). Bounds keep all later size arithmetic far from overflow. The layer types, their names and the
 * order of the "allowed" list come from src/layers/layer_table.h. */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

/* ---- field tables --------------------------------------------------------------------------------------- */

enum { K_INT, K_NUM, K_BOOL, K_PADDING, K_SPECIAL }; /* K_SPECIAL: allowed here, read by the caller */
enum { REQUIRED = 1, LO_OPEN = 2, HI_OPEN = 4, SHOW_RANGE = 8, MIN_1 = 16 };

/* 12 bytes an entry (the wasm module's data section carries every table): every minimum is 0 or 1 (the MIN_1
 * flag), every maximum a whole number or unbounded. */
typedef struct {
  const char *name;
  unsigned max;            /* 0: unbounded (BIG) */
  unsigned short offset;   /* int (K_INT, K_BOOL, K_PADDING) or float (K_NUM) inside the target struct */
  unsigned char kind, flags;
} field;
/* Written as name, kind, flags, offset, min, max. */
#define F(name, kind, flags, offset, min, max) {name, max, offset, kind, (flags) | ((min) ? MIN_1 : 0)}

#define BIG 1e30  /* "unbounded" numbers: still far inside float range */
#define UNBOUNDED 0
_Static_assert(sizeof(tt__spec) <= 65535, "field offsets are 16-bit");
#define L(f) offsetof(tt__layer, f)
#define O(f) offsetof(tt__optim_config, f)

static const field no_fields[] = {{0}};
static const field dense_fields[] = {
    F("units", K_INT, REQUIRED, L(units), 1, 1 << 20), F("bias", K_BOOL, 0, L(bias), 0, 1), {0}};
static const field conv2d_fields[] = {F("filters", K_INT, REQUIRED, L(filters), 1, 1 << 16),
                                      F("kernel", K_INT, REQUIRED, L(kernel), 1, 64),
                                      F("stride", K_INT, 0, L(stride), 1, 64),
                                      F("padding", K_PADDING, SHOW_RANGE, L(padding), 0, 64),
                                      F("bias", K_BOOL, 0, L(bias), 0, 1),
                                      {0}};
static const field pool_fields[] = {
    F("size", K_INT, REQUIRED, L(kernel), 1, 64), F("stride", K_INT, 0, L(stride), 1, 64), {0}};
static const field dropout_fields[] = {F("rate", K_NUM, HI_OPEN | SHOW_RANGE, L(rate), 0, 1), {0}};
static const field leaky_fields[] = {F("slope", K_NUM, SHOW_RANGE, L(slope), 0, 1), {0}};
static const field embedding_fields[] = {
    F("vocab", K_INT, REQUIRED, L(vocab), 1, 1 << 20), F("dim", K_INT, REQUIRED, L(dim), 1, 1 << 16), {0}};
static const field layernorm_fields[] = {F("eps", K_NUM, LO_OPEN, L(eps), 0, 1), {0}};

/* Indexed by tt__layer_type, from layer_table.h's fields column. */
static const field *const layer_fields[TT_LAYER_TYPE_COUNT] = {
#define TT_LAYER(name, NAME, fields, traits, fused, torch) [TT_##NAME] = fields,
#include "../layers/layer_table.h"
#undef TT_LAYER
};

static const field sgd_fields[] = {F("lr", K_NUM, LO_OPEN, O(lr), 0, UNBOUNDED),
                                   F("momentum", K_NUM, HI_OPEN | SHOW_RANGE, O(momentum), 0, 1),
                                   F("nesterov", K_BOOL, 0, O(nesterov), 0, 1),
                                   F("weight_decay", K_NUM, 0, O(weight_decay), 0, UNBOUNDED),
                                   F("clip_norm", K_NUM, LO_OPEN, O(clip_norm), 0, UNBOUNDED),
                                   F("schedule", K_SPECIAL, 0, 0, 0, 0),
                                   {0}};
static const field adam_fields[] = {F("lr", K_NUM, LO_OPEN, O(lr), 0, UNBOUNDED),
                                    F("beta1", K_NUM, HI_OPEN | SHOW_RANGE, O(beta1), 0, 1),
                                    F("beta2", K_NUM, HI_OPEN | SHOW_RANGE, O(beta2), 0, 1),
                                    F("eps", K_NUM, LO_OPEN, O(eps), 0, UNBOUNDED),
                                    F("weight_decay", K_NUM, 0, O(weight_decay), 0, UNBOUNDED),
                                    F("clip_norm", K_NUM, LO_OPEN, O(clip_norm), 0, UNBOUNDED),
                                    F("schedule", K_SPECIAL, 0, 0, 0, 0),
                                    {0}};
static const char *const optimizer_names[] = {[TT_OPT_SGD] = "sgd", [TT_OPT_ADAM] = "adam", [TT_OPT_ADAMW] = "adamw",
                                              NULL};

static const field constant_fields[] = {F("warmup", K_INT, 0, O(warmup), 0, 1 << 30), {0}};
static const field step_fields[] = {F("warmup", K_INT, 0, O(warmup), 0, 1 << 30),
                                    F("step_size", K_INT, REQUIRED, O(step_size), 1, 1 << 30),
                                    F("gamma", K_NUM, LO_OPEN | SHOW_RANGE, O(gamma), 0, 1),
                                    {0}};
static const field cosine_fields[] = {F("warmup", K_INT, 0, O(warmup), 0, 1 << 30),
                                      F("total_steps", K_INT, REQUIRED, O(total_steps), 1, 1 << 30),
                                      F("min_lr", K_NUM, 0, O(min_lr), 0, UNBOUNDED),
                                      {0}};
static const char *const schedule_names[] = {[TT_SCHED_CONSTANT] = "constant", [TT_SCHED_STEP] = "step",
                                             [TT_SCHED_COSINE] = "cosine", NULL};
static const struct {
  const char *owner; /* for "unknown field for ..." */
  const field *fields;
} schedules[] = {[TT_SCHED_CONSTANT] = {"the constant schedule", constant_fields},
                 [TT_SCHED_STEP] = {"the step schedule", step_fields},
                 [TT_SCHED_COSINE] = {"the cosine schedule", cosine_fields}};

static const field augment_fields[] = {
    F("shift", K_INT, SHOW_RANGE, offsetof(tt__spec, augment_shift), 0, 4),
    F("rotate", K_NUM, SHOW_RANGE, offsetof(tt__spec, augment_rotate), 0, 45),
    {0}};

static const char *const top_fields[] = {"input", "layers", "loss", "optimizer", "seed", "augment", NULL};
static const char *const loss_names[] = {[TT_LOSS_MSE] = "mse", [TT_LOSS_CROSS_ENTROPY] = "cross_entropy",
                                         [TT_LOSS_BCE] = "binary_cross_entropy", NULL};

#define MAX_INPUT_VALUES (1 << 24) /* floats per sample */

/* ---- message helpers ------------------------------------------------------------------------------------- */

static const char *describe(const tt__json *v, char *buf, size_t len) {
  tt__json_describe(v, buf, len);
  return buf;
}

/* A message that shows a wrong value v: fmt's last %s is v described; `first`, when not NULL, fills a %s before
 * it (a path). Out of line, so the value's text buffer and the calls exist once. */
static __attribute__((noinline)) int fail_got(const char *fmt, const char *first, const tt__json *v) {
  char got[96];
  describe(v, got, sizeof got);
  return tt__fail(TT_ERR_SPEC, fmt, first ? first : got, got); /* printf ignores an argument left over */
}

/* An object key as it appears in a path: plain if it is a short identifier, else quoted and escaped. */
static const char *key_text(const tt__json *member, char *buf, size_t len) {
  size_t n = member->key_len, plain = n > 0 && n <= 40;
  for (size_t i = 0; i < n && plain; i++) {
    char c = member->key[i];
    plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  if (plain) {
    tt__snprintf(buf, len, "%s", member->key);
    return buf;
  }
  tt__json as_string = {.type = TT_JSON_STRING, .str = member->key, .str_len = member->key_len};
  return describe(&as_string, buf, len);
}

/* "<path>: expected <alternatives>an object such as <example>, got <v described>"; `alternatives` names the other
 * forms accepted, or is "" */
static int fail_not_object(const char *path, const char *alternatives, const char *example, const tt__json *v) {
  char got[96];
  return tt__fail(TT_ERR_SPEC, "%s: expected %san object such as %s, got %s", path, alternatives, example,
                  describe(v, got, sizeof got));
}

/* "a, b, c" from a NULL-terminated list or a field table (after an optional first name). */
static void join_names(char *buf, size_t len, const char *first, const char *const *names, const field *fields) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = -1;; i++) {
    const char *name = i < 0 ? first : names ? names[i] : fields[i].name;
    if (i >= 0 && !name) break;
    if (!name) continue;
    at += (size_t)tt__snprintf(buf + at, at < len ? len - at : 0, "%s%s", at ? ", " : "", name);
    if (at >= len) break;
  }
}

/* A bound as a person writes it: 1048576, 0.5, 1e+30. */
static const char *number_text(double x, char *buf, size_t len) {
  tt__json n = {.type = TT_JSON_NUMBER, .number = x};
  return describe(&n, buf, len);
}

/* What a field accepts, in words: "a positive integer", "a number in [0, 1)", ... */
static void expectation(const field *f, double min, double max, char *buf, size_t len) {
  if (f->kind == K_BOOL) tt__snprintf(buf, len, "true or false");
  else if ((f->flags & SHOW_RANGE) && f->kind != K_NUM)  /* K_INT or K_PADDING */
    tt__snprintf(buf, len, "an integer from %g to %g%s", min, max, f->kind == K_PADDING ? " or \"same\"" : "");
  else if (f->flags & SHOW_RANGE)
    tt__snprintf(buf, len, "a number in %c%g, %g%c", f->flags & LO_OPEN ? '(' : '[', min, max,
             f->flags & HI_OPEN ? ')' : ']');
  else
    tt__snprintf(buf, len, "a %s %s", f->flags & (LO_OPEN | MIN_1) ? "positive" : "non-negative",
                 f->kind == K_INT ? "integer" : "number");
}

/* ---- the generic field reader ---------------------------------------------------------------------------- */

/* Reads obj's members into base according to fields. `path` prefixes field names ("layers[2]"); `owner`
 * ("relu", "adam") goes into the unknown-field message; `type_allowed` admits a "type" member (read by the
 * caller). */
static int read_fields(void *base, const field *fields, const tt__json *obj, const char *path, const char *owner,
                       int type_allowed) {
  char got[96], want[96], key[96];
  /* unknown members first: a misspelt field is the likeliest mistake and its message the most useful */
  for (const tt__json *m = obj->child; m; m = m->next) {
    int known = type_allowed && m->key_len == 4 && !memcmp(m->key, "type", 4);
    for (const field *f = fields; f->name && !known; f++)
      known = m->key_len == strlen(f->name) && !memcmp(m->key, f->name, m->key_len);
    if (known) continue;
    char allowed[256];
    join_names(allowed, sizeof allowed, type_allowed ? "type" : NULL, NULL, fields);
    if (!allowed[0]) tt__snprintf(allowed, sizeof allowed, "none");
    return tt__fail(TT_ERR_SPEC, "%s.%s: unknown field%s%s (allowed: %s)", path, key_text(m, key, sizeof key),
                    owner ? " for " : "", owner ? owner : "", allowed);
  }
  for (const field *f = fields; f->name; f++) {
    if (f->kind == K_SPECIAL) continue;
    const tt__json *v = tt__json_get(obj, f->name);
    double min = f->flags & MIN_1 ? 1 : 0, max = f->max ? f->max : BIG;
    expectation(f, min, max, want, sizeof want);
    if (!v) {
      if (f->flags & REQUIRED)
        return tt__fail(TT_ERR_SPEC, "%s.%s: required%s%s (%s)", path, f->name, owner ? " for " : "",
                        owner ? owner : "", want);
      continue;
    }
    int *as_int = (int *)((char *)base + f->offset);
    if (f->kind == K_BOOL) {
      if (v->type != TT_JSON_BOOL) goto bad;
      *as_int = v->number != 0;
      continue;
    }
    if (f->kind == K_PADDING && v->type == TT_JSON_STRING) {
      if (strcmp(v->str, "same") || v->str_len != 4) goto bad;
      ((tt__layer *)base)->padding_same = 1;
      continue;
    }
    if (v->type != TT_JSON_NUMBER) goto bad;
    double x = v->number;
    int is_int = f->kind != K_NUM;
    if (is_int && x != floor(x)) goto bad;
    if (x < min || ((f->flags & LO_OPEN) && x <= min) || ((f->flags & HI_OPEN) && x >= max)) goto bad;
    if (x > max) {
      /* too big: name the bound, unless the expectation already shows the range */
      if (f->flags & SHOW_RANGE) goto bad;
      char bound[32];
      return tt__fail(TT_ERR_SPEC, "%s.%s: expected %s at most %s, got %s", path, f->name, want,
                      number_text(max, bound, sizeof bound), describe(v, got, sizeof got));
    }
    if (is_int) *as_int = (int)x;
    else {
      float y = (float)x;  /* in range, so finite; a tiny positive value must not round to 0 */
      if ((f->flags & LO_OPEN) && y <= (float)min) goto bad;
      *(float *)((char *)base + f->offset) = y;
    }
    continue;
  bad:
    return tt__fail(TT_ERR_SPEC, "%s.%s: expected %s, got %s", path, f->name, want, describe(v, got, sizeof got));
  }
  return 0;
}

/* A string member that names one of `names` (NULL-terminated); returns its index, or -1 after failing. */
static int read_name(const tt__json *v, const char *path, const char *what, const char *const *names) {
  char got[96], allowed[256];
  for (int i = 0; v && v->type == TT_JSON_STRING && names[i]; i++)
    if (strlen(names[i]) == v->str_len && !strcmp(v->str, names[i])) return i;
  join_names(allowed, sizeof allowed, NULL, names, NULL);
  if (!v) tt__fail(TT_ERR_SPEC, "%s: required (allowed: %s)", path, allowed);
  else if (v->type == TT_JSON_STRING)
    tt__fail(TT_ERR_SPEC, "%s: unknown %s %s (allowed: %s)", path, what, describe(v, got, sizeof got), allowed);
  else
    tt__fail(TT_ERR_SPEC, "%s: expected a %s name (allowed: %s), got %s", path, what, allowed,
             describe(v, got, sizeof got));
  return -1;
}

/* ---- sections ---------------------------------------------------------------------------------------------- */

/* "[1, 2, 3]" for short arrays of scalars, else the usual description. */
static const char *describe_array(const tt__json *v, char *buf, size_t len) {
  if (!v || v->type != TT_JSON_ARRAY || v->count > 4) return describe(v, buf, len);
  size_t at = (size_t)tt__snprintf(buf, len, "[");
  for (const tt__json *e = v->child; e && at < len; e = e->next) {
    char item[48];
    at += (size_t)tt__snprintf(buf + at, len - at, "%s%s", e == v->child ? "" : ", ", describe(e, item, sizeof item));
  }
  if (at < len) tt__snprintf(buf + at, len - at, "]");
  return buf;
}

static int read_input(tt__spec *s, const tt__json *v) {
  char got[128];
  if (!v)
    return tt__fail(TT_ERR_SPEC, "input: required (an array of 1 to 3 positive integers, e.g. [2] or [1, 28, 28])");
  int ok = v->type == TT_JSON_ARRAY && v->count >= 1 && v->count <= TT_MAX_RANK;
  double values = 1;
  for (const tt__json *e = ok ? v->child : NULL; e; e = e->next) {
    ok = ok && e->type == TT_JSON_NUMBER && e->number >= 1 && e->number == floor(e->number);
    if (ok) values *= e->number;
  }
  if (!ok)
    return tt__fail(TT_ERR_SPEC, "input: expected an array of 1 to 3 positive integers, got %s",
                    describe_array(v, got, sizeof got));
  if (values > MAX_INPUT_VALUES)
    return tt__fail(TT_ERR_SPEC, "input: %s is %.0f values per sample; at most %d are supported",
                    describe_array(v, got, sizeof got), values, MAX_INPUT_VALUES);
  s->input.rank = v->count;
  int i = 0;
  for (const tt__json *e = v->child; e; e = e->next) s->input.d[i++] = (int)e->number;
  return 0;
}

static int read_layer(tt__layer *l, int index, const tt__json *v) {
  char path[32];
  tt__snprintf(path, sizeof path, "layers[%d]", index);
  if (v->type != TT_JSON_OBJECT) return fail_not_object(path, "", "{\"type\": \"relu\"}", v);
  char type_path[40];
  tt__snprintf(type_path, sizeof type_path, "%s.type", path);
  int t = read_name(tt__json_get(v, "type"), type_path, "layer type", tt__layer_names);
  if (t < 0) return TT_ERR_SPEC;
  /* defaults, then the fields given */
  memset(l, 0, sizeof *l);
  l->type = (tt__layer_type)t;
  l->index = index;
  l->bias = 1;
  l->stride = t == TT_CONV2D ? 1 : 0;
  l->rate = 0.5f;
  l->slope = 0.01f;
  l->eps = 1e-5f;
  if (read_fields(l, layer_fields[t], v, path, tt__layer_names[t], 1)) return TT_ERR_SPEC;
  if ((t == TT_MAXPOOL2D || t == TT_AVGPOOL2D) && !tt__json_get(v, "stride")) l->stride = l->kernel;
  /* an embedding reads token ids: after another layer it would look up that layer's outputs, clamped to ids,
   * and nothing before it would ever train */
  if (t == TT_EMBEDDING && index)
    return tt__fail(TT_ERR_SPEC, "%s.type: embedding must be the first layer (it reads token ids)", path);
  if (l->padding_same && l->stride != 1)
    return tt__fail(TT_ERR_SPEC, "%s.padding: \"same\" needs stride 1, got stride %d", path, l->stride);
  return 0;
}

static int read_layers(tt__spec *s, const tt__json *v) {
  if (!v) return tt__fail(TT_ERR_SPEC, "layers: required (a non-empty array of layer objects)");
  if (v->type != TT_JSON_ARRAY)
    return fail_got("layers: expected a non-empty array, got %s", NULL, v);
  if (v->count == 0) return tt__fail(TT_ERR_SPEC, "layers: expected a non-empty array");
  if (v->count > TT_MAX_LAYERS)
    return tt__fail(TT_ERR_SPEC, "layers: at most %d layers are supported, got %d", TT_MAX_LAYERS, v->count);
  int i = 0;
  for (const tt__json *e = v->child; e; e = e->next, i++)
    if (read_layer(&s->layers[i], i, e)) return TT_ERR_SPEC;
  s->n_layers = v->count;
  return 0;
}

static int read_schedule(tt__optim_config *c, const tt__json *v) {
  const char *path = "optimizer.schedule";
  if (!v) return 0;
  if (v->type == TT_JSON_STRING) {
    int t = read_name(v, path, "schedule", schedule_names);
    if (t < 0) return TT_ERR_SPEC;
    c->schedule = (tt__sched_type)t;
    /* step and cosine need a length, which only the object form can give */
    if (t != TT_SCHED_CONSTANT) {
      const char *length = t == TT_SCHED_STEP ? "step_size" : "total_steps";
      return tt__fail(TT_ERR_SPEC, "%s: the %s schedule needs %s; write {\"type\": \"%s\", \"%s\": %d}", path,
                      schedule_names[t], length, schedule_names[t], length, t == TT_SCHED_STEP ? 100 : 1000);
    }
    return 0;
  }
  if (v->type != TT_JSON_OBJECT)
    return fail_not_object(path, "\"constant\", \"step\", \"cosine\" or ", "{\"type\": \"cosine\", \"total_steps\": 1000}",
                           v);
  const tt__json *type = tt__json_get(v, "type");
  int t = TT_SCHED_CONSTANT;  /* an object without type: constant (e.g. only a warmup) */
  if (type && (t = read_name(type, "optimizer.schedule.type", "schedule", schedule_names)) < 0)
    return TT_ERR_SPEC;
  c->schedule = (tt__sched_type)t;
  if (read_fields(c, schedules[t].fields, v, path, schedules[t].owner, 1)) return TT_ERR_SPEC;
  if (t == TT_SCHED_COSINE && c->warmup > c->total_steps)
    return tt__fail(TT_ERR_SPEC, "%s.warmup: expected at most total_steps (%d), got %d", path, c->total_steps,
                    c->warmup);
  return 0;
}

static int read_optimizer(tt__optim_config *c, const tt__json *v) {
  memset(c, 0, sizeof *c);
  c->type = TT_OPT_ADAM;
  if (v && v->type != TT_JSON_OBJECT)
    return fail_not_object("optimizer", "", "{\"type\": \"adam\", \"lr\": 0.001}", v);
  const tt__json *type = tt__json_get(v, "type");
  if (type) {
    int t = read_name(type, "optimizer.type", "optimizer", optimizer_names);
    if (t < 0) return TT_ERR_SPEC;
    c->type = (tt__opt_type)t;
  }
  /* defaults as torch.optim's, except lr (sgd has none there) */
  c->lr = c->type == TT_OPT_SGD ? 0.01f : 0.001f;
  c->weight_decay = c->type == TT_OPT_ADAMW ? 0.01f : 0.0f;
  c->beta1 = 0.9f, c->beta2 = 0.999f, c->eps = 1e-8f;
  c->schedule = TT_SCHED_CONSTANT;
  c->gamma = 0.1f;
  if (!v) return 0;
  const field *fields = c->type == TT_OPT_SGD ? sgd_fields : adam_fields;
  if (read_fields(c, fields, v, "optimizer", optimizer_names[c->type], 1)) return TT_ERR_SPEC;
  if (c->nesterov && c->momentum <= 0)
    return tt__fail(TT_ERR_SPEC, "optimizer.nesterov: needs momentum > 0 (as in PyTorch), got momentum %g",
                    c->momentum);
  return read_schedule(c, tt__json_get(v, "schedule"));
}

static int read_spec(tt__spec *s, const tt__json *root) {
  char got[96], key[96], allowed[128];
  if (root->type != TT_JSON_OBJECT)
    return fail_not_object("spec", "", "{\"input\": [2], \"layers\": [...], \"loss\": \"cross_entropy\"}", root);
  for (const tt__json *m = root->child; m; m = m->next) {
    int known = 0;
    for (int i = 0; top_fields[i] && !known; i++)
      known = m->key_len == strlen(top_fields[i]) && !memcmp(m->key, top_fields[i], m->key_len);
    if (known) continue;
    join_names(allowed, sizeof allowed, NULL, top_fields, NULL);
    return tt__fail(TT_ERR_SPEC, "%s.%s: unknown field%s%s (allowed: %s)", "spec", key_text(m, key, sizeof key), "",
                    "", allowed);  /* read_fields' format: the string exists once */
  }
  if (read_input(s, tt__json_get(root, "input")) || read_layers(s, tt__json_get(root, "layers"))) return TT_ERR_SPEC;
  int loss = read_name(tt__json_get(root, "loss"), "loss", "loss", loss_names);
  if (loss < 0) return TT_ERR_SPEC;
  s->loss = (tt__loss_type)loss;
  /* the fused losses take logits: their own softmax or sigmoid as the last layer would be applied twice */
  tt__layer_type twice = loss == TT_LOSS_BCE ? TT_SIGMOID : TT_SOFTMAX;
  if (loss != TT_LOSS_MSE && s->layers[s->n_layers - 1].type == twice)
    return tt__fail(TT_ERR_SPEC, "layers[%d].type: %s takes logits: a %s last would be applied twice",
                    s->n_layers - 1, loss_names[loss], layer_names[twice]);
  if (read_optimizer(&s->optim, tt__json_get(root, "optimizer"))) return TT_ERR_SPEC;

  const tt__json *seed = tt__json_get(root, "seed");
  s->seed = 1;
  if (seed) {
    if (seed->type != TT_JSON_NUMBER || seed->number < 0 || seed->number > 4294967295.0 ||
        seed->number != floor(seed->number))
      return fail_got("seed: expected an integer from 0 to 4294967295, got %s", NULL, seed);
    s->seed = (unsigned)seed->number;
  }

  const tt__json *aug = tt__json_get(root, "augment");
  if (aug) {
    if (aug->type != TT_JSON_OBJECT)
      return fail_not_object("augment", "", "{\"shift\": 2, \"rotate\": 10}", aug);
    if (s->input.rank != 3) {
      tt__shape_str(s->input, got, sizeof got);
      return tt__fail(TT_ERR_SPEC, "augment: only for image inputs [channels, height, width], but input is %s", got);
    }
    if (read_fields(s, augment_fields, aug, "augment", NULL, 0)) return TT_ERR_SPEC;
  }
  return 0;
}

int tt__spec_parse(tt__spec *out, const char *json, size_t len) {
  memset(out, 0, sizeof *out);
  tt__json *root = tt__json_parse(json, len, TT_ERR_SPEC, "spec");
  if (!root) return tt_last_status() ? tt_last_status() : TT_ERR_SPEC;
  int status = read_spec(out, root);
  tt__json_free(root);
  return status;
}
