/* A pair of the stability study measured (tn_stability_pair): compare's raw view and its aligned
 * one (activation matching with sign flips where the activation has them: the one alignment every
 * summary uses), the error and cost barriers on the straight path, disagreement, and linear CKA of
 * the hidden activations; the values and the fingerprints they were measured on go to the journal. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "stability.h"
#include "sweep_files.h"

static const tn_stab_metric_desc metrics[TN_STAB_METRIC_COUNT] = {
    {"distance_raw", "dist raw", 1},
    {"distance_aligned", "dist aln", 1},
    {"cost_barrier_raw", "cost raw", 1},
    {"cost_barrier_aligned", "cost aln", 1},
    {"error_barrier_raw", "err raw", 100},
    {"error_barrier_aligned", "err aln", 100},
    {"disagreement", "disagr%", 100},
    {"cka", "CKA", 1},
};

const tn_stab_metric_desc *tn_stab_metric_info(tn_stab_metric m) { return (unsigned)m < TN_STAB_METRIC_COUNT ? &metrics[m] : NULL; }

/* Mean over hidden layers of linear CKA of a's and b's activations on ds (1 without a hidden layer). */
static tn_status mean_cka(const tn_net *a, const tn_net *b, const tn_dataset *ds, int threads, double *out, tn_error *err) {
    double sum = 0.0;
    int layers = 0;
    tn_status s = TN_OK;
    for (int l = 1; l < a->n_sizes - 1 && s == TN_OK; l++) {
        size_t n = (size_t)ds->n * a->sizes[l];
        float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        double cka = 0.0;
        if (!x || !y) s = tn_fail(err, TN_ERR_NOMEM, "out of memory for the activations");
        if (s == TN_OK) s = tn_layer_activations(a, ds, l, threads, x, err);
        if (s == TN_OK) s = tn_layer_activations(b, ds, l, threads, y, err);
        if (s == TN_OK) s = tn_linear_cka(x, y, ds->n, a->sizes[l], b->sizes[l], &cka, err);
        sum += cka;
        layers++;
        free(x);
        free(y);
    }
    *out = layers ? sum / layers : 1.0;
    return s;
}

/* A barrier within 1e-12 of the larger end cost is rounding ((1-t) c + t c != c): 0. */
static double barrier(const tn_compare_view *v, int error) {
    double x = error ? v->error_barrier : v->cost_barrier;
    double a = v->path_points ? fabs(error ? v->path[0].error : v->path[0].cost) : 0;
    double b = v->path_points ? fabs(error ? v->path[v->path_points - 1].error : v->path[v->path_points - 1].cost) : 0;
    return fabs(x) <= 1e-12 * (a > b ? a : b) ? 0.0 : x;
}

static tn_status record_pair(const tn_stability *st, uint32_t q, const char *fa, const char *fb, const double *values, tn_error *err) {
    tn_json j;
    tn_json_begin_mem(&j);
    tn_json_object(&j, NULL);
    tn_json_uint(&j, "pair", q);
    tn_json_string(&j, "a", fa);
    tn_json_string(&j, "b", fb);
    tn_json_array(&j, "values");
    for (int k = 0; k < TN_STAB_METRIC_COUNT; k++) tn_json_number(&j, NULL, values[k]);
    tn_json_end(&j);
    tn_json_end(&j);
    return tn_stability_journal_line(st, &j, err);
}

tn_status tn_stability_pair(const tn_stability *st, uint32_t q, const tn_dataset *test, int threads,
                            double values[TN_STAB_METRIC_COUNT], tn_error *err) {
    uint32_t P = tn_stability_perturbations(st);
    if (q >= tn_stability_pairs(st)) return tn_fail(err, TN_ERR_ARG, "stability: pair %u of %u", q, tn_stability_pairs(st));
    uint32_t ca = q / P * (P + 1), cb = ca + q % P + 1;
    char na[64], nb[64], fa[TN_HEX_SIZE], fb[TN_HEX_SIZE];
    tn_stability_child_name(st, ca, na);
    tn_stability_child_name(st, cb, nb);
    strcat(na, ".tnm");
    strcat(nb, ".tnm");
    tn_model a, b;
    tn_status s = tn_sweep_model_load(st->dir, na, &a, err);
    if (s != TN_OK) return s;
    if ((s = tn_sweep_model_load(st->dir, nb, &b, err)) != TN_OK) { tn_model_free(&a); return s; }
    tn_compare_options co;
    tn_compare_options_default(&co);
    co.points = st->path_points;
    co.threads = threads;
    co.light = 1;
    co.name_a = na;
    co.name_b = nb;
    tn_view aligned = tn_sign_symmetry(a.net.activation) ? TN_VIEW_ACTIVATIONS_FLIPS : TN_VIEW_ACTIVATIONS;
    co.views = 1u << TN_VIEW_RAW | 1u << aligned;
    tn_compare_result r;
    if ((s = tn_compare(&a, &b, NULL, test, &co, &r, err)) == TN_OK) {
        if (!r.view[aligned].done) aligned = TN_VIEW_RAW; /* no hidden layer: nothing to align */
        values[TN_STAB_DISTANCE_RAW] = r.view[TN_VIEW_RAW].distance.total.relative;
        values[TN_STAB_DISTANCE_ALIGNED] = r.view[aligned].distance.total.relative;
        values[TN_STAB_COST_BARRIER_RAW] = barrier(&r.view[TN_VIEW_RAW], 0);
        values[TN_STAB_COST_BARRIER_ALIGNED] = barrier(&r.view[aligned], 0);
        values[TN_STAB_ERROR_BARRIER_RAW] = barrier(&r.view[TN_VIEW_RAW], 1);
        values[TN_STAB_ERROR_BARRIER_ALIGNED] = barrier(&r.view[aligned], 1);
        values[TN_STAB_DISAGREEMENT] = r.test_total ? (double)r.disagree / r.test_total : NAN;
        tn_compare_result_free(&r);
        s = mean_cka(&a.net, &b.net, test, threads, &values[TN_STAB_CKA], err);
    }
    tn_net_fingerprint(&a.net, fa);
    tn_net_fingerprint(&b.net, fb);
    tn_model_free(&a);
    tn_model_free(&b);
    if (s == TN_OK) s = record_pair(st, q, fa, fb, values, err);
    return s;
}
