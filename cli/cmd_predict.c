/* twinnet predict MODEL IMAGE...: the digit and the normalised outputs for each image, made
 * into an MNIST digit first (tn_image_preprocess) unless --raw. A bad image, or one without
 * ink, is reported and skipped; the exit status says whether any was. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "model_command.h"

#define FIELD (TN_MNIST_SIDE * TN_MNIST_SIDE)

static void help(void) {
    printf("usage: twinnet predict MODEL IMAGE... [--raw] [--show] [--json]\n"
           "Classifies images of one handwritten digit: PGM, PNG or JPEG up to 4096 pixels a side,\n"
           "colour or grey, dark ink on light paper or light on dark, transparency laid over the\n"
           "background it was drawn on, photographs turned as their Exif orientation says. Each is\n"
           "first made what MNIST's digits are (LeCun et al.): grey, light ink on black, cropped to\n"
           "the ink, scaled to fit 20x20 keeping its aspect ratio (hairlines widened to MNIST's\n"
           "stroke), placed in 28x28 with its centre of mass at the centre. Prints the digit and the\n"
           "outputs normalised to sum to 1. An image without ink says \"no ink found\".\n\n"
           "  --raw                take each image as it is: the model's input size, white on black\n"
           "  --show               also print the image the network saw, as text\n"
           "  --json               one JSON object per image (\"preprocessed\"; \"seen\" with --show)\n");
}

typedef struct {
    int as_json, raw, show;
    uint32_t width, height;   /* of what the network saw */
} options;

/* Reads an image into pix (n_in bytes): preprocessed (n_in is 784 then), or as it is with
 * --raw (its shape into o). 0 and a message on failure. */
static int read_image(const char *path, options *o, uint32_t n_in, uint8_t *pix, tn_preprocess_info *info) {
    int raw = o->raw;
    tn_image img;
    tn_error err;
    tn_status s = tn_image_read(path, &img, &err);
    if (s == TN_OK && !raw) s = tn_image_preprocess(&img, path, pix, info, &err);
    if (s != TN_OK) {
        tn_image_free(&img);
        fprintf(stderr, "twinnet: %s\n", err.msg);
        return 0;
    }
    if (raw && (uint64_t)img.width * img.height != n_in) {
        fprintf(stderr, "twinnet: %s: image is %ux%u (%llu pixels) but the model takes %u\n", path, img.width,
                img.height, (unsigned long long)img.width * img.height, n_in);
        tn_image_free(&img);
        return 0;
    }
    if (raw) {
        memcpy(pix, img.grey, n_in);
        o->width = img.width;
        o->height = img.height;
    }
    tn_image_free(&img);
    return 1;
}

/* One row of the image as text: two characters a pixel, ' ' black .. '@' white. */
static void text_row(const uint8_t *pix, uint32_t width, char *out) {
    static const char ramp[] = " .:-=+*#%@";
    for (uint32_t x = 0; x < width; x++) out[2 * x] = out[2 * x + 1] = ramp[pix[x] * 10 / 256];
    out[2 * width] = '\0';
}

/* y: the outputs, or NULL when the model is not finite. Outputs that are not all finite give no
 * digit either: null in JSON, never a number. */
static void print_result(const options *o, const char *path, const uint8_t *pix, const tn_preprocess_info *info,
                         const float *y, uint32_t n_out) {
    double sum = 0.0;
    uint32_t best = 0;
    for (uint32_t k = 0; y && k < n_out; k++) { sum += y[k]; if (y[k] > y[best]) best = k; }
    int known = y && isfinite(sum) && sum > 0;
    char *row = o->show ? malloc(2 * (size_t)o->width + 1) : NULL;
    if (o->show && !row) die(EXIT_RUNTIME, "out of memory");
    if (o->as_json) {
        tn_json j;
        tn_json_open(&j, stdout);
        tn_json_string(&j, "file", path);
        if (known) {
            tn_json_uint(&j, "digit", best);
            tn_json_array(&j, "probabilities");
            for (uint32_t k = 0; k < n_out; k++) tn_json_number(&j, NULL, y[k] / sum);
            tn_json_end(&j);
        } else {
            tn_json_null(&j, "digit");
            tn_json_null(&j, "probabilities");
        }
        tn_json_bool(&j, "preprocessed", !o->raw);
        if (!o->raw) tn_json_bool(&j, "inverted", info->inverted);
        if (o->show) {
            tn_json_array(&j, "seen");
            for (uint32_t r = 0; r < o->height; r++) {
                text_row(pix + (size_t)r * o->width, o->width, row);
                tn_json_string(&j, NULL, row);
            }
            tn_json_end(&j);
        }
        tn_json_end(&j);
    } else {
        if (known) {
            printf("%s: %u (", path, best);
            for (uint32_t k = 0; k < n_out; k++) printf("%s%u:%.3f", k ? " " : "", k, y[k] / sum);
            printf(")\n");
        } else printf("%s: no digit: the model's outputs are not finite\n", path);
        if (o->show) {
            if (!o->raw)
                printf("  ink box %ux%u at (%u,%u)%s%s, scaled to %ux%u, placed at (%d,%d):\n", info->box_w,
                       info->box_h, info->box_x, info->box_y, info->inverted ? ", inverted" : "",
                       info->thickened ? ", thin strokes widened" : "", info->fit_w, info->fit_h, info->left,
                       info->top);
            printf("  +");
            for (uint32_t x = 0; x < 2 * o->width; x++) putchar('-');
            printf("+\n");
            for (uint32_t r = 0; r < o->height; r++) {
                text_row(pix + (size_t)r * o->width, o->width, row);
                printf("  |%s|\n", row);
            }
            printf("  +");
            for (uint32_t x = 0; x < 2 * o->width; x++) putchar('-');
            printf("+\n");
        }
    }
    free(row);
}

int cmd_predict(int argc, char **argv) {
    const char *model_path = NULL;
    const char **images = calloc((size_t)argc + 1, sizeof *images);
    int n_images = 0;
    options o = {0, 0, 0, TN_MNIST_SIDE, TN_MNIST_SIDE};
    if (!images) die(EXIT_RUNTIME, "out of memory");
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) { if (!model_path) model_path = pos; else images[n_images++] = pos; }
        else if (args_is(&a, "--help")) { help(); free(images); return 0; }
        else if (args_is(&a, "--json")) { args_flag(&a); o.as_json = 1; }
        else if (args_is(&a, "--raw")) { args_flag(&a); o.raw = 1; }
        else if (args_is(&a, "--show")) { args_flag(&a); o.show = 1; }
        else args_unknown(&a);
    }
    if (!model_path || n_images == 0) usage_error("needs a MODEL and at least one IMAGE");
    tn_model m;
    load_model(model_path, &m);
    uint32_t n_in = m.net.sizes[0], n_out = m.net.sizes[m.net.n_sizes - 1];
    if (!o.raw && n_in != FIELD)
        die(EXIT_RUNTIME, "%s: the model takes %u inputs, but a preprocessed image is %ux%u = %u (--raw takes "
            "images of the model's size)", model_path, n_in, TN_MNIST_SIDE, TN_MNIST_SIDE, FIELD);
    uint8_t *pix = malloc(n_in);
    float *x = malloc(n_in * sizeof(float)), *y = malloc(n_out * sizeof(float));
    if (!pix || !x || !y) die(EXIT_RUNTIME, "out of memory");
    int status = 0, finite = non_finite_parameters(model_path, &m, "no digit can be given") == 0;
    for (int i = 0; i < n_images; i++) {
        tn_preprocess_info info;
        if (!read_image(images[i], &o, n_in, pix, &info)) { status = EXIT_RUNTIME; continue; }
        for (uint32_t k = 0; k < n_in; k++) x[k] = (float)pix[k] / 255.0f;
        tn_error err;
        tn_status s = finite ? tn_net_forward(&m.net, x, y, &err) : TN_OK;
        if (s != TN_OK) die_err(s, &err);
        print_result(&o, images[i], pix, &info, finite ? y : NULL, n_out);
        if (!finite) status = EXIT_RUNTIME;
    }
    free(pix);
    free(x);
    free(y);
    free(images);
    tn_model_free(&m);
    return status;
}
