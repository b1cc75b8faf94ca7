/* libFuzzer target for the safetensors reader (src/io/safetensors.c): header length, JSON header, ranges, and
 * the import behind it (src/io/import.c). Input: a flags byte (bit 0: the file is also its own
 * start; bit 1: fold torchvision's input scaling ), then the file. */
#include "import_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned flags = data[0];
    data++;
    size--;
    tn_tensors ts = {0};
    tn_error err = {""};

    fuzz_check_tensors(tn_safetensors_parse("file", data, size, &ts, &err), &ts, &err);
    fuzz_import(data, size, TN_FORMAT_SAFETENSORS, flags & 1, flags);
    return 0;
}
