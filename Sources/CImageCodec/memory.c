#include "image_codec.h"
#include <stdlib.h>

/* Buffers handed to Swift come from malloc; Swift releases them through here so the
 * allocator always matches. */
void xai_free(void *p) {
    free(p);
}
