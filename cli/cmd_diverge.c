/* twinnet diverge TRACE_A TRACE_B: the first step at which two training runs differ, the last
 * at which they agreed, the first parameter that differs, and the distance ||A-B|| at every
 * common trace point: how a one-bit change grows through training. */
#include "cli.h"
#include "json.h"

static void help(void) {
    printf("usage: twinnet diverge TRACE_A TRACE_B [--json]\n"
           "The first step at which two training runs differ (traces from train --trace FILE), the\n"
           "last step at which they agreed, the first parameter that differs, and the distance\n"
           "between the runs at every trace point.\n\n"
           "  --json               one JSON object\n");
}

static void print_json(const tn_diverge_result *r) {
    tn_json j;
    tn_json_open(&j, stdout);
    if (r->diverged) tn_json_uint(&j, "first_diverging_step", r->first_diverging_step);
    else tn_json_null(&j, "first_diverging_step");
    if (r->has_last_equal) tn_json_uint(&j, "last_equal_step", r->last_equal_step);
    else tn_json_null(&j, "last_equal_step");
    if (r->diverged) {
        tn_json_object(&j, "first_difference");
        tn_json_uint(&j, "index", r->first_index);
        tn_json_uint(&j, "layer", (uint64_t)r->first_layer);
        tn_json_string(&j, "tensor", r->first_is_bias ? "b" : "W");
        tn_json_uint(&j, "row", r->first_row);
        tn_json_uint(&j, "col", r->first_col);
        tn_json_number(&j, "a", r->first_a);
        tn_json_number(&j, "b", r->first_b);
        tn_json_end(&j);
    }
    tn_json_array(&j, "distance");
    for (size_t i = 0; i < r->n_points; i++) {
        const tn_diverge_point *p = &r->points[i];
        tn_json_object(&j, NULL);
        tn_json_uint(&j, "step", p->step);
        tn_json_uint(&j, "epoch", p->epoch);
        tn_json_bool(&j, "equal", p->equal);
        tn_json_number(&j, "l2", p->l2);
        tn_json_number(&j, "relative", p->relative);
        tn_json_number(&j, "max_abs", p->max_abs);
        tn_json_uint(&j, "differing", p->differing);
        tn_json_end(&j);
    }
    tn_json_end(&j);
    tn_json_end(&j);
}

static void print_text(const tn_diverge_result *r) {
    uint64_t n_params = tn_params_count(r->sizes, r->n_sizes);
    if (!r->diverged) {
        printf("The runs agree bit for bit at all %zu common trace points (last step %llu).\n", r->n_points,
               (unsigned long long)r->points[r->n_points - 1].step);
    } else {
        printf("First diverging step: %llu", (unsigned long long)r->first_diverging_step);
        if (r->has_last_equal) printf(" (last equal step: %llu)\n", (unsigned long long)r->last_equal_step);
        else printf(" (the runs differ from their first common trace point)\n");
        if (r->first_is_bias)
            printf("First difference: layer %d bias b[%u] (index %llu): %.9g vs %.9g\n", r->first_layer, r->first_row,
                   (unsigned long long)r->first_index, (double)r->first_a, (double)r->first_b);
        else
            printf("First difference: layer %d weight W[%u][%u] (index %llu): %.9g vs %.9g\n", r->first_layer,
                   r->first_row, r->first_col, (unsigned long long)r->first_index, (double)r->first_a, (double)r->first_b);
    }
    printf("%10s %6s %14s %12s %12s %12s\n", "step", "epoch", "||A-B||", "relative", "max |a-b|", "differing");
    for (size_t i = 0; i < r->n_points; i++) {
        const tn_diverge_point *p = &r->points[i];
        printf("%10llu %6u %14.6g %12.4g %12.4g %12llu / %llu\n", (unsigned long long)p->step, p->epoch, p->l2,
               p->relative, p->max_abs, (unsigned long long)p->differing, (unsigned long long)n_params);
    }
}

int cmd_diverge(int argc, char **argv) {
    const char *paths[2] = {NULL, NULL};
    int n_paths = 0, as_json = 0;
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) { if (n_paths == 2) usage_error("unexpected argument '%s'", pos); paths[n_paths++] = pos; }
        else if (args_is(&a, "--help")) { help(); return 0; }
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else args_unknown(&a);
    }
    if (n_paths != 2) usage_error("needs two trace files");
    tn_diverge_result r;
    tn_error err;
    tn_status s = tn_diverge(paths[0], paths[1], &r, &err);
    if (s != TN_OK) die_err(s, &err);
    if (as_json) print_json(&r);
    else print_text(&r);
    tn_diverge_result_free(&r);
    return 0;
}
