/*
 * The bf16 products on AMX tiles (see include/amx_kernels.h). Only functions marked
 * XAI_AMX_TARGET use AMX or AVX-512 instructions.
 *
 * Why: this CPU runs vdpbf16ps at half the rate of float32 FMAs, so the vdpbf16ps kernels made
 * bf16 passes slower than fp32 ones (LIME 0.63x, RISE 0.66x); one TDPBF16PS does 8192
 * multiply-adds, and a loop of them ran at 1.40 T multiply-adds per second on one core against
 * 106 G for an FMA loop (2026-12-06).
 *
 * Tile use. A thread loads the one configuration below before its first product and keeps it
 * (loading a configuration zeroes the tiles, so it is never reloaded between products):
 * every tile is 16 rows of 64 bytes, i.e. 16 x 16 float32 sums or 16 rows of 32 bf16 values.
 */
#include "amx_kernels.h"

#include <string.h>

long xai_amx_kpad(long k) { return (k + 31) & ~31L; }

long xai_amx_packed_rows(long m) { return ((m + 31) / 32 + 1) * 32; }

void xai_amx_pack_rows(const float *w, long m, long k, uint16_t *dst) {
    const long kp = xai_amx_kpad(k), rows = xai_amx_packed_rows(m);
    memset(dst, 0, (size_t)(rows * kp) * sizeof(uint16_t));
    for (long i = 0; i < m; i++)
        for (long j = 0; j < k; j++) dst[i * kp + j] = xai_bf16_from_float(w[i * k + j]);
}

#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "avx512_common.h"
#include "bf16_simd.h"

#define XAI_AMX_TARGET __attribute__((target("amx-tile,amx-bf16,avx512bf16,avx512f,avx512bw,avx512vl")))

int xai_amx_supported(void) {
    if (!xai_bf16_supported()) return 0;
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    if (!(d & (1u << 22)) || !(d & (1u << 24))) return 0; /* AMX-BF16, AMX-TILE */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & (3u << 17)) != (3u << 17)) return 0; /* XTILECFG and XTILEDATA state enabled */
    /* Linux hands tile data to a process only when asked (ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA). */
    return syscall(SYS_arch_prctl, 0x1023, 18) == 0 ? 1 : 0;
}

typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} tile_config;

static __thread int configured;

XAI_AMX_TARGET
static void configure(void) {
    if (configured) return;
    tile_config c;
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int t = 0; t < 8; t++) {
        c.rows[t] = 16;
        c.colsb[t] = 64;
    }
    _tile_loadconfig(&c);
    configured = 1;
}

/* 16 x 16 blocks: 16 k rows of 16 pixels loaded, transposed, rounded (as xai_bf16_pack_columns
 * rounds) and stored as 16 values of 16 pixel rows; k past k and pixels past n are zero / skipped. */
XAI_AMX_TARGET
void xai_amx_pack_pixels(const float *x, long ld, long k, long n, uint16_t *dst) {
    const long kp = xai_amx_kpad(k);
    for (long i = 0; i < n; i += 16) {
        const long cols = n - i < 16 ? n - i : 16;
        const __mmask16 m = (__mmask16)((1u << cols) - 1);
        for (long j = 0; j < kp; j += 16) {
            if (j >= k) {
                /* Padding only: zeros, with no loads or transposition (half of a 16-deep input). */
                for (long p = 0; p < cols; p++) _mm256_storeu_si256((__m256i *)(dst + (i + p) * kp + j), _mm256_setzero_si256());
                continue;
            }
            __m512 r[16];
            for (int q = 0; q < 16; q++) r[q] = j + q < k ? _mm512_maskz_loadu_ps(m, x + (j + q) * ld + i) : _mm512_setzero_ps();
            xai_transpose16(r);
            for (long p = 0; p < cols; p++)
                _mm256_storeu_si256((__m256i *)(dst + (i + p) * kp + j), (__m256i)_mm512_cvtneps_pbh(r[p]));
        }
    }
}

XAI_AMX_TARGET
void xai_amx_pack_taps(const float *x, const xai_taps *g, long oh, long wo, uint16_t *dst) {
    const long k = g->c * g->kh * g->kw, kp = xai_amx_kpad(k);
    for (long j = 0; j < kp; j += 16) {
        /* The 16 taps' rows and column offsets, for every group of pixels. */
        const float *src[16];
        long off[16], ch = j / (g->kh * g->kw), ki = j % (g->kh * g->kw) / g->kw, kj = j % g->kw;
        for (int q = 0; q < 16; q++) {
            const long ih = oh * g->sh - g->pt + ki * g->dh;
            src[q] = j + q < k && ih >= 0 && ih < g->h ? x + (ch * g->h + ih) * g->w : NULL;
            off[q] = kj * g->dw - g->pl;
            if (++kj == g->kw) {
                kj = 0;
                if (++ki == g->kh) ki = 0, ch++;
            }
        }
        for (long i = 0; i < wo; i += 16) {
            const long cols = wo - i < 16 ? wo - i : 16;
            __m512 r[16];
            for (int q = 0; q < 16; q++) r[q] = xai_tap16(src[q], off[q], g->w, g->sw, i, cols);
            xai_transpose16(r);
            for (long p = 0; p < cols; p++)
                _mm256_storeu_si256((__m256i *)(dst + (i + p) * kp + j), (__m256i)_mm512_cvtneps_pbh(r[p]));
        }
    }
}

/* Up to 32 x 32 outputs: rows i ... of A against the 32 columns of column block b, from zero
 * over all k. Tiles 0-3 are the four 16 x 16 quarters; the two B tiles of a step are
 * contiguous, 128 bytes a pair row. */
XAI_AMX_TARGET
static inline __attribute__((always_inline)) void block32(long k, const uint16_t *a, const uint16_t *b, long rows,
                                                          int right, float *s) {
    const long kp = xai_amx_kpad(k), steps = kp / 32;
    const int lower = rows > 16;
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (long t = 0; t < steps; t++) {
        _tile_loadd(6, b + t * 16 * 64, 128);
        if (right) _tile_loadd(7, b + t * 16 * 64 + 32, 128);
        _tile_loadd(4, a + t * 32, kp * 2);
        _tile_dpbf16ps(0, 4, 6);
        if (right) _tile_dpbf16ps(1, 4, 7);
        if (lower) {
            _tile_loadd(5, a + 16 * kp + t * 32, kp * 2);
            _tile_dpbf16ps(2, 5, 6);
            if (right) _tile_dpbf16ps(3, 5, 7);
        }
    }
    _tile_stored(0, s, 128);
    _tile_stored(1, s + 16, 128);
    _tile_stored(2, s + 16 * 32, 128);
    _tile_stored(3, s + 16 * 32 + 16, 128);
}

/* 16 sums of row t for columns j ... j + 15 (the first `cols` of them), rectified, to C, where
 * the columns may belong to several items (see xai_amx_gemm): one masked store per item. */
XAI_AMX_TARGET
static inline __attribute__((always_inline)) void store16(__m512 v, xai_rectifier r, float *c, long ldc, long stride,
                                                          long t, long j, long cols) {
    v = rectify(v, r);
    for (long lane = 0; lane < cols;) {
        const long item = (j + lane) / ldc, end = (item + 1) * ldc - j < cols ? (item + 1) * ldc - j : cols;
        const __mmask16 m = (__mmask16)(((1u << end) - 1) & ~((1u << lane) - 1));
        /* Lane q of the vector is column j + q, at j + q - item * ldc in the item's row t. */
        _mm512_mask_storeu_ps(c + item * stride + t * ldc + j - item * ldc, m, v);
        lane = end;
    }
}

XAI_AMX_TARGET
void xai_amx_gemm(long k, const uint16_t *a, const uint16_t *b, const float *bias, xai_rectifier r, float *c, long ldc,
                  long stride, long rows, long first, long width) {
    configure();
    const long kp = xai_amx_kpad(k);
    float s[32 * 32] __attribute__((aligned(64)));
    for (long j = 0; j < width; j += 32) {
        const long cols = width - j < 32 ? width - j : 32, column = first + j;
        /* Whole 32-column runs inside one item store as before; others go item by item. */
        const int one = column / ldc == (column + cols - 1) / ldc;
        float *cj = c + column / ldc * stride + column % ldc;
        const __mmask16 m0 = cols >= 16 ? 0xffff : (__mmask16)((1u << cols) - 1);
        const __mmask16 m1 = cols >= 32 ? 0xffff : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
        for (long i = 0; i < rows; i += 32) {
            const long n = rows - i < 32 ? rows - i : 32;
            block32(k, a + i * kp, b + j / 32 * kp * 32, n, cols > 16, s);
            for (long t = 0; t < n; t++) {
                const __m512 bt = _mm512_set1_ps(bias[i + t]);
                const __m512 v0 = _mm512_add_ps(_mm512_load_ps(s + t * 32), bt), v1 = _mm512_add_ps(_mm512_load_ps(s + t * 32 + 16), bt);
                if (one) {
                    float *dst = cj + (i + t) * ldc;
                    _mm512_mask_storeu_ps(dst, m0, rectify(v0, r));
                    if (m1) _mm512_mask_storeu_ps(dst + 16, m1, rectify(v1, r));
                } else {
                    store16(v0, r, c, ldc, stride, i + t, column, cols < 16 ? cols : 16);
                    if (m1) store16(v1, r, c, ldc, stride, i + t, column + 16, cols - 16);
                }
            }
        }
    }
}

/* Sums of 16 pixel rows against `nb` (1-4, constant where inlined) blocks' filters, from zero,
 * into s[nb][16][16]: row i of block j's tile is pixel i's 16 channels, the block's cell, so
 * the sums need no transposition. Each pixel tile (strided rows of the input, mostly from L2)
 * feeds all nb products: one block at a time, 64 pixels per call, a 504-pixel chunk of a
 * 40-deep input took 4.2 ns a pixel and block, four blocks at once 2.4 (192-deep: 10.9, 9.3). */
XAI_AMX_TARGET
static inline __attribute__((always_inline)) void blocks16(const int nb, long k, const uint16_t *x, const uint16_t *f,
                                                           long fstride, float *s) {
    const long kp = xai_amx_kpad(k), steps = kp / 32;
    _tile_zero(0);
    if (nb > 1) _tile_zero(1);
    if (nb > 2) _tile_zero(2);
    if (nb > 3) _tile_zero(3);
    for (long t = 0; t < steps; t++) {
        const uint16_t *ft = f + t * 16 * 32;
        _tile_loadd(4, x + t * 32, kp * 2);
        _tile_loadd(5, ft, 64);
        _tile_dpbf16ps(0, 4, 5);
        if (nb > 1) {
            _tile_loadd(6, ft + fstride, 64);
            _tile_dpbf16ps(1, 4, 6);
        }
        if (nb > 2) {
            _tile_loadd(7, ft + 2 * fstride, 64);
            _tile_dpbf16ps(2, 4, 7);
        }
        if (nb > 3) {
            _tile_loadd(5, ft + 3 * fstride, 64);
            _tile_dpbf16ps(3, 4, 5);
        }
    }
    _tile_stored(0, s, 64);
    if (nb > 1) _tile_stored(1, s + 256, 64);
    if (nb > 2) _tile_stored(2, s + 512, 64);
    if (nb > 3) _tile_stored(3, s + 768, 64);
}

/* One tile of 16 pixel rows (the first n of them real) through `nb` blocks: sums, bias,
 * rectifier, and each pixel's 16 results into its cell of each block. */
XAI_AMX_TARGET
static inline __attribute__((always_inline)) void tile(const int nb, long k, const uint16_t *x, long n, const uint16_t *filters,
                                                       long fstride, const float *bias, xai_rectifier r, const int leaky,
                                                       const long *slots, float *block, long bstride, float *s) {
    blocks16(nb, k, x, filters, fstride, s);
    if (n == 16 && slots[15] == slots[0] + 15) {
        /* 16 pixels of one row, in neighbouring cells: one address per block (a C harness
         * of 112x112 and 56x56 maps, k 32: 24-26 -> 22-23 ns per 16 pixels and block). Kept
         * as its own loop: one loop choosing the address per pixel ran 27-29 ns. */
        for (int j = 0; j < nb; j++) {
            const __m512 b = _mm512_loadu_ps(bias + 16 * j);
            float *cells = block + j * bstride + 16 * slots[0];
            for (long i = 0; i < 16; i++)
                _mm512_storeu_ps(cells + 16 * i, rectified(_mm512_add_ps(_mm512_load_ps(s + 256 * j + 16 * i), b), r, leaky));
        }
        return;
    }
    for (int j = 0; j < nb; j++) {
        const __m512 b = _mm512_loadu_ps(bias + 16 * j);
        float *cells = block + j * bstride;
        for (long i = 0; i < n; i++)
            _mm512_storeu_ps(cells + 16 * slots[i], rectified(_mm512_add_ps(_mm512_load_ps(s + 256 * j + 16 * i), b), r, leaky));
    }
}

/* All pixels through `nb` blocks (1-4 with `more` 0; 4 + `more` with `more` 1-4: each pixel
 * tile goes through the first four, then, read again from L1, through the rest). */
XAI_AMX_TARGET
static inline __attribute__((always_inline)) void expand(const int nb, const int more, long k, const uint16_t *x, long count,
                                                         const uint16_t *filters, long fstride, const float *bias,
                                                         xai_rectifier r, const int leaky, const long *slots,
                                                         float *block, long bstride) {
    const long kp = xai_amx_kpad(k);
    float s[4 * 256] __attribute__((aligned(64)));
    for (long p = 0; p < count; p += 16) {
        const long n = count - p < 16 ? count - p : 16;
        tile(nb, k, x + p * kp, n, filters, fstride, bias, r, leaky, slots + p, block, bstride, s);
        if (more) tile(more, k, x + p * kp, n, filters + 4 * fstride, fstride, bias + 64, r, leaky, slots + p, block + 4 * bstride, bstride, s);
    }
}

XAI_AMX_TARGET
static void expand_blocks(long nb, long k, const uint16_t *x, long count, const uint16_t *filters, long fstride,
                          const float *bias, xai_rectifier r, const int leaky, const long *slots, float *block,
                          long bstride) {
#define EXPAND(a, b) expand(a, b, k, x, count, filters, fstride, bias, r, leaky, slots, block, bstride)
    switch (nb) {
    case 1: EXPAND(1, 0); break;
    case 2: EXPAND(2, 0); break;
    case 3: EXPAND(3, 0); break;
    case 4: EXPAND(4, 0); break;
    case 5: EXPAND(4, 1); break;
    case 6: EXPAND(4, 2); break;
    case 7: EXPAND(4, 3); break;
    default: EXPAND(4, 4); break;
    }
#undef EXPAND
}

XAI_AMX_TARGET
void xai_amx_expand(long nb, long k, const uint16_t *x, long count, const uint16_t *filters, long fstride,
                    const float *bias, xai_rectifier r, const long *slots, float *block, long bstride) {
    configure();
    if (r.slope != 1.0f) expand_blocks(nb, k, x, count, filters, fstride, bias, r, 1, slots, block, bstride);
    else expand_blocks(nb, k, x, count, filters, fstride, bias, r, 0, slots, block, bstride);
}

#else

/* Not x86-64 Linux (tile data is granted per process by Linux's arch_prctl): xai_amx_supported()
 * is 0, so the engine never calls the kernels below. */
int xai_amx_supported(void) { return 0; }

void xai_amx_pack_pixels(const float *x, long ld, long k, long n, uint16_t *dst) {
    (void)x; (void)ld; (void)k; (void)n; (void)dst;
    __builtin_trap();
}

void xai_amx_gemm(long k, const uint16_t *a, const uint16_t *b, const float *bias, xai_rectifier r, float *c, long ldc,
                  long stride, long rows, long first, long width) {
    (void)k; (void)a; (void)b; (void)bias; (void)r; (void)c; (void)ldc; (void)stride; (void)rows; (void)first; (void)width;
    __builtin_trap();
}

void xai_amx_pack_taps(const float *x, const xai_taps *g, long oh, long wo, uint16_t *dst) {
    (void)x; (void)g; (void)oh; (void)wo; (void)dst;
    __builtin_trap();
}

void xai_amx_expand(long nb, long k, const uint16_t *x, long count, const uint16_t *filters, long fstride,
                    const float *bias, xai_rectifier r, const long *slots, float *block, long bstride) {
    (void)nb; (void)k; (void)x; (void)count; (void)filters; (void)fstride; (void)bias; (void)r; (void)slots;
    (void)block; (void)bstride;
    __builtin_trap();
}

#endif
