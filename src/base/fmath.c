/* Deterministic elementary functions from IEEE basic operations only (+ - * / sqrt, exact
 * scaling by powers of two), so results round the same under every libm and compiler. They
 * serve initialisation (log, sin, cos in Box-Muller), costs (log) and activations (expf). */
#include "fmath.h"

/* 2^k for integer k in the normal range, built from bits: exact. */
static double pow2i(int k) {
    uint64_t bits = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static const double LN2_HI = 6.93147180369123816490e-01; /* 0x3fe62e42fee00000: exact k*LN2_HI */
static const double LN2_LO = 1.90821492927058770002e-10;

double tn_exp(double x) {
    if (x != x) return x;
    if (x > 709.0) x = 709.0;
    if (x < -708.0) x = -708.0;
    double kd = x * 1.44269504088896338700e+00;
    kd = kd < 0 ? kd - 0.5 : kd + 0.5;
    int k = (int)kd;                              /* round half away from zero */
    double r = (x - k * LN2_HI) - k * LN2_LO;     /* |r| <= ~0.35 */
    /* Taylor series to r^16/16!: below 1e-19 relative for |r| <= 0.35. */
    double term = 1.0, sum = 1.0;
    for (int n = 1; n <= 16; n++) {
        term = term * r / n;
        sum += term;
    }
    return sum * pow2i(k);
}

double tn_log(double x) {
    if (!(x > 0.0)) return x == 0.0 ? -HUGE_VAL : NAN;
    if (x == HUGE_VAL) return x;
    uint64_t bits;
    memcpy(&bits, &x, 8);
    int e = (int)((bits >> 52) & 0x7ff);
    if (e == 0) { /* subnormal: scale up exactly */
        x *= 0x1p54;
        memcpy(&bits, &x, 8);
        e = (int)((bits >> 52) & 0x7ff) - 54;
    }
    e -= 1023;
    bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m;
    memcpy(&m, &bits, 8);                          /* m in [1, 2) */
    if (m > 1.4142135623730951) { m *= 0.5; e += 1; } /* m in [0.707, 1.414] */
    /* log m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: series to s^31. */
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, power = s, sum = 0.0;
    for (int n = 1; n <= 31; n += 2) {
        sum += power / n;
        power *= s2;
    }
    return e * LN2_HI + (e * LN2_LO + 2.0 * sum);
}

/* sin and cos of r for |r| <= pi/4 by Taylor series to degree 22/23. */
static double sin_small(double r) {
    double r2 = r * r, term = r, sum = r;
    for (int n = 1; n <= 11; n++) {
        term = -term * r2 / ((2 * n) * (2 * n + 1));
        sum += term;
    }
    return sum;
}
static double cos_small(double r) {
    double r2 = r * r, term = 1.0, sum = 1.0;
    for (int n = 1; n <= 11; n++) {
        term = -term * r2 / ((2 * n - 1) * (2 * n));
        sum += term;
    }
    return sum;
}

/* x = q pi/2 + r with pi/2 in three parts (Cody-Waite); fine for |x| < 1e5. */
static double reduce_half_pi(double x, int *quadrant) {
    double qd = x * 6.36619772367581382433e-01;
    qd = qd < 0 ? qd - 0.5 : qd + 0.5;
    long q = (long)qd;
    double r = x - q * 1.57079632673412561417e+00;
    r = r - q * 6.07710050630396597660e-11;
    r = r - q * 2.02226624871116645580e-21;
    *quadrant = (int)(q & 3);
    return r;
}

double tn_sin(double x) {
    int q;
    double r = reduce_half_pi(x, &q);
    switch (q) {
    case 0: return sin_small(r);
    case 1: return cos_small(r);
    case 2: return -sin_small(r);
    default: return -cos_small(r);
    }
}

double tn_cos(double x) {
    int q;
    double r = reduce_half_pi(x, &q);
    switch (q) {
    case 0: return cos_small(r);
    case 1: return -sin_small(r);
    case 2: return -cos_small(r);
    default: return sin_small(r);
    }
}

float tn_expf(float x) { return tn_expf_inline(x); }
float tn_sigmoidf(float z) { return tn_sigmoid_inline(z); }
