/* libFuzzer target for network2.py's JSON save file (src/io/network2.c), and
 * the import behind it (src/io/import.c). Input: a flags byte (bit 0: the file is also its own
 * start; bit 1: fold torchvision's input scaling ), then the file. */
#include "import_target.h"

static tn_status network2_reader(const char *file, const uint8_t *buf, size_t size, tn_tensors *ts, tn_error *err) {
    tn_cost cost;
    return tn_network2_parse(file, buf, size, ts, &cost, err);
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned flags = data[0];
    data++;
    size--;
    tn_tensors ts = {0};
    tn_error err = {""};

    fuzz_check_tensors(network2_reader("file", data, size, &ts, &err), &ts, &err);
    fuzz_import(data, size, TN_FORMAT_NETWORK2_JSON, flags & 1, flags);
    return 0;
}
