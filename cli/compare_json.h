/* JSON of compare and align (the library writes compare's: src/study/compare_json.c), and
 * compare's text (compare_text.c). */
#ifndef TN_COMPARE_JSON_H
#define TN_COMPARE_JSON_H

#include "study_json.h"

/* The whole comparison as one object on standard output; curve (may be NULL): compare --curve's
 * profile of the bend at curve_path, as "curve" and "curve_barriers" (compare_curve.c). */
void print_compare_json(const tn_compare_result *r, const char *path_a, const char *path_b, double seconds,
                        const tn_curve_profile *curve, const char *curve_path);
/* The answer, then the key figures (raw and aligned); full: every method, finding and path point. */
void print_compare_text(const tn_compare_result *r, const char *path_a, const char *path_b, int full);

#endif
