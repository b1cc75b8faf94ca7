/* Trace writer and reader (format in trace.h). Written through an atomic output file; read
 * with every header field checked, so a corrupt trace gives an error, never a crash. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "outfile.h"
#include "params.h"
#include "read.h"
#include "trace.h"

struct tn_trace {
    tn_outfile out;
    tn_sha256 sha;
};

tn_status tn_trace_open(tn_trace **out, const char *path, const tn_net *net, tn_error *err) {
    *out = NULL;
    tn_trace *tr = calloc(1, sizeof *tr);
    if (!tr) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path);
    tn_status s = tn_out_open(&tr->out, path, err);
    if (s != TN_OK) { free(tr); return s; }
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

static void hash_bytes(void *tr, const uint8_t *bytes, size_t n) { tn_sha256_update(&((tn_trace *)tr)->sha, bytes, n); }
static void write_bytes(void *tr, const uint8_t *bytes, size_t n) { tn_out_write(&((tn_trace *)tr)->out, bytes, n); }

/* A record: step, epoch, the fingerprint, then the very bytes it is the SHA-256 of. */
tn_status tn_trace_record(tn_trace *tr, uint64_t step, uint32_t epoch, const tn_net *net, tn_error *err) {
    uint8_t head[12], digest[32];
    tn_put_u64(head, step);
    tn_put_u32(head + 8, epoch);
    tn_sha256_init(&tr->sha);
    tn_params_write(net, hash_bytes, tr);
    tn_sha256_final(&tr->sha, digest);
    tn_out_write(&tr->out, head, sizeof head);
    tn_out_write(&tr->out, digest, 32);
    tn_params_write(net, write_bytes, tr);
    if (tr->out.error) return tn_fail(err, TN_ERR_IO, "%s: cannot write: %s", tr->out.path, strerror(tr->out.error));
    return TN_OK;
}

tn_status tn_trace_close(tn_trace *tr, int commit, tn_error *err) {
    tn_status s = TN_OK;
    if (commit) s = tn_out_commit(&tr->out, err);
    else tn_out_abort(&tr->out);
    free(tr);
    return s;
}

tn_status tn_trace_reader_open(tn_trace_reader *r, const char *path, tn_error *err) {
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    tn_status s = tn_read_open(path, &r->f, NULL, err); /* a regular file only: a FIFO would block */
    if (s != TN_OK) return s;
    uint8_t h[TN_TRACE_HEADER_BYTES];
    if (fread(h, 1, sizeof h, r->f) != sizeof h)
        s = tn_fail(err, TN_ERR_FORMAT, "%s: truncated trace header", path);
    else if (memcmp(h, "TWNTRACE", 8) != 0)
        s = tn_fail(err, TN_ERR_FORMAT, "%s: not a twinnet trace (wrong magic)", path);
    else if (tn_get_u32(h + 8) != TN_TRACE_VERSION)
        s = tn_fail(err, TN_ERR_FORMAT, "%s: trace format version %u; this twinnet reads version %u", path, tn_get_u32(h + 8), TN_TRACE_VERSION);
    if (s == TN_OK) {
        uint32_t n = tn_get_u32(h + 12);
        if (n < 2 || n > TN_MAX_LAYERS) s = tn_fail(err, TN_ERR_FORMAT, "%s: corrupt trace: %u layers", path, n);
        for (uint32_t l = 0; s == TN_OK && l < n; l++) {
            r->sizes[l] = tn_get_u32(h + 16 + 4 * l);
            if (r->sizes[l] < 1 || r->sizes[l] > TN_MAX_WIDTH) s = tn_fail(err, TN_ERR_FORMAT, "%s: corrupt trace: width %u", path, r->sizes[l]);
        }
        r->n_sizes = (int)n;
        uint64_t count = s == TN_OK ? tn_params_count(r->sizes, r->n_sizes) : 0;
        r->n_params = tn_get_u64(h + 16 + 4 * TN_MAX_LAYERS);
        r->has_params = tn_get_u32(h + 24 + 4 * TN_MAX_LAYERS) & 1;
        if (s == TN_OK && r->n_params != count)
            s = tn_fail(err, TN_ERR_FORMAT, "%s: corrupt trace: %llu parameters for sizes that need %llu", path,
                        (unsigned long long)r->n_params, (unsigned long long)count);
    }
    struct stat st;
    if (s == TN_OK && fstat(fileno(r->f), &st) != 0) s = tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(errno));
    /* Every size below comes from the header: check it against the file before allocating. */
    if (s == TN_OK && (uint64_t)st.st_size - TN_TRACE_HEADER_BYTES < 12 + 32 + (r->has_params ? r->n_params * 4 : 0))
        s = tn_fail(err, TN_ERR_FORMAT, "%s: truncated or corrupt trace: its header announces records of %llu bytes",
                    path, (unsigned long long)(12 + 32 + (r->has_params ? r->n_params * 4 : 0)));
    if (s == TN_OK) {
        r->record_bytes = 12 + 32 + (r->has_params ? (size_t)r->n_params * 4 : 0);
        r->record = malloc(r->record_bytes);
        if (!r->record) s = tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path);
    }
    if (s != TN_OK) tn_trace_reader_close(r);
    return s;
}

tn_status tn_trace_reader_next(tn_trace_reader *r, tn_trace_point *pt, float *params, int *have, tn_error *err) {
    *have = 0;
    size_t got = fread(r->record, 1, r->record_bytes, r->f);
    if (got == 0 && feof(r->f)) return TN_OK;
    if (got != r->record_bytes)
        return tn_fail(err, ferror(r->f) ? TN_ERR_IO : TN_ERR_FORMAT, "%s: truncated trace record", r->path);
    pt->step = tn_get_u64(r->record);
    pt->epoch = tn_get_u32(r->record + 8);
    memcpy(pt->digest, r->record + 12, 32);
    r->records++;
    if (r->has_params) { /* the stored fingerprint is the SHA-256 of the bytes that follow it */
        uint8_t digest[32];
        tn_sha256 sha;
        tn_sha256_init(&sha);
        tn_sha256_update(&sha, r->record + 44, r->record_bytes - 44);
        tn_sha256_final(&sha, digest);
        if (memcmp(digest, pt->digest, 32) != 0)
            return tn_fail(err, TN_ERR_FORMAT, "%s: corrupt trace: record %llu (step %llu): its fingerprint does not match its parameters",
                           r->path, (unsigned long long)r->records, (unsigned long long)pt->step);
    }
    if (params && r->has_params)
        for (size_t i = 0; i < r->n_params; i++) params[i] = tn_u2f(tn_get_u32(r->record + 44 + 4 * i));
    *have = 1;
    return TN_OK;
}

void tn_trace_reader_close(tn_trace_reader *r) {
    if (r->f) fclose(r->f);
    free(r->record);
    r->f = NULL;
    r->record = NULL;
}
