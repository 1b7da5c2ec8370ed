/* EXIF orientation from a JPEG APP1 payload. The payload is untrusted: every read is
 * bounds-checked against the segment length, offsets are compared before adding. */
#include "image_codec.h"
#include <string.h>

static uint32_t read16(const uint8_t *p, int little) {
    return little ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) : ((uint32_t)p[0] << 8) | (uint32_t)p[1];
}

static uint32_t read32(const uint8_t *p, int little) {
    return little ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24)
                  : ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

int xai_exif_orientation(const uint8_t *app1, size_t size) {
    static const uint8_t header[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (app1 == NULL || size < 6 + 8 || memcmp(app1, header, 6) != 0) return 1;
    const uint8_t *tiff = app1 + 6; /* offsets in the IFD are relative to the TIFF header */
    size_t n = size - 6;
    int little;
    if (tiff[0] == 'I' && tiff[1] == 'I') little = 1;
    else if (tiff[0] == 'M' && tiff[1] == 'M') little = 0;
    else return 1;
    if (read16(tiff + 2, little) != 42) return 1;
    size_t ifd = read32(tiff + 4, little);
    if (ifd > n || n - ifd < 2) return 1;
    size_t entries = read16(tiff + ifd, little);
    size_t pos = ifd + 2;
    for (size_t i = 0; i < entries; i++) {
        if (pos > n || n - pos < 12) return 1;
        const uint8_t *e = tiff + pos;
        uint32_t tag = read16(e, little);
        if (tag == 0x0112) {
            uint32_t type = read16(e + 2, little);
            uint32_t count = read32(e + 4, little);
            uint32_t value;
            if (count < 1) return 1;
            if (type == 3) value = read16(e + 8, little);      /* SHORT, the type the spec mandates */
            else if (type == 4) value = read32(e + 8, little); /* LONG, seen from some writers */
            else return 1;
            return (value >= 1 && value <= 8) ? (int)value : 1;
        }
        pos += 12;
    }
    return 1;
}
