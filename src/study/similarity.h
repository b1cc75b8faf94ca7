/* Centred cross-products of activations (similarity.c): what Pearson correlation, linear CKA and
 * activation matching are computed from. Sums in double, in example order. */
#ifndef TN_SIMILARITY_H
#define TN_SIMILARITY_H

#include "util.h"

/* For x (n, dx) and y (n, dy) with columns centred (Xc, Yc): xy = Xc^T Yc (dx, dy), xx = Xc^T Xc
 * (dx, dx), yy = Yc^T Yc (dy, dy), all row-major. */
typedef struct {
    uint32_t dx, dy;
    double *xy, *xx, *yy;
} tn_cross;

/* Work done so far, for a caller's tn_progress_fn (NULL fn: nobody is told). */
typedef struct { tn_progress_fn fn; void *user; const char *stage; uint64_t done, total; } tn_progress;
void tn_progress_add(tn_progress *p, uint64_t units);   /* p may be NULL */
/* The units tn_cross_compute adds for n examples of widths dx, dy: its multiply-adds / 2. */
uint64_t tn_cross_units(uint32_t n, uint32_t dx, uint32_t dy);

tn_status tn_cross_compute(tn_cross *c, const float *x, const float *y, uint32_t n, uint32_t dx, uint32_t dy,
                           tn_progress *progress, tn_error *err);
void tn_cross_free(tn_cross *c);
/* ||xy||_F^2 / (||xx||_F ||yy||_F); 0 when a side has no variance. */
double tn_cross_cka(const tn_cross *c);
/* corr[i*dy + j]: Pearson correlation of x's column i and y's column j; 0 where one is constant. */
void tn_cross_correlation(const tn_cross *c, double *corr);

/* cross[l] for every hidden layer l of a and b (same widths): their activations over ds. */
tn_status tn_hidden_cross(const tn_net *a, const tn_net *b, const tn_dataset *ds, int threads,
                          tn_cross cross[TN_MAX_LAYERS], tn_progress *progress, tn_error *err);

#endif
