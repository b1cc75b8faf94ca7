/* Reading files (see read.c): a whole file or a block of memory, raw or gzip (one or more
 * members), into one malloc'd buffer, within a size limit. */
#ifndef TN_READ_H
#define TN_READ_H

#include <stdio.h>

#include "util.h"

#define TN_MAX_FILE ((size_t)1 << 31) /* 2 GiB: the largest file any reader accepts */

/* How many bytes a file should hold, judged from its first n (decompressed) bytes: 0 while
 * it cannot tell yet, SIZE_MAX for "no idea, read on". */
typedef size_t (*tn_wanted_fn)(const uint8_t *head, size_t n);

/* Opens path for reading if it is a regular file; a directory, FIFO, device or socket is refused
 * at once with a one-line message (the open never blocks). size (may be NULL): its size now. */
tn_status tn_read_open(const char *path, FILE **f, uint64_t *size, tn_error *err);

/* tn_read_file that stops once the file holds more than wanted() says (*over = 1 then, and the
 * result is cut there): a lying header or /dev/zero costs no more memory than the file's own
 * header announces. wanted may be NULL: then *over says the file exceeds max. */
tn_status tn_read_file_as(const char *path, size_t max, tn_wanted_fn wanted, uint8_t **out, size_t *size,
                          int *over, tn_error *err);
/* The same on bytes in memory (name is for messages). */
tn_status tn_decode_mem_as(const char *name, const uint8_t *in, size_t n, size_t max, tn_wanted_fn wanted,
                          uint8_t **out, size_t *size, int *over, tn_error *err);
/* Raw bytes, or gzip decompressed, as tn_read_file does to a file: more than max bytes, corrupt,
 * truncated, or followed by anything but another gzip member is an error. */
tn_status tn_decode_mem(const char *name, const uint8_t *in, size_t n, size_t max, uint8_t **out,
                        size_t *size, tn_error *err);

#endif
