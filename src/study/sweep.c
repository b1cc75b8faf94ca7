/* Sweeps: many trainings of one network in which only one source of randomness varies (the
 * initialisation, the example order, both, one bit of one initial weight, or nothing), run
 * by run, so that a process pool, an MPI rank or a job array can each take some runs. What a
 * sweep writes depends only on the sweep: a run's model and per-epoch results (no timings),
 * and a manifest listing every finished run with its fingerprint, which a resumed sweep checks
 * the model files against instead of trusting them (manifest.c); shards running at once each
 * write a record of their own runs in the manifest's format instead. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "read.h"
#include "sweep_files.h"
#include "util.h"

const char *const tn_vary_names[TN_VARY_COUNT] = {"init", "order", "both", "bit", "none"};

uint32_t tn_sweep_total(const tn_sweep *sw) { return (uint32_t)sw->n_sources * sw->runs; }

uint32_t tn_sweep_shard_total(const tn_sweep *sw, uint32_t index, uint32_t count) {
    uint32_t total = tn_sweep_total(sw);
    return count == 0 || index >= total ? 0 : (total - index + count - 1) / count;
}

void tn_sweep_run_name(const tn_sweep *sw, uint32_t r, char name[32]) {
    snprintf(name, 32, "%s-%03u", tn_vary_names[sw->sources[r / sw->runs]], r % sw->runs);
}

/* Canonical index of the weight that run i of a `bit` source flips: a first-layer weight from an
 * input that is non-zero in at least a tenth of the training examples (so it receives gradients
 * all through training: a rarely used input's flipped bit can round away and never spread), drawn
 * from Philox keyed by the init seed, stream TN_STREAM_SWEEP, counter i. */
static tn_status bit_index(const tn_sweep *sw, uint32_t i, const tn_dataset *train, int64_t *index, tn_error *err) {
    uint32_t n_in = sw->base.sizes[0], units = sw->base.sizes[1];
    uint32_t n = sw->base.train_size && sw->base.train_size < train->n ? sw->base.train_size : train->n;
    uint32_t *uses = calloc(n_in, sizeof *uses);
    if (!uses) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    uint32_t n_used = 0;
    for (uint32_t e = 0; e < n && train->n_in == n_in; e++)
        for (uint32_t t = train->nz_start[e]; t < train->nz_start[e + 1]; t++) uses[train->nz_index[t]]++;
    for (uint32_t k = 0; k < n_in; k++) n_used += (uint64_t)uses[k] * 10 >= n && uses[k];
    if (n_used == 0) { free(uses); return tn_fail(err, TN_ERR_ARG, "%s: no input is non-zero in a tenth of the examples: no weight to flip", train->images_name); }
    uint32_t ctr[4] = {i, 0, 0, TN_STREAM_SWEEP}, key[2] = {(uint32_t)sw->base.init_seed, (uint32_t)(sw->base.init_seed >> 32)}, r[4];
    tn_philox4x32_10(ctr, key, r);
    uint32_t pick = (uint32_t)(((uint64_t)r[1] * n_used) >> 32), input = 0;
    for (uint32_t k = 0, seen = 0; k < n_in; k++)
        if ((uint64_t)uses[k] * 10 >= n && uses[k] && seen++ == pick) { input = k; break; }
    free(uses);
    *index = (int64_t)((uint64_t)(((uint64_t)r[0] * units) >> 32) * n_in + input);
    return TN_OK;
}

tn_status tn_sweep_run_config(const tn_sweep *sw, uint32_t r, const tn_dataset *train, tn_config *cfg, tn_error *err) {
    if (r >= tn_sweep_total(sw)) return tn_fail(err, TN_ERR_ARG, "sweep: run %u of %u", r, tn_sweep_total(sw));
    tn_vary v = sw->sources[r / sw->runs];
    uint32_t i = r % sw->runs;
    *cfg = sw->base;
    cfg->trace_path = NULL;
    cfg->trace_log = 0;
    cfg->perturb_ulp = -1;
    if (v == TN_VARY_INIT || v == TN_VARY_BOTH) cfg->init_seed += i;
    if (v == TN_VARY_ORDER || v == TN_VARY_BOTH) cfg->order_seed += i;
    if (v == TN_VARY_BIT) return bit_index(sw, i, train, &cfg->perturb_ulp, err);
    return TN_OK;
}

/* ---- one run ---------------------------------------------------------------------------------- */
/* Per-epoch results without timings, so that the file depends only on the run: one object a line. */
static int epoch_line(const tn_epoch_info *e, void *user) {
    tn_json *j = user;
    tn_json_object(j, NULL);
    tn_json_uint(j, "epoch", e->epoch);
    tn_json_uint(j, "test_correct", e->test_correct);
    tn_json_uint(j, "test_total", e->test_total);
    tn_json_number(j, "test_accuracy", e->test_total ? (double)e->test_correct / e->test_total : 0.0);
    tn_json_number(j, "cost", e->test_cost);
    if (e->has_validation) {
        tn_json_uint(j, "validation_correct", e->valid_correct);
        tn_json_uint(j, "validation_total", e->valid_total);
    }
    tn_json_end(j);
    return 0;
}

/* The run's files are made in a private directory DIR/.run-NAME.XXXXXX (mode 0700, made here:
 * nothing in it can be a planted link), then renamed into DIR, the model last: a link planted
 * in DIR under a run's name is refused, never followed; a kill leaves the private directory,
 * which the next start removes (tn_sweep_clean). */
/* mkdtemp (mode 0700); WASI has none: the first free "XXXXXX" as a number (one process there). */
static char *private_dir(char *template) {
#ifdef __wasi__
    char *x = template + strlen(template) - 6;
    for (unsigned k = 0; k < 1000000; k++) {
        snprintf(x, 7, "%06u", k);
        if (mkdir(template, 0700) == 0) return template;
        if (errno != EEXIST) return NULL;
    }
    return NULL;
#else
    return mkdtemp(template);
#endif
}

static void remove_private(const char *priv, const char *name) {
    static const char *const ext[] = {".tnm", ".epochs.jsonl", ".trace"};
    char path[4300];
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s%s", priv, name, ext[k]);
        unlink(path);
    }
    rmdir(priv);
}

static tn_status move_in(const tn_sweep *sw, const char *priv, const char *name, const char *ext, tn_error *err) {
    char from[4300], to[64];
    snprintf(from, sizeof from, "%s/%s%s", priv, name, ext);
    snprintf(to, sizeof to, "%s%s", name, ext);
    return tn_sweep_file_move(from, sw->dir, to, err);
}

tn_status tn_sweep_run(const tn_sweep *sw, uint32_t r, const tn_dataset *train, const tn_dataset *test,
                       volatile const int *stop_flag, char fingerprint[TN_HEX_SIZE], tn_error *err) {
    char name[32], priv[TN_PATH_CAP], model_path[4300], epochs_path[4300], trace_path[4300];
    tn_sweep_run_name(sw, r, name);
    if (snprintf(priv, sizeof priv, "%s/.run-%s.XXXXXX", sw->dir, name) >= (int)sizeof priv)
        return tn_fail(err, TN_ERR_ARG, "%s: path too long", sw->dir);
    if (!private_dir(priv)) return tn_fail(err, TN_ERR_IO, "%s: cannot make a directory for run %s: %s", sw->dir, name, strerror(errno));
    snprintf(model_path, sizeof model_path, "%s/%s.tnm", priv, name);
    snprintf(epochs_path, sizeof epochs_path, "%s/%s.epochs.jsonl", priv, name);
    snprintf(trace_path, sizeof trace_path, "%s/%s.trace", priv, name);
    tn_run_spec spec;
    memset(&spec, 0, sizeof spec);
    tn_status s = tn_sweep_run_config(sw, r, train, &spec.config, err);
    if (s != TN_OK) { remove_private(priv, name); return s; }
    int traced = r % sw->runs < TN_SWEEP_TRACED;
    if (traced) { /* how the first runs of each source part, step by step */
        spec.config.trace_path = trace_path;
        spec.config.trace_every = 0;
        spec.config.trace_log = 1;
    }
    tn_json epochs;
    tn_json_begin_mem(&epochs);
    spec.train = train;
    spec.test = test;
    spec.out = model_path;
    spec.on_epoch = epoch_line;
    spec.user = &epochs;
    spec.stop_flag = stop_flag;
    tn_model model;
    tn_train_result result;
    s = tn_run(&spec, &model, &result, err);
    if (s == TN_OK) {
        tn_net_fingerprint(&model.net, fingerprint);
        uint64_t non_finite = tn_net_count_non_finite(&model.net);
        if (model.stop == TN_STOP_NON_FINITE || non_finite) { /* flagged in the run's own file (finite runs: no line) */
            tn_json_object(&epochs, NULL);
            tn_json_bool(&epochs, "diverged", 1);
            tn_json_string(&epochs, "stop", tn_stop_names[model.stop]);
            tn_json_uint(&epochs, "non_finite_parameters", non_finite);
            tn_json_end(&epochs);
        }
        tn_model_free(&model);
        if (result.interrupted) s = tn_fail(err, TN_ERR_IO, "%s/%s.tnm: interrupted at step %llu", sw->dir, name, (unsigned long long)result.steps);
    }
    size_t len;
    char *text = tn_json_take(&epochs, &len);
    if (s == TN_OK) s = text ? tn_write_atomic(epochs_path, text, len, err) : tn_fail(err, TN_ERR_NOMEM, "out of memory");
    free(text);
    if (s == TN_OK && traced) s = move_in(sw, priv, name, ".trace", err);
    if (s == TN_OK) s = move_in(sw, priv, name, ".epochs.jsonl", err);
    if (s == TN_OK) s = move_in(sw, priv, name, ".tnm", err);
    remove_private(priv, name);
    return s;
}

/* ---- the manifest ------------------------------------------------------------------------------ */
/* A field's value as the key hashes it: little-endian u32 (floats by their bits), u64 for
 * U64 fields, and the widths as their count then each. */
static uint8_t *key_value(uint8_t *p, const tn_config *c, const tn_config_field *f) {
    if (f->type == TN_FIELD_SIZES) {
        tn_put_u32(p, (uint32_t)c->n_sizes);
        for (int l = 0; l < c->n_sizes; l++) tn_put_u32(p + 4 + 4 * l, c->sizes[l]);
        return p + 4 + 4 * c->n_sizes;
    }
    if (f->type == TN_FIELD_U64) { tn_put_u64(p, tn_config_get_uint(c, f)); return p + 8; }
    tn_put_u32(p, f->type == TN_FIELD_F32 ? tn_f2u(tn_config_get_f32(c, f)) : (uint32_t)tn_config_get_uint(c, f));
    return p + 4;
}

/* What makes two sweeps the same: every option that changes a run's bits (the table's TN_IN_KEY
 * fields), the runs and sources, and the training data. Not the thread or process count:
 * results do not depend on them. The layout predates the table and is kept, so that existing
 * sweep directories keep their key: the 32-bit fields and the widths by key_slot, the runs and
 * sources, the 64-bit fields by key_slot, the data; then each TN_IN_KEY_IF_SET field that is not
 * at its default, as its name, a NUL and its value. */
void tn_sweep_key(const tn_sweep *sw, const uint8_t data_sha256[32], char hex[TN_HEX_SIZE]) {
    const tn_config *c = &sw->base;
    tn_config defaults;
    tn_config_default(&defaults);
    int n;
    const tn_config_field *fields = tn_config_fields(&n);
    uint8_t b[64 * 48 + 256], *p = b, digest[32], mine[80], theirs[80];
    memcpy(p, "twinnet-sweep-1", 16); p += 16;
    for (int wide = 0; wide < 2; wide++) {
        if (wide) {
            tn_put_u32(p, sw->runs);
            tn_put_u32(p + 4, (uint32_t)sw->n_sources);
            p += 8;
            for (int s = 0; s < sw->n_sources; s++, p += 4) tn_put_u32(p, sw->sources[s]);
        }
        for (int slot = 1; slot <= n; slot++)
            for (int k = 0; k < n; k++)
                if ((fields[k].in & TN_IN_KEY) && fields[k].key_slot == slot && (fields[k].type == TN_FIELD_U64) == wide)
                    p = key_value(p, c, &fields[k]);
    }
    memcpy(p, data_sha256, 32); p += 32;
    for (int k = 0; k < n; k++) {
        size_t len = strlen(fields[k].name) + 1, size = (size_t)(key_value(mine, c, &fields[k]) - mine);
        if (!(fields[k].in & TN_IN_KEY_IF_SET) || (size == (size_t)(key_value(theirs, &defaults, &fields[k]) - theirs) &&
                                                   memcmp(mine, theirs, size) == 0) || (size_t)(p - b) + len + size > sizeof b) continue;
        memcpy(p, fields[k].name, len);
        memcpy(p + len, mine, size);
        p += len + size;
    }
    tn_sha256 sha;
    tn_sha256_init(&sha);
    tn_sha256_update(&sha, b, (size_t)(p - b));
    tn_sha256_final(&sha, digest);
    tn_hex(digest, 32, hex);
}

/* The record of shard `index` of `count` (0-based index), or the manifest for count <= 1: each
 * process that trains runs at the same time as others writes its own. */
static void record_path(const tn_sweep *sw, uint32_t index, uint32_t count, char *path, size_t cap) {
    if (count <= 1) snprintf(path, cap, "%s/manifest.json", sw->dir);
    else snprintf(path, cap, "%s/" TN_SWEEP_SHARD_RECORD, sw->dir, index + 1, count);
}

/* One record line, {"run":R,"name":"NAME","source":"SOURCE","index":I,"fingerprint":"HEX"} and a
 * newline (as version 1 listed a run): 130 bytes at most. */
static void record_line(const tn_sweep *sw, uint32_t r, const char fingerprint[TN_HEX_SIZE], tn_json *j) {
    char name[32];
    tn_sweep_run_name(sw, r, name);
    tn_json_object(j, NULL);
    tn_json_uint(j, "run", r);
    tn_json_string(j, "name", name);
    tn_json_string(j, "source", tn_vary_names[sw->sources[r / sw->runs]]);
    tn_json_uint(j, "index", r % sw->runs);
    tn_json_string(j, "fingerprint", fingerprint);
    tn_json_end(j); /* a top-level value ends with its newline */
}

/* The record of shard index/count (every run: 0 of 1), compacted: the header, one JSON object
 * (version 2: the sweep, no runs), then a line for each finished run in run order. */
static tn_status write_record(const tn_sweep *sw, const char key[TN_HEX_SIZE], char (*fingerprints)[TN_HEX_SIZE], uint32_t index,
                              uint32_t count, tn_error *err) {
    const tn_config *c = &sw->base;
    tn_json j;
    tn_json_begin_mem(&j);
    tn_json_object(&j, NULL);
    tn_json_uint(&j, "twinnet_sweep", 2);
    tn_json_string(&j, "key", key);
    tn_json_uint(&j, "runs_per_source", sw->runs);
    tn_json_array(&j, "sources");
    for (int s = 0; s < sw->n_sources; s++) tn_json_string(&j, NULL, tn_vary_names[sw->sources[s]]);
    tn_json_end(&j);
    tn_json_newline(&j);
    tn_json_object(&j, "config");
    tn_config_write_json(c, TN_IN_MANIFEST, &j);
    tn_json_end(&j);
    tn_json_end(&j);
    uint32_t total = tn_sweep_total(sw);
    for (uint32_t r = index; r < total; r += count)
        if (fingerprints[r][0]) record_line(sw, r, fingerprints[r], &j);
    size_t len;
    char *text = tn_json_take(&j, &len);
    char path[TN_PATH_CAP];
    record_path(sw, index, count, path, sizeof path);
    tn_status s = text ? tn_sweep_file_write(sw->dir, strrchr(path, '/') + 1, text, len, err) : tn_fail(err, TN_ERR_NOMEM, "out of memory");
    free(text);
    return s;
}

tn_status tn_sweep_append_run(const tn_sweep *sw, uint32_t r, const char fingerprint[TN_HEX_SIZE], uint32_t index, uint32_t count,
                              tn_error *err) {
    if (r >= tn_sweep_total(sw) || (count > 1 && r % count != index))
        return tn_fail(err, TN_ERR_ARG, "sweep: run %u is not one of shard %u of %u", r, index + 1, count);
    char path[TN_PATH_CAP];
    record_path(sw, index, count, path, sizeof path);
    tn_json j;
    tn_json_begin_mem(&j);
    record_line(sw, r, fingerprint, &j);
    size_t len;
    char *text = tn_json_take(&j, &len);
    tn_status s = text ? tn_sweep_file_append(sw->dir, strrchr(path, '/') + 1, text, len, err) : tn_fail(err, TN_ERR_NOMEM, "out of memory");
    free(text);
    return s;
}

tn_status tn_sweep_write_manifest(const tn_sweep *sw, const char key[TN_HEX_SIZE], char (*fingerprints)[TN_HEX_SIZE], tn_error *err) {
    return write_record(sw, key, fingerprints, 0, 1, err);
}

tn_status tn_sweep_write_shard(const tn_sweep *sw, const char key[TN_HEX_SIZE], char (*fingerprints)[TN_HEX_SIZE], uint32_t index,
                               uint32_t count, tn_error *err) {
    if (count < 2 || index >= count) return tn_fail(err, TN_ERR_ARG, "sweep: shard %u of %u", index + 1, count);
    return write_record(sw, key, fingerprints, index, count, err);
}
