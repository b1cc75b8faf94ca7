/* tn_image_preprocess on synthetic images: the centre of mass at the field's centre wherever the
 * ink was, dark-on-light the same as light-on-dark, the aspect ratio kept, transparency laid over
 * the background the ink was drawn on, specks ignored, no ink found where there is none, odd
 * shapes handled, and the same bytes as recorded (the arithmetic is integer: any change of
 * these bytes is a change of the preprocessing, to be made on purpose). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "twinnet.h"

#define FIELD (TN_MNIST_SIDE * TN_MNIST_SIDE)

/* A w x h image of level `paper`, with alpha when `with_alpha` (all opaque). */
static tn_image blank(uint32_t w, uint32_t h, uint8_t paper, int with_alpha) {
    tn_image img = {w, h, malloc((size_t)w * h), with_alpha ? malloc((size_t)w * h) : NULL};
    memset(img.grey, paper, (size_t)w * h);
    if (with_alpha) memset(img.alpha, 255, (size_t)w * h);
    return img;
}

static void rect(tn_image *img, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h, uint8_t level) {
    for (uint32_t y = y0; y < y0 + h && y < img->height; y++)
        for (uint32_t x = x0; x < x0 + w && x < img->width; x++) img->grey[(size_t)y * img->width + x] = level;
}

/* A crude "7": a bar and a slanted stroke, `unit` pixels a step, ink `level`, at (x0, y0). */
static void seven(tn_image *img, uint32_t x0, uint32_t y0, uint32_t unit, uint8_t level) {
    rect(img, x0, y0, 12 * unit, 2 * unit, level);
    for (uint32_t k = 0; k < 16; k++)
        rect(img, x0 + (10 - (k * 10) / 16) * unit, y0 + (2 + k) * unit, 2 * unit, unit, level);
}

static void centre_of_mass(const uint8_t *f, double *cx, double *cy) {
    double m = 0, sx = 0, sy = 0;
    for (int y = 0; y < TN_MNIST_SIDE; y++)
        for (int x = 0; x < TN_MNIST_SIDE; x++) {
            m += f[y * TN_MNIST_SIDE + x];
            sx += f[y * TN_MNIST_SIDE + x] * x;
            sy += f[y * TN_MNIST_SIDE + x] * y;
        }
    *cx = m > 0 ? sx / m : -1;
    *cy = m > 0 ? sy / m : -1;
}

static tn_status run(const tn_image *img, uint8_t *out, tn_preprocess_info *info, tn_error *err) {
    return tn_image_preprocess(img, "synthetic", out, info, err);
}

static void expect_no_ink(tn_image img, const char *what) {
    uint8_t out[FIELD];
    tn_error err = {""};
    tn_status s = run(&img, out, NULL, &err);
    CHECK(s == TN_ERR_FORMAT && strncmp(err.msg, "synthetic: no ink found", 23) == 0, "%s: %s", what, err.msg);
    tn_image_free(&img);
}

static void test_centring_and_inversion(uint8_t first[FIELD]) {
    tn_preprocess_info info;
    tn_error err = {""};
    uint8_t out[FIELD], again[FIELD];
    /* Light on dark, near a corner of a wide canvas. */
    tn_image a = blank(300, 120, 0, 0);
    seven(&a, 4, 6, 5, 255);
    CHECK_OK(run(&a, first, &info, &err), err);
    double cx, cy;
    centre_of_mass(first, &cx, &cy);
    CHECK(cx >= 13.5 && cx <= 14.5 && cy >= 13.5 && cy <= 14.5, "centre of mass (%.2f, %.2f)", cx, cy);
    CHECK(info.inverted == 0 && info.composited == -1 && info.thickened == 0, "light on dark: inverted %d, "
          "widened by %u", info.inverted, info.thickened);
    CHECK(info.box_x == 4 && info.box_y == 6 && info.box_w == 60 && info.box_h == 90, "box %u,%u %ux%u", info.box_x,
          info.box_y, info.box_w, info.box_h);
    CHECK(info.fit_w == 13 && info.fit_h == 20, "60x90 fits 13x20, not %ux%u", info.fit_w, info.fit_h);
    /* Elsewhere on the canvas: the same field. */
    tn_image b = blank(300, 120, 0, 0);
    seven(&b, 231, 25, 5, 255);
    CHECK_OK(run(&b, out, &info, &err), err);
    CHECK(memcmp(out, first, FIELD) == 0, "moving the ink changes the field");
    /* Dark ink on light paper, paper not quite white, ink not quite black: inverted, the same. */
    tn_image c = blank(300, 120, 231, 0);
    seven(&c, 100, 20, 5, 20);
    CHECK_OK(run(&c, again, &info, &err), err);
    CHECK(info.inverted == 1 && info.background == 255 - 231 && info.ink == 255 - 20, "dark on light: inverted %d, "
          "background %u, ink %u", info.inverted, info.background, info.ink);
    CHECK(memcmp(again, first, FIELD) == 0, "dark on light differs from light on dark");
    /* Dark ink on a mid-grey background (a dim photograph): still the ink is found dark. */
    tn_image d = blank(300, 120, 110, 0);
    seven(&d, 50, 10, 5, 30);
    CHECK_OK(run(&d, again, &info, &err), err);
    CHECK(info.inverted == 1 && memcmp(again, first, FIELD) == 0, "dark ink on grey: inverted %d", info.inverted);
    tn_image_free(&a);
    tn_image_free(&b);
    tn_image_free(&c);
    tn_image_free(&d);
}

static void test_aspect(void) {
    static const struct { uint32_t w, h, bw, bh, fw, fh; } cases[] = {
        {200, 200, 80, 40, 20, 10}, {200, 200, 30, 90, 7, 20}, {50, 50, 10, 10, 20, 20},
        {4000, 1000, 2000, 1000, 20, 10},   /* worked on at 512x128 */
        {1000, 4000, 200, 3000, 1, 20},     /* 1.33 rounds down to 1 */
        {4096, 1, 1000, 1, 20, 1},          /* a strip */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tn_image img = blank(cases[i].w, cases[i].h, 0, 0);
        rect(&img, (cases[i].w - cases[i].bw) / 3, (cases[i].h - cases[i].bh) / 2, cases[i].bw, cases[i].bh, 255);
        uint8_t out[FIELD];
        tn_preprocess_info info;
        tn_error err = {""};
        CHECK_OK(run(&img, out, &info, &err), err);
        CHECK(info.fit_w == cases[i].fw && info.fit_h == cases[i].fh, "%ux%u ink in %ux%u: fit %ux%u, want %ux%u",
              cases[i].bw, cases[i].bh, cases[i].w, cases[i].h, info.fit_w, info.fit_h, cases[i].fw, cases[i].fh);
        uint32_t lit = 0;
        for (int k = 0; k < FIELD; k++) lit += out[k] > 0;
        CHECK(lit == cases[i].fw * cases[i].fh, "case %zu: %u pixels lit, want %u", i, lit, cases[i].fw * cases[i].fh);
        tn_image_free(&img);
    }
}

/* Ink drawn on a transparent canvas (a web page's <canvas>): the transparent pixels' colour is
 * meaningless (often black), the page behind was white. */
static void test_transparency(const uint8_t first[FIELD]) {
    uint8_t out[FIELD];
    tn_preprocess_info info;
    tn_error err = {""};
    tn_image t = blank(300, 120, 0, 1);
    memset(t.alpha, 0, 300 * 120);
    tn_image ink = blank(300, 120, 0, 0);
    seven(&ink, 60, 15, 5, 255);
    for (size_t i = 0; i < 300 * 120; i++) t.alpha[i] = ink.grey[i];   /* black ink, opaque where drawn */
    CHECK_OK(run(&t, out, &info, &err), err);
    CHECK(info.composited == 255 && info.inverted == 1, "black ink on transparent: over %d, inverted %d",
          info.composited, info.inverted);
    CHECK(memcmp(out, first, FIELD) == 0, "black ink on transparent differs from the opaque digit");
    /* White ink on transparent white: over black. */
    memset(t.grey, 255, 300 * 120);
    CHECK_OK(run(&t, out, &info, &err), err);
    CHECK(info.composited == 0 && info.inverted == 0, "white ink on transparent: over %d", info.composited);
    CHECK(memcmp(out, first, FIELD) == 0, "white ink on transparent differs from the opaque digit");
    /* Alpha present but everything opaque: as if there were none. */
    tn_image o = blank(300, 120, 0, 1);
    seven(&o, 4, 6, 5, 255);
    CHECK_OK(run(&o, out, &info, &err), err);
    CHECK(memcmp(out, first, FIELD) == 0, "an opaque alpha channel changes the field");
    memset(t.alpha, 0, 300 * 120);
    expect_no_ink(t, "every pixel transparent");
    tn_image_free(&ink);
    tn_image_free(&o);
}

static void test_no_ink(void) {
    expect_no_ink(blank(64, 64, 255, 0), "white");
    expect_no_ink(blank(64, 64, 0, 0), "black");
    expect_no_ink(blank(640, 480, 128, 0), "grey");
    expect_no_ink(blank(1, 1, 0, 0), "1x1");
    expect_no_ink(blank(1, 4096, 200, 0), "a blank strip");
    /* Light noise on paper: +-10 levels, under the contrast needed for ink. */
    tn_image n = blank(200, 150, 220, 0);
    uint32_t state = 12345;
    for (size_t i = 0; i < 200 * 150; i++) {
        state = state * 1103515245u + 12345u;
        n.grey[i] = (uint8_t)(210 + (state >> 16) % 21);
    }
    expect_no_ink(n, "noise");
}

/* A speck far from the digit (dust, a hot pixel) does not move the box. */
static void test_specks(const uint8_t first[FIELD]) {
    uint8_t out[FIELD];
    tn_error err = {""};
    tn_image s = blank(300, 120, 0, 0);
    seven(&s, 4, 6, 5, 255);
    rect(&s, 280, 110, 2, 2, 255);
    CHECK_OK(run(&s, out, NULL, &err), err);
    CHECK(memcmp(out, first, FIELD) == 0, "a speck changes the field");
    tn_image_free(&s);
}

/* Stroke width in the field: 2A/P, A the mass and P the total variation of the levels. */
static double stroke_width(const uint8_t *f) {
    double mass = 0, perimeter = 0;
    for (int y = 0; y < TN_MNIST_SIDE; y++)
        for (int x = 0; x < TN_MNIST_SIDE; x++) {
            int v = f[y * TN_MNIST_SIDE + x];
            int right = x + 1 < TN_MNIST_SIDE ? f[y * TN_MNIST_SIDE + x + 1] : 0;
            int below = y + 1 < TN_MNIST_SIDE ? f[(y + 1) * TN_MNIST_SIDE + x] : 0;
            mass += v;
            perimeter += abs(v - right) + abs(v - below) + (x == 0 ? v : 0) + (y == 0 ? v : 0);
        }
    return perimeter > 0 ? 2 * mass / perimeter : 0;
}

/* A ballpoint line photographed large (3 pixels in 2000) would average down to a faint hairline:
 * it is widened to MNIST's stroke, about 2 pixels, and its brightest pixel is 255. A stroke as
 * wide as MNIST's is left alone. */
static void test_thin(const uint8_t first[FIELD]) {
    tn_image img = blank(2000, 2000, 255, 0);
    for (uint32_t y = 200; y < 1800; y++) rect(&img, 900 + y / 8, y, 3, 1, 0);
    rect(&img, 700, 200, 600, 3, 0);
    uint8_t out[FIELD];
    tn_preprocess_info info;
    tn_error err = {""};
    CHECK_OK(run(&img, out, &info, &err), err);
    uint8_t top = 0;
    for (int k = 0; k < FIELD; k++) if (out[k] > top) top = out[k];
    double width = stroke_width(out), mnist = stroke_width(first);
    CHECK(top == 255 && info.thickened > 0, "thin stroke: brightest %u, widened by %u", top, info.thickened);
    CHECK(width > 1.6 && width < 2.8, "thin stroke: %.2f pixels wide once widened", width);
    CHECK(mnist > 1.6 && mnist < 3.2, "the thick seven: %.2f pixels wide", mnist);
    tn_image_free(&img);
}

/* The bytes of a few fields, hashed: integer arithmetic gives these on every machine. */
static void test_recorded(const uint8_t first[FIELD]) {
    tn_image img = blank(777, 555, 240, 0);
    seven(&img, 300, 100, 13, 40);
    for (size_t i = 0; i < 777 * 555; i++) img.grey[i] = (uint8_t)(img.grey[i] + (i * 7919 % 13) - 6);
    uint8_t out[FIELD];
    tn_error err = {""};
    CHECK_OK(run(&img, out, NULL, &err), err);
    tn_sha256 sh;
    uint8_t digest[32];
    char hex[TN_HEX_SIZE];
    tn_sha256_init(&sh);
    tn_sha256_update(&sh, first, FIELD);
    tn_sha256_update(&sh, out, FIELD);
    tn_sha256_final(&sh, digest);
    tn_hex(digest, 32, hex);
    const char *want = "816420ff86b8d64a51dcd449b7e9fb95635e3c7027daa28645353180874a32c4";
    CHECK(strcmp(hex, want) == 0, "the fields' SHA-256 is %s, recorded %s", hex, want);
    tn_image_free(&img);
}

int main(void) {
    uint8_t first[FIELD];
    test_centring_and_inversion(first);
    test_aspect();
    test_transparency(first);
    test_no_ink();
    test_specks(first);
    test_thin(first);
    test_recorded(first);
    tn_error err = {""};
    uint8_t out[FIELD];
    tn_image none = {0, 0, NULL, NULL};
    CHECK(tn_image_preprocess(&none, NULL, out, NULL, &err) == TN_ERR_ARG && strncmp(err.msg, "image: ", 7) == 0,
          "an empty image: %s", err.msg);
    return check_done("test_preprocess");
}
