/* Putting the hidden units of two networks in one order: weight matching (Git Re-Basin),
 * activation matching, the transformation itself (a permutation and sign flips of hidden units,
 * which leave the network's function unchanged), and a canonical form. Deterministic: fixed
 * orders everywhere and an exact assignment that breaks ties the same way on every machine. */
#include <math.h>
#include <stdlib.h>

#include "align.h"
#include "lap.h"
#include "params.h"
#include "similarity.h"

#define MAX_SWEEPS 100  /* weight matching: coordinate descent stops here if it has not settled */

int tn_sign_symmetry(tn_activation act) { return act == TN_ACT_SIGMOID || act == TN_ACT_TANH; }

void tn_alignment_free(tn_alignment *al) {
    for (int l = 0; l < TN_MAX_LAYERS; l++) { free(al->perm[l]); free(al->flip[l]); }
    memset(al, 0, sizeof *al);
}

tn_status tn_alignment_init(tn_alignment *al, const tn_net *net, tn_error *err) {
    memset(al, 0, sizeof *al);
    al->n_sizes = net->n_sizes;
    memcpy(al->sizes, net->sizes, sizeof al->sizes);
    for (int l = 1; l + 1 < net->n_sizes; l++) {
        al->perm[l] = malloc(net->sizes[l] * sizeof(uint32_t));
        al->flip[l] = calloc(net->sizes[l], 1);
        if (!al->perm[l] || !al->flip[l]) {
            tn_alignment_free(al);
            return tn_fail(err, TN_ERR_NOMEM, "out of memory for an alignment");
        }
        for (uint32_t i = 0; i < net->sizes[l]; i++) al->perm[l][i] = i;
        al->units += net->sizes[l];
    }
    al->converged = 1;
    return TN_OK;
}

/* ---- the transformation --------------------------------------------------------------------
 * On canonical parameters p, hidden layer l: slot i takes unit perm[i] (row i of W_l and b_l,
 * column i of W_{l+1}); then each unit flip marks is negated: its row and bias, and its column
 * of W_{l+1}. tanh(-z) = -tanh(z) needs nothing more; sigmoid(-z) = 1 - sigmoid(z), so the next
 * layer's bias takes the 1: b_{l+1}[o] += W_{l+1}[o][i] for every flipped i, summed in double in
 * ascending i and rounded once. perm or flip may be NULL. scratch: n_params floats. */
static void transform_layer(float *p, const uint32_t *sizes, int l, const uint32_t *perm, const uint8_t *flip,
                            tn_activation act, float *scratch) {
    uint32_t n_in = sizes[l - 1], h = sizes[l], n_out = sizes[l + 1];
    float *w = p + tn_canonical_offset(sizes, l), *b = w + (size_t)n_in * h, *w2 = b + h, *b2 = w2 + (size_t)h * n_out;
    if (perm) {
        memcpy(scratch, w, (size_t)(b2 - w) * sizeof(float));
        const float *sw = scratch, *sb = scratch + (b - w), *sw2 = scratch + (w2 - w);
        for (uint32_t i = 0; i < h; i++) {
            memcpy(w + (size_t)i * n_in, sw + (size_t)perm[i] * n_in, n_in * sizeof(float));
            b[i] = sb[perm[i]];
        }
        for (uint32_t o = 0; o < n_out; o++)
            for (uint32_t i = 0; i < h; i++) w2[(size_t)o * h + i] = sw2[(size_t)o * h + perm[i]];
    }
    if (!flip) return;
    for (uint32_t i = 0; i < h; i++) {
        if (!flip[i]) continue;
        for (uint32_t k = 0; k < n_in; k++) w[(size_t)i * n_in + k] = -w[(size_t)i * n_in + k];
        b[i] = -b[i];
    }
    for (uint32_t o = 0; o < n_out; o++) {
        double bias = b2[o];
        for (uint32_t i = 0; i < h; i++) {
            if (!flip[i]) continue;
            bias += w2[(size_t)o * h + i];
            w2[(size_t)o * h + i] = -w2[(size_t)o * h + i];
        }
        if (act == TN_ACT_SIGMOID) b2[o] = (float)bias;
    }
}

/* al->moved and al->flipped from its permutations and flips. */
static void count_changes(tn_alignment *al) {
    al->moved = al->flipped = 0;
    for (int l = 1; l + 1 < al->n_sizes; l++)
        for (uint32_t i = 0; i < al->sizes[l]; i++) {
            al->moved += al->perm[l][i] != i;
            al->flipped += al->flip[l][i];
        }
}

static void transform_all(float *p, const tn_alignment *al, tn_activation act, float *scratch) {
    for (int l = 1; l + 1 < al->n_sizes; l++) transform_layer(p, al->sizes, l, al->perm[l], al->flip[l], act, scratch);
}

static tn_status same_widths(const tn_net *a, const uint32_t *sizes, int n_sizes, tn_error *err) {
    if (a->n_sizes != n_sizes || memcmp(a->sizes, sizes, (size_t)n_sizes * sizeof *sizes) != 0)
        return tn_fail(err, TN_ERR_ARG, "the networks' layer widths differ");
    return TN_OK;
}

static tn_status same_shape(const tn_net *a, const tn_net *b, tn_error *err) {
    tn_status s = same_widths(a, b->sizes, b->n_sizes, err);
    if (s == TN_OK && a->activation != b->activation)
        s = tn_fail(err, TN_ERR_ARG, "%s hidden units against %s: the activations differ", tn_activation_name(b->activation),
                    tn_activation_name(a->activation));
    if (s == TN_OK && a->cost != b->cost)
        s = tn_fail(err, TN_ERR_ARG, "the %s cost against %s: the costs differ", tn_cost_name(b->cost), tn_cost_name(a->cost));
    return s;
}

/* Two canonical parameter buffers of net's size, the first holding net's parameters. */
static tn_status canonical_pair(const tn_net *net, float **p, float **scratch, tn_error *err) {
    *p = malloc(net->n_params * sizeof(float));
    *scratch = malloc(net->n_params * sizeof(float));
    if (!*p || !*scratch) {
        free(*p); free(*scratch);
        *p = *scratch = NULL;
        return tn_fail(err, TN_ERR_NOMEM, "out of memory for the parameters");
    }
    tn_net_get_canonical(net, *p);
    return TN_OK;
}

tn_status tn_net_align(const tn_net *b, const tn_alignment *al, tn_net *out, tn_error *err) {
    memset(out, 0, sizeof *out);
    tn_status s = same_widths(b, al->sizes, al->n_sizes, err);
    for (int l = 1; s == TN_OK && l + 1 < al->n_sizes && !tn_sign_symmetry(b->activation); l++)
        for (uint32_t i = 0; i < al->sizes[l]; i++)
            if (al->flip[l][i]) return tn_fail(err, TN_ERR_ARG, "%s units have no sign symmetry to flip", tn_activation_name(b->activation));
    float *p, *scratch;
    if (s != TN_OK || (s = canonical_pair(b, &p, &scratch, err)) != TN_OK) return s;
    transform_all(p, al, b->activation, scratch);
    if ((s = tn_net_init(out, b->sizes, b->n_sizes, b->activation, b->cost, err)) == TN_OK) tn_net_set_canonical(out, p);
    free(p);
    free(scratch);
    return s;
}

/* ---- weight matching -------------------------------------------------------------------------
 * sim[i*h + j] = <W_l[i,:], W'_l[j,:]> + b_l[i] b'_l[j] + <W_{l+1}[:,i], W'_{l+1}[:,j]> for A's
 * unit i and B's unit j: with the other layers fixed, the part of <A, B> that hidden layer l's
 * permutation changes, so maximising it minimises ||A - B||. feat: (2h, n_in + 1 + n_out). */
static void weight_similarity(const float *pa, const float *pb, const uint32_t *sizes, int l, double *feat,
                              double *sim) {
    uint32_t n_in = sizes[l - 1], h = sizes[l], n_out = sizes[l + 1], m = n_in + 1 + n_out;
    size_t w = tn_canonical_offset(sizes, l), b = w + (size_t)n_in * h, w2 = b + h;
    for (int side = 0; side < 2; side++) {
        const float *p = side ? pb : pa;
        for (uint32_t i = 0; i < h; i++) {
            double *f = feat + ((size_t)side * h + i) * m;
            for (uint32_t k = 0; k < n_in; k++) f[k] = p[w + (size_t)i * n_in + k];
            f[n_in] = p[b + i];
            for (uint32_t o = 0; o < n_out; o++) f[n_in + 1 + o] = p[w2 + (size_t)o * h + i];
        }
    }
    for (uint32_t i = 0; i < h; i++)
        for (uint32_t j = 0; j < h; j++) {
            const double *fa = feat + (size_t)i * m, *fb = feat + ((size_t)h + j) * m;
            double s = 0.0;
            for (uint32_t k = 0; k < m; k++) s += fa[k] * fb[k];
            sim[(size_t)i * h + j] = s;
        }
}

/* Buffers of assign_layer, sized for the widest hidden layer. */
typedef struct {
    double *cost;        /* (h, h) */
    uint32_t *col;       /* (h) */
    uint32_t *perm;      /* (h) */
    uint8_t *flip;       /* (h) */
    uint32_t h_max;      /* the widest hidden layer: h above is at most this */
} assign_work;

/* Hidden layer l's assignment maximising sim (|sim| with flips, each pair then taking the sign
 * that gives it), composed into al: A's unit i takes what stood at index col[i] of the
 * arrangement sim was measured on. *changed: set to 1 if that is not the identity. */
static tn_status assign_layer(tn_alignment *al, int l, const double *sim, int flips, assign_work *w, int *changed,
                              tn_error *err) {
    uint32_t h = al->sizes[l];
    for (size_t k = 0; k < (size_t)h * h; k++) w->cost[k] = flips ? fabs(sim[k]) : sim[k];
    tn_status s = tn_lap_solve(w->cost, h, h, 1, w->col, &al->similarity[l], err);
    if (s != TN_OK) return s;
    for (uint32_t i = 0; i < h; i++) {
        uint8_t negate = flips && sim[(size_t)i * h + w->col[i]] < 0;
        if (w->col[i] != i || negate) *changed = 1;
        w->perm[i] = al->perm[l][w->col[i]];
        w->flip[i] = al->flip[l][w->col[i]] ^ negate;
    }
    memcpy(al->perm[l], w->perm, h * sizeof *w->perm);
    memcpy(al->flip[l], w->flip, h);
    return TN_OK;
}

static tn_status assign_work_init(assign_work *w, const uint32_t *sizes, int n_sizes, tn_error *err) {
    uint32_t h_max = 0;
    for (int l = 1; l + 1 < n_sizes; l++) h_max = sizes[l] > h_max ? sizes[l] : h_max;
    if (h_max == 0) h_max = 1; /* no hidden layer: nothing to assign, but no empty allocation */
    w->h_max = h_max;
    w->cost = malloc((size_t)h_max * h_max * sizeof(double));
    w->col = malloc(h_max * sizeof(uint32_t));
    w->perm = malloc(h_max * sizeof(uint32_t));
    w->flip = malloc(h_max);
    if (w->cost && w->col && w->perm && w->flip) return TN_OK;
    free(w->cost); free(w->col); free(w->perm); free(w->flip);
    return tn_fail(err, TN_ERR_NOMEM, "out of memory for matching hidden units");
}

static void assign_work_free(assign_work *w) { free(w->cost); free(w->col); free(w->perm); free(w->flip); }

tn_status tn_align_weights(const tn_net *a, const tn_net *b, int flips, tn_alignment *al, tn_error *err) {
    tn_status s = same_shape(a, b, err);
    if (s == TN_OK) s = tn_alignment_init(al, b, err);
    if (s != TN_OK || a->n_sizes < 3) return s;
    flips = flips && tn_sign_symmetry(b->activation);
    float *pa = NULL, *pb0 = NULL, *pb = NULL, *scratch = NULL;
    double *feat = NULL, *sim = NULL;
    assign_work w;
    uint32_t m_max = 0; /* the longest feature: incoming weights, bias, outgoing weights */
    for (int l = 1; l + 1 < a->n_sizes; l++)
        m_max = a->sizes[l - 1] + 1 + a->sizes[l + 1] > m_max ? a->sizes[l - 1] + 1 + a->sizes[l + 1] : m_max;
    if ((s = assign_work_init(&w, a->sizes, a->n_sizes, err)) != TN_OK) goto fail;
    feat = malloc(2 * (size_t)w.h_max * m_max * sizeof(double));
    sim = malloc((size_t)w.h_max * w.h_max * sizeof(double));
    if (!feat || !sim) { s = tn_fail(err, TN_ERR_NOMEM, "out of memory for weight matching"); goto done; }
    if ((s = canonical_pair(a, &pa, &scratch, err)) != TN_OK) goto done;
    free(scratch);
    scratch = NULL;
    if ((s = canonical_pair(b, &pb0, &scratch, err)) != TN_OK) goto done;
    if (!(pb = malloc(b->n_params * sizeof(float)))) { s = tn_fail(err, TN_ERR_NOMEM, "out of memory for weight matching"); goto done; }
    al->converged = 0;
    for (al->sweeps = 1; al->sweeps <= MAX_SWEEPS; al->sweeps++) {
        int changed = 0;
        for (int l = 1; l + 1 < a->n_sizes && s == TN_OK; l++) {
            memcpy(pb, pb0, b->n_params * sizeof(float)); /* B in the arrangement found so far */
            transform_all(pb, al, b->activation, scratch);
            weight_similarity(pa, pb, a->sizes, l, feat, sim);
            s = assign_layer(al, l, sim, flips, &w, &changed, err);
        }
        if (s != TN_OK) break;
        if (!changed || a->n_sizes == 3) { al->converged = 1; break; } /* one hidden layer: exact at once */
    }
    if (al->sweeps > MAX_SWEEPS) al->sweeps = MAX_SWEEPS;
    count_changes(al);
done:
    assign_work_free(&w);
fail:
    free(pa); free(pb0); free(pb); free(scratch); free(feat); free(sim);
    if (s != TN_OK) tn_alignment_free(al);
    return s;
}

/* ---- activation matching ---------------------------------------------------------------------- */
tn_status tn_align_correlations(double *const corr[TN_MAX_LAYERS], int flips, tn_alignment *al, tn_error *err) {
    assign_work w;
    tn_status s = assign_work_init(&w, al->sizes, al->n_sizes, err);
    if (s != TN_OK) return s;
    for (int l = 1; s == TN_OK && l + 1 < al->n_sizes; l++) {
        int changed = 0;
        s = assign_layer(al, l, corr[l], flips, &w, &changed, err);
    }
    assign_work_free(&w);
    al->sweeps = 1;
    count_changes(al);
    return s;
}

tn_status tn_align_activations(const tn_net *a, const tn_net *b, const tn_dataset *ds, int flips, int threads,
                               tn_alignment *al, tn_error *err) {
    tn_cross cross[TN_MAX_LAYERS] = {{0}};
    double *corr[TN_MAX_LAYERS] = {0};
    tn_status s = same_shape(a, b, err);
    if (s == TN_OK) s = tn_alignment_init(al, b, err);
    if (s != TN_OK) return s;
    if ((s = tn_hidden_cross(a, b, ds, threads, cross, NULL, err)) == TN_OK) {
        for (int l = 1; l + 1 < a->n_sizes && s == TN_OK; l++)
            if (!(corr[l] = malloc((size_t)a->sizes[l] * a->sizes[l] * sizeof(double)))) s = tn_fail(err, TN_ERR_NOMEM, "out of memory for correlations");
            else tn_cross_correlation(&cross[l], corr[l]);
        if (s == TN_OK) s = tn_align_correlations(corr, flips && tn_sign_symmetry(b->activation), al, err);
    }
    for (int l = 0; l < TN_MAX_LAYERS; l++) { tn_cross_free(&cross[l]); free(corr[l]); }
    if (s != TN_OK) tn_alignment_free(al);
    return s;
}

/* ---- canonical form ----------------------------------------------------------------------------- */
/* A unit is negated when its incoming weights sum below 0 (ties: the first non-zero weight, then
 * the bias). Negating every term negates the sum exactly, so the rule is an involution's fixpoint. */
static uint8_t is_negative(const float *row, uint32_t n, float bias) {
    double sum = 0.0;
    for (uint32_t k = 0; k < n; k++) sum += row[k];
    if (sum != 0.0) return sum < 0.0;
    for (uint32_t k = 0; k < n; k++)
        if (row[k] != 0.0f) return row[k] < 0.0f;
    return bias < 0.0f;
}

typedef struct { const float *w, *b; const double *norm; uint32_t n_in; } unit_order;

/* Negative if unit i comes before unit j: larger incoming norm, then weights, then bias, in order. */
static int unit_cmp(const unit_order *u, uint32_t i, uint32_t j) {
    if (u->norm[i] != u->norm[j]) return u->norm[i] > u->norm[j] ? -1 : 1;
    for (uint32_t k = 0; k < u->n_in; k++) {
        float x = u->w[(size_t)i * u->n_in + k], y = u->w[(size_t)j * u->n_in + k];
        if (x != y) return x < y ? -1 : 1;
    }
    return u->b[i] < u->b[j] ? -1 : u->b[i] > u->b[j];
}

/* Stable bottom-up merge sort of idx[0..n) by unit_cmp. */
static void sort_units(uint32_t *idx, uint32_t *tmp, uint32_t n, const unit_order *u) {
    for (uint32_t width = 1; width < n; width *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = unit_cmp(u, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
            while (i < mid) tmp[k++] = idx[i++];
            while (j < hi) tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
}

tn_status tn_net_canonical(const tn_net *net, tn_net *out, tn_alignment *al_out, tn_error *err) {
    memset(out, 0, sizeof *out);
    tn_alignment al;
    float *p, *scratch;
    assign_work w;
    tn_status s = tn_alignment_init(&al, net, err);
    if (s != TN_OK) return s;
    if ((s = canonical_pair(net, &p, &scratch, err)) != TN_OK) { tn_alignment_free(&al); return s; }
    double *norm = NULL;
    if ((s = assign_work_init(&w, net->sizes, net->n_sizes, err)) != TN_OK) goto fail;
    if (!(norm = malloc(w.h_max * sizeof(double)))) {
        s = tn_fail(err, TN_ERR_NOMEM, "out of memory for the canonical form");
        goto done;
    }
    for (int l = 1; l + 1 < net->n_sizes; l++) {
        uint32_t n_in = net->sizes[l - 1], h = net->sizes[l];
        float *wl = p + tn_canonical_offset(net->sizes, l), *bl = wl + (size_t)n_in * h;
        for (uint32_t i = 0; i < h; i++)
            w.flip[i] = tn_sign_symmetry(net->activation) && is_negative(wl + (size_t)i * n_in, n_in, bl[i]);
        transform_layer(p, net->sizes, l, NULL, w.flip, net->activation, scratch);
        for (uint32_t i = 0; i < h; i++) {
            double sq = 0.0;
            for (uint32_t k = 0; k < n_in; k++) sq += (double)wl[(size_t)i * n_in + k] * wl[(size_t)i * n_in + k];
            norm[i] = sq;
            w.col[i] = i;
        }
        unit_order u = {wl, bl, norm, n_in};
        sort_units(w.col, w.perm, h, &u);
        transform_layer(p, net->sizes, l, w.col, NULL, net->activation, scratch);
        for (uint32_t i = 0; i < h; i++) { al.perm[l][i] = w.col[i]; al.flip[l][i] = w.flip[w.col[i]]; }
    }
    count_changes(&al);
    if ((s = tn_net_init(out, net->sizes, net->n_sizes, net->activation, net->cost, err)) == TN_OK) tn_net_set_canonical(out, p);
done:
    assign_work_free(&w);
fail:
    free(norm); free(p); free(scratch);
    if (s == TN_OK && al_out) *al_out = al;
    else tn_alignment_free(&al);
    return s;
}

/* ---- the start follows the network ------------------------------------------------------------ */
tn_status tn_model_align_start(tn_model *m, const tn_alignment *al, tn_error *err) {
    tn_provenance *p = &m->provenance;
    if (p->start == TN_START_UNKNOWN) return TN_OK;
    size_t n = m->net.n_params;
    float *start = malloc(n * sizeof(float));
    if (!start) return tn_fail(err, TN_ERR_NOMEM, "out of memory for the start");
    tn_net from, moved;
    tn_status s = tn_model_start(m, start) ? tn_net_init(&from, m->net.sizes, m->net.n_sizes, m->net.activation, m->net.cost, err)
                                           : tn_fail(err, TN_ERR_ARG, "the start parameters are missing");
    if (s == TN_OK) {
        tn_net_set_canonical(&from, start);
        s = tn_net_align(&from, al, &moved, err);
        tn_net_free(&from);
    }
    if (s == TN_OK) {
        tn_net_get_canonical(&moved, start);
        tn_net_free(&moved);
        free(p->start_params);
        p->start_params = start;
        p->start = TN_START_SUPPLIED;
        return TN_OK;
    }
    free(start);
    return s;
}
