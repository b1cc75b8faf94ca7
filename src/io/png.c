/* PNG images for `predict` through libpng, read as 8-bit grey plus alpha where the file has it:
 * grey, grey and alpha, palette, RGB and RGBA at any depth, colour turned into grey by tn_luma.
 * libpng's errors come back by longjmp, never exit; the header's size is checked before any pixel
 * is allocated; ancillary chunks are capped at 1 MB decompressed; libpng allocates through malloc,
 * so allocation-failure tests reach it. Built with TN_NO_LIBPNG (WebAssembly: the page hands over
 * a canvas's pixels), a PNG file is refused with a message that says so. */
#include "parse.h"

#ifdef TN_NO_LIBPNG
tn_status tn_png_parse(const char *path, const uint8_t *buf, size_t size, tn_image *img, tn_error *err) {
    (void)buf; (void)size; (void)img;
    return tn_fail(err, TN_ERR_FORMAT, "%s: a PNG image, and this build of twinnet has no libpng", path);
}
#else
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { const uint8_t *buf; size_t size, pos; } png_source;

static void png_read_mem(png_structp png, png_bytep data, png_size_t n) {
    png_source *src = png_get_io_ptr(png);
    if (src->size - src->pos < n) png_error(png, "truncated PNG data");
    memcpy(data, src->buf + src->pos, n);
    src->pos += n;
}

static void png_quiet_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

/* libpng allocates through these, so allocation-failure tests (which wrap malloc) reach it. */
static png_voidp png_malloc_fn(png_structp png, png_alloc_size_t n) { (void)png; return malloc(n); }
static void png_free_fn(png_structp png, png_voidp p) { (void)png; free(p); }

typedef struct { char msg[200]; int nomem; } png_err_box;
static void png_keep_error(png_structp png, png_const_charp msg) {
    png_err_box *box = png_get_error_ptr(png);
    snprintf(box->msg, sizeof box->msg, "%s", msg);
    box->nomem = strstr(msg, "memory") != NULL; /* libpng: "Out of memory", "insufficient memory" */
    png_longjmp(png, 1);
}

tn_status tn_png_parse(const char *path, const uint8_t *buf, size_t size, tn_image *img, tn_error *err) {
    png_err_box box = {"bad PNG", 0};
    png_structp png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &box, png_keep_error, png_quiet_warning,
                                               NULL, png_malloc_fn, png_free_fn);
    if (!png) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path);
    png_infop info = png_create_info_struct(png);
    uint8_t *volatile grey = NULL, *volatile alpha = NULL, *volatile samples = NULL;
    png_bytep *volatile rows = NULL;
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path); }
    png_source src = {buf, size, 0};
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(grey);
        free(alpha);
        free(samples);
        free(rows);
        if (box.nomem) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path);
        return tn_fail(err, TN_ERR_FORMAT, "%s: unreadable PNG: %s", path, box.msg);
    }
    png_set_read_fn(png, &src, png_read_mem);
    png_set_user_limits(png, 1u << 24, 1u << 24); /* our own, smaller limit below says it as PGM does */
    png_set_chunk_malloc_max(png, 1000000);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if (w > TN_IMAGE_MAX_SIDE || h > TN_IMAGE_MAX_SIDE) {
        png_destroy_read_struct(&png, &info, NULL);
        return tn_image_size_error(path, w, h, err);
    }
    int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if (depth == 16) png_set_strip_16(png);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    /* Grey, grey and alpha, RGB or RGBA, 8 bits a sample: read whole, then split, colour turned
     * into grey by tn_luma (our integers, not libpng's own conversion: the same bytes
     * as a JPEG's luma and as the browser page's canvas). */
    size_t channels = png_get_channels(png, info), n = (size_t)w * h;
    if (channels < 1 || channels > 4 || png_get_rowbytes(png, info) != w * channels)
        png_error(png, "unsupported pixel layout");
    int has_alpha = channels == 2 || channels == 4;
    grey = malloc(n);
    if (has_alpha) alpha = malloc(n);
    if (channels > 1) samples = malloc(channels * n);
    rows = malloc(h * sizeof(png_bytep));
    if (!grey || !rows || (has_alpha && !alpha) || (channels > 1 && !samples)) png_error(png, "out of memory");
    uint8_t *target = channels > 1 ? samples : grey;
    for (png_uint_32 y = 0; y < h; y++) rows[y] = target + (size_t)y * w * channels;
    png_read_image(png, rows);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    if (channels > 1) {
        for (size_t i = 0; i < n; i++) {
            const uint8_t *p = samples + channels * i;
            grey[i] = channels >= 3 ? tn_luma(p[0], p[1], p[2]) : p[0];
            if (has_alpha) alpha[i] = p[channels - 1];
        }
        free(samples);
    }
    img->grey = grey; img->alpha = alpha; img->width = w; img->height = h;
    return TN_OK;
}
#endif
