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
    return fuzz_reader_and_import(data, size, network2_reader, TN_FORMAT_NETWORK2_JSON);
}
