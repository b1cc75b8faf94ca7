/* The training options that train and sweep share, parsed and documented from the library's
 * table of the configuration (src/nn/config.h): a flag, its value's syntax and range, its help
 * line and its default (tn_config_default's) are each written once, there. */
#include <string.h>

#include "cli.h"
#include "config.h"

const char *const data_options_help =
    "  --data DIR           MNIST directory (default $TWINNET_DATA, else ~/.cache/twinnet/mnist)\n"
    "  --train-images F --train-labels F   any IDX training set (raw or .gz)\n"
    "  --test-images F --test-labels F     any IDX test set (raw or .gz)\n";

#define HELP_WIDTH 92   /* the widest line of the other options' help */
#define HELP_INDENT 23  /* where an option's words start */
#define NBSP '\1'       /* a space at which a line does not break */

/* Appends "  FLAG METAVAR   words" to help, the words wrapped at HELP_WIDTH. */
static void help_line(char *help, size_t cap, const char *flag, const char *metavar, const char *words) {
    size_t used = strlen(help), column;
    char option[64];
    snprintf(option, sizeof option, "%s%s%s", flag, metavar ? " " : "", metavar ? metavar : "");
    used += (size_t)snprintf(help + used, cap - used, "  %-20s", option);
    column = HELP_INDENT - 1;
    for (const char *w = words; *w && used + 2 < cap;) {
        size_t len = strcspn(w, " ");
        if (column + 1 + len > HELP_WIDTH && column > HELP_INDENT - 1)
            used += (size_t)snprintf(help + used, cap - used, "\n%*s", HELP_INDENT - 1, ""), column = HELP_INDENT - 1;
        used += (size_t)snprintf(help + used, cap - used, " %.*s", (int)len, w);
        for (char *c = help + used - len; *c; c++) *c = *c == NBSP ? ' ' : *c;
        column += 1 + len;
        w += len + strspn(w + len, " ");
    }
    snprintf(help + used, cap - used, "\n");
}

/* Every option's help line, made once from the table. */
const char *config_options_text(void) {
    static char help[8192];
    if (help[0]) return help;
    int n;
    const tn_config_field *fields = tn_config_fields(&n);
    for (int k = 0; k < n; k++) {
        const tn_config_field *f = &fields[k];
        char words[1024], value[64];
        size_t used = (size_t)snprintf(words, sizeof words, "%s", f->help);
        for (int e = 0; e < f->n_names; e++)
            used += (size_t)snprintf(words + used, sizeof words - used, "%s%s%s", e ? " | " : *f->help ? " " : "", f->names[e],
                                     f->notes && f->notes[e] ? f->notes[e] : "");
        tn_config_default_text(f, value, sizeof value);
        if (f->type != TN_FIELD_BOOL) {   /* "(default 3.0)", "(default 0: off)", "(default 50000; 0: all)", unbroken */
            int zero = value[strspn(value, "0.")] == 0;
            snprintf(words + used, sizeof words - used, "%s(default %s%s%s)", used ? " " : "", value,
                     f->zero ? (zero ? ": " : "; 0: ") : "", f->zero ? f->zero : "");
            for (char *c = words + used + 1; *c; c++) *c = *c == ' ' ? NBSP : *c;
        }
        if (strcmp(f->name, "init_seed") == 0) {   /* --seed, which is not a field of its own, before the two */
            char seed[128];
            snprintf(seed, sizeof seed, "sets both seeds (default %s)", value);
            help_line(help, sizeof help, "--seed", "N", seed);
        }
        help_line(help, sizeof help, f->flag, f->metavar, words);
    }
    return help;
}

int config_option(args *a, tn_config *cfg, config_seeds *s) {
    if (args_is(a, "--seed")) {
        s->seed = parse_uint("--seed", args_value(a), 0, UINT64_MAX);
        s->seed_set = 1;
        return 1;
    }
    int n;
    const tn_config_field *fields = tn_config_fields(&n), *f = NULL;
    for (int k = 0; k < n && !f; k++) f = args_is(a, fields[k].flag) ? &fields[k] : NULL;
    if (!f) return 0;
    uint64_t lo, hi;
    tn_config_uint_range(f, &lo, &hi);
    switch (f->type) {
    case TN_FIELD_SIZES: cfg->n_sizes = parse_sizes(f->flag, args_value(a), cfg->sizes); break;
    case TN_FIELD_F32: tn_config_set_f32(cfg, f, (float)parse_real(f->flag, args_value(a), f->min, f->max, f->min_open)); break;
    case TN_FIELD_ENUM: tn_config_set_uint(cfg, f, (uint64_t)parse_choice(f->flag, args_value(a), f->names, f->n_names)); break;
    case TN_FIELD_BOOL: args_flag(a); tn_config_set_uint(cfg, f, 1); break;
    default: tn_config_set_uint(cfg, f, parse_uint(f->flag, args_value(a), lo, hi)); break;
    }
    if (f->offset == offsetof(tn_config, init_seed)) s->init_set = 1;
    if (f->offset == offsetof(tn_config, order_seed)) s->order_set = 1;
    return 1;
}

void config_finish(tn_config *cfg, const config_seeds *s) {
    if (s->seed_set && !s->init_set) cfg->init_seed = s->seed;
    if (s->seed_set && !s->order_set) cfg->order_seed = s->seed;
}
