/* twinnet stability: when is a run's outcome decided? One parent run keeps checkpoints at the
 * spawn steps; at each, pairs of children train to the end (the library's tn_stability_*), J at
 * once in child processes; every finished checkpoint, child and pair is a journal line, so the same
 * command after a kill redoes only what had not finished; the table, its JSON and CSV, and the page
 * come from the journal alone: the same bytes for any J. */
#include <stdlib.h>
#include <string.h>
#ifndef __wasi__
#include <sys/resource.h>
#endif
#include <unistd.h>

#include "fork_pool.h"
#include "model_command.h"
#include "stability_cli.h"

static void help(void) {
    printf("usage: twinnet stability --dir DIR [train options] [--steps LIST] [--pairs R] [--jobs J]\n"
           "When is the outcome of a training decided? A parent run (the train options) keeps checkpoints\n"
           "at the spawn steps; at each, for each perturbation, R pairs of children train to the end and\n"
           "are compared: 'order' two children with different example orders (Frankle et al. 2020);\n"
           "'ulp' and 'gauss S' an unperturbed child and a perturbed one with the same order (Kwok et\n"
           "al. 2025; the unperturbed child of a step and pair is shared by every perturbation).\n\n"
           "  --dir DIR            the study's directory (required; made if missing); started again with\n"
           "                       the same command, it redoes only what had not finished\n"
           "  --steps LIST         spawn steps (default: 0,1,10,100,1000, 1, 2, 5 and 10 epochs, the end)\n"
           "  --pairs R            pairs per step and perturbation (default 3)\n"
           "  --perturb LIST       of order, ulp, gauss (default all three)\n"
           "  --sigmas LIST        gauss: sigma relative to the initial weights' spread (default\n"
           "                       1e-6,1e-4,1e-2,1)\n"
           "  --points K           the straight path's K+1 points for the barriers (default 10)\n"
           "  --jobs J             processes at once (default: the number of CPUs); results do not depend on J\n"
           "  --json               one JSON object instead of the table\n"
           "  --csv FILE           the table as CSV\n"
           "  --report FILE        an HTML page: barrier and distance against the spawn step, a step x sigma map\n"
           "  --quiet              no progress or timing lines (on stderr)\n%s%s%s",
           data_options_help, config_options_help, force_option_help);
}

static uint32_t parse_list(const char *opt, const char *s, double *out, uint32_t cap, int integer) {
    char buf[512];
    uint32_t n = 0;
    if (strlen(s) >= sizeof buf) usage_error("%s: too long", opt);
    strcpy(buf, s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (n == cap) usage_error("%s: at most %u values", opt, cap);
        out[n++] = integer ? (double)parse_uint(opt, tok, 0, (uint64_t)1 << 52) : parse_real(opt, tok, 0, 1e6, 1);
    }
    if (!n) usage_error("%s: no value", opt);
    return n;
}

static void parse(int argc, char **argv, study *y, tn_data_source *data) {
    tn_stability *st = &y->st;
    config_seeds seeds = {0, 0, 0, 1};
    const char *steps = NULL, *sigmas = "1e-6,1e-4,1e-2,1", *perturb = "order,ulp,gauss";
    args a;
    args_begin(&a, argc, argv);
    while (args_next_option(&a, help)) {
        if (data_option(&a, data) || config_option(&a, &st->base, &seeds)) {}
        else if (args_is(&a, "--dir")) st->dir = args_value(&a);
        else if (args_is(&a, "--steps")) steps = args_value(&a);
        else if (args_is(&a, "--pairs")) st->pairs = (uint32_t)parse_uint("--pairs", args_value(&a), 1, 1000);
        else if (args_is(&a, "--perturb")) perturb = args_value(&a);
        else if (args_is(&a, "--sigmas")) sigmas = args_value(&a);
        else if (args_is(&a, "--points")) st->path_points = (uint32_t)parse_uint("--points", args_value(&a), 1, 1000);
        else if (args_is(&a, "--jobs")) y->jobs = (uint32_t)parse_uint("--jobs", args_value(&a), 1, 1024);
        else if (args_is(&a, "--json")) { args_flag(&a); y->as_json = 1; }
        else if (args_is(&a, "--csv")) y->csv = args_value(&a);
        else if (args_is(&a, "--report")) y->report = args_value(&a);
        else if (args_is(&a, "--quiet")) { args_flag(&a); y->quiet = 1; }
        else if (force_option(&a, &y->force)) {}
        else usage_error("unknown option '%s'", a.name);
    }
    config_finish(&st->base, &seeds);
    if (!st->dir || !*st->dir) usage_error("--dir DIR is required");
    st->order = strstr(perturb, "order") != NULL;
    st->ulp = strstr(perturb, "ulp") != NULL;
    double v[TN_STABILITY_MAX_STEPS];
    if (strstr(perturb, "gauss")) st->n_sigmas = parse_list("--sigmas", sigmas, st->sigmas, TN_STABILITY_MAX_SIGMAS, 0);
    if (!tn_stability_perturbations(st)) usage_error("--perturb: '%s' names none of order, ulp, gauss", perturb);
    if (steps) {
        st->n_steps = parse_list("--steps", steps, v, TN_STABILITY_MAX_STEPS, 1);
        for (uint32_t i = 0; i < st->n_steps; i++) {
            st->steps[i] = (uint64_t)v[i];
            if (i && st->steps[i] <= st->steps[i - 1]) usage_error("--steps: must ascend");
        }
    }
    const char *outputs[] = {y->csv, y->report};
    check_outputs(outputs, 2, NULL, 0, data, y->force);
}

static int child_work(uint32_t c, void *user) {
    study *y = user;
    tn_error err;
    tn_status s = tn_stability_child(&y->st, c, &y->train, &y->test, &stop_requested, &err);
    if (s != TN_OK && !stop_requested) fprintf(stderr, "twinnet: %s\n", err.msg);
    return s != TN_OK;
}

static int pair_work(uint32_t q, void *user) {
    study *y = user;
    tn_error err;
    double values[TN_STAB_METRIC_COUNT];
    tn_status s = tn_stability_pair(&y->st, q, &y->test, 1, values, &err);
    if (s != TN_OK) fprintf(stderr, "twinnet: %s\n", err.msg);
    return s != TN_OK;
}

static double child_cpu(void) {   /* CPU time of the finished worker processes (WASI: none, 0) */
#ifdef __wasi__
    return 0.0;
#else
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
#endif
}

int cmd_stability(int argc, char **argv) {
    study y;
    memset(&y, 0, sizeof y);
    tn_config_default(&y.st.base);
    y.st.pairs = 3;
    y.st.path_points = 10;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    y.jobs = cpus > 0 ? (uint32_t)cpus : 1;
    tn_data_source data;
    memset(&data, 0, sizeof data);
    parse(argc, argv, &y, &data);
    tn_stability *st = &y.st;
    int lock = -1;
    tn_error err;
    tn_status s;
    if ((s = tn_sweep_lock(st->dir, 0, 1, &lock, &err)) != TN_OK) die_err(s, &err);
    load_data(&data, &y.train, &y.test);
    if (st->base.train_size == 50000 && y.train.n < 50000) st->base.train_size = 0;
    uint32_t n_train = st->base.train_size && st->base.train_size < y.train.n ? st->base.train_size : y.train.n;
    y.spe = (uint32_t)((n_train + st->base.batch - 1) / st->base.batch);
    uint64_t end = (uint64_t)y.spe * st->base.epochs;
    if (!st->n_steps) tn_stability_default_steps(&st->base, n_train, st);
    if (st->steps[st->n_steps - 1] > end) usage_error("--steps: %llu is past the end, step %llu", (unsigned long long)st->steps[st->n_steps - 1], (unsigned long long)end);
    uint8_t sha[32];
    tn_dataset used = tn_dataset_view(&y.train, 0, n_train);
    tn_dataset_sha256(&used, sha);
    uint32_t children = tn_stability_children(st), pairs = tn_stability_pairs(st);
    uint8_t *done_c = calloc(children, 1), *done_p = calloc(pairs, 1);
    double *values = calloc((size_t)pairs * TN_STAB_METRIC_COUNT, sizeof *values);
    if (!done_c || !done_p || !values) die(EXIT_RUNTIME, "out of memory");
    catch_stop_signals();
    double t0 = wall_seconds(), cpu0 = child_cpu();
    if ((s = tn_stability_parent(st, &y.train, &y.test, &stop_requested, &err)) != TN_OK) die_err(s, &err);
    double t1 = wall_seconds();
    if ((s = tn_stability_open(st, sha, done_c, done_p, values, &err)) != TN_OK) die_err(s, &err);
    double child_epochs = 0;
    for (uint32_t c = 0; c < children; c++) {
        uint32_t i, r, k;
        tn_stability_child_of(st, c, &i, &r, &k);
        if (!done_c[c]) child_epochs += (double)(end - st->steps[i]) / y.spe;
    }
    uint32_t failed = fork_pool(children, done_c, y.jobs, child_work, NULL, &y);
    double t2 = wall_seconds(), cpu2 = child_cpu();
    if ((s = tn_stability_open(st, sha, done_c, done_p, values, &err)) != TN_OK) die_err(s, &err);
    failed += fork_pool(pairs, done_p, y.jobs, pair_work, NULL, &y);
    double t3 = wall_seconds();
    if ((s = tn_stability_open(st, sha, done_c, done_p, values, &err)) != TN_OK) die_err(s, &err);
    uint32_t missing = 0;
    for (uint32_t q = 0; q < pairs; q++) missing += !done_p[q];
    if (!y.quiet)
        fprintf(stderr, "stability: parent %.1f s, %u children %.1f s (%.3f s CPU per child epoch over %.0f epochs), pairs %.1f s; "
                "%.1f s in all with %u job%s\n", t1 - t0, children, t2 - t1, child_epochs > 0 ? (cpu2 - cpu0) / child_epochs : 0.0,
                child_epochs, t3 - t2, t3 - t0, y.jobs, TN_PLURAL(y.jobs));
    if (stop_requested) die(EXIT_RUNTIME, "interrupted: %u of %u pairs measured; the same command goes on", pairs - missing, pairs);
    if (missing) die(EXIT_RUNTIME, "%u of %u pairs could not be measured (%u pieces failed)", missing, pairs, failed);
    stability_outputs(&y, values);
    tn_sweep_unlock(lock);
    free(done_c); free(done_p); free(values);
    tn_dataset_free(&y.train);
    tn_dataset_free(&y.test);
    return 0;
}
