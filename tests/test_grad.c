/* Backpropagation against finite differences, for every hidden activation and every cost.
 * One tn_sgd_step with lambda 0 moves each parameter by -(eta/m) times the summed gradient, so
 * (after - before) / -eta is backprop's gradient; we compare it with central differences of
 * the cost, both from tn_net_forward (float) and from a double reference forward pass written
 * here from the formulas. Also: the mini-batch mean, and network2.py's L2 weight decay. */
#include <float.h>
#include <string.h>

#include "check.h"
#define TN_INTERNAL 1 /* test hooks: see the end of twinnet.h */
#include "twinnet.h"

#define N_SIZES 4
static const uint32_t SIZES[N_SIZES] = {12, 7, 5, 4};
#define ROWS 3
#define COLS 4
#define N_IN (ROWS * COLS)
#define N_OUT 4
#define N_EXAMPLES 3
#define MAX_PARAMS 256
#define INIT_SEED 11

/* Pixels with zeros among them (their weights get no gradient) and both extremes. */
static const uint8_t PIXELS[N_EXAMPLES * N_IN] = {
    0, 12, 255, 0, 77, 0, 140, 3, 0, 200, 0, 51,
    255, 0, 0, 9, 0, 180, 33, 0, 120, 0, 250, 0,
    0, 0, 64, 128, 192, 0, 0, 17, 99, 0, 0, 230};
static const uint8_t LABELS[N_EXAMPLES] = {2, 0, 3};

/* The step's gradient is taken at the parameters before the step whatever eta is, and a large
 * power of two makes (after - before) many ulps of the parameter wide and the division exact. */
static const float GRAD_ETA = 1024.0f;
static const double H_DOUBLE = 1e-5;      /* step of the double reference's differences */
static const float H_FLOAT = 0x1p-7f;     /* step of the float differences (tn_net_forward) */

/* ---- the double reference: network.py's feedforward and costs ------------------------------- */

/* a = output of the network with canonical parameters p (per layer W (out, in), then b) for
 * input x; *relu_pattern gets one bit per hidden unit, set when its z > 0, and *min_abs_z the
 * smallest |z| of a hidden unit (a kink is that close). */
static void reference_forward(tn_activation act, tn_cost cost, const double *p, const double *x,
                              double *a, uint64_t *relu_pattern, double *min_abs_z) {
    double in[16], out[16];
    int bit = 0;
    memcpy(in, x, N_IN * sizeof(double));
    *relu_pattern = 0;
    *min_abs_z = HUGE_VAL;
    for (int l = 1; l < N_SIZES; l++) {
        uint32_t n_in = SIZES[l - 1], n_out = SIZES[l];
        const double *W = p, *b = p + (size_t)n_in * n_out;
        for (uint32_t o = 0; o < n_out; o++) {
            double z = b[o];
            for (uint32_t i = 0; i < n_in; i++) z += W[o * n_in + i] * in[i];
            if (l < N_SIZES - 1) {
                *relu_pattern |= (uint64_t)(z > 0.0) << bit++;
                if (fabs(z) < *min_abs_z) *min_abs_z = fabs(z);
                out[o] = act == TN_ACT_SIGMOID ? 1.0 / (1.0 + exp(-z))
                       : act == TN_ACT_TANH    ? tanh(z)
                                               : (z > 0.0 ? z : 0.0);
            } else {
                out[o] = cost == TN_COST_LOG_LIKELIHOOD ? z : 1.0 / (1.0 + exp(-z));
            }
        }
        if (l == N_SIZES - 1 && cost == TN_COST_LOG_LIKELIHOOD) { /* softmax */
            double max = out[0], sum = 0.0;
            for (uint32_t o = 1; o < n_out; o++) max = out[o] > max ? out[o] : max;
            for (uint32_t o = 0; o < n_out; o++) sum += out[o] = exp(out[o] - max);
            for (uint32_t o = 0; o < n_out; o++) out[o] /= sum;
        }
        memcpy(in, out, n_out * sizeof(double));
        p += (size_t)n_in * n_out + n_out;
    }
    memcpy(a, in, N_OUT * sizeof(double));
}

/* Per-example cost: quadratic 0.5 |a-y|^2; cross-entropy sum -(y ln a + (1-y) ln(1-a));
 * log-likelihood -ln a_label. */
static double example_cost(tn_cost cost, const double *a, uint8_t label) {
    double c = 0.0;
    for (uint32_t j = 0; j < N_OUT; j++) {
        double y = j == label ? 1.0 : 0.0;
        if (cost == TN_COST_QUADRATIC) c += 0.5 * (a[j] - y) * (a[j] - y);
        else if (cost == TN_COST_CROSS_ENTROPY) c -= y * log(a[j]) + (1.0 - y) * log(1.0 - a[j]);
        else if (j == label) c -= log(a[j]);
    }
    return c;
}

static void example_input(uint32_t e, double *xd, float *xf) {
    for (uint32_t i = 0; i < N_IN; i++) {
        xf[i] = PIXELS[e * N_IN + i] / 255.0f; /* as the library scales pixels */
        xd[i] = xf[i];
    }
}

static double reference_cost(const tn_net *net, const double *p, uint32_t e, uint64_t *pattern) {
    double x[N_IN], a[N_OUT], margin;
    float xf[N_IN];
    example_input(e, x, xf);
    reference_forward(net->activation, net->cost, p, x, a, pattern, &margin);
    return example_cost(net->cost, a, LABELS[e]);
}

static double library_cost(const tn_net *net, uint32_t e) {
    double x[N_IN], a[N_OUT];
    float xf[N_IN], af[N_OUT];
    tn_error err;
    example_input(e, x, xf);
    CHECK_OK(tn_net_forward(net, xf, af, &err), err);
    for (uint32_t j = 0; j < N_OUT; j++) a[j] = af[j];
    return example_cost(net->cost, a, LABELS[e]);
}

/* ---- the gradients --------------------------------------------------------------------- */

/* Backprop's mean gradient over examples idx[0..m-1], read off one SGD step. */
static void step_gradient(const tn_net *net, const tn_dataset *ds, const uint32_t *idx, uint32_t m,
                          double *grad) {
    tn_net copy;
    tn_error err;
    float before[MAX_PARAMS], after[MAX_PARAMS];
    CHECK_OK(tn_net_copy(&copy, net, &err), err);
    tn_net_get_canonical(&copy, before);
    CHECK_OK(tn_sgd_step(&copy, ds, idx, m, GRAD_ETA, 0.0f, ds->n, &err), err);
    tn_net_get_canonical(&copy, after);
    for (size_t k = 0; k < net->n_params; k++) grad[k] = ((double)after[k] - before[k]) / -GRAD_ETA;
    tn_net_free(&copy);
}

/* The current parameters into canonical (float) and p (double); returns the relu pattern of
 * example e at them. */
static uint64_t gradient_start(const tn_net *net, uint32_t e, float *canonical, double *p) {
    tn_net_get_canonical(net, canonical);
    for (size_t k = 0; k < net->n_params; k++) p[k] = canonical[k];
    uint64_t base;
    reference_cost(net, p, e, &base);
    return base;
}

/* The reference costs of example e with parameter k set to hi and to lo (p[k] is put back);
 * returns 1 when either moves a relu unit across its kink from the base pattern. */
static int reference_pair(const tn_net *net, double *p, uint32_t e, size_t k, double hi, double lo,
                          uint64_t base, double *c_hi, double *c_lo) {
    double saved = p[k];
    uint64_t up, down;
    p[k] = hi;
    *c_hi = reference_cost(net, p, e, &up);
    p[k] = lo;
    *c_lo = reference_cost(net, p, e, &down);
    p[k] = saved;
    return net->activation == TN_ACT_RELU && (up != base || down != base);
}

/* Central differences of example e's cost in the double reference. Parameters whose
 * perturbation moves a hidden unit across relu's kink get NaN (not compared). */
static void reference_gradient(const tn_net *net, uint32_t e, double *grad) {
    double p[MAX_PARAMS], c_up, c_down;
    float canonical[MAX_PARAMS];
    uint64_t base = gradient_start(net, e, canonical, p);
    for (size_t k = 0; k < net->n_params; k++) {
        int kink = reference_pair(net, p, e, k, canonical[k] + H_DOUBLE, canonical[k] - H_DOUBLE, base, &c_up, &c_down);
        grad[k] = kink ? NAN : (c_up - c_down) / (2.0 * H_DOUBLE);
    }
}

/* Central differences of example e's cost from tn_net_forward's float outputs. */
static void library_gradient(tn_net *net, uint32_t e, double *grad) {
    double p[MAX_PARAMS], r_up, r_down;
    float canonical[MAX_PARAMS];
    uint64_t base = gradient_start(net, e, canonical, p);
    for (size_t k = 0; k < net->n_params; k++) {
        float *param = tn_net_param(net, k), saved = *param;
        float plus = saved + H_FLOAT, minus = saved - H_FLOAT;
        *param = plus;
        double c_up = library_cost(net, e);
        *param = minus;
        double c_down = library_cost(net, e);
        *param = saved;
        int kink = reference_pair(net, p, e, k, plus, minus, base, &r_up, &r_down);
        grad[k] = kink ? NAN : (c_up - c_down) / ((double)plus - minus);
    }
}

/* Compares got with want: relative error where |want| >= floor, absolute below it; NaN
 * entries of want are skipped. Returns the number compared relatively. */
typedef struct { double rel, abs; size_t compared, skipped; } comparison;
static comparison compare(const double *got, const double *want, size_t n, double floor) {
    comparison c = {0, 0, 0, 0};
    for (size_t k = 0; k < n; k++) {
        if (isnan(want[k])) { c.skipped++; continue; }
        double diff = fabs(got[k] - want[k]);
        if (fabs(want[k]) >= floor) {
            c.compared++;
            if (!(diff / fabs(want[k]) <= c.rel)) c.rel = diff / fabs(want[k]);
        } else if (!(diff <= c.abs)) {
            c.abs = diff;
        }
    }
    return c;
}

/* Backprop vs the two finite differences, per example and for the batch of all three. */
static void check_combination(tn_activation act, tn_cost cost, const tn_dataset *ds) {
    tn_net net;
    tn_error err;
    CHECK_OK(tn_net_init(&net, SIZES, N_SIZES, act, cost, &err), err);
    if (!net.params) return;
    tn_net_randomize(&net, TN_INIT_SCALED, INIT_SEED);
    CHECK(net.n_params <= MAX_PARAMS, "%zu parameters", net.n_params);

    double analytic[MAX_PARAMS], reference[MAX_PARAMS], library[MAX_PARAMS];
    double batch_reference[MAX_PARAMS] = {0};
    comparison worst_ref = {0, 0, 0, 0}, worst_lib = {0, 0, 0, 0};
    double worst_forward = 0.0, min_margin = HUGE_VAL;
    float canonical[MAX_PARAMS];
    tn_net_get_canonical(&net, canonical);
    for (uint32_t e = 0; e < N_EXAMPLES; e++) {
        /* The library's forward pass against the reference, and how close a relu kink is. */
        double x[N_IN], p[MAX_PARAMS], a_ref[N_OUT], margin;
        float xf[N_IN], a[N_OUT];
        uint64_t pattern;
        for (size_t k = 0; k < net.n_params; k++) p[k] = canonical[k];
        example_input(e, x, xf);
        reference_forward(act, cost, p, x, a_ref, &pattern, &margin);
        CHECK_OK(tn_net_forward(&net, xf, a, &err), err);
        for (uint32_t j = 0; j < N_OUT; j++) {
            double d = fabs(a[j] - a_ref[j]);
            if (!(d <= worst_forward)) worst_forward = d;
            CHECK(a_ref[j] > 1e-3 && a_ref[j] < 1.0 - 1e-3,
                  "example %u output %u = %.3g: too saturated for a fair difference", e, j, a_ref[j]);
        }
        if (margin < min_margin) min_margin = margin;

        uint32_t idx = e;
        step_gradient(&net, ds, &idx, 1, analytic);
        reference_gradient(&net, e, reference);
        library_gradient(&net, e, library);
        for (size_t k = 0; k < net.n_params; k++) batch_reference[k] += reference[k] / N_EXAMPLES;

        /* Weights of zero pixels: no gradient at all, exactly. */
        uint32_t moved = 0;
        for (uint32_t o = 0; o < SIZES[1]; o++)
            for (uint32_t i = 0; i < N_IN; i++)
                if (PIXELS[e * N_IN + i] == 0) moved += analytic[o * N_IN + i] != 0.0;
        CHECK(moved == 0, "example %u: %u weights of zero pixels changed", e, moved);

        comparison r = compare(analytic, reference, net.n_params, 1e-4);
        comparison f = compare(analytic, library, net.n_params, 1e-2);
        CHECK(r.rel < 1e-4 && r.abs < 1e-6, "%s/%s example %u vs double differences: relative %.3g, absolute %.3g",
              tn_activation_name(act), tn_cost_name(cost), e, r.rel, r.abs);
        CHECK(f.rel < 1e-2 && f.abs < 1e-3, "%s/%s example %u vs float differences: relative %.3g, absolute %.3g",
              tn_activation_name(act), tn_cost_name(cost), e, f.rel, f.abs);
        CHECK(r.compared >= 40, "%s/%s example %u: only %zu sizeable gradients", tn_activation_name(act),
              tn_cost_name(cost), e, r.compared);
        if (r.rel > worst_ref.rel) worst_ref.rel = r.rel;
        if (r.abs > worst_ref.abs) worst_ref.abs = r.abs;
        if (f.rel > worst_lib.rel) worst_lib.rel = f.rel;
        if (f.abs > worst_lib.abs) worst_lib.abs = f.abs;
        worst_ref.compared += r.compared; worst_ref.skipped += r.skipped;
        worst_lib.compared += f.compared; worst_lib.skipped += f.skipped;
    }
    CHECK(worst_forward < 1e-6, "%s/%s: tn_net_forward differs from the reference by %.3g",
          tn_activation_name(act), tn_cost_name(cost), worst_forward);

    /* A mini-batch of all three: the step is the mean of the per-example gradients. */
    static const uint32_t all[N_EXAMPLES] = {0, 1, 2};
    step_gradient(&net, ds, all, N_EXAMPLES, analytic);
    comparison b = compare(analytic, batch_reference, net.n_params, 1e-4);
    CHECK(b.rel < 1e-3 && b.abs < 1e-6, "%s/%s batch of 3: relative %.3g, absolute %.3g",
          tn_activation_name(act), tn_cost_name(cost), b.rel, b.abs);

    printf("%-7s %-14s vs double: max rel %.2e (%zu compared) abs %.2e | vs float: max rel %.2e "
           "(%zu) abs %.2e | batch rel %.2e | forward %.1e | kinks skipped %zu, min |z| %.3f\n",
           tn_activation_name(act), tn_cost_name(cost), worst_ref.rel, worst_ref.compared, worst_ref.abs,
           worst_lib.rel, worst_lib.compared, worst_lib.abs, b.rel, worst_forward,
           worst_ref.skipped + worst_lib.skipped, min_margin);
    tn_net_free(&net);
}

/* network2.py's L2: w <- (1 - eta lambda/n) w - (eta/m) sum grad, with the gradient taken at
 * the old w; biases are not decayed. Compares a step with lambda against one without. */
static void check_l2(const tn_dataset *ds) {
    const float eta = 64.0f, lambda = 0.05f;
    const uint32_t n_train = 64; /* decay 1 - 64 * 0.05 / 64 = 0.95 */
    const double decay = 0.95;
    static const uint32_t idx[2] = {2, 0};
    tn_net net, plain, decayed;
    tn_error err;
    CHECK_OK(tn_net_init(&net, SIZES, N_SIZES, TN_ACT_SIGMOID, TN_COST_CROSS_ENTROPY, &err), err);
    if (!net.params) return;
    tn_net_randomize(&net, TN_INIT_SCALED, INIT_SEED);
    CHECK_OK(tn_net_copy(&plain, &net, &err), err);
    CHECK_OK(tn_net_copy(&decayed, &net, &err), err);
    CHECK_OK(tn_sgd_step(&plain, ds, idx, 2, eta, 0.0f, n_train, &err), err);
    CHECK_OK(tn_sgd_step(&decayed, ds, idx, 2, eta, lambda, n_train, &err), err);
    float w0[MAX_PARAMS], w_plain[MAX_PARAMS], w_decayed[MAX_PARAMS];
    tn_net_get_canonical(&net, w0);
    tn_net_get_canonical(&plain, w_plain);
    tn_net_get_canonical(&decayed, w_decayed);
    size_t k = 0;
    double worst = 0.0, biggest_step = 0.0;
    uint32_t bias_differ = 0, weights = 0;
    for (int l = 1; l < N_SIZES; l++) {
        for (uint32_t w = 0; w < SIZES[l - 1] * SIZES[l]; w++, k++) {
            /* decayed = decay*w0 + (plain - w0), up to three roundings of these magnitudes */
            double want = decay * w0[k] + ((double)w_plain[k] - w0[k]);
            double scale = fabs(w0[k]) + fabs(w_plain[k] - w0[k]) + fabs(w_decayed[k]);
            double err_ulps = fabs(w_decayed[k] - want) / (scale * FLT_EPSILON);
            if (!(err_ulps <= worst)) worst = err_ulps;
            double step = fabs((double)w_plain[k] - w0[k]);
            if (step > biggest_step) biggest_step = step;
            weights++;
        }
        for (uint32_t o = 0; o < SIZES[l]; o++, k++) bias_differ += memcmp(&w_plain[k], &w_decayed[k], 4) != 0;
    }
    /* A decay after the gradient step, decay*(w0 - eta g), would be off by 0.05 eta g: far
     * more than these few ulps since the largest step is of order 1. */
    CHECK(worst <= 2.0, "L2: decayed weights off by %.2f ulp of their scale", worst);
    CHECK(biggest_step > 0.1, "L2: the largest gradient step is only %.3g", biggest_step);
    CHECK(bias_differ == 0, "L2: %u biases changed with lambda", bias_differ);
    printf("L2 (decay 0.95): %u weights within %.2f ulp of 0.95 w + plain step (largest step %.3g); biases untouched\n",
           weights, worst, biggest_step);
    tn_net_free(&net);
    tn_net_free(&plain);
    tn_net_free(&decayed);
}

int main(void) {
    tn_dataset ds;
    tn_error err;
    CHECK_OK(tn_dataset_from_memory(&ds, N_EXAMPLES, ROWS, COLS, PIXELS, LABELS, &err), err);
    if (check_failures) return check_done("test_grad");
    static const tn_activation acts[] = {TN_ACT_SIGMOID, TN_ACT_TANH, TN_ACT_RELU};
    static const tn_cost costs[] = {TN_COST_QUADRATIC, TN_COST_CROSS_ENTROPY, TN_COST_LOG_LIKELIHOOD};
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 3; c++) check_combination(acts[a], costs[c], &ds);
    check_l2(&ds);
    tn_dataset_free(&ds);
    return check_done("test_grad");
}
