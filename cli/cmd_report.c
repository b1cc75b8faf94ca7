/* twinnet report DIR | A B [--trace TA --trace TB] --out FILE: one self-contained HTML page on a
 * finished sweep or a pair of models. The library builds the page (tn_report_write); this file
 * parses, checks the output before any work, loads the data and says where the page went. */
#include <string.h>

#include "cli.h"
#include "json.h"
#include "model_command.h"

static void help(void) {
    printf("usage: twinnet report DIR [--out FILE] [options]\n"
           "       twinnet report A B [--trace TA --trace TB] [--out FILE] [options]\n"
           "One self-contained HTML page (no script, nothing fetched: plots as inline SVG, images as PNG inside\n"
           "the page) on a finished sweep (twinnet sweep --out DIR) or on two models. It opens with the answer:\n"
           "A - B taken apart (what aligning hidden units removes, what is left of the starts, what was learned),\n"
           "the barrier on the straight path before and after alignment, how often the functions agree and, for\n"
           "a sweep, each source's disagreement and how often a run fails. Then the evidence: matched units side\n"
           "by side, the weights as images, the straight path, the test images on which A and B disagree, how\n"
           "runs part over the training steps (traces), the sweep's table and outlier runs, and the accuracy\n"
           "per epoch.\n\n"
           "  --out FILE           the page to write, atomically (default: DIR/report.html for a sweep, else\n"
           "                       report.html beside A)\n"
           "  --trace FILE         a training trace of A, then of B (train --trace FILE); pairs only\n"
           "  --curve BEND         a bend of A and B (twinnet connect): its path beside the straight ones, and\n"
           "                       the answer's sentence on it\n"
           "  --data DIR           MNIST directory (default $TWINNET_DATA, else ~/.cache/twinnet/mnist)\n"
           "  --train-images F --train-labels F   the training set (for the inputs that are always 0)\n"
           "  --test-images F --test-labels F     the test set (named alone: no training set is read)\n"
           "  --points K           the straight path has K+1 points from A to B (default 20)\n"
           "  --images N           test images shown on which A and B disagree (default 24)\n"
           "  --threads N          threads (default 1); the page is the same for any N\n"
           "  --json               one JSON object\n%s", force_option_help);
}

int cmd_report(int argc, char **argv) {
    tn_data_source d = {0};
    tn_report_spec spec;
    tn_report_spec_default(&spec);
    const char *pos[2] = {NULL, NULL}, *traces[2] = {NULL, NULL}, *out = NULL, *p;
    int n_pos = 0, n_traces = 0, as_json = 0;
    args a;
    args_begin(&a, argc, argv);
    while (args_next(&a, &p)) {
        if (p) {
            if (n_pos == 2) usage_error("unexpected argument '%s'", p);
            pos[n_pos++] = p;
        } else if (args_is(&a, "--help")) { help(); return 0; }
        else if (data_option(&a, &d)) {}
        else if (args_is(&a, "--out")) out = args_value(&a);
        else if (args_is(&a, "--trace")) {
            if (n_traces == 2) usage_error("--trace: give one for A and one for B, no more");
            traces[n_traces++] = args_value_again(&a);
        }
        else if (args_is(&a, "--curve")) spec.curve = args_value(&a);
        else if (args_is(&a, "--points")) spec.path_points = (uint32_t)parse_uint("--points", args_value(&a), 1, 1000);
        else if (args_is(&a, "--images")) spec.max_images = (uint32_t)parse_uint("--images", args_value(&a), 0, 10000);
        else if (args_is(&a, "--threads")) spec.threads = (int)parse_uint("--threads", args_value(&a), 1, 256);
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else if (force_option(&a, &spec.force)) {}
        else args_unknown(&a);
    }
    if (n_pos == 0) usage_error("needs a sweep directory DIR, or two models A and B");
    char default_out[TN_PATH_CAP];
    if (!out) { /* DIR/report.html, or report.html in A's directory */
        const char *slash = n_pos == 1 ? NULL : strrchr(pos[0], '/');
        int dir_len = n_pos == 1 ? (int)strlen(pos[0]) : slash ? (int)(slash - pos[0]) : 0;
        if (snprintf(default_out, sizeof default_out, "%.*s%sreport.html", dir_len, pos[0], dir_len || slash ? "/" : "") >= (int)sizeof default_out)
            usage_error("the default page's path is too long: name it with --out FILE");
        out = default_out;
    }
    if (n_pos == 1 && n_traces) usage_error("--trace is for a pair of models; a sweep's traces are in its directory");
    if (n_pos == 2 && n_traces == 1) usage_error("--trace: give one for A and one for B");
    if (n_pos == 1) spec.sweep_dir = pos[0];
    else { spec.model_a = pos[0]; spec.model_b = pos[1]; spec.trace_a = traces[0]; spec.trace_b = traces[1]; }
    const char *inputs[] = {pos[0], pos[1], traces[0], traces[1], spec.curve}, *outputs[] = {out};
    check_outputs(outputs, 1, inputs, 5, &d, spec.force);
    tn_dataset train, test;
    int with_train = !(d.test_images && !d.train_images && !d.dir); /* test files alone: no blank inputs */
    load_data(&d, with_train ? &train : NULL, &test);
    spec.train = with_train ? &train : NULL;
    spec.test = &test;
    size_t bytes;
    double t0 = wall_seconds();
    tn_error err;
    tn_status s = tn_report_write(&spec, out, &bytes, &err);
    if (s == TN_ERR_FORMAT && spec.model_a) {
        point_to_import(spec.model_a);
        point_to_import(spec.model_b);
    }
    if (s != TN_OK) die(EXIT_RUNTIME, "%s", err.msg);
    if (as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_string(&j, "out", out);
        tn_json_uint(&j, "bytes", bytes);
        tn_json_number(&j, "seconds", wall_seconds() - t0);
        tn_json_end(&j);
    } else printf("wrote %s (%zu bytes, %.1f s)\n", out, bytes, wall_seconds() - t0);
    if (with_train) tn_dataset_free(&train);
    tn_dataset_free(&test);
    return 0;
}
