/* Models from outside (import.c and the readers it calls): each reader turns a file's bytes into
 * named tensors in double; import.c maps their names to layers (twinnet's W1, b1, ...; np.savez's
 * arr_0, ...; nn.Sequential's 0.weight, 0.bias, ...) and builds the tn_model. Internal header. */
#ifndef TN_IMPORT_H
#define TN_IMPORT_H

#include "util.h"

/* Storage types the readers take; every value becomes a double (exactly). */
typedef enum { TN_DT_F16, TN_DT_BF16, TN_DT_F32, TN_DT_F64, TN_DT_COUNT } tn_dtype;
extern const char *const tn_dtype_names[TN_DT_COUNT];   /* "F16", "BF16", "F32", "F64" */

#define TN_TENSOR_MAX_DIMS 8
typedef struct {
    char name[128];                       /* its key (an .npz member without ".npy") */
    int ndim;
    uint64_t shape[TN_TENSOR_MAX_DIMS];
    uint64_t count;                       /* product of the shape */
    tn_dtype dtype;
    double *data;                         /* count values, row-major (malloc'd) */
} tn_tensor;

typedef struct {
    tn_tensor *t;
    size_t n, cap;
} tn_tensors;

void tn_tensors_free(tn_tensors *ts);
/* A new tensor at the end of ts in *out: name copied, shape (ndim entries, whose product the
 * caller has checked) and dtype set, data allocated for the values. A file holds at most
 * TN_MAX_TENSORS (a network of TN_MAX_LAYERS has fewer): more is TN_ERR_FORMAT, before anything
 * is allocated for them. */
#define TN_MAX_TENSORS 64
tn_status tn_tensors_add(tn_tensors *ts, const char *file, const char *name, int ndim, const uint64_t *shape,
                         tn_dtype dtype, tn_tensor **out, tn_error *err);
/* count little-endian (or big_endian) values of dtype at bytes into out. */
void tn_decode_values(const uint8_t *bytes, uint64_t count, tn_dtype dtype, int big_endian, double *out);
size_t tn_dtype_size(tn_dtype dtype);

/* The readers, on bytes in memory: every message names file (and the key). */
tn_status tn_npz_parse(const char *file, const uint8_t *buf, size_t size, tn_tensors *ts, tn_error *err);
/* One .npy file's bytes (an .npz member) as tensor key. */
tn_status tn_npy_parse(const char *file, const char *key, const uint8_t *buf, size_t size, tn_tensors *ts, tn_error *err);
tn_status tn_safetensors_parse(const char *file, const uint8_t *buf, size_t size, tn_tensors *ts, tn_error *err);
/* network2.py's save(): sizes, weights, biases and its cost (TN_COST_QUADRATIC or _CROSS_ENTROPY). */
tn_status tn_network2_parse(const char *file, const uint8_t *buf, size_t size, tn_tensors *ts, tn_cost *cost,
                            tn_error *err);

/* name made printable for a one-line message: control and non-ASCII bytes as '?', cut to cap. */
void tn_safe_name(const char *name, char *out, size_t cap);

/* CRC-32 of zip and gzip (npz.c). */
uint32_t tn_crc32(const uint8_t *p, size_t n);

#endif
