/* "Did you mean": the nearest of a list of names to a word typed wrong, for unknown commands
 * (main.c) and options (args_unknown: the names the command's parser compared the option with). */
#include <string.h>

#include "cli.h"

/* Edit distance of two short strings: insertions, deletions, substitutions and swaps of two
 * neighbours ("trian" is 1 from "train"); longer than 64 characters: a large number. */
static size_t edit_distance(const char *x, const char *y) {
    size_t nx = strlen(x), ny = strlen(y), d[65][65];
    if (nx > 64 || ny > 64) return 1000;
    for (size_t i = 0; i <= nx; i++)
        for (size_t j = 0; j <= ny; j++) {
            if (i == 0 || j == 0) { d[i][j] = i + j; continue; }
            size_t best = d[i - 1][j - 1] + (x[i - 1] != y[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[nx][ny];
}

const char *closest_name(const char *word, const char *const *names, int count) {
    const char *best = NULL;
    size_t best_d = (strlen(word) + 2) / 3 + 1; /* at most a third of the word: a near miss, never a wild guess */
    for (int k = 0; k < count; k++) {
        size_t d = edit_distance(word, names[k]);
        if (d < best_d) { best = names[k]; best_d = d; }
    }
    return best;
}

void args_unknown(const args *a) {
    const char *near = closest_name(a->name, a->asked, a->n_asked);
    if (!near) near = closest_name(a->name, (const char *const[]){"--help"}, 1);
    if (near) usage_error("unknown option '%s'; did you mean '%s'?", a->name, near);
    usage_error("unknown option '%s'", a->name);
}
