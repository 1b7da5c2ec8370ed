#ifndef XAI_AMX_KERNELS_H
#define XAI_AMX_KERNELS_H

/*
 * bf16 products on AMX tiles (TDPBF16PS: a 16 x 16 float32 tile += a 16 x 32 bf16 tile times a
 * 32 x 16 one, 8192 multiply-adds per instruction) for the engine's bf16 passes, where the CPU
 * has AMX-BF16 and the OS lets this process use tile data. Like the other bf16 kernels, each
 * carries a function-level target attribute and runs only after xai_amx_supported() said yes.
 *
 * Layouts (bf16 values; "kpad" is k rounded up to a multiple of 32, the depth of one tile step;
 * "stride" (xai_amx_stride) is kpad or kpad + 32, the distance between two rows; every value
 * past k is zero, so a padded product adds nothing):
 *   - AMX rows:    [rows][stride], row-major (the GEMM's filters; rows past m zero, and 32 extra
 *                  zero rows so that a 32-row step may start at any row below m);
 *   - pixel rows:  [n][stride], one row per pixel (the expansion's input), plus 64 rows of slack;
 *   - packed columns and expansion filters as in bf16_kernels.h: [k/2][n][2] and [k/2][16][2].
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

/* The row stride of AMX rows and pixel rows of depth k: an odd number of 64-byte lines. */
long xai_amx_stride(long k);

/* Filters [m][k] (row-major float32) -> AMX rows; `dst` holds (ceil(m / 32) + 1) * 32 * stride values. */
void xai_amx_pack_rows(const float *w, long m, long k, uint16_t *dst);

/* n columns of a float32 [k][ld] matrix -> pixel rows [n][stride] (no slack written). */
void xai_amx_pack_pixels(const float *x, long ld, long k, long n, uint16_t *dst);

/* C[rows][width] = rectify(A * B + bias): A the AMX rows of the first of `rows` output rows
 * (row stride `stride`), B `width` packed columns of depth k2 = ceil(k / 2) pairs (row stride
 * `ldb` pairs), bias[rows], C row stride `ldc` floats. Reads B only inside its k2 pair rows. */
void xai_amx_gemm(long k, const uint16_t *a, const uint16_t *b, long ldb, const float *bias, xai_rectifier r,
                  float *c, long ldc, long rows, long width);

/* One 16-channel block of a 1x1 expansion for `count` pixels: x their pixel rows (row stride
 * `stride`; 64 rows past the last are read, their sums dropped), `filters` the block's
 * [kpad / 2][16][2]; pixel i's 16 results, rectified, go to the cell block + 16 * slots[i]. */
void xai_amx_expand(long k, const uint16_t *x, long count, const uint16_t *filters, const float *bias,
                    xai_rectifier r, const long *slots, float *block);

#ifdef __cplusplus
}
#endif

#endif
