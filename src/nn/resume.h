/* Training that starts from a saved state instead of the seeds (train.c), for tn_run's resume and
 * spawn (run.c): the same loop as tn_train, entered at a step, so that a run stopped at any step and
 * continued ends with the bits of one never stopped. */
#ifndef TN_RESUME_H
#define TN_RESUME_H

#include "util.h"

typedef struct {
    const float *params;        /* canonical: the parameters at `step` (NULL: a new run from the seeds) */
    uint64_t step;              /* steps taken (0 with params NULL) */
    uint32_t epochs_done;       /* complete epochs: step lies in [epochs_done s, (epochs_done + 1) s),
                                   s = the steps of an epoch */
    tn_train_state state;       /* in: the state at step (saved 0: a fresh one); out: at the end, with
                                   last_finite allocated when the run stopped within an epoch */
    int stop_at;                /* 1: stop on request once stop_at_step steps are taken */
    uint64_t stop_at_step;
} tn_train_start;

/* Steps in an epoch of n_train examples: ceil(n_train / batch). */
uint64_t tn_steps_per_epoch(uint32_t n_train, uint32_t batch);
/* tn_train from st (params NULL: exactly tn_train). The caller frees st->state.last_finite. */
tn_status tn_train_from(const tn_config *cfg, const tn_dataset *train, const tn_dataset *test, tn_net *net,
                        tn_train_start *st, tn_epoch_fn on_epoch, void *user, volatile const int *stop_flag,
                        tn_train_result *result, tn_error *err);

#endif
