/* Internal helpers shared by the library's files: error formatting, aligned allocation,
 * little-endian byte order, padded widths. */
#ifndef TN_UTIL_H
#define TN_UTIL_H

#include <float.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#define TN_INTERNAL 1 /* the library's own files see twinnet.h's test hooks too */
#include "twinnet.h"

/* The bits are IEEE float and double arithmetic with each operation rounded to its own type.
 * A compiler that evaluates in a wider format rounds differently: the x87 unit of 32-bit x86,
 * gcc -std=c11 on s390x (float in double). The Makefile adds the flags that avoid both. */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "twinnet needs FLT_EVAL_METHOD 0 (no excess precision): on 32-bit x86 compile with -msse2 -mfpmath=sse, with gcc on s390x add -fexcess-precision=fast (the Makefile does both)"
#endif

tn_status tn_fail(tn_error *err, tn_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

void *tn_alloc(size_t n);              /* NULL on failure or n == 0; 64-byte aligned */
void *tn_calloc(size_t count, size_t size);  /* overflow-checked, zeroed, 64-byte aligned */
void tn_free(void *p);

static inline uint32_t tn_f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float tn_u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static inline void tn_put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t tn_get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void tn_put_u64(uint8_t *p, uint64_t v) { tn_put_u32(p, (uint32_t)v); tn_put_u32(p + 4, (uint32_t)(v >> 32)); }
static inline uint64_t tn_get_u64(const uint8_t *p) { return tn_get_u32(p) | (uint64_t)tn_get_u32(p + 4) << 32; }
static inline uint32_t tn_get_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* "s" unless n is 1: "1 byte", "2 bytes". */
#define TN_S(n) ((n) == 1 ? "" : "s")

static inline uint32_t tn_round_pad(uint32_t n) { return (n + TN_PAD - 1) / TN_PAD * TN_PAD; }

#endif
