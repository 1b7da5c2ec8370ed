#ifndef XAI_CODEC_COMMON_H
#define XAI_CODEC_COMMON_H
/* Helpers shared by the PNG and JPEG halves of the shim (not exported to Swift). */
#include "image_codec.h"
#include <stdarg.h>
#include <stdio.h>

/* Writes a message into the caller's buffer, always NUL-terminated when errlen > 0. */
static inline void xai_set_error(char *err, size_t errlen, const char *fmt, ...) {
    if (err == NULL || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Checks header dimensions against the limits before anything is allocated. */
static inline int xai_check_limits(int64_t w, int64_t h, const xai_limits *limits,
                                   char *err, size_t errlen) {
    if (w <= 0 || h <= 0) {
        xai_set_error(err, errlen, "image header declares an empty size %lldx%lld",
                      (long long)w, (long long)h);
        return XAI_ERR_CORRUPT;
    }
    int64_t max_side = limits ? limits->max_side : 16384;
    int64_t max_pixels = limits ? limits->max_pixels : 100000000;
    if (w > max_side || h > max_side || w * h > max_pixels) {
        xai_set_error(err, errlen,
                      "image header declares %lldx%lld pixels; the limit is %lld per side and %lld in total",
                      (long long)w, (long long)h, (long long)max_side, (long long)max_pixels);
        return XAI_ERR_TOO_LARGE;
    }
    /* A thin image passes the pixel limits but not a resize of its shorter side to a model's
     * input: 1x10000 pixels at 256 would be 256x2560000. */
    int64_t max_aspect = limits ? limits->max_aspect : 32;
    int64_t shorter = w < h ? w : h, longer = w < h ? h : w;
    if (max_aspect > 0 && longer > max_aspect * shorter) {
        xai_set_error(err, errlen,
                      "image header declares %lldx%lld pixels, an aspect ratio over %lld:1, the limit",
                      (long long)w, (long long)h, (long long)max_aspect);
        return XAI_ERR_TOO_LARGE;
    }
    return XAI_OK;
}

static inline int xai_host_is_little_endian(void) {
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

#endif
