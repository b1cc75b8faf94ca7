/* Atomic output files: write to a temporary file in the destination's directory, then
 * fflush, fsync and rename over the destination. A crash, a kill or a full disk leaves the
 * old file (or none) and never a half-written one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io.h"

tn_status tn_out_open(tn_outfile *o, const char *path, tn_error *err) {
    memset(o, 0, sizeof *o);
    if (strlen(path) + 16 > sizeof o->tmp) return tn_fail(err, TN_ERR_ARG, "%s: path too long", path);
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) return tn_fail(err, TN_ERR_IO, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        return tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(e));
    }
    return TN_OK;
}

void tn_out_write(tn_outfile *o, const void *data, size_t n) {
    if (o->error || n == 0) return;
    if (fwrite(data, 1, n, o->f) != n) o->error = errno ? errno : EIO;
}

tn_status tn_out_commit(tn_outfile *o, tn_error *err) {
    if (!o->error && fflush(o->f) != 0) o->error = errno;
    if (!o->error && fsync(fileno(o->f)) != 0) o->error = errno;
    if (fclose(o->f) != 0 && !o->error) o->error = errno;
    o->f = NULL;
    if (!o->error && rename(o->tmp, o->path) != 0) o->error = errno;
    if (o->error) {
        unlink(o->tmp);
        return tn_fail(err, TN_ERR_IO, "%s: cannot write: %s", o->path, strerror(o->error));
    }
    return TN_OK;
}

void tn_out_abort(tn_outfile *o) {
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (o->tmp[0]) unlink(o->tmp);
}

tn_status tn_write_atomic(const char *path, const void *data, size_t n, tn_error *err) {
    tn_outfile o;
    tn_status s = tn_out_open(&o, path, err);
    if (s != TN_OK) return s;
    tn_out_write(&o, data, n);
    return tn_out_commit(&o, err);
}
