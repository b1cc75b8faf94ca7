/* A small thread pool that never spins (pool.c): workers sleep on a condition variable between
 * jobs, since busy-waiting threads stall badly on machines whose vCPUs share one core. */
#ifndef TN_POOL_H
#define TN_POOL_H

#include "util.h"

/* Thread pool: run(fn) calls fn(ctx, t, n) for t = 0..n-1, t = 0 on the caller, and returns
 * when all have finished. Workers sleep on a condition variable between jobs. */
typedef void (*tn_job_fn)(void *ctx, int t, int n);
typedef struct tn_pool tn_pool;
tn_status tn_pool_create(tn_pool **pool, int threads, tn_error *err);
void tn_pool_run(tn_pool *pool, tn_job_fn fn, void *ctx);
int tn_pool_size(const tn_pool *pool);
void tn_pool_destroy(tn_pool *pool);

#endif
