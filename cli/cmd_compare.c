/* twinnet compare A B: why two networks of one shape differ. The library measures and words the
 * findings (tn_compare, tn_compare_explain); this file parses, calls and prints (compare_text.c:
 * the answer first, then the key figures; compare_json.c: --json). */
#include <stdlib.h>

#include "cli.h"
#include "compare_curve.h"
#include "compare_json.h"
#include "progress.h"

static void help(void) {
    printf("usage: twinnet compare A B [--data DIR | --train-images F --train-labels F --test-images F --test-labels F]\n"
           "                          [--points K] [--threads N] [--curve BEND] [--full] [--json] [--quiet]\n"
           "Why two networks of one shape differ: the answer first, then the key figures raw and aligned (B's hidden\n"
           "units matched to A's by their activations, sign flips allowed): distance, the barrier on the straight\n"
           "path from A to B, agreement of the predictions, linear CKA of the hidden layers.\n\n"
           "  --data DIR           MNIST directory (default $TWINNET_DATA, else ~/.cache/twinnet/mnist)\n"
           "  --train-images F --train-labels F   the training set (for the inputs that are always 0)\n"
           "  --test-images F --test-labels F     the test set (named alone: no training set is read)\n"
           "  --points K           the path has K+1 points from A to B (default 20)\n"
           "  --threads N          threads (default 1); the result is the same for any N\n"
           "  --curve BEND         also the curve of BEND (made by twinnet connect A B) beside the straight paths\n"
           "  --full               also every alignment method (weight and activation matching, with and without\n"
           "                       sign flips) and two fresh initialisations, each finding, the path point by point\n"
           "  --json               one JSON object (everything --full shows)\n"
           "  --quiet              no progress line on a terminal\n");
}

int cmd_compare(int argc, char **argv) {
    tn_data_source d = {0};
    tn_compare_options opt;
    tn_compare_options_default(&opt);
    opt.name_a = opt.name_b = NULL;
    int as_json = 0, full = 0, quiet = 0;
    const char *curve_path = NULL;
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
        else if (args_is(&a, "--curve")) curve_path = args_value(&a);
        else if (args_is(&a, "--full")) { args_flag(&a); full = 1; }
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else if (args_is(&a, "--quiet")) { args_flag(&a); quiet = 1; }
        else args_unknown(&a);
    }
    if (!opt.name_b) usage_error("needs two MODEL files, A and B");
    tn_model ma, mb;
    load_model(opt.name_a, &ma);
    load_model(opt.name_b, &mb);
    tn_dataset train, test;
    int with_train = !(d.test_images && !d.train_images && !d.dir); /* test files alone: no blank inputs */
    load_data(&d, with_train ? &train : NULL, &test);
    tn_curve_profile prof = {0};
    if (curve_path) compare_curve_measure(curve_path, &ma, &mb, &test, opt.points, opt.threads, &prof);
    tn_compare_result r;
    tn_error err;
    progress_line line; /* wide networks take a minute ([784,2048,10]): on a terminal, how far it is */
    progress_begin(&line, !quiet && !as_json, "compare", NULL);
    opt.progress = progress_call;
    opt.progress_user = &line;
    double t0 = wall_seconds();
    tn_status s = tn_compare(&ma, &mb, with_train ? &train : NULL, &test, &opt, &r, &err);
    progress_clear(&line);
    if (s != TN_OK) die(EXIT_RUNTIME, "%s", err.msg);
    if (as_json) print_compare_json(&r, opt.name_a, opt.name_b, wall_seconds() - t0, curve_path ? &prof : NULL, curve_path);
    else print_compare_text(&r, opt.name_a, opt.name_b, full);
    if (curve_path && !as_json) print_curve_text(&r, &prof, curve_path);
    tn_curve_profile_free(&prof);
    tn_compare_result_free(&r);
    if (with_train) tn_dataset_free(&train);
    tn_dataset_free(&test);
    tn_model_free(&ma);
    tn_model_free(&mb);
    return 0;
}
