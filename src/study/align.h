/* What compare.c takes from align.c: activation matching on correlations already computed. */
#ifndef TN_ALIGN_H
#define TN_ALIGN_H

#include "util.h"

/* Activation matching given corr[l] (sizes[l] x sizes[l], A's units by B's) per hidden layer. */
tn_status tn_align_correlations(double *const corr[TN_MAX_LAYERS], int flips, tn_alignment *al, tn_error *err);

#endif
