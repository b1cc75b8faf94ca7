/* The outlier rule (src/study/outliers.c) on crafted sweeps: the robust median and sd on known
 * numbers; two init runs of 20 that never learn the digit 5, one from epoch 1 and one from epoch 4,
 * are named with that digit and epoch, and counted for their source; a run 1.6 sds low is not; the
 * sd's floor (the test set's sampling error) decides between runs that agree to the image; two runs
 * name nobody. */
#include <string.h>

#include "check.h"
#include "outliers.h"

#define RUNS 30
#define EPOCHS 6

static void craft(double *acc, double *digit, double *per_epoch, tn_vary *source) {
    for (uint32_t r = 0; r < RUNS; r++) {
        source[r] = r < 20 ? TN_VARY_INIT : TN_VARY_ORDER;
        acc[r] = 0.950 + 0.001 * (double)(r % 5) - 0.002;          /* 94.8% .. 95.2% */
        for (int d = 0; d < 10; d++) digit[r * 10 + d] = acc[r] + 0.002 * (d % 3);
        for (int e = 0; e < EPOCHS; e++) per_epoch[r * EPOCHS + e] = acc[r] - 0.01 * (EPOCHS - 1 - e);
    }
    /* runs 3 and 11 never learn the 5s: run 3 from the first epoch, run 11 from epoch 4 on */
    for (int k = 0; k < 2; k++) {
        uint32_t r = k ? 11 : 3, from = k ? 4 : 1;
        digit[r * 10 + 5] = 0.0;
        acc[r] = 0.86;
        for (uint32_t e = from - 1; e < EPOCHS; e++) per_epoch[r * EPOCHS + e] = 0.86 - 0.01 * (EPOCHS - 1 - e);
    }
    acc[7] = 0.946; /* 1.6 sds low: not an outlier */
}

int main(void) {
    double median, sd;
    uint32_t m;
    const double known[6] = {1, 2, 3, 4, 100, NAN};
    tn_robust_spread(known, 6, 0.0, &median, &sd, &m);
    CHECK(m == 5 && median == 3 && fabs(sd - 1.4826) < 1e-12, "median %g sd %g of %u", median, sd, m);
    tn_robust_spread(known, 4, 5.0, &median, &sd, &m);
    CHECK(median == 2.5 && sd == 5.0, "median %g, sd floored at 5: %g", median, sd);

    double acc[RUNS], digit[RUNS * 10], per_epoch[RUNS * EPOCHS];
    tn_vary source[RUNS];
    tn_outliers o;
    tn_error err;
    craft(acc, digit, per_epoch, source);
    tn_outlier_data data = {acc, digit, per_epoch, EPOCHS, RUNS, 100000, {0}, source};
    for (int d = 0; d < 10; d++) data.digit_images[d] = 10000;
    CHECK_OK(tn_outliers_find(&data, &o, &err), err);
    CHECK(o.source_runs[TN_VARY_INIT] == 20 && o.n == 2, "%u init runs, %u outliers (want 20, 2)", o.source_runs[TN_VARY_INIT], o.n);
    /* the 20 init runs, sorted: 0.86 twice, 0.946, 0.948 x4, 0.949 x3, 0.950 x3, 0.951 x3, 0.952 x4:
     * median 0.9495; deviations 0.0005 x6, 0.0015 x7, ...: MAD 0.0015, sd 1.4826 * 0.0015, above the
     * sampling error of 100000 images (0.00069) */
    double init_sd = 1.4826 * 0.0015;
    CHECK(fabs(o.median[TN_VARY_INIT] - 0.9495) < 1e-9 && fabs(o.sd[TN_VARY_INIT] - init_sd) < 1e-9, "median %g sd %g",
          o.median[TN_VARY_INIT], o.sd[TN_VARY_INIT]);
    for (uint32_t k = 0; k < o.n && k < 2; k++) {
        const tn_outlier_run *x = &o.run[k];
        CHECK(x->run == (k ? 11u : 3u), "outlier %u is run %u", k, x->run);
        CHECK(x->failed == 1u << 5, "run %u fails digits %#x (want the 5s alone)", x->run, x->failed);
        CHECK(x->from_epoch == (k ? 4u : 1u), "run %u behind from epoch %u", x->run, x->from_epoch);
        CHECK(x->accuracy == 0.86 && fabs(x->sds_below - 0.0895 / init_sd) < 1e-6, "run %u: %g, %g sds below", x->run, x->accuracy, x->sds_below);
    }
    CHECK(o.source_outliers[TN_VARY_INIT] == 2 && o.source_runs[TN_VARY_INIT] == 20 && o.source_outliers[TN_VARY_ORDER] == 0 &&
          o.source_runs[TN_VARY_ORDER] == 10, "init %u of %u, order %u of %u", o.source_outliers[TN_VARY_INIT],
          o.source_runs[TN_VARY_INIT], o.source_outliers[TN_VARY_ORDER], o.source_runs[TN_VARY_ORDER]);
    tn_outliers_free(&o);

    /* Without per-epoch figures the epoch is not known (0). */
    data.per_epoch = NULL;
    CHECK_OK(tn_outliers_find(&data, &o, &err), err);
    CHECK(o.n == 2 && o.run[0].from_epoch == 0 && o.epochs == 0, "no epochs: %u outliers, epoch %u", o.n, o.n ? o.run[0].from_epoch : 99);
    tn_outliers_free(&o);

    /* Runs that agree to the image (MAD 0): one 1 point lower on 10000 images is an outlier (the
     * sampling error is 0.21 points), on 1000 images (0.67) it is not. */
    for (uint32_t r = 0; r < RUNS; r++) acc[r] = 0.9531;
    acc[4] = 0.9431;
    data.n_test = 10000;
    CHECK_OK(tn_outliers_find(&data, &o, &err), err);
    CHECK(o.n == 1 && o.run[0].run == 4, "%u outliers, 1 point low on 10000 images", o.n);
    tn_outliers_free(&o);
    data.n_test = 1000;
    CHECK_OK(tn_outliers_find(&data, &o, &err), err);
    CHECK(o.n == 0, "%u outliers among runs that agree", o.n);
    tn_outliers_free(&o);

    /* Two runs make no band. */
    const double two[2] = {0.95, 0.10};
    data.acc = two;
    data.n_runs = 2;
    CHECK_OK(tn_outliers_find(&data, &o, &err), err);
    CHECK(o.n == 0, "%u outliers of two runs", o.n);
    tn_outliers_free(&o);
    return check_done("test_outliers");
}
