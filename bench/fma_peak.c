/* One core's float32 multiply-add peak, measured: twelve independent chains of vector FMAs
 * (enough to cover the FMA latency on the x86 cores we run on), the best of five runs of
 * 2.4 G vector multiply-adds (AVX-512; AVX2 + FMA where the CPU has no AVX-512). It is the
 * roof for `bench/compare-methods --work-bound`: no kernel of any engine does more
 * multiply-adds a second on this core. Where the CPU has AVX512_BF16, the same for vdpbf16ps
 * (`precision: bf16`'s products: 32 multiply-adds an instruction) in sixteen chains: on Zen 5
 * twelve reached 238 of its 259 G a second, its latency covering more of them than the FMA's.
 * Prints one line: "<fp32 G multiply-adds per second> <vector width> <bf16 G, 0 without it>".
 *
 *   cc -O2 -o fma_peak bench/fma_peak.c && ./fma_peak
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define CHAINS 12
#define ROUNDS 5

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Multiply-adds per second of `steps` steps of CHAINS chains; `sink` keeps the result alive. */
__attribute__((target("avx512f"))) static double rate512(long steps, float *sink) {
    __m512 a[CHAINS];
    const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (int j = 0; j < CHAINS; j++) a[j] = _mm512_set1_ps((float)j);
    const double t0 = now();
    for (long i = 0; i < steps; i++) {
        /* Unrolled, the chains live in registers; as a loop gcc kept them in memory, and the
         * loads and stores halved the rate (26 against 58 G a second on Zen 4). */
#pragma GCC unroll 12
        for (int j = 0; j < CHAINS; j++) a[j] = _mm512_fmadd_ps(a[j], x, y);
    }
    const double t = now() - t0;
    for (int j = 0; j < CHAINS; j++) *sink += _mm512_reduce_add_ps(a[j]);
    return (double)steps * CHAINS * 16 / t;
}

__attribute__((target("avx2,fma"))) static double rate256(long steps, float *sink) {
    __m256 a[CHAINS];
    const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    for (int j = 0; j < CHAINS; j++) a[j] = _mm256_set1_ps((float)j);
    const double t0 = now();
    for (long i = 0; i < steps; i++) {
#pragma GCC unroll 12
        for (int j = 0; j < CHAINS; j++) a[j] = _mm256_fmadd_ps(a[j], x, y);
    }
    const double t = now() - t0;
    float lanes[8];
    for (int j = 0; j < CHAINS; j++) {
        _mm256_storeu_ps(lanes, a[j]);
        for (int k = 0; k < 8; k++) *sink += lanes[k];
    }
    return (double)steps * CHAINS * 8 / t;
}

/* The same for vdpbf16ps: 16 chains, each instruction 16 lanes of two bf16 products. */
#define BF16_CHAINS 16
__attribute__((target("avx512f,avx512bf16"))) static double rate_bf16(long steps, float *sink) {
    __m512 a[BF16_CHAINS];
    const __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3380);
    for (int j = 0; j < BF16_CHAINS; j++) a[j] = _mm512_set1_ps((float)j);
    const double t0 = now();
    for (long i = 0; i < steps; i++) {
#pragma GCC unroll 16
        for (int j = 0; j < BF16_CHAINS; j++) a[j] = _mm512_dpbf16_ps(a[j], x, y);
    }
    const double t = now() - t0;
    for (int j = 0; j < BF16_CHAINS; j++) *sink += _mm512_reduce_add_ps(a[j]);
    return (double)steps * BF16_CHAINS * 32 / t;
}

/* The best of ROUNDS runs of `rate`. */
static double best_of(double (*rate)(long, float *), long steps, float *sink) {
    double best = 0;
    for (int r = 0; r < ROUNDS; r++) {
        const double g = rate(steps, sink);
        if (g > best) best = g;
    }
    return best;
}

int main(void) {
    __builtin_cpu_init();
    const int wide = __builtin_cpu_supports("avx512f");
    if (!wide && !__builtin_cpu_supports("fma")) {
        fprintf(stderr, "fma_peak: this CPU has no FMA\n");
        return 1;
    }
    float sink = 0;
    const double best = best_of(wide ? rate512 : rate256, 200000000L, &sink);
    const double bf16 = __builtin_cpu_supports("avx512bf16") ? best_of(rate_bf16, 150000000L, &sink) : 0;
    printf("%.2f %d %.2f\n", best / 1e9, wide ? 512 : 256, bf16 / 1e9);
    return sink == 12345.0f;  /* never: only keeps the chains' results */
}
