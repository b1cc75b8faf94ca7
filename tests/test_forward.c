/* Batched evaluation against the one-example forward pass, bit for bit. tn_predict_all runs
 * chunks of examples through the first layer straight from the pixel bytes, and through layers
 * fed by sigmoid units with the dense kernel (four examples per weight-row load); tn_net_forward
 * runs one example from lists of float inputs with the sparse kernel. Both must give the same
 * output bits for every example, on every SIMD path this CPU has, for widths that exercise each
 * column block (16, 32, 64) and padding, for each hidden activation and output, and for
 * examples with 0, 1, 2, 3, 5 and many non-zero pixels (unrolled part and tails of every
 * length), in chunks with every remainder of the dense kernel's groups of four. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "twinnet.h"

#define N_EX 77 /* not a multiple of 2, 4 or 32 */

static uint32_t next(uint64_t *s) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* Example e has a different number of non-zero pixels: the first few have 0, 1, 2, 3, 5. */
static void make_pixels(uint8_t *px, uint32_t n_in, uint64_t seed) {
    static const uint32_t few[] = {0, 1, 2, 3, 5};
    for (uint32_t e = 0; e < N_EX; e++) {
        uint8_t *row = px + (size_t)e * n_in;
        memset(row, 0, n_in);
        uint32_t want = e < 5 ? few[e] : 1 + next(&seed) % n_in;
        for (uint32_t k = 0; k < want; k++) row[next(&seed) % n_in] = (uint8_t)(1 + next(&seed) % 255);
        if (e == 6) memset(row, 255, n_in); /* every pixel */
    }
}

static void check_net(const uint32_t *sizes, int n_sizes, tn_activation act, tn_cost cost, const char *simd) {
    tn_error err;
    tn_net net;
    CHECK_OK(tn_net_init(&net, sizes, n_sizes, act, cost, &err), err);
    if (!net.params) return;
    tn_net_randomize(&net, TN_INIT_NORMAL, 5);
    uint32_t n_in = sizes[0], n_out = sizes[n_sizes - 1];
    uint8_t *px = malloc((size_t)N_EX * n_in), labels[N_EX] = {0};
    float *out = malloc((size_t)N_EX * n_out * sizeof(float)), *x = malloc(n_in * sizeof(float));
    float one[64];
    uint8_t pred[N_EX];
    make_pixels(px, n_in, sizes[1] * 31u + (uint32_t)act);
    tn_dataset ds;
    CHECK_OK(tn_dataset_from_memory(&ds, N_EX, 1, n_in, px, labels, &err), err);
    for (int threads = 1; threads <= 2; threads++) {
        CHECK_OK(tn_predict_all(&net, &ds, threads, pred, out, &err), err);
        int same = 1, first_bad = -1;
        for (uint32_t e = 0; e < N_EX; e++) {
            for (uint32_t i = 0; i < n_in; i++) x[i] = (float)px[(size_t)e * n_in + i] / 255.0f;
            CHECK_OK(tn_net_forward(&net, x, one, &err), err);
            if (memcmp(one, out + (size_t)e * n_out, n_out * sizeof(float)) != 0) {
                if (first_bad < 0) first_bad = (int)e;
                same = 0;
            }
        }
        CHECK(same, "simd %s, sizes %u,%u,..., act %d, cost %d, %d threads: example %d differs",
              simd, sizes[0], sizes[1], (int)act, (int)cost, threads, first_bad);
    }
    tn_dataset_free(&ds);
    free(px); free(out); free(x);
    tn_net_free(&net);
}

int main(void) {
    static const char *paths[] = {"generic", "avx2", "avx512"};
    for (int k = 0; k < 3; k++) {
        setenv("TWINNET_SIMD", paths[k], 1);
        if (strcmp(tn_simd_path(), paths[k]) != 0) {
            printf("test_forward: SIMD path %s not available here, skipped\n", paths[k]);
            continue;
        }
        static const uint32_t s1[] = {784, 30, 10}, s2[] = {50, 70, 13}, s3[] = {33, 100, 17, 5}, s4[] = {9, 64, 40};
        check_net(s1, 3, TN_ACT_SIGMOID, TN_COST_QUADRATIC, paths[k]);
        check_net(s2, 3, TN_ACT_RELU, TN_COST_LOG_LIKELIHOOD, paths[k]);
        check_net(s3, 4, TN_ACT_TANH, TN_COST_CROSS_ENTROPY, paths[k]);
        check_net(s4, 3, TN_ACT_SIGMOID, TN_COST_LOG_LIKELIHOOD, paths[k]);
    }
    unsetenv("TWINNET_SIMD");
    return check_done("test_forward");
}
