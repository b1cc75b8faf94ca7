/* twinnet sweep: N trainings per source of randomness (--vary init|order|both|bit|none), run
 * as J separate processes (fork; the data loaded once, before), each run written by the library
 * (tn_sweep_run); the manifest is rewritten after every finished run, so a killed sweep started
 * again with the same command redoes only what had not finished. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"

static void help(void) {
    printf("usage: twinnet sweep --runs N --vary SOURCE [--vary SOURCE...] [train options] --out DIR [--jobs J]\n"
           "Trains N networks per source of randomness, in which only that source varies, and writes\n"
           "them to DIR (NAME.tnm, NAME.epochs.jsonl, manifest.json). Started again with the same\n"
           "command, it redoes only the runs that had not finished.\n\n"
           "  --runs N             runs per source (required)\n"
           "  --vary SOURCE        init | order | both | bit (one initial weight's lowest bit) |\n"
           "                       none (the control: every run the same); repeatable\n"
           "  --out DIR            the sweep's directory (required; made if missing)\n"
           "  --jobs J             processes at once (default: the number of CPUs); the results do not\n"
           "                       depend on J\n"
           "  --quiet              no progress line\n"
           "  --json               one JSON object at the end\n"
           "%s%s", data_options_help, config_options_help);
}

typedef struct { int as_json, quiet; uint32_t jobs; } sweep_view;

static void parse(int argc, char **argv, tn_sweep *sw, tn_data_source *data, sweep_view *v) {
    config_seeds seeds = {0, 0, 0, 1};
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) usage_error("unexpected argument '%s'", pos);
        else if (args_is(&a, "--help")) { help(); exit(0); }
        else if (data_option(&a, data) || config_option(&a, &sw->base, &seeds)) {}
        else if (args_is(&a, "--runs")) sw->runs = (uint32_t)parse_uint("--runs", args_value(&a), 1, 100000);
        else if (args_is(&a, "--vary")) {
            tn_vary s = (tn_vary)parse_choice("--vary", args_value(&a), tn_vary_names, TN_VARY_COUNT);
            for (int i = 0; i < sw->n_sources; i++)
                if (sw->sources[i] == s) usage_error("--vary: '%s' given twice", tn_vary_names[s]);
            sw->sources[sw->n_sources++] = s;
        }
        else if (args_is(&a, "--out")) sw->dir = args_value(&a);
        else if (args_is(&a, "--jobs")) v->jobs = (uint32_t)parse_uint("--jobs", args_value(&a), 1, 1024);
        else if (args_is(&a, "--json")) { args_flag(&a); v->as_json = 1; }
        else if (args_is(&a, "--quiet")) { args_flag(&a); v->quiet = 1; }
        else usage_error("unknown option '%s'", a.name);
    }
    config_finish(&sw->base, &seeds);
    if (!sw->runs) usage_error("--runs N is required");
    if (!sw->n_sources) usage_error("--vary SOURCE is required (init, order, both, bit or none)");
    if (!sw->dir || !*sw->dir) usage_error("--out DIR is required");
}

static void progress(const sweep_view *v, uint32_t done, uint32_t total, double started) {
    if (v->quiet || v->as_json || !isatty(STDERR_FILENO)) return;
    double elapsed = wall_seconds() - started;
    fprintf(stderr, "\rsweep: %u of %u runs done, %.0f s elapsed", done, total, elapsed);
    if (done > 0 && done < total) fprintf(stderr, ", about %.0f s left   ", elapsed / done * (total - done));
    if (done == total) fprintf(stderr, "%20s\n", "");
}

/* Runs every unfinished run, at most jobs at once, each in a child process; the manifest is
 * rewritten as each finishes. Returns the runs that failed. */
static uint32_t run_all(const tn_sweep *sw, const char *key, char (*fps)[65], const tn_dataset *train,
                        const tn_dataset *test, const sweep_view *v, uint32_t *done) {
    uint32_t total = tn_sweep_total(sw), next = 0, running = 0, failed = 0;
    pid_t *pid_of = calloc(total, sizeof *pid_of);
    if (!pid_of) die(EXIT_RUNTIME, "out of memory");
    double started = wall_seconds();
    tn_error err;
    progress(v, *done, total, started);
    for (;;) {
        while (running < v->jobs && !stop_requested && next < total) {
            if (fps[next][0]) { next++; continue; }
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0) die(EXIT_RUNTIME, "cannot start a process: %s", strerror(errno));
            if (pid == 0) {
                char fp[65];
                tn_status s = tn_sweep_run(sw, next, train, test, &stop_requested, fp, &err);
                if (s != TN_OK && !stop_requested) fprintf(stderr, "twinnet: %s\n", err.msg);
                _exit(s == TN_OK ? 0 : 1);
            }
            pid_of[next++] = pid;
            running++;
        }
        if (running == 0) break;
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) continue; /* EINTR */
        running--;
        for (uint32_t r = 0; r < total; r++) {
            if (pid_of[r] != pid) continue;
            pid_of[r] = 0;
            char name[32], path[4200];
            tn_model m;
            tn_sweep_run_name(sw, r, name);
            snprintf(path, sizeof path, "%s/%s.tnm", sw->dir, name);
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && tn_model_load(&m, path, &err) == TN_OK) {
                tn_net_fingerprint(&m.net, fps[r]);
                tn_model_free(&m);
                (*done)++;
                if (tn_sweep_write_manifest(sw, key, fps, &err) != TN_OK) die(EXIT_RUNTIME, "%s", err.msg);
            } else failed++;
        }
        progress(v, *done, total, started);
    }
    free(pid_of);
    return failed;
}

int cmd_sweep(int argc, char **argv) {
    tn_sweep sw;
    tn_data_source data = {0};
    memset(&sw, 0, sizeof sw);
    tn_config_default(&sw.base);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    sweep_view v = {0, 0, cpus > 0 ? (uint32_t)cpus : 1};
    parse(argc, argv, &sw, &data, &v);
    tn_dataset train, test;
    load_data(&data, &train, &test);
    uint8_t data_sha[32];
    char key[65];
    tn_dataset_sha256(&train, data_sha);
    tn_sweep_key(&sw, data_sha, key);
    uint32_t total = tn_sweep_total(&sw), done, broken;
    char (*fps)[65] = calloc(total, sizeof *fps);
    if (!fps) die(EXIT_RUNTIME, "out of memory");
    tn_error err;
    tn_status s = tn_sweep_open(&sw, key, fps, &done, &broken, &err);
    if (s != TN_OK) die_err(s, &err);
    if ((done || broken) && !v.quiet && !v.as_json)
        fprintf(stderr, "twinnet: %s: resuming: %u of %u runs finished%s\n", sw.dir, done, total,
                broken ? ", some listed as finished did not match their fingerprints: redoing them" : "");
    if (tn_sweep_write_manifest(&sw, key, fps, &err) != TN_OK) die(EXIT_RUNTIME, "%s", err.msg);
    catch_stop_signals();
    uint32_t failed = run_all(&sw, key, fps, &train, &test, &v, &done);
    if (v.as_json) {
        json j;
        json_begin(&j, stdout);
        json_object(&j, NULL);
        json_string(&j, "dir", sw.dir);
        json_uint(&j, "runs", total);
        json_uint(&j, "finished", done);
        json_uint(&j, "failed", failed);
        json_end(&j);
    } else if (!v.quiet) {
        printf("%u of %u runs finished in %s\n", done, total, sw.dir);
    }
    free(fps);
    tn_dataset_free(&train);
    tn_dataset_free(&test);
    if (stop_requested) fprintf(stderr, "twinnet: %s: interrupted with %u of %u runs finished: the same command resumes\n", sw.dir, done, total);
    else if (failed) fprintf(stderr, "twinnet: %s: %u run%s failed\n", sw.dir, failed, TN_PLURAL(failed));
    return done == total ? 0 : EXIT_RUNTIME;
}
