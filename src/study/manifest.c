/* A sweep's records read back: DIR/manifest.json and the shards' DIR/manifest.shard-K-of-N.json
 * (written by sweep.c), each finished run's model checked against the fingerprint a record gives
 * (never trusted), the records of another sweep refused; and the sweep itself rebuilt from a
 * record, for merging shards without the command that started them. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read.h"
#include "util.h"

/* 1 if name is a shard's record, as sweep.c spells it. */
static int is_shard_record(const char *name) {
    unsigned k, n;
    int used = -1;
    char again[64];
    if (sscanf(name, TN_SWEEP_SHARD_RECORD "%n", &k, &n, &used) != 2 || used < 0 || name[used]) return 0;
    snprintf(again, sizeof again, TN_SWEEP_SHARD_RECORD, k, n);
    return k >= 1 && k <= n && n >= 2 && strcmp(again, name) == 0;
}

/* The sweep's records: DIR/manifest.json if it exists, then every shard's, as paths (each malloc'd,
 * as is the array: free_records); *n: how many. */
typedef struct { char **paths; size_t n, cap; } record_list;

static int add_record(record_list *l, const char *dir, const char *name) {
    if (l->n == l->cap) {
        char **bigger = realloc(l->paths, (l->cap = 2 * l->cap + 4) * sizeof *bigger);
        if (!bigger) return 0;
        l->paths = bigger;
    }
    size_t len = strlen(dir) + strlen(name) + 2;
    if (!(l->paths[l->n] = malloc(len))) return 0;
    snprintf(l->paths[l->n++], len, "%s/%s", dir, name);
    return 1;
}

static tn_status list_records(const tn_sweep *sw, record_list *l, tn_error *err) {
    char path[4200];
    struct stat st;
    memset(l, 0, sizeof *l);
    DIR *d = opendir(sw->dir);
    if (!d) return tn_fail(err, TN_ERR_IO, "%s: %s", sw->dir, strerror(errno));
    snprintf(path, sizeof path, "%s/manifest.json", sw->dir);
    int ok = stat(path, &st) != 0 || add_record(l, sw->dir, "manifest.json");
    for (struct dirent *e; ok && (e = readdir(d)); )
        if (is_shard_record(e->d_name)) ok = add_record(l, sw->dir, e->d_name);
    closedir(d);
    return ok ? TN_OK : tn_fail(err, TN_ERR_NOMEM, "out of memory");
}

static void free_records(record_list *l) {
    for (size_t k = 0; k < l->n; k++) free(l->paths[k]);
    free(l->paths);
}

/* A record's fingerprints fill the entries of fingerprints still empty; another key is TN_ERR_ARG. */
static tn_status read_record(const tn_sweep *sw, const char *path, const char key[65], char (*fingerprints)[65],
                             tn_error *err) {
    uint8_t *text;
    size_t size;
    uint32_t total = tn_sweep_total(sw);
    tn_status s = tn_read_file(path, (size_t)64 << 20, &text, &size, err);
    if (s != TN_OK) return s;
    char head[128];
    snprintf(head, sizeof head, "{\"twinnet_sweep\":1,\"key\":\"%s\"", key);
    if (size < strlen(head) || memcmp(text, head, strlen(head)) != 0) {
        free(text);
        return tn_fail(err, TN_ERR_ARG, "%s: holds another sweep (other options, sources, runs or data): give the "
                       "command that made it to resume it, or another --out DIR", path);
    }
    /* One run a line: {"run":R,...,"fingerprint":"HEX"} or ...:null} */
    char *t = (char *)text;
    t[size - 1] = 0;
    for (char *line = strstr(t, "\n{\"run\":"); line; line = strstr(line + 1, "\n{\"run\":")) {
        unsigned long r = strtoul(line + 8, NULL, 10);
        char *fp = strstr(line, "\"fingerprint\":\"");
        char *end = strchr(line + 1, '\n');
        if (r >= total || fingerprints[r][0] || !fp || (end && fp > end) || strspn(fp + 15, "0123456789abcdef") != 64) continue;
        memcpy(fingerprints[r], fp + 15, 64);
        fingerprints[r][64] = 0;
    }
    free(text);
    return TN_OK;
}

/* A finished run's model must still be there with the fingerprint the manifest gives. */
static int run_intact(const tn_sweep *sw, uint32_t r, const char *fingerprint) {
    char name[32], path[4200], fp[65];
    tn_sweep_run_name(sw, r, name);
    snprintf(path, sizeof path, "%s/%s.epochs.jsonl", sw->dir, name);
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    snprintf(path, sizeof path, "%s/%s.tnm", sw->dir, name);
    tn_model m;
    if (tn_model_load(&m, path, NULL) != TN_OK) return 0;
    tn_net_fingerprint(&m.net, fp);
    tn_model_free(&m);
    return strcmp(fp, fingerprint) == 0;
}

tn_status tn_sweep_open_shard(const tn_sweep *sw, const char key[65], uint32_t index, uint32_t count,
                              char (*fingerprints)[65], uint32_t *finished, uint32_t *broken, tn_error *err) {
    uint32_t total = tn_sweep_total(sw);
    *finished = *broken = 0;
    for (uint32_t r = 0; r < total; r++) fingerprints[r][0] = 0;
    struct stat st;
    /* Shards started at once all find no directory: EEXIST is theirs. */
    if (stat(sw->dir, &st) != 0 && mkdir(sw->dir, 0777) != 0 && errno != EEXIST)
        return tn_fail(err, TN_ERR_IO, "%s: cannot create the sweep directory: %s", sw->dir, strerror(errno));
    if (stat(sw->dir, &st) != 0 || !S_ISDIR(st.st_mode)) return tn_fail(err, TN_ERR_ARG, "%s: not a directory", sw->dir);
    record_list l;
    tn_status s = list_records(sw, &l, err);
    for (size_t k = 0; k < l.n && s == TN_OK; k++) s = read_record(sw, l.paths[k], key, fingerprints, err);
    free_records(&l);
    for (uint32_t r = 0; r < total && s == TN_OK; r++) {
        if (!fingerprints[r][0]) continue;
        if (r % count != index) fingerprints[r][0] = 0; /* another shard's: not checked here */
        else if (run_intact(sw, r, fingerprints[r])) (*finished)++;
        else { fingerprints[r][0] = 0; (*broken)++; }
    }
    return s;
}

tn_status tn_sweep_open(const tn_sweep *sw, const char key[65], char (*fingerprints)[65], uint32_t *finished,
                        uint32_t *broken, tn_error *err) {
    return tn_sweep_open_shard(sw, key, 0, 1, fingerprints, finished, broken, err);
}

tn_status tn_sweep_clear_shards(const tn_sweep *sw, tn_error *err) {
    record_list l;
    tn_status s = list_records(sw, &l, err);
    for (size_t k = 0; k < l.n && s == TN_OK; k++)
        if (is_shard_record(strrchr(l.paths[k], '/') + 1) && unlink(l.paths[k]) != 0 && errno != ENOENT)
            s = tn_fail(err, TN_ERR_IO, "%s: cannot remove: %s", l.paths[k], strerror(errno));
    free_records(&l);
    return s;
}

/* ---- a sweep read back from its records (twinnet sweep --merge DIR) ---------------------------- */
/* The text after "key": in a record's head (before its runs), or NULL. */
static const char *after(const char *head, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *p = strstr(head, pattern);
    return p ? p + strlen(pattern) : NULL;
}

static int read_uint(const char *p, uint64_t max, uint64_t *v, const char **end) {
    char *stop;
    if (!p || *p < '0' || *p > '9') return 0;
    errno = 0;
    unsigned long long x = strtoull(p, &stop, 10);
    if (end) *end = stop;
    return errno == 0 && x <= max && (*v = x, 1);
}

static int read_u32(const char *head, const char *key, uint32_t *v) {
    uint64_t x;
    return read_uint(after(head, key), UINT32_MAX, &x, NULL) && (*v = (uint32_t)x, 1);
}

/* The name of names[] in quotes at p: its length with the quotes, 0 if none. */
static size_t match_name(const char *p, const char *const *names, int count, int *v) {
    for (int k = 0; p && *p == '"' && k < count; k++) {
        size_t n = strlen(names[k]);
        if (strncmp(p + 1, names[k], n) == 0 && p[1 + n] == '"') return *v = k, n + 2;
    }
    return 0;
}

static int read_name(const char *head, const char *key, const char *const *names, int count, int *v) {
    return match_name(after(head, key), names, count, v) != 0;
}

static int read_real(const char *head, const char *key, float *v) {
    const char *p = after(head, key);
    char *end;
    if (p) *v = strtof(p, &end);
    return p && end != p && *v == *v && *v - *v == 0;
}

/* "key":[N,N,...] of whole numbers 1..TN_MAX_WIDTH, as uint32. */
static int read_list(const char *head, const char *key, uint32_t *v, int max, int *n) {
    const char *p = after(head, key);
    uint64_t x;
    if (!p || *p++ != '[') return 0;
    for (*n = 0; *n < max && read_uint(p, TN_MAX_WIDTH, &x, &p) && x >= 1; p++) {
        v[(*n)++] = (uint32_t)x;
        if (*p == ']') return 1;
        if (*p != ',') return 0;
    }
    return 0;
}

/* "sources":["init","bit",...]: each a tn_vary name, at least one. */
static int read_sources(const char *head, tn_sweep *sw) {
    const char *p = after(head, "sources");
    size_t n = 1;
    int v;
    if (!p || *p != '[') return 0;
    for (sw->n_sources = 0; sw->n_sources < TN_VARY_COUNT; p += 1 + n) {
        if (!(n = match_name(p + 1, tn_vary_names, TN_VARY_COUNT, &v))) return 0;
        sw->sources[sw->n_sources++] = (tn_vary)v;
        if (p[1 + n] == ']') return 1;
        if (p[1 + n] != ',') return 0;
    }
    return 0;
}

/* The head of a record (its text up to "runs":[) into sw and key. */
static tn_status parse_head(tn_sweep *sw, char *head, const char *path, char key[65], tn_error *err) {
    static const char start[] = "{\"twinnet_sweep\":1,\"key\":\"";
    tn_config *c = &sw->base;
    const char *bad = NULL, *hex = head + sizeof start - 1, *flag = after(head, "l2_biases");
    char *runs = strstr(head, "\"runs\":[");
    int act, cost, init, l2;
    uint64_t seeds[2];
    if (!runs || strncmp(head, start, sizeof start - 1) || strspn(hex, "0123456789abcdef") != 64) bad = "head";
    else if (*runs = 0, !read_u32(head, "runs_per_source", &sw->runs) || sw->runs < 1 || sw->runs > 100000) bad = "runs_per_source";
    else if (!read_sources(head, sw)) bad = "sources";
    else if (!read_list(head, "sizes", c->sizes, TN_MAX_LAYERS, &c->n_sizes) || c->n_sizes < 2) bad = "sizes";
    else if (!read_name(head, "activation", tn_activation_names, TN_ACT_COUNT, &act) || !read_name(head, "cost", tn_cost_names, TN_COST_COUNT, &cost) ||
             !read_name(head, "init", tn_init_names, TN_INIT_COUNT, &init)) bad = "activation, cost or init";
    else if (!read_u32(head, "epochs", &c->epochs) || !read_u32(head, "batch", &c->batch) ||
             !read_u32(head, "train_size", &c->train_size) || !read_u32(head, "early_stop", &c->early_stop)) bad = "counts";
    else if (!read_real(head, "eta", &c->eta) || !read_real(head, "eta_decay", &c->eta_decay) || !read_real(head, "lambda", &c->lambda))
        bad = "eta, eta_decay or lambda";
    else if (!read_uint(after(head, "init_seed"), UINT64_MAX, &seeds[0], NULL) ||
             !read_uint(after(head, "order_seed"), UINT64_MAX, &seeds[1], NULL)) bad = "seeds";
    else if (!flag || !((l2 = strncmp(flag, "true", 4) == 0) || strncmp(flag, "false", 5) == 0)) bad = "l2_biases";
    if (bad) return tn_fail(err, TN_ERR_FORMAT, "%s: not a twinnet sweep manifest (%s)", path, bad);
    c->activation = (tn_activation)act;
    c->cost = (tn_cost)cost;
    c->init = (tn_init)init;
    c->l2_biases = l2;
    c->init_seed = seeds[0];
    c->order_seed = seeds[1];
    memcpy(key, hex, 64);
    key[64] = 0;
    return TN_OK;
}

tn_status tn_sweep_read(const char *dir, tn_sweep *sw, char key[65], tn_error *err) {
    memset(sw, 0, sizeof *sw);
    tn_config_default(&sw->base);
    sw->dir = dir;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return tn_fail(err, TN_ERR_ARG, "%s: not a directory", dir);
    record_list l;
    tn_status s = list_records(sw, &l, err);
    uint8_t *text = NULL;
    size_t size;
    if (s == TN_OK && l.n == 0) s = tn_fail(err, TN_ERR_ARG, "%s: not a twinnet sweep (no manifest.json, no shard's record)", dir);
    if (s == TN_OK) s = tn_read_file(l.paths[0], (size_t)64 << 20, &text, &size, err);
    if (s == TN_OK && size == 0) s = tn_fail(err, TN_ERR_FORMAT, "%s: empty", l.paths[0]);
    if (s == TN_OK) {
        text[size - 1] = 0;
        s = parse_head(sw, (char *)text, l.paths[0], key, err);
    }
    free(text);
    free_records(&l);
    return s;
}
