/* libFuzzer target for a sweep's manifest reader (src/study/manifest.c): the input becomes
 * DIR/manifest.json in a scratch directory (a header object, then JSON Lines: the journal; or
 * version 1, one object), read as `sweep --merge DIR` reads it (tn_sweep_read), and as a resumed
 * sweep does (tn_sweep_open: every run it lists checked against model files that are not there).
 * A manifest that reads is written back compacted (tn_sweep_write_manifest), a run's line is
 * appended (tn_sweep_append_run) and then half of another one (a kill during the append): it must
 * read again as the same sweep, the same key and the same tn_sweep_key over its configuration. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twinnet.h"

static void check_error(const tn_error *err) {
    if (!err->msg[0] || strchr(err->msg, '\n')) { fprintf(stderr, "bad error message: '%s'\n", err->msg); abort(); }
}

static char dir[64], path[128];

static void clean_up(void) {
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/fuzz-manifest.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"); /* tmpfs: fsync is cheap */
        if (!mkdtemp(dir)) abort();
        snprintf(path, sizeof path, "%s/manifest.json", dir);
        atexit(clean_up);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) abort();
    tn_sweep sw, again;
    char key[TN_HEX_SIZE], key2[TN_HEX_SIZE];
    tn_error err = {""};
    if (tn_sweep_read(dir, &sw, key, &err) != TN_OK) { check_error(&err); return 0; }
    uint32_t total = tn_sweep_total(&sw);
    if (sw.runs < 1 || sw.n_sources < 1 || sw.n_sources > TN_VARY_COUNT || sw.base.n_sizes < 2) abort();
    if (total > 2048) return 0;   /* the rest would only take time */
    char (*fingerprints)[TN_HEX_SIZE] = calloc(total, TN_HEX_SIZE);
    uint32_t finished, broken;
    if (!fingerprints) abort();
    if (tn_sweep_open(&sw, key, fingerprints, &finished, &broken, &err) != TN_OK) check_error(&err);
    else if (finished != 0) abort();   /* no model file exists */
    for (uint32_t r = 0; r < total; r++) snprintf(fingerprints[r], TN_HEX_SIZE, "%064x", r);
    if (tn_sweep_write_manifest(&sw, key, fingerprints, &err) != TN_OK) abort();
    if (tn_sweep_append_run(&sw, total - 1, fingerprints[0], 0, 1, &err) != TN_OK) { fprintf(stderr, "%s\n", err.msg); abort(); }
    f = fopen(path, "ab");
    if (!f || fputs("{\"run\":0,\"fingerp", f) < 0 || fclose(f) != 0) abort();
    if (tn_sweep_read(dir, &again, key2, &err) != TN_OK) { fprintf(stderr, "%s\n", err.msg); abort(); }
    if (tn_sweep_open(&again, key2, fingerprints, &finished, &broken, &err) != TN_OK) { fprintf(stderr, "%s\n", err.msg); abort(); }
    uint8_t data_sha[32] = {0};
    char k1[TN_HEX_SIZE], k2[TN_HEX_SIZE];
    tn_sweep_key(&sw, data_sha, k1);
    tn_sweep_key(&again, data_sha, k2);
    if (strcmp(key, key2) != 0 || strcmp(k1, k2) != 0) abort();
    free(fingerprints);
    return 0;
}
