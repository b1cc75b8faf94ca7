/* The training configuration's table (config.h): one row per field that a user sets, in the
 * order --help lists them. key_slot keeps the order in which the sweep key has always hashed
 * the fields, so that existing sweep directories keep their key (tests/test_config.c pins one). */
#include <math.h>
#include <stdio.h>

#include "config.h"
#include "util.h"

/* Words after a name in --help. */
static const char *const cost_notes[TN_COST_COUNT] = {[TN_COST_LOG_LIKELIHOOD] = " (softmax output)"};
static const char *const init_notes[TN_INIT_COUNT] = {": N(0,1)", ": weights N(0,1/n_in)", ": U(+-1/sqrt(n_in)), PyTorch's nn.Linear"};
static const char *const on_nan_notes[TN_ON_NAN_COUNT] = {" (keep the last finite epoch's model)"};

#define AT(member) offsetof(tn_config, member)
#define ENUM(names, count, notes) names, count, notes
#define NO_ENUM NULL, 0, NULL
#define ALL (TN_IN_KEY | TN_IN_FILE | TN_IN_MANIFEST)
static const tn_config_field fields[] = {
    {"sizes", "--sizes", "LIST", TN_FIELD_SIZES, AT(sizes), NO_ENUM, 1, TN_MAX_WIDTH, 0, "layer widths", NULL, ALL, 1},
    {"epochs", "--epochs", "N", TN_FIELD_U32, AT(epochs), NO_ENUM, 1, 100000, 0, "", NULL, ALL, 5},
    {"batch", "--batch", "N", TN_FIELD_U32, AT(batch), NO_ENUM, 1, 65536, 0, "mini-batch size", NULL, ALL, 6},
    {"eta", "--eta", "X", TN_FIELD_F32, AT(eta), NO_ENUM, 0, 1e6, 1, "learning rate", NULL, ALL, 7},
    {"eta_decay", "--eta-decay", "D", TN_FIELD_F32, AT(eta_decay), NO_ENUM, 0, 1e6, 0,
     "eta / (1 + D e) in epoch e = 0, 1, ...", "constant", ALL, 10},
    {"cost", "--cost", "NAME", TN_FIELD_ENUM, AT(cost), ENUM(tn_cost_names, TN_COST_COUNT, cost_notes), 0, 0, 0, "", NULL, ALL, 3},
    {"activation", "--activation", "NAME", TN_FIELD_ENUM, AT(activation), ENUM(tn_activation_names, TN_ACT_COUNT, NULL), 0, 0, 0,
     "hidden layers:", NULL, ALL, 2},
    {"lambda", "--lambda", "X", TN_FIELD_F32, AT(lambda), NO_ENUM, 0, 1e6, 0,
     "L2 strength, scaled by the training set size as network2.py", NULL, ALL, 8},
    {"l2_biases", "--l2-biases", NULL, TN_FIELD_BOOL, AT(l2_biases), NO_ENUM, 0, 1, 0,
     "decay the biases too (network2.py does not): softmax regression (--sizes 784,10 --cost log-likelihood) is then "
     "strictly convex", NULL, ALL, 9},
    {"init", "--init", "NAME", TN_FIELD_ENUM, AT(init), ENUM(tn_init_names, TN_INIT_COUNT, init_notes), 0, 0, 0, "", NULL, ALL, 4},
    {"init_seed", "--init-seed", "N", TN_FIELD_U64, AT(init_seed), NO_ENUM, 0, 18446744073709551615.0, 0,
     "seed of the initial parameters", NULL, ALL, 14},
    {"order_seed", "--order-seed", "N", TN_FIELD_U64, AT(order_seed), NO_ENUM, 0, 18446744073709551615.0, 0,
     "seed of the example order", NULL, ALL, 15},
    {"train_size", "--train-size", "N", TN_FIELD_U32, AT(train_size), NO_ENUM, 0, UINT32_MAX, 0,
     "examples to train on; the rest of the training file is the validation set", "all", ALL, 11},
    {"early_stop", "--early-stop", "N", TN_FIELD_U32, AT(early_stop), NO_ENUM, 0, 100000, 0,
     "stop after N epochs without validation gain", "off", ALL, 12},
    {"threads", "--threads", "N", TN_FIELD_INT, AT(threads), NO_ENUM, 1, 256, 0, "threads; the result is the same for any N",
     NULL, 0, 0},
    {"on_nan", "--on-nan", "WHAT", TN_FIELD_ENUM, AT(on_nan), ENUM(tn_on_nan_names, TN_ON_NAN_COUNT, on_nan_notes), 0, 0, 0,
     "a non-finite cost or parameter at an epoch's end:", NULL, TN_IN_KEY | TN_IN_MANIFEST, 13},
};
#undef AT

/* Enums and flags are read and written as int: the enums must be int-sized. */
_Static_assert(sizeof(tn_activation) == sizeof(int) && sizeof(tn_cost) == sizeof(int) && sizeof(tn_init) == sizeof(int) &&
               sizeof(tn_on_nan) == sizeof(int), "enums in tn_config are int-sized");

const tn_config_field *tn_config_fields(int *n) {
    *n = (int)(sizeof fields / sizeof fields[0]);
    return fields;
}

const tn_config_field *tn_config_field_named(const char *name) {
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        if (strcmp(fields[k].name, name) == 0) return &fields[k];
    return NULL;
}

uint64_t tn_config_get_uint(const tn_config *c, const tn_config_field *f) {
    const char *at = (const char *)c + f->offset;
    uint32_t u32;
    uint64_t u64;
    int i;
    switch (f->type) {
    case TN_FIELD_U32: memcpy(&u32, at, 4); return u32;
    case TN_FIELD_U64: memcpy(&u64, at, 8); return u64;
    case TN_FIELD_INT: case TN_FIELD_ENUM: case TN_FIELD_BOOL: memcpy(&i, at, sizeof i); return (uint64_t)(int64_t)i;
    default: return 0;
    }
}

void tn_config_set_uint(tn_config *c, const tn_config_field *f, uint64_t v) {
    char *at = (char *)c + f->offset;
    uint32_t u32 = (uint32_t)v;
    int i = (int)v;
    if (f->type == TN_FIELD_U32) memcpy(at, &u32, 4);
    else if (f->type == TN_FIELD_U64) memcpy(at, &v, 8);
    else if (f->type == TN_FIELD_INT || f->type == TN_FIELD_ENUM || f->type == TN_FIELD_BOOL) memcpy(at, &i, sizeof i);
}

float tn_config_get_f32(const tn_config *c, const tn_config_field *f) {
    float v;
    memcpy(&v, (const char *)c + f->offset, sizeof v);
    return v;
}

void tn_config_set_f32(tn_config *c, const tn_config_field *f, float v) { memcpy((char *)c + f->offset, &v, sizeof v); }

void tn_config_uint_range(const tn_config_field *f, uint64_t *lo, uint64_t *hi) {
    *lo = (uint64_t)f->min;
    *hi = f->type == TN_FIELD_ENUM ? (uint64_t)f->n_names - 1 : f->max >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)f->max;
}

int tn_config_in_range(const tn_config_field *f, double v) {
    if (!isfinite(v)) return 0;
    if (f->type == TN_FIELD_ENUM) return v >= 0 && v < f->n_names;
    return v >= f->min && !(f->min_open && v == f->min) && v <= f->max;
}

void tn_config_default_text(const tn_config_field *f, char *text, size_t cap) {
    tn_config c;
    tn_config_default(&c);
    size_t used = 0;
    text[0] = 0;
    if (f->type == TN_FIELD_SIZES) {
        for (int l = 0; l < c.n_sizes && used < cap; l++)
            used += (size_t)snprintf(text + used, cap - used, "%s%u", l ? "," : "", c.sizes[l]);
    } else if (f->type == TN_FIELD_F32) {
        double v = tn_config_get_f32(&c, f);
        snprintf(text, cap, v == floor(v) && fabs(v) < 1e15 ? "%.1f" : "%g", v);   /* 3.0, 0.5 */
    } else if (f->type == TN_FIELD_ENUM) {
        uint64_t v = tn_config_get_uint(&c, f);
        snprintf(text, cap, "%s", v < (uint64_t)f->n_names ? f->names[v] : "?");
    } else {
        snprintf(text, cap, "%llu", (unsigned long long)tn_config_get_uint(&c, f));
    }
}

void tn_config_write_json(const tn_config *c, unsigned in, tn_json *j) {
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        const tn_config_field *f = &fields[k];
        if (!(f->in & in)) continue;
        if (f->type == TN_FIELD_SIZES) {
            tn_json_array(j, f->name);
            for (int l = 0; l < c->n_sizes; l++) tn_json_uint(j, NULL, c->sizes[l]);
            tn_json_end(j);
        }
        else if (f->type == TN_FIELD_F32) tn_json_number(j, f->name, tn_config_get_f32(c, f));
        else if (f->type == TN_FIELD_ENUM) tn_json_string(j, f->name, f->names[tn_config_get_uint(c, f) % (uint64_t)f->n_names]);
        else if (f->type == TN_FIELD_BOOL) tn_json_bool(j, f->name, tn_config_get_uint(c, f) != 0);
        else tn_json_uint(j, f->name, tn_config_get_uint(c, f));
    }
}

static int read_field(tn_config *c, const tn_config_field *f, const tn_json_value *v) {
    uint64_t lo, hi, x;
    float r;
    int k = 0;
    switch (f->type) {
    case TN_FIELD_SIZES:
        if (v->kind != TN_JSON_ARRAY || v->count < 2 || v->count > TN_MAX_LAYERS) return 0;
        for (const tn_json_value *w = v->first; w; w = w->next, k++) {
            if (!tn_json_to_u64(w, (uint64_t)f->max, &x) || x < (uint64_t)f->min) return 0;
            c->sizes[k] = (uint32_t)x;
        }
        c->n_sizes = k;
        return 1;
    case TN_FIELD_F32:
        if (!tn_json_to_f32(v, &r) || !tn_config_in_range(f, r)) return 0;
        tn_config_set_f32(c, f, r);
        return 1;
    case TN_FIELD_ENUM:
        if ((k = tn_json_to_name(v, f->names, f->n_names)) < 0) return 0;
        tn_config_set_uint(c, f, (uint64_t)k);
        return 1;
    case TN_FIELD_BOOL:
        if (v->kind != TN_JSON_TRUE && v->kind != TN_JSON_FALSE) return 0;
        tn_config_set_uint(c, f, v->kind == TN_JSON_TRUE);
        return 1;
    default:
        tn_config_uint_range(f, &lo, &hi);
        if (!tn_json_to_u64(v, hi, &x) || x < lo) return 0;
        tn_config_set_uint(c, f, x);
        return 1;
    }
}

const char *tn_config_read_json(tn_config *c, unsigned in, const tn_json_value *obj) {
    if (!obj || obj->kind != TN_JSON_OBJECT) return "config";
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        const tn_json_value *v = tn_json_get(obj, fields[k].name);
        if ((fields[k].in & in) && v && !read_field(c, &fields[k], v)) return fields[k].name;
    }
    return NULL;
}

/* network.py: [784,30,10], 30 epochs, batch 10, eta 3.0, quadratic cost, N(0,1) init, seeds 1. */
void tn_config_default(tn_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->n_sizes = 3;
    cfg->sizes[0] = 784; cfg->sizes[1] = 30; cfg->sizes[2] = 10;
    cfg->activation = TN_ACT_SIGMOID;
    cfg->cost = TN_COST_QUADRATIC;
    cfg->init = TN_INIT_NORMAL;
    cfg->epochs = 30;
    cfg->batch = 10;
    cfg->eta = 3.0f;
    cfg->lambda = 0.0f;
    cfg->init_seed = 1;
    cfg->order_seed = 1;
    cfg->train_size = 50000;
    cfg->threads = 1;
    cfg->trace_every = 100;
    cfg->perturb_ulp = -1;
}
