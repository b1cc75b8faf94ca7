/* compare, align and canon on small networks trained here on data made here (8x8 images of four
 * classes, with a blank border): a model's hidden units permuted and negated at random are found
 * again (weight and activation matching, one and two hidden layers, sigmoid, tanh, ReLU), the
 * aligned model computes the same function, canonical forms agree, distances match hand-made
 * values, CKA has its invariances, the straight path's shortcut agrees with evaluating each point's
 * network, and bad pairs are refused with a message. */
#include <string.h>

#include "check.h"
#include "twinnet.h"

#define SIDE 8
#define N_IN (SIDE * SIDE)
#define N_CLASSES 4
#define N_TRAIN 600
#define N_TEST 200

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void) { /* xorshift64* (Vigna 2016) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Class c lights a blob at one of four places; noise elsewhere; the border stays 0. */
static void make_data(tn_dataset *ds, uint32_t n, uint64_t seed) {
    static uint8_t pixels[N_TRAIN * N_IN], labels[N_TRAIN];
    rng_state = seed;
    for (uint32_t e = 0; e < n; e++) {
        uint32_t c = (uint32_t)(next_random() % N_CLASSES), cy = 2 + 3 * (c / 2), cx = 2 + 3 * (c % 2);
        labels[e] = (uint8_t)c;
        for (uint32_t y = 0; y < SIDE; y++)
            for (uint32_t x = 0; x < SIDE; x++) {
                int border = y == 0 || x == 0 || y == SIDE - 1 || x == SIDE - 1;
                int blob = (y == cy || y == cy + 1) && (x == cx || x == cx + 1);
                uint32_t noise = (uint32_t)(next_random() % 90);
                pixels[e * N_IN + y * SIDE + x] = border ? 0 : (uint8_t)(blob ? 160 + noise : noise < 40 ? 0 : noise);
            }
    }
    tn_error err;
    CHECK_OK(tn_dataset_from_memory(ds, n, SIDE, SIDE, pixels, labels, &err), err);
}

static void train_model(tn_model *m, const uint32_t *sizes, int n_sizes, tn_activation act, uint64_t seed,
                        const tn_dataset *train) {
    memset(m, 0, sizeof *m);
    tn_config_default(&m->config);
    m->config.n_sizes = n_sizes;
    memcpy(m->config.sizes, sizes, (size_t)n_sizes * sizeof *sizes);
    m->config.activation = act;
    m->config.eta = act == TN_ACT_SIGMOID ? 2.0f : 0.1f;
    m->config.epochs = 4;
    m->config.train_size = 0;
    m->config.init_seed = m->config.order_seed = seed;
    m->config.init = TN_INIT_SCALED;
    tn_train_result res;
    tn_error err;
    CHECK_OK(tn_train(&m->config, train, NULL, &m->net, NULL, NULL, NULL, &res, &err), err);
    m->epochs_run = res.epochs_run;
    /* A sigmoid flip adds a unit's outgoing weights to the next bias, rounded to float. Weights
     * on a 2^-8 grid make those sums exact, so a flipped copy is exactly equivalent (else it is
     * equivalent up to that rounding, and canonical forms agree up to it). */
    if (act != TN_ACT_SIGMOID) return;
    for (size_t k = (size_t)sizes[0] * sizes[1] + sizes[1]; k < m->net.n_params; k++) {
        float *p = tn_net_param(&m->net, k);
        *p = roundf(*p * 256.0f) / 256.0f;
    }
}

/* live[i]: hidden unit i of layer l varies over ds (a dead ReLU unit does not: it ties with
 * every other dead unit in activation matching). */
static void live_units(const tn_net *net, const tn_dataset *ds, int l, uint8_t *live) {
    static float act[N_TRAIN * 16];
    tn_error err;
    CHECK_OK(tn_layer_activations(net, ds, l, 1, act, &err), err);
    for (uint32_t i = 0; i < net->sizes[l]; i++) {
        live[i] = 0;
        for (uint32_t e = 1; e < ds->n; e++) live[i] |= act[e * net->sizes[l] + i] != act[i];
    }
}

/* A random permutation and (where allowed) random flips of every hidden layer. */
static void random_alignment(tn_alignment *al, const tn_net *net) {
    tn_error err;
    CHECK_OK(tn_alignment_init(al, net, &err), err);
    for (int l = 1; l + 1 < net->n_sizes; l++) {
        for (uint32_t i = net->sizes[l] - 1; i > 0; i--) {
            uint32_t j = (uint32_t)(next_random() % (i + 1)), t = al->perm[l][i];
            al->perm[l][i] = al->perm[l][j];
            al->perm[l][j] = t;
        }
        for (uint32_t i = 0; i < net->sizes[l]; i++) al->flip[l][i] = tn_sign_symmetry(net->activation) && (next_random() & 1);
    }
}

/* The outputs of a and b on ds agree within tol and the predictions are identical. */
static void check_same_function(const tn_net *a, const tn_net *b, const tn_dataset *ds, double tol, const char *what) {
    uint32_t n_out = a->sizes[a->n_sizes - 1];
    static uint8_t pa[N_TRAIN], pb[N_TRAIN];
    static float oa[N_TRAIN * 16], ob[N_TRAIN * 16];
    tn_error err;
    CHECK_OK(tn_predict_all(a, ds, 1, pa, oa, &err), err);
    CHECK_OK(tn_predict_all(b, ds, 1, pb, ob, &err), err);
    double worst = 0;
    uint32_t differ = 0;
    for (uint32_t e = 0; e < ds->n; e++) {
        differ += pa[e] != pb[e];
        for (uint32_t o = 0; o < n_out; o++) worst = fmax(worst, fabs((double)oa[e * n_out + o] - ob[e * n_out + o]));
    }
    CHECK(worst <= tol && differ == 0, "%s: outputs differ by up to %g, %u predictions differ", what, worst, differ);
}

/* The permutation test: B = A with its hidden units permuted and negated at random; every
 * matching finds the permutation again and the aligned B is A again (up to rounding). */
static void permutation_test(const tn_model *ma, const tn_dataset *train, const tn_dataset *test, const char *name) {
    tn_alignment shuffle, found;
    tn_model mb = *ma;
    tn_error err;
    random_alignment(&shuffle, &ma->net);
    CHECK_OK(tn_net_align(&ma->net, &shuffle, &mb.net, &err), err);
    check_same_function(&ma->net, &mb.net, test, 1e-5, name);
    int flips = tn_sign_symmetry(ma->net.activation);
    double tol = ma->net.activation == TN_ACT_SIGMOID ? 1e-6 : 0.0; /* sigmoid flips round the next bias */
    for (int method = 0; method < 2; method++) {
        tn_status s = method ? tn_align_activations(&ma->net, &mb.net, test, flips, 1, &found, &err)
                             : tn_align_weights(&ma->net, &mb.net, flips, &found, &err);
        CHECK_OK(s, err);
        if (s != TN_OK) continue;
        int dead = 0;
        for (int l = 1; l + 1 < ma->net.n_sizes; l++) {
            uint8_t live[16];
            live_units(&ma->net, test, l, live);
            for (uint32_t j = 0; j < ma->net.sizes[l]; j++) {
                uint32_t i = shuffle.perm[l][j]; /* B's unit j is A's unit i */
                dead += method && !live[i];
                if (method && !live[i]) continue;
                CHECK(found.perm[l][i] == j && found.flip[l][i] == shuffle.flip[l][j], "%s %s: layer %d unit %u -> %u (want %u)",
                      name, method ? "activations" : "weights", l, i, found.perm[l][i], j);
            }
        }
        CHECK(found.converged, "%s: weight matching did not settle", name);
        tn_net back;
        tn_distances d;
        CHECK_OK(tn_net_align(&mb.net, &found, &back, &err), err);
        CHECK_OK(tn_net_distance(&ma->net, &back, NULL, &d, &err), err);
        CHECK(dead || d.total.relative <= tol, "%s: aligned distance %g", name, d.total.relative);
        check_same_function(&mb.net, &back, test, 1e-5, name);
        tn_net_free(&back);
        tn_alignment_free(&found);
    }
    /* The same through tn_compare: aligned distance 0, the permutation in the result. */
    tn_compare_options opt;
    tn_compare_options_default(&opt);
    opt.points = 4;
    tn_compare_result r;
    CHECK_OK(tn_compare(ma, &mb, train, test, &opt, &r, &err), err);
    tn_view best = flips ? TN_VIEW_WEIGHTS_FLIPS : TN_VIEW_WEIGHTS;
    CHECK(r.view[best].done && r.view[best].distance.total.relative <= tol, "%s: compare's aligned distance %g", name,
          r.view[best].distance.total.relative);
    CHECK(r.view[best].cost_barrier < 1e-6 && r.disagree == 0, "%s: barrier %g after alignment, %u disagree", name,
          r.view[best].cost_barrier, r.disagree);
    CHECK(r.view[best].alignment.perm[1][shuffle.perm[1][0]] == 0, "%s: compare's permutation", name);
    CHECK(r.n_blank == 4 * SIDE - 4, "%s: %u blank inputs, want %u", name, r.n_blank, 4 * SIDE - 4);
    CHECK(fabs(r.cka[1] - 1.0) < 1e-9, "%s: CKA of a permuted copy %.17g", name, r.cka[1]);
    tn_compare_result_free(&r);
    /* Canonical forms agree, compute A's function, and are fixpoints. */
    tn_net ca, cb, cc;
    char fa[TN_HEX_SIZE], fb[TN_HEX_SIZE], fc[TN_HEX_SIZE];
    CHECK_OK(tn_net_canonical(&ma->net, &ca, NULL, &err), err);
    CHECK_OK(tn_net_canonical(&mb.net, &cb, NULL, &err), err);
    CHECK_OK(tn_net_canonical(&ca, &cc, NULL, &err), err);
    tn_net_fingerprint(&ca, fa);
    tn_net_fingerprint(&cb, fb);
    tn_net_fingerprint(&cc, fc);
    CHECK(strcmp(fa, fb) == 0 && strcmp(fa, fc) == 0, "%s: canonical fingerprints %s, %s, %s", name, fa, fb, fc);
    check_same_function(&ma->net, &ca, test, 1e-5, name);
    tn_net_free(&ca); tn_net_free(&cb); tn_net_free(&cc);
    tn_alignment_free(&shuffle);
    tn_net_free(&mb.net);
}

/* The straight path as compare evaluates it (layer 1's pre-activations of A and B computed once,
 * interpolated at each point) against the network of each point built and evaluated like any
 * model: costs within 1e-5 relative and errors within two images, in every view (flips included
 * where the activation has them); the same bits at both ends; the same bytes with three threads
 * and with the generic SIMD path. */
static void same_paths(const tn_compare_result *x, const tn_compare_result *y, const char *name, const char *how) {
    for (int v = 0; v < TN_VIEW_COUNT; v++)
        CHECK(x->view[v].done == y->view[v].done && x->view[v].path_points == y->view[v].path_points &&
              (!x->view[v].done || !memcmp(x->view[v].path, y->view[v].path, x->view[v].path_points * sizeof *x->view[v].path)),
              "%s: the %s path differs with %s", name, tn_view_names[v], how);
}

static void path_test(const tn_model *ma, const tn_model *mb, const tn_dataset *test, const char *name) {
    tn_compare_options opt;
    tn_compare_options_default(&opt);
    opt.points = 5;
    opt.light = 1;
    tn_compare_result r, again;
    tn_error err;
    tn_net point, moved;
    CHECK_OK(tn_compare(ma, mb, NULL, test, &opt, &r, &err), err);
    CHECK_OK(tn_net_copy(&point, &ma->net, &err), err);
    size_t n = ma->net.n_params;
    float *pa = malloc(n * sizeof(float)), *pb = malloc(n * sizeof(float)), *mix = malloc(n * sizeof(float));
    tn_net_get_canonical(&ma->net, pa);
    int views = 0, flipped = 0;
    double worst = 0.0;
    for (int v = 0; v < TN_VIEW_COUNT; v++) {
        const tn_compare_view *view = &r.view[v];
        if (!view->done) continue;
        views++;
        flipped += (int)view->alignment.flipped;
        CHECK_OK(tn_net_align(&mb->net, &view->alignment, &moved, &err), err);
        tn_net_get_canonical(&moved, pb);
        tn_net_free(&moved);
        for (uint32_t k = 0; k < view->path_points; k++) {
            double t = (double)k / opt.points;
            for (size_t i = 0; i < n; i++) mix[i] = (float)((1.0 - t) * pa[i] + t * pb[i]);
            tn_net_set_canonical(&point, mix);
            tn_eval_result e = {0};
            CHECK_OK(tn_evaluate(&point, test, 1, &e, &err), err);
            const tn_path_point *p = &view->path[k];
            double error = 1.0 - (double)e.correct / e.total, rel = fabs(p->cost - e.cost) / e.cost;
            worst = rel > worst ? rel : worst;
            CHECK(p->t == t && rel <= 1e-5 && fabs(p->error - error) * e.total <= 2.5, "%s, %s path at t = %g: cost %.9g, "
                  "error %g; the network itself %.9g, %g", name, tn_view_names[v], t, p->cost, p->error, e.cost, error);
            CHECK((k > 0 && k < opt.points) || (p->cost == e.cost && p->error == error), "%s, %s path: its end at t = %g "
                  "is not the network's bits (%.17g, %.17g)", name, tn_view_names[v], t, p->cost, e.cost);
        }
    }
    int flips = ma->net.n_sizes > 2 && tn_sign_symmetry(ma->net.activation);
    CHECK(views == (ma->net.n_sizes > 2 ? 3 + 2 * flips : 3) && flipped >= flips, "%s: %d views with a path, %d flips",
          name, views, flipped);
    printf("%s: %d paths, largest relative cost difference from the direct evaluation %.2g\n", name, views, worst);
    opt.threads = 3;
    CHECK_OK(tn_compare(ma, mb, NULL, test, &opt, &again, &err), err);
    same_paths(&r, &again, name, "3 threads");
    tn_compare_result_free(&again);
    opt.threads = 1;
    setenv("TWINNET_SIMD", "generic", 1);
    CHECK_OK(tn_compare(ma, mb, NULL, test, &opt, &again, &err), err);
    unsetenv("TWINNET_SIMD");
    same_paths(&r, &again, name, "TWINNET_SIMD=generic");
    tn_compare_result_free(&again);
    tn_compare_result_free(&r);
    tn_net_free(&point);
    free(pa); free(pb); free(mix);
}

/* Hand-made parameters with known distances: [3,2,1], A all ones, B = A with two changes. */
static void test_distances(void) {
    static const uint32_t sizes[3] = {3, 2, 1};
    tn_net a, b;
    tn_error err;
    CHECK_OK(tn_net_init(&a, sizes, 3, TN_ACT_SIGMOID, TN_COST_QUADRATIC, &err), err);
    CHECK_OK(tn_net_init(&b, sizes, 3, TN_ACT_SIGMOID, TN_COST_QUADRATIC, &err), err);
    float pa[11], pb[11];
    for (int k = 0; k < 11; k++) pa[k] = pb[k] = 1.0f;
    pb[0] = 4.0f;   /* W1[0][0], from input 0 (blank below): difference 3 */
    pb[10] = -3.0f; /* b2: difference 4 */
    tn_net_set_canonical(&a, pa);
    tn_net_set_canonical(&b, pb);
    uint8_t blank[3] = {1, 0, 0};
    tn_distances d;
    CHECK_OK(tn_net_distance(&a, &b, blank, &d, &err), err);
    CHECK(d.total.l2 == 5.0 && d.total.max_abs == 4.0 && d.total.blank_sq == 9.0, "total %g %g %g", d.total.l2,
          d.total.max_abs, d.total.blank_sq);
    CHECK(fabs(d.total.relative - 5.0 / sqrt(11.0)) < 1e-15, "relative %.17g", d.total.relative);
    CHECK(fabs(d.total.cosine - (9.0 + 4.0 - 3.0) / (sqrt(11.0) * sqrt(9.0 + 16.0 + 9.0))) < 1e-15, "cosine %.17g", d.total.cosine);
    CHECK(d.layer[1].l2 == 3.0 && d.layer[2].l2 == 4.0 && d.layer[2].blank_sq == 0.0, "layers %g %g", d.layer[1].l2, d.layer[2].l2);
    tn_net_free(&a);
    tn_net_free(&b);
}

/* CKA: 1 for a permuted, negated, scaled copy; symmetric; 0 with no variance. */
static void test_cka(void) {
    enum { N = 50, D = 3 };
    float x[N * D], y[N * D], flat[N * D];
    for (int e = 0; e < N; e++)
        for (int i = 0; i < D; i++) {
            x[e * D + i] = (float)((next_random() % 1000) / 1000.0);
            flat[e * D + i] = 0.5f;
        }
    for (int e = 0; e < N; e++)
        for (int i = 0; i < D; i++) y[e * D + i] = -2.0f * x[e * D + (i + 1) % D];
    double c, c2;
    tn_error err;
    CHECK_OK(tn_linear_cka(x, y, N, D, D, &c, &err), err);
    CHECK(fabs(c - 1.0) < 1e-12, "CKA of a permuted negated copy %.17g", c);
    for (int e = 0; e < N; e++) y[e * D] = (float)((next_random() % 1000) / 1000.0);
    CHECK_OK(tn_linear_cka(x, y, N, D, D, &c, &err), err);
    CHECK_OK(tn_linear_cka(y, x, N, D, D, &c2, &err), err);
    CHECK(c < 0.99 && c > 0 && fabs(c - c2) < 1e-12, "CKA %.17g and %.17g", c, c2);
    CHECK_OK(tn_linear_cka(x, flat, N, D, D, &c, &err), err);
    CHECK(c == 0.0, "CKA against constants %g", c);
}

/* Bad pairs: other widths, activation or cost; data of another width; no hidden layer. */
static void test_bad_pairs(const tn_model *ma, const tn_dataset *train, const tn_dataset *test) {
    static const uint32_t other[3] = {N_IN, 7, N_CLASSES}, none[2] = {N_IN, N_CLASSES};
    tn_model mb, mc;
    tn_compare_result r;
    tn_error err;
    train_model(&mb, other, 3, TN_ACT_SIGMOID, 5, train);
    tn_status s = tn_compare(ma, &mb, train, test, NULL, &r, &err);
    CHECK(s == TN_ERR_ARG && strstr(err.msg, "widths"), "other widths: %s", err.msg);
    tn_alignment al;
    CHECK(tn_align_weights(&ma->net, &mb.net, 1, &al, &err) == TN_ERR_ARG, "align across widths");
    tn_model_free(&mb);
    mb = *ma;
    CHECK_OK(tn_net_copy(&mb.net, &ma->net, &err), err);
    mb.net.activation = TN_ACT_TANH;
    s = tn_compare(ma, &mb, train, test, NULL, &r, &err);
    CHECK(s == TN_ERR_ARG && strstr(err.msg, "tanh"), "other activation: %s", err.msg);
    mb.net.activation = ma->net.activation;
    mb.net.cost = TN_COST_CROSS_ENTROPY;
    s = tn_compare(ma, &mb, train, test, NULL, &r, &err);
    CHECK(s == TN_ERR_ARG && strstr(err.msg, "cross-entropy"), "other cost: %s", err.msg);
    mb.net.cost = ma->net.cost;
    *tn_net_param(&mb.net, 7) = NAN;
    s = tn_compare(ma, &mb, train, test, NULL, &r, &err);
    CHECK(s == TN_ERR_FORMAT && strstr(err.msg, "B: parameter 7 is not finite"), "a NaN parameter: %s", err.msg);
    tn_net_free(&mb.net);
    uint8_t pixels[2 * 9] = {0}, labels[2] = {0, 1};
    tn_dataset small;
    CHECK_OK(tn_dataset_from_memory(&small, 2, 3, 3, pixels, labels, &err), err);
    s = tn_compare(ma, ma, train, &small, NULL, &r, &err);
    CHECK(s == TN_ERR_FORMAT && strstr(err.msg, "pixels"), "test data of another width: %s", err.msg);
    s = tn_compare(ma, ma, &small, test, NULL, &r, &err);
    CHECK(s == TN_ERR_FORMAT && strstr(err.msg, "pixels"), "training data of another width: %s", err.msg);
    tn_dataset_free(&small);
    /* No hidden layer: alignment is the identity, the rest is measured. */
    train_model(&mb, none, 2, TN_ACT_SIGMOID, 1, train);
    train_model(&mc, none, 2, TN_ACT_SIGMOID, 2, train);
    s = tn_compare(&mb, &mc, train, test, NULL, &r, &err);
    CHECK_OK(s, err);
    if (s == TN_OK) {
        CHECK(r.view[TN_VIEW_WEIGHTS].done && !r.view[TN_VIEW_WEIGHTS_FLIPS].done, "views without hidden layers");
        CHECK(r.view[TN_VIEW_WEIGHTS].distance.total.l2 == r.view[TN_VIEW_RAW].distance.total.l2, "identity alignment");
        char text[2048];
        CHECK(tn_compare_explain(&r, TN_FINDING_ALIGNMENT, text, sizeof text) && strstr(text, "identity"), "says so: %s", text);
        CHECK(tn_compare_explain(&r, TN_FINDING_ANSWER, text, sizeof text) && strstr(text, "identity"), "answer: %s", text);
        tn_compare_result_free(&r);
    }
    tn_model_free(&mb);
    tn_model_free(&mc);
}

int main(void) {
    tn_dataset train, test;
    make_data(&train, N_TRAIN, 1);
    make_data(&test, N_TEST, 2);
    static const uint32_t one[3] = {N_IN, 12, N_CLASSES}, two[4] = {N_IN, 10, 8, N_CLASSES};
    static const tn_activation acts[3] = {TN_ACT_SIGMOID, TN_ACT_TANH, TN_ACT_RELU};
    for (int a = 0; a < 3; a++)
        for (int depth = 0; depth < 2; depth++) {
            char name[64];
            snprintf(name, sizeof name, "%s, %d hidden", tn_activation_name(acts[a]), depth + 1);
            tn_model m, other;
            train_model(&m, depth ? two : one, depth ? 4 : 3, acts[a], 3 + (uint64_t)a, &train);
            train_model(&other, depth ? two : one, depth ? 4 : 3, acts[a], 13 + (uint64_t)a, &train);
            permutation_test(&m, &train, &test, name);
            path_test(&m, &other, &test, name);
            if (a == 0 && depth == 0) test_bad_pairs(&m, &train, &test);
            tn_model_free(&m);
            tn_model_free(&other);
        }
    static const uint32_t none[2] = {N_IN, N_CLASSES}; /* layer 1 is the output layer: its sums are the shortcut */
    tn_model ma, mb;
    train_model(&ma, none, 2, TN_ACT_SIGMOID, 1, &train);
    train_model(&mb, none, 2, TN_ACT_SIGMOID, 2, &train);
    path_test(&ma, &mb, &test, "no hidden layer");
    tn_model_free(&ma);
    tn_model_free(&mb);
    test_distances();
    test_cka();
    tn_dataset_free(&train);
    tn_dataset_free(&test);
    return check_done("test_compare");
}
