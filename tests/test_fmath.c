/* Our deterministic elementary functions against the system libm (glibc: exp, log, sin, cos
 * within 1 ulp): tn_exp and tn_log within a few ulps, tn_sin and tn_cos within 1e-15 absolute
 * for |x| <= 1e5, tn_expf within 2e-7 relative on [-86, 88], and tn_sigmoidf's range. */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#define TN_INTERNAL 1 /* test hooks: see the end of twinnet.h */
#include "twinnet.h"

static uint64_t rng_state = 20240601;
static uint64_t splitmix64(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double uniform01(void) { return (double)(splitmix64() >> 11) * 0x1p-53; }

/* |got - want| in units of the last place of want (ulp = 2^(e-53) for want = m 2^e, m in
 * [0.5, 1)); NaN when either is NaN, so a NaN fails every "<=" test below. */
static double ulps(double got, double want) {
    if (got == want) return 0.0;
    int e;
    frexp(want, &e);
    if (e < -1021) e = -1021; /* subnormal results: the ulp stops shrinking */
    return fabs(got - want) / ldexp(1.0, e - 53);
}

/* Keeps the worst error and where it happened; a NaN error always becomes the worst. */
typedef struct { double err, at; } worst;
static void note(worst *w, double err, double at) {
    if (!(err <= w->err)) { w->err = err; w->at = at; }
}

static void check_exp(void) {
    worst w = {0, 0};
    for (int i = 0; i < 1000000; i++) {
        double x = -708.0 + uniform01() * (709.0 + 708.0);
        note(&w, ulps(tn_exp(x), exp(x)), x);
    }
    for (int i = 0; i < 200000; i++) { /* small |x|, and near the reduction's half-way points */
        double x = (uniform01() - 0.5) * ldexp(1.0, -(int)(splitmix64() % 60));
        note(&w, ulps(tn_exp(x), exp(x)), x);
        double k = (double)(int64_t)(splitmix64() % 2000) - 1000.0;
        double half = (k + 0.5) * 0.6931471805599453 + (uniform01() - 0.5) * 1e-12;
        if (half > -708.0 && half < 709.0) note(&w, ulps(tn_exp(half), exp(half)), half);
    }
    for (int k = -708; k <= 709; k++) note(&w, ulps(tn_exp(k), exp(k)), k);
    CHECK(w.err <= 8.0, "tn_exp: %.2f ulp at x = %.17g", w.err, w.at);
    CHECK(tn_exp(0.0) == 1.0, "tn_exp(0) = %.17g", tn_exp(0.0));
    CHECK(tn_exp(1e-300) == 1.0 && tn_exp(-1e-300) == 1.0, "tn_exp(+-1e-300) is not 1");
    CHECK(isnan(tn_exp(NAN)), "tn_exp(NaN) = %g", tn_exp(NAN));
    printf("tn_exp on [-708, 709]: max %.2f ulp (at %.17g)\n", w.err, w.at);
}

static void check_log(void) {
    worst w = {0, 0};
    for (int i = 0; i < 1000000; i++) { /* every binade of positive doubles, subnormals too */
        uint64_t bits = splitmix64() >> 1; /* sign cleared */
        uint64_t exponent = splitmix64() % 2047; /* 0 (subnormal) .. 2046 */
        bits = (bits & 0x000fffffffffffffull) | exponent << 52;
        double x;
        memcpy(&x, &bits, 8);
        if (x > 0.0) note(&w, ulps(tn_log(x), log(x)), x);
    }
    for (int i = 0; i < 300000; i++) { /* near 1, where log is small, and near sqrt(2) */
        double x = 1.0 + (uniform01() - 0.5) * ldexp(1.0, -(int)(splitmix64() % 50));
        note(&w, ulps(tn_log(x), log(x)), x);
        double r = 1.4142135623730951 * (1.0 + (uniform01() - 0.5) * 1e-9);
        note(&w, ulps(tn_log(r), log(r)), r);
        note(&w, ulps(tn_log(r * 0.5), log(r * 0.5)), r * 0.5);
    }
    for (int k = -1074; k <= 1023; k++) note(&w, ulps(tn_log(ldexp(1.0, k)), log(ldexp(1.0, k))), ldexp(1.0, k));
    note(&w, ulps(tn_log(DBL_MAX), log(DBL_MAX)), DBL_MAX);
    CHECK(w.err <= 8.0, "tn_log: %.2f ulp at x = %.17g", w.err, w.at);
    CHECK(tn_log(1.0) == 0.0, "tn_log(1) = %.17g", tn_log(1.0));
    CHECK(tn_log(0.0) == -HUGE_VAL, "tn_log(0) = %g", tn_log(0.0));
    CHECK(isnan(tn_log(-1.0)) && isnan(tn_log(NAN)), "tn_log of a negative or NaN is not NaN");
    CHECK(tn_log(HUGE_VAL) == HUGE_VAL, "tn_log(inf) = %g", tn_log(HUGE_VAL));
    printf("tn_log on (0, DBL_MAX]: max %.2f ulp (at %.17g)\n", w.err, w.at);
}

/* sin and cos. The reduction carries pi/2 to about 99 bits (Cody-Waite in three parts), so
 * next to a zero (x near k pi/2) the absolute error is ~1e-30 but the relative one reaches
 * ~1e-11: the checks are absolute everywhere, relative away from zeros. */
static void check_sin_cos(void) {
    worst abs_err = {0, 0}, rel_err = {0, 0}, far_err = {0, 0}, zero_rel = {0, 0}, zero_abs = {0, 0};
    for (int i = 0; i < 1000000; i++) {
        double x = (uniform01() * 2.0 - 1.0) * 100.0;
        if (i < 100000) x = (uniform01() - 0.5) * ldexp(1.0, -(int)(splitmix64() % 40));
        double s = sin(x), c = cos(x), ts = tn_sin(x), tc = tn_cos(x);
        note(&abs_err, fabs(ts - s), x);
        note(&abs_err, fabs(tc - c), x);
        if (fabs(s) >= 1e-3) note(&rel_err, fabs(ts - s) / fabs(s), x);
        if (fabs(c) >= 1e-3) note(&rel_err, fabs(tc - c) / fabs(c), x);
    }
    for (int i = 0; i < 200000; i++) { /* the documented range of the reduction: |x| < 1e5 */
        double x = (uniform01() * 2.0 - 1.0) * 1e5;
        note(&far_err, fabs(tn_sin(x) - sin(x)), x);
        note(&far_err, fabs(tn_cos(x) - cos(x)), x);
    }
    for (int k = -63; k <= 63; k++) { /* the doubles nearest k pi/2 and 3 neighbours each side */
        double centre = k * 1.5707963267948966, x = centre;
        for (int i = 0; i < 3; i++) x = nextafter(x, -HUGE_VAL);
        for (int i = 0; i < 7; i++, x = nextafter(x, HUGE_VAL)) {
            double s = sin(x), c = cos(x);
            double e1 = fabs(tn_sin(x) - s), e2 = fabs(tn_cos(x) - c);
            note(&zero_abs, e1 > e2 ? e1 : e2, x);
            if (s != 0.0) note(&zero_rel, e1 / fabs(s), x);
            if (c != 0.0) note(&zero_rel, e2 / fabs(c), x);
        }
    }
    CHECK(abs_err.err <= 1e-15, "tn_sin/tn_cos on [-100, 100]: absolute error %.3g at %.17g", abs_err.err, abs_err.at);
    CHECK(rel_err.err < 1e-14, "tn_sin/tn_cos on [-100, 100]: relative error %.3g at %.17g", rel_err.err, rel_err.at);
    CHECK(far_err.err <= 1e-15, "tn_sin/tn_cos on [-1e5, 1e5]: absolute error %.3g at %.17g", far_err.err, far_err.at);
    CHECK(zero_abs.err <= 1e-25, "near k pi/2: absolute error %.3g at %.17g", zero_abs.err, zero_abs.at);
    CHECK(zero_rel.err <= 1e-10, "near k pi/2: relative error %.3g at %.17g", zero_rel.err, zero_rel.at);
    CHECK(tn_sin(0.0) == 0.0 && tn_cos(0.0) == 1.0, "sin 0 = %g, cos 0 = %g", tn_sin(0.0), tn_cos(0.0));
    printf("tn_sin/tn_cos: |x|<=100 abs %.3g rel %.3g (|value|>=1e-3); |x|<=1e5 abs %.3g; "
           "next to zeros abs %.3g rel %.3g\n",
           abs_err.err, rel_err.err, far_err.err, zero_abs.err, zero_rel.err);
}

static float float_of_bits(uint32_t bits) { float f; memcpy(&f, &bits, 4); return f; }
static int is_normal_float(float f) { return isfinite(f) && fabsf(f) >= FLT_MIN; }

/* tn_expf at every 251st float of [-86, 88] (about 8.6 million), then the clamps. */
static void check_expf(void) {
    worst w = {0, 0};
    uint32_t tested = 0, abnormal = 0;
    for (uint32_t sign = 0; sign <= 1; sign++)
        for (uint32_t bits = 0; bits < 0x7f800000u; bits += 251) {
            float x = float_of_bits(bits | sign << 31);
            if (!(x >= -86.0f && x <= 88.0f)) continue;
            double want = exp((double)x);
            float got = tn_expf(x);
            note(&w, fabs(got - want) / want, x);
            abnormal += !is_normal_float(got);
            tested++;
        }
    CHECK(w.err < 2e-7, "tn_expf: relative error %.3g at %.9g", w.err, w.at);
    CHECK(abnormal == 0, "tn_expf: %u results are not normal floats", abnormal);
    CHECK(tn_expf(0.0f) == 1.0f, "tn_expf(0) = %a", (double)tn_expf(0.0f));
    const float huge[] = {89.0f, 1000.0f, 1e30f, FLT_MAX, INFINITY};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        CHECK(tn_expf(huge[i]) == tn_expf(88.0f), "tn_expf(%g) is not clamped to tn_expf(88)", (double)huge[i]);
        CHECK(tn_expf(-huge[i]) == tn_expf(-86.0f), "tn_expf(%g) is not clamped to tn_expf(-86)", (double)-huge[i]);
    }
    CHECK(is_normal_float(tn_expf(88.0f)) && is_normal_float(tn_expf(-86.0f)),
          "tn_expf at the clamps: %a %a", (double)tn_expf(88.0f), (double)tn_expf(-86.0f));
    printf("tn_expf on [-86, 88], %u points: max relative error %.3g (at %.9g)\n", tested, w.err, w.at);
}

/* Counts, over n consecutive floats upward from x, the places where f decreases, and the
 * largest decrease in units of the last place. */
static void scan_consecutive(float (*f)(float), float x, uint32_t n, uint32_t *drops, double *worst_drop) {
    float prev = f(x);
    for (uint32_t i = 0; i < n; i++) {
        x = nextafterf(x, INFINITY);
        float v = f(x);
        if (v < prev) {
            ++*drops;
            double drop = (prev - v) / (nextafterf(v, INFINITY) - v);
            if (drop > *worst_drop) *worst_drop = drop;
        }
        prev = v;
    }
}

/* tn_sigmoidf: values are normal floats in (0, 1], below 1 while 1/(1+e^-z) is below
 * 1 - 2^-24 (z < 16), symmetric, within 3e-7 of the exact value on [-80, 80], and
 * increasing: strictly at points 2^-12 apart in relative terms, and never down by more than
 * an ulp between neighbouring floats (the function is not correctly rounded, so it may wobble
 * by one). tn_expf gets the same neighbour scan. */
static void check_sigmoid(void) {
    uint32_t outside = 0, not_normal = 0, not_below_one = 0, tested = 0, decreasing = 0;
    worst w = {0, 0}, symmetric = {0, 0};
    float prev = 0.0f;
    /* Every 4096th float from -1e30 up to 1e30: sign-magnitude bits, so walk the negatives
     * downward in magnitude, then the positives upward. */
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t t = 0; t <= 0x7149f2cau / 4096; t++) { /* 0x7149f2ca: 1e30f */
            uint32_t bits = pass == 0 ? 0x7149f2cau - t * 4096 : t * 4096;
            float z = float_of_bits(bits | (pass == 0 ? 0x80000000u : 0));
            float s = tn_sigmoidf(z);
            outside += !(s > 0.0f && s <= 1.0f);
            not_normal += !is_normal_float(s);
            not_below_one += z < 16.0f && !(s < 1.0f);
            decreasing += (pass || t) && !(s >= prev);
            prev = s;
            if (fabsf(z) <= 80.0f) {
                double want = 1.0 / (1.0 + exp(-(double)z));
                note(&w, fabs(s - want) / want, z);
                note(&symmetric, fabs((double)s + (double)tn_sigmoidf(-z) - 1.0), z);
            }
            tested++;
        }
    CHECK(outside == 0, "tn_sigmoidf: %u values outside (0, 1]", outside);
    CHECK(not_normal == 0, "tn_sigmoidf: %u values are not normal floats", not_normal);
    CHECK(not_below_one == 0, "tn_sigmoidf: %u values reach 1 for z < 16", not_below_one);
    CHECK(decreasing == 0, "tn_sigmoidf: decreases at %u of %u points 4096 floats apart", decreasing, tested);
    CHECK(w.err < 3e-7, "tn_sigmoidf: relative error %.3g at z = %.9g", w.err, w.at);
    CHECK(symmetric.err < 2e-7, "tn_sigmoidf(z) + tn_sigmoidf(-z) - 1 = %.3g at z = %.9g", symmetric.err, symmetric.at);
    CHECK(tn_sigmoidf(0.0f) == 0.5f, "tn_sigmoidf(0) = %a", (double)tn_sigmoidf(0.0f));
    CHECK(tn_sigmoidf(-INFINITY) == tn_sigmoidf(-80.0f) && tn_sigmoidf(INFINITY) == 1.0f,
          "tn_sigmoidf(+-inf) = %a %a", (double)tn_sigmoidf(-INFINITY), (double)tn_sigmoidf(INFINITY));
    CHECK(tn_sigmoidf(-1e30f) >= FLT_MIN, "tn_sigmoidf(-1e30) = %a", (double)tn_sigmoidf(-1e30f));

    /* Neighbouring floats in windows of 2^18: at the clamps, the reduction's half-way points
     * (+-ln2/2), and at -0.2501, 0.0614, 0.1184 where an exhaustive scan found 1-ulp drops. */
    static const float starts[] = {-80.0f, -16.0f, -1.0f, -0.3466f, -0.2501f, -0.01f, 0.0f,
                                   0.0614f, 0.1184f, 0.3466f, 1.0f, 5.0f, 15.0f, 87.99f};
    uint32_t sig_drops = 0, exp_drops = 0;
    double sig_worst = 0.0, exp_worst = 0.0;
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        scan_consecutive(tn_sigmoidf, starts[i], 1u << 18, &sig_drops, &sig_worst);
        scan_consecutive(tn_expf, starts[i], 1u << 18, &exp_drops, &exp_worst);
    }
    CHECK(sig_worst <= 1.0, "tn_sigmoidf drops by %.0f ulp between neighbouring floats", sig_worst);
    CHECK(exp_worst <= 1.0, "tn_expf drops by %.0f ulp between neighbouring floats", exp_worst);
    printf("tn_sigmoidf: %u points in [-1e30, 1e30], max relative error %.3g (at %.9g), "
           "symmetry %.3g; 1-ulp drops between neighbours: sigmoid %u, expf %u of %u\n",
           tested, w.err, w.at, symmetric.err, sig_drops, exp_drops,
           (uint32_t)(sizeof starts / sizeof starts[0]) << 18);
}

int main(void) {
    check_exp();
    check_log();
    check_sin_cos();
    check_expf();
    check_sigmoid();
    return check_done("test_fmath");
}
