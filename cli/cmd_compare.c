/* twinnet compare A B: why two networks of one shape differ. The library measures and words the
 * findings (tn_compare, tn_compare_explain); this file parses, calls and prints. */
#include <stdlib.h>

#include "cli.h"
#include "compare_json.h"

static void help(void) {
    printf("usage: twinnet compare A B [--data DIR | --train-images F --train-labels F --test-images F --test-labels F]\n"
           "                          [--points K] [--threads N] [--json]\n"
           "Why two networks of one shape differ: distances raw, after aligning hidden units (weight and activation\n"
           "matching, with and without sign flips) and for two fresh initialisations; the share of the blank inputs;\n"
           "the function on the test set; linear CKA of the hidden layers; the straight path from A to B.\n\n"
           "  --data DIR           MNIST directory (default $TWINNET_DATA, else ~/.cache/twinnet/mnist)\n"
           "  --train-images F --train-labels F   the training set (for the inputs that are always 0)\n"
           "  --test-images F --test-labels F     the test set (named alone: no training set is read)\n"
           "  --points K           the path has K+1 points from A to B (default 20)\n"
           "  --threads N          threads (default 1); the result is the same for any N\n"
           "  --json               one JSON object\n");
}

static void finding(const tn_compare_result *r, tn_finding f) {
    char line[2048];
    if (tn_compare_explain(r, f, line, sizeof line)) printf("%s\n", line);
}

static void text_row(const char *label, const tn_distances *d, int n_sizes) {
    printf("%-27s", label);
    for (int l = 1; l < n_sizes; l++) printf(" %8.4f", d->layer[l].relative);
    double sq = d->total.l2 * d->total.l2;
    printf(" %8.4f %8.4f %9.4f %7.1f%%\n", d->total.relative, d->total.cosine, d->total.max_abs,
           sq > 0 ? 100 * d->total.blank_sq / sq : 0.0);
}

static void print_text(const tn_compare_result *r, const char *path_a, const char *path_b) {
    static const char *const label[TN_VIEW_COUNT] = {"raw", "weight matching", "weight matching + flips",
                                                      "activation matching", "activation matching + flips"};
    printf("A = %s\nB = %s\n\n", path_a, path_b);
    if (r->identical) { finding(r, TN_FINDING_ANSWER); return; }   /* one network: nothing else to say */
    if (!r->absurd) { /* absurd magnitudes: no table of meaningless distances (the first finding says so) */
        printf("Distance relative to ||A|| (blank: the share of the squared distance on weights from inputs\n"
               "that are 0 in every training image)\n%-27s", "");
        for (int l = 1; l < r->n_sizes; l++) printf("  layer %d", l);
        printf("    total   cosine  max|a-b|  blank\n");
        for (int v = 0; v < TN_VIEW_COUNT; v++)
            if (r->view[v].done) text_row(label[v], &r->view[v].distance, r->n_sizes);
        if (r->baseline_known) text_row("two fresh initialisations", &r->baseline, r->n_sizes);
        printf("\n");
    }
    for (tn_finding f = TN_FINDING_DISTANCE; f <= TN_FINDING_CORRELATION; f++) finding(r, f);
    printf("\nFunction on the %u test images\n", r->test_total);
    printf("  A: accuracy %.2f%%, cost %.5f   B: accuracy %.2f%%, cost %.5f\n", 100.0 * r->correct_a / r->test_total,
           r->cost_a, 100.0 * r->correct_b / r->test_total, r->cost_b);
    printf("  predictions differ on %u (%.2f%%); both wrong on %u, differently on %u; mean output distance %.4f\n",
           r->disagree, 100.0 * r->disagree / r->test_total, r->both_wrong, r->both_wrong_differently, r->output_distance);
    finding(r, TN_FINDING_FUNCTION);
    finding(r, TN_FINDING_REPRESENTATION);
    static const char *const short_label[TN_VIEW_COUNT] = {"raw", "weights", "weights+flips", "activations", "activ.+flips"};
    printf("\nStraight path from A (t=0) to B (t=1): test cost and error %%\n      t");
    for (int v = 0; v < TN_VIEW_COUNT; v++)
        if (r->view[v].done) printf(" %20s", short_label[v]);
    for (uint32_t k = 0; r->view[0].path && k < r->view[0].path_points; k++) {
        printf("\n%7.3f", r->view[0].path[k].t);
        for (int v = 0; v < TN_VIEW_COUNT; v++)
            if (r->view[v].done) printf("      %7.4f %6.2f%%", r->view[v].path[k].cost, 100 * r->view[v].path[k].error);
    }
    printf("\nbarrier");
    for (int v = 0; v < TN_VIEW_COUNT; v++)
        if (r->view[v].done) printf("      %7.4f %6.2f%%", r->view[v].cost_barrier, 100 * r->view[v].error_barrier);
    printf("\n");
    finding(r, TN_FINDING_PATH);
    printf("\n");
    finding(r, TN_FINDING_ANSWER);
}

int cmd_compare(int argc, char **argv) {
    tn_data_source d = {0};
    tn_compare_options opt;
    tn_compare_options_default(&opt);
    opt.name_a = opt.name_b = NULL;
    int as_json = 0;
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) {
            if (opt.name_b) usage_error("unexpected argument '%s'", pos);
            *(opt.name_a ? &opt.name_b : &opt.name_a) = pos;
        } else if (args_is(&a, "--help")) { help(); return 0; }
        else if (data_option(&a, &d)) {}
        else if (args_is(&a, "--points")) opt.points = (uint32_t)parse_uint("--points", args_value(&a), 1, 1000);
        else if (args_is(&a, "--threads")) opt.threads = (int)parse_uint("--threads", args_value(&a), 1, 256);
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else args_unknown(&a);
    }
    if (!opt.name_b) usage_error("needs two MODEL files, A and B");
    tn_model ma, mb;
    load_model(opt.name_a, &ma);
    load_model(opt.name_b, &mb);
    tn_dataset train, test;
    int with_train = !(d.test_images && !d.train_images && !d.dir); /* test files alone: no blank inputs */
    load_data(&d, with_train ? &train : NULL, &test);
    tn_compare_result r;
    tn_error err;
    double t0 = wall_seconds();
    tn_status s = tn_compare(&ma, &mb, with_train ? &train : NULL, &test, &opt, &r, &err);
    if (s != TN_OK) die(EXIT_RUNTIME, "%s", err.msg);
    if (as_json) print_compare_json(&r, opt.name_a, opt.name_b, wall_seconds() - t0);
    else print_text(&r, opt.name_a, opt.name_b);
    tn_compare_result_free(&r);
    if (with_train) tn_dataset_free(&train);
    tn_dataset_free(&test);
    tn_model_free(&ma);
    tn_model_free(&mb);
    return 0;
}
