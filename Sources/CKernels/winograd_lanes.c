#include "winograd_lanes.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "avx512_common.h"

/* Why gathers: the patches of 16 blocks that may span tile rows (a 56x56 map has 14 blocks a
 * row) moved value by value took 16 x 36 scalar loads and stores per group, most of the input
 * transform's time in perf (about 6% of a ResNet-50 batch-32 forward). */
__attribute__((target("avx512f")))
void xai_winograd_patches(const float *x, const int32_t *offsets, long ldx, long size, float *patches) {
    const __m512i base = _mm512_loadu_si512((const void *)offsets);
    for (long r = 0; r < size; r++) {
        for (long j = 0; j < size; j++) {
            _mm512_storeu_ps(patches + (r * size + j) * 16, _mm512_i32gather_ps(base, x + r * ldx + j, 4));
        }
    }
}

/* Why: value by value, a group's 16 blocks took 256 scalar loads and stores (most of the output
 * transform's samples in perf, 4% of a ResNet-50 batch-32 forward); transposed, a block row is
 * one store. The block rows go through masked 16-lane loads and stores (AVX512F alone: the
 * engine checks no more than xai_direct_supported's avx512f and fma before calling). */
__attribute__((target("avx512f")))
void xai_winograd_store4(const float *out, long l0, long l1, const int32_t *offsets, const int32_t *rows,
                         const int32_t *columns, float *plane, long ldy) {
    __m512 r[16];
    for (int q = 0; q < 16; q++) r[q] = _mm512_loadu_ps(out + 16 * q);
    xai_transpose16(r);
    float t[16][16] __attribute__((aligned(64)));
    for (int q = 0; q < 16; q++) _mm512_store_ps(t[q], r[q]);
    for (long l = l0; l < l1; l++) {
        float *dst = plane + offsets[l];
        const __mmask16 m = (__mmask16)((1u << columns[l]) - 1);
        for (long i = 0; i < rows[l]; i++) _mm512_mask_storeu_ps(dst + i * ldy, m, _mm512_maskz_loadu_ps(m, t[l] + 4 * i));
    }
}

#else

void xai_winograd_store4(const float *out, long l0, long l1, const int32_t *offsets, const int32_t *rows,
                         const int32_t *columns, float *plane, long ldy) {
    for (long l = l0; l < l1; l++)
        for (long i = 0; i < rows[l]; i++)
            for (long j = 0; j < columns[l]; j++) plane[offsets[l] + i * ldy + j] = out[(4 * i + j) * 16 + l];
}

void xai_winograd_patches(const float *x, const int32_t *offsets, long ldx, long size, float *patches) {
    for (long r = 0; r < size; r++)
        for (long j = 0; j < size; j++)
            for (long lane = 0; lane < 16; lane++) patches[(r * size + j) * 16 + lane] = x[offsets[lane] + r * ldx + j];
}

#endif
