/* PNG decode and encode on libpng 1.6. libpng reports errors by calling error_fn, which
 * must not return: it longjmps back to the setjmp in the same function that created the
 * png struct, so the jump never leaves C. */
#include "codec_common.h"
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
    int status; /* the XAI_ERR_* to report if libpng errors out */
    char *err;
    size_t errlen;
} png_source;

static void png_source_read(png_structp png, png_bytep out, size_t n) {
    png_source *src = (png_source *)png_get_io_ptr(png);
    if (n > src->size - src->pos) {
        src->status = XAI_ERR_TRUNCATED;
        png_error(png, "the PNG data ends early (truncated file)");
    }
    memcpy(out, src->data + src->pos, n);
    src->pos += n;
}

static void png_report_error(png_structp png, png_const_charp msg) {
    png_source *src = (png_source *)png_get_error_ptr(png);
    xai_set_error(src->err, src->errlen, "%s", msg);
    png_longjmp(png, 1);
}

static void png_ignore_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg; /* e.g. bad CRC in an ancillary chunk: the image itself is still fine */
}

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

int xai_png_decode(const uint8_t *data, size_t size, const xai_limits *limits,
                   xai_image *out, char *err, size_t errlen) {
    if (data == NULL || out == NULL) return XAI_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        xai_set_error(err, errlen, "not a PNG signature");
        return XAI_ERR_CORRUPT;
    }
    if (size < 33) {
        xai_set_error(err, errlen, "the PNG data ends inside the header (%zu bytes)", size);
        return XAI_ERR_TRUNCATED;
    }
    /* IHDR must come first: check its size against the limits before libpng allocates. */
    if (memcmp(data + 12, "IHDR", 4) == 0) {
        int rc = xai_check_limits(be32(data + 16), be32(data + 20), limits, err, errlen);
        if (rc == XAI_ERR_TOO_LARGE) return rc;
    }

    png_source src = {data, size, 0, XAI_ERR_CORRUPT, err, errlen};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_report_error, png_ignore_warning);
    if (png == NULL) return XAI_ERR_NOMEM;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return XAI_ERR_NOMEM;
    }
    /* Written after setjmp and read after longjmp: must be volatile. */
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return src.status;
    }
    png_set_read_fn(png, &src, png_source_read);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int depth = 0, color = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &depth, &color, &interlace, NULL, NULL);
    int rc = xai_check_limits(width, height, limits, err, errlen);
    if (rc != XAI_OK) {
        src.status = rc;
        png_longjmp(png, 1);
    }
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth == 16 && xai_host_is_little_endian()) png_set_swap(png);
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    int out_depth = png_get_bit_depth(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (channels < 1 || channels > 4 || (out_depth != 8 && out_depth != 16) ||
        rowbytes != (size_t)width * (size_t)channels * (size_t)(out_depth / 8)) {
        xai_set_error(err, errlen, "unsupported PNG layout (%d channels, %d bit)", channels, out_depth);
        src.status = XAI_ERR_UNSUPPORTED;
        png_longjmp(png, 1);
    }
    pixels = (uint8_t *)malloc(rowbytes * height);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (pixels == NULL || rows == NULL) {
        xai_set_error(err, errlen, "out of memory for %ux%u pixels", width, height);
        src.status = XAI_ERR_NOMEM;
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * rowbytes;
    png_read_image(png, rows);
    /* png_read_end is skipped on purpose: the pixels are complete, and chunks after the
     * image data (text, a missing IEND) cannot change them. */
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);

    out->width = (int)width;
    out->height = (int)height;
    out->channels = channels;
    out->bit_depth = out_depth;
    out->orientation = 1;
    out->data = pixels;
    return XAI_OK;
}

typedef struct {
    uint8_t *buf;
    size_t len;
    size_t cap;
    int status;
    char *err;
    size_t errlen;
} png_sink;

static void png_sink_write(png_structp png, png_bytep data, size_t n) {
    png_sink *sink = (png_sink *)png_get_io_ptr(png);
    if (n > sink->cap - sink->len) {
        if (n > ((size_t)-1) - sink->len) {
            sink->status = XAI_ERR_NOMEM;
            png_error(png, "PNG output too large");
        }
        size_t need = sink->len + n;
        size_t cap = sink->cap ? sink->cap : 4096;
        while (cap < need) cap = (cap > ((size_t)-1) / 2) ? need : cap * 2;
        uint8_t *grown = (uint8_t *)realloc(sink->buf, cap);
        if (grown == NULL) {
            sink->status = XAI_ERR_NOMEM;
            png_error(png, "out of memory while encoding PNG");
        }
        sink->buf = grown;
        sink->cap = cap;
    }
    memcpy(sink->buf + sink->len, data, n);
    sink->len += n;
}

static void png_sink_flush(png_structp png) {
    (void)png;
}

static void png_report_write_error(png_structp png, png_const_charp msg) {
    png_sink *sink = (png_sink *)png_get_error_ptr(png);
    xai_set_error(sink->err, sink->errlen, "%s", msg);
    png_longjmp(png, 1);
}

int xai_png_encode(const void *pixels, int width, int height, int channels, int bit_depth,
                   uint8_t **out, size_t *outsize, char *err, size_t errlen) {
    if (pixels == NULL || out == NULL || outsize == NULL || width <= 0 || height <= 0 ||
        width > 1000000 || height > 1000000 || channels < 1 || channels > 4 ||
        (bit_depth != 8 && bit_depth != 16)) {
        xai_set_error(err, errlen, "invalid PNG encode request %dx%d, %d channels, %d bit",
                      width, height, channels, bit_depth);
        return XAI_ERR_ARGUMENT;
    }
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    *out = NULL;
    *outsize = 0;
    png_sink sink = {NULL, 0, 0, XAI_ERR_CORRUPT, err, errlen};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_report_write_error,
                                              png_ignore_warning);
    if (png == NULL) return XAI_ERR_NOMEM;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        return XAI_ERR_NOMEM;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(sink.buf);
        png_destroy_write_struct(&png, &info);
        return sink.status;
    }
    size_t rowbytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
    if (rows == NULL) {
        sink.status = XAI_ERR_NOMEM;
        png_error(png, "out of memory for row pointers");
    }
    for (int y = 0; y < height; y++) rows[y] = (png_bytep)pixels + (size_t)y * rowbytes;
    png_set_write_fn(png, &sink, png_sink_write, png_sink_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, bit_depth, color_types[channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (bit_depth == 16 && xai_host_is_little_endian()) png_set_swap(png);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    png_destroy_write_struct(&png, &info);
    *out = sink.buf;
    *outsize = sink.len;
    return XAI_OK;
}
