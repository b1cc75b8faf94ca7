/* What a training run will hold in memory, known before anything is allocated (tn_train_memory),
 * and the refusal at once of a run that cannot fit (tn_train_memory_check), rather than a failure
 * (or the OOM killer) hours in. tn_run calls the check before loading data, tn_train before
 * allocating. */
#include <stdio.h>
#include <stdlib.h>
#ifndef __wasi__ /* WASI has no resource limits, and no /proc */
#include <sys/resource.h>
#endif
#include <unistd.h>

#include "engine.h"

#define SMALL_RUN ((uint64_t)64 << 20)   /* bytes: a run this small is never checked */

/* ---- memory: what a run will hold, known before anything is allocated ----------------------- */
uint64_t tn_train_memory(const tn_config *cfg, uint32_t n_train, uint64_t parts[4]) {
    uint64_t params = 0, floats = cfg->n_sizes ? cfg->sizes[0] : 0, indices = 0, plan = 0;
    uint64_t capacity = cfg->batch && (!n_train || cfg->batch < n_train) ? cfg->batch : n_train ? n_train : 1;
    for (int l = 1; l < cfg->n_sizes && l < TN_MAX_LAYERS; l++) {
        uint64_t n_in = cfg->sizes[l - 1], pad = tn_round_pad(cfg->sizes[l]);
        params += n_in * pad + pad;                 /* tn_net_init: W (n_in rows of pad), b */
        floats += 3 * pad;                          /* tn_work_floats */
        indices += pad;                             /* tn_work_indices */
        plan += n_in * (sizeof(uint32_t) + sizeof(uint16_t)) + capacity * n_in * (sizeof(float *) + sizeof(float)) +
                capacity * sizeof(float *);        /* step_plan_init */
        if (l >= 2) plan += cfg->sizes[l] * (uint64_t)tn_round_pad(cfg->sizes[l - 1]) * sizeof(float);
    }
    uint64_t example = floats * sizeof(float) + indices * sizeof(uint16_t) + sizeof(tn_work);
    uint64_t threads = cfg->threads > 0 ? (uint64_t)cfg->threads : 1;
    uint64_t p[4] = {
        params * sizeof(float) * (cfg->on_nan == TN_ON_NAN_STOP ? 2 : 1), /* the net, and the last finite copy */
        plan,
        (capacity + threads * 32 /* EVAL_CHUNK, eval.c */) * example,     /* training and evaluation work */
        (uint64_t)n_train * sizeof(uint32_t),                              /* the order */
    };
    if (parts) memcpy(parts, p, sizeof p);
    return p[0] + p[1] + p[2] + p[3];
}

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
    if (need < SMALL_RUN) return TN_OK; /* nothing worth a look at the system */
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

