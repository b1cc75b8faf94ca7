/* The report's text and plots: HTML escaping (valid UTF-8 out, whatever a file name holds), and
 * line plots as inline SVG with ticks, axis labels, a legend, a <title> and an aria-label.
 * Logarithms come from tn_log, so tick positions are the same bits under every libm. */
#include <math.h>

#include "report.h"

/* The code point of the valid UTF-8 sequence at s and its length in *n; 0 with *n the bytes to
 * replace by one U+FFFD when it is not valid (overlong, surrogate, above U+10FFFF, cut short). */
static uint32_t utf8_decode(const unsigned char *s, int *n) {
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    int len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    uint32_t cp = len ? s[0] & (0x7Fu >> len) : 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) { *n = i; return 0; }
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    *n = len ? len : 1;
    if (len == 0 || cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return cp;
}

void tn_html_escape(FILE *f, const char *str) {
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        int n = 1;
        if (c == '&') fputs("&amp;", f);
        else if (c == '<') fputs("&lt;", f);
        else if (c == '>') fputs("&gt;", f);
        else if (c == '"') fputs("&quot;", f);
        else if (c == '\'') fputs("&#39;", f);
        else if (c == '\t' || c == '\n') fputc((int)c, f);
        else if (c < 0x20 || c == 0x7F) fputs("\xEF\xBF\xBD", f);
        else if (c < 0x80) fputc((int)c, f);
        else if (utf8_decode(s, &n)) fwrite(s, 1, (size_t)n, f);
        else fputs("\xEF\xBF\xBD", f);
        s += n;
    }
}

/* ---- axes -------------------------------------------------------------------------------------- */
#define MAX_TICKS 24
typedef struct {
    int log;
    double lo, hi;                /* the axis' ends: log10 of them on a log axis */
    double tick[MAX_TICKS];       /* tick values (log10 on a log axis) */
    int n_ticks, decimals;
} axis;

static double log10_of(double x) { return tn_log(x) / tn_log(10.0); }

static double pow10_of(int k) {
    double p = 1.0;
    for (int i = 0; i < k; i++) p *= 10.0;
    for (int i = 0; i > k; i--) p /= 10.0;
    return p;
}

/* floor(log10 x), exact at powers of ten. */
static int decade(double x) {
    int k = (int)floor(log10_of(x));
    while (pow10_of(k + 1) <= x) k++;
    while (pow10_of(k) > x) k--;
    return k;
}

/* The axis runs from the data's least to its largest value (from 0 with from_zero): it ends where
 * the data end. Linear: ticks on a step of 1, 2 or 5 times a power of ten giving about five
 * intervals. Log: ticks on whole decades, every second or third when there are many, and on 2 and
 * 5 times a decade when fewer than two decades fall inside. */
static void axis_make(axis *a, double lo, double hi, int log, int from_zero, int integer) {
    a->log = log;
    a->n_ticks = a->decimals = 0;
    if (!(lo <= hi)) lo = hi = log ? 1.0 : 0.0;   /* no data */
    if (log) {
        a->lo = log10_of(lo);
        a->hi = log10_of(hi);
        if (a->hi - a->lo < 1e-9) { a->lo -= 0.5; a->hi += 0.5; }
        int k0 = decade(lo), k1 = decade(hi), inside = 0;
        for (int k = k0; k <= k1; k++) inside += pow10_of(k) >= lo && pow10_of(k) <= hi;
        int every = inside > 16 ? 3 : inside > 8 ? 2 : 1;
        for (int k = k0; k <= k1 && a->n_ticks < MAX_TICKS - 2; k++)
            for (int m = 1; m <= 5; m += m == 1 ? 1 : 3) { /* 1, 2, 5 */
                double v = m * pow10_of(k);
                if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) && (m == 1 ? k % every == 0 : inside < 2))
                    a->tick[a->n_ticks++] = log10_of(v);
            }
        return;
    }
    if (from_zero) { lo = lo < 0 ? lo : 0; hi = hi > 0 ? hi : 0; }
    if (hi - lo < 1e-12 * (fabs(hi) + 1)) { lo -= fabs(lo) * 0.1 + 1e-9; hi += fabs(hi) * 0.1 + 1e-9; }
    double raw = (hi - lo) / 5, mag = pow10_of(decade(raw)), norm = raw / mag;
    double step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
    step = integer && step < 1 ? 1 : step;
    a->lo = lo;
    a->hi = hi;
    a->decimals = step >= 1 ? 0 : -decade(step);
    for (double t = ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9 && a->n_ticks < MAX_TICKS; t += step) a->tick[a->n_ticks++] = t;
}

static int usable(const axis *a, double v) { return isfinite(v) && (!a->log || v > 0); }
static double axis_value(const axis *a, double v) { return a->log ? log10_of(v) : v; }
static double axis_frac(const axis *a, double v) { return (axis_value(a, v) - a->lo) / (a->hi - a->lo); }

/* A tick's label: "0.25", "1000", or m x 10 with a superscript exponent (Unicode) on a log axis. */
static void tick_label(FILE *f, const axis *a, double t) {
    if (!a->log) {
        double v = fabs(t) < 1e-12 * (a->hi - a->lo) ? 0.0 : t;
        fprintf(f, "%.*f", a->decimals, v);
        return;
    }
    double v = tn_exp(t * tn_log(10.0));
    int k = decade(v * (1 + 1e-9)), m = (int)floor(v / pow10_of(k) + 0.5);
    if (k >= -3 && k <= 3) { fprintf(f, "%.*f", k < 0 ? -k : 0, m * pow10_of(k)); return; }
    static const char *const sup[10] = {"\u2070", "\u00B9", "\u00B2", "\u00B3", "\u2074",
                                        "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
    char digits[16];
    snprintf(digits, sizeof digits, "%d", k < 0 ? -k : k);
    if (m != 1) fprintf(f, "%d\u00D7", m);
    fputs(k < 0 ? "10\u207B" : "10", f);
    for (const char *d = digits; *d; d++) fputs(sup[*d - '0'], f);
}

/* ---- the plot ------------------------------------------------------------------------------------ */
#define LEFT 64
#define TOP 12
#define BOTTOM 44
#define LEGEND_ROW 18

static void data_range(const tn_svg_series *s, int n_series, int want_y, const axis *probe, double *lo, double *hi) {
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < n_series; i++)
        for (size_t k = 0; k < s[i].n; k++) {
            double v = want_y ? s[i].y[k] : s[i].x[k], other = want_y ? s[i].x[k] : s[i].y[k];
            if (!usable(probe, v) || !isfinite(other)) continue;
            *lo = v < *lo ? v : *lo;
            *hi = v > *hi ? v : *hi;
        }
}

/* Legend entries laid out in rows under the x label; returns the rows used. Distinct labels
 * only, in the order first met; widths estimated at 7 px a character. */
static int legend(FILE *f, const tn_svg_series *s, int n_series, int width, int y0, int draw) {
    int x = LEFT, rows = n_series ? 1 : 0, any = 0;
    for (int i = 0; i < n_series; i++) {
        if (!s[i].label) continue;
        int seen = 0;
        for (int j = 0; j < i; j++) seen |= s[j].label && strcmp(s[j].label, s[i].label) == 0;
        if (seen) continue;
        int w = 30 + 7 * (int)strlen(s[i].label) + 18;
        if (any && x + w > width) { x = LEFT; rows++; }
        any = 1;
        if (draw) {
            int y = y0 + (rows - 1) * LEGEND_ROW;
            fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"%s/>", x, y - 4, x + 24, y - 4,
                    s[i].colour, s[i].dashed ? " stroke-dasharray=\"6 4\"" : "");
            fprintf(f, "<text x=\"%d\" y=\"%d\">", x + 30, y);
            tn_html_escape(f, s[i].label);
            fprintf(f, "</text>\n");
        }
        x += w;
    }
    return any ? rows : 0;
}

static void polyline_open(FILE *f, const tn_svg_series *s) {
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"", s->colour,
            s->dashed ? " stroke-dasharray=\"6 4\"" : "");
}

static void series(FILE *f, const tn_svg_series *s, const axis *ax, const axis *ay, double pw, double ph) {
    int open = 0;
    for (size_t k = 0; k <= s->n; k++) {
        int ok = k < s->n && usable(ax, s->x[k]) && usable(ay, s->y[k]);
        if (!ok) {
            if (open) fputs("\"/>\n", f);
            open = 0;
            continue;
        }
        if (!open) polyline_open(f, s);
        fprintf(f, "%s%.1f,%.1f", open ? " " : "", LEFT + axis_frac(ax, s->x[k]) * pw, TOP + (1 - axis_frac(ay, s->y[k])) * ph);
        open = 1;
    }
    for (size_t k = 0; s->markers && k < s->n; k++)
        if (usable(ax, s->x[k]) && usable(ay, s->y[k]))
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\"/>\n", LEFT + axis_frac(ax, s->x[k]) * pw,
                    TOP + (1 - axis_frac(ay, s->y[k])) * ph, s->colour);
}

void tn_svg_line_plot(FILE *f, const tn_svg_plot *p, const tn_svg_series *s, int n_series) {
    axis ax = {p->x_log, 0, 0, {0}, 0, 0}, ay = {p->y_log, 0, 0, {0}, 0, 0};
    double lo, hi;
    data_range(s, n_series, 0, &ax, &lo, &hi);
    axis_make(&ax, lo, hi, p->x_log, 0, p->x_integer);
    data_range(s, n_series, 1, &ay, &lo, &hi);
    axis_make(&ay, lo, hi, p->y_log, p->y_from_zero, 0);
    double pw = p->width - LEFT - 16, ph = p->height - TOP - BOTTOM;
    int rows = legend(f, s, n_series, p->width, 0, 0), height = p->height + rows * LEGEND_ROW + (rows ? 6 : 0);
    fprintf(f, "<svg role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "aria-label=\"", p->width, height, p->width, height);
    tn_html_escape(f, p->title);
    fputs("\" font-family=\"sans-serif\" font-size=\"12\">\n<title>", f);
    tn_html_escape(f, p->title);
    fputs("</title>\n", f);
    if (p->desc) { fputs("<desc>", f); tn_html_escape(f, p->desc); fputs("</desc>\n", f); }
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\" stroke=\"#999\"/>\n", LEFT, TOP, pw, ph);
    for (int i = 0; i < ax.n_ticks; i++) {
        double x = LEFT + (ax.tick[i] - ax.lo) / (ax.hi - ax.lo) * pw;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#e4e4e4\"/>", x, TOP, x, TOP + ph);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#555\"/>", x, TOP + ph, x, TOP + ph + 5);
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">", x, TOP + ph + 18);
        tick_label(f, &ax, ax.tick[i]);
        fputs("</text>\n", f);
    }
    for (int i = 0; i < ay.n_ticks; i++) {
        double y = TOP + (1 - (ay.tick[i] - ay.lo) / (ay.hi - ay.lo)) * ph;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>", LEFT, y, LEFT + pw, y);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#555\"/>", LEFT - 5, y, LEFT, y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", LEFT - 8, y + 4);
        tick_label(f, &ay, ay.tick[i]);
        fputs("</text>\n", f);
    }
    for (int i = 0; i < n_series; i++) series(f, &s[i], &ax, &ay, pw, ph);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">", LEFT + pw / 2, TOP + ph + 36);
    tn_html_escape(f, p->x_label);
    fprintf(f, "</text>\n<text transform=\"rotate(-90)\" x=\"%.0f\" y=\"16\" text-anchor=\"middle\">", -(TOP + ph / 2));
    tn_html_escape(f, p->y_label);
    fputs("</text>\n", f);
    legend(f, s, n_series, p->width, p->height + 8, 1);
    fputs("</svg>\n", f);
}

/* ---- horizontal bars ------------------------------------------------------------------------------ */
void tn_svg_bars(FILE *f, const tn_svg_bars_plot *p, const tn_svg_bar *b, int n) {
    int row = p->large ? 34 : 26, bar = p->large ? 22 : 16, font = p->large ? 14 : 12;
    double top = 0;
    for (int i = 0; i < n; i++) top = b[i].to > top ? b[i].to : top;
    top = p->reference > top ? p->reference : top;
    axis ax;
    axis_make(&ax, 0, top > 0 ? top : 1, 0, 1, 0);
    int left = p->label_width, pw = p->width - left - p->value_width, top_margin = p->reference > 0 ? 22 : 8;
    int height = top_margin + n * row + 44;
    fprintf(f, "<svg role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" aria-label=\"", p->width, height, p->width, height);
    tn_html_escape(f, p->title);
    fprintf(f, "\" font-family=\"sans-serif\" font-size=\"%d\">\n<title>", font);
    tn_html_escape(f, p->title);
    fputs("</title>\n", f);
    if (p->desc) { fputs("<desc>", f); tn_html_escape(f, p->desc); fputs("</desc>\n", f); }
    double y_axis = top_margin + n * row + 4;
    for (int i = 0; i < ax.n_ticks; i++) {
        double x = left + (ax.tick[i] - ax.lo) / (ax.hi - ax.lo) * pw;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#e4e4e4\"/><text x=\"%.1f\" y=\"%.0f\" "
                   "text-anchor=\"middle\">", x, top_margin - 4, x, y_axis + 4, x, y_axis + 16);
        tick_label(f, &ax, ax.tick[i]);
        fputs("</text>\n", f);
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" stroke=\"#555\"/>\n", left, y_axis, left + pw, y_axis);
    /* the reference first, so that bars and their values are drawn over it */
    if (p->reference > 0) {
        double x = left + p->reference / ax.hi * pw;
        fprintf(f, "<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#555\" stroke-dasharray=\"2 2\"/>", x, x, y_axis);
        fprintf(f, "<text x=\"%.1f\" y=\"14\" text-anchor=\"end\" fill=\"#555\">", x - 4);
        tn_html_escape(f, p->reference_label);
        fputs("</text>\n", f);
    }
    for (int i = 0; i < n; i++) {
        double y = top_margin + i * row, x0 = left + b[i].from / ax.hi * pw, x1 = left + b[i].to / ax.hi * pw;
        if (x1 < x0) { double t = x0; x0 = x1; x1 = t; }
        double base = y + 3 + bar / 2.0 + font * 0.35; /* the text's baseline, centred on the bar */
        fprintf(f, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">", left - 8, base);
        tn_html_escape(f, b[i].label);
        fputs("</text>", f);
        if (b[i].hollow)
            fprintf(f, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" fill=\"none\" stroke=\"%s\" stroke-dasharray=\"4 3\"/>",
                    x0, y + 3, x1 - x0, bar, b[i].colour);
        else fprintf(f, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>", x0, y + 3, x1 - x0, bar, b[i].colour);
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\"%s>", x1 + 5, base,
                b[i].hollow ? " fill=\"#555\"" : " font-weight=\"bold\"");
        tn_html_escape(f, b[i].value_text);
        fputs("</text>\n", f);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">", left + pw / 2.0, y_axis + 34);
    tn_html_escape(f, p->x_label);
    fputs("</text>\n</svg>\n", f);
}
