/* Matched units side by side: for the best and the worst matches of the one alignment, A's hidden
 * unit and the unit of B matched to it (negated where the match flips it), their incoming weights
 * drawn large enough to see (84 pixels), each pair with the correlation of their activations over
 * the test set. */
#include <math.h>
#include <stdlib.h>

#include "report.h"

#define SHOWN 4        /* best and worst pairs each */
#define SCALE 3        /* 28 x 3 = 84 pixels */

/* One unit's incoming weights (n_in = rows * cols) as a grey image, scaled on its own: mid-grey 0,
 * white its largest magnitude, black the same negative (the report's grey scale). */
static tn_status unit_image(tn_report *r, const float *w, uint32_t rows, uint32_t cols, const char *alt, tn_error *err) {
    uint32_t n = rows * cols;
    uint8_t *img = malloc(n);
    if (!img) return tn_fail(err, TN_ERR_NOMEM, "out of memory for an image");
    double m = 0;
    for (uint32_t k = 0; k < n; k++) m = fabs(w[k]) > m ? fabs(w[k]) : m;
    for (uint32_t k = 0; k < n; k++) img[k] = (uint8_t)((m > 0 ? 127.5 + 127.5 * w[k] / m : 127.5) + 0.5);
    tn_status s = tn_html_png(r->f, img, cols, rows, 1, SCALE, alt, err);
    free(img);
    return s;
}

static int by_correlation_desc(const void *p, const void *q, void *ctx) {
    const double *c = ctx;
    uint32_t a = *(const uint32_t *)p, b = *(const uint32_t *)q;
    return c[a] < c[b] ? 1 : c[a] > c[b] ? -1 : (a > b) - (a < b);
}

/* Insertion sort of the unit indices, best correlation first (ties: the lower index): stable and
 * the same everywhere (qsort_r is not C11). */
static void order_units(uint32_t *idx, uint32_t n, const double *corr) {
    for (uint32_t i = 0; i < n; i++) idx[i] = i;
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0 && by_correlation_desc(&idx[j - 1], &idx[j], (void *)corr) > 0; j--) {
            uint32_t t = idx[j]; idx[j] = idx[j - 1]; idx[j - 1] = t;
        }
}

static tn_status pair(tn_report *r, uint32_t i, const float *wa, const float *wb, uint32_t rows, uint32_t cols, tn_error *err) {
    const tn_alignment *al = &r->cmp.view[r->aligned].alignment;
    uint32_t n_in = rows * cols, j = al->perm[1][i];
    int flipped = al->flip[1] && al->flip[1][i];
    char alt[192];
    fprintf(r->f, "<figure class=\"pairfig\"><div>");
    snprintf(alt, sizeof alt, "Incoming weights of A's hidden unit %u as a %ux%u grey image", i, rows, cols);
    tn_status s = unit_image(r, wa + (size_t)i * n_in, rows, cols, alt, err);
    snprintf(alt, sizeof alt, "Incoming weights of B's hidden unit %u%s, matched to A's unit %u", j, flipped ? ", negated" : "", i);
    if (s == TN_OK) s = unit_image(r, wb + (size_t)i * n_in, rows, cols, alt, err);
    fprintf(r->f, "</div><figcaption>A %u &middot; B %u%s<br>r = <b>%.3f</b></figcaption></figure>\n", i, j,
            flipped ? " (negated)" : "", r->unit_corr[i]);
    return s;
}

tn_status tn_report_pairs(tn_report *r, tn_error *err) {
    uint32_t cols, rows = tn_report_input_shape(r, &cols), units = r->a.net.n_sizes > 2 ? r->a.net.sizes[1] : 0;
    if (!units || !rows || !r->unit_corr) return TN_OK;
    size_t n = r->a.net.n_params;
    float *wa = malloc(n * sizeof *wa), *wb = malloc(n * sizeof *wb);
    uint32_t *idx = malloc(units * sizeof *idx);
    tn_net b_aligned = {0};
    tn_status s = wa && wb && idx ? tn_net_align(&r->b.net, &r->cmp.view[r->aligned].alignment, &b_aligned, err)
                                  : tn_fail(err, TN_ERR_NOMEM, "out of memory for the matched units");
    if (s == TN_OK) {
        tn_net_get_canonical(&r->a.net, wa); /* W1 first: (units, n_in) */
        tn_net_get_canonical(&b_aligned, wb);
        order_units(idx, units, r->unit_corr);
        uint32_t shown = units < 2 * SHOWN ? units : SHOWN, rest = units < 2 * SHOWN ? 0 : SHOWN;
        fprintf(r->f, "<section id=\"pairs\">\n<h2>Matched units, side by side</h2>\n<p>Each pair: A's hidden unit (left) and "
                      "the unit of B aligned to it (right; negated where the match flips its sign), their incoming weights in the "
                      "report's grey scale (mid-grey 0, white the unit's largest weight, black the same negative), and r, the "
                      "correlation of the two units' activations over the %u test images.</p>\n<h3>%s matches</h3>\n<div class=\"pairs\">\n",
                r->spec->test->n, rest ? "The best" : "All");
        for (uint32_t k = 0; k < shown && s == TN_OK; k++) s = pair(r, idx[k], wa, wb, rows, cols, err);
        if (rest) fprintf(r->f, "</div>\n<h3>The worst matches</h3>\n<div class=\"pairs\">\n");
        for (uint32_t k = units - rest; k < units && s == TN_OK; k++) s = pair(r, idx[k], wa, wb, rows, cols, err);
        fprintf(r->f, "</div>\n</section>\n");
    }
    tn_net_free(&b_aligned);
    free(wa);
    free(wb);
    free(idx);
    return s;
}
