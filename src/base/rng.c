/* Randomness: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC 2011), keyed by (seed, stream).
 * A value depends on (seed, stream, index) alone: never on threads, call order or platform. */
#include "twinnet.h"
#include "fmath.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u /* golden ratio */
#define PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */

void tn_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

static void philox_block(uint64_t seed, uint32_t stream, uint64_t block, uint32_t extra,
                         uint32_t out[4]) {
    uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), extra, stream};
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    tn_philox4x32_10(ctr, key, out);
}

/* 53 random bits as a double in the open interval (0, 1): (m + 0.5) * 2^-53. Exact. */
static double open_uniform(uint32_t hi, uint32_t lo) {
    uint64_t m = ((uint64_t)hi << 21) ^ (lo >> 11);
    return ((double)m + 0.5) * 0x1p-53;
}

/* Box-Muller: block k/2 gives u1, u2; z = sqrt(-2 ln u1) * (cos, sin)(2 pi u2). */
double tn_normal(uint64_t seed, tn_stream stream, uint64_t k) {
    uint32_t r[4];
    philox_block(seed, (uint32_t)stream, k >> 1, 0, r);
    double u1 = open_uniform(r[0], r[1]);
    double u2 = open_uniform(r[2], r[3]);
    double radius = sqrt(-2.0 * tn_log(u1)); /* sqrt is an IEEE basic operation */
    double angle = 6.283185307179586 * u2;
    return radius * ((k & 1) ? tn_sin(angle) : tn_cos(angle));
}

/* Fisher-Yates from the end; position i draws j in [0, i] with Lemire's nearly-divisionless
 * method (2019). Draw a of position i uses counter (i, epoch, a/4) word a%4. */
void tn_shuffle(uint32_t *perm, uint32_t n, uint64_t seed, uint32_t epoch) {
    for (uint32_t i = 0; i < n; i++) perm[i] = i;
    for (uint32_t i = n; i-- > 1;) {
        uint32_t bound = i + 1, r[4];
        uint32_t attempt = 0;
        philox_block(seed, TN_STREAM_ORDER, ((uint64_t)epoch << 32) | i, 0, r);
        uint64_t m = (uint64_t)r[0] * bound;
        uint32_t low = (uint32_t)m;
        if (low < bound) {
            uint32_t threshold = (uint32_t)(-bound) % bound;
            while (low < threshold) {
                attempt++;
                if (attempt % 4 == 0)
                    philox_block(seed, TN_STREAM_ORDER, ((uint64_t)epoch << 32) | i, attempt / 4, r);
                m = (uint64_t)r[attempt % 4] * bound;
                low = (uint32_t)m;
            }
        }
        uint32_t j = (uint32_t)(m >> 32);
        uint32_t t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
}
