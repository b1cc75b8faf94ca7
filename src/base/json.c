/* JSON output (see json.h). Containers nest up to 63 deep; per depth the writer keeps two bits
 * (a comma is due; array or object), so output streams straight to the FILE or the buffer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void tn_json_begin(tn_json *j, FILE *f) {
    memset(j, 0, sizeof *j);
    j->f = f;
}

void tn_json_begin_mem(tn_json *j) { tn_json_begin(j, NULL); }

char *tn_json_take(tn_json *j, size_t *len) {
    char *text = j->failed ? NULL : j->text;
    if (!text && !j->failed) text = calloc(1, 1);
    if (j->failed) free(j->text);
    if (len) *len = text ? j->len : 0;
    tn_json_begin_mem(j);
    return text;
}

static void put(tn_json *j, const char *s, size_t n) {
    if (j->f) { fwrite(s, 1, n, j->f); return; }
    if (j->failed) return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = (j->len + n + 1) * 2 > 256 ? (j->len + n + 1) * 2 : 256;
        char *bigger = realloc(j->text, cap);
        if (!bigger) { j->failed = 1; return; }
        j->text = bigger;
        j->cap = cap;
    }
    memcpy(j->text + j->len, s, n);
    j->len += n;
    j->text[j->len] = 0;
}

static void put_char(tn_json *j, char c) { put(j, &c, 1); }
static void put_str(tn_json *j, const char *s) { put(j, s, strlen(s)); }

/* Invalid sequences are replaced by one U+FFFD each: the maximal start of a sequence that cannot
 * be completed (Unicode's "maximal subpart" practice, as Python and browsers decode). Overlong
 * forms, surrogates and code points above U+10FFFF are not valid. */
int tn_utf8_length(const unsigned char *s, int *skip) {
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

/* The string str in quotes, escaped. */
static void put_quoted(tn_json *j, const char *str) {
    const unsigned char *s = (const unsigned char *)str;
    char esc[8];
    put_char(j, '"');
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; put(j, esc, 2); }
        else if (c == '\n') put_str(j, "\\n");
        else if (c == '\t') put_str(j, "\\t");
        else if (c == '\r') put_str(j, "\\r");
        else if (c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", c); put_str(j, esc); }
        else if (c < 0x80) put_char(j, (char)c);
        else {
            int skip, n = tn_utf8_length(s, &skip);
            if (n == 0) { put_str(j, "\\ufffd"); s += skip; continue; }
            put(j, (const char *)s, (size_t)n);
            s += n;
            continue;
        }
        s++;
    }
    put_char(j, '"');
}

void tn_json_open(tn_json *j, FILE *f) {
    tn_json_begin(j, f);
    tn_json_object(j, NULL);
}

void tn_json_newline(tn_json *j) { j->newline = 1; }

static void due_newline(tn_json *j) {
    if (j->newline) put_char(j, '\n');
    j->newline = 0;
}

/* The comma, a due line break and the key before a member. */
static void member(tn_json *j, const char *key) {
    uint64_t bit = (uint64_t)1 << (j->depth & 63);
    if (j->depth > 0 && (j->has_items & bit)) put_char(j, ',');
    due_newline(j);
    j->has_items |= bit;
    if (key) {
        put_quoted(j, key);
        put_char(j, ':');
    }
}

static void open_container(tn_json *j, const char *key, int array) {
    member(j, key);
    put_char(j, array ? '[' : '{');
    j->depth++;
    uint64_t bit = (uint64_t)1 << (j->depth & 63);
    j->has_items &= ~bit;
    j->is_array = array ? j->is_array | bit : j->is_array & ~bit;
}

void tn_json_object(tn_json *j, const char *key) { open_container(j, key, 0); }
void tn_json_array(tn_json *j, const char *key) { open_container(j, key, 1); }

void tn_json_end(tn_json *j) {
    due_newline(j);
    put_char(j, j->is_array & ((uint64_t)1 << (j->depth & 63)) ? ']' : '}');
    if (--j->depth == 0) {
        put_char(j, '\n');
        if (j->f) fflush(j->f);
    }
}

void tn_json_string(tn_json *j, const char *key, const char *value) {
    member(j, key);
    put_quoted(j, value);
}

void tn_json_number(tn_json *j, const char *key, double value) {
    char text[32];
    member(j, key);
    if (isfinite(value)) snprintf(text, sizeof text, "%.9g", value);
    else snprintf(text, sizeof text, "null");
    put_str(j, text);
}

void tn_json_uint(tn_json *j, const char *key, uint64_t value) {
    char text[24];
    member(j, key);
    snprintf(text, sizeof text, "%llu", (unsigned long long)value);
    put_str(j, text);
}

void tn_json_bool(tn_json *j, const char *key, int value) {
    member(j, key);
    put_str(j, value ? "true" : "false");
}

void tn_json_null(tn_json *j, const char *key) {
    member(j, key);
    put_str(j, "null");
}
