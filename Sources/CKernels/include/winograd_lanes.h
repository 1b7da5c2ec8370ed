#ifndef XAI_WINOGRAD_LANES_H
#define XAI_WINOGRAD_LANES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Moving Winograd's blocks between planes and lanes (WinogradConvolution.swift).
 *
 * The input patches of 16 Winograd blocks (WinogradConvolution.swift), one AVX-512 gather per
 * patch position:
 *   patches[(r * size + j) * 16 + lane] = x[offsets[lane] + r * ldx + j]   for r, j < size,
 * `size` 4 or 6, x a zero-padded plane with row stride ldx, offsets[lane] the first value of
 * lane's patch. Carries a function-level AVX-512 target: call it only after
 * xai_direct_supported() said yes. */
void xai_winograd_patches(const float *x, const int32_t *offsets, long ldx, long size, float *patches);

/* The 4x4 output blocks of 16 Winograd lanes (out[(4 i + j) * 16 + lane], WinogradTransform's
 * layout) stored block by block, four values of a block row at a time:
 *   plane[offsets[lane] + i * ldy + j] = out[(4 i + j) * 16 + lane]
 * for l0 <= lane < l1, i < rows[lane], j < columns[lane] (at most 4 each). Same AVX-512 target
 * and condition as xai_winograd_patches. */
void xai_winograd_store4(const float *out, long l0, long l1, const int32_t *offsets, const int32_t *rows,
                         const int32_t *columns, float *plane, long ldy);

#ifdef __cplusplus
}
#endif

#endif
