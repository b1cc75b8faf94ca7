/* Models from outside (twinnet.h, "models from outside"): the file's tensors (npz_read.c,
 * network2.c, safetensors.c) mapped to layers by their names, checked (shapes, widths, finite
 * values), the input scaling folded into layer 1 in double, rounded once to float32, and the
 * provenance filled with what is known and what is not. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "import.h"
#include "read.h"

const char *const tn_dtype_names[TN_DT_COUNT] = {"F16", "BF16", "F32", "F64"};
const char *const tn_format_names[TN_FORMAT_COUNT] = {"auto", "npz", "network2-json", "safetensors"};

/* ---- tensors -------------------------------------------------------------------------------- */
void tn_safe_name(const char *name, char *out, size_t cap) {
    size_t n = 0;
    for (; name[n] && n + 1 < cap; n++) out[n] = (unsigned char)name[n] < 0x20 || (unsigned char)name[n] >= 0x7f ? '?' : name[n];
    out[n] = 0;
}

void tn_tensors_free(tn_tensors *ts) {
    for (size_t i = 0; i < ts->n; i++) free(ts->t[i].data);
    free(ts->t);
    memset(ts, 0, sizeof *ts);
}

tn_status tn_tensors_add(tn_tensors *ts, const char *file, const char *name, int ndim, const uint64_t *shape,
                         tn_dtype dtype, tn_tensor **out, tn_error *err) {
    uint64_t count = 1;
    for (int d = 0; d < ndim; d++) count *= shape[d];
    if (ts->n == TN_MAX_TENSORS)
        return tn_fail(err, TN_ERR_FORMAT, "%s: more than %d arrays: not a network of at most %d layers", file, TN_MAX_TENSORS,
                       TN_MAX_LAYERS - 1);
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? 2 * ts->cap : 8;
        tn_tensor *t = realloc(ts->t, cap * sizeof *t);
        if (!t) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for the arrays", file);
        ts->t = t;
        ts->cap = cap;
    }
    tn_tensor *t = &ts->t[ts->n];
    memset(t, 0, sizeof *t);
    if (count > SIZE_MAX / sizeof(double) || !(t->data = malloc(count ? count * sizeof(double) : 1)))
        return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for %llu values", file, (unsigned long long)count);
    tn_safe_name(name, t->name, sizeof t->name);
    t->ndim = ndim;
    memcpy(t->shape, shape, sizeof(uint64_t) * (size_t)ndim);
    t->dtype = dtype;
    t->count = count;
    ts->n++;
    *out = t;
    return TN_OK;
}

size_t tn_dtype_size(tn_dtype dtype) { return dtype == TN_DT_F64 ? 8 : dtype == TN_DT_F32 ? 4 : 2; }

/* IEEE binary16 to double, exactly (subnormals, infinities and NaN included). */
static double half_to_double(uint32_t h) {
    int exponent = (int)(h >> 10 & 31);
    double mantissa = (double)(h & 1023), v;
    if (exponent == 0) v = ldexp(mantissa, -24);
    else if (exponent == 31) v = mantissa != 0.0 ? NAN : INFINITY;
    else v = ldexp(mantissa + 1024.0, exponent - 25);
    return h & 0x8000 ? -v : v;
}

void tn_decode_values(const uint8_t *bytes, uint64_t count, tn_dtype dtype, int big_endian, double *out) {
    size_t item = tn_dtype_size(dtype);
    for (uint64_t k = 0; k < count; k++, bytes += item) {
        uint8_t b[8];
        for (size_t i = 0; i < item; i++) b[i] = big_endian ? bytes[item - 1 - i] : bytes[i];
        uint32_t lo = item == 2 ? (uint32_t)b[0] | (uint32_t)b[1] << 8 : tn_get_u32(b);
        if (dtype == TN_DT_F64) { uint64_t u = tn_get_u64(b); double d; memcpy(&d, &u, 8); out[k] = d; }
        else if (dtype == TN_DT_F32) out[k] = (double)tn_u2f(lo);
        else if (dtype == TN_DT_BF16) out[k] = (double)tn_u2f(lo << 16);
        else out[k] = half_to_double(lo);
    }
}

/* ---- names to layers ------------------------------------------------------------------------ */
typedef struct {
    int n_layers;
    const tn_tensor *w[TN_MAX_LAYERS], *b[TN_MAX_LAYERS];   /* layer l = 1..n_layers */
    char layout[96];
} layers;

/* digits of s (at most 6, no leading zero but "0") up to end: 1 and *v, else 0. */
static int index_of(const char *s, const char *end, uint32_t *v) {
    if (s >= end || end - s > 6 || (*s == '0' && end - s > 1)) return 0;
    *v = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9') return 0;
        *v = *v * 10 + (uint32_t)(*s - '0');
    }
    return 1;
}

static const tn_tensor *find(const tn_tensors *ts, const char *name) {
    for (size_t i = 0; i < ts->n; i++)
        if (!strcmp(ts->t[i].name, name)) return &ts->t[i];
    return NULL;
}

#define KEYS_HELP "W1, b1, ... (twinnet's export), arr_0, arr_1, ... (np.savez(f, *weights, *biases)) or 0.weight, 0.bias, ... (nn.Sequential)"

/* nn.Sequential's "<prefix><i>.weight" and "<prefix><i>.bias", i ascending with gaps. */
static tn_status sequential(const char *file, const tn_tensors *ts, layers *L, tn_error *err) {
    const char *first = ts->t[0].name;
    const char *dot = strrchr(first, '.'), *stem_dot = NULL;
    for (const char *p = first; dot && p < dot; p++) if (*p == '.') stem_dot = p;
    size_t prefix = stem_dot ? (size_t)(stem_dot - first) + 1 : 0;
    uint32_t index[2 * TN_MAX_LAYERS] = {0};
    int n = 0;
    for (size_t k = 0; k < ts->n; k++) {
        const char *name = ts->t[k].name, *d = strrchr(name, '.');
        uint32_t i;
        if (!d || strncmp(name, first, prefix) != 0 || (strcmp(d, ".weight") && strcmp(d, ".bias")) || !index_of(name + prefix, d, &i))
            return tn_fail(err, TN_ERR_FORMAT, "%s: %s: not one of the layer keys: %s%s%s", file, name, KEYS_HELP,
                           prefix ? ", all with the prefix of " : "", prefix ? first : "");
        int seen = 0;
        for (int j = 0; j < n; j++) seen |= index[j] == i;
        if (!seen) {
            if (n == TN_MAX_LAYERS - 1) return tn_fail(err, TN_ERR_FORMAT, "%s: more than %d layers", file, TN_MAX_LAYERS - 1);
            int j = n++;
            for (; j > 0 && index[j - 1] > i; j--) index[j] = index[j - 1];
            index[j] = i;
        }
    }
    L->n_layers = n;
    for (int l = 1; l <= n; l++) {
        char name[160];
        for (int is_bias = 0; is_bias < 2; is_bias++) {
            snprintf(name, sizeof name, "%.*s%u.%s", (int)prefix, first, index[l - 1], is_bias ? "bias" : "weight");
            const tn_tensor *t = find(ts, name);
            if (!t) return tn_fail(err, TN_ERR_FORMAT, "%s: %s is missing (every Linear layer has a weight and a bias)", file, name);
            if (is_bias) L->b[l] = t; else L->w[l] = t;
        }
    }
    char pfx[24];
    snprintf(pfx, sizeof pfx, "%.*s", (int)(prefix < sizeof pfx - 1 ? prefix : sizeof pfx - 1), first);
    snprintf(L->layout, sizeof L->layout, "nn.Sequential: %s%u.weight, %s%u.bias, ...", pfx, index[0] % 1000000, pfx,
             index[0] % 1000000);
    return TN_OK;
}

/* twinnet's W1, b1, ... WL, bL or np.savez's arr_0 ... arr_{2L-1} (L weights, then L biases):
 * every name of the layout, then every one of them present. */
static tn_status numbered(const char *file, const tn_tensors *ts, int lists, layers *L, tn_error *err) {
    uint32_t last = 0;
    for (size_t k = 0; k < ts->n; k++) {
        const char *name = ts->t[k].name;
        uint32_t i;
        int ok = lists ? !strncmp(name, "arr_", 4) && index_of(name + 4, name + strlen(name), &i)
                       : (name[0] == 'W' || name[0] == 'b') && index_of(name + 1, name + strlen(name), &i) && i >= 1;
        if (!ok)
            return tn_fail(err, TN_ERR_FORMAT, "%s: %s: not one of %s, as the archive's other arrays", file, name,
                           lists ? "arr_0, arr_1, ... (np.savez(f, *weights, *biases))" : "W1, b1, W2, b2, ... (twinnet's export)");
        if (i > last) last = i;
    }
    uint32_t layers_n = lists ? (last + 2) / 2 : last;
    if (layers_n > TN_MAX_LAYERS - 1) return tn_fail(err, TN_ERR_FORMAT, "%s: more than %d layers", file, TN_MAX_LAYERS - 1);
    if (lists && last % 2 == 0)
        return tn_fail(err, TN_ERR_FORMAT, "%s: arr_0 ... arr_%u: an odd number of arrays (np.savez(f, *weights, *biases) "
                       "writes L weights, then L biases)", file, last);
    L->n_layers = (int)layers_n;
    for (int l = 1; l <= L->n_layers; l++) {
        char wn[32], bn[32];
        if (lists) { snprintf(wn, sizeof wn, "arr_%d", l - 1); snprintf(bn, sizeof bn, "arr_%d", L->n_layers + l - 1); }
        else { snprintf(wn, sizeof wn, "W%d", l); snprintf(bn, sizeof bn, "b%d", l); }
        if (!(L->w[l] = find(ts, wn))) return tn_fail(err, TN_ERR_FORMAT, "%s: %s is missing", file, wn);
        if (!(L->b[l] = find(ts, bn))) return tn_fail(err, TN_ERR_FORMAT, "%s: %s is missing", file, bn);
    }
    if (!lists) snprintf(L->layout, sizeof L->layout, "W1, b1, W2, b2, ... (twinnet's export)");
    else snprintf(L->layout, sizeof L->layout, "arr_0 ... arr_%u: network.py's weights, then biases", last);
    return TN_OK;
}

/* The layers of ts, by format and names; then every shape against its neighbours. */
static tn_status map_layers(const char *file, tn_format format, const tn_tensors *ts, layers *L, uint32_t *sizes, tn_error *err) {
    memset(L, 0, sizeof *L);
    if (ts->n == 0) return tn_fail(err, TN_ERR_FORMAT, "%s: no arrays", file);
    tn_status s;
    const char *first = ts->t[0].name;
    if (format == TN_FORMAT_NETWORK2_JSON) {
        L->n_layers = (int)(ts->n / 2);
        for (int l = 1; l <= L->n_layers; l++) { L->w[l] = &ts->t[2 * l - 2]; L->b[l] = &ts->t[2 * l - 1]; }
        snprintf(L->layout, sizeof L->layout, "network2.py's save(): sizes, weights, biases, cost");
        s = TN_OK;
    } else if (format == TN_FORMAT_NPZ && !strncmp(first, "arr_", 4)) {
        s = numbered(file, ts, 1, L, err);
    } else if (format == TN_FORMAT_NPZ && (first[0] == 'W' || first[0] == 'b') && first[1] >= '1' && first[1] <= '9') {
        s = numbered(file, ts, 0, L, err);
    } else {
        s = sequential(file, ts, L, err);
    }
    if (s != TN_OK) return s;
    for (int l = 1; l <= L->n_layers; l++) {
        const tn_tensor *w = L->w[l], *b = L->b[l];
        if (w->ndim != 2) return tn_fail(err, TN_ERR_FORMAT, "%s: %s: a weight matrix has 2 dimensions (out, in), this one %d", file, w->name, w->ndim);
        uint64_t out = w->shape[0], in = w->shape[1];
        if (out < 1 || in < 1 || out > TN_MAX_WIDTH || in > TN_MAX_WIDTH)
            return tn_fail(err, TN_ERR_FORMAT, "%s: %s: shape (%llu, %llu): widths are 1..%d", file, w->name, (unsigned long long)out,
                           (unsigned long long)in, TN_MAX_WIDTH);
        if (l > 1 && in != sizes[l - 1])
            return tn_fail(err, TN_ERR_FORMAT, "%s: %s: shape (%llu, %llu) takes %llu inputs, but %s gives %u outputs", file, w->name,
                           (unsigned long long)out, (unsigned long long)in, (unsigned long long)in, L->w[l - 1]->name, sizes[l - 1]);
        if (!((b->ndim == 1 && b->shape[0] == out) || (b->ndim == 2 && b->shape[0] == out && b->shape[1] == 1)))
            return tn_fail(err, TN_ERR_FORMAT, "%s: %s: a bias of shape (%llu,) or (%llu, 1) for %s's %llu outputs, not %d-dimensional with %llu values",
                           file, b->name, (unsigned long long)out, (unsigned long long)out, w->name, (unsigned long long)out, b->ndim,
                           (unsigned long long)b->count);
        sizes[l - 1] = (uint32_t)in;
        sizes[l] = (uint32_t)out;
    }
    return TN_OK;
}

/* ---- the model ------------------------------------------------------------------------------ */
void tn_import_options_default(tn_import_options *o) {
    memset(o, 0, sizeof *o);
    o->activation = o->cost = o->init = -1;
    o->input_scale = 1.0;
    o->input_std = 1.0;
}

int tn_import_inputs(const char *name, tn_import_options *o) {
    if (!strcmp(name, "nielsen")) { o->input_scale = 255.0 / 256.0; o->input_mean = 0.0; o->input_std = 1.0; }
    else if (!strcmp(name, "torchvision-mnist")) { o->input_scale = 1.0; o->input_mean = 0.1307; o->input_std = 0.3081; }
    else return 0;
    return 1;
}

tn_format tn_format_of(const uint8_t *b, size_t n) {
    if (n >= 4 && !memcmp(b, "PK\3\4", 4)) return TN_FORMAT_NPZ;
    if (n >= 9 && b[8] == '{' && !b[4] && !b[5] && !b[6] && !b[7]) return TN_FORMAT_SAFETENSORS;
    size_t i = 0;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) i++;
    return i < n && b[i] == '{' ? TN_FORMAT_NETWORK2_JSON : TN_FORMAT_AUTO;
}

const char *tn_format_description(tn_format f) {
    switch (f) {
    case TN_FORMAT_NPZ: return "a NumPy archive (.npz)";
    case TN_FORMAT_NETWORK2_JSON: return "a JSON file (network2.py's save format)";
    case TN_FORMAT_SAFETENSORS: return "a safetensors file";
    default: return "not a model file twinnet knows";
    }
}

/* The tensors of a file in format *format (AUTO: told here). */
static tn_status read_tensors(const char *file, const uint8_t *buf, size_t size, tn_format *format, tn_tensors *ts,
                              tn_cost *file_cost, tn_error *err) {
    memset(ts, 0, sizeof *ts);
    if (*format == TN_FORMAT_AUTO && size >= 8 && !memcmp(buf, "TWINNETM", 8))
        return tn_fail(err, TN_ERR_FORMAT, "%s: a twinnet model already: every command reads it as it is", file);
    if (*format == TN_FORMAT_AUTO && (*format = tn_format_of(buf, size)) == TN_FORMAT_AUTO)
        return tn_fail(err, TN_ERR_FORMAT, "%s: neither an .npz archive, network2.py's JSON nor safetensors (by its first bytes)", file);
    tn_status s = *format == TN_FORMAT_NPZ ? tn_npz_parse(file, buf, size, ts, err)
                : *format == TN_FORMAT_SAFETENSORS ? tn_safetensors_parse(file, buf, size, ts, err)
                                                    : tn_network2_parse(file, buf, size, ts, file_cost, err);
    if (s != TN_OK) tn_tensors_free(ts);
    return s;
}

/* Layer by layer W then b, layer 1 with the input scaling folded in: in double, W' = W f with
 * f = scale/std, b' = b - (mean/std) * sum_i W_i (the original W, summed in index order), then
 * rounded to nearest float32. Non-finite values, before or after, are refused naming the key. */
static tn_status to_canonical(const char *file, const layers *L, const uint32_t *sizes, const tn_import_options *o, float *out,
                              double *max_rounding, uint64_t *rounded, tn_error *err) {
    double factor = o->input_scale / o->input_std, shift = o->input_mean / o->input_std;
    size_t k = 0;
    for (int l = 1; l <= L->n_layers; l++) {
        for (int is_bias = 0; is_bias < 2; is_bias++) {
            const tn_tensor *t = is_bias ? L->b[l] : L->w[l];
            for (uint64_t i = 0; i < t->count; i++) {
                double v = t->data[i];
                if (!isfinite(v)) return tn_fail(err, TN_ERR_FORMAT, "%s: %s: value %llu is %s", file, t->name, (unsigned long long)i, isnan(v) ? "NaN" : "infinite");
                if (l == 1 && !is_bias) v *= factor;
                if (l == 1 && is_bias && shift != 0.0) {
                    const double *row = L->w[1]->data + i * sizes[0];
                    double sum = 0.0;
                    for (uint32_t c = 0; c < sizes[0]; c++) sum += row[c];
                    v -= shift * sum;
                }
                float f = (float)v;
                if (!isfinite(f) || !isfinite(v))
                    return tn_fail(err, TN_ERR_FORMAT, "%s: %s: value %llu (%g%s) is beyond float32's range", file, t->name,
                                   (unsigned long long)i, v, l == 1 ? ", input scaling folded" : "");
                if ((double)f != v) {
                    (*rounded)++;
                    double r = fabs((double)f - v) / fabs(v);
                    if (r > *max_rounding) *max_rounding = r;
                }
                out[k++] = f;
            }
        }
    }
    return TN_OK;
}

static void describe_dtypes(const tn_tensors *ts, char *out, size_t cap) {
    unsigned seen = 0;
    for (size_t i = 0; i < ts->n; i++) seen |= 1u << ts->t[i].dtype;
    out[0] = 0;
    for (int d = 0; d < TN_DT_COUNT; d++)
        if (seen >> d & 1) {
            size_t len = strlen(out);
            snprintf(out + len, cap - len, "%s%s", len ? " and " : "", tn_dtype_names[d]);
        }
}

/* A supplied start: same format family, the same widths, folded and rounded alike. */
static tn_status read_start(const tn_import_options *o, const uint32_t *sizes, int n_sizes, size_t n_params, float **start,
                            char fingerprint[TN_HEX_SIZE], tn_error *err) {
    const char *name = o->start_name ? o->start_name : "start";
    tn_format format = TN_FORMAT_AUTO;
    tn_tensors ts;
    tn_cost cost;
    tn_status s = read_tensors(name, o->start, o->start_size, &format, &ts, &cost, err);
    if (s != TN_OK) return s;
    layers L;
    uint32_t got[TN_MAX_LAYERS];
    s = map_layers(name, format, &ts, &L, got, err);
    if (s == TN_OK && (L.n_layers + 1 != n_sizes || memcmp(got, sizes, sizeof(uint32_t) * (size_t)n_sizes) != 0))
        s = tn_fail(err, TN_ERR_FORMAT, "%s: the start's widths differ from the network's (%d layers of weights here)", name, L.n_layers);
    double ignored = 0.0;
    uint64_t ignored_n = 0;
    if (s == TN_OK && !(*start = malloc(n_params * sizeof(float)))) s = tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
    if (s == TN_OK) s = to_canonical(name, &L, sizes, o, *start, &ignored, &ignored_n, err);
    if (s == TN_OK) {
        tn_sha256 sh;
        uint8_t digest[32], le[4];
        tn_sha256_init(&sh);
        for (size_t k = 0; k < n_params; k++) { tn_put_u32(le, tn_f2u((*start)[k])); tn_sha256_update(&sh, le, 4); }
        tn_sha256_final(&sh, digest);
        tn_hex(digest, 32, fingerprint);
    } else {
        free(*start);
        *start = NULL;
    }
    tn_tensors_free(&ts);
    return s;
}

tn_status tn_model_import(tn_model *m, const uint8_t *bytes, size_t size, const tn_import_options *opt, tn_import_info *info,
                          tn_error *err) {
    memset(m, 0, sizeof *m);
    tn_import_options o;
    if (opt) o = *opt; else tn_import_options_default(&o);
    tn_import_info own;
    if (!info) info = &own;
    memset(info, 0, sizeof *info);
    const char *file = o.name ? o.name : "model";
    if (!(o.input_scale > 0.0) || !(o.input_std > 0.0) || !isfinite(o.input_scale) || !isfinite(o.input_std) || !isfinite(o.input_mean))
        return tn_fail(err, TN_ERR_ARG, "%s: the input scaling needs a finite scale and standard deviation above 0", file);
    if (o.activation >= TN_ACT_COUNT || o.cost >= TN_COST_COUNT || o.init >= TN_INIT_COUNT || o.format >= TN_FORMAT_COUNT)
        return tn_fail(err, TN_ERR_ARG, "%s: unknown activation, cost, init or format code", file);
    tn_tensors ts;
    tn_cost file_cost = TN_COST_QUADRATIC;
    tn_format format = o.format;
    tn_status s = read_tensors(file, bytes, size, &format, &ts, &file_cost, err);
    if (s != TN_OK) return s;
    layers L;
    tn_config c;
    tn_config_default(&c);
    c.trace_path = NULL;
    s = map_layers(file, format, &ts, &L, c.sizes, err);
    c.n_sizes = L.n_layers + 1;
    info->format = format;
    snprintf(info->layout, sizeof info->layout, "%s", L.layout);
    describe_dtypes(&ts, info->dtypes, sizeof info->dtypes);
    int network2 = format == TN_FORMAT_NETWORK2_JSON;
    if (s == TN_OK && network2 && o.activation >= 0 && o.activation != TN_ACT_SIGMOID)
        s = tn_fail(err, TN_ERR_ARG, "%s: network2.py's networks are sigmoid throughout: --activation %s contradicts the file", file,
                    tn_activation_name((tn_activation)o.activation));
    if (s == TN_OK && network2 && o.cost >= 0 && o.cost != (int)file_cost)
        s = tn_fail(err, TN_ERR_ARG, "%s: the file names its cost, %s: --cost %s contradicts it", file, tn_cost_name(file_cost),
                    tn_cost_name((tn_cost)o.cost));
    c.activation = o.activation >= 0 ? (tn_activation)o.activation : TN_ACT_SIGMOID;
    c.cost = o.cost >= 0 ? (tn_cost)o.cost : network2 ? file_cost : TN_COST_QUADRATIC;
    info->activation_stated = network2 || o.activation >= 0;
    info->cost_stated = network2 || o.cost >= 0;
    int lists = format == TN_FORMAT_NPZ && !strncmp(L.layout, "arr_", 4);
    /* Implied by the layout: np.savez lists are network.py's (normal), network2 JSON network2.py's
     * (scaled), nn.Sequential keys PyTorch's nn.Linear default (torch); twinnet's own export names
     * none. --init says otherwise. */
    int torch = !strncmp(L.layout, "nn.Sequential", 13);
    info->init_stated = o.init >= 0 || lists || network2 || torch;
    c.init = o.init >= 0 ? (tn_init)o.init : network2 ? TN_INIT_SCALED : torch ? TN_INIT_TORCH : TN_INIT_NORMAL;
    c.epochs = 0;
    c.init_seed = c.order_seed = 0;
    if (s == TN_OK) s = tn_net_init(&m->net, c.sizes, c.n_sizes, c.activation, c.cost, err);
    float *canon = NULL;
    tn_provenance *p = &m->provenance;
    if (s == TN_OK && !(canon = malloc(m->net.n_params * sizeof(float)))) s = tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", file);
    if (s == TN_OK) s = to_canonical(file, &L, c.sizes, &o, canon, &p->max_rounding, &info->rounded, err);
    if (s == TN_OK) tn_net_set_canonical(&m->net, canon);
    free(canon);
    tn_tensors_free(&ts);
    if (s == TN_OK && o.start) s = read_start(&o, c.sizes, c.n_sizes, m->net.n_params, &p->start_params, info->start_fingerprint, err);
    if (s != TN_OK) {
        tn_model_free(m);
        memset(m, 0, sizeof *m);
        return s;
    }
    m->config = c;
    m->stop = TN_STOP_COMPLETED;
    p->start = o.start ? TN_START_SUPPLIED : TN_START_UNKNOWN;
    p->data_unknown = 1;
    p->init_unknown = !info->init_stated;
    snprintf(p->source, sizeof p->source, "%s", tn_format_names[format]);
    const char *slash = strrchr(file, '/');   /* the base name: the same import anywhere gives the same bytes */
    snprintf(p->origin, sizeof p->origin, "%s", slash ? slash + 1 : file);
    if (o.input_scale != 1.0 || o.input_mean != 0.0 || o.input_std != 1.0) {
        p->input_scale = o.input_scale;
        p->input_mean = o.input_mean;
        p->input_std = o.input_std;
    }
    return TN_OK;
}

tn_status tn_model_import_file(tn_model *m, const char *path, const char *start_path, const tn_import_options *opt,
                               tn_import_info *info, tn_error *err) {
    memset(m, 0, sizeof *m);
    tn_import_options o;
    if (opt) o = *opt; else tn_import_options_default(&o);
    uint8_t *buf, *start = NULL;
    size_t size, start_size = 0;
    tn_status s = tn_read_file(path, TN_MAX_FILE, &buf, &size, err);
    if (s != TN_OK) return s;
    if (start_path && (s = tn_read_file(start_path, TN_MAX_FILE, &start, &start_size, err)) != TN_OK) { free(buf); return s; }
    o.name = path;
    if (start_path) { o.start = start; o.start_size = start_size; o.start_name = start_path; }
    s = tn_model_import(m, buf, size, &o, info, err);
    free(buf);
    free(start);
    return s;
}
