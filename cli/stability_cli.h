/* What twinnet stability's files share: cmd_stability.c (options, the pieces trained and measured)
 * and stability_out.c (the table, its JSON and CSV, the page). */
#ifndef TN_CLI_STABILITY_H
#define TN_CLI_STABILITY_H

#include "cli.h"
#include "stability.h"

typedef struct {
    tn_stability st;
    tn_dataset train, test;
    uint32_t jobs, spe;        /* processes at once; steps per epoch */
    int as_json, quiet, force;
    const char *csv, *report;  /* --csv FILE, --report FILE */
} study;

/* The table (text, or JSON with --json) on stdout, and the files asked for, from every pair's
 * values (the journal's): the same bytes for any J. Exits on error. */
void stability_outputs(const study *y, const double *values);

#endif
