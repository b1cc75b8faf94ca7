/* The files inside a sweep's directory, and its lock. No name inside DIR is followed as a
 * symbolic link: reads open with O_NOFOLLOW (and must find a regular file of bounded size);
 * writes go to a new temporary file (O_EXCL, which never follows a link) and are renamed over
 * the name, which replaces whatever entry is there and never follows it; a link found there is
 * an error naming it. The lock (tn_sweep_lock) is an fcntl() record lock on DIR/.lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read.h"
#include "sweep_files.h"

#ifdef __wasi__
#define getpid() 0 /* WASI has no process ids (one process: O_EXCL does the rest) */
#endif

static int join(char *out, size_t cap, const char *dir, const char *name) {
    return snprintf(out, cap, "%s/%s", dir, name) < (int)cap;
}

tn_status tn_sweep_file_kind(const char *dir, const char *name, int *regular, tn_error *err) {
    char path[TN_PATH_CAP];
    struct stat st;
    *regular = 0;
    if (!join(path, sizeof path, dir, name)) return tn_fail(err, TN_ERR_ARG, "%s: path too long", dir);
    if (lstat(path, &st) != 0) return errno == ENOENT ? TN_OK : tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return tn_fail(err, TN_ERR_IO, "%s: is a symbolic link inside the sweep directory, which twinnet never follows: "
                       "remove it", path);
    *regular = S_ISREG(st.st_mode);
    return TN_OK;
}

tn_status tn_sweep_file_read_as(const char *dir, const char *name, size_t max, tn_limit_fn limit, uint8_t **out,
                                size_t *size, tn_error *err) {
    char path[TN_PATH_CAP];
    *out = NULL;
    *size = 0;
    if (!join(path, sizeof path, dir, name)) return tn_fail(err, TN_ERR_ARG, "%s: path too long", dir);
    /* O_NONBLOCK: a FIFO planted here must not block the open; the type is checked next. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno, regular;
        if (e == ELOOP && tn_sweep_file_kind(dir, name, &regular, err) != TN_OK) return TN_ERR_IO; /* names the link */
        return tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(e));
    }
    struct stat st;
    tn_status s = TN_OK;
    size_t want = 0;
    if (fstat(fd, &st) != 0) s = tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode)) s = tn_fail(err, TN_ERR_IO, "%s: not a regular file", path);
    else if ((uint64_t)st.st_size > (limit ? (uint64_t)SIZE_MAX / 2 : max))
        s = tn_fail(err, TN_ERR_FORMAT, "%s: larger than the limit of %zu bytes", path, max);
    else if (!(*out = malloc((want = (size_t)st.st_size) + 1))) s = tn_fail(err, TN_ERR_NOMEM, "out of memory");
    /* With limit: the first max bytes (at most) say how large the file may be, before the rest
     * is read. A file that grows while read is cut at the size fstat gave. */
    for (int part = limit ? 0 : 1; s == TN_OK && part < 2; part++) {
        size_t goal = part == 0 && want > max ? max : want;
        while (s == TN_OK && *size < goal) {
            ssize_t n = read(fd, *out + *size, goal - *size);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) s = tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(errno));
            else if (n == 0) goal = want = *size; /* shrunk meanwhile: what is there */
            else *size += (size_t)n;
        }
        size_t allowed = part == 0 && s == TN_OK ? limit(*out, *size) : SIZE_MAX;
        if (part == 0 && s == TN_OK && want > allowed)
            s = tn_fail(err, TN_ERR_FORMAT, "%s: %zu bytes, more than its header allows (at most %zu)", path, want, allowed);
    }
    close(fd);
    if (s != TN_OK) { free(*out); *out = NULL; *size = 0; }
    return s;
}

tn_status tn_sweep_file_read(const char *dir, const char *name, size_t max, uint8_t **out, size_t *size, tn_error *err) {
    return tn_sweep_file_read_as(dir, name, max, NULL, out, size, err);
}

tn_status tn_sweep_model_load(const char *dir, const char *name, tn_model *m, tn_error *err) {
    uint8_t *bytes;
    size_t size;
    char path[TN_PATH_CAP];
    tn_status s = tn_sweep_file_read(dir, name, TN_MAX_FILE, &bytes, &size, err);
    if (s != TN_OK) return s;
    join(path, sizeof path, dir, name);
    s = tn_model_from_bytes(m, path, bytes, size, err);
    free(bytes);
    return s;
}

tn_status tn_sweep_load_run(const tn_sweep *sw, uint32_t r, tn_model *m, tn_error *err) {
    char name[32], file[48];
    if (r >= tn_sweep_total(sw)) return tn_fail(err, TN_ERR_ARG, "sweep: run %u of %u", r, tn_sweep_total(sw));
    tn_sweep_run_name(sw, r, name);
    snprintf(file, sizeof file, "%s.tnm", name);
    return tn_sweep_model_load(sw->dir, file, m, err);
}

static tn_status rename_in(const char *from, const char *dir, const char *name, tn_error *err) {
    char path[TN_PATH_CAP];
    int regular;
    tn_status s = tn_sweep_file_kind(dir, name, &regular, err);
    if (s != TN_OK) return s;
    join(path, sizeof path, dir, name);
    if (rename(from, path) != 0) return tn_fail(err, TN_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return TN_OK;
}

tn_status tn_sweep_file_move(const char *from, const char *dir, const char *name, tn_error *err) {
    tn_status s = rename_in(from, dir, name, err);
    if (s != TN_OK) unlink(from);
    return s;
}

tn_status tn_sweep_file_write(const char *dir, const char *name, const void *data, size_t n, tn_error *err) {
    char tmp[TN_PATH_CAP];
    int fd = -1;
    for (unsigned attempt = 0; fd < 0 && attempt < 100; attempt++) {
        if (snprintf(tmp, sizeof tmp, "%s/%s.tmp.%ld.%u", dir, name, (long)getpid(), attempt) >= (int)sizeof tmp)
            return tn_fail(err, TN_ERR_ARG, "%s: path too long", dir);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) return tn_fail(err, TN_ERR_IO, "%s/%s: cannot create a temporary file beside it: %s", dir, name, strerror(errno));
    const char *p = data;
    int e = 0;
    for (size_t done = 0; done < n && !e;) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) e = errno;
        else done += (size_t)w;
    }
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (e) {
        unlink(tmp);
        return tn_fail(err, TN_ERR_IO, "%s/%s: cannot write: %s", dir, name, strerror(e));
    }
    tn_status s = tn_sweep_file_move(tmp, dir, name, err);
    if (s == TN_OK && (fd = open(dir, O_RDONLY | O_CLOEXEC)) >= 0) { fsync(fd); close(fd); } /* the rename, durable */
    return s;
}

tn_status tn_sweep_file_append(const char *dir, const char *name, const void *data, size_t n, tn_error *err) {
    char path[TN_PATH_CAP];
    if (!join(path, sizeof path, dir, name)) return tn_fail(err, TN_ERR_ARG, "%s: path too long", dir);
    int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno, regular;
        if (e == ELOOP && tn_sweep_file_kind(dir, name, &regular, err) != TN_OK) return TN_ERR_IO;
        return tn_fail(err, TN_ERR_IO, "%s: cannot append: %s", path, strerror(e));
    }
    struct stat st;
    ssize_t w = 0;
    int e = fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
    /* One write: the line lands whole or, killed in the middle, as a cut last line that the
     * reader ignores and the next start removes. */
    while (!e && (w = write(fd, data, n)) < 0 && errno == EINTR) {}
    if (!e && w < 0) e = errno;
    else if (!e && (size_t)w != n) e = ENOSPC;
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    return e ? tn_fail(err, TN_ERR_IO, "%s: cannot append: %s", path, e == EINVAL ? "not a regular file" : strerror(e)) : TN_OK;
}

/* ---- what a kill left behind ------------------------------------------------------------------ */
/* The run .run-SOURCE-III.XXXXXX was made for, or UINT32_MAX. */
static uint32_t private_run(const tn_sweep *sw, const char *entry) {
    char source[16];
    unsigned index;
    int used = -1;
    if (sscanf(entry, ".run-%15[a-z]-%u.%n", source, &index, &used) != 2 || used < 0 || index >= sw->runs) return UINT32_MAX;
    for (int k = 0; k < sw->n_sources; k++)
        if (strcmp(tn_vary_names[sw->sources[k]], source) == 0) return (uint32_t)k * sw->runs + index;
    return UINT32_MAX;
}

void tn_sweep_clean(const tn_sweep *sw, uint32_t index, uint32_t count, const char *record) {
    DIR *d = opendir(sw->dir);
    if (!d) return;
    size_t record_len = strlen(record);
    for (struct dirent *e; (e = readdir(d));) {
        char path[TN_PATH_CAP];
        if (!join(path, sizeof path, sw->dir, e->d_name)) continue;
        uint32_t r = private_run(sw, e->d_name);
        if (r != UINT32_MAX && (count <= 1 || r % count == index)) {
            DIR *p = opendir(path);
            for (struct dirent *f; p && (f = readdir(p));) {
                char inner[4500];
                if (f->d_name[0] != '.' && snprintf(inner, sizeof inner, "%s/%s", path, f->d_name) < (int)sizeof inner) unlink(inner);
            }
            if (p) closedir(p);
            rmdir(path);
        } else if (count <= 1 ? strstr(e->d_name, ".tmp.") && (strncmp(e->d_name, "manifest", 8) == 0 ||
                                                                strncmp(e->d_name, "attribution.", 12) == 0)
                              : strncmp(e->d_name, record, record_len) == 0 && strncmp(e->d_name + record_len, ".tmp.", 5) == 0)
            unlink(path); /* unlink removes a link itself, never its target */
    }
    closedir(d);
}

/* ---- the lock --------------------------------------------------------------------------------
 * fcntl() record locks, not flock(): NFS carries them to the server (NLM for NFSv3, the protocol
 * itself for v4), where flock() was once only local (Linux before 2.6.12) and is now emulated by
 * them anyway. They are the process's own (F_SETLK, not open file description locks): the pool's
 * forked children do not inherit them and cannot release them, and the parent holds them for the
 * sweep's whole life; the kernel (or the NFS server) drops them when the process ends, so a kill
 * leaves no stale lock. Byte 0: exclusive for a whole sweep or a merge, shared for a shard; shard
 * K of N also holds the byte of its own (1 + N(N-1)/2 + K - 1) exclusively, so the same shard
 * cannot run twice at once, while different shards can. The file stays empty (a sweep's
 * directory holds the same bytes however it was run); F_GETLK names the holder's pid, which
 * NFS may not know (the message then has none). */
#ifdef __wasi__
tn_status tn_sweep_lock(const char *dir, uint32_t index, uint32_t count, int *fd, tn_error *err) {
    (void)dir; (void)index; (void)count; (void)err;
    *fd = -1; /* WASI has no record locks (and runs one process) */
    return TN_OK;
}
#else
static int lock_range(int fd, short type, off_t start, pid_t *holder) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = start;
    fl.l_len = 1;
    while (fcntl(fd, F_SETLK, &fl) != 0) {
        if (errno == EINTR) continue;
        int e = errno;
        *holder = 0;
        fl.l_type = type;
        if ((e == EACCES || e == EAGAIN) && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) *holder = fl.l_pid;
        return e;
    }
    return 0;
}

tn_status tn_sweep_lock(const char *dir, uint32_t index, uint32_t count, int *fd, tn_error *err) {
    char path[TN_PATH_CAP];
    struct stat st;
    *fd = -1;
    /* Shards started at once all find no directory: EEXIST is theirs. A reader makes none. */
    if (count > 0 && mkdir(dir, 0777) != 0 && errno != EEXIST)
        return tn_fail(err, TN_ERR_IO, "%s: cannot create the sweep directory: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0) return tn_fail(err, TN_ERR_IO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return tn_fail(err, TN_ERR_ARG, "%s: not a directory", dir);
    if (!join(path, sizeof path, dir, ".lock")) return tn_fail(err, TN_ERR_ARG, "%s: path too long", dir);
    /* A reader makes no lock file: none means no sweep ever ran there with a lock to take. */
    int f = count == 0 ? open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
                       : open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    if (f < 0 && count == 0 && errno == ENOENT) return TN_OK;
    if (f < 0) {
        int regular;
        if (errno == ELOOP && tn_sweep_file_kind(dir, ".lock", &regular, err) != TN_OK) return TN_ERR_IO;
        return tn_fail(err, TN_ERR_IO, "%s: cannot open the sweep's lock: %s", path, strerror(errno));
    }
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(f);
        return tn_fail(err, TN_ERR_IO, "%s: the sweep's lock is not a regular file", path);
    }
    pid_t holder = 0;
    int whole = count == 1, reader = count == 0;
    int e = lock_range(f, whole ? F_WRLCK : F_RDLCK, 0, &holder);
    if (!e && !whole && !reader) e = lock_range(f, F_WRLCK, (off_t)(1 + (uint64_t)count * (count - 1) / 2 + index), &holder);
    if (e) {
        close(f);
        if (e != EACCES && e != EAGAIN)
            return tn_fail(err, TN_ERR_IO, "%s: cannot lock the sweep directory: %s", dir, strerror(e));
        if (holder > 0) return tn_fail(err, TN_ERR_IO, "%s: another twinnet (pid %ld) is using this sweep directory", dir, (long)holder);
        return tn_fail(err, TN_ERR_IO, "%s: another twinnet is using this sweep directory", dir);
    }
    *fd = f;
    return TN_OK;
}
#endif

void tn_sweep_unlock(int fd) {
    if (fd >= 0) close(fd); /* closing releases the process's locks on the file */
}
