/* The one JSON reader (see json.h): strict RFC 8259 on bytes in memory, into a tree whose
 * objects keep their keys in order and whose numbers keep their exact text. The values live in
 * a few large blocks freed at once; recursion is bounded by TN_JSON_MAX_DEPTH. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

typedef struct block { struct block *next; size_t used, cap; max_align_t data[]; } block;

typedef struct {
    const char *name;
    const uint8_t *start, *p, *end;
    block *blocks;
    size_t values;
    tn_error *err;
    int failed, nomem;
} reader;

static void *take(reader *r, size_t n) {
    n = (n + 15) & ~(size_t)15;
    block *b = r->blocks;
    if (!b || b->cap - b->used < n) {
        /* small inputs (a line of JSON Lines) get a small first block */
        size_t input = (size_t)(r->end - r->start), cap = input < 4096 && !r->blocks ? 16 * input + 256 : (size_t)1 << 16;
        if (cap < n) cap = n;
        if (!(b = malloc(sizeof *b + cap))) return NULL;
        b->next = r->blocks;
        b->used = 0;
        b->cap = cap;
        r->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

/* Fails at the current byte (the first failure wins); returns NULL for the callers. */
static void *fail_at(reader *r, const uint8_t *at, const char *what) {
    if (!r->failed) tn_fail(r->err, TN_ERR_FORMAT, "%s: JSON: %s at byte %zu", r->name, what, (size_t)(at - r->start));
    r->failed = 1;
    return NULL;
}

static void *out_of_memory(reader *r) {
    if (!r->failed) tn_fail(r->err, TN_ERR_NOMEM, "%s: JSON: out of memory", r->name);
    r->failed = r->nomem = 1;
    return NULL;
}

static void skip_space(reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static tn_json_value *new_value(reader *r, tn_json_kind kind) {
    if (++r->values > TN_JSON_MAX_VALUES) return fail_at(r, r->p, "more than 16777216 values");
    tn_json_value *v = take(r, sizeof *v);
    if (!v) return out_of_memory(r);
    memset(v, 0, sizeof *v);
    v->kind = kind;
    v->offset = (size_t)(r->p - r->start);
    return v;
}

static int hex4(const uint8_t *p, const uint8_t *end, unsigned *v) {
    *v = 0;
    for (int i = 0; i < 4; i++) {
        if (p + i >= end) return 0;
        unsigned c = p[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 16;
        if (d == 16) return 0;
        *v = *v << 4 | d;
    }
    return 1;
}

/* The string at r->p (its opening quote), unescaped into the blocks: never longer than its
 * source, since every escape is at least as long as the UTF-8 it stands for. */
static char *read_string(reader *r, size_t *len) {
    const uint8_t *q = ++r->p;
    while (q < r->end && *q != '"') q += *q == '\\' && q + 1 < r->end ? 2 : 1;
    if (q >= r->end) return fail_at(r, r->p - 1, "unterminated string");
    char *out = take(r, (size_t)(q - r->p) + 1), *o = out;
    if (!out) return out_of_memory(r);
    while (*r->p != '"') {
        const uint8_t *at = r->p;
        unsigned c = *r->p;
        if (c < 0x20) return fail_at(r, at, "control character in a string");
        if (c >= 0x80) {
            unsigned char four[5] = {0};
            memcpy(four, r->p, r->end - r->p < 4 ? (size_t)(r->end - r->p) : 4);
            int skip, n = tn_utf8_length(four, &skip);
            if (n == 0) return fail_at(r, at, "invalid UTF-8");
            memcpy(o, r->p, (size_t)n);
            o += n;
            r->p += n;
            continue;
        }
        r->p++;
        if (c != '\\') { *o++ = (char)c; continue; }
        c = *r->p++;
        const char *simple = strchr("\"\\/bfnrt", (int)c);
        if (c && simple) { *o++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]; continue; }
        unsigned u, low;
        if (c != 'u' || !hex4(r->p, r->end, &u)) return fail_at(r, at, "invalid escape");
        r->p += 4;
        if (u >= 0xDC00 && u <= 0xDFFF) return fail_at(r, at, "lone low surrogate escape");
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' || !hex4(r->p + 2, r->end, &low) ||
                low < 0xDC00 || low > 0xDFFF) return fail_at(r, at, "lone high surrogate escape");
            r->p += 6;
            u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
        }
        if (u == 0) return fail_at(r, at, "\\u0000 in a string");
        if (u < 0x80) *o++ = (char)u;
        else if (u < 0x800) { *o++ = (char)(0xC0 | u >> 6); *o++ = (char)(0x80 | (u & 0x3F)); }
        else if (u < 0x10000) { *o++ = (char)(0xE0 | u >> 12); *o++ = (char)(0x80 | (u >> 6 & 0x3F)); *o++ = (char)(0x80 | (u & 0x3F)); }
        else {
            *o++ = (char)(0xF0 | u >> 18); *o++ = (char)(0x80 | (u >> 12 & 0x3F));
            *o++ = (char)(0x80 | (u >> 6 & 0x3F)); *o++ = (char)(0x80 | (u & 0x3F));
        }
    }
    r->p++;
    *o = 0;
    *len = (size_t)(o - out);
    return out;
}

static int digit(reader *r) { return r->p < r->end && *r->p >= '0' && *r->p <= '9'; }

static tn_json_value *read_number(reader *r, tn_json_value *v) {
    const uint8_t *s = r->p;
    if (r->p < r->end && *r->p == '-') r->p++;
    if (!digit(r)) return fail_at(r, s, "expected a value");
    if (*r->p == '0') { r->p++; if (digit(r)) return fail_at(r, s, "leading zero in a number"); }
    while (digit(r)) r->p++;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!digit(r)) return fail_at(r, r->p, "expected a digit after '.'");
        while (digit(r)) r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
        if (!digit(r)) return fail_at(r, r->p, "expected a digit in the exponent");
        while (digit(r)) r->p++;
    }
    char *text = take(r, (size_t)(r->p - s) + 1);
    if (!text) return out_of_memory(r);
    memcpy(text, s, (size_t)(r->p - s));
    text[r->p - s] = 0;
    v->text = text;
    v->number = strtod(text, NULL);
    if (!isfinite(v->number)) return fail_at(r, s, "number out of range");
    return v;
}

static int key_order(const void *a, const void *b) {
    const tn_json_value *x = *(tn_json_value *const *)a, *y = *(tn_json_value *const *)b;
    return strcmp(x->key, y->key);
}

/* A duplicate key of object v, found by sorting its members (linear scans would be quadratic). */
static tn_json_value *check_keys(reader *r, tn_json_value *v) {
    if (v->count < 2) return v;
    tn_json_value **sorted = malloc(v->count * sizeof *sorted);
    if (!sorted) return out_of_memory(r);
    size_t n = 0;
    for (tn_json_value *m = v->first; m; m = m->next) sorted[n++] = m;
    qsort(sorted, n, sizeof *sorted, key_order);
    const tn_json_value *dup = NULL;
    for (size_t k = 1; k < n && !dup; k++)
        if (strcmp(sorted[k - 1]->key, sorted[k]->key) == 0) dup = sorted[k - 1]->offset > sorted[k]->offset ? sorted[k - 1] : sorted[k];
    free(sorted);
    if (!dup) return v;
    /* the offset of the later member's value; its key precedes it */
    return fail_at(r, r->start + dup->offset, "duplicate key");
}

static tn_json_value *read_value(reader *r, int depth);

/* [ ... ] or { ... } at r->p. */
static tn_json_value *read_container(reader *r, tn_json_value *v, int depth) {
    int object = v->kind == TN_JSON_OBJECT;
    char close = object ? '}' : ']';
    tn_json_value **tail = &v->first;
    if (depth >= TN_JSON_MAX_DEPTH) return fail_at(r, r->p, "nested more than 64 deep");
    r->p++;
    skip_space(r);
    if (r->p < r->end && *r->p == close) { r->p++; return v; }
    for (;;) {
        const char *key = NULL;
        if (object) {
            size_t len;
            if (r->p >= r->end || *r->p != '"') return fail_at(r, r->p, "expected a string key");
            if (!(key = read_string(r, &len))) return NULL;
            skip_space(r);
            if (r->p >= r->end || *r->p != ':') return fail_at(r, r->p, "expected ':'");
            r->p++;
        }
        tn_json_value *item = read_value(r, depth + 1);
        if (!item) return NULL;
        item->key = key;
        *tail = item;
        tail = &item->next;
        v->count++;
        skip_space(r);
        if (r->p < r->end && *r->p == ',') { r->p++; skip_space(r); continue; }
        if (r->p < r->end && *r->p == close) { r->p++; break; }
        return fail_at(r, r->p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    return object ? check_keys(r, v) : v;
}

static tn_json_value *read_value(reader *r, int depth) {
    skip_space(r);
    if (r->p >= r->end) return fail_at(r, r->p, "expected a value");
    static const struct { const char *word; tn_json_kind kind; } words[] = {
        {"null", TN_JSON_NULL}, {"false", TN_JSON_FALSE}, {"true", TN_JSON_TRUE}};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        size_t n = strlen(words[k].word);
        if (*r->p == words[k].word[0]) {
            if ((size_t)(r->end - r->p) < n || memcmp(r->p, words[k].word, n) != 0) return fail_at(r, r->p, "expected a value");
            tn_json_value *v = new_value(r, words[k].kind);
            r->p += n;
            return v;
        }
    }
    tn_json_kind kind = *r->p == '"' ? TN_JSON_STRING : *r->p == '[' ? TN_JSON_ARRAY : *r->p == '{' ? TN_JSON_OBJECT : TN_JSON_NUMBER;
    tn_json_value *v = new_value(r, kind);
    if (!v) return NULL;
    if (kind == TN_JSON_STRING) return (v->text = read_string(r, &v->count)) ? v : NULL;
    if (kind == TN_JSON_NUMBER) return read_number(r, v);
    return read_container(r, v, depth);
}

void tn_json_doc_free(tn_json_doc *doc) {
    for (block *b = doc->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    doc->blocks = NULL;
    doc->root = NULL;
}

tn_status tn_json_parse(const char *name, const void *bytes, size_t size, tn_json_doc *doc, tn_error *err) {
    reader r = {name, bytes, bytes, (const uint8_t *)bytes + size, NULL, 0, err, 0, 0};
    doc->root = NULL;
    doc->blocks = NULL;
    if (size >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) fail_at(&r, r.p, "byte-order mark");
    tn_json_value *root = r.failed ? NULL : read_value(&r, 0);
    if (root) {
        skip_space(&r);
        if (r.p != r.end) root = fail_at(&r, r.p, "trailing data after the value");
    }
    doc->blocks = r.blocks;
    if (!root) {
        tn_json_doc_free(doc);
        return r.nomem ? TN_ERR_NOMEM : TN_ERR_FORMAT;
    }
    doc->root = root;
    return TN_OK;
}

const tn_json_value *tn_json_get(const tn_json_value *v, const char *key) {
    if (!v || v->kind != TN_JSON_OBJECT) return NULL;
    for (const tn_json_value *m = v->first; m; m = m->next)
        if (strcmp(m->key, key) == 0) return m;
    return NULL;
}

int tn_json_to_u64(const tn_json_value *v, uint64_t max, uint64_t *out) {
    if (!v || v->kind != TN_JSON_NUMBER || v->text[strspn(v->text, "0123456789")]) return 0;
    uint64_t x = 0;
    for (const char *c = v->text; *c; c++) {
        unsigned d = (unsigned)(*c - '0');
        if (x > (UINT64_MAX - d) / 10) return 0;
        x = x * 10 + d;
    }
    if (x > max) return 0;
    *out = x;
    return 1;
}

int tn_json_to_f32(const tn_json_value *v, float *out) {
    if (!v || v->kind != TN_JSON_NUMBER) return 0;
    float x = strtof(v->text, NULL);
    if (!isfinite(x)) return 0;
    *out = x;
    return 1;
}

int tn_json_to_name(const tn_json_value *v, const char *const *names, int count) {
    for (int k = 0; v && v->kind == TN_JSON_STRING && k < count; k++)
        if (strcmp(v->text, names[k]) == 0) return k;
    return -1;
}
