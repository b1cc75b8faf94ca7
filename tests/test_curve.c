/* Curves (connect) on small networks trained here on data made here (6x6 images, three classes,
 * a diagonal stripe per class): the bend's bits at 1 and 2 threads, the ends of both curve types,
 * theta's start, a curve from a model to itself, every profile point finite, the provenance round
 * trip, and the bad inputs: other shapes, a bend of other models, a diverging training. */
#include <string.h>

#include "check.h"
#include "twinnet.h"

#define SIDE 6
#define N_IN (SIDE * SIDE)
#define N_EXAMPLES 480

/* Class c brightens the pixels with (x + y) mod 3 == c; tn_normal's noise on every pixel. */
static void make_examples(tn_dataset *ds, uint32_t n, uint64_t seed) {
    static uint8_t pix[N_EXAMPLES * N_IN], lab[N_EXAMPLES];
    for (uint32_t e = 0; e < n; e++) {
        lab[e] = (uint8_t)(e * 7 % 3);
        for (uint32_t i = 0; i < N_IN; i++) {
            double v = 60.0 + 40.0 * tn_normal(seed, TN_STREAM_SWEEP, (uint64_t)e * N_IN + i) + ((i / SIDE + i % SIDE) % 3 == lab[e] ? 120 : 0);
            pix[e * N_IN + i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    tn_error err;
    CHECK_OK(tn_dataset_from_memory(ds, n, SIDE, SIDE, pix, lab, &err), err);
}

static void trained(tn_model *m, const uint32_t *sizes, uint64_t seed, const tn_dataset *train) {
    memset(m, 0, sizeof *m);
    tn_config_default(&m->config);
    m->config.n_sizes = 3;
    memcpy(m->config.sizes, sizes, 3 * sizeof *sizes);
    m->config.epochs = 3;
    m->config.eta = 1.0f;
    m->config.train_size = 0;
    m->config.init_seed = m->config.order_seed = seed;
    tn_train_result res;
    tn_error err;
    CHECK_OK(tn_train(&m->config, train, NULL, &m->net, NULL, NULL, NULL, &res, &err), err);
}

static int same_params(const tn_net *a, const tn_net *b) {
    return a->n_buffer == b->n_buffer && memcmp(a->params, b->params, a->n_buffer * sizeof(float)) == 0;
}

int main(void) {
    static const uint32_t sizes[3] = {N_IN, 10, 3}, wider[3] = {N_IN, 12, 3};
    tn_dataset train, test;
    make_examples(&train, N_EXAMPLES, 11);
    make_examples(&test, N_EXAMPLES / 2, 12);
    tn_model a, b, c, bend1, bend2, self;
    trained(&a, sizes, 1, &train);
    trained(&b, sizes, 2, &train);
    tn_curve_options opt;
    tn_curve_options_default(&opt);
    opt.epochs = 3;
    tn_curve_result r1, r2;
    tn_error err;

    /* the same bits at 1 and 2 threads, and a bend that moved from the midpoint */
    CHECK_OK(tn_curve_train(&a, &b, &train, &test, &opt, &bend1, &r1, &err), err);
    opt.threads = 2;
    CHECK_OK(tn_curve_train(&a, &b, &train, &test, &opt, &bend2, &r2, &err), err);
    char f1[TN_HEX_SIZE], f2[TN_HEX_SIZE], fa[TN_HEX_SIZE], fb[TN_HEX_SIZE];
    tn_net_fingerprint(&bend1.net, f1);
    tn_net_fingerprint(&bend2.net, f2);
    tn_net_fingerprint(&a.net, fa);
    tn_net_fingerprint(&b.net, fb);
    CHECK(!strcmp(f1, f2), "1 thread %s, 2 threads %s", f1, f2);
    CHECK(r1.epochs_run == 3 && r1.steps == 3 * N_EXAMPLES / 10 && !r1.non_finite, "epochs %u steps %llu", r1.epochs_run,
          (unsigned long long)r1.steps);
    CHECK(!strcmp(bend1.provenance.parents[0], fa) && !strcmp(bend1.provenance.parents[1], fb), "parents");
    CHECK(!strcmp(bend1.provenance.curve, "bezier") && !strcmp(bend1.provenance.curve_align, "activations"), "curve %s %s",
          bend1.provenance.curve, bend1.provenance.curve_align);
    opt.threads = 1;

    /* the ends of the curve are A and B' bit for bit; the polychain passes through its bend */
    tn_net b_end, point;
    tn_alignment al;
    CHECK_OK(tn_align_activations(&a.net, &b.net, &test, 1, 1, &al, &err), err);
    CHECK_OK(tn_net_align(&b.net, &al, &b_end, &err), err);
    tn_alignment_free(&al);
    char fe[TN_HEX_SIZE];
    tn_net_fingerprint(&b_end, fe);
    CHECK(!strcmp(bend1.provenance.curve_end, fe), "the recorded end is B aligned");
    for (int type = 0; type < TN_CURVE_COUNT; type++) {
        CHECK_OK(tn_curve_point(&a.net, &bend1.net, &b_end, (tn_curve_type)type, 0.0, &point, &err), err);
        CHECK(same_params(&point, &a.net), "%s: phi(0) is A", tn_curve_type_names[type]);
        tn_net_free(&point);
        CHECK_OK(tn_curve_point(&a.net, &bend1.net, &b_end, (tn_curve_type)type, 1.0, &point, &err), err);
        CHECK(same_params(&point, &b_end), "%s: phi(1) is B'", tn_curve_type_names[type]);
        tn_net_free(&point);
    }
    CHECK_OK(tn_curve_point(&a.net, &bend1.net, &b_end, TN_CURVE_POLYCHAIN, 0.5, &point, &err), err);
    CHECK(same_params(&point, &bend1.net), "polychain: phi(1/2) is the bend");
    tn_net_free(&point);
    CHECK(tn_curve_point(&a.net, &bend1.net, &b_end, TN_CURVE_BEZIER, 1.5, &point, &err) == TN_ERR_ARG, "t = 1.5 refused");

    /* the profile: finite everywhere, its ends A's and B's, the same numbers at 2 threads */
    tn_curve_profile p1, p2;
    CHECK_OK(tn_curve_profile_measure(&a, &b, &bend1, &test, 10, 1, "bend", &p1, &err), err);
    CHECK_OK(tn_curve_profile_measure(&a, &b, &bend1, &test, 10, 2, "bend", &p2, &err), err);
    tn_eval_result ea = {0}, eb = {0};
    CHECK_OK(tn_evaluate(&a.net, &test, 1, &ea, &err), err);
    CHECK_OK(tn_evaluate(&b.net, &test, 1, &eb, &err), err);
    CHECK(p1.path_points == 11 && p1.finite, "%u points, finite %d", p1.path_points, p1.finite);
    CHECK(p1.path_points == 11 && p1.path[0].cost == ea.cost && fabs(p1.path[10].cost - eb.cost) < 1e-6, "ends %g %g, A %g B %g",
          p1.path[0].cost, p1.path[10].cost, ea.cost, eb.cost);
    CHECK(p2.path_points == 11 && !memcmp(p1.path, p2.path, 11 * sizeof *p1.path), "1 and 2 threads give one profile");
    CHECK(p1.cost_barrier >= 0 && p1.error_barrier >= 0 && p1.error_barrier <= 1, "barriers %g %g", p1.cost_barrier, p1.error_barrier);
    char sentence[512];
    CHECK(tn_curve_sentence(&p1, sentence, sizeof sentence) > 20, "a sentence");
    CHECK(strstr(sentence, p1.error_barrier < 0.02 ? "one valley." : "does not show") != NULL, "%s", sentence);
    tn_curve_profile_free(&p2);

    /* the provenance survives the model file, which reads back to the same bytes */
    uint8_t *bytes, *again;
    size_t size, size2;
    tn_model back;
    CHECK_OK(tn_model_to_bytes(&bend1, &bytes, &size, &err), err);
    CHECK_OK(tn_model_from_bytes(&back, "bend", bytes, size, &err), err);
    CHECK(!strcmp(back.provenance.parents[1], fb) && !strcmp(back.provenance.curve_end, fe), "parents and end read back");
    CHECK_OK(tn_model_to_bytes(&back, &again, &size2, &err), err);
    CHECK(size == size2 && !memcmp(bytes, again, size), "the same bytes");
    free(again);
    tn_model_free(&back);
    bytes[size / 2] ^= 1; /* and a damaged file is refused (its checksum) */
    CHECK(tn_model_from_bytes(&back, "bend", bytes, size, &err) != TN_OK, "damaged bend refused");
    free(bytes);

    /* a curve from a model to itself stays at that model (at A's own step size: a bezier's default, 4 times
     * it, lets the bend of this briefly trained A wander further down its valley) */
    opt.align = TN_CURVE_ALIGN_NONE;
    opt.eta = a.config.eta;
    CHECK_OK(tn_curve_train(&a, &a, &train, &test, &opt, &self, &r1, &err), err);
    tn_distances d;
    CHECK_OK(tn_net_distance(&a.net, &self.net, NULL, &d, &err), err);
    CHECK(d.total.relative < 0.05, "the bend moved %g of ||A|| away from A", d.total.relative);
    tn_curve_profile ps;
    CHECK_OK(tn_curve_profile_measure(&a, &a, &self, &test, 10, 1, "self", &ps, &err), err);
    /* A was trained 3 epochs only, so the bend may go on down its valley; it must not climb out, and the
     * curve from A to A is symmetric in t and 1 - t */
    for (uint32_t k = 0; k < ps.path_points; k++) {
        CHECK(ps.path[k].cost < ea.cost * 1.01, "t=%g cost %g, A's %g", ps.path[k].t, ps.path[k].cost, ea.cost);
        CHECK(fabs(ps.path[k].cost - ps.path[10 - k].cost) < 1e-6, "t=%g cost %g, at 1-t %g", ps.path[k].t, ps.path[k].cost,
              ps.path[10 - k].cost);
    }
    CHECK(ps.error_barrier < 0.02, "self barrier %g", ps.error_barrier);
    tn_curve_profile_free(&ps);

    /* bad input: a bend of other models, swapped ends, other shapes, a diverging training */
    trained(&c, sizes, 3, &train);
    CHECK(tn_curve_check(&bend1, &a, &c, "bend", &err) == TN_ERR_ARG && strstr(err.msg, "not between A"), "%s", err.msg);
    CHECK(tn_curve_check(&bend1, &b, &a, "bend", &err) == TN_ERR_ARG && strstr(err.msg, "from B to A"), "%s", err.msg);
    CHECK(tn_curve_check(&a, &a, &b, "a.tnm", &err) == TN_ERR_ARG && strstr(err.msg, "not a curve"), "%s", err.msg);
    CHECK(tn_curve_profile_measure(&a, &c, &bend1, &test, 10, 1, "bend", &ps, &err) == TN_ERR_ARG, "profile of another pair");
    tn_model_free(&c);
    trained(&c, wider, 3, &train);
    tn_model wrong;
    CHECK(tn_curve_train(&a, &c, &train, &test, &opt, &wrong, &r1, &err) == TN_ERR_ARG && strstr(err.msg, "one shape"), "%s", err.msg);
    opt.eta = 1e6f;
    opt.epochs = 3;
    opt.type = TN_CURVE_POLYCHAIN;
    a.config.lambda = 1e6f; /* the L2 step then multiplies the bend by about -eta lambda / n: it overflows */
    CHECK_OK(tn_curve_train(&a, &b, &train, &test, &opt, &wrong, &r1, &err), err);
    CHECK(r1.non_finite && r1.non_finite_epoch >= 1 && r1.epochs_run == r1.non_finite_epoch - 1, "diverged %d in %u, kept %u",
          r1.non_finite, r1.non_finite_epoch, r1.epochs_run);
    CHECK(tn_net_count_non_finite(&wrong.net) == 0 && wrong.stop == TN_STOP_NON_FINITE, "the last finite bend is kept");

    tn_model_free(&wrong);
    tn_model_free(&c);
    tn_curve_profile_free(&p1);
    tn_net_free(&b_end);
    tn_model_free(&self);
    tn_model_free(&bend1);
    tn_model_free(&bend2);
    tn_model_free(&a);
    tn_model_free(&b);
    tn_dataset_free(&train);
    tn_dataset_free(&test);
    return check_done("test_curve");
}
