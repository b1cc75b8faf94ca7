/* The one JSON writer of the command line (json.c): every string escaped per RFC 8259, invalid
 * UTF-8 written as U+FFFD, non-finite numbers as null, so the output is always valid JSON.
 * Members take a key; at the top level or inside an array the key is NULL. */
#ifndef TN_JSON_H
#define TN_JSON_H

#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    int depth;
    uint64_t has_items;   /* bit d: the container at depth d already holds an item */
    uint64_t is_array;    /* bit d: the container at depth d is an array */
} tn_json;

void tn_json_begin(tn_json *j, FILE *f);
void tn_json_open(tn_json *j, FILE *f);              /* tn_json_begin, then the top-level object's { */
void tn_json_object(tn_json *j, const char *key);   /* { */
void tn_json_array(tn_json *j, const char *key);    /* [ */
void tn_json_end(tn_json *j);                       /* } or ], and at depth 0 a newline and a flush */
void tn_json_string(tn_json *j, const char *key, const char *value);
void tn_json_number(tn_json *j, const char *key, double value);   /* %.9g; NaN and infinities: null */
void tn_json_uint(tn_json *j, const char *key, uint64_t value);
void tn_json_bool(tn_json *j, const char *key, int value);
void tn_json_null(tn_json *j, const char *key);
/* The string s escaped, without quotes (for tests and other writers). */
void tn_json_escape(FILE *f, const char *s);

#endif
