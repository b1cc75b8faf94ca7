/* Internal engine interface shared by net.c, train.c and compare code: per-example work
 * buffers, the forward and backward passes, and a small thread pool that never spins. */
#ifndef TN_ENGINE_H
#define TN_ENGINE_H

#include <pthread.h>

#include "internal.h"
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
/* Output delta, then hidden deltas back to layer 1; wt[l] (l >= 2) is layer l transposed. */
void tn_backward_example(const tn_net *net, const tn_kernels *k, uint8_t label, tn_work *w,
                         float *const *wt);
void tn_transpose_layer(const tn_net *net, int l, float *wt);
double tn_example_cost(const tn_net *net, const float *a, uint8_t label);
uint32_t tn_argmax(const float *a, uint32_t n);

/* Thread pool: run(fn) calls fn(ctx, t, n) for t = 0..n-1, t = 0 on the caller, and returns
 * when all have finished. Workers sleep on a condition variable between jobs. */
typedef void (*tn_job_fn)(void *ctx, int t, int n);
typedef struct tn_pool tn_pool;
tn_status tn_pool_create(tn_pool **pool, int threads, tn_error *err);
void tn_pool_run(tn_pool *pool, tn_job_fn fn, void *ctx);
int tn_pool_size(const tn_pool *pool);
void tn_pool_destroy(tn_pool *pool);

#endif
