/* twinnet connect A B --out BEND: trains the bend of a curve joining A and B (tn_curve_train) and
 * writes it as a model file whose provenance names A, B, the curve and the alignment; then prints
 * the curve's profile on the test set (tn_curve_profile_measure). A stop on request or a diverged
 * training keeps the last bend (exit 1). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "curve_figure.h"
#include "json.h"
#include "outfile.h"
#include "compare_curve.h"
#include "model_command.h"

static void help(void) {
    printf("usage: twinnet connect A B --out BEND [--type bezier|polychain] [--align none|weights|activations]\n"
           "                         [--epochs N] [--eta X] [--batch N] [--seed N] [--points K] [--threads N]\n"
           "                         [--data DIR | named files] [--json] [--quiet] [--force]\n"
           "Trains the bend of a curve from A to B along which the training cost stays low (Garipov et al. 2018):\n"
           "bezier phi(t) = (1-t)^2 A + 2t(1-t) BEND + t^2 B, or a polygonal chain A - BEND - B; each mini-batch\n"
           "takes an SGD step at its own t ~ U(0,1). BEND is a model file (any command reads it as a network);\n"
           "`twinnet compare A B --curve BEND` sets its profile beside the straight path's.\n\n"
           "  --out FILE           the bend (required; written atomically)\n"
           "  --type NAME          bezier (default) | polychain (one bend)\n"
           "  --align NAME         B's hidden units first matched to A's: activations (default: activation\n"
           "                       matching on the test set, sign flips allowed) | weights | none (B as it is)\n"
           "  --epochs N           passes over A's training examples (default 4)\n"
           "  --eta X              learning rate (default: 4 times A's for bezier, A's for polychain: the curve's\n"
           "                       middle then moves per step as far as A did in its training)\n"
           "  --batch N            mini-batch size (default: A's)\n"
           "  --seed N             the example order and each mini-batch's t (default 1)\n"
           "  --points K           the profile printed has K+1 points (default 20)\n"
           "  --figure FILE        also an SVG of the curve's test cost and error beside the straight path's, raw\n"
           "                       and aligned (hidden units matched by their activations, sign flips allowed)\n"
           "  --threads N          threads (default 1); the bend is the same for any N\n"
           "%s"
           "  --json               JSON Lines: one object per epoch, then the bend and its profile\n"
           "  --quiet              no line per epoch\n%s", data_options_help, force_option_help);
}

typedef struct { int as_json, quiet; } progress;

static int on_epoch(const tn_epoch_info *info, void *user) {
    const progress *p = user;
    if (p->as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_uint(&j, "epoch", info->epoch);
        tn_json_uint(&j, "epochs", info->epochs);
        tn_json_number(&j, "train_cost", info->test_cost);   /* mean over the epoch's mini-batches, each at its t */
        tn_json_number(&j, "seconds", info->seconds);
        tn_json_end(&j);
    } else if (!p->quiet && info->non_finite)
        printf("epoch %u/%u: the cost or the bend is not finite (%.2f s)\n", info->epoch, info->epochs, info->seconds);
    else if (!p->quiet)
        printf("epoch %u/%u: mean training cost along the curve %.5f (%.2f s)\n", info->epoch, info->epochs, info->test_cost,
               info->seconds);
    fflush(stdout);
    return 0;
}

static void print_done(const tn_model *bend, const tn_curve_profile *prof, const char *out, double seconds, double profile_seconds,
                       int as_json) {
    char fp[TN_HEX_SIZE], sentence[512];
    tn_net_fingerprint(&bend->net, fp);
    tn_curve_sentence(prof, sentence, sizeof sentence);
    if (!as_json) {
        int raw = !strcmp(bend->provenance.curve_align, "none");
        printf("%s: %s bend, B %s%s, %u epoch%s (%.2f s); fingerprint %s\n", out, bend->provenance.curve,
               raw ? "as it is (raw)" : "aligned by ", raw ? "" : bend->provenance.curve_align, bend->epochs_run,
               TN_PLURAL(bend->epochs_run), seconds, fp);
        printf("along the curve (test set): cost barrier %.5f, error barrier %.2f points; highest error %.2f%%\n",
               prof->cost_barrier, 100 * prof->error_barrier, 100 * curve_max_error(prof));
        printf("%s\n", sentence);
        return;
    }
    tn_json j;
    tn_json_open(&j, stdout);
    tn_json_bool(&j, "done", 1);
    tn_json_string(&j, "out", out);
    tn_json_string(&j, "fingerprint", fp);
    tn_json_uint(&j, "epochs", bend->epochs_run);
    tn_json_number(&j, "seconds", seconds);
    tn_json_number(&j, "profile_seconds", profile_seconds);
    json_curve_profile(&j, "curve", prof, NULL);
    tn_json_string(&j, "answer", sentence);
    tn_json_end(&j);
}

/* The straight paths, raw and aligned, measured as compare does, and the figure of the three. */
static void write_figure(const char *path, const tn_model *a, const tn_model *b, const tn_dataset *test, uint32_t points,
                         int threads, const tn_curve_profile *prof) {
    tn_compare_options o;
    tn_compare_options_default(&o);
    o.points = points;
    o.threads = threads;
    o.light = 1;
    o.views = 1u << TN_VIEW_RAW | 1u << TN_VIEW_ACTIVATIONS | 1u << TN_VIEW_ACTIVATIONS_FLIPS;
    tn_compare_result r;
    tn_outfile f;
    tn_error err;
    tn_status s = tn_compare(a, b, NULL, test, &o, &r, &err);
    if (s == TN_OK && (s = tn_out_open(&f, path, &err)) == TN_OK) {
        tn_curve_figure_file(f.f, &r.view[TN_VIEW_RAW], compare_aligned_view(&r), prof);
        s = tn_out_commit(&f, &err);
    }
    if (s == TN_OK) tn_compare_result_free(&r);
    if (s != TN_OK) die_err(s, &err);
}

int cmd_connect(int argc, char **argv) {
    tn_data_source d = {0};
    tn_curve_options opt;
    tn_curve_options_default(&opt);
    const char *path_a = NULL, *path_b = NULL, *out = NULL, *figure = NULL;
    uint32_t points = 20;
    int force = 0;
    progress pr = {0, 0};
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) model_pair_argument(pos, &path_a, &path_b);
        else if (args_is(&a, "--out")) out = args_value(&a);
        else if (args_is(&a, "--figure")) figure = args_value(&a);
        else if (args_is(&a, "--help")) { help(); return 0; }
        else if (data_option(&a, &d)) {}
        else if (args_is(&a, "--type")) opt.type = (tn_curve_type)parse_choice("--type", args_value(&a), tn_curve_type_names, TN_CURVE_COUNT);
        else if (args_is(&a, "--align"))
            opt.align = (tn_curve_align)parse_choice("--align", args_value(&a), tn_curve_align_names, TN_CURVE_ALIGN_COUNT);
        else if (args_is(&a, "--epochs")) opt.epochs = (uint32_t)parse_uint("--epochs", args_value(&a), 1, 100000);
        else if (args_is(&a, "--eta")) opt.eta = (float)parse_real("--eta", args_value(&a), 0, 1e6, 1);
        else if (args_is(&a, "--batch")) opt.batch = (uint32_t)parse_uint("--batch", args_value(&a), 1, 1000000);
        else if (args_is(&a, "--seed")) opt.seed = parse_uint("--seed", args_value(&a), 0, UINT64_MAX);
        else if (args_is(&a, "--points")) points = (uint32_t)parse_uint("--points", args_value(&a), 1, 1000);
        else if (args_is(&a, "--threads")) opt.threads = (int)parse_uint("--threads", args_value(&a), 1, 256);
        else if (args_is(&a, "--json")) { args_flag(&a); pr.as_json = 1; }
        else if (args_is(&a, "--quiet")) { args_flag(&a); pr.quiet = 1; }
        else if (force_option(&a, &force)) {}
        else usage_error("unknown option '%s'", a.name);
    }
    if (!path_b) usage_error("needs two MODEL files, A and B");
    if (!out) usage_error("needs --out BEND");
    const char *outputs[] = {out, figure}, *inputs[] = {path_a, path_b};
    check_outputs(outputs, 2, inputs, 2, &d, force);
    tn_model ma, mb, bend;
    load_model(path_a, &ma);
    load_model(path_b, &mb);
    tn_dataset train, test;
    load_data(&d, &train, &test);
    tn_curve_result res;
    tn_curve_profile prof;
    tn_error err;
    opt.on_epoch = on_epoch;
    opt.user = &pr;
    catch_stop_signals();   /* a stop keeps the bend of that step */
    opt.stop_flag = &stop_requested;
    double t0 = wall_seconds();
    tn_status s = tn_curve_train(&ma, &mb, &train, &test, &opt, &bend, &res, &err);
    if (s == TN_ERR_ARG) die(EXIT_RUNTIME, "%s", err.msg);
    if (s != TN_OK) die_err(s, &err);
    double seconds = wall_seconds() - t0;
    if ((s = tn_model_save(&bend, out, &err)) != TN_OK) die_err(s, &err);
    if (res.non_finite)
        die(EXIT_RUNTIME, "%s: the curve's training diverged in epoch %u (a cost or the bend not finite: try a smaller --eta); "
            "%s holds the bend of %s, the last finite one", out, res.non_finite_epoch, out,
            res.epochs_run ? "the epoch before" : "its start, the midpoint of A and B");
    if (res.interrupted)
        die(EXIT_RUNTIME, "interrupted: stopped at step %llu; %s holds the bend of that step", (unsigned long long)res.steps, out);
    double t1 = wall_seconds();
    if ((s = tn_curve_profile_measure(&ma, &mb, &bend, &test, points, opt.threads, out, &prof, &err)) != TN_OK)
        die(EXIT_RUNTIME, "%s", err.msg);
    print_done(&bend, &prof, out, seconds, wall_seconds() - t1, pr.as_json);
    if (figure) write_figure(figure, &ma, &mb, &test, points, opt.threads, &prof);
    tn_curve_profile_free(&prof);
    tn_model_free(&bend);
    tn_model_free(&ma);
    tn_model_free(&mb);
    tn_dataset_free(&train);
    tn_dataset_free(&test);
    return 0;
}
