/* twinnet export MODEL --npz FILE: the parameters as a NumPy archive (tn_export_npz). */
#include "cli.h"
#include "json.h"
#include "model_command.h"

int cmd_export(int argc, char **argv) {
    model_command c;
    if (!model_command_parse(argc, argv, "--npz", 1,
                             "usage: twinnet export MODEL --npz FILE [--json]\n"
                             "Writes W1, b1, W2, b2, ... as float32 arrays (W of shape (out, in)) in an uncompressed .npz\n"
                             "archive that numpy.load reads; written atomically. The SHA-256 of the arrays' bytes in that\n"
                             "order is the model's fingerprint.\n\n"
                             "  --npz FILE           the archive to write (required)\n"
                             "  --json               one JSON object\n", &c))
        return 0;
    tn_model m;
    load_model(c.model_path, &m);
    tn_error err;
    tn_status s = tn_export_npz(&m.net, c.out_path, &err);
    if (s != TN_OK) die(EXIT_RUNTIME, "%s", err.msg);
    char fp[65];
    tn_net_fingerprint(&m.net, fp);
    if (c.as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_string(&j, "npz", c.out_path);
        tn_json_uint(&j, "arrays", 2 * (uint64_t)(m.net.n_sizes - 1));
        tn_json_uint(&j, "parameters", m.net.n_params);
        tn_json_string(&j, "fingerprint", fp);
        tn_json_end(&j);
    } else {
        printf("%s: %d arrays (W1, b1, ... W%d, b%d), %zu parameters, fingerprint %s\n", c.out_path, 2 * (m.net.n_sizes - 1),
               m.net.n_sizes - 1, m.net.n_sizes - 1, m.net.n_params, fp);
    }
    tn_model_free(&m);
    return 0;
}
