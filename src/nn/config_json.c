/* The training configuration as JSON text, through the table of config.c: for a caller outside C
 * (the Python package) that sets options by name and must get the command line's names, defaults,
 * types and ranges without a copy of them. threads (not in the table's files) is left out. */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "util.h"

#define EVERY_FILE (TN_IN_KEY | TN_IN_KEY_IF_SET | TN_IN_FILE | TN_IN_MANIFEST)

char *tn_config_to_json(const tn_config *c, size_t *size) {
    tn_json j;
    tn_json_begin_mem(&j);
    tn_json_object(&j, NULL);
    tn_config_write_json(c, EVERY_FILE, &j);
    tn_json_end(&j);
    size_t n;
    char *text = tn_json_take(&j, &n);
    if (size) *size = text ? n : 0;
    return text;
}

tn_status tn_config_from_json(tn_config *c, const char *text, size_t size, tn_error *err) {
    tn_json_doc doc = {0};
    tn_status s = tn_json_parse("options", text, size, &doc, err);
    if (s != TN_OK) return s == TN_ERR_NOMEM ? s : TN_ERR_ARG;
    const tn_json_value *root = doc.root;
    const tn_config_field *f = NULL;
    if (root->kind != TN_JSON_OBJECT) s = tn_fail(err, TN_ERR_ARG, "options: not a JSON object");
    for (const tn_json_value *v = root->kind == TN_JSON_OBJECT ? root->first : NULL; v && s == TN_OK; v = v->next)
        if (!(f = tn_config_field_named(v->key)) || !(f->in & EVERY_FILE))
            s = tn_fail(err, TN_ERR_ARG, "options: unknown option '%.200s'", v->key);
    tn_config edited = *c;
    const char *bad = s == TN_OK ? tn_config_read_json(&edited, EVERY_FILE, root) : NULL;
    if (bad && (f = tn_config_field_named(bad)) != NULL) {
        if (f->type == TN_FIELD_ENUM) {
            char names[256] = "";
            for (int k = 0, used = 0; k < f->n_names && used < (int)sizeof names; k++)
                used += snprintf(names + used, sizeof names - (size_t)used, "%s%s", k ? ", " : "", f->names[k]);
            s = tn_fail(err, TN_ERR_ARG, "options: %s must be one of %s", bad, names);
        } else if (f->type == TN_FIELD_BOOL) s = tn_fail(err, TN_ERR_ARG, "options: %s must be true or false", bad);
        else if (f->type == TN_FIELD_SIZES)
            s = tn_fail(err, TN_ERR_ARG, "options: %s must be 2 to %d widths, each %g to %g", bad, TN_MAX_LAYERS, f->min, f->max);
        else if (f->type == TN_FIELD_F32)
            s = tn_fail(err, TN_ERR_ARG, "options: %s must be a number %s %g and at most %g", bad, f->min_open ? "above" : "from",
                        f->min, f->max);
        else {
            uint64_t lo, hi;
            tn_config_uint_range(f, &lo, &hi);
            s = tn_fail(err, TN_ERR_ARG, "options: %s must be a whole number from %llu to %llu", bad, (unsigned long long)lo,
                        (unsigned long long)hi);
        }
    }
    tn_json_doc_free(&doc);
    if (s == TN_OK) *c = edited;
    return s;
}
