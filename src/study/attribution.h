/* The attribution table's files (attribution.c), as their writer and the report's reader see
 * them: after source, runs, pairs and fingerprints, the numbers of a row by name and place. */
#ifndef TN_ATTRIBUTION_H
#define TN_ATTRIBUTION_H

#include <stddef.h>

#include "json.h"
#include "util.h"

/* accuracy_mean, accuracy_std, cost_mean, cost_std, then each pair metric's mean and its _se */
#define TN_ATTRIBUTION_NUMBERS (4 + 2 * TN_PAIR_METRIC_COUNT)
typedef struct {
    char name[48];     /* CSV column and JSON key */
    size_t offset;     /* of its double in tn_attribution_row */
} tn_attribution_column;
void tn_attribution_columns(tn_attribution_column col[TN_ATTRIBUTION_NUMBERS]);
/* A row's object opened in j ({) with what says which row it is: source, runs, pairs,
 * fingerprints, diverged; the caller writes its numbers and closes it. */
void tn_attribution_row_open(tn_json *j, const tn_attribution_row *r);

#endif
