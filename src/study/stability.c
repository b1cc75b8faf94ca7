/* The stability study (twinnet.h, "stability"): its plan (steps, perturbations, children, pairs),
 * the parent's checkpoints (a chain of resumed runs, so bit for bit one uninterrupted run), a child
 * (a spawn from a checkpoint, trained to the end) and a pair's measurements (compare's views: raw
 * and aligned by activation matching with sign flips; CKA). Each finished piece is one journal line,
 * so a killed study retrains nothing that was finished. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "stability.h"
#include "sweep_files.h"

void tn_stability_default_steps(const tn_config *cfg, uint32_t n_train, tn_stability *st) {
    uint64_t per_epoch = cfg->batch ? ((uint64_t)n_train + cfg->batch - 1) / cfg->batch : 0, end = per_epoch * cfg->epochs;
    uint64_t grid[] = {0, 1, 10, 100, 1000, per_epoch, 2 * per_epoch, 5 * per_epoch, 10 * per_epoch, end};
    st->n_steps = 0;
    for (size_t k = 0; k < sizeof grid / sizeof *grid; k++) {
        if (grid[k] > end || (st->n_steps && grid[k] <= st->steps[st->n_steps - 1])) continue;
        st->steps[st->n_steps++] = grid[k];
    }
}

uint32_t tn_stability_perturbations(const tn_stability *st) { return (st->order != 0) + (st->ulp != 0) + st->n_sigmas; }
uint32_t tn_stability_children(const tn_stability *st) { return st->n_steps * st->pairs * (1 + tn_stability_perturbations(st)); }
uint32_t tn_stability_pairs(const tn_stability *st) { return st->n_steps * st->pairs * tn_stability_perturbations(st); }

int tn_stability_kind(const tn_stability *st, uint32_t p, uint32_t *sigma) {
    *sigma = 0;
    if (st->order && p-- == 0) return TN_STAB_ORDER;
    if (st->ulp && p-- == 0) return TN_STAB_ULP;
    *sigma = p;
    return TN_STAB_GAUSS;
}

void tn_stability_perturbation_name(const tn_stability *st, uint32_t p, char name[32]) {
    uint32_t s;
    int kind = tn_stability_kind(st, p, &s);
    if (kind == TN_STAB_GAUSS) snprintf(name, 32, "gauss %g", st->sigmas[s]);
    else snprintf(name, 32, "%s", kind == TN_STAB_ORDER ? "order" : "ulp");
}

void tn_stability_child_of(const tn_stability *st, uint32_t c, uint32_t *i, uint32_t *r, uint32_t *k) {
    uint32_t per = 1 + tn_stability_perturbations(st);
    *k = c % per;
    *r = c / per % st->pairs;
    *i = c / per / st->pairs;
}

void tn_stability_child_name(const tn_stability *st, uint32_t c, char name[48]) {
    uint32_t i, r, k;
    tn_stability_child_of(st, c, &i, &r, &k);
    char what[32] = "u";
    if (k) tn_stability_perturbation_name(st, k - 1, what);
    for (char *w = what; *w; w++) if (*w == ' ') *w = '-';
    snprintf(name, 48, "s%02u-r%u-%s", i, r, what);
}

static void checkpoint_name(uint64_t step, char name[48]) { snprintf(name, 48, "parent-%llu.tnm", (unsigned long long)step); }

static tn_status path_in(const tn_stability *st, const char *name, const char *ext, char *path, tn_error *err) {
    if (snprintf(path, TN_PATH_CAP, "%s/%s%s", st->dir, name, ext) >= TN_PATH_CAP) return tn_fail(err, TN_ERR_ARG, "%s: path too long", st->dir);
    return TN_OK;
}

/* "{\"KIND\":WHAT,\"fingerprint\":\"FP\"}" into the journal. */
static tn_status record(const tn_stability *st, const char *kind, const char *what, uint64_t step, const char *fp, tn_error *err) {
    tn_json j;
    tn_json_begin_mem(&j);
    tn_json_object(&j, NULL);
    if (what) tn_json_string(&j, kind, what);
    else tn_json_uint(&j, kind, step);
    tn_json_string(&j, "fingerprint", fp);
    tn_json_end(&j);
    return tn_stability_journal_line(st, &j, err);
}

/* A file of DIR that the journal lists with this fingerprint: 1 (and m loaded if given), else 0. */
static int verified(const tn_stability *st, const char *name, const char *fp, tn_model *m) {
    tn_model tmp;
    tn_error e;
    if (!fp[0] || tn_sweep_model_load(st->dir, name, &tmp, &e) != TN_OK) return 0;
    char got[TN_HEX_SIZE];
    tn_net_fingerprint(&tmp.net, got);
    int ok = !strcmp(got, fp);
    if (ok && m) *m = tmp;
    else tn_model_free(&tmp);
    return ok;
}

static tn_status read_journal(const tn_stability *st, const tn_dataset *train, tn_stab_journal *j, tn_error *err) {
    uint8_t sha[32];
    tn_dataset used = tn_dataset_view(train, 0, st->base.train_size && st->base.train_size < train->n ? st->base.train_size : train->n);
    tn_dataset_sha256(&used, sha);
    return tn_stability_journal_read(st, sha, j, err);
}

tn_status tn_stability_parent(const tn_stability *st, const tn_dataset *train, const tn_dataset *test,
                              volatile const int *stop_flag, tn_error *err) {
    tn_stab_journal j;
    tn_status s = read_journal(st, train, &j, err);
    tn_model prev;
    int have_prev = 0;
    for (uint32_t i = 0; s == TN_OK && i < st->n_steps; i++) {
        char name[48], path[TN_PATH_CAP], fp[TN_HEX_SIZE];
        checkpoint_name(st->steps[i], name);
        tn_model m;
        if (verified(st, name, j.checkpoint[i], &m)) {
            if (have_prev) tn_model_free(&prev);
            prev = m;
            have_prev = 1;
            continue;
        }
        if ((s = path_in(st, name, "", path, err)) != TN_OK) break;
        tn_run_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.config = st->base;
        spec.config.trace_path = NULL;
        spec.train = train;
        spec.test = test;
        spec.out = path;
        spec.stop_flag = stop_flag;
        spec.stop_at = 1;
        spec.stop_at_step = st->steps[i];
        spec.from = have_prev ? &prev : NULL;
        tn_train_result res;
        if ((s = tn_run(&spec, &m, &res, err)) != TN_OK) break;
        if (res.interrupted && res.steps != st->steps[i]) s = tn_fail(err, TN_ERR_IO, "%s: stopped at step %llu", path, (unsigned long long)res.steps);
        tn_net_fingerprint(&m.net, fp);
        if (s == TN_OK) s = record(st, "checkpoint", NULL, st->steps[i], fp, err);
        if (have_prev) tn_model_free(&prev);
        prev = m;
        have_prev = 1;
    }
    if (have_prev) tn_model_free(&prev);
    tn_stability_journal_free(&j);
    return s;
}

tn_status tn_stability_child(const tn_stability *st, uint32_t c, const tn_dataset *train, const tn_dataset *test,
                             volatile const int *stop_flag, tn_error *err) {
    if (c >= tn_stability_children(st)) return tn_fail(err, TN_ERR_ARG, "stability: child %u of %u", c, tn_stability_children(st));
    uint32_t i, r, k, sigma = 0;
    tn_stability_child_of(st, c, &i, &r, &k);
    char name[48], ck[48], path[TN_PATH_CAP], fp[TN_HEX_SIZE];
    tn_stability_child_name(st, c, name);
    checkpoint_name(st->steps[i], ck);
    tn_run_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.config = st->base;
    spec.config.trace_path = NULL;
    spec.config.order_seed = st->base.order_seed + 1 + 2 * (uint64_t)r;   /* the pair's order */
    int kind = k ? tn_stability_kind(st, k - 1, &sigma) : -1;
    tn_status s = TN_OK;
    if (kind == TN_STAB_ORDER) spec.config.order_seed++;
    if (kind == TN_STAB_ULP) { /* the sweep's "bit" source: one first-layer weight of a much-used input, drawn for r */
        tn_sweep sw;
        memset(&sw, 0, sizeof sw);
        sw.base = st->base;
        sw.runs = st->pairs;
        sw.n_sources = 1;
        sw.sources[0] = TN_VARY_BIT;
        tn_config bit;
        if ((s = tn_sweep_run_config(&sw, r, train, &bit, err)) != TN_OK) return s;
        spec.config.perturb_ulp = bit.perturb_ulp;
    }
    if (kind == TN_STAB_GAUSS) {
        spec.perturb_gauss = st->sigmas[sigma];
        spec.perturb_seed = r + 1;
    }
    tn_model from, m;
    if ((s = tn_sweep_model_load(st->dir, ck, &from, err)) != TN_OK) return s;
    if ((s = path_in(st, name, ".tnm", path, err)) == TN_OK) {
        spec.from = &from;
        spec.spawn = 1;
        spec.train = train;
        spec.test = NULL;   /* a child's per-epoch accuracy is not used: only its end is compared */
        spec.out = path;
        spec.stop_flag = stop_flag;
        tn_train_result res;
        (void)test;
        if ((s = tn_run(&spec, &m, &res, err)) == TN_OK) {
            if (res.interrupted) s = tn_fail(err, TN_ERR_IO, "%s: interrupted", path);
            tn_net_fingerprint(&m.net, fp);
            tn_model_free(&m);
            if (s == TN_OK) s = record(st, "child", name, 0, fp, err);
        }
    }
    tn_model_free(&from);
    return s;
}
