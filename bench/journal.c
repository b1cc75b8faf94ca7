/* The sweep's journal at scale (issue 19, case 7): a manifest of 1,000,000 record lines (a sweep
 * of five sources x 100,000 runs, each run's line appended twice, as a redone run's may be),
 * written through tn_sweep_append_run (one write and one fsync each) and read back through
 * tn_sweep_open; prints the time and the size, and the time per append on the given directory.
 * Build and run: cc -std=c11 -O2 -Iinclude bench/journal.c build/libtwinnet.a -lpng -ljpeg -lz -lm
 * -lpthread -o build/bench_journal && build/bench_journal [DIR] [N_DISK]   (DIR: a tmpfs such as
 * /dev/shm, default; N_DISK: appends timed on the current directory's disk, default 1000). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "twinnet.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void check(tn_status s, const tn_error *err) {
    if (s != TN_OK) { fprintf(stderr, "bench_journal: %s\n", err->msg); exit(1); }
}

/* Appends passes * total lines to a fresh manifest in dir; returns seconds per append. */
static double appends(tn_sweep *sw, const char *key, char (*fps)[65], uint32_t total, int passes, tn_error *err) {
    for (uint32_t r = 0; r < total; r++) fps[r][0] = 0;
    check(tn_sweep_write_manifest(sw, key, fps, err), err);
    double t0 = now();
    for (int p = 0; p < passes; p++)
        for (uint32_t r = 0; r < total; r++) {
            snprintf(fps[r], 65, "%064x", r);
            check(tn_sweep_append_run(sw, r, fps[r], 0, 1, err), err);
        }
    return (now() - t0) / ((double)passes * total);
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "/dev/shm";
    uint32_t n_disk = argc > 2 ? (uint32_t)atoi(argv[2]) : 1000;
    char dir[4200], disk[64] = "bench-journal.XXXXXX", path[4300];
    snprintf(dir, sizeof dir, "%s/bench-journal.XXXXXX", base);
    if (!mkdtemp(dir) || !mkdtemp(disk)) { perror("mkdtemp"); return 1; }
    tn_sweep sw;
    memset(&sw, 0, sizeof sw);
    tn_config_default(&sw.base);
    sw.runs = 100000;
    sw.n_sources = 5;
    for (int s = 0; s < 5; s++) sw.sources[s] = (tn_vary)s;
    sw.dir = dir;
    uint8_t data[32] = {0};
    char key[65];
    tn_sweep_key(&sw, data, key);
    uint32_t total = tn_sweep_total(&sw), finished, broken;
    char (*fps)[65] = calloc(total, 65);
    tn_error err;
    if (!fps) return 1;
    double per = appends(&sw, key, fps, total, 2, &err);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    struct stat st;
    stat(path, &st);
    double t0 = now();
    check(tn_sweep_open(&sw, key, fps, &finished, &broken, &err), &err);
    double read_s = now() - t0;
    printf("journal of %u lines (%u runs, each appended twice) in %s: %.1f MB, %.1f bytes per line\n", 2 * total, total, base,
           st.st_size / 1e6, (double)st.st_size / (2.0 * total));
    printf("  append (one write + fsync): %.2f us per run; read back (tn_sweep_open): %.2f s, %.2f us per line; "
           "%u runs listed, %u without a model\n", per * 1e6, read_s, read_s / (2.0 * total) * 1e6, broken + finished, broken);
    t0 = now();
    check(tn_sweep_write_manifest(&sw, key, fps, &err), &err);
    printf("  compacted (written whole, as at a start or the end): %.2f s\n", now() - t0);
    unlink(path);
    rmdir(dir);
    sw.dir = disk;
    sw.runs = n_disk / 5 ? n_disk / 5 : 1;
    tn_sweep_key(&sw, data, key);
    per = appends(&sw, key, fps, tn_sweep_total(&sw), 1, &err);
    printf("  on this directory's disk: %.3f ms per append over %u runs\n", per * 1e3, tn_sweep_total(&sw));
    snprintf(path, sizeof path, "%s/manifest.json", disk);
    unlink(path);
    rmdir(disk);
    free(fps);
    return 0;
}
