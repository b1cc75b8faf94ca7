/* Atomic output files: write to a temporary file in the destination's directory, then
 * fflush, fsync and rename over the destination, and fsync the directory. A crash, a kill or a
 * full disk leaves the old file (or none) and never a half-written one; only a kill can leave
 * a stray temporary "NAME.tmp.*" beside it. A symbolic link is followed to the end of its chain
 * (its target is replaced, or created when the link dangles; the link is kept); a device or FIFO
 * (/dev/stdout) is written in place. */
#define _XOPEN_SOURCE 700 /* realpath, readlink */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"

#ifdef __wasi__
/* WASI (the WebAssembly build) has no absolute paths, no file modes and no process ids: a
 * symbolic link is replaced rather than followed, names are compared by inode alone, and the
 * temporary name mixes time and address only. */
#define realpath(path, resolved) ((void)(path), (void)(resolved), (char *)NULL)
#define fchmod(fd, mode) ((void)(fd), (void)(mode), 0)
#define getpid() 0
#endif

/* Where writing to path lands: path itself, or the end of its chain of symbolic links, which
 * need not exist (a dangling link: the file it names is created, as the shell's > does). 0, or
 * an errno: ELOOP for a cycle, ENAMETOOLONG. */
static int link_target(const char *path, char *out, size_t cap) {
    char cur[PATH_MAX];
    if (strlen(path) >= sizeof cur) return ENAMETOOLONG;
    strcpy(cur, path);
#ifndef __wasi__ /* WASI: the link itself is replaced (see above) */
    char link[PATH_MAX];
    struct stat st;
    for (int hops = 0; lstat(cur, &st) == 0 && S_ISLNK(st.st_mode); hops++) {
        if (hops == 40) return ELOOP; /* Linux's own limit */
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) return errno;
        link[n] = 0;
        char *slash = strrchr(cur, '/');
        size_t keep = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1; /* relative to the link's directory */
        if (keep + (size_t)n >= sizeof cur) return ENAMETOOLONG;
        memcpy(cur + keep, link, (size_t)n + 1);
    }
#endif
    if (strlen(cur) >= cap) return ENAMETOOLONG;
    strcpy(out, cur);
    return 0;
}

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
        int link_error = link_target(path, o->target, sizeof o->target);
        if (link_error) return tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(link_error));
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

/* ---- before any long work: can every output be written, and is none an input? -------------- */

/* DIR/NAME with DIR resolved (links, "..", "."): how two names of a file that does not exist yet
 * can be compared. 0 if the directory cannot be resolved. */
static int canonical_name(const char *path, char *out, size_t cap) {
    char dir_copy[4096], base_copy[4096], dir[PATH_MAX];
    if (strlen(path) >= sizeof dir_copy) return 0;
    strcpy(dir_copy, path);
    strcpy(base_copy, path);
    if (!realpath(dirname(dir_copy), dir)) return 0;
    return snprintf(out, cap, "%s/%s", dir, basename(base_copy)) < (int)cap;
}

/* Two names of one file: the same device and inode, or where it does not exist yet, the same
 * canonical name (after following a dangling link to the name it would create). */
static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char ta[4096], tb[4096], ca[PATH_MAX + 256], cb[PATH_MAX + 256];
    if (link_target(a, ta, sizeof ta) || link_target(b, tb, sizeof tb)) return 0;
    return canonical_name(ta, ca, sizeof ca) && canonical_name(tb, cb, sizeof cb) && strcmp(ca, cb) == 0;
}

/* A file we may not write to: no write permission for us (root: no write bit at all, since
 * root may write anything and mode 0444 is then the only sign that the file is meant to stay). */
static int read_only(const char *path, const struct stat *st) {
#ifdef __wasi__
    (void)path; (void)st;
    return 0; /* WASI has no file modes */
#else
    return geteuid() == 0 ? !(st->st_mode & 0222) : access(path, W_OK) != 0;
#endif
}

tn_status tn_out_check(const char *out, const char *const *inputs, int n_inputs, const char *const *outputs,
                       int n_outputs, int force, tn_error *err) {
    if (!*out) return tn_fail(err, TN_ERR_ARG, "an output file name is empty");
    if (strlen(out) >= 4096) return tn_fail(err, TN_ERR_ARG, "%s: path too long", out);
    char target[4096];
    int e = link_target(out, target, sizeof target);
    if (e) return tn_fail(err, TN_ERR_ARG, "%s: %s", out, strerror(e));
    struct stat st;
    int exists = stat(target, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) return tn_fail(err, TN_ERR_ARG, "%s: is a directory, not a file name", out);
    if (!exists || S_ISREG(st.st_mode)) {
        /* the temporary file goes beside the target (a link's target, which may not exist yet) */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", target);
        const char *d = dirname(dir);
        struct stat sd;
        if (stat(d, &sd) != 0 || !S_ISDIR(sd.st_mode))
            return tn_fail(err, TN_ERR_ARG, "%s: no such directory: %s", out, d);
        if (access(d, W_OK | X_OK) != 0)
            return tn_fail(err, TN_ERR_ARG, "%s: cannot write in directory %s: %s", out, d, strerror(errno));
    }
    if (exists && S_ISREG(st.st_mode) && !force && read_only(target, &st))
        return tn_fail(err, TN_ERR_ARG, "%s: is read-only (mode %04o); it is replaced only when forced (--force)", out,
                       (unsigned)(st.st_mode & 07777));
    for (int i = 0; i < n_inputs; i++)
        if (inputs[i] && same_file(out, inputs[i]))
            return tn_fail(err, TN_ERR_ARG, "%s: is the same file as %s, which this command reads", out, inputs[i]);
    for (int i = 0; i < n_outputs; i++)
        if (outputs[i] && outputs[i] != out && same_file(out, outputs[i]))
            return tn_fail(err, TN_ERR_ARG, "%s: is the same file as %s, which this command also writes", out, outputs[i]);
    return TN_OK;
}
