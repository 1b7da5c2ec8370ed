/*
 * The bf16 depthwise kernel (see include/bf16_kernels.h): two kernel rows per vdpbf16ps on the
 * row-pair block the bf16 expansion writes. Like bf16_kernels.c, only functions marked
 * XAI_BF16_TARGET use AVX-512 instructions.
 */
#include "bf16_kernels.h"

#if defined(__x86_64__)
#include "bf16_simd.h"

/* n (7 or 8) neighbouring outputs of one row (see xai_bf16_depthwise_rows): per pair row, its
 * (n - 1) * sw + kw cells are loaded once and slid past the kw filter vectors, two kernel rows
 * per vdpbf16ps. n, kw and sw are constants where the caller inlines it, so the loops unroll
 * and the cells stay in registers (19 at most, with 8 accumulators and a filter). The first
 * `count` are stored; each output sums in the same order whatever n. */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) void depthwise8(const int32_t *src, long ld, long np, const int32_t *f,
                                                             __m512 bias, xai_rectifier r, float *dst, long count,
                                                             const int n, const int kw, const int sw) {
    __m512 a[8];
    for (int i = 0; i < n; i++) a[i] = bias;
    for (long t = 0; t < np; t++) {
        const int32_t *q = src + t * ld;
        __m512i x[19];
#pragma clang loop unroll(full)
        for (int j = 0; j < (n - 1) * sw + kw; j++) x[j] = _mm512_loadu_si512(q + 16 * j);
#pragma clang loop unroll(full)
        for (int kj = 0; kj < kw; kj++) {
            const __m512i w = _mm512_loadu_si512(f + (t * kw + kj) * 16);
#pragma clang loop unroll(full)
            for (int i = 0; i < n; i++) DP(a[i], w, x[kj + sw * i]);
        }
    }
    for (int i = 0; i < n; i++) {
        if (i < count) _mm512_storeu_ps(dst + 16 * i, rectify(a[i], r));
    }
}

/* Row `oh`'s outputs from `ow` on in groups of n (a constant where inlined). */
XAI_BF16_TARGET
static inline __attribute__((always_inline)) void depthwise_row(const int32_t *row, long ld, long np, const int32_t *fp,
                                                                __m512 b, xai_rectifier r, float *dst, long wo, long sw,
                                                                long kw, const int n) {
    for (long ow = 0; ow < wo;) {
        /* A row's last group ends at its end. */
        const long o = ow < wo - n ? ow : wo - n, count = wo - o < n ? wo - o : n;
        const int32_t *src = row + o * sw * 16;
        if (sw == 1 && kw == 3) depthwise8(src, ld, np, fp, b, r, dst + 16 * o, count, n, 3, 1);
        else if (sw == 1) depthwise8(src, ld, np, fp, b, r, dst + 16 * o, count, n, 5, 1);
        else if (kw == 3) depthwise8(src, ld, np, fp, b, r, dst + 16 * o, count, n, 3, 2);
        else depthwise8(src, ld, np, fp, b, r, dst + 16 * o, count, n, 5, 2);
        ow = o + n;
    }
}

XAI_BF16_TARGET
void xai_bf16_depthwise_rows(const uint16_t *block, long wp, long kh, long kw, long sh, long sw, const uint16_t *filters,
                             const float *bias, xai_rectifier r, long row_begin, long row_end, long wo, float *out) {
    const long np = kh / 2 + 1, ld = wp * 16;
    const __m512 b = _mm512_loadu_ps(bias);
    const int32_t *cells = (const int32_t *)block, *f = (const int32_t *)filters;
    for (long oh = row_begin; oh < row_end; oh++) {
        /* The window's first padded row is oh * sh; its pair row holds it (even) or the row above. */
        const long first = oh * sh;
        const int32_t *row = cells + (first >> 1) * ld, *fp = f + (first & 1) * np * kw * 16;
        float *dst = out + oh * wo * 16;
        /* Rows of 7, 14 and 28 outputs go seven at a time: in eights, whose last group ends at the
         * row's end, they computed 8, 16 and 32 (an eighth of the work on maps from 28x28 down). */
        if (wo % 7 == 0 && wo % 8 != 0) depthwise_row(row, ld, np, fp, b, r, dst, wo, sw, kw, 7);
        else depthwise_row(row, ld, np, fp, b, r, dst, wo, sw, kw, 8);
    }
}

#else

/* Not an x86-64 CPU: xai_bf16_supported() is 0, so the engine never calls this. */
void xai_bf16_depthwise_rows(const uint16_t *block, long wp, long kh, long kw, long sh, long sw, const uint16_t *filters,
                             const float *bias, xai_rectifier r, long row_begin, long row_end, long wo, float *out) {
    (void)block; (void)wp; (void)kh; (void)kw; (void)sh; (void)sw; (void)filters; (void)bias; (void)r;
    (void)row_begin; (void)row_end; (void)wo; (void)out;
    __builtin_trap();
}

#endif
