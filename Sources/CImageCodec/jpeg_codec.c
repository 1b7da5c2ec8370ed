/* JPEG decode on libjpeg(-turbo). libjpeg's default error_exit calls exit(); ours formats
 * the message and longjmps to the setjmp in xai_jpeg_decode, so the jump stays in C. */
#include "codec_common.h"
#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* Progressive files may hold any number of scans, each a full pass over the coefficients;
 * a hostile file can use that to take minutes. Real encoders write about ten. */
#define XAI_JPEG_MAX_SCANS 1000

typedef struct {
    struct jpeg_error_mgr pub; /* must be first: libjpeg hands us a pointer to it */
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    int status;
    int saw_eof;             /* the data ran out: libjpeg inserted a fake EOI */
    int warnings_after_eof;  /* filler data was used (e.g. "hit marker") after that */
    char *err;
    size_t errlen;
} jpeg_guard;

static void jpeg_guard_fail(j_common_ptr cinfo, int status) {
    jpeg_guard *guard = (jpeg_guard *)cinfo->err;
    char message[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, message);
    xai_set_error(guard->err, guard->errlen, "%s", message);
    guard->status = status;
    longjmp(guard->jump, 1);
}

static void jpeg_guard_error_exit(j_common_ptr cinfo) {
    jpeg_guard *guard = (jpeg_guard *)cinfo->err;
    jpeg_guard_fail(cinfo, guard->saw_eof ? XAI_ERR_TRUNCATED : XAI_ERR_CORRUPT);
}

/* Warnings (level -1) about recoverable corruption are tolerated as every viewer does.
 * A premature end of data is only noted here: libjpeg then pads with gray, and whether
 * pixels were lost is decided once decoding ends (see truncated_pixels). */
static void jpeg_guard_emit(j_common_ptr cinfo, int level) {
    if (level < 0) {
        jpeg_guard *guard = (jpeg_guard *)cinfo->err;
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) guard->saw_eof = 1;
        else if (guard->saw_eof) guard->warnings_after_eof++;
        cinfo->err->num_warnings++;
    }
}

/* True when the end of data cost pixels. A baseline file that lacks only its EOI marker
 * decodes completely (the entropy decoder never needed filler, so no warning follows the
 * end of data). In a progressive file a cut at a scan boundary cannot be told apart from a
 * missing EOI, so any premature end counts as truncation there. */
static int truncated_pixels(const jpeg_guard *guard, j_decompress_ptr cinfo) {
    return guard->saw_eof && (guard->warnings_after_eof > 0 || cinfo->progressive_mode);
}

static void jpeg_guard_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > XAI_JPEG_MAX_SCANS) {
        jpeg_guard *guard = (jpeg_guard *)cinfo->err;
        xai_set_error(guard->err, guard->errlen, "the JPEG has more than %d scans", XAI_JPEG_MAX_SCANS);
        guard->status = XAI_ERR_UNSUPPORTED;
        longjmp(guard->jump, 1);
    }
}

static int jpeg_orientation(j_decompress_ptr cinfo) {
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != NULL; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data != NULL) {
            int o = xai_exif_orientation(m->data, m->data_length);
            if (o != 1) return o;
        }
    }
    return 1;
}

/* In-place CMYK -> RGB; Adobe writes inverted CMYK (0 = full ink). */
static void cmyk_to_rgb(uint8_t *pixels, size_t count, int inverted) {
    for (size_t i = 0; i < count; i++) {
        const uint8_t *s = pixels + 4 * i;
        int c = s[0], m = s[1], y = s[2], k = s[3];
        if (!inverted) {
            c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
        }
        uint8_t *d = pixels + 3 * i; /* d <= s, and each pixel is read before it is overwritten */
        d[0] = (uint8_t)((c * k + 127) / 255);
        d[1] = (uint8_t)((m * k + 127) / 255);
        d[2] = (uint8_t)((y * k + 127) / 255);
    }
}

int xai_jpeg_decode(const uint8_t *data, size_t size, const xai_limits *limits,
                    xai_image *out, char *err, size_t errlen) {
    if (data == NULL || out == NULL) return XAI_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        xai_set_error(err, errlen, "not a JPEG signature");
        return XAI_ERR_CORRUPT;
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_guard guard;
    memset(&guard, 0, sizeof guard);
    guard.err = err;
    guard.errlen = errlen;
    guard.status = XAI_ERR_CORRUPT;
    cinfo.err = jpeg_std_error(&guard.pub);
    guard.pub.error_exit = jpeg_guard_error_exit;
    guard.pub.emit_message = jpeg_guard_emit;
    uint8_t *volatile pixels = NULL;
    if (setjmp(guard.jump)) {
        free(pixels);
        jpeg_destroy_decompress(&cinfo);
        return guard.status;
    }
    jpeg_create_decompress(&cinfo);
    guard.progress.progress_monitor = jpeg_guard_progress;
    cinfo.progress = &guard.progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    (void)jpeg_read_header(&cinfo, TRUE);

    int rc = xai_check_limits(cinfo.image_width, cinfo.image_height, limits, err, errlen);
    if (rc != XAI_OK) {
        guard.status = rc;
        longjmp(guard.jump, 1);
    }
    int cmyk = 0;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo.out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK:
    case JCS_YCCK: cinfo.out_color_space = JCS_CMYK; cmyk = 1; break;
    default: cinfo.out_color_space = JCS_RGB; break;
    }
    jpeg_start_decompress(&cinfo);
    int components = cinfo.output_components;
    if (components != (cmyk ? 4 : (cinfo.out_color_space == JCS_GRAYSCALE ? 1 : 3))) {
        xai_set_error(err, errlen, "unsupported JPEG with %d output components", components);
        guard.status = XAI_ERR_UNSUPPORTED;
        longjmp(guard.jump, 1);
    }
    size_t stride = (size_t)cinfo.output_width * (size_t)components;
    pixels = (uint8_t *)malloc(stride * cinfo.output_height);
    if (pixels == NULL) {
        xai_set_error(err, errlen, "out of memory for %ux%u pixels", cinfo.output_width, cinfo.output_height);
        guard.status = XAI_ERR_NOMEM;
        longjmp(guard.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * stride;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
            xai_set_error(err, errlen, "the JPEG data ends early (truncated file)");
            guard.status = XAI_ERR_TRUNCATED;
            longjmp(guard.jump, 1);
        }
    }
    if (truncated_pixels(&guard, &cinfo)) {
        xai_set_error(err, errlen, "the JPEG data ends before the image does (%s)",
                      cinfo.progressive_mode ? "progressive file" : "entropy data missing");
        guard.status = XAI_ERR_TRUNCATED;
        longjmp(guard.jump, 1);
    }
    out->width = (int)cinfo.output_width;
    out->height = (int)cinfo.output_height;
    out->channels = cmyk ? 3 : components;
    out->bit_depth = 8;
    out->orientation = jpeg_orientation(&cinfo);
    out->data = pixels;
    if (cmyk) cmyk_to_rgb(pixels, (size_t)out->width * (size_t)out->height, cinfo.saw_Adobe_marker);
    /* jpeg_finish_decompress is skipped: all rows are decoded, and a missing EOI after
     * them should not reject the image. */
    jpeg_destroy_decompress(&cinfo);
    return XAI_OK;
}
