/*
 * What the AVX-512 bf16 kernels of this target share (x86-64 only; not part of the public
 * header): the target attribute, the pair interleave and the pair dot product; the rectifying
 * epilogue is avx512_common.h's.
 */
#ifndef XAI_BF16_SIMD_H
#define XAI_BF16_SIMD_H

#include <immintrin.h>

#include "avx512_common.h"
#include "bf16_kernels.h"

#define XAI_BF16_TARGET __attribute__((target("avx512bf16,avx512f,avx512bw,avx512vl")))

/* Lanes 0-15 of `a`, 16-31 of `b` as 16-bit words -> (a[i], b[i]) side by side. */
static const short interleave_words[32] = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                           8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};

/* The first `count` (1 ... 16) lanes of e and o rounded to bf16 and stored as pairs
 * (e[i], o[i]) at out[2i], out[2i + 1]; `index` is interleave_words. Every packing of float32
 * into pairs goes through here, so they round and interleave alike. */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) void xai_store_pairs16(__m512 e, __m512 o, __m512i index, long count,
                                                                   uint16_t *out) {
    const __m512i pairs = _mm512_permutexvar_epi16(index, (__m512i)_mm512_cvtne2ps_pbh(o, e));
    const __mmask32 m = count >= 16 ? (__mmask32)0xffffffffu : (__mmask32)((1ull << (2 * count)) - 1);
    _mm512_mask_storeu_epi16(out, m, pairs);
}

/* Rows 2p and 2p + 1 (p < ceil(k / 2); the odd row past k is zero) of n columns of a float32
 * [k][ld] matrix, rounded and interleaved into pair row p (dst + p * dst_ld): the packing of
 * xai_bf16_pack_columns (dst_ld = 2n) and of AMX column blocks (dst_ld = 64). */
XAI_BF16_TARGET
static inline void xai_pack_pair_rows(const float *b, long ld, long k, long n, uint16_t *dst, long dst_ld) {
    const __m512i index = _mm512_loadu_si512(interleave_words);
    for (long p = 0; p < (k + 1) / 2; p++) {
        const float *even = b + 2 * p * ld, *odd = even + ld;
        const int has_odd = 2 * p + 1 < k;
        uint16_t *out = dst + p * dst_ld;
        for (long j = 0; j < n; j += 16) {
            const long left = n - j;
            const __mmask16 m = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
            const __m512 e = _mm512_maskz_loadu_ps(m, even + j);
            const __m512 o = has_odd ? _mm512_maskz_loadu_ps(m, odd + j) : _mm512_setzero_ps();
            xai_store_pairs16(e, o, index, left, out + 2 * j);
        }
    }
}

/* Index vectors of the pair transpose below: swapping bit `bit` of the vector index with the
 * same bit of the lane index. */
static inline void xai_pair_swap_indices(int bit, int *low, int *high) {
    for (int lane = 0; lane < 16; lane++) {
        const int set = lane & bit;
        low[lane] = set ? 16 + (lane ^ bit) : lane;
        high[lane] = set ? 16 + lane : lane | bit;
    }
}

/* Pixel vectors (16 channels each, `cells` 16 floats apart), `count` (<= 16) of them, rounded
 * into v[q] = channel pair q of the 16 pixels (lane l = pixel l; lanes past count zero).
 * Rounding pixel vectors i and i+8 together gives vector i with lane l = (pixel i + 8 * (l / 8),
 * pair l % 8): a 16 x 8 matrix of 32-bit pairs, which three rounds of swapping one bit of the
 * vector index with the same bit of the lane index transpose to vector q = pair q with lane
 * l = pixel l, already in order (pairing pixels 2i and 2i+1 instead cost a fourth round).
 * lo/hi: xai_pair_swap_indices for bits 1, 2, 4. */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) void xai_pairs16(const float *cells, long count, const __m512i lo[3],
                                                              const __m512i hi[3], __m512i v[8]) {
    for (int i = 0; i < 8; i++) {
        const __m512 e = i < count ? _mm512_loadu_ps(cells + 16 * i) : _mm512_setzero_ps();
        const __m512 o = i + 8 < count ? _mm512_loadu_ps(cells + 16 * (i + 8)) : _mm512_setzero_ps();
        v[i] = (__m512i)_mm512_cvtne2ps_pbh(o, e);
    }
    for (int j = 0; j < 3; j++) {
        const int bit = 1 << j;
        for (int i = 0; i < 8; i++) {
            if (i & bit) continue;
            const __m512i a = v[i], b = v[i | bit];
            v[i] = _mm512_permutex2var_epi32(a, lo[j], b);
            v[i | bit] = _mm512_permutex2var_epi32(a, hi[j], b);
        }
    }
}

/* The index vectors of xai_pairs16. */
XAI_BF16_TARGET
static inline void xai_pairs16_indices(__m512i lo[3], __m512i hi[3]) {
    int low[16], high[16];
    for (int j = 0; j < 3; j++) {
        xai_pair_swap_indices(1 << j, low, high);
        lo[j] = _mm512_loadu_si512(low);
        hi[j] = _mm512_loadu_si512(high);
    }
}

#define DP(acc, x, y) acc = _mm512_dpbf16_ps(acc, (__m512bh)(x), (__m512bh)(y))

#endif
