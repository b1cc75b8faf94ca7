/* A fixed-size thread pool for fork-join jobs. Workers block on a condition variable: no
 * spinning, which on a loaded two-vCPU machine can stall a run by an order of magnitude.
 * Built with TN_NO_PTHREADS (WebAssembly, whose WASI has no threads) the pool is the caller
 * alone: the same jobs, run one after another, and the same results (they never depend on the
 * number of threads). */
#include <stdlib.h>

#include "pool.h"

#ifdef TN_NO_PTHREADS
struct tn_pool { int n; };

tn_status tn_pool_create(tn_pool **out, int threads, tn_error *err) {
    (void)threads;
    if (!(*out = calloc(1, sizeof **out))) return tn_fail(err, TN_ERR_NOMEM, "out of memory for the thread pool");
    (*out)->n = 1;
    return TN_OK;
}
void tn_pool_run(tn_pool *pool, tn_job_fn fn, void *ctx) { (void)pool; fn(ctx, 0, 1); }
int tn_pool_size(const tn_pool *pool) { return pool->n; }
void tn_pool_destroy(tn_pool *pool) { free(pool); }
#else
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>

struct tn_pool {
    int n;                       /* threads including the caller */
    pthread_t *threads;
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    unsigned long generation;    /* bumped for every job */
    int pending;                 /* workers still running the current job */
    int quit;
    tn_job_fn fn;
    void *ctx;
};

typedef struct { tn_pool *pool; int t; } worker_arg;

static void *worker(void *p) {
    worker_arg *arg = p;
    tn_pool *pool = arg->pool;
    int t = arg->t;
    free(arg);
    unsigned long seen = 0;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->quit && pool->generation == seen) pthread_cond_wait(&pool->start, &pool->lock);
        if (pool->quit) break;
        seen = pool->generation;
        tn_job_fn fn = pool->fn;
        void *ctx = pool->ctx;
        pthread_mutex_unlock(&pool->lock);
        fn(ctx, t, pool->n);
        pthread_mutex_lock(&pool->lock);
        if (--pool->pending == 0) pthread_cond_signal(&pool->done);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* Why thread `which` of `threads` could not start, and what to do: EAGAIN is the limit on
 * processes and threads of this user (RLIMIT_NPROC, `ulimit -u`, which counts threads) or of the
 * system, or no memory for the thread's stack. */
static tn_status thread_error(int e, int which, int threads, tn_error *err) {
    struct rlimit rl;
    char limit[64] = "";
    if (e == EAGAIN && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        snprintf(limit, sizeof limit, ", now %llu", (unsigned long long)rl.rlim_cur);
    if (e == EAGAIN)
        return tn_fail(err, TN_ERR_NOMEM, "cannot start thread %d of %d: %s: the limit on processes and threads per user "
                       "(ulimit -u%s) or the system's is reached, or memory for a thread stack is short; run with "
                       "fewer threads (--threads %d, or --threads 1)", which, threads, strerror(e), limit,
                       which > 1 ? which - 1 : 1);
    return tn_fail(err, TN_ERR_NOMEM, "cannot start thread %d of %d: %s; run with fewer threads (--threads 1)", which,
                   threads, strerror(e));
}

tn_status tn_pool_create(tn_pool **out, int threads, tn_error *err) {
    *out = NULL;
    if (threads < 1) threads = 1;
    tn_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return tn_fail(err, TN_ERR_NOMEM, "out of memory for the thread pool");
    pool->n = 1;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->start, NULL);
    pthread_cond_init(&pool->done, NULL);
    if (threads > 1) {
        pool->threads = calloc((size_t)threads, sizeof(pthread_t));
        if (!pool->threads) { tn_pool_destroy(pool); return tn_fail(err, TN_ERR_NOMEM, "out of memory for the thread pool"); }
    }
    for (int t = 1; t < threads; t++) {
        worker_arg *arg = malloc(sizeof *arg);
        if (!arg) { tn_pool_destroy(pool); return tn_fail(err, TN_ERR_NOMEM, "out of memory for the thread pool"); }
        arg->pool = pool;
        arg->t = t;
        int e = pthread_create(&pool->threads[t], NULL, worker, arg);
        if (e != 0) {
            free(arg);
            tn_pool_destroy(pool);
            return thread_error(e, t + 1, threads, err);
        }
        pool->n = t + 1;
    }
    *out = pool;
    return TN_OK;
}

void tn_pool_run(tn_pool *pool, tn_job_fn fn, void *ctx) {
    if (pool->n == 1) { fn(ctx, 0, 1); return; }
    pthread_mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->ctx = ctx;
    pool->pending = pool->n - 1;
    pool->generation++;
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->lock);
    fn(ctx, 0, pool->n);
    pthread_mutex_lock(&pool->lock);
    while (pool->pending > 0) pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

int tn_pool_size(const tn_pool *pool) { return pool->n; }

void tn_pool_destroy(tn_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    pool->quit = 1;
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->lock);
    for (int t = 1; t < pool->n; t++) pthread_join(pool->threads[t], NULL);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->start);
    pthread_cond_destroy(&pool->done);
    free(pool->threads);
    free(pool);
}
#endif
