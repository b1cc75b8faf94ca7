/* How alike two sets of activations are: centred cross-products over the examples, and from
 * them Pearson correlation of units and linear CKA of layers (Kornblith et al. 2019, "Similarity
 * of neural network representations revisited", eq. for linear kernels). Everything in double,
 * each sum in example order, so the figures are the same on every machine. */
#include <math.h>
#include <stdlib.h>

#include "similarity.h"

void tn_cross_free(tn_cross *c) {
    free(c->xy); free(c->xx); free(c->yy);
    memset(c, 0, sizeof *c);
}

#define BLOCK 4 /* examples folded into the sums per pass over them */

#if defined(__GNUC__)
typedef double v2d __attribute__((vector_size(16)));
static inline v2d load2(const double *p) { v2d v; memcpy(&v, p, sizeof v); return v; }
static inline void store2(double *p, v2d v) { memcpy(p, &v, sizeof v); }
#endif

/* m[i][j] += u_e[i] v_e[j] for the block's examples e = 0..count-1 in order: each entry its own
 * sum, taken in example order, whether two columns go at once (vector lanes, no fused
 * multiply-add) or one. u: (count, nu), v: (count, nv), rows of the block. upper: j >= i only. */
static void rank_block(double *restrict m, const double *restrict u, uint32_t nu, const double *restrict v, uint32_t nv,
                       uint32_t count, int upper) {
    for (uint32_t i = 0; i < nu; i++) {
        double *row = m + (size_t)i * nv;
        uint32_t j = upper ? i : 0;
#if defined(__GNUC__)
        if (count == BLOCK) {
            double u0 = u[i], u1 = u[nu + i], u2 = u[2 * (size_t)nu + i], u3 = u[3 * (size_t)nu + i];
            const double *v0 = v, *v1 = v + nv, *v2 = v + 2 * (size_t)nv, *v3 = v + 3 * (size_t)nv;
            for (; j + 2 <= nv; j += 2) {
                v2d acc = load2(row + j);
                acc += u0 * load2(v0 + j);
                acc += u1 * load2(v1 + j);
                acc += u2 * load2(v2 + j);
                acc += u3 * load2(v3 + j);
                store2(row + j, acc);
            }
        }
#endif
        for (; j < nv; j++) {
            double acc = row[j];
            for (uint32_t e = 0; e < count; e++) acc += u[(size_t)e * nu + i] * v[(size_t)e * nv + j];
            row[j] = acc;
        }
    }
}

static void column_means(const float *x, uint32_t n, uint32_t d, double *mean) {
    for (uint32_t i = 0; i < d; i++) mean[i] = 0.0;
    for (uint32_t e = 0; e < n; e++)
        for (uint32_t i = 0; i < d; i++) mean[i] += x[(size_t)e * d + i];
    for (uint32_t i = 0; i < d; i++) mean[i] /= n ? n : 1;
}

/* xx and yy are symmetric: the upper triangle is summed, then mirrored. */
static void mirror(double *m, uint32_t d) {
    for (uint32_t i = 0; i < d; i++)
        for (uint32_t j = 0; j < i; j++) m[(size_t)i * d + j] = m[(size_t)j * d + i];
}

void tn_progress_add(tn_progress *p, uint64_t units) {
    if (!p || !p->fn) return;
    p->done += units;
    p->fn(p->stage, p->done < p->total ? p->done : p->total, p->total, p->user);
}

uint64_t tn_cross_units(uint32_t n, uint32_t dx, uint32_t dy) {
    return (uint64_t)n * ((uint64_t)dx * dy + ((uint64_t)dx * dx + (uint64_t)dy * dy) / 2) / 2 + 1;
}

tn_status tn_cross_compute(tn_cross *c, const float *x, const float *y, uint32_t n, uint32_t dx, uint32_t dy,
                           tn_progress *progress, tn_error *err) {
    memset(c, 0, sizeof *c);
    c->dx = dx;
    c->dy = dy;
    c->xy = calloc((size_t)dx * dy, sizeof(double));
    c->xx = calloc((size_t)dx * dx, sizeof(double));
    c->yy = calloc((size_t)dy * dy, sizeof(double));
    double *work = malloc((1 + BLOCK) * ((size_t)dx + dy) * sizeof(double));
    if (!c->xy || !c->xx || !c->yy || !work) {
        tn_cross_free(c);
        free(work);
        return tn_fail(err, TN_ERR_NOMEM, "out of memory for activation statistics");
    }
    double *mx = work, *my = mx + dx, *xc = my + dy, *yc = xc + (size_t)BLOCK * dx; /* centred rows of a block */
    column_means(x, n, dx, mx);
    column_means(y, n, dy, my);
    for (uint32_t first = 0; first < n; first += BLOCK) {
        uint32_t count = n - first < BLOCK ? n - first : BLOCK;
        for (uint32_t e = 0; e < count; e++) {
            for (uint32_t i = 0; i < dx; i++) xc[(size_t)e * dx + i] = x[(size_t)(first + e) * dx + i] - mx[i];
            for (uint32_t j = 0; j < dy; j++) yc[(size_t)e * dy + j] = y[(size_t)(first + e) * dy + j] - my[j];
        }
        rank_block(c->xy, xc, dx, yc, dy, count, 0);
        rank_block(c->xx, xc, dx, xc, dx, count, 1);
        rank_block(c->yy, yc, dy, yc, dy, count, 1);
        tn_progress_add(progress, tn_cross_units(count, dx, dy) - 1);
    }
    tn_progress_add(progress, 1);
    mirror(c->xx, dx);
    mirror(c->yy, dy);
    free(work);
    return TN_OK;
}

static double frobenius_sq(const double *m, size_t count) {
    double sum = 0.0;
    for (size_t k = 0; k < count; k++) sum += m[k] * m[k];
    return sum;
}

double tn_cross_cka(const tn_cross *c) {
    double xx = sqrt(frobenius_sq(c->xx, (size_t)c->dx * c->dx)), yy = sqrt(frobenius_sq(c->yy, (size_t)c->dy * c->dy));
    return xx > 0 && yy > 0 ? frobenius_sq(c->xy, (size_t)c->dx * c->dy) / (xx * yy) : 0.0;
}

void tn_cross_correlation(const tn_cross *c, double *corr) {
    for (uint32_t i = 0; i < c->dx; i++)
        for (uint32_t j = 0; j < c->dy; j++) {
            double vx = c->xx[(size_t)i * c->dx + i], vy = c->yy[(size_t)j * c->dy + j];
            corr[(size_t)i * c->dy + j] = vx > 0 && vy > 0 ? c->xy[(size_t)i * c->dy + j] / sqrt(vx * vy) : 0.0;
        }
}

tn_status tn_linear_cka(const float *x, const float *y, uint32_t n, uint32_t dx, uint32_t dy, double *cka,
                        tn_error *err) {
    tn_cross c;
    tn_status s = tn_cross_compute(&c, x, y, n, dx, dy, NULL, err);
    if (s == TN_OK) *cka = tn_cross_cka(&c);
    tn_cross_free(&c);
    return s;
}

tn_status tn_hidden_cross(const tn_net *a, const tn_net *b, const tn_dataset *ds, int threads,
                          tn_cross cross[TN_MAX_LAYERS], tn_progress *progress, tn_error *err) {
    tn_status s = TN_OK;
    for (int l = 1; l + 1 < a->n_sizes && s == TN_OK; l++) {
        size_t count = (size_t)ds->n * a->sizes[l];
        float *xa = malloc(count * sizeof(float) + 1), *xb = malloc(count * sizeof(float) + 1);
        if (!xa || !xb) s = tn_fail(err, TN_ERR_NOMEM, "out of memory for the activations of layer %d", l);
        if (s == TN_OK) s = tn_layer_activations(a, ds, l, threads, xa, err);
        if (s == TN_OK) s = tn_layer_activations(b, ds, l, threads, xb, err);
        if (s == TN_OK) s = tn_cross_compute(&cross[l], xa, xb, ds->n, a->sizes[l], b->sizes[l], progress, err);
        free(xa);
        free(xb);
    }
    if (s != TN_OK)
        for (int l = 0; l < TN_MAX_LAYERS; l++) tn_cross_free(&cross[l]);
    return s;
}
