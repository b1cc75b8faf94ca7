/* The browser page's calls into the library: build/web/twinnet.wasm, a WASI reactor module that
 * web/twinnet.js loads. It holds two models of one network (A and B), B aligned to A by the
 * alignment the page carries (activation matching with sign flips on the MNIST test set, found
 * by native `twinnet align --method activation` when the page is built; applied here by
 * tn_net_align, as `twinnet align` applies it), and runs MNIST's
 * preprocessing (tn_image_preprocess, as `twinnet predict`) and the networks (tn_predict_all,
 * tn_layer_activations, as `twinnet eval`): the same C code as the command line, compiled to
 * WebAssembly, through the public API (twinnet.h) alone. A call that fails returns a non-zero
 * status; tw_error() says why in one line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twinnet.h"

#define EXPORT(name) __attribute__((export_name(#name)))

enum { NET_A, NET_B, NET_B_ALIGNED, N_NETS };

static tn_model model[2];
static int loaded[2];
static tn_net aligned;
static tn_alignment alignment;
static int have_alignment;
static tn_error last;
static char fingerprint[TN_HEX_SIZE];

static const tn_net *net_of(int which) {
    if (which == NET_A || which == NET_B) return loaded[which] ? &model[which].net : NULL;
    if (which == NET_B_ALIGNED) return have_alignment ? &aligned : NULL;
    return NULL;
}

/* The one-line message of a failure here, as the library writes its own into last. */
__attribute__((format(printf, 2, 3))) static int fail(tn_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last.msg, sizeof last.msg, fmt, ap);
    va_end(ap);
    return s;
}

static int no_net(int which) {
    return fail(TN_ERR_ARG, "network %d is not loaded (0: A, 1: B, 2: B aligned)", which);
}

EXPORT(tw_alloc) void *tw_alloc(size_t n);
void *tw_alloc(size_t n) { return malloc(n ? n : 1); }
EXPORT(tw_free) void tw_free(void *p);
void tw_free(void *p) { free(p); }
EXPORT(tw_error) const char *tw_error(void);
const char *tw_error(void) { return last.msg; }

static void drop_alignment(void) {
    if (!have_alignment) return;
    tn_net_free(&aligned);
    tn_alignment_free(&alignment);
    have_alignment = 0;
}

/* Model which (0: A, 1: B) from a model file's bytes. */
EXPORT(tw_load) int tw_load(int which, const uint8_t *bytes, size_t size);
int tw_load(int which, const uint8_t *bytes, size_t size) {
    if (which != NET_A && which != NET_B) return no_net(which);
    drop_alignment();
    if (loaded[which]) tn_model_free(&model[which]);
    loaded[which] = 0;
    tn_status s = tn_model_from_bytes(&model[which], which == NET_A ? "model A" : "model B", bytes, size, &last);
    if (s == TN_OK) loaded[which] = 1;
    return s;
}

/* B aligned to A as perm and flip say: for each hidden layer in turn, A's unit i is B's unit
 * perm[i], negated where flip[i] (the layers' entries one after another, as `twinnet align
 * --json` lists them). perm must hold a permutation of each layer's units. */
EXPORT(tw_set_alignment) int tw_set_alignment(const uint32_t *perm, const uint8_t *flip);
int tw_set_alignment(const uint32_t *perm, const uint8_t *flip) {
    drop_alignment();
    if (!loaded[NET_A] || !loaded[NET_B]) return fail(TN_ERR_ARG, "load models A and B first");
    const tn_net *a = &model[NET_A].net, *b = &model[NET_B].net;
    if (a->n_sizes != b->n_sizes || memcmp(a->sizes, b->sizes, (size_t)a->n_sizes * sizeof a->sizes[0]) != 0)
        return fail(TN_ERR_ARG, "models A and B have different widths");
    tn_status s = tn_alignment_init(&alignment, b, &last);
    if (s != TN_OK) return s;
    for (int l = 1; l + 1 < alignment.n_sizes; l++) {
        uint32_t h = alignment.sizes[l];
        for (uint32_t i = 0; i < h; i++) alignment.perm[l][i] = h; /* not yet taken */
        for (uint32_t i = 0; i < h; i++) {
            uint32_t j = perm[i];
            for (uint32_t k = 0; k < i && j < h; k++)
                if (alignment.perm[l][k] == j) j = h;
            if (j >= h) {
                tn_alignment_free(&alignment);
                return fail(TN_ERR_ARG, "alignment: hidden layer %d: entry %u (%u) is not a permutation of 0..%u", l, i,
                            perm[i], h - 1);
            }
            alignment.perm[l][i] = j;
            alignment.flip[l][i] = flip[i] != 0;
            alignment.moved += j != i;
            alignment.flipped += flip[i] != 0;
        }
        perm += h;
        flip += h;
    }
    if ((s = tn_net_align(b, &alignment, &aligned, &last)) != TN_OK) {
        tn_alignment_free(&alignment);
        return s;
    }
    have_alignment = 1;
    return TN_OK;
}

/* The alignment of the first hidden layer: A's unit i is B's unit tw_perm()[i], negated where
 * tw_flip()[i]; tw_moved and tw_flipped count them over every hidden layer. */
EXPORT(tw_perm) const uint32_t *tw_perm(void);
const uint32_t *tw_perm(void) { return have_alignment && alignment.n_sizes > 2 ? alignment.perm[1] : NULL; }
EXPORT(tw_flip) const uint8_t *tw_flip(void);
const uint8_t *tw_flip(void) { return have_alignment && alignment.n_sizes > 2 ? alignment.flip[1] : NULL; }
EXPORT(tw_moved) uint32_t tw_moved(void);
uint32_t tw_moved(void) { return have_alignment ? alignment.moved : 0; }
EXPORT(tw_flipped) uint32_t tw_flipped(void);
uint32_t tw_flipped(void) { return have_alignment ? alignment.flipped : 0; }

/* The shape of network which: tw_layers() widths, tw_width(which, l) each; 0 if not loaded. */
EXPORT(tw_layers) int tw_layers(int which);
int tw_layers(int which) { const tn_net *n = net_of(which); return n ? n->n_sizes : 0; }
EXPORT(tw_width) uint32_t tw_width(int which, int layer);
uint32_t tw_width(int which, int layer) {
    const tn_net *n = net_of(which);
    return n && layer >= 0 && layer < n->n_sizes ? n->sizes[layer] : 0;
}
/* 1 where the output layer is a softmax (its outputs are probabilities). */
EXPORT(tw_softmax) int tw_softmax(int which);
int tw_softmax(int which) { const tn_net *n = net_of(which); return n && n->cost == TN_COST_LOG_LIKELIHOOD; }

/* The parameter fingerprint of network which (lowercase hex), as `twinnet info` prints it. */
EXPORT(tw_fingerprint) const char *tw_fingerprint(int which);
const char *tw_fingerprint(int which) {
    const tn_net *n = net_of(which);
    if (!n) return "";
    tn_net_fingerprint(n, fingerprint);
    return fingerprint;
}

/* The canonical parameters of network which (W1 as (out, in) row-major, b1, W2, ...) into out
 * (tn_params_count floats); returns how many, 0 if not loaded. */
EXPORT(tw_params) uint32_t tw_params(int which, float *out);
uint32_t tw_params(int which, float *out) {
    const tn_net *n = net_of(which);
    if (!n) return 0;
    if (out) tn_net_get_canonical(n, out);
    return (uint32_t)tn_params_count(n->sizes, n->n_sizes);
}

/* MNIST's preprocessing, as `twinnet predict` does it, of an RGBA image (a canvas's pixels,
 * 4 bytes a pixel, not premultiplied) made grey with alpha kept by tn_image_from_rgba, as `predict`
 * reads an RGBA PNG, so that the page and `predict` on the same picture saved as PNG see the same
 * bytes. out: 784 bytes; info (may be NULL): 10 int32s: inverted, composited, box x y w h, left, top, fit w h. */
EXPORT(tw_preprocess) int tw_preprocess(const uint8_t *rgba, uint32_t width, uint32_t height, uint8_t *out,
                                        int32_t *info);
int tw_preprocess(const uint8_t *rgba, uint32_t width, uint32_t height, uint8_t *out, int32_t *info) {
    tn_image img;
    tn_status s = tn_image_from_rgba("drawing", rgba, width, height, &img, &last);
    if (s != TN_OK) return s;
    tn_preprocess_info pi;
    s = tn_image_preprocess(&img, "drawing", out, &pi, &last);
    tn_image_free(&img);
    if (s == TN_OK && info) {
        int32_t v[10] = {pi.inverted, pi.composited, (int32_t)pi.box_x, (int32_t)pi.box_y, (int32_t)pi.box_w,
                         (int32_t)pi.box_h, pi.left, pi.top, (int32_t)pi.fit_w, (int32_t)pi.fit_h};
        memcpy(info, v, sizeof v);
    }
    return s;
}

/* Network which on n images of 784 bytes (light ink on black, as MNIST): outputs (n x output
 * width floats) exactly as `twinnet eval` computes them, and where hidden is not NULL the first
 * hidden layer's activations (n x its width). */
EXPORT(tw_run) int tw_run(int which, const uint8_t *images, uint32_t n, float *outputs, float *hidden);
int tw_run(int which, const uint8_t *images, uint32_t n, float *outputs, float *hidden) {
    const tn_net *net = net_of(which);
    if (!net) return no_net(which);
    if (net->sizes[0] != 784) return fail(TN_ERR_ARG, "the network takes %u inputs, not 28x28 = 784", net->sizes[0]);
    uint8_t *labels = calloc(n ? n : 1, 1), *pred = malloc(n ? n : 1);
    tn_dataset ds;
    tn_status s = labels && pred ? tn_dataset_from_memory(&ds, n, 28, 28, images, labels, &last)
                                 : (tn_status)fail(TN_ERR_NOMEM, "out of memory");
    if (s == TN_OK) {
        s = tn_predict_all(net, &ds, 1, pred, outputs, &last);
        if (s == TN_OK && hidden && net->n_sizes > 2) s = tn_layer_activations(net, &ds, 1, 1, hidden, &last);
        tn_dataset_free(&ds);
    }
    free(labels);
    free(pred);
    return s;
}
