/* The parsers behind the file readers, on bytes in memory: the same code the readers run, so
 * fuzzers (fuzz/) and tests can drive it without touching the disk. Every function accepts
 * any bytes and either succeeds or fails with a one-line "NAME: what is wrong". */
#ifndef TN_PARSE_H
#define TN_PARSE_H

#include "internal.h"

/* Raw bytes, or gzip (one or more members) decompressed: what tn_read_file does to a file.
 * Fails when the result would exceed max bytes, or the gzip data is corrupt, truncated or
 * followed by anything but another gzip member. */
tn_status tn_decode_mem(const char *name, const uint8_t *in, size_t n, size_t max, uint8_t **out,
                        size_t *size, tn_error *err);

/* How many bytes a file should hold, judged from its first n (decompressed) bytes: 0 while
 * it cannot tell yet, SIZE_MAX for "no idea, read on". */
typedef size_t (*tn_wanted_fn)(const uint8_t *head, size_t n);

/* tn_read_file that stops once the file holds more than wanted() says (*over = 1 then, and the
 * result is cut there): a lying header or /dev/zero costs no more memory than the file's own
 * header announces. */
tn_status tn_read_file_as(const char *path, size_t max, tn_wanted_fn wanted, uint8_t **out, size_t *size,
                          int *over, tn_error *err);

/* An image file and a label file as read from disk (raw or gzip), into ds: tn_dataset_load
 * without the files. */
tn_status tn_dataset_parse(tn_dataset *ds, const char *images_name, const uint8_t *images, size_t images_size,
                           const char *labels_name, const uint8_t *labels, size_t labels_size, tn_error *err);

/* A model file's bytes (decompressed) into m; tn_model_serialize writes exactly the bytes that
 * tn_model_save stores (*buf: malloc'd, the caller frees). */
tn_status tn_model_parse(tn_model *m, const char *name, const uint8_t *buf, size_t size, tn_error *err);
tn_status tn_model_serialize(const tn_model *m, const char *name, uint8_t **buf, size_t *size, tn_error *err);

/* A PGM or PNG file's bytes into 8-bit grayscale pixels (malloc'd, row-major). */
tn_status tn_image_parse(const char *name, const uint8_t *buf, size_t size, uint8_t **pixels,
                         uint32_t *width, uint32_t *height, tn_error *err);

#endif
