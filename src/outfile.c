/* Atomic output files: write to a temporary file in the destination's directory, then
 * fflush, fsync and rename over the destination, and fsync the directory. A crash, a kill or a
 * full disk leaves the old file (or none) and never a half-written one; only a kill can leave
 * a stray temporary "NAME.tmp.*" beside it. A symbolic link is followed (its target is
 * replaced, the link kept); a device or FIFO (/dev/stdout) is written in place. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"

/* A name for the temporary file that no other writer picks: pid, time and attempt mixed. */
static void temp_name(tn_outfile *o, unsigned attempt) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 12 ^ attempt;
    x ^= (uint64_t)(uintptr_t)o; /* two writers in one process */
    x *= 0x9e3779b97f4a7c15u;    /* spread the bits (Fibonacci hashing) */
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%06llx", o->target, (unsigned long long)(x >> 40));
}

tn_status tn_out_open(tn_outfile *o, const char *path, tn_error *err) {
    memset(o, 0, sizeof *o);
    if (!*path) return tn_fail(err, TN_ERR_ARG, "an output file name is empty");
    if (strlen(path) >= sizeof o->target) return tn_fail(err, TN_ERR_ARG, "%s: path too long", path);
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->target, sizeof o->target, "%s", path);
    struct stat st;
    int fd = -1, exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) return tn_fail(err, TN_ERR_IO, "%s: is a directory", path);
    if (exists && !S_ISREG(st.st_mode)) {
        /* Renaming over /dev/null would replace the device (we may be root): write in place. */
        o->direct = 1;
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(errno));
    } else {
        struct stat lst;
        char resolved[PATH_MAX];
        if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && realpath(path, resolved)) {
            if (strlen(resolved) >= sizeof o->target) return tn_fail(err, TN_ERR_ARG, "%s: path too long", path);
            snprintf(o->target, sizeof o->target, "%s", resolved);
        }
        /* open(O_EXCL, 0666) rather than mkstemp: a new file gets the mode the umask gives, like
         * any new file, instead of mkstemp's 0600; a replaced file keeps its mode (below). */
        for (unsigned attempt = 0; fd < 0 && attempt < 100; attempt++) {
            temp_name(o, attempt);
            fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd < 0 && errno != EEXIST) break;
        }
        if (fd < 0) {
            int e = errno;
            o->tmp[0] = 0;
            return tn_fail(err, TN_ERR_IO, "%s: cannot create a temporary file beside it: %s", path, strerror(e));
        }
        if (exists) fchmod(fd, st.st_mode & 07777); /* best effort: a private model stays private */
    }
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int e = errno;
        close(fd);
        if (!o->direct) unlink(o->tmp);
        o->tmp[0] = 0;
        return tn_fail(err, e == ENOMEM ? TN_ERR_NOMEM : TN_ERR_IO, "%s: %s", path, strerror(e));
    }
    return TN_OK;
}

void tn_out_write(tn_outfile *o, const void *data, size_t n) {
    if (o->error || n == 0 || !o->f) return;
    errno = 0;
    if (fwrite(data, 1, n, o->f) != n) o->error = errno ? errno : EIO;
}

/* Makes the rename itself durable: fsync of the directory that holds target. */
static void sync_directory(const char *target) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", target);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd); /* best effort: the data itself is already safe */
    close(fd);
}

tn_status tn_out_commit(tn_outfile *o, tn_error *err) {
    if (!o->f) return tn_fail(err, TN_ERR_IO, "%s: cannot write: not open", o->path);
    if (!o->error && fflush(o->f) != 0) o->error = errno ? errno : EIO;
    /* A terminal, pipe or /dev/null cannot be synced (EINVAL): nothing to make durable. */
    if (!o->error && fsync(fileno(o->f)) != 0 && !(o->direct && (errno == EINVAL || errno == EROFS))) o->error = errno;
    if (fclose(o->f) != 0 && !o->error) o->error = errno ? errno : EIO;
    o->f = NULL;
    if (!o->direct && !o->error && rename(o->tmp, o->target) != 0) o->error = errno;
    if (o->error) {
        if (!o->direct) unlink(o->tmp);
        o->tmp[0] = 0;
        return tn_fail(err, TN_ERR_IO, "%s: cannot write: %s", o->path, strerror(o->error));
    }
    if (!o->direct) sync_directory(o->target);
    o->tmp[0] = 0;
    return TN_OK;
}

void tn_out_abort(tn_outfile *o) {
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (!o->direct && o->tmp[0]) unlink(o->tmp);
    o->tmp[0] = 0;
}

tn_status tn_write_atomic(const char *path, const void *data, size_t n, tn_error *err) {
    tn_outfile o;
    tn_status s = tn_out_open(&o, path, err);
    if (s != TN_OK) return s;
    tn_out_write(&o, data, n);
    return tn_out_commit(&o, err);
}
