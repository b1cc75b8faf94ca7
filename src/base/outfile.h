/* Atomic output files (see outfile.c): open, write (errors kept), then commit or abort. */
#ifndef TN_OUTFILE_H
#define TN_OUTFILE_H

#include <stdio.h>

#include "util.h"

typedef struct {
    FILE *f;
    int error;          /* first errno seen, 0 if none */
    int direct;         /* writing in place: the destination is a device or a FIFO */
    char path[4096];    /* as the caller named it, for messages */
    char target[4096];  /* what the rename replaces: path, or a symbolic link's target */
    char tmp[4096 + 32]; /* the temporary file beside target, "" once renamed or removed */
} tn_outfile;

tn_status tn_out_open(tn_outfile *o, const char *path, tn_error *err);
void tn_out_write(tn_outfile *o, const void *data, size_t n);   /* errors are kept for commit */
tn_status tn_out_commit(tn_outfile *o, tn_error *err);          /* fsync + rename, or unlink */
void tn_out_abort(tn_outfile *o);

#endif
