/* IDX data sets (LeCun's format), raw or gzip: bounds-checked parsing, pixels kept as bytes,
 * plus a sparse index of the non-zero pixels of each example for the first layer.
 * Limits: a file decompresses to at most TN_MAX_FILE bytes; an example has at most
 * TN_MAX_WIDTH pixels; labels are single bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <zlib.h>

#include "internal.h"

#define TN_MAX_FILE ((size_t)1 << 31) /* 2 GiB */

tn_status tn_read_file(const char *path, size_t max, uint8_t **out, size_t *size, tn_error *err) {
    *out = NULL;
    *size = 0;
    struct stat st;
    if (stat(path, &st) != 0) return tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) return tn_fail(err, TN_ERR_IO, "%s: is a directory", path);
    gzFile gz = gzopen(path, "rb");
    if (!gz) return tn_fail(err, errno == ENOMEM ? TN_ERR_NOMEM : TN_ERR_IO, "%s: cannot open: %s", path,
                            errno ? strerror(errno) : "out of memory");
    size_t cap = st.st_size > 0 && (size_t)st.st_size < max ? (size_t)st.st_size + 1 : 65536;
    uint8_t *buf = malloc(cap);
    size_t n = 0;
    tn_status status = TN_OK;
    if (!buf) status = tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path);
    while (status == TN_OK) {
        if (n == cap) {
            if (cap >= max) { status = tn_fail(err, TN_ERR_FORMAT, "%s: larger than the limit of %zu bytes", path, max); break; }
            size_t grow = cap * 2 > max ? max : cap * 2;
            uint8_t *bigger = realloc(buf, grow);
            if (!bigger) { status = tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path); break; }
            buf = bigger;
            cap = grow;
        }
        size_t want = cap - n > (1u << 30) ? (1u << 30) : cap - n;
        int got = gzread(gz, buf + n, (unsigned)want);
        if (got < 0) {
            int code;
            const char *msg = gzerror(gz, &code);
            status = tn_fail(err, code == Z_MEM_ERROR ? TN_ERR_NOMEM : TN_ERR_FORMAT, "%s: %s", path,
                             code == Z_ERRNO ? strerror(errno) : msg);
            break;
        }
        if (got == 0) {
            int code;
            const char *msg = gzerror(gz, &code);
            if (code != Z_OK) /* e.g. a truncated gzip stream: "unexpected end of file" */
                status = tn_fail(err, TN_ERR_FORMAT, "%s: corrupt gzip data: %s", path, msg);
            break;
        }
        n += (size_t)got;
    }
    gzclose(gz);
    if (status != TN_OK) { free(buf); return status; }
    *out = buf;
    *size = n;
    return TN_OK;
}

/* Parses an IDX header: magic 0 0 0x08 ndims, then ndims big-endian u32 sizes. Checks that
 * the type is unsigned byte, the dimensions, and that the payload fills the file exactly. */
static tn_status parse_idx(const char *path, const uint8_t *buf, size_t size, int want_dims,
                           uint32_t dims[3], const uint8_t **payload, tn_error *err) {
    if (size < 4) return tn_fail(err, TN_ERR_FORMAT, "%s: truncated: %zu bytes, not an IDX file", path, size);
    if (buf[0] != 0 || buf[1] != 0)
        return tn_fail(err, TN_ERR_FORMAT, "%s: wrong magic %02x%02x%02x%02x: not an IDX file", path, buf[0], buf[1], buf[2], buf[3]);
    if (buf[2] != 0x08)
        return tn_fail(err, TN_ERR_FORMAT, "%s: IDX element type 0x%02x is not supported (only unsigned bytes, 0x08)", path, buf[2]);
    int ndims = buf[3];
    if (want_dims == 1 ? ndims != 1 : (ndims != 2 && ndims != 3))
        return tn_fail(err, TN_ERR_FORMAT, "%s: %d dimensions, expected %s", path, ndims,
                       want_dims == 1 ? "1 (a label file)" : "2 or 3 (an image file)");
    size_t header = 4 + 4 * (size_t)ndims;
    if (size < header) return tn_fail(err, TN_ERR_FORMAT, "%s: truncated header", path);
    dims[0] = dims[1] = dims[2] = 1;
    for (int d = 0; d < ndims; d++) dims[d] = tn_get_be32(buf + 4 + 4 * d);
    if (ndims == 2) { dims[2] = dims[1]; dims[1] = 1; }
    uint64_t per = (uint64_t)dims[1] * dims[2];
    if (want_dims != 1 && (per == 0 || per > TN_MAX_WIDTH))
        return tn_fail(err, TN_ERR_FORMAT, "%s: example size %ux%u is outside 1..%u pixels", path, dims[1], dims[2], TN_MAX_WIDTH);
    uint64_t need = (uint64_t)dims[0] * per;
    if (need != size - header)
        return tn_fail(err, TN_ERR_FORMAT, "%s: %s: header says %u examples of %llu bytes (%llu bytes), the file holds %zu",
                       path, need > size - header ? "truncated" : "trailing bytes", dims[0],
                       (unsigned long long)per, (unsigned long long)need, size - header);
    *payload = buf + header;
    return TN_OK;
}

static tn_status build_index(tn_dataset *ds, tn_error *err) {
    size_t total = 0;
    for (size_t i = 0; i < (size_t)ds->n * ds->n_in; i++) total += ds->pixels[i] != 0;
    ds->nz_start = tn_alloc(((size_t)ds->n + 1) * sizeof(uint32_t));
    ds->nz_index = tn_alloc((total ? total : 1) * sizeof(uint16_t));
    if (!ds->nz_start || !ds->nz_index) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for the pixel index", ds->images_name);
    size_t k = 0;
    for (uint32_t e = 0; e < ds->n; e++) {
        ds->nz_start[e] = (uint32_t)k;
        const uint8_t *row = ds->pixels + (size_t)e * ds->n_in;
        for (uint32_t i = 0; i < ds->n_in; i++)
            if (row[i]) ds->nz_index[k++] = (uint16_t)i;
    }
    ds->nz_start[ds->n] = (uint32_t)k;
    return TN_OK;
}

static void set_names(tn_dataset *ds, const char *images, const char *labels) {
    snprintf(ds->images_name, sizeof ds->images_name, "%s", images);
    snprintf(ds->labels_name, sizeof ds->labels_name, "%s", labels);
}

tn_status tn_dataset_from_memory(tn_dataset *ds, uint32_t n, uint32_t rows, uint32_t cols,
                                 const uint8_t *pixels, const uint8_t *labels, tn_error *err) {
    memset(ds, 0, sizeof *ds);
    ds->owns = 1;
    set_names(ds, "(memory)", "(memory)");
    uint64_t per = (uint64_t)rows * cols;
    if (per == 0 || per > TN_MAX_WIDTH) return tn_fail(err, TN_ERR_ARG, "(memory): example size %ux%u is outside 1..%u pixels", rows, cols, TN_MAX_WIDTH);
    if ((uint64_t)n * per > TN_MAX_FILE) return tn_fail(err, TN_ERR_ARG, "(memory): data set too large");
    ds->n = n; ds->rows = rows; ds->cols = cols; ds->n_in = (uint32_t)per;
    ds->pixels = tn_alloc(n ? (size_t)n * per : 1);
    ds->labels = tn_alloc(n ? n : 1);
    if (!ds->pixels || !ds->labels) { tn_dataset_free(ds); return tn_fail(err, TN_ERR_NOMEM, "(memory): out of memory"); }
    if (n) { memcpy(ds->pixels, pixels, (size_t)n * per); memcpy(ds->labels, labels, n); }
    tn_status s = build_index(ds, err);
    if (s != TN_OK) tn_dataset_free(ds);
    return s;
}

tn_status tn_dataset_load(tn_dataset *ds, const char *images_path, const char *labels_path, tn_error *err) {
    memset(ds, 0, sizeof *ds);
    ds->owns = 1;
    set_names(ds, images_path, labels_path);
    uint8_t *ibuf = NULL, *lbuf = NULL;
    size_t isize, lsize;
    const uint8_t *ipay, *lpay;
    uint32_t idims[3], ldims[3];
    tn_status s = tn_read_file(images_path, TN_MAX_FILE, &ibuf, &isize, err);
    if (s == TN_OK) s = parse_idx(images_path, ibuf, isize, 3, idims, &ipay, err);
    if (s == TN_OK) s = tn_read_file(labels_path, TN_MAX_FILE, &lbuf, &lsize, err);
    if (s == TN_OK) s = parse_idx(labels_path, lbuf, lsize, 1, ldims, &lpay, err);
    if (s == TN_OK && idims[0] != ldims[0])
        s = tn_fail(err, TN_ERR_FORMAT, "%s: %u labels, but %s has %u images", labels_path, ldims[0], images_path, idims[0]);
    if (s == TN_OK) {
        ds->n = idims[0]; ds->rows = idims[1]; ds->cols = idims[2]; ds->n_in = idims[1] * idims[2];
        /* Move the payloads to the front of their buffers: no second copy of the data. */
        size_t ibytes = (size_t)ds->n * ds->n_in;
        memmove(ibuf, ipay, ibytes);
        memmove(lbuf, lpay, ds->n);
        ds->pixels = ibuf; ds->labels = lbuf;
        ibuf = lbuf = NULL;
        s = build_index(ds, err);
    }
    free(ibuf);
    free(lbuf);
    if (s != TN_OK) tn_dataset_free(ds);
    return s;
}

void tn_dataset_free(tn_dataset *ds) {
    if (ds->owns) {
        free(ds->pixels);
        free(ds->labels);
        tn_free(ds->nz_start);
        tn_free(ds->nz_index);
    }
    ds->pixels = NULL; ds->labels = NULL; ds->nz_start = NULL; ds->nz_index = NULL;
    ds->n = 0;
}

tn_dataset tn_dataset_view(const tn_dataset *src, uint32_t first, uint32_t count) {
    tn_dataset v = *src;
    if (first > src->n) first = src->n;
    if (count > src->n - first) count = src->n - first;
    v.owns = 0;
    v.n = count;
    v.pixels = src->pixels + (size_t)first * src->n_in;
    v.labels = src->labels + first;
    v.nz_start = src->nz_start + first; /* offsets stay absolute into nz_index */
    return v;
}

void tn_dataset_sha256(const tn_dataset *ds, uint8_t digest[32]) {
    tn_sha256 s;
    uint8_t head[12];
    tn_sha256_init(&s);
    tn_put_u32(head, ds->n); tn_put_u32(head + 4, ds->rows); tn_put_u32(head + 8, ds->cols);
    tn_sha256_update(&s, head, sizeof head);
    tn_sha256_update(&s, ds->pixels, (size_t)ds->n * ds->n_in);
    tn_sha256_update(&s, ds->labels, ds->n);
    tn_sha256_final(&s, digest);
}

/* Finds DIR/NAME or DIR/NAME.gz. */
static int find_file(const char *dir, const char *name, char *out, size_t cap) {
    struct stat st;
    snprintf(out, cap, "%s/%s", dir, name);
    if (stat(out, &st) == 0) return 1;
    snprintf(out, cap, "%s/%s.gz", dir, name);
    if (stat(out, &st) == 0) return 1;
    snprintf(out, cap, "%s/%s", dir, name);
    return 0;
}

tn_status tn_mnist_load(const char *dir, tn_dataset *train, tn_dataset *test, tn_error *err) {
    char ti[4096], tl[4096], vi[4096], vl[4096];
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tn_fail(err, TN_ERR_IO, "%s: no such data directory (run 'make data' or pass --data DIR)", dir);
    find_file(dir, "train-images-idx3-ubyte", ti, sizeof ti);
    find_file(dir, "train-labels-idx1-ubyte", tl, sizeof tl);
    find_file(dir, "t10k-images-idx3-ubyte", vi, sizeof vi);
    find_file(dir, "t10k-labels-idx1-ubyte", vl, sizeof vl);
    tn_status s = tn_dataset_load(train, ti, tl, err);
    if (s == TN_OK) s = tn_dataset_load(test, vi, vl, err);
    if (s != TN_OK) { tn_dataset_free(train); tn_dataset_free(test); }
    return s;
}
