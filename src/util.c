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
    case TN_ERR_INTERRUPTED: return "interrupted";
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

const char *tn_activation_name(tn_activation a) {
    switch (a) {
    case TN_ACT_SIGMOID: return "sigmoid";
    case TN_ACT_TANH: return "tanh";
    case TN_ACT_RELU: return "relu";
    }
    return "?";
}

const char *tn_cost_name(tn_cost c) {
    switch (c) {
    case TN_COST_QUADRATIC: return "quadratic";
    case TN_COST_CROSS_ENTROPY: return "cross-entropy";
    case TN_COST_LOG_LIKELIHOOD: return "log-likelihood";
    }
    return "?";
}

const char *tn_init_name(tn_init i) {
    switch (i) {
    case TN_INIT_NORMAL: return "normal";
    case TN_INIT_SCALED: return "scaled";
    }
    return "?";
}
