/* The bend of a curve between two trained networks (Garipov et al. 2018, "Loss Surfaces, Mode
 * Connectivity, and Fast Ensembling of DNNs"): SGD on theta of E_t~U(0,1) L(phi(t)), one t per
 * mini-batch from Philox (seed, TN_STREAM_CURVE, step), with the trainer's kernels and cost. Each
 * example's passes are its own; theta's rows are split between threads and each weight takes the
 * L2 term first, then the examples in batch order: the same bits at any thread count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "curve.h"
#include "engine.h"
#include "pool.h"

const char *const tn_curve_type_names[TN_CURVE_COUNT] = {"bezier", "polychain"};
const char *const tn_curve_align_names[TN_CURVE_ALIGN_COUNT] = {"none", "weights", "activations"};

/* 4 epochs: about the time of 10 training epochs (README, "connect"); with A's batch and the eta below
 * (tn_curve_train), enough on Nielsen's networks for the barrier along the curve to fall under the
 * 2-point mark raw and to about 0 aligned. */
void tn_curve_options_default(tn_curve_options *o) {
    memset(o, 0, sizeof *o);
    o->type = TN_CURVE_BEZIER;
    o->align = TN_CURVE_ALIGN_ACTIVATIONS;
    o->epochs = 4;
    o->seed = 1;
    o->threads = 1;
}

void tn_curve_weights(tn_curve_type type, double t, double w[3]) {
    if (type == TN_CURVE_POLYCHAIN) {
        if (t <= 0.5) { w[0] = 1.0 - 2.0 * t; w[1] = 2.0 * t; w[2] = 0.0; }
        else { w[0] = 0.0; w[1] = 2.0 - 2.0 * t; w[2] = 2.0 * t - 1.0; }
        return;
    }
    w[0] = (1.0 - t) * (1.0 - t);
    w[1] = 2.0 * t * (1.0 - t);
    w[2] = t * t;
}

void tn_curve_mix(float *restrict out, const float *restrict a, const float *restrict theta, const float *restrict b,
                  const double w[3], size_t n) {
    float wa = (float)w[0], wt = (float)w[1], wb = (float)w[2];
    size_t i = 0;
    for (; i + 16 <= n; i += 16) /* blocks of a fixed length, which the compiler turns into vector code */
        for (size_t j = i; j < i + 16; j++) out[j] = wa * a[j] + wt * theta[j] + wb * b[j];
    for (; i < n; i++) out[i] = wa * a[i] + wt * theta[i] + wb * b[i];
}

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* t of step s: 53 bits of Philox block (s, curve stream) under seed, in the open interval (0, 1). */
static double curve_t(uint64_t seed, uint64_t step) {
    uint32_t ctr[4] = {(uint32_t)step, (uint32_t)(step >> 32), 0, TN_STREAM_CURVE}, key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)}, r[4];
    tn_philox4x32_10(ctr, key, r);
    return ((double)(((uint64_t)r[0] << 21) ^ (r[1] >> 11)) + 0.5) * 0x1p-53;
}

/* A layer's gradient terms grouped by weight row (input index), each row's in batch order, for the
 * trainer's update kernel, which then loads and stores each row of theta once per step. */
typedef struct {
    uint32_t *n_terms;          /* (n_in) terms in row i; zeroed again for the next step */
    uint16_t *listed;           /* the rows with a term, ascending */
    uint32_t n_listed;
    const float **term_delta;   /* (n_in * per_row): row i's terms at i * per_row ...: the delta */
    float *term_scale;          /* ... and -eta w1 / m times the input value */
} by_row;

static void by_row_free(by_row *br) {
    free(br->n_terms); free(br->listed); free((void *)br->term_delta); free(br->term_scale);
}

static int by_row_init(by_row *br, uint32_t n_in, uint32_t per_row) {
    br->n_terms = calloc(n_in, sizeof *br->n_terms);
    br->listed = malloc(n_in * sizeof *br->listed);
    br->term_delta = malloc((size_t)n_in * per_row * sizeof *br->term_delta);
    br->term_scale = malloc((size_t)n_in * per_row * sizeof *br->term_scale);
    br->n_listed = 0;
    return br->n_terms && br->listed && br->term_delta && br->term_scale;
}

typedef struct {
    tn_net *phi, *theta;        /* the point phi(t) of this step, the bend */
    tn_batch_work *bw;
    const uint32_t *idx;        /* the mini-batch: examples idx[0..m-1] of ds */
    uint32_t m;
    const tn_dataset *ds;
    const tn_kernels *k;
    const float *table;
    float *wt[TN_MAX_LAYERS];   /* phi's layers l >= 2 transposed, for the backward pass */
    by_row rows[TN_MAX_LAYERS]; /* each layer's gradient terms grouped by weight row */
    double *cost;               /* (m) each example's cost at phi */
    float c;                    /* -eta w1 / m: the weight of one example's gradient on theta */
    float l2;                   /* -eta w1 lambda / n: of phi's weights (L2), or 0 */
    int l2_biases;
} step_ctx;

static void passes_job(void *p, int t, int n) {
    step_ctx *c = p;
    uint32_t lo = (uint32_t)((uint64_t)c->m * t / n), hi = (uint32_t)((uint64_t)c->m * (t + 1) / n);
    if (hi == lo) return;
    int L = c->phi->n_sizes - 1;
    tn_forward_batch(c->phi, c->k, c->table, c->ds, c->idx + lo, hi - lo, 1, c->bw->work + lo);
    for (uint32_t e = lo; e < hi; e++) {
        uint8_t label = c->ds->labels[c->idx[e]];
        c->cost[e] = tn_example_cost(c->phi, c->bw->work[e].act[L], label);
        tn_backward_example(c->phi, c->k, label, &c->bw->work[e], c->wt);
    }
}

/* Layer l's terms of the m examples into c->rows[l], example by example. */
static void group_by_row(step_ctx *c, int l) {
    by_row *br = &c->rows[l];
    uint32_t per_row = c->bw->capacity, n_in = c->phi->sizes[l - 1];
    for (uint32_t r = 0; r < br->n_listed; r++) br->n_terms[br->listed[r]] = 0;
    for (uint32_t e = 0; e < c->m; e++) {
        const tn_work *w = &c->bw->work[e];
        for (uint32_t q = 0; q < w->nnz[l - 1]; q++) {
            uint32_t i = w->idx[l - 1][q];
            size_t slot = (size_t)i * per_row + br->n_terms[i]++;
            br->term_delta[slot] = w->delta[l];
            br->term_scale[slot] = c->c * w->val[l - 1][q];
        }
    }
    br->n_listed = 0;
    for (uint32_t i = 0; i < n_in; i++)
        if (br->n_terms[i]) br->listed[br->n_listed++] = (uint16_t)i;
}

/* Thread t owns rows [n_in t/n, n_in (t+1)/n) of theta's weights in every layer; thread 0 the biases. */
static void update_job(void *p, int t, int n) {
    step_ctx *c = p;
    const tn_net *phi = c->phi;
    for (int l = 1; l < phi->n_sizes; l++) {
        uint32_t n_in = phi->sizes[l - 1], pl = phi->pad[l];
        uint32_t lo = (uint32_t)((uint64_t)n_in * t / n), hi = (uint32_t)((uint64_t)n_in * (t + 1) / n);
        float *W = c->theta->params + c->theta->w_off[l], *bias = c->theta->params + c->theta->b_off[l];
        if (c->l2 != 0.0f && hi > lo) c->k->axpy(W + (size_t)lo * pl, c->l2, phi->params + phi->w_off[l] + (size_t)lo * pl, (hi - lo) * pl);
        const by_row *br = &c->rows[l];
        c->k->update(W, pl, br->listed, br->n_listed, br->n_terms, c->bw->capacity, br->term_delta, br->term_scale, lo, hi);
        if (t != 0) continue;
        if (c->l2 != 0.0f && c->l2_biases) c->k->axpy(bias, c->l2, phi->params + phi->b_off[l], pl);
        for (uint32_t e = 0; e < c->m; e++) c->k->axpy(bias, c->c, c->bw->work[e].delta[l], pl);
    }
}

static int all_finite(const float *p, size_t n) {
    float sum = 0.0f; /* 0 * x is NaN exactly when x is NaN or infinite */
    for (size_t i = 0; i < n; i++) sum += 0.0f * p[i];
    return sum == 0.0f;
}

tn_status tn_curve_same_shape(const tn_net *a, const tn_net *b, tn_error *err) {
    int same = a->n_sizes == b->n_sizes && a->activation == b->activation && a->cost == b->cost;
    for (int l = 0; same && l < a->n_sizes; l++) same = a->sizes[l] == b->sizes[l];
    if (!same) {
        char sa[160] = "", sb[160] = "";
        for (int l = 0; l < a->n_sizes; l++) snprintf(sa + strlen(sa), sizeof sa - strlen(sa), "%s%u", l ? "," : "", a->sizes[l]);
        for (int l = 0; l < b->n_sizes; l++) snprintf(sb + strlen(sb), sizeof sb - strlen(sb), "%s%u", l ? "," : "", b->sizes[l]);
        return tn_fail(err, TN_ERR_ARG, "B is [%s] %s with %s cost, A [%s] %s with %s cost: a curve joins networks of one shape",
                       sb, tn_activation_name(b->activation), tn_cost_name(b->cost), sa, tn_activation_name(a->activation),
                       tn_cost_name(a->cost));
    }
    if (tn_net_count_non_finite(a) || tn_net_count_non_finite(b))
        return tn_fail(err, TN_ERR_ARG, "%s has parameters that are not finite (a diverged training): no curve through it",
                       tn_net_count_non_finite(a) ? "A" : "B");
    return TN_OK;
}

tn_status tn_curve_arrange(const tn_net *a, const tn_net *b, tn_curve_align align, const tn_dataset *test, int threads,
                           tn_net *b_end, tn_error *err) {
    if (align == TN_CURVE_ALIGN_NONE || a->n_sizes < 3) return tn_net_copy(b_end, b, err);
    if (align == TN_CURVE_ALIGN_ACTIVATIONS && !test)
        return tn_fail(err, TN_ERR_ARG, "activation matching needs a test set");
    tn_alignment al;
    tn_status s = align == TN_CURVE_ALIGN_WEIGHTS ? tn_align_weights(a, b, 1, &al, err)
                                                  : tn_align_activations(a, b, test, 1, threads, &al, err);
    if (s != TN_OK) return s;
    s = tn_net_align(b, &al, b_end, err);
    tn_alignment_free(&al);
    return s;
}

/* The bend model: A's configuration with the curve's training, theta, and a provenance naming the curve. */
static void describe_bend(tn_model *bend, const tn_model *a, const tn_model *b, const tn_net *b_end, const tn_curve_options *o,
                          uint32_t batch, float eta, const tn_dataset *used, const tn_curve_result *res) {
    bend->config = a->config;
    bend->config.trace_path = NULL;
    bend->config.epochs = o->epochs;
    bend->config.batch = batch;
    bend->config.eta = eta;
    bend->config.eta_decay = 0.0f;
    bend->config.order_seed = o->seed;
    bend->config.perturb_ulp = -1;
    bend->epochs_run = res->epochs_run;
    bend->steps = res->steps;
    bend->stop = res->interrupted ? TN_STOP_INTERRUPTED : res->non_finite ? TN_STOP_NON_FINITE : TN_STOP_COMPLETED;
    tn_dataset_sha256(used, bend->data_sha256);
    tn_provenance *p = &bend->provenance;
    memset(p, 0, sizeof *p);
    p->start = TN_START_UNKNOWN;   /* the midpoint of A and B', not a draw from seeds */
    p->init_unknown = 1;
    tn_net_fingerprint(&a->net, p->parents[0]);
    tn_net_fingerprint(&b->net, p->parents[1]);
    snprintf(p->curve, sizeof p->curve, "%s", tn_curve_type_names[o->type]);
    snprintf(p->curve_align, sizeof p->curve_align, "%s", tn_curve_align_names[o->align]);
    tn_net_fingerprint(b_end, p->curve_end);
}

tn_status tn_curve_train(const tn_model *a, const tn_model *b, const tn_dataset *train, const tn_dataset *test,
                         const tn_curve_options *opt, tn_model *bend, tn_curve_result *res, tn_error *err) {
    memset(bend, 0, sizeof *bend);
    memset(res, 0, sizeof *res);
    const tn_net *na = &a->net;
    uint32_t batch = opt->batch ? opt->batch : a->config.batch, n_train = a->config.train_size ? a->config.train_size : train->n;
    /* phi(t) moves by w1^2 eta times the gradient when theta takes a step; w1 is at most 1/2 on a bezier
     * (at t = 1/2), 1 on a polychain: 4 eta_A (bezier) or eta_A makes the curve's middle move as A's
     * training moved A, and no faster */
    float eta = opt->eta != 0.0f ? opt->eta : opt->type == TN_CURVE_BEZIER ? 4.0f * a->config.eta : a->config.eta;
    tn_status s = tn_curve_same_shape(na, &b->net, err);
    if (s != TN_OK) return s;
    if ((unsigned)opt->type >= TN_CURVE_COUNT || (unsigned)opt->align >= TN_CURVE_ALIGN_COUNT)
        return tn_fail(err, TN_ERR_ARG, "unknown curve type or alignment");
    if (!opt->epochs || !batch || !(eta > 0.0f) || eta > 1e6f || opt->threads < 1 || opt->threads > 256)
        return tn_fail(err, TN_ERR_ARG, "curve training: epochs, batch and eta must be positive (eta at most 1e6), threads 1 to 256");
    if (n_train > train->n || !n_train)
        return tn_fail(err, TN_ERR_ARG, "%s: %u examples, A was trained on %u", train->images_name, train->n, n_train);
    if ((s = tn_check_shape(na, train, err)) != TN_OK) return s;
    tn_dataset used = tn_dataset_view(train, 0, n_train);
    if (batch > n_train) batch = n_train;

    tn_net b_end = {0}, phi = {0};
    tn_batch_work bw = {0};
    tn_pool *pool = NULL;
    step_ctx c = {0};
    uint32_t *perm = malloc((size_t)n_train * sizeof *perm);
    float *last = tn_alloc(na->n_buffer * sizeof(float)), table[256];
    c.cost = malloc(batch * sizeof *c.cost);
    if (!perm || !last || !c.cost) s = tn_fail(err, TN_ERR_NOMEM, "out of memory for the curve");
    if (s == TN_OK) s = tn_curve_arrange(na, &b->net, opt->align, test, opt->threads, &b_end, err);
    if (s == TN_OK) s = tn_net_copy(&bend->net, na, err);
    if (s == TN_OK) s = tn_net_copy(&phi, na, err);
    if (s == TN_OK) s = tn_batch_work_init(&bw, na, batch, err);
    for (int l = 2; s == TN_OK && l < na->n_sizes; l++)
        if (!(c.wt[l] = tn_calloc((size_t)na->sizes[l] * na->pad[l - 1], sizeof(float)))) s = tn_fail(err, TN_ERR_NOMEM, "out of memory");
    for (int l = 1; s == TN_OK && l < na->n_sizes; l++)
        if (!by_row_init(&c.rows[l], na->sizes[l - 1], batch)) s = tn_fail(err, TN_ERR_NOMEM, "out of memory");
    if (s == TN_OK) s = tn_pool_create(&pool, opt->threads, err);
    if (s == TN_OK) { /* theta starts at the midpoint (A + B') / 2 */
        double mid[3] = {0.5, 0.0, 0.5};
        tn_curve_mix(bend->net.params, na->params, na->params, b_end.params, mid, na->n_buffer);
        memcpy(last, bend->net.params, na->n_buffer * sizeof(float));
    }
    tn_pixel_table(table);
    c.phi = &phi; c.theta = &bend->net; c.k = tn_kernels_select(); c.table = table; c.ds = &used; c.bw = &bw;
    c.l2_biases = a->config.l2_biases;
    for (uint32_t epoch = 1; s == TN_OK && epoch <= opt->epochs; epoch++) {
        double t0 = seconds_now(), sum = 0.0;
        tn_shuffle(perm, n_train, opt->seed, epoch - 1);
        for (uint32_t start = 0; start < n_train; start += batch) {
            if (opt->stop_flag && *opt->stop_flag) { res->interrupted = 1; break; }
            double w[3];
            tn_curve_weights(opt->type, curve_t(opt->seed, res->steps), w);
            tn_curve_mix(phi.params, na->params, bend->net.params, b_end.params, w, na->n_buffer);
            for (int l = 2; l < na->n_sizes; l++) tn_transpose_layer(&phi, l, c.wt[l]);
            c.idx = perm + start;
            c.m = n_train - start < batch ? n_train - start : batch;
            c.c = (float)(-eta * w[1] / c.m);
            c.l2 = a->config.lambda != 0.0f ? (float)(-eta * w[1] * a->config.lambda / n_train) : 0.0f;
            tn_pool_run(pool, passes_job, &c);
            for (int l = 1; l < na->n_sizes; l++) group_by_row(&c, l);
            tn_pool_run(pool, update_job, &c);
            for (uint32_t e = 0; e < c.m; e++) sum += c.cost[e];
            res->steps++;
        }
        if (res->interrupted) break;
        tn_epoch_info info = {0};
        info.epoch = epoch;
        info.epochs = opt->epochs;
        info.test_cost = sum / n_train;   /* the mean training cost along the curve in this epoch */
        info.non_finite = !isfinite(sum) || !all_finite(bend->net.params, na->n_buffer);
        info.seconds = info.train_seconds = seconds_now() - t0;
        if (info.non_finite) { /* keep the last finite bend */
            res->non_finite = 1;
            res->non_finite_epoch = epoch;
            memcpy(bend->net.params, last, na->n_buffer * sizeof(float));
            res->steps -= (n_train + batch - 1) / batch;
        } else {
            memcpy(last, bend->net.params, na->n_buffer * sizeof(float));
            res->epochs_run = epoch;
        }
        if ((opt->on_epoch && opt->on_epoch(&info, opt->user)) || info.non_finite) break;
    }
    if (s == TN_OK) describe_bend(bend, a, b, &b_end, opt, batch, eta, &used, res);
    tn_pool_destroy(pool);
    for (int l = 1; l < na->n_sizes; l++) { tn_free(c.wt[l]); by_row_free(&c.rows[l]); }
    tn_batch_work_free(&bw);
    tn_net_free(&phi);
    tn_net_free(&b_end);
    tn_free(last);
    free(c.cost);
    free(perm);
    if (s != TN_OK) tn_model_free(bend);
    return s;
}
