/* Exact linear assignment, for aligning the hidden units of two networks (Git Re-Basin weight
 * matching). Deterministic: the same costs give the same assignment on every machine and at
 * every SIMD width. */
#ifndef TN_LAP_H
#define TN_LAP_H

#include <stdint.h>

#include "util.h"

/* Costs of larger magnitude are refused: duals are sums and differences of many costs, and this
 * leaves them 1e108 of headroom below DBL_MAX. */
#define TN_LAP_COST_LIMIT 1e200

/* Exact linear assignment (shortest augmenting paths, Jonker-Volgenant / Crouse 2016), O(n^3).
 * cost: (n_rows, n_cols) row-major doubles, n_rows <= n_cols (callers transpose otherwise).
 * Finds col_of_row[r] (distinct columns) minimising sum cost[r][col_of_row[r]]; maximise != 0
 * maximises instead. Returns TN_OK, TN_ERR_NOMEM, or TN_ERR_ARG (n_rows > n_cols, a non-finite
 * cost or one beyond +-TN_LAP_COST_LIMIT). *total (if total is not NULL) is the sum of the chosen
 * costs in row order; n_rows == 0 gives *total = 0. On error col_of_row and *total are not
 * written. */
tn_status tn_lap_solve(const double *cost, uint32_t n_rows, uint32_t n_cols, int maximise,
                       uint32_t *col_of_row, double *total, tn_error *err);

#endif
