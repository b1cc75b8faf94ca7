/* The hot loops, compiled once per instruction set (generic, AVX2+FMA, AVX-512) from the same
 * C source and chosen at run time. Every loop is elementwise across outputs, each output's
 * sum one fmaf chain in a written order, so each path gives the same bits. */
#ifndef TN_KERNELS_H
#define TN_KERNELS_H

#include <stdint.h>

typedef struct {
    const char *name;
    /* z[0:p] = b[0:p]; then for t in order: z[k] = fmaf(W[idx[t]*p + k], val[t], z[k]). */
    void (*forward)(float *z, const float *W, uint32_t p, const float *b, const uint16_t *idx,
                    const float *val, uint32_t nnz);
    /* forward for two input lists at once (z1 from list 1, z2 from list 2): the same bits as
     * two forward calls. */
    void (*forward2)(float *z1, float *z2, const float *W, uint32_t p, const float *b,
                     const uint16_t *idx1, const float *val1, uint32_t nnz1,
                     const uint16_t *idx2, const float *val2, uint32_t nnz2);
    /* for t in order: s = c * val[t]; W[idx[t]*p + k] = fmaf(s, delta[k], W[idx[t]*p + k]),
     * only for rows in [row_lo, row_hi). */
    void (*update)(float *W, uint32_t p, const uint16_t *idx, const float *val, uint32_t nnz,
                   float c, const float *delta, uint32_t row_lo, uint32_t row_hi);
    /* s[i] = fmaf chain over k = 0..n_out-1 of W[i*p + k] * d[k], from +0, for i < width. */
    void (*backprop)(float *s, const float *W, uint32_t p, uint32_t n_out, const float *d, uint32_t width);
    /* a[k] = act(z[k]) for k < n: 0 sigmoid, 1 tanh, 2 relu. n, below, is a multiple of 16. */
    void (*activate)(float *a, const float *z, uint32_t n, int act);
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
