/* twinnet train: parses the training flags into a tn_run_spec, runs it (tn_run), and prints a
 * line (or a JSON object) per epoch and a summary. SIGINT, SIGTERM and SIGHUP stop training at
 * the next step boundary, and the model of that step is saved (catch_stop_signals). The closing
 * line gives the test accuracy of the model the file holds, never the best epoch's. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "model_command.h"
#include "progress.h"
#include "train_from.h"

static void help(void) {
    printf("usage: twinnet train [options] --out MODEL\n"
           "Trains a network with mini-batch SGD; the defaults reproduce Nielsen's network.py.\n\n"
           "  --out MODEL          model file to write (required; written atomically)\n"
           "%s%s"
           "  --trace FILE         write a parameter trace for 'twinnet diverge'\n"
           "  --trace-every K      steps between trace records (default 100; 0 = epoch ends; log = steps\n"
           "                       1, 2, 4, 8, ... and epoch ends)\n"
           "  --perturb-ulp INDEX  flip the lowest bit of initial parameter INDEX\n"
           "%s"
           "  --json               JSON Lines output\n"
           "  --quiet              nothing on standard output, no progress line\n%s", data_options_help, config_options_help,
           train_from_help, force_option_help);
}


typedef struct {
    int as_json, quiet;
    double train_seconds;
    progress_line progress;   /* on stderr, on a terminal: epochs done and the time left */
    tn_epoch_info model;      /* the last epoch whose parameters the model file holds (epoch 0: none) */
} view;

static int on_epoch(const tn_epoch_info *e, void *user) {
    view *v = user;
    v->train_seconds += e->train_seconds;
    double acc = e->test_total ? (double)e->test_correct / e->test_total : 0.0;
    double valid = e->valid_total ? (double)e->valid_correct / e->valid_total : 0.0;
    if (!e->non_finite || v->model.epoch == 0 || v->model.non_finite) v->model = *e; /* on_nan stop keeps the last finite one */
    if (v->as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_uint(&j, "epoch", e->epoch);
        tn_json_uint(&j, "test_correct", e->test_correct);
        tn_json_uint(&j, "test_total", e->test_total);
        tn_json_number(&j, "test_accuracy", acc);
        tn_json_number(&j, "cost", e->test_cost);
        tn_json_number(&j, "seconds", e->seconds);
        tn_json_number(&j, "train_seconds", e->train_seconds);
        tn_json_number(&j, "test_seconds", e->test_seconds);
        if (e->has_validation) {
            tn_json_uint(&j, "validation_correct", e->valid_correct);
            tn_json_uint(&j, "validation_total", e->valid_total);
            tn_json_number(&j, "validation_accuracy", valid);
        }
        tn_json_end(&j);
    } else if (!v->quiet) {   /* "epoch  3/30  test 94.12%  validation 94.30%  cost 0.0523  1.6 s" */
        int width = snprintf(NULL, 0, "%u", e->epochs);
        progress_clear(&v->progress);
        printf("epoch %*u/%u  test %6.2f%%", width, e->epoch, e->epochs, 100.0 * acc);
        if (e->has_validation) printf("  validation %6.2f%%", 100.0 * valid);
        printf("  cost %.4f  %.2f s\n", e->test_cost, e->seconds);
        fflush(stdout);
    }
    progress_show(&v->progress, e->epoch, e->epochs, NULL);
    return 0;
}

static void parse(int argc, char **argv, tn_run_spec *spec, view *v, train_from *from) {
    tn_config *cfg = &spec->config;
    config_seeds seeds = {0, 0, 0, 1};
    int trace_every_set = 0;
    args a;
    args_begin(&a, argc, argv);
    while (args_next_option(&a, help)) {
        if (data_option(&a, &spec->data) || train_from_option(&a, cfg, &seeds, from)) {}
        else if (args_is(&a, "--out")) spec->out = args_value(&a);
        else if (args_is(&a, "--trace")) cfg->trace_path = args_value(&a);
        else if (args_is(&a, "--trace-every")) {
            const char *k = args_value(&a);
            if (strcmp(k, "log") == 0) { cfg->trace_log = 1; cfg->trace_every = 0; }
            else cfg->trace_every = (uint32_t)parse_uint("--trace-every", k, 0, UINT32_MAX);
            trace_every_set = 1;
        }
        else if (args_is(&a, "--perturb-ulp")) cfg->perturb_ulp = (int64_t)parse_uint("--perturb-ulp", args_value(&a), 0, INT64_MAX);
        else if (args_is(&a, "--json")) { args_flag(&a); v->as_json = 1; }
        else if (args_is(&a, "--quiet")) { args_flag(&a); v->quiet = 1; }
        else if (force_option(&a, &spec->force)) {}
        else args_unknown(&a);
    }
    config_finish(cfg, &seeds);
    train_from_finish(from, spec);
    if (!spec->out) usage_error("--out MODEL is required");
    if (!*spec->out) usage_error("--out: the file name is empty");
    if (cfg->trace_path && !*cfg->trace_path) usage_error("--trace: the file name is empty");
    if (trace_every_set && !cfg->trace_path) usage_error("--trace-every: there is no --trace FILE to write");
    const char *outputs[] = {spec->out, cfg->trace_path};
    check_outputs(outputs, 2, NULL, 0, &spec->data, spec->force);
}

static void print_summary(const view *v, const tn_run_spec *spec, const tn_train_result *r, const char *fp) {
    double best = r->test_total ? (double)r->best_test_correct / r->test_total : 0.0;
    if (v->as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_bool(&j, "done", 1);
        tn_json_uint(&j, "epochs", r->epochs_run);
        if (r->epochs_run) {
            tn_json_uint(&j, "best_test_correct", r->best_test_correct);
            tn_json_number(&j, "best_test_accuracy", best);
            tn_json_uint(&j, "best_epoch", r->best_epoch);
        } else { /* no epoch finished: no accuracy to report */
            tn_json_null(&j, "best_test_correct");
            tn_json_null(&j, "best_test_accuracy");
            tn_json_null(&j, "best_epoch");
        }
        tn_json_uint(&j, "steps", r->steps);
        tn_json_bool(&j, "stopped_early", r->stopped_early);
        tn_json_bool(&j, "interrupted", r->interrupted);
        tn_json_number(&j, "train_seconds", v->train_seconds);
        tn_json_string(&j, "fingerprint", fp);
        tn_json_string(&j, "out", spec->out);
        tn_json_end(&j);
        return;
    }
    if (r->interrupted)
        fprintf(stderr, "twinnet: interrupted: stopped at step %llu (%u complete epoch%s); %s holds the parameters of that step\n",
                (unsigned long long)r->steps, r->epochs_run, TN_PLURAL(r->epochs_run), spec->out);
    if (v->quiet && !r->interrupted) return;
    if (r->stopped_early)
        printf("Stopped early: no validation gain in %u epoch%s.\n", spec->config.early_stop, TN_PLURAL(spec->config.early_stop));
    /* The accuracy of what the file holds (never the best epoch's on the test set, which would
     * pick the model on its own test). */
    const tn_epoch_info *m = &v->model;
    if (r->epochs_run == 0 || m->epoch == 0) printf("No epoch finished: no test accuracy yet.\n"); /* never "0.00% (epoch 0)" */
    else if (r->interrupted) printf("The model holds step %llu, part way into epoch %u: its test accuracy was not measured.\n",
                                    (unsigned long long)r->steps, r->epochs_run + 1);
    else printf("Model after epoch %u: test accuracy %.2f%% (%u of %u), cost %.4f; %.2f s per epoch of training.\n", m->epoch,
                m->test_total ? 100.0 * m->test_correct / m->test_total : 0.0, m->test_correct, m->test_total, m->test_cost,
                v->train_seconds / r->epochs_run);
    printf("Wrote %s (fingerprint of its parameters: %.16s...)\n", spec->out, fp);
}

int cmd_train(int argc, char **argv) {
    tn_run_spec spec;
    memset(&spec, 0, sizeof spec);
    tn_config_default(&spec.config);
    view v;
    memset(&v, 0, sizeof v);
    train_from from;
    memset(&from, 0, sizeof from);
    parse(argc, argv, &spec, &v, &from);
    progress_begin(&v.progress, !v.quiet && !v.as_json, "training", "epochs");
    catch_stop_signals();
    spec.on_epoch = on_epoch;
    spec.user = &v;
    spec.stop_flag = &stop_requested;
    tn_model model;
    tn_train_result result;
    tn_error err;
    tn_status s = tn_run(&spec, &model, &result, &err);
    progress_clear(&v.progress);
    tn_model_free(&from.model);
    if (s != TN_OK) die_err(s, &err);
    char fp[TN_HEX_SIZE];
    tn_net_fingerprint(&model.net, fp);
    tn_model_free(&model);
    print_summary(&v, &spec, &result, fp);
    if (result.non_finite && spec.config.on_nan == TN_ON_NAN_STOP)
        fprintf(stderr, "twinnet: training diverged: a non-finite cost or parameter at epoch %u; stopped, and %s holds "
                "the parameters of epoch %u, the last finite one\n", result.non_finite_epoch, spec.out, result.epochs_run);
    else if (result.non_finite)
        fprintf(stderr, "twinnet: training diverged: a non-finite cost or parameter from epoch %u on (--on-nan continue)\n",
                result.non_finite_epoch);
    if (result.interrupted && spec.stop_at && !stop_requested) return 0;   /* stopped where asked */
    return result.interrupted || (result.non_finite && spec.config.on_nan == TN_ON_NAN_STOP) ? EXIT_RUNTIME : 0;
}
