/* A model's provenance (twinnet.h, DESIGN.md section 5): how its start, data and initialisation
 * are known and where an imported model came from, as the JSON object a version 3 model file
 * holds. One canonical text per provenance: the reader re-writes what it read and refuses any
 * other spelling, so a parsed file serialises back to exactly its own bytes. */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "model.h"

int tn_provenance_is_zero(const tn_provenance *p) {
    return p->start == TN_START_SEEDS && !p->data_unknown && !p->init_unknown && !p->source[0] &&
           !p->origin[0] && p->input_scale == 0.0 && p->input_mean == 0.0 && p->input_std == 0.0 && p->max_rounding == 0.0 &&
           !p->parents[0][0] && !p->curve[0] && !p->state.saved;
}

tn_status tn_provenance_copy(tn_provenance *dst, const tn_provenance *src, size_t n_params, tn_error *err) {
    *dst = *src;
    dst->start_params = NULL;
    dst->state.last_finite = NULL;
    const float *from[2] = {src->start_params, src->state.last_finite};
    float **to[2] = {&dst->start_params, &dst->state.last_finite};
    for (int k = 0; k < 2; k++) {
        if (!from[k]) continue;
        if (!n_params || !(*to[k] = malloc(n_params * sizeof(float)))) {
            free(dst->start_params);
            dst->start_params = NULL;
            return tn_fail(err, TN_ERR_NOMEM, "out of memory for the start parameters");
        }
        memcpy(*to[k], from[k], n_params * sizeof(float));
    }
    return TN_OK;
}

int tn_model_start(const tn_model *m, float *start) {
    const tn_provenance *p = &m->provenance;
    if (p->start == TN_START_SUPPLIED && p->start_params) {
        memcpy(start, p->start_params, m->net.n_params * sizeof(float));
        return 1;
    }
    if (p->start != TN_START_SEEDS) return 0;
    tn_net net;
    if (tn_net_init(&net, m->net.sizes, m->net.n_sizes, m->net.activation, m->net.cost, NULL) != TN_OK) return 0;
    tn_net_randomize(&net, m->config.init, m->config.init_seed);
    tn_net_get_canonical(&net, start);
    tn_net_free(&net);
    return 1;
}

/* The canonical text: start, data and init always; source and origin when set; the input scaling
 * when folded; the rounding when there was some. Room for later fields (DESIGN.md section 6):
 * "spawn_step" is a name reserved for them. A curve's bend (curve_train.c) adds "parents" (fingerprints of A
 * and B) and "curve" (its type, the alignment of B and the fingerprint of that aligned B). */
char *tn_provenance_json(const tn_provenance *p, tn_init init, size_t *len) {
    tn_json j;
    tn_json_begin_mem(&j);
    tn_json_object(&j, NULL);
    tn_json_string(&j, "start", (unsigned)p->start < TN_START_COUNT ? tn_start_known_names[p->start] : "?");
    tn_json_string(&j, "data", p->data_unknown ? "unknown" : "known");
    tn_json_string(&j, "init", p->init_unknown ? "unknown" : tn_init_name(init));
    if (p->source[0]) tn_json_string(&j, "source", p->source);
    if (p->origin[0]) tn_json_string(&j, "origin", p->origin);
    if (p->input_scale != 0.0 || p->input_mean != 0.0 || p->input_std != 0.0) {
        tn_json_number(&j, "input_scale", p->input_scale);
        tn_json_number(&j, "input_mean", p->input_mean);
        tn_json_number(&j, "input_std", p->input_std);
    }
    if (p->max_rounding != 0.0) tn_json_number(&j, "max_rounding", p->max_rounding);
    if (p->parents[0][0]) { /* "parents": [fingerprint, ...] */
        tn_json_array(&j, "parents");
        for (int i = 0; i < 2 && p->parents[i][0]; i++) tn_json_string(&j, NULL, p->parents[i]);
        tn_json_end(&j);
    }
    if (p->curve[0]) { /* "curve": {"type", "align", "end"} (a curve's bend) */
        tn_json_object(&j, "curve");
        tn_json_string(&j, "type", p->curve);
        tn_json_string(&j, "align", p->curve_align);
        tn_json_string(&j, "end", p->curve_end);
        tn_json_end(&j);
    }
    if (p->parents[0][0] && !p->curve[0]) { /* a spawned run (train --from): where and what changed */
        tn_json_uint(&j, "spawn_step", p->spawn_step);
        tn_json_string(&j, "spawn", p->spawn[0] ? p->spawn : "none");
    }
    if (p->state.saved) {
        const tn_train_state *st = &p->state;
        tn_json_object(&j, "state");
        tn_json_string(&j, "on_nan", (unsigned)st->on_nan < TN_ON_NAN_COUNT ? tn_on_nan_names[st->on_nan] : "?");
        tn_json_uint(&j, "best_valid", st->best_valid);
        tn_json_uint(&j, "since_best", st->since_best);
        tn_json_uint(&j, "best_test_correct", st->best_test_correct);
        tn_json_uint(&j, "best_epoch", st->best_epoch);
        tn_json_uint(&j, "non_finite_epoch", st->non_finite_epoch);
        tn_json_string(&j, "validation", st->validation[0] ? st->validation : "none");
        tn_json_end(&j);
    }
    tn_json_end(&j);
    return tn_json_take(&j, len);
}

static int text_field(const tn_json_value *v, char *out, size_t cap) {
    if (!v) return 1;
    if (v->kind != TN_JSON_STRING || v->count >= cap || !v->count) return 0;
    memcpy(out, v->text, v->count + 1);
    return 1;
}

/* 64 lowercase hex digits: a fingerprint, a data hash. */
static int is_hex64(const tn_json_value *v) {
    if (!v || v->kind != TN_JSON_STRING || v->count != TN_HEX_SIZE - 1) return 0;
    for (size_t k = 0; k < v->count; k++)
        if (!((v->text[k] >= '0' && v->text[k] <= '9') || (v->text[k] >= 'a' && v->text[k] <= 'f'))) return 0;
    return 1;
}

/* "parents": [one fingerprint], "spawn_step", "spawn" (all or none); "state": {...}. */
/* A spawned run's "spawn_step" and "spawn", with its one parent (parents read by lineage_fields). */
static int spawn_fields(const tn_json_value *root, tn_provenance *p) {
    const tn_json_value *parents = tn_json_get(root, "parents"), *step = tn_json_get(root, "spawn_step"),
                        *words = tn_json_get(root, "spawn");
    if (!step && !words) return 1;
    return parents && step && words && parents->kind == TN_JSON_ARRAY && parents->count == 1 && is_hex64(parents->first) &&
           !tn_json_get(root, "curve") && tn_json_to_u64(step, UINT64_MAX, &p->spawn_step) &&
           text_field(words, p->spawn, sizeof p->spawn);
}

static int state_fields(const tn_json_value *v, tn_train_state *st) {
    if (!v) return 1;
    static const char *const names[] = {"best_valid", "since_best", "best_test_correct", "best_epoch", "non_finite_epoch"};
    uint32_t *to[] = {&st->best_valid, &st->since_best, &st->best_test_correct, &st->best_epoch, &st->non_finite_epoch};
    int on_nan = tn_json_to_name(tn_json_get(v, "on_nan"), tn_on_nan_names, TN_ON_NAN_COUNT);
    if (v->kind != TN_JSON_OBJECT || on_nan < 0) return 0;
    for (int k = 0; k < 5; k++) {
        uint64_t x;
        if (!tn_json_to_u64(tn_json_get(v, names[k]), UINT32_MAX, &x)) return 0;
        *to[k] = (uint32_t)x;
    }
    const tn_json_value *valid = tn_json_get(v, "validation");
    if (!valid || valid->kind != TN_JSON_STRING || (strcmp(valid->text, "none") && !is_hex64(valid))) return 0;
    if (strcmp(valid->text, "none")) memcpy(st->validation, valid->text, TN_HEX_SIZE);
    st->on_nan = (tn_on_nan)on_nan;
    st->saved = 1;
    return 1;
}

static int number_field(const tn_json_value *v, double *out) {
    if (!v) return 1;
    if (v->kind != TN_JSON_NUMBER) return 0;
    *out = v->number;
    return 1;
}

/* "parents" (1 or 2 strings) and "curve" (three strings); their spelling is checked by the re-writing. */
static int lineage_fields(const tn_json_value *root, tn_provenance *p) {
    const tn_json_value *v = tn_json_get(root, "parents"), *item;
    if (v) {
        if (v->kind != TN_JSON_ARRAY || v->count < 1 || v->count > 2) return 0;
        int i = 0;
        for (item = v->first; item; item = item->next)
            if (!text_field(item, p->parents[i++], TN_HEX_SIZE)) return 0;
    }
    if (!(v = tn_json_get(root, "curve"))) return 1;
    if (v->kind != TN_JSON_OBJECT || v->count != 3) return 0;
    const tn_json_value *type = tn_json_get(v, "type"), *align = tn_json_get(v, "align"), *end = tn_json_get(v, "end");
    return type && align && end && text_field(type, p->curve, sizeof p->curve) &&
           text_field(align, p->curve_align, sizeof p->curve_align) && text_field(end, p->curve_end, sizeof p->curve_end);
}

tn_status tn_provenance_parse(const char *name, const uint8_t *bytes, size_t n, tn_init init, tn_provenance *p,
                              tn_error *err) {
    static const char *const data_names[2] = {"known", "unknown"};
    static const char *const known[] = {"start", "data", "init", "source", "origin", "input_scale", "input_mean",
                                        "input_std", "max_rounding", "parents", "curve", "spawn_step", "spawn", "state"};
    memset(p, 0, sizeof *p);
    tn_json_doc doc = {0};
    char what[64];
    snprintf(what, sizeof what, "%.40s: provenance", name);
    tn_status s = tn_json_parse(what, bytes, n, &doc, err);
    if (s != TN_OK) return s == TN_ERR_NOMEM ? s : TN_ERR_FORMAT;
    const tn_json_value *root = doc.root, *v;
    const char *bad = NULL;
    if (root->kind != TN_JSON_OBJECT) bad = "not a JSON object";
    for (v = root->kind == TN_JSON_OBJECT ? root->first : NULL; v && !bad; v = v->next) {
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(v->key, known[k])) k++;
        if (k == sizeof known / sizeof *known) bad = "an unknown member";
    }
    int start = -1, data = -1, init_name = -1;
    if (!bad) {
        start = tn_json_to_name(tn_json_get(root, "start"), tn_start_known_names, TN_START_COUNT);
        data = tn_json_to_name(tn_json_get(root, "data"), data_names, 2);
        v = tn_json_get(root, "init");
        init_name = v && v->kind == TN_JSON_STRING && !strcmp(v->text, "unknown") ? TN_INIT_COUNT
                                                                                 : tn_json_to_name(v, tn_init_names, TN_INIT_COUNT);
        if (start < 0 || data < 0 || init_name < 0) bad = "start, data or init missing or unknown";
        else if (init_name < TN_INIT_COUNT && init_name != (int)init) bad = "init differs from the header's";
    }
    if (!bad) {
        p->start = (tn_start_known)start;
        p->data_unknown = data == 1;
        p->init_unknown = init_name == TN_INIT_COUNT;
        if (!text_field(tn_json_get(root, "source"), p->source, sizeof p->source) ||
            !text_field(tn_json_get(root, "origin"), p->origin, sizeof p->origin) ||
            !number_field(tn_json_get(root, "input_scale"), &p->input_scale) ||
            !number_field(tn_json_get(root, "input_mean"), &p->input_mean) ||
            !number_field(tn_json_get(root, "input_std"), &p->input_std) ||
            !number_field(tn_json_get(root, "max_rounding"), &p->max_rounding) || !spawn_fields(root, p) ||
            !state_fields(tn_json_get(root, "state"), &p->state))
            bad = "a member of the wrong type or length";
        else if (!lineage_fields(root, p)) bad = "parents or curve of the wrong form";
    }
    tn_json_doc_free(&doc);
    if (!bad) {
        size_t len;
        char *again = tn_provenance_json(p, init, &len);
        if (!again) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
        if (len != n || memcmp(again, bytes, n) != 0) bad = "not in the form twinnet writes";
        free(again);
    }
    if (bad) {
        memset(p, 0, sizeof *p);
        return tn_fail(err, TN_ERR_FORMAT, "%s: corrupted: provenance block: %s", name, bad);
    }
    return TN_OK;
}
