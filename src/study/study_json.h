/* JSON members that compare's writer (compare_json.c, tn_compare_json) shares with the command
 * line's align --json. Internal header. */
#ifndef TN_STUDY_JSON_H
#define TN_STUDY_JSON_H

#include "json.h"
#include "twinnet.h"

/* Members "permutations" and "flips" (per hidden layer, for each unit of A), "moved", "flipped". */
void json_alignment(tn_json *j, const tn_alignment *al);

/* Every member of compare --json but "seconds", into an open object (tn_compare_json closes it;
 * compare --curve adds its members first). */
void tn_compare_json_members(tn_json *j, const tn_compare_result *r, const char *path_a, const char *path_b);

#endif
