/* Training traces: the parameters' fingerprint (and the parameters) every K steps, so that
 * `twinnet diverge` can find the first step at which two runs part.
 * Format v1, little-endian: "TWNTRACE", u32 version, u32 n_sizes, u32 sizes[16],
 * u64 n_params, u32 flags (1: parameters stored); then records of u64 step, u32 epoch,
 * 32-byte SHA-256 fingerprint, and n_params float32 in canonical order if flag 1. */
#ifndef TN_TRACE_H
#define TN_TRACE_H

#include "internal.h"

#define TN_TRACE_VERSION 1u
#define TN_TRACE_HEADER_BYTES (8 + 4 + 4 + 4 * TN_MAX_LAYERS + 8 + 4)

typedef struct tn_trace tn_trace;
tn_status tn_trace_open(tn_trace **tr, const char *path, const tn_net *net, tn_error *err);
tn_status tn_trace_record(tn_trace *tr, uint64_t step, uint32_t epoch, const tn_net *net, tn_error *err);
/* commit: rename into place; else discard. Frees tr. */
tn_status tn_trace_close(tn_trace *tr, int commit, tn_error *err);

#endif
