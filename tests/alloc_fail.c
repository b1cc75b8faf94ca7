/* Allocation-failure injection, linked by tests/faults.sh with -Wl,--wrap=malloc,...: a short
 * training, save, load, evaluate and predict with the n-th allocation failing, for n = 1, 2, ...
 * until a run meets no failure; each must end in a clean one-line error, free all it allocated
 * and leave no partial file. (zlib and libpng allocate through our malloc, so they fail too;
 * libjpeg's own buffers do not, only ours around it.)
 * Usage: alloc_fail DIR [FIRST [LAST]]; exit 0 when every run was clean. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <jpeglib.h>

#include "twinnet.h"

/* ---- the wrappers: count calls, fail the chosen one, track live blocks ---------------------- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);
void __wrap_free(void *p);

static long fail_at;   /* 0: never */
static long calls;     /* allocation calls so far in this run (atomic: the pool has threads) */
static long live;      /* blocks allocated and not yet freed */
static int failed_once;

static int should_fail(void) {
    long c = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    if (fail_at && c == fail_at) { failed_once = 1; return 1; }
    return 0;
}
static void *counted(void *p) {
    if (p) __atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
    return p;
}
void *__wrap_malloc(size_t n) { return should_fail() ? NULL : counted(__real_malloc(n)); }
void *__wrap_calloc(size_t count, size_t size) { return should_fail() ? NULL : counted(__real_calloc(count, size)); }
void *__wrap_aligned_alloc(size_t align, size_t n) { return should_fail() ? NULL : counted(__real_aligned_alloc(align, n)); }
void *__wrap_realloc(void *p, size_t n) {
    if (should_fail()) return NULL;
    void *q = __real_realloc(p, n);
    if (!p) counted(q);
    return q;
}
void __wrap_free(void *p) {
    if (p) __atomic_sub_fetch(&live, 1, __ATOMIC_SEQ_CST);
    __real_free(p);
}

/* ---- test data, written before any failure is injected ---------------------------------------- */
static char dir[1024];

static const char *in_dir(const char *name, char *buf) {
    snprintf(buf, 1100, "%s/%s", dir, name);
    return buf;
}

static void put_be32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }

static void write_file(const char *name, const uint8_t *data, size_t n, int gz) {
    char path[1100];
    in_dir(name, path);
    if (gz) {
        gzFile g = gzopen(path, "wb");
        gzwrite(g, data, (unsigned)n);
        gzclose(g);
        return;
    }
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

static void write_idx(const char *images, const char *labels, uint32_t n, int gz) {
    uint8_t img[16 + 64 * 16], lab[8 + 64];
    img[0] = 0; img[1] = 0; img[2] = 8; img[3] = 3;
    put_be32(img + 4, n); put_be32(img + 8, 4); put_be32(img + 12, 4);
    for (uint32_t i = 0; i < n * 16; i++) img[16 + i] = (uint8_t)((i * 53 + i / 16 * 11) % 256 < 100 ? 0 : (i * 53) % 256);
    lab[0] = 0; lab[1] = 0; lab[2] = 8; lab[3] = 1;
    put_be32(lab + 4, n);
    for (uint32_t i = 0; i < n; i++) lab[8 + i] = (uint8_t)((i * 7) % 4);
    write_file(images, img, 16 + (size_t)n * 16, gz);
    write_file(labels, lab, 8 + n, gz);
}

/* A 4x4 8-bit grayscale PNG, by hand (IHDR, IDAT, IEND). */
static void write_png(const char *name) {
    uint8_t raw[4 * 5], z[128], out[256], *p = out;
    for (int y = 0; y < 4; y++) {
        raw[y * 5] = 0;
        for (int x = 0; x < 4; x++) raw[y * 5 + 1 + x] = (uint8_t)(x * 60 + y * 10);
    }
    uLongf zn = sizeof z;
    compress2(z, &zn, raw, sizeof raw, 9);
    memcpy(p, "\x89PNG\r\n\x1a\n", 8);
    p += 8;
    uint8_t ihdr[13] = {0, 0, 0, 4, 0, 0, 0, 4, 8, 0, 0, 0, 0};
    const struct { const char *type; const uint8_t *data; size_t len; } chunks[3] = {{"IHDR", ihdr, 13}, {"IDAT", z, zn}, {"IEND", NULL, 0}};
    for (int c = 0; c < 3; c++) {
        put_be32(p, (uint32_t)chunks[c].len);
        memcpy(p + 4, chunks[c].type, 4);
        if (chunks[c].len) memcpy(p + 8, chunks[c].data, chunks[c].len);
        put_be32(p + 8 + chunks[c].len, (uint32_t)crc32(0, p + 4, (uInt)(4 + chunks[c].len)));
        p += 12 + chunks[c].len;
    }
    write_file(name, out, (size_t)(p - out), 0);
}

/* A 40x30 colour JPEG of a dark bar on light paper, through libjpeg (before any failure). */
static void write_jpeg(const char *name) {
    char path[1100];
    FILE *f = fopen(in_dir(name, path), "wb");
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = 40; c.image_height = 30; c.input_components = 3; c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_start_compress(&c, TRUE);
    uint8_t row[40 * 3];
    while (c.next_scanline < 30) {
        for (int x = 0; x < 40; x++) {
            int ink = x >= 12 && x < 18 && c.next_scanline >= 5 && c.next_scanline < 26;
            row[3 * x] = ink ? 20 : 230; row[3 * x + 1] = ink ? 30 : 225; row[3 * x + 2] = ink ? 90 : 200;
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

/* ---- one run ------------------------------------------------------------------------------------ */
typedef struct {
    char fingerprint[TN_HEX_SIZE];
    uint32_t correct;
    double cost;
    uint8_t pred[20];
    float y[4];
    uint8_t field[TN_MNIST_SIDE * TN_MNIST_SIDE];   /* digit.jpg, preprocessed */
} results;

static tn_status run(results *r, tn_error *err) {
    char a[1100], b[1100];
    tn_dataset train, test;
    tn_model m, loaded;
    memset(&train, 0, sizeof train);
    memset(&test, 0, sizeof test);
    memset(&m, 0, sizeof m);
    memset(&loaded, 0, sizeof loaded);
    uint8_t *pix_png = NULL, *pix_pgm = NULL;
    uint32_t *confusion = NULL;
    float *outs = NULL;
    uint32_t w, h;
    tn_net copy;
    memset(&copy, 0, sizeof copy);
    tn_status s = tn_dataset_load(&train, in_dir("train-images", a), in_dir("train-labels", b), err);
    if (s == TN_OK) s = tn_dataset_load(&test, in_dir("test-images.gz", a), in_dir("test-labels.gz", b), err);
    tn_config cfg;
    tn_config_default(&cfg);
    cfg.n_sizes = 3; cfg.sizes[0] = 16; cfg.sizes[1] = 8; cfg.sizes[2] = 4;
    cfg.epochs = 2; cfg.batch = 5; cfg.train_size = 30; cfg.threads = 2;
    cfg.cost = TN_COST_LOG_LIKELIHOOD; cfg.eta = 0.5f; cfg.lambda = 1.0f; cfg.init = TN_INIT_SCALED;
    cfg.trace_path = in_dir("trace", a);
    cfg.trace_every = 3;
    tn_train_result tr;
    if (s == TN_OK) s = tn_train(&cfg, &train, &test, &m.net, NULL, NULL, NULL, &tr, err);
    if (s == TN_OK) {
        m.config = cfg;
        m.config.trace_path = NULL;
        m.epochs_run = tr.epochs_run;
        tn_dataset_sha256(&train, m.data_sha256);
        s = tn_model_save(&m, in_dir("model", a), err);
    }
    if (s == TN_OK) s = tn_model_load(&loaded, in_dir("model", a), err);
    if (s == TN_OK) s = tn_net_copy(&copy, &loaded.net, err);
    if (s == TN_OK && !(confusion = calloc(16, sizeof *confusion))) s = TN_ERR_NOMEM, snprintf(err->msg, sizeof err->msg, "driver: out of memory");
    tn_eval_result er = {0, 0, 0.0, confusion, NULL};
    if (s == TN_OK) s = tn_evaluate(&copy, &test, 2, &er, err);
    if (s == TN_OK && !(outs = malloc(20 * 4 * sizeof *outs))) s = TN_ERR_NOMEM, snprintf(err->msg, sizeof err->msg, "driver: out of memory");
    if (s == TN_OK) s = tn_predict_all(&loaded.net, &test, 2, r->pred, outs, err);
    if (s == TN_OK) s = tn_image_load(in_dir("digit.png", a), &pix_png, &w, &h, err);
    if (s == TN_OK) s = tn_image_load(in_dir("digit.pgm", a), &pix_pgm, &w, &h, err);
    if (s == TN_OK) {
        tn_image img;
        s = tn_image_read(in_dir("digit.jpg", a), &img, err);
        if (s == TN_OK) s = tn_image_preprocess(&img, a, r->field, NULL, err);
        tn_image_free(&img);
    }
    if (s == TN_OK) {
        float x[16];
        for (int i = 0; i < 16; i++) x[i] = (float)(pix_png[i] + pix_pgm[i]) / 510.0f;
        s = tn_net_forward(&loaded.net, x, r->y, err);
    }
    if (s == TN_OK) {
        tn_net_fingerprint(&loaded.net, r->fingerprint);
        r->correct = er.correct;
        r->cost = er.cost;
    }
    free(pix_png);
    free(pix_pgm);
    free(confusion);
    free(outs);
    tn_net_free(&copy);
    tn_model_free(&loaded);
    tn_model_free(&m); /* tn_train frees the net itself on failure; freeing NULL params is fine */
    tn_dataset_free(&train);
    tn_dataset_free(&test);
    return s;
}

/* Temporary files ("NAME.tmp.*") left in dir. */
static int temporaries(void) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) n += strstr(e->d_name, ".tmp.") != NULL;
    if (d) closedir(d);
    return n;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: alloc_fail DIR [FIRST [LAST]]\n"); return 2; }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    long first = argc > 2 ? atol(argv[2]) : 1, last = argc > 3 ? atol(argv[3]) : 1000000;
    write_idx("train-images", "train-labels", 40, 0);
    write_idx("test-images.gz", "test-labels.gz", 20, 1);
    write_png("digit.png");
    write_jpeg("digit.jpg");
    const uint8_t pgm[] = "P5 4 4 255\n\x00\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0\xc0\xd0\xe0\xf0";
    write_file("digit.pgm", pgm, sizeof pgm - 1, 0);
    char a[1100], b[1100];

    results ref;
    memset(&ref, 0, sizeof ref);
    tn_error err = {""};
    fail_at = 0; calls = 0; live = 0;
    tn_status s = run(&ref, &err);
    long total = calls;
    if (s != TN_OK || live != 0) {
        fprintf(stderr, "reference run: %s: %s (%ld blocks live)\n", tn_status_string(s), err.msg, live);
        return 1;
    }
    printf("reference run: %ld allocations, fingerprint %.16s..., %u correct\n", total, ref.fingerprint, ref.correct);
    int bad = 0;
    long n, absorbed = 0, runs = 0;
    for (n = first; n <= last; n++) {
        unlink(in_dir("model", a));
        unlink(in_dir("trace", b));
        results r;
        memset(&r, 0, sizeof r);
        memset(&err, 0, sizeof err);
        fail_at = n; calls = 0; live = 0; failed_once = 0;
        s = run(&r, &err);
        fail_at = 0;
        if (!failed_once) break; /* the run needed fewer than n allocations: all done */
        runs++;
        int clean = 1;
        if (s == TN_OK) {
            absorbed++;
            if (strcmp(r.fingerprint, ref.fingerprint) != 0 || r.correct != ref.correct || r.cost != ref.cost ||
                memcmp(r.pred, ref.pred, sizeof r.pred) != 0 || memcmp(r.y, ref.y, sizeof r.y) != 0 ||
                memcmp(r.field, ref.field, sizeof r.field) != 0) {
                fprintf(stderr, "allocation %ld: the failure was absorbed but the results differ\n", n);
                clean = 0;
            }
        } else if (!err.msg[0] || strchr(err.msg, '\n')) {
            fprintf(stderr, "allocation %ld: %s without a one-line message\n", n, tn_status_string(s));
            clean = 0;
        }
        if (live != 0) { fprintf(stderr, "allocation %ld: %ld blocks leaked (%s)\n", n, live, err.msg); clean = 0; }
        if (temporaries()) { fprintf(stderr, "allocation %ld: temporary files left\n", n); clean = 0; }
        /* A model file is either absent or complete. */
        if (access(in_dir("model", a), F_OK) == 0) {
            tn_model m;
            fail_at = 0;
            tn_error e2;
            if (tn_model_load(&m, a, &e2) != TN_OK) { fprintf(stderr, "allocation %ld: a broken model file: %s\n", n, e2.msg); clean = 0; }
            else tn_model_free(&m);
        }
        if (!clean) bad++;
        if (getenv("ALLOC_FAIL_VERBOSE")) printf("allocation %ld: %s: %s\n", n, tn_status_string(s), err.msg);
    }
    printf("alloc_fail: failed allocation 1..%ld of %ld: %ld runs, %ld absorbed the failure with identical results, %d unclean\n",
           n - 1, total, runs, absorbed, bad);
    return bad ? 1 : 0;
}
