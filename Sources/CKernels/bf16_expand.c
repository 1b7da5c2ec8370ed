/*
 * The bf16 1x1 expansion (see include/bf16_kernels.h): sixteen pixels of one 16-channel block
 * at a time, the last few in interleaved sums. Like bf16_kernels.c, only functions marked
 * XAI_BF16_TARGET use AVX-512 instructions.
 */
#include "bf16_kernels.h"

#include <stddef.h>

#if defined(__x86_64__)
#include "bf16_simd.h"

/* Pixel i's 16 results: float32 to the cell block + 16 * slots[i], or (pairs) rounded to bf16
 * into the half of the 32-bit pairs at pairs + slots[i] (see xai_bf16_expand_pairs). */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) void put(__m512 v, long slot, float *block, uint16_t *pairs) {
    if (pairs) {
        /* Zero-extended, each value sits in the low half of its lane; the store keeps only those
         * halves, at the cell or two bytes into it (the high halves). */
        const __m512i z = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(v));
        _mm512_mask_storeu_epi16(pairs + slot, (__mmask32)0x55555555u, z);
    } else {
        _mm512_storeu_ps(block + 16 * slot, v);
    }
}

/* 2n sums (n <= 8, constant where inlined) from the bias over k pairs of one 16-channel block:
 * a[i] takes pixel column x0[i] and a[8 + i] column x1[i] (i < n; x1 = x0 + 8 for sixteen pixels
 * of a row, x0 + w for the same columns one row down). Each sum's own order is that of separate
 * chains. */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) void sums16(long k2, const int32_t *x0, const int32_t *x1, long ldx,
                                                         const int32_t *f, __m512 b, __m512 a[16], const int n) {
#pragma clang loop unroll(full)
    for (int i = 0; i < n; i++) a[i] = a[8 + i] = b;
    for (long p = 0; p < k2; p++) {
        const __m512i w = _mm512_loadu_si512(f + p * 16);
#pragma clang loop unroll(full)
        for (int i = 0; i < n; i++) {
            DP(a[i], w, _mm512_set1_epi32(x0[i]));
            DP(a[8 + i], w, _mm512_set1_epi32(x1[i]));
        }
        x0 += ldx;
        x1 += ldx;
    }
}

/* The last `count` (1 ... 4, constant where inlined) pixels of a block, fewer than a tile:
 * each pixel's k pairs in four interleaved sums, so even one pixel keeps four vdpbf16ps chains
 * in flight (one chain waited on the instruction's latency at every k pair: a 7x7 map's 49th
 * pixel cost a third of a 16-pixel tile). */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) void expand_few(long k2, const int32_t *xp, long ldx, const int32_t *f,
                                                             __m512 b, xai_rectifier r, const int leaky, int count,
                                                             const long *slots, float *block, uint16_t *pairs) {
    __m512 a[4][4];
    for (int i = 0; i < 4; i++) {
        a[i][0] = b;
        a[i][1] = a[i][2] = a[i][3] = _mm512_setzero_ps();
    }
    long p = 0;
    for (; p + 4 <= k2; p += 4) {
#pragma clang loop unroll(full)
        for (int t = 0; t < 4; t++) {
            const __m512i w = _mm512_loadu_si512(f + (p + t) * 16);
            const int32_t *x = xp + (p + t) * ldx;
#pragma clang loop unroll(full)
            for (int i = 0; i < count; i++) DP(a[i][t], w, _mm512_set1_epi32(x[i]));
        }
    }
    for (; p < k2; p++) {
        const __m512i w = _mm512_loadu_si512(f + p * 16);
        const int32_t *x = xp + p * ldx;
#pragma clang loop unroll(full)
        for (int i = 0; i < count; i++) DP(a[i][0], w, _mm512_set1_epi32(x[i]));
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < count; i++) {
        const __m512 v = _mm512_add_ps(_mm512_add_ps(a[i][0], a[i][1]), _mm512_add_ps(a[i][2], a[i][3]));
        put(rectified(v, r, leaky), slots[i], block, pairs);
    }
}

XAI_BF16_TARGET
static inline __attribute__((always_inline)) void expand(long k2, const uint16_t *x, long ldx, long count,
                                                         const uint16_t *filters, const float *bias, xai_rectifier r,
                                                         const int leaky, const long *slots, float *block,
                                                         uint16_t *pairs) {
    const __m512 b = _mm512_loadu_ps(bias);
    const int32_t *f = (const int32_t *)filters;
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 a[16];
        const int32_t *xp = (const int32_t *)x + i;
        sums16(k2, xp, xp + 8, ldx, f, b, a, 8);
        const long *s = slots + i;
#pragma clang loop unroll(full)
        for (int j = 0; j < 16; j++) put(rectified(a[j], r, leaky), s[j], block, pairs);
    }
    for (; i < count; i += 4) {
        const int32_t *xp = (const int32_t *)x + i;
        const long left = count - i;
        if (left >= 4) expand_few(k2, xp, ldx, f, b, r, leaky, 4, slots + i, block, pairs);
        else if (left == 3) expand_few(k2, xp, ldx, f, b, r, leaky, 3, slots + i, block, pairs);
        else if (left == 2) expand_few(k2, xp, ldx, f, b, r, leaky, 2, slots + i, block, pairs);
        else expand_few(k2, xp, ldx, f, b, r, leaky, 1, slots + i, block, pairs);
    }
}

/* The leaky and clamping rectifiers as separate copies: the kind was tested at every store. */
XAI_BF16_TARGET
void xai_bf16_expand_block(long k2, const uint16_t *x, long ldx, long count, const uint16_t *filters,
                           const float *bias, xai_rectifier r, const long *slots, float *block) {
    if (r.slope != 1.0f) expand(k2, x, ldx, count, filters, bias, r, 1, slots, block, NULL);
    else expand(k2, x, ldx, count, filters, bias, r, 0, slots, block, NULL);
}

XAI_BF16_TARGET
void xai_bf16_expand_pairs(long k2, const uint16_t *x, long ldx, long count, const uint16_t *filters,
                           const float *bias, xai_rectifier r, const long *slots, uint16_t *pairs) {
    if (r.slope != 1.0f) expand(k2, x, ldx, count, filters, bias, r, 1, slots, NULL, pairs);
    else expand(k2, x, ldx, count, filters, bias, r, 0, slots, NULL, pairs);
}

/* `n` (4 ... 8, constant where inlined) columns of two rows (x and x + w): both rows' results for
 * a column fill one cell. Fewer than four columns would leave too few chains (sums16's) for
 * vdpbf16ps's latency. */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) void expand_row_pairs(long k2, const int32_t *xp, long ldx, long w,
                                                                   const int32_t *f, __m512 b, xai_rectifier r,
                                                                   const int leaky, const long *slots, uint16_t *pairs,
                                                                   const int n) {
    __m512 a[16];
    sums16(k2, xp, xp + w, ldx, f, b, a, n);
    const __m512i index = _mm512_loadu_si512(interleave_words);
#pragma clang loop unroll(full)
    for (int i = 0; i < n; i++) {
        /* Rounding both rows together and interleaving them writes whole cells: one store where
         * each row's half alone took a widening and a masked store. */
        xai_store_pairs16(rectified(a[i], r, leaky), rectified(a[8 + i], r, leaky), index, 16, pairs + slots[i]);
    }
}

XAI_BF16_TARGET
static inline __attribute__((always_inline)) void expand_rows(long k2, const uint16_t *x, long ldx, long w, long count,
                                                              const uint16_t *filters, const float *bias, xai_rectifier r,
                                                              const int leaky, const long *slots, uint16_t *pairs) {
    const __m512 b = _mm512_loadu_ps(bias);
    const int32_t *f = (const int32_t *)filters, *xp = (const int32_t *)x;
    long i = 0;
    for (; i + 8 <= count; i += 8) expand_row_pairs(k2, xp + i, ldx, w, f, b, r, leaky, slots + i, pairs, 8);
    /* Four to seven columns left (a 7x7 map's rows, 14x14's last six) go two rows together too:
     * one by one, each row's in interleaved sums, they took a masked store per pixel and block. */
    switch (count - i) {
    case 7: expand_row_pairs(k2, xp + i, ldx, w, f, b, r, leaky, slots + i, pairs, 7); return;
    case 6: expand_row_pairs(k2, xp + i, ldx, w, f, b, r, leaky, slots + i, pairs, 6); return;
    case 5: expand_row_pairs(k2, xp + i, ldx, w, f, b, r, leaky, slots + i, pairs, 5); return;
    case 4: expand_row_pairs(k2, xp + i, ldx, w, f, b, r, leaky, slots + i, pairs, 4); return;
    default: break;
    }
    if (i < count) {
        /* The last columns one row at a time; the lower row's halves are the upper's plus one. */
        long lower[8];
        for (long j = i; j < count; j++) lower[j - i] = slots[j] + 1;
        expand(k2, x + 2 * i, ldx, count - i, filters, bias, r, leaky, slots + i, NULL, pairs);
        expand(k2, x + 2 * (i + w), ldx, count - i, filters, bias, r, leaky, lower, NULL, pairs);
    }
}

XAI_BF16_TARGET
void xai_bf16_expand_row_pairs(long k2, const uint16_t *x, long ldx, long w, long count, const uint16_t *filters,
                               const float *bias, xai_rectifier r, const long *slots, uint16_t *pairs) {
    if (r.slope != 1.0f) expand_rows(k2, x, ldx, w, count, filters, bias, r, 1, slots, pairs);
    else expand_rows(k2, x, ldx, w, count, filters, bias, r, 0, slots, pairs);
}

#else

/* Not an x86-64 CPU: xai_bf16_supported() is 0, so the engine never calls these. */
void xai_bf16_expand_block(long k2, const uint16_t *x, long ldx, long count, const uint16_t *filters,
                           const float *bias, xai_rectifier r, const long *slots, float *block) {
    (void)k2; (void)x; (void)ldx; (void)count; (void)filters; (void)bias; (void)r; (void)slots; (void)block;
    __builtin_trap();
}

void xai_bf16_expand_pairs(long k2, const uint16_t *x, long ldx, long count, const uint16_t *filters,
                           const float *bias, xai_rectifier r, const long *slots, uint16_t *pairs) {
    (void)k2; (void)x; (void)ldx; (void)count; (void)filters; (void)bias; (void)r; (void)slots; (void)pairs;
    __builtin_trap();
}

void xai_bf16_expand_row_pairs(long k2, const uint16_t *x, long ldx, long w, long count, const uint16_t *filters,
                               const float *bias, xai_rectifier r, const long *slots, uint16_t *pairs) {
    (void)k2; (void)x; (void)ldx; (void)w; (void)count; (void)filters; (void)bias; (void)r; (void)slots; (void)pairs;
    __builtin_trap();
}

#endif
