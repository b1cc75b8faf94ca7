/* The stability study's journal, DIR/journal.jsonl: its first line says which study it is (the
 * parent's training, the grid, the perturbations, the data), each further line one finished piece
 * (a checkpoint, a child, a pair's measurements), appended whole with one write and synced, as a
 * sweep's manifest is (sweep_files.c); a line cut by a kill is ignored. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "stability.h"
#include "sweep_files.h"

#define MAX_JOURNAL ((size_t)256 << 20)

static char *header(const tn_stability *st, const uint8_t data_sha256[32], size_t *n) {
    tn_json j;
    char hex[TN_HEX_SIZE];
    tn_json_begin_mem(&j);
    tn_json_object(&j, NULL);
    tn_json_uint(&j, "stability", 1);
    tn_json_object(&j, "config");
    tn_config_write_json(&st->base, TN_IN_MANIFEST, &j);
    tn_json_end(&j);
    tn_json_array(&j, "steps");
    for (uint32_t i = 0; i < st->n_steps; i++) tn_json_uint(&j, NULL, st->steps[i]);
    tn_json_end(&j);
    tn_json_uint(&j, "pairs", st->pairs);
    tn_json_bool(&j, "order", st->order != 0);
    tn_json_bool(&j, "ulp", st->ulp != 0);
    tn_json_array(&j, "sigmas");
    for (uint32_t s = 0; s < st->n_sigmas; s++) tn_json_number(&j, NULL, st->sigmas[s]);
    tn_json_end(&j);
    tn_json_uint(&j, "path_points", st->path_points);
    tn_hex(data_sha256, 32, hex);
    tn_json_string(&j, "data", hex);
    tn_json_end(&j);
    char *text = tn_json_take(&j, n);
    if (text && *n && text[*n - 1] == '\n') text[--*n] = 0;   /* the writer's newline at depth 0 */
    return text;
}

tn_status tn_stability_journal_append(const tn_stability *st, const char *line, size_t n, tn_error *err) {
    if (n && line[n - 1] == '\n') n--;   /* the writer's newline at depth 0: one per line */
    char *buf = malloc(n + 1);
    if (!buf) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    memcpy(buf, line, n);
    buf[n] = '\n';
    tn_status s = tn_sweep_file_append(st->dir, TN_STABILITY_JOURNAL, buf, n + 1, err);
    free(buf);
    return s;
}

tn_status tn_stability_journal_line(const tn_stability *st, tn_json *j, tn_error *err) {
    size_t n;
    char *line = tn_json_take(j, &n);
    if (!line) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    tn_status s = tn_stability_journal_append(st, line, n, err);
    free(line);
    return s;
}

void tn_stability_journal_free(tn_stab_journal *j) {
    free(j->checkpoint); free(j->child); free(j->pair); free(j->values);
    memset(j, 0, sizeof *j);
}

static int hex_of(const tn_json_value *v, char out[TN_HEX_SIZE]) {
    if (!v || v->kind != TN_JSON_STRING || v->count != TN_HEX_SIZE - 1) return 0;
    memcpy(out, v->text, TN_HEX_SIZE);
    return 1;
}

/* One line into j; lines that are not one of the three kinds are left alone. */
static void take_line(const tn_stability *st, const tn_json_value *o, tn_stab_journal *j) {
    const tn_json_value *v;
    uint64_t x;
    char fp[TN_HEX_SIZE];
    if ((v = tn_json_get(o, "checkpoint")) && tn_json_to_u64(v, UINT64_MAX, &x) && hex_of(tn_json_get(o, "fingerprint"), fp)) {
        for (uint32_t i = 0; i < st->n_steps; i++)
            if (st->steps[i] == x) memcpy(j->checkpoint[i], fp, TN_HEX_SIZE);
    } else if ((v = tn_json_get(o, "child")) && v->kind == TN_JSON_STRING && hex_of(tn_json_get(o, "fingerprint"), fp)) {
        uint32_t n = tn_stability_children(st);
        for (uint32_t c = 0; c < n; c++) {
            char name[48];
            tn_stability_child_name(st, c, name);
            if (!strcmp(name, v->text)) { memcpy(j->child[c], fp, TN_HEX_SIZE); break; }
        }
    } else if ((v = tn_json_get(o, "pair")) && tn_json_to_u64(v, tn_stability_pairs(st) - 1, &x)) {
        const tn_json_value *vals = tn_json_get(o, "values"), *w;
        char a[TN_HEX_SIZE], b[TN_HEX_SIZE];
        if (!vals || vals->kind != TN_JSON_ARRAY || vals->count != TN_STAB_METRIC_COUNT ||
            !hex_of(tn_json_get(o, "a"), a) || !hex_of(tn_json_get(o, "b"), b)) return;
        int k = 0;
        for (w = vals->first; w; w = w->next, k++) j->values[x * TN_STAB_METRIC_COUNT + k] = w->kind == TN_JSON_NUMBER ? w->number : NAN;
        memcpy(j->pair[x][0], a, TN_HEX_SIZE);
        memcpy(j->pair[x][1], b, TN_HEX_SIZE);
    }
}

/* What a kill left in DIR: the temporary files of atomic writes (NAME.tnm.tmp.*, the journal's). No
 * piece of this study is under way when it is read (the directory is locked; the pool waits). */
static void clean_temporaries(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[TN_PATH_CAP];
    while (d && (e = readdir(d)) != NULL)
        if ((strstr(e->d_name, ".tnm.tmp.") || strstr(e->d_name, TN_STABILITY_JOURNAL ".tmp.")) &&
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
            unlink(path);
    if (d) closedir(d);
}

tn_status tn_stability_journal_read(const tn_stability *st, const uint8_t data_sha256[32], tn_stab_journal *j, tn_error *err) {
    memset(j, 0, sizeof *j);
    uint32_t children = tn_stability_children(st), pairs = tn_stability_pairs(st);
    j->checkpoint = calloc(st->n_steps + 1, sizeof *j->checkpoint);
    j->child = calloc(children + 1, sizeof *j->child);
    j->pair = calloc(pairs + 1, sizeof *j->pair);
    j->values = calloc((size_t)pairs * TN_STAB_METRIC_COUNT + 1, sizeof *j->values);
    size_t hn;
    char *head = header(st, data_sha256, &hn);
    if (!j->checkpoint || !j->child || !j->pair || !j->values || !head) {
        free(head);
        tn_stability_journal_free(j);
        return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    }
    if (mkdir(st->dir, 0777) != 0 && errno != EEXIST) {
        free(head);
        tn_stability_journal_free(j);
        return tn_fail(err, TN_ERR_IO, "%s: cannot make the directory: %s", st->dir, strerror(errno));
    }
    clean_temporaries(st->dir);
    int regular;
    tn_status s = tn_sweep_file_kind(st->dir, TN_STABILITY_JOURNAL, &regular, err);
    if (s == TN_OK && !regular) {
        head[hn] = '\n';
        s = tn_sweep_file_write(st->dir, TN_STABILITY_JOURNAL, head, hn + 1, err);
        head[hn] = 0;
    }
    uint8_t *buf = NULL;
    size_t size = 0;
    if (s == TN_OK) s = tn_sweep_file_read(st->dir, TN_STABILITY_JOURNAL, MAX_JOURNAL, &buf, &size, err);
    if (s == TN_OK && (size < hn + 1 || memcmp(buf, head, hn) != 0 || buf[hn] != '\n'))
        s = tn_fail(err, TN_ERR_ARG, "%s/%s: another study (other options or data): use another --dir", st->dir, TN_STABILITY_JOURNAL);
    for (size_t at = hn + 1; s == TN_OK && at < size;) {
        const uint8_t *nl = memchr(buf + at, '\n', size - at);
        if (!nl) break;   /* a line cut by a kill */
        tn_json_doc doc = {0};
        tn_error ignored;
        if (tn_json_parse("journal", buf + at, (size_t)(nl - (buf + at)), &doc, &ignored) == TN_OK) take_line(st, doc.root, j);
        tn_json_doc_free(&doc);
        at = (size_t)(nl - buf) + 1;
    }
    free(buf);
    free(head);
    if (s != TN_OK) tn_stability_journal_free(j);
    return s;
}

tn_status tn_stability_open(const tn_stability *st, const uint8_t data_sha256[32], uint8_t *done_children,
                            uint8_t *done_pairs, double *values, tn_error *err) {
    tn_stab_journal j;
    tn_status s = tn_stability_journal_read(st, data_sha256, &j, err);
    if (s != TN_OK) return s;
    uint32_t children = tn_stability_children(st), pairs = tn_stability_pairs(st), per = 1 + tn_stability_perturbations(st);
    char (*fp)[TN_HEX_SIZE] = calloc(children + 1, sizeof *fp);
    if (!fp) { tn_stability_journal_free(&j); return tn_fail(err, TN_ERR_NOMEM, "out of memory"); }
    for (uint32_t c = 0; c < children; c++) {
        char name[48];
        tn_model m;
        tn_error e;
        tn_stability_child_name(st, c, name);
        strcat(name, ".tnm");
        done_children[c] = 0;
        if (!j.child[c][0] || tn_sweep_model_load(st->dir, name, &m, &e) != TN_OK) continue;
        tn_net_fingerprint(&m.net, fp[c]);
        tn_model_free(&m);
        done_children[c] = !strcmp(fp[c], j.child[c]);
    }
    for (uint32_t q = 0; q < pairs; q++) {
        uint32_t P = per - 1, base = q / P * per, other = base + q % P + 1;
        done_pairs[q] = done_children[base] && done_children[other] && !strcmp(j.pair[q][0], fp[base]) &&
                        !strcmp(j.pair[q][1], fp[other]);
        memcpy(values + (size_t)q * TN_STAB_METRIC_COUNT, j.values + (size_t)q * TN_STAB_METRIC_COUNT, TN_STAB_METRIC_COUNT * sizeof *values);
    }
    free(fp);
    tn_stability_journal_free(&j);
    return TN_OK;
}
