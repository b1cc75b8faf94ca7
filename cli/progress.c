/* The progress line (progress.h): on a terminal only, erased before anything else is printed. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

void progress_begin(progress_line *p, int wanted, const char *what, const char *unit) {
    p->on = wanted && isatty(STDERR_FILENO);
    p->what = what;
    p->unit = unit;
    p->started = wall_seconds();
    p->drawn_at = -1;
    p->width = 0;
}

/* "about 40 s left", "about 3 min left" */
static int time_left(char *buf, size_t cap, double seconds) {
    if (seconds < 90) return snprintf(buf, cap, ", about %.0f s left", seconds < 1 ? 1 : seconds);
    return snprintf(buf, cap, ", about %.0f min left", seconds / 60);
}

void progress_show(progress_line *p, uint64_t done, uint64_t total, const char *stage) {
    if (!p->on) return;
    double now = wall_seconds(), elapsed = now - p->started;
    if (p->drawn_at >= 0 && now - p->drawn_at < 0.2 && done < total) return;
    char line[160];
    int n = p->unit ? snprintf(line, sizeof line, "%s: %llu of %llu %s", p->what, (unsigned long long)done,
                               (unsigned long long)total, p->unit)
                    : snprintf(line, sizeof line, "%s: %.0f%% done", p->what, total ? 100.0 * done / total : 0.0);
    if (done > 0 && done < total && n < (int)sizeof line)
        n += time_left(line + n, sizeof line - n, elapsed * (double)(total - done) / (double)done);
    if (stage && *stage && n < (int)sizeof line) n += snprintf(line + n, sizeof line - n, " (%s)", stage);
    if (n >= (int)sizeof line) n = (int)sizeof line - 1;
    fprintf(stderr, "\r%s%*s", line, p->width > n ? p->width - n : 0, "");
    if (p->width > n) fprintf(stderr, "\r%s", line);
    fflush(stderr);
    p->width = n;
    p->drawn_at = now;
}

void progress_clear(progress_line *p) {
    if (!p->on || !p->width) return;
    fprintf(stderr, "\r%*s\r", p->width, "");
    fflush(stderr);
    p->width = 0;
}

void progress_call(const char *stage, uint64_t done, uint64_t total, void *user) {
    progress_show(user, done, total, stage);
}
