/* twinnet report: one self-contained HTML page on a finished sweep or on one pair of models.
 * This file gathers what the page shows: it reads a sweep back (manifest, per-epoch results,
 * attribution table, or computes the table when its file is missing), picks the pair the pictures
 * show, compares it and follows the traces; summary.c then writes the page (its words and the
 * sections of figures.c) into memory, and this file writes it atomically. Nothing in the page
 * depends on the time, the host or the thread count. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "attribution.h"
#include "json.h"
#include "palette.h"
#include "report.h"

#define SWEEP_TEXT_MAX ((size_t)64 << 20)   /* bytes of a sweep's text file the report reads (a table, epochs) */
#include "sweep_files.h"

void tn_report_spec_default(tn_report_spec *spec) {
    memset(spec, 0, sizeof *spec);
    spec->path_points = 20;
    spec->max_images = 24;
    spec->threads = 1;
}

/* ---- reading a sweep back ------------------------------------------------------------------------ */
/* DIR/NAME whole, as text, never through a link. */
static tn_status read_text(const char *dir, const char *name, char **text, tn_error *err) {
    uint8_t *bytes;
    size_t size;
    *text = NULL;
    tn_status s = tn_sweep_file_read(dir, name, SWEEP_TEXT_MAX, &bytes, &size, err);
    if (s != TN_OK) return s;
    char *t = realloc(bytes, size + 1);
    if (!t) { free(bytes); return tn_fail(err, TN_ERR_NOMEM, "out of memory"); }
    t[size] = 0;
    *text = t;
    return TN_OK;
}

/* The next line (cut in place), NULL at the end. */
static char *next_line(char **cursor) {
    char *line = *cursor;
    if (!*line) return NULL;
    char *nl = strchr(line, '\n');
    *cursor = nl ? nl + 1 : line + strlen(line);
    if (nl) *nl = 0;
    return line;
}

/* The number that member key of the JSON object on line holds (a line of JSON Lines, or an item
 * of an array one a line, its comma cut); 0 if there is none. */
static int field(const char *line, const char *key, double *v) {
    tn_json_doc doc;
    size_t n = strlen(line);
    while (n && (line[n - 1] == ' ' || line[n - 1] == '\r')) n--;
    if (tn_json_parse("line", line, n && line[n - 1] == ',' ? n - 1 : n, &doc, NULL) != TN_OK) return 0;
    const tn_json_value *x = tn_json_get(doc.root, key);
    int found = x && (x->kind == TN_JSON_NUMBER || x->kind == TN_JSON_NULL);
    if (found) *v = x->kind == TN_JSON_NULL ? NAN : x->number;
    tn_json_doc_free(&doc);
    return found;
}

/* The whole number after "key": in line, within uint32; 0 if there is none. */
static int count(const char *line, const char *key, uint32_t *v) {
    double x;
    if (!field(line, key, &x) || !(x >= 0 && x <= UINT32_MAX) || x != floor(x)) return 0;
    *v = (uint32_t)x;
    return 1;
}

static tn_status read_epochs(tn_report *r, uint32_t run, tn_error *err) {
    tn_report_run *x = &r->runs[run];
    int diverged;
    tn_sweep_run_name(&r->sw, run, x->name);
    x->source = r->sw.sources[run / r->sw.runs];
    tn_status s = tn_sweep_run_epochs(&r->sw, run, &x->accuracy, &x->epochs, &diverged, err);
    for (uint32_t e = 0; s == TN_OK && e < x->epochs; e++) x->accuracy[e] *= 100;
    /* A diverged run has no curve: the plot shows the runs the table's means are over. */
    if (diverged) x->epochs = 0;
    return s;
}

/* DIR/attribution.json as tn_sweep_write_table writes it: one line per source, its numbers named
 * by tn_attribution_columns (null, for a number that was not finite, reads as NaN). */
static tn_status read_table(tn_report *r, const char *path, tn_error *err) {
    tn_attribution_column col[TN_ATTRIBUTION_NUMBERS];
    tn_attribution_columns(col);
    char *text, *cursor, *line;
    tn_status s = read_text(r->sw.dir, "attribution.json", &text, err);
    if (s != TN_OK) return s;
    int n = 0, bad = 0;
    cursor = text;
    while (!bad && n < r->sw.n_sources && (line = next_line(&cursor))) {
        char want[64];
        snprintf(want, sizeof want, "{\"source\":\"%s\"", tn_vary_names[r->sw.sources[n]]);
        if (strncmp(line, want, strlen(want)) != 0) continue;
        tn_attribution_row *row = &r->rows[n];
        row->source = r->sw.sources[n++];
        bad = !count(line, "runs", &row->runs) || !count(line, "pairs", &row->pairs) || !count(line, "fingerprints", &row->fingerprints);
        if (!count(line, "diverged", &row->diverged)) row->diverged = 0; /* a table from before the count */
        for (size_t k = 0; !bad && k < TN_ATTRIBUTION_NUMBERS; k++) bad = !field(line, col[k].name, (double *)((char *)row + col[k].offset));
    }
    free(text);
    if (bad || n != r->sw.n_sources) return tn_fail(err, TN_ERR_FORMAT, "%s: not the attribution table of this sweep", path);
    return TN_OK;
}

/* The traced pairs of source src: its first two runs; for bit flips, each of them against the
 * unflipped run when the sweep has one (a flip may never spread, or grow to full size). */
static int trace_pairs(const tn_report *r, int src, char a[2][32], char b[2][32], char label[2][160]) {
    tn_vary v = r->sw.sources[src];
    int none = -1;
    for (int k = 0; k < r->sw.n_sources; k++) none = r->sw.sources[k] == TN_VARY_NONE ? k : none;
    tn_sweep_run_name(&r->sw, (uint32_t)src * r->sw.runs, a[0]);
    tn_sweep_run_name(&r->sw, (uint32_t)src * r->sw.runs + 1, b[0]);
    if (v != TN_VARY_BIT || none < 0) {
        snprintf(label[0], 160, "%s: %s against %s", tn_report_source_words(v), a[0], b[0]);
        return 1;
    }
    memcpy(b[1], b[0], 32);
    memcpy(b[0], a[0], 32);
    tn_sweep_run_name(&r->sw, (uint32_t)none * r->sw.runs, a[0]);
    memcpy(a[1], a[0], 32);
    for (int k = 0; k < 2; k++) snprintf(label[k], 160, "one flipped bit: %s against %s", a[k], b[k]);
    return 2;
}

static tn_status read_traces(tn_report *r, tn_error *err) {
    for (int src = 0; src < r->sw.n_sources; src++) {
        char a[2][32], b[2][32], label[2][160], pa[TN_PATH_CAP], pb[TN_PATH_CAP];
        int pairs = trace_pairs(r, src, a, b, label);
        for (int k = 0; k < pairs && r->n_traces < TN_REPORT_TRACES; k++) {
            tn_report_trace *t = &r->traces[r->n_traces];
            snprintf(pa, sizeof pa, "%s/%s.trace", r->sw.dir, a[k]);
            snprintf(pb, sizeof pb, "%s/%s.trace", r->sw.dir, b[k]);
            struct stat st;
            if (stat(pa, &st) != 0 || stat(pb, &st) != 0) continue; /* a sweep made before runs were traced */
            tn_status s = tn_diverge(pa, pb, &t->result, err);
            if (s != TN_OK) return s;
            memcpy(t->label, label[k], sizeof t->label);
            t->source = r->sw.sources[src];
            t->colour = tn_report_colour(t->source);
            t->dashed = k == 1;
            r->n_traces++;
        }
    }
    return TN_OK;
}

/* The pair of the pictures: the first two runs of the first source, by preference init, order,
 * both, bit, whose two runs differ; else the first source's. */
static void choose_pair(tn_report *r, char (*fps)[TN_HEX_SIZE]) {
    static const tn_vary preference[] = {TN_VARY_INIT, TN_VARY_ORDER, TN_VARY_BOTH, TN_VARY_BIT, TN_VARY_NONE};
    int pick = -1;
    for (size_t p = 0; p < sizeof preference / sizeof preference[0] && pick < 0; p++)
        for (int src = 0; src < r->sw.n_sources && pick < 0; src++)
            if (r->sw.sources[src] == preference[p] && strcmp(fps[src * r->sw.runs], fps[src * r->sw.runs + 1]) != 0) pick = src;
    pick = pick < 0 ? 0 : pick;
    tn_sweep_run_name(&r->sw, (uint32_t)pick * r->sw.runs, r->name_a);
    tn_sweep_run_name(&r->sw, (uint32_t)pick * r->sw.runs + 1, r->name_b);
    snprintf(r->path_a, sizeof r->path_a, "%s/%s.tnm", r->sw.dir, r->name_a);
    snprintf(r->path_b, sizeof r->path_b, "%s/%s.tnm", r->sw.dir, r->name_b);
}

static tn_status open_sweep(tn_report *r, const char *dir, tn_error *err) {
    struct stat st;
    char path[TN_PATH_CAP], key[TN_HEX_SIZE];
    if (stat(dir, &st) != 0) return tn_fail(err, TN_ERR_IO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return tn_fail(err, TN_ERR_ARG, "%s: not a directory: give a sweep's directory or two models", dir);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if (stat(path, &st) != 0)
        return tn_fail(err, TN_ERR_ARG, "%s: not a twinnet sweep (no manifest.json): make one with twinnet sweep --out DIR", dir);
    tn_status s = tn_sweep_read(dir, &r->sw, key, err); /* the sweep as its manifest records it */
    if (s != TN_OK) return s;
    uint32_t total = tn_sweep_total(&r->sw), finished, broken;
    if (total < 2) return tn_fail(err, TN_ERR_ARG, "%s: the sweep has one run: a report compares runs, so it needs two or more (--runs 2)", dir);
    if (r->sw.runs < 2)
        return tn_fail(err, TN_ERR_ARG, "%s: one run per source (--runs 1): no two runs of one source to compare; a report needs --runs 2 or more", dir);
    char (*fps)[TN_HEX_SIZE] = calloc(total, sizeof *fps);
    if (!fps || !(r->runs = calloc(total, sizeof *r->runs))) { free(fps); return tn_fail(err, TN_ERR_NOMEM, "out of memory"); }
    s = tn_sweep_open(&r->sw, key, fps, &finished, &broken, err);
    if (s == TN_OK && finished < total)
        s = tn_fail(err, TN_ERR_ARG, "%s: the sweep is not finished: %u of %u runs done%s; run its command again to finish it", dir,
                    finished, total, broken ? " (some do not match their fingerprints)" : "");
    for (uint32_t run = 0; run < total && s == TN_OK; run++) s = read_epochs(r, run, err);
    if (s == TN_OK) choose_pair(r, fps);
    free(fps);
    if (s == TN_OK) s = read_traces(r, err);
    return s;
}

/* The attribution table: the sweep's own file, else computed here as the sweep computes it. */
static tn_status table(tn_report *r, tn_error *err) {
    char path[TN_PATH_CAP];
    struct stat st;
    snprintf(path, sizeof path, "%s/attribution.json", r->sw.dir);
    r->have_rows = 1;
    if (stat(path, &st) == 0) {
        r->rows_from = "attribution.json";
        return read_table(r, path, err);
    }
    tn_attribution_options opt = {10, 0, r->spec->threads, NULL, NULL, NULL};
    r->sw.base = r->a.config;
    r->rows_from = "computed for this report (the sweep's attribution.json was missing)";
    return tn_sweep_attribution(&r->sw, r->spec->test, &opt, r->rows, err);
}

/* The page must not replace a file of the sweep it reads (out may well be in DIR). */
static tn_status check_out(const tn_report *r, const char *out, tn_error *err) {
    uint32_t total = tn_sweep_total(&r->sw), n = 0;
    static const char *const own[] = {"manifest.json", "attribution.json", "attribution.csv"}, *const per_run[] = {".tnm", ".epochs.jsonl", ".trace"};
    char (*names)[TN_PATH_CAP] = malloc((3 * (size_t)total + 3) * sizeof *names);
    const char **inputs = malloc((3 * (size_t)total + 3) * sizeof *inputs);
    if (!names || !inputs) { free(names); free(inputs); return tn_fail(err, TN_ERR_NOMEM, "out of memory"); }
    for (int k = 0; k < 3; k++) snprintf(names[n++], sizeof names[0], "%s/%s", r->sw.dir, own[k]);
    for (uint32_t run = 0; run < total; run++)
        for (int k = 0; k < 3; k++) snprintf(names[n++], sizeof names[0], "%s/%s%s", r->sw.dir, r->runs[run].name, per_run[k]);
    for (uint32_t k = 0; k < n; k++) inputs[k] = names[k];
    tn_status s = tn_out_check(out, inputs, (int)n, NULL, 0, r->spec->force, err);
    free(names);
    free(inputs);
    return s;
}

static void report_free(tn_report *r) {
    for (uint32_t k = 0; r->runs && k < tn_sweep_total(&r->sw); k++) free(r->runs[k].accuracy);
    free(r->runs);
    for (int k = 0; k < r->n_traces; k++) tn_diverge_result_free(&r->traces[k].result);
    tn_compare_result_free(&r->cmp);
    tn_outliers_free(&r->outliers);
    if (r->have_curve) tn_curve_profile_free(&r->curve);
    free(r->unit_corr);
    tn_model_free(&r->a);
    tn_model_free(&r->b);
}

/* A model of the sweep, never through a link; or one the user named. */
static tn_status load(const tn_report *r, const char *name, const char *path, tn_model *m, tn_error *err) {
    char file[48];
    if (!r->is_sweep) return tn_model_load(m, path, err);
    snprintf(file, sizeof file, "%s.tnm", name);
    return tn_sweep_model_load(r->sw.dir, file, m, err);
}

tn_status tn_report_write(const tn_report_spec *spec, const char *out, size_t *bytes, tn_error *err) {
    tn_report r;
    memset(&r, 0, sizeof r);
    r.spec = spec;
    r.is_sweep = spec->sweep_dir != NULL;
    if (bytes) *bytes = 0;
    if (!spec->test) return tn_fail(err, TN_ERR_ARG, "report: no test set");
    if (!r.is_sweep && (!spec->model_a || !spec->model_b)) return tn_fail(err, TN_ERR_ARG, "report: needs a sweep or two models");
    if (!r.is_sweep && !spec->trace_a != !spec->trace_b) return tn_fail(err, TN_ERR_ARG, "report: needs both traces or none");
    tn_status s = TN_OK;
    int lock = -1; /* a sweep is read under its lock, shared with other readers: a consistent read */
    if (r.is_sweep && (s = tn_sweep_lock(spec->sweep_dir, 0, 0, &lock, err)) != TN_OK) return s;
    if (r.is_sweep) {
        if ((s = open_sweep(&r, spec->sweep_dir, err)) == TN_OK) s = check_out(&r, out, err);
    } else {
        snprintf(r.name_a, sizeof r.name_a, "A");
        snprintf(r.name_b, sizeof r.name_b, "B");
        snprintf(r.path_a, sizeof r.path_a, "%s", spec->model_a);
        snprintf(r.path_b, sizeof r.path_b, "%s", spec->model_b);
        if (spec->trace_a) {
            snprintf(r.traces[0].label, sizeof r.traces[0].label, "A against B");
            r.traces[0].source = TN_VARY_COUNT;
            r.traces[0].colour = tn_report_colour(TN_VARY_INIT);
            if ((s = tn_diverge(spec->trace_a, spec->trace_b, &r.traces[0].result, err)) == TN_OK) r.n_traces = 1;
        }
    }
    int loaded = 0;
    if (s == TN_OK && (s = load(&r, r.name_a, r.path_a, &r.a, err)) == TN_OK) loaded = 1;
    if (s == TN_OK && (s = load(&r, r.name_b, r.path_b, &r.b, err)) == TN_OK) loaded = 2;
    tn_compare_options opt;
    tn_compare_options_default(&opt);
    opt.points = spec->path_points;
    opt.threads = spec->threads;
    opt.name_a = r.path_a;
    opt.name_b = r.path_b;
    if (s == TN_OK) s = tn_compare(&r.a, &r.b, spec->train, spec->test, &opt, &r.cmp, err);
    r.aligned = r.cmp.view[TN_VIEW_ACTIVATIONS_FLIPS].done ? TN_VIEW_ACTIVATIONS_FLIPS
                : r.cmp.view[TN_VIEW_ACTIVATIONS].done         ? TN_VIEW_ACTIVATIONS
                                                                : TN_VIEW_RAW;
    if (s == TN_OK && spec->curve) { /* its profile beside the straight paths; it must join this A and B */
        tn_model bend;
        if ((s = tn_model_load(&bend, spec->curve, err)) == TN_OK) {
            s = tn_curve_profile_measure(&r.a, &r.b, &bend, spec->test, spec->path_points, spec->threads, spec->curve,
                                         &r.curve, err);
            tn_model_free(&bend);
            r.have_curve = s == TN_OK;
        }
    }
    if (s == TN_OK) s = tn_report_measure(&r, err);
    if (s == TN_OK && r.is_sweep) s = table(&r, err);
    if (s == TN_OK && r.is_sweep) s = tn_sweep_outliers(&r.sw, spec->test, spec->threads, &r.outliers, err);
    char *text = NULL;
    size_t len = 0;
    if (s == TN_OK && !(r.f = open_memstream(&text, &len))) s = tn_fail(err, TN_ERR_NOMEM, "out of memory for the page");
    if (s == TN_OK) s = tn_report_page(&r, err);
    if (r.f && fclose(r.f) != 0 && s == TN_OK) s = tn_fail(err, TN_ERR_NOMEM, "out of memory for the page");
    if (s == TN_OK) s = tn_write_atomic(out, text, len, err);
    if (s == TN_OK && bytes) *bytes = len;
    free(text);
    if (loaded < 1) memset(&r.a, 0, sizeof r.a);
    if (loaded < 2) memset(&r.b, 0, sizeof r.b);
    report_free(&r);
    tn_sweep_unlock(lock);
    return s;
}
