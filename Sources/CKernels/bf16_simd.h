/*
 * What the AVX-512 bf16 kernels of this target share (x86-64 only; not part of the public
 * header): the target attribute, the rectifying epilogue and the pair dot product.
 */
#ifndef XAI_BF16_SIMD_H
#define XAI_BF16_SIMD_H

#include <immintrin.h>

#include "bf16_kernels.h"

#define XAI_BF16_TARGET __attribute__((target("avx512bf16,avx512f,avx512bw,avx512vl")))

/* The rectifier with its kind (leaky: slope != 1) a constant where inlined, so a kernel made
 * in one copy per kind tests it once, not at every store. */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) __m512 rectified(__m512 v, xai_rectifier r, const int leaky) {
    if (leaky) {
        const __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
        return _mm512_mask_mul_ps(v, neg, v, _mm512_set1_ps(r.slope));
    }
    /* max(lo, v) and min(hi, .) return v when it is NaN, as the fp32 epilogue does. */
    return _mm512_min_ps(_mm512_set1_ps(r.hi), _mm512_max_ps(_mm512_set1_ps(r.lo), v));
}

XAI_BF16_TARGET
static inline __m512 rectify(__m512 v, xai_rectifier r) {
    return r.slope != 1.0f ? rectified(v, r, 1) : rectified(v, r, 0);
}

/* Lanes 0-15 of `a`, 16-31 of `b` as 16-bit words -> (a[i], b[i]) side by side. */
static const short interleave_words[32] = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                           8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};

#define DP(acc, x, y) acc = _mm512_dpbf16_ps(acc, (__m512bh)(x), (__m512bh)(y))

#endif
