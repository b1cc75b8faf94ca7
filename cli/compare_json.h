/* JSON of compare and align: the library writes it (src/study/compare_json.c), compare_json.c prints it. */
#ifndef TN_COMPARE_JSON_H
#define TN_COMPARE_JSON_H

#include "study_json.h"

/* The whole comparison as one object on standard output. */
void print_compare_json(const tn_compare_result *r, const char *path_a, const char *path_b, double seconds);

#endif
