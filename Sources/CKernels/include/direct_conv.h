#ifndef XAI_DIRECT_CONV_H
#define XAI_DIRECT_CONV_H

/*
 * Direct float32 convolution for group-1 convs (DirectConvolution.swift): no im2col, each
 * input value is broadcast against 16 output channels (one block) of its filter taps. The
 * kernel carries a function-level AVX-512 target, so the engine calls it only after
 * xai_direct_supported() said yes.
 */

#include "bf16_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when the CPU and the OS support AVX512F with FMA, else 0. */
int xai_direct_supported(void);

/* One output-row segment of `width` pixels for `nb` blocks of 16 output channels (1-2 blocks
 * of 1-14 pixels, or 3 blocks of 1-7), rectified and stored as `width` values of each channel's
 * output row:
 *   y[(16 b + lane) * ychan + j] = r(bias[16 b + lane]
 *       + sum over ch < c, ki < kh, kj < kw (in that order, fused multiply-adds)
 *         of x[ch * plane + ki * ldx + kj + j * stride] * f[b * fstride + ((ch * kh + ki) * kw + kj) * 16 + lane])
 * for lane < 16 (lane < `lanes` in the last block: channels past the conv's last are not
 * stored). x: the segment's first input pixel in a zero-padded plane (row stride ldx, plane
 * stride `plane`); f: the first block's filters [c][kh][kw][16], the next block's `fstride`
 * floats on; y: the first channel's output row at the segment, `ychan` floats between two
 * channels' planes. Each output sums its terms in the order of the packed GEMM's im2col rows,
 * from the bias, so the two agree to the bit. */
void xai_direct_segment(long nb, long width, long c, const float *x, long plane, long ldx, long stride,
                        long kh, long kw, const float *f, long fstride, const float *bias, xai_rectifier r,
                        long lanes, float *y, long ychan);

#ifdef __cplusplus
}
#endif

#endif
