/* The stability study's page (stability_page.h): self-contained HTML, plots as inline SVG through
 * svg.c's line plot, the step x sigma maps drawn here. Colours as everywhere (CONVENTIONS): raw
 * (before alignment) #222222 dashed, aligned #cc79a7 solid; distances relative to ||A||. The x axis
 * is the spawn step + 1 on a log scale (step 0 must have a place). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "stability.h"
#include "stability_page.h"

#define RAW_COLOUR "#222222"
#define ALIGNED_COLOUR "#cc79a7"

static const char style[] =
    "body{font-family:sans-serif;max-width:1180px;margin:20px auto;padding:0 16px;color:#222;line-height:1.45}\n"
    "h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;border-bottom:1px solid #bbb;padding-bottom:3px;margin-top:30px}\n"
    "h3{font-size:15px;margin:14px 0 2px}p{max-width:1000px}.sub{color:#555;margin-top:0}\n"
    ".row{display:flex;flex-wrap:wrap;gap:10px}\n"
    "table{border-collapse:collapse;font-size:12px}th,td{border:1px solid #ccc;padding:2px 5px;text-align:right}\n"
    "th{background:#f2f2f2}\n";

/* One plot of metric m (raw) and its aligned partner against the spawn step. */
static void curve(FILE *f, const tn_stability *st, const tn_stab_cell *cells, uint32_t p, tn_stab_metric raw, const char *what,
                  const char *ylabel) {
    uint32_t P = tn_stability_perturbations(st), n = st->n_steps;
    double *x = malloc(n * sizeof *x), *yr = malloc(n * sizeof *yr), *ya = malloc(n * sizeof *ya);
    if (!x || !yr || !ya) { free(x); free(yr); free(ya); return; }
    double k = tn_stab_metric_info(raw)->scale;
    for (uint32_t i = 0; i < n; i++) {
        x[i] = (double)st->steps[i] + 1.0;
        yr[i] = k * cells[i * P + p].metric[raw].mean;
        ya[i] = k * cells[i * P + p].metric[raw + 1].mean;
    }
    char name[32], title[160];
    tn_stability_perturbation_name(st, p, name);
    snprintf(title, sizeof title, "%s: %s of the children's straight path against the spawn step", name, what);
    int any = 0;
    for (uint32_t i = 0; i < n; i++) any |= (isfinite(yr[i]) && yr[i] != 0) || (isfinite(ya[i]) && ya[i] != 0);
    if (any) {
        tn_svg_series s[2] = {{"raw (before alignment)", RAW_COLOUR, x, yr, n, 1, 1}, {"aligned", ALIGNED_COLOUR, x, ya, n, 0, 1}};
        tn_svg_plot plot = {title, NULL, "spawn step + 1 (log scale)", ylabel, 1, 0, 1, 0, 420, 250};
        tn_svg_line_plot(f, &plot, s, 2);
    } else   /* nothing to draw: an axis around zero alone says nothing */
        fprintf(f, "<p style=\"width:420px\">%s: %s 0 at every spawn step, raw and aligned.</p>\n", name, what);
    free(x); free(yr); free(ya);
}

/* Spawn step (rows) x sigma (columns) of metric m, shaded from white to colour at the largest value. */
static void heatmap(FILE *f, const tn_stability *st, const tn_stab_cell *cells, tn_stab_metric m, const char *colour, const char *title) {
    uint32_t P = tn_stability_perturbations(st), first = P - st->n_sigmas;
    double top = 0, k = tn_stab_metric_info(m)->scale;
    for (uint32_t i = 0; i < st->n_steps; i++)
        for (uint32_t s = 0; s < st->n_sigmas; s++) {
            double v = k * cells[i * P + first + s].metric[m].mean;
            if (isfinite(v) && v > top) top = v;
        }
    int cw = 74, ch = 22, left = 92, head = 40, w = left + cw * (int)st->n_sigmas + 10, h = head + ch * (int)st->n_steps + 10;
    unsigned r0, g0, b0;
    sscanf(colour + 1, "%2x%2x%2x", &r0, &g0, &b0);
    fprintf(f, "<svg role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\" aria-label=\"", w, h, w, h);
    tn_html_escape(f, title);
    fputs("\"><title>", f);
    tn_html_escape(f, title);
    fprintf(f, "</title>\n<text x=\"%d\" y=\"14\">sigma</text><text x=\"4\" y=\"%d\">spawn step</text>\n", left, head - 6);
    for (uint32_t s = 0; s < st->n_sigmas; s++)
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", left + cw * (int)s + cw / 2, head - 6, st->sigmas[s]);
    for (uint32_t i = 0; i < st->n_steps; i++) {
        int y = head + ch * (int)i;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%llu</text>\n", left - 6, y + 15, (unsigned long long)st->steps[i]);
        for (uint32_t s = 0; s < st->n_sigmas; s++) {
            double v = k * cells[i * P + first + s].metric[m].mean, a = top > 0 && isfinite(v) ? v / top : 0;
            unsigned r = (unsigned)lround(255 - a * (255 - r0)), g = (unsigned)lround(255 - a * (255 - g0)), b = (unsigned)lround(255 - a * (255 - b0));
            int x = left + cw * (int)s;
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%02x%02x%02x\" stroke=\"#fff\"/>", x, y, cw, ch, r, g, b);
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">%.2f</text>\n", x + cw / 2, y + 15, a > 0.55 ? "#fff" : "#222", v);
        }
    }
    fputs("</svg>\n", f);
}

static void table(FILE *f, const tn_stability *st, const tn_stab_cell *cells, uint32_t spe) {
    uint32_t P = tn_stability_perturbations(st);
    fputs("<table><tr><th>perturbation</th><th>spawn step</th><th>epochs</th>", f);
    for (int m = 0; m < TN_STAB_METRIC_COUNT; m++) fprintf(f, "<th>%s</th>", tn_stab_metric_info((tn_stab_metric)m)->name);
    fputs("</tr>\n", f);
    for (uint32_t p = 0; p < P; p++)
        for (uint32_t i = 0; i < st->n_steps; i++) {
            const tn_stab_cell *c = &cells[i * P + p];
            char name[32];
            tn_stability_perturbation_name(st, p, name);
            fprintf(f, "<tr><td>%s</td><td>%llu</td><td>%.3g</td>", name, (unsigned long long)c->step, spe ? (double)c->step / spe : 0.0);
            for (int m = 0; m < TN_STAB_METRIC_COUNT; m++) {
                double k = tn_stab_metric_info((tn_stab_metric)m)->scale;
                fprintf(f, "<td>%.3g &plusmn; %.2g</td>", k * c->metric[m].mean, k * c->metric[m].stderr_);
            }
            fputs("</tr>\n", f);
        }
    fputs("</table>\n", f);
}

void tn_stability_page(FILE *f, const tn_stability *st, const tn_stab_cell *cells, uint32_t spe) {
    const tn_config *c = &st->base;
    fprintf(f, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>twinnet stability</title>\n<style>%s</style></head>\n<body>\n", style);
    fputs("<h1>When is the outcome decided?</h1>\n<p class=\"sub\">Network [", f);
    for (int l = 0; l < c->n_sizes; l++) fprintf(f, "%s%u", l ? "," : "", c->sizes[l]);
    fprintf(f, "], %s cost, %s init, eta %g, lambda %g, batch %u, %u epochs of %u steps; seeds init %llu, order %llu; %u pair%s per "
               "spawn step and perturbation.</p>\n", tn_cost_name(c->cost), tn_init_name(c->init), c->eta, c->lambda, c->batch,
            c->epochs, spe, (unsigned long long)c->init_seed, (unsigned long long)c->order_seed, st->pairs, st->pairs == 1 ? "" : "s");
    char *words = tn_stability_summary(st, cells, spe);
    char *answer = words ? strrchr(words, '\n') : NULL, *line = words;
    if (answer) {   /* the answer first, then the criterion, then a line per perturbation */
        *answer++ = 0;
        fputs("<p><b>", f);
        tn_html_escape(f, answer);
        fputs("</b></p>\n", f);
        for (int k = 0; line; k++) {
            char *next = strchr(line, '\n');
            if (next) *next++ = 0;
            fputs(k == 0 ? "<p>" : k == 1 ? "<ul><li>" : "<li>", f);
            tn_html_escape(f, line);
            fputs(k == 0 ? "</p>\n" : "</li>\n", f);
            line = next;
        }
        fputs("</ul>\n", f);
    }
    free(words);
    fputs("<h2>Barrier and distance against the spawn step</h2>\n<p>Each point: the mean over the pairs spawned at that "
          "step; error barrier in points of test error, distance relative to ||A||. Raw: the children as trained; aligned: "
          "hidden units matched by their activations, sign flips allowed.</p>\n", f);
    for (uint32_t p = 0; p < tn_stability_perturbations(st); p++) {
        char name[32];
        tn_stability_perturbation_name(st, p, name);
        fprintf(f, "<h3>%s</h3>\n<div class=\"row\">\n", name);
        curve(f, st, cells, p, TN_STAB_ERROR_BARRIER_RAW, "error barrier", "barrier (points)");
        curve(f, st, cells, p, TN_STAB_DISTANCE_RAW, "distance", "distance / ||A||");
        fputs("</div>\n", f);
    }
    if (st->n_sigmas) {
        fputs("<h2>Spawn step &times; sigma</h2>\n<p>The error barrier (points) of the Gaussian perturbation's pairs, raw and "
              "aligned; darker is larger (each map scaled to its own largest value).</p>\n<div class=\"row\">\n", f);
        heatmap(f, st, cells, TN_STAB_ERROR_BARRIER_RAW, RAW_COLOUR, "raw error barrier, spawn step by sigma");
        heatmap(f, st, cells, TN_STAB_ERROR_BARRIER_ALIGNED, ALIGNED_COLOUR, "aligned error barrier, spawn step by sigma");
        fputs("</div>\n", f);
    }
    fputs("<h2>The table</h2>\n<p>Mean &plusmn; standard error over the pairs; distances relative to ||A||, cost barriers "
          "absolute, error barriers and disagreement in points (percent).</p>\n", f);
    table(f, st, cells, spe);
    fputs("</body></html>\n", f);
}
