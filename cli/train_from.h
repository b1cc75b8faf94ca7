/* train's options for a run that goes on from a model (train_from.c): --resume MODEL continues
 * it with its recorded configuration, --from MODEL starts a new run from its state (spawn), with
 * --order-seed and --perturb-ulp / --perturb-gauss there; --stop-at-step K stops after step K. */
#ifndef TN_CLI_TRAIN_FROM_H
#define TN_CLI_TRAIN_FROM_H

#include "cli.h"

typedef struct {
    const char *resume, *from;       /* --resume MODEL, --from MODEL */
    const char *stop_at, *gauss, *gauss_seed;
    char given[24][64];              /* the training options given (config table flags) */
    int n_given;
    tn_model model;                  /* the model read (after train_from_finish) */
} train_from;

/* One of the options above, or a training option (config_option, noted): 1 if a was one. */
int train_from_option(args *a, tn_config *cfg, config_seeds *seeds, train_from *t);
/* With --resume or --from: reads the model, spec->config = its configuration with the options a
 * continued run may change (--epochs, --threads, --on-nan; a spawn --order-seed and --perturb-ulp),
 * any other is a usage error; spec->out defaults to the resumed file. */
void train_from_finish(train_from *t, tn_run_spec *spec);
extern const char *const train_from_help;

#endif
