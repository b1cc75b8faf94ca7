/* One parser for "twinnet CMD MODEL [--OUT FILE] [--json]" (canon, export). */
#include "cli.h"
#include "model_command.h"

int model_command_parse(int argc, char **argv, const char *out_option, int out_required, const char *help,
                        model_command *c) {
    c->model_path = c->out_path = NULL;
    c->as_json = 0;
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) { if (c->model_path) usage_error("unexpected argument '%s'", pos); c->model_path = pos; }
        else if (args_is(&a, "--help")) { fputs(help, stdout); return 0; }
        else if (args_is(&a, out_option)) c->out_path = args_value(&a);
        else if (args_is(&a, "--json")) { args_flag(&a); c->as_json = 1; }
        else usage_error("unknown option '%s'", a.name);
    }
    if (!c->model_path) usage_error("needs a MODEL file");
    if (out_required && !c->out_path) usage_error("needs %s FILE", out_option);
    return 1;
}
