/* A curve's profile: test cost and error of phi(t) at t = k/K, and its barriers as the straight
 * path's (path.c) are measured, so the two stand side by side; the check that a bend belongs to A
 * and B; the answer in one sentence. Evaluation on one pool: the same numbers at any thread count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "curve.h"
#include "engine.h"
#include "pool.h"

/* The first 12 hex digits of a fingerprint: enough to tell models apart in a message. */
#define SHORT_FP 12

tn_status tn_curve_check(const tn_model *bend, const tn_model *a, const tn_model *b, const char *name_bend, tn_error *err) {
    const tn_provenance *p = &bend->provenance;
    const char *name = name_bend ? name_bend : "bend";
    if (!p->curve[0] || !p->parents[1][0])
        return tn_fail(err, TN_ERR_ARG, "%s: not a curve's bend (one is made by `twinnet connect A B --out BEND`)", name);
    char fa[TN_HEX_SIZE], fb[TN_HEX_SIZE];
    tn_net_fingerprint(&a->net, fa);
    tn_net_fingerprint(&b->net, fb);
    int direct = !strcmp(p->parents[0], fa) && !strcmp(p->parents[1], fb);
    if (!direct && !strcmp(p->parents[0], fb) && !strcmp(p->parents[1], fa))
        return tn_fail(err, TN_ERR_ARG, "%s: a curve from B to A: give A and B in the order `twinnet connect` had them", name);
    if (!direct)
        return tn_fail(err, TN_ERR_ARG, "%s: a curve between the models %.*s... and %.*s..., not between A (%.*s...) and B (%.*s...)",
                       name, SHORT_FP, p->parents[0], SHORT_FP, p->parents[1], SHORT_FP, fa, SHORT_FP, fb);
    tn_status s = tn_curve_same_shape(&a->net, &bend->net, err);
    if (s != TN_OK) {
        char why[sizeof err->msg];
        memcpy(why, err->msg, sizeof why);
        return tn_fail(err, s, "%s: %s", name, why);
    }
    return TN_OK;
}

tn_status tn_curve_point(const tn_net *a, const tn_net *theta, const tn_net *b_end, tn_curve_type type, double t, tn_net *out,
                         tn_error *err) {
    tn_status s = tn_curve_same_shape(a, theta, err);
    if (s == TN_OK) s = tn_curve_same_shape(a, b_end, err);
    if (s == TN_OK && (!(t >= 0.0 && t <= 1.0) || (unsigned)type >= TN_CURVE_COUNT))
        s = tn_fail(err, TN_ERR_ARG, "a curve's t is in [0, 1], its type bezier or polychain");
    if (s == TN_OK) s = tn_net_copy(out, a, err);
    if (s != TN_OK) return s;
    double w[3];
    tn_curve_weights(type, t, w);
    tn_curve_mix(out->params, a->params, theta->params, b_end->params, w, a->n_buffer);
    return TN_OK;
}

static int name_index(const char *name, const char *const *names, int count) {
    for (int i = 0; i < count; i++)
        if (!strcmp(name, names[i])) return i;
    return -1;
}

/* Largest rise of f above the chord between the ends: max_k f(t_k) - ((1-t_k) f(0) + t_k f(1)), 0 at least. */
static double rise_above_chord(const tn_path_point *p, uint32_t n, int error) {
    double f0 = error ? p[0].error : p[0].cost, f1 = error ? p[n - 1].error : p[n - 1].cost, top = 0.0;
    for (uint32_t k = 0; k < n; k++) {
        double rise = (error ? p[k].error : p[k].cost) - ((1.0 - p[k].t) * f0 + p[k].t * f1);
        if (rise > top) top = rise;
    }
    return top;
}

tn_status tn_curve_profile_measure(const tn_model *a, const tn_model *b, const tn_model *bend, const tn_dataset *test,
                                   uint32_t points, int threads, const char *name_bend, tn_curve_profile *prof, tn_error *err) {
    memset(prof, 0, sizeof *prof);
    const char *name = name_bend ? name_bend : "bend";
    const tn_provenance *p = &bend->provenance;
    tn_status s = tn_curve_check(bend, a, b, name, err);
    if (s != TN_OK) return s;
    int type = name_index(p->curve, tn_curve_type_names, TN_CURVE_COUNT);
    int align = name_index(p->curve_align, tn_curve_align_names, TN_CURVE_ALIGN_COUNT);
    if (type < 0 || align < 0)
        return tn_fail(err, TN_ERR_ARG, "%s: a curve of type '%s' with alignment '%s', which this twinnet does not know", name, p->curve,
                       p->curve_align);
    if (points < 1 || points > 1000) return tn_fail(err, TN_ERR_ARG, "a profile has 2 to 1001 points");
    if ((s = tn_check_shape(&a->net, test, err)) != TN_OK) return s;
    prof->type = (tn_curve_type)type;
    prof->align = (tn_curve_align)align;
    tn_net b_end = {0}, point = {0};
    tn_pool *pool = NULL;
    char fp[TN_HEX_SIZE];
    if ((s = tn_curve_arrange(&a->net, &b->net, prof->align, test, threads, &b_end, err)) != TN_OK) return s;
    tn_net_fingerprint(&b_end, fp);
    if (strcmp(fp, p->curve_end))
        s = tn_fail(err, TN_ERR_ARG, "%s: B aligned by %s here is %.*s..., but the curve was trained to %.*s... (another test set?)", name,
                    p->curve_align, SHORT_FP, fp, SHORT_FP, p->curve_end);
    if (s == TN_OK && !(prof->path = calloc((size_t)points + 1, sizeof *prof->path)))
        s = tn_fail(err, TN_ERR_NOMEM, "out of memory for the curve's profile");
    if (s == TN_OK) s = tn_net_copy(&point, &a->net, err);
    if (s == TN_OK) s = tn_pool_create(&pool, threads, err);
    prof->finite = 1;
    for (uint32_t k = 0; s == TN_OK && k <= points; k++) {
        double w[3], t = (double)k / points;
        tn_eval_result r = {0};
        tn_curve_weights(prof->type, t, w);
        tn_curve_mix(point.params, a->net.params, bend->net.params, b_end.params, w, a->net.n_buffer);
        if ((s = tn_evaluate_pool(&point, test, pool, &r, err)) != TN_OK) break;
        prof->path[k] = (tn_path_point){t, r.cost, 1.0 - (double)r.correct / r.total};
        if (!isfinite(r.cost)) prof->finite = 0;
        prof->path_points = k + 1;
    }
    if (s == TN_OK) {
        prof->cost_barrier = rise_above_chord(prof->path, prof->path_points, 0);
        prof->error_barrier = rise_above_chord(prof->path, prof->path_points, 1);
    }
    tn_pool_destroy(pool);
    tn_net_free(&point);
    tn_net_free(&b_end);
    if (s != TN_OK) tn_curve_profile_free(prof);
    return s;
}

void tn_curve_profile_free(tn_curve_profile *prof) {
    if (!prof) return;
    free(prof->path);
    memset(prof, 0, sizeof *prof);
}

size_t tn_curve_sentence(const tn_curve_profile *prof, char *buf, size_t cap) {
    if (!cap) return 0;
    double x = 100.0 * prof->error_barrier;
    /* an aligned B is B with its hidden units reordered (and negated): the same function, other parameters */
    const char *b = prof->align == TN_CURVE_ALIGN_NONE ? "B" : "B (its hidden units aligned to A's)";
    int n;
    if (!prof->finite || !prof->path_points) n = snprintf(buf, cap, "The curve between A and B is not finite: it says nothing.");
    else if (x < 2.0)
        n = snprintf(buf, cap, "A and %s are joined by a curve along which the test error rises at most %.1f points: one valley.",
                     b, x);
    else
        n = snprintf(buf, cap, "No low curve was found between A and %s: along the best one the test error still rises %.1f "
                     "points, so this does not show one valley.", b, x);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
