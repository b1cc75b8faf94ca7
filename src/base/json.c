/* JSON output (see json.h). Containers nest up to 63 deep; per depth the writer keeps two bits
 * (a comma is due; array or object), so output streams straight to the FILE. */
#include <math.h>

#include "json.h"

void tn_json_begin(tn_json *j, FILE *f) {
    j->f = f;
    j->depth = 0;
    j->has_items = 0;
    j->is_array = 0;
}

/* The length of the valid UTF-8 sequence at s, or 0 with *skip the bytes to replace by one
 * U+FFFD: the maximal start of a sequence that cannot be completed (Unicode's "maximal subpart"
 * practice, as Python and browsers decode). Overlong forms, surrogates and code points above
 * U+10FFFF are not valid. */
static int utf8_length(const unsigned char *s, int *skip) {
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    *skip = 1;
    if (c < 0xC2 || c > 0xF4) return 0;
    int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (c == 0xE0) lo = 0xA0;       /* overlong */
    if (c == 0xED) hi = 0x9F;       /* surrogates */
    if (c == 0xF0) lo = 0x90;       /* overlong */
    if (c == 0xF4) hi = 0x8F;       /* above U+10FFFF */
    if (s[1] < lo || s[1] > hi) return 0;
    for (int i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) { *skip = i; return 0; }
    return n;
}

void tn_json_escape(FILE *f, const char *str) {
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c == '\r') fputs("\\r", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else if (c < 0x80) fputc((int)c, f);
        else {
            int skip, n = utf8_length(s, &skip);
            if (n == 0) { fputs("\\ufffd", f); s += skip; continue; }
            fwrite(s, 1, (size_t)n, f);
            s += n;
            continue;
        }
        s++;
    }
}

void tn_json_open(tn_json *j, FILE *f) {
    tn_json_begin(j, f);
    tn_json_object(j, NULL);
}

/* The comma and the key before a member. */
static void member(tn_json *j, const char *key) {
    uint64_t bit = (uint64_t)1 << (j->depth & 63);
    if (j->depth > 0 && (j->has_items & bit)) fputc(',', j->f);
    j->has_items |= bit;
    if (key) {
        fputc('"', j->f);
        tn_json_escape(j->f, key);
        fputs("\":", j->f);
    }
}

static void open_container(tn_json *j, const char *key, int array) {
    member(j, key);
    fputc(array ? '[' : '{', j->f);
    j->depth++;
    uint64_t bit = (uint64_t)1 << (j->depth & 63);
    j->has_items &= ~bit;
    j->is_array = array ? j->is_array | bit : j->is_array & ~bit;
}

void tn_json_object(tn_json *j, const char *key) { open_container(j, key, 0); }
void tn_json_array(tn_json *j, const char *key) { open_container(j, key, 1); }

void tn_json_end(tn_json *j) {
    fputc(j->is_array & ((uint64_t)1 << (j->depth & 63)) ? ']' : '}', j->f);
    if (--j->depth == 0) {
        fputc('\n', j->f);
        fflush(j->f);
    }
}

void tn_json_string(tn_json *j, const char *key, const char *value) {
    member(j, key);
    fputc('"', j->f);
    tn_json_escape(j->f, value);
    fputc('"', j->f);
}

void tn_json_number(tn_json *j, const char *key, double value) {
    member(j, key);
    if (isfinite(value)) fprintf(j->f, "%.9g", value);
    else fputs("null", j->f);
}

void tn_json_uint(tn_json *j, const char *key, uint64_t value) {
    member(j, key);
    fprintf(j->f, "%llu", (unsigned long long)value);
}

void tn_json_bool(tn_json *j, const char *key, int value) {
    member(j, key);
    fputs(value ? "true" : "false", j->f);
}

void tn_json_null(tn_json *j, const char *key) {
    member(j, key);
    fputs("null", j->f);
}
