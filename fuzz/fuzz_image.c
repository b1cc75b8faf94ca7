/* libFuzzer entry point for the image parser; the body is fuzz_image in fuzz/targets.h. */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_image(data, size); }
