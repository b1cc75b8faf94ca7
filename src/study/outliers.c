/* A sweep's outlier runs (outliers.h): final test accuracy more than TN_OUTLIER_SDS robust sds
 * below the median of the sweep's runs; for each, the digits on which it is an outlier by the
 * same rule (its accuracy on the digit's test images against the other runs'), and the first
 * epoch from which it stayed below each epoch's own band. Plain sorts and sums in run order: the
 * same numbers give the same answer on every machine. */
#include <math.h>
#include <stdlib.h>

#include "json.h"
#include "outliers.h"
#include "sweep_files.h"

#define EPOCHS_TEXT_MAX ((size_t)64 << 20)

static int by_value(const void *p, const void *q) {
    double a = *(const double *)p, b = *(const double *)q;
    return (a > b) - (a < b);
}

static double median_of_sorted(const double *v, uint32_t m) { return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]); }

void tn_robust_spread(const double *x, uint32_t n, double min_sd, double *median, double *sd, uint32_t *m) {
    double *v = malloc((n ? n : 1) * sizeof *v);
    *m = 0;
    *median = *sd = NAN;
    if (!v) return;
    for (uint32_t k = 0; k < n; k++)
        if (isfinite(x[k])) v[(*m)++] = x[k];
    if (*m) {
        qsort(v, *m, sizeof *v, by_value);
        *median = median_of_sorted(v, *m);
        for (uint32_t k = 0; k < *m; k++) v[k] = fabs(v[k] - *median);
        qsort(v, *m, sizeof *v, by_value);
        *sd = 1.4826 * median_of_sorted(v, *m);
        *sd = *sd > min_sd ? *sd : min_sd;
    }
    free(v);
}

/* Median and sd of x[r] over the runs r of source v (stride: x[r * stride]), the sd at least the
 * sampling error of an accuracy near the median measured on `images` images; *m: the runs. */
static void band(const double *x, size_t stride, const tn_vary *source, tn_vary v, uint32_t n_runs, uint32_t images, double *col,
                 double *median, double *sd, uint32_t *m) {
    uint32_t k = 0;
    for (uint32_t r = 0; r < n_runs; r++)
        if (source[r] == v) col[k++] = x[(size_t)r * stride];
    tn_robust_spread(col, k, 0.0, median, sd, m);
    double p = *median, floor_sd = images && p > 0 && p < 1 ? sqrt(p * (1 - p) / images) : 0.0;
    *sd = *sd > floor_sd ? *sd : floor_sd;
}

static int below(double x, double median, double sd, uint32_t m) {
    return m >= 3 && isfinite(x) && x < median - TN_OUTLIER_SDS * sd;
}

/* The first epoch (1-based) from which run r stays below its source's band; 0 if its last is not. */
static uint32_t fell_behind(const tn_outlier_data *d, uint32_t r, double *col) {
    uint32_t from = 0;
    for (uint32_t e = d->epochs; e-- > 0;) {
        double median, sd;
        uint32_t m;
        band(d->per_epoch + e, d->epochs, d->source, d->source[r], d->n_runs, d->n_test, col, &median, &sd, &m);
        if (!below(d->per_epoch[(size_t)r * d->epochs + e], median, sd, m)) break;
        from = e + 1;
    }
    return from;
}

tn_status tn_outliers_find(const tn_outlier_data *d, tn_outliers *res, tn_error *err) {
    memset(res, 0, sizeof *res);
    res->epochs = d->per_epoch ? d->epochs : 0;
    double *col = malloc((d->n_runs ? d->n_runs : 1) * sizeof *col);
    if (!col) return tn_fail(err, TN_ERR_NOMEM, "out of memory for the outliers");
    for (int v = 0; v < TN_VARY_COUNT; v++) {
        band(d->acc, 1, d->source, (tn_vary)v, d->n_runs, d->n_test, col, &res->median[v], &res->sd[v], &res->source_runs[v]);
        for (uint32_t r = 0; r < d->n_runs; r++)
            res->source_outliers[v] += d->source[r] == (tn_vary)v && below(d->acc[r], res->median[v], res->sd[v], res->source_runs[v]);
        res->n += res->source_outliers[v];
    }
    if (res->n && !(res->run = calloc(res->n, sizeof *res->run))) {
        free(col);
        res->n = 0;
        return tn_fail(err, TN_ERR_NOMEM, "out of memory for the outliers");
    }
    double digit_sd[TN_VARY_COUNT][TN_OUTLIER_DIGITS];
    for (int v = 0; v < TN_VARY_COUNT; v++)
        for (uint32_t g = 0; g < TN_OUTLIER_DIGITS; g++) {
            uint32_t m;
            res->digit_median[v][g] = digit_sd[v][g] = NAN;
            if (res->source_outliers[v])
                band(d->digit + g, TN_OUTLIER_DIGITS, d->source, (tn_vary)v, d->n_runs, d->digit_images[g], col,
                     &res->digit_median[v][g], &digit_sd[v][g], &m);
        }
    for (uint32_t r = 0, k = 0; r < d->n_runs; r++) {
        tn_vary v = d->source[r];
        if (!below(d->acc[r], res->median[v], res->sd[v], res->source_runs[v])) continue;
        tn_outlier_run *o = &res->run[k++];
        o->run = r;
        o->accuracy = d->acc[r];
        o->sds_below = (res->median[v] - d->acc[r]) / res->sd[v];
        for (uint32_t g = 0; g < TN_OUTLIER_DIGITS; g++) {
            o->digit_accuracy[g] = d->digit[(size_t)r * TN_OUTLIER_DIGITS + g];
            if (below(o->digit_accuracy[g], res->digit_median[v][g], digit_sd[v][g], res->source_runs[v])) o->failed |= 1u << g;
        }
        o->from_epoch = d->per_epoch ? fell_behind(d, r, col) : 0;
    }
    free(col);
    return TN_OK;
}

void tn_outliers_free(tn_outliers *res) {
    free(res->run);
    res->run = NULL;
    res->n = 0;
}

tn_status tn_sweep_run_epochs(const tn_sweep *sw, uint32_t r, double **accuracy, uint32_t *epochs, int *diverged,
                              tn_error *err) {
    char name[32], file[48];
    uint8_t *bytes;
    size_t size;
    tn_sweep_run_name(sw, r, name);
    snprintf(file, sizeof file, "%s.epochs.jsonl", name);
    *accuracy = NULL;
    *epochs = 0;
    *diverged = 0;
    tn_status s = tn_sweep_file_read(sw->dir, file, EPOCHS_TEXT_MAX, &bytes, &size, err);
    if (s != TN_OK) return s;
    size_t lines = 1;
    for (size_t k = 0; k < size; k++) lines += bytes[k] == '\n';
    if (!(*accuracy = calloc(lines, sizeof **accuracy))) { free(bytes); return tn_fail(err, TN_ERR_NOMEM, "out of memory"); }
    for (size_t at = 0, end; at < size; at = end + 1) {
        for (end = at; end < size && bytes[end] != '\n'; end++) {}
        tn_json_doc doc;
        if (end == at || tn_json_parse(file, (const char *)bytes + at, end - at, &doc, NULL) != TN_OK) continue;
        const tn_json_value *e = tn_json_get(doc.root, "epoch"), *a = tn_json_get(doc.root, "test_accuracy"),
                            *dv = tn_json_get(doc.root, "diverged");
        if (e && a && e->kind == TN_JSON_NUMBER && a->kind == TN_JSON_NUMBER && e->number == *epochs + 1)
            (*accuracy)[(*epochs)++] = a->number;
        *diverged |= dv && dv->kind == TN_JSON_TRUE;
        tn_json_doc_free(&doc);
    }
    free(bytes);
    return TN_OK;
}

/* Run r's model on test: its accuracy, and on each digit's images (NaN when it has none). */
static tn_status evaluate(const tn_sweep *sw, uint32_t r, const tn_dataset *test, int threads, uint8_t *pred, double *acc,
                          double *digit, tn_error *err) {
    tn_model m;
    tn_status s = tn_sweep_load_run(sw, r, &m, err);
    if (s != TN_OK) return s;
    uint32_t right[TN_OUTLIER_DIGITS] = {0}, seen[TN_OUTLIER_DIGITS] = {0}, correct = 0;
    if (tn_net_count_non_finite(&m.net) == 0 && (s = tn_predict_all(&m.net, test, threads, pred, NULL, err)) == TN_OK) {
        for (uint32_t e = 0; e < test->n; e++) {
            uint8_t y = test->labels[e];
            correct += pred[e] == y;
            if (y < TN_OUTLIER_DIGITS) { seen[y]++; right[y] += pred[e] == y; }
        }
        *acc = test->n ? (double)correct / test->n : NAN;
    }
    for (int d = 0; d < TN_OUTLIER_DIGITS; d++) digit[d] = seen[d] && isfinite(*acc) ? (double)right[d] / seen[d] : NAN;
    tn_model_free(&m);
    return s;
}

tn_status tn_sweep_outliers(const tn_sweep *sw, const tn_dataset *test, int threads, tn_outliers *res, tn_error *err) {
    uint32_t n = tn_sweep_total(sw), epochs = 0;
    double *acc = malloc(n * sizeof *acc), *digit = malloc((size_t)n * TN_OUTLIER_DIGITS * sizeof *digit), *per_epoch = NULL;
    double **runs = calloc(n, sizeof *runs);
    uint32_t *count = calloc(n, sizeof *count);
    tn_vary *source = malloc(n * sizeof *source);
    uint8_t *pred = malloc(test->n ? test->n : 1);
    tn_status s = acc && digit && runs && count && source && pred ? TN_OK : tn_fail(err, TN_ERR_NOMEM, "out of memory");
    memset(res, 0, sizeof *res);
    for (uint32_t r = 0; r < n && s == TN_OK; r++) {
        int diverged;
        acc[r] = NAN;
        source[r] = sw->sources[r / sw->runs];
        if ((s = tn_sweep_run_epochs(sw, r, &runs[r], &count[r], &diverged, err)) != TN_OK) break;
        if (!diverged) s = evaluate(sw, r, test, threads, pred, &acc[r], digit + (size_t)r * TN_OUTLIER_DIGITS, err);
        else for (int d = 0; d < TN_OUTLIER_DIGITS; d++) digit[(size_t)r * TN_OUTLIER_DIGITS + d] = NAN;
        epochs = count[r] > epochs ? count[r] : epochs;
    }
    if (s == TN_OK && epochs && !(per_epoch = malloc((size_t)n * epochs * sizeof *per_epoch))) s = tn_fail(err, TN_ERR_NOMEM, "out of memory");
    for (uint32_t r = 0; per_epoch && r < n; r++)
        for (uint32_t e = 0; e < epochs; e++) per_epoch[(size_t)r * epochs + e] = e < count[r] && isfinite(acc[r]) ? runs[r][e] : NAN;
    tn_outlier_data data = {acc, digit, per_epoch, epochs, n, test->n, {0}, source};
    for (uint32_t e = 0; e < test->n; e++)
        if (test->labels[e] < TN_OUTLIER_DIGITS) data.digit_images[test->labels[e]]++;
    if (s == TN_OK) s = tn_outliers_find(&data, res, err);
    for (uint32_t r = 0; runs && r < n; r++) free(runs[r]);
    free(acc); free(digit); free(per_epoch); free(runs); free(count); free(source); free(pred);
    return s;
}

const char tn_outlier_rule[] = "more than 3 sd below the median test accuracy of the runs of its source (sd robust: 1.4826 "
                               "times the median absolute deviation, at least the test set's sampling error)";

size_t tn_outlier_words(const tn_sweep *sw, const tn_outliers *o, const tn_outlier_run *x, char *buf, size_t cap) {
    char name[32];
    size_t n = 0;
    tn_vary v = sw->sources[x->run / sw->runs];
#define SAY(...) (n += (size_t)snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, __VA_ARGS__))
    tn_sweep_run_name(sw, x->run, name);
    SAY("%s: test accuracy %.2f%%, %.0f sd below the median of %s runs (%.2f%%)", name, 100 * x->accuracy, x->sds_below,
        tn_vary_names[v], 100 * o->median[v]);
    if (!x->failed) SAY("; no digit stands out");
    for (int d = 0, k = 0; d < TN_OUTLIER_DIGITS; d++)
        if (x->failed >> d & 1)
            SAY("%s%d (%.1f%% right, median %.1f%%)", k++ ? ", " : "; fails the digit ", d, 100 * x->digit_accuracy[d],
                100 * o->digit_median[v][d]);
    if (x->from_epoch) SAY("; below the others from epoch %u to the end", x->from_epoch);
    else SAY("; from which epoch is not known (%s)", o->epochs ? "it was not below the others at every epoch to the end"
                                                                : "the run's per-epoch test accuracy is not recorded");
#undef SAY
    return n;
}

size_t tn_outlier_source_words(const tn_outliers *o, tn_vary v, char *buf, size_t cap) {
    return (size_t)snprintf(buf, cap, "%s: %u of %u runs (median %.2f%%, sd %.2f points)", tn_vary_names[v], o->source_outliers[v],
                            o->source_runs[v], 100 * o->median[v], 100 * o->sd[v]);
}
