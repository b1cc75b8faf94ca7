/* libFuzzer target for the JSON reader (src/base/json_read.c) and writer (json.c): any bytes
 * either parse, or fail with one line "json: JSON: what at byte N" with N within the input.
 * A tree that parses is written back with the writer (memory sink); that text must parse, and
 * writing it again must give the same bytes (strings come back exactly, numbers at %.9g). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void write_value(tn_json *j, const tn_json_value *v) {
    switch (v->kind) {
    case TN_JSON_NULL: tn_json_null(j, v->key); break;
    case TN_JSON_FALSE: case TN_JSON_TRUE: tn_json_bool(j, v->key, v->kind == TN_JSON_TRUE); break;
    case TN_JSON_NUMBER: tn_json_number(j, v->key, v->number); break;
    case TN_JSON_STRING:
        if (strlen(v->text) != v->count) abort();
        tn_json_string(j, v->key, v->text);
        break;
    default: {
        size_t n = 0;
        if (v->kind == TN_JSON_OBJECT) tn_json_object(j, v->key);
        else tn_json_array(j, v->key);
        for (const tn_json_value *m = v->first; m; m = m->next, n++)
            if ((m->key != NULL) != (v->kind == TN_JSON_OBJECT)) abort();
        if (n != v->count) abort();
        for (const tn_json_value *m = v->first; m; m = m->next) write_value(j, m);
        tn_json_end(j);
    }
    }
}

/* The tree written as text (a scalar at the top goes inside [ ], as the writer needs a container). */
static char *written(const tn_json_value *root, size_t *len) {
    tn_json j;
    tn_json_begin_mem(&j);
    tn_json_array(&j, NULL);
    write_value(&j, root);
    tn_json_end(&j);
    char *text = tn_json_take(&j, len);
    if (!text) abort();
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tn_json_doc doc;
    tn_error err = {""};
    if (tn_json_parse("json", data, size, &doc, &err) != TN_OK) {
        size_t at;
        if (strncmp(err.msg, "json: JSON: ", 12) != 0 || strchr(err.msg, '\n') ||
            (!strstr(err.msg, "out of memory") && (sscanf(strstr(err.msg, " at byte ") ? strstr(err.msg, " at byte ") : "", " at byte %zu", &at) != 1 || at > size))) {
            fprintf(stderr, "bad error message: '%s'\n", err.msg);
            abort();
        }
        if (doc.root || doc.blocks) abort();
        return 0;
    }
    size_t len, len2;
    char *text = written(doc.root, &len);
    tn_json_doc_free(&doc);
    if (tn_json_parse("again", text, len, &doc, &err) != TN_OK) { fprintf(stderr, "%s\n%s\n", err.msg, text); abort(); }
    char *again = written(doc.root->first, &len2);
    if (len2 != len || memcmp(text, again, len) != 0) { fprintf(stderr, "%s\n!=\n%s\n", text, again); abort(); }
    tn_json_doc_free(&doc);
    free(text);
    free(again);
    return 0;
}
