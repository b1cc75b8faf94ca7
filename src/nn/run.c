/* A training run as one call (tn_run): the data (loaded here unless the caller has it), the
 * validation split rule, training, and the model assembled with the hash of the examples it
 * was trained on; the CLI's train, a sweep and an MPI rank all come through here. */
#include <stdio.h>
#include <stdlib.h>
#ifndef __wasi__ /* WASI has no resource limits, and no /proc */
#include <sys/resource.h>
#endif
#include <unistd.h>

#include "util.h"

/* ---- memory: refuse at once what cannot fit, rather than fail (or be killed) hours in ------- */

/* Bytes as "5.0 GB" or "120 MB" (decimal units, as free(1) -h and most vendors print). */
static const char *bytes_text(uint64_t n, char *buf, size_t cap) {
    if (n >= 1000000000u) snprintf(buf, cap, "%.1f GB", n / 1e9);
    else snprintf(buf, cap, "%.0f MB", n / 1e6 < 1 ? 1.0 : n / 1e6);
    return buf;
}

#ifndef __wasi__
/* A field of /proc/meminfo in bytes, or 0 where there is none (not Linux). */
static uint64_t meminfo(const char *field) {
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    unsigned long long kb = 0;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0 && line[len] == ':' && sscanf(line + len + 1, "%llu", &kb) == 1) break;
    if (f) fclose(f);
    return (uint64_t)kb * 1024;
}

/* What this process already maps: its address space and its data (/proc/self/statm), or 0. */
static void mapped_now(uint64_t *space, uint64_t *data) {
    unsigned long long pages[6] = {0};
    FILE *f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%llu %llu %llu %llu %llu %llu", &pages[0], &pages[1], &pages[2], &pages[3], &pages[4], &pages[5]) != 6)
        pages[0] = pages[5] = 0;
    if (f) fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    *space = pages[0] * (uint64_t)(page > 0 ? page : 4096);
    *data = pages[5] * (uint64_t)(page > 0 ? page : 4096);
}
#endif

tn_status tn_train_memory_check(const tn_config *cfg, uint32_t n_train, tn_error *err) {
    uint64_t part[4], need = tn_train_memory(cfg, n_train, part);
    if (need < ((uint64_t)64 << 20)) return TN_OK; /* small: nothing worth a look at the system */
    uint64_t limit = UINT64_MAX;
    const char *what = NULL;
    char why[96] = "";
#ifndef __wasi__
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t physical = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    uint64_t available = meminfo("MemAvailable"), space, data;
    if (available) available += meminfo("SwapFree");
    mapped_now(&space, &data);
    struct rlimit rl;
    /* the whole machine never: the system and other programs need some (a tenth, say) */
    if (physical && physical / 10 * 9 < limit) { limit = physical / 10 * 9; what = "nine tenths of this machine's memory"; }
    if (available && available < limit) { limit = available; what = "the memory available now"; }
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (uint64_t)rl.rlim_cur - space < limit) {
        limit = (uint64_t)rl.rlim_cur > space ? (uint64_t)rl.rlim_cur - space : 0;
        what = "what the address-space limit (ulimit -v) leaves";
    }
    if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (uint64_t)rl.rlim_cur - data < limit) {
        limit = (uint64_t)rl.rlim_cur > data ? (uint64_t)rl.rlim_cur - data : 0;
        what = "what the data-size limit (ulimit -d) leaves";
    }
    if (physical && what && strcmp(what, "nine tenths of this machine's memory") != 0) {
        char b[32];
        snprintf(why, sizeof why, " (of %s on this machine)", bytes_text(physical, b, sizeof b));
    }
#endif
    if (!what || need <= limit) return TN_OK;
    char sizes[TN_MAX_LAYERS * 8] = "", b[5][32];
    for (int l = 0; l < cfg->n_sizes && l < TN_MAX_LAYERS; l++)
        snprintf(sizes + strlen(sizes), sizeof sizes - strlen(sizes), "%s%u", l ? "," : "", cfg->sizes[l]);
    return tn_fail(err, TN_ERR_NOMEM, "layer sizes %s: training needs about %s of memory (parameters%s %s, update plan %s, "
                   "work buffers %s), more than %s, %s%s: choose smaller layers", sizes, bytes_text(need, b[0], sizeof b[0]),
                   cfg->on_nan == TN_ON_NAN_STOP ? " and their last finite copy" : "", bytes_text(part[0], b[1], sizeof b[1]),
                   bytes_text(part[1], b[2], sizeof b[2]), bytes_text(part[2] + part[3], b[3], sizeof b[3]), what,
                   bytes_text(limit, b[4], sizeof b[4]), why);
}

/* The model file and the trace can be written, and neither is a data file or the other. */
static tn_status check_outputs(const tn_run_spec *spec, tn_error *err) {
    const char *outputs[2] = {spec->out, spec->config.trace_path};
    tn_data_files *files = NULL;
    const char *inputs[4] = {NULL, NULL, NULL, NULL};
    if (!spec->train) {
        if (!(files = malloc(sizeof *files))) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
        tn_data_resolve(&spec->data, files);
        for (int i = 0; i < 4; i++) inputs[i] = files->path[i];
    }
    tn_status s = TN_OK;
    for (int i = 0; i < 2 && s == TN_OK; i++)
        if (outputs[i]) s = tn_out_check(outputs[i], inputs, 4, outputs, 2, spec->force, err);
    free(files);
    return s;
}

tn_status tn_run(const tn_run_spec *spec, tn_model *model, tn_train_result *result, tn_error *err) {
    memset(model, 0, sizeof *model);
    memset(result, 0, sizeof *result);
    tn_status s = check_outputs(spec, err);
    if (s == TN_OK) s = tn_train_memory_check(&spec->config, spec->train ? spec->train->n : 0, err); /* before the data */
    if (s != TN_OK) return s;
    tn_dataset loaded_train, loaded_test;
    const tn_dataset *train = spec->train, *test = spec->test;
    int loaded = 0;
    if (!train) {
        s = tn_data_load(&spec->data, &loaded_train, &loaded_test, err);
        if (s != TN_OK) return s;
        train = &loaded_train;
        test = &loaded_test;
        loaded = 1;
    }
    tn_config cfg = spec->config;
    /* The book's split (50,000 training, 10,000 validation) on a smaller training set: all of it. */
    if (cfg.train_size == 50000 && train->n < 50000) cfg.train_size = 0;
    s = tn_train(&cfg, train, test, &model->net, spec->on_epoch, spec->user, spec->stop_flag, result, err);
    if (s == TN_OK) {
        model->config = cfg;
        model->config.trace_path = NULL;
        model->epochs_run = result->epochs_run;
        model->steps = result->steps;
        model->stop = result->interrupted ? TN_STOP_INTERRUPTED
                      : result->non_finite && cfg.on_nan == TN_ON_NAN_STOP ? TN_STOP_NON_FINITE
                      : result->stopped_early ? TN_STOP_EARLY : TN_STOP_COMPLETED;
        tn_dataset used = tn_dataset_view(train, 0, cfg.train_size ? cfg.train_size : train->n);
        tn_dataset_sha256(&used, model->data_sha256);
        if (spec->out) s = tn_model_save(model, spec->out, err);
        if (s != TN_OK) tn_model_free(model);
    }
    if (loaded) {
        tn_dataset_free(&loaded_train);
        tn_dataset_free(&loaded_test);
    }
    return s;
}
