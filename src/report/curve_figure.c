/* The curve figure: three profiles from A (t = 0) to B (t = 1) in one plot, the straight path raw
 * and aligned and the curve through a trained bend, so the barrier each crosses is seen side by
 * side. Colours and line styles as CONVENTIONS.md gives them; the words say which is which too. */
#include <stdlib.h>

#include "curve_figure.h"
#include "report.h"

#define COLOUR_RAW "#222222"
#define COLOUR_ALIGNED "#cc79a7"
#define COLOUR_CURVE "#56b4e9"
#define PLOT_WIDTH 520
#define PLOT_HEIGHT 320

/* x and y of n points (t, then 100 error or the cost) into xy (2n doubles). */
static void points_xy(const tn_path_point *p, uint32_t n, int error, double *xy) {
    for (uint32_t k = 0; k < n; k++) {
        xy[k] = p[k].t;
        xy[n + k] = error ? 100.0 * p[k].error : p[k].cost;
    }
}

void tn_curve_figure(FILE *f, const tn_compare_view *raw, const tn_compare_view *aligned, const tn_curve_profile *curve,
                     int error) {
    const tn_path_point *pts[3] = {raw && raw->done ? raw->path : NULL, aligned && aligned->done ? aligned->path : NULL, curve->path};
    uint32_t n[3] = {pts[0] ? raw->path_points : 0, pts[1] ? aligned->path_points : 0, curve->path_points};
    static const char *const colour[3] = {COLOUR_RAW, COLOUR_ALIGNED, COLOUR_CURVE};
    char label[3][96], desc[512];
    double scale = error ? 100.0 : 1.0, b_raw = raw ? (error ? raw->error_barrier : raw->cost_barrier) : 0.0;
    double b_aligned = aligned ? (error ? aligned->error_barrier : aligned->cost_barrier) : 0.0;
    const char *fmt = error ? "%.1f" : "%.3f";
    char b[3][32];
    snprintf(b[0], sizeof b[0], fmt, scale * b_raw);
    snprintf(b[1], sizeof b[1], fmt, scale * b_aligned);
    snprintf(b[2], sizeof b[2], fmt, scale * (error ? curve->error_barrier : curve->cost_barrier));
    snprintf(label[0], sizeof label[0], "straight path, raw (barrier %s%s)", b[0], error ? " points" : "");
    snprintf(label[1], sizeof label[1], "straight path, aligned (%s)", b[1]);
    snprintf(label[2], sizeof label[2], "curve (%s, B %s: %s)", tn_curve_type_names[curve->type],
             curve->align == TN_CURVE_ALIGN_NONE ? "raw" : "aligned", b[2]);
    tn_svg_series s[3];
    double *xy[3] = {NULL, NULL, NULL};
    int count = 0;
    for (int i = 0; i < 3; i++) {
        if (!pts[i] || !n[i] || !(xy[i] = malloc(2 * n[i] * sizeof(double)))) continue;
        points_xy(pts[i], n[i], error, xy[i]);
        s[count++] = (tn_svg_series){label[i], colour[i], xy[i], xy[i] + n[i], n[i], i == 0, i == 2};
    }
    snprintf(desc, sizeof desc, "Test %s from A (t = 0) to B (t = 1): the straight path with B as it is (raw, dashed) and with "
             "B's hidden units matched to A's by their activations, sign flips allowed (aligned), and the curve through the "
             "trained bend. Barriers in error points: raw %.1f, aligned %.1f, curve %.1f.", error ? "error" : "cost",
             raw ? 100 * raw->error_barrier : 0.0, aligned ? 100 * aligned->error_barrier : 0.0, 100 * curve->error_barrier);
    tn_svg_plot p = {.title = error ? "Test error from A to B: straight paths and the curve" : "Test cost from A to B: straight paths and the curve",
                     .desc = desc, .x_label = "t (0: A, 1: B)", .y_label = error ? "test error (% of the test images)" : "test cost",
                     .y_from_zero = 1, .width = PLOT_WIDTH, .height = PLOT_HEIGHT};
    tn_svg_line_plot(f, &p, s, count);
    for (int i = 0; i < 3; i++) free(xy[i]);
}

void tn_curve_figure_file(FILE *f, const tn_compare_view *raw, const tn_compare_view *aligned, const tn_curve_profile *curve) {
    int width = 2 * PLOT_WIDTH + 20, height = PLOT_HEIGHT + 90;
    char sentence[512];
    tn_curve_sentence(curve, sentence, sizeof sentence);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n<g>\n", width, height, width, height);
    tn_curve_figure(f, raw, aligned, curve, 0);
    fprintf(f, "</g>\n<g transform=\"translate(%d 0)\">\n", PLOT_WIDTH + 20);
    tn_curve_figure(f, raw, aligned, curve, 1);
    fprintf(f, "</g>\n<text x=\"10\" y=\"%d\" font-family=\"sans-serif\" font-size=\"14\">", height - 12);
    tn_html_escape(f, sentence);
    fputs("</text>\n</svg>\n", f);
}

/* The report's section on a curve (report --curve BEND): the three error profiles in one figure
 * and the answer in words, beside the straight path's section. */
void tn_report_curve(tn_report *r) {
    char sentence[512];
    tn_curve_sentence(&r->curve, sentence, sizeof sentence);
    fprintf(r->f, "<section id=\"curve\">\n<h2>A curve from A to B</h2>\n<p>The straight line is not the only path: "
                  "<code>twinnet connect</code> trained the bend of a %s curve from A to B (B %s) so that the training cost "
                  "stays low all along it (Garipov et al. 2018). Every point is again a network, evaluated on the test set.</p>\n"
                  "<figure>\n",
            tn_curve_type_names[r->curve.type], r->curve.align == TN_CURVE_ALIGN_NONE ? "as it is" : "aligned to A first");
    tn_curve_figure(r->f, &r->cmp.view[TN_VIEW_RAW], r->aligned != TN_VIEW_RAW ? &r->cmp.view[r->aligned] : NULL, &r->curve, 1);
    fprintf(r->f, "<figcaption>");
    tn_html_escape(r->f, sentence);
    fprintf(r->f, " Along the curve the test cost rises at most %.4f, against %.4f on the straight path as they are.</figcaption>\n"
                  "</figure>\n</section>\n",
            r->curve.cost_barrier, r->cmp.view[TN_VIEW_RAW].cost_barrier);
}
