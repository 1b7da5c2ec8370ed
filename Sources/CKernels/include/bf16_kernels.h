#ifndef XAI_BF16_KERNELS_H
#define XAI_BF16_KERNELS_H

/*
 * bf16 products with fp32 accumulation (AVX512_BF16's vdpbf16ps) for the engine's
 * convolutions. Each kernel carries its own function-level target attribute, so the package
 * is compiled for the baseline CPU and the engine calls these only after
 * xai_bf16_supported() said yes.
 *
 * Layouts. A "pair" is two bf16 values (k = 2i and 2i + 1) of one row or column side by side,
 * read as one 32-bit lane by vdpbf16ps; odd k is padded with a zero pair half.
 *   - packed columns: [k/2][n][2], columns of an fp32 [k][ld] matrix (the GEMM's B, pixels);
 *   - packed rows:    [panel][k/2][R][2], R rows per panel (filters; rows past m are zero).
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A fused rectifier: v < 0 ? v * slope : v when slope != 1, else min(max(v, lo), hi). */
typedef struct {
    float lo, hi, slope;
} xai_rectifier;

/* Asks for the cache line holding p ahead of a read (the engine's Swift code has no prefetch). */
static inline void xai_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/* 1 when the CPU and the OS support AVX512F/BW/VL and AVX512_BF16, else 0. */
int xai_bf16_supported(void);

/* Rounds to nearest even (what vcvtne2ps2bf16 does); NaN stays NaN. */
uint16_t xai_bf16_from_float(float v);
float xai_bf16_to_float(uint16_t v);

/* Filters [m][k] (row-major) -> packed rows with `rows_per_panel` rows per panel. `dst`
 * holds ceil(m / R) * ceil(k / 2) * R * 2 values. */
void xai_bf16_pack_rows(const float *w, long m, long k, long rows_per_panel, uint16_t *dst);

/* n columns of an fp32 [k][ld] matrix -> packed columns [ceil(k / 2)][n][2]. */
void xai_bf16_pack_columns(const float *b, long ld, long k, long n, uint16_t *dst);

/* A conv's geometry for the packing of its im2col straight from the input (xai_bf16_pack_taps,
 * xai_amx_pack_taps): input [c][h][w], kernel kh x kw, strides, dilations and the top / left
 * padding. */
typedef struct {
    long c, h, w, kh, kw, sh, sw, dh, dw, pt, pl;
} xai_taps;

/* Output row `oh` (wo pixels of ho rows) of a conv's im2col as packed columns: tap pair p
 * (taps 2p, 2p + 1 in channel, kernel row, kernel column order; the odd tap past k zero) of
 * pixel oh * wo + j goes to dst[(p * ho * wo + oh * wo + j) * 2 ...+1], zero where a tap reads
 * padding: what xai_bf16_pack_columns makes of the float32 im2col rows, read straight from x. */
void xai_bf16_pack_taps(const float *x, const xai_taps *g, long oh, long wo, long ho, uint16_t *dst);

/* Columns of a float32 [k][ld] matrix -> column blocks [ceil(n / 32)][kp2][32][2], the B of
 * every bf16 product: block b's pair row p holds rows 2p and 2p + 1 (the odd row past k zero)
 * of columns 32b ... 32b + 31, 128 bytes, so the 32 columns a panel call reads over all k are
 * one piece (pair rows of the whole width had put each k pair in another page). kp2 >=
 * ceil(k / 2): the vdpbf16ps kernels take exactly that, AMX tile steps kpad / 2 (the pair rows
 * past k written zero). Columns past n in the last block are left as they were. */
void xai_bf16_pack_blocks(const float *x, long ld, long k, long n, long kp2, uint16_t *dst);

/* Pixel vectors of one 16-channel block (16 floats apart) of pixels first ... first + count - 1
 * -> their 8 channel pairs in column blocks of kp2 pair rows: `dst` is pair row 0 of column
 * block 0 of the block's first pair; `pad` (0 or 8) pair rows after the 8 are zeroed for the
 * same pixels (AMX's padding past the last channel). The values are those xai_bf16_pack_blocks
 * makes of the block's float32 planes, bit for bit. */
void xai_bf16_scatter_blocks(const float *cells, long first, long count, uint16_t *dst, long kp2, long pad);

/* C[rows][width] = rectify(A * B + bias [+ res]) for one 8-row panel of packed rows `a`
 * ([k2][8][2]) and `width` <= 32 packed columns `b` (row stride `ldb` pairs: 32 in column
 * blocks); only `rows` rows (<= 8) are stored, with row stride `ldc` floats. `bias` has 8
 * values. `res` (row stride `ldr` floats) is a residual added to the finished sum before the
 * rectifier, so the block is stored once, not stored, read back and stored again; NULL for
 * none. */
void xai_bf16_gemm_panel(long k2, const uint16_t *a, const uint16_t *b, long ldb, const float *bias,
                         const float *res, long ldr, xai_rectifier r, float *c, long ldc, long rows, long width);

/* xai_bf16_gemm_panel for a few columns (any `width`; meant for the 1 ... 7 left after the
 * 32- and 16-wide blocks): each column against the panel's 8 rows, no products on padding.
 * The same operands and result layout; sums in another order (k pairs in alternate couples,
 * bias added last). */
void xai_bf16_gemm_columns(long k2, const uint16_t *a, const uint16_t *b, long ldb, const float *bias,
                           xai_rectifier r, float *c, long ldc, long rows, long width);

/* One 16-channel block of a 1x1 expansion: `count` pixels of packed columns `x` (row stride
 * `ldx` pairs), filters [k2][16][2], bias[16]; pixel i's 16 results go to the 16-float cell
 * block + 16 * slots[i]. */
void xai_bf16_expand_block(long k2, const uint16_t *x, long ldx, long count, const uint16_t *filters,
                           const float *bias, xai_rectifier r, const long *slots, float *block);

/* xai_bf16_expand_block writing bf16 halves for xai_bf16_depthwise_rows: pixel i's 16 results,
 * rounded, go to the halves pairs[slots[i] + 2c] (c = 0..15), i.e. slots[i] = 32 * cell + half. */
void xai_bf16_expand_pairs(long k2, const uint16_t *x, long ldx, long count, const uint16_t *filters,
                           const float *bias, xai_rectifier r, const long *slots, uint16_t *pairs);

/* xai_bf16_expand_pairs for `count` pixels of two rows whose halves share cells: pixel i at
 * column i of x (the upper row, its halves at pairs[slots[i] + 2c], slots[i] even) and pixel
 * i + w (the lower row, at pairs[slots[i] + 1 + 2c]): eight columns at a time, then four to
 * seven together, whole cells stored (the last one to three columns as xai_bf16_expand_pairs
 * does them, row by row). */
void xai_bf16_expand_row_pairs(long k2, const uint16_t *x, long ldx, long w, long count, const uint16_t *filters,
                               const float *bias, xai_rectifier r, const long *slots, uint16_t *pairs);

/* Output rows [row_begin, row_end) of one 16-channel block of a depthwise conv, kernel kh x kw
 * (kh odd, kw 3 or 5), stride sh x sw (sw 1 or 2), dilation 1, wo >= 7 outputs a row.
 * `block`: the zero-padded input as pair rows [pair row][wp][16][2], pair row j holding padded
 * rows 2j (low halves) and 2j + 1 (high), for padded rows 0 ... (ho - 1) * sh + kh. `filters`:
 * [parity][kh / 2 + 1][kw][16][2], parity 0 for windows starting on an even padded row (pair t:
 * kernel rows 2t, 2t + 1), 1 for odd ones (2t - 1, 2t), kernel rows past the kernel zero. The
 * zero-weight halves are still read, so they must be finite. out[oh][ow][16] =
 * rectify(bias + sum), float32. */
void xai_bf16_depthwise_rows(const uint16_t *block, long wp, long kh, long kw, long sh, long sw, const uint16_t *filters,
                             const float *bias, xai_rectifier r, long row_begin, long row_end, long wo, float *out);

#ifdef __cplusplus
}
#endif

#endif
