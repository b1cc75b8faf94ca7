/* Reading NumPy archives: a zip (PKWARE APPNOTE 6.3.x) read through its central directory, each
 * member stored (np.savez) or deflated (np.savez_compressed: zlib's raw inflate), its CRC-32
 * checked; each member an .npy file (version 1, 2 or 3: magic, a header dict in Python's literal
 * syntax, then the data) of little- or big-endian floats in C order. Every offset and size is
 * checked against the buffer before it is used; nothing is allocated before a size is known. */
#include <stdio.h>
#include <stdlib.h>
#ifndef TN_NO_ZLIB
#include <zlib.h>
#endif

#include "import.h"

#define ZIP_MAX_RATIO 1040u   /* deflate's best ratio is about 1032:1: a larger claim is a lie */

static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }

/* ---- .npy --------------------------------------------------------------------------------- */
typedef struct { const char *s, *end; } cursor;

static void skip_space(cursor *c) { while (c->s < c->end && (*c->s == ' ' || *c->s == '\t')) c->s++; }
static int take(cursor *c, char ch) {
    skip_space(c);
    if (c->s < c->end && *c->s == ch) { c->s++; return 1; }
    return 0;
}
/* A quoted Python string (no escapes: none of the header's keys and values has one). */
static int quoted(cursor *c, char *out, size_t cap) {
    skip_space(c);
    if (c->s >= c->end || (*c->s != '\'' && *c->s != '"')) return 0;
    char q = *c->s++;
    size_t n = 0;
    while (c->s < c->end && *c->s != q) {
        if (*c->s == '\\' || n + 1 >= cap) return 0;
        out[n++] = *c->s++;
    }
    if (c->s >= c->end) return 0;
    c->s++;
    out[n] = 0;
    return 1;
}

tn_status tn_npy_parse(const char *file, const char *key, const uint8_t *buf, size_t size, tn_tensors *ts, tn_error *err) {
#define FAIL(...) return tn_fail(err, TN_ERR_FORMAT, __VA_ARGS__)
    if (size < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) FAIL("%s: %s: not an .npy array (wrong magic)", file, key);
    uint32_t major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0) FAIL("%s: %s: .npy version %u.%u (this twinnet reads 1.0, 2.0 and 3.0)", file, key, major, minor);
    size_t at = major == 1 ? 10 : 12;
    if (size < at) FAIL("%s: %s: truncated .npy header", file, key);
    size_t header_len = major == 1 ? get16(buf + 8) : tn_get_u32(buf + 8);
    if (header_len > size - at) FAIL("%s: %s: truncated .npy header (%zu bytes announced)", file, key, header_len);
    cursor c = {(const char *)buf + at, (const char *)buf + at + header_len};
    char name[32], descr[16] = "";
    int fortran = -1, ndim = -1;
    uint64_t shape[TN_TENSOR_MAX_DIMS];
    if (!take(&c, '{')) FAIL("%s: %s: .npy header is not a dict", file, key);
    while (!take(&c, '}')) {
        if (!quoted(&c, name, sizeof name) || !take(&c, ':')) FAIL("%s: %s: unreadable .npy header", file, key);
        if (!strcmp(name, "descr") && !descr[0]) {
            if (!quoted(&c, descr, sizeof descr)) FAIL("%s: %s: .npy descr is not a simple type", file, key);
        } else if (!strcmp(name, "fortran_order") && fortran < 0) {
            skip_space(&c);
            size_t left = (size_t)(c.end - c.s);
            if (left >= 4 && !memcmp(c.s, "True", 4)) fortran = 1, c.s += 4;
            else if (left >= 5 && !memcmp(c.s, "False", 5)) fortran = 0, c.s += 5;
            else FAIL("%s: %s: .npy fortran_order is neither True nor False", file, key);
        } else if (!strcmp(name, "shape") && ndim < 0) {
            if (!take(&c, '(')) FAIL("%s: %s: .npy shape is not a tuple", file, key);
            ndim = 0;
            while (!take(&c, ')')) {
                skip_space(&c);
                uint64_t v = 0;
                int digits = 0;
                while (c.s < c.end && *c.s >= '0' && *c.s <= '9' && digits < 12) v = v * 10 + (uint64_t)(*c.s++ - '0'), digits++;
                if (!digits || ndim == TN_TENSOR_MAX_DIMS) FAIL("%s: %s: .npy shape is not a tuple of at most %d sizes", file, key, TN_TENSOR_MAX_DIMS);
                shape[ndim++] = v;
                if (!take(&c, ',') && !(skip_space(&c), c.s < c.end && *c.s == ')')) FAIL("%s: %s: unreadable .npy shape", file, key);
            }
        } else {
            FAIL("%s: %s: .npy header has an unknown or repeated key '%s'", file, key, name);
        }
        if (!take(&c, ',') && !(skip_space(&c), c.s < c.end && *c.s == '}')) FAIL("%s: %s: unreadable .npy header", file, key);
    }
    if (!descr[0] || fortran < 0 || ndim < 0) FAIL("%s: %s: .npy header lacks descr, fortran_order or shape", file, key);
    if (fortran) FAIL("%s: %s: stored in Fortran order (fortran_order True): save np.ascontiguousarray(a) instead", file, key);
    static const char *const descrs[] = {"<f2", "<f4", "<f8", ">f2", ">f4", ">f8"};
    int d = -1;
    for (int i = 0; i < 6; i++)
        if (!strcmp(descr, descrs[i])) d = i;
    if (d < 0) FAIL("%s: %s: dtype '%s' is not a float (this twinnet reads <f4, <f8, <f2 and their big-endian forms)", file, key, descr);
    tn_dtype dt = d % 3 == 0 ? TN_DT_F16 : d % 3 == 1 ? TN_DT_F32 : TN_DT_F64;
    uint64_t count = 1, left = size - at - header_len;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] && count > left / shape[i]) FAIL("%s: %s: shape announces more data than the %llu bytes there", file, key, (unsigned long long)left);
        count *= shape[i];
    }
    if (count > left / tn_dtype_size(dt) || count * tn_dtype_size(dt) != left)
        FAIL("%s: %s: %llu bytes of data for a shape of %llu values of %s", file, key, (unsigned long long)left,
             (unsigned long long)count, descr);
#undef FAIL
    tn_tensor *t;
    tn_status added = tn_tensors_add(ts, file, key, ndim, shape, dt, &t, err);
    if (added != TN_OK) return added;
    tn_decode_values(buf + at + header_len, count, dt, d >= 3, t->data);
    return TN_OK;
}

/* ---- zip ------------------------------------------------------------------------------------ */
/* A deflated member into out (exactly n bytes). */
static tn_status inflate_member(const char *file, const char *key, const uint8_t *in, size_t in_n, uint8_t *out,
                                size_t n, tn_error *err) {
#ifdef TN_NO_ZLIB
    (void)in; (void)in_n; (void)out; (void)n;
    return tn_fail(err, TN_ERR_FORMAT, "%s: %s is deflated (np.savez_compressed), and this build of twinnet has no zlib: "
                   "save it with np.savez", file, key);
#else
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for inflate", file);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)in_n;
    z.next_out = out;
    z.avail_out = (uInt)n;
    int r = inflate(&z, Z_FINISH);
    size_t got = z.total_out;
    inflateEnd(&z);
    if (r != Z_STREAM_END || got != n)
        return tn_fail(err, TN_ERR_FORMAT, "%s: %s: corrupt deflated data", file, key);
    return TN_OK;
#endif
}

tn_status tn_npz_parse(const char *file, const uint8_t *buf, size_t size, tn_tensors *ts, tn_error *err) {
#define FAIL(...) return tn_fail(err, TN_ERR_FORMAT, __VA_ARGS__)
    if (size < 22) FAIL("%s: truncated zip archive (%zu bytes)", file, size);
    size_t end = size - 22, stop = size >= 22 + 65535 ? size - 22 - 65535 : 0;
    while (tn_get_u32(buf + end) != 0x06054b50u || end + 22 + get16(buf + end + 20) != size) {
        if (end == stop) FAIL("%s: not a zip archive (no end record): truncated?", file);
        end--;
    }
    uint32_t entries = get16(buf + end + 10), dir_size = tn_get_u32(buf + end + 12), dir_at = tn_get_u32(buf + end + 16);
    if (dir_at > end || dir_size > end - dir_at) FAIL("%s: zip directory outside the archive", file);
    if (entries == 0) FAIL("%s: empty archive: no arrays", file);
    const uint8_t *p = buf + dir_at, *dir_end = buf + dir_at + dir_size;
    for (uint32_t i = 0; i < entries; i++) {
        if ((size_t)(dir_end - p) < 46 || tn_get_u32(p) != 0x02014b50u) FAIL("%s: zip directory entry %u is corrupt", file, i);
        uint32_t flags = get16(p + 8), method = get16(p + 10), crc = tn_get_u32(p + 16);
        uint32_t packed = tn_get_u32(p + 20), unpacked = tn_get_u32(p + 24), local = tn_get_u32(p + 42);
        size_t name_len = get16(p + 28), skip = 46 + name_len + get16(p + 30) + get16(p + 32);
        if ((size_t)(dir_end - p) < skip) FAIL("%s: zip directory entry %u is corrupt", file, i);
        char key[128];
        if (name_len < 5 || name_len - 4 >= sizeof key || memcmp(p + 46 + name_len - 4, ".npy", 4) != 0)
            FAIL("%s: member %u ('%.*s') is not an .npy array", file, i, (int)(name_len < 60 ? name_len : 60), (const char *)p + 46);
        memcpy(key, p + 46, name_len - 4);
        key[name_len - 4] = 0;
        for (size_t k = 0; k < name_len - 4; k++)
            if ((unsigned char)key[k] < 0x20 || (unsigned char)key[k] >= 0x7f) key[k] = '?';
        p += skip;
        if (flags & 1) FAIL("%s: %s is encrypted", file, key);
        if (packed == 0xFFFFFFFFu || unpacked == 0xFFFFFFFFu || local == 0xFFFFFFFFu) FAIL("%s: %s: ZIP64 sizes (over 4 GiB) are not read", file, key);
        if (method != 0 && method != 8) FAIL("%s: %s: zip method %u (stored and deflated are read)", file, key, method);
        if (method == 0 && packed != unpacked) FAIL("%s: %s: stored member with two sizes", file, key);
        if (method == 8 && unpacked / ZIP_MAX_RATIO > packed) FAIL("%s: %s: announces more data than deflate can hold", file, key);
        if (local > dir_at || dir_at - local < 30 || tn_get_u32(buf + local) != 0x04034b50u)
            FAIL("%s: %s: local header outside the archive or corrupt", file, key);
        size_t data_at = (size_t)local + 30 + get16(buf + local + 26) + get16(buf + local + 28);
        if (data_at > dir_at || packed > dir_at - data_at) FAIL("%s: %s: data outside the archive (truncated?)", file, key);
        const uint8_t *data = buf + data_at;
        uint8_t *inflated = NULL;
        if (method == 8) {
            if (!(inflated = malloc(unpacked ? unpacked : 1))) return tn_fail(err, TN_ERR_NOMEM, "%s: out of memory for %s", file, key);
            tn_status s = inflate_member(file, key, data, packed, inflated, unpacked, err);
            if (s != TN_OK) { free(inflated); return s; }
            data = inflated;
        }
        tn_status s = TN_OK;
        if (tn_crc32(data, unpacked) != crc) s = tn_fail(err, TN_ERR_FORMAT, "%s: %s: CRC-32 mismatch (corrupt archive)", file, key);
        for (size_t k = 0; s == TN_OK && k < ts->n; k++)
            if (!strcmp(ts->t[k].name, key)) s = tn_fail(err, TN_ERR_FORMAT, "%s: %s appears twice", file, key);
        if (s == TN_OK) s = tn_npy_parse(file, key, data, unpacked, ts, err);
        free(inflated);
        if (s != TN_OK) return s;
    }
#undef FAIL
    return TN_OK;
}
