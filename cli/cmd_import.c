/* twinnet import FILE --out MODEL: a network trained elsewhere (.npz, network2.py's JSON,
 * safetensors) into a model file that records what the file does not say (tn_model_import). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "model_command.h"

static void help(void) {
    printf("usage: twinnet import FILE --out MODEL [options]\n"
           "Reads a network trained elsewhere and writes a twinnet model that records what the file does not say.\n"
           "FILE: a NumPy .npz (twinnet's export W1, b1, ...; np.savez(f, *net.weights, *net.biases) as arr_0, ...;\n"
           "or nn.Sequential's 0.weight, 0.bias, ...), network2.py's save() JSON, or safetensors (nn.Sequential of\n"
           "nn.Linear: 0.weight, 0.bias, 2.weight, ...). Nothing is unpickled: convert a .pt with np.savez first.\n\n"
           "  --out MODEL                the model file to write (required)\n"
           "  --format F                 npz, network2-json or safetensors (default: told by the first bytes)\n"
           "  --activation A             hidden units: sigmoid, tanh, relu (default: the file's; else sigmoid, assumed)\n"
           "  --cost C                   quadratic, cross-entropy, log-likelihood (softmax output) (default: the\n"
           "                             file's; else quadratic, assumed)\n"
           "  --init I                   the initialisation that drew the start: normal, scaled, torch (default:\n"
           "                             normal for np.savez lists, scaled for network2 JSON, torch for nn.Sequential\n"
           "                             keys, else not known)\n"
           "  --inputs P                 the pixels it was trained on: nielsen (k/256), torchvision-mnist ((k/255 -\n"
           "                             0.1307)/0.3081): folded into layer 1 so that twinnet's k/255 gives the same\n"
           "  --input-scale S            x' = S x of twinnet's x = k/255 (default 1)\n"
           "  --input-normalize M,SD     then x' = (x' - M)/SD, as torchvision's Normalize (default none)\n"
           "  --start FILE               the weights it started from (same format and widths): without it the start\n"
           "                             is not known, and nothing is said about it\n"
           "  --json                     one JSON object\n"
           "  --quiet                    no text output\n");
    fputs(force_option_help, stdout);
}

static double normalize_part(const char *s, int second) {
    const char *comma = strchr(s, ',');
    char part[64];
    if (!comma || strchr(comma + 1, ',')) usage_error("--input-normalize: '%s' is not MEAN,STD", s);
    const char *from = second ? comma + 1 : s;
    size_t n = second ? strlen(from) : (size_t)(comma - s);
    if (n >= sizeof part) usage_error("--input-normalize: '%s' is not MEAN,STD", s);
    memcpy(part, from, n);
    part[n] = 0;
    return second ? parse_real("--input-normalize", part, 0.0, 1e30, 1) : parse_real("--input-normalize", part, -1e30, 1e30, 0);
}

static void print_text(const char *path, const char *out, const tn_model *m, const tn_import_info *info) {
    const tn_provenance *p = &m->provenance;
    const tn_net *net = &m->net;
    printf("%s: %s, %s, %s\n", path, tn_format_description(info->format), info->layout, info->dtypes);
    printf("widths       ");
    for (int l = 0; l < net->n_sizes; l++) printf("%s%u", l ? "," : "", net->sizes[l]);
    printf(" (%zu parameters)\n", net->n_params);
    printf("activation   %s (%s), cost %s (%s)\n", tn_activation_name(net->activation), info->activation_stated ? "stated" : "assumed",
           tn_cost_name(net->cost), info->cost_stated ? "stated" : "assumed");
    if (info->rounded)
        printf("float32      %llu of %zu values rounded to float32; largest relative rounding %.3g\n",
               (unsigned long long)info->rounded, net->n_params, p->max_rounding);
    else printf("float32      every value kept exactly\n");
    if (p->input_std != 0.0)
        printf("inputs       x' = (%.9g x - %.9g) / %.9g folded into layer 1 (x = k/255, as twinnet feeds)\n", p->input_scale,
               p->input_mean, p->input_std);
    else printf("inputs       k/255, as twinnet feeds them (no scaling folded)\n");
    if (p->start == TN_START_SUPPLIED) printf("start        supplied (fingerprint %s)\n", info->start_fingerprint);
    else printf("start        not known (no --start): nothing will be said about where training began\n");
    printf("init         %s\ndata         not known (trained elsewhere)\n",
           p->init_unknown ? "not known (no --init)" : tn_init_name(m->config.init));
    char fp[TN_HEX_SIZE];
    tn_net_fingerprint(net, fp);
    printf("wrote        %s, fingerprint %s\n", out, fp);
}

static void print_json(const char *path, const char *out, const tn_model *m, const tn_import_info *info) {
    const tn_provenance *p = &m->provenance;
    char fp[TN_HEX_SIZE];
    tn_net_fingerprint(&m->net, fp);
    tn_json j;
    tn_json_open(&j, stdout);
    tn_json_string(&j, "file", path);
    tn_json_string(&j, "format", tn_format_names[info->format]);
    tn_json_string(&j, "layout", info->layout);
    tn_json_string(&j, "dtypes", info->dtypes);
    tn_json_array(&j, "sizes");
    for (int l = 0; l < m->net.n_sizes; l++) tn_json_uint(&j, NULL, m->net.sizes[l]);
    tn_json_end(&j);
    tn_json_string(&j, "activation", tn_activation_name(m->net.activation));
    tn_json_bool(&j, "activation_stated", info->activation_stated);
    tn_json_string(&j, "cost", tn_cost_name(m->net.cost));
    tn_json_bool(&j, "cost_stated", info->cost_stated);
    if (p->init_unknown) tn_json_null(&j, "init"); else tn_json_string(&j, "init", tn_init_name(m->config.init));
    tn_json_uint(&j, "rounded", info->rounded);
    tn_json_number(&j, "max_rounding", p->max_rounding);
    tn_json_number(&j, "input_scale", p->input_std != 0.0 ? p->input_scale : 1.0);
    tn_json_number(&j, "input_mean", p->input_mean);
    tn_json_number(&j, "input_std", p->input_std != 0.0 ? p->input_std : 1.0);
    tn_json_string(&j, "start", tn_start_known_names[p->start]);
    if (p->start == TN_START_SUPPLIED) tn_json_string(&j, "start_fingerprint", info->start_fingerprint);
    tn_json_bool(&j, "data_unknown", p->data_unknown);
    tn_json_string(&j, "source", p->source);
    tn_json_string(&j, "out", out);
    tn_json_string(&j, "fingerprint", fp);
    tn_json_end(&j);
}

int cmd_import(int argc, char **argv) {
    tn_import_options o;
    tn_import_options_default(&o);
    const char *path = NULL, *out = NULL, *start = NULL, *inputs = NULL;
    int as_json = 0, quiet = 0, force = 0, scaled = 0;
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) { if (path) usage_error("unexpected argument '%s'", pos); path = pos; }
        else if (args_is(&a, "--help")) { help(); return 0; }
        else if (args_is(&a, "--out")) out = args_value(&a);
        else if (args_is(&a, "--start")) start = args_value(&a);
        else if (args_is(&a, "--format")) o.format = (tn_format)(1 + parse_choice("--format", args_value(&a), tn_format_names + 1, TN_FORMAT_COUNT - 1));
        else if (args_is(&a, "--activation")) o.activation = parse_choice("--activation", args_value(&a), tn_activation_names, TN_ACT_COUNT);
        else if (args_is(&a, "--cost")) o.cost = parse_choice("--cost", args_value(&a), tn_cost_names, TN_COST_COUNT);
        else if (args_is(&a, "--init")) o.init = parse_choice("--init", args_value(&a), tn_init_names, TN_INIT_COUNT);
        else if (args_is(&a, "--inputs")) {
            inputs = args_value(&a);
            if (!tn_import_inputs(inputs, &o)) usage_error("--inputs: '%s' is not one of %s", inputs, TN_IMPORT_INPUTS);
        } else if (args_is(&a, "--input-scale")) { o.input_scale = parse_real("--input-scale", args_value(&a), 0.0, 1e30, 1); scaled = 1; }
        else if (args_is(&a, "--input-normalize")) {
            const char *v = args_value(&a);
            o.input_mean = normalize_part(v, 0);
            o.input_std = normalize_part(v, 1);
            scaled = 1;
        }
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else if (args_is(&a, "--quiet")) { args_flag(&a); quiet = 1; }
        else if (force_option(&a, &force)) {}
        else args_unknown(&a);
    }
    if (!path) usage_error("needs a FILE to import");
    if (!out) usage_error("needs --out MODEL");
    if (inputs && scaled) usage_error("--inputs and --input-scale/--input-normalize: give one or the other");
    const char *outputs[] = {out}, *ins[] = {path, start};
    check_outputs(outputs, 1, ins, start ? 2 : 1, NULL, force);
    tn_model m;
    tn_import_info info;
    tn_error err;
    tn_status s = tn_model_import_file(&m, path, start, &o, &info, &err);
    if (s != TN_OK) die_err(s, &err);
    if (!info.activation_stated || !info.cost_stated)
        fprintf(stderr, "twinnet: %s: activation and cost not recorded: taken as %s and %s (network.py); say --activation/--cost otherwise\n",
                path, tn_activation_name(m.net.activation), tn_cost_name(m.net.cost));
    s = tn_model_save(&m, out, &err);
    if (s != TN_OK) die_err(s, &err);
    if (as_json) print_json(path, out, &m, &info);
    else if (!quiet) print_text(path, out, &m, &info);
    tn_model_free(&m);
    return 0;
}
