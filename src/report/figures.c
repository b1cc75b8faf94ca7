/* The report's plots and pictures: the test accuracy of every run per epoch; the hidden units'
 * incoming weights of A, of B, and of B aligned to A as images; the test cost and error along
 * the straight path from A to B; the distance between two runs over the training steps; the
 * test images on which A and B disagree. Each section states its scales and units. */
#include <math.h>
#include <stdlib.h>

#include "palette.h"
#include "report.h"

#define MAX_UNITS 100   /* units drawn per model; the rest are left out (and the page says so) */

static void esc(tn_report *r, const char *s) { tn_html_escape(r->f, s); }

void tn_report_who(const tn_report *r, int side, char *buf, size_t cap) {
    if (r->is_sweep) snprintf(buf, cap, "%s (%s)", side ? "B" : "A", side ? r->name_b : r->name_a);
    else snprintf(buf, cap, "%s", side ? "B" : "A");
}

/* ---- test accuracy per epoch ---------------------------------------------------------------------- */
void tn_report_accuracy(tn_report *r) {
    uint32_t total = tn_sweep_total(&r->sw), longest = 0;
    tn_svg_series *s = calloc(total, sizeof *s);
    double *epoch = NULL;
    for (uint32_t k = 0; k < total; k++) longest = r->runs[k].epochs > longest ? r->runs[k].epochs : longest;
    if (!s || !(epoch = malloc((longest + 1) * sizeof *epoch))) { free(s); return; }
    for (uint32_t e = 0; e <= longest; e++) epoch[e] = e + 1;
    char labels[TN_VARY_COUNT][96], desc[1024] = "";
    for (int src = 0; src < r->sw.n_sources; src++) {
        tn_vary v = r->sw.sources[src];
        double lo = INFINITY, hi = -INFINITY;
        uint32_t shown = 0; /* runs with a curve: a diverged run has none (report.c) */
        snprintf(labels[src], sizeof labels[src], "%s: %s", tn_vary_names[v], tn_report_source_words(v));
        for (uint32_t i = 0; i < r->sw.runs; i++) {
            const tn_report_run *run = &r->runs[(uint32_t)src * r->sw.runs + i];
            double last = run->epochs ? run->accuracy[run->epochs - 1] : NAN;
            s[(uint32_t)src * r->sw.runs + i] = (tn_svg_series){labels[src], tn_report_colour(v), epoch, run->accuracy, run->epochs,
                                                                v == TN_VARY_NONE, longest <= 30};
            if (!run->epochs) continue;
            shown++;
            lo = last < lo ? last : lo;
            hi = last > hi ? last : hi;
        }
        if (!shown) snprintf(desc + strlen(desc), sizeof desc - strlen(desc), "%s%s: every run diverged", src ? "; " : "", tn_vary_names[v]);
        else snprintf(desc + strlen(desc), sizeof desc - strlen(desc), "%s%s: final test accuracy %.2f%% to %.2f%% over %u runs",
                      src ? "; " : "", tn_vary_names[v], lo, hi, shown);
    }
    fprintf(r->f, "<section id=\"accuracy\">\n<h2>Test accuracy, epoch by epoch</h2>\n<figure>\n");
    tn_svg_plot p = {.title = "Test accuracy after every epoch of each run, one colour per source of randomness", .desc = desc,
                     .x_label = "epoch", .y_label = "test accuracy (% of the test images)", .x_integer = 1, .width = 760,
                     .height = 360};
    tn_svg_line_plot(r->f, &p, s, (int)total);
    fprintf(r->f, "<figcaption>One line per run (%u runs), coloured by the source that varies; the control is dashed. Runs "
                  "with the same results lie on top of each other. %s.</figcaption>\n</figure>\n</section>\n", total, desc);
    free(s);
    free(epoch);
}

/* ---- the hidden units' incoming weights as images ----------------------------------------------------- */
/* The image shape of the input: the test set's rows x cols, else a square, else none (0). */
uint32_t tn_report_input_shape(const tn_report *r, uint32_t *cols) {
    uint32_t n_in = r->a.net.sizes[0], side = (uint32_t)sqrt((double)n_in);
    const tn_dataset *t = r->spec->test;
    if (t->rows > 1 && t->rows * t->cols == n_in) { *cols = t->cols; return t->rows; }
    while (side * side > n_in) side--;
    while ((side + 1) * (side + 1) <= n_in) side++;
    *cols = side;
    return side * side == n_in && side > 1 ? side : 0;
}

/* W (units, n_in) drawn as a grid of rows x cols images, one per unit, each scaled on its own:
 * grey 127.5 + 127.5 w / max|w| (mid-grey 0, white its largest weight magnitude, black the same
 * negative); white lines between the units. */
static tn_status weight_grid(tn_report *r, const float *w, uint32_t units, uint32_t rows, uint32_t cols, const char *alt,
                             tn_error *err) {
    uint32_t n_in = rows * cols, shown = units < MAX_UNITS ? units : MAX_UNITS, across = (uint32_t)ceil(sqrt((double)shown));
    uint32_t down = (shown + across - 1) / across, width = across * (cols + 1) + 1, height = down * (rows + 1) + 1;
    uint8_t *img = malloc((size_t)width * height);
    if (!img) return tn_fail(err, TN_ERR_NOMEM, "out of memory for an image");
    memset(img, 255, (size_t)width * height);
    for (uint32_t u = 0; u < shown; u++) {
        const float *unit = w + (size_t)u * n_in;
        double m = 0;
        for (uint32_t k = 0; k < n_in; k++) m = fabs(unit[k]) > m ? fabs(unit[k]) : m;
        uint32_t x0 = 1 + u % across * (cols + 1), y0 = 1 + u / across * (rows + 1);
        for (uint32_t k = 0; k < n_in; k++) {
            double g = m > 0 ? 127.5 + 127.5 * unit[k] / m : 127.5; /* in [0, 255]: |w| <= m */
            img[(size_t)(y0 + k / cols) * width + x0 + k % cols] = (uint8_t)(g + 0.5);
        }
    }
    fprintf(r->f, "<figure>");
    tn_status s = tn_html_png(r->f, img, width, height, 1, width <= 200 ? 2 : 1, alt, err);
    free(img);
    return s;
}

/* Mean over units of the cosine of their incoming weights: A's unit i against x's unit i. */
static double mean_cosine(const float *a, const float *x, uint32_t units, uint32_t n_in) {
    double sum = 0;
    for (uint32_t u = 0; u < units; u++) {
        double ab = 0, aa = 0, bb = 0;
        for (uint32_t k = 0; k < n_in; k++) {
            double p = a[(size_t)u * n_in + k], q = x[(size_t)u * n_in + k];
            ab += p * q; aa += p * p; bb += q * q;
        }
        sum += aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
    }
    return units ? sum / units : 0;
}

/* One row of pictures: A, B, and (with a hidden layer) B aligned to A. */
static tn_status grids(tn_report *r, float *const w[3], const char *what, uint32_t units, uint32_t rows, uint32_t cols,
                       tn_error *err) {
    int hidden = r->a.net.n_sizes > 2;
    char alt[512], name[3][128];
    tn_report_who(r, 0, name[0], sizeof name[0]);
    tn_report_who(r, 1, name[1], sizeof name[1]);
    memcpy(name[2], name[1], sizeof name[1]);
    strcat(name[1], " in its own order");
    strcat(name[2], " aligned to A");
    fprintf(r->f, "<div class=\"row\">\n");
    for (int k = 0; k < (hidden ? 3 : 2); k++) {
        snprintf(alt, sizeof alt, "%s of the %u %s units of %s, each as a %ux%u grey image, row by row; mid-grey is 0, white "
                 "positive, black negative", what, units < MAX_UNITS ? units : MAX_UNITS, hidden ? "hidden" : "output", name[k],
                 rows, cols);
        tn_status s = weight_grid(r, w[k], units, rows, cols, alt, err);
        if (s != TN_OK) return s;
        fprintf(r->f, "<figcaption><b>");
        esc(r, name[k]);
        fprintf(r->f, "</b>%s</figcaption></figure>\n", k == 2 ? ": in each place, B's unit matched to A's unit there" : "");
    }
    fprintf(r->f, "</div>\n");
    return TN_OK;
}

/* w[0..2]: the first-layer weights of A, B and B aligned to A (canonical order starts with W1,
 * (units, n_in) row-major); w[3..5], when both starts are known (tn_model_start: rebuilt from the
 * seeds, or supplied; *starts 1): the same minus their initial values, B's start aligned as B is. */
static tn_status first_layers(tn_report *r, float *w[6], size_t n, int *starts, tn_error *err) {
    tn_net net[3] = {{0}};   /* B aligned, B's start, B's start aligned */
    const tn_alignment *al = &r->cmp.view[r->aligned].alignment;
    tn_status s = tn_net_align(&r->b.net, al, &net[0], err);
    *starts = s == TN_OK && tn_model_start(&r->a, w[3]) && tn_model_start(&r->b, w[4]);
    if (s == TN_OK && *starts && (s = tn_net_copy(&net[1], &r->b.net, err)) == TN_OK) {
        tn_net_set_canonical(&net[1], w[4]);
        s = tn_net_align(&net[1], al, &net[2], err);
    }
    if (s == TN_OK) {
        const tn_net *all[3] = {&r->a.net, &r->b.net, &net[0]};
        for (int k = 0; k < 3; k++) tn_net_get_canonical(all[k], w[k]);
        if (*starts) tn_net_get_canonical(&net[2], w[5]);
        for (int k = 3; k < 6 && *starts; k++)
            for (size_t i = 0; i < n; i++) w[k][i] = w[k - 3][i] - w[k][i];
    }
    for (int k = 0; k < 3; k++) tn_net_free(&net[k]);
    return s;
}

static void unit_order(tn_report *r, float *const w[6], int starts, uint32_t units, uint32_t n_in) {
    const tn_alignment *x = &r->cmp.view[r->aligned].alignment;
    fprintf(r->f, "<p>Mean cosine similarity of a unit's incoming weights with those of the unit in the same place of B (1: the "
                  "same; 0: unrelated): weights <b>%.3f</b> in B's own order, <b>%.3f</b> aligned", mean_cosine(w[0], w[1], units, n_in),
            mean_cosine(w[0], w[2], units, n_in));
    if (starts)
        fprintf(r->f, "; what training changed <b>%.3f</b> in B's own order, <b>%.3f</b> aligned", mean_cosine(w[3], w[4], units, n_in),
                mean_cosine(w[3], w[5], units, n_in));
    fprintf(r->f, ". Aligned: %s. B's units in A's order (&minus;: negated): ",
            r->aligned == TN_VIEW_ACTIVATIONS_FLIPS ? "hidden units matched by their activations, sign flips allowed"
                                                    : "hidden units matched by their activations");
    for (uint32_t u = 0; u < units && u < MAX_UNITS; u++)
        fprintf(r->f, "%s%u%s", u ? ", " : "", x->perm[1][u], x->flip[1] && x->flip[1][u] ? "&minus;" : "");
    fprintf(r->f, ".</p>\n");
}

tn_status tn_report_weights(tn_report *r, tn_error *err) {
    uint32_t cols, rows = tn_report_input_shape(r, &cols), units = r->a.net.sizes[1], n_in = r->a.net.sizes[0];
    int hidden = r->a.net.n_sizes > 2;
    fprintf(r->f, "<section id=\"weights\">\n<h2>What each %s unit looks for: its incoming weights</h2>\n", hidden ? "hidden" : "output");
    if (!rows) {
        fprintf(r->f, "<p>The inputs (%u values) do not form an image, so the weights are not drawn.</p>\n</section>\n", n_in);
        return TN_OK;
    }
    float *w[6];
    int got = 0;
    for (int k = 0; k < 6; k++) got += (w[k] = malloc(r->a.net.n_params * sizeof(float))) != NULL;
    int starts = 0;
    tn_status s = got == 6 ? first_layers(r, w, (size_t)units * n_in, &starts, err)
                           : tn_fail(err, TN_ERR_NOMEM, "out of memory for the weights");
    if (s == TN_OK) {
        fprintf(r->f, "<p>Each small image is one unit: its %u incoming weights laid out as the %ux%u input image, scaled on its "
                      "own (mid-grey is 0, white the unit's largest weight magnitude, black the same negative). Units run row by "
                      "row from the top left", n_in, rows, cols);
        if (units > MAX_UNITS) fprintf(r->f, "; the first %u of %u are shown", MAX_UNITS, units);
        fprintf(r->f, ".%s</p>\n<h3>The weights</h3>\n", hidden ? " Reordering (and, where the activation allows it, negating) "
                      "hidden units changes nothing in what the network computes: B aligned to A is the same function as B." : "");
        s = grids(r, w, "The incoming weights", units, rows, cols, err);
    }
    if (s == TN_OK && !starts) /* why the start is not known is said once, in the answer card */
        fprintf(r->f, "<p>What training changed is not drawn: it needs both starts (see figure 1).</p>\n");
    if (s == TN_OK && starts) {
        fprintf(r->f, "<h3>What training changed: each weight minus its initial value</h3>\n<p>Much of a trained weight can "
                      "still be its random start; subtracting that leaves what the unit learned (training moved A by %.3f and B by "
                      "%.3f from their starts, relative to their norms). Weights from inputs that are blank in every training "
                      "image %s.</p>\n", r->cmp.travel_a.relative, r->cmp.travel_b.relative,
                r->a.config.lambda > 0 ? "change by weight decay alone" : "never change: they are mid-grey");
        s = grids(r, w + 3, "What training changed in the incoming weights", units, rows, cols, err);
    }
    if (s == TN_OK && hidden) unit_order(r, w, starts, units, n_in);
    else if (s == TN_OK) fprintf(r->f, "<p>There is no hidden layer: each output unit is one digit, so there is nothing to reorder.</p>\n");
    fprintf(r->f, "</section>\n");
    for (int k = 0; k < 6; k++) free(w[k]);
    return s;
}

/* ---- the straight path ------------------------------------------------------------------------------ */
void tn_report_path(tn_report *r) {
    const tn_compare_view *raw = &r->cmp.view[TN_VIEW_RAW], *al = &r->cmp.view[r->aligned];
    uint32_t n = raw->path_points;
    double *t = malloc(n * sizeof *t), *y = malloc(4 * (size_t)n * sizeof *y);
    if (!t || !y) { free(t); free(y); return; }
    for (uint32_t k = 0; k < n; k++) {
        t[k] = raw->path[k].t;
        y[k] = raw->path[k].cost;
        y[n + k] = al->path[k].cost;
        y[2 * n + k] = 100 * raw->path[k].error;
        y[3 * n + k] = 100 * al->path[k].error;
    }
    const char *aligned_words = "aligned: B's hidden units matched to A's";
    int two = r->aligned != TN_VIEW_RAW;
    /* CONVENTIONS.md: raw #222222 dashed, aligned #cc79a7 solid */
    tn_svg_series cost[2] = {{"raw: B as it is", "#222222", t, y, n, 1, 1}, {aligned_words, "#cc79a7", t, y + n, n, 0, 1}};
    tn_svg_series error[2] = {{"raw: B as it is", "#222222", t, y + 2 * n, n, 1, 1}, {aligned_words, "#cc79a7", t, y + 3 * n, n, 0, 1}};
    char x_label[64], y_label[96], desc[512];
    snprintf(x_label, sizeof x_label, "t: parameters (1 - t) A + t B (0 = A, 1 = B)");
    snprintf(y_label, sizeof y_label, "test cost (%s, mean per image)", tn_cost_name(r->a.config.cost));
    snprintf(desc, sizeof desc, "Raw: the test cost rises up to %.4f above the line between its ends, the error "
             "up to %.2f points; aligned: up to %.4f and %.2f points.", raw->cost_barrier, 100 * raw->error_barrier, al->cost_barrier,
             100 * al->error_barrier);
    fprintf(r->f, "<section id=\"path\">\n<h2>The straight path from A to B</h2>\n<p>Every point is a network whose parameters "
                  "are a mix of A's and B's, evaluated on the test set. A bump in the middle (a barrier) means A and B lie in "
                  "different valleys of the cost; if it vanishes once B's hidden units are put in A's order, they are one "
                  "solution with its units shuffled.</p>\n<div class=\"row\">\n<figure>\n");
    tn_svg_plot p = {.title = "Test cost along the straight path from A to B, raw and with B aligned to A", .desc = desc,
                     .x_label = x_label, .y_label = y_label, .y_from_zero = 1, .width = 560, .height = 320};
    tn_svg_line_plot(r->f, &p, cost, two ? 2 : 1);
    fprintf(r->f, "<figcaption>");
    esc(r, desc);
    fprintf(r->f, "</figcaption>\n</figure>\n<figure>\n");
    p.title = "Test error along the straight path from A to B, raw and with B aligned to A";
    p.y_label = "test error (% of the test images)";
    tn_svg_line_plot(r->f, &p, error, two ? 2 : 1);
    fprintf(r->f, "<figcaption>The same path: the share of test images misclassified.</figcaption>\n</figure>\n</div>\n</section>\n");
    free(t);
    free(y);
}

/* ---- the distance over the training steps ------------------------------------------------------------- */
static void trace_words(tn_report *r, const tn_report_trace *t) {
    const tn_diverge_result *d = &t->result;
    const tn_diverge_point *end = &d->points[d->n_points - 1];
    uint64_t n_params = tn_params_count(d->sizes, d->n_sizes);
    fprintf(r->f, "<li><b>");
    esc(r, t->label);
    if (!d->diverged) {
        fprintf(r->f, "</b>: bit for bit the same at all %zu common steps, 0 to %llu: nothing to draw on a log scale.</li>\n",
                d->n_points, (unsigned long long)end->step);
        return;
    }
    const tn_diverge_point *first = d->points;
    while (first->equal) first++;
    fprintf(r->f, "</b>: first differ at step %llu, in %llu of %llu parameters (&Vert;A&minus;B&Vert; / &Vert;A&Vert; = %.3g; "
                  "absolute %.3g); at step %llu, the end of epoch %u, %llu differ and &Vert;A&minus;B&Vert; / &Vert;A&Vert; = %.3g "
                  "(absolute %.3g).</li>\n", (unsigned long long)first->step, (unsigned long long)first->differing,
            (unsigned long long)n_params, first->relative, first->l2, (unsigned long long)end->step, end->epoch,
            (unsigned long long)end->differing, end->relative, end->l2);
}

void tn_report_traces(tn_report *r) {
    fprintf(r->f, "<section id=\"traces\">\n<h2>How two runs part, step by step</h2>\n");
    if (r->n_traces == 0) {
        fprintf(r->f, "<p>%s</p>\n</section>\n", r->is_sweep ? "This sweep holds no traces (it was made before sweeps traced their first runs)."
                                                                 : "No traces given: train A and B with --trace FILE and give "
                                                                   "them to the report (--trace TA --trace TB) to see this.");
        return;
    }
    tn_svg_series s[TN_REPORT_TRACES];
    double *xy[TN_REPORT_TRACES] = {0};
    int n = 0;
    for (int k = 0; k < r->n_traces; k++) {
        const tn_diverge_result *d = &r->traces[k].result;
        if (!d->diverged || !(xy[n] = malloc(2 * d->n_points * sizeof(double)))) continue;
        for (size_t i = 0; i < d->n_points; i++) {
            xy[n][i] = (double)d->points[i].step;
            xy[n][d->n_points + i] = d->points[i].relative;
        }
        s[n] = (tn_svg_series){r->traces[k].label, r->traces[k].colour, xy[n], xy[n] + d->n_points, d->n_points, r->traces[k].dashed, 1};
        n++;
    }
    fprintf(r->f, "<p>The runs' parameters were recorded at %s; the distance between two runs is taken at every step both "
                  "recorded. Step 0, the initial parameters, is off the log scale: the list below gives it.</p>\n",
            r->is_sweep ? "steps 1, 2, 4, 8, ... and at every epoch's end" : "the steps their traces hold");
    if (n) {
        fprintf(r->f, "<figure>\n");
        tn_svg_plot p = {.title = "Distance between two runs' parameters over the training steps, log-log",
                         .desc = "One line per pair of runs.", .x_label = "training step (one mini-batch each), log scale",
                         .y_label = "\u2016A \u2212 B\u2016 / \u2016A\u2016, log scale", .x_log = 1, .y_log = 1, .width = 760,
                         .height = 380};
        tn_svg_line_plot(r->f, &p, s, n);
        fprintf(r->f, "<figcaption>Distances relative to A's norm at each step. A straight rising line on this plot is a power "
                      "law. The axes end where the recorded steps end.</figcaption>\n</figure>\n");
    }
    fprintf(r->f, "<ul>\n");
    for (int k = 0; k < r->n_traces; k++) trace_words(r, &r->traces[k]);
    fprintf(r->f, "</ul>\n</section>\n");
    for (int k = 0; k < n; k++) free(xy[k]);
}

/* ---- the test images on which A and B disagree ----------------------------------------------------------- */
static const char *mark(uint8_t answer, uint8_t truth) { return answer == truth ? "<span class=\"ok\">&#10003;</span>" : "<span class=\"no\">&#10007;</span>"; }

tn_status tn_report_disagreements(tn_report *r, tn_error *err) {
    const tn_dataset *test = r->spec->test;
    uint8_t *pa = malloc(test->n), *pb = malloc(test->n), *img = malloc(test->n_in);
    tn_status s = pa && pb && img ? TN_OK : tn_fail(err, TN_ERR_NOMEM, "out of memory for the predictions");
    if (s == TN_OK) s = tn_predict_all(&r->a.net, test, r->spec->threads, pa, NULL, err);
    if (s == TN_OK) s = tn_predict_all(&r->b.net, test, r->spec->threads, pb, NULL, err);
    uint32_t differ = 0, shown = 0, cols, rows = tn_report_input_shape(r, &cols);
    for (uint32_t e = 0; s == TN_OK && e < test->n; e++) differ += pa[e] != pb[e];
    if (s == TN_OK) {
        char a[64], b[64];
        tn_report_who(r, 0, a, sizeof a);
        tn_report_who(r, 1, b, sizeof b);
        fprintf(r->f, "<section id=\"disagreements\">\n<h2>Test images on which A and B disagree</h2>\n<p>%s and %s predict "
                      "different digits for <b>%u</b> of the %u test images (%.2f%%).", a, b, differ, test->n, 100.0 * differ / test->n);
        if (differ)
            fprintf(r->f, " The first %u, in test-set order, with the true digit and each model's answer (&#10003; right, "
                          "&#10007; wrong):", differ < r->spec->max_images ? differ : r->spec->max_images);
        fprintf(r->f, "</p>\n<div class=\"digits\">\n");
    }
    for (uint32_t e = 0; s == TN_OK && e < test->n && shown < r->spec->max_images; e++) {
        if (pa[e] == pb[e]) continue;
        uint8_t y = test->labels[e];
        char alt[160];
        snprintf(alt, sizeof alt, "Test image %u: a %u; A says %u, B says %u", e, y, pa[e], pb[e]);
        fprintf(r->f, "<figure>");
        if (rows) {
            for (uint32_t k = 0; k < test->n_in; k++) img[k] = (uint8_t)(255 - test->pixels[(size_t)e * test->n_in + k]);
            s = tn_html_png(r->f, img, cols, rows, 1, 3, alt, err);
        }
        fprintf(r->f, "<figcaption>#%u: a <b>%u</b><br>A %u %s B %u %s</figcaption></figure>\n", e, y, pa[e], mark(pa[e], y), pb[e],
                mark(pb[e], y));
        shown++;
    }
    if (s == TN_OK) fprintf(r->f, "</div>\n</section>\n");
    free(pa);
    free(pb);
    free(img);
    return s;
}
