/* IDX data sets (LeCun's format), raw or gzip: bounds-checked parsing, pixels kept as bytes,
 * plus a sparse index of the non-zero pixels of each example for the first layer. Limits: a
 * file is at most TN_MAX_FILE (2 GiB) after decompression, and reading stops as soon as it
 * holds more than its IDX header announces (after 4 bytes if it is not IDX at all); an
 * example has 1..TN_MAX_WIDTH pixels; labels are single bytes. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#ifndef __wasi__
#include <pwd.h>
#include <unistd.h>
#endif

#include "parse.h"
#include "read.h"

/* An IDX file's total size as its header announces it, or 0 while the header is incomplete.
 * A header that is not a supported IDX header wants only its first 4 bytes: the parser reports
 * it from those. */
static size_t idx_wanted(const uint8_t *b, size_t n) {
    if (n < 4) return 0;
    if (b[0] != 0 || b[1] != 0 || b[2] != 0x08 || b[3] < 1 || b[3] > 3) return 4;
    size_t header = 4 + 4 * (size_t)b[3];
    if (n < header) return 0;
    uint64_t total = 1;
    for (int d = 0; d < b[3]; d++) {
        total *= tn_get_be32(b + 4 + 4 * d);
        if (total > TN_MAX_FILE) return header; /* over any limit: stop here, the parser says so */
    }
    return (size_t)total + header;
}

/* ---- the IDX format ------------------------------------------------------------------------ */

/* Parses an IDX header: magic 0 0 0x08 ndims, then ndims big-endian u32 sizes. Checks that
 * the type is unsigned byte, the dimensions, and that the payload fills the file exactly
 * (over: the reader stopped with more bytes left). */
static tn_status parse_idx(const char *path, const uint8_t *buf, size_t size, int over, int want_dims,
                           uint32_t dims[3], const uint8_t **payload, tn_error *err) {
    if (size < 4) return tn_fail(err, TN_ERR_FORMAT, "%s: truncated: %zu byte%s, not an IDX file", path, size, TN_S(size));
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
    if (need > TN_MAX_FILE - header)
        return tn_fail(err, TN_ERR_FORMAT, "%s: header says %u example%s of %llu byte%s, more than the limit of %zu bytes",
                       path, dims[0], TN_S(dims[0]), (unsigned long long)per, TN_S(per), TN_MAX_FILE);
    if (over)
        return tn_fail(err, TN_ERR_FORMAT, "%s: trailing bytes: header says %u example%s of %llu byte%s (%llu bytes), the file holds more",
                       path, dims[0], TN_S(dims[0]), (unsigned long long)per, TN_S(per), (unsigned long long)need);
    if (need != size - header)
        return tn_fail(err, TN_ERR_FORMAT, "%s: %s: header says %u example%s of %llu byte%s (%llu byte%s), the file holds %zu",
                       path, need > size - header ? "truncated" : "trailing bytes", dims[0], TN_S(dims[0]),
                       (unsigned long long)per, TN_S(per), (unsigned long long)need, TN_S(need), size - header);
    *payload = buf + header;
    return TN_OK;
}

/* For 8 bytes x (read little-endian): the top bit of byte j is set in the result exactly when
 * byte j is not zero ((b & 0x7f) + 0x7f carries into the top bit for any b & 0x7f != 0). */
static uint64_t nonzero_flags(uint64_t x) {
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full, top = 0x8080808080808080ull;
    return (((x & low7) + low7) | x) & top;
}

/* Non-zero bytes in p[0:n]: the flags of 8 bytes summed by one multiplication. */
static size_t count_nonzero(const uint8_t *p, size_t n) {
    size_t total = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        total += (size_t)(((nonzero_flags(x) >> 7) * 0x0101010101010101ull) >> 56);
    }
    for (; i < n; i++) total += p[i] != 0;
    return total;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define INDEX_BY_WORD 1
#else
#define INDEX_BY_WORD 0
#endif

/* ds->nz_start and ds->nz_index: for each example, the indices of its non-zero pixels in
 * ascending order. nz_index has 8 spare slots at its end: the fill writes whole groups of 8
 * (or, byte by byte, every index) and advances only past the non-zero ones, with no branch on
 * the data, where a branch would mispredict at every stroke edge. */
static tn_status build_index(tn_dataset *ds, tn_error *err) {
    size_t total = count_nonzero(ds->pixels, (size_t)ds->n * ds->n_in);
    ds->nz_start = tn_alloc(((size_t)ds->n + 1) * sizeof(uint32_t));
    ds->nz_index = tn_alloc((total + 8) * sizeof(uint16_t));
    if (!ds->nz_start || !ds->nz_index) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for the pixel index", ds->images_name);
#if INDEX_BY_WORD
    /* For each 8-bit mask: the positions of its set bits as four 16-bit lanes per word (then
     * zeros), and how many there are. */
    uint64_t pos[256][2];
    uint8_t count[256];
    for (unsigned m = 0; m < 256; m++) {
        uint16_t lanes[8] = {0};
        unsigned c = 0;
        for (unsigned j = 0; j < 8; j++)
            if (m >> j & 1) lanes[c++] = (uint16_t)j;
        memcpy(pos[m], lanes, sizeof lanes);
        count[m] = (uint8_t)c;
    }
#endif
    size_t k = 0;
    uint16_t *restrict out = ds->nz_index;
    for (uint32_t e = 0; e < ds->n; e++) {
        ds->nz_start[e] = (uint32_t)k;
        const uint8_t *restrict row = ds->pixels + (size_t)e * ds->n_in;
        uint32_t i = 0;
#if INDEX_BY_WORD
        for (; i + 8 <= ds->n_in; i += 8) {
            uint64_t x, w[2];
            memcpy(&x, row + i, 8);
            unsigned m = (unsigned)(((nonzero_flags(x) >> 7) * 0x0102040810204080ull) >> 56);
            uint64_t base = (uint64_t)i * 0x0001000100010001ull; /* i in each lane; i + 7 < 2^16 */
            w[0] = pos[m][0] + base;
            w[1] = pos[m][1] + base;
            memcpy(out + k, w, sizeof w);
            k += count[m];
        }
#endif
        for (; i < ds->n_in; i++) {
            out[k] = (uint16_t)i;
            k += row[i] != 0;
        }
    }
    ds->nz_start[ds->n] = (uint32_t)k;
    return TN_OK;
}

/* An empty data set that will own its arrays, named after its two sources. */
static void dataset_begin(tn_dataset *ds, const char *images, const char *labels) {
    memset(ds, 0, sizeof *ds);
    ds->owns = 1;
    snprintf(ds->images_name, sizeof ds->images_name, "%s", images);
    snprintf(ds->labels_name, sizeof ds->labels_name, "%s", labels);
}

tn_status tn_dataset_from_memory(tn_dataset *ds, uint32_t n, uint32_t rows, uint32_t cols,
                                 const uint8_t *pixels, const uint8_t *labels, tn_error *err) {
    dataset_begin(ds, "(memory)", "(memory)");
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

/* Parses the two decoded files and builds ds from them, unless reading them failed (s); takes
 * ownership of ibuf and lbuf either way. */
static tn_status assemble(tn_status s, tn_dataset *ds, const char *images_name, uint8_t *ibuf, size_t isize,
                          int iover, const char *labels_name, uint8_t *lbuf, size_t lsize, int lover,
                          tn_error *err) {
    const uint8_t *ipay = NULL, *lpay = NULL;
    uint32_t idims[3] = {0, 0, 0}, ldims[3] = {0, 0, 0};
    if (s == TN_OK) s = parse_idx(images_name, ibuf, isize, iover, 3, idims, &ipay, err);
    if (s == TN_OK) s = parse_idx(labels_name, lbuf, lsize, lover, 1, ldims, &lpay, err);
    if (s == TN_OK && idims[0] != ldims[0])
        s = tn_fail(err, TN_ERR_FORMAT, "%s: %u labels, but %s has %u images", labels_name, ldims[0], images_name, idims[0]);
    if (s == TN_OK) {
        ds->n = idims[0]; ds->rows = idims[1]; ds->cols = idims[2]; ds->n_in = idims[1] * idims[2];
        /* Move the payloads to the front of their buffers: no second copy of the data. */
        memmove(ibuf, ipay, (size_t)ds->n * ds->n_in);
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

tn_status tn_dataset_load(tn_dataset *ds, const char *images_path, const char *labels_path, tn_error *err) {
    dataset_begin(ds, images_path, labels_path);
    uint8_t *ibuf = NULL, *lbuf = NULL;
    size_t isize = 0, lsize = 0;
    int iover = 0, lover = 0;
    tn_status s = tn_read_file_as(images_path, TN_MAX_FILE, idx_wanted, &ibuf, &isize, &iover, err);
    /* A bad header is reported before the label file is even opened. */
    const uint8_t *pay;
    uint32_t dims[3];
    if (s == TN_OK) s = parse_idx(images_path, ibuf, isize, iover, 3, dims, &pay, err);
    if (s == TN_OK) s = tn_read_file_as(labels_path, TN_MAX_FILE, idx_wanted, &lbuf, &lsize, &lover, err);
    return assemble(s, ds, images_path, ibuf, isize, iover, labels_path, lbuf, lsize, lover, err);
}

tn_status tn_dataset_parse(tn_dataset *ds, const char *images_name, const uint8_t *images, size_t images_size,
                           const char *labels_name, const uint8_t *labels, size_t labels_size, tn_error *err) {
    dataset_begin(ds, images_name, labels_name);
    uint8_t *ibuf = NULL, *lbuf = NULL;
    size_t isize = 0, lsize = 0;
    int iover = 0, lover = 0;
    tn_status s = tn_decode_mem_as(images_name, images, images_size, TN_MAX_FILE, idx_wanted, &ibuf, &isize, &iover, err);
    if (s == TN_OK)
        s = tn_decode_mem_as(labels_name, labels, labels_size, TN_MAX_FILE, idx_wanted, &lbuf, &lsize, &lover, err);
    return assemble(s, ds, images_name, ibuf, isize, iover, labels_name, lbuf, lsize, lover, err);
}

tn_status tn_dataset_from_bytes(tn_dataset *ds, const char *images_name, const uint8_t *images, size_t images_size,
                                const char *labels_name, const uint8_t *labels, size_t labels_size, tn_error *err) {
    return tn_dataset_parse(ds, images_name ? images_name : "images", images, images_size,
                            labels_name ? labels_name : "labels", labels, labels_size, err);
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

/* ---- where the data comes from ------------------------------------------------------------- */
/* The XDG Base Directory rule: $XDG_CACHE_HOME if it is an absolute path (a relative one is
 * ignored, as the specification says), else $HOME/.cache; a HOME that is unset, empty or relative
 * gives way to the home directory of the password database. No home at all: "" (no default). */
const char *tn_data_default_dir(char *buf, size_t cap) {
    const char *env = getenv("TWINNET_DATA"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (env && *env) snprintf(buf, cap, "%s", env);
    else if (xdg && xdg[0] == '/') snprintf(buf, cap, "%s/twinnet/mnist", xdg);
    else {
#ifndef __wasi__
        struct passwd *pw;
        if (!(home && home[0] == '/') && (pw = getpwuid(getuid())) != NULL) home = pw->pw_dir;
#endif
        if (home && home[0] == '/') snprintf(buf, cap, "%s/.cache/twinnet/mnist", home);
        else if (cap) buf[0] = 0;
    }
    return buf;
}

/* DIR/NAME, else DIR/NAME.gz if that exists (else DIR/NAME, for the error message). */
static void find_file(const char *dir, const char *name, char *out, size_t cap) {
    struct stat st;
    snprintf(out, cap, "%s/%s", dir, name);
    if (stat(out, &st) == 0) return;
    snprintf(out, cap, "%s/%s.gz", dir, name);
    if (stat(out, &st) == 0) return;
    snprintf(out, cap, "%s/%s", dir, name);
}

void tn_data_resolve(const tn_data_source *src, tn_data_files *files) {
    static const char *const names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                         "t10k-labels-idx1-ubyte"};
    const char *named[4] = {src->train_images, src->train_labels, src->test_images, src->test_labels};
    char dir[4096];
    if (src->dir) snprintf(dir, sizeof dir, "%s", src->dir);
    else tn_data_default_dir(dir, sizeof dir);
    for (int i = 0; i < 4; i++) {
        if (named[i]) snprintf(files->path[i], sizeof files->path[i], "%s", named[i]);
        else find_file(dir, names[i], files->path[i], sizeof files->path[i]);
    }
}

tn_status tn_data_load(const tn_data_source *src, tn_dataset *train, tn_dataset *test, tn_error *err) {
    if (train) memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if ((src->train_images != NULL) != (src->train_labels != NULL) || (src->test_images != NULL) != (src->test_labels != NULL))
        return tn_fail(err, TN_ERR_ARG, "data: image and label files go in pairs (training and test alike)");
    char dir[4096];
    if (src->dir) snprintf(dir, sizeof dir, "%s", src->dir);
    else tn_data_default_dir(dir, sizeof dir);
    struct stat st;
    if (((train && !src->train_images) || !src->test_images) && !dir[0])
        return tn_fail(err, TN_ERR_IO, "no data directory: HOME is not set (nor an absolute XDG_CACHE_HOME), so there is no "
                       "cache; name one with --data DIR or TWINNET_DATA");
    if (((train && !src->train_images) || !src->test_images) && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return tn_fail(err, TN_ERR_IO, "%s: no such data directory (fetch MNIST with 'make data', or name another)", dir);
    tn_data_files *f = malloc(sizeof *f);
    if (!f) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    tn_data_resolve(src, f);
    tn_status s = TN_OK;
    if (train) s = tn_dataset_load(train, f->path[0], f->path[1], err);
    if (s == TN_OK) s = tn_dataset_load(test, f->path[2], f->path[3], err);
    if (s == TN_OK && test->n == 0) s = tn_fail(err, TN_ERR_FORMAT, "%s: the test set has no examples", f->path[2]);
    free(f);
    if (s != TN_OK) {
        if (train) tn_dataset_free(train);
        tn_dataset_free(test);
    }
    return s;
}
