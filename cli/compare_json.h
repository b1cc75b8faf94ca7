/* JSON of compare and align (compare_json.c). */
#ifndef TN_COMPARE_JSON_H
#define TN_COMPARE_JSON_H

#include "json.h"
#include "twinnet.h"

/* The whole comparison as one object on standard output; curve (may be NULL): compare --curve's
 * profile of the bend at curve_path, as "curve" and "curve_barriers" (compare_curve.c). */
void print_compare_json(const tn_compare_result *r, const char *path_a, const char *path_b, double seconds,
                        const tn_curve_profile *curve, const char *curve_path);
/* Members "permutations" and "flips" (per hidden layer, for each unit of A), "moved", "flipped". */
void json_alignment(tn_json *j, const tn_alignment *al);

#endif
