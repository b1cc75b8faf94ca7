/* network2.py's save file (Nielsen, "Neural Networks and Deep Learning", chapter 3): JSON
 * {"sizes": [784, 30, 10], "weights": [W1, W2, ...], "biases": [b1, ...], "cost": "QuadraticCost"
 * | "CrossEntropyCost"} with W (n_out, n_in) and b (n_out, 1) as nested lists; sigmoid on every
 * layer. Read through the one JSON reader (each number the double nearest its text, as Python's
 * json reads it); written through the one JSON writer (%.9g: a float32 comes back exactly). */
#include <stdio.h>
#include <stdlib.h>

#include "import.h"
#include "json.h"

static const char *const cost_names[] = {"QuadraticCost", "CrossEntropyCost"};

/* list[l] as a (rows, cols) matrix of numbers (cols 1 and column lists for the biases). */
static tn_status matrix(const char *file, const char *what, int l, const tn_json_value *m, uint32_t rows, uint32_t cols,
                        tn_tensors *ts, tn_error *err) {
    char key[32];
    snprintf(key, sizeof key, "%s[%d]", what, l);
    if (!m || m->kind != TN_JSON_ARRAY || m->count != rows)
        return tn_fail(err, TN_ERR_FORMAT, "%s: %s: not a list of %u rows (sizes says so)", file, key, rows);
    tn_tensor *t;
    const uint64_t shape[2] = {rows, cols};
    tn_status added = tn_tensors_add(ts, file, key, 2, shape, TN_DT_F64, &t, err);
    if (added != TN_OK) return added;
    size_t k = 0;
    uint32_t r = 0;
    for (const tn_json_value *row = m->first; row; row = row->next, r++) {
        if (row->kind != TN_JSON_ARRAY || row->count != cols)
            return tn_fail(err, TN_ERR_FORMAT, "%s: %s[%u]: not a list of %u numbers", file, key, r, cols);
        for (const tn_json_value *x = row->first; x; x = x->next) {
            if (x->kind != TN_JSON_NUMBER) return tn_fail(err, TN_ERR_FORMAT, "%s: %s[%u]: holds something other than a number", file, key, r);
            t->data[k++] = x->number;
        }
    }
    return TN_OK;
}

tn_status tn_network2_parse(const char *file, const uint8_t *buf, size_t size, tn_tensors *ts, tn_cost *cost, tn_error *err) {
    tn_json_doc doc;
    tn_status s = tn_json_parse(file, buf, size, &doc, err);
    if (s != TN_OK) return s;
    const tn_json_value *root = doc.root, *sizes = tn_json_get(root, "sizes"), *w = tn_json_get(root, "weights"),
                        *b = tn_json_get(root, "biases"), *c = tn_json_get(root, "cost");
    uint32_t width[TN_MAX_LAYERS];
    int n = 0, known = -1;
    if (root->kind != TN_JSON_OBJECT || !sizes || !w || !b || !c)
        s = tn_fail(err, TN_ERR_FORMAT, "%s: not network2.py's save file: it has sizes, weights, biases and cost", file);
    for (const tn_json_value *v = s == TN_OK ? root->first : NULL; v && s == TN_OK; v = v->next)
        if (strcmp(v->key, "sizes") && strcmp(v->key, "weights") && strcmp(v->key, "biases") && strcmp(v->key, "cost")) {
            char key[64];
            tn_safe_name(v->key, key, sizeof key);
            s = tn_fail(err, TN_ERR_FORMAT, "%s: %s: unknown key (network2.py's save file has sizes, weights, biases, cost)", file, key);
        }
    if (s == TN_OK && (known = tn_json_to_name(c, cost_names, 2)) < 0)
        s = tn_fail(err, TN_ERR_FORMAT, "%s: cost: neither \"QuadraticCost\" nor \"CrossEntropyCost\"", file);
    if (s == TN_OK && (sizes->kind != TN_JSON_ARRAY || sizes->count < 2 || sizes->count > TN_MAX_LAYERS))
        s = tn_fail(err, TN_ERR_FORMAT, "%s: sizes: not a list of 2 to %d widths", file, TN_MAX_LAYERS);
    for (const tn_json_value *v = s == TN_OK ? sizes->first : NULL; v && s == TN_OK; v = v->next) {
        uint64_t x;
        if (!tn_json_to_u64(v, TN_MAX_WIDTH, &x) || x == 0)
            s = tn_fail(err, TN_ERR_FORMAT, "%s: sizes: entry %d is not a width 1..%d", file, n, TN_MAX_WIDTH);
        width[n++] = (uint32_t)x;
    }
    if (s == TN_OK && (w->kind != TN_JSON_ARRAY || w->count != (size_t)n - 1))
        s = tn_fail(err, TN_ERR_FORMAT, "%s: weights: not a list of %d matrices (sizes has %d widths)", file, n - 1, n);
    if (s == TN_OK && (b->kind != TN_JSON_ARRAY || b->count != (size_t)n - 1))
        s = tn_fail(err, TN_ERR_FORMAT, "%s: biases: not a list of %d columns (sizes has %d widths)", file, n - 1, n);
    const tn_json_value *wl = s == TN_OK ? w->first : NULL, *bl = s == TN_OK ? b->first : NULL;
    for (int l = 1; l < n && s == TN_OK; l++, wl = wl->next, bl = bl->next) {
        s = matrix(file, "weights", l - 1, wl, width[l], width[l - 1], ts, err);
        if (s == TN_OK) s = matrix(file, "biases", l - 1, bl, width[l], 1, ts, err);
    }
    tn_json_doc_free(&doc);
    *cost = known == 1 ? TN_COST_CROSS_ENTROPY : TN_COST_QUADRATIC;
    return s;
}

tn_status tn_export_network2_json(const tn_net *net, const char *path, tn_error *err) {
    if (net->activation != TN_ACT_SIGMOID || (net->cost != TN_COST_QUADRATIC && net->cost != TN_COST_CROSS_ENTROPY))
        return tn_fail(err, TN_ERR_ARG, "%s: network2.py's networks are sigmoid throughout with quadratic or cross-entropy "
                       "cost; this one has %s hidden units and %s cost", path, tn_activation_name(net->activation),
                       tn_cost_name(net->cost));
    tn_json j;
    tn_json_begin_mem(&j);
    tn_json_object(&j, NULL);
    tn_json_array(&j, "sizes");
    for (int l = 0; l < net->n_sizes; l++) tn_json_uint(&j, NULL, net->sizes[l]);
    tn_json_end(&j);
    for (int is_bias = 0; is_bias < 2; is_bias++) {
        tn_json_array(&j, is_bias ? "biases" : "weights");
        for (int l = 1; l < net->n_sizes; l++) {
            tn_json_array(&j, NULL);
            for (uint32_t o = 0; o < net->sizes[l]; o++) {
                tn_json_array(&j, NULL);
                if (is_bias) tn_json_number(&j, NULL, (double)net->params[net->b_off[l] + o]);
                else
                    for (uint32_t i = 0; i < net->sizes[l - 1]; i++)
                        tn_json_number(&j, NULL, (double)net->params[net->w_off[l] + (size_t)i * net->pad[l] + o]);
                tn_json_end(&j);
            }
            tn_json_end(&j);
        }
        tn_json_end(&j);
    }
    tn_json_string(&j, "cost", cost_names[net->cost == TN_COST_CROSS_ENTROPY]);
    tn_json_end(&j);
    size_t len;
    char *text = tn_json_take(&j, &len);
    if (!text) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for the JSON text", path);
    tn_status s = tn_write_atomic(path, text, len, err);
    free(text);
    return s;
}
