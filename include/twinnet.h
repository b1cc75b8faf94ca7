/* twinnet: train Nielsen's digit networks bit-reproducibly, and explain why two runs differ.
 * Public API. The library never prints and never exits: calls return a tn_status and fill a
 * tn_error with one line "FILE: what is wrong"; progress goes through a callback. */
#ifndef TWINNET_H
#define TWINNET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TN_VERSION_STRING "0.1.0"
#define TN_MAX_LAYERS 16          /* entries in sizes[] (input, hidden..., output) */
#define TN_MAX_WIDTH 65536        /* largest layer width accepted */
#define TN_PAD 16                 /* every layer's output width is padded to a multiple of this */

typedef enum {
    TN_OK = 0,
    TN_ERR_IO,          /* a file could not be opened, read or written */
    TN_ERR_FORMAT,      /* a file is not what it claims (magic, sizes, checksum, truncation) */
    TN_ERR_ARG,         /* a bad value from the caller (sizes, hyper-parameters) */
    TN_ERR_NOMEM        /* an allocation failed */
} tn_status;

typedef struct { char msg[512]; } tn_error; /* one line, no trailing newline */

const char *tn_status_string(tn_status s);

/* ---- randomness: Philox4x32-10 (Salmon et al. 2011), counter-based ---------------------- */
typedef enum { TN_STREAM_INIT = 1, TN_STREAM_ORDER = 2, TN_STREAM_BASELINE = 3 } tn_stream;

void tn_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);
/* The k-th standard normal deviate of (seed, stream): Box-Muller on Philox block k/2 in double
 * with our own log/sin/cos, so it depends on (seed, stream, k) alone. */
double tn_normal(uint64_t seed, tn_stream stream, uint64_t k);
/* Fisher-Yates permutation of 0..n-1 for (seed, epoch): unbiased (Lemire's bounded ints). */
void tn_shuffle(uint32_t *perm, uint32_t n, uint64_t seed, uint32_t epoch);

/* ---- deterministic math: IEEE basic operations only, same bits under every libm ---------- */
double tn_exp(double x);
double tn_log(double x);      /* x > 0 */
double tn_sin(double x);
double tn_cos(double x);
float tn_expf(float x);       /* x clamped to [-86, 88]: never denormal, never inf */
float tn_sigmoidf(float z);   /* 1/(1+e^-z), z clamped to [-80, 80] */

/* ---- SHA-256 (FIPS 180-4) ----------------------------------------------------------------- */
typedef struct { uint32_t h[8]; uint64_t len; uint8_t buf[64]; size_t fill; int fast; } tn_sha256;
void tn_sha256_init(tn_sha256 *s);
void tn_sha256_update(tn_sha256 *s, const void *data, size_t n);
void tn_sha256_final(tn_sha256 *s, uint8_t digest[32]);
void tn_hex(const uint8_t *bytes, size_t n, char *out); /* out: 2n+1 chars */

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
tn_status tn_dataset_load(tn_dataset *ds, const char *images_path, const char *labels_path,
                          tn_error *err);
void tn_dataset_free(tn_dataset *ds);
/* A view of examples [first, first+count) of src: no copy; free is a no-op on it. */
tn_dataset tn_dataset_view(const tn_dataset *src, uint32_t first, uint32_t count);
/* Builds a data set from memory (copies); used by tests and tools. */
tn_status tn_dataset_from_memory(tn_dataset *ds, uint32_t n, uint32_t rows, uint32_t cols,
                                 const uint8_t *pixels, const uint8_t *labels, tn_error *err);
/* Reads a whole file, transparently gunzipping; *size is the decompressed size. Caps at max. */
tn_status tn_read_file(const char *path, size_t max, uint8_t **out, size_t *size, tn_error *err);

/* Where a training and a test set come from: MNIST's four files in a directory
 * (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte, each raw or .gz), or any IDX files named one by one. */
typedef struct {
    const char *dir;                          /* NULL: tn_data_default_dir */
    const char *train_images, *train_labels;  /* named files (a pair) replace dir's */
    const char *test_images, *test_labels;
} tn_data_source;

/* $TWINNET_DATA, else ${XDG_CACHE_HOME:-$HOME/.cache}/twinnet/mnist (where make data puts it). */
const char *tn_data_default_dir(char *buf, size_t cap);
/* Loads the training set (train may be NULL: only the test set) and the test set. */
tn_status tn_data_load(const tn_data_source *src, tn_dataset *train, tn_dataset *test, tn_error *err);

/* ---- network ------------------------------------------------------------------------------ */
typedef enum { TN_ACT_SIGMOID = 0, TN_ACT_TANH = 1, TN_ACT_RELU = 2 } tn_activation;
typedef enum { TN_COST_QUADRATIC = 0, TN_COST_CROSS_ENTROPY = 1, TN_COST_LOG_LIKELIHOOD = 2 } tn_cost;
typedef enum { TN_INIT_NORMAL = 0, TN_INIT_SCALED = 1 } tn_init;

/* Names by code, as the CLI and the model file's readers spell them. */
extern const char *const tn_activation_names[3];
extern const char *const tn_cost_names[3];
extern const char *const tn_init_names[2];
const char *tn_activation_name(tn_activation a);
const char *tn_cost_name(tn_cost c);
const char *tn_init_name(tn_init i);

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

tn_status tn_net_init(tn_net *net, const uint32_t *sizes, int n_sizes, tn_activation act,
                      tn_cost cost, tn_error *err);
void tn_net_free(tn_net *net);
tn_status tn_net_copy(tn_net *dst, const tn_net *src, tn_error *err);
/* N(0,1) biases and weights (normal), or N(0,1/n_in) weights (scaled), value k of the
 * init stream going to canonical parameter k. */
void tn_net_randomize(tn_net *net, tn_init init, uint64_t init_seed);
/* Parameters of a network with these widths: sum of n_in*n_out + n_out over the layers. */
uint64_t tn_params_count(const uint32_t *sizes, int n_sizes);
/* Canonical index -> (layer 1.., bias?, row, col) with W as (out, in); 0 if out of range. */
int tn_param_position(const uint32_t *sizes, int n_sizes, uint64_t index, int *layer, int *is_bias,
                      uint32_t *row, uint32_t *col);
void tn_net_get_canonical(const tn_net *net, float *out);      /* out: n_params floats */
void tn_net_set_canonical(tn_net *net, const float *in);
float *tn_net_param(tn_net *net, size_t canonical_index);     /* pointer into the buffer */
/* Lowercase hex SHA-256 of the canonical parameters as little-endian float32. */
void tn_net_fingerprint(const tn_net *net, char hex[65]);

/* Forward one example (x: n_in floats) into out (n_out probabilities/activations). */
tn_status tn_net_forward(const tn_net *net, const float *x, float *out, tn_error *err);

/* ---- evaluation ---------------------------------------------------------------------------- */
typedef struct {
    uint32_t correct, total;
    double cost;              /* mean per-example cost (no regulariser) */
    uint32_t *confusion;      /* optional (n_out*n_out), [true][predicted]; caller-owned or NULL */
} tn_eval_result;

tn_status tn_evaluate(const tn_net *net, const tn_dataset *ds, int threads,
                      tn_eval_result *res, tn_error *err);
/* Per-example predicted class and output vector (out: n*n_out floats, may be NULL). */
tn_status tn_predict_all(const tn_net *net, const tn_dataset *ds, int threads,
                         uint8_t *pred, float *out, tn_error *err);
/* Activations of layer `layer` (1: the first hidden layer .. n_sizes-1: the output) for every
 * example of ds: out is (n, sizes[layer]) row-major, the caller's. */
tn_status tn_layer_activations(const tn_net *net, const tn_dataset *ds, int layer, int threads, float *out,
                               tn_error *err);

/* ---- training ------------------------------------------------------------------------------ */
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
    int64_t perturb_ulp;      /* -1: none; else flip the lowest bit of this canonical param */
} tn_config;

void tn_config_default(tn_config *cfg); /* network.py: [784,30,10], 30, 10, 3.0, quadratic */

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
} tn_train_result;

/* Trains net (initialised here from cfg) on the first cfg->train_size examples of train; the
 * rest, if any, is the validation set; evaluates on test (may be NULL) after each epoch.
 * *stop_flag (may be NULL) is polled between mini-batches: non-zero stops at that boundary. */
tn_status tn_train(const tn_config *cfg, const tn_dataset *train, const tn_dataset *test,
                   tn_net *net, tn_epoch_fn on_epoch, void *user,
                   volatile const int *stop_flag, tn_train_result *result, tn_error *err);

/* One SGD step on examples idx[0..m-1] of ds, as tn_train does (exposed for tests). */
tn_status tn_sgd_step(tn_net *net, const tn_dataset *ds, const uint32_t *idx, uint32_t m,
                      float eta, float lambda, uint32_t n_train, tn_error *err);

/* ---- model files --------------------------------------------------------------------------- */
typedef struct {
    tn_config config;          /* trace_path is NULL after load */
    uint32_t epochs_run;
    uint8_t data_sha256[32];   /* of the training images and labels used */
    tn_net net;
} tn_model;

#define TN_MODEL_VERSION 1u
tn_status tn_model_save(const tn_model *m, const char *path, tn_error *err);   /* atomic */
tn_status tn_model_load(tn_model *m, const char *path, tn_error *err);
void tn_model_free(tn_model *m);

/* ---- a training run: what the CLI, a sweep and an MPI rank all call ------------------------ */
typedef struct {
    tn_config config;                 /* what to train (trace_path: a trace to write, or NULL) */
    tn_data_source data;              /* where the data comes from, unless train is given */
    const tn_dataset *train, *test;   /* data already loaded (both, or NULL to load from data) */
    const char *out;                  /* the model file to write (atomically), or NULL */
    tn_epoch_fn on_epoch;             /* after every epoch (may be NULL), with user */
    void *user;
    volatile const int *stop_flag;    /* non-zero stops at the next step boundary (may be NULL) */
} tn_run_spec;

/* Loads the data, trains, and assembles the model: its config (train_size as used: the default
 * 50000 on a training set of fewer examples means all of them), epochs run, the SHA-256 of
 * the training examples used, and the parameters; writes it to spec->out if set. A stop on
 * request still writes the model of that step (result->interrupted says so). On success the
 * caller frees model with tn_model_free. */
tn_status tn_run(const tn_run_spec *spec, tn_model *model, tn_train_result *result, tn_error *err);

/* Atomic file write: temporary file in the same directory, fsync, rename. */
tn_status tn_write_atomic(const char *path, const void *data, size_t n, tn_error *err);

/* SHA-256 of a data set's pixels and labels (the data fingerprint in model files). */
void tn_dataset_sha256(const tn_dataset *ds, uint8_t digest[32]);

/* ---- diverge: where two training traces part ---------------------------------------------- */
typedef struct {
    uint64_t step;
    uint32_t epoch;
    int equal;               /* identical fingerprints */
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

tn_status tn_diverge(const char *trace_a, const char *trace_b, tn_diverge_result *res, tn_error *err);
void tn_diverge_result_free(tn_diverge_result *res);

/* ---- images for predict: PGM (P2/P5) and PNG, grayscale 8-bit ---------------------------- */
tn_status tn_image_load(const char *path, uint8_t **pixels, uint32_t *width, uint32_t *height,
                        tn_error *err);

/* ---- kernels (internal, exposed for tests): fixed order at every SIMD width --------------- */
const char *tn_simd_path(void);  /* "avx512", "avx2" or "generic": chosen at run time */

#ifdef __cplusplus
}
#endif
#endif
