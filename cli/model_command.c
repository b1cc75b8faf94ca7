/* What the commands that write files share: --force, the check of every output against every
 * input and other output (check_outputs), and one parser for "twinnet CMD MODEL [--OUT FILE]
 * [--json] [--force]" (canon, export). */
#include <stdlib.h>
#include <string.h>

#include "model_command.h"

const char *const force_option_help = "  --force              replace an output file even if it is read-only\n";

void model_pair_argument(const char *pos, const char **a, const char **b) {
    if (*b) usage_error("unexpected argument '%s'", pos);
    *(*a ? b : a) = pos;
}

int force_option(args *a, int *force) {
    if (!args_is(a, "--force")) return 0;
    args_flag(a);
    *force = 1;
    return 1;
}

void check_outputs(const char *const *outputs, int n_outputs, const char *const *inputs, int n_inputs,
                   const tn_data_source *data, int force) {
    enum { MAX_INPUTS = 16 };
    const char *all[MAX_INPUTS + 4];
    int n = 0;
    for (int i = 0; i < n_inputs && n < MAX_INPUTS; i++) all[n++] = inputs[i];
    tn_data_files *files = NULL;
    if (data) {
        if (!(files = malloc(sizeof *files))) die(EXIT_RUNTIME, "out of memory");
        tn_data_resolve(data, files);
        for (int i = 0; i < 4; i++) all[n++] = files->path[i];
    }
    tn_error err;
    tn_status s = TN_OK;
    for (int i = 0; i < n_outputs && s == TN_OK; i++)
        if (outputs[i]) s = tn_out_check(outputs[i], all, n, outputs, n_outputs, force, &err);
    free(files);
    if (s != TN_OK) die_err(s, &err);
}

/* A file that is not a twinnet model but one `twinnet import` reads: one line that says so. */
void point_to_import(const char *path) {
    uint8_t head[16];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f) fclose(f);
    tn_format format = tn_format_of(head, n);
    if (format == TN_FORMAT_AUTO) return;
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path, *dot = strrchr(base, '.');
    int stem = dot && dot > base ? (int)(dot - base) : (int)strlen(base);
    die(EXIT_RUNTIME, "%s: %s, not a twinnet model: bring it in with `twinnet import %s --out %.*s.tnm` (it states what "
        "the file does not: activation, cost, start)", path, tn_format_description(format), path, stem, base);
}

void load_model(const char *path, tn_model *m) {
    tn_error err;
    tn_status s = tn_model_load(m, path, &err);
    if (s == TN_ERR_FORMAT) point_to_import(path);
    if (s != TN_OK) die_err(s, &err);
}

uint64_t non_finite_parameters(const char *path, const tn_model *m, const char *consequence) {
    uint64_t n = tn_net_count_non_finite(&m->net);
    if (n && consequence) {
        fflush(stdout);
        fprintf(stderr, "twinnet: %s: %llu of %zu parameters are not finite (NaN or infinite: a diverged training); %s\n",
                path, (unsigned long long)n, m->net.n_params, consequence);
    }
    return n;
}

int model_command_parse(int argc, char **argv, const char *out_option, int out_required, const char *help,
                        model_command *c) {
    c->model_path = c->out_path = NULL;
    c->as_json = c->force = 0;
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) { if (c->model_path) usage_error("unexpected argument '%s'", pos); c->model_path = pos; }
        else if (args_is(&a, "--help")) { fputs(help, stdout); fputs(force_option_help, stdout); return 0; }
        else if (args_is(&a, out_option)) c->out_path = args_value(&a);
        else if (args_is(&a, "--json")) { args_flag(&a); c->as_json = 1; }
        else if (force_option(&a, &c->force)) {}
        else args_unknown(&a);
    }
    if (!c->model_path) usage_error("needs a MODEL file");
    if (out_required && !c->out_path) usage_error("needs %s FILE", out_option);
    const char *outputs[] = {c->out_path}, *inputs[] = {c->model_path};
    check_outputs(outputs, 1, inputs, 1, NULL, c->force);
    return 1;
}
