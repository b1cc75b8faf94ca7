/* Bench peer: the job in FANN 2.2 (float), JSON Lines out like the other peers.
 *
 * FANN has no mini-batch: it trains incrementally (FANN_TRAIN_INCREMENTAL, one weight update
 * per example, which is what fann_train() does) or on the whole set at once (FANN_TRAIN_BATCH).
 * This peer does incremental training over a shuffled order each epoch, with learning rate
 * --lr (default eta/batch, the per-example step of network.py's mini-batch SGD), sigmoid
 * (steepness 0.5, so 1/(1+exp(-x))) in every layer and the linear error function, so one step
 * is the gradient of 0.5*||a-y||^2. No cross-entropy cost, no L2: such jobs are refused (exit 3).
 * Initial weights are replaced by N(0,1) (or N(0,1/n_in) with --init scaled), biases N(0,1),
 * from our own generator. Images stay uint8 and are scaled to float per example.
 *
 * Build: cc -O2 -std=c11 fann_peer.c -o fann_peer -lfloatfann -lm
 */
#define _POSIX_C_SOURCE 200809L
#include <floatfann.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t rng_state;

static uint64_t next_u64(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform01(void) { return ((next_u64() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

static double normal01(void) /* Box-Muller, one deviate per call */
{
    return sqrt(-2.0 * log(uniform01())) * cos(6.283185307179586 * uniform01());
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static unsigned char *read_idx(const char *dir, const char *name, int ndim, unsigned *dims)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    unsigned char hdr[16];
    size_t hlen = 4 + 4 * (size_t)ndim;
    if (fread(hdr, 1, hlen, f) != hlen || hdr[0] || hdr[1] || hdr[2] != 8 || hdr[3] != ndim) {
        fprintf(stderr, "%s: not a %d-dimensional unsigned-byte IDX file\n", path, ndim);
        exit(1);
    }
    size_t total = 1;
    for (int i = 0; i < ndim; i++) {
        const unsigned char *p = hdr + 4 + 4 * i;
        dims[i] = (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
        total *= dims[i];
    }
    unsigned char *buf = malloc(total ? total : 1);
    if (!buf || fread(buf, 1, total, f) != total) { fprintf(stderr, "%s: short\n", path); exit(1); }
    fclose(f);
    return buf;
}

static void usage(void)
{
    fprintf(stderr, "usage: fann_peer --data DIR [--sizes 784,30,10] [--epochs 2] [--batch 10]\n"
                    "       [--eta 3.0] [--lr X] [--cost quadratic] [--lambda 0] [--init normal|scaled]\n"
                    "       [--seed 1] [--train-size 50000]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *data = NULL, *cost = "quadratic", *init = "normal";
    unsigned sizes[3] = {784, 30, 10}, epochs = 2, batch = 10, train_size = 50000;
    double eta = 3.0, lr = -1, lambda = 0;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        i++;
        if (!strcmp(o, "--data")) data = v;
        else if (!strcmp(o, "--sizes")) {
            if (sscanf(v, "%u,%u,%u", &sizes[0], &sizes[1], &sizes[2]) != 3) usage();
        } else if (!strcmp(o, "--epochs")) epochs = (unsigned)atoi(v);
        else if (!strcmp(o, "--batch")) batch = (unsigned)atoi(v);
        else if (!strcmp(o, "--eta")) eta = atof(v);
        else if (!strcmp(o, "--lr")) lr = atof(v);
        else if (!strcmp(o, "--cost")) cost = v;
        else if (!strcmp(o, "--lambda")) lambda = atof(v);
        else if (!strcmp(o, "--init")) init = v;
        else if (!strcmp(o, "--seed")) seed = strtoull(v, NULL, 10);
        else if (!strcmp(o, "--train-size")) train_size = (unsigned)atoi(v);
        else usage();
    }
    if (!data || sizes[0] != 784 || sizes[2] != 10 || batch == 0) usage();
    if (strcmp(cost, "quadratic") || lambda != 0) {
        fprintf(stderr, "fann_peer: FANN has no cross-entropy cost and no L2 decay\n");
        return 3;
    }
    if (lr < 0) lr = eta / batch;
    rng_state = seed;

    unsigned d[3], ntrain, ntest;
    unsigned char *tx = read_idx(data, "train-images-idx3-ubyte", 3, d);
    unsigned char *ty = read_idx(data, "train-labels-idx1-ubyte", 1, &ntrain);
    unsigned char *sx = read_idx(data, "t10k-images-idx3-ubyte", 3, d);
    unsigned char *sy = read_idx(data, "t10k-labels-idx1-ubyte", 1, &ntest);
    if (train_size && train_size < ntrain) ntrain = train_size;

    struct fann *ann = fann_create_standard(3, sizes[0], sizes[1], sizes[2]);
    fann_set_training_algorithm(ann, FANN_TRAIN_INCREMENTAL);
    fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
    fann_set_activation_function_hidden(ann, FANN_SIGMOID);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    fann_set_activation_steepness_hidden(ann, 0.5f);
    fann_set_activation_steepness_output(ann, 0.5f);
    fann_set_learning_rate(ann, (float)lr);
    fann_set_learning_momentum(ann, 0.0f);

    /* Our initial parameters. fann_get_connection_array lists connections in the order of
     * ann->weights; neuron numbers count each layer's bias neuron (the last of the layer). */
    unsigned nconn = fann_get_total_connections(ann);
    struct fann_connection *conn = malloc(sizeof *conn * nconn);
    if (!conn) return 1;
    fann_get_connection_array(ann, conn);
    unsigned bias0 = sizes[0], bias1 = sizes[0] + 1 + sizes[1];
    for (unsigned i = 0; i < nconn; i++) {
        unsigned from = conn[i].from_neuron;
        double w = normal01();
        if (from != bias0 && from != bias1 && !strcmp(init, "scaled"))
            w /= sqrt(from < bias0 ? sizes[0] : sizes[1]);
        ann->weights[i] = (fann_type)w;
    }
    free(conn);

    printf("{\"info\": {\"peer\": \"fann\", \"fann\": \"2.2 float\", \"training\": "
           "\"FANN_TRAIN_INCREMENTAL (fann_train per example)\", \"learning_rate\": %g, "
           "\"connections\": %u}}\n", lr, nconn);
    fflush(stdout);

    unsigned *order = malloc(sizeof *order * ntrain);
    fann_type in[784], target[10];
    if (!order) return 1;
    for (unsigned i = 0; i < ntrain; i++) order[i] = i;
    for (unsigned epoch = 1; epoch <= epochs; epoch++) {
        double t0 = now();
        for (unsigned i = ntrain - 1; i > 0; i--) { /* Fisher-Yates */
            unsigned j = (unsigned)(next_u64() % (i + 1)), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (unsigned k = 0; k < ntrain; k++) {
            const unsigned char *px = tx + (size_t)order[k] * 784;
            for (int p = 0; p < 784; p++) in[p] = px[p] * (1.0f / 255.0f);
            for (int c = 0; c < 10; c++) target[c] = c == ty[order[k]];
            fann_train(ann, in, target);
        }
        double t1 = now();
        unsigned correct = 0;
        for (unsigned k = 0; k < ntest; k++) {
            const unsigned char *px = sx + (size_t)k * 784;
            for (int p = 0; p < 784; p++) in[p] = px[p] * (1.0f / 255.0f);
            fann_type *out = fann_run(ann, in);
            int best = 0;
            for (int c = 1; c < 10; c++)
                if (out[c] > out[best]) best = c;
            correct += best == sy[k];
        }
        double t2 = now();
        printf("{\"epoch\": %u, \"train_seconds\": %.6f, \"eval_seconds\": %.6f, "
               "\"test_correct\": %u, \"test_accuracy\": %.6f}\n",
               epoch, t1 - t0, t2 - t1, correct, (double)correct / ntest);
        fflush(stdout);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"done\": true, \"maxrss_kb\": %ld}\n", ru.ru_maxrss);
    fann_destroy(ann);
    free(order);
    free(tx); free(ty); free(sx); free(sy);
    return 0;
}
