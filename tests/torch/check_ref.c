/* Compares our layers, losses and optimizers with PyTorch 1.13's values written by gen_ref.py.
 *
 * Usage: build/torch/check_ref build/torch/ref.txt
 *
 * Each layer is set up by hand, as the model would do it: hyper-parameters and input shape into a tt__layer,
 * ops->setup, then views of the reference's parameters, zeroed gradients, saved and workspace buffers.
 * Forward runs in inference mode (dropout is the identity); backward is fed torch's upstream gradient dy.
 *
 * Error measure, per tensor: max_i |ours_i - torch_i| / max(max_i |torch_i|, 1e-3), i.e. the worst absolute
 * difference relative to the tensor's scale. Per-element relative error would fail on elements that are
 * legitimately near zero (cancellation in a sum of float32 products), and the 1e-3 floor keeps a tensor that
 * is all ~0 from dividing by nothing. A case passes when every tensor's error is <= 1e-4. For optimizers the
 * compared tensor is the displacement p_t - p_0 at every step (parameters of size 1 would hide an update
 * error of 1e-4 * lr behind their own magnitude), and the schedule's learning rates are compared too.
 *
 * Prints one line per case with its max error and ends with "torch: N passed, N failed". */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "layers/layers.h"
#include "optim/optim.h"

#define TOL 1e-4
#define FLOOR 1e-3

/* ---- the reference file ------------------------------------------------------------------------------------ */

enum { MAX_PARAMS = 48, MAX_TENSORS = 16, NAME_LEN = 64 };

typedef struct {
  char key[NAME_LEN], str[NAME_LEN];
  double num;
} ref_param;

typedef struct {
  char name[NAME_LEN];
  int count;
  float *v;
} ref_tensor;

typedef struct {
  char name[NAME_LEN], kind[NAME_LEN];
  ref_param p[MAX_PARAMS];
  int np;
  ref_tensor t[MAX_TENSORS];
  int nt;
} ref_case;

static void case_free(ref_case *c) {
  for (int i = 0; i < c->nt; i++) free(c->t[i].v);
  c->nt = c->np = 0;
}

/* Reads the next case; 0 at end of file, -1 (with a message) on a malformed file. */
static int case_read(FILE *f, ref_case *c) {
  char word[NAME_LEN];
  memset(c, 0, sizeof *c);
  if (fscanf(f, "%63s", word) != 1) return 0;
  if (strcmp(word, "case") != 0 || fscanf(f, "%63s %63s", c->name, c->kind) != 2) {
    fprintf(stderr, "check_ref: expected 'case <name> <kind>', got '%s'\n", word);
    return -1;
  }
  while (fscanf(f, "%63s", word) == 1) {
    if (strcmp(word, "end") == 0) return 1;
    if ((strcmp(word, "p") == 0 || strcmp(word, "s") == 0) && c->np < MAX_PARAMS) {
      ref_param *p = &c->p[c->np++];
      int ok = word[0] == 'p' ? fscanf(f, "%63s %lf", p->key, &p->num) == 2
                              : fscanf(f, "%63s %63s", p->key, p->str) == 2;
      if (!ok) break;
    } else if (strcmp(word, "t") == 0 && c->nt < MAX_TENSORS) {
      ref_tensor *t = &c->t[c->nt++];
      if (fscanf(f, "%63s %d", t->name, &t->count) != 2 || t->count < 0) break;
      t->v = malloc(sizeof(float) * (size_t)(t->count ? t->count : 1));
      for (int i = 0; i < t->count; i++)
        if (fscanf(f, "%f", &t->v[i]) != 1) goto bad;
    } else {
      break;
    }
  }
bad:
  fprintf(stderr, "check_ref: case %s: malformed entry near '%s'\n", c->name, word);
  return -1;
}

static double num(const ref_case *c, const char *key, double dflt) {
  for (int i = 0; i < c->np; i++)
    if (strcmp(c->p[i].key, key) == 0) return c->p[i].num;
  return dflt;
}

static const char *str(const ref_case *c, const char *key) {
  for (int i = 0; i < c->np; i++)
    if (strcmp(c->p[i].key, key) == 0) return c->p[i].str;
  return "";
}

static const ref_tensor *tensor(const ref_case *c, const char *name) {
  for (int i = 0; i < c->nt; i++)
    if (strcmp(c->t[i].name, name) == 0) return &c->t[i];
  return NULL;
}

/* ---- comparison and reporting ------------------------------------------------------------------------------- */

/* One line of "name=err" pairs per case, collected while comparing. */
typedef struct {
  char detail[512];
  size_t at;
  double worst;
  int broken;
} report;

static double normalised_error(const float *got, const float *want, int n) {
  double diff = 0.0, scale = 0.0;
  for (int i = 0; i < n; i++) {
    double d = fabs((double)got[i] - (double)want[i]);
    if (!(d <= diff)) diff = d;                   // NaN in ours propagates as a failure
    scale = fmax(scale, fabs((double)want[i]));
  }
  return diff / fmax(scale, FLOOR);
}

static void note(report *r, const char *what, double err) {
  if (!(err <= r->worst)) r->worst = err;
  if (r->at < sizeof r->detail)
    r->at += (size_t)snprintf(r->detail + r->at, sizeof r->detail - r->at, " %s %.1e", what, err);
}

/* A structural problem (missing tensor, shape mismatch, setup error): the case fails whatever its errors. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void problem(report *r, const char *fmt, ...) {
  r->broken = 1;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (r->at < sizeof r->detail)
    r->at += (size_t)snprintf(r->detail + r->at, sizeof r->detail - r->at, " [%s]", msg);
}

/* Compares n floats with the reference tensor `name`, which must hold exactly n values. */
static void compare(report *r, const ref_case *c, const char *name, const float *got, int n) {
  const ref_tensor *t = tensor(c, name);
  if (!t) { problem(r, "reference has no tensor %s", name); return; }
  if (t->count != n) { problem(r, "%s: we have %d values, torch %d", name, n, t->count); return; }
  note(r, name, normalised_error(got, t->v, n));
}

/* ---- layers ----------------------------------------------------------------------------------------------- */

static int layer_type_of(const char *name) {
  for (int t = 0; t < TT_LAYER_TYPE_COUNT; t++) {
    const tt__layer_ops *ops = tt__layer_ops_of((tt__layer_type)t);
    if (ops && strcmp(ops->name, name) == 0) return t;
  }
  return -1;
}

static float *copy_or_zero(const ref_tensor *t, size_t n) {
  float *p = calloc(n ? n : 1, sizeof(float));
  if (t && (size_t)t->count == n) memcpy(p, t->v, n * sizeof(float));
  return p;
}

static void run_layer(const ref_case *c, report *r) {
  const char *type = str(c, "type");
  int lt = layer_type_of(type);
  if (lt < 0) { problem(r, "no layer named \"%s\"", type); return; }

  // Hyper-parameters with the defaults spec.c would fill in.
  tt__layer l;
  memset(&l, 0, sizeof l);
  l.type = (tt__layer_type)lt;
  l.in.rank = (int)num(c, "rank", 1);
  for (int i = 0; i < l.in.rank && i < TT_MAX_RANK; i++) {
    char key[16];
    snprintf(key, sizeof key, "d%d", i);
    l.in.d[i] = (int)num(c, key, 1);
  }
  l.units = (int)num(c, "units", 0);
  l.bias = (int)num(c, "bias", 1);
  l.filters = (int)num(c, "filters", 0);
  l.kernel = (int)num(c, "kernel", 0);
  l.stride = (int)num(c, "stride", lt == TT_CONV2D ? 1 : l.kernel);
  l.padding = (int)num(c, "padding", 0);
  l.padding_same = (int)num(c, "padding_same", 0);
  l.rate = (float)num(c, "rate", 0.5);
  l.slope = (float)num(c, "slope", 0.01);
  l.eps = (float)num(c, "eps", 1e-5);
  l.vocab = (int)num(c, "vocab", 0);
  l.dim = (int)num(c, "dim", 0);
  l.heads = (int)num(c, "heads", 0);
  l.causal = (int)num(c, "causal", 1);
  l.length = (int)num(c, "length", 0);

  const tt__layer_ops *ops = tt__layer_ops_of(l.type);
  if (ops->setup(&l) != TT_OK) { problem(r, "setup failed: %s", tt_last_error()); return; }

  int B = (int)num(c, "B", 1);
  int in_n = tt__shape_size(l.in), out_n = tt__shape_size(l.out);
  const ref_tensor *x = tensor(c, "x"), *y = tensor(c, "y"), *dy = tensor(c, "dy");
  const ref_tensor *w = tensor(c, "w"), *b = tensor(c, "b");
  if (!x || !y || !dy) { problem(r, "reference lacks x, y or dy"); return; }
  if (x->count != B * in_n) { problem(r, "x: our input is %d floats, torch's %d", B * in_n, x->count); return; }
  if (y->count != B * out_n)
    { problem(r, "y: our output is %d floats, torch's %d", B * out_n, y->count); return; }
  if (l.w_count != (size_t)(w ? w->count : 0))
    { problem(r, "w: we have %zu weights, torch %d", l.w_count, w ? w->count : 0); return; }
  if (l.b_count != (size_t)(b ? b->count : 0))
    { problem(r, "b: we have %zu biases, torch %d", l.b_count, b ? b->count : 0); return; }

  // Parameter views, zeroed gradients (backward accumulates), saved tensors and the workspace.
  l.w = copy_or_zero(w, l.w_count), l.dw = copy_or_zero(NULL, l.w_count);
  l.b = copy_or_zero(b, l.b_count), l.db = copy_or_zero(NULL, l.b_count);
  l.saved = copy_or_zero(NULL, (size_t)B * l.saved_per_sample);
  float *workspace = copy_or_zero(NULL, l.workspace_fixed + (size_t)B * l.workspace_per_sample);
  tt__rng rng;
  tt__rng_seed(&rng, 1);
  tt__ctx ctx = {workspace, &rng, 0};

  float *out = copy_or_zero(NULL, (size_t)B * out_n);              // (B, OUT)
  ops->forward(&l, out, x->v, B, &ctx);
  compare(r, c, "y", out, B * out_n);

  // din starts as NaN: backward must overwrite it, not accumulate. The embedding's input takes no gradient,
  // and as the first layer it gets din = NULL, as in the model.
  int has_dx = tensor(c, "dx") != NULL;
  float *din = NULL;
  if (has_dx) {
    din = malloc(sizeof(float) * (size_t)B * in_n);                // (B, IN)
    for (int i = 0; i < B * in_n; i++) din[i] = NAN;
  }
  ops->backward(&l, din, dy->v, x->v, out, B, &ctx);
  if (has_dx) compare(r, c, "dx", din, B * in_n);
  if (l.w_count) compare(r, c, "dw", l.dw, (int)l.w_count);
  if (l.b_count) compare(r, c, "db", l.db, (int)l.b_count);

  // A second backward must add to the parameter gradients (the model zeroes them once per step): halved,
  // they match torch again.
  if (l.w_count + l.b_count) {
    if (din)
      for (int i = 0; i < B * in_n; i++) din[i] = NAN;
    ops->backward(&l, din, dy->v, x->v, out, B, &ctx);
    double worst = 0.0;
    for (size_t i = 0; i < l.w_count; i++) l.dw[i] *= 0.5f;
    for (size_t i = 0; i < l.b_count; i++) l.db[i] *= 0.5f;
    if (l.w_count) worst = fmax(worst, normalised_error(l.dw, tensor(c, "dw")->v, (int)l.w_count));
    if (l.b_count) worst = fmax(worst, normalised_error(l.db, tensor(c, "db")->v, (int)l.b_count));
    note(r, "accumulate", worst);
  }

  free(l.w), free(l.dw), free(l.b), free(l.db), free(l.saved), free(workspace), free(out), free(din);
}

/* ---- losses ------------------------------------------------------------------------------------------------ */

static void run_loss(const ref_case *c, report *r) {
  const char *name = str(c, "loss");
  tt__loss_type type = strcmp(name, "mse") == 0             ? TT_LOSS_MSE
                       : strcmp(name, "cross_entropy") == 0 ? TT_LOSS_CROSS_ENTROPY
                                                            : TT_LOSS_BCE;
  int rows = (int)num(c, "rows", 0), cols = (int)num(c, "cols", 0);
  const ref_tensor *logits = tensor(c, "logits"), *targets = tensor(c, "targets");
  if (!logits || !targets || logits->count != rows * cols)
    { problem(r, "%s: logits/targets missing or not rows*cols (%d x %d)", name, rows, cols); return; }
  float *dlogits = copy_or_zero(NULL, (size_t)rows * cols);        // (rows, cols)
  long correct = 0, total = 0;
  float loss = (float)tt__loss(type, dlogits, logits->v, targets->v, rows, cols, &correct, &total);
  compare(r, c, "loss", &loss, 1);
  compare(r, c, "dlogits", dlogits, rows * cols);
  free(dlogits);
}

/* ---- optimizers -------------------------------------------------------------------------------------------- */

static void run_optim(const ref_case *c, report *r) {
  tt__optim_config cfg;
  memset(&cfg, 0, sizeof cfg);
  const char *opt = str(c, "optimizer"), *sched = str(c, "schedule");
  cfg.type = strcmp(opt, "sgd") == 0 ? TT_OPT_SGD : strcmp(opt, "adam") == 0 ? TT_OPT_ADAM : TT_OPT_ADAMW;
  cfg.lr = (float)num(c, "lr", 0.01);
  cfg.momentum = (float)num(c, "momentum", 0);
  cfg.nesterov = (int)num(c, "nesterov", 0);
  cfg.weight_decay = (float)num(c, "weight_decay", cfg.type == TT_OPT_ADAMW ? 0.01 : 0.0);
  cfg.beta1 = (float)num(c, "beta1", 0.9), cfg.beta2 = (float)num(c, "beta2", 0.999);
  cfg.eps = (float)num(c, "eps", 1e-8);
  cfg.clip_norm = (float)num(c, "clip_norm", 0);
  cfg.schedule = strcmp(sched, "step") == 0 ? TT_SCHED_STEP
                 : strcmp(sched, "cosine") == 0 ? TT_SCHED_COSINE
                                                 : TT_SCHED_CONSTANT;
  cfg.warmup = (int)num(c, "warmup", 0);
  cfg.step_size = (int)num(c, "step_size", 0);
  cfg.gamma = (float)num(c, "gamma", 0.1);
  cfg.total_steps = (int)num(c, "total_steps", 0);
  cfg.min_lr = (float)num(c, "min_lr", 0);

  int n = (int)num(c, "n", 0), steps = (int)num(c, "steps", 0);
  const ref_tensor *p0 = tensor(c, "p0"), *grads = tensor(c, "grads");
  const ref_tensor *want_p = tensor(c, "params"), *want_lr = tensor(c, "lrs");
  if (!p0 || !grads || !want_p || !want_lr || p0->count != n || grads->count != n * steps ||
      want_p->count != n * steps || want_lr->count != steps)
    { problem(r, "%s: tensors missing or of the wrong size (n %d, steps %d)", opt, n, steps); return; }

  float *p = copy_or_zero(p0, (size_t)n);                           // (N)
  float *state = copy_or_zero(NULL, (size_t)n * (size_t)tt__optim_state_per_param(&cfg));
  float *g = copy_or_zero(NULL, (size_t)n);                          // this step's gradient, clipped in place
  float *lrs = copy_or_zero(NULL, (size_t)steps);
  float *moved = copy_or_zero(NULL, (size_t)n * steps), *want_moved = copy_or_zero(NULL, (size_t)n * steps);
  for (int s = 0; s < steps; s++) {
    memcpy(g, grads->v + (size_t)s * n, sizeof(float) * n);
    tt__optim_clip(&cfg, g, (size_t)n);
    lrs[s] = tt__optim_lr(&cfg, s);
    tt__optim_step(&cfg, p, state, p, g, state, (size_t)n, s + 1, lrs[s]);
    for (int i = 0; i < n; i++) {
      moved[s * n + i] = p[i] - p0->v[i];
      want_moved[s * n + i] = want_p->v[s * n + i] - p0->v[i];
    }
  }
  note(r, "lr", normalised_error(lrs, want_lr->v, steps));
  note(r, "p-p0", normalised_error(moved, want_moved, n * steps));
  free(p), free(state), free(g), free(lrs), free(moved), free(want_moved);
}

/* ---- main -------------------------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "build/torch/ref.txt";
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "check_ref: cannot open %s (run tests/torch/gen_ref.py first)\n", path);
    return 2;
  }
  int passed = 0, failed = 0, got;
  ref_case *c = malloc(sizeof *c);
  while ((got = case_read(f, c)) == 1) {
    report r;
    memset(&r, 0, sizeof r);
    if (strcmp(c->kind, "layer") == 0) run_layer(c, &r);
    else if (strcmp(c->kind, "loss") == 0) run_loss(c, &r);
    else if (strcmp(c->kind, "optim") == 0) run_optim(c, &r);
    else problem(&r, "unknown case kind %s", c->kind);
    int ok = !r.broken && r.worst <= TOL;
    ok ? passed++ : failed++;
    printf("%s %-36s max err %.2e |%s\n", ok ? "ok  " : "FAIL", c->name, r.worst, r.detail);
    case_free(c);
  }
  free(c);
  fclose(f);
  if (got < 0) failed++;
  if (passed + failed == 0) {
    fprintf(stderr, "check_ref: %s holds no cases\n", path);
    failed++;
  }
  printf("torch: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
