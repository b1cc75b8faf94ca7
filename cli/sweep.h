/* What twinnet sweep's files share: cmd_sweep.c (options, data, one process or MPI), sweep_pool.c
 * (the process pool, the records), sweep_table.c (the start and the end of a sweep, the same for
 * every way of running one: its records opened, the manifest, the table, the output) and, built
 * with make MPI=1 only, sweep_mpi.c (the ranks of mpirun). */
#ifndef TN_CLI_SWEEP_H
#define TN_CLI_SWEEP_H

#include "cli.h"

typedef struct {
    int as_json, quiet;
    uint32_t jobs;                    /* processes at once (the pool of one machine) */
    uint32_t shard, shards;           /* --shard K/N: shard K-1 of N; 0 of 1: every run */
    const char *merge;                /* --merge DIR: no training, the sweep from DIR's records */
    tn_attribution_options table;     /* --pairs, --points */
} sweep_view;

/* sweep_pool.c: the manifest, or with --shard the shard's own record, written compacted: its header
 * and a line per finished run (exit on error). */
void sweep_record(const tn_sweep *sw, const char *key, char (*fingerprints)[TN_HEX_SIZE], const sweep_view *v);
/* Run r finished: its line appended to the manifest or the shard's record (exit on error). */
void sweep_append(const tn_sweep *sw, uint32_t r, const char *fingerprint, const sweep_view *v);
/* Trains the shard's runs not yet in fingerprints, at most v->jobs at once (child processes),
 * recording each; *done counts the finished runs. Returns how many failed. */
uint32_t sweep_pool(const tn_sweep *sw, char (*fingerprints)[TN_HEX_SIZE], const tn_dataset *train,
                    const tn_dataset *test, const sweep_view *v, uint32_t *done);

/* sweep_table.c. The sweep's records read (the shard's own, without --shard all of them), every
 * finished run checked against its model, and what was found said: with --merge every run must be
 * finished; otherwise a note when resuming. Returns 0, or the exit status of the failure it
 * reported; *done: the finished runs. */
int sweep_open(const tn_sweep *sw, const char *key, char (*fingerprints)[TN_HEX_SIZE], const sweep_view *v, uint32_t *done);
/* Every run finished: manifest.json written whole, the shards' records removed (exit on error). */
void sweep_settle(const tn_sweep *sw, const char *key, char (*fingerprints)[TN_HEX_SIZE]);
/* Writes the table's files (have_table), prints the table or what is missing (text or JSON), and
 * returns the exit status: 0 when every run is finished. failed: runs that failed here. */
int sweep_finish(const tn_sweep *sw, const sweep_view *v, const tn_attribution_row *rows, int have_table, uint32_t done,
                 uint32_t failed);

/* sweep_outliers.c: after the table, the runs far below the others named (text only). */
void sweep_outliers(const tn_sweep *sw, const tn_dataset *test, const sweep_view *v);

#ifdef TN_MPI
/* sweep_mpi.c: MPI_Init (once); the number of ranks, 1 without mpirun (MPI is finalized then). */
int sweep_mpi_ranks(void);
/* The sweep on every rank of MPI_COMM_WORLD (train NULL: --merge, nothing trained); returns the
 * exit status, rank 0 printing what one process would. */
int sweep_mpi(const tn_sweep *sw, const char *key, const tn_dataset *train, const tn_dataset *test, const sweep_view *v);
#endif

#endif
