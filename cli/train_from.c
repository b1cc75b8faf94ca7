/* train --resume / --from / --stop-at-step / --perturb-gauss (train_from.h): the model's
 * configuration, and what a continued run may change in it. */
#include <stdlib.h>
#include <string.h>

#include "train_from.h"

const char *const train_from_help =
    "  --resume MODEL       continue MODEL's run from its recorded step with its configuration (--epochs\n"
    "                       may raise the total); --out defaults to MODEL. The result is bit for bit\n"
    "                       that of a run never stopped\n"
    "  --from MODEL         a new run from MODEL's state (spawn): --order-seed orders from there on,\n"
    "                       --perturb-ulp / --perturb-gauss perturb there; records MODEL as its parent\n"
    "  --perturb-gauss S    with --from: weights += S e, e Gaussian, ||e||^2 = n Var(initial weights)\n"
    "  --perturb-seed N     the noise's seed (default 1)\n"
    "  --stop-at-step K     stop after step K and save that step's model (then --resume it)\n";

int train_from_option(args *a, tn_config *cfg, config_seeds *seeds, train_from *t) {
    char name[64];
    snprintf(name, sizeof name, "%s", a->name);
    if (args_is(a, "--resume")) t->resume = args_value(a);
    else if (args_is(a, "--from")) t->from = args_value(a);
    else if (args_is(a, "--stop-at-step")) t->stop_at = args_value(a);
    else if (args_is(a, "--perturb-gauss")) t->gauss = args_value(a);
    else if (args_is(a, "--perturb-seed")) t->gauss_seed = args_value(a);
    else if (config_option(a, cfg, seeds)) {
        if (t->n_given < 24) snprintf(t->given[t->n_given++], sizeof t->given[0], "%s", name);
    } else return 0;
    return 1;
}

static int allowed(const char *flag, int spawn) {
    return !strcmp(flag, "--epochs") || !strcmp(flag, "--threads") || !strcmp(flag, "--on-nan") ||
           (spawn && !strcmp(flag, "--order-seed"));
}

static int given(const train_from *t, const char *flag) {
    for (int k = 0; k < t->n_given; k++)
        if (!strcmp(t->given[k], flag)) return 1;
    return 0;
}

void train_from_finish(train_from *t, tn_run_spec *spec) {
    tn_config *cfg = &spec->config;
    if (t->stop_at) {
        spec->stop_at = 1;
        spec->stop_at_step = parse_uint("--stop-at-step", t->stop_at, 0, UINT64_MAX);
    }
    const char *path = t->resume ? t->resume : t->from;
    if (!path) {
        if (t->gauss || t->gauss_seed) usage_error("--perturb-gauss: perturbs a spawned run: there is no --from MODEL");
        return;
    }
    if (t->resume && t->from) usage_error("--resume and --from: one or the other");
    int spawn = t->from != NULL;
    const char *what = spawn ? "--from" : "--resume";
    for (int k = 0; k < t->n_given; k++)
        if (!allowed(t->given[k], spawn))
            usage_error("%s: %s keeps the model's configuration (it may change --epochs, --threads, --on-nan%s)", t->given[k],
                        what, spawn ? ", --order-seed" : "");
    if (cfg->trace_path) usage_error("--trace: a trace starts at step 0; %s continues a run", what);
    if (!spawn && (cfg->perturb_ulp >= 0 || t->gauss)) usage_error("--perturb-*: only a spawned run (--from) is perturbed");
    if (!t->gauss && t->gauss_seed) usage_error("--perturb-seed: there is no --perturb-gauss");
    load_model(path, &t->model);
    tn_config given_cfg = *cfg;
    *cfg = t->model.config;
    cfg->threads = given_cfg.threads;
    cfg->perturb_ulp = given_cfg.perturb_ulp;
    if (given(t, "--epochs")) cfg->epochs = given_cfg.epochs;
    if (given(t, "--on-nan")) cfg->on_nan = given_cfg.on_nan;
    if (given(t, "--order-seed")) cfg->order_seed = given_cfg.order_seed;
    spec->from = &t->model;
    spec->spawn = spawn;
    if (t->gauss) spec->perturb_gauss = parse_real("--perturb-gauss", t->gauss, 0, 1e6, 1);
    spec->perturb_seed = t->gauss_seed ? parse_uint("--perturb-seed", t->gauss_seed, 0, UINT64_MAX) : 1;
    if (!spec->out && !spawn) spec->out = t->resume;
}
