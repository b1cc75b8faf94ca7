/* Kernels: plain C loops that compilers vectorise across outputs. Compiled several times
 * (TN_KERNEL_NAME = generic, avx2, avx512) with different -m flags; since each loop is
 * elementwise or a reduction in one written order, and -ffp-contract=off keeps the compiler
 * from fusing on its own, every build returns the same bits. */
#include <stddef.h>

#include "fmath.h"
#include "kernels.h"

#ifndef TN_KERNEL_NAME
#define TN_KERNEL_NAME generic
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(x) #x
#define STR(x) STR2(x)
#define K(name) CAT(name##_, TN_KERNEL_NAME)

/* A vector of VW floats and the few operations the hot loops need. Each lane of vfma is one
 * correctly rounded fmaf, so every width computes the same numbers. */
#if defined(__AVX512F__)
#include <immintrin.h>
typedef __m512 vf;
#define VW 16
#define vload(p) _mm512_loadu_ps(p)
#define vstore(p, v) _mm512_storeu_ps((p), (v))
#define vset1(x) _mm512_set1_ps(x)
#define vfma(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define vadd _mm512_add_ps
#define vsub _mm512_sub_ps
#define vmul _mm512_mul_ps
#define vdiv _mm512_div_ps
#define vmax _mm512_max_ps
#define vmin _mm512_min_ps
#define vpow2i(kf) _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(kf), _mm512_set1_epi32(127)), 23))
#define vselect_lt0(z, a, b) _mm512_mask_blend_ps(_mm512_cmp_ps_mask((z), _mm512_setzero_ps(), _CMP_LT_OQ), (b), (a))
#define vabs(z) _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(z), _mm512_set1_epi32(0x7fffffff)))
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
typedef __m256 vf;
#define VW 8
#define vload(p) _mm256_loadu_ps(p)
#define vstore(p, v) _mm256_storeu_ps((p), (v))
#define vset1(x) _mm256_set1_ps(x)
#define vfma(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define vadd _mm256_add_ps
#define vsub _mm256_sub_ps
#define vmul _mm256_mul_ps
#define vdiv _mm256_div_ps
#define vmax _mm256_max_ps
#define vmin _mm256_min_ps
#define vpow2i(kf) _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(kf), _mm256_set1_epi32(127)), 23))
#define vselect_lt0(z, a, b) _mm256_blendv_ps((b), (a), _mm256_cmp_ps((z), _mm256_setzero_ps(), _CMP_LT_OQ))
#define vabs(z) _mm256_and_ps((z), _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)))
#else
typedef float vf;
#define VW 1
#define vload(p) (*(p))
#define vstore(p, v) (*(p) = (v))
#define vset1(x) (x)
#define vfma(a, b, c) fmaf((a), (b), (c))
#define vadd(a, b) ((a) + (b))
#define vsub(a, b) ((a) - (b))
#define vmul(a, b) ((a) * (b))
#define vdiv(a, b) ((a) / (b))
#define vmax(a, b) ((a) > (b) ? (a) : (b)) /* as maxps: b when either is NaN */
#define vmin(a, b) ((a) < (b) ? (a) : (b))
#define vpow2i(kf) tn_u2f((uint32_t)(((kf) == (kf) ? (int32_t)(kf) : 0) + 127) << 23)
#define vselect_lt0(z, a, b) ((z) < 0.0f ? (a) : (b))
#define vabs(z) fabsf(z)
#endif

/* Our expf, sigmoid and tanh on a vector: the very operations of tn_expf_inline and friends in
 * fmath.h, lane by lane (max/min with the constant first keep a NaN, as the scalar ternaries
 * do), so scalar and vector code agree bit for bit. */
static inline vf vexp(vf x) {
    x = vmax(vset1(-86.0f), x);
    x = vmin(vset1(88.0f), x);
    vf kf = vmul(x, vset1(1.44269504088896341f));
    kf = vsub(vadd(kf, vset1(12582912.0f)), vset1(12582912.0f));
    vf r = vfma(kf, vset1(-0.693145751953125f), x);
    r = vfma(kf, vset1(-1.428606765330187045e-06f), r);
    vf p = vset1(1.98412698412698413e-04f);
    p = vfma(p, r, vset1(1.38888888888888889e-03f));
    p = vfma(p, r, vset1(8.33333333333333333e-03f));
    p = vfma(p, r, vset1(4.16666666666666667e-02f));
    p = vfma(p, r, vset1(1.66666666666666667e-01f));
    p = vfma(p, r, vset1(0.5f));
    p = vfma(p, r, vset1(1.0f));
    p = vfma(p, r, vset1(1.0f));
    return vmul(p, vpow2i(kf));
}

static inline vf vsigmoid(vf z) {
    z = vmax(vset1(-80.0f), z);
    z = vmin(vset1(80.0f), z);
    return vdiv(vset1(1.0f), vadd(vset1(1.0f), vexp(vmul(z, vset1(-1.0f)))));
}

static inline vf vtanh(vf z) {
    vf a = vmin(vset1(40.0f), vabs(z));
    vf t = vexp(vmul(a, vset1(-2.0f)));
    vf v = vdiv(vsub(vset1(1.0f), t), vadd(vset1(1.0f), t));
    return vselect_lt0(z, vmul(v, vset1(-1.0f)), v);
}
#define NV(cols) ((cols) / VW)

/* Four consecutive input indices, read at once where the byte order allows. */
static inline void idx4(const uint16_t *s, uint32_t o[4]) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t q;
    memcpy(&q, s, sizeof q);
    o[0] = (uint32_t)(q & 0xffff); o[1] = (uint32_t)((q >> 16) & 0xffff);
    o[2] = (uint32_t)((q >> 32) & 0xffff); o[3] = (uint32_t)(q >> 48);
#else
    for (int u = 0; u < 4; u++) o[u] = s[u];
#endif
}

/* Forward through one layer for m examples: z[e][0:p] = b, then for t in order
 * z[e][j] = fmaf(W[idx[e][t]*p + j], val[e][t], z[e][j]). Columns go in blocks of 64, 32, then
 * 16 (8, 4, 2 vector chains per example), every example through one block before the next,
 * so the block's rows of W stay in cache; within an example, eight inputs at a time with
 * their indices read in two loads (measured: pairing examples instead, or unrolling by 4 or
 * 16, was slower here). Each z[e][j] is the same sequence of fmaf whatever the blocking. */
#define FWD_ONE(COLS, e)                                                                  \
    do {                                                                                  \
        vf a1[NV(COLS)];                                                                  \
        _Pragma("GCC unroll 16") for (int v = 0; v < NV(COLS); v++) a1[v] = vload(b + c + v * VW); \
        uint32_t t = 0;                                                                   \
        for (; t + 8 <= nnz[e]; t += 8) {                                                 \
            uint32_t ix1[8];                                                              \
            idx4(idx[e] + t, ix1);                                                        \
            idx4(idx[e] + t + 4, ix1 + 4);                                                \
            _Pragma("GCC unroll 8") for (int u = 0; u < 8; u++) {                         \
                const float *r8 = W + (size_t)ix1[u] * p + c;                             \
                vf x8 = vset1(XI(e, t + u, ix1[u]));                                      \
                _Pragma("GCC unroll 16") for (int v = 0; v < NV(COLS); v++) a1[v] = vfma(vload(r8 + v * VW), x8, a1[v]); \
            }                                                                             \
        }                                                                                 \
        for (; t < nnz[e]; t++) {                                                         \
            uint32_t i1 = idx[e][t];                                                      \
            const float *row1 = W + (size_t)i1 * p + c;                                   \
            vf x1 = vset1(XI(e, t, i1));                                                  \
            _Pragma("GCC unroll 16") for (int v = 0; v < NV(COLS); v++) a1[v] = vfma(vload(row1 + v * VW), x1, a1[v]); \
        }                                                                                 \
        _Pragma("GCC unroll 16") for (int v = 0; v < NV(COLS); v++) vstore(z[e] + c + v * VW, a1[v]); \
    } while (0)

#define FORWARD_BODY                                                                      \
    uint32_t c = 0;                                                                       \
    for (; c + 64 <= p; c += 64)                                                          \
        for (uint32_t e = 0; e < m; e++) FWD_ONE(64, e);                                  \
    for (; c + 32 <= p; c += 32)                                                          \
        for (uint32_t e = 0; e < m; e++) FWD_ONE(32, e);                                  \
    for (; c < p; c += 16)                                                                \
        for (uint32_t e = 0; e < m; e++) FWD_ONE(16, e);

/* XI(e, t, i), i = idx[e][t]: the input value of entry t of example e, a float from the
 * list, or (first layer in evaluation) table[pixel byte]. Both are the same float, so the
 * choice changes no bit. */
static void K(forward)(float *const *z, const float *restrict W, uint32_t p, const float *restrict b, uint32_t m,
                       const uint16_t *const *idx, const float *const *val, const uint32_t *nnz) {
#define XI(e, t, i) val[e][t]
    FORWARD_BODY
#undef XI
}

static void K(forward_bytes)(float *const *z, const float *restrict W, uint32_t p, const float *restrict b,
                             uint32_t m, const uint16_t *const *idx, const uint8_t *const *pix,
                             const float *restrict table, const uint32_t *nnz) {
#define XI(e, t, i) table[pix[e][i]]
    FORWARD_BODY
#undef XI
}

/* Dense inputs (every example has inputs 0..n-1, in order): NE examples share each load of a
 * weight row. z[e][j] is still b[j] then one fmaf per input in ascending order. */
#define FWD_DENSE(NE, e0)                                                                 \
    do {                                                                                  \
        vf acc[NE][NV(16)];                                                               \
        _Pragma("GCC unroll 4") for (int g = 0; g < (NE); g++)                            \
            _Pragma("GCC unroll 16") for (int v = 0; v < NV(16); v++) acc[g][v] = vload(b + c + v * VW); \
        for (uint32_t i = 0; i < n; i++) {                                                \
            vf w[NV(16)];                                                                 \
            _Pragma("GCC unroll 16") for (int v = 0; v < NV(16); v++) w[v] = vload(W + (size_t)i * p + c + v * VW); \
            _Pragma("GCC unroll 4") for (int g = 0; g < (NE); g++) {                      \
                vf x = vset1(val[(e0) + g][i]);                                           \
                _Pragma("GCC unroll 16") for (int v = 0; v < NV(16); v++) acc[g][v] = vfma(w[v], x, acc[g][v]); \
            }                                                                             \
        }                                                                                 \
        _Pragma("GCC unroll 4") for (int g = 0; g < (NE); g++)                            \
            _Pragma("GCC unroll 16") for (int v = 0; v < NV(16); v++) vstore(z[(e0) + g] + c + v * VW, acc[g][v]); \
    } while (0)

static void K(forward_dense)(float *const *z, const float *restrict W, uint32_t p, const float *restrict b,
                             uint32_t m, const float *const *val, uint32_t n) {
    for (uint32_t c = 0; c < p; c += 16) {
        uint32_t e = 0;
        for (; e + 4 <= m; e += 4) FWD_DENSE(4, e);
        for (; e < m; e++) FWD_DENSE(1, e);
    }
}

/* The update of one layer for a mini-batch, row by row: row i = rows[r] is loaded once, gets
 * one fmaf(scale[q], delta[q][j], w) for each of its count[i] entries q (at i*stride, in batch
 * order), and is stored once. Per weight that is the examples in batch order, as specified. Only rows in
 * [row_lo, row_hi) are touched (a thread's share). */
#define UPDATE_BLOCK(COLS)                                                                \
    for (; col + (COLS) <= p; col += (COLS))                                              \
        for (uint32_t r = 0; r < n_rows; r++) {                                           \
            uint32_t i = rows[r];                                                         \
            if (i < row_lo || i >= row_hi) continue;                                      \
            float *row = W + (size_t)i * p + col;                                         \
            vf w[NV(COLS)];                                                               \
            _Pragma("GCC unroll 16") for (int v = 0; v < NV(COLS); v++) w[v] = vload(row + v * VW); \
            for (size_t q = (size_t)i * stride, end = q + count[i]; q < end; q++) {       \
                const float *d = delta[q] + col;                                          \
                vf s = vset1(scale[q]);                                                   \
                _Pragma("GCC unroll 16") for (int v = 0; v < NV(COLS); v++) w[v] = vfma(s, vload(d + v * VW), w[v]); \
            }                                                                             \
            _Pragma("GCC unroll 16") for (int v = 0; v < NV(COLS); v++) vstore(row + v * VW, w[v]); \
        }

static void K(update)(float *restrict W, uint32_t p, const uint16_t *restrict rows, uint32_t n_rows,
                      const uint32_t *restrict count, uint32_t stride, const float *const *delta,
                      const float *restrict scale, uint32_t row_lo, uint32_t row_hi) {
    uint32_t col = 0;
    UPDATE_BLOCK(32)
    UPDATE_BLOCK(16)
}

/* s[i] = sum over k < n_out of wt[k*ld + i] * d[k], one fmaf chain from +0 in ascending k:
 * the error sent back to input i of a layer, from the layer's weights transposed (wt is
 * (n_out, ld), ld a multiple of 16 >= width). Vectorised across i. */
static void K(backprop)(float *restrict s, const float *restrict wt, uint32_t ld, uint32_t n_out,
                        const float *restrict d, uint32_t width) {
    for (uint32_t i = 0; i < width; i += 16) {
        vf acc[NV(16)];
        _Pragma("GCC unroll 16") for (int v = 0; v < NV(16); v++) acc[v] = vset1(0.0f);
        for (uint32_t k = 0; k < n_out; k++) {
            vf dk = vset1(d[k]);
            _Pragma("GCC unroll 16") for (int v = 0; v < NV(16); v++)
                acc[v] = vfma(vload(wt + (size_t)k * ld + i + v * VW), dk, acc[v]);
        }
        _Pragma("GCC unroll 16") for (int v = 0; v < NV(16); v++) vstore(s + i + v * VW, acc[v]);
    }
}

/* a[k] = e^(z[k] - shift) for k < n (n a multiple of 16): the softmax numerators. */
static void K(exp_shifted)(float *restrict a, const float *restrict z, float shift, uint32_t n) {
    for (uint32_t g = 0; g < n; g += VW) vstore(a + g, vexp(vsub(vload(z + g), vset1(shift))));
}

/* a[e][k] = act(z[e][k]) for e < m, k < n; n is a multiple of 16 (a padded width) in every
 * call. Several examples per call give the out-of-order core independent work to overlap
 * with each expf's long chain. */
#define ACTIVATE_LOOP(F)                                                                  \
    for (uint32_t e = 0; e < m; e++)                                                      \
        for (uint32_t g = 0; g < n; g += VW) vstore(a[e] + g, F(vload(z[e] + g)))
static inline vf vrelu(vf x) { return vmax(x, vset1(0.0f)); }

static void K(activate)(float *const *a, const float *const *z, uint32_t m, uint32_t n, int act) {
    if (act == 0) ACTIVATE_LOOP(vsigmoid);
    else if (act == 1) ACTIVATE_LOOP(vtanh);
    else ACTIVATE_LOOP(vrelu);
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
    K(forward), K(forward_bytes), K(forward_dense), K(update), K(backprop), K(activate), K(exp_shifted),
    K(axpy), K(scale)};
