/* Training traces: the parameters' fingerprint (and the parameters) every K steps, so that
 * `twinnet diverge` can find the first step at which two runs part.
 * Format v1, little-endian: "TWNTRACE", u32 version, u32 n_sizes, u32 sizes[16],
 * u64 n_params, u32 flags (1: parameters stored); then records of u64 step, u32 epoch,
 * 32-byte SHA-256 fingerprint, and n_params float32 in canonical order if flag 1. */
#ifndef TN_TRACE_H
#define TN_TRACE_H

#include <stdio.h>

#include "util.h"

#define TN_TRACE_VERSION 1u
#define TN_TRACE_HEADER_BYTES (8 + 4 + 4 + 4 * TN_MAX_LAYERS + 8 + 4)

typedef struct tn_trace tn_trace;
tn_status tn_trace_open(tn_trace **tr, const char *path, const tn_net *net, tn_error *err);
tn_status tn_trace_record(tn_trace *tr, uint64_t step, uint32_t epoch, const tn_net *net, tn_error *err);
/* commit: rename into place; else discard. Frees tr. */
tn_status tn_trace_close(tn_trace *tr, int commit, tn_error *err);

/* Reading, record by record. Every size is checked against the header before use. */
typedef struct {
    FILE *f;
    char path[1024];
    int n_sizes;
    uint32_t sizes[TN_MAX_LAYERS];
    uint64_t n_params;
    int has_params;
    uint8_t *record;       /* one record's bytes */
    uint64_t records;      /* records read so far */
    size_t record_bytes;
} tn_trace_reader;

typedef struct {
    uint64_t step;
    uint32_t epoch;
    uint8_t digest[32];
} tn_trace_point;

tn_status tn_trace_reader_open(tn_trace_reader *r, const char *path, tn_error *err);
/* *have = 0 at the end; params (n_params floats) may be NULL. A record whose stored fingerprint
 * is not the SHA-256 of its parameters is a format error naming the record. */
tn_status tn_trace_reader_next(tn_trace_reader *r, tn_trace_point *pt, float *params, int *have, tn_error *err);
void tn_trace_reader_close(tn_trace_reader *r);

#endif
