/* The JSON writer (both sinks) and the strict reader (src/base/json.c, json_read.c): valid and
 * invalid documents, the error's byte offset, round trips writer -> reader (strings with every
 * escape class, invalid UTF-8 as U+FFFD, numbers), exact number text for uint64 values, key
 * order, duplicate keys, and the nesting limit on both sides of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"

static int parses(const char *text) {
    tn_json_doc doc;
    tn_error err = {""};
    tn_status s = tn_json_parse("t", text, strlen(text), &doc, &err);
    tn_json_doc_free(&doc);
    return s == TN_OK;
}

/* The message of a refused text, "" if it parsed. */
static const char *refusal(const char *text, size_t n, tn_error *err) {
    tn_json_doc doc;
    err->msg[0] = 0;
    if (tn_json_parse("doc.json", text, n, &doc, err) == TN_OK) { tn_json_doc_free(&doc); return ""; }
    return err->msg;
}

static void valid_and_invalid(void) {
    static const char *const good[] = {"0", "-0", "1.5e-3", "-12E+2", "\"\"", "null", "true", "false", "[]", "{}",
        " [1, [2, [3]], {\"a\": {}}] \n", "{\"a\":1,\"b\":[true,false,null]}", "\"\\u00e9\\ud83d\\ude00\\/\\b\\f\"",
        "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "1e308", "123456789012345678901234567890"};
    static const char *const bad[] = {"", " ", "01", "-", "1.", ".5", "1e", "+1", "NaN", "Infinity", "-Infinity", "1e999",
        "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "'a'", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
        "\"\\udc00\\ud800\"", "\"\\u0000\"", "\"a\tb\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"",
        "\xef\xbb\xbf{}", "{} {}", "[] x", "tru", "nul", "/* c */ 1", "{\"a\":1,\"a\":2}", "[", "{", "{\"a\":"};
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) CHECK(parses(good[k]), "refused: %s", good[k]);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) CHECK(!parses(bad[k]), "accepted: %s", bad[k]);
    tn_error err;
    CHECK(strcmp(refusal("{\"a\":1 \"b\":2}", 13, &err), "doc.json: JSON: expected ',' or '}' at byte 7") == 0, "%s", err.msg);
    CHECK(strcmp(refusal("[1,2,]", 6, &err), "doc.json: JSON: expected a value at byte 5") == 0, "%s", err.msg);
    CHECK(strcmp(refusal("{\"k\":1,\"k\":2}", 13, &err), "doc.json: JSON: duplicate key at byte 11") == 0, "%s", err.msg);
    CHECK(strcmp(refusal("[1] 2", 5, &err), "doc.json: JSON: trailing data after the value at byte 4") == 0, "%s", err.msg);
    CHECK(strcmp(refusal("[1,\0]", 5, &err), "doc.json: JSON: expected a value at byte 3") == 0, "%s", err.msg);
    CHECK(!strchr(refusal("\"a\nb\"", 5, &err), '\n'), "one line: %s", err.msg);
}

/* Unescaping, key order, exact number text. */
static void tree(void) {
    const char *text = "{\"z\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\",\"a\":18446744073709551615,\"m\":[0.1,-2e3,7],"
                       "\"big\":18446744073709551616,\"neg\":-1,\"frac\":1.0}";
    tn_json_doc doc;
    tn_error err = {""};
    CHECK_OK(tn_json_parse("t", text, strlen(text), &doc, &err), err);
    if (!doc.root) return;
    const char *order[] = {"z", "a", "m", "big", "neg", "frac"};
    int k = 0;
    for (const tn_json_value *m = doc.root->first; m; m = m->next, k++) CHECK(k < 6 && strcmp(m->key, order[k]) == 0, "key %d", k);
    CHECK(k == 6 && doc.root->count == 6, "%d members", k);
    const tn_json_value *z = tn_json_get(doc.root, "z");
    CHECK(z && z->kind == TN_JSON_STRING && strcmp(z->text, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80") == 0 && z->count == 12, "unescaped");
    uint64_t u = 0;
    CHECK(tn_json_to_u64(tn_json_get(doc.root, "a"), UINT64_MAX, &u) && u == UINT64_MAX, "uint64 max exactly: %llu", (unsigned long long)u);
    CHECK(!tn_json_to_u64(tn_json_get(doc.root, "a"), UINT32_MAX, &u), "above the limit");
    CHECK(!tn_json_to_u64(tn_json_get(doc.root, "big"), UINT64_MAX, &u), "2^64 overflows");
    CHECK(!tn_json_to_u64(tn_json_get(doc.root, "neg"), UINT64_MAX, &u), "negative");
    CHECK(!tn_json_to_u64(tn_json_get(doc.root, "frac"), UINT64_MAX, &u), "1.0 is not written as a whole number");
    CHECK(strcmp(tn_json_get(doc.root, "big")->text, "18446744073709551616") == 0, "text kept");
    const tn_json_value *m = tn_json_get(doc.root, "m");
    float f;
    CHECK(m && m->count == 3 && tn_json_to_f32(m->first, &f) && f == 0.1f, "0.1 as float");
    CHECK(m && m->first->next->number == -2000.0 && strcmp(m->first->next->text, "-2e3") == 0, "-2e3");
    CHECK(tn_json_get(doc.root, "nope") == NULL && tn_json_get(m, "z") == NULL, "absent; not an object");
    tn_json_doc_free(&doc);
}

/* Writer -> reader: every string comes back (invalid UTF-8 as U+FFFD, each maximal subpart
 * once), every finite number to its %.9g value, non-finite ones as null; both sinks agree. */
static void round_trip(void) {
    static const char *const strings[] = {"", "plain", "quote \" backslash \\ slash /", "tab\tnl\ncr\r\x01\x1f", "caf\xc3\xa9",
                                          "\xf0\x9f\x98\x80", "bad \xff here", "cut \xe2\x82", "\xed\xa0\x80 surrogate"};
    static const char *const decoded[] = {"", "plain", "quote \" backslash \\ slash /", "tab\tnl\ncr\r\x01\x1f", "caf\xc3\xa9",
                                          "\xf0\x9f\x98\x80", "bad \xef\xbf\xbd here", "cut \xef\xbf\xbd",
                                          "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd surrogate"};
    static const double numbers[] = {0.0, -0.0, 1.0, 3.0, 0.1, 1e-300, 6.02214076e23, 16777217.0, 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0};
    const size_t n_strings = sizeof strings / sizeof strings[0], n_numbers = sizeof numbers / sizeof numbers[0];
    tn_json mem, file;
    FILE *f = tmpfile();
    CHECK(f != NULL, "tmpfile");
    if (!f) return;
    tn_json_begin_mem(&mem);
    tn_json_begin(&file, f);
    for (tn_json *j = &mem; j; j = j == &mem ? &file : NULL) {
        tn_json_object(j, NULL);
        tn_json_array(j, "s");
        for (size_t k = 0; k < n_strings; k++) tn_json_string(j, NULL, strings[k]);
        tn_json_end(j);
        tn_json_newline(j);
        tn_json_array(j, "n");
        for (size_t k = 0; k < n_numbers; k++) tn_json_number(j, NULL, numbers[k]);
        tn_json_end(j);
        tn_json_uint(j, "u", UINT64_MAX);
        tn_json_string(j, "key \"q\"", "v");
        tn_json_bool(j, "t", 1);
        tn_json_null(j, "z");
        tn_json_end(j);
    }
    size_t len;
    char *text = tn_json_take(&mem, &len), from_file[4096];
    rewind(f);
    size_t got = fread(from_file, 1, sizeof from_file, f);
    fclose(f);
    CHECK(text && got == len && memcmp(text, from_file, len) == 0, "both sinks write the same bytes");
    CHECK(text && text[len - 1] == '\n' && strstr(text, "],\n\"n\":["), "line break after the comma, newline at the end");
    tn_json_doc doc;
    tn_error err = {""};
    CHECK_OK(tn_json_parse("t", text, len, &doc, &err), err);
    if (doc.root) {
        const tn_json_value *v = tn_json_get(doc.root, "s")->first;
        for (size_t k = 0; k < n_strings; k++, v = v->next) CHECK(v && strcmp(v->text, decoded[k]) == 0, "string %zu: %s", k, v ? v->text : "-");
        v = tn_json_get(doc.root, "n")->first;
        for (size_t k = 0; k < n_numbers; k++, v = v->next) {
            char want[32];
            snprintf(want, sizeof want, "%.9g", numbers[k]);
            if (numbers[k] - numbers[k] != 0) CHECK(v && v->kind == TN_JSON_NULL, "non-finite %zu as null", k);
            else CHECK(v && v->kind == TN_JSON_NUMBER && v->number == strtod(want, NULL) && strcmp(v->text, want) == 0, "number %zu", k);
        }
        uint64_t u;
        CHECK(tn_json_to_u64(tn_json_get(doc.root, "u"), UINT64_MAX, &u) && u == UINT64_MAX, "uint64 round trip");
        CHECK(tn_json_get(doc.root, "key \"q\"") && tn_json_get(doc.root, "t")->kind == TN_JSON_TRUE, "escaped key");
    }
    tn_json_doc_free(&doc);
    free(text);
}

/* 64 levels parse, 65 do not; a deep input far beyond fails without exhausting the stack. */
static void nesting(void) {
    size_t deep = 100000;
    char *text = malloc(2 * deep + 1);
    if (!text) return;
    for (size_t levels = 63; levels <= 66; levels++) {
        memset(text, '[', levels);
        memset(text + levels, ']', levels);
        tn_json_doc doc;
        tn_status s = tn_json_parse("t", text, 2 * levels, &doc, &(tn_error){""});
        CHECK((s == TN_OK) == (levels <= TN_JSON_MAX_DEPTH), "%zu levels: %d", levels, (int)s);
        tn_json_doc_free(&doc);
    }
    memset(text, '[', deep);
    memset(text + deep, ']', deep);
    tn_error err;
    CHECK(strcmp(refusal(text, 2 * deep, &err), "doc.json: JSON: nested more than 64 deep at byte 64") == 0, "%s", err.msg);
    free(text);
}

int main(void) {
    valid_and_invalid();
    tree();
    round_trip();
    nesting();
    return check_done("test_json");
}
