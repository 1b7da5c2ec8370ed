/*
 * bf16 kernels for the engine (see include/bf16_kernels.h). Only the functions marked
 * XAI_BF16_TARGET use AVX-512 instructions; nothing else in the package is built for them.
 */
#include "bf16_kernels.h"

#include <string.h>

uint16_t xai_bf16_from_float(float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

float xai_bf16_to_float(uint16_t v) {
    uint32_t u = (uint32_t)v << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

void xai_bf16_pack_rows(const float *w, long m, long k, long rows_per_panel, uint16_t *dst) {
    const long r = rows_per_panel, k2 = (k + 1) / 2, panels = (m + r - 1) / r;
    memset(dst, 0, (size_t)(panels * k2 * r * 2) * sizeof(uint16_t));
    for (long i = 0; i < m; i++) {
        uint16_t *panel = dst + (i / r) * k2 * r * 2 + (i % r) * 2;
        for (long j = 0; j < k; j++) panel[(j / 2) * r * 2 + (j & 1)] = xai_bf16_from_float(w[i * k + j]);
    }
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#include "bf16_simd.h"

int xai_bf16_supported(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0; /* OSXSAVE */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    /* The OS saves x87/SSE/AVX state (bits 1-2) and opmask / zmm state (bits 5-7). */
    if ((lo & 0xe6u) != 0xe6u) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const unsigned f = 1u << 16, bw = 1u << 30, vl = 1u << 31;
    if ((b & (f | bw | vl)) != (f | bw | vl) || a < 1) return 0;
    __get_cpuid_count(7, 1, &a, &b, &c, &d);
    return (a & (1u << 5)) ? 1 : 0;
}

XAI_BF16_TARGET
void xai_bf16_pack_columns(const float *b, long ld, long k, long n, uint16_t *dst) {
    xai_pack_pair_rows(b, ld, k, n, dst, 2 * n);
}

XAI_BF16_TARGET
void xai_bf16_pack_taps(const float *x, const xai_taps *g, long oh, long wo, long ho, uint16_t *dst) {
    const long taps = g->kh * g->kw, k = g->c * taps;
    const __m512i index = _mm512_loadu_si512(interleave_words);
    for (long p = 0; p < (k + 1) / 2; p++) {
        /* The pair's two taps: the input row each reads (NULL: padding, or the tap past k) and
         * its column for pixel 0. */
        const float *src[2];
        long off[2];
        for (int q = 0; q < 2; q++) {
            const long t = 2 * p + q, ih = oh * g->sh - g->pt + t % taps / g->kw * g->dh;
            src[q] = t < k && ih >= 0 && ih < g->h ? x + (t / taps * g->h + ih) * g->w : NULL;
            off[q] = t % g->kw * g->dw - g->pl;
        }
        uint16_t *out = dst + (p * ho + oh) * wo * 2;
        for (long i = 0; i < wo; i += 16) {
            const long cols = wo - i < 16 ? wo - i : 16;
            const __m512 e = xai_tap16(src[0], off[0], g->w, g->sw, i, cols);
            xai_store_pairs16(e, xai_tap16(src[1], off[1], g->w, g->sw, i, cols), index, cols, out + 2 * i);
        }
    }
}

XAI_BF16_TARGET
void xai_bf16_pack_blocks(const float *x, long ld, long k, long n, long kp2, uint16_t *dst) {
    const long k2 = (k + 1) / 2;
    for (long j = 0; j < n; j += 32) {
        uint16_t *block = dst + j / 32 * kp2 * 64;
        xai_pack_pair_rows(x + j, ld, k, n - j < 32 ? n - j : 32, block, 64);
        /* AMX's pair rows past k meet A's zero columns: zeros, not whatever was there (0 x NaN). */
        memset(block + k2 * 64, 0, (size_t)(kp2 - k2) * 64 * sizeof(uint16_t));
    }
}

XAI_BF16_TARGET
void xai_bf16_scatter_blocks(const float *cells, long first, long count, uint16_t *dst, long kp2, long pad) {
    __m512i lo[3], hi[3], v[8];
    xai_pairs16_indices(lo, hi);
    /* Runs that neither cross a 16-column boundary nor leave their column block. */
    for (long i = 0; i < count;) {
        const long p = first + i, n = 16 - p % 16 < count - i ? 16 - p % 16 : count - i;
        xai_pairs16(cells + 16 * i, n, lo, hi, v);
        uint32_t *out = (uint32_t *)dst + p / 32 * kp2 * 32 + p % 32;
        const __mmask16 m = (__mmask16)((1u << n) - 1);
        for (int q = 0; q < 8; q++) _mm512_mask_storeu_epi32(out + 32 * q, m, v[q]);
        for (long q = 8; q < 8 + pad; q++) _mm512_mask_storeu_epi32(out + 32 * q, m, _mm512_setzero_si512());
        i += n;
    }
}

/* How far ahead (32-bit words, 64 k pairs) the panel kernel asks for its filters. A step's
 * filters come from L3 or memory (Lite0's are 9 MB in bf16, beyond a core's 1 MB L2), and the
 * hardware prefetcher did not keep up with the panel's 32 bytes a k pair: a C harness of the
 * 1152 -> 192 projection (576 k pairs, 98 columns) ran at 86-98 G multiply-adds a second with
 * its filters cycled through 18 MB, 114 with them in L2, and 112-114 from 18 MB with this
 * prefetch (115 in L2: it costs nothing there). */
#define XAI_PANEL_PREFETCH 512

XAI_BF16_TARGET
void xai_bf16_gemm_panel(long k2, const uint16_t *a, const uint16_t *b, long ldb, const float *bias,
                         const float *res, long ldr, xai_rectifier r, float *c, long ldc, long rows, long width) {
    const __mmask16 m0 = width >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << width) - 1);
    const __mmask16 m1 = width >= 32 ? (__mmask16)0xffff : width > 16 ? (__mmask16)((1u << (width - 16)) - 1) : 0;
    __m512 c00 = _mm512_set1_ps(bias[0]), c10 = _mm512_set1_ps(bias[1]), c20 = _mm512_set1_ps(bias[2]);
    __m512 c30 = _mm512_set1_ps(bias[3]), c40 = _mm512_set1_ps(bias[4]), c50 = _mm512_set1_ps(bias[5]);
    __m512 c60 = _mm512_set1_ps(bias[6]), c70 = _mm512_set1_ps(bias[7]);
    __m512 c01 = c00, c11 = c10, c21 = c20, c31 = c30, c41 = c40, c51 = c50, c61 = c60, c71 = c70;
    const int32_t *ap = (const int32_t *)a;
    const int32_t *bp = (const int32_t *)b;
    if (m1) {
        for (long p = 0; p < k2; p++) {
            const __m512i b0 = _mm512_maskz_loadu_epi32(m0, bp), b1 = _mm512_maskz_loadu_epi32(m1, bp + 16);
            __m512i s;
            s = _mm512_set1_epi32(ap[0]); DP(c00, s, b0); DP(c01, s, b1);
            s = _mm512_set1_epi32(ap[1]); DP(c10, s, b0); DP(c11, s, b1);
            s = _mm512_set1_epi32(ap[2]); DP(c20, s, b0); DP(c21, s, b1);
            s = _mm512_set1_epi32(ap[3]); DP(c30, s, b0); DP(c31, s, b1);
            s = _mm512_set1_epi32(ap[4]); DP(c40, s, b0); DP(c41, s, b1);
            s = _mm512_set1_epi32(ap[5]); DP(c50, s, b0); DP(c51, s, b1);
            s = _mm512_set1_epi32(ap[6]); DP(c60, s, b0); DP(c61, s, b1);
            s = _mm512_set1_epi32(ap[7]); DP(c70, s, b0); DP(c71, s, b1);
            _mm_prefetch((const char *)(ap + XAI_PANEL_PREFETCH), _MM_HINT_T0);
            ap += 8;
            bp += ldb;
        }
    } else {
        /* Up to 16 columns: eight sums would be eight vdpbf16ps chains, fewer than its latency
         * covers (3.2 ns a k pair where 32 columns took 4.5); the odd k pairs go to the second
         * column block's accumulators instead (zero here), added in before the store. */
        c01 = c11 = c21 = c31 = c41 = c51 = c61 = c71 = _mm512_setzero_ps();
        long p = 0;
        for (; p + 2 <= k2; p += 2) {
            const __m512i b0 = _mm512_maskz_loadu_epi32(m0, bp), b1 = _mm512_maskz_loadu_epi32(m0, bp + ldb);
            DP(c00, _mm512_set1_epi32(ap[0]), b0); DP(c01, _mm512_set1_epi32(ap[8]), b1);
            DP(c10, _mm512_set1_epi32(ap[1]), b0); DP(c11, _mm512_set1_epi32(ap[9]), b1);
            DP(c20, _mm512_set1_epi32(ap[2]), b0); DP(c21, _mm512_set1_epi32(ap[10]), b1);
            DP(c30, _mm512_set1_epi32(ap[3]), b0); DP(c31, _mm512_set1_epi32(ap[11]), b1);
            DP(c40, _mm512_set1_epi32(ap[4]), b0); DP(c41, _mm512_set1_epi32(ap[12]), b1);
            DP(c50, _mm512_set1_epi32(ap[5]), b0); DP(c51, _mm512_set1_epi32(ap[13]), b1);
            DP(c60, _mm512_set1_epi32(ap[6]), b0); DP(c61, _mm512_set1_epi32(ap[14]), b1);
            DP(c70, _mm512_set1_epi32(ap[7]), b0); DP(c71, _mm512_set1_epi32(ap[15]), b1);
            _mm_prefetch((const char *)(ap + XAI_PANEL_PREFETCH), _MM_HINT_T0);
            ap += 16;
            bp += 2 * ldb;
        }
        if (p < k2) {
            const __m512i b0 = _mm512_maskz_loadu_epi32(m0, bp);
            DP(c00, _mm512_set1_epi32(ap[0]), b0); DP(c10, _mm512_set1_epi32(ap[1]), b0);
            DP(c20, _mm512_set1_epi32(ap[2]), b0); DP(c30, _mm512_set1_epi32(ap[3]), b0);
            DP(c40, _mm512_set1_epi32(ap[4]), b0); DP(c50, _mm512_set1_epi32(ap[5]), b0);
            DP(c60, _mm512_set1_epi32(ap[6]), b0); DP(c70, _mm512_set1_epi32(ap[7]), b0);
        }
        c00 = _mm512_add_ps(c00, c01); c10 = _mm512_add_ps(c10, c11); c20 = _mm512_add_ps(c20, c21);
        c30 = _mm512_add_ps(c30, c31); c40 = _mm512_add_ps(c40, c41); c50 = _mm512_add_ps(c50, c51);
        c60 = _mm512_add_ps(c60, c61); c70 = _mm512_add_ps(c70, c71);
    }
    const __m512 lo[8] = {c00, c10, c20, c30, c40, c50, c60, c70};
    const __m512 hi[8] = {c01, c11, c21, c31, c41, c51, c61, c71};
    for (long i = 0; i < rows; i++) {
        __m512 v0 = lo[i], v1 = hi[i];
        if (res) {
            /* The sum ColumnDestination.addResidual would form from the stored product. */
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, res + i * ldr));
            if (m1) v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, res + i * ldr + 16));
        }
        _mm512_mask_storeu_ps(c + i * ldc, m0, rectify(v0, r));
        if (m1) _mm512_mask_storeu_ps(c + i * ldc + 16, m1, rectify(v1, r));
    }
}

#else

/* Not an x86-64 CPU: xai_bf16_supported() is 0, so the engine never calls the kernels below. */
int xai_bf16_supported(void) { return 0; }

void xai_bf16_pack_columns(const float *b, long ld, long k, long n, uint16_t *dst) {
    (void)b; (void)ld; (void)k; (void)n; (void)dst;
    __builtin_trap();
}

void xai_bf16_pack_taps(const float *x, const xai_taps *g, long oh, long wo, long ho, uint16_t *dst) {
    (void)x; (void)g; (void)oh; (void)wo; (void)ho; (void)dst;
    __builtin_trap();
}

void xai_bf16_pack_blocks(const float *x, long ld, long k, long n, long kp2, uint16_t *dst) {
    (void)x; (void)ld; (void)k; (void)n; (void)kp2; (void)dst;
    __builtin_trap();
}

void xai_bf16_scatter_blocks(const float *cells, long first, long count, uint16_t *dst, long kp2, long pad) {
    (void)cells; (void)first; (void)count; (void)dst; (void)kp2; (void)pad;
    __builtin_trap();
}

void xai_bf16_gemm_panel(long k2, const uint16_t *a, const uint16_t *b, long ldb, const float *bias,
                         const float *res, long ldr, xai_rectifier r, float *c, long ldc, long rows, long width) {
    (void)k2; (void)a; (void)b; (void)ldb; (void)bias; (void)res; (void)ldr; (void)r; (void)c; (void)ldc; (void)rows; (void)width;
    __builtin_trap();
}

#endif
