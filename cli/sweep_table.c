/* The end of twinnet sweep, the same for one process, a merge of shards and MPI's rank 0: the
 * manifest written whole, the attribution table's files, and the table on standard output as text
 * (each mean over pairs with its standard error beneath) or as JSON. */
#include <string.h>

#include "json.h"
#include "sweep.h"

void sweep_settle(const tn_sweep *sw, const char *key, char (*fingerprints)[65]) {
    tn_error err;
    tn_status s = tn_sweep_write_manifest(sw, key, fingerprints, &err);
    if (s == TN_OK) s = tn_sweep_clear_shards(sw, &err);
    if (s != TN_OK) die_err(s, &err);
}

/* A row's seven means over pairs, in the table's order. */
static const char *const pair_names[7] = {"disagreement", "output_correlation", "ensemble_gain", "distance_raw",
                                          "distance_aligned", "barrier_raw", "barrier_aligned"};
static void pair_stats(const tn_attribution_row *r, const tn_stat *st[7]) {
    const tn_stat *all[7] = {&r->disagreement, &r->output_correlation, &r->ensemble_gain, &r->distance_raw,
                             &r->distance_aligned, &r->barrier_raw, &r->barrier_aligned};
    memcpy(st, all, sizeof all);
}

/* The means (or their standard errors), scaled as the text shows them. */
static void pair_columns(const tn_attribution_row *r, int se, double v[7]) {
    static const double scale[] = {100, 1, 100, 1, 1, 1, 1};
    const tn_stat *st[7];
    pair_stats(r, st);
    for (int k = 0; k < 7; k++) v[k] = scale[k] * (se ? st[k]->stderr_ : st[k]->mean);
}

static void print_table(const tn_sweep *sw, const tn_attribution_row *rows) {
    printf("\n%-6s %4s %5s %15s %9s %9s %9s %9s %9s %9s %9s %9s %4s\n", "source", "runs", "pairs", "accuracy %", "cost sd",
           "disagree%", "out corr", "ens gain", "dist raw", "aligned", "barrier", "aligned", "fps");
    for (int s = 0; s < sw->n_sources; s++) {
        const tn_attribution_row *r = &rows[s];
        double m[7], se[7];
        pair_columns(r, 0, m);
        pair_columns(r, 1, se);
        printf("%-6s %4u %5u %7.2f +- %4.2f %9.3g %9.3g %9.6f %9.3g %9.3g %9.3g %9.3g %9.3g %4u\n", tn_vary_names[r->source],
               r->runs, r->pairs, 100 * r->accuracy_mean, 100 * r->accuracy_std, r->cost_std, m[0], m[1], m[2], m[3], m[4], m[5],
               m[6], r->fingerprints);
        printf("%-6s %4s %5s %15s %9s %9.2g %9.2g %9.2g %9.2g %9.2g %9.2g %9.2g\n", "", "", "", "", "+- se", se[0], se[1], se[2],
               se[3], se[4], se[5], se[6]);
    }
    printf("(accuracy: mean +- standard deviation over the runs; the other columns: means over the pairs of runs\n"
           " compared, each with its standard error beneath (sd / sqrt(pairs)); ens gain in points; fps: distinct\n"
           " fingerprints; the table is also in %s/attribution.csv and .json)\n", sw->dir);
}

static void print_json(const tn_sweep *sw, const sweep_view *v, const tn_attribution_row *rows, int have_table, uint32_t runs,
                       uint32_t done, uint32_t failed) {
    tn_json j;
    tn_json_begin(&j, stdout);
    tn_json_object(&j, NULL);
    tn_json_string(&j, "dir", sw->dir);
    if (v->shards > 1) {
        tn_json_uint(&j, "shard", v->shard + 1);
        tn_json_uint(&j, "shards", v->shards);
    }
    tn_json_uint(&j, "runs", runs);
    tn_json_uint(&j, "finished", done);
    tn_json_uint(&j, "failed", failed);
    tn_json_array(&j, "attribution");
    for (int s = 0; have_table && s < sw->n_sources; s++) {
        const tn_attribution_row *r = &rows[s];
        const tn_stat *st[7];
        pair_stats(r, st);
        tn_json_object(&j, NULL);
        tn_json_string(&j, "source", tn_vary_names[r->source]);
        tn_json_uint(&j, "runs", r->runs);
        tn_json_uint(&j, "pairs", r->pairs);
        tn_json_uint(&j, "fingerprints", r->fingerprints);
        tn_json_number(&j, "accuracy_mean", r->accuracy_mean);
        tn_json_number(&j, "accuracy_std", r->accuracy_std);
        tn_json_number(&j, "cost_mean", r->cost_mean);
        tn_json_number(&j, "cost_std", r->cost_std);
        for (int k = 0; k < 7; k++) {
            tn_json_object(&j, pair_names[k]);
            tn_json_number(&j, "mean", st[k]->mean);
            tn_json_number(&j, "stderr", st[k]->stderr_);
            tn_json_end(&j);
        }
        tn_json_end(&j);
    }
    tn_json_end(&j);
    tn_json_end(&j);
}

int sweep_finish(const tn_sweep *sw, const sweep_view *v, const tn_attribution_row *rows, int have_table, uint32_t done,
                 uint32_t failed) {
    tn_error err;
    tn_status s;
    if (have_table && (s = tn_sweep_write_table(sw, rows, &err)) != TN_OK) die_err(s, &err);
    uint32_t runs = tn_sweep_shard_total(sw, v->shard, v->shards);
    if (v->as_json) print_json(sw, v, rows, have_table, runs, done, failed);
    else {
        if (v->shards > 1) printf("%u of %u runs of shard %u/%u finished in %s\n", done, runs, v->shard + 1, v->shards, sw->dir);
        else printf("%u of %u runs finished in %s\n", done, runs, sw->dir);
        if (have_table) print_table(sw, rows);
    }
    if (stop_requested) fprintf(stderr, "twinnet: %s: interrupted with %u of %u runs finished: the same command resumes\n", sw->dir, done, runs);
    else if (failed) fprintf(stderr, "twinnet: %s: %u run%s failed\n", sw->dir, failed, TN_PLURAL(failed));
    else if (v->shards > 1 && done == runs && !v->quiet && !v->as_json)
        printf("(when every shard is done: twinnet sweep --merge %s, or the same command without --shard)\n", sw->dir);
    return done == runs ? 0 : EXIT_RUNTIME;
}
