/* What compare.c takes from align.c: activation matching on correlations already computed, and
 * where a layer's weights start in the canonical order. */
#ifndef TN_ALIGN_H
#define TN_ALIGN_H

#include "util.h"

/* Canonical offset of layer l's W (its b follows at + sizes[l-1] * sizes[l]). */
size_t tn_canonical_offset(const uint32_t *sizes, int l);
/* Activation matching given corr[l] (sizes[l] x sizes[l], A's units by B's) per hidden layer. */
tn_status tn_align_correlations(double *const corr[TN_MAX_LAYERS], int flips, tn_alignment *al, tn_error *err);

#endif
