/* Provenance: model file version 3 (the JSON block and the supplied start) round trips, and a
 * model with zero provenance is still written as version 2's bytes; every bound of the v3 parser;
 * the torch initialisation (its range, mean and variance; the other schemes' bits unchanged).
 * With arguments it is also the tool tests/t_provenance.py uses to make models whose start is
 * unknown or supplied without the import command:
 *   test_provenance unknown|supplied|absurd|init-unknown|start IN OUT [START_MODEL] */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "model.h"
#include "parse.h"

/* tn_net_randomize's fingerprints of a [5,3,2] network, seed 1, from the build before torch existed. */
#define FINGERPRINT_NORMAL "53c8556f8ce0b59dbfe60f2cdcd0a6c23854d660fe92da47e092a29f0c5c0037"
#define FINGERPRINT_SCALED "6de3c55794c67f631418f1cbf9fdf4b5ad60799a6c6bdaf6b129745e7e480ceb"

static tn_error err;

static void make_model(tn_model *m, const uint32_t *sizes, int n_sizes, tn_init init, uint64_t seed) {
    memset(m, 0, sizeof *m);
    tn_config_default(&m->config);
    m->config.n_sizes = n_sizes;
    memcpy(m->config.sizes, sizes, (size_t)n_sizes * sizeof *sizes);
    m->config.init = init;
    m->config.init_seed = seed;
    CHECK_OK(tn_net_init(&m->net, sizes, n_sizes, TN_ACT_SIGMOID, TN_COST_QUADRATIC, &err), err);
    tn_net_randomize(&m->net, init, seed);
}

/* The bytes of m; the caller frees them. */
static uint8_t *bytes_of(const tn_model *m, size_t *n) {
    uint8_t *b = NULL;
    CHECK_OK(tn_model_serialize(m, "mem", &b, n, &err), err);
    return b;
}

/* The model file's checksum made right again after an edit (so the parser reaches the part edited). */
static void reseal(uint8_t *b, size_t n) {
    tn_sha256 s;
    tn_sha256_init(&s);
    tn_sha256_update(&s, b, n - 32);
    tn_sha256_final(&s, b + n - 32);
}

static void round_trips(void) {
    static const uint32_t sizes[] = {6, 4, 3};
    tn_model m, back;
    make_model(&m, sizes, 3, TN_INIT_NORMAL, 7);
    size_t n2, n3, n;
    uint8_t *v2 = bytes_of(&m, &n2);
    CHECK(v2 && v2[8] == 2, "a model with zero provenance is written as version 2");
    /* Setting and clearing provenance fields gives the same v2 bytes: zero means trained by twinnet. */
    m.provenance.start = TN_START_UNKNOWN;
    m.provenance.data_unknown = 1;
    m.provenance.init_unknown = 1;
    snprintf(m.provenance.source, sizeof m.provenance.source, "npz");
    snprintf(m.provenance.origin, sizeof m.provenance.origin, "a \"quoted\" name.npz");
    m.provenance.input_scale = 255.0 / 256;
    m.provenance.input_mean = 0.1307;
    m.provenance.input_std = 0.3081;
    m.provenance.max_rounding = 2.9e-8;
    uint8_t *v3 = bytes_of(&m, &n3);
    CHECK(v3 && v3[8] == 3 && n3 > n2, "a model with provenance is written as version 3 (%zu bytes)", n3);
    CHECK_OK(tn_model_parse(&back, "v3", v3, n3, &err), err);
    CHECK(back.provenance.start == TN_START_UNKNOWN && back.provenance.data_unknown && back.provenance.init_unknown &&
              !strcmp(back.provenance.source, "npz") && !strcmp(back.provenance.origin, "a \"quoted\" name.npz") &&
              back.provenance.input_scale == 255.0 / 256 && back.provenance.input_mean == 0.1307 &&
              back.provenance.input_std == 0.3081 && back.format_version == 3,
          "the provenance read back");
    uint8_t *again = bytes_of(&back, &n);
    CHECK(again && n == n3 && !memcmp(again, v3, n), "a v3 file serialises back to its own bytes");
    free(again);
    tn_model_free(&back);
    free(v3);
    /* A supplied start: a second parameter block, read back bit for bit. */
    memset(&m.provenance, 0, sizeof m.provenance);
    m.provenance.start = TN_START_SUPPLIED;
    CHECK(tn_model_serialize(&m, "mem", &v3, &n3, &err) == TN_ERR_ARG, "a supplied start without parameters is refused");
    m.provenance.start_params = malloc(m.net.n_params * sizeof(float));
    for (size_t k = 0; k < m.net.n_params; k++) m.provenance.start_params[k] = (float)k * 0.25f - 3.0f;
    v3 = bytes_of(&m, &n3);
    CHECK(n3 > n2 + 4 * m.net.n_params, "the start block is stored (%zu bytes against %zu)", n3, n2);
    CHECK_OK(tn_model_parse(&back, "v3", v3, n3, &err), err);
    CHECK(back.provenance.start == TN_START_SUPPLIED && back.provenance.start_params &&
              !memcmp(back.provenance.start_params, m.provenance.start_params, m.net.n_params * sizeof(float)),
          "the supplied start read back");
    float *start = malloc(m.net.n_params * sizeof(float));
    CHECK(tn_model_start(&back, start) && !memcmp(start, m.provenance.start_params, m.net.n_params * sizeof(float)),
          "tn_model_start gives the supplied start");
    again = bytes_of(&back, &n);
    CHECK(again && n == n3 && !memcmp(again, v3, n), "a v3 file with a start serialises back to its own bytes");
    free(again);
    /* Copies own their start: freeing one leaves the other whole. */
    tn_provenance copy;
    CHECK_OK(tn_provenance_copy(&copy, &back.provenance, back.net.n_params, &err), err);
    CHECK(copy.start_params != back.provenance.start_params, "a copy has its own start parameters");
    tn_model_free(&back);
    CHECK(copy.start_params[1] == -2.75f, "the copy survives the original");
    free(copy.start_params);
    /* Bounds: one-line errors, never a crash. */
    uint8_t *bad = malloc(n3);
    size_t header = n2 - 32 - 4 * m.net.n_params + 8, json_at = header + 4 * m.net.n_params; /* v3 header is 8 bytes longer */
    uint32_t json_len = tn_get_u32(v3 + header - 16);
    for (int c = 0; c < 6; c++) {
        size_t size = n3;
        memcpy(bad, v3, n3);
        if (c == 0) size = n3 - 40;                                         /* truncated */
        if (c == 1) { tn_put_u32(bad + header - 16, json_len + 1000); reseal(bad, size); }   /* JSON past the end */
        if (c == 2) { tn_put_u32(bad + header - 12, 0); reseal(bad, size); } /* the start block is not announced */
        if (c == 3) { bad[json_at] = '['; reseal(bad, size); }              /* bad JSON */
        if (c == 4) { memcpy(bad + json_at + 10, "xxxxxxxx", 8); reseal(bad, size); } /* the start's name garbled */
        if (c == 5) { tn_put_u32(bad + header - 16, 2000000); reseal(bad, size); }    /* over the 1 MiB limit */
        tn_status s = tn_model_parse(&back, "bad.tnm", bad, size, &err);
        if (getenv("SHOW")) fprintf(stderr, "%d: %s\n", c, err.msg);
        CHECK(s == TN_ERR_FORMAT && !strchr(err.msg, '\n') && !strncmp(err.msg, "bad.tnm: ", 9), "case %d: %s", c, err.msg);
        if (s == TN_OK) tn_model_free(&back);
    }
    free(bad);
    free(start);
    tn_model_free(&back);
    free(v3);
    free(v2);
    tn_model_free(&m);
}

/* torch: uniform in +-1/sqrt(n_in), mean 0, variance 1/(3 n_in); normal and scaled keep their bits. */
/* A spawned, interrupted run (version 4): parent, spawn step, training state and the last-finite
 * block read back, and the bytes again; a damaged state or parent is refused. */
static void resume_state(void) {
    static const uint32_t sizes[] = {5, 3, 2};
    tn_model m, back;
    make_model(&m, sizes, 3, TN_INIT_NORMAL, 3);
    snprintf(m.provenance.parents[0], sizeof m.provenance.parents[0], "%064d", 7);
    m.provenance.spawn_step = 1234567890123ull;
    snprintf(m.provenance.spawn, sizeof m.provenance.spawn, "order seed 2; ulp 5");
    tn_train_state *st = &m.provenance.state;
    st->saved = 1; st->on_nan = TN_ON_NAN_CONTINUE; st->best_valid = 9; st->since_best = 2; st->best_test_correct = 77;
    st->best_epoch = 4; st->non_finite_epoch = 3;
    snprintf(st->validation, sizeof st->validation, "%064d", 5);
    size_t n3, n4, n;
    uint8_t *v3 = bytes_of(&m, &n3);
    CHECK(v3 && v3[8] == 3, "a spawned run's state without the last-finite block: version 3");
    free(v3);
    st->last_finite = malloc(m.net.n_params * sizeof(float));
    for (size_t k = 0; k < m.net.n_params; k++) st->last_finite[k] = (float)k / 3.0f;
    uint8_t *v4 = bytes_of(&m, &n4);
    CHECK(v4 && v4[8] == 4 && n4 > n3 + 4 * m.net.n_params - 1, "with it: version 4 (%zu bytes)", n4);
    CHECK_OK(tn_model_parse(&back, "v4", v4, n4, &err), err);
    const tn_train_state *b = &back.provenance.state;
    CHECK(b->saved && b->on_nan == TN_ON_NAN_CONTINUE && b->best_valid == 9 && b->since_best == 2 && b->best_test_correct == 77 &&
              b->best_epoch == 4 && b->non_finite_epoch == 3 && !strcmp(b->validation, st->validation) &&
              !strcmp(back.provenance.parents[0], m.provenance.parents[0]) && back.provenance.spawn_step == 1234567890123ull &&
              !strcmp(back.provenance.spawn, "order seed 2; ulp 5") && b->last_finite &&
              !memcmp(b->last_finite, st->last_finite, m.net.n_params * sizeof(float)),
          "the state read back");
    uint8_t *again = bytes_of(&back, &n);
    CHECK(again && n == n4 && !memcmp(again, v4, n), "a v4 file serialises back to its own bytes");
    free(again);
    tn_model_free(&back);
    /* the parent's fingerprint cut short: refused */
    uint8_t *at = NULL;
    for (size_t k = 0; k + 12 < n4 && !at; k++) at = !memcmp(v4 + k, "\"parents\":[\"", 12) ? v4 + k : NULL;
    CHECK(at != NULL, "the parents member is in the file");
    if (at) {
        at[12] = 'x';
        reseal(v4, n4);
        CHECK(tn_model_parse(&back, "v4", v4, n4, &err) == TN_ERR_FORMAT, "a damaged provenance is refused");
    }
    free(v4);
    tn_model_free(&m);
}

static void torch_init(void) {
    static const uint32_t sizes[] = {400, 300, 10};
    tn_model m;
    make_model(&m, sizes, 3, TN_INIT_TORCH, 5);
    size_t n = m.net.n_params;
    float *p = malloc(n * sizeof(float));
    tn_net_get_canonical(&m.net, p);
    double bound = 1.0 / sqrt(400.0), sum = 0, sq = 0, most = 0;
    size_t w1 = 400 * 300 + 300;
    for (size_t k = 0; k < w1; k++) {
        sum += p[k];
        sq += (double)p[k] * p[k];
        if (fabs(p[k]) > most) most = fabs(p[k]);
    }
    double mean = sum / w1, var = sq / w1 - mean * mean, expect = bound * bound / 3;
    CHECK(most <= bound && most > 0.99 * bound, "layer 1 within +-1/sqrt(400): largest %g", most);
    CHECK(fabs(mean) < 4 * sqrt(expect / w1), "layer 1 mean %g", mean);
    CHECK(fabs(var / expect - 1) < 0.02, "layer 1 variance %g against %g", var, expect);
    double most2 = 0;
    for (size_t k = w1; k < n; k++) most2 = fabs(p[k]) > most2 ? fabs(p[k]) : most2;
    CHECK(most2 <= 1 / sqrt(300.0) && most2 > 0.9 / sqrt(300.0), "layer 2 within +-1/sqrt(300): %g", most2);
    CHECK(!strcmp(tn_init_name(TN_INIT_TORCH), "torch"), "its name");
    free(p);
    tn_model_free(&m);
    /* The two other schemes: pinned fingerprints of a small network (computed before torch existed). */
    static const uint32_t small[] = {5, 3, 2};
    char fp[TN_HEX_SIZE];
    make_model(&m, small, 3, TN_INIT_NORMAL, 1);
    tn_net_fingerprint(&m.net, fp);
    CHECK(!strcmp(fp, FINGERPRINT_NORMAL), "normal init fingerprint %s", fp);
    tn_model_free(&m);
    make_model(&m, small, 3, TN_INIT_SCALED, 1);
    tn_net_fingerprint(&m.net, fp);
    CHECK(!strcmp(fp, FINGERPRINT_SCALED), "scaled init fingerprint %s", fp);
    tn_model_free(&m);
}

/* The tool: IN's provenance changed, written to OUT. */
static int tool(int argc, char **argv) {
    tn_model m, s;
    if (argc < 4 || tn_model_load(&m, argv[2], &err) != TN_OK) {
        fprintf(stderr, "test_provenance: %s\n", argc < 4 ? "usage: MODE IN OUT [START]" : err.msg);
        return 2;
    }
    const char *mode = argv[1];
    size_t n = m.net.n_params;
    if (!strcmp(mode, "unknown")) {
        m.provenance.start = TN_START_UNKNOWN;
        snprintf(m.provenance.source, sizeof m.provenance.source, "npz");
        snprintf(m.provenance.origin, sizeof m.provenance.origin, "%s", argv[2]);
    } else if (!strcmp(mode, "supplied") || !strcmp(mode, "start")) {
        float *start = malloc(n * sizeof(float));
        if (argc > 4) { /* another model's parameters as the start */
            if (tn_model_load(&s, argv[4], &err) != TN_OK || s.net.n_params != n) return 2;
            tn_net_get_canonical(&s.net, start);
            tn_model_free(&s);
        } else if (!tn_model_start(&m, start)) return 2;
        if (!strcmp(mode, "start")) { tn_net_set_canonical(&m.net, start); free(start); } /* the start as a network */
        else { free(m.provenance.start_params); m.provenance.start_params = start; m.provenance.start = TN_START_SUPPLIED; }
    } else if (!strcmp(mode, "absurd")) *tn_net_param(&m.net, 0) = 3.4e38f;
    else if (!strcmp(mode, "init-unknown")) m.provenance.init_unknown = 1;
    else return 2;
    tn_status st = tn_model_save(&m, argv[3], &err);
    tn_model_free(&m);
    if (st != TN_OK) fprintf(stderr, "test_provenance: %s\n", err.msg);
    return st == TN_OK ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc > 1) return tool(argc, argv);
    round_trips();
    resume_state();
    torch_init();
    return check_done("test_provenance");
}
