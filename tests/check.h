/* A tiny test harness: CHECK records a failure with file:line and goes on; the program's exit
 * status is the number of failures (capped), so `make test` fails when anything does. */
#ifndef TN_CHECK_H
#define TN_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_failures, check_count;

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        check_count++;                                                                    \
        if (!(cond)) {                                                                    \
            check_failures++;                                                             \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                 \
            fputc('\n', stderr);                                                          \
        }                                                                                 \
    } while (0)

#define CHECK_OK(expr, err)                                                               \
    do {                                                                                  \
        tn_status check_s_ = (expr);                                                      \
        CHECK(check_s_ == TN_OK, "%s -> %s: %s", #expr, tn_status_string(check_s_), (err).msg); \
    } while (0)

static inline int check_done(const char *name) {
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures > 100 ? 100 : check_failures;
}

#endif
