/* SHA-256 against the FIPS 180-4 example vectors (NIST "Examples with intermediate values"),
 * each fed whole and in odd-sized pieces; every message length 0..200 (so every padding
 * case) through one digest computed with Python's hashlib; and tn_hex. */
#include <string.h>

#include "check.h"
#include "twinnet.h"

/* Digest of msg fed as pieces whose sizes cycle through pieces[] (0: the whole message). */
static void digest_in_pieces(const uint8_t *msg, size_t n, const size_t *pieces, size_t n_pieces,
                             char hex[TN_HEX_SIZE]) {
    tn_sha256 s;
    uint8_t digest[32];
    tn_sha256_init(&s);
    size_t done = 0, p = 0;
    while (done < n) {
        size_t piece = n_pieces ? pieces[p++ % n_pieces] : n;
        if (piece > n - done) piece = n - done;
        tn_sha256_update(&s, msg + done, piece); /* a 0 in pieces[]: an empty update */
        done += piece;
    }
    tn_sha256_final(&s, digest);
    tn_hex(digest, 32, hex);
}

/* Piece patterns: whole, bytes, odd primes, and sizes on both sides of the 64-byte block
 * and the 56-byte padding limit. */
static const size_t PATTERN_BYTES[] = {1};
static const size_t PATTERN_ODD[] = {3, 7, 13, 31};
static const size_t PATTERN_BLOCK[] = {55, 56, 63, 64, 65, 127, 128, 129};
static const size_t PATTERN_MIXED[] = {1, 0, 63, 2, 64, 4099, 5};
static const struct { const size_t *sizes; size_t n; } PATTERNS[] = {
    {NULL, 0}, {PATTERN_BYTES, 1}, {PATTERN_ODD, 4}, {PATTERN_BLOCK, 8}, {PATTERN_MIXED, 7}};
#define N_PATTERNS (sizeof PATTERNS / sizeof PATTERNS[0])

static void check_vector(const char *name, const uint8_t *msg, size_t n, const char *want) {
    for (size_t p = 0; p < N_PATTERNS; p++) {
        char hex[TN_HEX_SIZE];
        digest_in_pieces(msg, n, PATTERNS[p].sizes, PATTERNS[p].n, hex);
        CHECK(strcmp(hex, want) == 0, "%s, piece pattern %zu: got %s, want %s", name, p, hex, want);
    }
}

int main(void) {
    check_vector("empty", (const uint8_t *)"", 0,
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_vector("abc", (const uint8_t *)"abc", 3,
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_vector("448 bits", (const uint8_t *)m448, strlen(m448),
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check_vector("896 bits", (const uint8_t *)m896, strlen(m896),
                 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    uint8_t *million = malloc(1000000);
    CHECK(million != NULL, "out of memory");
    if (million) {
        memset(million, 'a', 1000000);
        check_vector("one million 'a'", million, 1000000,
                     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        free(million);
    }

    /* Messages of length L = 0..200, byte i = (7i + 13L) mod 256: the SHA-256 of the
     * concatenation of their 201 digests, as computed by Python's hashlib:
     *   outer = sha256(); for L in range(201): outer.update(sha256(bytes(
     *       (i*7 + L*13) & 255 for i in range(L))).digest()) */
    for (size_t p = 0; p < N_PATTERNS; p++) {
        tn_sha256 outer;
        tn_sha256_init(&outer);
        for (uint32_t len = 0; len <= 200; len++) {
            uint8_t msg[200], digest[32];
            char hex[TN_HEX_SIZE], check_hex[TN_HEX_SIZE];
            for (uint32_t i = 0; i < len; i++) msg[i] = (uint8_t)(i * 7 + len * 13);
            digest_in_pieces(msg, len, PATTERNS[p].sizes, PATTERNS[p].n, hex);
            for (int b = 0; b < 32; b++) { /* back from hex, which also exercises tn_hex */
                unsigned v;
                sscanf(hex + 2 * b, "%2x", &v);
                digest[b] = (uint8_t)v;
            }
            tn_hex(digest, 32, check_hex);
            CHECK(strcmp(check_hex, hex) == 0, "hex round trip of %s", hex);
            tn_sha256_update(&outer, digest, 32);
        }
        uint8_t digest[32];
        char hex[TN_HEX_SIZE];
        tn_sha256_final(&outer, digest);
        tn_hex(digest, 32, hex);
        CHECK(strcmp(hex, "703892042c6d867d7804448af2e72a02a005ec9668b486a33c66974b6e5f8444") == 0,
              "lengths 0..200, piece pattern %zu: got %s", p, hex);
    }

    /* tn_hex: lowercase, two digits per byte, NUL-terminated, nothing written past. */
    const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff, 0x10};
    char out[12];
    memset(out, 'x', sizeof out);
    tn_hex(bytes, 5, out);
    CHECK(strcmp(out, "000fa5ff10") == 0 && out[11] == 'x', "tn_hex gave %.11s", out);
    tn_hex(bytes, 0, out);
    CHECK(out[0] == 0, "tn_hex of nothing is not empty");
    return check_done("test_sha256");
}
