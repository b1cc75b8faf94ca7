/* twinnet export MODEL --npz FILE | --network2-json FILE | --safetensors FILE: the parameters in
 * another program's format (tn_export_npz, tn_export_network2_json, tn_export_safetensors). */
#include <string.h>

#include "cli.h"
#include "json.h"
#include "model_command.h"

static void help(void) {
    printf("usage: twinnet export MODEL (--npz FILE | --network2-json FILE | --safetensors FILE) [--json]\n"
           "Writes the parameters in another program's format, atomically; `twinnet import` reads each back.\n\n"
           "  --npz FILE             W1, b1, W2, b2, ... as float32 arrays (W of shape (out, in)) in an uncompressed\n"
           "                         .npz that numpy.load reads; the SHA-256 of the arrays' bytes in that order is\n"
           "                         the model's fingerprint\n"
           "  --network2-json FILE   network2.py's save() format (sizes, weights, biases, cost), which its load()\n"
           "                         reads: sigmoid networks with quadratic or cross-entropy cost only\n"
           "  --safetensors FILE     nn.Sequential(Linear, act, Linear, ...)'s keys 0.weight, 0.bias, 2.weight, ...\n"
           "                         in F32, which safetensors.torch.load_file reads\n"
           "  --json                 one JSON object\n");
    fputs(force_option_help, stdout);
}

int cmd_export(int argc, char **argv) {
    static const char *const kinds[] = {"--npz", "--network2-json", "--safetensors"};
    const char *model_path = NULL, *out = NULL;
    int kind = -1, as_json = 0, force = 0;
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        int k = -1;
        for (int i = 0; i < 3; i++)
            if (args_is(&a, kinds[i])) k = i;
        if (pos) { if (model_path) usage_error("unexpected argument '%s'", pos); model_path = pos; }
        else if (args_is(&a, "--help")) { help(); return 0; }
        else if (k >= 0) {
            if (kind >= 0 && kind != k) usage_error("%s and %s: one output format at a time", kinds[kind], kinds[k]);
            kind = k;
            out = args_value(&a);
        }
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else if (force_option(&a, &force)) {}
        else args_unknown(&a);
    }
    if (!model_path) usage_error("needs a MODEL file");
    if (!out) usage_error("needs --npz FILE, --network2-json FILE or --safetensors FILE");
    const char *outputs[] = {out}, *inputs[] = {model_path};
    check_outputs(outputs, 1, inputs, 1, NULL, force);
    tn_model m;
    load_model(model_path, &m);
    tn_error err;
    tn_status s = kind == 0 ? tn_export_npz(&m.net, out, &err)
                : kind == 1 ? tn_export_network2_json(&m.net, out, &err)
                            : tn_export_safetensors(&m.net, out, &err);
    if (s != TN_OK) die_err(s, &err);
    char fp[TN_HEX_SIZE];
    tn_net_fingerprint(&m.net, fp);
    int arrays = 2 * (m.net.n_sizes - 1);
    if (as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_string(&j, kinds[kind] + 2, out);
        tn_json_uint(&j, "arrays", (uint64_t)arrays);
        tn_json_uint(&j, "parameters", m.net.n_params);
        tn_json_string(&j, "fingerprint", fp);
        tn_json_end(&j);
    } else if (kind == 0) {
        printf("%s: %d arrays (W1, b1, ... W%d, b%d), %zu parameters, fingerprint %s\n", out, arrays, m.net.n_sizes - 1,
               m.net.n_sizes - 1, m.net.n_params, fp);
    } else {
        printf("%s: %s, %d arrays (%s), %zu parameters, fingerprint %s\n", out, kind == 1 ? "network2.py's JSON" : "safetensors",
               arrays, kind == 1 ? "weights, biases" : "0.weight, 0.bias, 2.weight, ...", m.net.n_params, fp);
    }
    tn_model_free(&m);
    return 0;
}
