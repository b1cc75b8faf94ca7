/* JPEG images for `predict` through libjpeg (libjpeg-turbo): grey, colour (read as luma) and
 * CMYK (Adobe's inverted or plain, turned into luma here), baseline or progressive, turned upright
 * as its Exif orientation says (phones store the sensor's rows and a tag). libjpeg's
 * errors come back by longjmp, never exit; its warning that the data ends early is an error
 * here (libjpeg would paint the rest grey); the header's size is checked before decoding
 * starts; libjpeg's own memory and the number of scans (a progressive file of thousands of
 * scans takes minutes) are capped. Built with TN_NO_LIBJPEG (WebAssembly), a JPEG file is refused
 * with a message that says so. */
#include "parse.h"

#ifdef TN_NO_LIBJPEG
tn_status tn_jpeg_parse(const char *name, const uint8_t *buf, size_t size, tn_image *img, tn_error *err) {
    (void)buf; (void)size; (void)img;
    return tn_fail(err, TN_ERR_FORMAT, "%s: a JPEG image, and this build of twinnet has no libjpeg", name);
}
#else
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>
#include <jerror.h>

#define JPEG_MEMORY_LIMIT (256L << 20)   /* libjpeg's buffers (a 4096^2 progressive CMYK: 134 MB) */
#define JPEG_MAX_SCANS 1000              /* encoders write at most a few dozen */

typedef struct {
    struct jpeg_error_mgr pub;   /* first: libjpeg sees this */
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
    int code;                    /* libjpeg's message code of the error, or -1: too many scans */
    JDIMENSION width, height;    /* the header's, as far as it was read */
} jpeg_box;

static _Noreturn void jpeg_fail(j_common_ptr cinfo) {
    jpeg_box *box = (jpeg_box *)cinfo->err;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    box->code = box->pub.msg_code;
    box->width = d->image_width;
    box->height = d->image_height;
    box->pub.format_message(cinfo, box->msg);
    longjmp(box->jump, 1);
}

/* Warnings (level -1) about corrupt data that libjpeg steps over are tolerated, as viewers do;
 * data that ends early is not. Trace messages (level >= 0) are ignored. */
static void jpeg_warning(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_fail(cinfo);
}

static void jpeg_progress(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > JPEG_MAX_SCANS) {
        jpeg_box *box = (jpeg_box *)cinfo->err;
        box->code = -1;
        longjmp(box->jump, 1);
    }
}

/* One row of CMYK samples into grey: R = (1 - C)(1 - K) and so on. Adobe's files (an APP14
 * marker) store every sample inverted, 255 meaning no ink. */
static void cmyk_row(const uint8_t *cmyk, uint32_t width, int adobe, uint8_t *grey) {
    for (uint32_t x = 0; x < width; x++) {
        const uint8_t *p = cmyk + 4 * (size_t)x;
        uint32_t c = p[0], m = p[1], y = p[2], k = p[3];
        if (!adobe) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        grey[x] = tn_luma((c * k + 127) / 255, (m * k + 127) / 255, (y * k + 127) / 255);
    }
}

/* ---- Exif orientation (Exif 2.3, tag 0x0112 in IFD0 of the APP1 "Exif" segment) -------------
 * 1 upright, 2 mirrored, 3 upside down, 4 flipped, 5 transposed, 6 to be turned 90 degrees
 * clockwise, 7 transverse, 8 to be turned 90 degrees anticlockwise. 1 when absent or unreadable. */
static uint32_t exif_u16(const uint8_t *p, int big) {
    return big ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[1] << 8 | p[0];
}
static uint32_t exif_u32(const uint8_t *p, int big) {
    return big ? exif_u16(p, 1) << 16 | exif_u16(p + 2, 1) : exif_u16(p + 2, 0) << 16 | exif_u16(p, 0);
}

static int exif_orientation(j_decompress_ptr cinfo) {
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next) {
        const uint8_t *t = m->data + 6;   /* the TIFF header after "Exif\0\0" */
        size_t n = m->data_length;
        if (m->marker != JPEG_APP0 + 1 || n < 6 + 8 || memcmp(m->data, "Exif\0\0", 6) != 0) continue;
        n -= 6;
        int big = t[0] == 'M';
        if (!((t[0] == 'I' && t[1] == 'I') || (t[0] == 'M' && t[1] == 'M')) || exif_u16(t + 2, big) != 42) return 1;
        uint32_t ifd = exif_u32(t + 4, big);
        if (ifd > n - 2) return 1;
        uint32_t count = exif_u16(t + ifd, big);
        for (uint32_t k = 0; k < count && ifd + 2 + 12 * (size_t)(k + 1) <= n; k++) {
            const uint8_t *e = t + ifd + 2 + 12 * k;
            if (exif_u16(e, big) == 0x0112 && exif_u16(e + 2, big) == 3) {
                uint32_t v = exif_u16(e + 8, big);
                return v >= 1 && v <= 8 ? (int)v : 1;
            }
        }
        return 1;
    }
    return 1;
}

/* img's pixels as they are to be seen: the source pixel of displayed (x, y) for each orientation.
 * Returns 0 on allocation failure. */
static int turn_upright(tn_image *img, int orientation) {
    if (orientation == 1) return 1;
    uint32_t w = img->width, h = img->height, dw = orientation >= 5 ? h : w, dh = orientation >= 5 ? w : h;
    uint8_t *out = malloc((size_t)w * h);
    if (!out) return 0;
    for (uint32_t y = 0; y < dh; y++)
        for (uint32_t x = 0; x < dw; x++) {
            uint32_t sx = x, sy = y;
            switch (orientation) {
            case 2: sx = w - 1 - x; break;
            case 3: sx = w - 1 - x; sy = h - 1 - y; break;
            case 4: sy = h - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = h - 1 - x; break;
            case 7: sx = w - 1 - y; sy = h - 1 - x; break;
            default: sx = w - 1 - y; sy = x; break;   /* 8 */
            }
            out[(size_t)y * dw + x] = img->grey[(size_t)sy * w + sx];
        }
    free(img->grey);
    img->grey = out;
    img->width = dw;
    img->height = dh;
    return 1;
}

tn_status tn_jpeg_parse(const char *name, const uint8_t *buf, size_t size, tn_image *img, tn_error *err) {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_progress_mgr progress = {jpeg_progress, 0, 0, 0, 0};
    jpeg_box box;
    uint8_t *volatile grey = NULL, *volatile row = NULL;
    memset(img, 0, sizeof *img);
    memset(&box, 0, sizeof box);
    cinfo.err = jpeg_std_error(&box.pub);
    box.pub.error_exit = jpeg_fail;
    box.pub.emit_message = jpeg_warning;
    if (setjmp(box.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(grey);
        free(row);
        if (box.code == -1)
            return tn_fail(err, TN_ERR_FORMAT, "%s: unreadable JPEG: more than %d scans", name, JPEG_MAX_SCANS);
        if ((box.code == JERR_IMAGE_TOO_BIG || box.code == JERR_EMPTY_IMAGE) &&
            (box.width < 1 || box.height < 1 || box.width > TN_IMAGE_MAX_SIDE || box.height > TN_IMAGE_MAX_SIDE))
            return tn_image_size_error(name, box.width, box.height, err);
        if (box.code == JERR_OUT_OF_MEMORY) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
        if (box.code == JERR_NO_BACKING_STORE)
            return tn_fail(err, TN_ERR_FORMAT, "%s: unreadable JPEG: needs more than %ld MiB to decode", name,
                           JPEG_MEMORY_LIMIT >> 20);
        if (box.code == JWRN_JPEG_EOF)
            return tn_fail(err, TN_ERR_FORMAT, "%s: JPEG data ends early (truncated or corrupt)", name);
        return tn_fail(err, TN_ERR_FORMAT, "%s: unreadable JPEG: %s", name, box.msg);
    }
    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = JPEG_MEMORY_LIMIT;
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, buf, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xffff);
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) ERREXIT(&cinfo, JERR_NO_IMAGE);
    uint32_t w = cinfo.image_width, h = cinfo.image_height;
    if (w > TN_IMAGE_MAX_SIDE || h > TN_IMAGE_MAX_SIDE) {
        jpeg_destroy_decompress(&cinfo);
        return tn_image_size_error(name, w, h, err);
    }
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_GRAYSCALE;
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_width != w || cinfo.output_height != h || cinfo.output_components != (cmyk ? 4 : 1))
        ERREXIT(&cinfo, JERR_CONVERSION_NOTIMPL);
    grey = malloc((size_t)w * h);
    if (cmyk) row = malloc(4 * (size_t)w);
    if (!grey || (cmyk && !row)) ERREXIT1(&cinfo, JERR_OUT_OF_MEMORY, 0);
    while (cinfo.output_scanline < h) {
        uint8_t *out = grey + (size_t)cinfo.output_scanline * w;
        JSAMPROW target = cmyk ? row : out;
        if (jpeg_read_scanlines(&cinfo, &target, 1) != 1) ERREXIT(&cinfo, JERR_INPUT_EMPTY);
        if (cmyk) cmyk_row(row, w, cinfo.saw_Adobe_marker, out);
    }
    int orientation = exif_orientation(&cinfo);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    img->grey = grey; img->width = w; img->height = h;
    if (!turn_upright(img, orientation)) {
        tn_image_free(img);
        return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
    }
    return TN_OK;
}
#endif
