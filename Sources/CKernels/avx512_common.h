#ifndef XAI_AVX512_COMMON_H
#define XAI_AVX512_COMMON_H

/* What CKernels' AVX-512 kernels share, bf16 or float32 (private to the target): the fused
 * rectifier of their epilogues, a 16 x 16 transpose and a conv's im2col read from its input.
 * Plain AVX512F, so every kernel's own target (a superset) can inline them. */

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

/* One tap of output pixels i ... i + 15 (those past `cols` zero): `src` the input row it reads
 * (NULL: a padding row) and `off` its column for pixel 0; zero where it reads padding, as
 * im2colRow writes it. */
__attribute__((target("avx512f")))
static inline __attribute__((always_inline)) __m512 xai_tap16(const float *src, long off, long w, long sw, long i, long cols) {
    if (!src) return _mm512_setzero_ps();
    const long iw0 = i * sw + off;
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    /* Most groups read inside the row: plain loads (with sw = 2, of 32 values). */
    if (cols == 16 && iw0 >= 0 && iw0 + 16 * sw <= w && sw <= 2) {
        if (sw == 1) return _mm512_loadu_ps(src + iw0);
        return _mm512_permutex2var_ps(_mm512_loadu_ps(src + iw0), even, _mm512_loadu_ps(src + iw0 + 16));
    }
    const __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), wv = _mm512_set1_epi32((int)w);
    /* Lane p reads column iw0 + p * sw: valid within the row, for the first `cols` pixels. */
    const __m512i iw = _mm512_add_epi32(_mm512_set1_epi32((int)iw0), _mm512_mullo_epi32(lane, _mm512_set1_epi32((int)sw)));
    const __mmask16 valid = _mm512_cmpge_epi32_mask(iw, _mm512_setzero_si512()) & _mm512_cmplt_epi32_mask(iw, wv)
                            & (__mmask16)((1u << cols) - 1);
    if (sw == 1) return _mm512_maskz_loadu_ps(valid, src + iw0);
    if (sw == 2) {
        /* Even lanes of the 32 values from iw0 on, each load masked to the row. */
        const __m512i at = _mm512_add_epi32(_mm512_set1_epi32((int)iw0), lane), at16 = _mm512_add_epi32(at, _mm512_set1_epi32(16));
        const __mmask16 m0 = _mm512_cmpge_epi32_mask(at, _mm512_setzero_si512()) & _mm512_cmplt_epi32_mask(at, wv);
        const __mmask16 m1 = _mm512_cmpge_epi32_mask(at16, _mm512_setzero_si512()) & _mm512_cmplt_epi32_mask(at16, wv);
        const __m512 lo = _mm512_maskz_loadu_ps(m0, src + iw0), hi = _mm512_maskz_loadu_ps(m1, src + iw0 + 16);
        return _mm512_maskz_mov_ps(valid, _mm512_permutex2var_ps(lo, even, hi));
    }
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), valid, iw, src, 4);
}

#endif
