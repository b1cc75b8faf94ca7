/* safetensors (Hugging Face's format, what PyTorch users save): u64 little-endian N, N bytes of
 * JSON {"NAME": {"dtype", "shape", "data_offsets": [begin, end]}, ..., "__metadata__": {...}},
 * then the data, row-major little-endian, offsets counted from the first byte after the header.
 * Read: the header capped at 100 MB as the reference implementation does, through the one JSON
 * reader; every range inside the data, of the size its shape and dtype say, the ranges together
 * covering the data exactly without overlap. Written: nn.Sequential(Linear, act, Linear, ...)'s
 * keys 0.weight, 0.bias, 2.weight, ... in F32, the header through the one JSON writer. */
#include <stdio.h>
#include <stdlib.h>

#include "import.h"
#include "json.h"
#include "params.h"

#define SAFETENSORS_MAX_HEADER ((uint64_t)100000000)

typedef struct { uint64_t begin, end; } range;

static int by_begin(const void *a, const void *b) {
    const range *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* One tensor's header entry, checked against the data (n bytes at data). */
static tn_status one_tensor(const char *file, const tn_json_value *v, const uint8_t *data, uint64_t n, tn_tensors *ts,
                            range *r, tn_error *err) {
#define FAIL(...) return tn_fail(err, TN_ERR_FORMAT, __VA_ARGS__)
    char key[100];
    tn_safe_name(v->key, key, sizeof key);
    if (v->kind != TN_JSON_OBJECT) FAIL("%s: %s: not a tensor entry (an object with dtype, shape, data_offsets)", file, key);
    const tn_json_value *dtype = tn_json_get(v, "dtype"), *shape = tn_json_get(v, "shape"), *off = tn_json_get(v, "data_offsets");
    if (!dtype || !shape || !off || v->count != 3) FAIL("%s: %s: a tensor entry has dtype, shape and data_offsets, nothing else", file, key);
    int dt = tn_json_to_name(dtype, tn_dtype_names, TN_DT_COUNT);
    if (dt < 0) FAIL("%s: %s: dtype %.20s is not read (F32, F64, F16 and BF16 are)", file, key,
                     dtype->kind == TN_JSON_STRING ? dtype->text : "(not a string)");
    if (shape->kind != TN_JSON_ARRAY || shape->count > TN_TENSOR_MAX_DIMS) FAIL("%s: %s: shape is not a list of sizes", file, key);
    if (off->kind != TN_JSON_ARRAY || off->count != 2 || !tn_json_to_u64(off->first, UINT64_MAX, &r->begin) ||
        !tn_json_to_u64(off->first->next, UINT64_MAX, &r->end) || r->end < r->begin)
        FAIL("%s: %s: data_offsets is not [begin, end]", file, key);
    if (r->end > n)
        FAIL("%s: %s: data_offsets [%llu, %llu] beyond the %llu bytes of data (truncated?)", file, key, (unsigned long long)r->begin,
             (unsigned long long)r->end, (unsigned long long)n);
    uint64_t count = 1, dims[TN_TENSOR_MAX_DIMS];
    int ndim = 0;
    for (const tn_json_value *d = shape->first; d; d = d->next, ndim++) {
        if (!tn_json_to_u64(d, n, &dims[ndim])) FAIL("%s: %s: shape is not a list of sizes within the data", file, key);
        if (dims[ndim] && count > n / dims[ndim]) FAIL("%s: %s: shape is larger than the data", file, key);
        count *= dims[ndim];
    }
    size_t item = tn_dtype_size((tn_dtype)dt);
    if (count > n / item || count * item != r->end - r->begin)
        FAIL("%s: %s: data_offsets [%llu, %llu] hold %llu bytes; shape and dtype %s need %llu", file, key,
             (unsigned long long)r->begin, (unsigned long long)r->end, (unsigned long long)(r->end - r->begin),
             tn_dtype_names[dt], (unsigned long long)(count <= n / item ? count * item : n + 1));
#undef FAIL
    tn_tensor *t;
    tn_status added = tn_tensors_add(ts, file, key, ndim, dims, (tn_dtype)dt, &t, err);
    if (added != TN_OK) return added;
    tn_decode_values(data + r->begin, count, (tn_dtype)dt, 0, t->data);
    return TN_OK;
}

tn_status tn_safetensors_parse(const char *file, const uint8_t *buf, size_t size, tn_tensors *ts, tn_error *err) {
    if (size < 8) return tn_fail(err, TN_ERR_FORMAT, "%s: truncated safetensors file (%zu bytes)", file, size);
    uint64_t header = tn_get_u64(buf);
    if (header > SAFETENSORS_MAX_HEADER) return tn_fail(err, TN_ERR_FORMAT, "%s: safetensors header of %llu bytes (at most 100 MB)", file, (unsigned long long)header);
    if (header > size - 8) return tn_fail(err, TN_ERR_FORMAT, "%s: truncated safetensors file: a %llu-byte header in %zu bytes", file, (unsigned long long)header, size);
    tn_json_doc doc;
    tn_status s = tn_json_parse(file, buf + 8, (size_t)header, &doc, err);
    if (s != TN_OK) return s;
    const uint8_t *data = buf + 8 + header;
    uint64_t n = size - 8 - header;
    const tn_json_value *root = doc.root;
    range *ranges = NULL;
    size_t n_ranges = 0;
    if (root->kind != TN_JSON_OBJECT) s = tn_fail(err, TN_ERR_FORMAT, "%s: safetensors header is not a JSON object", file);
    else if (!(ranges = malloc((root->count + 1) * sizeof *ranges))) s = tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", file);
    for (const tn_json_value *v = s == TN_OK ? root->first : NULL; v && s == TN_OK; v = v->next) {
        if (!strcmp(v->key, "__metadata__")) {
            if (v->kind != TN_JSON_OBJECT) s = tn_fail(err, TN_ERR_FORMAT, "%s: __metadata__ is not an object", file);
            continue;
        }
        s = one_tensor(file, v, data, n, ts, &ranges[n_ranges], err);
        n_ranges++;
    }
    if (s == TN_OK) {
        /* Sorted by where they begin, each range starts where the one before ends. */
        qsort(ranges, n_ranges, sizeof *ranges, by_begin);
        uint64_t at = 0;
        for (size_t i = 0; i < n_ranges && s == TN_OK; at = ranges[i++].end)
            if (ranges[i].begin != at)
                s = tn_fail(err, TN_ERR_FORMAT, "%s: tensor data %s at byte %llu (ranges must cover the data without overlap)",
                            file, ranges[i].begin < at ? "overlaps" : "leaves a gap", (unsigned long long)at);
        if (s == TN_OK && at != n)
            s = tn_fail(err, TN_ERR_FORMAT, "%s: %llu bytes of data after the last tensor (ranges must cover it exactly)", file,
                        (unsigned long long)(n - at));
    }
    free(ranges);
    tn_json_doc_free(&doc);
    return s;
}

tn_status tn_export_safetensors(const tn_net *net, const char *path, tn_error *err) {
    tn_json j;
    tn_json_begin_mem(&j);
    tn_json_object(&j, NULL);
    tn_json_object(&j, "__metadata__");
    tn_json_string(&j, "format", "pt");
    tn_json_end(&j);
    uint64_t at = 0;
    for (int l = 1; l < net->n_sizes; l++)
        for (int is_bias = 0; is_bias < 2; is_bias++) {
            char key[32];
            snprintf(key, sizeof key, "%d.%s", 2 * (l - 1), is_bias ? "bias" : "weight");
            uint64_t count = is_bias ? net->sizes[l] : (uint64_t)net->sizes[l] * net->sizes[l - 1];
            tn_json_object(&j, key);
            tn_json_string(&j, "dtype", "F32");
            tn_json_array(&j, "shape");
            tn_json_uint(&j, NULL, net->sizes[l]);
            if (!is_bias) tn_json_uint(&j, NULL, net->sizes[l - 1]);
            tn_json_end(&j);
            tn_json_array(&j, "data_offsets");
            tn_json_uint(&j, NULL, at);
            tn_json_uint(&j, NULL, at + 4 * count);
            tn_json_end(&j);
            tn_json_end(&j);
            at += 4 * count;
        }
    tn_json_end(&j);
    size_t len;
    char *text = tn_json_take(&j, &len);
    if (!text) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for the header", path);
    while (len && text[len - 1] == '\n') len--;
    size_t padded = (len + 7) / 8 * 8, total = 8 + padded + (size_t)at;   /* the data 8-byte aligned, as safetensors does */
    uint8_t *buf = malloc(total);
    if (!buf) { free(text); return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path); }
    tn_put_u64(buf, padded);
    memcpy(buf + 8, text, len);
    memset(buf + 8 + len, ' ', padded - len);
    free(text);
    float *params = malloc(net->n_params * sizeof(float));
    if (!params) { free(buf); return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", path); }
    tn_net_get_canonical(net, params);
    for (size_t k = 0; k < net->n_params; k++) tn_put_u32(buf + 8 + padded + 4 * k, tn_f2u(params[k]));
    free(params);
    tn_status s = tn_write_atomic(path, buf, total, err);
    free(buf);
    return s;
}
