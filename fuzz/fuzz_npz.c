/* libFuzzer target for the NumPy archive reader (src/io/npz_read.c): zip, deflate, .npy headers, and
 * the import behind it (src/io/import.c). Input: a flags byte (bit 0: the file is also its own
 * start; bit 1: fold torchvision's input scaling; bit 2: the rest is one .npy array), then the file. */
#include "import_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size >= 1 && (data[0] & 4)) {   /* the rest is one .npy array */
        tn_tensors ts = {0};
        tn_error err = {""};
        fuzz_check_tensors(tn_npy_parse("file", "x", data + 1, size - 1, &ts, &err), &ts, &err);
        return 0;
    }
    return fuzz_reader_and_import(data, size, tn_npz_parse, TN_FORMAT_NPZ);
}
