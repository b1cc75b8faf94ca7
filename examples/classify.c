/* classify: load a twinnet model, classify one image (PGM, PNG or JPEG, white digit on black), print
 * the digit. The public API only; the same scaling (byte/255) and forward pass as twinnet predict
 * --raw (tn_image_preprocess would first make a photograph into an MNIST digit).
 * Build: cc classify.c $(pkg-config --cflags --libs twinnet) -o classify
 * Usage: classify MODEL IMAGE; exit 1 on a bad file, 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <twinnet.h>

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: classify MODEL IMAGE\n"); return 2; }
    tn_model model;
    tn_error err;
    if (tn_model_load(&model, argv[1], &err) != TN_OK) { fprintf(stderr, "classify: %s\n", err.msg); return 1; }
    uint32_t n_in = model.net.sizes[0], n_out = model.net.sizes[model.net.n_sizes - 1], width, height;
    float *x = malloc(n_in * sizeof *x), *y = malloc(n_out * sizeof *y);
    uint8_t *pixels = NULL;
    int status = 1;
    if (!x || !y) fprintf(stderr, "classify: out of memory\n");
    else if (tn_image_load(argv[2], &pixels, &width, &height, &err) != TN_OK) fprintf(stderr, "classify: %s\n", err.msg);
    else if ((uint64_t)width * height != n_in)
        fprintf(stderr, "classify: %s: image is %ux%u, the model takes %u pixels\n", argv[2], width, height, n_in);
    else {
        for (uint32_t k = 0; k < n_in; k++) x[k] = (float)pixels[k] / 255.0f;
        if (tn_net_forward(&model.net, x, y, &err) != TN_OK) fprintf(stderr, "classify: %s\n", err.msg);
        else {
            uint32_t best = 0;
            for (uint32_t k = 1; k < n_out; k++) if (y[k] > y[best]) best = k;
            printf("%u\n", best);
            status = 0;
        }
    }
    free(pixels);
    free(x);
    free(y);
    tn_model_free(&model);
    return status;
}
