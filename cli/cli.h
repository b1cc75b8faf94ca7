/* What every command file shares (args.c): messages and exit codes, option iteration, the one
 * number parser, and the data options. Exit status: 0 success, 1 runtime error, 2 usage error. */
#ifndef TN_CLI_H
#define TN_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "twinnet.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define TN_PLURAL(n) ((n) == 1 ? "" : "s")   /* "1 epoch", "2 epochs" */

extern const char *cli_command;   /* the running command's name, for usage errors */

/* "twinnet: MESSAGE" on stderr, then exit(code). */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void die_err(tn_status s, const tn_error *err);   /* exit 2 for TN_ERR_ARG, else 1 */
/* "twinnet: COMMAND: MESSAGE (see 'twinnet help COMMAND')", exit 2. */
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Options: --name VALUE, --name=VALUE, flags; "--" ends options. */
typedef struct {
    int argc, i;
    char **argv;
    const char *value;    /* from --name=VALUE */
    char name[64];
    int options_done;
    char seen[48][64];    /* the options given a value so far (a repeat is a usage error) */
    int n_seen;
    int repeated;         /* the current option was given before */
    const char *asked[128]; /* the option names args_is compared the current one with: the
                               command's options, for "did you mean" */
    int n_asked;
} args;
void args_begin(args *a, int argc, char **argv);
/* Next argument: 1 and *positional set for a positional one, 1 with a->name for an option,
 * 0 at the end. */
int args_next(args *a, const char **positional);
int args_is(args *a, const char *name);
/* The current option is none of the command's: a usage error that names the closest of the
 * options args_is was asked about (an edit distance of at most a third of its length). */
_Noreturn void args_unknown(const args *a);
/* The closest of names[0..count-1] to word within that distance, or NULL (main.c's commands). */
const char *closest_name(const char *word, const char *const *names, int count);
/* args_next for a command without positional arguments: one is a usage error, --help prints
 * help() and exits 0. */
int args_next_option(args *a, void (*help)(void));
const char *args_value(args *a);   /* the option's value: never another option; given twice, a usage error */
const char *args_value_again(args *a);   /* args_value for an option that may be given more than once */
void args_flag(args *a);           /* the option takes no value */

/* The one number syntax for every flag: decimal digits, optionally a fraction and an exponent
 * (reals only), optionally a leading '-'; no spaces, hex, inf or nan. */
uint64_t parse_uint(const char *opt, const char *s, uint64_t lo, uint64_t hi);
double parse_real(const char *opt, const char *s, double lo, double hi, int lo_open);
int parse_sizes(const char *opt, const char *s, uint32_t *sizes);
int parse_choice(const char *opt, const char *s, const char *const *names, int count);

/* The training options (config_opts.c), shared by train and sweep: 1 if a was one; then
 * config_finish applies --seed to the seeds not given on their own. */
typedef struct { int seed_set, init_set, order_set; uint64_t seed; } config_seeds;
int config_option(args *a, tn_config *cfg, config_seeds *s);
void config_finish(tn_config *cfg, const config_seeds *s);
const char *config_options_text(void);          /* their --help lines, from the table */
#define config_options_help config_options_text()
extern const char *const data_options_help;     /* --data and the named files */

/* --data, --train-images, --train-labels, --test-images, --test-labels: 1 if a was one. */
int data_option(args *a, tn_data_source *d);
/* Both data sets (train may be NULL: only the test set), or exit with the library's message. */
void load_data(const tn_data_source *d, tn_dataset *train, tn_dataset *test);
void load_model(const char *path, tn_model *m);
/* path is a file `twinnet import` reads (an .npz, network2 JSON, safetensors): exit with one line
 * that says so and how to bring it in; else return. */
void point_to_import(const char *path);

double wall_seconds(void);

/* SIGINT, SIGTERM and SIGHUP set stop_requested (acknowledged on stderr at the first one) and
 * stay caught: long work polls the flag and stops cleanly, however often the user presses ^C. */
extern volatile int stop_requested;
extern volatile int stop_signal;     /* the first stop signal's number (0: none): exit 128 + it */
extern volatile int stop_exits_now;  /* non-zero: a stop signal exits at once with 128 + its number */
void catch_stop_signals(void);

/* The commands (cmd_NAME.c): argv holds what follows the command's name. */
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_diverge(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_stability(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_align(int argc, char **argv);
int cmd_canon(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_connect(int argc, char **argv);

#endif
