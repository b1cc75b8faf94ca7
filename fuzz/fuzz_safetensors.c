/* libFuzzer target for the safetensors reader (src/io/safetensors.c): header length, JSON header, ranges, and
 * the import behind it (src/io/import.c). Input: a flags byte (bit 0: the file is also its own
 * start; bit 1: fold torchvision's input scaling ), then the file. */
#include "import_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_reader_and_import(data, size, tn_safetensors_parse, TN_FORMAT_SAFETENSORS);
}
