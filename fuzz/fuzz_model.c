/* libFuzzer entry point for the model parser; the body is fuzz_model in fuzz/targets.h. */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_model(data, size); }
