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
} json;

void json_begin(json *j, FILE *f);
void json_open(json *j, FILE *f);              /* json_begin, then the top-level object's { */
void json_object(json *j, const char *key);   /* { */
void json_array(json *j, const char *key);    /* [ */
void json_end(json *j);                       /* } or ], and at depth 0 a newline and a flush */
void json_string(json *j, const char *key, const char *value);
void json_number(json *j, const char *key, double value);   /* %.9g; NaN and infinities: null */
void json_uint(json *j, const char *key, uint64_t value);
void json_bool(json *j, const char *key, int value);
void json_null(json *j, const char *key);
/* The string s escaped, without quotes (for tests and other writers). */
void json_escape(FILE *f, const char *s);

#endif
