/* diverge: reads two training traces in step order and reports where they first differ,
 * the distance between the runs at every common trace point, and which parameter parted
 * first. Distances are accumulated in double in canonical order. */
#include <math.h>
#include <stdlib.h>

#include "trace.h"

static void compare_params(const float *a, const float *b, uint64_t n, tn_diverge_point *pt, uint64_t *first) {
    double sum = 0.0, norm = 0.0, max_abs = 0.0;
    uint64_t differing = 0;
    *first = UINT64_MAX;
    for (uint64_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        sum += d * d;
        norm += (double)a[i] * a[i];
        if (fabs(d) > max_abs) max_abs = fabs(d);
        if (tn_f2u(a[i]) != tn_f2u(b[i])) {
            if (*first == UINT64_MAX) *first = i;
            differing++;
        }
    }
    pt->l2 = sqrt(sum);
    pt->relative = norm > 0 ? sqrt(sum / norm) : 0.0;
    pt->max_abs = max_abs;
    pt->differing = differing;
}

tn_status tn_diverge(const char *path_a, const char *path_b, tn_diverge_result *res, tn_error *err) {
    memset(res, 0, sizeof *res);
    tn_trace_reader ra, rb;
    tn_status s = tn_trace_reader_open(&ra, path_a, err);
    if (s != TN_OK) return s;
    if ((s = tn_trace_reader_open(&rb, path_b, err)) != TN_OK) { tn_trace_reader_close(&ra); return s; }
    if (ra.n_sizes != rb.n_sizes || memcmp(ra.sizes, rb.sizes, sizeof ra.sizes) != 0) {
        s = tn_fail(err, TN_ERR_FORMAT, "%s: the network's sizes differ from those in %s", path_b, path_a);
        goto done;
    }
    if (!ra.has_params || !rb.has_params) {
        s = tn_fail(err, TN_ERR_FORMAT, "%s: trace holds no parameters", ra.has_params ? path_b : path_a);
        goto done;
    }
    res->n_sizes = ra.n_sizes;
    memcpy(res->sizes, ra.sizes, sizeof res->sizes);
    float *pa = malloc(ra.n_params * sizeof(float)), *pb = malloc(ra.n_params * sizeof(float));
    size_t cap = 0;
    if (!pa || !pb) { s = tn_fail(err, TN_ERR_NOMEM, "out of memory"); goto freeparams; }
    tn_trace_point ta, tb;
    int have_a, have_b;
    if ((s = tn_trace_reader_next(&ra, &ta, pa, &have_a, err)) != TN_OK) goto freeparams;
    if ((s = tn_trace_reader_next(&rb, &tb, pb, &have_b, err)) != TN_OK) goto freeparams;
    uint64_t last_step_a = 0, last_step_b = 0;
    int seen_a = 0, seen_b = 0;
    while (have_a && have_b) {
        /* steps must rise within a trace: otherwise it is corrupt */
        if ((seen_a && ta.step <= last_step_a) || (seen_b && tb.step <= last_step_b)) {
            s = tn_fail(err, TN_ERR_FORMAT, "%s: corrupt trace: steps out of order", seen_a && ta.step <= last_step_a ? path_a : path_b);
            goto freeparams;
        }
        if (ta.step == tb.step) {
            if (res->n_points == cap) {
                size_t grow = cap ? cap * 2 : 64;
                tn_diverge_point *bigger = realloc(res->points, grow * sizeof *bigger);
                if (!bigger) { s = tn_fail(err, TN_ERR_NOMEM, "out of memory"); goto freeparams; }
                res->points = bigger;
                cap = grow;
            }
            tn_diverge_point *pt = &res->points[res->n_points++];
            uint64_t first;
            pt->step = ta.step;
            pt->epoch = ta.epoch;
            compare_params(pa, pb, ra.n_params, pt, &first);
            pt->equal = pt->differing == 0; /* the parameters decide, bit for bit */
            if (pt->equal && !res->diverged) { res->has_last_equal = 1; res->last_equal_step = pt->step; }
            if (!pt->equal && !res->diverged) {
                res->diverged = 1;
                res->first_diverging_step = pt->step;
                if (first != UINT64_MAX) {
                    res->first_index = first;
                    res->first_a = pa[first];
                    res->first_b = pb[first];
                    tn_param_position(res->sizes, res->n_sizes, first, &res->first_layer, &res->first_is_bias,
                                      &res->first_row, &res->first_col);
                }
            }
        }
        int advance_a = ta.step <= tb.step, advance_b = tb.step <= ta.step;
        if (advance_a) { last_step_a = ta.step; seen_a = 1; if ((s = tn_trace_reader_next(&ra, &ta, pa, &have_a, err)) != TN_OK) goto freeparams; }
        if (advance_b) { last_step_b = tb.step; seen_b = 1; if ((s = tn_trace_reader_next(&rb, &tb, pb, &have_b, err)) != TN_OK) goto freeparams; }
    }
    if (res->n_points == 0) s = tn_fail(err, TN_ERR_FORMAT, "%s and %s have no step in common", path_a, path_b);
freeparams:
    free(pa);
    free(pb);
done:
    tn_trace_reader_close(&ra);
    tn_trace_reader_close(&rb);
    if (s != TN_OK) tn_diverge_result_free(res);
    return s;
}

void tn_diverge_result_free(tn_diverge_result *res) {
    free(res->points);
    res->points = NULL;
    res->n_points = 0;
}
