/* twinnet sweep under mpirun (built by make MPI=1 only, with -DTN_MPI; cmd_sweep.c hands over to it). Rank k of P trains the runs r with
 * r mod P == k, one at a time, recording each in DIR/manifest.shard-(k+1)-of-P.json as --shard
 * does, so a rank that dies loses only the run it was training; then it measures the pairs p with
 * p mod P == k (tn_sweep_measure). Rank 0 gathers every fingerprint and every run's and pair's
 * metrics, reduces them in the one fixed order (tn_sweep_table) and writes manifest.json and the
 * table: the same bytes as one process. Ranks read each other's models: DIR must be one
 * directory for all of them (a shared filesystem), and the ranks' machines alike in byte order. */
#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

typedef struct { int rank, ranks; } world;

/* Any exit but the end of sweep_mpi (die(), exit()) ends every rank: none waits for it forever. */
static void abort_unfinished(void) {
    int finalized;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Abort(MPI_COMM_WORLD, EXIT_RUNTIME);
}

int sweep_mpi_ranks(void) {
    int initialized, ranks;
    MPI_Initialized(&initialized);
    if (!initialized) {
        MPI_Init(NULL, NULL);
        atexit(abort_unfinished);
    }
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (ranks == 1) MPI_Finalize(); /* one process: the pool of cmd_sweep.c, without MPI */
    return ranks;
}

/* Entries q, q + P, q + 2P, ... of n: rank q's share. */
static size_t share(size_t n, int q, int ranks) { return n > (size_t)q ? (n - (size_t)q + (size_t)ranks - 1) / (size_t)ranks : 0; }

/* Rank q's entries of a (n entries of size bytes each, its share filled in) into rank 0's a. */
static void gather(void *a, size_t n, size_t size, const world *w) {
    size_t mine = share(n, w->rank, w->ranks);
    char *send = malloc(mine * size + 1), *recv = w->rank ? NULL : malloc(n * size + 1), *base = a;
    int *counts = calloc((size_t)w->ranks, sizeof *counts), *displs = calloc((size_t)w->ranks, sizeof *displs);
    if (n * size > INT_MAX) die(EXIT_RUNTIME, "the sweep's %zu results of %zu bytes: too many for one MPI message", n, size);
    if (!send || (!w->rank && !recv) || !counts || !displs) die(EXIT_RUNTIME, "out of memory");
    for (size_t k = 0; k < mine; k++) memcpy(send + k * size, base + ((size_t)w->rank + k * (size_t)w->ranks) * size, size);
    for (int q = 0, at = 0; q < w->ranks; at += counts[q++]) {
        counts[q] = (int)(share(n, q, w->ranks) * size);
        displs[q] = at;
    }
    MPI_Gatherv(send, (int)(mine * size), MPI_BYTE, recv, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    for (int q = 0; !w->rank && q < w->ranks; q++)
        for (size_t k = 0; k < share(n, q, w->ranks); k++)
            memcpy(base + ((size_t)q + k * (size_t)w->ranks) * size, recv + (size_t)displs[q] + k * size, size);
    free(send);
    free(recv);
    free(counts);
    free(displs);
}

/* Rank 0 opens the sweep (sweep_open: its records read, every finished run checked, what it found
 * said); every rank gets the fingerprints. Returns 0, or the exit status of what rank 0 reported. */
static int open_sweep(const tn_sweep *sw, const char *key, char (*fps)[TN_HEX_SIZE], const sweep_view *v, const world *w) {
    uint32_t done;
    int status = w->rank == 0 ? sweep_open(sw, key, fps, v, &done) : 0;
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!status) MPI_Bcast(fps, (int)(tn_sweep_total(sw) * sizeof *fps), MPI_BYTE, 0, MPI_COMM_WORLD);
    return status;
}

/* This rank's unfinished runs, one at a time; counts[0] += finished, counts[1] += failed. */
static void train_share(const tn_sweep *sw, const char *key, char (*fps)[TN_HEX_SIZE], const tn_dataset *train, const tn_dataset *test,
                        const sweep_view *v, const world *w, uint32_t counts[3]) {
    sweep_view mine = *v;
    mine.shard = (uint32_t)w->rank;
    mine.shards = (uint32_t)w->ranks;
    sweep_record(sw, key, fps, &mine);
    catch_stop_signals();
    for (uint32_t r = (uint32_t)w->rank, total = tn_sweep_total(sw); r < total && !stop_requested; r += (uint32_t)w->ranks) {
        tn_error err;
        if (fps[r][0]) continue;
        if (tn_sweep_run(sw, r, train, test, &stop_requested, fps[r], &err) == TN_OK) {
            counts[0]++;
            sweep_append(sw, r, fps[r], &mine);
        } else {
            fps[r][0] = 0;
            counts[1]++;
            if (!stop_requested) fprintf(stderr, "twinnet: %s\n", err.msg);
        }
    }
}

int sweep_mpi(const tn_sweep *sw, const char *key, const tn_dataset *train, const tn_dataset *test, const sweep_view *v) {
    world w;
    MPI_Comm_rank(MPI_COMM_WORLD, &w.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &w.ranks);
    uint32_t total = tn_sweep_total(sw), counts[3] = {0, 0, 0}, sums[3]; /* finished here, failed, finished before */
    if (v->shards > 1) {
        if (w.rank == 0) fprintf(stderr, "twinnet: sweep: --shard K/N cannot go with mpirun, whose ranks share the runs already\n");
        MPI_Finalize();
        return EXIT_USAGE;
    }
    /* The job as a whole holds the directory's lock: rank 0 takes it (the others share the
     * directory by design) and every rank stops if it cannot. */
    int lock = -1, locked = 1;
    tn_error err;
    if (w.rank == 0 && tn_sweep_lock(sw->dir, 0, 1, &lock, &err) != TN_OK) {
        fprintf(stderr, "twinnet: %s\n", err.msg);
        locked = 0;
    }
    MPI_Bcast(&locked, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!locked) {
        MPI_Finalize();
        return EXIT_RUNTIME;
    }
    char (*fps)[TN_HEX_SIZE] = calloc(total, sizeof *fps);
    if (!fps) die(EXIT_RUNTIME, "out of memory");
    int status = open_sweep(sw, key, fps, v, &w);
    if (status) {
        free(fps);
        MPI_Finalize();
        return status;
    }
    for (uint32_t r = (uint32_t)w.rank; r < total; r += (uint32_t)w.ranks) counts[2] += fps[r][0] != 0;
    if (train) train_share(sw, key, fps, train, test, v, &w, counts);
    MPI_Allreduce(counts, sums, 3, MPI_UINT32_T, MPI_SUM, MPI_COMM_WORLD);
    uint32_t done = sums[0] + sums[2];
    tn_attribution_row rows[TN_VARY_COUNT];
    if (done == total) {
        double t0 = MPI_Wtime();
        tn_attribution_options opt = v->table;
        uint64_t n_pairs = tn_sweep_pairs(sw, &opt);
        tn_run_metrics *runs = calloc(total, sizeof *runs);
        tn_pair_metrics *pairs = calloc(n_pairs + 1, sizeof *pairs);
        tn_status s;
        if (!runs || !pairs) die(EXIT_RUNTIME, "out of memory");
        gather(fps, total, sizeof *fps, &w);
        if (w.rank == 0) sweep_settle(sw, key, fps);
        if ((s = tn_sweep_measure(sw, test, &opt, (uint32_t)w.rank, (uint32_t)w.ranks, runs, pairs, &err)) != TN_OK) die_err(s, &err);
        gather(runs, total, sizeof *runs, &w);
        gather(pairs, n_pairs, sizeof *pairs, &w);
        if (w.rank == 0) tn_sweep_table(sw, &opt, runs, pairs, rows);
        if (w.rank == 0 && !v->quiet && !v->as_json)
            fprintf(stderr, "(the pairwise comparisons took %.1f s on %d ranks)\n", MPI_Wtime() - t0, w.ranks);
        free(runs);
        free(pairs);
    }
    if (w.rank == 0) status = sweep_finish(sw, v, rows, done == total, done, sums[1]);
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(fps);
    MPI_Finalize();
    tn_sweep_unlock(lock);
    return status;
}
