/* The attribution table without training: every pair metric is described (tn_pair_metric_info)
 * and named once; the reduction (tn_sweep_table) takes every metric's mean and standard error in
 * its fixed order; attribution.csv and .json hold a column per metric, and a number that is not
 * finite is null in the JSON (never nan or inf) and a "nan"/"inf" cell in the CSV. */
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "attribution.h"
#include "check.h"
#include "twinnet.h"

static void check_descriptions(void) {
    for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) {
        const tn_pair_metric_desc *d = tn_pair_metric_info(k);
        CHECK(d != NULL, "metric %d has no description", k);
        if (!d) continue;
        CHECK(d->name && d->header && d->label && d->unit && d->text_format && d->page_format, "metric %d: a field is missing", k);
        CHECK(d->header && strlen(d->header) <= 9, "metric %d: the text header '%s' is wider than its column", k, d->header);
        CHECK(d->scale > 0, "metric %d: scale %g", k, d->scale);
        for (int j = 0; j < k; j++) CHECK(strcmp(d->name, tn_pair_metric_info(j)->name) != 0, "metrics %d and %d share a name", j, k);
    }
    CHECK(tn_pair_metric_info(TN_PAIR_METRIC_COUNT) == NULL, "a description past the end");
    CHECK(tn_pair_metric_info((tn_pair_metric)-1) == NULL, "a description before the start");

    tn_attribution_column col[TN_ATTRIBUTION_NUMBERS];
    tn_attribution_columns(col);
    for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) {
        char se[64];
        snprintf(se, sizeof se, "%s_se", tn_pair_metric_info(k)->name);
        CHECK(strcmp(col[4 + 2 * k].name, tn_pair_metric_info(k)->name) == 0, "column %d: %s", 4 + 2 * k, col[4 + 2 * k].name);
        CHECK(strcmp(col[5 + 2 * k].name, se) == 0, "column %d: %s", 5 + 2 * k, col[5 + 2 * k].name);
        CHECK(col[4 + 2 * k].offset == offsetof(tn_attribution_row, metric) + (size_t)k * sizeof(tn_stat), "metric %d's place", k);
    }
    for (int k = 0; k < TN_ATTRIBUTION_NUMBERS; k++)
        CHECK(col[k].offset + sizeof(double) <= sizeof(tn_attribution_row), "column %s outside the row", col[k].name);
}

/* Source 0's pairs hold v = k + p (metric k, pair p of 3), source 1's v = 2 every time. */
static void check_reduction(tn_sweep *sw) {
    tn_attribution_options opt = {10, 0, 1, NULL, NULL, NULL};
    tn_run_metrics runs[6];
    tn_pair_metrics pairs[6];
    tn_attribution_row rows[2];
    memset(runs, 0, sizeof runs);
    for (int r = 0; r < 6; r++) {
        runs[r].accuracy = 0.5 + 0.1 * (r % 3);
        snprintf(runs[r].fingerprint, sizeof runs[r].fingerprint, "%s", r < 3 ? (r ? "b" : "a") : "c");
    }
    CHECK(tn_sweep_pairs(sw, &opt) == 6, "%llu pairs", (unsigned long long)tn_sweep_pairs(sw, &opt));
    for (int p = 0; p < 6; p++)
        for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) pairs[p].v[k] = p < 3 ? k + p : 2;
    tn_sweep_table(sw, &opt, runs, pairs, rows);
    CHECK(rows[0].fingerprints == 2 && rows[1].fingerprints == 1, "fingerprints %u %u", rows[0].fingerprints, rows[1].fingerprints);
    for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) {
        CHECK(fabs(rows[0].metric[k].mean - (k + 1)) < 1e-12, "metric %d: mean %.17g", k, rows[0].metric[k].mean);
        CHECK(fabs(rows[0].metric[k].stderr_ - 1 / sqrt(3)) < 1e-12, "metric %d: stderr %.17g", k, rows[0].metric[k].stderr_);
        CHECK(rows[1].metric[k].mean == 2 && rows[1].metric[k].stderr_ == 0, "metric %d: the constant source", k);
    }
    /* Diverged runs: counted, left out of the means and of every pair they are in; a source
     * whose runs all diverged has no means (NaN), never a digit. Run 2 of source 0 (in pairs 1
     * and 2: (0,2), (1,2)), and all of source 1. */
    runs[2].diverged = 1;
    for (int r = 3; r < 6; r++) runs[r].diverged = 1;
    tn_sweep_table(sw, &opt, runs, pairs, rows);
    CHECK(rows[0].diverged == 1 && rows[0].runs == 3 && rows[0].pairs == 1, "source 0: %u diverged, %u runs, %u pairs",
          rows[0].diverged, rows[0].runs, rows[0].pairs);
    CHECK(fabs(rows[0].accuracy_mean - 0.55) < 1e-12, "source 0's accuracy over the finite runs: %.17g", rows[0].accuracy_mean);
    for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++)
        CHECK(rows[0].metric[k].mean == k && rows[0].metric[k].stderr_ == 0, "metric %d: pair 0 alone: %.17g", k, rows[0].metric[k].mean);
    CHECK(rows[1].diverged == 3 && rows[1].pairs == 0 && isnan(rows[1].accuracy_mean) && isnan(rows[1].cost_std) &&
          isnan(rows[1].metric[0].mean) && isnan(rows[1].metric[0].stderr_), "source 1, all diverged: no means");
}

/* JSON's words are true, false and null: any other spelling of a number is not JSON. */
static int non_finite_spelled(const char *text) {
    static const char *const words[] = {"nan", "NaN", "NAN", "inf", "Inf", "INF"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strstr(text, words[k])) return 1;
    return 0;
}

static char *read_all(const char *path) {
    uint8_t *bytes = NULL;
    size_t size;
    tn_error err;
    CHECK_OK(tn_read_file(path, 1 << 20, &bytes, &size, &err), err);
    char *text = bytes ? realloc(bytes, size + 1) : NULL;
    if (text) text[size] = 0;
    return text;
}

static void check_files(tn_sweep *sw) {
    tn_attribution_row rows[2];
    memset(rows, 0, sizeof rows);
    for (int s = 0; s < 2; s++) {
        rows[s].source = sw->sources[s];
        rows[s].runs = rows[s].pairs = 3;
        rows[s].fingerprints = 1;
        for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) rows[s].metric[k] = (tn_stat){0.25 + k, 0.125};
    }
    rows[0].metric[TN_PAIR_DISAGREEMENT].mean = NAN;
    rows[1].metric[TN_PAIR_METRIC_COUNT - 1].stderr_ = INFINITY;
    rows[1].cost_std = -INFINITY;
    tn_error err;
    CHECK_OK(tn_sweep_write_table(sw, rows, &err), err);
    char path[TN_PATH_CAP];
    snprintf(path, sizeof path, "%s/attribution.json", sw->dir);
    char *json = read_all(path);
    snprintf(path, sizeof path, "%s/attribution.csv", sw->dir);
    char *csv = read_all(path);
    if (!json || !csv) { free(json); free(csv); return; }
    CHECK(!non_finite_spelled(json), "a non-finite number in JSON:\n%s", json);
    char want[128];
    snprintf(want, sizeof want, "\"%s\":null,", tn_pair_metric_info(TN_PAIR_DISAGREEMENT)->name);
    CHECK(strstr(json, want) != NULL, "no %s in\n%s", want, json);
    snprintf(want, sizeof want, "\"%.48s_se\":null}", tn_pair_metric_info(TN_PAIR_METRIC_COUNT - 1)->name);
    CHECK(strstr(json, want) != NULL, "no %s in\n%s", want, json);
    CHECK(strstr(json, "\"cost_std\":null,") != NULL, "-inf is not null in\n%s", json);
    tn_attribution_column col[TN_ATTRIBUTION_NUMBERS];
    tn_attribution_columns(col);
    for (int k = 0; k < TN_ATTRIBUTION_NUMBERS; k++) {
        snprintf(want, sizeof want, ",\"%.48s\":", col[k].name);
        const char *first = strstr(json, want), *second = first ? strstr(first + 1, want) : NULL;
        CHECK(first && second && !strstr(second + 1, want), "%s: not once per row", col[k].name);
    }
    /* The CSV: the header names every column; each row has one cell per column. */
    char *line2 = strchr(csv, '\n');
    CHECK(strncmp(csv, "source,runs,pairs,fingerprints,diverged,accuracy_mean,", 54) == 0, "CSV header: %s", csv);
    for (int k = 0; k < TN_ATTRIBUTION_NUMBERS; k++) {
        snprintf(want, sizeof want, ",%.48s%c", col[k].name, k + 1 < TN_ATTRIBUTION_NUMBERS ? ',' : '\n');
        CHECK(strstr(csv, want) != NULL && strstr(csv, want) < line2 + 1, "CSV header without %s", col[k].name);
    }
    int commas = 0, lines = 0;
    for (const char *c = csv; *c; c++) {
        commas += *c == ',';
        lines += *c == '\n';
    }
    CHECK(lines == 3 && commas == 3 * (4 + TN_ATTRIBUTION_NUMBERS), "CSV: %d lines, %d commas", lines, commas);
    CHECK(strstr(csv, "init,3,3,1,0,0,0,0,0,nan,0.125,1.25,") != NULL, "CSV row of init:\n%s", csv);
    free(json);
    free(csv);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    char dir[TN_PATH_CAP], path[4300];
    snprintf(dir, sizeof dir, "%s/tn-attribution-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 100; }
    tn_sweep sw;
    memset(&sw, 0, sizeof sw);
    tn_config_default(&sw.base);
    sw.runs = 3;
    sw.n_sources = 2;
    sw.sources[0] = TN_VARY_INIT;
    sw.sources[1] = TN_VARY_NONE;
    sw.dir = dir;
    check_descriptions();
    check_reduction(&sw);
    check_files(&sw);
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/attribution.%s", dir, k ? "csv" : "json");
        unlink(path);
    }
    rmdir(dir);
    return check_done("test_attribution");
}
