/* The file parsers, on bytes in memory: the same code the file readers run, so fuzzers (fuzz/)
 * and tests can drive them without touching the disk. Every function accepts any bytes and
 * either succeeds or fails with a one-line "NAME: what is wrong". Callers outside the library
 * use twinnet.h's tn_dataset_from_bytes, tn_model_from_bytes and tn_image_from_bytes (which
 * also take gzip and check trailing bytes and size limits as the file readers do). */
#ifndef TN_PARSE_H
#define TN_PARSE_H

#include "util.h"

/* An image file and a label file as read from disk (raw or gzip), into ds: tn_dataset_load
 * without the files. */
tn_status tn_dataset_parse(tn_dataset *ds, const char *images_name, const uint8_t *images, size_t images_size,
                           const char *labels_name, const uint8_t *labels, size_t labels_size, tn_error *err);

/* A model file's bytes (decompressed) into m. */
tn_status tn_model_parse(tn_model *m, const char *name, const uint8_t *buf, size_t size, tn_error *err);

/* A PGM, PNG or JPEG file's bytes into img (grey, and alpha where the file has it); on failure
 * img holds nothing. */
tn_status tn_image_parse(const char *name, const uint8_t *buf, size_t size, tn_image *img, tn_error *err);
/* Its PNG and JPEG parts (png.c, jpeg.c; PGM is image.c's own). */
tn_status tn_png_parse(const char *name, const uint8_t *buf, size_t size, tn_image *img, tn_error *err);
tn_status tn_jpeg_parse(const char *name, const uint8_t *buf, size_t size, tn_image *img, tn_error *err);
/* What those decoders share (pixels.c). */
/* Luma of sRGB as JPEG's own YCbCr defines it (ITU-R BT.601): 0.299 R + 0.587 G + 0.114 B, in
 * 16-bit fixed point (the weights sum to 65536), rounded: how every colour image becomes grey
 * (PNG, CMYK JPEG, RGBA pixels through tn_image_from_rgba: the browser page's canvas; libjpeg's
 * own YCbCr to grey gives the same Y). */
uint8_t tn_luma(uint32_t r, uint32_t g, uint32_t b);
/* The one message for a header's size beyond 1..TN_IMAGE_MAX_SIDE, whatever the format. */
tn_status tn_image_size_error(const char *name, uint64_t width, uint64_t height, tn_error *err);

#endif
