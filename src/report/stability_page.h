/* The stability study's page (stability_page.c), apart from the report's other pages. */
#ifndef TN_STABILITY_PAGE_H
#define TN_STABILITY_PAGE_H

#include <stdio.h>

#include "util.h"

/* One self-contained HTML page on f: the answer in words, barrier and distance against the spawn
 * step (a curve per perturbation), a spawn step x sigma map of the aligned error barrier, the table.
 * The same cells give the same bytes. */
void tn_stability_page(FILE *f, const tn_stability *st, const tn_stab_cell *cells, uint32_t steps_per_epoch);

#endif
