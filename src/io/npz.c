/* NumPy export: W1, b1, W2, b2, ... each an .npy file (format 1.0: magic, a header dict padded
 * to a multiple of 64 bytes, then little-endian float32 data, W as (out, in) row-major), stored
 * uncompressed in a zip archive (PKWARE APPNOTE 6.3.x: local headers, central directory, end
 * record; CRC-32 computed here) with a fixed timestamp, so one model always gives the same bytes. */
#include <stdio.h>
#include <stdlib.h>

#ifndef TN_NO_ZLIB
#include <zlib.h>
#endif

#include "import.h"
#include "params.h"

#define DOS_DATE_1980_01_01 0x21u   /* (year-1980)<<9 | month<<5 | day */
#define ZIP_VERSION 20u              /* 2.0: what a stored entry needs */
#define MAX_ARRAYS (2 * TN_MAX_LAYERS)

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

/* CRC-32 as zip (and gzip) define it: reflected, polynomial 0xEDB88320: zlib's, or bit by bit
 * where the build has no zlib (an archive is a few hundred kilobytes). */
uint32_t tn_crc32(const uint8_t *p, size_t n) {
#ifndef TN_NO_ZLIB
    uLong c = crc32(0L, Z_NULL, 0);
    for (size_t done = 0; done < n;) {   /* zlib takes uInt lengths */
        uInt part = n - done > 0x40000000u ? 0x40000000u : (uInt)(n - done);
        c = crc32(c, p + done, part);
        done += part;
    }
    return (uint32_t)c;
#else
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
#endif
}

typedef struct {
    char name[24];        /* "W1.npy" */
    char header[128];     /* the .npy magic, version, length and dict, padded */
    size_t header_len;
    const float *data;    /* canonical parameters */
    size_t count;
    uint32_t crc;
    uint64_t offset;      /* of its local header in the archive (set as it is written) */
} npy_entry;

/* The .npy preamble: "\x93NUMPY", version 1.0, the dict's length (2 bytes), the dict padded with
 * spaces and ended by '\n' so that data starts at a multiple of 64. */
static void npy_header(npy_entry *e, uint32_t rows, uint32_t cols, int is_matrix) {
    char dict[96];
    int n = is_matrix ? snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%u, %u), }", rows, cols)
                      : snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%u,), }", rows);
    size_t total = ((size_t)10 + (size_t)n + 1 + 63) / 64 * 64, dict_len = total - 10;
    memcpy(e->header, "\x93NUMPY\x01\x00", 8);
    put16((uint8_t *)e->header + 8, (uint32_t)dict_len);
    memcpy(e->header + 10, dict, (size_t)n);
    memset(e->header + 10 + n, ' ', dict_len - (size_t)n - 1);
    e->header[total - 1] = '\n';
    e->header_len = total;
}

/* The zip fields a local header and a central directory entry share, from "version needed" on. */
static uint8_t *common_fields(uint8_t *p, const npy_entry *e, uint32_t size) {
    put16(p, ZIP_VERSION);           /* version needed */
    put16(p + 2, 0);                 /* flags */
    put16(p + 4, 0);                 /* stored */
    put16(p + 6, 0);                 /* time 00:00:00 */
    put16(p + 8, DOS_DATE_1980_01_01);
    tn_put_u32(p + 10, e->crc);
    tn_put_u32(p + 14, size);        /* compressed */
    tn_put_u32(p + 18, size);        /* uncompressed */
    put16(p + 22, (uint32_t)strlen(e->name));
    put16(p + 24, 0);                /* extra field */
    return p + 26;
}

tn_status tn_export_npz(const tn_net *net, const char *path, tn_error *err) {
    npy_entry e[MAX_ARRAYS];
    int n_entries = 0;
    float *params = malloc(net->n_params * sizeof(float));
    if (!params) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for the parameters", path);
    tn_net_get_canonical(net, params);
    uint64_t size = 22; /* end record */
    for (int l = 1; l < net->n_sizes; l++)
        for (int is_bias = 0; is_bias < 2; is_bias++) {
            npy_entry *x = &e[n_entries++];
            snprintf(x->name, sizeof x->name, "%c%d.npy", is_bias ? 'b' : 'W', l);
            npy_header(x, net->sizes[l], net->sizes[l - 1], !is_bias);
            x->data = params + tn_canonical_offset(net->sizes, l) + (is_bias ? (size_t)net->sizes[l - 1] * net->sizes[l] : 0);
            x->count = is_bias ? net->sizes[l] : (size_t)net->sizes[l - 1] * net->sizes[l];
            size += 30 + 46 + 2 * strlen(x->name) + x->header_len + 4 * (uint64_t)x->count;
        }
    if (size > UINT32_MAX) {
        free(params);
        return tn_fail(err, TN_ERR_ARG, "%s: %llu bytes is too large for a zip archive without ZIP64", path, (unsigned long long)size);
    }
    uint8_t *zip = malloc(size), *p = zip;
    if (!zip) { free(params); return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for the archive", path); }
    for (int i = 0; i < n_entries; i++) {
        npy_entry *x = &e[i];
        size_t name_len = strlen(x->name), data_at = 30 + name_len;
        uint32_t file_size = (uint32_t)(x->header_len + 4 * x->count);
        x->offset = (uint64_t)(p - zip);
        memcpy(p + data_at, x->header, x->header_len);
        for (size_t k = 0; k < x->count; k++) tn_put_u32(p + data_at + x->header_len + 4 * k, tn_f2u(x->data[k]));
        x->crc = tn_crc32(p + data_at, file_size);
        tn_put_u32(p, 0x04034b50u);
        memcpy(common_fields(p + 4, x, file_size), x->name, name_len);
        p += data_at + file_size;
    }
    uint8_t *directory = p;
    for (int i = 0; i < n_entries; i++) {
        const npy_entry *x = &e[i];
        tn_put_u32(p, 0x02014b50u);
        put16(p + 4, ZIP_VERSION);    /* version made by (MS-DOS, 2.0) */
        uint8_t *q = common_fields(p + 6, x, (uint32_t)(x->header_len + 4 * x->count));
        memset(q, 0, 10);             /* comment length, disk, internal and external attributes */
        tn_put_u32(q + 10, (uint32_t)x->offset);
        memcpy(q + 14, x->name, strlen(x->name));
        p = q + 14 + strlen(x->name);
    }
    uint8_t *end = p;
    tn_put_u32(end, 0x06054b50u);
    memset(end + 4, 0, 4);            /* this disk, the directory's disk */
    put16(end + 8, (uint32_t)n_entries);
    put16(end + 10, (uint32_t)n_entries);
    tn_put_u32(end + 12, (uint32_t)(end - directory));
    tn_put_u32(end + 16, (uint32_t)(directory - zip));
    put16(end + 20, 0);               /* comment */
    tn_status s = tn_write_atomic(path, zip, size, err);
    free(zip);
    free(params);
    return s;
}
