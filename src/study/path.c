/* The straight path theta(t) = (1-t) A + t B' (B' = B with its hidden units permuted and negated by
 * an alignment) at t = k/K on the test set, the way compare reports it. Layer 1's pre-activation
 * is linear in the parameters, z1(t) = (1-t) zA + t zB', and zB' is zB with its units permuted and
 * negated (negating a unit's incoming weights and bias negates each fmaf of its sum exactly), so
 * zA and zB are computed once per comparison and each point runs only layers 2..L (a third of an
 * evaluation for [784,100,10], the rest mostly the cost's logarithms). Examples in fixed ranges
 * per thread, costs summed in example order: the same bits at any thread count and SIMD path. */
#include <stdlib.h>

#include "engine.h"
#include "path.h"
#include "pool.h"

#define POINT_CHUNK 32 /* examples per forward batch */

typedef struct {
    const tn_net *net;            /* the network at t: its layers 2..L are used */
    const tn_kernels *k;
    const tn_dataset *ds;
    const float *za, *zb;         /* (n, sizes[1]): layer 1's pre-activations of A and of B' */
    double t;
    tn_batch_work *per_thread;    /* one work buffer per thread */
    uint8_t *pred;                /* (n) */
    double *cost;                 /* (n) */
} point_ctx;

/* z[i] = (1-t) za[i] + t zb[i] in double, rounded once to float (as the path's parameters are); the
 * padding up to pad is 0, as the forward kernels leave it. At t = 1 this is zb exactly. */
static void mix_z1(float *restrict z, const float *restrict za, const float *restrict zb, double t, uint32_t h,
                   uint32_t pad) {
    double s = 1.0 - t;
    uint32_t i = 0;
    for (; i + 8 <= h; i += 8) /* blocks of a fixed length, which the compiler turns into vector code */
        for (uint32_t j = i; j < i + 8; j++) z[j] = (float)(s * za[j] + t * zb[j]);
    for (; i < h; i++) z[i] = (float)(s * za[i] + t * zb[i]);
    for (; i < pad; i++) z[i] = 0.0f;
}

/* zb'[e][i] = zb[e][perm[i]], negated where flip[i]: B's layer-1 sums as B' computes them. */
static void arrange(float *out, const float *zb, uint32_t n, uint32_t h, const uint32_t *perm, const uint8_t *flip) {
    for (size_t e = 0; e < n; e++)
        for (uint32_t i = 0; i < h; i++) {
            float b = zb[e * h + perm[i]];
            out[e * h + i] = flip[i] ? -b : b;
        }
}

static void point_job(void *p, int t, int n) {
    point_ctx *c = p;
    const tn_net *net = c->net;
    int L = net->n_sizes - 1;
    uint32_t h = net->sizes[1], lo = (uint32_t)((uint64_t)c->ds->n * t / n), hi = (uint32_t)((uint64_t)c->ds->n * (t + 1) / n);
    tn_work *ws = c->per_thread[t].work;
    for (uint32_t start = lo; start < hi; start += POINT_CHUNK) {
        uint32_t m = hi - start < POINT_CHUNK ? hi - start : POINT_CHUNK;
        for (uint32_t j = 0; j < m; j++) {
            size_t row = (size_t)(start + j) * h;
            mix_z1(ws[j].delta[1], c->za + row, c->zb + row, c->t, h, net->pad[1]);
        }
        tn_forward_from_z1(net, c->k, m, ws);
        for (uint32_t j = 0; j < m; j++) {
            c->pred[start + j] = (uint8_t)tn_argmax(ws[j].act[L], net->sizes[L]);
            c->cost[start + j] = tn_example_cost(net, ws[j].act[L], c->ds->labels[start + j]);
        }
    }
}

/* Mean cost (summed in example order, as tn_evaluate does) and error of the point c->net. */
static tn_path_point evaluate_point(point_ctx *c, tn_pool *pool) {
    tn_pool_run(pool, point_job, c);
    double sum = 0.0;
    uint32_t correct = 0, n = c->ds->n;
    for (uint32_t e = 0; e < n; e++) {
        sum += c->cost[e];
        correct += c->pred[e] == c->ds->labels[e];
    }
    return (tn_path_point){c->t, sum / n, 1.0 - (double)correct / n};
}

/* theta(t) at t = k/K (in double, rounded to float); the barrier is max_t f(t) - ((1-t) f(0) +
 * t f(1)) for the cost and the error, 0 at least. */
tn_status tn_straight_path(const tn_path_input *in, const float *pb, int is_raw, tn_compare_view *v, tn_error *err) {
    const tn_net *a = in->a;
    uint32_t K = in->points, n = in->test->n;
    int T = tn_pool_size(in->pool), moved = a->n_sizes > 2 && !is_raw;
    tn_net point = {0};
    float *mix = malloc(a->n_params * sizeof(float)), *zb = moved ? malloc((size_t)n * a->sizes[1] * sizeof(float)) : NULL;
    point_ctx c = {&point, tn_kernels_select(), in->test, in->za, moved ? zb : in->zb, 0.0,
                   calloc((size_t)T, sizeof(tn_batch_work)), malloc(n), malloc(n * sizeof(double))};
    v->path = calloc((size_t)K + 1, sizeof *v->path);
    tn_status s = mix && c.zb && c.per_thread && c.pred && c.cost && v->path
                      ? tn_net_copy(&point, a, err)
                      : tn_fail(err, TN_ERR_NOMEM, "out of memory for the straight path");
    if (s == TN_OK && moved) arrange(zb, in->zb, n, a->sizes[1], v->alignment.perm[1], v->alignment.flip[1]);
    for (int t = 0; t < T && s == TN_OK; t++) s = tn_batch_work_init(&c.per_thread[t], a, POINT_CHUNK, err);
    if (s == TN_OK) {
        v->path_points = K + 1;
        v->path[0] = in->end_a;
        if (is_raw) v->path[K] = in->end_b;
    }
    for (uint32_t k = 1; k <= K - is_raw && s == TN_OK; k++) {
        c.t = (double)k / K;
        for (size_t i = 0; i < a->n_params; i++) mix[i] = (float)((1.0 - c.t) * in->pa[i] + c.t * pb[i]);
        tn_net_set_canonical(&point, mix);
        v->path[k] = evaluate_point(&c, in->pool);
    }
    for (uint32_t k = 0; k <= K && s == TN_OK; k++) {
        const tn_path_point *p = &v->path[k], *p0 = &v->path[0], *p1 = &v->path[K];
        double cost = p->cost - ((1 - p->t) * p0->cost + p->t * p1->cost);
        double error = p->error - ((1 - p->t) * p0->error + p->t * p1->error);
        v->cost_barrier = cost > v->cost_barrier ? cost : v->cost_barrier;
        v->error_barrier = error > v->error_barrier ? error : v->error_barrier;
    }
    for (int t = 0; c.per_thread && t < T; t++) tn_batch_work_free(&c.per_thread[t]);
    free(c.per_thread);
    free(c.pred);
    free(c.cost);
    free(mix);
    free(zb);
    tn_net_free(&point);
    return s;
}
