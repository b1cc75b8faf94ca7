/* libFuzzer target for the trace reader (src/io/trace.c) and `diverge` (src/study/diverge.c), which read
 * through a path: the input goes into two memory files, opened as /proc/self/fd/N. Input: u16
 * little-endian length of trace A, trace A, trace B. Built separately from fuzz/targets.h, as
 * the reader belongs to another part of the code. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace.h"

static int memfile(int *fd, char *path, size_t cap, const uint8_t *data, size_t n) {
    if (*fd < 0) {
        *fd = memfd_create("trace", 0);
        if (*fd < 0) abort();
        snprintf(path, cap, "/proc/self/fd/%d", *fd);
    }
    if (ftruncate(*fd, 0) != 0 || (n && pwrite(*fd, data, n, 0) != (ssize_t)n)) abort();
    return 0;
}

static void check_error(const tn_error *err) {
    if (!err->msg[0] || strchr(err->msg, '\n')) { fprintf(stderr, "bad error message: '%s'\n", err->msg); abort(); }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int fd_a = -1, fd_b = -1;
    static char path_a[64], path_b[64];
    if (size < 2) return 0;
    size_t cut = (size_t)data[0] | (size_t)data[1] << 8;
    data += 2;
    size -= 2;
    if (cut > size) cut = size;
    memfile(&fd_a, path_a, sizeof path_a, data, cut);
    memfile(&fd_b, path_b, sizeof path_b, data + cut, size - cut);
    tn_error err = {""};
    /* Read A record by record. */
    tn_trace_reader r;
    if (tn_trace_reader_open(&r, path_a, &err) == TN_OK) {
        float *params = r.has_params && r.n_params <= (1u << 20) ? malloc(r.n_params * sizeof(float) + 1) : NULL;
        tn_trace_point pt;
        int have = 1;
        while (have && tn_trace_reader_next(&r, &pt, params, &have, &err) == TN_OK) {}
        free(params);
        tn_trace_reader_close(&r);
    } else {
        check_error(&err);
    }
    /* Compare A with B. */
    tn_diverge_result res;
    if (tn_diverge(path_a, path_b, &res, &err) == TN_OK) tn_diverge_result_free(&res);
    else check_error(&err);
    return 0;
}
