/* Reading a whole file (or a block of memory), raw or gzip, into memory: every reader of the
 * project (IDX data sets, model files, images, manifests; traces open through tn_read_open) goes
 * through here. Only a regular file is read: a FIFO, a device or a directory is refused at once,
 * before any byte is read, so nothing can block a reader or feed it without end. Limits: at most `max` bytes
 * after decompression, and with a wanted() callback reading stops as soon as the data holds more
 * than its own header announces, so neither a lying header, a gzip bomb nor /dev/zero costs
 * more memory than the data present. Gzip data must end cleanly: truncated streams, bad CRCs
 * and trailing garbage are errors. Built with TN_NO_ZLIB (WebAssembly), gzip data is refused with
 * a message that says so. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#ifndef TN_NO_ZLIB
#include <zlib.h>
#endif

#include "read.h"

#define CHUNK ((size_t)1 << 16)        /* bytes read from a file at a time */

/* ---- reading raw or gzip bytes, from a file or from memory ------------------------------ */

/* Where compressed or raw bytes come from: a stdio stream, or one block of memory. */
typedef struct {
    FILE *f;
    const uint8_t *mem;
    size_t mem_left;
    int failed;        /* errno of a read error, 0 if none */
} source;

/* Up to CHUNK bytes: into chunk for a file, in place for memory. Returns the count, 0 at the
 * end or on a read error (src->failed says which). */
static size_t source_next(source *src, uint8_t *chunk, const uint8_t **data) {
    if (!src->f) {
        *data = src->mem;
        size_t n = src->mem_left;
        src->mem += n;
        src->mem_left = 0;
        return n;
    }
    size_t n = fread(chunk, 1, CHUNK, src->f);
    if (n == 0 && ferror(src->f)) src->failed = errno ? errno : EIO;
    *data = chunk;
    return n;
}

/* The decompressed bytes, in a buffer that grows by doubling as data arrives (never ahead of
 * it) and is allowed to exceed the limit by one byte, which is how "more than the limit" is
 * seen without reading further. */
typedef struct {
    uint8_t *buf;
    size_t n, cap;
    size_t limit;      /* bytes wanted; lowered once wanted() can tell from the header */
    tn_wanted_fn wanted; /* NULL once asked and answered */
    int over;          /* more bytes exist beyond limit */
} sink;

static void sink_update_limit(sink *s) {
    if (!s->wanted) return;
    size_t want = s->wanted(s->buf, s->n);
    if (want) {
        if (want < s->limit) s->limit = want;
        s->wanted = NULL;
    }
}

/* Makes room for at least one more byte; 0 on success, -1 out of memory. */
static int sink_grow(sink *s, size_t first) {
    if (s->n < s->cap) return 0;
    size_t max = s->limit + 1;
    size_t cap = s->cap ? (s->cap > max / 2 ? max : s->cap * 2) : (first < max ? first : max);
    uint8_t *bigger = realloc(s->buf, cap);
    if (!bigger) return -1;
    s->buf = bigger;
    s->cap = cap;
    return 0;
}

/* Free bytes in the buffer, at most up to the first byte beyond the limit. */
static size_t sink_room(const sink *s) {
    size_t to_limit = s->limit + 1 - s->n;
    return s->cap - s->n < to_limit ? s->cap - s->n : to_limit;
}

/* Raw data: copies chunks into the sink. */
static tn_status decode_raw(const char *name, source *src, sink *s, const uint8_t *data, size_t len,
                            size_t first, tn_error *err) {
    uint8_t *chunk = NULL;
    for (;;) {
        while (len > 0) {
            if (s->n > s->limit) { s->over = 1; goto done; }
            if (sink_grow(s, first) != 0) { free(chunk); return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name); }
            size_t room = sink_room(s), take = len < room ? len : room;
            memcpy(s->buf + s->n, data, take);
            s->n += take;
            data += take;
            len -= take;
            sink_update_limit(s);
        }
        if (s->n > s->limit) { s->over = 1; goto done; }
        if (src->f && !chunk && !(chunk = malloc(CHUNK))) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
        len = source_next(src, chunk, &data);
        if (len == 0) break;
    }
done:
    free(chunk);
    if (src->failed) return tn_fail(err, TN_ERR_IO, "%s: %s", name, strerror(src->failed));
    return TN_OK;
}

#ifdef TN_NO_ZLIB
static tn_status decode_gzip(const char *name, source *src, sink *s, const uint8_t *data, size_t len,
                             size_t first, tn_error *err) {
    (void)src; (void)s; (void)data; (void)len; (void)first;
    return tn_fail(err, TN_ERR_FORMAT, "%s: gzip data, and this build of twinnet has no zlib: decompress it first", name);
}
#else
/* zlib allocates through these, so allocation-failure tests (which wrap malloc) reach it. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
    (void)opaque;
    return size && items > SIZE_MAX / size ? NULL : malloc((size_t)items * size);
}
static void z_free(voidpf opaque, voidpf p) { (void)opaque; free(p); }

/* gzip data, member after member, into the sink. */
static tn_status decode_gzip(const char *name, source *src, sink *s, const uint8_t *data, size_t len,
                             size_t first, tn_error *err) {
    z_stream z;
    memset(&z, 0, sizeof z);
    z.zalloc = z_alloc;
    z.zfree = z_free;
    int r = inflateInit2(&z, 16 + MAX_WBITS); /* gzip wrapper only, CRC-32 and length checked */
    if (r != Z_OK) return tn_fail(err, r == Z_MEM_ERROR ? TN_ERR_NOMEM : TN_ERR_FORMAT, "%s: cannot start gzip decoding", name);
    uint8_t *chunk = NULL;
    tn_status st = TN_OK;
    int ended = 0; /* the last member ended; more input must be another member */
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = len > UINT_MAX ? UINT_MAX : (uInt)len;
    size_t mem_rest = len - z.avail_in; /* memory input beyond 4 GiB is fed in parts */
    for (;;) {
        if (z.avail_in == 0) {
            if (mem_rest) {
                size_t part = mem_rest > UINT_MAX ? UINT_MAX : mem_rest;
                z.avail_in = (uInt)part;
                mem_rest -= part;
            } else {
                if (src->f && !chunk && !(chunk = malloc(CHUNK))) { st = tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name); break; }
                size_t got = source_next(src, chunk, &data);
                if (got == 0) {
                    if (src->failed) st = tn_fail(err, TN_ERR_IO, "%s: %s", name, strerror(src->failed));
                    else if (!ended) st = tn_fail(err, TN_ERR_FORMAT, "%s: truncated gzip data (unexpected end of file)", name);
                    break;
                }
                z.next_in = (Bytef *)(uintptr_t)data;
                size_t part = got > UINT_MAX ? UINT_MAX : got;
                z.avail_in = (uInt)part;
                mem_rest = got - part;
            }
        }
        if (ended) {
            if (z.next_in[0] != 0x1f) { st = tn_fail(err, TN_ERR_FORMAT, "%s: trailing garbage after the gzip data", name); break; }
            inflateReset(&z);
            ended = 0;
        }
        if (s->n > s->limit) { s->over = 1; break; }
        if (sink_grow(s, first) != 0) { st = tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name); break; }
        size_t room = sink_room(s);
        z.next_out = s->buf + s->n;
        z.avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
        uInt before = z.avail_out;
        r = inflate(&z, Z_NO_FLUSH);
        s->n += before - z.avail_out;
        sink_update_limit(s);
        if (r == Z_STREAM_END) ended = 1;
        else if (r == Z_MEM_ERROR) { st = tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name); break; }
        else if (r == Z_DATA_ERROR || r == Z_NEED_DICT || r == Z_STREAM_ERROR) {
            st = tn_fail(err, TN_ERR_FORMAT, "%s: corrupt gzip data: %s", name, z.msg ? z.msg : "bad stream");
            break;
        }
        /* Z_OK and Z_BUF_ERROR: progress needs more input or room; the loop provides both. */
    }
    if (s->n > s->limit) s->over = 1;
    inflateEnd(&z);
    free(chunk);
    return st;
}
#endif

/* Reads src (raw or gzip, told by the first two bytes) into a fresh buffer. first: a good
 * initial capacity (the file size, when known). */
static tn_status decode(const char *name, source *src, size_t max, tn_wanted_fn wanted, size_t first, uint8_t **out,
                        size_t *size, int *over, tn_error *err) {
    *out = NULL;
    *size = 0;
    *over = 0;
    sink s = {NULL, 0, 0, max, wanted, 0};
    uint8_t head[2];
    const uint8_t *data = head;
    size_t len;
    /* Two bytes decide the format; for a file, read them alone, then chunk by chunk. */
    if (src->f) {
        len = fread(head, 1, 2, src->f);
        if (len < 2 && ferror(src->f)) return tn_fail(err, TN_ERR_IO, "%s: %s", name, strerror(errno ? errno : EIO));
    } else {
        data = src->mem;
        len = src->mem_left;
        src->mem_left = 0;
    }
    tn_status st;
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        first = first < max / 4 ? first * 4 : max; /* MNIST compresses about 4.5:1 */
        if (first < 4096) first = 4096;
        if (src->f) {
            uint8_t *chunk = malloc(CHUNK);
            if (!chunk) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
            memcpy(chunk, head, 2);
            size_t more = fread(chunk + 2, 1, CHUNK - 2, src->f);
            if (more == 0 && ferror(src->f)) src->failed = errno ? errno : EIO;
            st = src->failed ? tn_fail(err, TN_ERR_IO, "%s: %s", name, strerror(src->failed))
                             : decode_gzip(name, src, &s, chunk, 2 + more, first, err);
            free(chunk);
        } else {
            st = decode_gzip(name, src, &s, data, len, first, err);
        }
    } else {
        st = decode_raw(name, src, &s, data, len, first + 1, err);
    }
    if (st != TN_OK) { free(s.buf); return st; }
    if (s.n > s.limit) s.n = s.limit; /* the byte beyond only told us there is more */
    *out = s.buf ? s.buf : malloc(1); /* an empty file is a valid (empty) result */
    if (!*out) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory", name);
    *size = s.n;
    *over = s.over;
    return TN_OK;
}

/* What a file that is not a regular one is, for the message. */
static const char *file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
#ifdef S_ISSOCK
    if (S_ISSOCK(mode)) return "a socket";
#endif
    return "not a file";
}

tn_status tn_read_open(const char *path, FILE **f, uint64_t *size, tn_error *err) {
    *f = NULL;
    if (size) *size = 0;
    /* O_NONBLOCK: opening a FIFO without a writer (or a tape, a modem) returns at once */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return tn_fail(err, errno == ENOMEM ? TN_ERR_NOMEM : TN_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return tn_fail(err, TN_ERR_IO, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return tn_fail(err, TN_ERR_IO, "%s: is %s, not a regular file", path, file_kind(st.st_mode));
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK); /* best effort: regular files never block anyway */
    if (!(*f = fdopen(fd, "rb"))) {
        int e = errno;
        close(fd);
        return tn_fail(err, e == ENOMEM ? TN_ERR_NOMEM : TN_ERR_IO, "%s: %s", path, strerror(e));
    }
    if (size) *size = (uint64_t)st.st_size;
    return TN_OK;
}

tn_status tn_read_file_as(const char *path, size_t max, tn_wanted_fn wanted, uint8_t **out, size_t *size,
                          int *over, tn_error *err) {
    *out = NULL;
    *size = 0;
    *over = 0;
    FILE *f;
    uint64_t bytes;
    tn_status s = tn_read_open(path, &f, &bytes, err);
    if (s != TN_OK) return s;
    /* The file's size is a good first capacity (it may still grow while we read: the limits hold). */
    size_t first = bytes > 0 && bytes <= max ? (size_t)bytes : CHUNK;
    source src = {f, NULL, 0, 0};
    s = decode(path, &src, max, wanted, first, out, size, over, err);
    fclose(f);
    return s;
}

tn_status tn_decode_mem_as(const char *name, const uint8_t *in, size_t n, size_t max, tn_wanted_fn wanted,
                          uint8_t **out, size_t *size, int *over, tn_error *err) {
    source src = {NULL, in, n, 0};
    return decode(name, &src, max, wanted, n < CHUNK ? n : CHUNK, out, size, over, err);
}

/* Without a wanted(): more than max bytes is an error, not a cut. */
static tn_status whole(tn_status s, const char *name, size_t max, int over, uint8_t **out, size_t *size,
                       tn_error *err) {
    if (s != TN_OK || !over) return s;
    free(*out);
    *out = NULL;
    *size = 0;
    return tn_fail(err, TN_ERR_FORMAT, "%s: larger than the limit of %zu bytes", name, max);
}

tn_status tn_read_file(const char *path, size_t max, uint8_t **out, size_t *size, tn_error *err) {
    int over;
    tn_status s = tn_read_file_as(path, max, NULL, out, size, &over, err);
    return whole(s, path, max, over, out, size, err);
}

tn_status tn_decode_mem(const char *name, const uint8_t *in, size_t n, size_t max, uint8_t **out,
                        size_t *size, tn_error *err) {
    int over;
    tn_status s = tn_decode_mem_as(name, in, n, max, NULL, out, size, &over, err);
    return whole(s, name, max, over, out, size, err);
}
