/* The parameters in canonical order (params.c): per layer, W as (n_out, n_in) row-major, then
 * b (n_out). The one place that walks that order: the fingerprint, the model file, the trace,
 * exports and initialisation all go through params.c (tn_params_write here; the copies in and out,
 * tn_net_get_canonical and tn_net_set_canonical, and tn_net_randomize in twinnet.h). */
#ifndef TN_PARAMS_H
#define TN_PARAMS_H

#include "util.h"

/* Calls write(ctx, bytes, n) with the parameters as little-endian float32 in canonical order,
 * in chunks of at most 4096 bytes. */
typedef void (*tn_bytes_fn)(void *ctx, const uint8_t *bytes, size_t n);
void tn_params_write(const tn_net *net, tn_bytes_fn write, void *ctx);

/* Canonical offset of layer l's W (its b follows at + sizes[l-1] * sizes[l]). */
size_t tn_canonical_offset(const uint32_t *sizes, int l);

#endif
