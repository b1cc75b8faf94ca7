/* Mini-batch SGD as in Nielsen's network.py and network2.py, with an evaluation after every
 * epoch, a validation split, early stopping and traces. Order of every sum is fixed: per weight, the L2 decay
 * first, then one fmaf per example of the mini-batch in batch order; so threads (which
 * split examples for the passes and weight rows for the update) never change the bits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine.h"
#include "pool.h"
#include "resume.h"
#include "trace.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* What the update of one layer needs, rebuilt every step: the layer's inputs regrouped by
 * row (input index) into one bucket of `capacity` slots per row, filled in batch order, and
 * the layer's weights transposed for the backward pass. */
typedef struct {
    uint32_t *count;            /* (n_in) entries in each row's bucket; zero between steps */
    uint16_t *rows;             /* rows with at least one entry, ascending */
    uint32_t n_rows;
    const float **entry_delta;  /* (n_in * capacity) row i's entries at i*capacity...: the delta */
    float *entry_scale;         /* ... and c * input value */
    const float **delta;        /* (capacity) each example's delta, for the biases */
    float *wt;                  /* (n_out, pad(n_in)) for l >= 2 */
} layer_plan;

typedef struct {
    uint32_t capacity;
    layer_plan layer[TN_MAX_LAYERS];
    float *wt[TN_MAX_LAYERS];   /* wt[l] = layer[l].wt, as tn_backward_example takes them */
} step_plan;

static void step_plan_free(step_plan *sp, const tn_net *net) {
    for (int l = 1; l < net->n_sizes; l++) {
        layer_plan *lp = &sp->layer[l];
        free(lp->count); free(lp->rows); free((void *)lp->entry_delta); free(lp->entry_scale);
        free((void *)lp->delta); tn_free(lp->wt);
    }
    memset(sp, 0, sizeof *sp);
}

static tn_status step_plan_init(step_plan *sp, const tn_net *net, uint32_t capacity, tn_error *err) {
    memset(sp, 0, sizeof *sp);
    sp->capacity = capacity;
    for (int l = 1; l < net->n_sizes; l++) {
        layer_plan *lp = &sp->layer[l];
        size_t n_in = net->sizes[l - 1], entries = (size_t)capacity * n_in;
        lp->count = calloc(n_in, sizeof *lp->count);
        lp->rows = malloc(n_in * sizeof *lp->rows);
        lp->entry_delta = malloc(entries * sizeof *lp->entry_delta);
        lp->entry_scale = malloc(entries * sizeof *lp->entry_scale);
        lp->delta = malloc(capacity * sizeof *lp->delta);
        int ok = lp->count && lp->rows && lp->entry_delta && lp->entry_scale && lp->delta;
        if (ok && l >= 2) ok = (lp->wt = tn_calloc((size_t)net->sizes[l] * net->pad[l - 1], sizeof(float))) != NULL;
        sp->wt[l] = lp->wt;
        if (!ok) { step_plan_free(sp, net); return tn_fail(err, TN_ERR_NOMEM, "out of memory for the update plan"); }
    }
    return TN_OK;
}

/* Regroups the m examples' inputs of layer l by row, keeping batch order within a row. */
static void plan_layer(layer_plan *lp, const tn_net *net, int l, const tn_batch_work *bw, uint32_t m,
                       uint32_t capacity, float c) {
    uint32_t *restrict count = lp->count;
    const float **restrict entry_delta = lp->entry_delta;
    float *restrict entry_scale = lp->entry_scale;
    uint32_t n_in = net->sizes[l - 1], n_rows = 0;
    for (uint32_t i = 0; i < lp->n_rows; i++) count[lp->rows[i]] = 0; /* the previous step's rows */
    for (uint32_t e = 0; e < m; e++) {
        const tn_work *w = &bw->work[e];
        const uint16_t *restrict idx = w->idx[l - 1];
        const float *restrict val = w->val[l - 1];
        const float *delta = w->delta[l];
        uint32_t nnz = w->nnz[l - 1];
        for (uint32_t t = 0; t < nnz; t++) {
            size_t q = (size_t)idx[t] * capacity + count[idx[t]]++;
            entry_delta[q] = delta;
            entry_scale[q] = c * val[t];
        }
        lp->delta[e] = delta;
    }
    for (uint32_t i = 0; i < n_in; i++) /* ascending rows: the update walks W in memory order */
        if (count[i]) lp->rows[n_rows++] = (uint16_t)i;
    lp->n_rows = n_rows;
}

/* ---- one SGD step ---------------------------------------------------------------------- */
typedef struct {
    tn_net *net;
    const tn_kernels *k;
    const tn_dataset *ds;
    const float *table;
    const uint32_t *idx;
    uint32_t m;
    tn_batch_work *bw;
    step_plan *plan;
    float c;          /* -eta/m */
    float decay;      /* 1 - eta*lambda/n, or 1 */
    float bias_decay; /* the same where biases are decayed too (config l2_biases), else 1 */
} step_ctx;

static void passes_job(void *p, int t, int n) {
    step_ctx *c = p;
    uint32_t lo = (uint32_t)((uint64_t)c->m * t / n), hi = (uint32_t)((uint64_t)c->m * (t + 1) / n);
    if (hi == lo) return;
    tn_forward_batch(c->net, c->k, c->table, c->ds, c->idx + lo, hi - lo, 1, c->bw->work + lo);
    for (uint32_t e = lo; e < hi; e++)
        tn_backward_example(c->net, c->k, c->ds->labels[c->idx[e]], &c->bw->work[e], c->plan->wt);
}

/* Thread t owns rows [n_in*t/n, n_in*(t+1)/n) of every layer's weights; thread 0 the biases. */
static void update_job(void *p, int t, int n) {
    step_ctx *c = p;
    tn_net *net = c->net;
    for (int l = 1; l < net->n_sizes; l++) {
        uint32_t n_in = net->sizes[l - 1], pl = net->pad[l];
        uint32_t lo = (uint32_t)((uint64_t)n_in * t / n), hi = (uint32_t)((uint64_t)n_in * (t + 1) / n);
        float *W = net->params + net->w_off[l];
        const layer_plan *lp = &c->plan->layer[l];
        if (c->decay != 1.0f) c->k->scale(W + (size_t)lo * pl, c->decay, (size_t)(hi - lo) * pl);
        c->k->update(W, pl, lp->rows, lp->n_rows, lp->count, c->plan->capacity, lp->entry_delta, lp->entry_scale, lo, hi);
        if (t == 0) { /* the biases: as a weight row, the decay first, then the examples in batch order */
            if (c->bias_decay != 1.0f) c->k->scale(net->params + net->b_off[l], c->bias_decay, pl);
            for (uint32_t e = 0; e < c->m; e++) c->k->axpy(net->params + net->b_off[l], c->c, lp->delta[e], pl);
        }
    }
}

static void sgd_step(tn_net *net, const tn_kernels *k, const float *table, const tn_dataset *ds,
                     const uint32_t *idx, uint32_t m, float eta, float lambda, int l2_biases, uint32_t n_train,
                     tn_batch_work *bw, step_plan *plan, tn_pool *pool) {
    float decay = lambda != 0.0f ? 1.0f - eta * lambda / (float)n_train : 1.0f;
    step_ctx c = {net, k, ds, table, idx, m, bw, plan, -(eta / (float)m), decay, l2_biases ? decay : 1.0f};
    for (int l = 2; l < net->n_sizes; l++) tn_transpose_layer(net, l, plan->wt[l]);
    tn_pool_run(pool, passes_job, &c);
    for (int l = 1; l < net->n_sizes; l++) plan_layer(&plan->layer[l], net, l, bw, m, plan->capacity, c.c);
    tn_pool_run(pool, update_job, &c);
}

tn_status tn_sgd_step(tn_net *net, const tn_dataset *ds, const uint32_t *idx, uint32_t m, float eta,
                      float lambda, uint32_t n_train, tn_error *err) {
    tn_status s = tn_check_shape(net, ds, err);
    if (s != TN_OK) return s;
    for (uint32_t e = 0; e < m; e++)
        if (idx[e] >= ds->n) return tn_fail(err, TN_ERR_ARG, "example %u is out of range", idx[e]);
    tn_batch_work bw;
    step_plan plan;
    tn_pool *pool;
    if ((s = tn_batch_work_init(&bw, net, m, err)) != TN_OK) return s;
    if ((s = step_plan_init(&plan, net, m, err)) != TN_OK) { tn_batch_work_free(&bw); return s; }
    if ((s = tn_pool_create(&pool, 1, err)) != TN_OK) { step_plan_free(&plan, net); tn_batch_work_free(&bw); return s; }
    float table[256];
    tn_pixel_table(table);
    sgd_step(net, tn_kernels_select(), table, ds, idx, m, eta, lambda, 0, n_train, &bw, &plan, pool);
    tn_pool_destroy(pool);
    step_plan_free(&plan, net);
    tn_batch_work_free(&bw);
    return TN_OK;
}

/* ---- training ---------------------------------------------------------------------------- */
static tn_status check_config(const tn_config *cfg, const tn_dataset *train, tn_error *err) {
    if (cfg->batch < 1) return tn_fail(err, TN_ERR_ARG, "batch size: must be at least 1");
    if (!(cfg->eta > 0.0f) || cfg->eta > 1e6f) return tn_fail(err, TN_ERR_ARG, "learning rate eta: must be positive, at most 1e6");
    if (!(cfg->lambda >= 0.0f) || cfg->lambda > 1e6f) return tn_fail(err, TN_ERR_ARG, "L2 strength lambda: must be 0 to 1e6");
    if (!(cfg->eta_decay >= 0.0f) || cfg->eta_decay > 1e6f) return tn_fail(err, TN_ERR_ARG, "eta decay: must be 0 to 1e6");
    if (cfg->epochs < 1) return tn_fail(err, TN_ERR_ARG, "epochs: must be at least 1");
    if (cfg->threads < 1 || cfg->threads > 256) return tn_fail(err, TN_ERR_ARG, "threads: must be 1 to 256");
    if (cfg->train_size > train->n)
        return tn_fail(err, TN_ERR_ARG, "train size: %u is more than the %u examples in %s", cfg->train_size, train->n, train->images_name);
    uint32_t n_train = cfg->train_size ? cfg->train_size : train->n;
    if (n_train == 0) return tn_fail(err, TN_ERR_ARG, "%s: no training examples", train->images_name);
    if (cfg->early_stop && n_train == train->n)
        return tn_fail(err, TN_ERR_ARG, "early stopping: needs a validation set (a train size below %u)", train->n);
    return TN_OK;
}

static int all_finite(const float *p, size_t n) {
    float sum = 0.0f; /* 0 * x is NaN exactly when x is NaN or infinite */
    for (size_t i = 0; i < n; i++) sum += 0.0f * p[i];
    return sum == 0.0f;
}

uint64_t tn_steps_per_epoch(uint32_t n_train, uint32_t batch) { return batch ? ((uint64_t)n_train + batch - 1) / batch : 0; }

tn_status tn_train(const tn_config *cfg, const tn_dataset *train, const tn_dataset *test, tn_net *net,
                   tn_epoch_fn on_epoch, void *user, volatile const int *stop_flag,
                   tn_train_result *result, tn_error *err) {
    tn_train_start st;
    memset(&st, 0, sizeof st);
    tn_status s = tn_train_from(cfg, train, test, net, &st, on_epoch, user, stop_flag, result, err);
    free(st.state.last_finite);
    return s;
}

/* The parameters to start from: the seeds' (new run) or st's; then the flip of cfg->perturb_ulp
 * (at step 0 of a new run, or at a spawn's step). */
static tn_status starting_point(const tn_config *cfg, tn_net *net, const tn_train_start *st, tn_error *err) {
    if (st->params) tn_net_set_canonical(net, st->params);
    else tn_net_randomize(net, cfg->init, cfg->init_seed);
    if (cfg->perturb_ulp >= 0) {
        float *p = tn_net_param(net, (size_t)cfg->perturb_ulp);
        if (!p) return tn_fail(err, TN_ERR_ARG, "perturbed parameter: index %lld is outside 0..%zu", (long long)cfg->perturb_ulp, net->n_params - 1);
        *p = tn_u2f(tn_f2u(*p) ^ 1u);
    }
    return TN_OK;
}

tn_status tn_train_from(const tn_config *cfg, const tn_dataset *train, const tn_dataset *test, tn_net *net,
                        tn_train_start *st, tn_epoch_fn on_epoch, void *user, volatile const int *stop_flag,
                        tn_train_result *result, tn_error *err) {
    memset(result, 0, sizeof *result);
    tn_status s = check_config(cfg, train, err);
    if (s == TN_OK) s = tn_train_memory_check(cfg, cfg->train_size ? cfg->train_size : train->n, err);
    if (s != TN_OK) return s;
    uint64_t per_epoch = tn_steps_per_epoch(cfg->train_size ? cfg->train_size : train->n, cfg->batch);
    if (st->params && (st->step < (uint64_t)st->epochs_done * per_epoch || st->step >= ((uint64_t)st->epochs_done + 1) * per_epoch))
        return tn_fail(err, TN_ERR_ARG, "step %llu is not within epoch %u (%llu steps an epoch)", (unsigned long long)st->step,
                       st->epochs_done + 1, (unsigned long long)per_epoch);
    if (st->params && cfg->trace_path) return tn_fail(err, TN_ERR_ARG, "%s: a trace starts at step 0: a continued run writes none", cfg->trace_path);
    s = tn_net_init(net, cfg->sizes, cfg->n_sizes, cfg->activation, cfg->cost, err);
    if (s != TN_OK) return s;
    if ((s = tn_check_shape(net, train, err)) != TN_OK || (test && (s = tn_check_shape(net, test, err)) != TN_OK) ||
        (s = starting_point(cfg, net, st, err)) != TN_OK) {
        tn_net_free(net);
        return s;
    }
    uint32_t n_train = cfg->train_size ? cfg->train_size : train->n;
    tn_dataset training = tn_dataset_view(train, 0, n_train);
    tn_dataset validation = tn_dataset_view(train, n_train, train->n - n_train);

    uint32_t *perm = malloc((size_t)n_train * sizeof *perm);
    tn_batch_work bw;
    step_plan plan;
    tn_pool *pool = NULL;
    tn_trace *trace = NULL;
    int have_bw = 0, have_plan = 0;
    uint32_t capacity = cfg->batch < n_train ? cfg->batch : n_train;
    if (!perm) s = tn_fail(err, TN_ERR_NOMEM, "out of memory");
    if (s == TN_OK && (s = tn_batch_work_init(&bw, net, capacity, err)) == TN_OK) have_bw = 1;
    if (s == TN_OK && (s = step_plan_init(&plan, net, capacity, err)) == TN_OK) have_plan = 1;
    if (s == TN_OK) s = tn_pool_create(&pool, cfg->threads, err);
    if (s == TN_OK && cfg->trace_path) s = tn_trace_open(&trace, cfg->trace_path, net, err);
    uint64_t step = st->step;
    if (s == TN_OK && trace) s = tn_trace_record(trace, step, 0, net, err);
    /* The last parameters that were all finite, to go back to when training blows up: those at
     * the start, or the saved ones of the last epoch end. */
    float *last_finite = NULL;
    uint64_t last_finite_step = (uint64_t)st->epochs_done * per_epoch;
    if (s == TN_OK && cfg->on_nan == TN_ON_NAN_STOP) {
        if (!(last_finite = tn_alloc(net->n_buffer * sizeof(float)))) s = tn_fail(err, TN_ERR_NOMEM, "out of memory");
        else memcpy(last_finite, net->params, net->n_buffer * sizeof(float));
        if (s == TN_OK && st->state.last_finite) { /* through a net: the canonical order into the layout */
            tn_net tmp = *net;
            tmp.params = last_finite;
            tn_net_set_canonical(&tmp, st->state.last_finite);
        }
    }

    float table[256];
    tn_pixel_table(table);
    const tn_kernels *k = tn_kernels_select();
    uint32_t best_valid = st->state.best_valid, since_best = st->state.since_best;
    result->test_total = test ? test->n : 0;
    result->epochs_run = st->epochs_done;
    result->best_test_correct = st->state.best_test_correct;
    result->best_epoch = st->state.best_epoch;
    result->non_finite_epoch = st->state.non_finite_epoch;
    result->non_finite = st->state.non_finite_epoch != 0;
    uint32_t first_start = (uint32_t)((st->step - last_finite_step) * cfg->batch); /* within the first epoch */
    for (uint32_t epoch = st->epochs_done + 1; s == TN_OK && epoch <= cfg->epochs; epoch++, first_start = 0) {
        double t0 = now_seconds();
        tn_shuffle(perm, n_train, cfg->order_seed, epoch - 1);
        /* a decaying step, eta / (1 + d e): SGD on a convex cost then converges instead of
         * stalling at the noise floor a constant step leaves */
        float eta = cfg->eta_decay != 0.0f ? cfg->eta / (1.0f + cfg->eta_decay * (float)(epoch - 1)) : cfg->eta;
        uint32_t batch = bw.capacity;
        for (uint32_t start = first_start; start < n_train && s == TN_OK; start += batch) {
            if ((stop_flag && *stop_flag) || (st->stop_at && step >= st->stop_at_step)) { result->interrupted = 1; break; }
            uint32_t m = n_train - start < batch ? n_train - start : batch;
            /* the next mini-batch's examples start on their way into cache during this step */
            for (uint32_t j = start + m; j < start + 2 * m && j < n_train; j++) tn_prefetch_example(&training, perm[j]);
            sgd_step(net, k, table, &training, perm + start, m, eta, cfg->lambda, cfg->l2_biases, n_train, &bw, &plan, pool);
            step++;
            int due = (cfg->trace_every && step % cfg->trace_every == 0) || (cfg->trace_log && (step & (step - 1)) == 0);
            if (trace && due && start + m < n_train)
                s = tn_trace_record(trace, step, epoch, net, err);
        }
        if (s != TN_OK || result->interrupted) break;
        if (trace) s = tn_trace_record(trace, step, epoch, net, err);
        double t1 = now_seconds();
        tn_epoch_info info;
        memset(&info, 0, sizeof info);
        info.epoch = epoch;
        info.epochs = cfg->epochs;
        if (s == TN_OK && test) {
            tn_eval_result r = {0};
            double te = now_seconds();
            s = tn_evaluate_pool(net, test, pool, &r, err);
            info.test_seconds = now_seconds() - te;
            info.test_correct = r.correct; info.test_total = r.total; info.test_cost = r.cost;
        }
        if (s == TN_OK && validation.n && (cfg->early_stop || on_epoch)) { /* read by early stopping or the caller only */
            tn_eval_result r = {0};
            s = tn_evaluate_pool(net, &validation, pool, &r, err);
            info.has_validation = 1; info.valid_correct = r.correct; info.valid_total = r.total;
        }
        if (s != TN_OK) break;
        info.train_seconds = t1 - t0;
        info.seconds = now_seconds() - t0;
        info.non_finite = !isfinite(info.test_cost) || !all_finite(net->params, net->n_buffer);
        if (info.non_finite && !result->non_finite) { result->non_finite = 1; result->non_finite_epoch = epoch; }
        if (info.non_finite && last_finite) { /* stop: the model is that of the last finite epoch */
            if (on_epoch) on_epoch(&info, user);
            memcpy(net->params, last_finite, net->n_buffer * sizeof(float));
            step = last_finite_step;
            break;
        }
        if (last_finite) { memcpy(last_finite, net->params, net->n_buffer * sizeof(float)); last_finite_step = step; }
        result->epochs_run = epoch;
        if (info.test_correct > result->best_test_correct || epoch == 1) {
            result->best_test_correct = info.test_correct;
            result->best_epoch = epoch;
        }
        int stop = on_epoch ? on_epoch(&info, user) : 0;
        if (cfg->early_stop) {
            if (info.valid_correct > best_valid || epoch == 1) { best_valid = info.valid_correct; since_best = 0; }
            else if (++since_best >= cfg->early_stop) { result->stopped_early = 1; stop = 1; }
        }
        if (stop) break;
    }
    result->steps = step;
    tn_train_state *out = &st->state;
    out->on_nan = cfg->on_nan;
    out->best_valid = best_valid; out->since_best = since_best;
    out->best_test_correct = result->best_test_correct; out->best_epoch = result->best_epoch;
    out->non_finite_epoch = result->non_finite_epoch;
    out->last_finite = NULL;
    if (s == TN_OK && last_finite && step != (uint64_t)result->epochs_run * per_epoch) { /* stopped within an epoch */
        if (!(out->last_finite = malloc(net->n_params * sizeof(float)))) s = tn_fail(err, TN_ERR_NOMEM, "out of memory");
        else {
            tn_net tmp = *net;
            tmp.params = last_finite;
            tn_net_get_canonical(&tmp, out->last_finite);
        }
    }
    tn_free(last_finite);
    if (trace) {
        tn_status ts = tn_trace_close(trace, s == TN_OK, s == TN_OK ? err : NULL);
        if (s == TN_OK) s = ts;
    }
    tn_pool_destroy(pool);
    if (have_plan) step_plan_free(&plan, net);
    if (have_bw) tn_batch_work_free(&bw);
    free(perm);
    if (s != TN_OK) tn_net_free(net);
    return s;
}
