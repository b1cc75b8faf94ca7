/* Evaluation and prediction: the forward pass over a data set, examples split between threads
 * in fixed ranges; the accuracy, the mean cost (summed in example order) and the confusion
 * matrix, a prediction and output vector per example, or any layer's activations. */
#include <stdlib.h>

#include "engine.h"
#include "pool.h"

#define EVAL_CHUNK 32 /* examples per forward batch */
typedef struct {
    const tn_net *net;
    const tn_kernels *k;
    const tn_dataset *ds;
    const float *table;
    tn_batch_work *per_thread;   /* one work buffer per thread */
    uint8_t *pred;
    double *cost;             /* optional (n) */
    float *out;               /* optional (n, sizes[layer]): activations of that layer */
    int layer;
    float *z1;                /* optional (n, sizes[1]): layer 1's pre-activations */
} eval_ctx;

static void eval_record(eval_ctx *c, uint32_t e, const tn_work *w) {
    int L = c->net->n_sizes - 1;
    if (c->pred) c->pred[e] = (uint8_t)tn_argmax(w->act[L], c->net->sizes[L]);
    if (c->cost) c->cost[e] = tn_example_cost(c->net, w->act[L], c->ds->labels[e]);
    uint32_t width = c->net->sizes[c->layer];
    if (c->out) memcpy(c->out + (size_t)e * width, w->act[c->layer], width * sizeof(float));
    if (c->z1) memcpy(c->z1 + (size_t)e * c->net->sizes[1], w->delta[1], c->net->sizes[1] * sizeof(float));
}

static void eval_job(void *p, int t, int n) {
    eval_ctx *c = p;
    uint32_t lo = (uint32_t)((uint64_t)c->ds->n * t / n), hi = (uint32_t)((uint64_t)c->ds->n * (t + 1) / n);
    tn_batch_work *bw = &c->per_thread[t];
    uint32_t examples[EVAL_CHUNK];
    for (uint32_t start = lo; start < hi; start += EVAL_CHUNK) {
        uint32_t m = hi - start < EVAL_CHUNK ? hi - start : EVAL_CHUNK;
        for (uint32_t j = 0; j < m; j++) examples[j] = start + j;
        tn_forward_batch(c->net, c->k, c->table, c->ds, examples, m, 0, bw->work);
        for (uint32_t j = 0; j < m; j++) eval_record(c, start + j, &bw->work[j]);
    }
}

/* Runs the forward pass over ds with a pool; pred, cost, out (layer's activations) and z1 (layer 1's
 * pre-activations) may be NULL. */
static tn_status run_eval(const tn_net *net, const tn_dataset *ds, tn_pool *pool, uint8_t *pred,
                          double *cost, float *out, int layer, float *z1, tn_error *err) {
    int T = tn_pool_size(pool);
    tn_batch_work *bw = calloc((size_t)T, sizeof *bw);
    if (!bw) return tn_fail(err, TN_ERR_NOMEM, "out of memory for evaluation");
    tn_status s = TN_OK;
    for (int t = 0; t < T && s == TN_OK; t++) s = tn_batch_work_init(&bw[t], net, EVAL_CHUNK, err);
    if (s == TN_OK) {
        float table[256];
        tn_pixel_table(table);
        eval_ctx c = {net, tn_kernels_select(), ds, table, bw, pred, cost, out, layer, z1};
        tn_pool_run(pool, eval_job, &c);
    }
    for (int t = 0; t < T; t++) tn_batch_work_free(&bw[t]);
    free(bw);
    return s;
}

tn_status tn_evaluate_pool(const tn_net *net, const tn_dataset *ds, tn_pool *pool,
                                    tn_eval_result *res, tn_error *err) {
    uint32_t *conf = res->confusion, k = tn_confusion_classes(net);
    res->correct = 0; res->total = ds->n; res->cost = 0.0;
    if (conf) memset(conf, 0, (size_t)k * k * sizeof *conf);
    if (ds->n == 0) return TN_OK;
    int L = net->n_sizes - 1;
    size_t n_out = (size_t)ds->n * net->sizes[L];
    uint8_t *pred = malloc(ds->n);
    double *cost = malloc(ds->n * sizeof(double));
    float *out = res->outputs_sha256 ? malloc(n_out * sizeof(float)) : NULL;
    if (!pred || !cost || (res->outputs_sha256 && !out)) {
        free(pred); free(cost); free(out);
        return tn_fail(err, TN_ERR_NOMEM, "out of memory for evaluation");
    }
    tn_status s = run_eval(net, ds, pool, pred, cost, out, L, NULL, err);
    if (s == TN_OK && out) {
        tn_sha256 h;
        uint8_t *le = (uint8_t *)out, digest[32]; /* in place: each value becomes its 4 bytes */
        for (size_t i = 0; i < n_out; i++) tn_put_u32(le + 4 * i, tn_f2u(out[i]));
        tn_sha256_init(&h);
        tn_sha256_update(&h, le, 4 * n_out);
        tn_sha256_final(&h, digest);
        tn_hex(digest, 32, res->outputs_sha256);
    }
    if (s == TN_OK) {
        double sum = 0.0; /* sequential in example order */
        for (uint32_t e = 0; e < ds->n; e++) {
            res->correct += pred[e] == ds->labels[e];
            sum += cost[e];
            if (conf && pred[e] < k) conf[(size_t)ds->labels[e] * k + pred[e]]++;
        }
        res->cost = sum / ds->n;
    }
    free(pred);
    free(cost);
    free(out);
    return s;
}

tn_status tn_evaluate(const tn_net *net, const tn_dataset *ds, int threads, tn_eval_result *res, tn_error *err) {
    tn_status s = tn_check_shape(net, ds, err);
    if (s != TN_OK) return s;
    tn_pool *pool;
    s = tn_pool_create(&pool, threads, err);
    if (s != TN_OK) return s;
    s = tn_evaluate_pool(net, ds, pool, res, err);
    tn_pool_destroy(pool);
    return s;
}

/* Runs run_eval on a pool of its own, after checking the data's input width. */
static tn_status eval_threads(const tn_net *net, const tn_dataset *ds, int threads, uint8_t *pred, float *out,
                              int layer, tn_error *err) {
    if (ds->n_in != net->sizes[0])
        return tn_fail(err, TN_ERR_FORMAT, "%s: images have %u pixels but the network's input layer has %u",
                       ds->images_name, ds->n_in, net->sizes[0]);
    tn_pool *pool;
    tn_status s = tn_pool_create(&pool, threads, err);
    if (s != TN_OK) return s;
    s = ds->n ? run_eval(net, ds, pool, pred, NULL, out, layer, NULL, err) : TN_OK;
    tn_pool_destroy(pool);
    return s;
}

tn_status tn_predict_pool(const tn_net *net, const tn_dataset *ds, tn_pool *pool, uint8_t *pred, float *out,
                          float *z1, tn_error *err) {
    return ds->n ? run_eval(net, ds, pool, pred, NULL, out, net->n_sizes - 1, z1, err) : TN_OK;
}

uint32_t tn_confusion_classes(const tn_net *net) {
    uint32_t n_out = net->sizes[net->n_sizes - 1];
    return n_out < 256 ? n_out : 256;
}

tn_status tn_predict_all(const tn_net *net, const tn_dataset *ds, int threads, uint8_t *pred,
                         float *out, tn_error *err) {
    return eval_threads(net, ds, threads, pred, out, net->n_sizes - 1, err);
}

tn_status tn_layer_activations(const tn_net *net, const tn_dataset *ds, int layer, int threads, float *out,
                               tn_error *err) {
    if (layer < 1 || layer >= net->n_sizes)
        return tn_fail(err, TN_ERR_ARG, "layer %d: the network's layers are 1..%d", layer, net->n_sizes - 1);
    return eval_threads(net, ds, threads, NULL, out, layer, err);
}
