/* twinnet command line: argument parsing and one function per subcommand. Only here are
 * there printing and exit(). Exit status: 0 success, 1 runtime error, 2 usage error. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "twinnet.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

static const char *command = "twinnet";

static void die(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "twinnet: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

static void die_err(const tn_error *err) { die(EXIT_RUNTIME, "%s", err->msg); }

static void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "twinnet: %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'twinnet %s --help')\n", command);
    va_end(ap);
    exit(EXIT_USAGE);
}

/* ---- strict number parsing: the whole string, in range, or a usage error ----------------- */
static uint64_t parse_uint(const char *opt, const char *s, uint64_t lo, uint64_t hi) {
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') usage_error("%s: '%s' is not a whole number", opt, s ? s : "");
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) usage_error("%s: '%s' is not a whole number", opt, s);
    if (v < lo || v > hi) usage_error("%s: %llu is outside %llu..%llu", opt, v, (unsigned long long)lo, (unsigned long long)hi);
    return v;
}

static float parse_float(const char *opt, const char *s, double lo, double hi, int lo_open) {
    char *end;
    errno = 0;
    if (!s || !*s || *s == ' ') usage_error("%s: '%s' is not a number", opt, s ? s : "");
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) usage_error("%s: '%s' is not a number", opt, s);
    if (v < lo || (lo_open && v == lo) || v > hi) usage_error("%s: %s is outside %s%g..%g", opt, s, lo_open ? "(" : "", lo, hi);
    return (float)v;
}

static int parse_sizes(const char *opt, const char *s, uint32_t *sizes) {
    int n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char part[32];
        if (len == 0 || len >= sizeof part) usage_error("%s: '%s' is not a list of widths such as 784,30,10", opt, s);
        memcpy(part, p, len);
        part[len] = 0;
        if (n == TN_MAX_LAYERS) usage_error("%s: more than %d layers", opt, TN_MAX_LAYERS);
        sizes[n++] = (uint32_t)parse_uint(opt, part, 1, TN_MAX_WIDTH);
        if (!comma) break;
        p = comma + 1;
    }
    if (n < 2) usage_error("%s: '%s' needs at least an input and an output width", opt, s);
    return n;
}

static int pick(const char *opt, const char *s, const char *const *names, int count) {
    for (int i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) return i;
    char list[256] = "";
    for (int i = 0; i < count; i++) {
        strcat(list, names[i]);
        if (i + 1 < count) strcat(list, ", ");
    }
    usage_error("%s: '%s' is not one of %s", opt, s, list);
    return -1;
}

/* Option iteration: --name value, --name=value, or a flag. */
typedef struct { int argc, i; char **argv; const char *value; char name[64]; } args;

static int next_arg(args *a, const char **positional) {
    *positional = NULL;
    if (a->i >= a->argc) return 0;
    const char *s = a->argv[a->i++];
    a->value = NULL;
    if (strncmp(s, "--", 2) != 0 || strcmp(s, "--") == 0 || s[2] == 0) {
        *positional = s;
        a->name[0] = 0;
        return 1;
    }
    const char *eq = strchr(s, '=');
    size_t len = eq ? (size_t)(eq - s) : strlen(s);
    if (len >= sizeof a->name) len = sizeof a->name - 1;
    memcpy(a->name, s, len);
    a->name[len] = 0;
    if (eq) a->value = eq + 1;
    return 1;
}

static const char *need_value(args *a) {
    if (a->value) return a->value;
    if (a->i >= a->argc) usage_error("%s: needs a value", a->name);
    return a->argv[a->i++];
}

static int is(const args *a, const char *name) { return strcmp(a->name, name) == 0; }

static void no_value(args *a) {
    if (a->value) usage_error("%s: takes no value", a->name);
}

/* ---- data --------------------------------------------------------------------------------- */
static const char *default_data_dir(char *buf, size_t cap) {
    const char *env = getenv("TWINNET_DATA");
    if (env && *env) return env;
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg) snprintf(buf, cap, "%s/twinnet/mnist", xdg);
    else snprintf(buf, cap, "%s/.cache/twinnet/mnist", getenv("HOME") ? getenv("HOME") : ".");
    return buf;
}

typedef struct {
    const char *dir;
    const char *train_images, *train_labels, *test_images, *test_labels;
} data_opts;

static int data_option(args *a, data_opts *d) {
    if (is(a, "--data")) d->dir = need_value(a);
    else if (is(a, "--train-images")) d->train_images = need_value(a);
    else if (is(a, "--train-labels")) d->train_labels = need_value(a);
    else if (is(a, "--test-images")) d->test_images = need_value(a);
    else if (is(a, "--test-labels")) d->test_labels = need_value(a);
    else return 0;
    return 1;
}

static void find_in_dir(const char *dir, const char *name, char *out, size_t cap) {
    snprintf(out, cap, "%s/%s", dir, name);
    if (access(out, F_OK) == 0) return;
    snprintf(out, cap, "%s/%s.gz", dir, name);
    if (access(out, F_OK) == 0) return;
    snprintf(out, cap, "%s/%s", dir, name);
}

/* Loads the training set (want_train) and the test set from explicit files or a directory. */
static void load_data(const data_opts *d, int want_train, tn_dataset *train, tn_dataset *test) {
    char dirbuf[4096], ti[4096], tl[4096], vi[4096], vl[4096];
    const char *dir = d->dir ? d->dir : default_data_dir(dirbuf, sizeof dirbuf);
    if ((d->train_images != NULL) != (d->train_labels != NULL) || (d->test_images != NULL) != (d->test_labels != NULL))
        usage_error("--train-images/--train-labels and --test-images/--test-labels go in pairs");
    int need_dir = (want_train && !d->train_images) || !d->test_images;
    if (need_dir && access(dir, F_OK) != 0)
        die(EXIT_RUNTIME, "%s: no such data directory (run 'make data', or pass --data DIR)", dir);
    find_in_dir(dir, "train-images-idx3-ubyte", ti, sizeof ti);
    find_in_dir(dir, "train-labels-idx1-ubyte", tl, sizeof tl);
    find_in_dir(dir, "t10k-images-idx3-ubyte", vi, sizeof vi);
    find_in_dir(dir, "t10k-labels-idx1-ubyte", vl, sizeof vl);
    tn_error err;
    if (want_train && tn_dataset_load(train, d->train_images ? d->train_images : ti,
                                      d->train_labels ? d->train_labels : tl, &err) != TN_OK)
        die_err(&err);
    if (tn_dataset_load(test, d->test_images ? d->test_images : vi, d->test_labels ? d->test_labels : vl, &err) != TN_OK) {
        if (want_train) tn_dataset_free(train);
        die_err(&err);
    }
}

/* ---- train -------------------------------------------------------------------------------- */
static volatile int interrupted;
static void on_sigint(int sig) { (void)sig; interrupted = 1; }

static const char *const activation_names[] = {"sigmoid", "tanh", "relu"};
static const char *const cost_names[] = {"quadratic", "cross-entropy", "log-likelihood"};
static const char *const init_names[] = {"normal", "scaled"};

static void train_help(void) {
    printf("usage: twinnet train [options] --out MODEL\n"
           "Trains a network with mini-batch SGD; the defaults reproduce Nielsen's network.py.\n\n"
           "  --out MODEL          model file to write (required; written atomically)\n"
           "  --data DIR           MNIST directory (default $TWINNET_DATA, else ~/.cache/twinnet/mnist)\n"
           "  --train-images F --train-labels F   any IDX training set (raw or .gz)\n"
           "  --test-images F --test-labels F     any IDX test set (raw or .gz)\n"
           "  --sizes LIST         layer widths (default 784,30,10)\n"
           "  --epochs N           (default 30)\n"
           "  --batch N            mini-batch size (default 10)\n"
           "  --eta X              learning rate (default 3.0)\n"
           "  --cost NAME          quadratic | cross-entropy | log-likelihood (softmax output) (default quadratic)\n"
           "  --activation NAME    hidden layers: sigmoid | tanh | relu (default sigmoid)\n"
           "  --lambda X           L2 strength, scaled by the training set size as network2.py (default 0)\n"
           "  --init NAME          normal: N(0,1) | scaled: weights N(0,1/n_in) (default normal)\n"
           "  --seed N             sets both seeds (default 1)\n"
           "  --init-seed N        seed of the initial parameters (default 1)\n"
           "  --order-seed N       seed of the example order (default 1)\n"
           "  --train-size N       examples to train on; the rest of the training file is the\n"
           "                       validation set (default 50000; 0 = all)\n"
           "  --early-stop N       stop after N epochs without validation gain (default 0 = off)\n"
           "  --threads N          threads (default 1); the result is the same for any N\n"
           "  --trace FILE         write a parameter trace for 'twinnet diverge'\n"
           "  --trace-every K      steps between trace records (default 100; 0 = epoch ends)\n"
           "  --perturb-ulp INDEX  flip the lowest bit of initial parameter INDEX\n"
           "  --json               JSON Lines output\n"
           "  --quiet              no per-epoch lines\n");
}

typedef struct {
    int json, quiet, tty;
    double started;
    double total_train;
} train_view;

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int on_epoch(const tn_epoch_info *e, void *user) {
    train_view *v = user;
    v->total_train += e->train_seconds;
    double acc = e->test_total ? (double)e->test_correct / e->test_total : 0.0;
    if (v->json) {
        printf("{\"epoch\":%u,\"test_correct\":%u,\"test_total\":%u,\"test_accuracy\":%.6f,\"cost\":%.9g,"
               "\"seconds\":%.6f,\"train_seconds\":%.6f,\"test_seconds\":%.6f",
               e->epoch, e->test_correct, e->test_total, acc, e->test_cost, e->seconds, e->train_seconds,
               e->test_seconds);
        if (e->has_validation)
            printf(",\"validation_correct\":%u,\"validation_total\":%u,\"validation_accuracy\":%.6f", e->valid_correct,
                   e->valid_total, e->valid_total ? (double)e->valid_correct / e->valid_total : 0.0);
        printf("}\n");
        fflush(stdout);
    } else if (!v->quiet) {
        double elapsed = wall() - v->started;
        double eta = elapsed / e->epoch * (e->epochs - e->epoch);
        printf("Epoch %u/%u: %u / %u (%.2f%%)", e->epoch, e->epochs, e->test_correct, e->test_total, 100.0 * acc);
        if (e->has_validation) printf(", validation %.2f%%", e->valid_total ? 100.0 * e->valid_correct / e->valid_total : 0.0);
        printf(", cost %.4f, %.2f s", e->test_cost, e->seconds);
        if (v->tty && e->epoch < e->epochs) printf(", ETA %.0f s", eta);
        printf("\n");
        fflush(stdout);
    }
    return 0;
}

static int cmd_train(int argc, char **argv) {
    tn_config cfg;
    tn_config_default(&cfg);
    data_opts d = {0};
    const char *out = NULL;
    int json = 0, quiet = 0, seed_set = 0;
    uint64_t seed = 1;
    int init_seed_set = 0, order_seed_set = 0;
    args a = {argc, 0, argv, NULL, ""};
    const char *pos;
    while (next_arg(&a, &pos)) {
        if (pos) usage_error("unexpected argument '%s'", pos);
        else if (is(&a, "--help")) { train_help(); return 0; }
        else if (data_option(&a, &d)) {}
        else if (is(&a, "--out")) out = need_value(&a);
        else if (is(&a, "--sizes")) cfg.n_sizes = parse_sizes("--sizes", need_value(&a), cfg.sizes);
        else if (is(&a, "--epochs")) cfg.epochs = (uint32_t)parse_uint("--epochs", need_value(&a), 1, 100000);
        else if (is(&a, "--batch")) cfg.batch = (uint32_t)parse_uint("--batch", need_value(&a), 1, 65536);
        else if (is(&a, "--eta")) cfg.eta = parse_float("--eta", need_value(&a), 0.0, 1e6, 1);
        else if (is(&a, "--lambda")) cfg.lambda = parse_float("--lambda", need_value(&a), 0.0, 1e6, 0);
        else if (is(&a, "--cost")) cfg.cost = (tn_cost)pick("--cost", need_value(&a), cost_names, 3);
        else if (is(&a, "--activation")) cfg.activation = (tn_activation)pick("--activation", need_value(&a), activation_names, 3);
        else if (is(&a, "--init")) cfg.init = (tn_init)pick("--init", need_value(&a), init_names, 2);
        else if (is(&a, "--seed")) { seed = parse_uint("--seed", need_value(&a), 0, UINT64_MAX); seed_set = 1; }
        else if (is(&a, "--init-seed")) { cfg.init_seed = parse_uint("--init-seed", need_value(&a), 0, UINT64_MAX); init_seed_set = 1; }
        else if (is(&a, "--order-seed")) { cfg.order_seed = parse_uint("--order-seed", need_value(&a), 0, UINT64_MAX); order_seed_set = 1; }
        else if (is(&a, "--train-size")) cfg.train_size = (uint32_t)parse_uint("--train-size", need_value(&a), 0, UINT32_MAX);
        else if (is(&a, "--early-stop")) cfg.early_stop = (uint32_t)parse_uint("--early-stop", need_value(&a), 0, 100000);
        else if (is(&a, "--threads")) cfg.threads = (int)parse_uint("--threads", need_value(&a), 1, 256);
        else if (is(&a, "--trace")) cfg.trace_path = need_value(&a);
        else if (is(&a, "--trace-every")) cfg.trace_every = (uint32_t)parse_uint("--trace-every", need_value(&a), 0, UINT32_MAX);
        else if (is(&a, "--perturb-ulp")) cfg.perturb_ulp = (int64_t)parse_uint("--perturb-ulp", need_value(&a), 0, INT64_MAX);
        else if (is(&a, "--json")) { no_value(&a); json = 1; }
        else if (is(&a, "--quiet")) { no_value(&a); quiet = 1; }
        else usage_error("unknown option '%s'", a.name);
    }
    if (!out) usage_error("--out MODEL is required");
    if (seed_set) {
        if (!init_seed_set) cfg.init_seed = seed;
        if (!order_seed_set) cfg.order_seed = seed;
    }
    tn_dataset train, test;
    load_data(&d, 1, &train, &test);
    if (cfg.train_size > train.n) {
        if (cfg.train_size == 50000 && train.n < 50000) cfg.train_size = 0; /* small data: all of it */
    }
    signal(SIGINT, on_sigint); /* stop at a step boundary and save what finished */
    signal(SIGTERM, on_sigint);
    signal(SIGHUP, on_sigint);
    train_view view = {json, quiet, isatty(STDOUT_FILENO), wall(), 0.0};
    tn_model model;
    memset(&model, 0, sizeof model);
    model.config = cfg;
    model.config.trace_path = NULL;
    tn_train_result result;
    tn_error err;
    tn_status s = tn_train(&cfg, &train, &test, &model.net, on_epoch, &view, &interrupted, &result, &err);
    if (s != TN_OK) {
        tn_dataset_free(&train);
        tn_dataset_free(&test);
        die(s == TN_ERR_ARG ? EXIT_USAGE : EXIT_RUNTIME, "%s", err.msg);
    }
    model.epochs_run = result.epochs_run;
    tn_dataset used = tn_dataset_view(&train, 0, cfg.train_size ? cfg.train_size : train.n);
    tn_dataset_sha256(&used, model.data_sha256);
    s = tn_model_save(&model, out, &err);
    char fp[65];
    tn_net_fingerprint(&model.net, fp);
    uint32_t total = test.n ? test.n : 1;
    tn_model_free(&model);
    tn_dataset_free(&train);
    tn_dataset_free(&test);
    if (s != TN_OK) die_err(&err);
    if (json) {
        printf("{\"done\":true,\"epochs\":%u,\"best_test_correct\":%u,\"best_test_accuracy\":%.6f,\"best_epoch\":%u,"
               "\"steps\":%llu,\"stopped_early\":%s,\"interrupted\":%s,\"train_seconds\":%.6f,\"fingerprint\":\"%s\",\"out\":\"%s\"}\n",
               result.epochs_run, result.best_test_correct, (double)result.best_test_correct / total, result.best_epoch,
               (unsigned long long)result.steps, result.stopped_early ? "true" : "false", result.interrupted ? "true" : "false", view.total_train, fp, out);
    } else if (!quiet || result.interrupted) {
        if (result.interrupted)
            printf("Interrupted: stopped at step %llu (%u complete epochs); the model holds the parameters of that step.\n",
                   (unsigned long long)result.steps, result.epochs_run);
        if (result.stopped_early) printf("Stopped early: no validation gain in %u epochs.\n", cfg.early_stop);
        printf("Best test accuracy %.2f%% (epoch %u); %.3f s per epoch of training.\n",
               100.0 * result.best_test_correct / total, result.best_epoch,
               result.epochs_run ? view.total_train / result.epochs_run : 0.0);
        printf("Fingerprint %s\nWrote %s\n", fp, out);
    }
    return result.interrupted ? EXIT_RUNTIME : 0;
}

/* ---- eval --------------------------------------------------------------------------------- */
static void load_model(const char *path, tn_model *m) {
    tn_error err;
    if (tn_model_load(m, path, &err) != TN_OK) die_err(&err);
}

static int cmd_eval(int argc, char **argv) {
    data_opts d = {0};
    const char *model_path = NULL;
    int json = 0, threads = 1;
    args a = {argc, 0, argv, NULL, ""};
    const char *pos;
    while (next_arg(&a, &pos)) {
        if (pos) { if (model_path) usage_error("unexpected argument '%s'", pos); model_path = pos; }
        else if (is(&a, "--help")) {
            printf("usage: twinnet eval MODEL [--data DIR | --test-images F --test-labels F] [--threads N] [--json]\n"
                   "Test accuracy, mean cost and confusion matrix (rows: true digit, columns: predicted).\n");
            return 0;
        }
        else if (data_option(&a, &d)) {}
        else if (is(&a, "--threads")) threads = (int)parse_uint("--threads", need_value(&a), 1, 256);
        else if (is(&a, "--json")) { no_value(&a); json = 1; }
        else usage_error("unknown option '%s'", a.name);
    }
    if (!model_path) usage_error("needs a MODEL file");
    tn_model m;
    load_model(model_path, &m);
    tn_dataset test;
    load_data(&d, 0, NULL, &test);
    uint32_t n_out = m.net.sizes[m.net.n_sizes - 1];
    uint32_t *conf = calloc((size_t)n_out * n_out, sizeof *conf);
    if (!conf) die(EXIT_RUNTIME, "out of memory");
    tn_eval_result r = {0};
    r.confusion = conf;
    tn_error err;
    double t0 = wall();
    if (tn_evaluate(&m.net, &test, threads, &r, &err) != TN_OK) die_err(&err);
    double seconds = wall() - t0;
    double acc = r.total ? (double)r.correct / r.total : 0.0;
    if (json) {
        printf("{\"accuracy\":%.6f,\"correct\":%u,\"total\":%u,\"cost\":%.9g,\"seconds\":%.6f,\"confusion\":[", acc,
               r.correct, r.total, r.cost, seconds);
        for (uint32_t i = 0; i < n_out; i++) {
            printf("%s[", i ? "," : "");
            for (uint32_t j = 0; j < n_out; j++) printf("%s%u", j ? "," : "", conf[i * n_out + j]);
            printf("]");
        }
        printf("]}\n");
    } else {
        printf("Accuracy %u / %u (%.2f%%), mean cost %.5f (%.1f ms)\n", r.correct, r.total, 100.0 * acc, r.cost, 1000 * seconds);
        printf("Confusion matrix (rows: true, columns: predicted):\n      ");
        for (uint32_t j = 0; j < n_out; j++) printf("%6u", j);
        printf("\n");
        for (uint32_t i = 0; i < n_out; i++) {
            printf("%6u", i);
            for (uint32_t j = 0; j < n_out; j++) printf("%6u", conf[i * n_out + j]);
            printf("\n");
        }
    }
    free(conf);
    tn_dataset_free(&test);
    tn_model_free(&m);
    return 0;
}

/* ---- info --------------------------------------------------------------------------------- */
static int cmd_info(int argc, char **argv) {
    const char *model_path = NULL;
    int json = 0;
    args a = {argc, 0, argv, NULL, ""};
    const char *pos;
    while (next_arg(&a, &pos)) {
        if (pos) { if (model_path) usage_error("unexpected argument '%s'", pos); model_path = pos; }
        else if (is(&a, "--help")) {
            printf("usage: twinnet info MODEL [--json]\nConfiguration, seeds, shapes and the parameter fingerprint.\n");
            return 0;
        }
        else if (is(&a, "--json")) { no_value(&a); json = 1; }
        else usage_error("unknown option '%s'", a.name);
    }
    if (!model_path) usage_error("needs a MODEL file");
    tn_model m;
    load_model(model_path, &m);
    char fp[65], data[65];
    tn_net_fingerprint(&m.net, fp);
    tn_hex(m.data_sha256, 32, data);
    const tn_config *c = &m.config;
    if (json) {
        printf("{\"fingerprint\":\"%s\",\"sizes\":[", fp);
        for (int l = 0; l < c->n_sizes; l++) printf("%s%u", l ? "," : "", c->sizes[l]);
        printf("],\"init_seed\":%llu,\"order_seed\":%llu,\"activation\":\"%s\",\"cost\":\"%s\",\"init\":\"%s\","
               "\"epochs\":%u,\"epochs_run\":%u,\"batch\":%u,\"eta\":%.9g,\"lambda\":%.9g,\"train_size\":%u,"
               "\"early_stop\":%u,\"parameters\":%zu,\"data_sha256\":\"%s\",\"format_version\":%u}\n",
               (unsigned long long)c->init_seed, (unsigned long long)c->order_seed, tn_activation_name(c->activation),
               tn_cost_name(c->cost), tn_init_name(c->init), c->epochs, m.epochs_run, c->batch, (double)c->eta,
               (double)c->lambda, c->train_size, c->early_stop, m.net.n_params, data, TN_MODEL_VERSION);
    } else {
        printf("sizes        ");
        for (int l = 0; l < c->n_sizes; l++) printf("%s%u", l ? "," : "", c->sizes[l]);
        printf("\nactivation   %s (hidden), cost %s, init %s\n", tn_activation_name(c->activation), tn_cost_name(c->cost),
               tn_init_name(c->init));
        printf("training     %u of %u epochs, batch %u, eta %g, lambda %g, train size %u, early stop %u\n", m.epochs_run,
               c->epochs, c->batch, (double)c->eta, (double)c->lambda, c->train_size, c->early_stop);
        printf("seeds        init %llu, order %llu\n", (unsigned long long)c->init_seed, (unsigned long long)c->order_seed);
        printf("parameters   %zu\nfingerprint  %s\ndata sha256  %s\n", m.net.n_params, fp, data);
    }
    tn_model_free(&m);
    return 0;
}

/* ---- predict ------------------------------------------------------------------------------ */
static int cmd_predict(int argc, char **argv) {
    const char *model_path = NULL;
    const char **images = calloc((size_t)argc + 1, sizeof *images);
    int n_images = 0, json = 0;
    args a = {argc, 0, argv, NULL, ""};
    const char *pos;
    if (!images) die(EXIT_RUNTIME, "out of memory");
    while (next_arg(&a, &pos)) {
        if (pos) { if (!model_path) model_path = pos; else images[n_images++] = pos; }
        else if (is(&a, "--help")) {
            printf("usage: twinnet predict MODEL IMAGE... [--json]\n"
                   "Classifies grayscale images (PGM or PNG) of the network's input size, white digit on\n"
                   "black as in MNIST. Prints the digit and the outputs normalised to sum to 1.\n");
            free(images);
            return 0;
        }
        else if (is(&a, "--json")) { no_value(&a); json = 1; }
        else usage_error("unknown option '%s'", a.name);
    }
    if (!model_path || n_images == 0) usage_error("needs a MODEL and at least one IMAGE");
    tn_model m;
    load_model(model_path, &m);
    uint32_t n_in = m.net.sizes[0], n_out = m.net.sizes[m.net.n_sizes - 1];
    float *x = malloc(n_in * sizeof(float)), *y = malloc(n_out * sizeof(float));
    if (!x || !y) die(EXIT_RUNTIME, "out of memory");
    int status = 0;
    for (int i = 0; i < n_images; i++) {
        uint8_t *pix;
        uint32_t w, h;
        tn_error err;
        if (tn_image_load(images[i], &pix, &w, &h, &err) != TN_OK) {
            fprintf(stderr, "twinnet: %s\n", err.msg);
            status = EXIT_RUNTIME;
            continue;
        }
        if ((uint64_t)w * h != n_in) {
            fprintf(stderr, "twinnet: %s: image is %ux%u (%u pixels) but the model takes %u\n", images[i], w, h, w * h, n_in);
            free(pix);
            status = EXIT_RUNTIME;
            continue;
        }
        for (uint32_t k = 0; k < n_in; k++) x[k] = (float)pix[k] / 255.0f;
        free(pix);
        if (tn_net_forward(&m.net, x, y, &err) != TN_OK) die_err(&err);
        double sum = 0.0;
        uint32_t best = 0;
        for (uint32_t k = 0; k < n_out; k++) { sum += y[k]; if (y[k] > y[best]) best = k; }
        if (json) {
            printf("{\"file\":\"");
            for (const char *c = images[i]; *c; c++) {
                if (*c == '"' || *c == '\\') printf("\\%c", *c);
                else if ((unsigned char)*c < 0x20) printf("\\u%04x", *c);
                else putchar(*c);
            }
            printf("\",\"digit\":%u,\"probabilities\":[", best);
            for (uint32_t k = 0; k < n_out; k++) printf("%s%.6f", k ? "," : "", sum > 0 ? y[k] / sum : 0.0);
            printf("]}\n");
        } else {
            printf("%s: %u (", images[i], best);
            for (uint32_t k = 0; k < n_out; k++) printf("%s%u:%.3f", k ? " " : "", k, sum > 0 ? y[k] / sum : 0.0);
            printf(")\n");
        }
    }
    free(x);
    free(y);
    free(images);
    tn_model_free(&m);
    return status;
}

/* ---- diverge ------------------------------------------------------------------------------
 * Reads two traces (train --trace) and prints the first step at which the parameters differ,
 * the last step at which they were equal, the first parameter that differs, and the distance
 * ||A-B|| at every common trace point: how a one-bit change grows through training. */
static int cmd_diverge(int argc, char **argv) {
    const char *paths[2] = {NULL, NULL};
    int n_paths = 0, json = 0;
    args a = {argc, 0, argv, NULL, ""};
    const char *pos;
    while (next_arg(&a, &pos)) {
        if (pos) { if (n_paths == 2) usage_error("unexpected argument '%s'", pos); paths[n_paths++] = pos; }
        else if (is(&a, "--help")) {
            printf("usage: twinnet diverge TRACE_A TRACE_B [--json]\n"
                   "The first step at which two training runs differ (traces from train --trace FILE), the\n"
                   "last step at which they agreed, the first parameter that differs, and the distance\n"
                   "between the runs at every trace point.\n");
            return 0;
        }
        else if (is(&a, "--json")) { no_value(&a); json = 1; }
        else usage_error("unknown option '%s'", a.name);
    }
    if (n_paths != 2) usage_error("needs two trace files");
    tn_diverge_result r;
    tn_error err;
    if (tn_diverge(paths[0], paths[1], &r, &err) != TN_OK) die_err(&err);
    if (json) {
        printf("{\"first_diverging_step\":");
        if (r.diverged) printf("%llu", (unsigned long long)r.first_diverging_step); else printf("null");
        printf(",\"last_equal_step\":");
        if (r.has_last_equal) printf("%llu", (unsigned long long)r.last_equal_step); else printf("null");
        if (r.diverged)
            printf(",\"first_difference\":{\"index\":%llu,\"layer\":%d,\"tensor\":\"%s\",\"row\":%u,\"col\":%u,"
                   "\"a\":%.9g,\"b\":%.9g}",
                   (unsigned long long)r.first_index, r.first_layer, r.first_is_bias ? "b" : "W", r.first_row, r.first_col,
                   (double)r.first_a, (double)r.first_b);
        printf(",\"distance\":[");
        for (size_t i = 0; i < r.n_points; i++) {
            const tn_diverge_point *p = &r.points[i];
            printf("%s{\"step\":%llu,\"epoch\":%u,\"equal\":%s,\"l2\":%.9g,\"relative\":%.9g,\"max_abs\":%.9g,\"differing\":%llu}",
                   i ? "," : "", (unsigned long long)p->step, p->epoch, p->equal ? "true" : "false", p->l2, p->relative,
                   p->max_abs, (unsigned long long)p->differing);
        }
        printf("]}\n");
    } else {
        size_t n_params = 0;
        for (int l = 1; l < r.n_sizes; l++) n_params += (size_t)r.sizes[l - 1] * r.sizes[l] + r.sizes[l];
        if (!r.diverged) {
            printf("The runs agree bit for bit at all %zu common trace points (last step %llu).\n", r.n_points,
                   (unsigned long long)r.points[r.n_points - 1].step);
        } else {
            printf("First diverging step: %llu", (unsigned long long)r.first_diverging_step);
            if (r.has_last_equal) printf(" (last equal step: %llu)\n", (unsigned long long)r.last_equal_step);
            else printf(" (the runs differ from their first common trace point)\n");
            if (r.first_is_bias)
                printf("First difference: layer %d bias b[%u] (index %llu): %.9g vs %.9g\n", r.first_layer, r.first_row,
                       (unsigned long long)r.first_index, (double)r.first_a, (double)r.first_b);
            else
                printf("First difference: layer %d weight W[%u][%u] (index %llu): %.9g vs %.9g\n", r.first_layer, r.first_row,
                       r.first_col, (unsigned long long)r.first_index, (double)r.first_a, (double)r.first_b);
        }
        printf("%10s %6s %14s %12s %12s %12s\n", "step", "epoch", "||A-B||", "relative", "max |a-b|", "differing");
        for (size_t i = 0; i < r.n_points; i++) {
            const tn_diverge_point *p = &r.points[i];
            printf("%10llu %6u %14.6g %12.4g %12.4g %12llu / %zu\n", (unsigned long long)p->step, p->epoch, p->l2, p->relative,
                   p->max_abs, (unsigned long long)p->differing, n_params);
        }
    }
    tn_diverge_result_free(&r);
    return 0;
}

/* ---- main --------------------------------------------------------------------------------- */
static void main_help(void) {
    printf("usage: twinnet COMMAND [options]   (twinnet COMMAND --help for each)\n\n"
           "  train     train a network (defaults: Nielsen's network.py) and write a model file\n"
           "  eval      test accuracy, cost and confusion matrix of a model\n"
           "  info      configuration, seeds, shapes and parameter fingerprint of a model\n"
           "  predict   classify 28x28 PGM or PNG images\n"
           "  diverge   the first step at which two training runs (traces) differ\n\n"
           "twinnet %s, SIMD path %s\n", TN_VERSION_STRING, tn_simd_path());
}

int main(int argc, char **argv) {
    if (argc < 2) { main_help(); return EXIT_USAGE; }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) { main_help(); return 0; }
    if (!strcmp(cmd, "--version")) { printf("twinnet %s\n", TN_VERSION_STRING); return 0; }
    command = cmd;
    if (!strcmp(cmd, "train")) return cmd_train(argc - 2, argv + 2);
    if (!strcmp(cmd, "eval")) return cmd_eval(argc - 2, argv + 2);
    if (!strcmp(cmd, "info")) return cmd_info(argc - 2, argv + 2);
    if (!strcmp(cmd, "predict")) return cmd_predict(argc - 2, argv + 2);
    if (!strcmp(cmd, "diverge")) return cmd_diverge(argc - 2, argv + 2);
    command = "twinnet";
    fprintf(stderr, "twinnet: unknown command '%s' (see 'twinnet --help')\n", cmd);
    return EXIT_USAGE;
}
