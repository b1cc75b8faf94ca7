/* Option parsing, numbers and messages shared by every command (see cli.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

const char *cli_command = "twinnet";

void die(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fprintf(stderr, "twinnet: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

void die_err(tn_status s, const tn_error *err) { die(s == TN_ERR_ARG ? EXIT_USAGE : EXIT_RUNTIME, "%s", err->msg); }

void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fprintf(stderr, "twinnet: %s: ", cli_command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'twinnet help %s')\n", cli_command);
    va_end(ap);
    exit(EXIT_USAGE);
}

/* ---- options -------------------------------------------------------------------------------- */
void args_begin(args *a, int argc, char **argv) {
    memset(a, 0, sizeof *a);
    a->argc = argc;
    a->argv = argv;
}

static int is_option(const char *s) { return strncmp(s, "--", 2) == 0 && s[2] != 0; }

int args_next(args *a, const char **positional) {
    if (a->repeated) usage_error("%s: given twice; it takes one value", a->name);
    *positional = NULL;
    a->value = NULL;
    a->name[0] = 0;
    a->n_asked = 0;
    if (a->i >= a->argc) return 0;
    const char *s = a->argv[a->i++];
    if (!a->options_done && strcmp(s, "--") == 0) {
        a->options_done = 1;
        return args_next(a, positional);
    }
    if (a->options_done || !is_option(s)) {
        *positional = s;
        return 1;
    }
    const char *eq = strchr(s, '=');
    size_t len = eq ? (size_t)(eq - s) : strlen(s);
    if (len >= sizeof a->name) usage_error("unknown option '%.40s...'", s);
    memcpy(a->name, s, len);
    a->name[len] = 0;
    if (eq) a->value = eq + 1;
    return 1;
}

int args_is(args *a, const char *name) {
    if (a->n_asked < (int)(sizeof a->asked / sizeof a->asked[0])) a->asked[a->n_asked++] = name;
    return strcmp(a->name, name) == 0;
}

int args_next_option(args *a, void (*help)(void)) {
    const char *positional;
    if (!args_next(a, &positional)) return 0;
    if (positional) usage_error("unexpected argument '%s'", positional);
    if (args_is(a, "--help")) {
        help();
        exit(0);
    }
    return 1;
}

/* 1 if the current option was given before (and remembers it otherwise). */
static int seen_before(args *a) {
    for (int k = 0; k < a->n_seen; k++)
        if (strcmp(a->seen[k], a->name) == 0) return 1;
    if (a->n_seen < (int)(sizeof a->seen / sizeof a->seen[0])) strcpy(a->seen[a->n_seen++], a->name);
    return 0;
}

const char *args_value(args *a) {
    if (seen_before(a)) a->repeated = 1; /* a usage error once the value itself is checked: at the next args_next */
    return args_value_again(a);
}

const char *args_value_again(args *a) {
    if (a->value) return a->value;
    if (a->i >= a->argc || is_option(a->argv[a->i])) usage_error("%s: needs a value", a->name);
    return a->argv[a->i++];
}

void args_flag(args *a) {
    if (a->value) usage_error("%s: takes no value", a->name);
}

/* ---- numbers -------------------------------------------------------------------------------- */
/* -?digits, then for reals optionally .digits and e[+-]digits (at least one digit in all). */
static int number_syntax(const char *s, int real) {
    const char *p = s + (*s == '-');
    int digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (real && *p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) digits++;
    if (!digits) return 0;
    if (real && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return 0;
        while (*p >= '0' && *p <= '9') p++;
    }
    return *p == 0;
}

uint64_t parse_uint(const char *opt, const char *s, uint64_t lo, uint64_t hi) {
    if (!number_syntax(s, 0)) usage_error("%s: '%s' is not a whole number", opt, s);
    if (*s == '-') usage_error("%s: %s is outside %llu..%llu", opt, s, (unsigned long long)lo, (unsigned long long)hi);
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v > hi) usage_error("%s: %s is too large (at most %llu)", opt, s, (unsigned long long)hi);
    if (v < lo) usage_error("%s: %s is outside %llu..%llu", opt, s, (unsigned long long)lo, (unsigned long long)hi);
    return v;
}

double parse_real(const char *opt, const char *s, double lo, double hi, int lo_open) {
    if (!number_syntax(s, 1)) usage_error("%s: '%s' is not a number", opt, s);
    double v = strtod(s, NULL);
    if (v < lo || (lo_open && v == lo) || v > hi)
        usage_error("%s: %s is outside %s%g, %g]", opt, s, lo_open ? "(" : "[", lo, hi);
    return v;
}

int parse_sizes(const char *opt, const char *s, uint32_t *sizes) {
    int n = 0;
    for (const char *p = s;;) {
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

int parse_choice(const char *opt, const char *s, const char *const *names, int count) {
    for (int i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) return i;
    char list[256] = "";
    for (int i = 0; i < count; i++) {
        strcat(list, names[i]);
        if (i + 1 < count) strcat(list, ", ");
    }
    usage_error("%s: '%s' is not one of %s", opt, s, list);
}

/* ---- data and models ------------------------------------------------------------------------ */
int data_option(args *a, tn_data_source *d) {
    if (args_is(a, "--data")) d->dir = args_value(a);
    else if (args_is(a, "--train-images")) d->train_images = args_value(a);
    else if (args_is(a, "--train-labels")) d->train_labels = args_value(a);
    else if (args_is(a, "--test-images")) d->test_images = args_value(a);
    else if (args_is(a, "--test-labels")) d->test_labels = args_value(a);
    else return 0;
    return 1;
}

void load_data(const tn_data_source *d, tn_dataset *train, tn_dataset *test) {
    tn_error err;
    tn_status s = tn_data_load(d, train, test, &err);
    if (s == TN_ERR_ARG) usage_error("%s", err.msg);
    if (s != TN_OK) die_err(s, &err);
}

double wall_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}
