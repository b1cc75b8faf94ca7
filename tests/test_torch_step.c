/* The C half of the PyTorch cross-check (tests/t_torch_step.py): "dump" builds a network and a
 * synthetic mini-batch, takes one tn_sgd_step, and writes what Python needs to redo the step.
 * Run without arguments (as tests/run.sh does), it checks that those files say what it meant. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "util.h"
#define TN_INTERNAL 1 /* test hooks: see the end of twinnet.h */
#include "twinnet.h"

#define BATCH 10

/* The case to dump, from the command line. */
typedef struct {
    uint32_t sizes[TN_MAX_LAYERS];
    int n_sizes;
    tn_cost cost;
    tn_activation act;
    tn_init init;
    float eta, lambda;
    uint32_t n_train;
    uint64_t seed;          /* initialisation, and the synthetic pixels and labels */
} step_case;

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Files of DIR: params0.f32 and params1.f32 (canonical parameters before and after the step,
 * little-endian float32), pixels.u8 (BATCH x n_in bytes), labels.u8 (BATCH bytes). */
static int write_file(const char *dir, const char *name, const void *data, size_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "test_torch_step: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_params(const char *dir, const char *name, const tn_net *net) {
    float *canonical = malloc(net->n_params * sizeof(float));
    uint8_t *bytes = malloc(net->n_params * 4);
    int rc = -1;
    if (canonical && bytes) {
        tn_net_get_canonical(net, canonical);
        for (size_t k = 0; k < net->n_params; k++) tn_put_u32(bytes + 4 * k, tn_f2u(canonical[k]));
        rc = write_file(dir, name, bytes, net->n_params * 4);
    }
    free(canonical);
    free(bytes);
    return rc;
}

/* Synthetic digits: three pixels in four are 0 (as in MNIST, where the zeros are skipped by
 * the sparse forward pass), the rest uniform in 1..255, a few exactly 255. */
static void synthetic_batch(uint64_t seed, uint32_t n_in, uint32_t n_out, uint8_t *pixels, uint8_t *labels) {
    uint64_t state = seed ^ 0x5eed5eed5eedull;
    for (size_t i = 0; i < (size_t)BATCH * n_in; i++) {
        uint64_t r = splitmix64(&state);
        pixels[i] = r % 4 ? 0 : (r >> 8) % 16 == 0 ? 255 : (uint8_t)(1 + (r >> 16) % 255);
    }
    for (uint32_t e = 0; e < BATCH; e++) labels[e] = (uint8_t)(splitmix64(&state) % n_out);
}

/* Builds the network and batch of c, writes params0, pixels, labels, steps, writes params1. */
static int dump_case(const step_case *c, const char *dir) {
    tn_net net;
    tn_dataset ds;
    tn_error err;
    uint32_t n_in = c->sizes[0], n_out = c->sizes[c->n_sizes - 1];
    uint8_t labels[BATCH], batch_labels[BATCH];
    uint8_t *pixels = malloc((size_t)BATCH * n_in), *batch_pixels = malloc((size_t)BATCH * n_in);
    uint32_t idx[BATCH];
    int rc = -1;
    if (!pixels || !batch_pixels) goto done;
    synthetic_batch(c->seed, n_in, n_out, pixels, labels);
    /* The batch takes the examples in another order than storage, as after a shuffle; the
     * files hold them in batch order. */
    for (uint32_t e = 0; e < BATCH; e++) {
        idx[e] = (e * 3 + 1) % BATCH;
        memcpy(batch_pixels + (size_t)e * n_in, pixels + (size_t)idx[e] * n_in, n_in);
        batch_labels[e] = labels[idx[e]];
    }
    if (tn_net_init(&net, c->sizes, c->n_sizes, c->act, c->cost, &err) != TN_OK) {
        fprintf(stderr, "test_torch_step: %s\n", err.msg);
        goto done;
    }
    tn_net_randomize(&net, c->init, c->seed);
    if (tn_dataset_from_memory(&ds, BATCH, 1, n_in, pixels, labels, &err) != TN_OK) {
        fprintf(stderr, "test_torch_step: %s\n", err.msg);
        tn_net_free(&net);
        goto done;
    }
    if (write_params(dir, "params0.f32", &net) == 0 &&
        write_file(dir, "pixels.u8", batch_pixels, (size_t)BATCH * n_in) == 0 &&
        write_file(dir, "labels.u8", batch_labels, BATCH) == 0) {
        if (tn_sgd_step(&net, &ds, idx, BATCH, c->eta, c->lambda, c->n_train, &err) != TN_OK)
            fprintf(stderr, "test_torch_step: %s\n", err.msg);
        else
            rc = write_params(dir, "params1.f32", &net);
    }
    tn_dataset_free(&ds);
    tn_net_free(&net);
done:
    free(pixels);
    free(batch_pixels);
    return rc;
}

static int parse_case(char **argv, step_case *c) {
    memset(c, 0, sizeof *c);
    char *sizes = argv[0], *end;
    for (char *p = sizes; *p && c->n_sizes < TN_MAX_LAYERS; p = *end ? end + 1 : end) {
        c->sizes[c->n_sizes++] = (uint32_t)strtoul(p, &end, 10);
        if (end == p || (*end && *end != ',')) return -1;
    }
    if (strcmp(argv[1], "quadratic") == 0) c->cost = TN_COST_QUADRATIC;
    else if (strcmp(argv[1], "cross-entropy") == 0) c->cost = TN_COST_CROSS_ENTROPY;
    else if (strcmp(argv[1], "log-likelihood") == 0) c->cost = TN_COST_LOG_LIKELIHOOD;
    else return -1;
    if (strcmp(argv[2], "sigmoid") == 0) c->act = TN_ACT_SIGMOID;
    else if (strcmp(argv[2], "tanh") == 0) c->act = TN_ACT_TANH;
    else if (strcmp(argv[2], "relu") == 0) c->act = TN_ACT_RELU;
    else return -1;
    if (strcmp(argv[3], "normal") == 0) c->init = TN_INIT_NORMAL;
    else if (strcmp(argv[3], "scaled") == 0) c->init = TN_INIT_SCALED;
    else return -1;
    c->eta = strtof(argv[4], NULL);
    c->lambda = strtof(argv[5], NULL);
    c->n_train = (uint32_t)strtoul(argv[6], NULL, 10);
    c->seed = strtoull(argv[7], NULL, 10);
    return c->n_sizes >= 2 && c->n_train > 0 ? 0 : -1;
}

static int read_file(const char *dir, const char *name, uint8_t *buf, size_t cap, size_t *n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    *n = fread(buf, 1, cap, f);
    fclose(f);
    return 0;
}

/* Without arguments: dump a small case into a temporary directory, read it back, and check
 * the byte order, the sizes, the batch order, and that the step moved the parameters. */
static int self_check(void) {
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/twinnet-torch-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp %s: %s", dir, strerror(errno));
        return check_done("test_torch_step");
    }
    step_case c = {{20, 6, 3}, 3, TN_COST_CROSS_ENTROPY, TN_ACT_TANH, TN_INIT_SCALED, 0.5f, 5.0f, 50000, 7};
    CHECK(dump_case(&c, dir) == 0, "dump into %s failed", dir);

    tn_net net;
    tn_error err;
    CHECK_OK(tn_net_init(&net, c.sizes, c.n_sizes, c.act, c.cost, &err), err);
    tn_net_randomize(&net, c.init, c.seed);
    size_t n_params = net.n_params, n;
    float canonical[200];
    uint8_t bytes[1000], after[1000];
    CHECK(n_params == 20 * 6 + 6 + 6 * 3 + 3, "%zu parameters", n_params);
    tn_net_get_canonical(&net, canonical);
    CHECK(read_file(dir, "params0.f32", bytes, sizeof bytes, &n) == 0 && n == 4 * n_params, "params0.f32: %zu bytes", n);
    uint32_t mismatched = 0;
    for (size_t k = 0; k < n_params; k++) /* little-endian whatever the host */
        mismatched += (uint32_t)bytes[4 * k] + ((uint32_t)bytes[4 * k + 1] << 8) +
                      ((uint32_t)bytes[4 * k + 2] << 16) + ((uint32_t)bytes[4 * k + 3] << 24) != tn_f2u(canonical[k]);
    CHECK(mismatched == 0, "params0.f32: %u values differ from the canonical parameters", mismatched);
    CHECK(read_file(dir, "params1.f32", after, sizeof after, &n) == 0 && n == 4 * n_params, "params1.f32: %zu bytes", n);
    uint32_t moved = 0;
    for (size_t k = 0; k < n_params; k++) moved += memcmp(bytes + 4 * k, after + 4 * k, 4) != 0;
    CHECK(moved > n_params / 2, "the step moved only %u of %zu parameters", moved, n_params);

    uint8_t pixels[BATCH * 20], labels[BATCH], file_pixels[BATCH * 20 + 1], file_labels[BATCH + 1];
    synthetic_batch(c.seed, 20, 3, pixels, labels);
    CHECK(read_file(dir, "pixels.u8", file_pixels, sizeof file_pixels, &n) == 0 && n == BATCH * 20, "pixels.u8: %zu bytes", n);
    CHECK(read_file(dir, "labels.u8", file_labels, sizeof file_labels, &n) == 0 && n == BATCH, "labels.u8: %zu bytes", n);
    for (uint32_t e = 0; e < BATCH; e++) {
        uint32_t src = (e * 3 + 1) % BATCH;
        CHECK(memcmp(file_pixels + e * 20, pixels + src * 20, 20) == 0 && file_labels[e] == labels[src],
              "example %u of the file is not example %u of the batch", e, src);
    }
    static const char *names[] = {"params0.f32", "params1.f32", "pixels.u8", "labels.u8"};
    for (int i = 0; i < 4; i++) {
        char path[TN_PATH_CAP];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
    tn_net_free(&net);
    return check_done("test_torch_step");
}

int main(int argc, char **argv) {
    if (argc == 1) return self_check();
    step_case c;
    if (argc != 11 || strcmp(argv[1], "dump") != 0 || parse_case(argv + 3, &c) != 0) {
        fprintf(stderr, "usage: test_torch_step dump DIR SIZES COST ACTIVATION INIT ETA LAMBDA N_TRAIN SEED\n"
                        "       (SIZES like 784,30,10; without arguments: a self-check)\n");
        return 2;
    }
    return dump_case(&c, argv[2]) == 0 ? 0 : 1;
}
