/* The start and the end of twinnet sweep, the same for one process, a shard, a merge of shards
 * and MPI's rank 0: the records opened and what they hold said; then the manifest written whole,
 * the attribution table's files, and the table on standard output as text (each mean over pairs
 * with its standard error beneath) or as JSON. */
#include <string.h>

#include "attribution.h"
#include "json.h"
#include "sweep.h"

int sweep_open(const tn_sweep *sw, const char *key, char (*fps)[TN_HEX_SIZE], const sweep_view *v, uint32_t *done) {
    uint32_t total = tn_sweep_total(sw), broken;
    tn_error err;
    tn_status s = tn_sweep_open_shard(sw, key, v->shard, v->shards, fps, done, &broken, &err);
    if (s != TN_OK) {
        fprintf(stderr, "twinnet: %s\n", err.msg);
        return s == TN_ERR_ARG ? EXIT_USAGE : EXIT_RUNTIME;
    }
    if (v->merge && *done < total) {
        fprintf(stderr, "twinnet: %s: %u of %u runs are not finished%s: run the shards that train them (again), then merge\n",
                sw->dir, total - *done, total, broken ? " or do not match their fingerprints" : "");
        return EXIT_RUNTIME;
    }
    if ((*done || broken) && !v->merge && !v->quiet && !v->as_json)
        fprintf(stderr, "twinnet: %s: resuming: %u of %u runs finished%s\n", sw->dir, *done, tn_sweep_shard_total(sw, v->shard, v->shards),
                broken ? ", some listed as finished did not match their fingerprints: redoing them" : "");
    return 0;
}

void sweep_settle(const tn_sweep *sw, const char *key, char (*fingerprints)[TN_HEX_SIZE]) {
    tn_error err;
    tn_status s = tn_sweep_write_manifest(sw, key, fingerprints, &err);
    if (s == TN_OK) s = tn_sweep_clear_shards(sw, &err);
    if (s != TN_OK) die_err(s, &err);
}

/* The length of metric k's group heading: its label but the last word, when a neighbour's label
 * shares it ("distance raw", "distance aligned"); else 0. */
static size_t group_len(int k) {
    const char *label = tn_pair_metric_info(k)->label, *space = strrchr(label, ' ');
    if (!space) return 0;
    size_t len = (size_t)(space - label);
    for (int n = k - 1; n <= k + 1; n += 2) {
        const tn_pair_metric_desc *d = n >= 0 && n < TN_PAIR_METRIC_COUNT ? tn_pair_metric_info(n) : NULL;
        if (d && strncmp(d->label, label, len + 1) == 0 && !strchr(d->label + len + 1, ' ')) return len;
    }
    return 0;
}

/* Two heading lines: groups of metrics ("---- distance ----" over "raw aligned"), then the columns. */
static void print_headings(void) {
    printf("\n%-6s %4s %5s  %-16s %9s", "", "", "", "test accuracy %", "");
    for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) {
        size_t len = group_len(k);
        if (len && k > 0 && group_len(k - 1) == len && !strncmp(tn_pair_metric_info(k - 1)->label, tn_pair_metric_info(k)->label, len))
            continue; /* the group's heading is out already */
        if (!len) { printf(" %9s", ""); continue; }
        int cols = 1;
        while (k + cols < TN_PAIR_METRIC_COUNT && group_len(k + cols) == len &&
               !strncmp(tn_pair_metric_info(k + cols)->label, tn_pair_metric_info(k)->label, len))
            cols++;
        int width = 10 * cols - 1, dashes = width - (int)len - 2;
        printf(" %.*s %.*s %.*s", dashes / 2, "----------", (int)len, tn_pair_metric_info(k)->label, dashes - dashes / 2,
               "----------");
    }
    printf("\n%-6s %4s %5s  %-16s %9s", "source", "runs", "pairs", "mean +/- sd", "cost sd");
    for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) printf(" %9s", tn_pair_metric_info(k)->header);
    printf(" %8s\n", "distinct");
}

/* Each row: the runs' accuracy and cost, the pair metrics' means scaled as the table shows them
 * (tn_pair_metric_info), then a line beneath with their standard errors; a source whose runs are
 * all the same network (the control) shows its means alone: there is no error to bar. */
static void print_table(const tn_sweep *sw, const tn_attribution_row *rows) {
    print_headings();
    uint32_t diverged = 0;
    for (int s = 0; s < sw->n_sources; s++) {
        const tn_attribution_row *r = &rows[s];
        diverged += rows[s].diverged;
        if (r->diverged == r->runs) { /* a state, never a digit */
            printf("%-6s %4u %5u  all %u runs diverged (not finite): no means\n", tn_vary_names[r->source], r->runs, r->pairs, r->runs);
            continue;
        }
        int same = r->fingerprints == 1 && r->runs > 1 && !r->diverged;
        char accuracy[32];
        if (same) snprintf(accuracy, sizeof accuracy, "%.2f, identical", 100 * r->accuracy_mean);
        else if (r->runs - r->diverged < 2) snprintf(accuracy, sizeof accuracy, "%.2f", 100 * r->accuracy_mean);
        else snprintf(accuracy, sizeof accuracy, "%.2f +/- %.2f", 100 * r->accuracy_mean, 100 * r->accuracy_std);
        printf("%-6s %4u %5u  %-16s %#9.3g", tn_vary_names[r->source], r->runs, r->pairs, accuracy, r->cost_std);
        for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) {
            printf(" ");
            printf(tn_pair_metric_info(k)->text_format, tn_pair_metric_info(k)->scale * r->metric[k].mean);
        }
        printf(" %8u\n", r->fingerprints);
        if (same || r->pairs < 2) continue;
        printf("%-6s %4s %5s  %-16s %9s", "", "", "", "", "+/- se");
        for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) {
            printf(" ");
            printf(tn_pair_metric_info(k)->text_format, tn_pair_metric_info(k)->scale * r->metric[k].stderr_);
        }
        printf("\n");
    }
    printf("(test accuracy: mean +/- standard deviation over the runs; the other columns: means over the pairs of runs\n"
           " compared, each with its standard error beneath (sd / sqrt(pairs)), three significant digits. disagree%%: test\n"
           " images the two runs classify differently; out corr: correlation of their outputs; ens gain: accuracy points\n"
           " that averaging the two gains; distance: ||A - B|| / ||A||; cost barrier: the test cost's rise on the straight\n"
           " path A..B; aligned: B's hidden units matched to A's by their activations, sign flips allowed; distinct: the\n"
           " different networks (fingerprints) among the runs. Also in %s/attribution.csv and .json)\n", sw->dir);
    for (int s = 0; diverged && s < sw->n_sources; s++)
        if (rows[s].diverged && rows[s].diverged < rows[s].runs)
            printf("(%s: %u of %u runs diverged (not finite): left out of its means and pairs)\n", tn_vary_names[rows[s].source],
                   rows[s].diverged, rows[s].runs);
}

static uint32_t diverged_runs(const tn_sweep *sw, const tn_attribution_row *rows, int have_table) {
    uint32_t n = 0;
    for (int s = 0; have_table && s < sw->n_sources; s++) n += rows[s].diverged;
    return n;
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
    if (have_table) tn_json_uint(&j, "diverged", diverged_runs(sw, rows, have_table));
    tn_json_array(&j, "attribution");
    for (int s = 0; have_table && s < sw->n_sources; s++) {
        const tn_attribution_row *r = &rows[s];
        tn_attribution_row_open(&j, r);
        tn_json_number(&j, "accuracy_mean", r->accuracy_mean);
        tn_json_number(&j, "accuracy_std", r->accuracy_std);
        tn_json_number(&j, "cost_mean", r->cost_mean);
        tn_json_number(&j, "cost_std", r->cost_std);
        for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) {
            tn_json_object(&j, tn_pair_metric_info(k)->name);
            tn_json_number(&j, "mean", r->metric[k].mean);
            tn_json_number(&j, "stderr", r->metric[k].stderr_);
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
        else if (diverged_runs(sw, rows, have_table))
            printf("%u of %u runs finished in %s, %u diverged\n", done, runs, sw->dir, diverged_runs(sw, rows, have_table));
        else printf("%u of %u runs finished in %s\n", done, runs, sw->dir);
        if (have_table) print_table(sw, rows);
    }
    if (stop_requested) {
        fprintf(stderr, "twinnet: %s: interrupted with %u of %u runs finished%s: the same command resumes\n", sw->dir, done, runs,
                done == runs && v->shards == 1 ? ", before the table" : "");
        return 128 + (stop_signal ? stop_signal : 2);
    }
    else if (failed) fprintf(stderr, "twinnet: %s: %u run%s failed\n", sw->dir, failed, TN_PLURAL(failed));
    else if (diverged_runs(sw, rows, have_table)) {
        fprintf(stderr, "twinnet: %s: %u of %u runs diverged (a non-finite cost or parameter): they are left out of the "
                "means; a smaller --eta or --lambda may help\n", sw->dir, diverged_runs(sw, rows, have_table), runs);
        return EXIT_RUNTIME;
    }
    else if (v->shards > 1 && done == runs && !v->quiet && !v->as_json)
        printf("(when every shard is done: twinnet sweep --merge %s, or the same command without --shard)\n", sw->dir);
    return done == runs ? 0 : EXIT_RUNTIME;
}
