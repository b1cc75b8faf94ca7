/* What the import fuzz targets share (fuzz_npz.c, fuzz_network2.c, fuzz_safetensors.c): the
 * reader's tensors must be consistent (count = product of the shape, a name, a known dtype), a
 * failure one line naming the input; then the whole import (names to layers, shapes, scaling,
 * rounding) on the same bytes, whose model must hold finite float32 parameters. */
#ifndef TN_FUZZ_IMPORT_TARGET_H
#define TN_FUZZ_IMPORT_TARGET_H

#include "import.h"
#include "targets.h"

typedef tn_status (*fuzz_reader)(const char *file, const uint8_t *buf, size_t size, tn_tensors *ts, tn_error *err);

static inline void fuzz_check_tensors(tn_status s, tn_tensors *ts, const tn_error *err) {
    if (s != TN_OK) {
        fuzz_check_error(err, "file", NULL);
    } else {
        for (size_t i = 0; i < ts->n; i++) {
            const tn_tensor *t = &ts->t[i];
            uint64_t count = 1;
            for (int d = 0; d < t->ndim; d++) count *= t->shape[d];
            if (count != t->count || t->ndim > TN_TENSOR_MAX_DIMS || t->dtype >= TN_DT_COUNT || !t->data) abort();
        }
    }
    tn_tensors_free(ts);
}

static inline void fuzz_import(const uint8_t *data, size_t size, tn_format format, int with_start, unsigned flags) {
    tn_import_options o;
    tn_import_options_default(&o);
    o.format = format;
    o.name = "file";
    if (flags & 2) tn_import_inputs("torchvision-mnist", &o);
    if (with_start) { o.start = data; o.start_size = size; o.start_name = "start"; }
    tn_model m;
    tn_import_info info;
    tn_error err = {""};
    tn_status s = tn_model_import(&m, data, size, &o, &info, &err);
    if (s != TN_OK) {
        fuzz_check_error(&err, "file", "start");
        if (m.net.params || m.provenance.start_params) abort();
        return;
    }
    if (tn_net_count_non_finite(&m.net) != 0) abort();
    if (with_start != (m.provenance.start == TN_START_SUPPLIED)) abort();
    if (with_start) {   /* the file is its own start, folded alike: the same parameters */
        float *p = malloc(m.net.n_params * sizeof(float));
        if (!p) abort();
        tn_net_get_canonical(&m.net, p);
        if (memcmp(p, m.provenance.start_params, m.net.n_params * sizeof(float)) != 0) abort();
        free(p);
    }
    tn_model_free(&m);
}

/* A target's whole input: a flags byte (bit 0: the file is also its own start; bit 1: fold
 * torchvision's input scaling), then the file, through reader and then the whole import. */
static inline int fuzz_reader_and_import(const uint8_t *data, size_t size, fuzz_reader reader, tn_format format) {
    if (size < 1) return 0;
    unsigned flags = data[0];
    tn_tensors ts = {0};
    tn_error err = {""};
    fuzz_check_tensors(reader("file", data + 1, size - 1, &ts, &err), &ts, &err);
    fuzz_import(data + 1, size - 1, format, flags & 1, flags);
    return 0;
}

#endif
