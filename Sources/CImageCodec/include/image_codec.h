#ifndef XAI_IMAGE_CODEC_H
#define XAI_IMAGE_CODEC_H

/*
 * A small C shim around libpng and libjpeg.
 *
 * Both libraries report fatal errors by longjmp (libpng) or by calling an
 * error_exit hook that would otherwise call exit() (libjpeg). Every setjmp /
 * longjmp pair lives inside one function of image_codec.c, so no jump ever
 * crosses a Swift frame: callers only see a status code and a message.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes returned by every function below. */
enum {
    XAI_OK = 0,
    XAI_ERR_CORRUPT = 1,     /* the data violates the format */
    XAI_ERR_TRUNCATED = 2,   /* the data ends before the image does */
    XAI_ERR_TOO_LARGE = 3,   /* header dimensions exceed the caller's limits */
    XAI_ERR_UNSUPPORTED = 4, /* valid file, but a variant we do not decode */
    XAI_ERR_NOMEM = 5,       /* an allocation failed */
    XAI_ERR_ARGUMENT = 6     /* the caller passed invalid arguments */
};

/* Decoded pixels, interleaved, rows top to bottom without padding.
 * channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
 * bit_depth: 8 (one uint8_t per sample) or 16 (one native-endian uint16_t per sample).
 * orientation: the EXIF orientation tag (1...8) for JPEG, 1 when absent or for PNG;
 *              the pixels are NOT rotated, the caller applies it.
 * data is allocated with malloc; release it with xai_free. */
typedef struct {
    int width;
    int height;
    int channels;
    int bit_depth;
    int orientation;
    uint8_t *data;
} xai_image;

/* Limits checked against the header before any pixel buffer is allocated. */
typedef struct {
    int max_side;           /* largest accepted width or height */
    int64_t max_pixels;     /* largest accepted width * height */
    int64_t max_aspect;     /* largest accepted longer side / shorter side; 0: unlimited */
} xai_limits;

/* Decodes a PNG held in memory. Palette images are expanded, tRNS becomes alpha,
 * bit depths below 8 are expanded to 8, 16-bit samples are kept. */
int xai_png_decode(const uint8_t *data, size_t size, const xai_limits *limits,
                   xai_image *out, char *err, size_t errlen);

/* Decodes a JPEG held in memory to gray (1 channel) or RGB (3 channels), 8 bit.
 * CMYK / YCCK files are converted to RGB (Adobe inverted CMYK handled).
 * A premature end of data is reported as XAI_ERR_TRUNCATED, not filled with gray. */
int xai_jpeg_decode(const uint8_t *data, size_t size, const xai_limits *limits,
                    xai_image *out, char *err, size_t errlen);

/* Encodes interleaved samples as PNG into a malloc'ed buffer (*out, release with xai_free).
 * channels: 1..4 (gray, gray+alpha, RGB, RGBA); bit_depth 8 (uint8_t samples) or
 * 16 (native-endian uint16_t samples). */
int xai_png_encode(const void *pixels, int width, int height, int channels, int bit_depth,
                   uint8_t **out, size_t *outsize, char *err, size_t errlen);

/* Parses the EXIF orientation from the payload of an APP1 segment (starting at "Exif\0\0").
 * Returns 1...8, or 1 when the segment has no valid orientation tag. Exposed for tests. */
int xai_exif_orientation(const uint8_t *app1, size_t size);

/* Releases memory returned by this library. */
void xai_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
