/* Images for `predict`: binary (P5) and plain (P2) PGM, and PNG through libpng, read as 8-bit
 * grey plus alpha where the file has it (JPEG: jpeg.c). Limits: a file of at most 64 MiB, at most
 * TN_IMAGE_MAX_SIDE pixels a side, checked in the header before any pixel is allocated; PNG
 * ancillary chunks are capped at 1 MB decompressed. Built with TN_NO_LIBPNG (WebAssembly: the page
 * hands over a canvas's pixels), a PNG file is refused with a message that says so. */
#include <ctype.h>
#include <errno.h>
#ifndef TN_NO_LIBPNG
#include <png.h>
#include <setjmp.h>
#endif
#include <stdio.h>
#include <stdlib.h>

#include "parse.h"
#include "read.h"

uint8_t tn_luma(uint32_t r, uint32_t g, uint32_t b) {
    return (uint8_t)((19595u * r + 38470u * g + 7471u * b + 32768u) >> 16);
}

tn_status tn_image_from_rgba(const char *name, const uint8_t *rgba, uint32_t width, uint32_t height, tn_image *img,
                             tn_error *err) {
    memset(img, 0, sizeof *img);
    if (!name) name = "image";
    if (width == 0 || height == 0 || width > TN_IMAGE_MAX_SIDE || height > TN_IMAGE_MAX_SIDE)
        return tn_image_size_error(name, width, height, err);
    size_t n = (size_t)width * height;
    img->grey = malloc(n);
    img->alpha = malloc(n);
    if (!img->grey || !img->alpha) {
        tn_image_free(img);
        return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
    }
    img->width = width;
    img->height = height;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = rgba + 4 * i;
        img->grey[i] = tn_luma(p[0], p[1], p[2]);
        img->alpha[i] = p[3];
    }
    return TN_OK;
}

/* Reads the next PGM header integer, skipping white space and # comments. */
static int pgm_int(const uint8_t *buf, size_t size, size_t *pos, uint32_t *out) {
    while (*pos < size) {
        if (buf[*pos] == '#') { while (*pos < size && buf[*pos] != '\n') (*pos)++; }
        else if (isspace(buf[*pos])) (*pos)++;
        else break;
    }
    if (*pos >= size || !isdigit(buf[*pos])) return 0;
    uint64_t v = 0;
    while (*pos < size && isdigit(buf[*pos])) {
        v = v * 10 + (uint64_t)(buf[*pos] - '0');
        if (v > 1000000) return 0;
        (*pos)++;
    }
    *out = (uint32_t)v;
    return 1;
}

tn_status tn_image_size_error(const char *name, uint64_t width, uint64_t height, tn_error *err) {
    return tn_fail(err, TN_ERR_FORMAT, "%s: image size %llux%llu is outside 1..%u pixels a side", name,
                   (unsigned long long)width, (unsigned long long)height, TN_IMAGE_MAX_SIDE);
}

void tn_image_free(tn_image *img) {
    free(img->grey);
    free(img->alpha);
    img->grey = img->alpha = NULL;
    img->width = img->height = 0;
}

static tn_status load_pgm(const char *path, const uint8_t *buf, size_t size, tn_image *img, tn_error *err) {
    int binary = buf[1] == '5';
    size_t pos = 2;
    if (!isspace(buf[2]) && buf[2] != '#') return tn_fail(err, TN_ERR_FORMAT, "%s: bad PGM header", path);
    uint32_t w, h, maxval;
    if (!pgm_int(buf, size, &pos, &w) || !pgm_int(buf, size, &pos, &h) || !pgm_int(buf, size, &pos, &maxval))
        return tn_fail(err, TN_ERR_FORMAT, "%s: bad PGM header", path);
    if (w < 1 || h < 1 || w > TN_IMAGE_MAX_SIDE || h > TN_IMAGE_MAX_SIDE) return tn_image_size_error(path, w, h, err);
    if (maxval < 1 || maxval > 65535) return tn_fail(err, TN_ERR_FORMAT, "%s: bad PGM maximum value %u", path, maxval);
    size_t n = (size_t)w * h, bytes = maxval > 255 ? 2 : 1;
    uint8_t *out = malloc(n);
    if (!out) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path);
    if (binary) {
        pos++; /* the single white-space character after maxval */
        if (pos > size || size - pos < n * bytes) { free(out); return tn_fail(err, TN_ERR_FORMAT, "%s: truncated PGM data", path); }
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        if (binary) v = bytes == 1 ? buf[pos + i] : (uint32_t)buf[pos + 2 * i] << 8 | buf[pos + 2 * i + 1];
        else if (!pgm_int(buf, size, &pos, &v)) {
            free(out);
            return tn_fail(err, TN_ERR_FORMAT, "%s: %s PGM data", path, pos >= size ? "truncated" : "bad");
        }
        if (v > maxval) { free(out); return tn_fail(err, TN_ERR_FORMAT, "%s: pixel value %u above the maximum %u", path, v, maxval); }
        out[i] = (uint8_t)((v * 255u + maxval / 2) / maxval);
    }
    img->grey = out; img->width = w; img->height = h;
    return TN_OK;
}

typedef struct { const uint8_t *buf; size_t size, pos; } png_source;

#ifndef TN_NO_LIBPNG
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

static tn_status load_png(const char *path, const uint8_t *buf, size_t size, tn_image *img, tn_error *err) {
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
#else
static tn_status load_png(const char *path, const uint8_t *buf, size_t size, tn_image *img, tn_error *err) {
    (void)buf; (void)size; (void)img;
    return tn_fail(err, TN_ERR_FORMAT, "%s: a PNG image, and this build of twinnet has no libpng", path);
}
#endif

static int is_png(const uint8_t *b, size_t n) { return n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0; }
static int is_pgm(const uint8_t *b, size_t n) { return n >= 3 && b[0] == 'P' && (b[1] == '5' || b[1] == '2'); }
static int is_jpeg(const uint8_t *b, size_t n) { return n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff; }

tn_status tn_image_parse(const char *name, const uint8_t *buf, size_t size, tn_image *img, tn_error *err) {
    memset(img, 0, sizeof *img);
    if (is_png(buf, size)) return load_png(name, buf, size, img, err);
    if (is_pgm(buf, size)) return load_pgm(name, buf, size, img, err);
    if (is_jpeg(buf, size)) return tn_jpeg_parse(name, buf, size, img, err);
    return tn_fail(err, TN_ERR_FORMAT, "%s: not a PGM, PNG or JPEG image", name);
}

/* Reading stops after 3 bytes that are neither PNG, PGM nor JPEG (see tn_wanted_fn). */
static size_t image_wanted(const uint8_t *b, size_t n) {
    if (n < 3) return 0;
    if ((b[0] == 0x89 && b[1] == 'P' && b[2] == 'N') || is_pgm(b, n) || is_jpeg(b, n)) return SIZE_MAX;
    return 3;
}

/* An image file's bytes as read (s: how the reading went; buf is freed here) into img. */
static tn_status image_from_read(const char *path, tn_status s, uint8_t *buf, size_t size, int over, tn_image *img,
                                 tn_error *err) {
    if (s == TN_OK && over && size > 3) {
        free(buf);
        return tn_fail(err, TN_ERR_FORMAT, "%s: larger than the limit of %zu bytes", path, (size_t)64 << 20);
    }
    if (s != TN_OK) return s;
    s = tn_image_parse(path, buf, size, img, err);
    free(buf);
    return s;
}

tn_status tn_image_read(const char *path, tn_image *img, tn_error *err) {
    memset(img, 0, sizeof *img);
    uint8_t *buf;
    size_t size;
    int over;
    tn_status s = tn_read_file_as(path, (size_t)64 << 20, image_wanted, &buf, &size, &over, err);
    return image_from_read(path, s, buf, size, over, img, err);
}

tn_status tn_image_from_bytes(const char *name, const uint8_t *bytes, size_t size, tn_image *img, tn_error *err) {
    memset(img, 0, sizeof *img);
    if (!name) name = "image";
    uint8_t *buf;
    size_t n;
    int over;
    tn_status s = tn_decode_mem_as(name, bytes, size, (size_t)64 << 20, image_wanted, &buf, &n, &over, err);
    return image_from_read(name, s, buf, n, over, img, err);
}

tn_status tn_image_load(const char *path, uint8_t **pixels, uint32_t *width, uint32_t *height, tn_error *err) {
    tn_image img;
    *pixels = NULL;
    tn_status s = tn_image_read(path, &img, err);
    if (s != TN_OK) return s;
    free(img.alpha);
    *pixels = img.grey; *width = img.width; *height = img.height;
    return TN_OK;
}
