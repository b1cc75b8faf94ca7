/* compare --json (cmd_compare.c): the library's members (tn_compare_json_members, as tn_compare_json
 * writes them), then compare --curve's, then "seconds". */
#include <stdio.h>

#include "cli.h"
#include "compare_curve.h"
#include "compare_json.h"
#include "json.h"

void print_compare_json(const tn_compare_result *r, const char *path_a, const char *path_b, double seconds,
                        const tn_curve_profile *curve, const char *curve_path) {
    tn_json j;
    tn_json_begin(&j, stdout);
    tn_json_object(&j, NULL);
    tn_compare_json_members(&j, r, path_a, path_b);
    if (curve) json_curve_compare(&j, r, curve, curve_path);   /* compare --curve BEND */
    tn_json_number(&j, "seconds", seconds);
    tn_json_end(&j);
}
