/* Model files. Format v2, little-endian, no timestamps or host details (the same run writes
 * the same bytes):
 *   "TWINNETM" | u32 version | u32 n_sizes | u32 sizes[16] (unused entries 0) |
 *   u32 activation, cost, init | f32 eta, lambda | u32 epochs, batch, train_size, early_stop,
 *   epochs_run | u64 init_seed, order_seed | u8 data_sha256[32] |
 *   (v2, v3:) u32 l2_biases | f32 eta_decay | u64 steps | u32 stop |
 *   (v3:) u32 provenance_bytes J | u32 start_block S (0 or 1) |
 *   u64 n_params | f32 params[n_params] (canonical order) |
 *   (v3:) J bytes of the provenance, a JSON object (provenance.c) | S * n_params f32: the supplied
 *   start (canonical order) |
 *   (v4, the same with S a bit set: bit 0 the start above, bit 1 then n_params f32: an interrupted
 *   run's parameters at its last epoch end, provenance.state.last_finite) |
 *   u8 sha256[32] of everything before.
 * Version 3 is written only for a model whose provenance is not zero (an imported model, or the
 * output of align or canon, whose start is supplied): every model twinnet trains is written as
 * version 2, so its bytes (and every recorded file hash) are those of before version 3.
 * Version 4 is written only for a model that holds the last-finite block (train --resume needs it
 * from a run with --on-nan stop that stopped within an epoch).
 * Version 1 files (without the v2 fields) are read too, and written back as version 1; every
 * file is written back in its own version while its provenance allows.
 * Loading checks magic, version, every size and enum, the exact length, then the checksum, and
 * allocates nothing before all of that has passed. Limit: a file is at most 2 GiB, a provenance
 * block at most 1 MiB. A parsed file serialises back to exactly its own bytes. */
#include <stdio.h>
#include <stdlib.h>

#include "model.h"
#include "outfile.h"
#include "params.h"
#include "parse.h"
#include "read.h"

#define HEADER_V1 (8 + 4 + 4 + 4 * TN_MAX_LAYERS + 3 * 4 + 2 * 4 + 5 * 4 + 2 * 8 + 32 + 8)
#define V2_FIELDS (4 + 4 + 8 + 4)
#define V3_FIELDS (4 + 4)
#define HEADER_BYTES(version) ((size_t)HEADER_V1 + ((version) >= 2 ? V2_FIELDS : 0u) + ((version) >= 3 ? V3_FIELDS : 0u))
#define V3_AT (HEADER_V1 - 8 + V2_FIELDS)   /* where J and S are */
#define MAX_MODEL_BYTES ((size_t)1 << 31)
#define MAX_PROVENANCE_BYTES ((size_t)1 << 20)
#define VERSION_ZERO 2u   /* a model with zero provenance */

/* The f32 blocks after the parameters: 1 (the parameters), then one per bit of S. */
static uint32_t blocks_of(uint32_t flags) { return 1 + (flags & 1) + (flags >> 1 & 1); }

static void append_bytes(void *end, const uint8_t *bytes, size_t n) {
    uint8_t **p = end;
    memcpy(*p, bytes, n);
    *p += n;
}

tn_status tn_model_serialize(const tn_model *m, const char *name, uint8_t **out, size_t *size, tn_error *err) {
    const tn_net *net = &m->net;
    const tn_config *c = &m->config;
    *out = NULL;
    *size = 0;
    const tn_provenance *prov = &m->provenance;
    uint32_t version = m->format_version ? m->format_version : VERSION_ZERO;
    if (!tn_provenance_is_zero(prov)) version = prov->state.last_finite ? 4 : 3;
    if (prov->state.last_finite && !prov->state.saved)
        return tn_fail(err, TN_ERR_ARG, "%s: last-finite parameters without the training state", name);
    if (version == 1 && (c->l2_biases || c->eta_decay != 0.0f))
        return tn_fail(err, TN_ERR_ARG, "%s: model format version 1 cannot hold L2 on biases or a decaying eta", name);
    if (version >= 3 && (unsigned)prov->start >= TN_START_COUNT)
        return tn_fail(err, TN_ERR_ARG, "%s: unknown start code %d in the provenance", name, (int)prov->start);
    uint32_t start_block = (version >= 3 && prov->start == TN_START_SUPPLIED) | (version >= 4 ? 2u : 0u);
    if ((start_block & 1) && !prov->start_params)
        return tn_fail(err, TN_ERR_ARG, "%s: a supplied start without its parameters", name);
    size_t header = HEADER_BYTES(version), json_len = 0;
    char *json = NULL;
    if (version >= 3 && !(json = tn_provenance_json(prov, c->init, &json_len)))
        return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
    if (json_len > MAX_PROVENANCE_BYTES || net->n_params > (MAX_MODEL_BYTES - header - json_len - 32) / 4 / blocks_of(start_block)) {
        free(json);
        return tn_fail(err, TN_ERR_ARG, "%s: %zu parameters do not fit in a model file", name, net->n_params);
    }
    size_t total = header + net->n_params * 4 * blocks_of(start_block) + json_len + 32;
    uint8_t *buf = malloc(total);
    if (!buf) { free(json); return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name); }
    memset(buf, 0, header);
    uint8_t *p = buf;
    memcpy(p, "TWINNETM", 8); p += 8;
    tn_put_u32(p, version); p += 4;
    tn_put_u32(p, (uint32_t)net->n_sizes); p += 4;
    for (int l = 0; l < TN_MAX_LAYERS; l++, p += 4) tn_put_u32(p, l < net->n_sizes ? net->sizes[l] : 0);
    tn_put_u32(p, net->activation); p += 4;
    tn_put_u32(p, net->cost); p += 4;
    tn_put_u32(p, c->init); p += 4;
    tn_put_u32(p, tn_f2u(c->eta)); p += 4;
    tn_put_u32(p, tn_f2u(c->lambda)); p += 4;
    tn_put_u32(p, c->epochs); p += 4;
    tn_put_u32(p, c->batch); p += 4;
    tn_put_u32(p, c->train_size); p += 4;
    tn_put_u32(p, c->early_stop); p += 4;
    tn_put_u32(p, m->epochs_run); p += 4;
    tn_put_u64(p, c->init_seed); p += 8;
    tn_put_u64(p, c->order_seed); p += 8;
    memcpy(p, m->data_sha256, 32); p += 32;
    if (version >= 2) {
        tn_put_u32(p, c->l2_biases ? 1 : 0); p += 4;
        tn_put_u32(p, tn_f2u(c->eta_decay)); p += 4;
        tn_put_u64(p, m->steps); p += 8;
        tn_put_u32(p, m->stop); p += 4;
    }
    if (version >= 3) {
        tn_put_u32(p, (uint32_t)json_len); p += 4;
        tn_put_u32(p, start_block); p += 4;
    }
    tn_put_u64(p, net->n_params); p += 8;
    tn_params_write(net, append_bytes, &p);
    if (json) memcpy(p, json, json_len);
    p += json_len;
    free(json);
    for (size_t k = 0; (start_block & 1) && k < net->n_params; k++, p += 4) tn_put_u32(p, tn_f2u(prov->start_params[k]));
    for (size_t k = 0; (start_block & 2) && k < net->n_params; k++, p += 4) tn_put_u32(p, tn_f2u(prov->state.last_finite[k]));
    tn_sha256 s;
    tn_sha256_init(&s);
    tn_sha256_update(&s, buf, (size_t)(p - buf));
    tn_sha256_final(&s, p);
    *out = buf;
    *size = total;
    return TN_OK;
}

tn_status tn_model_save(const tn_model *m, const char *path, tn_error *err) {
    uint8_t *buf;
    size_t size;
    tn_status s = tn_model_serialize(m, path, &buf, &size, err);
    if (s != TN_OK) return s;
    s = tn_write_atomic(path, buf, size, err);
    free(buf);
    return s;
}

tn_status tn_model_parse(tn_model *m, const char *path, const uint8_t *buf, size_t size, tn_error *err) {
    memset(m, 0, sizeof *m);
#define FAIL(...) return tn_fail(err, TN_ERR_FORMAT, __VA_ARGS__)
    if (size < 8 || memcmp(buf, "TWINNETM", 8) != 0) FAIL("%s: not a twinnet model file (wrong magic)", path);
    if (size < 12) FAIL("%s: truncated model file (%zu byte%s)", path, size, TN_S(size));
    uint32_t version = tn_get_u32(buf + 8);
    if (version < 1 || version > TN_MODEL_VERSION)
        FAIL("%s: model format version %u; this twinnet reads versions 1 to %u (use the twinnet that wrote it)",
             path, version, TN_MODEL_VERSION);
    if (size < HEADER_BYTES(version) + 32) FAIL("%s: truncated model file (%zu byte%s)", path, size, TN_S(size));
    const uint8_t *p = buf + 12;
    tn_config c;
    tn_config_default(&c);
    c.trace_path = NULL;
    uint32_t n_sizes = tn_get_u32(p); p += 4;
    if (n_sizes < 2 || n_sizes > TN_MAX_LAYERS) FAIL("%s: corrupted: %u layers", path, n_sizes);
    c.n_sizes = (int)n_sizes;
    for (int l = 0; l < TN_MAX_LAYERS; l++, p += 4) {
        uint32_t v = tn_get_u32(p);
        if (l < (int)n_sizes) {
            if (v < 1 || v > TN_MAX_WIDTH) FAIL("%s: corrupted: layer width %u", path, v);
            c.sizes[l] = v;
        } else {
            if (v != 0) FAIL("%s: corrupted: width %u after the last layer", path, v);
            c.sizes[l] = 0;
        }
    }
    uint64_t n_params = tn_params_count(c.sizes, c.n_sizes);
    uint32_t act = tn_get_u32(p), cost = tn_get_u32(p + 4), init = tn_get_u32(p + 8);
    p += 12;
    if (act >= TN_ACT_COUNT || cost >= TN_COST_COUNT || init >= TN_INIT_COUNT)
        FAIL("%s: corrupted: unknown activation, cost or init code", path);
    c.activation = (tn_activation)act; c.cost = (tn_cost)cost; c.init = (tn_init)init;
    c.eta = tn_u2f(tn_get_u32(p)); c.lambda = tn_u2f(tn_get_u32(p + 4)); p += 8;
    c.epochs = tn_get_u32(p); c.batch = tn_get_u32(p + 4); c.train_size = tn_get_u32(p + 8);
    c.early_stop = tn_get_u32(p + 12); uint32_t epochs_run = tn_get_u32(p + 16); p += 20;
    c.init_seed = tn_get_u64(p); c.order_seed = tn_get_u64(p + 8); p += 16;
    const uint8_t *data_sha = p; p += 32;
    uint64_t steps = 0;
    uint32_t stop = TN_STOP_COMPLETED;
    if (version >= 2) {
        uint32_t l2_biases = tn_get_u32(p);
        c.eta_decay = tn_u2f(tn_get_u32(p + 4));
        steps = tn_get_u64(p + 8);
        stop = tn_get_u32(p + 16);
        p += V2_FIELDS;
        if (l2_biases > 1 || stop >= TN_STOP_COUNT) FAIL("%s: corrupted: unknown L2 or stop code", path);
        c.l2_biases = (int)l2_biases;
    }
    uint32_t json_len = 0, start_block = 0;
    if (version >= 3) {
        json_len = tn_get_u32(p);
        start_block = tn_get_u32(p + 4);
        p += V3_FIELDS;
        if (json_len > MAX_PROVENANCE_BYTES || start_block > (version >= 4 ? 3u : 1u) || (version >= 4) != (start_block >> 1))
            FAIL("%s: corrupted: provenance block of %u bytes, start block flag %u", path, json_len, start_block);
    }
    uint64_t stored = tn_get_u64(p); p += 8;
    if (stored != n_params) FAIL("%s: corrupted: %llu parameters stored for sizes that need %llu", path,
                                 (unsigned long long)stored, (unsigned long long)n_params);
    /* n_params < 16 * 65536 * 65537: the arithmetic below cannot overflow 64 bits. */
    uint64_t expect = HEADER_BYTES(version) + n_params * 4 * blocks_of(start_block) + json_len + 32;
    if (size != expect)
        FAIL("%s: %s model file: %zu byte%s, expected %llu", path, size < expect ? "truncated" : "trailing bytes in",
             size, TN_S(size), (unsigned long long)expect);
    uint8_t digest[32];
    tn_sha256 sh;
    tn_sha256_init(&sh);
    tn_sha256_update(&sh, buf, size - 32);
    tn_sha256_final(&sh, digest);
    if (memcmp(digest, buf + size - 32, 32) != 0) FAIL("%s: corrupted model file (checksum mismatch)", path);
#undef FAIL
    const uint8_t *json = p + n_params * 4, *start = json + json_len;
    if (version >= 3) {
        tn_status ps = tn_provenance_parse(path, json, json_len, c.init, &m->provenance, err);
        if (ps != TN_OK) return ps;
        if ((start_block & 2) && !m->provenance.state.saved) {
            memset(&m->provenance, 0, sizeof m->provenance);
            return tn_fail(err, TN_ERR_FORMAT, "%s: corrupted: last-finite parameters without the training state", path);
        }
        if ((m->provenance.start == TN_START_SUPPLIED) != (start_block & 1)) {
            memset(&m->provenance, 0, sizeof m->provenance);
            return tn_fail(err, TN_ERR_FORMAT, "%s: corrupted: the provenance says the start is %s, but the file %s start parameters",
                           path, tn_start_known_names[m->provenance.start], start_block & 1 ? "holds" : "holds no");
        }
    }
    tn_status s = tn_net_init(&m->net, c.sizes, c.n_sizes, c.activation, c.cost, err);
    if (s != TN_OK) {
        /* The sizes passed every check above, so only memory can be short here. */
        memset(&m->net, 0, sizeof m->net);
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "bad sizes");
        return tn_fail(err, s == TN_ERR_NOMEM ? TN_ERR_NOMEM : TN_ERR_FORMAT, "%s: %s", path, why);
    }
    float *canon = malloc(n_params * sizeof(float)), *last = start_block & 2 ? malloc(n_params * sizeof(float)) : NULL;
    if (!canon || ((start_block & 2) && !last)) {
        free(canon); free(last); tn_net_free(&m->net);
        return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path);
    }
    for (uint64_t i = 0; i < n_params; i++, p += 4) canon[i] = tn_u2f(tn_get_u32(p));
    tn_net_set_canonical(&m->net, canon);
    if (start_block & 1) {
        for (uint64_t i = 0; i < n_params; i++, start += 4) canon[i] = tn_u2f(tn_get_u32(start));
        m->provenance.start_params = canon;
    } else free(canon);
    for (uint64_t i = 0; last && i < n_params; i++, start += 4) last[i] = tn_u2f(tn_get_u32(start));
    m->provenance.state.last_finite = last;
    m->config = c;
    m->epochs_run = epochs_run;
    m->format_version = version;
    m->steps = steps;
    m->stop = (tn_stop)stop;
    memcpy(m->data_sha256, data_sha, 32);
    return TN_OK;
}

/* The size a model file announces (see tn_wanted_fn): 8 bytes are enough to report a wrong
 * magic and 12 a wrong version, so `twinnet info /dev/zero` reads 8 bytes, not 2 GiB. */
static size_t model_wanted(const uint8_t *b, size_t n) {
    if (n < 8) return 0;
    if (memcmp(b, "TWINNETM", 8) != 0) return 8;
    if (n < 12) return 0;
    uint32_t version = tn_get_u32(b + 8);
    if (version < 1 || version > TN_MODEL_VERSION) return 12;
    if (n < HEADER_BYTES(version)) return 0;
    uint32_t n_sizes = tn_get_u32(b + 12), sizes[TN_MAX_LAYERS];
    for (int l = 0; l < TN_MAX_LAYERS; l++) sizes[l] = tn_get_u32(b + 16 + 4 * l);
    uint64_t count = tn_params_count(sizes, n_sizes < TN_MAX_LAYERS ? (int)n_sizes : TN_MAX_LAYERS);
    uint32_t json_len = version >= 3 ? tn_get_u32(b + V3_AT) : 0, start_block = version >= 3 ? tn_get_u32(b + V3_AT + 4) : 0;
    if (count > MAX_MODEL_BYTES || json_len > MAX_PROVENANCE_BYTES || start_block > 3)
        return SIZE_MAX; /* corrupt: the parser says what */
    return HEADER_BYTES(version) + (size_t)count * 4 * blocks_of(start_block) + json_len + 32;
}

/* A model file's bytes as read (s: how the reading went; buf is freed here) into m. */
static tn_status model_from_read(tn_model *m, const char *path, tn_status s, uint8_t *buf, size_t size, int over,
                                 tn_error *err) {
    if (s != TN_OK) return s;
    s = tn_model_parse(m, path, buf, size, err);
    free(buf);
    if (s == TN_OK && over) {
        /* The bytes up to the announced size make a model; more follow. */
        tn_model_free(m);
        return tn_fail(err, TN_ERR_FORMAT, "%s: trailing bytes in model file: more than the %zu bytes its header announces",
                       path, size);
    }
    return s;
}

tn_status tn_model_load(tn_model *m, const char *path, tn_error *err) {
    memset(m, 0, sizeof *m);
    uint8_t *buf;
    size_t size;
    int over;
    tn_status s = tn_read_file_as(path, MAX_MODEL_BYTES, model_wanted, &buf, &size, &over, err);
    return model_from_read(m, path, s, buf, size, over, err);
}

tn_status tn_model_from_bytes(tn_model *m, const char *name, const uint8_t *bytes, size_t size, tn_error *err) {
    memset(m, 0, sizeof *m);
    if (!name) name = "model";
    uint8_t *buf;
    size_t n;
    int over;
    tn_status s = tn_decode_mem_as(name, bytes, size, MAX_MODEL_BYTES, model_wanted, &buf, &n, &over, err);
    return model_from_read(m, name, s, buf, n, over, err);
}

tn_status tn_model_to_bytes(const tn_model *m, uint8_t **bytes, size_t *size, tn_error *err) {
    return tn_model_serialize(m, "model", bytes, size, err);
}

void tn_model_free(tn_model *m) {
    tn_net_free(&m->net);
    memset(&m->net, 0, sizeof m->net);
    free(m->provenance.start_params);
    m->provenance.start_params = NULL;
    free(m->provenance.state.last_finite);
    m->provenance.state.last_finite = NULL;
}
