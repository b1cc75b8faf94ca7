/* twinnet's command line: the command table and what every command gets from main: standard
 * descriptors that exist, usage errors naming the command, and output checked at exit. Each
 * command lives in cmd_NAME.c: it parses its flags, calls the library, and prints. */
#include <errno.h>
#include <fcntl.h>
#ifndef __wasi__ /* WASI (the WebAssembly build) has no signals */
#include <signal.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"train", cmd_train, "train a network (defaults: Nielsen's network.py) and write a model file"},
    {"eval", cmd_eval, "test accuracy, cost and confusion matrix of a model"},
    {"info", cmd_info, "configuration, seeds, shapes and parameter fingerprint of a model"},
    {"predict", cmd_predict, "classify images of a digit (PNG, PGM, JPEG)"},
    {"diverge", cmd_diverge, "the first step at which two training runs (traces) differ"},
    {"sweep", cmd_sweep, "many trainings varying one source of randomness; resumable"},
    {"stability", cmd_stability, "when is the outcome decided? children spawned along a run, perturbed, compared"},
    {"compare", cmd_compare, "why two networks of one shape differ: distances, alignment, function, path"},
    {"align", cmd_align, "write B with its hidden units permuted (and flipped) to match A"},
    {"canon", cmd_canon, "write a model with its hidden units in a canonical order and sign"},
    {"export", cmd_export, "write the parameters as .npz (W1, b1, ...), network2.py's JSON or safetensors"},
    {"import", cmd_import, "read a network trained elsewhere (.npz, network2.py's JSON, safetensors) into a model"},
    {"report", cmd_report, "one self-contained HTML page on a sweep or a pair of models"},
    {"connect", cmd_connect, "train a curve joining A and B along which the cost stays low (mode connectivity)"},
};
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

static void main_help(FILE *f) {
    fprintf(f, "usage: twinnet COMMAND [options]   (twinnet help COMMAND, or twinnet COMMAND --help)\n\n");
    for (int i = 0; i < N_COMMANDS; i++) fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\ntwinnet %s, SIMD path %s\n", TN_VERSION_STRING, tn_simd_path());
}

/* ---- stopping on request ---------------------------------------------------------------------- */
volatile int stop_requested;
volatile int stop_signal;
volatile int stop_exits_now;

#ifdef __wasi__
void catch_stop_signals(void) {}
#else
static void on_stop_signal(int sig) {
    if (stop_exits_now) { /* a stage that writes nothing until its end: ends here, as the shell expects */
        static const char msg[] = "twinnet: interrupted: this stage keeps nothing until its end; the same command does it again\n";
        (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
        _exit(128 + sig);
    }
    if (!stop_signal) stop_signal = sig;
    if (!stop_requested) {
        static const char msg[] = "twinnet: stopping at the next step boundary; the model of that step will be saved\n";
        (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    }
    stop_requested = 1;
}

void catch_stop_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal; /* stays installed: a second signal cannot end the save */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}
#endif

static int stdout_was_closed;

/* A closed descriptor 0, 1 or 2 would be handed to the next file opened (a model, a trace),
 * and printing would then write into it: open one there first. A closed standard output gets
 * /dev/full, so that output written to it fails (and is reported) instead of vanishing. */
static void ensure_standard_descriptors(void) {
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            int got = open(fd == 1 ? "/dev/full" : "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
            if (got < 0 && fd == 1) got = open("/dev/null", O_WRONLY);
            if (got != fd) _exit(EXIT_RUNTIME); /* the lowest free descriptor is fd */
            if (fd == 1) stdout_was_closed = 1;
        }
}

/* Output that could not be written is an error, not a success with nothing on the screen. */
static int check_stdout(int status) {
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        fprintf(stderr, "twinnet: standard output: %s\n",
                stdout_was_closed ? "closed, so the output was lost" : e ? strerror(e) : "write error");
        return status ? status : EXIT_RUNTIME;
    }
    return status;
}

/* The command called name; none: a usage error, naming the closest command if one is near. */
static int find_command(const char *name) {
    const char *names[N_COMMANDS + 1];
    for (int i = 0; i < N_COMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0) return i;
        names[i] = commands[i].name;
    }
    names[N_COMMANDS] = "help";
    const char *near = closest_name(name, names, N_COMMANDS + 1);
    if (near) die(EXIT_USAGE, "unknown command '%s'; did you mean '%s'? (see 'twinnet --help')", name, near);
    die(EXIT_USAGE, "unknown command '%s' (see 'twinnet --help')", name);
}

int main(int argc, char **argv) {
    ensure_standard_descriptors();
    /* A closed pipe or a file-size limit is an error returned by write (EPIPE, EFBIG) and
     * reported, not a signal that kills the process with a temporary file left behind. */
#ifndef __wasi__
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
#endif
    tn_error err;
    if (tn_simd_check(&err) != TN_OK) die(EXIT_USAGE, "%s", err.msg);
    if (argc < 2) {
        main_help(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version")) {
        printf("twinnet %s\n", TN_VERSION_STRING);
        return check_stdout(0);
    }
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        if (argc > 2 && !strcmp(name, "help")) {
            int c = find_command(argv[2]);
            char help[] = "--help";
            char *help_argv[] = {help, NULL};
            cli_command = commands[c].name;
            return check_stdout(commands[c].run(1, help_argv));
        }
        main_help(stdout);
        return check_stdout(0);
    }
    int c = find_command(name);
    cli_command = commands[c].name;
    return check_stdout(commands[c].run(argc - 2, argv + 2));
}
