/* compare --curve BEND and connect's profile (compare_curve.c): the bend loaded and checked against
 * A and B, its profile measured, and printed beside the straight paths (text and JSON). */
#ifndef TN_COMPARE_CURVE_H
#define TN_COMPARE_CURVE_H

#include "json.h"
#include "twinnet.h"

/* Loads BEND, checks it joins a and b, measures its profile at K+1 points on test: exits with the
 * library's one line otherwise (exit 1). */
void compare_curve_measure(const char *path, const tn_model *a, const tn_model *b, const tn_dataset *test, uint32_t points,
                           int threads, tn_curve_profile *prof);
/* The aligned straight path compare sets beside the curve: activation matching with sign flips
 * (without, where the activation has no sign symmetry). */
const tn_compare_view *compare_aligned_view(const tn_compare_result *r);
/* Largest test error along the profile (a fraction). */
double curve_max_error(const tn_curve_profile *prof);
/* The text block: the three profiles side by side, their barriers, the answer. */
void print_curve_text(const tn_compare_result *r, const tn_curve_profile *prof, const char *path);
/* Member key: [{"t", "cost", "error"}, ...]: a path's n points (compare's straight paths, a curve). */
void json_path_points(tn_json *j, const char *key, const tn_path_point *p, uint32_t n);
/* Member key: {"bend", "type", "align", "path": [{t, cost, error}...], "cost_barrier", "error_barrier",
 * "finite", "answer"}; bend may be NULL (not written). */
void json_curve_profile(tn_json *j, const char *key, const tn_curve_profile *prof, const char *bend);
/* compare --json's "curve" member: the profile, and the barriers of the three paths side by side. */
void json_curve_compare(tn_json *j, const tn_compare_result *r, const tn_curve_profile *prof, const char *bend);

#endif
