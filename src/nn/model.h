/* The model file writer (format in model.c): exactly the bytes tn_model_save stores, in memory
 * (*buf: malloc'd, the caller frees), so tests and fuzzers can round-trip without the disk. */
#ifndef TN_MODEL_H
#define TN_MODEL_H

#include "util.h"

tn_status tn_model_serialize(const tn_model *m, const char *name, uint8_t **buf, size_t *size, tn_error *err);

#endif
