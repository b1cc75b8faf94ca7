/* compare --json (cmd_compare.c): the library's text (tn_compare_json) on standard output. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "compare_json.h"

void print_compare_json(const tn_compare_result *r, const char *path_a, const char *path_b, double seconds) {
    char *text = tn_compare_json(r, path_a, path_b, seconds, NULL);
    if (!text) die(EXIT_RUNTIME, "compare: out of memory");
    fputs(text, stdout);
    free(text);
}
