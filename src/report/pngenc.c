/* PNG images for the report, encoded in memory with libpng (no time or text chunk, a fixed
 * compression level: the same pixels give the same bytes) and written into the page as
 * base64 data URIs, so the page needs no other file. Built with TN_NO_LIBPNG (WebAssembly), the
 * encoder says it is missing and the report cannot be written. */
#include <stdlib.h>

#include "report.h"

#ifdef TN_NO_LIBPNG
tn_status tn_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, uint8_t **out,
                        size_t *size, tn_error *err) {
    (void)pixels; (void)width; (void)height; (void)channels;
    *out = NULL;
    *size = 0;
    return tn_fail(err, TN_ERR_ARG, "this build of twinnet has no libpng, so it cannot draw the report's figures");
}
#else
#include <png.h>
#include <setjmp.h>

typedef struct { uint8_t *data; size_t len, cap; int nomem; } png_sink;

static void sink_write(png_structp png, png_bytep data, png_size_t n) {
    png_sink *s = png_get_io_ptr(png);
    if (s->nomem) return;
    if (s->len + n > s->cap) {
        size_t cap = (s->len + n) * 2 + 256;
        uint8_t *bigger = realloc(s->data, cap);
        if (!bigger) { s->nomem = 1; png_error(png, "out of memory"); }
        s->data = bigger;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, n);
    s->len += n;
}
static void sink_flush(png_structp png) { (void)png; }

static png_voidp alloc_fn(png_structp png, png_alloc_size_t n) { (void)png; return malloc(n); }
static void free_fn(png_structp png, png_voidp p) { (void)png; free(p); }
static void quiet(png_structp png, png_const_charp msg) { (void)png; (void)msg; }
static void fail(png_structp png, png_const_charp msg) { (void)msg; png_longjmp(png, 1); }

tn_status tn_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, uint8_t **out,
                        size_t *size, tn_error *err) {
    *out = NULL;
    *size = 0;
    if (width == 0 || height == 0 || (channels != 1 && channels != 3))
        return tn_fail(err, TN_ERR_ARG, "PNG: %ux%u pixels of %d channels", width, height, channels);
    png_sink sink = {NULL, 0, 0, 0};
    png_structp png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, NULL, fail, quiet, NULL, alloc_fn, free_fn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return tn_fail(err, TN_ERR_NOMEM, "out of memory for a PNG image");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(sink.data);
        return tn_fail(err, TN_ERR_NOMEM, "out of memory for a PNG image");
    }
    png_set_write_fn(png, &sink, sink_write, sink_flush);
    png_set_compression_level(png, 9);
    png_set_IHDR(png, info, width, height, 8, channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, pixels + (size_t)y * width * (size_t)channels);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *out = sink.data;
    *size = sink.len;
    return TN_OK;
}
#endif

/* RFC 4648 base64 with padding, no line breaks (a data URI). */
static void base64(FILE *f, const uint8_t *data, size_t n) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < n ? (uint32_t)data[i + 1] << 8 : 0) | (i + 2 < n ? data[i + 2] : 0);
        char quad[4] = {digits[v >> 18 & 63], digits[v >> 12 & 63], i + 1 < n ? digits[v >> 6 & 63] : '=',
                        i + 2 < n ? digits[v & 63] : '='};
        fwrite(quad, 1, 4, f);
    }
}

tn_status tn_html_png(FILE *f, const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int scale,
                      const char *alt, tn_error *err) {
    uint8_t *png;
    size_t size;
    tn_status s = tn_png_encode(pixels, width, height, channels, &png, &size, err);
    if (s != TN_OK) return s;
    fputs("<img class=\"px\" src=\"data:image/png;base64,", f);
    base64(f, png, size);
    fprintf(f, "\" width=\"%u\" height=\"%u\" alt=\"", width * (uint32_t)scale, height * (uint32_t)scale);
    tn_html_escape(f, alt);
    fputs("\">", f);
    free(png);
    return TN_OK;
}
