/* The model file writer (format in model.c): exactly the bytes tn_model_save stores, in memory
 * (*buf: malloc'd, the caller frees), so tests and fuzzers can round-trip without the disk; and
 * the provenance block of a version 3 file (provenance.c). */
#ifndef TN_MODEL_H
#define TN_MODEL_H

#include "util.h"

tn_status tn_model_serialize(const tn_model *m, const char *name, uint8_t **buf, size_t *size, tn_error *err);
/* The provenance's canonical JSON text (malloc'd, NUL-terminated; NULL: out of memory). */
char *tn_provenance_json(const tn_provenance *p, tn_init init, size_t *len);
/* n bytes of that text into *p (start_params NULL); anything else: TN_ERR_FORMAT naming what. */
tn_status tn_provenance_parse(const char *name, const uint8_t *bytes, size_t n, tn_init init, tn_provenance *p,
                              tn_error *err);

#endif
