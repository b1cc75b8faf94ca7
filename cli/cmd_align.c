/* twinnet align A B --out B_ALIGNED: B with its hidden units permuted (and negated, where the
 * activation allows) to match A, by weight or activation matching; the same function as B. */
#include "cli.h"
#include "compare_json.h"
#include "model_command.h"

static void help(void) {
    printf("usage: twinnet align A B --out B_ALIGNED [--method weight|activation] [--no-flips]\n"
           "                       [--data DIR | --test-images F --test-labels F] [--threads N] [--json]\n"
           "Writes B with its hidden units reordered (and negated: sigmoid and tanh) to match A's. B_ALIGNED\n"
           "computes the same function as B (up to rounding where a sigmoid flip moves a bias).\n\n"
           "  --out FILE           the aligned model (required; written atomically)\n"
           "  --method NAME        weight: maximise summed inner products of the units' weights (default);\n"
           "                       activation: maximise summed correlations of activations on the test set\n"
           "  --no-flips           permutations only\n"
           "  --data DIR           MNIST directory, for --method activation (default $TWINNET_DATA, else the cache)\n"
           "  --test-images F --test-labels F     any IDX test set, for --method activation\n"
           "  --threads N          threads (default 1); the result is the same for any N\n"
           "  --json               one JSON object\n%s", force_option_help);
}

int cmd_align(int argc, char **argv) {
    static const char *const methods[] = {"weight", "activation"};
    tn_data_source d = {0};
    const char *path_a = NULL, *path_b = NULL, *out_path = NULL;
    int as_json = 0, method = 0, flips = 1, threads = 1, force = 0;
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) {
            if (path_b) usage_error("unexpected argument '%s'", pos);
            *(path_a ? &path_b : &path_a) = pos;
        } else if (args_is(&a, "--help")) { help(); return 0; }
        else if (data_option(&a, &d)) {}
        else if (args_is(&a, "--out")) out_path = args_value(&a);
        else if (args_is(&a, "--method")) method = parse_choice("--method", args_value(&a), methods, 2);
        else if (args_is(&a, "--no-flips")) { args_flag(&a); flips = 0; }
        else if (args_is(&a, "--threads")) threads = (int)parse_uint("--threads", args_value(&a), 1, 256);
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else if (force_option(&a, &force)) {}
        else args_unknown(&a);
    }
    if (!path_b) usage_error("needs two MODEL files, A and B");
    if (!out_path) usage_error("needs --out FILE");
    const char *outputs[] = {out_path}, *inputs[] = {path_a, path_b};
    check_outputs(outputs, 1, inputs, 2, method == 1 ? &d : NULL, force);
    tn_model ma, mb;
    load_model(path_a, &ma);
    load_model(path_b, &mb);
    tn_alignment al;
    tn_error err;
    tn_status s;
    if (method == 1) {
        tn_dataset test;
        load_data(&d, NULL, &test);
        s = tn_align_activations(&ma.net, &mb.net, &test, flips, threads, &al, &err);
        tn_dataset_free(&test);
    } else s = tn_align_weights(&ma.net, &mb.net, flips, &al, &err);
    if (s == TN_ERR_ARG || s == TN_ERR_FORMAT) die(EXIT_RUNTIME, "%s: %s", path_b, err.msg); /* B does not fit A */
    if (s != TN_OK) die_err(s, &err); /* memory or threads: not B's fault */
    tn_net aligned;
    tn_distances before, after;
    if ((s = tn_net_align(&mb.net, &al, &aligned, &err)) != TN_OK) die_err(s, &err);
    if ((s = tn_net_distance(&ma.net, &mb.net, NULL, &before, &err)) != TN_OK ||
        (s = tn_net_distance(&ma.net, &aligned, NULL, &after, &err)) != TN_OK) die_err(s, &err);
    tn_net original = mb.net;
    mb.net = aligned;
    if ((s = tn_model_align_start(&mb, &al, &err)) != TN_OK) die_err(s, &err);   /* the start follows the network */
    if ((s = tn_model_save(&mb, out_path, &err)) != TN_OK) die_err(s, &err);
    char fp[TN_HEX_SIZE];
    tn_net_fingerprint(&aligned, fp);
    if (as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_string(&j, "out", out_path);
        tn_json_string(&j, "fingerprint", fp);
        tn_json_string(&j, "method", methods[method]);
        tn_json_bool(&j, "sign_flips", flips && tn_sign_symmetry(mb.net.activation));
        tn_json_number(&j, "relative_distance_before", before.total.relative);
        tn_json_number(&j, "relative_distance", after.total.relative);
        json_alignment(&j, &al);
        tn_json_end(&j);
    } else {
        printf("%s: B aligned to A by %s matching: %u of %u hidden units moved, %u negated; distance to A relative to ||A|| "
               "%.4f -> %.4f; fingerprint %s\n", out_path, methods[method], al.moved, al.units, al.flipped, before.total.relative,
               after.total.relative, fp);
    }
    tn_alignment_free(&al);
    tn_net_free(&original);
    tn_model_free(&mb);
    tn_model_free(&ma);
    return 0;
}
