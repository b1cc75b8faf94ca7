/* The answer card, the report's first screen: one figure that takes ||A - B|| (relative to ||A||)
 * apart into what reordering and negating hidden units removes, what is left of the difference of
 * the starts, and the learned difference that remains; beside it the barrier before and after
 * alignment, how often the two functions agree, each source's disagreement and how often a run
 * fails (a sweep), each with one sentence made from the numbers the figure shows. */
#include <math.h>
#include <stdlib.h>

#include "palette.h"
#include "report.h"

#define RAW_COLOUR "#222222"       /* CONVENTIONS.md: raw (before alignment) */
#define ALIGNED_COLOUR "#cc79a7"   /* aligned */
#define NO_BARRIER 0.01            /* a test error barrier below 1 point is none (as explain.c) */

static double norm_of_difference(const float *a, const float *b, size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];
        sum += d * d;
    }
    return sqrt(sum);
}

/* Pearson correlation over the n examples of column i of x and of y (n, units). */
static double column_correlation(const float *x, const float *y, uint32_t n, uint32_t units, uint32_t i) {
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (uint32_t e = 0; e < n; e++) { mx += x[(size_t)e * units + i]; my += y[(size_t)e * units + i]; }
    mx /= n;
    my /= n;
    for (uint32_t e = 0; e < n; e++) {
        double p = x[(size_t)e * units + i] - mx, q = y[(size_t)e * units + i] - my;
        sxy += p * q; sxx += p * p; syy += q * q;
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0.0;
}

/* The decomposition: A, B aligned, and (starts known) A0 and B0 aligned, in canonical order. */
static tn_status distances(tn_report *r, const tn_net *b_aligned, tn_error *err) {
    size_t n = r->a.net.n_params;
    float *v[4];
    int got = 0;
    for (int k = 0; k < 4; k++) got += (v[k] = malloc(n * sizeof(float))) != NULL;
    tn_net start = {0}, start_aligned = {0};
    tn_status s = got == 4 ? TN_OK : tn_fail(err, TN_ERR_NOMEM, "out of memory for the distances");
    if (s == TN_OK) {
        tn_net_get_canonical(&r->a.net, v[0]);
        tn_net_get_canonical(b_aligned, v[1]);
        double sum = 0;
        for (size_t i = 0; i < n; i++) sum += (double)v[0][i] * v[0][i];
        double norm_a = sqrt(sum);
        r->dist_raw = r->cmp.view[TN_VIEW_RAW].distance.total.relative;
        r->dist_aligned = norm_a > 0 ? norm_of_difference(v[0], v[1], n) / norm_a : NAN;
        r->dist_baseline = r->cmp.baseline_known ? r->cmp.baseline.total.relative : NAN;
        r->dist_learned = NAN;
        if (tn_model_start(&r->a, v[2]) && tn_model_start(&r->b, v[3]) && (s = tn_net_copy(&start, &r->b.net, err)) == TN_OK) {
            tn_net_set_canonical(&start, v[3]);
            if ((s = tn_net_align(&start, &r->cmp.view[r->aligned].alignment, &start_aligned, err)) == TN_OK) {
                tn_net_get_canonical(&start_aligned, v[3]);
                for (size_t i = 0; i < n; i++) { v[0][i] -= v[2][i]; v[1][i] -= v[3][i]; } /* what training changed */
                r->dist_learned = norm_a > 0 ? norm_of_difference(v[0], v[1], n) / norm_a : NAN;
            }
        }
    }
    tn_net_free(&start);
    tn_net_free(&start_aligned);
    for (int k = 0; k < 4; k++) free(v[k]);
    return s;
}

tn_status tn_report_measure(tn_report *r, tn_error *err) {
    tn_net b_aligned = {0};
    tn_status s = tn_net_align(&r->b.net, &r->cmp.view[r->aligned].alignment, &b_aligned, err);
    if (s == TN_OK) s = distances(r, &b_aligned, err);
    const tn_dataset *test = r->spec->test;
    uint32_t units = r->a.net.n_sizes > 2 ? r->a.net.sizes[1] : 0;
    float *x = NULL, *y = NULL;
    if (s == TN_OK && units && test->n > 1) {
        x = malloc((size_t)test->n * units * sizeof *x);
        y = malloc((size_t)test->n * units * sizeof *y);
        if (!x || !y || !(r->unit_corr = malloc(units * sizeof *r->unit_corr))) s = tn_fail(err, TN_ERR_NOMEM, "out of memory for the activations");
        if (s == TN_OK) s = tn_layer_activations(&r->a.net, test, 1, r->spec->threads, x, err);
        if (s == TN_OK) s = tn_layer_activations(&b_aligned, test, 1, r->spec->threads, y, err);
        for (uint32_t i = 0; s == TN_OK && i < units; i++) r->unit_corr[i] = column_correlation(x, y, test->n, units, i);
    }
    free(x);
    free(y);
    tn_net_free(&b_aligned);
    return s;
}

/* ---- the card ------------------------------------------------------------------------------------ */
static void esc(tn_report *r, const char *s) { tn_html_escape(r->f, s); }

/* A relative distance as the card shows it: two decimals, or two significant digits below 0.1. */
static const char *dist(char *buf, double x) {
    snprintf(buf, 32, fabs(x) >= 0.1 || x == 0 ? "%.2f" : "%.2g", x);
    return buf;
}

/* Figure 1 and its sentence. */
static void decomposition(tn_report *r) {
    double raw = r->dist_raw, al = r->dist_aligned, learned = r->dist_learned;
    int starts = isfinite(learned), same_start = starts && r->cmp.start.l2 == 0;
    char t[5][48];
    char d[6][32];
    snprintf(t[0], sizeof t[0], "%s", dist(d[0], raw));
    snprintf(t[1], sizeof t[1], "%s%s", raw >= al ? "\u2212" : "+", dist(d[1], fabs(raw - al)));
    snprintf(t[2], sizeof t[2], "%s", dist(d[2], al));
    snprintf(t[3], sizeof t[3], "%s%s", al >= learned ? "\u2212" : "+", dist(d[3], fabs(al - learned)));
    snprintf(t[4], sizeof t[4], "%s", dist(d[4], learned));
    tn_svg_bar bar[5] = {
        {"A \u2212 B as they are", t[0], RAW_COLOUR, 0, raw, 0},
        {"\u2212 reorder, negate units", t[1], ALIGNED_COLOUR, al, raw, 1},
        {"A \u2212 B aligned", t[2], ALIGNED_COLOUR, 0, al, 0},
        {"\u2212 left of the starts", t[3], ALIGNED_COLOUR, learned, al, 1},
        {"learned difference", t[4], ALIGNED_COLOUR, 0, learned, 0},
    };
    char desc[512];
    int at = snprintf(desc, sizeof desc, "Relative to A's norm: A - B %.3f as they are, %.3f aligned", raw, al);
    if (starts) snprintf(desc + at, sizeof desc - (size_t)at, ", %.3f with each network's start subtracted.", learned);
    else snprintf(desc + at, sizeof desc - (size_t)at, ".");
    tn_svg_bars_plot p = {"Figure 1: the distance between A and B taken apart", desc, "\u2016A \u2212 B\u2016 relative to \u2016A\u2016",
                          520, 196, 56, isfinite(r->dist_baseline) ? r->dist_baseline : 0, "two fresh initialisations", 1};
    fprintf(r->f, "<figure id=\"fig-distance\">\n");
    tn_svg_bars(r->f, &p, bar, starts && !same_start ? 5 : 3);
    fprintf(r->f, "<figcaption><b>1</b> A and B are <b>%s</b> apart relative to A's norm", t[0]);
    if (isfinite(r->dist_baseline)) fprintf(r->f, " (two fresh initialisations: %s)", dist(d[5], r->dist_baseline));
    if (r->a.net.n_sizes <= 2) fprintf(r->f, ". There is no hidden layer, so no unit to reorder or negate. ");
    else {
        fprintf(r->f, ". Aligned (hidden units matched by their activations, sign flips allowed), <b>%s</b>: ", t[2]);
        if (raw > al) fprintf(r->f, "reordering and negating hidden units removes %s. ", dist(d[5], raw - al));
        else fprintf(r->f, "reordering and negating hidden units removes nothing. ");
    }
    if (same_start) fprintf(r->f, "They started from the same parameters, so all of it was learned.");
    else if (starts && al > learned)
        fprintf(r->f, "Subtracting each network's start leaves <b>%s</b>, the learned difference; the other %s is what is left of "
                      "their different starts.", t[4], dist(d[5], al - learned));
    else if (starts)
        fprintf(r->f, "Subtracting each network's start leaves %s, no less: nothing of the starts' difference is left.", t[4]);
    else {
        int side = r->cmp.start_known_a ? 1 : 0;
        const char *source = side ? r->cmp.source_b : r->cmp.source_a;
        fprintf(r->f, "The start of %s is not known (", side ? "B" : "A");
        if (source[0]) { fprintf(r->f, "imported from "); esc(r, source); fprintf(r->f, " without --start"); }
        else fprintf(r->f, "its file does not record it");
        fprintf(r->f, "), so what is left of the starts cannot be told from what was learned.");
    }
    fprintf(r->f, "</figcaption>\n</figure>\n");
}

/* Figure 2: the barrier on the straight path, raw and aligned, in points of test error. */
static void barrier(tn_report *r) {
    const tn_compare_view *raw = &r->cmp.view[TN_VIEW_RAW], *al = &r->cmp.view[r->aligned];
    double e0 = 100 * raw->error_barrier, e1 = 100 * al->error_barrier;
    char t[2][48], desc[256];
    snprintf(t[0], sizeof t[0], "%.1f points", e0);
    snprintf(t[1], sizeof t[1], "%.1f points", e1);
    tn_svg_bar bar[2] = {{"as they are", t[0], RAW_COLOUR, 0, e0, 0}, {"aligned", t[1], ALIGNED_COLOUR, 0, e1, 0}};
    snprintf(desc, sizeof desc, "Test error barrier: %.2f points as they are, %.2f aligned; test cost barrier %.4f and %.4f.", e0, e1,
             raw->cost_barrier, al->cost_barrier);
    tn_svg_bars_plot p = {"Figure 2: the barrier on the straight path from A to B", desc,
                          "test error above the line between the ends, points", 420, 96, 84, 0, NULL, 0};
    fprintf(r->f, "<figure id=\"fig-barrier\">\n");
    tn_svg_bars(r->f, &p, bar, 2);
    fprintf(r->f, "<figcaption><b>2</b> On the straight path from A to B the test error rises <b>%.1f</b> points above the line "
                  "between its ends; with B aligned, <b>%.1f</b>: ", e0, e1);
    if (raw->error_barrier < NO_BARRIER) fprintf(r->f, "there is no barrier even as they are, so they lie in one basin.");
    else if (al->error_barrier < NO_BARRIER) fprintf(r->f, "the barrier was the order of the hidden units; aligned, they lie in one basin.");
    /* report --curve: a curve lower than the aligned straight line shows the rest is the line's, not a wall */
    else if (r->have_curve && r->curve.finite && r->curve.error_barrier < al->error_barrier)
        fprintf(r->f, "%s the rest rises on the straight line, and a curve goes around it:",
                e1 < e0 / 2 ? "most of the barrier is the order of the hidden units;" : "aligned, most of it remains;");
    else if (e1 < e0 / 2) fprintf(r->f, "most of the barrier is the order of the hidden units; the rest separates two solutions.");
    else fprintf(r->f, "aligned or not, A and B are two solutions in different basins.");
    if (r->have_curve) { /* report --curve: the other path, measured (see "A curve from A to B") */
        char sentence[512];
        tn_curve_sentence(&r->curve, sentence, sizeof sentence);
        fprintf(r->f, " <a href=\"#curve\">");
        esc(r, sentence);
        fprintf(r->f, "</a>");
    }
    fprintf(r->f, "</figcaption>\n</figure>\n");
}

static const tn_attribution_row *row_of(const tn_report *r, tn_vary v) {
    for (int k = 0; r->have_rows && k < r->sw.n_sources; k++)
        if (r->rows[k].source == v && r->rows[k].diverged < r->rows[k].runs) return &r->rows[k];
    return NULL;
}

/* Figure 3: how often A and B agree; in a sweep each source's disagreement, one bar each. */
static void agreement(tn_report *r) {
    const tn_compare_result *c = &r->cmp;
    double agree = c->test_total ? 100.0 * (c->test_total - c->disagree) / c->test_total : 0;
    fprintf(r->f, "<figure id=\"fig-agree\">\n");
    if (r->is_sweep) {
        tn_svg_bar bar[TN_VARY_COUNT];
        char t[TN_VARY_COUNT][32], desc[512] = "";
        int n = 0;
        for (int k = 0; k < r->sw.n_sources; k++) {
            const tn_attribution_row *w = row_of(r, r->sw.sources[k]);
            if (!w) continue;
            double d = 100 * w->metric[TN_PAIR_DISAGREEMENT].mean;
            snprintf(t[n], sizeof t[n], "%.2f%%", d);
            bar[n] = (tn_svg_bar){tn_vary_names[w->source], t[n], tn_report_colour(w->source), 0, d, 0};
            snprintf(desc + strlen(desc), sizeof desc - strlen(desc), "%s%s %.2f%%", n ? "; " : "", tn_vary_names[w->source], d);
            n++;
        }
        tn_svg_bars_plot p = {"Figure 3: how often two runs disagree, by the source that varies", desc,
                              "test images two runs classify differently, % (mean over pairs)", 420, 96, 70, 0, NULL, 0};
        tn_svg_bars(r->f, &p, bar, n);
    }
    fprintf(r->f, "<figcaption><b>3</b> A and B predict the same digit on <b>%.1f%%</b> of the %u test images (test accuracy of "
                  "the model files: A %.2f%%, B %.2f%%).", agree, c->test_total, 100.0 * c->correct_a / c->test_total,
            100.0 * c->correct_b / c->test_total);
    const tn_attribution_row *bit = row_of(r, TN_VARY_BIT), *seed = row_of(r, TN_VARY_INIT), *none = row_of(r, TN_VARY_NONE);
    seed = seed ? seed : row_of(r, TN_VARY_ORDER) ? row_of(r, TN_VARY_ORDER) : row_of(r, TN_VARY_BOTH);
    if (seed) fprintf(r->f, " Two runs with %s disagree on %.2f%%", tn_report_source_words(seed->source), 100 * seed->metric[TN_PAIR_DISAGREEMENT].mean);
    if (seed && bit && seed->metric[TN_PAIR_DISAGREEMENT].mean > 0)
        fprintf(r->f, "; with one flipped bit, on %.2f%%: %.0f%% as often", 100 * bit->metric[TN_PAIR_DISAGREEMENT].mean,
                100 * bit->metric[TN_PAIR_DISAGREEMENT].mean / seed->metric[TN_PAIR_DISAGREEMENT].mean);
    if (seed && none && none->fingerprints == 1) fprintf(r->f, "; the control's runs are one network, bit for bit.");
    else if (none) fprintf(r->f, "; <b>the control's runs differ (%u fingerprints): training was not deterministic here</b>.", none->fingerprints);
    else if (seed) fprintf(r->f, ".");
    fprintf(r->f, "</figcaption>\n</figure>\n");
}

/* How often a run fails: k of N per source, the outliers named in the evidence below. */
static void failures(tn_report *r) {
    const tn_outliers *o = &r->outliers;
    fprintf(r->f, "<p id=\"fails\"><b>4</b> How often a run fails (ends more than 3 sd below the median test accuracy of its "
                  "source, robust sd): ");
    for (int k = 0; k < r->sw.n_sources; k++) {
        tn_vary v = r->sw.sources[k];
        fprintf(r->f, "%s<span class=\"key\" style=\"background:%s\"></span>%s <b>%u of %u</b>", k ? ", " : "", tn_report_colour(v),
                tn_vary_names[v], o->source_outliers[v], o->source_runs[v]);
    }
    fprintf(r->f, "%s</p>\n", o->n ? " (named under <a href=\"#outliers\">outlier runs</a>)." : ".");
}

void tn_report_card(tn_report *r) {
    fprintf(r->f, "<section id=\"answer\">\n<p class=\"pair\">The answer for ");
    if (r->is_sweep) fprintf(r->f, "the pair <b>%s</b> (A) and <b>%s</b> (B) of this sweep", r->name_a, r->name_b);
    else fprintf(r->f, "A and B");
    fprintf(r->f, "; distances are relative to A's norm.</p>\n<div class=\"card\">\n");
    decomposition(r);
    fprintf(r->f, "<div class=\"side\">\n");
    barrier(r);
    agreement(r);
    if (r->is_sweep) failures(r);
    fprintf(r->f, "</div>\n</div>\n</section>\n");
}
