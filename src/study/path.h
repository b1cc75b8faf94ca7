/* The straight path between two networks (path.c), for compare.c: evaluated with layer 1's
 * pre-activations of both ends computed once, since along the path they are linear in t. */
#ifndef TN_PATH_H
#define TN_PATH_H

#include "util.h"

typedef struct tn_pool tn_pool;

/* What every path of one comparison shares. */
typedef struct {
    const tn_net *a;              /* A; the points have its shape */
    const tn_dataset *test;       /* checked against A's shape */
    tn_pool *pool;
    const float *pa;              /* (n_params): A's canonical parameters */
    const float *za, *zb;         /* (test->n, sizes[1]): layer 1's pre-activations of A and of B */
    tn_path_point end_a, end_b;   /* t = 0 and t = 1 of the raw path, as measured: A, and B itself */
    uint32_t points;              /* K: the path has K + 1 points */
} tn_path_input;

/* v->path at t = k/K and its barriers, from A to B arranged by v->alignment, whose canonical
 * parameters are pb. is_raw: v->alignment is the identity and the path ends at end_b. */
tn_status tn_straight_path(const tn_path_input *in, const float *pb, int is_raw, tn_compare_view *v, tn_error *err);

#endif
