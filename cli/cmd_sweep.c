/* twinnet sweep: N trainings per source of randomness (--vary init|order|both|bit|none), run
 * as J separate processes (fork; the data loaded once, before), each run written by the library
 * (tn_sweep_run); a line is appended to the manifest after every finished run, so a killed sweep
 * started again with the same command redoes only what had not finished. --shard K/N trains a fixed share
 * and records it apart; --merge DIR (or the command without --shard) completes the sweep. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "sweep.h"

static void help(void) {
    printf("usage: twinnet sweep --runs N --vary SOURCE [--vary SOURCE...] [train options] --out DIR [--jobs J]\n"
           "       twinnet sweep ... --shard K/N      (one of N fixed shares of the runs)\n"
           "       twinnet sweep --merge DIR [data options] [--pairs M] [--points K]\n"
           "Trains N networks per source of randomness, in which only that source varies, and writes\n"
           "them to DIR (NAME.tnm, NAME.epochs.jsonl, manifest.json), then the attribution table.\n"
           "Started again with the same command, it redoes only the runs that had not finished.\n\n"
           "  --runs N             runs per source (required)\n"
           "  --vary SOURCE        init | order | both | bit (one initial weight's lowest bit) |\n"
           "                       none (the control: every run the same); repeatable\n"
           "  --out DIR            the sweep's directory (required; made if missing)\n"
           "  --jobs J             processes at once (default: the number of CPUs); the results do not\n"
           "                       depend on J\n"
           "  --shard K/N          train only the runs r with r mod N = K-1 and record them in\n"
           "                       DIR/manifest.shard-K-of-N.json: shards may run at once, anywhere DIR is\n"
           "                       shared; no table (default: every run)\n"
           "  --merge DIR          once every shard is done: check every run against its fingerprint,\n"
           "                       write manifest.json and the table (the same bytes as one process);\n"
           "                       trains nothing; the sweep's options come from DIR\n"
           "  --pairs M            compare at most M pairs per source: every stride-th pair, a fixed\n"
           "                       choice; the table gives each mean's standard error (default 0: all)\n"
           "  --points K           the straight path's K+1 points for the barriers (default 10)\n"
           "  --quiet              no progress line\n"
           "  --json               one JSON object at the end\n"
           "Under mpirun (a make MPI=1 build), rank k of P trains the runs r with r mod P = k, one at a\n"
           "time (--jobs is ignored, --shard refused), then compares its share of the pairs; rank 0\n"
           "writes the table: the same bytes as one process. DIR must be shared by every rank.\n\n"
           "%s%s", data_options_help, config_options_help);
}

static void parse_shard(const char *s, sweep_view *v) {
    const char *slash = strchr(s, '/');
    char k[24];
    if (!slash || slash == s || (size_t)(slash - s) >= sizeof k) usage_error("--shard: '%s' is not K/N (e.g. 2/8)", s);
    memcpy(k, s, (size_t)(slash - s));
    k[slash - s] = 0;
    v->shards = (uint32_t)parse_uint("--shard", slash + 1, 1, 1000000);
    v->shard = (uint32_t)parse_uint("--shard", k, 1, v->shards) - 1;
}

static void parse(int argc, char **argv, tn_sweep *sw, tn_data_source *data, sweep_view *v) {
    config_seeds seeds = {0, 0, 0, 1};
    const char *training = NULL; /* an option that makes no sense with --merge */
    args a;
    args_begin(&a, argc, argv);
    while (args_next_option(&a, help)) {
        if (data_option(&a, data)) {}
        else if (config_option(&a, &sw->base, &seeds)) training = "training options";
        else if (args_is(&a, "--runs")) { sw->runs = (uint32_t)parse_uint("--runs", args_value(&a), 1, 100000); training = "--runs"; }
        else if (args_is(&a, "--vary")) {
            tn_vary s = (tn_vary)parse_choice("--vary", args_value_again(&a), tn_vary_names, TN_VARY_COUNT);
            for (int i = 0; i < sw->n_sources; i++)
                if (sw->sources[i] == s) usage_error("--vary: '%s' given twice", tn_vary_names[s]);
            sw->sources[sw->n_sources++] = s;
            training = "--vary";
        }
        else if (args_is(&a, "--out")) { sw->dir = args_value(&a); training = "--out"; }
        else if (args_is(&a, "--jobs")) { v->jobs = (uint32_t)parse_uint("--jobs", args_value(&a), 1, 1024); training = "--jobs"; }
        else if (args_is(&a, "--shard")) { parse_shard(args_value(&a), v); training = "--shard"; }
        else if (args_is(&a, "--merge")) v->merge = args_value(&a);
        else if (args_is(&a, "--pairs")) v->table.max_pairs = (uint32_t)parse_uint("--pairs", args_value(&a), 0, UINT32_MAX);
        else if (args_is(&a, "--points")) v->table.path_points = (uint32_t)parse_uint("--points", args_value(&a), 1, 1000);
        else if (args_is(&a, "--json")) { args_flag(&a); v->as_json = 1; }
        else if (args_is(&a, "--quiet")) { args_flag(&a); v->quiet = 1; }
        else args_unknown(&a);
    }
    if (v->merge) {
        if (training) usage_error("--merge DIR takes the sweep from DIR: %s cannot go with it (data options, --pairs, --points, --json, --quiet can)", training);
        if (!*v->merge) usage_error("--merge: an empty directory name");
        return;
    }
    config_finish(&sw->base, &seeds);
    if (!sw->runs) usage_error("--runs N is required");
    if (!sw->n_sources) usage_error("--vary SOURCE is required (init, order, both, bit or none)");
    if (!sw->dir || !*sw->dir) usage_error("--out DIR is required");
}

int cmd_sweep(int argc, char **argv) {
    tn_sweep sw;
    tn_data_source data = {0};
    memset(&sw, 0, sizeof sw);
    tn_config_default(&sw.base);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    sweep_view v = {0, 0, cpus > 0 ? (uint32_t)cpus : 1, 0, 1, NULL, {10, 0, 1, NULL, NULL, NULL}};
    parse(argc, argv, &sw, &data, &v);
    tn_dataset train, test;
    char key[TN_HEX_SIZE];
    tn_error err;
    tn_status s;
    if (v.merge && (s = tn_sweep_read(v.merge, &sw, key, &err)) != TN_OK) die_err(s, &err);
    int ranks = 1, lock = -1;
#ifdef TN_MPI
    ranks = sweep_mpi_ranks();
#endif
    /* Locked before the data is loaded, so that a second sweep fails at once; an mpirun sweep's
     * ranks share the directory by design and take no lock. */
    catch_stop_signals();
    if (ranks == 1 && (s = tn_sweep_lock(sw.dir, v.shard, v.shards, &lock, &err)) != TN_OK) die_err(s, &err);
    load_data(&data, v.merge ? NULL : &train, &test);
    if (!v.merge) {
        uint8_t data_sha[32];
        tn_dataset_sha256(&train, data_sha);
        tn_sweep_key(&sw, data_sha, key);
    }
#ifdef TN_MPI
    if (ranks > 1) {
        int status = sweep_mpi(&sw, key, v.merge ? NULL : &train, &test, &v);
        if (!v.merge) tn_dataset_free(&train);
        tn_dataset_free(&test);
        return status;
    }
#endif
    uint32_t total = tn_sweep_total(&sw), done, failed = 0;
    char (*fps)[TN_HEX_SIZE] = calloc(total, sizeof *fps);
    if (!fps) die(EXIT_RUNTIME, "out of memory");
    int status = stop_requested ? 128 + stop_signal : sweep_open(&sw, key, fps, &v, &done);
    if (status) {
        free(fps);
        if (!v.merge) tn_dataset_free(&train);
        tn_dataset_free(&test);
        return status;
    }
    if (!v.merge) {
        sweep_record(&sw, key, fps, &v);
        failed = sweep_pool(&sw, fps, &train, &test, &v, &done);
        tn_dataset_free(&train);
    }
    tn_attribution_row rows[TN_VARY_COUNT];
    int have_table = v.shards == 1 && done == total && !stop_requested;
    if (have_table) {
        double t0 = wall_seconds();
        sweep_settle(&sw, key, fps);
        /* The pairwise stage writes nothing until its end: a stop signal ends it at once (exit
         * 128 + the signal), and the same command then redoes it. */
        stop_exits_now = 1;
        if (stop_requested) _exit(128 + stop_signal);
        v.table.stop_flag = &stop_requested;
        progress_line line;
        progress_begin(&line, !v.quiet && !v.as_json, "comparing the runs", "runs and pairs measured");
        v.table.progress = progress_call;
        v.table.progress_user = &line;
        s = tn_sweep_attribution(&sw, &test, &v.table, rows, &err);
        progress_clear(&line);
        stop_exits_now = 0;
        if (s != TN_OK) die_err(s, &err);
        if (!v.quiet && !v.as_json) fprintf(stderr, "(the pairwise comparisons took %.1f s)\n", wall_seconds() - t0);
    }
    free(fps);
    status = sweep_finish(&sw, &v, rows, have_table, done, failed);
    if (have_table) sweep_outliers(&sw, &test, &v);
    tn_dataset_free(&test);
    tn_sweep_unlock(lock);
    return status;
}
