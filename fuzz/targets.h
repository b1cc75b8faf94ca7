/* The fuzz targets' bodies, shared by the libFuzzer entry points (fuzz/fuzz_*.c) and by
 * tests/test_files.c, which replays every kept regression input through the same code.
 * Each takes arbitrary bytes; a parser must either succeed with a consistent result or fail
 * with a one-line message naming the input. Anything else calls abort(). */
#ifndef TN_FUZZ_TARGETS_H
#define TN_FUZZ_TARGETS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "model.h"
#include "parse.h"
#include "read.h"

/* The message of a failed parse: starts with one of the names, one line, not empty. */
static inline void fuzz_check_error(const tn_error *err, const char *name_a, const char *name_b) {
    size_t a = strlen(name_a), b = name_b ? strlen(name_b) : 0;
    int named = (strncmp(err->msg, name_a, a) == 0 && err->msg[a] == ':') ||
                (name_b && strncmp(err->msg, name_b, b) == 0 && err->msg[b] == ':');
    if (!named || strchr(err->msg, '\n') || strlen(err->msg) < a + 3) {
        fprintf(stderr, "bad error message: '%s'\n", err->msg);
        abort();
    }
}

/* gzip of data, malloc'd (level 1: the fuzzer wants speed, not ratio). */
static inline uint8_t *fuzz_gzip(const uint8_t *data, size_t n, size_t *out_n) {
    z_stream z;
    memset(&z, 0, sizeof z);
    /* A 512-byte window and the smallest memory level: a few KB of state, set up fast. */
    if (deflateInit2(&z, 1, Z_DEFLATED, 16 + 9, 1, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    size_t cap = deflateBound(&z, (uLong)n) + 32;
    uint8_t *out = malloc(cap);
    if (!out) abort();
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
    *out_n = z.total_out;
    deflateEnd(&z);
    return out;
}

/* IDX pair. Input: flags (bit 0: gzip the image part, bit 1: gzip the label part), u16
 * little-endian length of the image part, the image part, the label part. On success the data
 * set must be consistent, and written back as IDX it must equal the decoded image file. */
static inline int fuzz_idx(const uint8_t *data, size_t size) {
    if (size < 3) return 0;
    unsigned flags = data[0];
    size_t cut = (size_t)data[1] | (size_t)data[2] << 8;
    data += 3;
    size -= 3;
    if (cut > size) cut = size;
    const uint8_t *im = data, *lb = data + cut;
    size_t in = cut, ln = size - cut;
    uint8_t *gz_im = NULL, *gz_lb = NULL;
    if (flags & 1) im = gz_im = fuzz_gzip(im, in, &in);
    if (flags & 2) lb = gz_lb = fuzz_gzip(lb, ln, &ln);
    tn_dataset ds;
    tn_error err = {""};
    tn_status s = tn_dataset_parse(&ds, "images", im, in, "labels", lb, ln, &err);
    if (s != TN_OK) {
        fuzz_check_error(&err, "images", "labels");
        if (ds.pixels || ds.labels || ds.nz_start || ds.nz_index) abort();
    } else {
        if (ds.n_in != ds.rows * ds.cols || ds.n_in < 1 || ds.n_in > TN_MAX_WIDTH) abort();
        uint32_t k = 0;
        for (uint32_t e = 0; e < ds.n; e++) {
            if (ds.nz_start[e] != k) abort();
            for (uint32_t i = 0; i < ds.n_in; i++)
                if (ds.pixels[(size_t)e * ds.n_in + i] && ds.nz_index[k++] != i) abort();
        }
        if (ds.nz_start[ds.n] != k) abort();
        uint8_t digest[32];
        tn_dataset_sha256(&ds, digest);
        tn_dataset view = tn_dataset_view(&ds, ds.n / 2, ds.n);
        if (view.n != ds.n - ds.n / 2) abort();
        /* Round trip: the decoded image file is exactly header + pixels. */
        uint8_t *raw;
        size_t raw_n;
        if (tn_decode_mem("images", im, in, (size_t)1 << 31, &raw, &raw_n, &err) != TN_OK) abort();
        size_t header = 4 + 4 * (size_t)raw[3];
        if (raw_n != header + (size_t)ds.n * ds.n_in || memcmp(raw + header, ds.pixels, raw_n - header) != 0) abort();
        free(raw);
        tn_dataset_free(&ds);
    }
    /* The size limit of the generic reader. */
    uint8_t *out;
    size_t out_n;
    s = tn_decode_mem("limited", im, in, 100, &out, &out_n, &err);
    if (s == TN_OK) {
        if (out_n > 100) abort();
        free(out);
    } else {
        fuzz_check_error(&err, "limited", NULL);
    }
    free(gz_im);
    free(gz_lb);
    return 0;
}

/* Model file. Input: flags (bit 0: recompute the checksum, so the fuzzer gets past it; bit 1:
 * also fit the length and the parameter count to the sizes, when that is at most 8 KB), then
 * the file. A model that parses must serialise back to exactly the same bytes. */
static inline int fuzz_model(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned flags = data[0];
    data++;
    size--;
    size_t n = size;
    /* the header's size by version: v2 adds l2_biases, eta_decay, steps and stop (20 bytes), v3
     * the provenance block's length J and the start block's flag S (8 bytes) */
    size_t header = 8 + 4 + 4 + 4 * TN_MAX_LAYERS + 3 * 4 + 2 * 4 + 5 * 4 + 2 * 8 + 32 + 8, extra = 0, blocks = 1;
    if (size >= 12 && data[8] >= 2) header += 20;
    if (size >= 12 && data[8] >= 3) header += 8;
    if (size < header) flags &= ~2u;
    if ((flags & 2) && size >= 12 && data[8] >= 3) {
        const uint8_t *j = data + header - 16;
        uint32_t json_len = (uint32_t)j[0] | (uint32_t)j[1] << 8 | (uint32_t)j[2] << 16 | (uint32_t)j[3] << 24;
        if (json_len > 4096 || j[4] > 1 || j[5] || j[6] || j[7]) flags &= ~2u;
        extra = json_len;
        blocks += j[4];
    }
    if (flags & 2) {
        uint64_t count = 0;
        uint32_t n_sizes = (uint32_t)data[12] | (uint32_t)data[13] << 8 | (uint32_t)data[14] << 16 | (uint32_t)data[15] << 24;
        for (uint32_t l = 1; l < n_sizes && l < TN_MAX_LAYERS; l++) {
            const uint8_t *p = data + 16 + 4 * l;
            uint64_t w = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
            const uint8_t *q = p - 4;
            uint64_t v = (uint64_t)q[0] | (uint64_t)q[1] << 8 | (uint64_t)q[2] << 16 | (uint64_t)q[3] << 24;
            count += v * w + w;
            if (count > 1 << 11) break;
        }
        if (count <= 1 << 11) n = header + (size_t)count * 4 * blocks + extra + 32;
        else flags &= ~2u;
    }
    uint8_t *buf = calloc(1, n + 1);
    if (!buf) abort();
    memcpy(buf, data, size < n ? size : n);
    if (flags & 2) {
        uint64_t count = (n - header - extra - 32) / 4 / blocks;
        for (int i = 0; i < 8; i++) buf[header - 8 + i] = (uint8_t)(count >> (8 * i));
    }
    if ((flags & 3) && n >= 32) {
        tn_sha256 sh;
        tn_sha256_init(&sh);
        tn_sha256_update(&sh, buf, n - 32);
        tn_sha256_final(&sh, buf + n - 32);
    }
    tn_model m;
    tn_error err = {""};
    tn_status s = tn_model_parse(&m, "model", buf, n, &err);
    if (s != TN_OK) {
        fuzz_check_error(&err, "model", NULL);
        if (m.net.params) abort();
    } else {
        uint8_t *again;
        size_t again_n;
        if (tn_model_serialize(&m, "model", &again, &again_n, &err) != TN_OK) abort();
        if (again_n != n || memcmp(again, buf, n) != 0) abort();
        free(again);
        char fp[TN_HEX_SIZE];
        tn_net_fingerprint(&m.net, fp);
        uint32_t n_in = m.net.sizes[0], n_out = m.net.sizes[m.net.n_sizes - 1];
        if (m.net.n_params <= 1 << 16) {
            float *x = calloc(n_in, sizeof(float)), *y = calloc(n_out, sizeof(float));
            if (!x || !y) abort();
            for (uint32_t i = 0; i < n_in; i++) x[i] = (float)(i % 3) * 0.5f;
            if (tn_net_forward(&m.net, x, y, &err) != TN_OK) abort();
            free(x);
            free(y);
        }
        tn_model_free(&m);
    }
    free(buf);
    return 0;
}

/* PGM, PNG or JPEG image: on success, 1..4096 pixels a side, every pixel readable; then the
 * preprocessing, which either finds no ink (a one-line message) or fills the 28x28 field. */
static inline int fuzz_image(const uint8_t *data, size_t size) {
    tn_image img;
    tn_error err = {""};
    tn_status s = tn_image_parse("image", data, size, &img, &err);
    if (s != TN_OK) {
        fuzz_check_error(&err, "image", NULL);
        if (img.grey || img.alpha) abort();
        return 0;
    }
    uint32_t w = img.width, h = img.height;
    if (!img.grey || w < 1 || h < 1 || w > TN_IMAGE_MAX_SIDE || h > TN_IMAGE_MAX_SIDE) abort();
    unsigned sum = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) sum += img.grey[i] + (img.alpha ? img.alpha[i] : 0u);
    (void)sum;
    uint8_t field[TN_MNIST_SIDE * TN_MNIST_SIDE];
    tn_preprocess_info info;
    s = tn_image_preprocess(&img, "image", field, &info, &err);
    if (s != TN_OK) {
        fuzz_check_error(&err, "image", NULL);
        if (s != TN_ERR_FORMAT || !strstr(err.msg, "no ink found")) abort();
    } else if (info.fit_w < 1 || info.fit_h < 1 || info.fit_w > TN_MNIST_BOX || info.fit_h > TN_MNIST_BOX ||
               info.box_w < 1 || info.box_h < 1 || info.box_x + info.box_w > w || info.box_y + info.box_h > h) {
        abort();
    }
    tn_image_free(&img);
    return 0;
}

#endif
