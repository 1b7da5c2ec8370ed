#ifndef XAI_QUICKSHIFT_H
#define XAI_QUICKSHIFT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Quick shift's two window passes (XAIImaging's Quickshift.swift), sixteen pixels at a time.
 *
 * Layout: `planes` holds three planes (scaled CIELAB), each h rows of `pw` floats, pixel (y, x)
 * at y * pw + radius + x; pw >= w + 2 * radius + 16 and the padding may hold anything finite
 * (those neighbours are masked). `density` has the same row layout (one plane). `spatial` is
 * the (2 radius + 1)^2 spatial kernel, row-major. Rows row_begin ..< row_end are computed.
 *
 * density: d(y, x) = sum over the window's pixels on the map, rows then columns, of
 *   fast_exp(|lab(y, x) - lab(j)|^2 * neg_inv) * spatial(j - (y, x)),
 * each pixel's sum in that order, so the result is the pixel-at-a-time loop's bit for bit;
 * written at y * pw + radius + x (and the lanes past the map into the row's right padding).
 *
 * link: parent[y * w + x] = the first pixel j in scan order of the window with density(j) >
 * density(y, x) and the smallest |lab(y, x) - lab(j)|^2 + dy^2 + dx^2, or y * w + x when there
 * is none or that distance exceeds max_dist_squared. */
void xai_quickshift_density(const float *planes, long h, long w, long pw, long radius, const float *spatial,
                            float neg_inv, long row_begin, long row_end, float *density);
void xai_quickshift_link(const float *planes, const float *density, long h, long w, long pw, long radius,
                         float max_dist_squared, long row_begin, long row_end, int *parent);

/* The exp quick shift's density uses, on one argument (for tests): x = n ln2 + r with
 * |r| <= ln2 / 2, e^r by a degree-6 Taylor polynomial (relative error below 3e-7), 2^n from
 * the exponent bits; arguments below -87 give 0. */
float xai_quickshift_exp(float x);

#ifdef __cplusplus
}
#endif

#endif
