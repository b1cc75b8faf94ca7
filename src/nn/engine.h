/* The engine that training and evaluation share (net.c): per-example work buffers and the
 * forward and backward passes over a mini-batch. */
#ifndef TN_ENGINE_H
#define TN_ENGINE_H

#include "fmath.h"
#include "kernels.h"

/* One example's activations and deltas. Layer 0's inputs are (idx[0], val[0], nnz[0]): the
 * non-zero pixels. For l >= 1: act[l] and delta[l] have pad[l] floats; (idx[l], val[l],
 * nnz[l]) list the non-zero act[l], the inputs of layer l+1. */
typedef struct {
    float *act[TN_MAX_LAYERS];
    float *delta[TN_MAX_LAYERS];
    const uint16_t *idx[TN_MAX_LAYERS];
    uint16_t *idx_buf[TN_MAX_LAYERS];   /* for l >= 1, idx[l] points here */
    float *val[TN_MAX_LAYERS];
    uint32_t nnz[TN_MAX_LAYERS];
} tn_work;

size_t tn_work_floats(const tn_net *net);
size_t tn_work_indices(const tn_net *net);
void tn_work_bind(const tn_net *net, tn_work *w, float *floats, uint16_t *indices);
void tn_pixel_table(float table[256]);
/* Asks the cache for example e's pixels and pixel index: examples come in shuffled order, so
 * without this every example starts with a dozen misses to memory. */
static inline void tn_prefetch_example(const tn_dataset *ds, uint32_t e) {
#if defined(__GNUC__)
    const uint8_t *pix = ds->pixels + (size_t)e * ds->n_in;
    for (uint32_t off = 0; off < ds->n_in; off += 64) __builtin_prefetch(pix + off);
    const uint16_t *nz = ds->nz_index + ds->nz_start[e];
    uint32_t bytes = (ds->nz_start[e + 1] - ds->nz_start[e]) * 2;
    for (uint32_t off = 0; off < bytes; off += 64) __builtin_prefetch((const uint8_t *)nz + off);
#else
    (void)ds; (void)e;
#endif
}
void tn_forward_batch(const tn_net *net, const tn_kernels *k, const float *table, const tn_dataset *ds,
                      const uint32_t *examples, uint32_t m, int keep_values, tn_work *works);
/* The rest of the forward pass for works[0..m-1] whose layer-1 pre-activations z are already in
 * delta[1] (pad[1] floats, zero past sizes[1]): layer 1's activations, then layers 2..L as
 * tn_forward_batch computes them (the same bits from the same z). */
void tn_forward_from_z1(const tn_net *net, const tn_kernels *k, uint32_t m, tn_work *works);
/* Output delta, then hidden deltas back to layer 1; wt[l] (l >= 2) is layer l transposed. */
void tn_backward_example(const tn_net *net, const tn_kernels *k, uint8_t label, tn_work *w,
                         float *const *wt);
void tn_transpose_layer(const tn_net *net, int l, float *wt);
double tn_example_cost(const tn_net *net, const float *a, uint8_t label);
uint32_t tn_argmax(const float *a, uint32_t n);

/* Work buffers for up to `capacity` examples: one tn_work each, bound to shared blocks. */
typedef struct {
    tn_work *work;
    float *floats;
    uint16_t *indices;
    uint32_t capacity;
} tn_batch_work;

tn_status tn_batch_work_init(tn_batch_work *bw, const tn_net *net, uint32_t capacity, tn_error *err);
void tn_batch_work_free(tn_batch_work *bw);

/* The network's input width against the data's, and every label against the output width. */
tn_status tn_check_shape(const tn_net *net, const tn_dataset *ds, tn_error *err);

/* Evaluation on the caller's thread pool (eval.c), as training does after every epoch. */
typedef struct tn_pool tn_pool;
tn_status tn_evaluate_pool(const tn_net *net, const tn_dataset *ds, tn_pool *pool, tn_eval_result *res,
                           tn_error *err);
/* Predictions, output vectors (n, sizes[L]) and layer 1's pre-activations (n, sizes[1]) over ds on
 * the caller's pool; any of pred, out and z1 may be NULL. */
tn_status tn_predict_pool(const tn_net *net, const tn_dataset *ds, tn_pool *pool, uint8_t *pred, float *out,
                          float *z1, tn_error *err);

#endif
