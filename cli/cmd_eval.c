/* twinnet eval MODEL: test accuracy, mean cost, the confusion matrix, and a fingerprint of the
 * outputs themselves (every build, the WebAssembly one included, must print the same). */
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "json.h"
#include "model_command.h"

static void help(void) {
    printf("usage: twinnet eval MODEL [--data DIR | --test-images F --test-labels F] [--threads N] [--json]\n"
           "Test accuracy, mean cost and confusion matrix (rows: true digit, columns: predicted), and the\n"
           "outputs' fingerprint: SHA-256 of every output value as little-endian float32, example by example.\n\n"
           "%s"
           "  --threads N          threads (default 1); the result is the same for any N\n"
           "  --json               one JSON object\n", data_options_help);
}

static void print_confusion(const uint32_t *conf, uint32_t n) {
    printf("Confusion matrix (rows: true, columns: predicted):\n      ");
    for (uint32_t j = 0; j < n; j++) printf("%6u", j);
    printf("\n");
    for (uint32_t i = 0; i < n; i++) {
        printf("%6u", i);
        for (uint32_t j = 0; j < n; j++) printf("%6u", conf[i * n + j]);
        printf("\n");
    }
}

int cmd_eval(int argc, char **argv) {
    tn_data_source d = {0};
    const char *model_path = NULL;
    int as_json = 0, threads = 1;
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) { if (model_path) usage_error("unexpected argument '%s'", pos); model_path = pos; }
        else if (args_is(&a, "--help")) { help(); return 0; }
        else if (data_option(&a, &d)) {}
        else if (args_is(&a, "--threads")) threads = (int)parse_uint("--threads", args_value(&a), 1, 256);
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else args_unknown(&a);
    }
    if (!model_path) usage_error("needs a MODEL file");
    tn_model m;
    load_model(model_path, &m);
    tn_dataset test;
    load_data(&d, NULL, &test);
    uint64_t non_finite = non_finite_parameters(model_path, &m, "no accuracy or cost can be given");
    if (non_finite) {
        if (as_json) {
            tn_json j;
            tn_json_open(&j, stdout);
            tn_json_null(&j, "accuracy");
            tn_json_null(&j, "correct");
            tn_json_uint(&j, "total", test.n);
            tn_json_null(&j, "cost");
            tn_json_uint(&j, "non_finite_parameters", non_finite);
            tn_json_end(&j);
        } else printf("Accuracy none, mean cost none: %s holds %llu non-finite parameters\n", model_path, (unsigned long long)non_finite);
        tn_dataset_free(&test);
        tn_model_free(&m);
        return EXIT_RUNTIME;
    }
    uint32_t n_out = tn_confusion_classes(&m.net);
    uint32_t *conf = calloc((size_t)n_out * n_out, sizeof *conf);
    if (!conf) die(EXIT_RUNTIME, "out of memory");
    tn_eval_result r = {0};
    r.confusion = conf;
    char outputs_sha256[TN_HEX_SIZE];
    r.outputs_sha256 = outputs_sha256;
    tn_error err;
    double t0 = wall_seconds();
    tn_status s = tn_evaluate(&m.net, &test, threads, &r, &err);
    if (s != TN_OK) die_err(s, &err);
    double seconds = wall_seconds() - t0, acc = r.total ? (double)r.correct / r.total : 0.0;
    if (as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_number(&j, "accuracy", acc);
        tn_json_uint(&j, "correct", r.correct);
        tn_json_uint(&j, "total", r.total);
        tn_json_number(&j, "cost", r.cost);
        tn_json_number(&j, "seconds", seconds);
        tn_json_string(&j, "outputs_sha256", outputs_sha256);
        tn_json_uint(&j, "non_finite_parameters", 0);
        tn_json_array(&j, "confusion");
        for (uint32_t i = 0; i < n_out; i++) {
            tn_json_array(&j, NULL);
            for (uint32_t k = 0; k < n_out; k++) tn_json_uint(&j, NULL, conf[i * n_out + k]);
            tn_json_end(&j);
        }
        tn_json_end(&j);
        tn_json_end(&j);
    } else {
        char cost[32] = "not finite"; /* a finite model can still overflow the cost (log of 0) */
        if (isfinite(r.cost)) snprintf(cost, sizeof cost, "%.5f", r.cost);
        printf("Accuracy %u / %u (%.2f%%), mean cost %s (%.1f ms)\n", r.correct, r.total, 100.0 * acc, cost, 1000 * seconds);
        print_confusion(conf, n_out);
        printf("Outputs fingerprint %s\n", outputs_sha256);
    }
    free(conf);
    tn_dataset_free(&test);
    tn_model_free(&m);
    return 0;
}
