#include "direct_conv.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "avx512_common.h"

int xai_direct_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

#define XAI_DIRECT_TARGET __attribute__((target("avx512f,fma")))

/* Filter taps ahead that each block's filter stream is prefetched: a group's filters (up to
 * 884 KB on 7x7 maps: 512 channels x 9 taps x 48) come from L3 for its first output row, and
 * the hardware prefetchers did not keep three strided 64-byte streams ahead of the kernel.
 * Step profiles of ResNet-50 at batch 1 (min of two alternations, ms): 3x3 convs on 7x7 maps
 * 2.23 -> 2.08 on two cores, 4.22 -> 3.92 on one; all direct convs 9.9 -> 9.5 and 18.6 -> 17.7
 * (4 and 32 taps did less). Prefetches past a filter array's end are hints, never faults. */
#define XAI_FILTER_PREFETCH_TAPS 16

/* nb x width accumulators, constant where inlined (2 x 14 or 3 x 7 at most: with the nb filter
 * vectors and a broadcast, 31 or 25 of the 32 registers): per input value and tap, nb filter
 * loads and `width` broadcasts feed nb * width multiply-adds. Every loop over blocks and pixels
 * must unroll fully, or the accumulators live in memory: a 2 x 14 block that did not ran at 43 G
 * multiply-adds a second instead of 120, and a store loop that read acc past `width` at 39. */
XAI_DIRECT_TARGET
static inline __attribute__((always_inline)) void segment(const int nb, const int width, long c, const float *x,
                                                          long plane, long ldx, long stride, long kh, long kw,
                                                          const float *f, long fstride, const float *bias,
                                                          xai_rectifier r, long lanes, float *y, long ychan) {
    __m512 acc[3][14]; /* [3][7] or [2][14] used */
#pragma clang loop unroll(full)
    for (int b = 0; b < nb; b++)
#pragma clang loop unroll(full)
        for (int j = 0; j < width; j++) acc[b][j] = _mm512_loadu_ps(bias + 16 * b);
    for (long ch = 0; ch < c; ch++) {
        const float *xc = x + ch * plane;
        for (long ki = 0; ki < kh; ki++) {
            const float *row = xc + ki * ldx;
            for (long kj = 0; kj < kw; kj++) {
                __m512 w[3];
#pragma clang loop unroll(full)
                for (int b = 0; b < nb; b++) {
                    w[b] = _mm512_loadu_ps(f + b * fstride);
                    _mm_prefetch((const char *)(f + b * fstride + 16 * XAI_FILTER_PREFETCH_TAPS), _MM_HINT_T0);
                }
                f += 16;
#pragma clang loop unroll(full)
                for (int j = 0; j < width; j++) {
                    const __m512 v = _mm512_set1_ps(row[kj + j * stride]);
#pragma clang loop unroll(full)
                    for (int b = 0; b < nb; b++) acc[b][j] = _mm512_fmadd_ps(v, w[b], acc[b][j]);
                }
            }
        }
    }
    /* Pixel vectors -> channel rows: each block's sums transposed (16 x width), rectified and
     * stored as `width` values of each of its channels' output rows. */
    const __mmask16 mask = (__mmask16)((1u << width) - 1);
#pragma clang loop unroll(full)
    for (int b = 0; b < nb; b++) {
        __m512 t[16];
#pragma clang loop unroll(full)
        for (int j = 0; j < width; j++) t[j] = acc[b][j];
#pragma clang loop unroll(full)
        for (int j = width; j < 16; j++) t[j] = _mm512_setzero_ps();
        xai_transpose16(t);
        const long n = b == nb - 1 ? lanes : 16;
        for (long l = 0; l < n; l++) _mm512_mask_storeu_ps(y + (16 * b + l) * ychan, mask, rectify(t[l], r));
    }
}

#define XAI_SEGMENT(NB, W) segment(NB, W, c, x, plane, ldx, stride, kh, kw, f, fstride, bias, r, lanes, y, ychan)
#define XAI_WIDTHS7(NB)                                                                             \
    switch (width) {                                                                                \
    case 1: XAI_SEGMENT(NB, 1); break;                                                              \
    case 2: XAI_SEGMENT(NB, 2); break;                                                              \
    case 3: XAI_SEGMENT(NB, 3); break;                                                              \
    case 4: XAI_SEGMENT(NB, 4); break;                                                              \
    case 5: XAI_SEGMENT(NB, 5); break;                                                              \
    case 6: XAI_SEGMENT(NB, 6); break;                                                              \
    default: XAI_SEGMENT(NB, 7); break;                                                             \
    }
#define XAI_WIDTHS14(NB)                                                                            \
    switch (width) {                                                                                \
    case 8: XAI_SEGMENT(NB, 8); break;                                                              \
    case 9: XAI_SEGMENT(NB, 9); break;                                                              \
    case 10: XAI_SEGMENT(NB, 10); break;                                                            \
    case 11: XAI_SEGMENT(NB, 11); break;                                                            \
    case 12: XAI_SEGMENT(NB, 12); break;                                                            \
    case 13: XAI_SEGMENT(NB, 13); break;                                                            \
    default: XAI_SEGMENT(NB, 14); break;                                                            \
    }

XAI_DIRECT_TARGET
void xai_direct_segment(long nb, long width, long c, const float *x, long plane, long ldx, long stride,
                        long kh, long kw, const float *f, long fstride, const float *bias, xai_rectifier r,
                        long lanes, float *y, long ychan) {
    if (nb == 3) {
        XAI_WIDTHS7(3)
    } else if (nb == 2 && width <= 7) {
        XAI_WIDTHS7(2)
    } else if (nb == 2) {
        XAI_WIDTHS14(2)
    } else if (width <= 7) {
        XAI_WIDTHS7(1)
    } else {
        XAI_WIDTHS14(1)
    }
}

#else

int xai_direct_supported(void) { return 0; }

void xai_direct_segment(long nb, long width, long c, const float *x, long plane, long ldx, long stride,
                        long kh, long kw, const float *f, long fstride, const float *bias, xai_rectifier r,
                        long lanes, float *y, long ychan) {
    (void)nb; (void)width; (void)c; (void)x; (void)plane; (void)ldx; (void)stride; (void)kh; (void)kw;
    (void)f; (void)fstride; (void)bias; (void)r; (void)lanes; (void)y; (void)ychan;
    __builtin_trap();
}

#endif
