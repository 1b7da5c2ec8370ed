#ifndef XAI_AMX_KERNELS_H
#define XAI_AMX_KERNELS_H

/*
 * bf16 products on AMX tiles (TDPBF16PS: a 16 x 16 float32 tile += a 16 x 32 bf16 tile times a
 * 32 x 16 one, 8192 multiply-adds per instruction) for the engine's bf16 passes, where the CPU
 * has AMX-BF16 and the OS lets this process use tile data. Like the other bf16 kernels, each
 * carries a function-level target attribute and runs only after xai_amx_supported() said yes.
 *
 * Layouts (bf16 values; "kpad" is k rounded up to a multiple of 32, the depth of one tile step;
 * every value past k is zero, so a padded product adds nothing):
 *   - AMX rows:    [rows][kpad], row-major (the GEMM's filters; rows past m zero, and 32 extra
 *                  zero rows so that a 32-row step may start at any row below m);
 *   - pixel rows:  [n][kpad], one row per pixel (the expansion's input), plus 16 rows of slack;
 *   - column blocks: [ceil(n / 32)][kpad / 2][32][2], each block's 32 columns as pair rows of
 *                  128 bytes (the GEMM's B: one tile step reads 2 KB in one piece, where pair
 *                  rows of the whole width had put each of a tile's 16 rows in another page;
 *                  the products ran 1.4-2x faster in a C microbenchmark of Lite0's shapes);
 *   - expansion filters as in bf16_kernels.h: [k/2][16][2].
 * Sums run over k in steps of 32 from zero, the bias added last: the results round differently
 * from the vdpbf16ps kernels' (which start from the bias and step by one k pair).
 */

#include <stdint.h>

#include "bf16_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when xai_bf16_supported(), the CPU has AMX-TILE and AMX-BF16, the OS saves tile state and
 * granted this process the use of tile data (asked for here, once); else 0. */
int xai_amx_supported(void);

/* k rounded up to a multiple of 32. */
long xai_amx_kpad(long k);

/* Rows of m filters as AMX rows: m rounded up to 32, plus 32 zero rows, (ceil(m / 32) + 1) * 32. */
long xai_amx_packed_rows(long m);

/* Filters [m][k] (row-major float32) -> AMX rows; `dst` holds xai_amx_packed_rows(m) * kpad values. */
void xai_amx_pack_rows(const float *w, long m, long k, uint16_t *dst);

/* n columns of a float32 [k][ld] matrix -> pixel rows [n][kpad] (no slack written). */
void xai_amx_pack_pixels(const float *x, long ld, long k, long n, uint16_t *dst);

/* The pixel rows of output row `oh` (wo pixels) of a conv's im2col: pixel p's row holds its
 * k = c * kh * kw taps (channel, then kernel row, then kernel column), zero where a tap reads
 * padding; the values xai_amx_pack_pixels makes of the im2col rows, read straight from x. */
void xai_amx_pack_taps(const float *x, const xai_taps *g, long oh, long wo, uint16_t *dst);

/* C[rows][width] = rectify(A * B + bias): A the AMX rows of the first of `rows` output rows
 * (row stride kpad), B the column blocks of `width` columns (kpad / 2 pair rows each, those
 * past k zero), bias[rows]. The columns are first ... first + width - 1 of items of `ldc`
 * columns each (NCHW planes: a map's pixels), which a column block may straddle: row t of
 * column j is at c + (j / ldc) * stride + t * ldc + j % ldc (c: the first row's item 0). */
void xai_amx_gemm(long k, const uint16_t *a, const uint16_t *b, const float *bias, xai_rectifier r, float *c, long ldc,
                  long stride, long rows, long first, long width);

/* `nb` (1-8) consecutive 16-channel blocks of a 1x1 expansion for `count` pixels: x their pixel
 * rows (row stride kpad; up to 15 rows past the last are read, their sums dropped), block j's
 * filters ([kpad / 2][16][2]) at filters + j * fstride and its bias at bias + 16 j; pixel i's
 * 16 results of block j, rectified, go to the cell block + j * bstride + 16 * slots[i]. */
void xai_amx_expand(long nb, long k, const uint16_t *x, long count, const uint16_t *filters, long fstride,
                    const float *bias, xai_rectifier r, const long *slots, float *block, long bstride);

#ifdef __cplusplus
}
#endif

#endif
