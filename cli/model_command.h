/* The command line of the commands that take one MODEL, one output file option and --json
 * (canon, export): model_command.c. */
#ifndef TN_MODEL_COMMAND_H
#define TN_MODEL_COMMAND_H

typedef struct {
    const char *model_path;   /* the MODEL argument */
    const char *out_path;     /* the output option's value, or NULL */
    int as_json;              /* --json */
} model_command;

/* Parses argv (what follows the command's name). --help prints help and returns 0; else returns
 * 1 with c filled, or exits with a usage error. out_required: the output option must be given. */
int model_command_parse(int argc, char **argv, const char *out_option, int out_required, const char *help,
                        model_command *c);

#endif
