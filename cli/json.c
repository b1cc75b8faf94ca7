/* JSON output (see json.h). Containers nest up to 63 deep; per depth the writer keeps two bits
 * (a comma is due; array or object), so output streams straight to the FILE. */
#include <math.h>

#include "json.h"

void json_begin(json *j, FILE *f) {
    j->f = f;
    j->depth = 0;
    j->has_items = 0;
    j->is_array = 0;
}

/* Decodes one UTF-8 sequence at s; returns its length, or 0 if it is not valid (overlong forms,
 * surrogates and code points above U+10FFFF are not). */
static int utf8_length(const unsigned char *s) {
    unsigned c = s[0];
    int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (c > 0xF4 || n == 0) return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && c == 0xE0 && s[1] < 0xA0) return 0;   /* overlong */
    if (n == 3 && c == 0xED && s[1] >= 0xA0) return 0;  /* surrogates */
    if (n == 4 && c == 0xF0 && s[1] < 0x90) return 0;   /* overlong */
    if (n == 4 && c == 0xF4 && s[1] >= 0x90) return 0;  /* above U+10FFFF */
    return n;
}

void json_escape(FILE *f, const char *str) {
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
            int n = utf8_length(s);
            if (n == 0) { fputs("\\ufffd", f); s++; continue; }
            fwrite(s, 1, (size_t)n, f);
            s += n;
            continue;
        }
        s++;
    }
}

/* The comma and the key before a member. */
static void member(json *j, const char *key) {
    uint64_t bit = (uint64_t)1 << (j->depth & 63);
    if (j->depth > 0 && (j->has_items & bit)) fputc(',', j->f);
    j->has_items |= bit;
    if (key) {
        fputc('"', j->f);
        json_escape(j->f, key);
        fputs("\":", j->f);
    }
}

static void open_container(json *j, const char *key, int array) {
    member(j, key);
    fputc(array ? '[' : '{', j->f);
    j->depth++;
    uint64_t bit = (uint64_t)1 << (j->depth & 63);
    j->has_items &= ~bit;
    j->is_array = array ? j->is_array | bit : j->is_array & ~bit;
}

void json_object(json *j, const char *key) { open_container(j, key, 0); }
void json_array(json *j, const char *key) { open_container(j, key, 1); }

void json_end(json *j) {
    fputc(j->is_array & ((uint64_t)1 << (j->depth & 63)) ? ']' : '}', j->f);
    if (--j->depth == 0) {
        fputc('\n', j->f);
        fflush(j->f);
    }
}

void json_string(json *j, const char *key, const char *value) {
    member(j, key);
    fputc('"', j->f);
    json_escape(j->f, value);
    fputc('"', j->f);
}

void json_number(json *j, const char *key, double value) {
    member(j, key);
    if (isfinite(value)) fprintf(j->f, "%.9g", value);
    else fputs("null", j->f);
}

void json_uint(json *j, const char *key, uint64_t value) {
    member(j, key);
    fprintf(j->f, "%llu", (unsigned long long)value);
}

void json_bool(json *j, const char *key, int value) {
    member(j, key);
    fputs(value ? "true" : "false", j->f);
}

void json_null(json *j, const char *key) {
    member(j, key);
    fputs("null", j->f);
}
