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

#include "twinnet.h"

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
/* The length (1-4) of the valid UTF-8 sequence at s, or 0 with *skip the bytes that make one
 * invalid sequence (its maximal subpart); s must be NUL-terminated or hold 4 readable bytes. */
int tn_utf8_length(const unsigned char *s, int *skip);

/* ---- the one JSON reader (json_read.c) --------------------------------------------------------
 * Strict RFC 8259 on bytes in memory: one value, whitespace around it, nothing else. Refused,
 * with "NAME: JSON: what at byte N" (N counted from 0): trailing data, a byte-order mark,
 * comments, trailing commas, leading zeros, NaN and infinities, numbers beyond double's range,
 * control characters or invalid UTF-8 (overlong, surrogates, above U+10FFFF) in strings,
 * lone or reversed surrogate escapes, \u0000 (our readers take C strings), and duplicate keys
 * in one object (which a reader would otherwise have to choose between: Python keeps the last,
 * others the first). Nesting is limited to TN_JSON_MAX_DEPTH and the document to
 * TN_JSON_MAX_VALUES values; the caller bounds the bytes when it reads them. */
#define TN_JSON_MAX_DEPTH 64
#define TN_JSON_MAX_VALUES ((size_t)1 << 24)

typedef enum { TN_JSON_NULL, TN_JSON_FALSE, TN_JSON_TRUE, TN_JSON_NUMBER, TN_JSON_STRING, TN_JSON_ARRAY, TN_JSON_OBJECT } tn_json_kind;

typedef struct tn_json_value {
    tn_json_kind kind;
    const char *key;               /* a member of an object: its key (unescaped); else NULL */
    struct tn_json_value *next;    /* the next item of the enclosing array or object, in order */
    struct tn_json_value *first;   /* ARRAY, OBJECT: the first item */
    size_t count;                  /* ARRAY, OBJECT: items; STRING: bytes */
    const char *text;              /* STRING: unescaped UTF-8, NUL-terminated; NUMBER: its exact text
                                      (so a uint64 seed or a long integer is not rounded) */
    double number;                 /* NUMBER: the nearest double */
    size_t offset;                 /* where the value starts in the input */
} tn_json_value;

typedef struct { tn_json_value *root; void *blocks; } tn_json_doc;   /* the values live in blocks */

tn_status tn_json_parse(const char *name, const void *bytes, size_t size, tn_json_doc *doc, tn_error *err);
void tn_json_doc_free(tn_json_doc *doc);   /* accepts a zeroed or failed doc */
/* The member key of an object (NULL if v is not an object or has no such member). */
const tn_json_value *tn_json_get(const tn_json_value *v, const char *key);
/* A whole number 0..max written without fraction or exponent, exactly (from its text): 1, or 0. */
int tn_json_to_u64(const tn_json_value *v, uint64_t max, uint64_t *out);
/* A finite number as the float nearest to its text (strtof, not a double rounded again): 1, or 0. */
int tn_json_to_f32(const tn_json_value *v, float *out);
/* The index of v's string in names[0..count-1], or -1. */
int tn_json_to_name(const tn_json_value *v, const char *const *names, int count);

#endif
