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

#include "config.h"
#include "json.h"
#include "read.h"
#include "sweep_files.h"
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
    char path[TN_PATH_CAP];
    struct stat st;
    memset(l, 0, sizeof *l);
    DIR *d = opendir(sw->dir);
    if (!d) return tn_fail(err, TN_ERR_IO, "%s: %s", sw->dir, strerror(errno));
    snprintf(path, sizeof path, "%s/manifest.json", sw->dir);
    int ok = lstat(path, &st) != 0 || add_record(l, sw->dir, "manifest.json");
    for (struct dirent *e; ok && (e = readdir(d)); )
        if (is_shard_record(e->d_name)) ok = add_record(l, sw->dir, e->d_name);
    closedir(d);
    return ok ? TN_OK : tn_fail(err, TN_ERR_NOMEM, "out of memory");
}

static void free_records(record_list *l) {
    for (size_t k = 0; k < l->n; k++) free(l->paths[k]);
    free(l->paths);
}

/* ---- the record's format ------------------------------------------------------------------------
 * A header, one JSON object (any layout: json.dump(indent=2) may have rewritten it), then JSON Lines:
 * {"run":R,"name":"NAME","source":"SOURCE","index":I,"fingerprint":"HEX"} for each run as it finished
 * (sweep.c). Version 1 (before
 * the journal) had the runs in the header ("runs": [...]) and no lines; it is still read. */
#define HEAD_MAX ((size_t)64 << 20) /* read before the header is known: version 1's whole limit */
#define LINE_MAX_BYTES 200          /* per run: a record line is about 100 bytes */

typedef struct {
    tn_json_doc head;
    uint8_t *text;
    size_t size, body; /* body: where the lines start */
} record_file;

/* Where the JSON object that text starts with (after white space) ends: after its closing brace;
 * 0 when it does not close within n (a truncated header, or not an object). */
static size_t header_end(const uint8_t *t, size_t n) {
    size_t i = 0;
    int depth = 0, in_string = 0;
    while (i < n && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) i++;
    if (i >= n || t[i] != '{') return 0;
    for (; i < n; i++) {
        uint8_t c = t[i];
        if (in_string) { if (c == '\\') i++; else if (c == '"') in_string = 0; }
        else if (c == '"') in_string = 1;
        else if (c == '{' || c == '[') depth++;
        else if ((c == '}' || c == ']') && --depth == 0) return i + 1;
    }
    return 0;
}

/* How large the record may be, from its header: the header and LINE_MAX_BYTES per run (plus as
 * many again: a resumed sweep may append a redone run's line twice before the next start compacts). */
static size_t record_limit(const uint8_t *head, size_t n) {
    size_t end = header_end(head, n);
    tn_json_doc doc;
    if (!end) return n < HEAD_MAX ? SIZE_MAX : HEAD_MAX; /* the whole file is in head: the parser says what is wrong */
    if (tn_json_parse("header", head, end, &doc, NULL) != TN_OK) return SIZE_MAX;
    uint64_t runs;
    const tn_json_value *sources = tn_json_get(doc.root, "sources");
    size_t limit = SIZE_MAX;
    if (tn_json_to_u64(tn_json_get(doc.root, "runs_per_source"), 100000, &runs) && sources && sources->kind == TN_JSON_ARRAY &&
        sources->count <= TN_VARY_COUNT)
        limit = end + 16 + 2 * LINE_MAX_BYTES * (size_t)runs * sources->count;
    tn_json_doc_free(&doc);
    return limit < end ? end : limit;
}

static void record_free(record_file *f) {
    tn_json_doc_free(&f->head);
    free(f->text);
}

/* A record read (bounded by its header) and its header parsed, checked to be a twinnet sweep's. */
static tn_status load_record(const char *path, record_file *f, tn_error *err) {
    char dir[TN_PATH_CAP];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    memset(f, 0, sizeof *f);
    tn_status s = tn_sweep_file_read_as(dir, strrchr(path, '/') + 1, HEAD_MAX, record_limit, &f->text, &f->size, err);
    if (s != TN_OK) return s;
    size_t end = header_end(f->text, f->size);
    s = tn_json_parse(path, f->text, end ? end : f->size, &f->head, err);
    if (s == TN_ERR_FORMAT && err) /* the header is damaged or cut: say what it means, and what to do */
        snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg), "; the sweep's record is damaged or "
                 "truncated: move it away and run the same command again (its runs are then redone), or restore it");
    uint64_t version;
    if (s == TN_OK && !(tn_json_to_u64(tn_json_get(f->head.root, "twinnet_sweep"), UINT64_MAX, &version) && (version == 1 || version == 2))) {
        tn_json_doc_free(&f->head);
        s = tn_fail(err, TN_ERR_FORMAT, "%s: not a twinnet sweep manifest (twinnet_sweep)", path);
    }
    if (s != TN_OK) { free(f->text); memset(f, 0, sizeof *f); return s; }
    f->body = end ? end : f->size;
    return TN_OK;
}

/* The record's key, or "". */
static const char *record_key(const tn_json_doc *doc) {
    const tn_json_value *k = tn_json_get(doc->root, "key");
    return k && k->kind == TN_JSON_STRING && k->count == 64 && strspn(k->text, "0123456789abcdef") == 64 ? k->text : "";
}

/* {"run":R,...,"fingerprint":"HEX"}: run R finished (null or no fingerprint: not finished). */
static void take_run(const tn_json_value *run, uint32_t total, char (*fingerprints)[TN_HEX_SIZE]) {
    const tn_json_value *fp = tn_json_get(run, "fingerprint");
    uint64_t r;
    if (!tn_json_to_u64(tn_json_get(run, "run"), total - 1, &r) || !fp || fp->kind != TN_JSON_STRING || fp->count != 64 ||
        strspn(fp->text, "0123456789abcdef") != 64) return;
    memcpy(fingerprints[r], fp->text, TN_HEX_SIZE);
}

/* A record's fingerprints fill the entries of fingerprints (a later line of one record overrides an
 * earlier one: a redone run); another key is TN_ERR_ARG. A last line without its newline (a kill
 * during the append) is ignored; any other line that is not a record is an error. */
static tn_status read_record(const tn_sweep *sw, const char *path, const char key[TN_HEX_SIZE], char (*fingerprints)[TN_HEX_SIZE],
                             tn_error *err) {
    uint32_t total = tn_sweep_total(sw);
    record_file f;
    tn_status s = load_record(path, &f, err);
    if (s != TN_OK) return s;
    if (strcmp(record_key(&f.head), key) != 0) {
        record_free(&f);
        return tn_fail(err, TN_ERR_ARG, "%s: holds another sweep (other options, sources, runs or data): give the "
                       "command that made it to resume it, or another --out DIR", path);
    }
    const tn_json_value *runs = tn_json_get(f.head.root, "runs"); /* version 1 */
    for (const tn_json_value *run = runs && runs->kind == TN_JSON_ARRAY ? runs->first : NULL; run; run = run->next)
        take_run(run, total, fingerprints);
    size_t line_no = 1;
    for (const uint8_t *t = f.text + f.body, *end = f.text + f.size; t < end && s == TN_OK; line_no++) {
        const uint8_t *nl = memchr(t, '\n', (size_t)(end - t));
        if (!nl) break; /* cut by a kill: the run is not recorded */
        size_t n = (size_t)(nl - t);
        while (n && (t[n - 1] == ' ' || t[n - 1] == '\r' || t[n - 1] == '\t')) n--;
        size_t skip = 0;
        while (skip < n && (t[skip] == ' ' || t[skip] == '\t')) skip++;
        tn_json_doc line;
        if (skip < n) {
            int parsed = tn_json_parse(path, t + skip, n - skip, &line, NULL) == TN_OK;
            if (!parsed || line.root->kind != TN_JSON_OBJECT) {
                if (parsed) tn_json_doc_free(&line);
                s = tn_fail(err, TN_ERR_FORMAT, "%s: record line %zu after the header is not a run's record: the sweep's "
                            "record is damaged: move it away and run the same command again (its runs are then redone)",
                            path, line_no);
            } else {
                take_run(line.root, total, fingerprints);
                tn_json_doc_free(&line);
            }
        }
        t = nl + 1;
    }
    record_free(&f);
    return s;
}

/* A finished run's model must still be there with the fingerprint the manifest gives. */
static int run_intact(const tn_sweep *sw, uint32_t r, const char *fingerprint) {
    char name[32], file[48], fp[TN_HEX_SIZE];
    int regular;
    tn_sweep_run_name(sw, r, name);
    snprintf(file, sizeof file, "%s.epochs.jsonl", name);
    if (tn_sweep_file_kind(sw->dir, file, &regular, NULL) != TN_OK || !regular) return 0;
    snprintf(file, sizeof file, "%s.tnm", name);
    tn_model m;
    if (tn_sweep_model_load(sw->dir, file, &m, NULL) != TN_OK) return 0;
    tn_net_fingerprint(&m.net, fp);
    tn_model_free(&m);
    return strcmp(fp, fingerprint) == 0;
}

tn_status tn_sweep_open_shard(const tn_sweep *sw, const char key[TN_HEX_SIZE], uint32_t index, uint32_t count,
                              char (*fingerprints)[TN_HEX_SIZE], uint32_t *finished, uint32_t *broken, tn_error *err) {
    uint32_t total = tn_sweep_total(sw);
    *finished = *broken = 0;
    for (uint32_t r = 0; r < total; r++) fingerprints[r][0] = 0;
    struct stat st;
    /* Shards started at once all find no directory: EEXIST is theirs. */
    if (stat(sw->dir, &st) != 0 && mkdir(sw->dir, 0777) != 0 && errno != EEXIST)
        return tn_fail(err, TN_ERR_IO, "%s: cannot create the sweep directory: %s", sw->dir, strerror(errno));
    if (stat(sw->dir, &st) != 0 || !S_ISDIR(st.st_mode)) return tn_fail(err, TN_ERR_ARG, "%s: not a directory", sw->dir);
    char own[64];
    snprintf(own, sizeof own, TN_SWEEP_SHARD_RECORD, index + 1, count);
    tn_sweep_clean(sw, index, count, own);
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

tn_status tn_sweep_open(const tn_sweep *sw, const char key[TN_HEX_SIZE], char (*fingerprints)[TN_HEX_SIZE], uint32_t *finished,
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
/* The sweep a record describes: its runs, sources and configuration (the table's TN_IN_MANIFEST
 * fields; one absent keeps its default: a manifest written before the field existed). */
static tn_status parse_head(tn_sweep *sw, const tn_json_doc *doc, const char *path, char key[TN_HEX_SIZE], tn_error *err) {
    const tn_json_value *sources = tn_json_get(doc->root, "sources");
    const char *bad = NULL;
    uint64_t runs;
    if (!*record_key(doc)) bad = "key";
    else if (!tn_json_to_u64(tn_json_get(doc->root, "runs_per_source"), 100000, &runs) || runs < 1) bad = "runs_per_source";
    else if (!sources || sources->kind != TN_JSON_ARRAY || sources->count < 1 || sources->count > TN_VARY_COUNT) bad = "sources";
    else bad = tn_config_read_json(&sw->base, TN_IN_MANIFEST, tn_json_get(doc->root, "config"));
    for (const tn_json_value *v = bad ? NULL : sources->first; v && !bad; v = v->next) {
        int k = tn_json_to_name(v, tn_vary_names, TN_VARY_COUNT);
        for (int i = 0; i < sw->n_sources && k >= 0; i++) k = sw->sources[i] == (tn_vary)k ? -1 : k;
        if (k < 0) bad = "sources";
        else sw->sources[sw->n_sources++] = (tn_vary)k;
    }
    if (bad) return tn_fail(err, TN_ERR_FORMAT, "%s: not a twinnet sweep manifest (%s)", path, bad);
    sw->runs = (uint32_t)runs;
    memcpy(key, record_key(doc), TN_HEX_SIZE);
    return TN_OK;
}

tn_status tn_sweep_read(const char *dir, tn_sweep *sw, char key[TN_HEX_SIZE], tn_error *err) {
    memset(sw, 0, sizeof *sw);
    tn_config_default(&sw->base);
    sw->dir = dir;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return tn_fail(err, TN_ERR_ARG, "%s: not a directory", dir);
    record_list l;
    tn_status s = list_records(sw, &l, err);
    record_file f;
    if (s == TN_OK && l.n == 0) s = tn_fail(err, TN_ERR_ARG, "%s: not a twinnet sweep (no manifest.json, no shard's record)", dir);
    if (s == TN_OK && (s = load_record(l.paths[0], &f, err)) == TN_OK) {
        s = parse_head(sw, &f.head, l.paths[0], key, err);
        record_free(&f);
    }
    free_records(&l);
    return s;
}
