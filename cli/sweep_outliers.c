/* After a sweep's table: its outlier runs named (src/study/outliers.c), each with the digits it
 * fails and the epoch from which it fell behind, and how often each source made one. Text only:
 * --json output stays the table's. */
#include "outliers.h"
#include "sweep.h"

void sweep_outliers(const tn_sweep *sw, const tn_dataset *test, const sweep_view *v) {
    if (v->as_json) return;
    tn_outliers o;
    tn_error err;
    char line[1024];
    if (tn_sweep_outliers(sw, test, v->table.threads, &o, &err) != TN_OK) {
        fprintf(stderr, "twinnet: outlier runs not looked for: %s\n", err.msg);
        return;
    }
    printf("outlier runs (%s): %s\n", tn_outlier_rule, o.n ? "" : "none");
    for (uint32_t k = 0; k < o.n; k++) {
        tn_outlier_words(sw, &o, &o.run[k], line, sizeof line);
        printf("  %s\n", line);
    }
    for (int k = 0; k < sw->n_sources; k++) {
        tn_outlier_source_words(&o, sw->sources[k], line, sizeof line);
        printf("%s%s", k ? "; " : "  ", line);
    }
    printf("\n");
    tn_outliers_free(&o);
}
