/* What the image decoders (image.c's PGM, png.c, jpeg.c) share, below all of them: colour to
 * grey (tn_luma), the one message for a size out of bounds, and tn_image_free. */
#include <stdlib.h>

#include "parse.h"

uint8_t tn_luma(uint32_t r, uint32_t g, uint32_t b) {
    return (uint8_t)((19595u * r + 38470u * g + 7471u * b + 32768u) >> 16);
}

tn_status tn_image_size_error(const char *name, uint64_t width, uint64_t height, tn_error *err) {
    return tn_fail(err, TN_ERR_FORMAT, "%s: image size %llux%llu is outside 1..%u pixels a side", name,
                   (unsigned long long)width, (unsigned long long)height, TN_IMAGE_MAX_SIDE);
}

void tn_image_free(tn_image *img) {
    free(img->grey);
    free(img->alpha);
    img->grey = img->alpha = NULL;
    img->width = img->height = 0;
}
