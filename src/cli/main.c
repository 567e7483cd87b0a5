/* build/tinytrain: the native command line over the same core as the wasm build.
 *
 *   tinytrain train   --spec s.json --data train.csv [--epochs N] [--batch-size B] [--out m.safetensors]
 *                     [--test test.csv] [--seed S]
 *   tinytrain eval    --model m.safetensors --data d.csv
 *   tinytrain predict --model m.safetensors --input x.csv [--probabilities | --logits]
 *   tinytrain info    m.safetensors
 *
 * CSV rows hold the input features (the spec's input layout, flattened) then the label(s): a class index for
 * cross_entropy, target values for mse and binary_cross_entropy (tt_model_label_size of them). predict also
 * accepts rows without labels. Progress and messages go to stderr, results to stdout. Unlike the library, the
 * CLI may print and exit: exit status 0 on success, 1 on a failure, 2 on a usage error. Files are read whole, up
 * to a limit per kind (MAX_*_BYTES), so a huge file or an endless stream (/dev/zero) fails with a message. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/io.h"
#include "model/model.h"
#include "tinytrain.h"

static const char usage_text[] =
    "usage:\n"
    "  tinytrain train   --spec s.json --data train.csv [--epochs N] [--batch-size B] [--out m.safetensors]\n"
    "                    [--test test.csv] [--seed S]\n"
    "  tinytrain eval    --model m.safetensors --data d.csv\n"
    "  tinytrain predict --model m.safetensors --input x.csv [--probabilities | --logits]\n"
    "  tinytrain info    m.safetensors\n"
    "CSV rows: the input features, then the label (a class index for cross_entropy, target values otherwise);\n"
    "a first line without any number is taken as a header.\n"
    "Limits: spec files 1 MiB, weight files and CSV files 256 MiB.\n";

/* What the CLI reads at most, by kind (in MiB; stated in the usage text). */
#define MAX_SPEC_MIB 1
#define MAX_WEIGHTS_MIB 256
#define MAX_CSV_MIB 256

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("tinytrain: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void usage_error(const char *fmt, const char *arg) __attribute__((noreturn));
static void usage_error(const char *fmt, const char *arg) {
  fputs("tinytrain: ", stderr);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n%s", usage_text);
  exit(2);
}

/* Whole file into memory (NUL-terminated for convenience; *len excludes the NUL), at most max_mib MiB: a regular
 * file is refused by its size before reading, anything else (a pipe, a device) once it has given more. `what`
 * names the kind of file for the message ("a weight file"). */
static char *read_file(const char *path, int max_mib, const char *what, size_t *len) {
  const size_t limit = (size_t)max_mib << 20;
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > limit)
    die("%s: %jd bytes, over the %d MiB limit for %s", path, (intmax_t)st.st_size, max_mib, what);
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) die("out of memory reading %s", path);
    n += fread(buf + n, 1, cap - n - 1, f);
    if (ferror(f)) die("cannot read %s: %s", path, strerror(errno));
    if (n > limit) die("%s: over the %d MiB limit for %s", path, max_mib, what);
    if (feof(f)) break;
    if (n + 1 == cap) {  // grow, but to no more than the limit + 2: room to see one byte over it
      cap = cap > limit / 2 ? limit + 2 : cap * 2;
      buf = realloc(buf, cap);
    }
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int parse_int(const char *opt, const char *s, int min) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || end == s || v < min || v > 1000000000) {
    fprintf(stderr, "tinytrain: %s: expected an integer >= %d, got \"%s\"\n", opt, min, s);
    exit(2);
  }
  return (int)v;
}

static tt_model *load_model(const char *path) {
  size_t len;
  char *bytes = read_file(path, MAX_WEIGHTS_MIB, "a weight file", &len);
  tt_model *m = tt_model_load((const unsigned char *)bytes, len);
  free(bytes);
  if (!m) die("%s: %s", path, tt_last_error());
  return m;
}

/* ---- datasets from CSV ------------------------------------------------------------------------------- */

typedef struct {
  float *x, *y;  /* (n, IN), (n, LABELS) or NULL */
  int n;
} dataset;

/* Reads a CSV of rows [inputs..., labels...] for model m; without need_labels, rows of inputs only are
 * accepted too. Class indices are checked here, where the line number is still known. */
static dataset load_csv(const tt_model *m, const char *path, int need_labels) {
  size_t len;
  char *text = read_file(path, MAX_CSV_MIB, "a CSV file", &len);
  tt__csv c;
  if (tt__csv_parse(&c, text, len, path) != TT_OK) die("%s", tt_last_error());
  free(text);
  int in = tt_model_input_size(m), lab = tt_model_label_size(m);
  int has_labels = c.cols == in + lab;
  if (!has_labels && (need_labels || c.cols != in)) {
    if (need_labels)
      die("%s: rows have %d values, but the model takes %d inputs and %d label%s (%d values per row)", path, c.cols,
          in, lab, lab == 1 ? "" : "s", in + lab);
    die("%s: rows have %d values, but the model takes %d inputs (optionally followed by %d label%s)", path, c.cols,
        in, lab, lab == 1 ? "" : "s");
  }
  dataset d = {0};
  d.n = c.rows;
  d.x = malloc((size_t)c.rows * (size_t)in * sizeof(float));
  d.y = has_labels ? malloc((size_t)c.rows * (size_t)lab * sizeof(float)) : NULL;
  if (!d.x || (has_labels && !d.y)) die("out of memory for %d rows of %s", c.rows, path);
  int classes = m->spec.loss == TT_LOSS_CROSS_ENTROPY ? tt_model_output_size(m) / lab : 0;
  for (int r = 0; r < c.rows; r++) {
    const float *row = c.values + (size_t)r * (size_t)c.cols;
    memcpy(d.x + (size_t)r * (size_t)in, row, (size_t)in * sizeof(float));
    if (!has_labels) continue;
    for (int j = 0; j < lab; j++) {
      float v = row[in + j];
      if (classes && (v != floorf(v) || v < 0 || v >= (float)classes))
        die("%s:%d:%d: expected a class index from 0 to %d, got %g", path, c.lines[r], in + j + 1, classes - 1, v);
      if (m->spec.loss == TT_LOSS_BCE && !(v >= 0 && v <= 1))
        die("%s:%d:%d: expected a target between 0 and 1 for binary_cross_entropy, got %g", path, c.lines[r],
            in + j + 1, v);
      d.y[(size_t)r * (size_t)lab + j] = v;
    }
  }
  tt__csv_free(&c);
  return d;
}

static void free_dataset(dataset *d) {
  free(d->x);
  free(d->y);
}

/* Mean loss and accuracy over a dataset, in chunks so the activation arena stays small. */
static void evaluate(tt_model *m, const dataset *d, float res[2]) {
  const int chunk = 256;
  int in = tt_model_input_size(m), lab = tt_model_label_size(m);
  double loss = 0, acc = 0;
  for (int i = 0; i < d->n; i += chunk) {
    int b = d->n - i < chunk ? d->n - i : chunk;
    float r[2];
    if (tt_model_evaluate(m, d->x + (size_t)i * in, d->y + (size_t)i * lab, b, r) != TT_OK)
      die("evaluate: %s", tt_last_error());
    loss += (double)r[0] * b;
    acc += (double)r[1] * b;
  }
  res[0] = (float)(loss / d->n);
  res[1] = (float)(acc / d->n);
}

static void print_metrics(FILE *f, const char *prefix, const float r[2]) {
  fprintf(f, "%sloss %.4f", prefix, r[0]);
  if (!isnan(r[1])) fprintf(f, "  accuracy %.1f%%", 100.0 * r[1]);
}

/* ---- commands ---------------------------------------------------------------------------------------- */

static int cmd_train(int argc, char **argv) {
  const char *spec_path = NULL, *data_path = NULL, *out_path = NULL, *test_path = NULL;
  int epochs = 10, batch = 32, seed = -1;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) usage_error("%s: missing value or unknown option", a);
    if (!strcmp(a, "--spec")) spec_path = argv[++i];
    else if (!strcmp(a, "--data")) data_path = argv[++i];
    else if (!strcmp(a, "--out")) out_path = argv[++i];
    else if (!strcmp(a, "--test")) test_path = argv[++i];
    else if (!strcmp(a, "--epochs")) epochs = parse_int(a, argv[++i], 1);
    else if (!strcmp(a, "--batch-size")) batch = parse_int(a, argv[++i], 1);
    else if (!strcmp(a, "--seed")) seed = parse_int(a, argv[++i], 0);
    else usage_error("train: unknown option %s", a);
  }
  if (!spec_path || !data_path) usage_error("train: %s is required", !spec_path ? "--spec" : "--data");

  size_t spec_len;
  char *spec = read_file(spec_path, MAX_SPEC_MIB, "a spec file", &spec_len);
  tt_model *m = tt_model_create(spec, spec_len);
  free(spec);
  if (!m) die("%s: %s", spec_path, tt_last_error());
  if (seed >= 0 && tt_model_reset(m, (unsigned)seed) != TT_OK) die("--seed: %s", tt_last_error());
  dataset train = load_csv(m, data_path, 1);
  dataset test = {0};
  if (test_path) test = load_csv(m, test_path, 1);
  if (tt_model_set_data(m, train.x, train.y, train.n) != TT_OK) die("%s: %s", data_path, tt_last_error());

  int steps_per_epoch = (train.n + batch - 1) / batch;
  int chunk = steps_per_epoch / 40 > 0 ? steps_per_epoch / 40 : 1;  // ~40 progress updates per epoch
  int tty = isatty(2);
  fprintf(stderr, "training on %d samples (%s), batch %d, %d steps per epoch, %zu parameters\n", train.n, data_path,
          batch, steps_per_epoch, tt_model_param_count(m));
  double t0 = now_seconds();
  for (int e = 1; e <= epochs; e++) {
    double loss_sum = 0, acc_sum = 0;
    int done = 0;
    while (done < steps_per_epoch) {
      int s = steps_per_epoch - done < chunk ? steps_per_epoch - done : chunk;
      if (tt_model_train_steps(m, s, batch) != TT_OK) {
        if (tty) fputc('\n', stderr);
        die("epoch %d: %s", e, tt_last_error());
      }
      // last_loss is the mean over this call's steps: weight it to get the epoch's mean
      loss_sum += (double)tt_model_last_loss(m) * s;
      acc_sum += (double)tt_model_last_accuracy(m) * s;
      done += s;
      if (tty) {
        char bar[31];
        int fill = (int)(30.0 * done / steps_per_epoch);
        for (int k = 0; k < 30; k++) bar[k] = k < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\repoch %*d/%d [%s] loss %.4f", (int)snprintf(NULL, 0, "%d", epochs), e, epochs, bar,
                loss_sum / done);
        fflush(stderr);
      }
    }
    float r[2] = {(float)(loss_sum / steps_per_epoch), (float)(acc_sum / steps_per_epoch)};
    if (tty) fputc('\r', stderr);
    fprintf(stderr, "epoch %*d/%d ", (int)snprintf(NULL, 0, "%d", epochs), e, epochs);
    if (tty) fprintf(stderr, "[%.30s] ", "##############################");
    print_metrics(stderr, "", r);
    if (test_path) {
      evaluate(m, &test, r);
      print_metrics(stderr, "  |  test ", r);
    }
    fputc('\n', stderr);
  }
  double dt = now_seconds() - t0;
  fprintf(stderr, "%d epochs in %.2f s (%.0f samples/s)\n", epochs, dt,
          dt > 0 ? (double)epochs * steps_per_epoch * batch / dt : 0.0);

  if (out_path) {
    unsigned char *bytes;
    size_t len;
    if (tt_model_save(m, &bytes, &len) != TT_OK) die("save: %s", tt_last_error());
    FILE *f = fopen(out_path, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) die("cannot write %s: %s", out_path, strerror(errno));
    tt_free(bytes);
    fprintf(stderr, "saved %s (%zu bytes)\n", out_path, len);
  } else {
    fprintf(stderr, "(not saved: pass --out m.safetensors to keep the weights)\n");
  }
  free_dataset(&train);
  free_dataset(&test);
  tt_model_free(m);
  return 0;
}

static int cmd_eval(int argc, char **argv) {
  const char *model_path = NULL, *data_path = NULL;
  for (int i = 0; i < argc; i++) {
    if (i + 1 >= argc) usage_error("%s: missing value or unknown option", argv[i]);
    if (!strcmp(argv[i], "--model")) model_path = argv[++i];
    else if (!strcmp(argv[i], "--data")) data_path = argv[++i];
    else usage_error("eval: unknown option %s", argv[i]);
  }
  if (!model_path || !data_path) usage_error("eval: %s is required", !model_path ? "--model" : "--data");
  tt_model *m = load_model(model_path);
  dataset d = load_csv(m, data_path, 1);
  float r[2];
  evaluate(m, &d, r);
  print_metrics(stdout, "", r);
  printf("  (%d samples)\n", d.n);
  free_dataset(&d);
  tt_model_free(m);
  return 0;
}

static int cmd_predict(int argc, char **argv) {
  const char *model_path = NULL, *input_path = NULL;
  int mode = 0;  // 0: the natural answer (class, probability or value), 1: probabilities, 2: raw outputs
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--probabilities")) { mode = 1; continue; }
    if (!strcmp(argv[i], "--logits")) { mode = 2; continue; }
    if (i + 1 >= argc) usage_error("%s: missing value or unknown option", argv[i]);
    if (!strcmp(argv[i], "--model")) model_path = argv[++i];
    else if (!strcmp(argv[i], "--input")) input_path = argv[++i];
    else usage_error("predict: unknown option %s", argv[i]);
  }
  if (!model_path || !input_path) usage_error("predict: %s is required", !model_path ? "--model" : "--input");
  tt_model *m = load_model(model_path);
  dataset d = load_csv(m, input_path, 0);
  int in = tt_model_input_size(m), out = tt_model_output_size(m), lab = tt_model_label_size(m);
  int ce = m->spec.loss == TT_LOSS_CROSS_ENTROPY, classes = ce ? out / lab : 0;
  if (mode == 0 && m->spec.loss == TT_LOSS_BCE) mode = 1;  // a probability is the natural answer for bce
  const int chunk = 256;
  float *y = malloc((size_t)chunk * (size_t)out * sizeof(float));
  if (!y) die("out of memory");
  for (int i = 0; i < d.n; i += chunk) {
    int b = d.n - i < chunk ? d.n - i : chunk;
    if (tt_model_predict(m, d.x + (size_t)i * in, b, y, mode == 1) != TT_OK) die("predict: %s", tt_last_error());
    for (int s = 0; s < b; s++) {
      const float *o = y + (size_t)s * out;
      if (mode == 0 && ce) {  // the argmax class of each position
        for (int p = 0; p < lab; p++) {
          int best = 0;
          for (int k = 1; k < classes; k++)
            if (o[p * classes + k] > o[p * classes + best]) best = k;
          printf(p ? ",%d" : "%d", best);
        }
      } else {
        for (int k = 0; k < out; k++) printf(k ? ",%.9g" : "%.9g", o[k]);
      }
      putchar('\n');
    }
  }
  free(y);
  free_dataset(&d);
  tt_model_free(m);
  return 0;
}

static const char *loss_name(tt__loss_type t) {
  return t == TT_LOSS_MSE ? "mse" : t == TT_LOSS_CROSS_ENTROPY ? "cross_entropy" : "binary_cross_entropy";
}

static int cmd_info(int argc, char **argv) {
  if (argc != 1) usage_error("info: expected one file name%s", "");
  size_t len;
  char *bytes = read_file(argv[0], MAX_WEIGHTS_MIB, "a weight file", &len);
  tt_model *m = tt_model_load((const unsigned char *)bytes, len);
  free(bytes);
  if (!m) die("%s: %s", argv[0], tt_last_error());
  char shape[64];
  printf("file: %s (%zu bytes)\n", argv[0], len);
  printf("spec: %s\n", tt_model_spec(m));
  tt__shape_str(m->spec.input, shape, sizeof shape);
  printf("input: %s\n", shape);
  printf("layers:\n");
  for (int i = 0; i < m->n_layers; i++) {
    const tt__layer *l = &m->layers[i];
    tt__shape_str(l->out, shape, sizeof shape);
    printf("  %2d %-10s -> %-14s", l->index, tt__layer_ops_of(l->type)->name, shape);
    if (l->w_count + l->b_count) printf(" %zu parameters", l->w_count + l->b_count);
    putchar('\n');
  }
  printf("loss: %s\n", loss_name(m->spec.loss));
  printf("parameters: %zu\n", tt_model_param_count(m));
  printf("flops per sample: %.0f inference, %.0f training\n", tt_model_flops_forward(m), tt_model_flops_train(m));
  tt_model_free(m);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(usage_text, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "train")) return cmd_train(argc - 2, argv + 2);
  if (!strcmp(cmd, "eval")) return cmd_eval(argc - 2, argv + 2);
  if (!strcmp(cmd, "predict")) return cmd_predict(argc - 2, argv + 2);
  if (!strcmp(cmd, "info")) return cmd_info(argc - 2, argv + 2);
  usage_error("unknown command \"%s\"", cmd);
  return 2;
}
