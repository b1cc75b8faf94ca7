/* Errors, allocation and names: the small pieces every other file uses. */
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

/* A message longer than err->msg keeps its reason: the first field (a file name, before the
 * first ": ") is shortened in the middle instead of the reason being cut off at the end. */
static void fit_message(char *msg, size_t cap, const char *full) {
    size_t len = strlen(full);
    const char *colon = strstr(full, ": ");
    size_t head = colon ? (size_t)(colon - full) : 0, tail = len - head;
    if (len < cap || !colon || tail + 16 >= cap) {
        size_t n = len < cap ? len : cap - 1;
        memcpy(msg, full, n);
        msg[n] = 0;
        return;
    }
    size_t keep = cap - 1 - tail - 3, front = keep / 2, back = keep - front;
    snprintf(msg, cap, "%.*s...%.*s%s", (int)front, full, (int)back, full + head - back, colon);
}

tn_status tn_fail(tn_error *err, tn_status s, const char *fmt, ...) {
    if (err) {
        char full[3 * sizeof err->msg + 8192];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(full, sizeof full, fmt, ap);
        va_end(ap);
        fit_message(err->msg, sizeof err->msg, full);
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

/* The largest allocation: 1 TiB, or on 32-bit hosts what size_t holds once rounded up. */
#if SIZE_MAX / 1024 / 1024 / 1024 >= 1024
#define TN_ALLOC_MAX ((size_t)1 << 40)
#else
#define TN_ALLOC_MAX (SIZE_MAX - 63)
#endif

void *tn_alloc(size_t n) {
    if (n == 0 || n > TN_ALLOC_MAX) return NULL;
    size_t rounded = (n + 63) / 64 * 64;
    return aligned_alloc(64, rounded);
}

void *tn_calloc(size_t count, size_t size) {
    if (size && count > TN_ALLOC_MAX / size) return NULL;
    void *p = tn_alloc(count * size);
    if (p) memset(p, 0, count * size);
    return p;
}

void tn_free(void *p) { free(p); }

const char *const tn_activation_names[TN_ACT_COUNT] = {"sigmoid", "tanh", "relu"};
const char *const tn_cost_names[TN_COST_COUNT] = {"quadratic", "cross-entropy", "log-likelihood"};
const char *const tn_init_names[TN_INIT_COUNT] = {"normal", "scaled", "torch"};
const char *const tn_stop_names[TN_STOP_COUNT] = {"completed", "stopped early", "interrupted", "non-finite"};
const char *const tn_start_known_names[TN_START_COUNT] = {"seeds", "supplied", "unknown"};
const char *const tn_on_nan_names[TN_ON_NAN_COUNT] = {"stop", "continue"};

const char *tn_activation_name(tn_activation a) { return (unsigned)a < TN_ACT_COUNT ? tn_activation_names[a] : "?"; }
const char *tn_cost_name(tn_cost c) { return (unsigned)c < TN_COST_COUNT ? tn_cost_names[c] : "?"; }
const char *tn_init_name(tn_init i) { return (unsigned)i < TN_INIT_COUNT ? tn_init_names[i] : "?"; }
