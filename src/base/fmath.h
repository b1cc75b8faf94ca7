/* The inline float math that the kernels vectorise: only +, *, fmaf and bit operations, so
 * scalar and SIMD code and every libm give the same bits (tn_exp, tn_log etc. in fmath.c). */
#ifndef TN_FMATH_H
#define TN_FMATH_H

#include <math.h>

#include "util.h"

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
