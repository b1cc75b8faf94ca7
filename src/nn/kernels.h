/* The hot loops, compiled once per instruction set (generic, AVX2+FMA, AVX-512) from the same
 * C source and chosen at run time. Every loop is elementwise across outputs, each output's
 * sum one fmaf chain in a written order, so each path gives the same bits. */
#ifndef TN_KERNELS_H
#define TN_KERNELS_H

#include <stdint.h>

typedef struct {
    const char *name;
    /* For each example e < m: z[e][0:p] = b[0:p]; then for t in order
     * z[e][k] = fmaf(W[idx[e][t]*p + k], val[e][t], z[e][k]). */
    void (*forward)(float *const *z, const float *W, uint32_t p, const float *b, uint32_t m,
                    const uint16_t *const *idx, const float *const *val, const uint32_t *nnz);
    /* The same with the input value table[pix[e][idx[e][t]]] (a layer fed by pixel bytes). */
    void (*forward_bytes)(float *const *z, const float *W, uint32_t p, const float *b, uint32_t m,
                          const uint16_t *const *idx, const uint8_t *const *pix, const float *table,
                          const uint32_t *nnz);
    /* The same for dense inputs: idx[e][t] = t, nnz[e] = n for every example. */
    void (*forward_dense)(float *const *z, const float *W, uint32_t p, const float *b, uint32_t m,
                          const float *const *val, uint32_t n);
    /* For each listed row i = rows[r] in [row_lo, row_hi), for its entries q = i*stride + 0 ..
     * count[i]-1 in order: W[i*p + k] = fmaf(scale[q], delta[q][k], W[i*p + k]). A row's
     * entries are its examples in batch order, scale = c * input value. */
    void (*update)(float *W, uint32_t p, const uint16_t *rows, uint32_t n_rows, const uint32_t *count,
                   uint32_t stride, const float *const *delta, const float *scale, uint32_t row_lo, uint32_t row_hi);
    /* s[i] = fmaf chain over k = 0..n_out-1 of wt[k*ld + i] * d[k], from +0, for i < width
     * (rounded up to 16; ld >= that). wt holds a layer's weights transposed, (n_out, ld). */
    void (*backprop)(float *s, const float *wt, uint32_t ld, uint32_t n_out, const float *d, uint32_t width);
    /* a[e][k] = act(z[e][k]) for e < m, k < n: 0 sigmoid, 1 tanh, 2 relu. n is a multiple of 16. */
    void (*activate)(float *const *a, const float *const *z, uint32_t m, uint32_t n, int act);
    /* a[k] = e^(z[k] - shift), our expf, for k < n. */
    void (*exp_shifted)(float *a, const float *z, float shift, uint32_t n);
    /* y[k] = fmaf(c, x[k], y[k]) */
    void (*axpy)(float *y, float c, const float *x, uint32_t n);
    /* y[k] = y[k] * s */
    void (*scale)(float *y, float s, size_t n);
} tn_kernels;

extern const tn_kernels tn_kernels_generic;
#if defined(__x86_64__) || defined(__i386__)
extern const tn_kernels tn_kernels_avx2;
extern const tn_kernels tn_kernels_avx512;
#endif

const tn_kernels *tn_kernels_select(void);

#endif
