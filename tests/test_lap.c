/* tn_lap_solve: hand-made costs with a known optimum, every injection tried for random sizes up
 * to 7, maximising against minimising the negated costs, determinism, and the refusals.
 * With arguments it is also the driver of tests/t_lap_scipy.py and bench/lap_bench.py:
 *   test_lap --solve FILE    FILE: "rows cols maximise" then the costs; prints the total (%.17g)
 *                            and the column of every row, on one line
 *   test_lap --bench N REPS  solves REPS random N x N costs (uniform [0,1) from xorshift64*,
 *                            seed = repetition) and prints the median milliseconds */
#include <string.h>
#include <time.h>

#include "check.h"
#include "lap.h"

#define MAX_BRUTE 7 /* sides tried by brute force: 7! = 5040 assignments */

/* xorshift64* (Vigna 2016): the tests' and the benchmark's own generator. */
static uint64_t xorshift64s(uint64_t *state) {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545F4914F6CDD1Dull;
}
static double uniform01(uint64_t *state) { return (double)(xorshift64s(state) >> 11) * 0x1p-53; }

/* The columns are distinct and below n_cols; the total is their costs summed in row order. */
static int is_assignment(const double *cost, uint32_t n_rows, uint32_t n_cols, const uint32_t *col_of_row,
                         double total) {
    uint8_t used[64] = {0};
    double sum = 0.0;
    for (uint32_t i = 0; i < n_rows; i++) {
        uint32_t c = col_of_row[i];
        if (c >= n_cols || c >= 64 || used[c]) return 0;
        used[c] = 1;
        sum += cost[i * n_cols + c];
    }
    return sum == total;
}

/* Smallest row-order sum over every injection of rows [row, n_rows) into the unused columns. */
static double brute_min(const double *cost, uint32_t n_rows, uint32_t n_cols, uint32_t row, uint8_t *used,
                        double partial) {
    if (row == n_rows) return partial;
    double best = INFINITY;
    for (uint32_t c = 0; c < n_cols; c++) {
        if (used[c]) continue;
        used[c] = 1;
        double t = brute_min(cost, n_rows, n_cols, row + 1, used, partial + cost[row * n_cols + c]);
        used[c] = 0;
        if (t < best) best = t;
    }
    return best;
}

/* Solves and checks that the result is an assignment whose total is want (exactly, or within
 * tolerance relative to 1 + |want|), and that the assignment is the wanted one if one is given. */
static void check_case(const char *name, const double *cost, uint32_t n_rows, uint32_t n_cols, int maximise,
                       double want, double tolerance, const uint32_t *want_cols) {
    uint32_t cols[64];
    double total = NAN;
    tn_error err = {{0}};
    CHECK_OK(tn_lap_solve(cost, n_rows, n_cols, maximise, cols, &total, &err), err);
    CHECK(is_assignment(cost, n_rows, n_cols, cols, total), "%s: not an assignment with total %.17g", name, total);
    CHECK(fabs(total - want) <= tolerance * (1.0 + fabs(want)), "%s: total %.17g, want %.17g", name, total, want);
    for (uint32_t i = 0; want_cols && i < n_rows; i++)
        CHECK(cols[i] == want_cols[i], "%s: row %u -> column %u, want %u", name, i, cols[i], want_cols[i]);
}

static void check_known(void) {
    enum { N = 6 };
    double cost[N * N];
    uint32_t want[N];
    for (uint32_t i = 0; i < N; i++)
        for (uint32_t j = 0; j < N; j++) cost[i * N + j] = i == j ? 0.0 : 1.0 + i + j;
    for (uint32_t i = 0; i < N; i++) want[i] = i;
    check_case("identity", cost, N, N, 0, 0.0, 0.0, want);
    for (uint32_t i = 0; i < N; i++)
        for (uint32_t j = 0; j < N; j++) cost[i * N + j] = i + j == N - 1 ? 2.5 : 1.0;
    for (uint32_t i = 0; i < N; i++) want[i] = N - 1 - i;
    check_case("anti-diagonal, maximised", cost, N, N, 1, 2.5 * N, 0.0, want);
    for (uint32_t i = 0; i < N; i++)
        for (uint32_t j = 0; j < N; j++) cost[i * N + j] = 7.0;
    for (uint32_t i = 0; i < N; i++) want[i] = i; /* every tie to the lowest column */
    check_case("all equal", cost, N, N, 0, 7.0 * N, 0.0, want);
    check_case("all equal, maximised", cost, N, N, 1, 7.0 * N, 0.0, want);

    const double one[1] = {-3.5};
    check_case("1 x 1", one, 1, 1, 0, -3.5, 0.0, (const uint32_t[]){0});
    const double row[4] = {4.0, -1.0, 2.0, -1.0};
    check_case("1 x 4", row, 1, 4, 0, -1.0, 0.0, (const uint32_t[]){1});
    check_case("1 x 4, maximised", row, 1, 4, 1, 4.0, 0.0, (const uint32_t[]){0});
    /* Greedy row by row takes 1 + 10; the optimum gives row 0 its second choice. */
    const double greedy[4] = {1.0, 2.0, 1.0, 10.0};
    check_case("greedy trap", greedy, 2, 2, 0, 3.0, 0.0, (const uint32_t[]){1, 0});
    const double wide[6] = {5.0, 1.0, 4.0, 2.0, 0.0, 6.0}; /* 1 + 2 = 3; the next best is 4 */
    check_case("2 x 3", wide, 2, 3, 0, 3.0, 0.0, (const uint32_t[]){1, 0});
    check_case("2 x 3, maximised", wide, 2, 3, 1, 11.0, 0.0, (const uint32_t[]){0, 2});

    uint32_t untouched[1] = {12345};
    double total = -1.0;
    tn_error err = {{0}};
    CHECK_OK(tn_lap_solve(NULL, 0, 5, 0, untouched, &total, &err), err);
    CHECK(total == 0.0 && untouched[0] == 12345, "0 x 5: total %g, col_of_row[0] = %u", total, untouched[0]);
    total = -1.0;
    CHECK_OK(tn_lap_solve(NULL, 0, 0, 1, NULL, &total, &err), err);
    CHECK(total == 0.0, "0 x 0: total %g", total);
    CHECK_OK(tn_lap_solve(one, 1, 1, 0, untouched, NULL, &err), err); /* total is optional */
    CHECK(untouched[0] == 0, "1 x 1 without total: column %u", untouched[0]);
}

/* A planted injection of zero costs among costs of 1 to 5 is the only optimum: every width 1 to
 * 40 (whole blocks of 8 columns and every partial last block), square and wide, minimised, and
 * maximised with the costs negated. */
static void check_planted(void) {
    enum { MAX_SIDE = 40 };
    static double cost[MAX_SIDE * MAX_SIDE], negated[MAX_SIDE * MAX_SIDE];
    uint64_t state = 0xA5A5A5A5ull;
    for (uint32_t n_cols = 1; n_cols <= MAX_SIDE; n_cols++) {
        const uint32_t heights[3] = {n_cols, n_cols > 1 ? n_cols - 1 : 1, (n_cols + 1) / 2};
        for (int h = 0; h < 3; h++) {
            uint32_t n_rows = heights[h];
            uint32_t perm[MAX_SIDE];
            for (uint32_t j = 0; j < n_cols; j++) perm[j] = j;
            for (uint32_t j = n_cols - 1; j > 0; j--) { /* Fisher-Yates */
                uint32_t r = (uint32_t)(xorshift64s(&state) % (j + 1)), t = perm[j];
                perm[j] = perm[r], perm[r] = t;
            }
            for (uint32_t i = 0; i < n_rows; i++)
                for (uint32_t j = 0; j < n_cols; j++) {
                    cost[i * n_cols + j] = j == perm[i] ? 0.0 : (double)(1 + xorshift64s(&state) % 5);
                    negated[i * n_cols + j] = -cost[i * n_cols + j];
                }
            char name[64];
            snprintf(name, sizeof name, "planted %u x %u", n_rows, n_cols);
            check_case(name, cost, n_rows, n_cols, 0, 0.0, 0.0, perm);
            check_case(name, negated, n_rows, n_cols, 1, 0.0, 0.0, perm);
        }
    }
}

/* Random sizes up to MAX_BRUTE, square and wide, with float costs and with small integers (ties
 * everywhere): the total must be the brute-force minimum, exactly for integers. Maximising the
 * costs must pick the same columns as minimising their negation, and a second solve the same. */
static void check_brute_force(void) {
    uint64_t state = 0x5DEECE66Dull;
    int cases = 0;
    for (int t = 0; t < 600; t++) {
        uint32_t n_rows = 1 + (uint32_t)(xorshift64s(&state) % MAX_BRUTE);
        uint32_t n_cols = t % 2 ? n_rows : n_rows + (uint32_t)(xorshift64s(&state) % (MAX_BRUTE + 1 - n_rows));
        int integers = t % 3 != 0;
        uint64_t levels = 1 + xorshift64s(&state) % 4;
        double cost[MAX_BRUTE * MAX_BRUTE], negated[MAX_BRUTE * MAX_BRUTE];
        for (uint32_t k = 0; k < n_rows * n_cols; k++) {
            cost[k] = integers ? (double)(xorshift64s(&state) % levels) : uniform01(&state) * 200.0 - 100.0;
            negated[k] = -cost[k];
        }
        char name[80];
        snprintf(name, sizeof name, "case %d: %u x %u %s", t, n_rows, n_cols, integers ? "integers" : "floats");
        uint8_t used[MAX_BRUTE] = {0};
        double tolerance = integers ? 0.0 : 1e-12;
        check_case(name, cost, n_rows, n_cols, 0, brute_min(cost, n_rows, n_cols, 0, used, 0.0), tolerance, NULL);
        check_case(name, negated, n_rows, n_cols, 0, brute_min(negated, n_rows, n_cols, 0, used, 0.0), tolerance, NULL);

        uint32_t by_max[MAX_BRUTE], by_min[MAX_BRUTE], again[MAX_BRUTE];
        double total_max = NAN, total_min = NAN, total_again = NAN;
        tn_error err = {{0}};
        CHECK_OK(tn_lap_solve(cost, n_rows, n_cols, 1, by_max, &total_max, &err), err);
        CHECK_OK(tn_lap_solve(negated, n_rows, n_cols, 0, by_min, &total_min, &err), err);
        CHECK_OK(tn_lap_solve(cost, n_rows, n_cols, 1, again, &total_again, &err), err);
        CHECK(memcmp(by_max, by_min, n_rows * sizeof by_max[0]) == 0 && total_max == -total_min,
              "%s: maximising gives %.17g, minimising the negation %.17g or other columns", name, total_max, total_min);
        CHECK(memcmp(by_max, again, n_rows * sizeof by_max[0]) == 0 && total_again == total_max,
              "%s: a second solve gives other columns", name);
        cases++;
    }
    printf("brute force: %d random cases, each minimised, negated and maximised\n", cases);
}

/* Refusals: more rows than columns, NaN, infinities, magnitudes beyond the limit, no matrix;
 * the outputs stay as they were. */
static void check_errors(void) {
    double cost[6] = {1, 2, 3, 4, 5, 6};
    uint32_t cols[3] = {7, 7, 7};
    double total = 42.0;
    tn_error err = {{0}};
    CHECK(tn_lap_solve(cost, 3, 2, 0, cols, &total, &err) == TN_ERR_ARG && strstr(err.msg, "rows"),
          "3 x 2 accepted or wrong message: %s", err.msg);
    CHECK(tn_lap_solve(NULL, 2, 3, 0, cols, &total, &err) == TN_ERR_ARG, "no cost matrix accepted");
    CHECK(tn_lap_solve(cost, 2, 3, 0, NULL, &total, &err) == TN_ERR_ARG, "no output accepted");
    const double bad[] = {NAN, INFINITY, -INFINITY, 1.0000001e200, -1e300};
    for (int b = 0; b < 5; b++) {
        for (int at = 0; at < 6; at++) {
            double c[6] = {1, 2, 3, 4, 5, 6};
            c[at] = bad[b];
            err.msg[0] = '\0';
            CHECK(tn_lap_solve(c, 2, 3, b % 2, cols, &total, &err) == TN_ERR_ARG && strstr(err.msg, "cost["),
                  "%g at %d accepted or wrong message: %s", bad[b], at, err.msg);
        }
    }
    CHECK(cols[0] == 7 && cols[1] == 7 && cols[2] == 7 && total == 42.0, "a refusal wrote its outputs");
    double edge[2] = {-1e200, 1e200}; /* the limit itself is accepted */
    CHECK_OK(tn_lap_solve(edge, 1, 2, 0, cols, &total, &err), err);
    CHECK(cols[0] == 0 && total == -1e200, "limit costs: column %u, total %g", cols[0], total);
}

/* The baseline (TWINNET_SIMD=generic) and the AVX2 search give the same columns and total. */
static void check_simd_paths(void) {
    enum { ROWS = 150, COLS = 203 };
    static double cost[COLS * COLS];
    uint64_t state = 77;
    int compared = 0;
    for (int t = 0; t < 6; t++) {
        uint32_t n_rows = t % 2 ? ROWS : COLS - 3, n_cols = t % 2 ? COLS : COLS - 3;
        for (uint32_t k = 0; k < n_rows * n_cols; k++)
            cost[k] = t < 4 ? uniform01(&state) - 0.5 : (double)(xorshift64s(&state) % 5);
        uint32_t generic[COLS], fast[COLS];
        double total_generic = NAN, total_fast = NAN;
        tn_error err = {{0}};
        setenv("TWINNET_SIMD", "generic", 1);
        CHECK_OK(tn_lap_solve(cost, n_rows, n_cols, t % 3 == 0, generic, &total_generic, &err), err);
        unsetenv("TWINNET_SIMD");
        if (strcmp(tn_simd_path(), "generic") == 0) break; /* no AVX2 here: nothing to compare */
        CHECK_OK(tn_lap_solve(cost, n_rows, n_cols, t % 3 == 0, fast, &total_fast, &err), err);
        CHECK(memcmp(generic, fast, n_rows * sizeof generic[0]) == 0 && total_generic == total_fast,
              "%u x %u: %s path gives %.17g, generic %.17g", n_rows, n_cols, tn_simd_path(), total_fast, total_generic);
        compared++;
    }
    printf("SIMD paths: %d cases compared, %s against generic\n", compared, tn_simd_path());
}

/* --solve FILE: 0 on success, 1 on a bad file or a refusal. */
static int solve_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return 1; }
    unsigned n_rows, n_cols;
    int maximise, status = 1;
    double *cost = NULL;
    uint32_t *cols = NULL;
    if (fscanf(f, "%u %u %d", &n_rows, &n_cols, &maximise) != 3 || (n_rows && n_cols > SIZE_MAX / 8 / n_rows)) {
        fprintf(stderr, "%s: want \"rows cols maximise\" first\n", path);
        goto done;
    }
    size_t n = (size_t)n_rows * n_cols;
    cost = malloc(n ? n * sizeof *cost : 1);
    cols = malloc(n_rows ? n_rows * sizeof *cols : 1);
    if (!cost || !cols) { fprintf(stderr, "%s: out of memory\n", path); goto done; }
    for (size_t k = 0; k < n; k++) {
        if (fscanf(f, "%lf", &cost[k]) != 1) {
            fprintf(stderr, "%s: value %zu is missing or bad\n", path, k);
            goto done;
        }
    }
    double total;
    tn_error err;
    tn_status s = tn_lap_solve(cost, n_rows, n_cols, maximise, cols, &total, &err);
    if (s != TN_OK) { fprintf(stderr, "%s: %s: %s\n", path, tn_status_string(s), err.msg); goto done; }
    printf("%.17g", total);
    for (uint32_t i = 0; i < n_rows; i++) printf(" %u", cols[i]);
    printf("\n");
    status = 0;
done:
    fclose(f);
    free(cost);
    free(cols);
    return status;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* --bench N REPS: the median wall time of tn_lap_solve alone (not the generation). */
static int bench(uint32_t n, int reps) {
    double *cost = malloc((size_t)n * n * sizeof *cost), *ms = malloc((size_t)reps * sizeof *ms);
    uint32_t *cols = malloc(n * sizeof *cols);
    int status = 0;
    for (int r = 0; r < reps && cost && ms && cols; r++) {
        uint64_t state = 0x9E3779B97F4A7C15ull * (uint64_t)(r + 1);
        for (size_t k = 0; k < (size_t)n * n; k++) cost[k] = uniform01(&state);
        struct timespec t0, t1;
        double total;
        tn_error err;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        tn_status s = tn_lap_solve(cost, n, n, 0, cols, &total, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (s != TN_OK) { fprintf(stderr, "bench: %s\n", err.msg); status = 1; break; }
        ms[r] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-6;
    }
    if (!cost || !ms || !cols) { fprintf(stderr, "bench: out of memory\n"); status = 1; }
    if (status == 0) {
        qsort(ms, (size_t)reps, sizeof *ms, compare_doubles);
        printf("%.4f\n", reps % 2 ? ms[reps / 2] : 0.5 * (ms[reps / 2 - 1] + ms[reps / 2]));
    }
    free(cost);
    free(ms);
    free(cols);
    return status;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--solve") == 0) return solve_file(argv[2]);
    if (argc == 4 && strcmp(argv[1], "--bench") == 0) {
        long n = strtol(argv[2], NULL, 10), reps = strtol(argv[3], NULL, 10);
        if (n >= 1 && n <= 20000 && reps >= 1 && reps <= 10000) return bench((uint32_t)n, (int)reps);
    }
    if (argc != 1) {
        fprintf(stderr, "usage: test_lap [--solve FILE | --bench N REPS]\n"
                        "       (FILE: \"rows cols maximise\" then the costs; without arguments: the unit tests)\n");
        return 2;
    }
    check_known();
    check_planted();
    check_brute_force();
    check_errors();
    check_simd_paths();
    return check_done("test_lap");
}
