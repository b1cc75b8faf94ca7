/* A sweep's attribution table: for each source of randomness, how much the runs it produced
 * differ, in accuracy and cost (mean, standard deviation), and pair by pair in function
 * (disagreement, output correlation, what averaging two models gains) and in parameters
 * (relative distance and loss barrier along the straight path, raw and aligned by activation matching).
 * Every sum has a fixed order (runs, then pairs i < j, in index order), so the table depends
 * on the sweep only. Pairs per source are all of them up to max_pairs, else a deterministic
 * choice (every stride-th pair in order), and every mean comes with its standard error. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "attribution.h"
#include "json.h"
#include "similarity.h"
#include "sweep_files.h"

/* The pair metrics, in tn_pair_metric's order: what each consumer needs to name and show one. */
static const tn_pair_metric_desc pair_metrics[TN_PAIR_METRIC_COUNT] = {
    [TN_PAIR_DISAGREEMENT] = {"disagreement", "disagree%", "disagreement", "% of test images", 100, "%#9.3g", "%.2f"},
    [TN_PAIR_OUTPUT_CORRELATION] = {"output_correlation", "out corr", "output correlation", "", 1, "%#9.3g", "%.4f"},
    [TN_PAIR_ENSEMBLE_GAIN] = {"ensemble_gain", "ens gain", "ensemble gain", "points", 100, "%#9.3g", "%.2f"},
    /* raw and aligned beside each other: the text table heads them "distance" and "cost barrier" (the labels' first words) */
    [TN_PAIR_DISTANCE_RAW] = {"distance_raw", "raw", "distance raw", "&Vert;A&minus;B&Vert;/&Vert;A&Vert;", 1, "%#9.3g", "%.3g"},
    [TN_PAIR_DISTANCE_ALIGNED] = {"distance_aligned", "aligned", "distance aligned", "", 1, "%#9.3g", "%.3g"},
    [TN_PAIR_BARRIER_RAW] = {"barrier_raw", "raw", "cost barrier raw", "", 1, "%#9.3g", "%.3g"},
    [TN_PAIR_BARRIER_ALIGNED] = {"barrier_aligned", "aligned", "cost barrier aligned", "", 1, "%#9.3g", "%.3g"},
};

const tn_pair_metric_desc *tn_pair_metric_info(tn_pair_metric m) {
    return (unsigned)m < TN_PAIR_METRIC_COUNT && pair_metrics[m].name ? &pair_metrics[m] : NULL;
}

/* Welford's running mean and sum of squared deviations: equal values give exactly 0 (the
 * control's row must show no variance, not rounding noise). */
typedef struct { double mu, m2; uint32_t n; } moments;

static void add(moments *m, double x) {
    double d = x - m->mu;
    m->n++;
    m->mu += d / m->n;
    m->m2 += d * (x - m->mu);
}
static double mean(const moments *m) { return m->n ? m->mu : NAN; } /* of nothing: not a number */
/* Sample standard deviation (n - 1), 0 for fewer than two values. */
static double stddev(const moments *m) { return !m->n ? NAN : m->n > 1 && m->m2 > 0 ? sqrt(m->m2 / (m->n - 1)) : 0.0; }
static void stat_of(const moments *m, tn_stat *s) {
    s->mean = mean(m);
    s->stderr_ = !m->n ? NAN : m->n > 1 ? stddev(m) / sqrt((double)m->n) : 0.0;
}

typedef struct {
    char *path;            /* DIR/NAME.tnm, for messages (malloc'd) */
    tn_model model;
    int diverged;          /* training stopped non-finite, or a parameter is not finite */
    float *out;            /* (n, n_out) outputs on the test set */
    uint8_t *pred;
} run_data;

static void free_run(run_data *d) {
    tn_model_free(&d->model);
    free(d->out);
    free(d->pred);
    free(d->path);
    memset(d, 0, sizeof *d);
}

/* Loads run r's model and its outputs on the test set; with m, also its own measurements. */
static tn_status load_run(const tn_sweep *sw, uint32_t r, const tn_dataset *test, int threads, run_data *d,
                          tn_run_metrics *m, tn_error *err) {
    char name[32], file[48];
    tn_sweep_run_name(sw, r, name);
    snprintf(file, sizeof file, "%s.tnm", name);
    size_t len = strlen(sw->dir) + strlen(file) + 2;
    if (!(d->path = malloc(len))) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    snprintf(d->path, len, "%s/%s", sw->dir, file);
    tn_status s = tn_sweep_model_load(sw->dir, file, &d->model, err);
    if (s != TN_OK) return s;
    /* A model put in the sweep's place (its fingerprint forged in the record) is a data error that
     * names the file, not two models' mismatch. */
    const tn_config *c = &d->model.config, *want = &sw->base;
    int same = c->n_sizes == want->n_sizes && c->activation == want->activation && c->cost == want->cost;
    for (int l = 0; same && l < c->n_sizes; l++) same = c->sizes[l] == want->sizes[l];
    if (!same) return tn_fail(err, TN_ERR_FORMAT, "%s: not a model of this sweep (its layer widths, activation or cost "
                              "differ from the sweep's): redo the run (remove it and run the sweep's command again)", d->path);
    d->diverged = d->model.stop == TN_STOP_NON_FINITE || tn_net_count_non_finite(&d->model.net) > 0;
    if (m) m->diverged = d->diverged;
    uint32_t n_out = d->model.net.sizes[d->model.net.n_sizes - 1];
    d->out = malloc((size_t)test->n * n_out * sizeof(float));
    d->pred = malloc(test->n);
    if (!d->out || !d->pred) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    if ((s = tn_predict_all(&d->model.net, test, threads, d->pred, d->out, err)) != TN_OK || !m) return s;
    tn_eval_result e = {0};
    if ((s = tn_evaluate(&d->model.net, test, threads, &e, err)) != TN_OK) return s;
    m->accuracy = (double)e.correct / e.total;
    m->cost = e.cost;
    m->diverged |= !isfinite(e.cost);
    tn_net_fingerprint(&d->model.net, m->fingerprint);
    return TN_OK;
}

/* Function: disagreement, Pearson correlation of the output vectors, and the accuracy of the
 * average of the two outputs minus the mean of the two accuracies. */
static void pair_function(const run_data *a, const run_data *b, const tn_dataset *test, tn_pair_metrics *m) {
    uint32_t n_out = a->model.net.sizes[a->model.net.n_sizes - 1], differ = 0, ens = 0, ra = 0, rb = 0;
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    size_t n = (size_t)test->n * n_out;
    for (size_t k = 0; k < n; k++) {
        double x = a->out[k], y = b->out[k];
        sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
    }
    for (uint32_t e = 0; e < test->n; e++) {
        const float *oa = a->out + (size_t)e * n_out, *ob = b->out + (size_t)e * n_out;
        uint32_t best = 0;
        for (uint32_t k = 1; k < n_out; k++)
            if ((double)oa[k] + ob[k] > (double)oa[best] + ob[best]) best = k;
        ens += best == test->labels[e];
        differ += a->pred[e] != b->pred[e];
        ra += a->pred[e] == test->labels[e];
        rb += b->pred[e] == test->labels[e];
    }
    double cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n;
    m->v[TN_PAIR_DISAGREEMENT] = (double)differ / test->n;
    m->v[TN_PAIR_OUTPUT_CORRELATION] = va > 0 && vb > 0 ? cov / sqrt(va * vb) : 1.0;
    m->v[TN_PAIR_ENSEMBLE_GAIN] = ((double)ens - 0.5 * ((double)ra + rb)) / test->n;
}

/* A barrier within 1e-12 of the larger end cost is rounding (the control's identical runs give
 * 4.4e-16 from (1-t) c + t c != c): it is 0, as the table and the page then say. */
static double rounding_zero(const tn_compare_view *v) {
    double a = v->path_points ? fabs(v->path[0].cost) : 0, b = v->path_points ? fabs(v->path[v->path_points - 1].cost) : 0;
    return fabs(v->cost_barrier) <= 1e-12 * (a > b ? a : b) ? 0.0 : v->cost_barrier;
}

/* Parameters: relative distance and the test cost's barrier, raw and aligned: activation matching
 * with sign flips where the activation has them (the one alignment of every summary). */
static tn_status pair_parameters(const tn_sweep *sw, const run_data *a, const run_data *b, const tn_dataset *test,
                                 const tn_attribution_options *opt, tn_pair_metrics *m, tn_error *err) {
    tn_compare_options co;
    tn_compare_options_default(&co);
    co.points = opt->path_points;
    co.threads = opt->threads;
    co.light = 1;
    co.name_a = a->path;
    co.name_b = b->path;
    co.views = 1u << TN_VIEW_RAW | 1u << (tn_sign_symmetry(sw->base.activation) ? TN_VIEW_ACTIVATIONS_FLIPS : TN_VIEW_ACTIVATIONS);
    tn_compare_result r;
    tn_status s = tn_compare(&a->model, &b->model, NULL, test, &co, &r, err);
    if (s == TN_ERR_ARG) s = TN_ERR_FORMAT; /* two of the sweep's files that do not go together: data, not usage */
    if (s != TN_OK) return s;
    tn_view aligned = r.view[TN_VIEW_ACTIVATIONS_FLIPS].done ? TN_VIEW_ACTIVATIONS_FLIPS : TN_VIEW_ACTIVATIONS;
    if (!r.view[aligned].done) aligned = TN_VIEW_RAW; /* no hidden layer: nothing to align */
    m->v[TN_PAIR_DISTANCE_RAW] = r.view[TN_VIEW_RAW].distance.total.relative;
    m->v[TN_PAIR_DISTANCE_ALIGNED] = r.view[aligned].distance.total.relative;
    m->v[TN_PAIR_BARRIER_RAW] = rounding_zero(&r.view[TN_VIEW_RAW]);
    m->v[TN_PAIR_BARRIER_ALIGNED] = rounding_zero(&r.view[aligned]);
    tn_compare_result_free(&r);
    return TN_OK;
}

/* ---- which pairs: per source, all of them up to max_pairs, else every stride-th in order ------ */
static uint64_t pair_stride(const tn_sweep *sw, const tn_attribution_options *opt) {
    uint64_t all = (uint64_t)sw->runs * (sw->runs - 1) / 2;
    return opt->max_pairs && all > opt->max_pairs ? (all + opt->max_pairs - 1) / opt->max_pairs : 1;
}

uint64_t tn_sweep_pairs(const tn_sweep *sw, const tn_attribution_options *opt) {
    uint64_t all = (uint64_t)sw->runs * (sw->runs - 1) / 2, stride = pair_stride(sw, opt);
    return (uint64_t)sw->n_sources * ((all + stride - 1) / stride);
}

/* Pair p's source and runs (i < j within the source). */
static void pair_runs(const tn_sweep *sw, const tn_attribution_options *opt, uint64_t p, int *src, uint32_t *i, uint32_t *j) {
    uint64_t per = tn_sweep_pairs(sw, opt) / (uint64_t)sw->n_sources, k = p % per * pair_stride(sw, opt);
    *src = (int)(p / per);
    uint32_t a = 0;
    while (k >= sw->runs - 1 - a) { k -= sw->runs - 1 - a; a++; }
    *i = a;
    *j = a + 1 + (uint32_t)k;
}

static tn_status stopped(const tn_sweep *sw, tn_error *err) {
    return tn_fail(err, TN_ERR_IO, "%s: interrupted in the pairwise comparisons: nothing of them is kept", sw->dir);
}

tn_status tn_sweep_measure(const tn_sweep *sw, const tn_dataset *test, const tn_attribution_options *opt, uint32_t part,
                           uint32_t parts, tn_run_metrics *runs, tn_pair_metrics *pairs, tn_error *err) {
    uint32_t total = tn_sweep_total(sw);
    uint64_t n_pairs = tn_sweep_pairs(sw, opt);
    run_data *cache = calloc(sw->runs, sizeof *cache);
    if (!cache) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    tn_status s = TN_OK;
    uint64_t mine = (total - part + parts - 1) / parts + (n_pairs > part ? (n_pairs - part + parts - 1) / parts : 0);
    tn_progress progress = {opt->progress, opt->progress_user, "runs", 0, mine};
    for (uint32_t r = part; r < total && s == TN_OK; r += parts, tn_progress_add(&progress, 1)) {
        run_data d = {0};
        if (opt->stop_flag && *opt->stop_flag) { s = stopped(sw, err); break; }
        s = load_run(sw, r, test, opt->threads, &d, &runs[r], err);
        free_run(&d);
    }
    int cached = -1; /* the source whose runs are in cache */
    progress.stage = "pairs";
    for (uint64_t p = part; p < n_pairs && s == TN_OK; p += parts, tn_progress_add(&progress, 1)) {
        int src;
        uint32_t i, j;
        if (opt->stop_flag && *opt->stop_flag) { s = stopped(sw, err); break; }
        pair_runs(sw, opt, p, &src, &i, &j);
        if (src != cached) {
            for (uint32_t k = 0; k < sw->runs; k++) free_run(&cache[k]);
            cached = src;
        }
        for (uint32_t k = 0; k < 2 && s == TN_OK; k++) {
            uint32_t x = k ? j : i;
            if (!cache[x].out) s = load_run(sw, (uint32_t)src * sw->runs + x, test, opt->threads, &cache[x], NULL, err);
        }
        if (s != TN_OK) break;
        if (cache[i].diverged || cache[j].diverged) { /* not compared: the table leaves the pair out */
            for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) pairs[p].v[k] = NAN;
            continue;
        }
        pair_function(&cache[i], &cache[j], test, &pairs[p]);
        s = pair_parameters(sw, &cache[i], &cache[j], test, opt, &pairs[p], err);
    }
    for (uint32_t k = 0; k < sw->runs; k++) free_run(&cache[k]);
    free(cache);
    return s;
}

void tn_sweep_table(const tn_sweep *sw, const tn_attribution_options *opt, const tn_run_metrics *runs,
                    const tn_pair_metrics *pairs, tn_attribution_row *rows) {
    uint64_t per = tn_sweep_pairs(sw, opt) / (uint64_t)sw->n_sources;
    for (int src = 0; src < sw->n_sources; src++) {
        tn_attribution_row *row = &rows[src];
        memset(row, 0, sizeof *row);
        row->source = sw->sources[src];
        row->runs = sw->runs;
        moments acc = {0}, cost = {0}, m[TN_PAIR_METRIC_COUNT];
        memset(m, 0, sizeof m);
        const tn_run_metrics *first = &runs[(uint32_t)src * sw->runs];
        for (uint32_t i = 0; i < sw->runs; i++) {
            const tn_run_metrics *r = &first[i];
            int seen = 0;
            for (uint32_t j = 0; j < i; j++) seen |= strcmp(r->fingerprint, first[j].fingerprint) == 0;
            row->fingerprints += !seen;
            if (r->diverged) { row->diverged++; continue; } /* a state, not a number: left out of the means */
            add(&acc, r->accuracy);
            add(&cost, r->cost);
        }
        for (uint64_t p = (uint64_t)src * per; p < (uint64_t)(src + 1) * per; p++) {
            int s2;
            uint32_t i, j;
            pair_runs(sw, opt, p, &s2, &i, &j);
            if (first[i].diverged || first[j].diverged) continue;
            row->pairs++;
            for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) add(&m[k], pairs[p].v[k]);
        }
        for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) stat_of(&m[k], &row->metric[k]);
        row->accuracy_mean = mean(&acc);
        row->accuracy_std = stddev(&acc);
        row->cost_mean = mean(&cost);
        row->cost_std = stddev(&cost);
    }
}

tn_status tn_sweep_attribution(const tn_sweep *sw, const tn_dataset *test, const tn_attribution_options *opt,
                               tn_attribution_row *rows, tn_error *err) {
    tn_run_metrics *runs = calloc(tn_sweep_total(sw), sizeof *runs);
    tn_pair_metrics *pairs = calloc(tn_sweep_pairs(sw, opt) + 1, sizeof *pairs);
    tn_status s = runs && pairs ? tn_sweep_measure(sw, test, opt, 0, 1, runs, pairs, err) : tn_fail(err, TN_ERR_NOMEM, "out of memory");
    if (s == TN_OK) tn_sweep_table(sw, opt, runs, pairs, rows);
    free(runs);
    free(pairs);
    return s;
}

/* ---- the table as files: DIR/attribution.csv and DIR/attribution.json ------------------------- */
void tn_attribution_row_open(tn_json *j, const tn_attribution_row *r) {
    tn_json_object(j, NULL);
    tn_json_string(j, "source", tn_vary_names[r->source]);
    tn_json_uint(j, "runs", r->runs);
    tn_json_uint(j, "pairs", r->pairs);
    tn_json_uint(j, "fingerprints", r->fingerprints);
    tn_json_uint(j, "diverged", r->diverged);
}

void tn_attribution_columns(tn_attribution_column col[TN_ATTRIBUTION_NUMBERS]) {
    static const tn_attribution_column runs[4] = {{"accuracy_mean", offsetof(tn_attribution_row, accuracy_mean)},
                                                  {"accuracy_std", offsetof(tn_attribution_row, accuracy_std)},
                                                  {"cost_mean", offsetof(tn_attribution_row, cost_mean)},
                                                  {"cost_std", offsetof(tn_attribution_row, cost_std)}};
    memcpy(col, runs, sizeof runs);
    for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) {
        size_t at = offsetof(tn_attribution_row, metric) + (size_t)k * sizeof(tn_stat);
        tn_attribution_column *mean = &col[4 + 2 * k], *se = mean + 1;
        snprintf(mean->name, sizeof mean->name, "%s", pair_metrics[k].name);
        snprintf(se->name, sizeof se->name, "%s_se", pair_metrics[k].name);
        mean->offset = at + offsetof(tn_stat, mean);
        se->offset = at + offsetof(tn_stat, stderr_);
    }
}

/* Both files from the same numbers: a CSV cell "%.9g" each, and a JSON member through the
 * library's writer (the same digits; null when a number is not finite: JSON has neither NaN nor
 * infinity). */
tn_status tn_sweep_write_table(const tn_sweep *sw, const tn_attribution_row *rows, tn_error *err) {
    char *csv = NULL;
    size_t csv_len = 0;
    FILE *c = open_memstream(&csv, &csv_len);
    if (!c) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    tn_json j;
    tn_json_begin_mem(&j);
    tn_attribution_column col[TN_ATTRIBUTION_NUMBERS];
    tn_attribution_columns(col);
    fprintf(c, "source,runs,pairs,fingerprints,diverged");
    for (size_t k = 0; k < TN_ATTRIBUTION_NUMBERS; k++) fprintf(c, ",%s", col[k].name);
    fprintf(c, "\n");
    tn_json_object(&j, NULL);
    tn_json_array(&j, "sources");
    tn_json_newline(&j);
    for (int s = 0; s < sw->n_sources; s++) {
        const tn_attribution_row *r = &rows[s];
        fprintf(c, "%s,%u,%u,%u,%u", tn_vary_names[r->source], r->runs, r->pairs, r->fingerprints, r->diverged);
        tn_attribution_row_open(&j, r);
        for (size_t k = 0; k < TN_ATTRIBUTION_NUMBERS; k++) {
            double v = *(const double *)((const char *)r + col[k].offset);
            fprintf(c, ",%.9g", v);
            tn_json_number(&j, col[k].name, v);
        }
        tn_json_end(&j);
        tn_json_newline(&j);
        fprintf(c, "\n");
    }
    tn_json_end(&j);
    tn_json_end(&j);
    tn_json_newline(&j);
    size_t js_len;
    char *js = tn_json_take(&j, &js_len);
    int bad = fclose(c) != 0 || !csv || !js;
    tn_status st = bad ? tn_fail(err, TN_ERR_NOMEM, "out of memory") : tn_sweep_file_write(sw->dir, "attribution.csv", csv, csv_len, err);
    if (st == TN_OK) st = tn_sweep_file_write(sw->dir, "attribution.json", js, js_len, err);
    free(csv);
    free(js);
    return st;
}
