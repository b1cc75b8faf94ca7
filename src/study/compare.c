/* compare: why two networks of one shape differ, in numbers a user can check. Distances (raw,
 * after each alignment, and for two fresh initialisations), the share of the inputs training
 * never sees, the function (accuracy, disagreement, output distance), the representation (linear
 * CKA) and the straight path between the two. Sums in double in canonical or example order:
 * the same figures on every machine and at any thread count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "align.h"
#include "engine.h"
#include "path.h"
#include "pool.h"
#include "similarity.h"

const char *const tn_view_names[TN_VIEW_COUNT] = {"raw", "weight_matching", "weight_matching_flips",
                                                  "activation_matching", "activation_matching_flips"};

void tn_compare_options_default(tn_compare_options *o) {
    memset(o, 0, sizeof *o);
    o->points = 20;
    o->threads = 1;
    o->baseline_seeds[0] = 1;
    o->baseline_seeds[1] = 2;
    o->name_a = "A";
    o->name_b = "B";
}

/* ---- distances -------------------------------------------------------------------------------
 * Per layer and in total: l2 = sqrt(sum (a_k - b_k)^2), relative = l2 / ||A||, cosine =
 * <A,B> / (||A|| ||B||), max_abs = max |a_k - b_k|, and blank_sq = the squared difference on
 * first-layer weights from blank inputs. */
typedef struct { double diff, aa, bb, ab, max_abs, blank; } sums;

static void add_sums(sums *s, const sums *t) {
    s->diff += t->diff; s->aa += t->aa; s->bb += t->bb; s->ab += t->ab; s->blank += t->blank;
    s->max_abs = t->max_abs > s->max_abs ? t->max_abs : s->max_abs;
}

static tn_distance finish(const sums *s) {
    tn_distance d;
    d.l2 = sqrt(s->diff);
    d.norm_a = sqrt(s->aa);
    d.norm_b = sqrt(s->bb);
    d.relative = d.norm_a > 0 ? d.l2 / d.norm_a : 0.0;
    d.cosine = d.norm_a > 0 && d.norm_b > 0 ? s->ab / (d.norm_a * d.norm_b) : 0.0;
    d.max_abs = s->max_abs;
    d.blank_sq = s->blank;
    return d;
}

static void distances(const float *pa, const float *pb, const uint32_t *sizes, int n_sizes, const uint8_t *blank,
                      tn_distances *d) {
    sums total = {0};
    size_t k = 0;
    memset(d, 0, sizeof *d);
    for (int l = 1; l < n_sizes; l++) {
        sums s = {0};
        size_t end = k + (size_t)sizes[l - 1] * sizes[l] + sizes[l], n_w = (size_t)sizes[l - 1] * sizes[l];
        for (size_t first = k; k < end; k++) {
            double a = pa[k], b = pb[k], diff = a - b;
            s.diff += diff * diff;
            s.aa += a * a;
            s.bb += b * b;
            s.ab += a * b;
            if (fabs(diff) > s.max_abs) s.max_abs = fabs(diff);
            if (l == 1 && blank && k - first < n_w && blank[(k - first) % sizes[0]]) s.blank += diff * diff;
        }
        d->layer[l] = finish(&s);
        add_sums(&total, &s);
    }
    d->total = finish(&total);
}

tn_status tn_net_distance(const tn_net *a, const tn_net *b, const uint8_t *blank, tn_distances *d, tn_error *err) {
    if (a->n_sizes != b->n_sizes || memcmp(a->sizes, b->sizes, sizeof a->sizes) != 0)
        return tn_fail(err, TN_ERR_ARG, "the networks' layer widths differ");
    float *pa = malloc(a->n_params * sizeof(float)), *pb = malloc(b->n_params * sizeof(float));
    if (!pa || !pb) { free(pa); free(pb); return tn_fail(err, TN_ERR_NOMEM, "out of memory for the distance"); }
    tn_net_get_canonical(a, pa);
    tn_net_get_canonical(b, pb);
    distances(pa, pb, a->sizes, a->n_sizes, blank, d);
    free(pa);
    free(pb);
    return TN_OK;
}

uint32_t tn_blank_inputs(const tn_dataset *ds, uint8_t *blank) {
    memset(blank, 1, ds->n_in);
    for (uint32_t e = 0; e < ds->n; e++)
        for (uint32_t k = ds->nz_start[e]; k < ds->nz_start[e + 1]; k++) blank[ds->nz_index[k]] = 0;
    uint32_t count = 0;
    for (uint32_t i = 0; i < ds->n_in; i++) count += blank[i];
    return count;
}

/* ---- the comparison's working state ------------------------------------------------------------ */
typedef struct {
    const tn_net *a, *b;
    const tn_dataset *test;
    const tn_compare_options *opt;
    tn_compare_result *res;
    tn_pool *pool;
    uint8_t *blank;                 /* (sizes[0]) or NULL */
    float *pa, *pb, *mix;           /* canonical parameters: A, an arrangement of B, work */
    float *za, *zb;                 /* (test n, sizes[1]): layer 1's pre-activations of A and B */
    double *corr[TN_MAX_LAYERS];    /* hidden l: A's units by B's, Pearson over the test set */
    tn_progress progress;           /* the caller's callback, and the work done of the whole */
    uint64_t view_units;            /* the work of one view (alignment, distances, path) */
} compare_ctx;

static tn_status nomem(tn_error *err) { return tn_fail(err, TN_ERR_NOMEM, "out of memory for the comparison"); }

/* The examples a model used of train (its train_size, or all) hash to what it recorded: it was
 * trained on them (twinnet trained it; an imported model's data is not known). */
static int trained_on(const tn_model *m, const tn_dataset *train, uint32_t used) {
    uint8_t digest[32];
    if (m->provenance.data_unknown) return 0;
    tn_dataset first = tn_dataset_view(train, 0, used);
    tn_dataset_sha256(&first, digest);
    return !memcmp(digest, m->data_sha256, 32);
}

/* The blank inputs: 0 in every training example A used (its train_size, or all); whether both
 * models were trained on these examples (else the weights' lack of gradient is not known). */
static tn_status blank_inputs(compare_ctx *c, const tn_model *ma, const tn_model *mb, const tn_dataset *train,
                              tn_error *err) {
    tn_compare_result *r = c->res;
    uint32_t used = ma->config.train_size && ma->config.train_size < train->n ? ma->config.train_size : train->n;
    uint32_t used_b = mb->config.train_size && mb->config.train_size < train->n ? mb->config.train_size : train->n;
    r->data_known = trained_on(ma, train, used) &&
                    (used_b == used && !memcmp(ma->data_sha256, mb->data_sha256, 32) ? 1 : trained_on(mb, train, used_b));
    tn_dataset first = tn_dataset_view(train, 0, used);
    if (!(c->blank = malloc(train->n_in))) return nomem(err);
    r->has_train = 1;
    r->train_examples = used;
    r->n_blank = tn_blank_inputs(&first, c->blank);
    r->blank_weights = (uint64_t)r->n_blank * c->a->sizes[1];
    return TN_OK;
}

/* Where each run began, as its provenance knows it (rebuilt from its seeds, or supplied;
 * tn_model_start): how far each model moved from its own start and how many blank-input weights
 * never moved; with both starts, their distance and the cosine of A - B with A0 - B0. A start
 * that is not known is left out (start_known_x 0): nothing is guessed. */
static tn_status own_start(compare_ctx *c, const tn_model *ma, const tn_model *mb, tn_error *err) {
    tn_compare_result *r = c->res;
    const tn_model *m[2] = {ma, mb};
    float *init[2] = {malloc(c->a->n_params * sizeof(float)), malloc(c->a->n_params * sizeof(float))};
    tn_status s = init[0] && init[1] ? TN_OK : nomem(err);
    tn_distances d;
    for (int side = 0; side < 2 && s == TN_OK; side++) {
        if (!tn_model_start(m[side], init[side])) continue;
        *(side ? &r->start_known_b : &r->start_known_a) = 1;
        tn_net_get_canonical(&m[side]->net, c->mix);
        distances(c->mix, init[side], c->a->sizes, c->a->n_sizes, NULL, &d);
        *(side ? &r->travel_b : &r->travel_a) = d.total;
        uint64_t same = 0;
        for (size_t k = 0; c->blank && k < (size_t)c->a->sizes[0] * c->a->sizes[1]; k++)
            same += c->blank[k % c->a->sizes[0]] && tn_f2u(c->mix[k]) == tn_f2u(init[side][k]);
        *(side ? &r->blank_at_init_b : &r->blank_at_init_a) = same;
    }
    if (s == TN_OK && r->start_known_a && r->start_known_b) {
        distances(init[0], init[1], c->a->sizes, c->a->n_sizes, NULL, &d);
        r->start = d.total;
        tn_net_get_canonical(c->b, c->mix);
        double dot = 0.0, now = 0.0, then = 0.0; /* <A - B, A0 - B0>, ||A - B||^2, ||A0 - B0||^2 */
        for (size_t k = 0; k < c->a->n_params; k++) {
            double x = (double)c->pa[k] - c->mix[k], y = (double)init[0][k] - init[1][k];
            dot += x * y;
            now += x * x;
            then += y * y;
        }
        r->start_cosine = now > 0 && then > 0 ? dot / sqrt(now * then) : 0.0;
    }
    free(init[0]);
    free(init[1]);
    return s;
}

/* What the provenance says (names, how the starts and schemes are known), whether A and B are one
 * network bit for bit, and whether their magnitudes leave any distance meaningful. */
static void known(compare_ctx *c, const tn_model *ma, const tn_model *mb) {
    tn_compare_result *r = c->res;
    snprintf(r->name_a, sizeof r->name_a, "%s", c->opt->name_a ? c->opt->name_a : "A");
    snprintf(r->name_b, sizeof r->name_b, "%s", c->opt->name_b ? c->opt->name_b : "B");
    snprintf(r->source_a, sizeof r->source_a, "%s", ma->provenance.source);
    snprintf(r->source_b, sizeof r->source_b, "%s", mb->provenance.source);
    r->start_how_a = ma->provenance.start;
    r->start_how_b = mb->provenance.start;
    r->init_known_a = !ma->provenance.init_unknown;
    r->init_known_b = !mb->provenance.init_unknown;
    r->init_a = ma->config.init;
    r->init_b = mb->config.init;
    r->baseline_known = r->init_known_a && r->init_known_b && r->init_a == r->init_b;
    r->baseline_init = r->init_a;
    tn_net_get_canonical(c->b, c->mix);
    r->identical = memcmp(c->pa, c->mix, c->a->n_params * sizeof(float)) == 0;
    for (size_t k = 0; k < c->a->n_params; k++) {
        if (fabs(c->pa[k]) > r->max_param_a) r->max_param_a = fabs(c->pa[k]);
        if (fabs(c->mix[k]) > r->max_param_b) r->max_param_b = fabs(c->mix[k]);
    }
    r->absurd = r->max_param_a > TN_ABSURD_PARAMETER || r->max_param_b > TN_ABSURD_PARAMETER;
}

/* Two fresh initialisations of this shape with A's scheme: their distance, and the CKA of their
 * hidden activations. */
static tn_status baseline(compare_ctx *c, tn_init init, tn_error *err) {
    tn_net r0, r1;
    tn_cross cross[TN_MAX_LAYERS] = {{0}};
    tn_status s = tn_net_copy(&r0, c->a, err);
    if (s != TN_OK) return s;
    if ((s = tn_net_copy(&r1, c->a, err)) != TN_OK) { tn_net_free(&r0); return s; }
    tn_net_randomize(&r0, init, c->opt->baseline_seeds[0]);
    tn_net_randomize(&r1, init, c->opt->baseline_seeds[1]);
    s = tn_net_distance(&r0, &r1, c->blank, &c->res->baseline, err);
    c->progress.stage = "activations of two random networks";
    if (s == TN_OK) s = tn_hidden_cross(&r0, &r1, c->test, c->opt->threads, cross, &c->progress, err);
    for (int l = 1; s == TN_OK && l + 1 < c->a->n_sizes; l++) c->res->cka_baseline[l] = tn_cross_cka(&cross[l]);
    for (int l = 0; l < TN_MAX_LAYERS; l++) tn_cross_free(&cross[l]);
    tn_net_free(&r0);
    tn_net_free(&r1);
    return s;
}

/* A's and B's hidden activations over the test set: CKA per layer, and the correlations that
 * activation matching and the matched units' mean correlation use. */
static tn_status representation(compare_ctx *c, tn_error *err) {
    tn_cross cross[TN_MAX_LAYERS] = {{0}};
    c->progress.stage = "activations of A and B";
    tn_status s = tn_hidden_cross(c->a, c->b, c->test, c->opt->threads, cross, &c->progress, err);
    for (int l = 1; s == TN_OK && l + 1 < c->a->n_sizes; l++) {
        c->res->cka[l] = tn_cross_cka(&cross[l]);
        if (!(c->corr[l] = malloc((size_t)c->a->sizes[l] * c->a->sizes[l] * sizeof(double)))) s = nomem(err);
        else tn_cross_correlation(&cross[l], c->corr[l]);
    }
    for (int l = 0; l < TN_MAX_LAYERS; l++) tn_cross_free(&cross[l]);
    return s;
}

/* ---- function ------------------------------------------------------------------------------------
 * Accuracy and mean cost of each (summed in example order, as tn_evaluate does); the examples on
 * which the predicted digits differ; of those both get wrong, the ones where they differ; the mean
 * Euclidean distance of the output vectors. The same passes keep layer 1's pre-activations for
 * the straight paths. */
static tn_status function(compare_ctx *c, tn_error *err) {
    tn_compare_result *r = c->res;
    uint32_t n = c->test->n, n_out = c->a->sizes[c->a->n_sizes - 1];
    uint8_t *pred = malloc(2 * (size_t)n);
    float *out = malloc(2 * (size_t)n * n_out * sizeof(float));
    c->za = malloc((size_t)n * c->a->sizes[1] * sizeof(float));
    c->zb = malloc((size_t)n * c->a->sizes[1] * sizeof(float));
    tn_status s = pred && out && c->za && c->zb ? TN_OK : nomem(err);
    if (s == TN_OK) s = tn_predict_pool(c->a, c->test, c->pool, pred, out, c->za, err);
    if (s == TN_OK) s = tn_predict_pool(c->b, c->test, c->pool, pred + n, out + (size_t)n * n_out, c->zb, err);
    if (s == TN_OK) {
        r->test_total = n;
        double sum = 0.0, cost_a = 0.0, cost_b = 0.0;
        for (uint32_t e = 0; e < n; e++) {
            const float *oa = out + (size_t)e * n_out, *ob = out + ((size_t)n + e) * n_out;
            uint8_t pa = pred[e], pb = pred[n + e], y = c->test->labels[e];
            r->correct_a += pa == y;
            r->correct_b += pb == y;
            cost_a += tn_example_cost(c->a, oa, y);
            cost_b += tn_example_cost(c->b, ob, y);
            r->disagree += pa != pb;
            r->both_wrong += pa != y && pb != y;
            r->both_wrong_differently += pa != y && pb != y && pa != pb;
            double sq = 0.0;
            for (uint32_t o = 0; o < n_out; o++) sq += ((double)oa[o] - ob[o]) * ((double)oa[o] - ob[o]);
            sum += sqrt(sq);
        }
        r->cost_a = cost_a / n;
        r->cost_b = cost_b / n;
        r->output_distance = sum / n;
    }
    free(pred);
    free(out);
    return s;
}

/* 1 if two alignments put B's units in the same places with the same signs. */
static int same_alignment(const tn_alignment *x, const tn_alignment *y) {
    for (int l = 1; l + 1 < x->n_sizes; l++)
        if (memcmp(x->perm[l], y->perm[l], x->sizes[l] * sizeof(uint32_t)) || memcmp(x->flip[l], y->flip[l], x->sizes[l]))
            return 0;
    return 1;
}

/* The path of an earlier view with the same alignment (the same networks along it), if any. */
static tn_status copy_path(compare_ctx *c, tn_compare_view *v, tn_error *err, int *copied) {
    *copied = 0;
    for (tn_compare_view *u = c->res->view; u < v && !*copied; u++) {
        if (!u->done || !same_alignment(&u->alignment, &v->alignment)) continue;
        if (!(v->path = malloc(u->path_points * sizeof *v->path))) return nomem(err);
        memcpy(v->path, u->path, u->path_points * sizeof *v->path);
        v->path_points = u->path_points;
        v->cost_barrier = u->cost_barrier;
        v->error_barrier = u->error_barrier;
        *copied = 1;
    }
    return TN_OK;
}

/* One arrangement of B: its alignment found, B moved, the distances, the matched units' mean
 * correlation, the path. */
static tn_status view(compare_ctx *c, tn_view which, tn_error *err) {
    tn_compare_view *v = &c->res->view[which];
    int hidden = c->a->n_sizes > 2, flips = which == TN_VIEW_WEIGHTS_FLIPS || which == TN_VIEW_ACTIVATIONS_FLIPS;
    if (flips && (!hidden || !tn_sign_symmetry(c->a->activation))) return TN_OK;
    tn_status s;
    if (which == TN_VIEW_WEIGHTS || which == TN_VIEW_WEIGHTS_FLIPS) s = tn_align_weights(c->a, c->b, flips, &v->alignment, err);
    else if ((s = tn_alignment_init(&v->alignment, c->b, err)) == TN_OK && which != TN_VIEW_RAW)
        s = tn_align_correlations(c->corr, flips, &v->alignment, err);
    tn_net moved;
    if (s != TN_OK || (s = tn_net_align(c->b, &v->alignment, &moved, err)) != TN_OK) return s;
    v->done = 1;
    tn_net_get_canonical(&moved, c->pb);
    tn_net_free(&moved);
    distances(c->pa, c->pb, c->a->sizes, c->a->n_sizes, c->blank, &v->distance);
    for (int l = 1; l + 1 < c->a->n_sizes && c->corr[l]; l++) { /* no correlations in a light comparison */
        uint32_t h = c->a->sizes[l];
        double sum = 0.0;
        for (uint32_t i = 0; i < h; i++)
            sum += (v->alignment.flip[l][i] ? -1.0 : 1.0) * c->corr[l][(size_t)i * h + v->alignment.perm[l][i]];
        v->mean_correlation[l] = sum / h;
    }
    int copied;
    c->progress.stage = tn_view_names[which];
    if ((s = copy_path(c, v, err, &copied)) != TN_OK || copied) return s;
    const tn_compare_result *r = c->res;
    tn_path_input in = {c->a, c->test, c->pool, c->pa, c->za, c->zb,
                        {0.0, r->cost_a, 1.0 - (double)r->correct_a / r->test_total},
                        {1.0, r->cost_b, 1.0 - (double)r->correct_b / r->test_total}, c->opt->points};
    return tn_straight_path(&in, c->pb, which == TN_VIEW_RAW, v, err);
}

static void widths(const tn_net *net, char *buf, size_t cap) {
    buf[0] = 0;
    for (int l = 0; l < net->n_sizes; l++) snprintf(buf + strlen(buf), cap - strlen(buf), "%s%u", l ? "," : "", net->sizes[l]);
}

static tn_status check_pair(const tn_model *ma, const tn_model *mb, const tn_dataset *train, const tn_dataset *test,
                            const tn_compare_options *o, tn_error *err) {
    const tn_net *a = &ma->net, *b = &mb->net;
    char wa[256], wb[256];
    widths(a, wa, sizeof wa);
    widths(b, wb, sizeof wb);
    if (strcmp(wa, wb) != 0)
        return tn_fail(err, TN_ERR_ARG, "%s: layer widths %s differ from %s's %s: compare needs two networks of one shape", o->name_b, wb, o->name_a, wa);
    if (a->activation != b->activation)
        return tn_fail(err, TN_ERR_ARG, "%s: %s hidden units, but %s has %s: compare needs one activation", o->name_b,
                       tn_activation_name(b->activation), o->name_a, tn_activation_name(a->activation));
    if (a->cost != b->cost)
        return tn_fail(err, TN_ERR_ARG, "%s: trained with the %s cost, but %s with %s: compare needs one cost", o->name_b,
                       tn_cost_name(b->cost), o->name_a, tn_cost_name(a->cost));
    const tn_model *m[2] = {ma, mb};
    for (int side = 0; side < 2; side++)
        for (size_t k = 0; k < a->n_params; k++)
            if (!isfinite(*tn_net_param((tn_net *)&m[side]->net, k)))
                return tn_fail(err, TN_ERR_FORMAT, "%s: parameter %zu is not finite (a diverged training?): nothing to compare",
                               side ? o->name_b : o->name_a, k);
    if (o->points < 1 || o->points > 1000) return tn_fail(err, TN_ERR_ARG, "path points: %u is outside 1..1000", o->points);
    if (test->n == 0) return tn_fail(err, TN_ERR_FORMAT, "%s: the test set is empty", test->images_name);
    if (train && train->n_in != a->sizes[0])
        return tn_fail(err, TN_ERR_FORMAT, "%s: training images have %u pixels but the networks' input layer has %u",
                       train->images_name, train->n_in, a->sizes[0]);
    return tn_check_shape(a, test, err);
}

/* The whole's units of work (tn_progress): the activation statistics as tn_cross_units counts
 * them, and each view (alignment, distances, path) an eighth of one layer's statistics, about what
 * it takes on a wide network, or the path's forward passes on a narrow one. */
static void plan_progress(compare_ctx *c, uint32_t views, int baseline_stage, int representation_stage) {
    uint64_t cross = 0;
    for (int l = 1; l + 1 < c->a->n_sizes; l++) cross += tn_cross_units(c->test->n, c->a->sizes[l], c->a->sizes[l]);
    c->view_units = cross / 8 + (uint64_t)c->test->n * (c->opt->points + 1) * c->a->sizes[1] / 16 + 1;
    c->progress = (tn_progress){c->opt->progress, c->opt->progress_user, "starting", 0,
                                cross * (uint64_t)(baseline_stage + representation_stage)};
    for (int v = 0; v < TN_VIEW_COUNT; v++) c->progress.total += (views >> v & 1) * c->view_units;
    tn_progress_add(&c->progress, 0);
}

tn_status tn_compare(const tn_model *ma, const tn_model *mb, const tn_dataset *train, const tn_dataset *test,
                     const tn_compare_options *opt, tn_compare_result *res, tn_error *err) {
    memset(res, 0, sizeof *res);
    tn_compare_options defaults;
    if (!opt) { tn_compare_options_default(&defaults); opt = &defaults; }
    tn_status s = check_pair(ma, mb, train, test, opt, err);
    if (s != TN_OK) return s;
    compare_ctx c = {&ma->net, &mb->net, test, opt, res, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {0}, {0}, 0};
    res->n_sizes = ma->net.n_sizes;
    memcpy(res->sizes, ma->net.sizes, sizeof res->sizes);
    res->activation = ma->net.activation;
    size_t n = ma->net.n_params;
    c.pa = malloc(n * sizeof(float)), c.pb = malloc(n * sizeof(float)), c.mix = malloc(n * sizeof(float));
    if (!c.pa || !c.pb || !c.mix) s = nomem(err);
    if (s == TN_OK) s = tn_pool_create(&c.pool, opt->threads, err);
    if (s == TN_OK) tn_net_get_canonical(c.a, c.pa);
    uint32_t views = opt->views ? opt->views : (1u << TN_VIEW_COUNT) - 1;
    int activations = (views >> TN_VIEW_ACTIVATIONS & 1) || (views >> TN_VIEW_ACTIVATIONS_FLIPS & 1);
    if (s == TN_OK && train && !opt->light) s = blank_inputs(&c, ma, mb, train, err);
    if (s == TN_OK) known(&c, ma, mb);
    if (s == TN_OK) plan_progress(&c, views, !opt->light && res->baseline_known, !opt->light || activations);
    if (s == TN_OK && !opt->light) s = own_start(&c, ma, mb, err);
    if (s == TN_OK && !opt->light && res->baseline_known) s = baseline(&c, res->baseline_init, err);
    if (s == TN_OK && (!opt->light || activations)) s = representation(&c, err);
    if (s == TN_OK) s = function(&c, err);
    for (int v = 0; v < TN_VIEW_COUNT && s == TN_OK; v++)
        if (views >> v & 1) {
            s = view(&c, (tn_view)v, err);
            tn_progress_add(&c.progress, c.view_units);
        }
    if (s == TN_OK && !(res->view[TN_VIEW_RAW].distance.total.l2 <= TN_ABSURD_DISTANCE)) res->absurd = 1;
    if (c.pool) tn_pool_destroy(c.pool);
    free(c.pa); free(c.pb); free(c.mix); free(c.blank); free(c.za); free(c.zb);
    for (int l = 0; l < TN_MAX_LAYERS; l++) free(c.corr[l]);
    if (s != TN_OK) tn_compare_result_free(res);
    return s;
}

void tn_compare_result_free(tn_compare_result *res) {
    for (int v = 0; v < TN_VIEW_COUNT; v++) {
        tn_alignment_free(&res->view[v].alignment);
        free(res->view[v].path);
        res->view[v].path = NULL;
    }
}
