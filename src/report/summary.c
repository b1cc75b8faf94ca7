/* The report's words: the summary in plain words, the attribution table, the pair's findings,
 * and the page around the figures (head, style, sections in order, footer). Every string that
 * comes from outside (file names, directory names) is escaped for HTML. */
#include <math.h>

#include "palette.h"
#include "report.h"

static const char style[] =
    "body{font-family:sans-serif;max-width:1180px;margin:20px auto;padding:0 16px;color:#222;line-height:1.45}\n"
    "h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;border-bottom:1px solid #bbb;padding-bottom:3px;margin-top:30px}\n"
    "p,li{max-width:1000px}.sub{color:#555;margin-top:0}code{font-size:90%;word-break:break-all}\n"
    ".row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}figure{margin:6px 0}.row figure{width:min-content}\n"
    "figcaption{font-size:13px;color:#444;max-width:560px}img.px{image-rendering:pixelated}\n"
    ".digits{display:flex;flex-wrap:wrap;gap:8px}.digits figure{margin:0;text-align:center;width:92px}\n"
    ".digits figcaption{font-size:12px}.ok{color:#00734d}.no{color:#b33000}\n"
    "table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}\n"
    "td{white-space:nowrap}td.l{white-space:normal}\n"
    "th{background:#f2f2f2;vertical-align:bottom}td.l,th.l{text-align:left}.key{display:inline-block;width:11px;height:11px;margin-right:5px}\n"
    "footer{margin-top:30px;font-size:12px;color:#666}\n";

static void esc(tn_report *r, const char *s) { tn_html_escape(r->f, s); }

static void source_key(tn_report *r, tn_vary v) {
    fprintf(r->f, "<span class=\"key\" style=\"background:%s\"></span><b>%s</b>", tn_report_colour(v), tn_vary_names[v]);
}

static void describe_network(tn_report *r) {
    const tn_config *c = &r->a.config;
    fprintf(r->f, "the network [");
    for (int l = 0; l < c->n_sizes; l++) fprintf(r->f, "%s%u", l ? "," : "", c->sizes[l]);
    if (r->a.provenance.source[0] || r->b.provenance.source[0]) { /* imported: how it was trained is not recorded */
        fprintf(r->f, "] (%s hidden units, %s cost", tn_activation_name(c->activation), tn_cost_name(c->cost));
        const tn_provenance *p[2] = {&r->a.provenance, &r->b.provenance};
        int both = p[0]->source[0] && p[1]->source[0];
        for (int k = 0; k < 2; k++) {
            if (!p[k]->source[0]) continue;
            fprintf(r->f, "%s %s from %s", k && both ? "," : ";", k ? "B imported" : "A imported", p[k]->source);
            if (p[k]->origin[0]) { fprintf(r->f, " (<code>"); esc(r, p[k]->origin); fprintf(r->f, "</code>)"); }
        }
        fprintf(r->f, ": how %s trained is not known)", both ? "they were" : "it was");
        return;
    }
    fprintf(r->f, "] (%s hidden units, %s cost, %s initialisation, %u epoch%s of mini-batches of %u, learning rate %g",
            tn_activation_name(c->activation), tn_cost_name(c->cost), tn_init_name(c->init), c->epochs, TN_S(c->epochs), c->batch,
            (double)c->eta);
    if (c->lambda > 0) fprintf(r->f, ", L2 %g", (double)c->lambda);
    fprintf(r->f, ")");
}

static const tn_attribution_row *row_of(const tn_report *r, tn_vary v) {
    for (int k = 0; r->have_rows && k < r->sw.n_sources; k++)
        if (r->rows[k].source == v) return &r->rows[k];
    return NULL;
}

static void summary_sources(tn_report *r) {
    fprintf(r->f, "<ul>\n");
    for (int k = 0; k < r->sw.n_sources; k++) {
        const tn_attribution_row *w = &r->rows[k];
        fprintf(r->f, "<li>");
        source_key(r, w->source);
        if (w->diverged == w->runs) {
            fprintf(r->f, ", %s: all %u runs diverged: no figure.</li>\n", tn_report_source_words(w->source), w->runs);
            continue;
        }
        fprintf(r->f, ", %s: test accuracy %.2f%% &plusmn; %.2f (standard deviation over %u runs)", tn_report_source_words(w->source),
                100 * w->accuracy_mean, 100 * w->accuracy_std, w->runs);
        if (w->source == TN_VARY_NONE && w->fingerprints == 1)
            fprintf(r->f, "; all %u runs have one fingerprint, bit for bit: training is deterministic, so every other row "
                          "measures the source it varies and nothing else.</li>\n", w->runs);
        else if (w->source == TN_VARY_NONE)
            fprintf(r->f, "; <b>the control's runs have %u different fingerprints: training was not deterministic here</b>, so "
                          "every other row also holds that noise.</li>\n", w->fingerprints);
        else
            fprintf(r->f, "; two runs predict different digits for %.2f%% of the test images, and their parameters are %.3g apart "
                          "relative to the first's norm (%.3g after aligning the hidden units; mean over %u pairs).</li>\n",
                    100 * w->metric[TN_PAIR_DISAGREEMENT].mean, w->metric[TN_PAIR_DISTANCE_RAW].mean, w->metric[TN_PAIR_DISTANCE_ALIGNED].mean, w->pairs);
    }
    fprintf(r->f, "</ul>\n");
    const tn_attribution_row *bit = row_of(r, TN_VARY_BIT), *seed = row_of(r, TN_VARY_INIT);
    seed = seed ? seed : row_of(r, TN_VARY_ORDER) ? row_of(r, TN_VARY_ORDER) : row_of(r, TN_VARY_BOTH);
    if (!bit || !seed) return;
    double ratio = seed->metric[TN_PAIR_DISAGREEMENT].mean > 0 ? bit->metric[TN_PAIR_DISAGREEMENT].mean / seed->metric[TN_PAIR_DISAGREEMENT].mean : 1.0;
    fprintf(r->f, "<p>One flipped bit makes two runs disagree on %.2f%% of the test images, %s on %.2f%%: %s</p>\n",
            100 * bit->metric[TN_PAIR_DISAGREEMENT].mean, tn_report_source_words(seed->source), 100 * seed->metric[TN_PAIR_DISAGREEMENT].mean,
            ratio >= 0.5 ? "the smallest possible change to the start changes the trained network about as much as a new seed."
                         : "in this training the flipped bit has changed the network much less than a new seed does.");
}

/* What the traces say of single bits: how far each flip spread by the end, against two seeds. */
static void summary_traces(tn_report *r) {
    const tn_report_trace *seed = NULL;
    int bits = 0;
    for (int k = 0; k < r->n_traces; k++) {
        tn_vary v = r->traces[k].source;
        if (!seed && (v == TN_VARY_INIT || v == TN_VARY_ORDER || v == TN_VARY_BOTH)) seed = &r->traces[k];
        if (v != TN_VARY_BIT || !r->traces[k].result.diverged) continue;
        const tn_diverge_result *d = &r->traces[k].result;
        const tn_diverge_point *end = &d->points[d->n_points - 1];
        fprintf(r->f, "%s", bits++ ? "; " : "<p>In the traces, step by step: ");
        esc(r, r->traces[k].label);
        if (end->differing <= 1) fprintf(r->f, ": the flip never spread beyond its own weight in %llu steps", (unsigned long long)end->step);
        else
            fprintf(r->f, ": the flip spread to %llu of %llu parameters, and the distance grew from %.3g at step %llu to %.3g at step %llu",
                    (unsigned long long)end->differing, (unsigned long long)tn_params_count(d->sizes, d->n_sizes), d->points[0].l2,
                    (unsigned long long)d->points[0].step, end->l2, (unsigned long long)end->step);
    }
    if (bits && seed) {
        fprintf(r->f, "; against %.3g at the end for ", seed->result.points[seed->result.n_points - 1].l2);
        esc(r, seed->label);
    }
    if (bits) fprintf(r->f, ".</p>\n");
}

static void summary(tn_report *r) {
    char answer[4096];
    fprintf(r->f, "<section id=\"summary\">\n<h2>Summary</h2>\n<p>");
    if (r->is_sweep) {
        uint32_t diverged = 0;
        for (int k = 0; r->have_rows && k < r->sw.n_sources; k++) diverged += r->rows[k].diverged;
        fprintf(r->f, "This sweep %s ", diverged ? "set out to train" : "trained");
        describe_network(r);
        fprintf(r->f, " %u times for each of %d source%s of randomness, %u runs in all, and tested every run on the %u images of "
                      "<code>", r->sw.runs, r->sw.n_sources, TN_S(r->sw.n_sources), tn_sweep_total(&r->sw), r->spec->test->n);
        esc(r, r->spec->test->images_name);
        fprintf(r->f, "</code>.</p>\n");
        if (diverged) /* a state, never a digit: no figure of theirs is shown as a result */
            fprintf(r->f, "<p><b>%u of the %u runs diverged</b> (a non-finite cost or parameter stopped their training): they are "
                          "left out of every mean, pair and plotted curve below.</p>\n", diverged, tn_sweep_total(&r->sw));
        summary_sources(r);
        summary_traces(r);
        fprintf(r->f, "<p>The pictures below show the pair <b>%s</b> (A) and <b>%s</b> (B). ", r->name_a, r->name_b);
    } else {
        fprintf(r->f, "A is <code>");
        esc(r, r->path_a);
        fprintf(r->f, "</code> and B is <code>");
        esc(r, r->path_b);
        fprintf(r->f, "</code>, ");
        describe_network(r);
        fprintf(r->f, ", tested on the %u images of <code>", r->spec->test->n);
        esc(r, r->spec->test->images_name);
        fprintf(r->f, "</code>.</p>\n<p>");
    }
    tn_compare_explain(&r->cmp, TN_FINDING_ANSWER, answer, sizeof answer);
    esc(r, answer);
    fprintf(r->f, "</p>\n</section>\n");
}

/* A pair metric's cell: its mean and standard error, scaled and formatted as its description says. */
static void stat_cell(tn_report *r, const tn_stat *s, const tn_pair_metric_desc *d) {
    if (!isfinite(s->mean)) { fprintf(r->f, "<td>none (diverged)</td>"); return; }
    fprintf(r->f, "<td>");
    fprintf(r->f, d->page_format, d->scale * s->mean);
    fprintf(r->f, " &plusmn; ");
    fprintf(r->f, d->page_format, d->scale * s->stderr_);
    fprintf(r->f, "</td>");
}

static void attribution_table(tn_report *r) {
    fputs("<section id=\"table\">\n<h2>Which source of randomness makes how much difference</h2>\n"
                  "<table>\n<tr><th class=\"l\">source</th><th class=\"l\">what varies from run to run</th><th>runs</th>"
                  "<th>distinct fingerprints</th><th>test accuracy, % (mean &plusmn; sd)</th><th>test cost, sd</th><th>pairs</th>", r->f);
    for (int k = 0; k < TN_PAIR_METRIC_COUNT; k++) {
        const tn_pair_metric_desc *d = tn_pair_metric_info(k);
        fprintf(r->f, "<th>%s%s%s</th>", d->label, *d->unit ? ", " : "", d->unit);
    }
    fputs("</tr>\n", r->f);
    for (int k = 0; k < r->sw.n_sources; k++) {
        const tn_attribution_row *w = &r->rows[k];
        fprintf(r->f, "<tr><td class=\"l\">");
        source_key(r, w->source);
        if (w->diverged == w->runs)
            fprintf(r->f, "</td><td class=\"l\">%s</td><td>%u (all diverged)</td><td>%u</td><td>none</td><td>none</td><td>0</td>",
                    tn_report_source_words(w->source), w->runs, w->fingerprints);
        else
            fprintf(r->f, "</td><td class=\"l\">%s</td><td>%u%s</td><td>%u</td><td>%.2f &plusmn; %.2f</td><td>%.3g</td><td>%u</td>",
                    tn_report_source_words(w->source), w->runs, w->diverged ? " (some diverged)" : "", w->fingerprints,
                    100 * w->accuracy_mean, 100 * w->accuracy_std, w->cost_std, w->pairs);
        for (int m = 0; m < TN_PAIR_METRIC_COUNT; m++) stat_cell(r, &w->metric[m], tn_pair_metric_info(m));
        fprintf(r->f, "</tr>\n");
    }
    fprintf(r->f, "</table>\n<p>Accuracy and cost: over the runs of a source. The other columns: means over pairs of its runs "
                  "&plusmn; their standard error. Disagreement: test images the two runs classify differently. Output correlation: "
                  "Pearson correlation of their output vectors. Ensemble gain: accuracy of the two runs' averaged outputs minus "
                  "their mean accuracy. Distance: of all parameters, relative to the first run's norm; aligned: after weight "
                  "matching of the hidden units. Cost barrier: the largest rise of the test cost above the straight line between "
                  "its ends on the straight path from one run to the other. Table: %s.</p>\n</section>\n", r->rows_from);
}

static void findings(tn_report *r) {
    char line[4096];
    fprintf(r->f, "<section id=\"findings\">\n<h2>The pair A and B in numbers</h2>\n<ul>\n");
    for (tn_finding k = TN_FINDING_DISTANCE; k < TN_FINDING_ANSWER; k++)
        if (tn_compare_explain(&r->cmp, k, line, sizeof line)) {
            fprintf(r->f, "<li>");
            esc(r, line);
            fprintf(r->f, "</li>\n");
        }
    fprintf(r->f, "</ul>\n</section>\n");
}

tn_status tn_report_page(tn_report *r, tn_error *err) {
    FILE *f = r->f;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>twinnet report: ");
    esc(r, r->is_sweep ? r->sw.dir : r->path_a);
    if (!r->is_sweep) { fprintf(f, " and "); esc(r, r->path_b); }
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>Why do two trainings of one network end with different "
               "weights?</h1>\n<p class=\"sub\">twinnet report on %s <code>", style, r->is_sweep ? "the sweep" : "two models");
    esc(r, r->is_sweep ? r->sw.dir : r->path_a);
    if (!r->is_sweep) { fprintf(f, "</code> and <code>"); esc(r, r->path_b); }
    fprintf(f, "</code></p>\n");
    summary(r);
    tn_status s = TN_OK;
    if (r->is_sweep) tn_report_accuracy(r);
    if ((s = tn_report_weights(r, err)) != TN_OK) return s;
    tn_report_path(r);
    tn_report_traces(r);
    if ((s = tn_report_disagreements(r, err)) != TN_OK) return s;
    if (r->is_sweep) attribution_table(r);
    findings(r);
    fprintf(f, "<footer>Made by twinnet %s. The page runs no script and loads nothing: every plot is SVG and every picture a "
               "PNG inside it.</footer>\n</body>\n</html>\n", TN_VERSION_STRING);
    return TN_OK;
}
