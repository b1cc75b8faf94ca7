/* twinnet stability's outputs (stability_cli.h): the library's writers on stdout and in atomic files. */
#include <stdlib.h>

#include "json.h"
#include "outfile.h"
#include "stability_cli.h"
#include "stability_page.h"

typedef void (*file_writer)(FILE *f, const tn_stability *st, const tn_stab_cell *cells, uint32_t spe);

static void write_file(const char *path, file_writer w, const study *y, const tn_stab_cell *cells) {
    tn_outfile o;
    tn_error err;
    tn_status s = tn_out_open(&o, path, &err);
    if (s != TN_OK) die_err(s, &err);
    w(o.f, &y->st, cells, y->spe);
    if ((s = tn_out_commit(&o, &err)) != TN_OK) die_err(s, &err);
}

void stability_outputs(const study *y, const double *values) {
    uint32_t P = tn_stability_perturbations(&y->st);
    tn_stab_cell *cells = calloc((size_t)y->st.n_steps * P, sizeof *cells);
    if (!cells) die(EXIT_RUNTIME, "out of memory");
    tn_stability_table(&y->st, values, cells);
    if (y->csv) write_file(y->csv, tn_stability_write_csv, y, cells);
    if (y->report) write_file(y->report, tn_stability_page, y, cells);
    if (y->as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_stability_write_json(&j, &y->st, cells, y->spe);
        tn_json_end(&j);
    } else {
        tn_stability_write_text(stdout, &y->st, cells, y->spe);
        char *words = tn_stability_summary(&y->st, cells, y->spe);
        if (words) printf("\n%s\n", words);
        free(words);
    }
    free(cells);
}
