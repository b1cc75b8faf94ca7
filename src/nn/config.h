/* The training configuration as one table (config.c): every field of tn_config that a user
 * sets, once, with what each consumer needs. The command line parses and documents its flags
 * from it (cli/config_opts.c, and so the man page); a sweep's key and its manifest's writing
 * and reading go through it (sweep.c, manifest.c); tests/test_config.c checks that model.c's
 * fixed binary layout holds every field marked TN_IN_FILE. Defaults are not in the table: they
 * are tn_config_default's, written once. Internal header (the CLI links the static library).
 *
 * A new field: a member of tn_config, its default in tn_config_default, one row here, and the
 * code that uses it. In the sweep key it goes as TN_IN_KEY_IF_SET (only when it differs from its
 * default, so the sweeps made before it keep their key); in the model file only with a new
 * format version in model.c. */
#ifndef TN_CONFIG_H
#define TN_CONFIG_H

#include <stddef.h>

#include "json.h"
#include "twinnet.h"

typedef enum {
    TN_FIELD_SIZES,   /* the layer widths: sizes[] and n_sizes */
    TN_FIELD_U32,
    TN_FIELD_U64,
    TN_FIELD_INT,
    TN_FIELD_F32,
    TN_FIELD_ENUM,    /* an enum stored as int, named by names[] */
    TN_FIELD_BOOL     /* an int 0 or 1; on the command line a flag without a value that sets 1 */
} tn_field_type;

enum {
    TN_IN_KEY = 1,          /* changes a run's bits: in the sweep key, at key_slot */
    TN_IN_KEY_IF_SET = 2,   /* the same, added after the key's fixed part when not the default */
    TN_IN_FILE = 4,         /* stored in the model file (model.c's fixed layout) */
    TN_IN_MANIFEST = 8      /* stored in a sweep's manifest, read back by --merge */
};

typedef struct {
    const char *name;           /* in JSON and the manifest: "eta_decay" */
    const char *flag;           /* on the command line: "--eta-decay" */
    const char *metavar;        /* its value in --help ("D"); NULL for BOOL */
    tn_field_type type;
    size_t offset;              /* of the member in tn_config (SIZES: of sizes) */
    const char *const *names;   /* ENUM: names by code ... */
    int n_names;                /* ... and how many */
    const char *const *notes;   /* ENUM: words after each name in --help, or NULL */
    double min, max;            /* the range of a value (SIZES: of each width) */
    int min_open;               /* min itself is outside the range */
    const char *help;           /* --help: what it is, before the choices and the default */
    const char *zero;           /* --help: what 0 means ("off"), or NULL */
    unsigned in;                /* TN_IN_* */
    int key_slot;               /* TN_IN_KEY: its place in the key (1, 2, ...; never changes) */
} tn_config_field;

const tn_config_field *tn_config_fields(int *n);
const tn_config_field *tn_config_field_named(const char *name);   /* NULL if none */

/* A field's value: integral types (U32, U64, INT, ENUM, BOOL) as uint64, F32 as float. */
uint64_t tn_config_get_uint(const tn_config *c, const tn_config_field *f);
void tn_config_set_uint(tn_config *c, const tn_config_field *f, uint64_t v);
float tn_config_get_f32(const tn_config *c, const tn_config_field *f);
void tn_config_set_f32(tn_config *c, const tn_config_field *f, float v);
/* The range of an integral field as uint64 (max: UINT64_MAX when the table's max is above it). */
void tn_config_uint_range(const tn_config_field *f, uint64_t *lo, uint64_t *hi);
/* 1 if v is in the field's range (F32: finite too). */
int tn_config_in_range(const tn_config_field *f, double v);
/* The field's default as --help shows it ("3.0", "784,30,10", "sigmoid"), into text. */
void tn_config_default_text(const tn_config_field *f, char *text, size_t cap);

/* The fields marked `in` (TN_IN_MANIFEST, ...) as members of the open JSON object j, in table order. */
void tn_config_write_json(const tn_config *c, unsigned in, tn_json *j);
/* Those fields from the JSON object obj into c (an absent one keeps c's value: a file written
 * before the field existed); the name of the first bad one, or NULL if all are good. */
const char *tn_config_read_json(tn_config *c, unsigned in, const tn_json_value *obj);

#endif
