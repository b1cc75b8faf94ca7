/* twinnet info MODEL: the configuration, seeds, shapes and parameter fingerprint of a model. */
#include "cli.h"
#include "json.h"
#include "model_command.h"

static void print_sizes(const tn_config *c) {
    for (int l = 0; l < c->n_sizes; l++) printf("%s%u", l ? "," : "", c->sizes[l]);
}

/* The provenance (twinnet.h): how the start, the data and the initialisation are known, where an
 * imported model came from. */
static void provenance_json(tn_json *j, const tn_model *m) {
    const tn_provenance *p = &m->provenance;
    tn_json_object(j, "provenance");
    tn_json_string(j, "start", tn_start_known_names[p->start]);
    tn_json_string(j, "data", p->data_unknown ? "unknown" : "known");
    tn_json_string(j, "init", p->init_unknown ? "unknown" : tn_init_name(m->config.init));
    tn_json_string(j, "source", p->source[0] ? p->source : "twinnet");
    if (p->origin[0]) tn_json_string(j, "origin", p->origin);
    else tn_json_null(j, "origin");
    tn_json_number(j, "input_scale", p->input_scale);
    tn_json_number(j, "input_mean", p->input_mean);
    tn_json_number(j, "input_std", p->input_std);
    tn_json_number(j, "max_rounding", p->max_rounding);
    tn_json_array(j, "parents");   /* a curve's A and B, or a spawned run's parent; [] for neither */
    for (int i = 0; i < 2 && p->parents[i][0]; i++) tn_json_string(j, NULL, p->parents[i]);
    tn_json_end(j);
    if (p->curve[0]) { /* a curve's bend (twinnet connect) */
        tn_json_object(j, "curve");
        tn_json_string(j, "type", p->curve);
        tn_json_string(j, "align", p->curve_align);
        tn_json_string(j, "end", p->curve_end);
        tn_json_end(j);
    } else tn_json_null(j, "curve");
    if (p->parents[0][0] && !p->curve[0]) tn_json_uint(j, "spawn_step", p->spawn_step);   /* a spawned run's */
    else tn_json_null(j, "spawn_step");
    tn_json_end(j);
}

/* How a model twinnet trained was trained: epochs, how it ended, the options, the seeds. */
static void print_training(const tn_model *m) {
    const tn_config *c = &m->config;
    printf("training     %u of %u epochs", m->epochs_run, c->epochs);
    if (m->format_version >= 2) printf(" (%s at step %llu)", tn_stop_names[m->stop], (unsigned long long)m->steps);
    printf(", batch %u, eta %g", c->batch, (double)c->eta);
    if (c->eta_decay != 0.0f) printf(" / (1 + %g e)", (double)c->eta_decay);
    printf(", lambda %g%s, train size %u, early stop %u\n", (double)c->lambda, c->l2_biases ? " (biases too)" : "",
           c->train_size, c->early_stop);
    printf("seeds        init %llu, order %llu\n", (unsigned long long)c->init_seed, (unsigned long long)c->order_seed);
}

static void provenance_text(const tn_model *m, const char *data) {
    const tn_provenance *p = &m->provenance;
    const tn_config *c = &m->config;
    if (p->start == TN_START_SEEDS)
        printf("start        rebuilt from seed %llu (%s)\n", (unsigned long long)c->init_seed, tn_init_name(c->init));
    else if (p->start == TN_START_SUPPLIED) printf("start        supplied in the file\n");
    else printf("start        unknown: findings about what training changed are left out\n");
    if (p->init_unknown) printf("init         unknown: no two-random-networks baseline\n");
    if (p->data_unknown) printf("data         unknown\n");
    else printf("data sha256  %s\n", data);
    if (p->source[0]) printf("imported     from %s %s\n", p->source, p->origin[0] ? p->origin : "(file not named)");
    if (p->curve[0])
        printf("curve        the bend of a %s curve from A %.12s... to B %.12s... (B aligned: %s)\n", p->curve, p->parents[0],
               p->parents[1], p->curve_align);
    if (p->input_scale != 0.0 || p->input_mean != 0.0 || p->input_std != 0.0)
        printf("input        scaling folded into layer 1: x' = (%g x - %g) / %g of x = k/255\n", p->input_scale, p->input_mean,
               p->input_std);
    if (p->max_rounding != 0.0) printf("rounding     float64 to float32: largest relative rounding %.3g\n", p->max_rounding);
    if (p->parents[0][0] && !p->curve[0]) printf("spawned      from %s at step %llu (%s)\n", p->parents[0], (unsigned long long)p->spawn_step, p->spawn);
}

int cmd_info(int argc, char **argv) {
    const char *model_path = NULL;
    int as_json = 0;
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) { if (model_path) usage_error("unexpected argument '%s'", pos); model_path = pos; }
        else if (args_is(&a, "--help")) {
            printf("usage: twinnet info MODEL [--json]\nConfiguration, seeds, shapes and the parameter fingerprint.\n");
            return 0;
        }
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else args_unknown(&a);
    }
    if (!model_path) usage_error("needs a MODEL file");
    tn_model m;
    load_model(model_path, &m);
    uint64_t non_finite = non_finite_parameters(model_path, &m, NULL); /* shown, and still exit 0: info describes */
    char fp[TN_HEX_SIZE], data[TN_HEX_SIZE];
    tn_net_fingerprint(&m.net, fp);
    tn_hex(m.data_sha256, 32, data);
    const tn_config *c = &m.config;
    if (as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_string(&j, "fingerprint", fp);
        tn_json_array(&j, "sizes");
        for (int l = 0; l < c->n_sizes; l++) tn_json_uint(&j, NULL, c->sizes[l]);
        tn_json_end(&j);
        tn_json_uint(&j, "init_seed", c->init_seed);
        tn_json_uint(&j, "order_seed", c->order_seed);
        tn_json_string(&j, "activation", tn_activation_name(c->activation));
        tn_json_string(&j, "cost", tn_cost_name(c->cost));
        tn_json_string(&j, "init", tn_init_name(c->init));
        tn_json_uint(&j, "epochs", c->epochs);
        tn_json_uint(&j, "epochs_run", m.epochs_run);
        tn_json_uint(&j, "batch", c->batch);
        tn_json_number(&j, "eta", c->eta);
        tn_json_number(&j, "lambda", c->lambda);
        tn_json_uint(&j, "train_size", c->train_size);
        tn_json_uint(&j, "early_stop", c->early_stop);
        tn_json_bool(&j, "l2_biases", c->l2_biases);
        tn_json_number(&j, "eta_decay", c->eta_decay);
        tn_json_uint(&j, "steps", m.steps);
        tn_json_string(&j, "stop", tn_stop_names[m.stop]);
        tn_json_uint(&j, "parameters", m.net.n_params);
        tn_json_uint(&j, "non_finite_parameters", non_finite);
        tn_json_string(&j, "data_sha256", data);
        tn_json_uint(&j, "format_version", m.format_version);
        provenance_json(&j, &m);
        tn_json_end(&j);
    } else {
        printf("sizes        ");
        print_sizes(c);
        printf("\nactivation   %s (hidden), cost %s, init %s\n", tn_activation_name(c->activation), tn_cost_name(c->cost),
               m.provenance.init_unknown ? "unknown" : tn_init_name(c->init));
        if (m.provenance.source[0]) /* imported: its training options and seeds are not recorded */
            printf("training     not known (imported: epochs, batch, learning rate and seeds are not recorded)\n");
        else
            print_training(&m);
        printf("parameters   %zu\nfingerprint  %s\n", m.net.n_params, fp);
        provenance_text(&m, data);
        if (non_finite)
            printf("state        NOT FINITE: %llu of %zu parameters are NaN or infinite (a diverged training); predict, "
                   "eval and compare refuse it\n", (unsigned long long)non_finite, m.net.n_params);
    }
    tn_model_free(&m);
    return 0;
}
