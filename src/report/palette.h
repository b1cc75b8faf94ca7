/* How the report shows a source of randomness wherever it appears (summary, plots, table, trace
 * legends): one colour each, told apart with any colour vision, and its name in words. */
#ifndef TN_PALETTE_H
#define TN_PALETTE_H

#include "util.h"

const char *tn_report_colour(tn_vary source);        /* "#0072b2", ...; black for no source */
const char *tn_report_source_words(tn_vary source);  /* "another initialisation seed", ... */

#endif
