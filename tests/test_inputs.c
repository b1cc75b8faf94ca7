/* Issue 19 at the library level: every reader refuses what is not a regular file (a FIFO, a
 * directory, /dev/zero) at once, never blocking; tn_out_check follows a dangling link to the
 * file it creates, refuses a cycle and a read-only file unless forced; the non-finite count;
 * the memory estimate of training, and its refusal under an address-space limit. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "twinnet.h"

static char dir[256];

/* dir/name in one of 16 buffers used in turn */
static const char *path_of(const char *name) {
    static char ring[16][512];
    static unsigned turn;
    turn = (turn + 1) % 16;
    snprintf(ring[turn], sizeof ring[turn], "%s/%s", dir, name);
    return ring[turn];
}

static void expect_refused(tn_status s, const tn_error *err, const char *path, const char *what) {
    CHECK(s == TN_ERR_IO, "%s: status %s (%s)", what, tn_status_string(s), err->msg);
    CHECK(strncmp(err->msg, path, strlen(path)) == 0 && strstr(err->msg, "not a regular file"), "%s: message '%s'", what, err->msg);
}

/* Each reader on a FIFO (nobody writes to it: an open or read would block), a directory and an
 * endless device; alarm() turns a hang into a failure. */
static void test_not_regular(void) {
    const char *fifo = path_of("fifo"), *sub = path_of("sub");
    CHECK(mkfifo(fifo, 0600) == 0 && mkdir(sub, 0700) == 0, "mkfifo, mkdir: %s", strerror(errno));
    const char *inputs[] = {fifo, sub, "/dev/zero"};
    alarm(60);
    for (int i = 0; i < 3; i++) {
        const char *p = inputs[i];
        if (access(p, R_OK) != 0) continue;
        tn_error err = {""};
        tn_model m;
        expect_refused(tn_model_load(&m, p, &err), &err, p, "model");
        tn_dataset ds;
        expect_refused(tn_dataset_load(&ds, p, p, &err), &err, p, "data set");
        uint8_t *pix;
        uint32_t w, h;
        expect_refused(tn_image_load(p, &pix, &w, &h, &err), &err, p, "image");
        tn_diverge_result dv;
        expect_refused(tn_diverge(p, p, &dv, &err), &err, p, "trace");
        uint8_t *bytes;
        size_t n;
        expect_refused(tn_read_file(p, 1024, &bytes, &n, &err), &err, p, "tn_read_file");
    }
    alarm(0);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) { fprintf(stderr, "cannot write %s\n", path); exit(100); }
}

static void test_out_check(void) {
    tn_error err = {""};
    /* A dangling link: the check passes, and the write creates the target and keeps the link. */
    const char *link = path_of("dangling"), *target = path_of("target");
    CHECK(symlink("target", link) == 0, "symlink: %s", strerror(errno));
    CHECK_OK(tn_out_check(link, NULL, 0, NULL, 0, 0, &err), err);
    CHECK_OK(tn_write_atomic(link, "new", 3, &err), err);
    struct stat st;
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the dangling link was replaced");
    CHECK(stat(target, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3, "the link's target was not created");
    /* Two names of one new file: a dangling link and its target, as two outputs. */
    const char *link2 = path_of("dangling2"), *outputs[2] = {link2, path_of("target2")};
    CHECK(symlink("target2", link2) == 0, "symlink: %s", strerror(errno));
    tn_status s = tn_out_check(link2, NULL, 0, outputs, 2, 0, &err);
    CHECK(s == TN_ERR_ARG && strstr(err.msg, "also writes"), "a dangling link onto another output: %s", err.msg);
    /* A cycle, and a link into a missing directory. */
    CHECK(symlink("cycle-b", path_of("cycle-a")) == 0 && symlink("cycle-a", path_of("cycle-b")) == 0, "symlink");
    s = tn_out_check(path_of("cycle-a"), NULL, 0, NULL, 0, 0, &err);
    CHECK(s == TN_ERR_ARG && strstr(err.msg, "symbolic links"), "a link cycle: %s", err.msg);
    CHECK(symlink("no/such/dir/f", path_of("into-nothing")) == 0, "symlink");
    s = tn_out_check(path_of("into-nothing"), NULL, 0, NULL, 0, 0, &err);
    CHECK(s == TN_ERR_ARG && strstr(err.msg, "no such directory"), "a link into a missing directory: %s", err.msg);
    /* Read-only: refused, unless forced; through a link too. */
    const char *ro = path_of("read-only");
    write_text(ro, "keep");
    chmod(ro, 0444);
    s = tn_out_check(ro, NULL, 0, NULL, 0, 0, &err);
    CHECK(s == TN_ERR_ARG && strstr(err.msg, "read-only") && strstr(err.msg, "0444"), "read-only output: %s", err.msg);
    CHECK(symlink("read-only", path_of("ro-link")) == 0, "symlink");
    s = tn_out_check(path_of("ro-link"), NULL, 0, NULL, 0, 0, &err);
    CHECK(s == TN_ERR_ARG && strstr(err.msg, "read-only"), "a link to a read-only output: %s", err.msg);
    CHECK_OK(tn_out_check(ro, NULL, 0, NULL, 0, 1, &err), err);
    /* An input under another name (a link) is still refused. */
    const char *inputs[] = {ro};
    s = tn_out_check(path_of("ro-link"), inputs, 1, NULL, 0, 1, &err);
    CHECK(s == TN_ERR_ARG && strstr(err.msg, "same file"), "an input through a link: %s", err.msg);
}

static void test_non_finite_count(void) {
    tn_net net;
    tn_error err = {""};
    uint32_t sizes[3] = {5, 3, 2};
    CHECK_OK(tn_net_init(&net, sizes, 3, TN_ACT_SIGMOID, TN_COST_QUADRATIC, &err), err);
    tn_net_randomize(&net, TN_INIT_NORMAL, 1);
    CHECK(tn_net_count_non_finite(&net) == 0, "a fresh network has %llu non-finite parameters",
          (unsigned long long)tn_net_count_non_finite(&net));
    size_t marked[3] = {0, 7, net.n_params - 1};
    *tn_net_param(&net, marked[0]) = NAN;
    *tn_net_param(&net, marked[1]) = INFINITY;
    *tn_net_param(&net, marked[2]) = -INFINITY;
    CHECK(tn_net_count_non_finite(&net) == 3, "3 marked, %llu counted", (unsigned long long)tn_net_count_non_finite(&net));
    tn_net_free(&net);
}

static void test_memory(void) {
    tn_config cfg;
    tn_config_default(&cfg);
    uint64_t parts[4], small = tn_train_memory(&cfg, 50000, parts);
    uint64_t params = (784 * 32 + 32 + 30 * 16 + 16) * 4; /* TN_PAD 16: widths 30 -> 32, 10 -> 16 */
    CHECK(small >= 2 * 23860 * 4 && small < ((uint64_t)16 << 20), "784,30,10: %llu bytes", (unsigned long long)small);
    CHECK(parts[0] + parts[1] + parts[2] + parts[3] == small && parts[0] == 2 * params, "the parts add up; the parameters (twice: on_nan stop) %llu", (unsigned long long)parts[0]);
    tn_error err = {""};
    CHECK_OK(tn_train_memory_check(&cfg, 50000, &err), err);
    cfg.n_sizes = 4;
    cfg.sizes[1] = 20000; cfg.sizes[2] = 20000; cfg.sizes[3] = 10;
    uint64_t big = tn_train_memory(&cfg, 2000, NULL);
    CHECK(big > (uint64_t)3200000000u && big < (uint64_t)8000000000u, "784,20000,20000,10: %llu bytes", (unsigned long long)big);
    cfg.on_nan = TN_ON_NAN_CONTINUE;
    CHECK(tn_train_memory(&cfg, 2000, NULL) < big, "no copy of the parameters with on_nan continue");
    /* Under a 2 GB address space (in a child: the limit stays there) the big one is refused; not
     * under AddressSanitizer (make sanitize), whose shadow memory needs terabytes of it. */
    if (getenv("TWINNET_SANITIZE")) return;
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {(rlim_t)2 << 30, (rlim_t)2 << 30};
        if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(3);
        tn_status s = tn_train_memory_check(&cfg, 2000, &err);
        tn_config_default(&cfg);
        _exit(s == TN_ERR_NOMEM && strstr(err.msg, "GB") && strstr(err.msg, "ulimit -v") ? tn_train_memory_check(&cfg, 50000, &err) == TN_OK ? 0 : 2 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "under a 2 GB limit: child status %d (1: big not refused, 2: small refused)", status);
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/twinnet-inputs-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 100; }
    test_not_regular();
    test_out_check();
    test_non_finite_count();
    test_memory();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_done("test_inputs");
}
