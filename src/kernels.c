/* Kernels: plain C loops that compilers vectorise across outputs. Compiled several times
 * (TN_KERNEL_NAME = generic, avx2, avx512) with different -m flags; since each loop is
 * elementwise or a reduction in one written order, and -ffp-contract=off keeps the compiler
 * from fusing on its own, every build returns the same bits. */
#include <stddef.h>

#include "internal.h"
#include "kernels.h"

#ifndef TN_KERNEL_NAME
#define TN_KERNEL_NAME generic
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(x) #x
#define STR(x) STR2(x)
#define K(name) CAT(name##_, TN_KERNEL_NAME)

/* Columns are processed in register-sized blocks of 32 (then 16): the sum over t for each
 * column is the same sequence of fmaf either way. */
static void K(forward)(float *restrict z, const float *restrict W, uint32_t p, const float *restrict b,
                       const uint16_t *restrict idx, const float *restrict val, uint32_t nnz) {
    uint32_t c = 0;
    for (; c + 32 <= p; c += 32) {
        float acc[32];
        for (int l = 0; l < 32; l++) acc[l] = b[c + l];
        for (uint32_t t = 0; t < nnz; t++) {
            const float *row = W + (size_t)idx[t] * p + c;
            float v = val[t];
            for (int l = 0; l < 32; l++) acc[l] = fmaf(row[l], v, acc[l]);
        }
        for (int l = 0; l < 32; l++) z[c + l] = acc[l];
    }
    for (; c < p; c += 16) {
        float acc[16];
        for (int l = 0; l < 16; l++) acc[l] = b[c + l];
        for (uint32_t t = 0; t < nnz; t++) {
            const float *row = W + (size_t)idx[t] * p + c;
            float v = val[t];
            for (int l = 0; l < 16; l++) acc[l] = fmaf(row[l], v, acc[l]);
        }
        for (int l = 0; l < 16; l++) z[c + l] = acc[l];
    }
}

/* Per weight, one fmaf per listed input; columns in blocks of 32 (then 16) with the block of
 * delta held in registers. The same operations in any blocking, so the same bits. */
static void K(update)(float *restrict W, uint32_t p, const uint16_t *restrict idx, const float *restrict val,
                      uint32_t nnz, float c, const float *restrict delta, uint32_t row_lo, uint32_t row_hi) {
    uint32_t col = 0;
    for (; col + 32 <= p; col += 32) {
        float d[32];
        for (int l = 0; l < 32; l++) d[l] = delta[col + l];
        for (uint32_t t = 0; t < nnz; t++) {
            uint32_t i = idx[t];
            if (i < row_lo || i >= row_hi) continue;
            float s = c * val[t];
            float *row = W + (size_t)i * p + col;
            for (int l = 0; l < 32; l++) row[l] = fmaf(s, d[l], row[l]);
        }
    }
    for (; col < p; col += 16) {
        float d[16];
        for (int l = 0; l < 16; l++) d[l] = delta[col + l];
        for (uint32_t t = 0; t < nnz; t++) {
            uint32_t i = idx[t];
            if (i < row_lo || i >= row_hi) continue;
            float s = c * val[t];
            float *row = W + (size_t)i * p + col;
            for (int l = 0; l < 16; l++) row[l] = fmaf(s, d[l], row[l]);
        }
    }
}

static float K(dot16)(const float *restrict w, const float *restrict d, uint32_t p) {
    float acc[16] = {0};
    for (uint32_t g = 0; g < p; g += 16)
        for (int l = 0; l < 16; l++) acc[l] = fmaf(w[g + l], d[g + l], acc[l]);
    for (int width = 8; width >= 1; width /= 2)
        for (int l = 0; l < width; l++) acc[l] = acc[l] + acc[l + width];
    return acc[0];
}

/* n is a multiple of 16 (a padded width) in every call. */
static void K(activate)(float *restrict a, const float *restrict z, uint32_t n, int act) {
    for (uint32_t g = 0; g < n; g += 16) {
        if (act == 0)
            for (int l = 0; l < 16; l++) a[g + l] = tn_sigmoid_inline(z[g + l]);
        else if (act == 1)
            for (int l = 0; l < 16; l++) a[g + l] = tn_tanh_inline(z[g + l]);
        else
            for (int l = 0; l < 16; l++) a[g + l] = z[g + l] > 0.0f ? z[g + l] : 0.0f;
    }
}

static void K(axpy)(float *restrict y, float c, const float *restrict x, uint32_t n) {
    for (uint32_t g = 0; g < n; g += 16)
        for (int l = 0; l < 16; l++) y[g + l] = fmaf(c, x[g + l], y[g + l]);
}

static void K(scale)(float *restrict y, float s, size_t n) {
    for (size_t g = 0; g < n; g += 16)
        for (int l = 0; l < 16; l++) y[g + l] = y[g + l] * s;
}

const tn_kernels CAT(tn_kernels_, TN_KERNEL_NAME) = {
    STR(TN_KERNEL_NAME),
    K(forward), K(update), K(dot16), K(activate), K(axpy), K(scale)};
