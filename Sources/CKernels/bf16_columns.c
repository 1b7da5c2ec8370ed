/*
 * The bf16 product's last few columns (see include/bf16_kernels.h): a 7x7 map's 49 pixels are
 * 32 + 16 + 1 columns, a 14x14 map's 196 are 6 x 32 + 4. The panel kernel broadcasts a filter
 * value against 16 columns at once, so such a tail cost it a whole 16-lane vector (the 17
 * columns after 32 cost 32: Lite0's 7x7 projections and head did 31% more products than needed).
 * Here each column is broadcast instead, against the panel's 8 rows for two k pairs per vector,
 * so no products go to padding. Like bf16_kernels.c, only XAI_BF16_TARGET functions use AVX-512.
 */
#include "bf16_kernels.h"

#if defined(__x86_64__)
#include "bf16_simd.h"

/* Column j's pairs of k pairs p (lanes 0-7) and p + 1 (lanes 8-15). */
XAI_BF16_TARGET
static inline __m512i column_pairs(const int32_t *b, long ldb, long p, long j) {
    const __m256i lo = _mm256_set1_epi32(b[p * ldb + j]), hi = _mm256_set1_epi32(b[(p + 1) * ldb + j]);
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

/* `count` (1 ... 4, constant where inlined) columns from column j0: per column four sums over
 * k-pair couples in turn, so even one column keeps four vdpbf16ps chains in flight (its
 * latency is about twelve of its issue slots); lane i (mod 8) of a sum is row i. Returns the
 * columns' 8 row totals in lanes 0-7 of out[j]. */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) void columns4(long k2, const int32_t *a, const int32_t *b, long ldb, long j0,
                                                           int count, __m512 out[4]) {
    __m512 s[4][4];
    for (int j = 0; j < 4; j++) s[j][0] = s[j][1] = s[j][2] = s[j][3] = _mm512_setzero_ps();
    long p = 0;
    for (; p + 8 <= k2; p += 8) {
#pragma clang loop unroll(full)
        for (int u = 0; u < 4; u++) {
            const __m512i av = _mm512_loadu_si512(a + 8 * (p + 2 * u));
#pragma clang loop unroll(full)
            for (int j = 0; j < count; j++) DP(s[j][u], av, column_pairs(b, ldb, p + 2 * u, j0 + j));
        }
    }
    for (; p < k2; p += 2) {
        /* One or two k pairs left: the missing one is zero in both operands, never read. */
        const int two = p + 1 < k2;
        const __mmask16 m = two ? (__mmask16)0xffff : (__mmask16)0x00ff;
        const __m512i a0 = _mm512_maskz_loadu_epi32(m, a + 8 * p);
#pragma clang loop unroll(full)
        for (int j = 0; j < count; j++) {
            const __m512i lo = _mm512_maskz_set1_epi32(0x00ff, b[p * ldb + j0 + j]);
            const __m512i both = two ? _mm512_mask_set1_epi32(lo, 0xff00, b[(p + 1) * ldb + j0 + j]) : lo;
            DP(s[j][0], a0, both);
        }
    }
#pragma clang loop unroll(full)
    for (int j = 0; j < count; j++) {
        const __m512 t = _mm512_add_ps(_mm512_add_ps(s[j][0], s[j][1]), _mm512_add_ps(s[j][2], s[j][3]));
        out[j] = _mm512_add_ps(t, _mm512_shuffle_f32x4(t, t, 0x4e));
    }
}

XAI_BF16_TARGET
void xai_bf16_gemm_columns(long k2, const uint16_t *a, const uint16_t *b, long ldb, const float *bias,
                           xai_rectifier r, float *c, long ldc, long rows, long width) {
    const int32_t *ap = (const int32_t *)a, *bp = (const int32_t *)b;
    const __m512 bv = _mm512_maskz_loadu_ps(0x00ff, bias);
    for (long j0 = 0; j0 < width; j0 += 4) {
        const long n = width - j0 < 4 ? width - j0 : 4;
        __m512 out[4];
        if (n == 4) columns4(k2, ap, bp, ldb, j0, 4, out);
        else if (n == 3) columns4(k2, ap, bp, ldb, j0, 3, out);
        else if (n == 2) columns4(k2, ap, bp, ldb, j0, 2, out);
        else columns4(k2, ap, bp, ldb, j0, 1, out);
        for (long j = 0; j < n; j++) {
            float v[16];
            _mm512_storeu_ps(v, rectify(_mm512_add_ps(out[j], bv), r));
            for (long i = 0; i < rows; i++) c[i * ldc + j0 + j] = v[i];
        }
    }
}

#else

/* Not an x86-64 CPU: xai_bf16_supported() is 0, so the engine never calls this. */
void xai_bf16_gemm_columns(long k2, const uint16_t *a, const uint16_t *b, long ldb, const float *bias,
                           xai_rectifier r, float *c, long ldc, long rows, long width) {
    (void)k2; (void)a; (void)b; (void)ldb; (void)bias; (void)r; (void)c; (void)ldc; (void)rows; (void)width;
    __builtin_trap();
}

#endif
