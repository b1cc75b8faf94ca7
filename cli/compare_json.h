/* JSON of compare and align (compare_json.c), and compare's text (compare_text.c). */
#ifndef TN_COMPARE_JSON_H
#define TN_COMPARE_JSON_H

#include "json.h"
#include "twinnet.h"

/* The whole comparison as one object on standard output. */
void print_compare_json(const tn_compare_result *r, const char *path_a, const char *path_b, double seconds);
/* Members "permutations" and "flips" (per hidden layer, for each unit of A), "moved", "flipped". */
void json_alignment(tn_json *j, const tn_alignment *al);
/* The answer, then the key figures (raw and aligned); full: every method, finding and path point. */
void print_compare_text(const tn_compare_result *r, const char *path_a, const char *path_b, int full);

#endif
