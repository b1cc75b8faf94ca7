/* twinnet predict MODEL IMAGE...: the digit and the normalised outputs for each image. A bad
 * image is reported and skipped; the exit status says whether any was. */
#include <stdlib.h>

#include "cli.h"
#include "json.h"

static void help(void) {
    printf("usage: twinnet predict MODEL IMAGE... [--json]\n"
           "Classifies grayscale images (PGM or PNG) of the network's input size, white digit on\n"
           "black as in MNIST. Prints the digit and the outputs normalised to sum to 1.\n\n"
           "  --json               one JSON object per image\n");
}

/* Reads an image into x (n_in values in [0,1]); 0 and a message on failure. */
static int read_image(const char *path, uint32_t n_in, float *x) {
    uint8_t *pix;
    uint32_t w, h;
    tn_error err;
    if (tn_image_load(path, &pix, &w, &h, &err) != TN_OK) {
        fprintf(stderr, "twinnet: %s\n", err.msg);
        return 0;
    }
    if ((uint64_t)w * h != n_in) {
        fprintf(stderr, "twinnet: %s: image is %ux%u (%llu pixels) but the model takes %u\n", path, w, h,
                (unsigned long long)w * h, n_in);
        free(pix);
        return 0;
    }
    for (uint32_t k = 0; k < n_in; k++) x[k] = (float)pix[k] / 255.0f;
    free(pix);
    return 1;
}

static void print_result(int as_json, const char *path, const float *y, uint32_t n_out) {
    double sum = 0.0;
    uint32_t best = 0;
    for (uint32_t k = 0; k < n_out; k++) { sum += y[k]; if (y[k] > y[best]) best = k; }
    if (as_json) {
        json j;
        json_begin(&j, stdout);
        json_object(&j, NULL);
        json_string(&j, "file", path);
        json_uint(&j, "digit", best);
        json_array(&j, "probabilities");
        for (uint32_t k = 0; k < n_out; k++) json_number(&j, NULL, sum > 0 ? y[k] / sum : 0.0);
        json_end(&j);
        json_end(&j);
    } else {
        printf("%s: %u (", path, best);
        for (uint32_t k = 0; k < n_out; k++) printf("%s%u:%.3f", k ? " " : "", k, sum > 0 ? y[k] / sum : 0.0);
        printf(")\n");
    }
}

int cmd_predict(int argc, char **argv) {
    const char *model_path = NULL;
    const char **images = calloc((size_t)argc + 1, sizeof *images);
    int n_images = 0, as_json = 0;
    if (!images) die(EXIT_RUNTIME, "out of memory");
    args a;
    const char *pos;
    args_begin(&a, argc, argv);
    while (args_next(&a, &pos)) {
        if (pos) { if (!model_path) model_path = pos; else images[n_images++] = pos; }
        else if (args_is(&a, "--help")) { help(); free(images); return 0; }
        else if (args_is(&a, "--json")) { args_flag(&a); as_json = 1; }
        else usage_error("unknown option '%s'", a.name);
    }
    if (!model_path || n_images == 0) usage_error("needs a MODEL and at least one IMAGE");
    tn_model m;
    load_model(model_path, &m);
    uint32_t n_in = m.net.sizes[0], n_out = m.net.sizes[m.net.n_sizes - 1];
    float *x = malloc(n_in * sizeof(float)), *y = malloc(n_out * sizeof(float));
    if (!x || !y) die(EXIT_RUNTIME, "out of memory");
    int status = 0;
    for (int i = 0; i < n_images; i++) {
        if (!read_image(images[i], n_in, x)) { status = EXIT_RUNTIME; continue; }
        tn_error err;
        tn_status s = tn_net_forward(&m.net, x, y, &err);
        if (s != TN_OK) die_err(s, &err);
        print_result(as_json, images[i], y, n_out);
    }
    free(x);
    free(y);
    free(images);
    tn_model_free(&m);
    return status;
}
