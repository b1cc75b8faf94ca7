/* The network: parameter layout, initialisation, fingerprint, and the per-example forward
 * and backward passes that training and evaluation share. Sums run in one fixed order
 * (see kernels.h), so the bits do not depend on the SIMD path or the thread count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"

const tn_kernels *tn_kernels_select(void) {
    const char *force = getenv("TWINNET_SIMD");
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    int has512 = __builtin_cpu_supports("avx512f");
    int has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (force && strcmp(force, "generic") == 0) return &tn_kernels_generic;
    if (force && strcmp(force, "avx2") == 0 && has2) return &tn_kernels_avx2;
    if (force && strcmp(force, "avx512") == 0 && has512) return &tn_kernels_avx512;
    if (has512 && !(force && strcmp(force, "avx2") == 0)) return &tn_kernels_avx512;
    if (has2) return &tn_kernels_avx2;
#else
    (void)force;
#endif
    return &tn_kernels_generic;
}

const char *tn_simd_path(void) { return tn_kernels_select()->name; }

tn_status tn_simd_check(tn_error *err) {
    const char *force = getenv("TWINNET_SIMD");
    if (force && *force && strcmp(force, "generic") && strcmp(force, "avx2") && strcmp(force, "avx512"))
        return tn_fail(err, TN_ERR_ARG, "TWINNET_SIMD: '%s' is not one of generic, avx2, avx512", force);
    return TN_OK;
}

tn_status tn_net_init(tn_net *net, const uint32_t *sizes, int n_sizes, tn_activation act,
                      tn_cost cost, tn_error *err) {
    memset(net, 0, sizeof *net);
    if (n_sizes < 2 || n_sizes > TN_MAX_LAYERS)
        return tn_fail(err, TN_ERR_ARG, "layer sizes: %d layers given, need 2 to %d", n_sizes, TN_MAX_LAYERS);
    if ((unsigned)act >= TN_ACT_COUNT) return tn_fail(err, TN_ERR_ARG, "bad activation %d", (int)act);
    if ((unsigned)cost >= TN_COST_COUNT) return tn_fail(err, TN_ERR_ARG, "bad cost %d", (int)cost);
    net->n_sizes = n_sizes;
    net->activation = act;
    net->cost = cost;
    size_t off = 0;
    for (int l = 0; l < n_sizes; l++) {
        if (sizes[l] < 1 || sizes[l] > TN_MAX_WIDTH)
            return tn_fail(err, TN_ERR_ARG, "layer sizes: width %u is outside 1..%u", sizes[l], TN_MAX_WIDTH);
        net->sizes[l] = sizes[l];
        net->pad[l] = tn_round_pad(sizes[l]);
        if (l == 0) continue;
        net->w_off[l] = off;
        off += (size_t)sizes[l - 1] * net->pad[l];
        net->b_off[l] = off;
        off += net->pad[l];
    }
    uint64_t canon = tn_params_count(sizes, n_sizes);
    if (off > ((size_t)1 << 31))
        return tn_fail(err, TN_ERR_ARG, "layer sizes: %llu parameters is too many", (unsigned long long)canon);
    net->n_params = (size_t)canon;
    net->n_buffer = off;
    net->params = tn_calloc(off, sizeof(float));
    if (!net->params) return tn_fail(err, TN_ERR_NOMEM, "out of memory for %llu parameters", (unsigned long long)canon);
    return TN_OK;
}

uint64_t tn_net_count_non_finite(const tn_net *net) {
    uint64_t n = 0;
    for (int l = 1; l < net->n_sizes; l++) {
        const float *w = net->params + net->w_off[l], *b = net->params + net->b_off[l];
        for (uint32_t i = 0; i < net->sizes[l - 1]; i++) /* row i: the weights from input i, padded */
            for (uint32_t j = 0; j < net->sizes[l]; j++) n += !isfinite(w[(size_t)i * net->pad[l] + j]);
        for (uint32_t j = 0; j < net->sizes[l]; j++) n += !isfinite(b[j]);
    }
    return n;
}

void tn_net_free(tn_net *net) {
    tn_free(net->params);
    net->params = NULL;
}

tn_status tn_net_copy(tn_net *dst, const tn_net *src, tn_error *err) {
    tn_status s = tn_net_init(dst, src->sizes, src->n_sizes, src->activation, src->cost, err);
    if (s == TN_OK) memcpy(dst->params, src->params, src->n_buffer * sizeof(float));
    return s;
}

/* ---- work buffers and checks ------------------------------------------------------------- */
tn_status tn_batch_work_init(tn_batch_work *bw, const tn_net *net, uint32_t capacity, tn_error *err) {
    memset(bw, 0, sizeof *bw);
    size_t nf = tn_work_floats(net), ni = tn_work_indices(net);
    bw->work = calloc(capacity, sizeof(tn_work));
    bw->floats = tn_calloc((size_t)capacity * nf, sizeof(float));
    bw->indices = tn_calloc((size_t)capacity * ni, sizeof(uint16_t));
    if (!bw->work || !bw->floats || !bw->indices) {
        free(bw->work); tn_free(bw->floats); tn_free(bw->indices);
        memset(bw, 0, sizeof *bw);
        return tn_fail(err, TN_ERR_NOMEM, "out of memory for work buffers");
    }
    bw->capacity = capacity;
    for (uint32_t e = 0; e < capacity; e++)
        tn_work_bind(net, &bw->work[e], bw->floats + e * nf, bw->indices + e * ni);
    return TN_OK;
}

void tn_batch_work_free(tn_batch_work *bw) {
    free(bw->work);
    tn_free(bw->floats);
    tn_free(bw->indices);
    memset(bw, 0, sizeof *bw);
}

static tn_status check_labels(const tn_dataset *ds, uint32_t n_out, tn_error *err) {
    for (uint32_t e = 0; e < ds->n; e++)
        if (ds->labels[e] >= n_out)
            return tn_fail(err, TN_ERR_FORMAT, "%s: label %u of example %u is out of range for %u outputs",
                           ds->labels_name, ds->labels[e], e, n_out);
    return TN_OK;
}

tn_status tn_check_shape(const tn_net *net, const tn_dataset *ds, tn_error *err) {
    if (ds->n_in != net->sizes[0])
        return tn_fail(err, TN_ERR_FORMAT, "%s: images have %u pixels (%ux%u) but the network's input layer has %u",
                       ds->images_name, ds->n_in, ds->rows, ds->cols, net->sizes[0]);
    return check_labels(ds, net->sizes[net->n_sizes - 1], err);
}

/* ---- per-example passes ----------------------------------------------------------------- */

void tn_pixel_table(float table[256]) {
    for (int v = 0; v < 256; v++) table[v] = (float)v / 255.0f;
}

size_t tn_work_floats(const tn_net *net) {
    size_t n = net->sizes[0]; /* input values */
    for (int l = 1; l < net->n_sizes; l++) n += 3 * (size_t)net->pad[l]; /* act, delta, val */
    return n;
}

size_t tn_work_indices(const tn_net *net) {
    size_t n = 0;
    for (int l = 1; l < net->n_sizes; l++) n += net->pad[l];
    return n;
}

void tn_work_bind(const tn_net *net, tn_work *w, float *floats, uint16_t *indices) {
    memset(w, 0, sizeof *w);
    w->val[0] = floats;
    floats += net->sizes[0];
    for (int l = 1; l < net->n_sizes; l++) {
        uint32_t p = net->pad[l];
        w->act[l] = floats; floats += p;
        w->delta[l] = floats; floats += p;
        w->val[l] = floats; floats += p;
        w->idx_buf[l] = indices; w->idx[l] = indices;
        for (uint32_t i = 0; i < p; i++) indices[i] = (uint16_t)i; /* identity: see next_inputs */
        indices += p;
    }
}

/* Output layer: sigmoid, or softmax (max-shifted, sequential sum over classes). */
static void output_activation(const tn_net *net, const tn_kernels *k, float *a, const float *z) {
    int L = net->n_sizes - 1;
    uint32_t n = net->sizes[L], p = net->pad[L];
    if (net->cost != TN_COST_LOG_LIKELIHOOD) {
        k->activate(&a, &z, 1, p, (int)TN_ACT_SIGMOID);
    } else {
        float m = z[0];
        for (uint32_t j = 1; j < n; j++) m = z[j] > m ? z[j] : m;
        k->exp_shifted(a, z, m, p);
        float sum = 0.0f;
        for (uint32_t j = 0; j < n; j++) sum += a[j];
        for (uint32_t j = 0; j < n; j++) a[j] = a[j] / sum;
    }
    for (uint32_t j = n; j < p; j++) a[j] = 0.0f;
}

/* Keeps the non-zero entries of a[0:n] as (index, value) pairs: the next layer's inputs. */
static uint32_t gather_nonzero(const float *a, uint32_t n, uint16_t *idx, float *val) {
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (a[i] != 0.0f) { idx[m] = (uint16_t)i; val[m] = a[i]; m++; }
    return m;
}

/* Layer l's activations as the next layer's input list. A sigmoid is never zero (its input is
 * clamped to [-80, 80]), so every unit is listed: the identity index written at bind time and
 * the activations themselves. Tanh and relu can be exactly zero: those are left out. */
static void next_inputs(const tn_net *net, int l, tn_work *w) {
    if (net->activation == TN_ACT_SIGMOID) {
        w->val[l] = w->act[l];
        w->nnz[l] = net->sizes[l];
    } else {
        w->nnz[l] = gather_nonzero(w->act[l], net->sizes[l], w->idx_buf[l], w->val[l]);
    }
}

/* Layers 1..L from the input list already in w (idx[0], val[0], nnz[0]). */
static void forward_layers(const tn_net *net, const tn_kernels *k, tn_work *w) {
    int L = net->n_sizes - 1;
    for (int l = 1; l <= L; l++) {
        float *z = w->delta[l]; /* z is kept in the delta slot until backward needs it */
        const float *val = w->val[l - 1];
        k->forward(&z, net->params + net->w_off[l], net->pad[l], net->params + net->b_off[l], 1,
                   &w->idx[l - 1], &val, &w->nnz[l - 1]);
        if (l < L) {
            const float *zc = z;
            k->activate(&w->act[l], &zc, 1, net->pad[l], (int)net->activation);
            next_inputs(net, l, w);
        } else {
            output_activation(net, k, w->act[l], z);
        }
    }
}

/* Example e's non-zero pixels as layer 0's input list; their values too when keep_values
 * (training needs them for the update; evaluation reads the bytes in the kernel). */
static void load_inputs(const float *table, const tn_dataset *ds, uint32_t e, int keep_values, tn_work *w) {
    const uint32_t start = ds->nz_start[e], n = ds->nz_start[e + 1] - start;
    const uint8_t *restrict pix = ds->pixels + (size_t)e * ds->n_in;
    const uint16_t *restrict idx = ds->nz_index + start;
    float *restrict val = w->val[0];
    if (keep_values)
        for (uint32_t t = 0; t < n; t++) val[t] = table[pix[idx[t]]];
    w->idx[0] = idx;
    w->nnz[0] = n;
}

/* Layer l's sums for the n <= FORWARD_CHUNK examples of ws, into each delta[l] (z is kept in the
 * delta slot until backward needs it). Layer 1 reads pixel bytes pix[j] unless keep_values. */
#define FORWARD_CHUNK 32
static void layer_sums(const tn_net *net, const tn_kernels *k, int l, tn_work *ws, uint32_t n, const float *table,
                       const uint8_t *const *pix, int keep_values) {
    float *z[FORWARD_CHUNK] = {0}; /* zeroed: the kernel reads n of them, which no compiler knows */
    const uint16_t *idx[FORWARD_CHUNK] = {0};
    const float *val[FORWARD_CHUNK] = {0};
    uint32_t nnz[FORWARD_CHUNK] = {0};
    for (uint32_t j = 0; j < n; j++) {
        z[j] = ws[j].delta[l];
        idx[j] = ws[j].idx[l - 1];
        val[j] = ws[j].val[l - 1];
        nnz[j] = ws[j].nnz[l - 1];
    }
    const float *W = net->params + net->w_off[l], *b = net->params + net->b_off[l];
    if (l == 1 && !keep_values) k->forward_bytes(z, W, net->pad[l], b, n, idx, pix, table, nnz);
    else if (l > 1 && net->activation == TN_ACT_SIGMOID) /* dense: see next_inputs */
        k->forward_dense(z, W, net->pad[l], b, n, val, nnz[0]);
    else k->forward(z, W, net->pad[l], b, n, idx, val, nnz);
}

/* Layer l's activations from its z (delta[l]) for the n examples of ws; a hidden layer's also as
 * the next layer's input list. */
static void layer_activate(const tn_net *net, const tn_kernels *k, int l, tn_work *ws, uint32_t n) {
    if (l < net->n_sizes - 1) {
        float *act[FORWARD_CHUNK] = {0};
        const float *z[FORWARD_CHUNK] = {0};
        for (uint32_t j = 0; j < n; j++) act[j] = ws[j].act[l], z[j] = ws[j].delta[l];
        k->activate(act, z, n, net->pad[l], (int)net->activation);
        for (uint32_t j = 0; j < n; j++) next_inputs(net, l, &ws[j]);
    } else {
        for (uint32_t j = 0; j < n; j++) output_activation(net, k, ws[j].act[l], ws[j].delta[l]);
    }
}

/* Examples examples[0..m-1] into works[0..m-1]. Each layer runs for up to 32 examples at
 * once, column block by column block, so each block of weights is read from cache by every
 * example and several independent chains keep the FMA units busy (see the forward kernel);
 * every sum is that of one example at a time. keep_values: see load_inputs. */
void tn_forward_batch(const tn_net *net, const tn_kernels *k, const float *table, const tn_dataset *ds,
                      const uint32_t *examples, uint32_t m, int keep_values, tn_work *works) {
    int L = net->n_sizes - 1;
    for (uint32_t start = 0; start < m; start += FORWARD_CHUNK) {
        uint32_t n = m - start < FORWARD_CHUNK ? m - start : FORWARD_CHUNK;
        tn_work *ws = works + start;
        const uint8_t *pix[FORWARD_CHUNK] = {0};
        for (uint32_t j = 0; j < n; j++) {
            load_inputs(table, ds, examples[start + j], keep_values, &ws[j]);
            pix[j] = ds->pixels + (size_t)examples[start + j] * ds->n_in;
        }
        for (int l = 1; l <= L; l++) {
            layer_sums(net, k, l, ws, n, table, pix, keep_values);
            layer_activate(net, k, l, ws, n);
        }
    }
}

void tn_forward_from_z1(const tn_net *net, const tn_kernels *k, uint32_t m, tn_work *works) {
    int L = net->n_sizes - 1;
    for (uint32_t start = 0; start < m; start += FORWARD_CHUNK) {
        uint32_t n = m - start < FORWARD_CHUNK ? m - start : FORWARD_CHUNK;
        tn_work *ws = works + start;
        layer_activate(net, k, 1, ws, n);
        for (int l = 2; l <= L; l++) {
            layer_sums(net, k, l, ws, n, NULL, NULL, 1);
            layer_activate(net, k, l, ws, n);
        }
    }
}

void tn_backward_example(const tn_net *net, const tn_kernels *k, uint8_t label, tn_work *w,
                         float *const *wt) {
    int L = net->n_sizes - 1;
    uint32_t n = net->sizes[L];
    const float *a = w->act[L];
    float *d = w->delta[L];
    for (uint32_t j = 0; j < n; j++) {
        float y = j == label ? 1.0f : 0.0f;
        d[j] = net->cost == TN_COST_QUADRATIC ? (a[j] - y) * (a[j] * (1.0f - a[j])) : a[j] - y;
    }
    for (uint32_t j = n; j < net->pad[L]; j++) d[j] = 0.0f;
    for (int l = L - 1; l >= 1; l--) {
        const float *al = w->act[l];
        float *dl = w->delta[l];
        uint32_t width = net->sizes[l];
        k->backprop(dl, wt[l + 1], net->pad[l], net->sizes[l + 1], w->delta[l + 1], width);
        for (uint32_t i = 0; i < width; i++) {
            float deriv = net->activation == TN_ACT_SIGMOID ? al[i] * (1.0f - al[i])
                        : net->activation == TN_ACT_TANH    ? 1.0f - al[i] * al[i]
                                                            : (al[i] > 0.0f ? 1.0f : 0.0f);
            dl[i] = dl[i] * deriv;
        }
        for (uint32_t i = width; i < net->pad[l]; i++) dl[i] = 0.0f;
    }
}

/* wt (n_out, pad(n_in)) = layer l's weights transposed, for backprop; padding stays zero. */
void tn_transpose_layer(const tn_net *net, int l, float *wt) {
    uint32_t n_in = net->sizes[l - 1], n_out = net->sizes[l], p = net->pad[l], ld = net->pad[l - 1];
    const float *W = net->params + net->w_off[l];
    for (uint32_t i = 0; i < n_in; i++)
        for (uint32_t o = 0; o < n_out; o++) wt[(size_t)o * ld + i] = W[(size_t)i * p + o];
}

/* Per-example cost in double: quadratic 0.5 |a-y|^2; cross-entropy
 * sum -(y ln a + (1-y) ln(1-a)); log-likelihood -ln a_y. Logs of values below 1e-30 take
 * 1e-30 (network2.py's nan_to_num plays this part). */
static double safe_log(double v) { return tn_log(v < 1e-30 ? 1e-30 : v); }

double tn_example_cost(const tn_net *net, const float *a, uint8_t label) {
    uint32_t n = net->sizes[net->n_sizes - 1];
    double c = 0.0;
    switch (net->cost) {
    case TN_COST_QUADRATIC:
        for (uint32_t j = 0; j < n; j++) {
            double d = (double)a[j] - (j == label ? 1.0 : 0.0);
            c += 0.5 * d * d;
        }
        break;
    case TN_COST_CROSS_ENTROPY:
        for (uint32_t j = 0; j < n; j++)
            c -= j == label ? safe_log(a[j]) : safe_log(1.0 - (double)a[j]);
        break;
    default:
        c = -safe_log(a[label]);
        break;
    }
    return c;
}

/* The first index of the largest value (a NaN never wins); written without branches on the
 * data, since which output wins is unpredictable. */
uint32_t tn_argmax(const float *a, uint32_t n) {
    uint32_t best = 0;
    float top = a[0];
    for (uint32_t j = 1; j < n; j++) {
        int more = a[j] > top;
        best = more ? j : best;
        top = more ? a[j] : top;
    }
    return best;
}

tn_status tn_net_forward(const tn_net *net, const float *x, float *out, tn_error *err) {
    size_t nf = tn_work_floats(net), ni = tn_work_indices(net);
    float *floats = tn_calloc(nf, sizeof(float));
    uint16_t *indices = tn_calloc(ni + net->sizes[0], sizeof(uint16_t));
    if (!floats || !indices) {
        tn_free(floats); tn_free(indices);
        return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    }
    tn_work w;
    tn_work_bind(net, &w, floats, indices);
    uint16_t *in_idx = indices + ni;
    for (uint32_t i = 0; i < net->sizes[0]; i++)
        if (x[i] != 0.0f) { in_idx[w.nnz[0]] = (uint16_t)i; w.val[0][w.nnz[0]++] = x[i]; }
    w.idx[0] = in_idx;
    forward_layers(net, tn_kernels_select(), &w);
    memcpy(out, w.act[net->n_sizes - 1], net->sizes[net->n_sizes - 1] * sizeof(float));
    tn_free(floats);
    tn_free(indices);
    return TN_OK;
}
