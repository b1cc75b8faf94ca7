/* twinnet sweep on one machine: the shard's unfinished runs (every run, without --shard), at most
 * J at once, each in a child process forked after the data was loaded; a line is appended to the
 * manifest (or the shard's record) as each run finishes, so a kill loses only the runs under way. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifndef __wasi__
#include <sys/wait.h>
#endif
#include <unistd.h>

#include "progress.h"
#include "sweep.h"

void sweep_record(const tn_sweep *sw, const char *key, char (*fps)[TN_HEX_SIZE], const sweep_view *v) {
    tn_error err;
    tn_status s = v->shards > 1 ? tn_sweep_write_shard(sw, key, fps, v->shard, v->shards, &err)
                                : tn_sweep_write_manifest(sw, key, fps, &err);
    if (s != TN_OK) die_err(s, &err);
}

void sweep_append(const tn_sweep *sw, uint32_t r, const char *fingerprint, const sweep_view *v) {
    tn_error err;
    tn_status s = tn_sweep_append_run(sw, r, fingerprint, v->shard, v->shards, &err);
    if (s != TN_OK) die_err(s, &err);
}

/* Run r ended (ok: its process succeeded): its model's fingerprint into the record. */
static int finished(const tn_sweep *sw, char (*fps)[TN_HEX_SIZE], const sweep_view *v, uint32_t r, int ok,
                    uint32_t *done) {
    tn_model m;
    tn_error err;
    if (!ok || tn_sweep_load_run(sw, r, &m, &err) != TN_OK) return 0;
    tn_net_fingerprint(&m.net, fps[r]);
    tn_model_free(&m);
    (*done)++;
    sweep_append(sw, r, fps[r], v);
    return 1;
}

#ifdef __wasi__
/* WASI (the WebAssembly build) cannot start processes: the runs go one after another here. */
uint32_t sweep_pool(const tn_sweep *sw, char (*fps)[TN_HEX_SIZE], const tn_dataset *train,
                        const tn_dataset *test, const sweep_view *v, uint32_t *done) {
    uint32_t total = tn_sweep_total(sw), failed = 0, mine = tn_sweep_shard_total(sw, v->shard, v->shards);
    progress_line line;
    progress_begin(&line, !v->quiet && !v->as_json, "sweep", "runs done");
    tn_error err;
    progress_show(&line, *done, mine, NULL);
    for (uint32_t r = v->shard; r < total && !stop_requested; r += v->shards) {
        if (fps[r][0]) continue;
        char fp[TN_HEX_SIZE];
        tn_status s = tn_sweep_run(sw, r, train, test, &stop_requested, fp, &err);
        if (s != TN_OK && !stop_requested) fprintf(stderr, "twinnet: %s\n", err.msg);
        if (!finished(sw, fps, v, r, s == TN_OK, done)) failed++;
        progress_show(&line, *done, mine, NULL);
    }
    progress_clear(&line);
    return failed;
}
#else
uint32_t sweep_pool(const tn_sweep *sw, char (*fps)[TN_HEX_SIZE], const tn_dataset *train,
                        const tn_dataset *test, const sweep_view *v, uint32_t *done) {
    uint32_t total = tn_sweep_total(sw), next = v->shard, running = 0, failed = 0;
    uint32_t mine = tn_sweep_shard_total(sw, v->shard, v->shards);
    /* The children under way, one slot each (pid 0: free): finding a child's run costs J, not
     * the sweep's size. */
    struct { pid_t pid; uint32_t run; } *slot = calloc(v->jobs, sizeof *slot);
    if (!slot) die(EXIT_RUNTIME, "out of memory");
    progress_line line;
    progress_begin(&line, !v->quiet && !v->as_json, "sweep", "runs done");
    tn_error err;
    progress_show(&line, *done, mine, NULL);
    for (;;) {
        while (running < v->jobs && !stop_requested && next < total) {
            if (fps[next][0]) { next += v->shards; continue; }
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0) die(EXIT_RUNTIME, "cannot start a process: %s", strerror(errno));
            if (pid == 0) {
                char fp[TN_HEX_SIZE];
                tn_status s = tn_sweep_run(sw, next, train, test, &stop_requested, fp, &err);
                if (s != TN_OK && !stop_requested) fprintf(stderr, "twinnet: %s\n", err.msg);
                _exit(s == TN_OK ? 0 : 1);
            }
            uint32_t k = 0;
            while (slot[k].pid) k++;
            slot[k].pid = pid;
            slot[k].run = next;
            next += v->shards;
            running++;
        }
        if (running == 0) break;
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) continue; /* EINTR */
        for (uint32_t k = 0; k < v->jobs; k++) {
            if (slot[k].pid != pid) continue;
            slot[k].pid = 0;
            running--;
            if (!finished(sw, fps, v, slot[k].run, WIFEXITED(status) && WEXITSTATUS(status) == 0, done)) failed++;
        }
        progress_show(&line, *done, mine, NULL);
    }
    progress_clear(&line);
    free(slot);
    return failed;
}
#endif
