/* The public calls on bytes in memory, through twinnet.h alone (as web/api.c and a binding use
 * them): a model's bytes are exactly the file tn_model_save writes and read back to the same
 * model; a data set, an image and a model from bytes equal the same bytes read from a file
 * (gzip too); bad bytes give the reader's one-line error under the caller's name; RGBA pixels
 * become grey by BT.601 luma in 16-bit fixed point with alpha kept. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "twinnet.h"

static char dir[64];

static const char *path_of(const char *name) {  /* two at a time */
    static char path[2][128];
    static int which;
    which = !which;
    snprintf(path[which], sizeof path[which], "%s/%s", dir, name);
    return path[which];
}

static void write_file(const char *name, const uint8_t *bytes, size_t n) {
    tn_error err = {""};
    CHECK_OK(tn_write_atomic(path_of(name), bytes, n, &err), err);
}

static uint8_t *read_file(const char *name, size_t *n) {
    FILE *f = fopen(path_of(name), "rb");
    uint8_t *buf = malloc(1 << 20);
    *n = f && buf ? fread(buf, 1, 1 << 20, f) : 0;
    if (f) fclose(f);
    return buf;
}

static uint8_t *gzip(const uint8_t *data, size_t n, size_t *out_n) {
    z_stream z;
    memset(&z, 0, sizeof z);
    uLong cap = compressBound((uLong)n) + 64;
    uint8_t *out = malloc(cap);
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *out_n = z.total_out;
    deflateEnd(&z);
    return out;
}

static int starts_with(const char *msg, const char *prefix) { return strncmp(msg, prefix, strlen(prefix)) == 0; }

static void test_model(void) {
    uint32_t sizes[3] = {7, 5, 3};
    tn_model a;
    memset(&a, 0, sizeof a);
    tn_config_default(&a.config);
    a.config.n_sizes = 3;
    memcpy(a.config.sizes, sizes, sizeof sizes);
    a.config.init_seed = 9;
    a.epochs_run = 4;
    a.steps = 321;
    tn_error err = {""};
    CHECK_OK(tn_net_init(&a.net, sizes, 3, TN_ACT_SIGMOID, TN_COST_QUADRATIC, &err), err);
    tn_net_randomize(&a.net, TN_INIT_NORMAL, 9);
    uint8_t *bytes = NULL;
    size_t n = 0;
    CHECK_OK(tn_model_to_bytes(&a, &bytes, &n, &err), err);
    CHECK_OK(tn_model_save(&a, path_of("a.tnm"), &err), err);
    size_t fn;
    uint8_t *file = read_file("a.tnm", &fn);
    CHECK(bytes && fn == n && memcmp(file, bytes, n) == 0, "tn_model_to_bytes: %zu bytes, the file %zu, or other bytes", n, fn);
    tn_model b;
    CHECK_OK(tn_model_from_bytes(&b, "mem", bytes, n, &err), err);
    char fa[TN_HEX_SIZE], fb[TN_HEX_SIZE] = "";
    tn_net_fingerprint(&a.net, fa);
    if (b.net.params) tn_net_fingerprint(&b.net, fb);
    CHECK(strcmp(fa, fb) == 0 && b.steps == 321 && b.epochs_run == 4 && b.config.init_seed == 9,
          "model from bytes: fingerprint %s (want %s), steps %llu", fb, fa, (unsigned long long)b.steps);
    uint8_t *again = NULL;
    size_t again_n = 0;
    CHECK_OK(tn_model_to_bytes(&b, &again, &again_n, &err), err);
    CHECK(again && again_n == n && memcmp(again, bytes, n) == 0, "model from bytes, to bytes: other bytes");
    tn_model_free(&b);
    /* Gzip'd bytes read as the gzip'd file does. */
    size_t gn;
    uint8_t *gz = gzip(bytes, n, &gn);
    CHECK_OK(tn_model_from_bytes(&b, "mem.gz", gz, gn, &err), err);
    if (b.net.params) { tn_net_fingerprint(&b.net, fb); tn_model_free(&b); }
    CHECK(strcmp(fa, fb) == 0, "gzip'd model bytes: fingerprint %s", fb);
    /* Bad bytes: the file reader's errors, under the caller's name (NULL: "model"). */
    uint8_t *longer = malloc(n + 1);
    memcpy(longer, bytes, n);
    longer[n] = 0;
    tn_status s = tn_model_from_bytes(&b, "long", longer, n + 1, &err);
    CHECK(s == TN_ERR_FORMAT && starts_with(err.msg, "long: trailing bytes") && !b.net.params, "trailing byte: %s", err.msg);
    write_file("long.tnm", longer, n + 1);
    tn_error file_err = {""};
    CHECK(tn_model_load(&b, path_of("long.tnm"), &file_err) == TN_ERR_FORMAT
              && strcmp(strchr(file_err.msg, ':'), strchr(err.msg, ':')) == 0,
          "the file's error (%s) and the bytes' (%s) differ", file_err.msg, err.msg);
    s = tn_model_from_bytes(&b, NULL, bytes, n / 2, &err);
    CHECK(s == TN_ERR_FORMAT && starts_with(err.msg, "model: truncated"), "truncated, no name: %s", err.msg);
    s = tn_model_from_bytes(&b, "text", (const uint8_t *)"hello", 5, &err);
    CHECK(s == TN_ERR_FORMAT && starts_with(err.msg, "text: not a twinnet model"), "not a model: %s", err.msg);
    free(longer); free(gz); free(again); free(file); free(bytes);
    tn_model_free(&a);
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void test_dataset(void) {
    enum { N = 6, ROWS = 3, COLS = 4 };
    uint8_t images[16 + N * ROWS * COLS], labels[8 + N];
    memcpy(images, "\0\0\x08\x03", 4);
    put_be32(images + 4, N); put_be32(images + 8, ROWS); put_be32(images + 12, COLS);
    for (int i = 0; i < N * ROWS * COLS; i++) images[16 + i] = (uint8_t)(i * 37 % 256 * (i % 3 != 0));
    memcpy(labels, "\0\0\x08\x01", 4);
    put_be32(labels + 4, N);
    for (int i = 0; i < N; i++) labels[8 + i] = (uint8_t)(9 - i);
    write_file("images", images, sizeof images);
    size_t gn;
    uint8_t *gz = gzip(labels, sizeof labels, &gn);
    write_file("labels.gz", gz, gn);
    tn_dataset from_file, mem;
    tn_error err = {""};
    CHECK_OK(tn_dataset_load(&from_file, path_of("images"), path_of("labels.gz"), &err), err);
    CHECK_OK(tn_dataset_from_bytes(&mem, "i", images, sizeof images, "l", gz, gn, &err), err);
    if (mem.pixels && from_file.pixels) {
        uint8_t d1[32], d2[32];
        tn_dataset_sha256(&from_file, d1);
        tn_dataset_sha256(&mem, d2);
        CHECK(mem.n == N && mem.rows == ROWS && mem.cols == COLS && memcmp(d1, d2, 32) == 0, "bytes and file differ");
        CHECK(memcmp(mem.pixels, images + 16, sizeof images - 16) == 0 && mem.labels[5] == 4, "pixels or labels wrong");
        CHECK(mem.nz_start && mem.nz_start[N] == from_file.nz_start[N], "non-zero index: %u entries, the file's %u",
              mem.nz_start ? mem.nz_start[N] : 0, from_file.nz_start[N]);
        tn_dataset_free(&mem);
    }
    tn_dataset_free(&from_file);
    /* Five labels for six images: the error names the labels. */
    put_be32(labels + 4, N - 1);
    tn_status s = tn_dataset_from_bytes(&mem, NULL, images, sizeof images, NULL, labels, sizeof labels - 1, &err);
    CHECK(s == TN_ERR_FORMAT && (starts_with(err.msg, "labels:") || starts_with(err.msg, "images:")),
          "6 images, 5 labels: %s %s", tn_status_string(s), err.msg);
    free(gz);
}

static void test_images(void) {
    const char pgm[] = "P2 3 2 255\n0 10 20\n30 40 255\n";
    const uint8_t want[6] = {0, 10, 20, 30, 40, 255};
    write_file("a.pgm", (const uint8_t *)pgm, sizeof pgm - 1);
    tn_image file, mem;
    tn_error err = {""};
    CHECK_OK(tn_image_read(path_of("a.pgm"), &file, &err), err);
    CHECK_OK(tn_image_from_bytes("a", (const uint8_t *)pgm, sizeof pgm - 1, &mem, &err), err);
    CHECK(mem.grey && mem.width == 3 && mem.height == 2 && memcmp(mem.grey, want, 6) == 0 && !mem.alpha,
          "PGM from bytes: %ux%u", mem.width, mem.height);
    CHECK(file.grey && mem.grey && memcmp(file.grey, mem.grey, 6) == 0, "PGM: file and bytes differ");
    tn_image_free(&mem);
    tn_image_free(&file);
    tn_status s = tn_image_from_bytes(NULL, (const uint8_t *)"hello", 5, &mem, &err);
    CHECK(s == TN_ERR_FORMAT && starts_with(err.msg, "image: not a PGM, PNG or JPEG") && !mem.grey, "text: %s", err.msg);
    /* RGBA: BT.601 luma, 0.299 R + 0.587 G + 0.114 B in 16-bit fixed point, rounded; alpha kept. */
    const uint8_t rgba[5 * 4] = {255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 255, 255, 255, 255, 12, 200, 99, 7};
    CHECK_OK(tn_image_from_rgba("canvas", rgba, 5, 1, &mem, &err), err);
    int ok = mem.grey && mem.alpha && mem.width == 5 && mem.height == 1;
    for (int i = 0; ok && i < 5; i++) {
        const uint8_t *p = rgba + 4 * i;
        uint32_t luma = (19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 32768u) >> 16;
        double exact = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        CHECK(mem.grey[i] == luma && fabs(mem.grey[i] - exact) <= 0.5 + 1e-3 && mem.alpha[i] == p[3],
              "pixel %d: grey %u alpha %u (want %u, %u)", i, mem.grey[i], mem.alpha[i], luma, p[3]);
    }
    CHECK(ok && mem.grey[0] == 76 && mem.grey[3] == 255, "red %u, white %u", ok ? mem.grey[0] : 0, ok ? mem.grey[3] : 0);
    tn_image_free(&mem);
    s = tn_image_from_rgba("canvas", rgba, 0, 1, &mem, &err);
    CHECK(s == TN_ERR_FORMAT && starts_with(err.msg, "canvas: image size 0x1 is outside") && !mem.grey, "0x1: %s", err.msg);
    s = tn_image_from_rgba(NULL, rgba, TN_IMAGE_MAX_SIDE + 1, 1, &mem, &err);
    CHECK(s == TN_ERR_FORMAT && starts_with(err.msg, "image: image size"), "too wide: %s", err.msg);
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/twinnet-bytes.XXXXXX", "/tmp");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    test_model();
    test_dataset();
    test_images();
    const char *names[] = {"a.tnm", "long.tnm", "images", "labels.gz", "a.pgm"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) unlink(path_of(names[i]));
    rmdir(dir);
    return check_done("test_bytes");
}
