/*
 * What the AVX-512 bf16 kernels of this target share (x86-64 only; not part of the public
 * header): the target attribute, the pair interleave and the pair dot product; the rectifying
 * epilogue is avx512_common.h's.
 */
#ifndef XAI_BF16_SIMD_H
#define XAI_BF16_SIMD_H

#include <immintrin.h>

#include "avx512_common.h"
#include "bf16_kernels.h"

#define XAI_BF16_TARGET __attribute__((target("avx512bf16,avx512f,avx512bw,avx512vl")))

/* Lanes 0-15 of `a`, 16-31 of `b` as 16-bit words -> (a[i], b[i]) side by side. */
static const short interleave_words[32] = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                           8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};

#define DP(acc, x, y) acc = _mm512_dpbf16_ps(acc, (__m512bh)(x), (__m512bh)(y))

#endif
