/* Randomness: tn_philox4x32_10 against the Random123 reference (Debian librandom123-dev) and
 * its published known-answer vectors; tn_normal's distribution and index-only dependence;
 * tn_shuffle is a permutation, varies with seed and epoch, and is uniform. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#define TN_INTERNAL 1 /* test hooks: see the end of twinnet.h */
#include "twinnet.h"

/* TN_TEST_WITHOUT_RANDOM123 tries the path of a machine without the header. */
#if defined(__has_include) && !defined(TN_TEST_WITHOUT_RANDOM123)
#if __has_include(<Random123/philox.h>)
#include <Random123/philox.h>
#define HAVE_RANDOM123 1
#endif
#endif

/* The test's own generator for picking counters, keys and seeds: splitmix64, so nothing here
 * leans on the Philox code under test. */
static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The Philox used by the reference implementations below: Random123's when it is installed,
 * else ours (then vouched for only by the known-answer vectors). */
static void reference_philox(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
#ifdef HAVE_RANDOM123
    philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t r = philox4x32_R(10, c, k);
    memcpy(out, r.v, 4 * sizeof(uint32_t));
#else
    tn_philox4x32_10(ctr, key, out);
#endif
}

/* Random123's kat_vectors for philox4x32 with 10 rounds (also checked against philox.h). */
static void check_known_answers(void) {
    static const struct { uint32_t ctr[4], key[2], out[4]; } kat[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (size_t t = 0; t < sizeof kat / sizeof kat[0]; t++) {
        uint32_t out[4];
        tn_philox4x32_10(kat[t].ctr, kat[t].key, out);
        CHECK(memcmp(out, kat[t].out, sizeof out) == 0,
              "known answer %zu: got %08x %08x %08x %08x, want %08x %08x %08x %08x", t,
              out[0], out[1], out[2], out[3], kat[t].out[0], kat[t].out[1], kat[t].out[2], kat[t].out[3]);
    }
}

#ifdef HAVE_RANDOM123
/* Every combination of edge words {0, 1, 2^31, 2^32-1} in the 4 counter and 2 key words
 * (4^6 cases), then 100k counters and keys from splitmix64. */
static void check_against_random123(void) {
    static const uint32_t edge[4] = {0, 1, 0x80000000u, 0xffffffffu};
    uint32_t mismatches = 0, cases = 0;
    for (uint32_t combo = 0; combo < 4096; combo++) {
        uint32_t ctr[4], key[2], ours[4], theirs[4];
        for (int w = 0; w < 4; w++) ctr[w] = edge[(combo >> (2 * w)) & 3];
        for (int w = 0; w < 2; w++) key[w] = edge[(combo >> (8 + 2 * w)) & 3];
        tn_philox4x32_10(ctr, key, ours);
        reference_philox(ctr, key, theirs);
        mismatches += memcmp(ours, theirs, sizeof ours) != 0;
        cases++;
    }
    uint64_t state = 12345;
    for (int t = 0; t < 100000; t++) {
        uint32_t ctr[4], key[2], ours[4], theirs[4];
        uint64_t a = splitmix64(&state), b = splitmix64(&state), c = splitmix64(&state);
        ctr[0] = (uint32_t)a; ctr[1] = (uint32_t)(a >> 32);
        ctr[2] = (uint32_t)b; ctr[3] = (uint32_t)(b >> 32);
        key[0] = (uint32_t)c; key[1] = (uint32_t)(c >> 32);
        tn_philox4x32_10(ctr, key, ours);
        reference_philox(ctr, key, theirs);
        if (memcmp(ours, theirs, sizeof ours) != 0 && mismatches++ < 5)
            fprintf(stderr, "mismatch at ctr %08x %08x %08x %08x key %08x %08x\n",
                    ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1]);
        cases++;
    }
    CHECK(mismatches == 0, "%u of %u Philox blocks differ from Random123", mismatches, cases);
    printf("philox4x32-10: %u blocks identical to Random123\n", cases);
}
#endif

/* ---- tn_normal ------------------------------------------------------------------------------ */

/* Box-Muller as src/base/rng.c documents it, with libm: block k/2 is Philox of counter
 * (k/2 low, k/2 high, 0, stream) under key (seed low, seed high); u = (53 bits + 0.5) 2^-53
 * from words (0,1) and (2,3); even k takes the cosine, odd k the sine. If the layout changes
 * on purpose, change it here too. */
static double reference_normal(uint64_t seed, uint32_t stream, uint64_t k) {
    uint64_t block = k >> 1;
    uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), 0, stream};
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)}, r[4];
    reference_philox(ctr, key, r);
    double u1 = ((double)(((uint64_t)r[0] << 21) ^ (r[1] >> 11)) + 0.5) * 0x1p-53;
    double u2 = ((double)(((uint64_t)r[2] << 21) ^ (r[3] >> 11)) + 0.5) * 0x1p-53;
    double radius = sqrt(-2.0 * log(u1)), angle = 6.283185307179586 * u2;
    return radius * ((k & 1) ? sin(angle) : cos(angle));
}

static void check_normal_reference(void) {
    uint64_t state = 99;
    double worst = 0.0;
    for (int t = 0; t < 200000; t++) {
        uint64_t seed = t < 1000 ? (uint64_t)t : splitmix64(&state);
        uint64_t k = t % 3 == 0 ? (uint64_t)t : splitmix64(&state) >> (t % 40);
        tn_stream stream = (tn_stream)(1 + t % 3);
        double ours = tn_normal(seed, stream, k), ref = reference_normal(seed, (uint32_t)stream, k);
        double err = fabs(ours - ref) / (fabs(ref) > 1.0 ? fabs(ref) : 1.0);
        if (!(err <= worst)) worst = err; /* NaN counts as worst */
    }
    CHECK(worst < 1e-13, "tn_normal differs from Box-Muller with libm by %.3g", worst);
    printf("tn_normal vs libm Box-Muller: max error %.3g\n", worst);
}

/* Standard normal CDF. */
static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* 1e6 draws: moments and tail fractions within 5 standard errors, and a chi-square over 34 bins (width 0.25 on
 * [-4, 4] plus both tails) below its 1e-4 critical value for 33 degrees of freedom (72.0). */
static void check_normal_statistics(void) {
    enum { N = 1000000, BINS = 34 };
    double sum = 0, sum2 = 0, sum3 = 0, sum4 = 0;
    uint32_t within1 = 0, beyond3 = 0, bad = 0, hist[BINS] = {0};
    for (uint64_t k = 0; k < N; k++) {
        double z = tn_normal(2024, TN_STREAM_INIT, k);
        if (!isfinite(z)) { bad++; continue; }
        double z2 = z * z;
        sum += z; sum2 += z2; sum3 += z2 * z; sum4 += z2 * z2;
        within1 += fabs(z) < 1.0;
        beyond3 += fabs(z) > 3.0;
        int bin = z < -4.0 ? 0 : z >= 4.0 ? BINS - 1 : 1 + (int)floor((z + 4.0) / 0.25);
        hist[bin]++;
    }
    CHECK(bad == 0, "%u non-finite normal deviates", bad);
    double mean = sum / N, var = sum2 / N - mean * mean;
    double moment3 = sum3 / N, moment4 = sum4 / N;
    double p1 = 0.682689492137086, p3 = 0.002699796063260;
    double frac1 = (double)within1 / N, frac3 = (double)beyond3 / N;
    /* Each within 5 standard errors; se of the raw moments: sqrt(Var z^k / N). */
    CHECK(fabs(mean) < 5 * 1e-3, "mean %.5f", mean);                        /* sqrt(1/N) */
    CHECK(fabs(var - 1.0) < 5 * 1.415e-3, "variance %.5f", var);             /* sqrt(2/N) */
    CHECK(fabs(moment3) < 5 * 3.87e-3, "third moment %.5f", moment3);        /* sqrt(15/N) */
    CHECK(fabs(moment4 - 3.0) < 5 * 9.8e-3, "fourth moment %.5f", moment4);  /* sqrt(96/N) */
    CHECK(fabs(frac1 - p1) < 5 * 4.66e-4, "P(|z|<1) = %.5f, want %.5f", frac1, p1);
    CHECK(fabs(frac3 - p3) < 5 * 5.2e-5, "P(|z|>3) = %.6f, want %.6f", frac3, p3);
    double chi2 = 0.0;
    for (int b = 0; b < BINS; b++) {
        double lo = b == 0 ? -INFINITY : -4.0 + 0.25 * (b - 1);
        double hi = b == BINS - 1 ? INFINITY : -4.0 + 0.25 * b;
        double expected = N * (normal_cdf(hi) - normal_cdf(lo));
        chi2 += (hist[b] - expected) * (hist[b] - expected) / expected;
    }
    CHECK(chi2 < 72.03, "chi-square of the histogram %.1f (33 dof)", chi2);
    printf("tn_normal over %d draws: mean %.5f var %.5f m3 %.5f m4 %.4f chi2 %.1f/33\n",
           N, mean, var, moment3, moment4, chi2);
}

/* The k-th value is the same whatever was drawn before it: ascending, descending and
 * scattered orders give the same bits. */
static void check_normal_index_only(void) {
    enum { N = 20000 };
    static double ascending[N];
    for (uint64_t k = 0; k < N; k++) ascending[k] = tn_normal(77, TN_STREAM_INIT, k);
    uint32_t differ = 0;
    for (uint64_t k = N; k-- > 0;) {
        double z = tn_normal(77, TN_STREAM_INIT, k);
        differ += memcmp(&z, &ascending[k], sizeof z) != 0;
    }
    for (uint64_t t = 0; t < N; t++) {
        uint64_t k = t * 7919 % N; /* 7919 is prime to N: a scattered visit of every index */
        double z = tn_normal(77, TN_STREAM_INIT, k);
        differ += memcmp(&z, &ascending[k], sizeof z) != 0;
    }
    CHECK(differ == 0, "%u values changed with the order of drawing", differ);
    /* Within a pair the two values come from the same uniforms but are different numbers. */
    uint32_t pair_equal = 0;
    for (uint64_t k = 0; k < N; k += 2) pair_equal += ascending[k] == ascending[k + 1];
    CHECK(pair_equal == 0, "%u Box-Muller pairs have equal halves", pair_equal);
}

/* Pearson correlation of two sequences of normal deviates over N indices. */
static double stream_correlation(uint64_t seed_a, tn_stream a, uint64_t seed_b, tn_stream b,
                                 uint32_t n, uint32_t *equal) {
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    *equal = 0;
    for (uint64_t k = 0; k < n; k++) {
        double x = tn_normal(seed_a, a, k), y = tn_normal(seed_b, b, k);
        *equal += x == y;
        sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
    }
    double cov = sab / n - sa / n * sb / n;
    return cov / sqrt((saa / n - sa / n * sa / n) * (sbb / n - sb / n * sb / n));
}

/* Streams and seeds (both 32-bit halves of the seed) give unrelated sequences: no equal
 * values and a correlation within 5 standard errors (5/sqrt(n)) of zero. */
static void check_stream_independence(void) {
    enum { N = 100000 };
    const struct { uint64_t seed_a; tn_stream a; uint64_t seed_b; tn_stream b; const char *what; } pairs[] = {
        {1, TN_STREAM_INIT, 1, TN_STREAM_ORDER, "init vs order stream"},
        {1, TN_STREAM_INIT, 1, TN_STREAM_BASELINE, "init vs baseline stream"},
        {1, TN_STREAM_ORDER, 1, TN_STREAM_BASELINE, "order vs baseline stream"},
        {1, TN_STREAM_INIT, 2, TN_STREAM_INIT, "seed 1 vs 2"},
        {1, TN_STREAM_INIT, 1 + (1ull << 32), TN_STREAM_INIT, "seed 1 vs 1 + 2^32"},
        {0, TN_STREAM_INIT, 1ull << 63, TN_STREAM_INIT, "seed 0 vs 2^63"},
    };
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        uint32_t equal;
        double r = stream_correlation(pairs[p].seed_a, pairs[p].a, pairs[p].seed_b, pairs[p].b, N, &equal);
        CHECK(equal == 0, "%s: %u equal values", pairs[p].what, equal);
        CHECK(fabs(r) < 5.0 / sqrt(N), "%s: correlation %.4f", pairs[p].what, r);
    }
    /* Values far out in the index range are well formed too. */
    uint32_t bad = 0;
    for (uint64_t k = UINT64_MAX - 1000; k != 0; k++) bad += !isfinite(tn_normal(5, TN_STREAM_INIT, k));
    CHECK(bad == 0, "%u non-finite values at the top of the index range", bad);
}

/* ---- tn_shuffle ----------------------------------------------------------------------------- */

static int is_permutation(const uint32_t *perm, uint32_t n) {
    uint8_t *seen = calloc(n ? n : 1, 1);
    int ok = seen != NULL;
    for (uint32_t i = 0; ok && i < n; i++) {
        ok = perm[i] < n && !seen[perm[i]];
        if (ok) seen[perm[i]] = 1;
    }
    free(seen);
    return ok;
}

/* Fisher-Yates from the end with Lemire's bounded integers, as src/base/rng.c documents it:
 * attempt a at position i uses word a%4 of Philox counter (i, epoch, a/4, ORDER stream) under
 * key (seed low, seed high). Counts the rejected draws so the test knows that path ran. */
static void reference_shuffle(uint32_t *perm, uint32_t n, uint64_t seed, uint32_t epoch,
                              uint64_t *rejections) {
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    for (uint32_t i = 0; i < n; i++) perm[i] = i;
    for (uint32_t i = n; i-- > 1;) {
        uint64_t bound = (uint64_t)i + 1;
        uint64_t threshold = (((uint64_t)1 << 32) - bound) % bound; /* 2^32 mod bound */
        uint32_t r[4], j = 0;
        for (uint32_t attempt = 0;; attempt++) {
            if (attempt % 4 == 0) {
                uint32_t ctr[4] = {i, epoch, attempt / 4, TN_STREAM_ORDER};
                reference_philox(ctr, key, r);
            }
            uint64_t product = (uint64_t)r[attempt % 4] * bound;
            if ((uint32_t)product >= threshold) { j = (uint32_t)(product >> 32); break; }
            ++*rejections;
        }
        uint32_t t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
}

static void check_shuffle_reference(void) {
    const uint32_t n = 1000003; /* expected rejections per shuffle about n^2/2^34: ~58 */
    uint32_t *ours = malloc(n * sizeof *ours), *ref = malloc(n * sizeof *ref);
    if (!ours || !ref) { CHECK(0, "out of memory"); free(ours); free(ref); return; }
    uint64_t rejections = 0;
    uint32_t differ = 0;
    const uint64_t seeds[] = {1, 2, 0xdeadbeefcafeull};
    for (size_t s = 0; s < 3; s++) {
        uint32_t epoch = (uint32_t)s * 1000 + 7;
        tn_shuffle(ours, n, seeds[s], epoch);
        reference_shuffle(ref, n, seeds[s], epoch, &rejections);
        differ += memcmp(ours, ref, n * sizeof *ours) != 0;
    }
    CHECK(differ == 0, "%u of 3 shuffles of %u differ from the reference", differ, n);
    CHECK(rejections > 0, "the reference never rejected a draw: the rejection path went untested");
    printf("tn_shuffle of %u: identical to the reference (%llu rejected draws among them)\n", n,
           (unsigned long long)rejections);
    free(ours);
    free(ref);
}

static void check_shuffle_basics(void) {
    static const uint32_t sizes[] = {0, 1, 2, 3, 10, 1000, 50000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint32_t n = sizes[s];
        uint32_t *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
        if (!a || !b) { CHECK(0, "out of memory"); free(a); free(b); return; }
        const struct { uint64_t seed; uint32_t epoch; } runs[] = {
            {1, 0}, {1, 1}, {2, 0}, {1 + (1ull << 32), 0}, {UINT64_MAX, UINT32_MAX}};
        for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
            a[n] = b[n] = 0xabcdef; /* a sentinel just past the end */
            tn_shuffle(a, n, runs[r].seed, runs[r].epoch);
            CHECK(is_permutation(a, n), "n=%u seed=%llu epoch=%u: not a permutation", n,
                  (unsigned long long)runs[r].seed, runs[r].epoch);
            CHECK(a[n] == 0xabcdef, "n=%u: wrote past the end", n);
            tn_shuffle(b, n, runs[r].seed, runs[r].epoch);
            CHECK(memcmp(a, b, n * sizeof *a) == 0, "n=%u: the same arguments gave another order", n);
        }
        if (n >= 1000) {
            /* Two unrelated permutations share about one fixed position. */
            for (size_t r = 1; r < sizeof runs / sizeof runs[0]; r++) {
                tn_shuffle(a, n, runs[0].seed, runs[0].epoch);
                tn_shuffle(b, n, runs[r].seed, runs[r].epoch);
                uint32_t same = 0;
                for (uint32_t i = 0; i < n; i++) same += a[i] == b[i];
                CHECK(same < 20, "n=%u: run %zu agrees with run 0 at %u positions", n, r, same);
            }
        }
        free(a);
        free(b);
    }
}

/* Uniformity: the place of element 0 in a shuffle of 5 over 50000 seeds, then over 50000
 * epochs of one seed (chi-square, 4 dof, 1e-4 critical value 23.51); and all 24 orders of 4
 * over 48000 seeds (23 dof, 57.07). */
static void check_shuffle_uniform(void) {
    for (int by_epoch = 0; by_epoch <= 1; by_epoch++) {
        uint32_t count[5] = {0}, perm[5];
        for (uint32_t t = 0; t < 50000; t++) {
            tn_shuffle(perm, 5, by_epoch ? 31337 : 1000 + t, by_epoch ? t : 0);
            for (uint32_t i = 0; i < 5; i++) count[i] += perm[i] == 0;
        }
        double chi2 = 0;
        for (int i = 0; i < 5; i++) chi2 += (count[i] - 10000.0) * (count[i] - 10000.0) / 10000.0;
        CHECK(chi2 < 23.51, "position of element 0 over %s: chi-square %.1f (4 dof)",
              by_epoch ? "epochs" : "seeds", chi2);
        printf("shuffle of 5 over %s: chi2 %.2f/4\n", by_epoch ? "epochs" : "seeds", chi2);
    }
    uint32_t count[24] = {0}, perm[4];
    for (uint32_t t = 0; t < 48000; t++) {
        tn_shuffle(perm, 4, 5000000 + t, 3);
        /* Lehmer code: the rank of the permutation among the 24. */
        uint32_t rank = 0;
        for (int i = 0; i < 4; i++) {
            uint32_t smaller_after = 0;
            for (int j = i + 1; j < 4; j++) smaller_after += perm[j] < perm[i];
            rank = rank * (uint32_t)(4 - i) + smaller_after;
        }
        count[rank]++;
    }
    double chi2 = 0;
    for (int r = 0; r < 24; r++) chi2 += (count[r] - 2000.0) * (count[r] - 2000.0) / 2000.0;
    CHECK(chi2 < 57.07, "orders of 4: chi-square %.1f (23 dof)", chi2);
    printf("shuffle of 4, all orders: chi2 %.2f/23\n", chi2);
}

int main(void) {
    check_known_answers();
#ifdef HAVE_RANDOM123
    check_against_random123();
#endif
    check_normal_reference();
    check_normal_statistics();
    check_normal_index_only();
    check_stream_independence();
    check_shuffle_reference();
    check_shuffle_basics();
    check_shuffle_uniform();
    int failures = check_done("test_rng");
#ifndef HAVE_RANDOM123
    if (failures == 0) {
        printf("skipped: /usr/include/Random123/philox.h not installed (librandom123-dev); "
               "the other checks passed\n");
        return 77;
    }
#endif
    return failures;
}
