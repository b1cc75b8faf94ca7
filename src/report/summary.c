/* The report's words: the summary in plain words, the attribution table, the pair's findings,
 * and the page around the figures (head, style, sections in order, footer). Every string that
 * comes from outside (file names, directory names) is escaped for HTML. */
#include <math.h>

#include "palette.h"
#include "report.h"

static const char style[] =
    "body{font-family:sans-serif;max-width:1180px;margin:12px auto;padding:0 12px;color:#222;line-height:1.4}\n"
    "h1{font-size:22px;margin:4px 0}h2{font-size:19px;border-bottom:1px solid #bbb;padding-bottom:3px;margin-top:30px}\n"
    "p,li{max-width:1000px}.sub{color:#555;margin-top:0}code{font-size:90%;overflow-wrap:anywhere}\n"
    "svg,img{max-width:100%;height:auto}.row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}figure{margin:6px 0;min-width:0}\n"
    "figcaption{font-size:13px;color:#333;max-width:600px}img.px{image-rendering:pixelated}\n"
    ".card{display:grid;grid-template-columns:minmax(0,560px) minmax(0,1fr);gap:10px 36px;align-items:start}\n"
    ".card figcaption,#fails{font-size:14px}.card figure{margin:0 0 8px}.pair{margin:4px 0 6px;color:#444}#fails{margin:4px 0}\n"
    "@media (max-width:900px){.card{grid-template-columns:minmax(0,1fr)}}\n"
    ".pairs{display:flex;flex-wrap:wrap;gap:14px}.pairfig{text-align:center}.pairfig div{display:flex;gap:4px}\n"
    ".digits{display:flex;flex-wrap:wrap;gap:8px}.digits figure{margin:0;text-align:center;width:92px}\n"
    ".digits figcaption{font-size:12px}.ok{color:#00734d}.no{color:#b33000}.scroll{overflow-x:auto;max-width:100%}\n"
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

/* What was compared: the network, the runs, the test set (the answer card comes first). */
static void summary(tn_report *r) {
    fprintf(r->f, "<section id=\"summary\">\n<h2>What was compared</h2>\n<p>");
    if (r->is_sweep) {
        uint32_t diverged = 0;
        for (int k = 0; r->have_rows && k < r->sw.n_sources; k++) diverged += r->rows[k].diverged;
        fprintf(r->f, "This sweep %s ", diverged ? "set out to train" : "trained");
        describe_network(r);
        fprintf(r->f, " %u times for each of %d source%s of randomness (", r->sw.runs, r->sw.n_sources, TN_S(r->sw.n_sources));
        for (int k = 0; k < r->sw.n_sources; k++)
            fprintf(r->f, "%s%s: %s", k ? "; " : "", tn_vary_names[r->sw.sources[k]], tn_report_source_words(r->sw.sources[k]));
        fprintf(r->f, "), %u runs in all, and tested every run on the %u images of <code>", tn_sweep_total(&r->sw), r->spec->test->n);
        esc(r, r->spec->test->images_name);
        fprintf(r->f, "</code>. The card above and the pictures below show the pair <b>%s</b> (A) and <b>%s</b> (B).</p>\n",
                r->name_a, r->name_b);
        if (diverged) /* a state, never a digit: no figure of theirs is shown as a result */
            fprintf(r->f, "<p><b>%u of the %u runs diverged</b> (a non-finite cost or parameter stopped their training): they are "
                          "left out of every mean, pair and plotted curve below.</p>\n", diverged, tn_sweep_total(&r->sw));
    } else {
        fprintf(r->f, "A is <code>");
        esc(r, r->path_a);
        fprintf(r->f, "</code> and B is <code>");
        esc(r, r->path_b);
        fprintf(r->f, "</code>, ");
        describe_network(r);
        fprintf(r->f, ", tested on the %u images of <code>", r->spec->test->n);
        esc(r, r->spec->test->images_name);
        fprintf(r->f, "</code>.</p>\n");
    }
    fprintf(r->f, "</section>\n");
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
                  "<div class=\"scroll\"><table>\n<tr><th class=\"l\">source</th><th class=\"l\">what varies from run to run</th><th>runs</th>"
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
    fprintf(r->f, "</table></div>\n<p>Accuracy and cost: over the runs of a source. The other columns: means over pairs of its runs "
                  "&plusmn; their standard error. Disagreement: test images the two runs classify differently. Output correlation: "
                  "Pearson correlation of their output vectors. Ensemble gain: accuracy of the two runs' averaged outputs minus "
                  "their mean accuracy. Distance: of all parameters, relative to the first run's norm; aligned: hidden units "
                  "matched by their activations, sign flips allowed, as everywhere in this report. Cost barrier: the largest "
                  "rise of the test cost above the straight line between "
                  "its ends on the straight path from one run to the other. Table: %s.</p>\n</section>\n", r->rows_from);
}

/* Every arrangement of B compared (the full table: the other methods appear here only). */
static void views_table(tn_report *r) {
    static const char *const words[TN_VIEW_COUNT] = {"as they are (raw)", "weight matching", "weight matching, sign flips",
                                                     "activation matching", "activation matching, sign flips"};
    fprintf(r->f, "<div class=\"scroll\"><table>\n<tr><th class=\"l\">B arranged by</th><th>&Vert;A&minus;B&Vert; / &Vert;A&Vert;</th>"
                  "<th>&Vert;A&minus;B&Vert;, absolute</th><th>units moved</th><th>units negated</th><th>mean unit correlation "
                  "(first hidden layer)</th><th>test cost barrier</th><th>test error barrier, points</th></tr>\n");
    for (int v = 0; v < TN_VIEW_COUNT; v++) {
        const tn_compare_view *x = &r->cmp.view[v];
        if (!x->done) continue;
        fprintf(r->f, "<tr><td class=\"l\">%s%s</td><td>%.3f</td><td>%.4g</td><td>%u</td><td>%u</td><td>%.3f</td><td>%.4f</td><td>%.2f</td></tr>\n",
                words[v], v == (int)r->aligned ? " <b>(aligned: the report's)</b>" : "", x->distance.total.relative,
                x->distance.total.l2, x->alignment.moved, x->alignment.flipped, r->cmp.n_sizes > 2 ? x->mean_correlation[1] : NAN, x->cost_barrier, 100 * x->error_barrier);
    }
    fprintf(r->f, "</table></div>\n");
}

static void findings(tn_report *r) {
    char line[4096];
    /* The start (figure 1 takes it apart; an unknown one is said there, once), the alignment and
     * the path (the table below, and figures 1 and 2) are not repeated in other words here. */
    static const tn_finding said[] = {TN_FINDING_DISTANCE, TN_FINDING_BLANK, TN_FINDING_FUNCTION, TN_FINDING_REPRESENTATION};
    fprintf(r->f, "<section id=\"findings\">\n<h2>The pair A and B in numbers</h2>\n<ul>\n");
    for (size_t k = 0; k < sizeof said / sizeof said[0]; k++) {
        if (tn_compare_explain(&r->cmp, said[k], line, sizeof line)) {
            fprintf(r->f, "<li>");
            esc(r, line);
            fprintf(r->f, "</li>\n");
        }
    }
    fprintf(r->f, "</ul>\n<p>Every way of arranging B's hidden units that was measured (the report's figures use one: "
                  "aligned):</p>\n");
    views_table(r);
    fprintf(r->f, "</section>\n");
}

/* The sweep's outlier runs, named (outliers.c), and the rule. */
static void outliers(tn_report *r) {
    const tn_outliers *o = &r->outliers;
    char line[1024];
    fprintf(r->f, "<section id=\"outliers\">\n<h2>Outlier runs</h2>\n<p>A run is an outlier when its test accuracy (the model "
                  "file's) is %s. ", tn_outlier_rule);
    for (int k = 0; k < r->sw.n_sources; k++) {
        tn_outlier_source_words(o, r->sw.sources[k], line, sizeof line);
        fprintf(r->f, "%s", k ? "; " : "Per source: ");
        esc(r, line);
    }
    fprintf(r->f, ".%s</p>\n", o->n ? "" : " No run is an outlier.");
    if (o->n) fprintf(r->f, "<ul>\n");
    for (uint32_t k = 0; k < o->n; k++) {
        tn_outlier_words(&r->sw, o, &o->run[k], line, sizeof line);
        fprintf(r->f, "<li>");
        esc(r, line);
        fprintf(r->f, "</li>\n");
    }
    if (o->n) fprintf(r->f, "</ul>\n<p>A digit is failed when the run's accuracy on that digit's test images is more than 3 sd "
                            "below the median of its source's runs on them, by the same rule.</p>\n");
    fprintf(r->f, "</section>\n");
}

tn_status tn_report_page(tn_report *r, tn_error *err) {
    FILE *f = r->f;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>twinnet report: ");
    esc(r, r->is_sweep ? r->sw.dir : r->path_a);
    if (!r->is_sweep) { fprintf(f, " and "); esc(r, r->path_b); }
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>Why do two trainings of one network end with different "
               "weights?</h1>\n<p class=\"sub\">twinnet report on %s <code>", style, r->is_sweep ? "the sweep" : "two models");
    esc(r, r->is_sweep ? r->sw.dir : r->path_a);
    if (!r->is_sweep) { fprintf(f, "</code> and <code>"); esc(r, r->path_b); }
    fprintf(f, "</code></p>\n");
    /* The answer first, then the evidence in the order of the argument: the units (figure 1), the
     * path (2), the disagreements (3), how runs part, the sweep's table and outliers (4), the pair's
     * numbers, and last the accuracy per epoch. */
    tn_report_card(r);
    summary(r);
    tn_status s = TN_OK;
    if ((s = tn_report_pairs(r, err)) != TN_OK) return s;
    if ((s = tn_report_weights(r, err)) != TN_OK) return s;
    tn_report_path(r);
    if (r->have_curve) tn_report_curve(r);
    if ((s = tn_report_disagreements(r, err)) != TN_OK) return s;
    tn_report_traces(r);
    if (r->is_sweep) attribution_table(r);
    if (r->is_sweep) outliers(r);
    findings(r);
    if (r->is_sweep) tn_report_accuracy(r);
    fprintf(f, "<footer>Made by twinnet %s. The page runs no script and loads nothing: every plot is SVG and every picture a "
               "PNG inside it.</footer>\n</body>\n</html>\n", TN_VERSION_STRING);
    return TN_OK;
}
