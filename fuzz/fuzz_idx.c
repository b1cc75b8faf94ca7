/* libFuzzer entry point for the idx parser; the body is fuzz_idx in fuzz/targets.h. */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_idx(data, size); }
