/* What the stability study's files share (stability.c, stability_journal.c, stability_table.c). */
#ifndef TN_STABILITY_H
#define TN_STABILITY_H

#include <stdio.h>

#include "json.h"
#include "util.h"

#define TN_STABILITY_JOURNAL "journal.jsonl"

/* What the journal holds, read back (tn_stability_journal_read): the last line of each kind wins. */
typedef struct {
    char (*checkpoint)[TN_HEX_SIZE];   /* n_steps: the checkpoint's fingerprint, or "" */
    char (*child)[TN_HEX_SIZE];        /* children: the child's fingerprint, or "" */
    char (*pair)[2][TN_HEX_SIZE];      /* pairs: the fingerprints a pair was measured on, or "" */
    double *values;                    /* pairs x TN_STAB_METRIC_COUNT */
} tn_stab_journal;

/* DIR made and its header written, or read and checked (another study: TN_ERR_ARG), then every line. */
tn_status tn_stability_journal_read(const tn_stability *st, const uint8_t data_sha256[32], tn_stab_journal *j, tn_error *err);
void tn_stability_journal_free(tn_stab_journal *j);
/* One line appended (the text of one JSON object; a trailing newline is the line's end). */
tn_status tn_stability_journal_append(const tn_stability *st, const char *line, size_t n, tn_error *err);
/* The object j (a memory writer, closed) appended as one line; j's text is freed. */
tn_status tn_stability_journal_line(const tn_stability *st, tn_json *j, tn_error *err);

/* The pieces of child c: step index i, pair r, k (0: unperturbed, p + 1: perturbation p's). */
void tn_stability_child_of(const tn_stability *st, uint32_t c, uint32_t *i, uint32_t *r, uint32_t *k);
/* Perturbation p: 0 order, 1 ulp, 2 + s gauss sigmas[s] (those not studied skipped). */
int tn_stability_kind(const tn_stability *st, uint32_t p, uint32_t *sigma);
enum { TN_STAB_ORDER, TN_STAB_ULP, TN_STAB_GAUSS };


/* The table's writers (stability_table.c), the same bytes for the same cells: a text table (one
 * block per perturbation), the JSON object's members (written into the open object j), CSV. */
void tn_stability_write_text(FILE *f, const tn_stability *st, const tn_stab_cell *cells, uint32_t steps_per_epoch);
void tn_stability_write_json(tn_json *j, const tn_stability *st, const tn_stab_cell *cells, uint32_t steps_per_epoch);
void tn_stability_write_csv(FILE *f, const tn_stability *st, const tn_stab_cell *cells, uint32_t steps_per_epoch);
/* "step 1000 (0.2 epochs)", "the end (30 epochs)" */
void tn_stability_step_words(const tn_stability *st, uint64_t step, uint32_t steps_per_epoch, char *out, size_t cap);

#endif
