/* A progress line on standard error for long stages (training, a sweep's runs and pairs, compare):
 * "WHAT: DONE of TOTAL UNIT, about N s left", redrawn in place with \r, and only when standard
 * error is a terminal and the command has neither --quiet nor --json: silent in a pipe. */
#ifndef TN_CLI_PROGRESS_H
#define TN_CLI_PROGRESS_H

#include <stdint.h>

typedef struct {
    int on;                 /* drawing at all */
    const char *what, *unit; /* "training", "epochs"; unit NULL: a percentage */
    double started, drawn_at;
    int width;              /* of the line on the screen now (0: none) */
} progress_line;

void progress_begin(progress_line *p, int wanted, const char *what, const char *unit);
/* Draws done of total, at most ten times a second (always the first and the last). */
void progress_show(progress_line *p, uint64_t done, uint64_t total, const char *stage);
/* Erases the line (before printing on standard output, or at the end). */
void progress_clear(progress_line *p);
/* A tn_progress_fn: user is a progress_line. */
void progress_call(const char *stage, uint64_t done, uint64_t total, void *user);

#endif
