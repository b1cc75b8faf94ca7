/* What the report's files share: report.c (the inputs gathered into a tn_report, the page written
 * atomically), summary.c (the page in order, its words and the attribution table), figures.c (the
 * sections with plots and pictures), svg.c (line plots), pngenc.c (PNG data URIs) and palette.c
 * (palette.h: a colour and words per source). Everything is written to one FILE in a fixed order
 * from fixed inputs: the same inputs give the same bytes. */
#ifndef TN_REPORT_H
#define TN_REPORT_H

#include <stdio.h>

#include "outliers.h"
#include "util.h"

/* ---- HTML and images (svg.c, pngenc.c) --------------------------------------------------------- */
/* s as HTML text or attribute value: & < > " ' escaped, invalid UTF-8 and control characters
 * (but tab and newline) as U+FFFD. */
void tn_html_escape(FILE *f, const char *s);
/* 8-bit PNG (channels 1: grey, 3: RGB) of pixels (height, width, channels) row-major, in memory
 * (malloc'd *png); no time or text chunk. */
tn_status tn_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, uint8_t **png,
                        size_t *size, tn_error *err);
/* <img src="data:image/png;base64,..." width height alt class>: shown scale times its size,
 * pixels kept sharp by the page's CSS (class "px"). */
tn_status tn_html_png(FILE *f, const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int scale,
                      const char *alt, tn_error *err);

/* ---- line plots as inline SVG (svg.c) ----------------------------------------------------------- */
typedef struct {
    const char *label;     /* legend entry; NULL: none (several series may share one entry) */
    const char *colour;    /* CSS colour */
    const double *x, *y;   /* n points; non-finite ones, and non-positive ones on a log axis, break the line */
    size_t n;
    int dashed;
    int markers;           /* a dot at every point */
} tn_svg_series;

typedef struct {
    const char *title;                /* <title> and aria-label: what the plot shows */
    const char *desc;                 /* <desc>: the data in words (may be NULL) */
    const char *x_label, *y_label;    /* with units */
    int x_log, y_log;                 /* 1: logarithmic axis (decades) */
    int y_from_zero;                  /* 1: a linear y axis includes 0 */
    int x_integer;                    /* 1: ticks on whole numbers only (epochs) */
    int width, height;                /* of the plotting area and its axes, legend not counted */
} tn_svg_plot;

void tn_svg_line_plot(FILE *f, const tn_svg_plot *p, const tn_svg_series *s, int n_series);

/* Horizontal bars on one axis from 0 to the largest value: a label left of each, its value text
 * right of it; a hollow (dashed) bar marks a part taken away. */
typedef struct {
    const char *label, *value_text, *colour;
    double from, to;      /* the bar spans [from, to] on the axis */
    int hollow;
} tn_svg_bar;

typedef struct {
    const char *title, *desc, *x_label;
    int width, label_width, value_width;   /* the whole, the labels' column, room for the values */
    double reference;                      /* > 0: a dotted line there ... */
    const char *reference_label;           /* ... with this label */
    int large;                             /* 1: taller bars, larger text (the card's main figure) */
} tn_svg_bars_plot;

void tn_svg_bars(FILE *f, const tn_svg_bars_plot *p, const tn_svg_bar *b, int n);

/* ---- the page's inputs (report.c), read by summary.c and figures.c ----------------------------- */
typedef struct {
    char name[32];       /* init-003, or A / B for a pair */
    tn_vary source;
    uint32_t epochs;     /* entries in accuracy */
    double *accuracy;    /* test accuracy in percent after each epoch */
} tn_report_run;

typedef struct {
    char label[160];              /* "none-000 against bit-000: one flipped bit" */
    tn_vary source;               /* the source its runs vary (a pair of models: TN_VARY_COUNT) */
    const char *colour;
    int dashed;
    tn_diverge_result result;
} tn_report_trace;
#define TN_REPORT_TRACES (TN_VARY_COUNT + 1)   /* a pair per source, two for bit flips */

typedef struct {
    FILE *f;                                 /* the page */
    const tn_report_spec *spec;
    int is_sweep;
    tn_sweep sw;                             /* is_sweep: the sweep read back from its manifest */
    tn_report_run *runs;                     /* is_sweep: tn_sweep_total entries */
    tn_attribution_row rows[TN_VARY_COUNT];  /* is_sweep: one per source */
    int have_rows;
    const char *rows_from;                   /* "attribution.json", or "computed for this report" */
    char name_a[32], name_b[32];             /* the pair the pictures show */
    char path_a[TN_PATH_CAP], path_b[TN_PATH_CAP];
    tn_model a, b;
    tn_compare_result cmp;
    tn_view aligned;                         /* the one alignment (CONVENTIONS.md): activation matching
                                                with sign flips where they exist */
    /* card.c's measures, relative to ||A||: A - B raw, aligned, and aligned with each network's
     * start subtracted (B's start aligned as B is: what training changed), NaN when a start is not
     * known; two fresh initialisations (NaN: not known) */
    double dist_raw, dist_aligned, dist_learned, dist_baseline;
    double *unit_corr;                       /* first hidden layer: correlation over the test set of A's
                                                unit i and aligned B's unit i (NULL: no hidden layer) */
    tn_outliers outliers;                    /* is_sweep: the outlier runs (outliers.h) */
    tn_curve_profile curve;                  /* spec->curve: the bend's profile (have_curve) */
    int have_curve;
    tn_report_trace traces[TN_REPORT_TRACES];
    int n_traces;
    uint32_t n_params;
} tn_report;

/* summary.c: the whole page, in order: head, summary, the sections of figures.c, the table, findings */
tn_status tn_report_page(tn_report *r, tn_error *err);

/* card.c: the measures of the answer card (before the page), and the card itself */
tn_status tn_report_measure(tn_report *r, tn_error *err);
void tn_report_card(tn_report *r);
/* units.c: matched units side by side, the best and the worst matches */
tn_status tn_report_pairs(tn_report *r, tn_error *err);
/* "A (init-000)" in a sweep, "A" for a pair (side 0: A, 1: B). */
void tn_report_who(const tn_report *r, int side, char *buf, size_t cap);
/* W (units, n_in) drawn as images: unit u of w in a grid, each scaled on its own (figures.c) */
uint32_t tn_report_input_shape(const tn_report *r, uint32_t *cols);

/* figures.c: the sections with plots and pictures */
void tn_report_accuracy(tn_report *r);
tn_status tn_report_weights(tn_report *r, tn_error *err);
void tn_report_path(tn_report *r);
void tn_report_curve(tn_report *r);   /* the curve section (have_curve), curve_figure.c */
void tn_report_traces(tn_report *r);
tn_status tn_report_disagreements(tn_report *r, tn_error *err);

#endif
