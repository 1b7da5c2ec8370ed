/*
 * Quick shift's window passes (see include/quickshift.h). Plain C over sixteen lanes, one pixel
 * per lane, which the compiler vectorises; built twice, for AVX-512 (where the CPU has it, as
 * xai_direct_supported() says) and for the baseline. Each lane sums and compares its window in the scalar order, and no
 * multiply-add is fused (contraction off), so both builds give the pixel-at-a-time results.
 * Why: in Swift, one pixel at a time, the density's sum was a chain of dependent adds and the
 * link's density test a branch taken at random: LIME's 224 x 224 segmentation (kernel 4, a
 * 25 x 25 window) took 21 + 35 ms on two cores, here 9-15 + 10-15 (perf: 19 and 23 ms of CPU),
 * and a LIME task of two samples on chelsea 0.10-0.11 -> 0.06 s. Swift's SIMD16 lanes with
 * masks, tried first, compiled to lane-by-lane loops and were slower than the scalar code.
 */
#include "quickshift.h"

#include "direct_conv.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

#define LANES 16

static inline __attribute__((always_inline)) float fast_exp(float x) {
    const float xc = x < -87.0f ? -87.0f : x;
    const float k = rintf(xc * 1.44269504f);
    const float r = (xc - k * 0.69314575f) - k * 1.4286068e-6f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const uint32_t bits = (uint32_t)((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return x < -87.0f ? 0.0f : p * scale;
}

float xai_quickshift_exp(float x) { return fast_exp(x); }

static inline __attribute__((always_inline)) void density_rows(const float *planes, long h, long w, long pw, long radius,
                                                               const float *spatial, float neg_inv, long row_begin,
                                                               long row_end, float *density) {
    const long side = 2 * radius + 1, plane = h * pw;
    for (long y = row_begin; y < row_end; y++) {
        const long y0 = y - radius > 0 ? y - radius : 0, y1 = y + radius + 1 < h ? y + radius + 1 : h;
        for (long xg = 0; xg < w; xg += LANES) {
            const float *centre = planes + y * pw + radius + xg;
            float c0[LANES], c1[LANES], c2[LANES], acc[LANES];
            for (int l = 0; l < LANES; l++) {
                c0[l] = centre[l], c1[l] = centre[plane + l], c2[l] = centre[2 * plane + l];
                acc[l] = 0.0f;
            }
            for (long yy = y0; yy < y1; yy++) {
                const float *sp = spatial + (yy - y + radius) * side;
                for (long k = 0; k < side; k++) {
                    /* Lane l's neighbour: column xg + l - radius + k, at q[l]. */
                    const float *q = planes + yy * pw + xg + k;
                    const int col = (int)(xg - radius + k);
                    for (int l = 0; l < LANES; l++) {
                        const float a = c0[l] - q[l], b = c1[l] - q[plane + l], c = c2[l] - q[2 * plane + l];
                        const float t = fast_exp((a * a + b * b + c * c) * neg_inv) * sp[k];
                        /* Off the map: add zero, which leaves a sum of terms >= 0 as it is. */
                        acc[l] += (unsigned)(col + l) < (unsigned)w ? t : 0.0f;
                    }
                }
            }
            for (int l = 0; l < LANES; l++) density[y * pw + radius + xg + l] = acc[l];
        }
    }
}

static inline __attribute__((always_inline)) void link_rows(const float *planes, const float *density, long h, long w,
                                                            long pw, long radius, float max_dist_squared,
                                                            long row_begin, long row_end, int *parent) {
    const long side = 2 * radius + 1, plane = h * pw;
    for (long y = row_begin; y < row_end; y++) {
        const long y0 = y - radius > 0 ? y - radius : 0, y1 = y + radius + 1 < h ? y + radius + 1 : h;
        for (long xg = 0; xg < w; xg += LANES) {
            const float *centre = planes + y * pw + radius + xg, *dc = density + y * pw + radius + xg;
            float c0[LANES], c1[LANES], c2[LANES], di[LANES], best[LANES];
            int link[LANES];
            for (int l = 0; l < LANES; l++) {
                c0[l] = centre[l], c1[l] = centre[plane + l], c2[l] = centre[2 * plane + l], di[l] = dc[l];
                best[l] = INFINITY;
                link[l] = (int)(y * w + xg + l);
            }
            for (long yy = y0; yy < y1; yy++) {
                const float dy = (float)(yy - y);
                for (long k = 0; k < side; k++) {
                    const float *q = planes + yy * pw + xg + k, *dq = density + yy * pw + xg + k;
                    const int col = (int)(xg - radius + k), row = (int)(yy * w);
                    const float dx = (float)(k - radius);
                    for (int l = 0; l < LANES; l++) {
                        const float a = c0[l] - q[l], b = c1[l] - q[plane + l], c = c2[l] - q[2 * plane + l];
                        const float dist = a * a + b * b + c * c + dy * dy + dx * dx;
                        const int better = (unsigned)(col + l) < (unsigned)w && dq[l] > di[l] && dist < best[l];
                        best[l] = better ? dist : best[l];
                        link[l] = better ? row + col + l : link[l];
                    }
                }
            }
            for (int l = 0; l < LANES && xg + l < w; l++) {
                parent[y * w + xg + l] = best[l] <= max_dist_squared ? link[l] : (int)(y * w + xg + l);
            }
        }
    }
}

#if defined(__x86_64__)
#define XAI_QS_WIDE __attribute__((target("avx512f")))

XAI_QS_WIDE static void density_wide(const float *planes, long h, long w, long pw, long radius, const float *spatial,
                                     float neg_inv, long row_begin, long row_end, float *density) {
    density_rows(planes, h, w, pw, radius, spatial, neg_inv, row_begin, row_end, density);
}

XAI_QS_WIDE static void link_wide(const float *planes, const float *density, long h, long w, long pw, long radius,
                                  float max_dist_squared, long row_begin, long row_end, int *parent) {
    link_rows(planes, density, h, w, pw, radius, max_dist_squared, row_begin, row_end, parent);
}

#endif

void xai_quickshift_density(const float *planes, long h, long w, long pw, long radius, const float *spatial,
                            float neg_inv, long row_begin, long row_end, float *density) {
#if defined(__x86_64__)
    if (xai_direct_supported()) {
        density_wide(planes, h, w, pw, radius, spatial, neg_inv, row_begin, row_end, density);
        return;
    }
#endif
    density_rows(planes, h, w, pw, radius, spatial, neg_inv, row_begin, row_end, density);
}

void xai_quickshift_link(const float *planes, const float *density, long h, long w, long pw, long radius,
                         float max_dist_squared, long row_begin, long row_end, int *parent) {
#if defined(__x86_64__)
    if (xai_direct_supported()) {
        link_wide(planes, density, h, w, pw, radius, max_dist_squared, row_begin, row_end, parent);
        return;
    }
#endif
    link_rows(planes, density, h, w, pw, radius, max_dist_squared, row_begin, row_end, parent);
}
