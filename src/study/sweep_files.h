/* The files inside a sweep's directory (sweep_files.c): never through a symbolic link, read as
 * regular files of bounded size, written by rename over the name itself; the directory's lock. */
#ifndef TN_SWEEP_FILES_H
#define TN_SWEEP_FILES_H

#include "util.h"

/* DIR/NAME read whole (a regular file of at most max bytes, never through a link: O_NOFOLLOW). */
tn_status tn_sweep_file_read(const char *dir, const char *name, size_t max, uint8_t **out, size_t *size, tn_error *err);
/* The same, where the first max bytes (or the whole file if smaller) tell how large the file may
 * be: limit(head, n) gives that size, and a larger file is refused before the rest is read. */
typedef size_t (*tn_limit_fn)(const uint8_t *head, size_t n);
tn_status tn_sweep_file_read_as(const char *dir, const char *name, size_t max, tn_limit_fn limit, uint8_t **out,
                                size_t *size, tn_error *err);
/* DIR/NAME as a model, read that way. */
tn_status tn_sweep_model_load(const char *dir, const char *name, tn_model *m, tn_error *err);
/* 1 if DIR/NAME is a regular file (not a link to one); 0 when missing; TN_ERR_IO names a link. */
tn_status tn_sweep_file_kind(const char *dir, const char *name, int *regular, tn_error *err);
/* DIR/NAME replaced atomically (a temporary file beside it, fsync, rename over the name: a link
 * there is an error naming it, and a link planted after the check is replaced, never followed). */
tn_status tn_sweep_file_write(const char *dir, const char *name, const void *data, size_t n, tn_error *err);
/* n bytes appended to DIR/NAME (which must exist, a regular file) with one write, then fsync. */
tn_status tn_sweep_file_append(const char *dir, const char *name, const void *data, size_t n, tn_error *err);
/* FROM (a file in a private directory) renamed to DIR/NAME, a link there refused. */
tn_status tn_sweep_file_move(const char *from, const char *dir, const char *name, tn_error *err);
/* Removes what a killed sweep left in DIR: the private directories of runs under way (.run-*)
 * and temporary files (NAME.tmp.*); a shard (count > 1) only its own runs' and its record's. */
void tn_sweep_clean(const tn_sweep *sw, uint32_t index, uint32_t count, const char *record);

#endif
