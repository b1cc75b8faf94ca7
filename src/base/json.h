/* The one JSON writer (json.c), for the library and the command line: every string escaped per
 * RFC 8259, invalid UTF-8 written as U+FFFD (maximal subpart), numbers as %.9g and non-finite
 * ones as null, so the output is always valid JSON. Two sinks: a FILE, or a growable buffer in
 * memory (tn_json_take), for files written atomically and for bindings that want a string.
 * Members take a key; at the top level or inside an array the key is NULL. Internal header. */
#ifndef TN_JSON_H
#define TN_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *f;              /* the FILE sink, or NULL for the memory sink */
    char *text;           /* memory sink: the text so far, NUL-terminated (malloc'd) */
    size_t len, cap;
    int failed;           /* memory sink: out of memory; the rest was dropped */
    int newline;          /* a line break is due before the next item or closing bracket */
    int depth;
    uint64_t has_items;   /* bit d: the container at depth d already holds an item */
    uint64_t is_array;    /* bit d: the container at depth d is an array */
} tn_json;

void tn_json_begin(tn_json *j, FILE *f);
void tn_json_begin_mem(tn_json *j);             /* the memory sink: then tn_json_take */
/* The memory sink's text (NUL-terminated, the caller frees it) and its length; NULL if memory
 * ran out. The writer is empty again afterwards. */
char *tn_json_take(tn_json *j, size_t *len);
void tn_json_open(tn_json *j, FILE *f);             /* tn_json_begin, then the top-level object's { */
void tn_json_object(tn_json *j, const char *key);   /* { */
void tn_json_array(tn_json *j, const char *key);    /* [ */
void tn_json_end(tn_json *j);   /* } or ], and at depth 0 a newline (and a flush of a FILE) */
void tn_json_newline(tn_json *j);   /* a line break before the next item (after its comma) or bracket */
void tn_json_string(tn_json *j, const char *key, const char *value);
void tn_json_number(tn_json *j, const char *key, double value);   /* %.9g; NaN and infinities: null */
void tn_json_uint(tn_json *j, const char *key, uint64_t value);
void tn_json_bool(tn_json *j, const char *key, int value);
void tn_json_null(tn_json *j, const char *key);

#endif
