/* Images for `predict`: the file read within a limit of 64 MiB, its format told by its first
 * bytes and handed to its decoder (PNG: png.c, JPEG: jpeg.c), and binary (P5) and plain (P2) PGM,
 * read here as 8-bit grey. Every decoder checks the size in the header, at most TN_IMAGE_MAX_SIDE
 * pixels a side, before any pixel is allocated; what they share is in pixels.c. */
#include <ctype.h>
#include <stdlib.h>

#include "parse.h"
#include "read.h"

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

static int is_png(const uint8_t *b, size_t n) { return n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0; }
static int is_pgm(const uint8_t *b, size_t n) { return n >= 3 && b[0] == 'P' && (b[1] == '5' || b[1] == '2'); }
static int is_jpeg(const uint8_t *b, size_t n) { return n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff; }

tn_status tn_image_parse(const char *name, const uint8_t *buf, size_t size, tn_image *img, tn_error *err) {
    memset(img, 0, sizeof *img);
    if (is_png(buf, size)) return tn_png_parse(name, buf, size, img, err);
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
        return tn_fail(err, TN_ERR_FORMAT, "%s: larger than the limit of %zu bytes", path, TN_IMAGE_FILE_MAX);
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
    tn_status s = tn_read_file_as(path, TN_IMAGE_FILE_MAX, image_wanted, &buf, &size, &over, err);
    return image_from_read(path, s, buf, size, over, img, err);
}

tn_status tn_image_from_bytes(const char *name, const uint8_t *bytes, size_t size, tn_image *img, tn_error *err) {
    memset(img, 0, sizeof *img);
    if (!name) name = "image";
    uint8_t *buf;
    size_t n;
    int over;
    tn_status s = tn_decode_mem_as(name, bytes, size, TN_IMAGE_FILE_MAX, image_wanted, &buf, &n, &over, err);
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
