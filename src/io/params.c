/* The canonical parameter order (params.h) and everything defined by it: the count, the
 * position of an index, copies in and out, the initial values, and the fingerprint. */
#include <math.h>

#include "params.h"

uint64_t tn_params_count(const uint32_t *sizes, int n_sizes) {
    uint64_t n = 0;
    for (int l = 1; l < n_sizes; l++) n += (uint64_t)sizes[l - 1] * sizes[l] + sizes[l];
    return n;
}

int tn_param_position(const uint32_t *sizes, int n_sizes, uint64_t k, int *layer, int *is_bias,
                      uint32_t *row, uint32_t *col) {
    for (int l = 1; l < n_sizes; l++) {
        uint64_t n_w = (uint64_t)sizes[l - 1] * sizes[l];
        if (k < n_w) { *layer = l; *is_bias = 0; *row = (uint32_t)(k / sizes[l - 1]); *col = (uint32_t)(k % sizes[l - 1]); return 1; }
        k -= n_w;
        if (k < sizes[l]) { *layer = l; *is_bias = 1; *row = (uint32_t)k; *col = 0; return 1; }
        k -= sizes[l];
    }
    return 0;
}

float *tn_net_param(tn_net *net, size_t k) {
    int layer, is_bias;
    uint32_t row, col;
    if (!tn_param_position(net->sizes, net->n_sizes, k, &layer, &is_bias, &row, &col)) return NULL;
    if (is_bias) return net->params + net->b_off[layer] + row;
    return net->params + net->w_off[layer] + (size_t)col * net->pad[layer] + row;
}

/* Calls fn once per canonical row: count floats at row[0], row[stride], ... (W's row `unit` of
 * layer l is strided in the input-major buffer; the biases are contiguous, stride 1, unit -1). */
typedef void (*row_fn)(void *ctx, int layer, int64_t unit, float *row, size_t stride, uint32_t count);
static void params_rows(const tn_net *net, row_fn fn, void *ctx) {
    for (int l = 1; l < net->n_sizes; l++) {
        uint32_t n_in = net->sizes[l - 1], n_out = net->sizes[l], p = net->pad[l];
        for (uint32_t o = 0; o < n_out; o++) fn(ctx, l, o, net->params + net->w_off[l] + o, p, n_in);
        fn(ctx, l, -1, net->params + net->b_off[l], 1, n_out);
    }
}

/* ---- copies in and out ---------------------------------------------------------------------- */
typedef struct { float *canon; int to_canon; } copy_ctx;

static void copy_row(void *p, int layer, int64_t unit, float *row, size_t stride, uint32_t count) {
    copy_ctx *c = p;
    (void)layer; (void)unit;
    for (uint32_t i = 0; i < count; i++, c->canon++) {
        if (c->to_canon) *c->canon = row[i * stride];
        else row[i * stride] = *c->canon;
    }
}

void tn_net_get_canonical(const tn_net *net, float *out) {
    copy_ctx c = {out, 1};
    params_rows(net, copy_row, &c);
}

void tn_net_set_canonical(tn_net *net, const float *in) {
    copy_ctx c = {(float *)in, 0}; /* only read from when to_canon is 0 */
    params_rows(net, copy_row, &c);
}

/* ---- initial values: value k of the init stream goes to canonical parameter k --------------- */
typedef struct { const tn_net *net; tn_init init; uint64_t seed, k; } init_ctx;

/* torch (twinnet.h): u = w * 2^-32 from the first word of Philox block (k, k >> 32, 1, init
 * stream): the third counter word 1 keeps these blocks apart from tn_normal's (0). */
static double torch_value(uint64_t seed, uint64_t k, uint32_t n_in) {
    uint32_t ctr[4] = {(uint32_t)k, (uint32_t)(k >> 32), 1, TN_STREAM_INIT}, key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)}, r[4];
    tn_philox4x32_10(ctr, key, r);
    return (2.0 * ((double)r[0] * 0x1p-32) - 1.0) / sqrt((double)n_in);
}

static void init_row(void *p, int layer, int64_t unit, float *row, size_t stride, uint32_t count) {
    init_ctx *c = p;
    if (c->init == TN_INIT_TORCH) {
        for (uint32_t i = 0; i < count; i++, c->k++) row[i * stride] = (float)torch_value(c->seed, c->k, c->net->sizes[layer - 1]);
        return;
    }
    double scale = unit >= 0 && c->init == TN_INIT_SCALED ? 1.0 / sqrt((double)c->net->sizes[layer - 1]) : 1.0;
    for (uint32_t i = 0; i < count; i++, c->k++) row[i * stride] = (float)(tn_normal(c->seed, TN_STREAM_INIT, c->k) * scale);
}

void tn_net_randomize(tn_net *net, tn_init init, uint64_t init_seed) {
    init_ctx c = {net, init, init_seed, 0};
    params_rows(net, init_row, &c);
}

/* ---- bytes ---------------------------------------------------------------------------------- */
typedef struct { tn_bytes_fn write; void *ctx; uint8_t chunk[4096]; size_t fill; } bytes_ctx;

static void bytes_row(void *p, int layer, int64_t unit, float *row, size_t stride, uint32_t count) {
    bytes_ctx *c = p;
    (void)layer; (void)unit;
    for (uint32_t i = 0; i < count; i++) {
        tn_put_u32(c->chunk + c->fill, tn_f2u(row[i * stride]));
        c->fill += 4;
        if (c->fill == sizeof c->chunk) { c->write(c->ctx, c->chunk, c->fill); c->fill = 0; }
    }
}

void tn_params_write(const tn_net *net, tn_bytes_fn write, void *ctx) {
    bytes_ctx c;
    c.write = write; c.ctx = ctx; c.fill = 0;
    params_rows(net, bytes_row, &c);
    if (c.fill) write(ctx, c.chunk, c.fill);
}

static void sha_bytes(void *sha, const uint8_t *bytes, size_t n) { tn_sha256_update(sha, bytes, n); }

void tn_net_fingerprint(const tn_net *net, char hex[TN_HEX_SIZE]) {
    tn_sha256 s;
    uint8_t digest[32];
    tn_sha256_init(&s);
    tn_params_write(net, sha_bytes, &s);
    tn_sha256_final(&s, digest);
    tn_hex(digest, 32, hex);
}

size_t tn_canonical_offset(const uint32_t *sizes, int l) {
    size_t off = 0;
    for (int k = 1; k < l; k++) off += (size_t)sizes[k - 1] * sizes[k] + sizes[k];
    return off;
}
