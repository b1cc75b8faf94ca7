/* Internal helpers shared by the library's files: error formatting, aligned allocation,
 * little-endian I/O, and the inline float math that kernels vectorise (same bits at any width). */
#ifndef TN_INTERNAL_H
#define TN_INTERNAL_H

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "twinnet.h"

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

static inline uint32_t tn_round_pad(uint32_t n) { return (n + TN_PAD - 1) / TN_PAD * TN_PAD; }

/* e^x in float for |x| within [-86, 88]: x = k ln2 + r, |r| <= ln2/2, degree-7 Taylor by
 * Horner with explicit fmaf, times 2^k built from bits. Only +,*,fmaf: the same bits in
 * scalar and SIMD code and under every libm. */
static inline float tn_expf_inline(float x) {
    x = x < -86.0f ? -86.0f : x;
    x = x > 88.0f ? 88.0f : x;
    float kf = x * 1.44269504088896341f;
    kf = (kf + 12582912.0f) - 12582912.0f;          /* round to nearest integer */
    float r = fmaf(kf, -0.693145751953125f, x);     /* ln2 high part, exact product */
    r = fmaf(kf, -1.428606765330187045e-06f, r);    /* ln2 low part */
    float p = 1.98412698412698413e-04f;             /* 1/7! */
    p = fmaf(p, r, 1.38888888888888889e-03f);
    p = fmaf(p, r, 8.33333333333333333e-03f);
    p = fmaf(p, r, 4.16666666666666667e-02f);
    p = fmaf(p, r, 1.66666666666666667e-01f);
    p = fmaf(p, r, 0.5f);
    p = fmaf(p, r, 1.0f);
    p = fmaf(p, r, 1.0f);
    int32_t k = kf == kf ? (int32_t)kf : 0; /* NaN: no undefined conversion; p is NaN anyway */
    float scale = tn_u2f((uint32_t)(k + 127) << 23);
    return p * scale;
}

/* 1/(1+e^-z) with z clamped to [-80, 80]: the result stays a normal float. */
static inline float tn_sigmoid_inline(float z) {
    z = z < -80.0f ? -80.0f : z;
    z = z > 80.0f ? 80.0f : z;
    return 1.0f / (1.0f + tn_expf_inline(z * -1.0f));
}

/* tanh z = sign(z) (1 - e^-2|z|) / (1 + e^-2|z|), |z| clamped to 40. */
static inline float tn_tanh_inline(float z) {
    float a = fabsf(z);
    a = 40.0f < a ? 40.0f : a;
    float t = tn_expf_inline(a * -2.0f);
    float v = (1.0f - t) / (1.0f + t);
    return z < 0.0f ? v * -1.0f : v;
}

#endif
