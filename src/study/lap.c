/* Exact linear assignment by shortest augmenting paths (Jonker & Volgenant 1987; Crouse 2016,
 * "On implementing 2D rectangular assignment algorithms", IEEE TAES 52(4)). Every search for a
 * minimum breaks ties by the lowest index, and no result depends on the SIMD width, so the
 * assignment is the same on every machine. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lap.h"

#define LANES 8          /* columns a block: the inner loops have this fixed trip count */
#define NONE UINT32_MAX  /* no column, no row */

/* Duals of the assignment LP: col_dual[j] for columns, and for a row i assigned to column a the
 * implicit row dual c[i][a] - col_dual[a], so an assigned pair has reduced cost 0, where c is
 * sign * cost. Invariant: c[i][j] - col_dual[j] >= c[i][a] - col_dual[a] for every assigned row
 * and every column (reduced costs >= 0). With n_rows < n_cols, col_dual starts at 0, only ever
 * decreases, and stays 0 on the columns left free: that makes the partial assignment optimal
 * (Crouse 2016). Square problems start from the column minima instead. */
typedef struct lap_work lap_work;
struct lap_work {
    double (*relax_row)(lap_work *w, uint32_t row, double base, uint32_t *arg); /* see relax_row */
    const double *cost;     /* (n_rows, n_cols): the caller's costs */
    double sign;            /* -1 to maximise: the kernels read sign * cost */
    uint32_t n_rows, n_cols;
    size_t stride;          /* n_cols rounded up to LANES: the length of the column arrays */
    double *col_dual;       /* -inf on padding and, during a search, on the columns it finished */
    double *dist;           /* tentative length of the shortest path to a column; +inf: none yet or finished */
    uint64_t *pred;         /* the row that path comes from */
    uint32_t *row_of_col;   /* NONE while the column is free */
    uint32_t *col_of_row;   /* (n_rows): NONE while the row is free */
    uint32_t *free_rows;    /* (n_rows) */
    uint32_t *free_cols;    /* (n_cols), the first n_free_cols of them */
    uint32_t n_free_cols;
    uint32_t *done_col;     /* (n_cols): the columns a search finished, in order, with */
    double *done_dist;      /* (n_cols)   their path lengths, and */
    double *done_dual;      /* (n_cols)   their duals before the search */
};

/* The kernels run over LANES columns at a time with a minimum per lane, so that compilers
 * vectorise them; a row's last partial block is copied into a block padded with zeros. Each
 * stored select has a comparison of its own (x < y for one, y <= x for its partner): GCC turns
 * two selects on one comparison into a branch and then vectorises nothing. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline)) /* also into relax_row_avx2 */
#else
#define ALWAYS_INLINE inline
#endif

/* Columns j0 .. j0 + LANES - 1 of relax_row (cost, dist, pred, col_dual start at j0). */
static ALWAYS_INLINE void relax_block(const double *restrict cost, double *restrict dist,
                                      uint64_t *restrict pred, const double *restrict col_dual, double sign,
                                      double base, uint64_t row, uint64_t j0, double *restrict lane_min,
                                      uint64_t *restrict lane_arg) {
    for (uint64_t k = 0; k < LANES; k++) {
        double candidate = base + sign * cost[k] - col_dual[k];
        double old = dist[k], old_min = lane_min[k];
        double d = candidate < old ? candidate : old;
        uint64_t from = pred[k], min_arg = lane_arg[k];
        dist[k] = d;
        pred[k] = old <= candidate ? from : row;
        lane_min[k] = d < old_min ? d : old_min;
        lane_arg[k] = old_min <= d ? min_arg : j0 + k;
    }
}

/* Relaxes the paths through `row`, entered at length `base` (the length to its column minus its
 * row dual): dist[j] = min(dist[j], base + c[row][j] - col_dual[j]), pred[j] = row where that
 * lowers it. Returns the smallest dist, *arg its lowest column. A finished or padding column has
 * col_dual -inf: its candidate is +inf and its dist stays +inf. */
static ALWAYS_INLINE double relax_row(lap_work *w, uint32_t row, double base, uint32_t *arg) {
    const double *cost = w->cost + (size_t)row * w->n_cols;
    double lane_min[LANES], tail[LANES] = {0};
    uint64_t lane_arg[LANES];
    for (uint64_t k = 0; k < LANES; k++) lane_min[k] = INFINITY, lane_arg[k] = k;
    size_t j = 0;
    for (; j + LANES <= w->n_cols; j += LANES)
        relax_block(cost + j, w->dist + j, w->pred + j, w->col_dual + j, w->sign, base, row, j, lane_min, lane_arg);
    if (j < w->n_cols) {
        memcpy(tail, cost + j, (w->n_cols - j) * sizeof(double));
        relax_block(tail, w->dist + j, w->pred + j, w->col_dual + j, w->sign, base, row, j, lane_min, lane_arg);
    }
    double best = lane_min[0];
    uint64_t best_arg = lane_arg[0];
    for (int k = 1; k < LANES; k++)
        if (lane_min[k] < best || (lane_min[k] == best && lane_arg[k] < best_arg))
            best = lane_min[k], best_arg = lane_arg[k];
    *arg = (uint32_t)best_arg;
    return best;
}

/* relax_row, where most of the time goes, compiled for the baseline and on x86-64 for AVX2 too
 * (4 doubles a vector instead of 2): the same operations on every element, so the same bits.
 * AVX2 is used where tn_simd_path() is not "generic" (TWINNET_SIMD=generic forces the baseline). */
static double relax_row_baseline(lap_work *w, uint32_t row, double base, uint32_t *arg) {
    return relax_row(w, row, base, arg);
}
#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX2_PATH 1
__attribute__((target("avx2"))) static double relax_row_avx2(lap_work *w, uint32_t row, double base, uint32_t *arg) {
    return relax_row(w, row, base, arg);
}
#endif

/* Columns j0 .. j0 + LANES - 1 of the column minima (col_min, col_arg start at j0). */
static inline void min_block(const double *restrict cost, double *restrict col_min, uint64_t *restrict col_arg,
                             double sign, uint64_t row) {
    for (uint64_t k = 0; k < LANES; k++) {
        double c = sign * cost[k], old = col_min[k];
        uint64_t arg = col_arg[k];
        col_min[k] = c < old ? c : old;
        col_arg[k] = old <= c ? arg : row;
    }
}

/* Jonker & Volgenant's column reduction, for square problems only:
 * col_dual[j] = min_i c[i][j], and each column's first minimal row takes it unless that row
 * already has a lower column. Every reduced cost is then >= 0 with 0 on the pairs, and about
 * 1 - 1/e of the rows of a random matrix are assigned without a search. Returns the rows left
 * free, in free_rows. */
static uint32_t reduce_columns(lap_work *w) {
    double *col_min = w->dist, tail[LANES] = {0}; /* borrowed: no search has started */
    uint64_t *col_arg = w->pred;
    for (size_t j = 0; j < w->stride; j++) col_min[j] = INFINITY, col_arg[j] = 0;
    for (uint32_t i = 0; i < w->n_rows; i++) {
        const double *cost = w->cost + (size_t)i * w->n_cols;
        size_t j = 0;
        for (; j + LANES <= w->n_cols; j += LANES) min_block(cost + j, col_min + j, col_arg + j, w->sign, i);
        if (j < w->n_cols) {
            memcpy(tail, cost + j, (w->n_cols - j) * sizeof(double));
            min_block(tail, col_min + j, col_arg + j, w->sign, i);
        }
    }
    for (uint32_t j = 0; j < w->n_cols; j++) {
        uint32_t i = (uint32_t)col_arg[j];
        w->col_dual[j] = col_min[j];
        if (w->col_of_row[i] == NONE) {
            w->col_of_row[i] = j;
            w->row_of_col[j] = i;
        }
    }
    uint32_t n_free = 0;
    for (uint32_t i = 0; i < w->n_rows; i++)
        if (w->col_of_row[i] == NONE) w->free_rows[n_free++] = i;
    return n_free;
}

/* The lowest free column at distance `length`, else `col`: ending a search on a tie at once
 * keeps costs with many ties (all equal, small integers) at one relaxation a row. */
static uint32_t nearest_free_col(const lap_work *w, double length, uint32_t col) {
    uint32_t best = NONE;
    for (uint32_t k = 0; k < w->n_free_cols; k++) {
        uint32_t j = w->free_cols[k];
        if (w->dist[j] == length && j < best) best = j;
    }
    return best == NONE ? col : best;
}

/* Dijkstra from the free row `start` over reduced costs until it reaches a free column; then the
 * finished columns' duals drop by how much shorter than that their paths were, and the path is
 * flipped (Crouse 2016). */
static void augment(lap_work *w, uint32_t start) {
    for (size_t j = 0; j < w->stride; j++) w->dist[j] = INFINITY;
    uint32_t n_done = 0, row = start, col;
    double base = 0.0; /* the start row's dual taken as 0: only differences of lengths matter */
    double length;
    for (;;) {
        length = w->relax_row(w, row, base, &col);
        if (w->row_of_col[col] != NONE) col = nearest_free_col(w, length, col);
        w->done_col[n_done] = col;
        w->done_dist[n_done] = length;
        w->done_dual[n_done] = w->col_dual[col];
        n_done++;
        w->dist[col] = INFINITY;
        w->col_dual[col] = -INFINITY;
        if (w->row_of_col[col] == NONE) break;
        row = w->row_of_col[col];
        /* enter the row through its own column: the length there minus the row dual */
        base = length - (w->sign * w->cost[(size_t)row * w->n_cols + col] - w->done_dual[n_done - 1]);
    }
    for (uint32_t k = 0; k < n_done; k++)
        w->col_dual[w->done_col[k]] = w->done_dual[k] - (length - w->done_dist[k]);
    uint32_t k = 0;
    while (w->free_cols[k] != col) k++;
    w->free_cols[k] = w->free_cols[--w->n_free_cols];
    for (;;) { /* from the free column reached back to the start row */
        row = (uint32_t)w->pred[col];
        uint32_t next = w->col_of_row[row];
        w->row_of_col[col] = row;
        w->col_of_row[row] = col;
        if (row == start) break;
        col = next;
    }
}

/* The array of count elements of size bytes at offset *at of base (NULL: only counting), and *at
 * moved past it to the next multiple of 64; *at sticks at SIZE_MAX on overflow. */
static void *place(unsigned char *base, size_t *at, size_t count, size_t size) {
    void *array = base ? base + *at : NULL;
    if (*at > SIZE_MAX / 2 || count > (SIZE_MAX / 2 - *at) / size) *at = SIZE_MAX;
    else *at += (count * size + 63) / 64 * 64;
    return array;
}

/* Points w's arrays into base (NULL: only counting); returns the bytes, SIZE_MAX on overflow. */
static size_t lay_out(lap_work *w, unsigned char *base) {
    size_t at = 0;
    w->col_dual = place(base, &at, w->stride, sizeof(double));
    w->dist = place(base, &at, w->stride, sizeof(double));
    w->pred = place(base, &at, w->stride, sizeof(uint64_t));
    w->done_dist = place(base, &at, w->n_cols, sizeof(double));
    w->done_dual = place(base, &at, w->n_cols, sizeof(double));
    w->row_of_col = place(base, &at, w->stride, sizeof(uint32_t));
    w->col_of_row = place(base, &at, w->n_rows, sizeof(uint32_t));
    w->free_rows = place(base, &at, w->n_rows, sizeof(uint32_t));
    w->free_cols = place(base, &at, w->n_cols, sizeof(uint32_t));
    w->done_col = place(base, &at, w->n_cols, sizeof(uint32_t));
    return at;
}

/* TN_ERR_ARG for the first cost that is NaN, infinite or beyond the limit. */
static tn_status check_costs(const double *cost, uint32_t n_rows, uint32_t n_cols, tn_error *err) {
    for (uint32_t i = 0; i < n_rows; i++) {
        const double *row = cost + (size_t)i * n_cols;
        uint32_t bad = 0;
        for (uint32_t j = 0; j < n_cols; j++) bad += !(fabs(row[j]) <= TN_LAP_COST_LIMIT); /* NaN too */
        for (uint32_t j = 0; bad && j < n_cols; j++)
            if (!(fabs(row[j]) <= TN_LAP_COST_LIMIT))
                return tn_fail(err, TN_ERR_ARG, "assignment: cost[%u][%u] = %g is %s", i, j, row[j],
                               isfinite(row[j]) ? "beyond +-1e200" : "not finite");
    }
    return TN_OK;
}

tn_status tn_lap_solve(const double *cost, uint32_t n_rows, uint32_t n_cols, int maximise,
                       uint32_t *col_of_row, double *total, tn_error *err) {
    if (n_rows > n_cols)
        return tn_fail(err, TN_ERR_ARG, "assignment: %u rows > %u columns (transpose the costs)", n_rows, n_cols);
    if (n_rows == 0) {
        if (total) *total = 0.0;
        return TN_OK;
    }
    if (!cost || !col_of_row) return tn_fail(err, TN_ERR_ARG, "assignment: no cost matrix or no output");
    tn_status s = check_costs(cost, n_rows, n_cols, err);
    if (s != TN_OK) return s;

    uint64_t padded_cols = ((uint64_t)n_cols + LANES - 1) / LANES * LANES;
    if (padded_cols > SIZE_MAX / 16) /* only where size_t has 32 bits */
        return tn_fail(err, TN_ERR_NOMEM, "assignment: %u columns are too many", n_cols);
    lap_work w = {.relax_row = relax_row_baseline, .cost = cost, .sign = maximise ? -1.0 : 1.0,
                  .n_rows = n_rows, .n_cols = n_cols, .stride = (size_t)padded_cols};
#ifdef HAVE_AVX2_PATH
    if (strcmp(tn_simd_path(), "generic") != 0) w.relax_row = relax_row_avx2;
#endif
    size_t bytes = lay_out(&w, NULL);
    unsigned char *block = bytes == SIZE_MAX ? NULL : tn_alloc(bytes);
    if (!block) return tn_fail(err, TN_ERR_NOMEM, "assignment: out of memory for %u x %u costs", n_rows, n_cols);
    lay_out(&w, block);

    for (size_t j = 0; j < w.stride; j++) {
        w.col_dual[j] = j < n_cols ? 0.0 : -INFINITY;
        w.row_of_col[j] = NONE;
    }
    uint32_t n_free = n_rows;
    for (uint32_t i = 0; i < n_rows; i++) w.col_of_row[i] = NONE, w.free_rows[i] = i;
    if (n_rows == n_cols) n_free = reduce_columns(&w);
    for (uint32_t j = 0; j < n_cols; j++)
        if (w.row_of_col[j] == NONE) w.free_cols[w.n_free_cols++] = j;
    for (uint32_t k = 0; k < n_free; k++) augment(&w, w.free_rows[k]);

    double sum = 0.0;
    for (uint32_t i = 0; i < n_rows; i++) {
        col_of_row[i] = w.col_of_row[i];
        sum += cost[(size_t)i * n_cols + w.col_of_row[i]];
    }
    if (total) *total = sum;
    tn_free(block);
    return TN_OK;
}
