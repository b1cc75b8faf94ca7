/* The curve figure (curve_figure.c): the straight path raw, the straight path aligned and a curve
 * (twinnet connect's bend) from A to B in one line plot, for the report and `connect --figure`. */
#ifndef TN_CURVE_FIGURE_H
#define TN_CURVE_FIGURE_H

#include <stdio.h>

#include "util.h"

/* One inline <svg> (the report's line plot, svg.c): test error in percent (error 1) or test cost
 * against t, raw #222222 dashed, aligned #cc79a7 solid, curve #56b4e9 (CONVENTIONS.md). raw and
 * aligned may be NULL or not done (then left out); curve is required. */
void tn_curve_figure(FILE *f, const tn_compare_view *raw, const tn_compare_view *aligned, const tn_curve_profile *curve,
                     int error);
/* A standalone SVG file's text: cost and error side by side, each as tn_curve_figure, on white,
 * with the answer (tn_curve_sentence) beneath. */
void tn_curve_figure_file(FILE *f, const tn_compare_view *raw, const tn_compare_view *aligned, const tn_curve_profile *curve);

#endif
