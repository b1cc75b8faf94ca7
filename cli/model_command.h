/* What the commands that write files share (model_command.c): --force, the one check of every
 * output before any work, and the command line of those that take one MODEL, one output option
 * and --json (canon, export). */
#ifndef TN_MODEL_COMMAND_H
#define TN_MODEL_COMMAND_H

#include "cli.h"

typedef struct {
    const char *model_path;   /* the MODEL argument */
    const char *out_path;     /* the output option's value, or NULL */
    int as_json;              /* --json */
    int force;                /* --force */
} model_command;

/* Parses argv (what follows the command's name). --help prints help and returns 0; else returns
 * 1 with c filled, or exits with a usage error. out_required: the output option must be given. */
int model_command_parse(int argc, char **argv, const char *out_option, int out_required, const char *help,
                        model_command *c);

/* The positional arguments A and B of a command on a pair of models: the first into *a, the second
 * into *b, a third is a usage error. */
void model_pair_argument(const char *pos, const char **a, const char **b);

/* --force (replace a read-only output): 1 if a was it. */
int force_option(args *a, int *force);
extern const char *const force_option_help;

/* The one step every command that writes goes through before any work: each output (NULL
 * entries skipped) passes tn_out_check against every input, the data files data names (NULL if
 * none are read) and every other output. Exits 2 with the library's message. */
void check_outputs(const char *const *outputs, int n_outputs, const char *const *inputs, int n_inputs,
                   const tn_data_source *data, int force);

/* The parameters of m that are NaN or infinite (tn_net_count_non_finite); when there are any and
 * consequence is not NULL, says so on stderr: "PATH: N of M parameters are not finite ...;
 * CONSEQUENCE". Such a model gives no digit, accuracy or cost: never a number for them. */
uint64_t non_finite_parameters(const char *path, const tn_model *m, const char *consequence);

#endif
