/* compare's text (cmd_compare.c): the answer first, then the key figures, raw against aligned (the
 * one alignment of every sentence: activation matching with sign flips where the activation has
 * them); --full adds every alignment method's distances, the findings one by one and the path. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "compare_json.h"

static void finding(const tn_compare_result *r, tn_finding f) {
    char line[2048];
    if (tn_compare_explain(r, f, line, sizeof line)) printf("%s\n", line);
}

/* The answer, its words wrapped at 100 columns (a terminal would break them anywhere). */
static void answer(const tn_compare_result *r) {
    char text[4096];
    size_t n = tn_compare_explain(r, TN_FINDING_ANSWER, text, sizeof text), column = 0;
    for (size_t k = 0; k < n;) {
        size_t len = strcspn(text + k, " ");
        if (column && column + 1 + len > 100) { printf("\n"); column = 0; }
        else if (column) { printf(" "); column++; }
        printf("%.*s", (int)len, text + k);
        column += len;
        k += len + strspn(text + k + len, " ");
    }
    printf("\n");
}

/* The arrangement of B the sentences call aligned (explain.c's one_view). */
static tn_view aligned_view(const tn_compare_result *r) {
    return r->view[TN_VIEW_ACTIVATIONS_FLIPS].done ? TN_VIEW_ACTIVATIONS_FLIPS
           : r->view[TN_VIEW_ACTIVATIONS].done     ? TN_VIEW_ACTIVATIONS
                                                   : TN_VIEW_RAW;
}

/* "0.577" or "0.577, 0.512": a figure per hidden layer. */
static void per_layer(const tn_compare_result *r, const double *value) {
    for (int l = 1; l + 1 < r->n_sizes; l++) printf("%s%.3f", l > 1 ? ", " : "", value[l]);
}

static void key_table(const tn_compare_result *r) {
    const tn_compare_view *raw = &r->view[TN_VIEW_RAW], *al = &r->view[aligned_view(r)];
    int hidden = r->n_sizes > 2, base = r->baseline_known && !r->absurd;
    printf("%-34s %10s %10s%s\n", "Key figures", "raw", hidden ? "aligned" : "", base ? "  two random networks" : "");
    /* the random pair's figure under the end of its heading */
    if (!r->absurd) {
        printf("%-34s %10.3f", "distance ||A - B|| / ||A||", raw->distance.total.relative);
        if (hidden) printf(" %10.3f", al->distance.total.relative);
        if (base) printf("%s %20.3f", hidden ? "" : "           ", r->baseline.total.relative);
        printf("\n");
    }
    printf("%-34s %10.4f", "barrier on the path: test cost", raw->cost_barrier);
    if (hidden) printf(" %10.4f", al->cost_barrier);
    printf("\n%-34s %10.2f", "barrier on the path: error points", 100 * raw->error_barrier);
    if (hidden) printf(" %10.2f", 100 * al->error_barrier);
    if (hidden && r->view[TN_VIEW_RAW].mean_correlation[1] != 0) {
        printf("\n%-34s %10.3f %10.3f", "matched units' mean correlation", raw->mean_correlation[1], al->mean_correlation[1]);
        if (r->n_sizes > 3) printf("   (layer 1)");
    }
    printf("\nagreement: the same digit on %u of %u test images (%.1f%%); accuracy A %.2f%%, B %.2f%%\n",
           r->test_total - r->disagree, r->test_total, 100.0 * (r->test_total - r->disagree) / r->test_total,
           100.0 * r->correct_a / r->test_total, 100.0 * r->correct_b / r->test_total);
    if (hidden) {
        printf("hidden representations: linear CKA ");
        per_layer(r, r->cka);
        if (r->baseline_known) {
            printf(" (two random networks: ");
            per_layer(r, r->cka_baseline);
            printf(")");
        }
        printf("\n");
    }
    if (hidden)
        printf("(aligned: B's hidden units matched to A's by their activations%s.\n"
               " Every alignment method, each finding and the path point by point: --full)\n",
               aligned_view(r) == TN_VIEW_ACTIVATIONS_FLIPS ? ", sign flips allowed" : "");
    else printf("(the findings one by one and the path point by point: --full)\n");
}

static void text_row(const char *label, const tn_distances *d, int n_sizes) {
    printf("%-27s", label);
    for (int l = 1; l < n_sizes; l++) printf(" %8.4f", d->layer[l].relative);
    double sq = d->total.l2 * d->total.l2;
    printf(" %8.4f %8.4f %9.4f %7.1f%%\n", d->total.relative, d->total.cosine, d->total.max_abs,
           sq > 0 ? 100 * d->total.blank_sq / sq : 0.0);
}

/* --full: every method's distances, each finding, the function, the path point by point. */
static void full_tables(const tn_compare_result *r) {
    static const char *const label[TN_VIEW_COUNT] = {"raw", "weight matching", "weight matching + flips",
                                                      "activation matching", "activation matching + flips"};
    printf("\n---- in full ----\n\n");
    if (!r->absurd) { /* absurd magnitudes: no table of meaningless distances (the first finding says so) */
        printf("Distance relative to ||A|| (max|a-b| absolute; blank: the share of the squared distance on weights from\n"
               "inputs that are 0 in every training image)\n%-27s", "");
        for (int l = 1; l < r->n_sizes; l++) printf("  layer %d", l);
        printf("    total   cosine  max|a-b|  blank\n");
        for (int v = 0; v < TN_VIEW_COUNT; v++)
            if (r->view[v].done) text_row(label[v], &r->view[v].distance, r->n_sizes);
        if (r->baseline_known) text_row("two fresh initialisations", &r->baseline, r->n_sizes);
        printf("\n");
    }
    for (tn_finding f = TN_FINDING_DISTANCE; f <= TN_FINDING_CORRELATION; f++) finding(r, f);
    printf("\nFunction on the %u test images\n", r->test_total);
    printf("  A: accuracy %.2f%%, cost %.5f   B: accuracy %.2f%%, cost %.5f\n", 100.0 * r->correct_a / r->test_total,
           r->cost_a, 100.0 * r->correct_b / r->test_total, r->cost_b);
    printf("  predictions differ on %u (%.2f%%); both wrong on %u, differently on %u; mean output distance %.4f\n",
           r->disagree, 100.0 * r->disagree / r->test_total, r->both_wrong, r->both_wrong_differently, r->output_distance);
    finding(r, TN_FINDING_FUNCTION);
    finding(r, TN_FINDING_REPRESENTATION);
    static const char *const short_label[TN_VIEW_COUNT] = {"raw", "weights", "weights+flips", "activations", "activ.+flips"};
    printf("\nStraight path from A (t=0) to B (t=1): test cost and error %%\n      t");
    for (int v = 0; v < TN_VIEW_COUNT; v++)
        if (r->view[v].done) printf(" %20s", short_label[v]);
    for (uint32_t k = 0; r->view[0].path && k < r->view[0].path_points; k++) {
        printf("\n%7.3f", r->view[0].path[k].t);
        for (int v = 0; v < TN_VIEW_COUNT; v++)
            if (r->view[v].done) printf("      %7.4f %6.2f%%", r->view[v].path[k].cost, 100 * r->view[v].path[k].error);
    }
    printf("\nbarrier");
    for (int v = 0; v < TN_VIEW_COUNT; v++)
        if (r->view[v].done) printf("      %7.4f %6.2f%%", r->view[v].cost_barrier, 100 * r->view[v].error_barrier);
    printf("\n");
    finding(r, TN_FINDING_PATH);
}

void print_compare_text(const tn_compare_result *r, const char *path_a, const char *path_b, int full) {
    printf("A = %s\nB = %s\n\n", path_a, path_b);
    answer(r);
    if (r->identical) return;   /* one network: nothing else to say */
    printf("\n");
    key_table(r);
    if (full) full_tables(r);
}
