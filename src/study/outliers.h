/* A sweep's outlier runs (outliers.c): runs whose final test accuracy lies far below that of the
 * other runs of their source, the digits each one fails, and the epoch from which it fell behind.
 * Robust statistics, so that the outliers themselves do not widen the band that finds them: the
 * median, and the standard deviation estimated from the median absolute deviation (sd = 1.4826
 * MAD, the standard deviation for normal data), never below the test set's own sampling error
 * sqrt(p (1 - p) / n) at the median p: runs closer than the test set can tell apart are never
 * outliers (a control's identical runs have MAD 0). Also a run's per-epoch figures. */
#ifndef TN_OUTLIERS_H
#define TN_OUTLIERS_H

#include "util.h"

#define TN_OUTLIER_SDS 3.0          /* an outlier lies more than this many robust sds below the median */
#define TN_OUTLIER_DIGITS 10

/* Median and robust sd (1.4826 MAD, at least min_sd) of the finite x[0..n-1]; *m: how many. */
void tn_robust_spread(const double *x, uint32_t n, double min_sd, double *median, double *sd, uint32_t *m);

typedef struct {
    uint32_t run;                              /* its index in the sweep */
    double accuracy;                           /* the model file's test accuracy (fraction) */
    double sds_below;                          /* (median - accuracy) / sd */
    uint32_t from_epoch;                       /* below its source's band from this epoch to the end; 0: not known */
    uint32_t failed;                           /* bit d: digit d is an outlier too, digit by digit */
    double digit_accuracy[TN_OUTLIER_DIGITS];  /* its accuracy on the test images of each digit */
} tn_outlier_run;

typedef struct {
    uint32_t n;                                /* outliers, in run order */
    tn_outlier_run *run;
    uint32_t epochs;                           /* per-epoch figures the runs' files hold (0: none) */
    /* per source: runs looked at (finished, not diverged), the median and sd of their accuracy (NaN
     * without runs), the outliers among them, and each digit's median accuracy over them */
    uint32_t source_runs[TN_VARY_COUNT], source_outliers[TN_VARY_COUNT];
    double median[TN_VARY_COUNT], sd[TN_VARY_COUNT];
    double digit_median[TN_VARY_COUNT][TN_OUTLIER_DIGITS];
} tn_outliers;

/* The rule on given numbers (a test can craft them): acc[r] each run's final accuracy (NaN: left
 * out) on n_test images, digit[r * 10 + d] its accuracy on the digit_images[d] images of digit d,
 * per_epoch[r * epochs + e] (may be NULL) its accuracy after epoch e + 1 (NaN: missing), source[r]
 * its source. A source needs three runs to make a band. Fills res (the caller frees). */
typedef struct {
    const double *acc, *digit, *per_epoch;
    uint32_t epochs, n_runs, n_test;
    uint32_t digit_images[TN_OUTLIER_DIGITS];
    const tn_vary *source;
} tn_outlier_data;
tn_status tn_outliers_find(const tn_outlier_data *data, tn_outliers *res, tn_error *err);
/* The same for a finished sweep: every run's model evaluated on test, its epochs read. */
tn_status tn_sweep_outliers(const tn_sweep *sw, const tn_dataset *test, int threads, tn_outliers *res, tn_error *err);
void tn_outliers_free(tn_outliers *res);
/* x in words, one line, as the sweep's table and the report say it: "init-003: test accuracy
 * 86.00%, 40 sd below the median; fails the digit 5 (0.0% right, median run 95.2%); below the
 * other runs from epoch 1 to the end". Returns the length (cut at cap). */
size_t tn_outlier_words(const tn_sweep *sw, const tn_outliers *o, const tn_outlier_run *x, char *buf, size_t cap);
/* A source's band in words: "init: 3 of 100 runs (median 95.20%, sd 0.21 points)". */
size_t tn_outlier_source_words(const tn_outliers *o, tn_vary v, char *buf, size_t cap);
/* The rule in words: "more than 3 sd below the median test accuracy of the runs of its source (sd
 * robust: 1.4826 times the median absolute deviation, at least the test set's sampling error)". */
extern const char tn_outlier_rule[];

/* Run r's test accuracy after each epoch, from DIR/NAME.epochs.jsonl: *accuracy (malloc'd,
 * *epochs entries, fractions); *diverged: the run's file ends with its "diverged" line. */
tn_status tn_sweep_run_epochs(const tn_sweep *sw, uint32_t r, double **accuracy, uint32_t *epochs, int *diverged,
                              tn_error *err);

#endif
