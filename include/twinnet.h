/* twinnet: train Nielsen's digit networks bit-reproducibly, and explain why two runs differ.
 * Public API. The library never prints and never exits: calls return a tn_status and fill a
 * tn_error with one line "FILE: what is wrong"; progress goes through a callback.
 * Every public declaration carries TN_API; the shared library exports those and nothing else.
 * The structs are public and may change until 1.0: each such change bumps TN_ABI_VERSION, the
 * soname's number (README, "Library interface and ABI"). Test hooks, which may change at any
 * time and are not exported, sit at the end behind TN_INTERNAL. */
#ifndef TWINNET_H
#define TWINNET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported from the shared library (built with -fvisibility=hidden); a caller may define it. */
#ifndef TN_API
#if defined(__GNUC__) && __GNUC__ >= 4
#define TN_API __attribute__((visibility("default")))
#else
#define TN_API
#endif
#endif

#define TN_VERSION_STRING "0.1.0"
#define TN_ABI_VERSION 2          /* libtwinnet.so.TN_ABI_VERSION: bumped when a public struct or call changes */
#define TN_MAX_LAYERS 16          /* entries in sizes[] (input, hidden..., output) */
#define TN_MAX_WIDTH 65536        /* largest layer width accepted */
#define TN_PAD 16                 /* every layer's output width is padded to a multiple of this */
#define TN_PATH_CAP 4200          /* bytes for a path the library builds from a caller's (PATH_MAX
                                     4096, a separator and a file name) */
#define TN_HEX_SIZE 65            /* a SHA-256 as 64 lowercase hex digits and a NUL: fingerprints,
                                     data hashes, sweep keys */

typedef enum {
    TN_OK = 0,
    TN_ERR_IO,          /* a file could not be opened, read or written */
    TN_ERR_FORMAT,      /* a file is not what it claims (magic, sizes, checksum, truncation) */
    TN_ERR_ARG,         /* a bad value from the caller (sizes, hyper-parameters) */
    TN_ERR_NOMEM        /* an allocation failed */
} tn_status;

typedef struct { char msg[512]; } tn_error; /* one line, no trailing newline */

TN_API const char *tn_status_string(tn_status s);

/* ---- randomness: Philox4x32-10 (Salmon et al. 2011), counter-based ---------------------- */
typedef enum { TN_STREAM_INIT = 1, TN_STREAM_ORDER = 2, TN_STREAM_BASELINE = 3, TN_STREAM_SWEEP = 4,
               TN_STREAM_PERTURB = 5 /* a spawned run's Gaussian perturbation */,
               TN_STREAM_CURVE = 6 /* a curve's t per mini-batch (tn_curve_train) */ } tn_stream;

/* The k-th standard normal deviate of (seed, stream): Box-Muller on Philox block k/2 in double
 * with our own log/sin/cos, so it depends on (seed, stream, k) alone. */
TN_API double tn_normal(uint64_t seed, tn_stream stream, uint64_t k);
/* Fisher-Yates permutation of 0..n-1 for (seed, epoch): unbiased (Lemire's bounded ints). */
TN_API void tn_shuffle(uint32_t *perm, uint32_t n, uint64_t seed, uint32_t epoch);

/* ---- SHA-256 (FIPS 180-4) ----------------------------------------------------------------- */
typedef struct { uint32_t h[8]; uint64_t len; uint8_t buf[64]; size_t fill; int fast; } tn_sha256;
TN_API void tn_sha256_init(tn_sha256 *s);
TN_API void tn_sha256_update(tn_sha256 *s, const void *data, size_t n);
TN_API void tn_sha256_final(tn_sha256 *s, uint8_t digest[32]);
TN_API void tn_hex(const uint8_t *bytes, size_t n, char *out); /* out: 2n+1 chars */

/* ---- data: IDX files (raw or gzip) --------------------------------------------------------- */
typedef struct {
    uint32_t n;             /* examples */
    uint32_t n_in;          /* pixels per example (rows*cols) */
    uint32_t rows, cols;    /* image shape as in the IDX header (cols = n_in, rows = 1 for 2-d) */
    uint8_t *pixels;        /* (n, n_in) bytes, scaled to [0,1] as x/255 when used */
    uint8_t *labels;        /* (n) */
    uint32_t *nz_start;     /* (n+1) offsets into nz_index: the non-zero pixels of each example */
    uint16_t *nz_index;     /* pixel indices in ascending order */
    int owns;               /* 1: this struct owns the arrays (a view into another set: 0) */
    char images_name[256];  /* file names, for error messages */
    char labels_name[256];
} tn_dataset;

/* Reads an IDX image file (ubyte, 3 dims) and a label file (ubyte, 1 dim) into ds. */
TN_API tn_status tn_dataset_load(tn_dataset *ds, const char *images_path, const char *labels_path,
                                 tn_error *err);
/* The same from the two files' bytes in memory (raw or gzip); the names (NULL: "images",
 * "labels") are for messages. The bytes are the caller's, read only. */
TN_API tn_status tn_dataset_from_bytes(tn_dataset *ds, const char *images_name, const uint8_t *images,
                                       size_t images_size, const char *labels_name, const uint8_t *labels,
                                       size_t labels_size, tn_error *err);
TN_API void tn_dataset_free(tn_dataset *ds);
/* A view of examples [first, first+count) of src: no copy; free is a no-op on it. */
TN_API tn_dataset tn_dataset_view(const tn_dataset *src, uint32_t first, uint32_t count);
/* Builds a data set from memory (copies); used by tests and tools. */
TN_API tn_status tn_dataset_from_memory(tn_dataset *ds, uint32_t n, uint32_t rows, uint32_t cols,
                                        const uint8_t *pixels, const uint8_t *labels, tn_error *err);
/* Reads a whole file, transparently gunzipping; *size is the decompressed size. Caps at max. */
TN_API tn_status tn_read_file(const char *path, size_t max, uint8_t **out, size_t *size, tn_error *err);

/* Where a training and a test set come from: MNIST's four files in a directory
 * (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte, each raw or .gz), or any IDX files named one by one. */
typedef struct {
    const char *dir;                          /* NULL: tn_data_default_dir */
    const char *train_images, *train_labels;  /* named files (a pair) replace dir's */
    const char *test_images, *test_labels;
} tn_data_source;

/* $TWINNET_DATA, else ${XDG_CACHE_HOME:-$HOME/.cache}/twinnet/mnist (where make data puts it),
 * by the XDG rule: a relative XDG_CACHE_HOME is ignored; without an absolute HOME, the password
 * database's home; "" when there is no home at all. */
TN_API const char *tn_data_default_dir(char *buf, size_t cap);
/* The four files a source names: train images, train labels, test images, test labels. */
typedef struct { char path[4][TN_PATH_CAP]; } tn_data_files;
TN_API void tn_data_resolve(const tn_data_source *src, tn_data_files *files);
/* Loads the training set (train may be NULL: only the test set) and the test set. */
TN_API tn_status tn_data_load(const tn_data_source *src, tn_dataset *train, tn_dataset *test, tn_error *err);

/* ---- network ------------------------------------------------------------------------------ */
/* Each enumeration ends with its count: a new value goes before it, with its name in the names
 * array (sized by the count) and its kernels; every bound is checked against the count. */
typedef enum { TN_ACT_SIGMOID = 0, TN_ACT_TANH = 1, TN_ACT_RELU = 2, TN_ACT_COUNT } tn_activation;
typedef enum { TN_COST_QUADRATIC = 0, TN_COST_CROSS_ENTROPY = 1, TN_COST_LOG_LIKELIHOOD = 2, TN_COST_COUNT } tn_cost;
/* normal: N(0,1) weights and biases; scaled: weights N(0,1/n_in); torch: PyTorch's nn.Linear default,
 * weights and biases uniform in +-1/sqrt(n_in). */
typedef enum { TN_INIT_NORMAL = 0, TN_INIT_SCALED = 1, TN_INIT_TORCH = 2, TN_INIT_COUNT } tn_init;

/* Names by code, as the CLI and the model file's readers spell them. */
TN_API extern const char *const tn_activation_names[TN_ACT_COUNT];
TN_API extern const char *const tn_cost_names[TN_COST_COUNT];
TN_API extern const char *const tn_init_names[TN_INIT_COUNT];
TN_API const char *tn_activation_name(tn_activation a);
TN_API const char *tn_cost_name(tn_cost c);
TN_API const char *tn_init_name(tn_init i);

/* A multilayer perceptron. Parameters live in one buffer in an internal layout: each layer's
 * weights input-major, (n_in, pad(n_out)), then its biases (pad(n_out)); padding is zero.
 * The canonical order, used by fingerprints, model files and exports, is per layer
 * W (n_out, n_in) row-major, then b (n_out). */
typedef struct {
    int n_sizes;                     /* entries in sizes */
    uint32_t sizes[TN_MAX_LAYERS];   /* widths: input, hidden..., output */
    tn_activation activation;        /* hidden layers */
    tn_cost cost;                    /* output: sigmoid, or softmax for log-likelihood */
    size_t n_params;                 /* canonical count */
    size_t n_buffer;                 /* floats in the internal buffer */
    size_t w_off[TN_MAX_LAYERS];     /* layer l (1-based, l < n_sizes): weights at w_off[l] */
    size_t b_off[TN_MAX_LAYERS];     /* its biases */
    uint32_t pad[TN_MAX_LAYERS];     /* padded widths */
    float *params;                   /* (n_buffer) internal layout, 64-byte aligned */
} tn_net;

TN_API tn_status tn_net_init(tn_net *net, const uint32_t *sizes, int n_sizes, tn_activation act,
                             tn_cost cost, tn_error *err);
TN_API void tn_net_free(tn_net *net);
TN_API tn_status tn_net_copy(tn_net *dst, const tn_net *src, tn_error *err);
/* N(0,1) biases and weights (normal), or N(0,1/n_in) weights (scaled), value k of the
 * init stream going to canonical parameter k. torch: value k is (2u - 1)/sqrt(n_in), u = w * 2^-32
 * in [0, 1) with w the first 32-bit word of the Philox4x32-10 block with counter (k, k >> 32, 1,
 * init stream) under the init seed, computed in double and rounded once to float. */
TN_API void tn_net_randomize(tn_net *net, tn_init init, uint64_t init_seed);
/* Parameters of a network with these widths: sum of n_in*n_out + n_out over the layers. */
TN_API uint64_t tn_params_count(const uint32_t *sizes, int n_sizes);
/* Canonical index -> (layer 1.., bias?, row, col) with W as (out, in); 0 if out of range. */
TN_API int tn_param_position(const uint32_t *sizes, int n_sizes, uint64_t index, int *layer, int *is_bias,
                             uint32_t *row, uint32_t *col);
TN_API void tn_net_get_canonical(const tn_net *net, float *out);      /* out: n_params floats */
TN_API void tn_net_set_canonical(tn_net *net, const float *in);
TN_API float *tn_net_param(tn_net *net, size_t canonical_index);     /* pointer into the buffer */
TN_API uint64_t tn_net_count_non_finite(const tn_net *net);          /* parameters that are NaN or infinite */
/* Lowercase hex SHA-256 of the canonical parameters as little-endian float32. */
TN_API void tn_net_fingerprint(const tn_net *net, char hex[TN_HEX_SIZE]);

/* Forward one example (x: n_in floats) into out (n_out probabilities/activations). */
TN_API tn_status tn_net_forward(const tn_net *net, const float *x, float *out, tn_error *err);

/* ---- evaluation ---------------------------------------------------------------------------- */
typedef struct {
    uint32_t correct, total;
    double cost;              /* mean per-example cost (no regulariser) */
    uint32_t *confusion;      /* optional (k*k), [true][predicted], k = tn_confusion_classes: caller's or NULL */
    char *outputs_sha256;     /* optional (TN_HEX_SIZE chars, caller's) or NULL: lowercase hex SHA-256 of every output
                                 value as little-endian float32, example by example (the same on every build) */
} tn_eval_result;

/* Classes in the confusion matrix: the output width, at most 256 (labels are bytes; a
 * prediction of a wider output's unit 256 or above counts as wrong and is not in the matrix). */
TN_API uint32_t tn_confusion_classes(const tn_net *net);
TN_API tn_status tn_evaluate(const tn_net *net, const tn_dataset *ds, int threads,
                             tn_eval_result *res, tn_error *err);
/* Per-example predicted class and output vector (out: n*n_out floats, may be NULL). */
TN_API tn_status tn_predict_all(const tn_net *net, const tn_dataset *ds, int threads,
                                uint8_t *pred, float *out, tn_error *err);
/* Activations of layer `layer` (1: the first hidden layer .. n_sizes-1: the output) for every
 * example of ds: out is (n, sizes[layer]) row-major, the caller's. */
TN_API tn_status tn_layer_activations(const tn_net *net, const tn_dataset *ds, int layer, int threads, float *out,
                                      tn_error *err);

/* ---- training ------------------------------------------------------------------------------ */
typedef enum {
    TN_ON_NAN_STOP = 0,       /* stop, keeping the parameters of the last finite epoch */
    TN_ON_NAN_CONTINUE = 1,   /* go on (result->non_finite still says so) */
    TN_ON_NAN_COUNT
} tn_on_nan;
TN_API extern const char *const tn_on_nan_names[TN_ON_NAN_COUNT];   /* "stop", "continue" */

typedef struct {
    uint32_t sizes[TN_MAX_LAYERS];
    int n_sizes;
    tn_activation activation;
    tn_cost cost;
    tn_init init;
    uint32_t epochs;
    uint32_t batch;
    float eta;
    float lambda;             /* L2, network2.py: w <- (1 - eta*lambda/n) w - ... */
    uint64_t init_seed;
    uint64_t order_seed;
    uint32_t train_size;      /* 0: the whole training set; else the rest is validation */
    uint32_t early_stop;      /* 0: off; else stop after N epochs without validation gain */
    int threads;
    const char *trace_path;   /* NULL: no trace */
    uint32_t trace_every;     /* steps between trace records (0: only epoch ends) */
    int trace_log;            /* 1: also at steps 1, 2, 4, 8, ... (divergence on a log scale) */
    int64_t perturb_ulp;      /* -1: none; else flip the lowest bit of this canonical param */
    tn_on_nan on_nan;         /* a non-finite test cost or parameter at an epoch's end */
    int l2_biases;            /* 1: the L2 decay applies to biases too (strictly convex softmax
                                 regression); 0: weights only, as network2.py */
    float eta_decay;          /* eta in epoch e (0-based) is eta / (1 + eta_decay * e); 0: constant */
} tn_config;

TN_API void tn_config_default(tn_config *cfg); /* network.py: [784,30,10], 30, 10, 3.0, quadratic */

typedef struct {
    uint32_t epoch;            /* 1-based */
    uint32_t epochs;           /* planned */
    uint32_t test_correct, test_total;
    double test_cost;
    int has_validation;
    uint32_t valid_correct, valid_total;
    double seconds;            /* this epoch's wall time (training + evaluation) */
    double train_seconds;      /* training part only */
    double test_seconds;       /* evaluation of the test set only */
    int non_finite;            /* the test cost or a parameter is NaN or infinite */
} tn_epoch_info;

/* Return non-zero to stop training at this epoch boundary. */
typedef int (*tn_epoch_fn)(const tn_epoch_info *info, void *user);

typedef struct {
    uint32_t epochs_run;       /* complete epochs */
    uint64_t steps;            /* mini-batch steps taken, including those of a partial epoch */
    uint32_t best_test_correct;
    uint32_t test_total;       /* examples in the test set (0: none) */
    uint32_t best_epoch;
    int stopped_early;
    int interrupted;
    int non_finite;            /* some epoch ended with a non-finite cost or parameter ... */
    uint32_t non_finite_epoch; /* ... first this one (on_nan stop: the model is of the epoch before) */
} tn_train_result;

/* Trains net (initialised here from cfg) on the first cfg->train_size examples of train; the
 * rest, if any, is the validation set; evaluates on test (may be NULL) after each epoch.
 * *stop_flag (may be NULL) is polled between mini-batches: non-zero stops at that boundary. */
TN_API tn_status tn_train(const tn_config *cfg, const tn_dataset *train, const tn_dataset *test,
                          tn_net *net, tn_epoch_fn on_epoch, void *user,
                          volatile const int *stop_flag, tn_train_result *result, tn_error *err);

/* Bytes a training run with cfg holds at most (n_train: its training examples, 0 if not known yet),
 * counted from what tn_train allocates: parameters (twice with on_nan stop), the update plan,
 * the work buffers of training and evaluation, the order. parts (may be NULL) gets those four. */
TN_API uint64_t tn_train_memory(const tn_config *cfg, uint32_t n_train, uint64_t parts[4]);
/* TN_ERR_NOMEM, naming the figure, when that is more than this machine's memory, the memory
 * available now, or what the address-space or data limit (ulimit -v, -d) leaves; tn_train and
 * tn_run call it before allocating anything. */
TN_API tn_status tn_train_memory_check(const tn_config *cfg, uint32_t n_train, tn_error *err);
/* The options that a model file and a sweep record (every one but threads) as one JSON object,
 * named and spelled as in the table behind train's flags ({"sizes":[784,30,10],"epochs":30,...,
 * "cost":"quadratic",...}); malloc'd, the caller frees it with free(); NULL if memory ran out.
 * size (may be NULL): its length. tn_config_default's gives every option's default. */
TN_API char *tn_config_to_json(const tn_config *c, size_t *size);
/* The members of such an object (any subset) set in c; nothing is changed on an error: an unknown
 * option, or a value of the wrong type or out of train's range (TN_ERR_ARG, naming it). */
TN_API tn_status tn_config_from_json(tn_config *c, const char *text, size_t size, tn_error *err);

/* ---- model files --------------------------------------------------------------------------- */
/* How a training run ended. */
typedef enum {
    TN_STOP_COMPLETED = 0,     /* every epoch ran */
    TN_STOP_EARLY = 1,         /* early stopping: no validation gain */
    TN_STOP_INTERRUPTED = 2,   /* stopped on request, at a step boundary */
    TN_STOP_NON_FINITE = 3,    /* a non-finite cost or parameter: the last finite epoch's model */
    TN_STOP_COUNT
} tn_stop;
TN_API extern const char *const tn_stop_names[TN_STOP_COUNT];

/* Where a model came from, and so what can be said about it (DESIGN.md section 5): a finding
 * about the start (how far training moved it, what training changed, the cosine with the
 * difference of the starts) or the data is stated only where they are known. Zero is a model
 * twinnet trained: start rebuilt from its seeds, data and initialisation known. */
typedef enum {
    TN_START_SEEDS = 0,      /* rebuilt from config.init_seed and config.init */
    TN_START_SUPPLIED = 1,   /* provenance.start_params holds the initial parameters */
    TN_START_UNKNOWN = 2,    /* e.g. imported without its start */
    TN_START_COUNT
} tn_start_known;
TN_API extern const char *const tn_start_known_names[TN_START_COUNT];   /* "seeds", "supplied", "unknown" */

/* What a run needs besides its parameters and step to go on bit for bit (train --resume): kept in
 * the model file of a run that stopped on request (tn_run), zero otherwise. */
typedef struct {
    int saved;                   /* 1: the fields below are recorded */
    tn_on_nan on_nan;            /* the run's on_nan (not in the file's header) */
    uint32_t best_valid;         /* early stopping: the best validation count so far ... */
    uint32_t since_best;         /* ... and the epochs since it */
    uint32_t best_test_correct;  /* the best epoch's test count and its number (what train prints) */
    uint32_t best_epoch;
    uint32_t non_finite_epoch;   /* the first epoch that ended non-finite (0: none) */
    char validation[TN_HEX_SIZE];/* SHA-256 (as tn_dataset_sha256) of the validation examples, which
                                    early stopping reads ("": none) */
    float *last_finite;          /* on_nan stop, stopped within an epoch: the parameters at the last epoch
                                    end (canonical, n_params; owned by the model), else NULL */
} tn_train_state;

typedef struct {
    tn_start_known start;    /* how the initial parameters are known */
    float *start_params;     /* TN_START_SUPPLIED: net.n_params floats in canonical order (owned by the
                                model: tn_model_free frees it); else NULL */
    int data_unknown;        /* 1: data_sha256 says nothing (not trained by twinnet on known data) */
    int init_unknown;        /* 1: config.init does not name the scheme that drew the start */
    char source[32];         /* "" (twinnet trained it), or the format it was imported from:
                                "npz", "network2-json", "safetensors" */
    char origin[256];        /* the base name of the file it was imported from, or "" */
    double input_scale, input_mean, input_std; /* folded into layer 1 on import: x' = (scale x - mean) / std
                                                  of twinnet's x = k/255 (0, 0, 0: none) */
    double max_rounding;     /* largest relative rounding of float64 weights to float32 on import (0: none) */
    char parents[2][TN_HEX_SIZE]; /* fingerprints of the models it was made from ("": none): a curve's A
                                     and B, or a spawned run's parent (train --from: parents[0] alone) */
    char curve[16];          /* a curve's bend (tn_curve_train): "bezier" or "polychain"; else "" */
    char curve_align[16];    /* ... how B was aligned to A first: "none", "weights", "activations" */
    char curve_end[TN_HEX_SIZE]; /* ... the fingerprint of that aligned B, the curve's end at t = 1 */
    uint64_t spawn_step;     /* a spawned run: the parent's step it started from */
    char spawn[96];          /* ... and what changed there, in words ("order seed 2; gauss sigma 0.01 seed 1") */
    tn_train_state state;    /* an interrupted run's state, for train --resume (state.saved) */
} tn_provenance;

typedef struct {
    tn_config config;          /* trace_path is NULL after load */
    tn_provenance provenance;  /* zero: trained by twinnet */
    uint32_t epochs_run;
    uint64_t steps;            /* mini-batch steps behind these parameters */
    tn_stop stop;              /* how the training ended */
    uint32_t format_version;   /* of the file it was read from; 0: the current one (written so) */
    uint8_t data_sha256[32];   /* of the training images and labels used */
    tn_net net;
} tn_model;

#define TN_MODEL_VERSION 4u   /* the newest read; a model with zero provenance is still written as 2 */
/* 1 if p is a twinnet-trained model's (the zero provenance: start from seeds, data and init known). */
TN_API int tn_provenance_is_zero(const tn_provenance *p);
/* dst = src with its own copy of the start parameters (n_params floats; dst is overwritten, not freed). */
TN_API tn_status tn_provenance_copy(tn_provenance *dst, const tn_provenance *src, size_t n_params, tn_error *err);
/* m's initial parameters in canonical order into start (net.n_params floats): rebuilt from its seeds
 * (TN_START_SEEDS) or copied (TN_START_SUPPLIED): 1; the start is unknown: 0 (start untouched). */
TN_API int tn_model_start(const tn_model *m, float *start);
TN_API tn_status tn_model_save(const tn_model *m, const char *path, tn_error *err);   /* atomic */
TN_API tn_status tn_model_load(tn_model *m, const char *path, tn_error *err);
/* A model file's bytes in memory (raw or gzip) into m, as tn_model_load reads the file; name
 * (NULL: "model") is for messages. */
TN_API tn_status tn_model_from_bytes(tn_model *m, const char *name, const uint8_t *bytes, size_t size,
                                     tn_error *err);
/* The bytes tn_model_save writes, in *bytes (malloc'd: the caller frees it with free()). */
TN_API tn_status tn_model_to_bytes(const tn_model *m, uint8_t **bytes, size_t *size, tn_error *err);
TN_API void tn_model_free(tn_model *m);

/* ---- models from outside: twinnet import --------------------------------------------------
 * A network trained elsewhere, read from its file's bytes (never unpickled): a NumPy archive
 * (.npz: twinnet's export W1, b1, ...; np.savez(f, *weights, *biases)'s arr_0, ...; or
 * nn.Sequential's keys), network2.py's JSON save file, or safetensors (nn.Sequential of
 * nn.Linear: 0.weight, 0.bias, 2.weight, ..., an optional common prefix such as "model.").
 * What the file does not say (activation, cost, input scaling, the start) is stated in the
 * options and recorded in the model's provenance; float64 weights are rounded to float32 once. */
typedef enum { TN_FORMAT_AUTO = 0, TN_FORMAT_NPZ, TN_FORMAT_NETWORK2_JSON, TN_FORMAT_SAFETENSORS, TN_FORMAT_COUNT } tn_format;
TN_API extern const char *const tn_format_names[TN_FORMAT_COUNT];   /* "auto", "npz", "network2-json", "safetensors" */

typedef struct {
    tn_format format;           /* TN_FORMAT_AUTO: told by the first bytes (tn_format_of) */
    int activation;             /* a tn_activation, or -1: the file's (network2 JSON: sigmoid), else sigmoid, assumed */
    int cost;                   /* a tn_cost, or -1: the file's (network2 JSON names it), else quadratic, assumed */
    int init;                   /* a tn_init, or -1: np.savez lists normal (network.py), network2 JSON scaled, else unknown */
    double input_scale;         /* the pixels the network was trained on, x' = (input_scale x - input_mean) / input_std */
    double input_mean;          /* of twinnet's x = k/255, folded into layer 1 in double and rounded once: */
    double input_std;           /* W' = W s/std, b' = b - (mean/std) W 1. 1, 0, 1: none */
    const uint8_t *start;       /* the network's initial parameters, a file of the same format and widths, or NULL */
    size_t start_size;
    const char *start_name;     /* its name, for messages (NULL: "start") */
    const char *name;           /* the file's name, for messages and provenance.origin (NULL: "model") */
} tn_import_options;
TN_API void tn_import_options_default(tn_import_options *o);
/* Input presets: "nielsen" (mnist.pkl.gz: k/256, scale 255/256), "torchvision-mnist" (ToTensor, then
 * Normalize((0.1307,), (0.3081,))). Sets o's scale, mean and std; 0 if name is not one. */
TN_API int tn_import_inputs(const char *name, tn_import_options *o);
#define TN_IMPORT_INPUTS "nielsen, torchvision-mnist"

typedef struct {
    tn_format format;           /* the format read */
    char layout[96];            /* the arrays as found, in words: "W1, b1, ... (twinnet's export)" */
    char dtypes[32];            /* storage types met: "F32", "F64", "F16 and F32" ... */
    int activation_stated;      /* 1: named by the file or the options; 0: assumed (sigmoid) */
    int cost_stated;            /* the same for the cost (assumed: quadratic) */
    int init_stated;            /* 1: the initialisation is named (options or the format's convention) */
    uint64_t rounded;           /* parameters that float32 cannot hold exactly (then rounded to nearest) */
    char start_fingerprint[TN_HEX_SIZE]; /* a supplied start: its fingerprint (as tn_net_fingerprint); else "" */
} tn_import_info;

/* The model in bytes (as its file holds them) into m, for tn_model_save; info may be NULL. Every
 * failure is one line naming the file and the key: wrong shapes, inconsistent widths, NaN or
 * infinite values, unknown dtypes, missing or extra keys, truncation, options the file
 * contradicts (TN_ERR_ARG). The caller frees m with tn_model_free. */
TN_API tn_status tn_model_import(tn_model *m, const uint8_t *bytes, size_t size, const tn_import_options *opt,
                                 tn_import_info *info, tn_error *err);
/* The same from files: path, and start_path (NULL: the start is not known) replacing opt's bytes. */
TN_API tn_status tn_model_import_file(tn_model *m, const char *path, const char *start_path,
                                      const tn_import_options *opt, tn_import_info *info, tn_error *err);
/* The format told by a file's first bytes (16 are enough): PK\3\4 an .npz, '{' network2 JSON,
 * an 8-byte length then '{' safetensors; TN_FORMAT_AUTO: none of them. */
TN_API tn_format tn_format_of(const uint8_t *bytes, size_t n);
/* In words, for messages: "a NumPy archive (.npz)", "a JSON file (network2.py's save format)" ... */
TN_API const char *tn_format_description(tn_format f);
/* The writers (atomic): network2.py's save() JSON (sigmoid with quadratic or cross-entropy cost
 * only, else TN_ERR_ARG), which its load() reads; and safetensors with nn.Sequential(Linear, act,
 * Linear, ...)'s keys 0.weight, 0.bias, 2.weight, ... in F32. */
TN_API tn_status tn_export_network2_json(const tn_net *net, const char *path, tn_error *err);
TN_API tn_status tn_export_safetensors(const tn_net *net, const char *path, tn_error *err);

/* ---- a training run: what the CLI, a sweep and an MPI rank all call ------------------------ */
typedef struct {
    tn_config config;                 /* what to train (trace_path: a trace to write, or NULL) */
    tn_data_source data;              /* where the data comes from, unless train is given */
    const tn_dataset *train, *test;   /* data already loaded (both, or NULL to load from data) */
    const char *out;                  /* the model file to write (atomically), or NULL */
    tn_epoch_fn on_epoch;             /* after every epoch (may be NULL), with user */
    void *user;
    volatile const int *stop_flag;    /* non-zero stops at the next step boundary (may be NULL) */
    int force;                        /* replace read-only outputs (tn_out_check) */
    /* Resume and spawn (train --resume, --from): the run goes on from this model's parameters, step
     * and state (NULL: a new run from config's seeds). config must be from's, but for epochs (at
     * least from's complete epochs) and, in a spawn, order_seed (the order from the spawn step on:
     * the positions of that seed's epoch order from there, as a data loader seeded per epoch does
     * when it skips to the step). */
    const tn_model *from;
    int spawn;                        /* 1: a new run from that state: config.perturb_ulp flips that
                                         parameter's lowest bit there, perturb_gauss adds noise, and the
                                         model records from's fingerprint and step (provenance) */
    double perturb_gauss;             /* sigma: weights += sigma e, e Gaussian (perturb_seed, stream
                                         TN_STREAM_PERTURB) scaled to ||e||^2 = n Var(theta_0) over the n
                                         weights (biases untouched), theta_0 the initial weights; 0: none */
    uint64_t perturb_seed;
    int stop_at;                      /* 1: stop on request once stop_at_step steps are taken (as stop_flag */
    uint64_t stop_at_step;            /* does); 0 steps: the model at the start */
} tn_run_spec;

/* Loads the data, trains, and assembles the model: its config (train_size as used: the default
 * 50000 on a training set of fewer examples means all of them), epochs run, the SHA-256 of
 * the training examples used, and the parameters; writes it to spec->out if set. A stop on
 * request still writes the model of that step (result->interrupted says so). On success the
 * caller frees model with tn_model_free. */
TN_API tn_status tn_run(const tn_run_spec *spec, tn_model *model, tn_train_result *result, tn_error *err);

/* Before any long work: out can be written (a non-empty name, not a directory, in an existing
 * writable directory: for a symbolic link, its target's, which a dangling link creates), is not
 * read-only unless force, and is not the same file as any of the inputs or the other outputs
 * (same device and inode, or the same resolved name where it does not exist yet). Entries may
 * be NULL. TN_ERR_ARG with a message naming out. */
TN_API tn_status tn_out_check(const char *out, const char *const *inputs, int n_inputs, const char *const *outputs,
                              int n_outputs, int force, tn_error *err);
/* Atomic file write: temporary file in the same directory, fsync, rename. */
TN_API tn_status tn_write_atomic(const char *path, const void *data, size_t n, tn_error *err);

/* SHA-256 of a data set's pixels and labels (the data fingerprint in model files). */
TN_API void tn_dataset_sha256(const tn_dataset *ds, uint8_t digest[32]);

/* ---- sweep: many trainings in which one source of randomness varies ------------------------ */
typedef enum {
    TN_VARY_INIT = 0,   /* run i: init seed + i */
    TN_VARY_ORDER,      /* run i: order seed + i */
    TN_VARY_BOTH,       /* run i: both seeds + i */
    TN_VARY_BIT,        /* run i: the lowest bit of one initial first-layer weight flipped, from an
                           input that is non-zero in some training example, drawn for i */
    TN_VARY_NONE,       /* nothing: the control, every run the same */
    TN_VARY_COUNT
} tn_vary;
TN_API extern const char *const tn_vary_names[TN_VARY_COUNT];   /* "init", "order", "both", "bit", "none" */

typedef struct {
    tn_config base;                    /* every run's training; its seeds are where runs start */
    uint32_t runs;                     /* runs per source, at least 1 */
    int n_sources;                     /* sources, each once, in the order given */
    tn_vary sources[TN_VARY_COUNT];
    const char *dir;                   /* runs (NAME.tnm, NAME.epochs.jsonl) and manifest.json */
} tn_sweep;

/* Run r = source index * runs + i, named "SOURCE-III" (e.g. "init-003"). */
TN_API uint32_t tn_sweep_total(const tn_sweep *sw);
TN_API void tn_sweep_run_name(const tn_sweep *sw, uint32_t r, char name[32]);
TN_API tn_status tn_sweep_run_config(const tn_sweep *sw, uint32_t r, const tn_dataset *train, tn_config *cfg,
                                     tn_error *err);
/* Trains run r and writes DIR/NAME.tnm and DIR/NAME.epochs.jsonl (no timings: the bytes depend
 * on the run alone; a diverged run's ends with a line {"diverged":true,...}), and for the first
 * TN_SWEEP_TRACED runs of each source a trace DIR/NAME.trace at steps 1, 2, 4, ... and every
 * epoch's end; fingerprint: the model's. The files are made in a private directory in DIR and
 * renamed in, the model last: a symbolic link in DIR under one of their names is an error naming
 * it, never followed. A stop on request is an error here (the run is not finished). */
#define TN_SWEEP_TRACED 2
TN_API tn_status tn_sweep_run(const tn_sweep *sw, uint32_t r, const tn_dataset *train, const tn_dataset *test,
                              volatile const int *stop_flag, char fingerprint[TN_HEX_SIZE], tn_error *err);
/* The sweep's identity: every option that changes a run's bits, runs, sources, the data. */
TN_API void tn_sweep_key(const tn_sweep *sw, const uint8_t data_sha256[32], char hex[TN_HEX_SIZE]);
/* Creates DIR, or reads its manifest: another key is TN_ERR_ARG; each finished run's model is
 * checked against its fingerprint (else the run is to be redone: *broken counts them);
 * what a killed sweep left in DIR is removed. fingerprints: tn_sweep_total entries, "" for a run
 * still to do. The manifest (DIR/manifest.json) is a journal: a header (one JSON object: the sweep)
 * then a JSON line per finished run; tn_sweep_write_manifest writes it compacted (the header and
 * the finished runs in run order), tn_sweep_append_run adds one line. Nothing in DIR is read or
 * written through a symbolic link. */
TN_API tn_status tn_sweep_open(const tn_sweep *sw, const char key[TN_HEX_SIZE], char (*fingerprints)[TN_HEX_SIZE], uint32_t *finished,
                               uint32_t *broken, tn_error *err);
TN_API tn_status tn_sweep_write_manifest(const tn_sweep *sw, const char key[TN_HEX_SIZE], char (*fingerprints)[TN_HEX_SIZE],
                                         tn_error *err);
/* Run r finished: one line appended to the manifest (count <= 1) or to shard index's record, and
 * synced: one write per run, whatever the sweep's size. */
TN_API tn_status tn_sweep_append_run(const tn_sweep *sw, uint32_t r, const char fingerprint[TN_HEX_SIZE], uint32_t index,
                                     uint32_t count, tn_error *err);

/* Sweeps at scale: shard index of count (0-based) is the fixed share of runs r with r mod count ==
 * index, which a job of an array (--shard K/N: index K-1) or an MPI rank trains. Each shard
 * records its finished runs in its own DIR/manifest.shard-K-of-N.json (the manifest's format,
 * listing its runs only), so shards running at once never write the same file; opening
 * reads manifest.json and every shard's record. Once every run is finished, the manifest is
 * written whole and the shards' records removed (tn_sweep_clear_shards). */
#define TN_SWEEP_SHARD_RECORD "manifest.shard-%u-of-%u.json"
TN_API uint32_t tn_sweep_shard_total(const tn_sweep *sw, uint32_t index, uint32_t count);   /* its runs */
/* tn_sweep_open for one shard: only its runs are checked and returned (the others: ""). */
TN_API tn_status tn_sweep_open_shard(const tn_sweep *sw, const char key[TN_HEX_SIZE], uint32_t index, uint32_t count,
                                     char (*fingerprints)[TN_HEX_SIZE], uint32_t *finished, uint32_t *broken, tn_error *err);
TN_API tn_status tn_sweep_write_shard(const tn_sweep *sw, const char key[TN_HEX_SIZE], char (*fingerprints)[TN_HEX_SIZE], uint32_t index,
                                      uint32_t count, tn_error *err);
TN_API tn_status tn_sweep_clear_shards(const tn_sweep *sw, tn_error *err);
/* The sweep DIR holds, from its manifest or a shard's record: runs, sources, the options the
 * manifest lists (the others keep tn_config_default's: they matter only to training) and the key;
 * sw->dir = dir. TN_ERR_ARG: no sweep there. */
TN_API tn_status tn_sweep_read(const char *dir, tn_sweep *sw, char key[TN_HEX_SIZE], tn_error *err);
/* The sweep directory's lock, held until tn_sweep_unlock or the process ends: DIR is made if
 * missing; a whole sweep or a merge (count 1) takes it alone, shard index of count (>= 2) shares
 * it with the other shards (never with the same shard), and a reader (count 0: the report; DIR is
 * not made) shares it with readers and shards. An fcntl() record lock on DIR/.lock, which
 * NFS honours; the process's own, so forked children neither hold nor drop it. Held by another:
 * TN_ERR_IO "DIR: another twinnet (pid N) is using this sweep directory". */
TN_API tn_status tn_sweep_lock(const char *dir, uint32_t index, uint32_t count, int *fd, tn_error *err);
TN_API void tn_sweep_unlock(int fd);
/* Run r's model, DIR/NAME.tnm: a regular file, never read through a symbolic link. */
TN_API tn_status tn_sweep_load_run(const tn_sweep *sw, uint32_t r, tn_model *m, tn_error *err);

/* ---- a sweep's attribution table: which source of randomness makes how much difference ---- */
typedef struct { double mean, stderr_; } tn_stat;   /* a mean over pairs and its standard error */

/* Progress of a long call (a sweep's pairwise stage, compare): done of total units of work, in
 * units of comparable time (so that the time left is elapsed * (total - done) / done); stage names
 * the work under way in a few words ("pairs", "hidden activations"). Called on the caller's thread,
 * between pieces of work; it must not call back into the call it watches. */
typedef void (*tn_progress_fn)(const char *stage, uint64_t done, uint64_t total, void *user);

typedef struct {
    uint32_t path_points;   /* k: the straight path's k+1 points for the barriers (default 10) */
    uint32_t max_pairs;     /* per source; 0: all N(N-1)/2, else every stride-th pair in order */
    int threads;
    volatile const int *stop_flag; /* polled between runs and pairs: non-zero stops (TN_ERR_IO); may be NULL */
    tn_progress_fn progress;       /* after every run and pair measured (may be NULL), with progress_user */
    void *progress_user;
} tn_attribution_options;

/* The measurements of a pair of runs, one table (tn_pair_metric_info) for every consumer: the
 * text table, attribution.csv and .json, the CLI's --json, the report and MPI's reduction. Adding
 * one: a constant here, a row in the table (attribution.c), the code that measures it. */
typedef enum {
    TN_PAIR_DISAGREEMENT,        /* fraction of test examples two runs classify differently */
    TN_PAIR_OUTPUT_CORRELATION,  /* Pearson correlation of two runs' output vectors */
    TN_PAIR_ENSEMBLE_GAIN,       /* accuracy of two runs' averaged outputs minus their mean */
    TN_PAIR_DISTANCE_RAW,        /* ||A - B|| / ||A|| */
    TN_PAIR_DISTANCE_ALIGNED,    /* the same after activation matching (with sign flips where allowed) */
    TN_PAIR_BARRIER_RAW,         /* the test cost's barrier on the straight path A..B */
    TN_PAIR_BARRIER_ALIGNED,     /* ... to B aligned */
    TN_PAIR_METRIC_COUNT
} tn_pair_metric;

typedef struct {
    const char *name;         /* CSV column and JSON key: "disagreement" (its standard error: "disagreement_se") */
    const char *header;       /* the text table's column, 9 characters at most: "disagree%"; metrics
                                 side by side whose labels differ in the last word only ("distance
                                 raw", "distance aligned") are headed by the rest, once, above */
    const char *label;        /* the report's column, in words: "disagreement" */
    const char *unit;         /* what the shown value counts, HTML ("" when it has none): "% of test images" */
    double scale;             /* shown as scale * value: 100 for a fraction shown in percent (or points) */
    const char *text_format;  /* printf format of a shown mean and its standard error in the text
                                 table (9 wide): "%#9.3g", three significant digits */
    const char *page_format;  /* ... in the report: "%.2f" */
} tn_pair_metric_desc;
/* The description of metric m; NULL when m is not one (m >= TN_PAIR_METRIC_COUNT). */
TN_API const tn_pair_metric_desc *tn_pair_metric_info(tn_pair_metric m);

typedef struct {
    tn_vary source;
    uint32_t runs, pairs;             /* runs of this source; pairs compared (both runs finite) */
    uint32_t fingerprints;            /* distinct fingerprints among the runs (none: 1) */
    uint32_t diverged;                /* runs whose training stopped non-finite or whose model is not
                                         finite: left out of every mean (all of them: the means are NaN) */
    double accuracy_mean, accuracy_std; /* test accuracy over the runs that did not diverge (std: n - 1) */
    double cost_mean, cost_std;       /* mean test cost over the runs */
    tn_stat metric[TN_PAIR_METRIC_COUNT]; /* each pair metric's mean over the pairs compared */
} tn_attribution_row;

/* One row per source of sw, from its finished runs' models, on the test set. */
TN_API tn_status tn_sweep_attribution(const tn_sweep *sw, const tn_dataset *test, const tn_attribution_options *opt,
                                      tn_attribution_row *rows, tn_error *err);

/* The same in two stages, so that processes (MPI ranks, shards) can share the work: measure
 * the runs r = part, part + parts, ... and the pairs p = part, part + parts, ... (what the
 * others measure is left as it is), then reduce everything into the table in one fixed order:
 * the same bytes whatever the split. Pairs are numbered source by source (tn_sweep_pairs). */
typedef struct { double accuracy, cost; char fingerprint[TN_HEX_SIZE]; int diverged; } tn_run_metrics; /* diverged: see the row's */
typedef struct { double v[TN_PAIR_METRIC_COUNT]; } tn_pair_metrics;   /* one pair, indexed by tn_pair_metric */
TN_API uint64_t tn_sweep_pairs(const tn_sweep *sw, const tn_attribution_options *opt);
TN_API tn_status tn_sweep_measure(const tn_sweep *sw, const tn_dataset *test, const tn_attribution_options *opt, uint32_t part,
                                  uint32_t parts, tn_run_metrics *runs, tn_pair_metrics *pairs, tn_error *err);
TN_API void tn_sweep_table(const tn_sweep *sw, const tn_attribution_options *opt, const tn_run_metrics *runs,
                           const tn_pair_metrics *pairs, tn_attribution_row *rows);
/* Writes the rows as DIR/attribution.csv and DIR/attribution.json (atomically). */
TN_API tn_status tn_sweep_write_table(const tn_sweep *sw, const tn_attribution_row *rows, tn_error *err);

/* ---- diverge: where two training traces part ---------------------------------------------- */
typedef struct {
    uint64_t step;
    uint32_t epoch;
    int equal;               /* every parameter identical, bit for bit */
    double l2;               /* ||A - B|| over all parameters */
    double relative;         /* l2 / ||A|| */
    double max_abs;          /* largest |a_i - b_i| */
    uint64_t differing;      /* parameters whose bits differ */
} tn_diverge_point;

typedef struct {
    int n_sizes;
    uint32_t sizes[TN_MAX_LAYERS];
    int diverged;                    /* 0: the traces agree at every common step */
    uint64_t first_diverging_step;
    int has_last_equal;
    uint64_t last_equal_step;
    /* At the first diverging point: the lowest canonical index whose bits differ. */
    uint64_t first_index;
    int first_layer;                 /* 1-based layer */
    int first_is_bias;
    uint32_t first_row, first_col;   /* W (out, in) position, or (unit, 0) for a bias */
    float first_a, first_b;
    tn_diverge_point *points;        /* every step present in both traces */
    size_t n_points;
} tn_diverge_result;

TN_API tn_status tn_diverge(const char *trace_a, const char *trace_b, tn_diverge_result *res, tn_error *err);
TN_API void tn_diverge_result_free(tn_diverge_result *res);

/* ---- images for predict: PGM (P2/P5), PNG and JPEG, read as 8-bit grey (and alpha) -------- */
#define TN_IMAGE_MAX_SIDE 4096u   /* larger sides are an error, found in the header */
#define TN_IMAGE_FILE_MAX ((size_t)64 << 20)   /* bytes of an image file, compressed (64 MiB) */
#define TN_MNIST_SIDE 28          /* preprocessing makes TN_MNIST_SIDE^2 = 784 pixels */
#define TN_MNIST_BOX 20           /* ... with the ink scaled to fit a box of this side */

typedef struct {
    uint32_t width, height;
    uint8_t *grey;    /* (height, width) row-major, 0 black .. 255 white; colour as luma */
    uint8_t *alpha;   /* (height, width) opacity, 0 transparent .. 255; NULL: opaque file */
} tn_image;

/* Reads a PGM, PNG or JPEG file (at most 64 MiB and TN_IMAGE_MAX_SIDE a side) into img; the
 * caller frees it with tn_image_free. Colour (and CMYK) becomes grey; alpha is kept, not
 * applied; a JPEG is turned as its Exif orientation says. */
TN_API tn_status tn_image_read(const char *path, tn_image *img, tn_error *err);
/* The same from a file's bytes in memory; name (NULL: "image") is for messages. */
TN_API tn_status tn_image_from_bytes(const char *name, const uint8_t *bytes, size_t size, tn_image *img,
                                     tn_error *err);
/* An image from RGBA pixels (4 bytes a pixel, row-major, not premultiplied: a canvas's): grey as
 * a colour file becomes grey (BT.601 luma, 16-bit fixed point), alpha kept. Free with tn_image_free. */
TN_API tn_status tn_image_from_rgba(const char *name, const uint8_t *rgba, uint32_t width, uint32_t height,
                                    tn_image *img, tn_error *err);
TN_API void tn_image_free(tn_image *img);
/* tn_image_read's grey pixels alone (malloc'd), any alpha ignored: the raw input of a model. */
TN_API tn_status tn_image_load(const char *path, uint8_t **pixels, uint32_t *width, uint32_t *height,
                               tn_error *err);

/* What tn_image_preprocess found and did. */
typedef struct {
    int composited;                 /* -1: opaque; else the level (0 or 255) alpha was laid over */
    int inverted;                   /* 1: the ink was darker than its background */
    uint8_t background, ink;        /* their levels once the ink is light (0..255) */
    uint32_t box_x, box_y;          /* the ink's bounding box in the image's pixels */
    uint32_t box_w, box_h;
    uint32_t thickened;             /* thin strokes: the radius they were widened by (working pixels) */
    uint32_t fit_w, fit_h;          /* its size once scaled (at most TN_MNIST_BOX a side) */
    int32_t left, top;              /* where that was placed in the 28x28 field */
} tn_preprocess_info;

/* MNIST's preprocessing (LeCun et al.) for an image of any size: alpha laid over the level
 * that contrasts with the ink, grey; inverted when the ink is darker than the background (the
 * border's median); levels stretched from the background to the ink; specks (ink components
 * under 1/32 of the largest) dropped; strokes thinner than MNIST's widened; cropped to the
 * ink's bounding box; scaled by area averaging to fit TN_MNIST_BOX a side keeping the aspect
 * ratio; placed in the 28x28 field with the centre of mass at its centre. Images over 512
 * pixels a side are worked on at 512. Integer arithmetic only: the same bytes everywhere.
 * out: 784 bytes, light ink on black, row-major. An image without ink (blank, or under 24
 * levels of contrast) is TN_ERR_FORMAT "NAME: no ink found ..."; name may be NULL ("image").
 * info may be NULL. */
TN_API tn_status tn_image_preprocess(const tn_image *img, const char *name, uint8_t *out, tn_preprocess_info *info,
                                     tn_error *err);

/* ---- kernels: which SIMD path runs (every path sums in one fixed order: the same bits) ----- */
TN_API const char *tn_simd_path(void);  /* "avx512", "avx2" or "generic": chosen at run time */
/* $TWINNET_SIMD, if set, must name a path (generic, avx2, avx512); one the CPU lacks falls back. */
TN_API tn_status tn_simd_check(tn_error *err);

/* ---- compare: why two networks of one shape differ -----------------------------------------
 * Distances, matching hidden units (alignment, canonical form), correlation and CKA, the
 * straight path, the plain-words findings, the NumPy export. A hidden layer is
 * l = 1..n_sizes-2; arrays indexed by layer leave the other entries unused (zero or NULL). */

/* Distance between the parameters of A and B, summed in double in canonical order. */
typedef struct {
    double l2;          /* ||A - B|| */
    double norm_a;      /* ||A|| */
    double norm_b;      /* ||B|| */
    double relative;    /* ||A - B|| / ||A|| (0 when ||A|| = 0) */
    double cosine;      /* <A, B> / (||A|| ||B||) (0 when a norm is 0) */
    double max_abs;     /* largest |a_k - b_k| */
    double blank_sq;    /* the part of ||A - B||^2 on first-layer weights from blank inputs */
} tn_distance;

typedef struct {
    tn_distance total;                 /* every parameter */
    tn_distance layer[TN_MAX_LAYERS];  /* layer[l], l = 1..n_sizes-1: W_l and b_l together */
} tn_distances;

/* a and b must have the same widths (else TN_ERR_ARG). blank: sizes[0] flags (1: the input is 0
 * in every training example, see tn_blank_inputs), or NULL for none. */
TN_API tn_status tn_net_distance(const tn_net *a, const tn_net *b, const uint8_t *blank, tn_distances *d,
                                 tn_error *err);
/* blank[k] = 1 where input k is 0 in every example of ds (ds->n_in flags); returns how many. */
TN_API uint32_t tn_blank_inputs(const tn_dataset *ds, uint8_t *blank);

/* How B's hidden units are put in A's order: in hidden layer l, A's unit i is matched by B's
 * unit perm[l][i], negated when flip[l][i] (the sign symmetry: tanh(-z) = -tanh(z); sigmoid(-z)
 * = 1 - sigmoid(z), the next layer's bias taking the 1). */
typedef struct {
    int n_sizes;                       /* as the network's */
    uint32_t sizes[TN_MAX_LAYERS];     /* as the network's */
    uint32_t *perm[TN_MAX_LAYERS];     /* hidden layers: sizes[l] entries, a permutation */
    uint8_t *flip[TN_MAX_LAYERS];      /* hidden layers: 1 = the unit is negated */
    double similarity[TN_MAX_LAYERS];  /* matched total: inner products (weights) or correlations */
    uint32_t sweeps;                   /* weight matching: sweeps over the hidden layers */
    int converged;                     /* 1: the last sweep changed nothing (else: the cap, 100) */
    uint32_t units;                    /* hidden units in all */
    uint32_t moved;                    /* hidden units matched to a unit of another index */
    uint32_t flipped;                  /* hidden units negated */
} tn_alignment;

TN_API tn_status tn_alignment_init(tn_alignment *al, const tn_net *net, tn_error *err); /* the identity */
TN_API void tn_alignment_free(tn_alignment *al);
TN_API int tn_sign_symmetry(tn_activation act);   /* 1: sigmoid and tanh; ReLU has none */
/* Weight matching (Ainsworth et al. 2022, "Git Re-Basin", algorithm 1): per hidden layer, the
 * assignment maximising the summed inner products of each unit's incoming weights, bias and
 * outgoing weights, solved exactly (tn_lap_solve); several hidden layers: coordinate descent in
 * ascending layer order, from the identity, until a sweep changes nothing. flips: each pair takes
 * the better sign (|similarity|), where the activation allows it. */
TN_API tn_status tn_align_weights(const tn_net *a, const tn_net *b, int flips, tn_alignment *al, tn_error *err);
/* Activation matching: per hidden layer, the assignment maximising the summed Pearson
 * correlations of matched units' activations over ds (with flips: |correlation|). */
TN_API tn_status tn_align_activations(const tn_net *a, const tn_net *b, const tn_dataset *ds, int flips,
                                      int threads, tn_alignment *al, tn_error *err);
/* out (initialised here; the caller frees it) = b with its hidden units permuted and negated as
 * al says: the same function as b, up to rounding of the biases a sigmoid flip changes. */
TN_API tn_status tn_net_align(const tn_net *b, const tn_alignment *al, tn_net *out, tn_error *err);
/* m's start follows its network through al (align and canon outputs): a start rebuilt from seeds or
 * supplied becomes a supplied start, permuted and negated exactly as tn_net_align moves the network;
 * an unknown start stays unknown. */
TN_API tn_status tn_model_align_start(tn_model *m, const tn_alignment *al, tn_error *err);
/* Canonical form: in each hidden layer, in ascending order, a unit is negated (where the
 * activation allows) when its incoming weights sum below 0 (ties: the first non-zero weight,
 * then the bias), then units are sorted by the norm of their incoming weights, largest first
 * (ties: the weights, then the bias, compared in order). Networks equal up to permutations and
 * flips of hidden units get the same canonical form. al (may be NULL; initialised here) gets
 * the transformation. */
TN_API tn_status tn_net_canonical(const tn_net *net, tn_net *out, tn_alignment *al, tn_error *err);

/* Linear CKA (Kornblith et al. 2019) of x (n, dx) and y (n, dy), row-major, each column centred:
 * ||Xc^T Yc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F), in double, sums in example order. 0 when a
 * side has no variance. */
TN_API tn_status tn_linear_cka(const float *x, const float *y, uint32_t n, uint32_t dx, uint32_t dy, double *cka,
                               tn_error *err);

/* W1, b1, W2, b2, ... as float32 little-endian .npy arrays (W shape (out, in)) in an uncompressed
 * zip, written atomically: what numpy.load reads. */
TN_API tn_status tn_export_npz(const tn_net *net, const char *path, tn_error *err);

/* The arrangements of B that compare measures against A. */
typedef enum {
    TN_VIEW_RAW = 0,            /* B as it is */
    TN_VIEW_WEIGHTS,            /* weight matching, permutations only */
    TN_VIEW_WEIGHTS_FLIPS,      /* weight matching with sign flips */
    TN_VIEW_ACTIVATIONS,        /* activation matching, permutations only */
    TN_VIEW_ACTIVATIONS_FLIPS,  /* activation matching with sign flips */
    TN_VIEW_COUNT
} tn_view;
/* "raw", "weight_matching", "weight_matching_flips", "activation_matching", ... (JSON names) */
TN_API extern const char *const tn_view_names[TN_VIEW_COUNT];

typedef struct {
    double t;       /* 0: A, 1: this arrangement of B; parameters (1-t) A + t B */
    double cost;    /* mean test cost */
    double error;   /* fraction of test examples misclassified */
} tn_path_point;

typedef struct {
    int done;                                /* 0: not measured (flips without a sign symmetry
                                                or without a hidden layer) */
    tn_alignment alignment;                  /* the identity for raw */
    tn_distances distance;                   /* A against this arrangement of B */
    double mean_correlation[TN_MAX_LAYERS];  /* hidden l: mean over units i of the Pearson
                                                correlation of A's unit i and this B's unit i */
    tn_path_point *path;                     /* path_points entries, t = 0, 1/k, ..., 1 */
    uint32_t path_points;                    /* k + 1 */
    double cost_barrier;                     /* max_t cost(t) - ((1-t) cost(0) + t cost(1)), >= 0 */
    double error_barrier;                    /* the same for the error */
} tn_compare_view;

typedef struct {
    uint32_t points;              /* k: the path has k+1 points (default 20) */
    int threads;                  /* for the forward passes (default 1); results do not depend on it */
    uint64_t baseline_seeds[2];   /* the two fresh initialisations, the models' one init scheme (default 1, 2) */
    const char *name_a, *name_b;  /* for messages (default "A", "B") */
    uint32_t views;               /* bit v: measure view v; 0 (default): every view */
    int light;                    /* 1: only the function and the views (a sweep's pairs): no blank
                                     inputs, starts, baseline or CKA; no activation correlations
                                     unless an activation view is asked for */
    tn_progress_fn progress;      /* as the work goes on (may be NULL), with progress_user */
    void *progress_user;
} tn_compare_options;
TN_API void tn_compare_options_default(tn_compare_options *o);

typedef struct {
    int n_sizes;                             /* entries in sizes */
    uint32_t sizes[TN_MAX_LAYERS];           /* the networks' widths */
    tn_activation activation;                /* their hidden units' */
    int has_train;                           /* 1: a training set was given (blank inputs known) */
    uint32_t train_examples;                 /* its examples used: A's train_size, or all */
    uint32_t n_blank;                        /* inputs 0 in every one of them */
    uint64_t blank_weights;                  /* first-layer weights from them: n_blank * sizes[1] */
    uint64_t blank_at_init_a, blank_at_init_b; /* of those, bitwise equal to the model's own
                                                initial value (its init seed and scheme) */
    tn_distances baseline;                   /* two fresh initialisations */
    tn_distance start;                       /* the models' own initial parameters (init seed
                                                and scheme of each): where the two runs began */
    tn_distance travel_a, travel_b;          /* each model against its own initial parameters */
    double start_cosine;                     /* cosine of A - B and A0 - B0 (their initial
                                                parameters): how much of the difference still
                                                points where the initial one did (0 if A0 = B0) */
    tn_compare_view view[TN_VIEW_COUNT];
    uint32_t test_total;                     /* function on the test set: its examples */
    uint32_t correct_a, correct_b;           /* examples each classifies correctly */
    double cost_a, cost_b;                   /* mean cost of each (as tn_evaluate) */
    uint32_t disagree;                       /* examples where the predictions differ */
    uint32_t both_wrong;                     /* examples both misclassify */
    uint32_t both_wrong_differently;         /* ... with different digits */
    double output_distance;                  /* mean over examples of ||out_A - out_B|| */
    double cka[TN_MAX_LAYERS];               /* hidden l: linear CKA of A's and B's activations */
    double cka_baseline[TN_MAX_LAYERS];      /* the same for the two fresh initialisations */
    /* What could be measured (DESIGN.md section 5: say only what is known). */
    int identical;                           /* A and B hold the same parameters bit for bit */
    int start_known_a, start_known_b;        /* travel_x and blank_at_init_x measured (start from
                                                seeds or supplied); start and start_cosine: both */
    tn_start_known start_how_a, start_how_b; /* how each start is known */
    int baseline_known;                      /* baseline and cka_baseline measured: both models name
                                                one init scheme, baseline_init */
    tn_init baseline_init;
    int init_known_a, init_known_b;          /* each model names the scheme that drew its start ... */
    tn_init init_a, init_b;                  /* ... this one */
    double max_param_a, max_param_b;         /* largest |parameter| of each */
    int absurd;                              /* a |parameter| above TN_ABSURD_PARAMETER or a distance
                                                above TN_ABSURD_DISTANCE: no distance is meaningful */
    char name_a[256], name_b[256];           /* the options' names, for the findings */
    char source_a[32], source_b[32];         /* provenance.source of each ("": trained by twinnet) */
    int data_known;                          /* both models record the hash of their training data,
                                                and it is the training set given (blank inputs are
                                                then inputs neither ever saw non-zero) */
} tn_compare_result;
#define TN_ABSURD_PARAMETER 1e6
#define TN_ABSURD_DISTANCE 1e12

/* Everything above for models a and b (same widths, activation and cost, else TN_ERR_ARG) on
 * test; train (may be NULL) gives the blank inputs. The caller frees res. */
TN_API tn_status tn_compare(const tn_model *a, const tn_model *b, const tn_dataset *train, const tn_dataset *test,
                            const tn_compare_options *opt, tn_compare_result *res, tn_error *err);
TN_API void tn_compare_result_free(tn_compare_result *res);

/* One plain-words finding of a comparison, each one sentence (the answer: a short paragraph). */
typedef enum {
    TN_FINDING_DISTANCE = 0,    /* raw distance against two random networks */
    TN_FINDING_START,           /* where the runs began, and how far training moved them */
    TN_FINDING_BLANK,           /* the share of the blank inputs */
    TN_FINDING_ALIGNMENT,       /* what the permutations explain */
    TN_FINDING_FLIPS,           /* what the sign flips add */
    TN_FINDING_CORRELATION,     /* matched units' correlation */
    TN_FINDING_FUNCTION,        /* agreement of the predictions */
    TN_FINDING_REPRESENTATION,  /* CKA against random networks */
    TN_FINDING_PATH,            /* the barrier before and after alignment */
    TN_FINDING_ANSWER,          /* the closing paragraph */
    TN_FINDING_COUNT
} tn_finding;
/* "distance", "start", "blank", ... "answer" (JSON names) */
TN_API extern const char *const tn_finding_names[TN_FINDING_COUNT];
/* Writes finding f into buf (cap bytes, NUL-terminated, cut if longer); returns its length, 0 if
 * the finding does not apply (e.g. no training set for the blank inputs). */
TN_API size_t tn_compare_explain(const tn_compare_result *r, tn_finding f, char *buf, size_t cap);
/* The comparison as compare --json writes it (a and b: the names it shows, seconds: the time it
 * took); malloc'd, the caller frees it with free(); NULL if memory ran out. size may be NULL. */
TN_API char *tn_compare_json(const tn_compare_result *r, const char *name_a, const char *name_b, double seconds,
                             size_t *size);
/* ---- end of compare ------------------------------------------------------------------------ */

/* ---- curves: mode connectivity (Garipov et al. 2018) --------------------------------------------
 * A bend theta joins A and B' (B, aligned to A or not) by a curve phi(t), t in [0, 1]:
 * bezier: phi(t) = (1-t)^2 A + 2t(1-t) theta + t^2 B'; polychain (one bend): phi(t) = A + 2t(theta - A)
 * for t <= 1/2, theta + (2t-1)(B' - theta) after. phi(t) is computed in double and rounded once to
 * float, so phi(0) = A and phi(1) = B' exactly. In src/study/curve_train.c and curve_profile.c. */
typedef enum { TN_CURVE_BEZIER = 0, TN_CURVE_POLYCHAIN, TN_CURVE_COUNT } tn_curve_type;
TN_API extern const char *const tn_curve_type_names[TN_CURVE_COUNT];     /* "bezier", "polychain" */
/* How B is arranged before the curve is trained: as it is, or aligned (sign flips where the activation
 * allows) by weight matching or by activation matching on the test set, as compare's views. */
typedef enum { TN_CURVE_ALIGN_NONE = 0, TN_CURVE_ALIGN_WEIGHTS, TN_CURVE_ALIGN_ACTIVATIONS, TN_CURVE_ALIGN_COUNT } tn_curve_align;
TN_API extern const char *const tn_curve_align_names[TN_CURVE_ALIGN_COUNT]; /* "none", "weights", "activations" */

typedef struct {
    tn_curve_type type;        /* default bezier */
    tn_curve_align align;      /* default activations (the one alignment of every summary) */
    uint32_t epochs;           /* passes over the training set (default 4) */
    uint32_t batch;            /* mini-batch size; 0 (default): A's */
    float eta;                 /* learning rate; 0 (default): 4 times A's for a bezier, A's for a polychain (theta's
                                  step then moves the curve's middle as far as a step of A's training moved A) */
    uint64_t seed;             /* the example order (tn_shuffle) and each mini-batch's t (TN_STREAM_CURVE) (default 1) */
    int threads;               /* default 1; the bend does not depend on it */
    tn_epoch_fn on_epoch;      /* after every epoch (may be NULL), with user: epoch, epochs, test_cost = the epoch's
                                  mean training cost along the curve, non_finite, train_seconds */
    void *user;
    volatile const int *stop_flag; /* polled between mini-batches (may be NULL): non-zero stops there */
} tn_curve_options;
TN_API void tn_curve_options_default(tn_curve_options *o);

typedef struct {
    uint32_t epochs_run;       /* complete epochs */
    uint64_t steps;            /* mini-batch steps behind the bend */
    int interrupted;           /* stopped on request: the bend of that step */
    int non_finite;            /* the bend or the cost became NaN or infinite in epoch non_finite_epoch: the bend
                                  is that of the epoch before (the midpoint for epoch 1) */
    uint32_t non_finite_epoch;
} tn_curve_result;

/* Trains the bend of a curve from a to b (same widths, activation and cost, else TN_ERR_ARG) on a's
 * training examples of train (a's train_size): theta starts at (A + B')/2; each mini-batch draws its t
 * ~ U(0,1) and takes an SGD step on theta with the gradient of the network's own cost (a's lambda
 * too) at phi(t), weighted by dphi/dtheta: 2t(1-t) (bezier), 1 - |2t - 1| (polychain). test is used only
 * for activation matching (may be NULL otherwise). bend (initialised here; the caller frees it with
 * tn_model_free) is a model: a's configuration, theta's parameters and the provenance naming a, b, the
 * type, the alignment and B'. A non-finite result is TN_OK with res->non_finite set. */
TN_API tn_status tn_curve_train(const tn_model *a, const tn_model *b, const tn_dataset *train, const tn_dataset *test,
                                const tn_curve_options *opt, tn_model *bend, tn_curve_result *res, tn_error *err);

/* TN_OK if bend's provenance names a curve whose ends are a and b (by fingerprint); else TN_ERR_ARG
 * "BEND: ..." saying what it belongs to. name_bend is for the message. */
TN_API tn_status tn_curve_check(const tn_model *bend, const tn_model *a, const tn_model *b, const char *name_bend,
                                tn_error *err);
/* phi(t) of the curve (a, theta, b_end) into out (initialised here; the caller frees it). */
TN_API tn_status tn_curve_point(const tn_net *a, const tn_net *theta, const tn_net *b_end, tn_curve_type type, double t,
                                tn_net *out, tn_error *err);

typedef struct {
    tn_curve_type type;
    tn_curve_align align;
    tn_path_point *path;       /* path_points entries, t = 0, 1/k, ..., 1: test cost and error of phi(t) */
    uint32_t path_points;      /* k + 1 */
    double cost_barrier;       /* max_t cost(t) - ((1-t) cost(0) + t cost(1)), >= 0: as the straight path's */
    double error_barrier;      /* the same for the error */
    int finite;                /* every point's cost is finite */
} tn_curve_profile;
/* The curve of bend (tn_curve_check'ed against a and b) at t = k/points on test: B is aligned again as
 * the bend records (activations: on test) and must give its recorded end, else TN_ERR_ARG. The caller
 * frees prof with tn_curve_profile_free. */
TN_API tn_status tn_curve_profile_measure(const tn_model *a, const tn_model *b, const tn_model *bend, const tn_dataset *test,
                                          uint32_t points, int threads, const char *name_bend, tn_curve_profile *prof,
                                          tn_error *err);
TN_API void tn_curve_profile_free(tn_curve_profile *prof);
/* The answer in one sentence (buf, cap bytes): "A and B are joined by a curve along which the test
 * error rises at most X points: one valley." (B named as aligned when it was) when X (the error barrier) is under 2 points (Frankle et
 * al.'s threshold for "no barrier"), else that the lowest curve found still rises X points. Its length. */
TN_API size_t tn_curve_sentence(const tn_curve_profile *prof, char *buf, size_t cap);
/* ---- end of curves ------------------------------------------------------------------------- */

/* ---- report: one self-contained HTML page (plots as inline SVG, images as PNG data URIs, no
 * script, nothing fetched) on a finished sweep or on one pair of models. In src/report/: report.c
 * (the inputs: the sweep read back, the pair compared), summary.c (the page in order, its words,
 * the attribution table), figures.c (plots and pictures), svg.c, pngenc.c, palette.c. */
typedef struct {
    const char *sweep_dir;          /* a finished sweep's directory, or NULL: the pair below */
    const char *model_a, *model_b;  /* a pair of models (when sweep_dir is NULL) */
    const char *trace_a, *trace_b;  /* the pair's training traces: both, or NULL */
    const tn_dataset *train;        /* may be NULL: then nothing on the inputs training never sees */
    const tn_dataset *test;         /* required: accuracy, disagreements, the straight path */
    uint32_t path_points;           /* k: the straight path's k+1 points (default 20) */
    uint32_t max_images;            /* test images shown on which the pair disagrees (default 24) */
    int threads;                    /* default 1; the page does not depend on it */
    int force;                      /* replace a read-only page (tn_out_check) */
    const char *curve;              /* a bend of A and B (twinnet connect), or NULL: its profile beside the
                                       straight paths, and the card's sentence on it */
} tn_report_spec;
TN_API void tn_report_spec_default(tn_report_spec *spec);
/* Writes the page to out (atomically); the same inputs give the same bytes (no timestamp).
 * bytes (may be NULL): the page's size. A sweep must be finished and have two runs or more of
 * some source; the pair must have one shape (TN_ERR_ARG otherwise). */
TN_API tn_status tn_report_write(const tn_report_spec *spec, const char *out, size_t *bytes, tn_error *err);
/* ---- end of report ------------------------------------------------------------------------- */

/* ---- stability: when is a run's outcome decided? (Frankle et al. 2020; Kwok et al. 2025) ----------
 * One parent run keeps checkpoints at the spawn steps; at each, for each perturbation, `pairs` pairs
 * of children train to the end from there and are compared. "order": two children with different
 * order seeds; "ulp" and "gauss S": an unperturbed child and a perturbed one with the same order
 * (the unperturbed child of (step, pair r) is shared by every perturbation). In src/study/:
 * stability.c (the plan, the parent, a child, a pair), stability_journal.c, stability_table.c. */
#define TN_STABILITY_MAX_STEPS 32
#define TN_STABILITY_MAX_SIGMAS 8
typedef struct {
    tn_config base;                               /* the parent's training (its seeds) */
    uint32_t n_steps;
    uint64_t steps[TN_STABILITY_MAX_STEPS];       /* spawn steps, ascending, the last at most the end */
    uint32_t pairs;                               /* R, at least 1 */
    int order, ulp;                               /* 1: these perturbations are studied */
    uint32_t n_sigmas;                            /* gauss: sigma_k, relative to the initial weights' spread */
    double sigmas[TN_STABILITY_MAX_SIGMAS];
    uint32_t path_points;                         /* k: the straight path's k+1 points (default 10) */
    const char *dir;                              /* parent-STEP.tnm, the children, journal.jsonl */
} tn_stability;

/* The default grid for a run of cfg on n_train examples: 0, 1, 10, 100, 1000, one epoch, 2, 5, 10
 * epochs and the end (epochs), those beyond the end left out, each once, ascending. */
TN_API void tn_stability_default_steps(const tn_config *cfg, uint32_t n_train, tn_stability *st);
TN_API uint32_t tn_stability_perturbations(const tn_stability *st);                    /* P */
TN_API void tn_stability_perturbation_name(const tn_stability *st, uint32_t p, char name[32]);  /* "order", "ulp", "gauss 0.01" */
/* Children: (step i, pair r) has 1 + P: c = (i R + r)(1 + P) + k, k = 0 the unperturbed child, k = p + 1
 * the other child of perturbation p's pair. Pairs: q = (i R + r) P + p. */
TN_API uint32_t tn_stability_children(const tn_stability *st);
TN_API uint32_t tn_stability_pairs(const tn_stability *st);
TN_API void tn_stability_child_name(const tn_stability *st, uint32_t c, char name[48]);  /* "s03-r1-order" */
/* The parent's checkpoints DIR/parent-STEP.tnm that are missing or do not match the journal,
 * trained in order, each from the one before (train --resume: bit for bit the uninterrupted run);
 * each recorded in the journal. */
TN_API tn_status tn_stability_parent(const tn_stability *st, const tn_dataset *train, const tn_dataset *test,
                                     volatile const int *stop_flag, tn_error *err);
/* Trains child c from its checkpoint to the end into DIR/NAME.tnm and records it in the journal. */
TN_API tn_status tn_stability_child(const tn_stability *st, uint32_t c, const tn_dataset *train, const tn_dataset *test,
                                    volatile const int *stop_flag, tn_error *err);

/* A pair's measurements, each relative or in fractions; the table's columns in this order. */
typedef enum {
    TN_STAB_DISTANCE_RAW,          /* ||A - B|| / ||A|| */
    TN_STAB_DISTANCE_ALIGNED,      /* the same, B aligned (activation matching, sign flips allowed) */
    TN_STAB_COST_BARRIER_RAW,      /* the test cost's barrier on the straight path A..B */
    TN_STAB_COST_BARRIER_ALIGNED,
    TN_STAB_ERROR_BARRIER_RAW,     /* the test error's (a fraction: 0.01 is one point) */
    TN_STAB_ERROR_BARRIER_ALIGNED,
    TN_STAB_DISAGREEMENT,          /* fraction of test examples classified differently */
    TN_STAB_CKA,                   /* linear CKA of the hidden activations, mean over hidden layers */
    TN_STAB_METRIC_COUNT
} tn_stab_metric;
typedef struct {
    const char *name;      /* JSON key and CSV column ("_se": its standard error) */
    const char *header;    /* the text table's column, 8 characters at most */
    double scale;          /* shown as scale * value (100: percent or points) */
} tn_stab_metric_desc;
TN_API const tn_stab_metric_desc *tn_stab_metric_info(tn_stab_metric m);
/* Measures pair q (both children finished) on test: values[TN_STAB_METRIC_COUNT]; records it. */
TN_API tn_status tn_stability_pair(const tn_stability *st, uint32_t q, const tn_dataset *test, int threads,
                                   double values[TN_STAB_METRIC_COUNT], tn_error *err);

/* The study's record DIR/journal.jsonl: a header (the study and its data, one JSON line) and a line per
 * checkpoint, child and pair finished. Opening makes DIR and the header, or reads it back: another
 * study's header is TN_ERR_ARG; a child counts as done when its model file has the recorded
 * fingerprint, a pair when its children's recorded fingerprints are those it was measured on.
 * done_children (tn_stability_children entries), done_pairs and values (tn_stability_pairs x
 * TN_STAB_METRIC_COUNT) are filled. */
TN_API tn_status tn_stability_open(const tn_stability *st, const uint8_t data_sha256[32], uint8_t *done_children,
                                   uint8_t *done_pairs, double *values, tn_error *err);

/* A cell of the table: spawn step i, perturbation p; mean and standard error over its pairs. */
typedef struct {
    uint64_t step;
    uint32_t perturbation, pairs;
    tn_stat metric[TN_STAB_METRIC_COUNT];
} tn_stab_cell;
/* The cells (n_steps x P, step-major) from every pair's values. */
TN_API void tn_stability_table(const tn_stability *st, const double *values, tn_stab_cell *cells);
/* The first spawn step from which on (that step and every later one) perturbation p's mean raw error
 * barrier (aligned: after alignment) is under TN_STABILITY_SETTLED; UINT64_MAX: never. */
#define TN_STABILITY_SETTLED 0.01
TN_API uint64_t tn_stability_settled(const tn_stability *st, const tn_stab_cell *cells, uint32_t p, int aligned);
/* The answer in plain words, from the cells (malloc'd text; NULL: out of memory): lines (each ending
 * in a newline but the last): the criterion, one per perturbation, and the answer. */
TN_API char *tn_stability_summary(const tn_stability *st, const tn_stab_cell *cells, uint32_t steps_per_epoch);
/* ---- end of stability ---------------------------------------------------------------------- */

#ifdef __cplusplus
}
#endif
#endif /* TWINNET_H */

/* ---- internal: test hooks (TN_INTERNAL) ------------------------------------------------------
 * For the library's own files (util.h defines TN_INTERNAL) and tests that check the parts one by
 * one. Not exported from the shared library, not covered by the ABI: they may change at any time.
 * Outside the include guard (as zstd's ZSTD_STATIC_LINKING_ONLY part), so that a file which
 * includes twinnet.h before defining TN_INTERNAL still gets them. */
#if defined(TN_INTERNAL) && !defined(TWINNET_H_INTERNAL)
#define TWINNET_H_INTERNAL
#ifdef __cplusplus
extern "C" {
#endif

/* One Philox4x32-10 block (the generator behind tn_normal and tn_shuffle). */
void tn_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Deterministic math: IEEE basic operations only, same bits under every libm. */
double tn_exp(double x);
double tn_log(double x);      /* x > 0 */
double tn_sin(double x);
double tn_cos(double x);
float tn_expf(float x);       /* x clamped to [-86, 88]: never denormal, never inf */
float tn_sigmoidf(float z);   /* 1/(1+e^-z), z clamped to [-80, 80] */

/* One SGD step on examples idx[0..m-1] of ds, as tn_train does. */
tn_status tn_sgd_step(tn_net *net, const tn_dataset *ds, const uint32_t *idx, uint32_t m,
                      float eta, float lambda, uint32_t n_train, tn_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TN_INTERNAL */
