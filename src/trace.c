/* Trace writer (format in trace.h). Written through an atomic output file. */
#include <stdlib.h>

#include "io.h"
#include "trace.h"

struct tn_trace {
    tn_outfile out;
    float *canon;
    size_t n_params;
};

tn_status tn_trace_open(tn_trace **out, const char *path, const tn_net *net, tn_error *err) {
    *out = NULL;
    tn_trace *tr = calloc(1, sizeof *tr);
    float *canon = tn_alloc(net->n_params * sizeof(float));
    if (!tr || !canon) { free(tr); tn_free(canon); return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path); }
    tr->canon = canon;
    tr->n_params = net->n_params;
    tn_status s = tn_out_open(&tr->out, path, err);
    if (s != TN_OK) { tn_free(canon); free(tr); return s; }
    uint8_t h[TN_TRACE_HEADER_BYTES] = {0};
    memcpy(h, "TWNTRACE", 8);
    tn_put_u32(h + 8, TN_TRACE_VERSION);
    tn_put_u32(h + 12, (uint32_t)net->n_sizes);
    for (int l = 0; l < net->n_sizes; l++) tn_put_u32(h + 16 + 4 * l, net->sizes[l]);
    tn_put_u64(h + 16 + 4 * TN_MAX_LAYERS, net->n_params);
    tn_put_u32(h + 24 + 4 * TN_MAX_LAYERS, 1);
    tn_out_write(&tr->out, h, sizeof h);
    *out = tr;
    return TN_OK;
}

tn_status tn_trace_record(tn_trace *tr, uint64_t step, uint32_t epoch, const tn_net *net, tn_error *err) {
    uint8_t head[12], digest[32], buf[4096];
    tn_put_u64(head, step);
    tn_put_u32(head + 8, epoch);
    tn_net_get_canonical(net, tr->canon);
    tn_sha256 sha; /* the fingerprint: SHA-256 of the same little-endian bytes */
    tn_sha256_init(&sha);
    for (size_t i = 0; i < tr->n_params; i += sizeof buf / 4) {
        size_t count = tr->n_params - i < sizeof buf / 4 ? tr->n_params - i : sizeof buf / 4;
        for (size_t j = 0; j < count; j++) tn_put_u32(buf + 4 * j, tn_f2u(tr->canon[i + j]));
        tn_sha256_update(&sha, buf, 4 * count);
    }
    tn_sha256_final(&sha, digest);
    tn_out_write(&tr->out, head, sizeof head);
    tn_out_write(&tr->out, digest, 32);
    for (size_t i = 0; i < tr->n_params; i += sizeof buf / 4) {
        size_t count = tr->n_params - i < sizeof buf / 4 ? tr->n_params - i : sizeof buf / 4;
        for (size_t j = 0; j < count; j++) tn_put_u32(buf + 4 * j, tn_f2u(tr->canon[i + j]));
        tn_out_write(&tr->out, buf, 4 * count);
    }
    if (tr->out.error) return tn_fail(err, TN_ERR_IO, "%s: cannot write: %s", tr->out.path, strerror(tr->out.error));
    return TN_OK;
}

tn_status tn_trace_close(tn_trace *tr, int commit, tn_error *err) {
    tn_status s = TN_OK;
    if (commit) s = tn_out_commit(&tr->out, err);
    else tn_out_abort(&tr->out);
    tn_free(tr->canon);
    free(tr);
    return s;
}
