#ifndef XAI_WINOGRAD_PATCHES_H
#define XAI_WINOGRAD_PATCHES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The input patches of 16 Winograd blocks (WinogradConvolution.swift), one AVX-512 gather per
 * patch position:
 *   patches[(r * size + j) * 16 + lane] = x[offsets[lane] + r * ldx + j]   for r, j < size,
 * `size` 4 or 6, x a zero-padded plane with row stride ldx, offsets[lane] the first value of
 * lane's patch. Carries a function-level AVX-512 target: call it only after
 * xai_direct_supported() said yes. */
void xai_winograd_patches(const float *x, const int32_t *offsets, long ldx, long size, float *patches);

#ifdef __cplusplus
}
#endif

#endif
