/* compare --json (tn_compare_json): one object with DESIGN.md's fields (raw.relative_distance,
 * weight_matching.{relative_distance,permutations}, activation_matching, disagreement, cka,
 * barrier.{raw,weight_matching,activation_matching}) and everything else compare measures. */
#include <stdio.h>

#include "study_json.h"

static void json_distance(tn_json *j, const char *key, const tn_distance *d) {
    tn_json_object(j, key);
    tn_json_number(j, "relative_distance", d->relative);
    tn_json_number(j, "l2", d->l2);
    tn_json_number(j, "norm_a", d->norm_a);
    tn_json_number(j, "norm_b", d->norm_b);
    tn_json_number(j, "cosine", d->cosine);
    tn_json_number(j, "max_abs", d->max_abs);
    tn_json_number(j, "blank_share", d->l2 > 0 ? d->blank_sq / (d->l2 * d->l2) : 0.0);
    tn_json_end(j);
}

static void json_distances(tn_json *j, const tn_distances *d, int n_sizes) {
    tn_json_number(j, "relative_distance", d->total.relative);
    json_distance(j, "total", &d->total);
    tn_json_array(j, "layers");
    for (int l = 1; l < n_sizes; l++) json_distance(j, NULL, &d->layer[l]);
    tn_json_end(j);
}

static void json_hidden(tn_json *j, const char *key, const double *per_layer, int n_sizes) {
    tn_json_array(j, key);
    for (int l = 1; l + 1 < n_sizes; l++) tn_json_number(j, NULL, per_layer[l]);
    tn_json_end(j);
}

void json_alignment(tn_json *j, const tn_alignment *al) {
    for (int flips = 0; flips < 2; flips++) {
        tn_json_array(j, flips ? "flips" : "permutations");
        for (int l = 1; l + 1 < al->n_sizes; l++) {
            tn_json_array(j, NULL);
            for (uint32_t i = 0; i < al->sizes[l]; i++) tn_json_uint(j, NULL, flips ? al->flip[l][i] : al->perm[l][i]);
            tn_json_end(j);
        }
        tn_json_end(j);
    }
    tn_json_uint(j, "moved", al->moved);
    tn_json_uint(j, "flipped", al->flipped);
}

static void json_view(tn_json *j, const tn_compare_result *r, tn_view which) {
    const tn_compare_view *v = &r->view[which];
    if (!v->done) { tn_json_null(j, tn_view_names[which]); return; }
    tn_json_object(j, tn_view_names[which]);
    json_distances(j, &v->distance, r->n_sizes);
    json_alignment(j, &v->alignment);
    tn_json_uint(j, "sweeps", v->alignment.sweeps);
    tn_json_bool(j, "converged", v->alignment.converged);
    json_hidden(j, "similarity", v->alignment.similarity, r->n_sizes);
    json_hidden(j, "mean_correlation", v->mean_correlation, r->n_sizes);
    tn_json_array(j, "path");
    for (uint32_t k = 0; k < v->path_points; k++) {
        tn_json_object(j, NULL);
        tn_json_number(j, "t", v->path[k].t);
        tn_json_number(j, "cost", v->path[k].cost);
        tn_json_number(j, "error", v->path[k].error);
        tn_json_end(j);
    }
    tn_json_end(j);
    tn_json_number(j, "cost_barrier", v->cost_barrier);
    tn_json_number(j, "error_barrier", v->error_barrier);
    tn_json_end(j);
}

static void json_barriers(tn_json *j, const char *key, const tn_compare_result *r, int error) {
    tn_json_object(j, key);
    for (int v = 0; v < TN_VIEW_COUNT; v++)
        if (r->view[v].done) tn_json_number(j, tn_view_names[v], error ? r->view[v].error_barrier : r->view[v].cost_barrier);
        else tn_json_null(j, tn_view_names[v]);
    tn_json_end(j);
}

/* What depends on what is known (the provenance): a figure not measured is null, with a reason. */
static void known_json(tn_json *j, const tn_compare_result *r) {
    char line[2048];
    tn_json_bool(j, "identical", r->identical);
    tn_json_bool(j, "absurd", r->absurd);
    tn_json_number(j, "max_abs_parameter_a", r->max_param_a);
    tn_json_number(j, "max_abs_parameter_b", r->max_param_b);
    if (r->absurd) {
        tn_compare_result words = *r;
        words.identical = 0;   /* the distance finding says why no distance is meaningful */
        tn_compare_explain(&words, TN_FINDING_DISTANCE, line, sizeof line);
        tn_json_string(j, "absurd_reason", line);
    }
    tn_json_string(j, "start_a_known_from", tn_start_known_names[r->start_how_a]);
    tn_json_string(j, "start_b_known_from", tn_start_known_names[r->start_how_b]);
    if (r->baseline_known) {
        tn_json_object(j, "baseline");
        json_distances(j, &r->baseline, r->n_sizes);
        json_hidden(j, "cka", r->cka_baseline, r->n_sizes);
        tn_json_end(j);
        tn_json_string(j, "baseline_init", tn_init_name(r->baseline_init));
    } else {
        tn_json_null(j, "baseline");
        if (!r->init_known_a || !r->init_known_b)
            snprintf(line, sizeof line, "the initialisation that drew %s is not known", !r->init_known_a ? r->name_a : r->name_b);
        else snprintf(line, sizeof line, "%s was drawn by the %s initialisation and %s by the %s one", r->name_a,
                      tn_init_name(r->init_a), r->name_b, tn_init_name(r->init_b));
        tn_json_string(j, "baseline_reason", line);
    }
    if (r->start_known_a && r->start_known_b) json_distance(j, "start", &r->start);
    else tn_json_null(j, "start");
    if (r->start_known_a) json_distance(j, "travel_a", &r->travel_a);
    else tn_json_null(j, "travel_a");
    if (r->start_known_b) json_distance(j, "travel_b", &r->travel_b);
    else tn_json_null(j, "travel_b");
    if (r->start_known_a && r->start_known_b) tn_json_number(j, "start_cosine", r->start_cosine);
    else {
        tn_json_null(j, "start_cosine");
        tn_compare_result words = *r;
        words.identical = 0;
        tn_compare_explain(&words, TN_FINDING_START, line, sizeof line);
        tn_json_string(j, "start_reason", line);
    }
}

void tn_compare_json_members(tn_json *j, const tn_compare_result *r, const char *path_a, const char *path_b) {
    tn_json_string(j, "a", path_a);
    tn_json_string(j, "b", path_b);
    tn_json_array(j, "sizes");
    for (int l = 0; l < r->n_sizes; l++) tn_json_uint(j, NULL, r->sizes[l]);
    tn_json_end(j);
    tn_json_string(j, "activation", tn_activation_name(r->activation));
    for (int v = 0; v < TN_VIEW_COUNT; v++) json_view(j, r, (tn_view)v);
    known_json(j, r);
    if (!r->has_train) tn_json_null(j, "blank");
    else {
        tn_json_object(j, "blank");
        tn_json_uint(j, "inputs", r->n_blank);
        tn_json_uint(j, "weights", r->blank_weights);
        tn_json_uint(j, "train_examples", r->train_examples);
        if (r->start_known_a) tn_json_uint(j, "at_init_a", r->blank_at_init_a);
        else tn_json_null(j, "at_init_a");
        if (r->start_known_b) tn_json_uint(j, "at_init_b", r->blank_at_init_b);
        else tn_json_null(j, "at_init_b");
        tn_json_end(j);
    }
    tn_json_uint(j, "test_total", r->test_total);
    tn_json_number(j, "accuracy_a", (double)r->correct_a / r->test_total);
    tn_json_number(j, "accuracy_b", (double)r->correct_b / r->test_total);
    tn_json_number(j, "cost_a", r->cost_a);
    tn_json_number(j, "cost_b", r->cost_b);
    tn_json_number(j, "disagreement", (double)r->disagree / r->test_total);
    tn_json_uint(j, "disagree", r->disagree);
    tn_json_uint(j, "both_wrong", r->both_wrong);
    tn_json_uint(j, "both_wrong_differently", r->both_wrong_differently);
    tn_json_number(j, "output_distance", r->output_distance);
    json_hidden(j, "cka", r->cka, r->n_sizes);
    json_barriers(j, "barrier", r, 0);
    json_barriers(j, "error_barrier", r, 1);
    tn_json_object(j, "findings");
    char line[2048];
    for (int f = 0; f < TN_FINDING_COUNT; f++)
        if (tn_compare_explain(r, (tn_finding)f, line, sizeof line)) tn_json_string(j, tn_finding_names[f], line);
    tn_json_end(j);
}

char *tn_compare_json(const tn_compare_result *r, const char *path_a, const char *path_b, double seconds, size_t *size) {
    tn_json j;
    tn_json_begin_mem(&j);
    tn_json_object(&j, NULL);
    tn_compare_json_members(&j, r, path_a, path_b);
    tn_json_number(&j, "seconds", seconds);
    tn_json_end(&j);
    size_t n;
    char *text = tn_json_take(&j, &n);
    if (size) *size = text ? n : 0;
    return text;
}
