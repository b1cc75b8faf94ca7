/* MNIST's preprocessing for an image of any size (LeCun et al. 1998, and the MNIST page: "size
 * normalized to fit in a 20x20 pixel box while preserving their aspect ratio ... centered in a
 * 28x28 image by computing the center of mass of the pixels"), with what a photograph or a
 * drawing needs first: transparency laid over the right background, light ink on dark, levels
 * stretched, specks dropped, hairlines widened to MNIST's stroke. Integer arithmetic only, every
 * sum exact: the same 784 bytes from the same image on every compiler and CPU. */
#include <stdlib.h>

#include "util.h"

#define WORK_SIDE 512u        /* larger images are area-averaged down to this for the analysis */
#define MIN_CONTRAST 24       /* levels between background and ink, below which there is no ink */
#define SPECK_RATIO 32u       /* an ink component under 1/32 of the largest one's mass is a speck */
#define DEVIATION_MARGIN 8    /* levels around the background that count as neither ink nor paper */
#define CENTRE 14             /* the field's centre of mass, in pixel indices (MNIST's mean: 13.99) */

/* ---- area resampling -------------------------------------------------------------------------
 * dst (dw x dh) = the rectangle (x0, y0, cw, ch) of src (row stride `stride`), each output pixel
 * the exact mean of the source area it covers, rounded. In units where a source pixel is dw x dh
 * and an output pixel cw x ch, every overlap is an integer: output column j spans [j cw, (j+1) cw),
 * source column i spans [i dw, (i+1) dw). Rows are summed first (at most 255 cw), then columns
 * (at most 255 cw ch < 2^33, in 64 bits), then divided once by cw ch. */
static int resample(const uint8_t *src, uint32_t stride, uint32_t x0, uint32_t y0, uint32_t cw, uint32_t ch,
                    uint8_t *dst, uint32_t dw, uint32_t dh) {
    if (dw == cw && dh == ch) {   /* the same size: a copy */
        for (uint32_t y = 0; y < ch; y++) memcpy(dst + (size_t)y * dw, src + (size_t)(y0 + y) * stride + x0, cw);
        return 1;
    }
    uint32_t *rows = malloc((size_t)ch * dw * sizeof *rows);   /* (ch, dw) row sums */
    uint64_t *acc = malloc((size_t)dw * sizeof *acc);
    if (!rows || !acc) { free(rows); free(acc); return 0; }
    for (uint32_t y = 0; y < ch; y++) {
        const uint8_t *s = src + (size_t)(y0 + y) * stride + x0;
        for (uint32_t j = 0; j < dw; j++) {
            uint64_t lo = (uint64_t)j * cw, hi = lo + cw;
            uint32_t sum = 0;
            for (uint64_t i = lo / dw; i * dw < hi; i++) {
                uint64_t a = i * dw > lo ? i * dw : lo, b = (i + 1) * dw < hi ? (i + 1) * dw : hi;
                sum += s[i] * (uint32_t)(b - a);
            }
            rows[(size_t)y * dw + j] = sum;
        }
    }
    uint64_t area = (uint64_t)cw * ch;
    for (uint32_t r = 0; r < dh; r++) {
        uint64_t lo = (uint64_t)r * ch, hi = lo + ch;
        for (uint32_t j = 0; j < dw; j++) acc[j] = 0;
        for (uint64_t y = lo / dh; y * dh < hi; y++) {
            uint64_t a = y * dh > lo ? y * dh : lo, b = (y + 1) * dh < hi ? (y + 1) * dh : hi;
            for (uint32_t j = 0; j < dw; j++) acc[j] += (uint64_t)rows[y * dw + j] * (b - a);
        }
        for (uint32_t j = 0; j < dw; j++) dst[(size_t)r * dw + j] = (uint8_t)((acc[j] + area / 2) / area);
    }
    free(rows);
    free(acc);
    return 1;
}

/* ---- transparency ----------------------------------------------------------------------------
 * A digit drawn on a web canvas is ink on transparent pixels, and the page behind it was of the
 * colour that contrasts with the ink. So alpha is laid over white when the opaque content (grey
 * weighted by alpha) is dark on average, else over black. Returns that level, or -1 when every
 * pixel is fully transparent. grey = (g a + level (255 - a)) / 255, rounded. */
static int composite(const tn_image *img, uint8_t *out) {
    size_t n = (size_t)img->width * img->height;
    uint64_t weighted = 0, opacity = 0;
    for (size_t i = 0; i < n; i++) {
        weighted += (uint64_t)img->grey[i] * img->alpha[i];
        opacity += img->alpha[i];
    }
    if (opacity == 0) return -1;
    uint32_t level = weighted < opacity * 128 ? 255 : 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t a = img->alpha[i];
        out[i] = (uint8_t)((img->grey[i] * a + level * (255 - a) + 127) / 255);
    }
    return (int)level;
}

/* ---- levels ------------------------------------------------------------------------------------ */

/* The median of the outermost ring of pixels: the background (paper, canvas, board). */
static uint8_t border_median(const uint8_t *w, uint32_t ww, uint32_t wh) {
    uint32_t hist[256] = {0}, count = 0;
    for (uint32_t y = 0; y < wh; y++)
        for (uint32_t x = 0; x < ww; x++)
            if (y == 0 || y == wh - 1 || x == 0 || x == ww - 1) { hist[w[(size_t)y * ww + x]]++; count++; }
    uint32_t seen = 0, v = 0;
    while ((seen += hist[v]) < (count + 1) / 2) v++;
    return (uint8_t)v;
}

/* Ink is on one side of the background, noise on both: the side with more mass beyond a small
 * margin is the ink's. 1 when the ink is darker (ties: a light background means dark ink). */
static int ink_is_dark(const uint8_t *w, size_t n, int background) {
    uint64_t dark = 0, light = 0;
    for (size_t i = 0; i < n; i++) {
        int d = w[i] - background;
        if (d < -DEVIATION_MARGIN) dark += (uint64_t)(-d - DEVIATION_MARGIN);
        if (d > DEVIATION_MARGIN) light += (uint64_t)(d - DEVIATION_MARGIN);
    }
    return dark > light || (dark == light && background >= 128);
}

/* The ink's level: the brightest level that at least 1 + n/1000 pixels reach, so that a few hot
 * pixels do not set it. */
static uint8_t ink_level(const uint8_t *w, size_t n) {
    size_t hist[256] = {0}, want = 1 + n / 1000, seen = 0;
    for (size_t i = 0; i < n; i++) hist[w[i]]++;
    int v = 255;
    while (v > 0 && (seen += hist[v]) < want) v--;
    return (uint8_t)v;
}

/* ---- specks ------------------------------------------------------------------------------------
 * Ink pixels (non-zero) in 8-connected components; a component whose mass (sum of levels) is
 * under 1/SPECK_RATIO of the largest one's is set to 0. Returns 0 on allocation failure. */
static int drop_specks(uint8_t *w, uint32_t ww, uint32_t wh) {
    size_t n = (size_t)ww * wh;
    uint32_t *label = calloc(n, sizeof *label), *queue = malloc(n * sizeof *queue);
    uint64_t *mass = malloc((n + 1) * sizeof *mass);
    if (!label || !queue || !mass) { free(label); free(queue); free(mass); return 0; }
    uint32_t components = 0;
    uint64_t largest = 0;
    for (size_t start = 0; start < n; start++) {
        if (!w[start] || label[start]) continue;
        uint32_t id = ++components;
        size_t head = 0, tail = 0;
        uint64_t sum = 0;
        label[start] = id;
        queue[tail++] = (uint32_t)start;
        while (head < tail) {
            uint32_t p = queue[head++], px = p % ww, py = p / ww;
            sum += w[p];
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int64_t qx = (int64_t)px + dx, qy = (int64_t)py + dy;
                    if (qx < 0 || qy < 0 || qx >= ww || qy >= wh) continue;
                    size_t q = (size_t)qy * ww + (size_t)qx;
                    if (w[q] && !label[q]) { label[q] = id; queue[tail++] = (uint32_t)q; }
                }
        }
        mass[id] = sum;
        if (sum > largest) largest = sum;
    }
    for (size_t i = 0; i < n; i++)
        if (w[i] && mass[label[i]] * SPECK_RATIO < largest) w[i] = 0;
    free(label);
    free(queue);
    free(mass);
    return 1;
}

/* ---- stroke width ------------------------------------------------------------------------------
 * MNIST's strokes are about 2 pixels wide in the 20-pixel box (the test set's median of 2A/P, A
 * the ink's mass and P its perimeter taken as the total variation of the levels: a stroke of
 * width w and length L has A = wL and P = 2L). A ballpoint line photographed at 3000 pixels
 * would shrink to a faint hairline, which MNIST never shows the network; so ink thinner than
 * 1.2 pixels once scaled (as 1.1% of MNIST's test digits are) is thickened to 2.0 by a grey
 * dilation with an octagon of radius r: (w + 2r) 20 / (side + 2r) = 2, side the box's longer one. */
#define STROKE_MIN_TENTHS 12
#define STROKE_TARGET_TENTHS 20

static uint32_t thickening(const uint8_t *w, uint32_t ww, uint32_t wh, uint32_t side) {
    int64_t mass = 0, perimeter = 0;
    for (uint32_t y = 0; y < wh; y++) {
        int prev = 0;
        for (uint32_t x = 0; x < ww; x++) {
            int v = w[(size_t)y * ww + x];
            mass += v;
            perimeter += v > prev ? v - prev : prev - v;
            prev = v;
        }
        perimeter += prev;
    }
    for (uint32_t x = 0; x < ww; x++) {
        int prev = 0;
        for (uint32_t y = 0; y < wh; y++) {
            int v = w[(size_t)y * ww + x];
            perimeter += v > prev ? v - prev : prev - v;
            prev = v;
        }
        perimeter += prev;
    }
    /* width in the box, in tenths of a pixel: 10 * 20 * (2A/P) / side */
    if (perimeter == 0 || 400 * mass >= STROKE_MIN_TENTHS * perimeter * side) return 0;
    int64_t den = 2 * (200 - STROKE_TARGET_TENTHS) * perimeter;
    int64_t r = (STROKE_TARGET_TENTHS * side * perimeter - 400 * mass + den / 2) / den;
    return r > 0 ? (uint32_t)r : 0;   /* at most side / 18: ink of no mass */
}

/* Grey dilation (each pixel the largest level within the shape) with an octagon of radius r: a
 * square of radius a and then a diamond of radius r - a, a = 0.414 r (equal widths along the axes
 * and the diagonals). Returns 0 on allocation failure. */
static int dilate(uint8_t *w, uint32_t ww, uint32_t wh, uint32_t r) {
    size_t n = (size_t)ww * wh;
    uint8_t *t = malloc(n);
    if (!t) return 0;
    uint32_t a = (r * 29 + 35) / 70;
    for (uint32_t y = 0; y < wh; y++)   /* the square: rows, then columns */
        for (uint32_t x = 0; x < ww; x++) {
            uint8_t m = 0;
            const uint8_t *row = w + (size_t)y * ww;
            for (uint32_t k = x > a ? x - a : 0; k <= x + a && k < ww; k++) if (row[k] > m) m = row[k];
            t[(size_t)y * ww + x] = m;
        }
    for (uint32_t y = 0; y < wh; y++)
        for (uint32_t x = 0; x < ww; x++) {
            uint8_t m = 0;
            for (uint32_t k = y > a ? y - a : 0; k <= y + a && k < wh; k++)
                if (t[(size_t)k * ww + x] > m) m = t[(size_t)k * ww + x];
            w[(size_t)y * ww + x] = m;
        }
    for (uint32_t step = a; step < r; step++) {   /* the diamond: one 4-neighbour step at a time */
        memcpy(t, w, n);
        for (uint32_t y = 0; y < wh; y++)
            for (uint32_t x = 0; x < ww; x++) {
                size_t i = (size_t)y * ww + x;
                uint8_t m = t[i];
                if (x > 0 && t[i - 1] > m) m = t[i - 1];
                if (x + 1 < ww && t[i + 1] > m) m = t[i + 1];
                if (y > 0 && t[i - ww] > m) m = t[i - ww];
                if (y + 1 < wh && t[i + ww] > m) m = t[i + ww];
                w[i] = m;
            }
    }
    free(t);
    return 1;
}

/* ---- the steps ---------------------------------------------------------------------------------- */

/* The image with alpha applied, area-averaged down to at most WORK_SIDE a side (a malloc'd copy).
 * Returns 0 on allocation failure; *work stays NULL when every pixel is transparent. */
static int working_copy(const tn_image *img, uint8_t **work, uint32_t *ww, uint32_t *wh, tn_preprocess_info *info) {
    uint32_t w = img->width, h = img->height, side = w > h ? w : h;
    const uint8_t *grey = img->grey;
    uint8_t *flat = NULL;
    *work = NULL;
    info->composited = -1;
    if (img->alpha) {
        if (!(flat = malloc((size_t)w * h))) return 0;
        info->composited = composite(img, flat);
        grey = flat;
        if (info->composited < 0) { free(flat); return 1; }
    }
    *ww = w;
    *wh = h;
    if (side > WORK_SIDE) {
        *ww = (uint32_t)(((uint64_t)w * WORK_SIDE + side / 2) / side);
        *wh = (uint32_t)(((uint64_t)h * WORK_SIDE + side / 2) / side);
        if (*ww < 1) *ww = 1;
        if (*wh < 1) *wh = 1;
    }
    *work = malloc((size_t)*ww * *wh);
    int ok = *work && resample(grey, w, 0, 0, w, h, *work, *ww, *wh);
    free(flat);
    if (!ok) { free(*work); *work = NULL; }
    return ok;
}

/* Light ink on black: inverted when the ink is dark; then the levels from a floor an eighth of
 * the way up from the background (below it: paper and noise, 0) to the ink's level (255).
 * Returns 0 when the contrast is under MIN_CONTRAST. */
static int normalise_levels(uint8_t *work, size_t n, uint32_t ww, uint32_t wh, tn_preprocess_info *info) {
    int background = border_median(work, ww, wh);
    info->inverted = ink_is_dark(work, n, background);
    if (info->inverted) {
        for (size_t i = 0; i < n; i++) work[i] = (uint8_t)(255 - work[i]);
        background = 255 - background;
    }
    int ink = ink_level(work, n);
    info->background = (uint8_t)background;
    info->ink = (uint8_t)ink;
    if (ink - background < MIN_CONTRAST) return 0;
    int paper = background + (ink - background) / 8, span = ink - paper;
    for (size_t i = 0; i < n; i++) {
        int v = work[i];
        work[i] = (uint8_t)(v <= paper ? 0 : v >= ink ? 255 : ((v - paper) * 255 + span / 2) / span);
    }
    return 1;
}

/* The smallest box holding every non-zero pixel: columns x0..x1, rows y0..y1. */
static void bounding_box(const uint8_t *w, uint32_t ww, uint32_t wh, uint32_t *x0, uint32_t *y0, uint32_t *x1,
                         uint32_t *y1) {
    *x0 = ww; *y0 = wh; *x1 = 0; *y1 = 0;
    for (uint32_t y = 0; y < wh; y++)
        for (uint32_t x = 0; x < ww; x++)
            if (w[(size_t)y * ww + x]) {
                if (x < *x0) *x0 = x;
                if (x > *x1) *x1 = x;
                if (y < *y0) *y0 = y;
                if (y > *y1) *y1 = y;
            }
}

/* The fitted ink (fw x fh), its brightest pixel raised to 255 as in MNIST (a thin stroke
 * averages down to grey), into the 28x28 field with its centre of mass (in pixel indices) at
 * CENTRE: the offset round(CENTRE - Sx/M) = floor(((2 CENTRE + 1) M - 2 Sx) / 2M), exactly.
 * Pixels that land outside the field are cut. */
static void place(uint8_t *fit, uint32_t fw, uint32_t fh, uint8_t *out, tn_preprocess_info *info) {
    uint32_t top_level = 0;
    for (uint32_t i = 0; i < fw * fh; i++) if (fit[i] > top_level) top_level = fit[i];
    for (uint32_t i = 0; i < fw * fh; i++) fit[i] = (uint8_t)((fit[i] * 255u + top_level / 2) / top_level);
    int64_t mass = 0, sx = 0, sy = 0;
    for (uint32_t y = 0; y < fh; y++)
        for (uint32_t x = 0; x < fw; x++) {
            int64_t v = fit[y * fw + x];
            mass += v;
            sx += v * x;
            sy += v * y;
        }
    int64_t nx = (2 * CENTRE + 1) * mass - 2 * sx, ny = (2 * CENTRE + 1) * mass - 2 * sy, d = 2 * mass;
    info->left = (int32_t)(nx >= 0 ? nx / d : -((-nx + d - 1) / d));
    info->top = (int32_t)(ny >= 0 ? ny / d : -((-ny + d - 1) / d));
    for (uint32_t y = 0; y < fh; y++)
        for (uint32_t x = 0; x < fw; x++) {
            int32_t ox = info->left + (int32_t)x, oy = info->top + (int32_t)y;
            if (ox >= 0 && oy >= 0 && ox < TN_MNIST_SIDE && oy < TN_MNIST_SIDE)
                out[oy * TN_MNIST_SIDE + ox] = fit[y * fw + x];
        }
}

/* ---- the whole preprocessing ------------------------------------------------------------------- */

tn_status tn_image_preprocess(const tn_image *img, const char *name, uint8_t *out, tn_preprocess_info *info,
                              tn_error *err) {
    tn_preprocess_info local;
    if (!info) info = &local;
    memset(info, 0, sizeof *info);
    memset(out, 0, TN_MNIST_SIDE * TN_MNIST_SIDE);
    if (!name) name = "image";
    uint32_t w = img->width, h = img->height, ww = 0, wh = 0;
    if (!img->grey || w < 1 || h < 1 || w > TN_IMAGE_MAX_SIDE || h > TN_IMAGE_MAX_SIDE)
        return tn_fail(err, TN_ERR_ARG, "%s: image size %ux%u is outside 1..%u pixels a side", name, w, h,
                       TN_IMAGE_MAX_SIDE);
    uint8_t *work;
    if (!working_copy(img, &work, &ww, &wh, info)) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
    if (!work) return tn_fail(err, TN_ERR_FORMAT, "%s: no ink found (every pixel is transparent)", name);
    size_t n = (size_t)ww * wh;
    if (!normalise_levels(work, n, ww, wh, info)) {
        free(work);
        return tn_fail(err, TN_ERR_FORMAT, "%s: no ink found (a blank image, or under %d levels of contrast)", name,
                       MIN_CONTRAST);
    }
    if (!drop_specks(work, ww, wh)) { free(work); return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name); }

    /* The ink's bounding box (never empty: the ink level is reached by at least one pixel, and
     * the largest component is kept); thin strokes thickened, which widens it. */
    uint32_t x0, y0, x1, y1;
    bounding_box(work, ww, wh, &x0, &y0, &x1, &y1);
    uint32_t r = thickening(work, ww, wh, x1 - x0 > y1 - y0 ? x1 - x0 + 1 : y1 - y0 + 1);
    if (r > 0) {
        if (!dilate(work, ww, wh, r)) { free(work); return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name); }
        bounding_box(work, ww, wh, &x0, &y0, &x1, &y1);
    }
    info->thickened = r;
    uint32_t bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    info->box_x = (uint32_t)((uint64_t)x0 * w / ww);
    info->box_y = (uint32_t)((uint64_t)y0 * h / wh);
    info->box_w = (uint32_t)(((uint64_t)(x1 + 1) * w + ww - 1) / ww) - info->box_x;
    info->box_h = (uint32_t)(((uint64_t)(y1 + 1) * h + wh - 1) / wh) - info->box_y;

    /* Fit TN_MNIST_BOX keeping the box's aspect ratio in the image's own pixels (a working pixel
     * is w/ww by h/wh of them): width/height = (bw w wh) / (bh h ww). */
    uint64_t along = (uint64_t)bw * w * wh, across = (uint64_t)bh * h * ww;
    uint32_t fw = TN_MNIST_BOX, fh = TN_MNIST_BOX;
    if (along >= across) fh = (uint32_t)((TN_MNIST_BOX * across + along / 2) / along);
    else fw = (uint32_t)((TN_MNIST_BOX * along + across / 2) / across);
    info->fit_w = fw = fw < 1 ? 1 : fw;
    info->fit_h = fh = fh < 1 ? 1 : fh;
    uint8_t fit[TN_MNIST_BOX * TN_MNIST_BOX];
    int ok = resample(work, ww, x0, y0, bw, bh, fit, fw, fh);
    free(work);
    if (!ok) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
    uint32_t lit = 0;
    for (uint32_t i = 0; i < fw * fh; i++) lit |= fit[i];
    if (!lit) return tn_fail(err, TN_ERR_FORMAT, "%s: no ink found (too faint once scaled)", name);
    place(fit, fw, fh, out, info);
    return TN_OK;
}
