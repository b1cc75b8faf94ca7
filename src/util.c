/* Errors, allocation and names: the small pieces every other file uses. */
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

tn_status tn_fail(tn_error *err, tn_status s, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        for (char *c = err->msg; *c; c++)
            if (*c == '\n' || *c == '\r') *c = ' '; /* one line, whatever a file name holds */
    }
    return s;
}

const char *tn_status_string(tn_status s) {
    switch (s) {
    case TN_OK: return "ok";
    case TN_ERR_IO: return "i/o error";
    case TN_ERR_FORMAT: return "bad file format";
    case TN_ERR_ARG: return "bad argument";
    case TN_ERR_NOMEM: return "out of memory";
    }
    return "unknown error";
}

void *tn_alloc(size_t n) {
    if (n == 0 || n > ((size_t)1 << 40)) return NULL;
    size_t rounded = (n + 63) / 64 * 64;
    return aligned_alloc(64, rounded);
}

void *tn_calloc(size_t count, size_t size) {
    if (size && count > ((size_t)1 << 40) / size) return NULL;
    void *p = tn_alloc(count * size);
    if (p) memset(p, 0, count * size);
    return p;
}

void tn_free(void *p) { free(p); }

const char *const tn_activation_names[3] = {"sigmoid", "tanh", "relu"};
const char *const tn_cost_names[3] = {"quadratic", "cross-entropy", "log-likelihood"};
const char *const tn_init_names[2] = {"normal", "scaled"};

const char *tn_activation_name(tn_activation a) { return (unsigned)a < 3 ? tn_activation_names[a] : "?"; }
const char *tn_cost_name(tn_cost c) { return (unsigned)c < 3 ? tn_cost_names[c] : "?"; }
const char *tn_init_name(tn_init i) { return (unsigned)i < 2 ? tn_init_names[i] : "?"; }
