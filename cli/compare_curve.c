/* compare --curve BEND (and connect's closing profile): the curve's profile beside the straight
 * path's, raw and aligned, in text and JSON. The library measures (tn_curve_profile_measure). */
#include <stdlib.h>

#include "cli.h"
#include "compare_curve.h"

void compare_curve_measure(const char *path, const tn_model *a, const tn_model *b, const tn_dataset *test, uint32_t points,
                           int threads, tn_curve_profile *prof) {
    tn_model bend;
    tn_error err;
    load_model(path, &bend);
    tn_status s = tn_curve_profile_measure(a, b, &bend, test, points, threads, path, prof, &err);
    tn_model_free(&bend);
    if (s == TN_ERR_ARG) die(EXIT_RUNTIME, "%s", err.msg);
    if (s != TN_OK) die_err(s, &err);
}

const tn_compare_view *compare_aligned_view(const tn_compare_result *r) {
    if (r->view[TN_VIEW_ACTIVATIONS_FLIPS].done) return &r->view[TN_VIEW_ACTIVATIONS_FLIPS];
    return r->view[TN_VIEW_ACTIVATIONS].done ? &r->view[TN_VIEW_ACTIVATIONS] : NULL;
}

double curve_max_error(const tn_curve_profile *prof) {
    double top = 0.0;
    for (uint32_t k = 0; k < prof->path_points; k++)
        if (prof->path[k].error > top) top = prof->path[k].error;
    return top;
}

void print_curve_text(const tn_compare_result *r, const tn_curve_profile *prof, const char *path) {
    const tn_compare_view *raw = r->view[TN_VIEW_RAW].done ? &r->view[TN_VIEW_RAW] : NULL, *al = compare_aligned_view(r);
    const tn_compare_view *straight[2] = {raw, al};
    char sentence[512];
    printf("\nCurve %s: %s, B %s\n", path, tn_curve_type_names[prof->type],
           prof->align == TN_CURVE_ALIGN_NONE ? "as it is (raw)"
           : prof->align == TN_CURVE_ALIGN_WEIGHTS ? "aligned by weight matching"
                                                   : "aligned (hidden units matched by their activations, sign flips allowed)");
    printf("Test cost and error %% from A (t=0) to B (t=1)\n      t      straight, raw  straight, aligned              curve");
    for (uint32_t k = 0; k < prof->path_points; k++) {
        printf("\n%7.3f", prof->path[k].t);
        for (int v = 0; v < 2; v++) {
            const tn_compare_view *s = straight[v];
            if (s && s->path_points == prof->path_points) printf("  %9.4f %6.2f%%", s->path[k].cost, 100 * s->path[k].error);
            else printf("  %17s", "-");
        }
        printf("  %9.4f %6.2f%%", prof->path[k].cost, 100 * prof->path[k].error);
    }
    printf("\nbarrier");
    for (int v = 0; v < 2; v++)
        if (straight[v]) printf("  %9.4f %6.2f ", straight[v]->cost_barrier, 100 * straight[v]->error_barrier);
        else printf("  %17s", "-");
    printf("  %9.4f %6.2f  (cost; error in points)\n", prof->cost_barrier, 100 * prof->error_barrier);
    tn_curve_sentence(prof, sentence, sizeof sentence);
    printf("%s\n", sentence);
}

void json_path_points(tn_json *j, const char *key, const tn_path_point *p, uint32_t n) {
    tn_json_array(j, key);
    for (uint32_t k = 0; k < n; k++) {
        tn_json_object(j, NULL);
        tn_json_number(j, "t", p[k].t);
        tn_json_number(j, "cost", p[k].cost);
        tn_json_number(j, "error", p[k].error);
        tn_json_end(j);
    }
    tn_json_end(j);
}

void json_curve_profile(tn_json *j, const char *key, const tn_curve_profile *prof, const char *bend) {
    char sentence[512];
    tn_json_object(j, key);
    if (bend) tn_json_string(j, "bend", bend);
    tn_json_string(j, "type", tn_curve_type_names[prof->type]);
    tn_json_string(j, "align", tn_curve_align_names[prof->align]);
    json_path_points(j, "path", prof->path, prof->path_points);
    tn_json_number(j, "cost_barrier", prof->cost_barrier);
    tn_json_number(j, "error_barrier", prof->error_barrier);
    tn_json_number(j, "max_error", curve_max_error(prof));
    tn_json_bool(j, "finite", prof->finite);
    tn_curve_sentence(prof, sentence, sizeof sentence);
    tn_json_string(j, "answer", sentence);
    tn_json_end(j);
}

static void json_barrier_pair(tn_json *j, const char *key, double cost, double error) {
    tn_json_object(j, key);
    tn_json_number(j, "cost", cost);
    tn_json_number(j, "error", error);
    tn_json_end(j);
}

void json_curve_compare(tn_json *j, const tn_compare_result *r, const tn_curve_profile *prof, const char *bend) {
    const tn_compare_view *raw = &r->view[TN_VIEW_RAW], *al = compare_aligned_view(r);
    json_curve_profile(j, "curve", prof, bend);
    tn_json_object(j, "curve_barriers");
    if (raw->done) json_barrier_pair(j, "straight_raw", raw->cost_barrier, raw->error_barrier);
    else tn_json_null(j, "straight_raw");
    if (al) json_barrier_pair(j, "straight_aligned", al->cost_barrier, al->error_barrier);
    else tn_json_null(j, "straight_aligned");
    json_barrier_pair(j, "curve", prof->cost_barrier, prof->error_barrier);
    tn_json_end(j);
}
