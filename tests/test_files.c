/* Bad files at the library level: every corrupt IDX, gzip, model and image file gives a
 * one-line "FILE: what is wrong" error and a clean status, never a crash or a huge allocation;
 * good files round-trip exactly; output files (models, traces) appear atomically. Also replays
 * the fuzzers' regression inputs in tests/fixtures/regress-*. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "../fuzz/targets.h"
#include "check.h"
#include "model.h"
#include "parse.h"
#include "read.h"
#include "twinnet.h"

/* Address-space limits and AddressSanitizer's shadow memory do not mix. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static char dir[256];

/* DIR/name, in a ring of buffers: a result stays valid for the next 7 calls. Keep a copy of
 * anything needed longer. */
static const char *path_of(const char *name) {
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) { fprintf(stderr, "cannot write %s\n", path); exit(100); }
    fclose(f);
}

static uint8_t *read_bytes(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(size > 0 ? (size_t)size : 1);
    *n = fread(buf, 1, (size_t)size, f);
    fclose(f);
    return buf;
}

/* gzip of data (one member), malloc'd. */
static uint8_t *gzip_bytes(const uint8_t *data, size_t n, size_t *out_n) {
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&z, (uLong)n) + 64;
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int r = deflate(&z, Z_FINISH);
    if (r != Z_STREAM_END) { fprintf(stderr, "deflate failed\n"); exit(100); }
    *out_n = z.total_out;
    deflateEnd(&z);
    return out;
}

static void put_be32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }

/* An IDX file in memory: type 0x08, dims given; payload bytes follow (pattern if data NULL). */
static uint8_t *idx_bytes(int ndims, const uint32_t *dims, const uint8_t *data, size_t payload, size_t *n) {
    size_t header = 4 + 4 * (size_t)ndims;
    uint8_t *b = malloc(header + payload + 1);
    b[0] = 0; b[1] = 0; b[2] = 0x08; b[3] = (uint8_t)ndims;
    for (int d = 0; d < ndims; d++) put_be32(b + 4 + 4 * d, dims[d]);
    for (size_t i = 0; i < payload; i++) b[header + i] = data ? data[i] : (uint8_t)((i * 37) % 256 < 128 ? 0 : (i * 37) % 256);
    *n = header + payload;
    return b;
}

/* n images of rows x cols and their labels (i % classes), written to NAME-images/-labels. */
static void write_idx_pair(const char *images, const char *labels, uint32_t n, uint32_t rows, uint32_t cols,
                           uint32_t classes, int gz) {
    uint32_t idims[3] = {n, rows, cols}, ldims[1] = {n};
    size_t in, ln;
    uint8_t *ib = idx_bytes(3, idims, NULL, (size_t)n * rows * cols, &in);
    uint8_t *lab = malloc(n + 1);
    for (uint32_t i = 0; i < n; i++) lab[i] = (uint8_t)(i % classes);
    uint8_t *lb = idx_bytes(1, ldims, lab, n, &ln);
    if (gz) {
        size_t gn;
        uint8_t *g = gzip_bytes(ib, in, &gn);
        write_bytes(images, g, gn);
        free(g);
        g = gzip_bytes(lb, ln, &gn);
        write_bytes(labels, g, gn);
        free(g);
    } else {
        write_bytes(images, ib, in);
        write_bytes(labels, lb, ln);
    }
    free(ib); free(lb); free(lab);
}

/* The error is one line that names the file and says what is wrong. */
static void check_error(tn_status got, tn_status want, const tn_error *err, const char *file, const char *words,
                        const char *what) {
    CHECK(got == want, "%s: status %s, want %s (%s)", what, tn_status_string(got), tn_status_string(want), err->msg);
    CHECK(strncmp(err->msg, file, strlen(file)) == 0 && err->msg[strlen(file)] == ':', "%s: message does not start with '%s:': %s", what, file, err->msg);
    CHECK(strchr(err->msg, '\n') == NULL, "%s: message is not one line", what);
    CHECK(strstr(err->msg, words) != NULL, "%s: message lacks '%s': %s", what, words, err->msg);
}

static void expect_load_error(const char *images, const char *labels, tn_status want, const char *file,
                              const char *words, const char *what) {
    tn_dataset ds;
    tn_error err = {""};
    tn_status s = tn_dataset_load(&ds, images, labels, &err);
    check_error(s, want, &err, file, words, what);
    CHECK(ds.pixels == NULL && ds.labels == NULL && ds.nz_start == NULL, "%s: arrays left behind", what);
    if (s == TN_OK) tn_dataset_free(&ds);
}

/* ---- IDX: good files ------------------------------------------------------------------------ */
static void test_idx_round_trip(void) {
    const uint32_t n = 37, rows = 5, cols = 7;
    for (int gz = 0; gz < 2; gz++) {
        const char *im = path_of(gz ? "rt-images.gz" : "rt-images"), *lb = path_of(gz ? "rt-labels.gz" : "rt-labels");
        write_idx_pair(im, lb, n, rows, cols, 10, gz);
        tn_dataset ds;
        tn_error err = {""};
        CHECK_OK(tn_dataset_load(&ds, im, lb, &err), err);
        if (!ds.pixels) continue;
        CHECK(ds.n == n && ds.rows == rows && ds.cols == cols && ds.n_in == rows * cols, "shape %u %ux%u", ds.n, ds.rows, ds.cols);
        uint32_t dims[3] = {n, rows, cols};
        size_t sz;
        uint8_t *ref = idx_bytes(3, dims, NULL, (size_t)n * rows * cols, &sz);
        CHECK(memcmp(ds.pixels, ref + 16, (size_t)n * rows * cols) == 0, "pixels differ (gz=%d)", gz);
        int labels_ok = 1, index_ok = 1;
        for (uint32_t i = 0; i < n; i++) labels_ok &= ds.labels[i] == i % 10;
        for (uint32_t e = 0; e < n; e++) {
            uint32_t k = ds.nz_start[e];
            for (uint32_t i = 0; i < ds.n_in; i++)
                if (ds.pixels[(size_t)e * ds.n_in + i]) index_ok &= k < ds.nz_start[e + 1] && ds.nz_index[k++] == i;
            index_ok &= k == ds.nz_start[e + 1];
        }
        CHECK(labels_ok, "labels differ (gz=%d)", gz);
        CHECK(index_ok, "non-zero index wrong (gz=%d)", gz);
        /* The in-memory parser gives the same data set from the same bytes. */
        size_t ib_n, lb_n;
        uint8_t *ib = read_bytes(im, &ib_n), *lbb = read_bytes(lb, &lb_n);
        tn_dataset mem;
        CHECK_OK(tn_dataset_parse(&mem, "mem-images", ib, ib_n, "mem-labels", lbb, lb_n, &err), err);
        uint8_t d1[32], d2[32];
        tn_dataset_sha256(&ds, d1);
        if (mem.pixels) { tn_dataset_sha256(&mem, d2); CHECK(memcmp(d1, d2, 32) == 0, "parse != load"); tn_dataset_free(&mem); }
        free(ib); free(lbb); free(ref);
        tn_dataset_free(&ds);
    }
    /* A 2-dimensional image file (n, pixels) is rows = 1. */
    uint32_t dims2[2] = {3, 4}, ldims[1] = {3};
    uint8_t lab[3] = {0, 1, 2};
    size_t a, b;
    uint8_t *ib = idx_bytes(2, dims2, NULL, 12, &a), *lb = idx_bytes(1, ldims, lab, 3, &b);
    write_bytes(path_of("two-d-images"), ib, a);
    write_bytes(path_of("two-d-labels"), lb, b);
    tn_dataset ds;
    tn_error err = {""};
    CHECK_OK(tn_dataset_load(&ds, path_of("two-d-images"), path_of("two-d-labels"), &err), err);
    CHECK(ds.rows == 1 && ds.cols == 4 && ds.n == 3, "2-d shape %u %ux%u", ds.n, ds.rows, ds.cols);
    tn_dataset_free(&ds);
    /* Two concatenated gzip members (cat a.gz b.gz) are one file, as gzip -d sees it. */
    size_t g1n, g2n;
    uint8_t *g1 = gzip_bytes(ib, 10, &g1n), *g2 = gzip_bytes(ib + 10, a - 10, &g2n);
    uint8_t *cat = malloc(g1n + g2n);
    memcpy(cat, g1, g1n);
    memcpy(cat + g1n, g2, g2n);
    write_bytes(path_of("cat-images.gz"), cat, g1n + g2n);
    CHECK_OK(tn_dataset_load(&ds, path_of("cat-images.gz"), path_of("two-d-labels"), &err), err);
    CHECK(ds.n == 3 && ds.cols == 4, "concatenated gzip members");
    tn_dataset_free(&ds);
    /* An empty data set (0 examples) is valid. */
    uint32_t zero[3] = {0, 2, 2}, lzero[1] = {0};
    free(ib); free(lb);
    ib = idx_bytes(3, zero, NULL, 0, &a);
    lb = idx_bytes(1, lzero, NULL, 0, &b);
    write_bytes(path_of("empty-images"), ib, a);
    write_bytes(path_of("empty-labels"), lb, b);
    CHECK_OK(tn_dataset_load(&ds, path_of("empty-images"), path_of("empty-labels"), &err), err);
    CHECK(ds.n == 0, "empty set has %u examples", ds.n);
    tn_dataset_free(&ds);
    free(ib); free(lb); free(g1); free(g2); free(cat);
}

/* ---- IDX: bad files ------------------------------------------------------------------------- */
static void test_idx_errors(void) {
    char good_im[512], good_lb[512];
    snprintf(good_im, sizeof good_im, "%s", path_of("g-images"));
    snprintf(good_lb, sizeof good_lb, "%s", path_of("g-labels"));
    write_idx_pair(good_im, good_lb, 20, 4, 4, 10, 0);
    size_t in, ln;
    uint8_t *ib = read_bytes(good_im, &in), *lb = read_bytes(good_lb, &ln);
    const char *p;

    expect_load_error(path_of("missing"), good_lb, TN_ERR_IO, path_of("missing"), "No such file", "missing images");
    expect_load_error(good_im, path_of("missing"), TN_ERR_IO, path_of("missing"), "No such file", "missing labels");
    expect_load_error(dir, good_lb, TN_ERR_IO, dir, "directory", "a directory");

    p = path_of("empty");
    write_bytes(p, "", 0);
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "truncated", "empty file");

    p = path_of("magic");
    uint8_t *bad = malloc(in);
    memcpy(bad, ib, in);
    bad[0] = 'P'; bad[1] = 'K';
    write_bytes(p, bad, in);
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "wrong magic", "wrong magic");
    memcpy(bad, ib, in);
    bad[2] = 0x0D; /* float IDX */
    write_bytes(p, bad, in);
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "element type", "float IDX");
    /* A label file where images go, and images where labels go. */
    expect_load_error(good_lb, good_lb, TN_ERR_FORMAT, good_lb, "dimensions", "labels as images");
    expect_load_error(good_im, good_im, TN_ERR_FORMAT, good_im, "dimensions", "images as labels");

    /* Truncation: inside the header, and inside the pixels; and one byte too many. */
    p = path_of("trunc");
    write_bytes(p, ib, 10);
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "truncated", "truncated header");
    write_bytes(p, ib, in - 1);
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "truncated", "truncated pixels");
    write_bytes(p, lb, ln - 1);
    expect_load_error(good_im, p, TN_ERR_FORMAT, p, "truncated", "truncated labels");
    memcpy(bad, ib, in);
    write_bytes(p, bad, in); /* then append one byte */
    {
        FILE *f = fopen(p, "ab");
        fputc(7, f);
        fclose(f);
    }
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "trailing", "trailing byte");

    /* gzip: truncated stream (several cut points), a flipped byte, garbage after the stream. */
    size_t gn;
    uint8_t *g = gzip_bytes(ib, in, &gn);
    p = path_of("trunc.gz");
    size_t cuts[] = {2, 5, 10, gn / 2, gn - 8, gn - 1};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        write_bytes(p, g, cuts[c]);
        char what[64];
        snprintf(what, sizeof what, "gzip cut at %zu of %zu", cuts[c], gn);
        tn_dataset ds;
        tn_error err = {""};
        tn_status s = tn_dataset_load(&ds, p, good_lb, &err);
        CHECK(s == TN_ERR_FORMAT, "%s: %s", what, err.msg);
        CHECK(strstr(err.msg, "truncated") || strstr(err.msg, "corrupt"), "%s: %s", what, err.msg);
        CHECK(strncmp(err.msg, p, strlen(p)) == 0, "%s: names the file: %s", what, err.msg);
    }
    uint8_t *gb = malloc(gn + 4);
    memcpy(gb, g, gn);
    gb[gn - 6] ^= 0x55; /* inside the CRC-32 trailer */
    write_bytes(p, gb, gn);
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "corrupt gzip", "gzip CRC");
    memcpy(gb, g, gn);
    gb[12] ^= 0xff; /* inside the deflate data */
    write_bytes(p, gb, gn);
    {
        tn_dataset ds;
        tn_error err = {""};
        tn_status s = tn_dataset_load(&ds, p, good_lb, &err);
        CHECK(s == TN_ERR_FORMAT && strstr(err.msg, "gzip"), "gzip data flipped: %s", err.msg);
    }
    memcpy(gb, g, gn);
    memcpy(gb + gn, "junk", 4);
    write_bytes(p, gb, gn + 4);
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "trailing garbage", "gzip trailing garbage");

    /* Counts that differ. */
    uint32_t ldims[1] = {19};
    size_t l19n;
    uint8_t *l19 = idx_bytes(1, ldims, lb + 8, 19, &l19n);
    p = path_of("labels19");
    write_bytes(p, l19, l19n);
    expect_load_error(good_im, p, TN_ERR_FORMAT, p, "19 labels", "count mismatch");

    /* Example sizes: 0 pixels, more than TN_MAX_WIDTH. */
    uint32_t d0[3] = {1, 0, 5}, dbig[3] = {1, 300, 300};
    size_t zn;
    uint8_t *z = idx_bytes(3, d0, NULL, 0, &zn);
    p = path_of("zero-width");
    write_bytes(p, z, zn);
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "outside", "0-pixel examples");
    free(z);
    z = idx_bytes(3, dbig, NULL, 0, &zn);
    write_bytes(p, z, zn);
    expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "outside", "90000-pixel examples");
    free(z);

    /* Headers claiming 2^31 and 2^32-1 images: a clean error (no allocation of that size is
     * possible under the memory limit the child runs with). Raw and gzip. */
    uint32_t huge[3][3] = {{0x80000000u, 28, 28}, {0xffffffffu, 1, 1}, {2000000u, 28, 28}};
    for (int h = 0; h < 3; h++) {
        for (int gz = 0; gz < 2; gz++) {
            size_t hn;
            uint8_t *hb = idx_bytes(3, huge[h], NULL, 4096, &hn);
            p = path_of(gz ? "huge.gz" : "huge");
            if (gz) {
                size_t hgn;
                uint8_t *hg = gzip_bytes(hb, hn, &hgn);
                write_bytes(p, hg, hgn);
                free(hg);
            } else {
                write_bytes(p, hb, hn);
            }
            free(hb);
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) {
#ifndef UNDER_ASAN
                struct rlimit lim = {(rlim_t)1 << 30, (rlim_t)1 << 30}; /* 1 GiB of address space */
                setrlimit(RLIMIT_AS, &lim);
#endif
                tn_dataset ds;
                tn_error err = {""};
                tn_status s = tn_dataset_load(&ds, p, good_lb, &err);
                int ok = s == TN_ERR_FORMAT && strncmp(err.msg, p, strlen(p)) == 0 &&
                         (strstr(err.msg, "limit") || strstr(err.msg, "truncated"));
                if (!ok) fprintf(stderr, "huge header %u (gz=%d): %s: %s\n", huge[h][0], gz, tn_status_string(s), err.msg);
                _exit(ok ? 0 : 1);
            }
            int status = 0;
            waitpid(pid, &status, 0);
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "huge header %u x %ux%u (gz=%d): child status %d",
                  huge[h][0], huge[h][1], huge[h][2], gz, status);
        }
    }

    /* A gzip file that decompresses to far more than its header announces stops early. */
    {
        uint32_t d[3] = {1, 2, 2};
        size_t big = (size_t)16 << 20, hn;
        uint8_t *hb = idx_bytes(3, d, NULL, 0, &hn);
        uint8_t *whole = calloc(1, big);
        memcpy(whole, hb, hn);
        size_t bgn;
        uint8_t *bg = gzip_bytes(whole, big, &bgn);
        p = path_of("bomb.gz");
        write_bytes(p, bg, bgn);
        expect_load_error(p, good_lb, TN_ERR_FORMAT, p, "trailing", "gzip bomb after a small header");
        free(hb); free(whole); free(bg);
    }

    /* Endless devices are not read at all (only regular files are: test_inputs.c): a clean error. */
    if (access("/dev/zero", R_OK) == 0) {
        expect_load_error("/dev/zero", good_lb, TN_ERR_IO, "/dev/zero", "not a regular file", "/dev/zero as images");
        expect_load_error(good_im, "/dev/zero", TN_ERR_IO, "/dev/zero", "not a regular file", "/dev/zero as labels");
    }
    /* The generic reader's limit. */
    {
        uint8_t *out;
        size_t out_n;
        tn_error err = {""};
        tn_status s = tn_read_file(good_im, 100, &out, &out_n, &err);
        check_error(s, TN_ERR_FORMAT, &err, good_im, "limit of 100 bytes", "tn_read_file over its limit");
        CHECK(out == NULL, "buffer returned with an error");
        CHECK_OK(tn_read_file(good_im, in, &out, &out_n, &err), err);
        CHECK(out_n == in && memcmp(out, ib, in) == 0, "tn_read_file at exactly its limit");
        free(out);
    }

    /* In memory, the same checks hold (this is what the fuzzer drives). */
    {
        tn_dataset ds;
        tn_error err = {""};
        tn_status s = tn_dataset_parse(&ds, "i", ib, 3, "l", lb, ln, &err);
        check_error(s, TN_ERR_FORMAT, &err, "i", "truncated", "parse: short images");
        s = tn_dataset_parse(&ds, "i", g, gn - 1, "l", lb, ln, &err);
        check_error(s, TN_ERR_FORMAT, &err, "i", "truncated gzip", "parse: short gzip");
    }
    free(ib); free(lb); free(bad); free(g); free(gb); free(l19);
}

/* Labels and image sizes are checked against the network (train, evaluate). */
static void test_data_vs_network(void) {
    const char *im = path_of("dn-images"), *lb = path_of("dn-labels");
    write_idx_pair(im, lb, 30, 4, 4, 13, 0); /* labels 0..12 */
    tn_dataset ds;
    tn_error err = {""};
    CHECK_OK(tn_dataset_load(&ds, im, lb, &err), err);
    tn_config cfg;
    tn_config_default(&cfg);
    cfg.n_sizes = 2; cfg.sizes[0] = 16; cfg.sizes[1] = 10;
    cfg.epochs = 1; cfg.train_size = 0;
    tn_net net;
    tn_train_result res;
    tn_status s = tn_train(&cfg, &ds, NULL, &net, NULL, NULL, NULL, &res, &err);
    check_error(s, TN_ERR_FORMAT, &err, lb, "out of range", "label 10 with 10 outputs");
    cfg.sizes[0] = 784;
    cfg.sizes[1] = 13;
    s = tn_train(&cfg, &ds, NULL, &net, NULL, NULL, NULL, &res, &err);
    check_error(s, TN_ERR_FORMAT, &err, im, "784", "16-pixel images, 784 inputs");
    tn_dataset_free(&ds);
}

/* ---- model files ---------------------------------------------------------------------------- */
static void make_model(tn_model *m, const uint32_t *sizes, int n_sizes, uint64_t seed) {
    memset(m, 0, sizeof *m);
    tn_config_default(&m->config);
    m->config.n_sizes = n_sizes;
    memcpy(m->config.sizes, sizes, (size_t)n_sizes * sizeof *sizes);
    m->config.init_seed = seed;
    m->config.order_seed = seed + 1;
    m->config.eta = 0.25f;
    m->config.lambda = 5.0f;
    m->config.trace_path = NULL;
    m->epochs_run = 7;
    for (int i = 0; i < 32; i++) m->data_sha256[i] = (uint8_t)(i * 7);
    tn_error err = {""};
    CHECK_OK(tn_net_init(&m->net, sizes, n_sizes, TN_ACT_TANH, TN_COST_CROSS_ENTROPY, &err), err);
    m->config.activation = TN_ACT_TANH;
    m->config.cost = TN_COST_CROSS_ENTROPY;
    tn_net_randomize(&m->net, TN_INIT_SCALED, seed);
}

static void expect_model_error(const char *path, const char *words, const char *what) {
    tn_model m;
    tn_error err = {""};
    tn_status s = tn_model_load(&m, path, &err);
    check_error(s, TN_ERR_FORMAT, &err, path, words, what);
    CHECK(m.net.params == NULL, "%s: parameters left behind", what);
    if (s == TN_OK) tn_model_free(&m);
}

static void test_model_files(void) {
    uint32_t sizes[3] = {6, 5, 3};
    tn_model a;
    make_model(&a, sizes, 3, 42);
    const char *p = path_of("a.tnm"), *q = path_of("b.tnm");
    tn_error err = {""};
    CHECK_OK(tn_model_save(&a, p, &err), err);
    tn_model b;
    CHECK_OK(tn_model_load(&b, p, &err), err);
    char fa[TN_HEX_SIZE], fb[TN_HEX_SIZE];
    tn_net_fingerprint(&a.net, fa);
    tn_net_fingerprint(&b.net, fb);
    CHECK(strcmp(fa, fb) == 0, "fingerprint changed by save/load: %s %s", fa, fb);
    CHECK(b.config.n_sizes == 3 && b.config.sizes[1] == 5 && b.config.init_seed == 42 && b.config.order_seed == 43 &&
              b.config.eta == 0.25f && b.config.lambda == 5.0f && b.epochs_run == 7 && b.config.activation == TN_ACT_TANH &&
              b.config.cost == TN_COST_CROSS_ENTROPY && b.config.trace_path == NULL && memcmp(b.data_sha256, a.data_sha256, 32) == 0,
          "configuration changed by save/load");
    CHECK_OK(tn_model_save(&b, q, &err), err);
    size_t pn, qn;
    uint8_t *pb = read_bytes(p, &pn), *qb = read_bytes(q, &qn);
    CHECK(pb && qb && pn == qn && memcmp(pb, qb, pn) == 0, "saved again: different bytes");
    uint8_t *sb;
    size_t sn;
    CHECK_OK(tn_model_serialize(&b, "mem", &sb, &sn, &err), err);
    CHECK(sn == pn && memcmp(sb, pb, pn) == 0, "serialize != file bytes");
    free(sb);
    /* Version 2's fields survive; a version 1 file (as older twinnets wrote) reads, and writes
     * back as exactly its own bytes, 20 bytes shorter; version 1 cannot hold the v2 options. */
    tn_model c;
    uint8_t *v2, *v1;
    size_t v2n, v1n;
    a.steps = 12345;
    a.stop = TN_STOP_INTERRUPTED;
    a.config.eta_decay = 0.5f;
    CHECK_OK(tn_model_serialize(&a, "v2", &v2, &v2n, &err), err);
    CHECK_OK(tn_model_parse(&c, "v2", v2, v2n, &err), err);
    CHECK(c.format_version == 2 && c.steps == 12345 && c.stop == TN_STOP_INTERRUPTED && c.config.eta_decay == 0.5f &&
              !c.config.l2_biases, "version 2 fields after a round trip");
    tn_model_free(&c);
    a.format_version = 1;
    CHECK(tn_model_serialize(&a, "v1", &v1, &v1n, &err) == TN_ERR_ARG, "version 1 with a decaying eta");
    a.config.eta_decay = 0.0f;
    CHECK_OK(tn_model_serialize(&a, "v1", &v1, &v1n, &err), err);
    CHECK(v1n + 20 == v2n && v1[8] == 1, "a version 1 file: %zu bytes, version %u", v1n, v1[8]);
    CHECK_OK(tn_model_parse(&c, "v1", v1, v1n, &err), err);
    CHECK(c.format_version == 1 && c.steps == 0 && c.stop == TN_STOP_COMPLETED, "version 1 read back");
    uint8_t *again;
    size_t again_n;
    CHECK_OK(tn_model_serialize(&c, "v1", &again, &again_n, &err), err);
    CHECK(again_n == v1n && memcmp(again, v1, v1n) == 0, "version 1 not written back as its own bytes");
    free(again);
    free(v1);
    free(v2);
    tn_model_free(&c);
    a.format_version = 0;
    a.steps = 0;
    a.stop = TN_STOP_COMPLETED;
    /* A gzipped model file reads the same. */
    size_t gn;
    uint8_t *g = gzip_bytes(pb, pn, &gn);
    write_bytes(path_of("a.tnm.gz"), g, gn);
    CHECK_OK(tn_model_load(&c, path_of("a.tnm.gz"), &err), err);
    tn_net_fingerprint(&c.net, fb);
    CHECK(strcmp(fa, fb) == 0, "gzipped model");
    tn_model_free(&c);
    free(g);

    /* Truncated at every length below the full size: an error, never a model. */
    const char *t = path_of("t.tnm");
    int all_fail = 1, all_clean = 1;
    for (size_t len = 0; len < pn; len++) {
        write_bytes(t, pb, len);
        tn_model m;
        tn_status s = tn_model_load(&m, t, &err);
        if (s == TN_OK) { all_fail = 0; tn_model_free(&m); }
        else all_clean &= s == TN_ERR_FORMAT && strncmp(err.msg, t, strlen(t)) == 0 && !strchr(err.msg, '\n');
    }
    CHECK(all_fail && all_clean, "a truncated model loaded or failed uncleanly (%s)", err.msg);
    write_bytes(t, pb, pn - 1);
    expect_model_error(t, "truncated", "truncated by one byte");
    write_bytes(t, pb, 100);
    expect_model_error(t, "truncated", "truncated header");
    /* Every single flipped byte is caught (most by the checksum). */
    uint8_t *flip = malloc(pn + 1);
    int flips_caught = 1;
    size_t checksum_msgs = 0;
    for (size_t i = 0; i < pn; i++) {
        memcpy(flip, pb, pn);
        flip[i] ^= 0x01;
        tn_model m;
        tn_status s = tn_model_parse(&m, "flip", flip, pn, &err);
        if (s == TN_OK) { flips_caught = 0; tn_model_free(&m); fprintf(stderr, "flip at %zu accepted\n", i); }
        checksum_msgs += strstr(err.msg, "checksum") != NULL;
    }
    CHECK(flips_caught, "a flipped byte went unnoticed");
    CHECK(checksum_msgs > pn / 2, "only %zu of %zu flips reported as checksum errors", checksum_msgs, pn);
    memcpy(flip, pb, pn);
    flip[300] ^= 0x80; /* a parameter */
    write_bytes(t, flip, pn);
    expect_model_error(t, "checksum", "flipped parameter byte");
    /* Another version (with a checksum that matches, as a future twinnet would write it). */
    memcpy(flip, pb, pn);
    flip[8] = 5;
    tn_sha256 sh;
    tn_sha256_init(&sh);
    tn_sha256_update(&sh, flip, pn - 32);
    tn_sha256_final(&sh, flip + pn - 32);
    write_bytes(t, flip, pn);
    expect_model_error(t, "version 5", "format version 5");
    /* Not a model at all: an IDX file, text, nothing. */
    write_bytes(t, "hello, world\n", 13);
    expect_model_error(t, "not a twinnet model", "text file as a model");
    write_bytes(t, "", 0);
    expect_model_error(t, "not a twinnet model", "empty model file");
    write_idx_pair(t, path_of("unused-labels"), 3, 2, 2, 10, 0);
    expect_model_error(t, "not a twinnet model", "IDX file as a model");
    /* Trailing bytes. */
    memcpy(flip, pb, pn);
    flip[pn] = 0;
    write_bytes(t, flip, pn + 1);
    expect_model_error(t, "trailing", "one byte too many");
    if (access("/dev/zero", R_OK) == 0) {
        tn_model m;
        tn_error e = {""};
        check_error(tn_model_load(&m, "/dev/zero", &e), TN_ERR_IO, &e, "/dev/zero", "not a regular file", "/dev/zero as a model");
    }
    {
        tn_model m;
        tn_status s = tn_model_load(&m, path_of("no-such.tnm"), &err);
        check_error(s, TN_ERR_IO, &err, path_of("no-such.tnm"), "No such file", "missing model");
    }
    free(flip); free(pb); free(qb);
    tn_model_free(&a);
    tn_model_free(&b);
}

/* ---- images --------------------------------------------------------------------------------- */
static void put_be32_png(uint8_t *p, uint32_t v) { put_be32(p, v); }

/* A grayscale 8-bit PNG built by hand (IHDR, one IDAT, IEND). */
static uint8_t *png_bytes(uint32_t w, uint32_t h, const uint8_t *pix, size_t *n) {
    size_t raw_n = (size_t)h * (w + 1);
    uint8_t *raw = malloc(raw_n);
    for (uint32_t y = 0; y < h; y++) {
        raw[y * (w + 1)] = 0;
        memcpy(raw + y * (w + 1) + 1, pix + (size_t)y * w, w);
    }
    uLongf zn = compressBound((uLong)raw_n);
    uint8_t *zd = malloc(zn);
    compress2(zd, &zn, raw, (uLong)raw_n, 9);
    size_t total = 8 + 25 + 12 + zn + 12;
    uint8_t *b = malloc(total), *p = b;
    memcpy(p, "\x89PNG\r\n\x1a\n", 8); p += 8;
    const struct { const char *type; size_t len; } chunks[3] = {{"IHDR", 13}, {"IDAT", zn}, {"IEND", 0}};
    for (int c = 0; c < 3; c++) {
        put_be32_png(p, (uint32_t)chunks[c].len);
        memcpy(p + 4, chunks[c].type, 4);
        uint8_t *data = p + 8;
        if (c == 0) { put_be32(data, w); put_be32(data + 4, h); data[8] = 8; data[9] = 0; data[10] = 0; data[11] = 0; data[12] = 0; }
        if (c == 1) memcpy(data, zd, zn);
        uLong crc = crc32(0, p + 4, (uInt)(4 + chunks[c].len));
        put_be32(data + chunks[c].len, (uint32_t)crc);
        p += 12 + chunks[c].len;
    }
    *n = (size_t)(p - b);
    free(raw); free(zd);
    return b;
}

static void expect_image_error(const char *name, const void *data, size_t n, const char *words, const char *what) {
    const char *p = path_of(name);
    write_bytes(p, data, n);
    uint8_t *pix = (uint8_t *)1;
    uint32_t w, h;
    tn_error err = {""};
    tn_status s = tn_image_load(p, &pix, &w, &h, &err);
    check_error(s, TN_ERR_FORMAT, &err, p, words, what);
    CHECK(pix == NULL, "%s: pixels returned with an error", what);
    if (s == TN_OK) free(pix);
}

static void test_images(void) {
    uint8_t pix[6 * 4];
    for (int i = 0; i < 24; i++) pix[i] = (uint8_t)(i * 10);
    /* Good files: P5, P2 (with a comment), PNG. */
    char pgm[256];
    int hn = snprintf(pgm, sizeof pgm, "P5\n# six by four\n6 4\n255\n");
    uint8_t p5[300];
    memcpy(p5, pgm, (size_t)hn);
    memcpy(p5 + hn, pix, 24);
    write_bytes(path_of("ok.pgm"), p5, (size_t)hn + 24);
    char p2[600];
    int pn = snprintf(p2, sizeof p2, "P2 6 4 255\n");
    for (int i = 0; i < 24; i++) pn += snprintf(p2 + pn, sizeof p2 - (size_t)pn, "%d ", pix[i]);
    write_bytes(path_of("ok2.pgm"), p2, (size_t)pn);
    size_t gn;
    uint8_t *png = png_bytes(6, 4, pix, &gn);
    write_bytes(path_of("ok.png"), png, gn);
    const char *goods[3] = {"ok.pgm", "ok2.pgm", "ok.png"};
    for (int i = 0; i < 3; i++) {
        uint8_t *out = NULL;
        uint32_t w = 0, h = 0;
        tn_error err = {""};
        CHECK_OK(tn_image_load(path_of(goods[i]), &out, &w, &h, &err), err);
        CHECK(w == 6 && h == 4 && out && memcmp(out, pix, 24) == 0, "%s: wrong pixels", goods[i]);
        free(out);
    }
    /* Bad files. */
    expect_image_error("garbage.png", "\x89PNG\r\n\x1a\nthis is not a PNG at all", 31, "unreadable PNG", "PNG garbage");
    expect_image_error("trunc.png", png, gn / 2, "unreadable PNG", "truncated PNG");
    expect_image_error("text.pgm", "hello", 5, "not a PGM, PNG or JPEG", "text");
    expect_image_error("empty.pgm", "", 0, "not a PGM, PNG or JPEG", "empty image");
    expect_image_error("trunc.pgm", p5, (size_t)hn + 10, "truncated", "truncated P5");
    expect_image_error("trunc2.pgm", p2, 40, "truncated", "truncated P2");
    expect_image_error("header.pgm", "P5\n6 4\n", 7, "bad PGM header", "P5 without maxval");
    expect_image_error("huge.pgm", "P5 5000 5000 255\n", 17, "outside", "5000x5000");
    expect_image_error("maxval.pgm", "P5 2 2 0\n\1\1\1\1", 13, "maximum value", "maxval 0");
    expect_image_error("above.pgm", "P2 2 1 10\n3 11\n", 15, "above the maximum", "P2 value above maxval");
    expect_image_error("magic.pgm", "P528 28 255\n", 12, "bad PGM header", "no space after P5");
    uint8_t *bad = malloc(gn);
    memcpy(bad, png, gn);
    bad[8 + 8 + 3] = 0xff; /* width 0xff000006: beyond the limit */
    expect_image_error("wide.png", bad, gn, "unreadable PNG", "PNG 4 billion wide");
    memcpy(bad, png, gn);
    bad[gn - 20] ^= 0x40; /* inside IDAT */
    expect_image_error("crc.png", bad, gn, "unreadable PNG", "PNG with a bad CRC");
    uint8_t *out;
    uint32_t w, h;
    tn_error err = {""};
    tn_status s = tn_image_load(path_of("no-such.png"), &out, &w, &h, &err);
    check_error(s, TN_ERR_IO, &err, path_of("no-such.png"), "No such file", "missing image");
    if (access("/dev/zero", R_OK) == 0) {
        s = tn_image_load("/dev/zero", &out, &w, &h, &err);
        check_error(s, TN_ERR_IO, &err, "/dev/zero", "not a regular file", "/dev/zero as an image");
    }
    free(bad); free(png);
}

/* ---- atomic writes -------------------------------------------------------------------------- */
static int count_temps(const char *name) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s.tmp.", name);
    while ((e = readdir(d)))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

typedef struct { const char *trace; int checked, ok; } trace_watch;

/* During training the trace is still a temporary file: the final name appears only at the end. */
static int watch_trace(const tn_epoch_info *info, void *user) {
    (void)info;
    trace_watch *w = user;
    struct stat st;
    w->checked++;
    w->ok &= stat(w->trace, &st) != 0 && count_temps("trace.bin") == 1;
    return 0;
}

static void test_atomic_writes(void) {
    tn_error err = {""};
    mode_t old = umask(022);
    const char *p = path_of("atomic.bin");
    CHECK_OK(tn_write_atomic(p, "one", 3, &err), err);
    struct stat st;
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644, "new file mode %o, want 644 under umask 022", st.st_mode & 0777);
    chmod(p, 0600);
    CHECK_OK(tn_write_atomic(p, "second", 6, &err), err);
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600, "replaced file mode %o, want the old 600", st.st_mode & 0777);
    size_t n;
    uint8_t *b = read_bytes(p, &n);
    CHECK(b && n == 6 && memcmp(b, "second", 6) == 0, "replaced content");
    free(b);
    CHECK(count_temps("atomic.bin") == 0, "temporary files left");
    umask(old);
    /* A symbolic link keeps pointing at the (replaced) target. */
    const char *link = path_of("link.bin");
    CHECK(symlink(p, link) == 0, "symlink: %s", strerror(errno));
    CHECK_OK(tn_write_atomic(link, "third", 5, &err), err);
    struct stat lst;
    CHECK(lstat(link, &lst) == 0 && S_ISLNK(lst.st_mode), "the link was replaced by a file");
    b = read_bytes(p, &n);
    CHECK(b && n == 5 && memcmp(b, "third", 5) == 0, "link target not written");
    free(b);
    /* Failures: a directory, a missing directory; nothing is left behind. */
    tn_status s = tn_write_atomic(dir, "x", 1, &err);
    check_error(s, TN_ERR_IO, &err, dir, "directory", "write over a directory");
    const char *missing = path_of("no/such/dir/file");
    s = tn_write_atomic(missing, "x", 1, &err);
    check_error(s, TN_ERR_IO, &err, missing, "No such file", "write into a missing directory");
    /* A device is written in place, not replaced (we may run as root). */
    struct stat before, after;
    if (stat("/dev/null", &before) == 0) {
        CHECK_OK(tn_write_atomic("/dev/null", "x", 1, &err), err);
        CHECK(stat("/dev/null", &after) == 0 && S_ISCHR(after.st_mode) && after.st_rdev == before.st_rdev, "/dev/null replaced!");
    }
    if (access("/dev/full", W_OK) == 0) {
        s = tn_write_atomic("/dev/full", "x", 1, &err);
        check_error(s, TN_ERR_IO, &err, "/dev/full", "No space", "/dev/full");
    }

    /* Traces: written atomically by training. */
    const char *im = path_of("tr-images"), *lb = path_of("tr-labels");
    write_idx_pair(im, lb, 40, 3, 3, 4, 0);
    tn_dataset ds;
    CHECK_OK(tn_dataset_load(&ds, im, lb, &err), err);
    tn_config cfg;
    tn_config_default(&cfg);
    cfg.n_sizes = 3; cfg.sizes[0] = 9; cfg.sizes[1] = 5; cfg.sizes[2] = 4;
    cfg.epochs = 3; cfg.batch = 4; cfg.train_size = 0; cfg.trace_every = 3;
    const char *trace = path_of("trace.bin");
    cfg.trace_path = trace;
    trace_watch w = {trace, 0, 1};
    tn_net net;
    tn_train_result res;
    CHECK_OK(tn_train(&cfg, &ds, NULL, &net, watch_trace, &w, NULL, &res, &err), err);
    CHECK(w.checked == 3 && w.ok, "trace visible before training ended (%d epochs checked)", w.checked);
    CHECK(stat(trace, &st) == 0 && st.st_size > 0 && count_temps("trace.bin") == 0, "trace missing or temporaries left");
    if (net.params) tn_net_free(&net);
    /* A trace that cannot be created fails training cleanly and leaves nothing. */
    cfg.trace_path = path_of("no/such/trace.bin");
    s = tn_train(&cfg, &ds, NULL, &net, NULL, NULL, NULL, &res, &err);
    CHECK(s == TN_ERR_IO && strstr(err.msg, "no/such/trace.bin"), "trace in a missing directory: %s", err.msg);
    /* /dev/full as a trace: the write error comes out of training, not a crash. */
    if (access("/dev/full", W_OK) == 0) {
        cfg.trace_path = "/dev/full";
        s = tn_train(&cfg, &ds, NULL, &net, NULL, NULL, NULL, &res, &err);
        CHECK(s == TN_ERR_IO && strstr(err.msg, "/dev/full") && strstr(err.msg, "No space"), "trace to /dev/full: %s %s",
              tn_status_string(s), err.msg);
    }
    tn_dataset_free(&ds);
}

/* ---- fuzzer regressions: every kept input must give a clean result ---------------------------- */
static void test_regressions(void) {
    char fixtures[512];
    const char *env = getenv("TWINNET_FIXTURES");
    snprintf(fixtures, sizeof fixtures, "%s", env ? env : __FILE__);
    if (!env) {
        char *slash = strrchr(fixtures, '/');
        snprintf(slash ? slash + 1 : fixtures, sizeof fixtures - (size_t)(slash ? slash + 1 - fixtures : 0), "fixtures");
    }
    DIR *d = opendir(fixtures);
    if (!d) { printf("no fixtures directory %s: regressions skipped\n", fixtures); return; }
    struct dirent *e;
    int count = 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "regress-", 8) != 0) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", fixtures, e->d_name);
        size_t n;
        uint8_t *b = read_bytes(path, &n);
        if (!b) continue;
        count++;
        /* The fuzz targets abort() on anything unclean, which fails this test loudly; the
         * name comes first so the log says which input it was. */
        printf("replaying %s\n", e->d_name);
        fflush(stdout);
        if (strncmp(e->d_name, "regress-idx-", 12) == 0) fuzz_idx(b, n);
        else if (strncmp(e->d_name, "regress-model-", 14) == 0) fuzz_model(b, n);
        else if (strncmp(e->d_name, "regress-image-", 14) == 0) fuzz_image(b, n);
        else { count--; printf("%s: no fuzz target of that name\n", e->d_name); }
        free(b);
    }
    closedir(d);
    printf("%d fuzzer regression inputs replayed\n", count);
}

static void remove_tree(const char *path) {
    DIR *d = opendir(path);
    if (!d) { unlink(path); return; }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(sub);
        else unlink(sub);
    }
    closedir(d);
    rmdir(path);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/twinnet-files-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 100; }
    test_idx_round_trip();
    test_idx_errors();
    test_data_vs_network();
    test_model_files();
    test_images();
    test_atomic_writes();
    test_regressions();
    remove_tree(dir);
    return check_done("test_files");
}
