#ifndef XAI_AVX512_COMMON_H
#define XAI_AVX512_COMMON_H

/* What CKernels' AVX-512 kernels share, bf16 or float32 (private to the target): the fused
 * rectifier of their epilogues and a 16 x 16 transpose. Plain AVX512F, so every kernel's own
 * target (a superset) can inline them. */

#include <immintrin.h>

#include "bf16_kernels.h"

/* The rectifier with its kind (leaky: slope != 1) a constant where inlined, so a kernel made
 * in one copy per kind tests it once, not at every store. */
__attribute__((target("avx512f")))
static inline __attribute__((always_inline)) __m512 rectified(__m512 v, xai_rectifier r, const int leaky) {
    if (leaky) {
        const __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
        return _mm512_mask_mul_ps(v, neg, v, _mm512_set1_ps(r.slope));
    }
    /* max(lo, v) and min(hi, .) return v when it is NaN, as the fp32 epilogue does. */
    return _mm512_min_ps(_mm512_set1_ps(r.hi), _mm512_max_ps(_mm512_set1_ps(r.lo), v));
}

__attribute__((target("avx512f")))
static inline __m512 rectify(__m512 v, xai_rectifier r) {
    return r.slope != 1.0f ? rectified(v, r, 1) : rectified(v, r, 0);
}

/* r[i] <- column i of the 16 x 16 matrix whose rows were r[0 ... 15]. */
__attribute__((target("avx512f")))
static inline __attribute__((always_inline)) void xai_transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        r[4 * i] = (__m512)_mm512_unpacklo_pd((__m512d)t[4 * i], (__m512d)t[4 * i + 2]);
        r[4 * i + 1] = (__m512)_mm512_unpackhi_pd((__m512d)t[4 * i], (__m512d)t[4 * i + 2]);
        r[4 * i + 2] = (__m512)_mm512_unpacklo_pd((__m512d)t[4 * i + 1], (__m512d)t[4 * i + 3]);
        r[4 * i + 3] = (__m512)_mm512_unpackhi_pd((__m512d)t[4 * i + 1], (__m512d)t[4 * i + 3]);
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) {
            t[8 * i + j] = _mm512_shuffle_f32x4(r[8 * i + j], r[8 * i + j + 4], 0x88);
            t[8 * i + j + 4] = _mm512_shuffle_f32x4(r[8 * i + j], r[8 * i + j + 4], 0xdd);
        }
    for (int j = 0; j < 8; j++) {
        r[j] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0x88);
        r[j + 8] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0xdd);
    }
}

#endif
