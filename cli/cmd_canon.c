/* twinnet canon MODEL [--out C]: the model with its hidden units in a canonical order and sign
 * (tn_net_canonical), so that models equal up to those symmetries get one fingerprint. */
#include "cli.h"
#include "json.h"
#include "model_command.h"

int cmd_canon(int argc, char **argv) {
    model_command c;
    if (!model_command_parse(argc, argv, "--out", 0,
                             "usage: twinnet canon MODEL [--out C] [--json]\n"
                             "Puts the hidden units in a canonical sign and order: in each hidden layer, first to last, a\n"
                             "sigmoid or tanh unit is negated when its incoming weights sum below 0 (the function stays the\n"
                             "same), then units are sorted by the norm of their incoming weights, largest first. Models that\n"
                             "differ only by a permutation and sign flips of hidden units get the same canonical fingerprint\n"
                             "(sigmoid: as long as the biases a flip moves were not rounded on the way).\n\n"
                             "  --out C              write the canonical model (atomically); without it, only print\n"
                             "  --json               one JSON object\n", &c))
        return 0;
    tn_model m;
    load_model(c.model_path, &m);
    tn_net canon;
    tn_alignment al;
    tn_error err;
    tn_status s = tn_net_canonical(&m.net, &canon, &al, &err);
    if (s != TN_OK) die(EXIT_RUNTIME, "%s: %s", c.model_path, err.msg);
    char before[TN_HEX_SIZE], after[TN_HEX_SIZE];
    tn_net_fingerprint(&m.net, before);
    tn_net_fingerprint(&canon, after);
    tn_net original = m.net;
    m.net = canon;
    if (c.out_path && (s = tn_model_align_start(&m, &al, &err)) != TN_OK) die_err(s, &err);   /* the start follows */
    if (c.out_path && (s = tn_model_save(&m, c.out_path, &err)) != TN_OK) die_err(s, &err);
    if (c.as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_string(&j, "fingerprint", after);
        tn_json_string(&j, "original_fingerprint", before);
        tn_json_uint(&j, "hidden_units", al.units);
        tn_json_uint(&j, "moved", al.moved);
        tn_json_uint(&j, "flipped", al.flipped);
        if (c.out_path) tn_json_string(&j, "out", c.out_path);
        else tn_json_null(&j, "out");
        tn_json_end(&j);
    } else {
        printf("canonical fingerprint %s (was %s)\n%u of %u hidden units moved, %u negated%s%s\n", after, before, al.moved,
               al.units, al.flipped, c.out_path ? "; written to " : "", c.out_path ? c.out_path : "");
    }
    tn_alignment_free(&al);
    tn_net_free(&original);
    tn_model_free(&m);
    return 0;
}
