/* The configuration table (src/nn/config.h) against its consumers: the sweep key stays the hex
 * it was before the table for two pinned configurations (existing sweep directories resume);
 * every field marked in the key, the model file or the manifest is really there (changing it
 * changes the key or the file's bytes, and it comes back from the file or the manifest), and
 * every field not marked is not; the table itself is consistent (names, flags, key slots,
 * defaults within range). */
#include <string.h>

#include "check.h"
#include "config.h"
#include "json.h"
#include "model.h"
#include "parse.h"

/* Computed with tn_sweep_key as it was written by hand before the table (commit 6b47245), on a
 * sweep of 3 runs varying init and bit, data digest bytes 7i+1: the defaults, then every field
 * of the key away from its default. */
static const char *const PINNED_DEFAULT = "fece19874751a331220e5b2fe691ef98a6a57ec54738bd1c0fcd80984e1beab0";
static const char *const PINNED_OTHER = "f4352fc2354cf1380cd2070734f58ef5524820477265cc9d8817f49952ddcabf";

static void sweep_of(tn_sweep *sw) {
    memset(sw, 0, sizeof *sw);
    tn_config_default(&sw->base);
    sw->runs = 3;
    sw->n_sources = 2;
    sw->sources[0] = TN_VARY_INIT;
    sw->sources[1] = TN_VARY_BIT;
}

static void key_of(const tn_sweep *sw, char hex[TN_HEX_SIZE]) {
    uint8_t data[32];
    for (int i = 0; i < 32; i++) data[i] = (uint8_t)(i * 7 + 1);
    tn_sweep_key(sw, data, hex);
}

static void pinned_keys(void) {
    tn_sweep sw;
    char hex[TN_HEX_SIZE];
    sweep_of(&sw);
    key_of(&sw, hex);
    CHECK(strcmp(hex, PINNED_DEFAULT) == 0, "default key %s", hex);
    tn_config *c = &sw.base;
    c->n_sizes = 4; c->sizes[1] = 100; c->sizes[2] = 30; c->sizes[3] = 10;
    c->activation = TN_ACT_RELU; c->cost = TN_COST_LOG_LIKELIHOOD; c->init = TN_INIT_SCALED;
    c->epochs = 7; c->batch = 32; c->eta = 0.25f; c->lambda = 5.0f; c->l2_biases = 1; c->eta_decay = 0.5f;
    c->train_size = 1000; c->early_stop = 3; c->on_nan = TN_ON_NAN_CONTINUE; c->init_seed = 0x123456789abcdefULL;
    c->order_seed = UINT64_MAX; c->threads = 4;
    key_of(&sw, hex);
    CHECK(strcmp(hex, PINNED_OTHER) == 0, "other key %s", hex);
}

/* c with field f moved away from its default, within its range. */
static void changed(tn_config *c, const tn_config_field *f) {
    tn_config_default(c);
    uint64_t lo, hi, v;
    switch (f->type) {
    case TN_FIELD_SIZES: c->sizes[1] = 20; break;
    case TN_FIELD_F32: tn_config_set_f32(c, f, tn_config_get_f32(c, f) + 0.5f); break;
    case TN_FIELD_ENUM: tn_config_set_uint(c, f, (tn_config_get_uint(c, f) + 1) % (uint64_t)f->n_names); break;
    case TN_FIELD_BOOL: tn_config_set_uint(c, f, !tn_config_get_uint(c, f)); break;
    default:
        tn_config_uint_range(f, &lo, &hi);
        v = tn_config_get_uint(c, f);
        tn_config_set_uint(c, f, v < hi ? v + 1 : v - 1);
    }
}

static int same_field(const tn_config *a, const tn_config *b, const tn_config_field *f) {
    if (f->type == TN_FIELD_SIZES) return a->n_sizes == b->n_sizes && memcmp(a->sizes, b->sizes, sizeof a->sizes) == 0;
    if (f->type == TN_FIELD_F32) return tn_config_get_f32(a, f) == tn_config_get_f32(b, f);
    return tn_config_get_uint(a, f) == tn_config_get_uint(b, f);
}

/* The model file of a network built from c (small: [784 or as c says] is fine, a few KB). */
static uint8_t *model_bytes(const tn_config *c, size_t *size) {
    tn_model m;
    tn_error err = {""};
    memset(&m, 0, sizeof m);
    m.config = *c;
    CHECK_OK(tn_net_init(&m.net, c->sizes, c->n_sizes, c->activation, c->cost, &err), err);
    tn_net_randomize(&m.net, c->init, 1);
    uint8_t *bytes = NULL;
    CHECK_OK(tn_model_serialize(&m, "m", &bytes, size, &err), err);
    tn_net_free(&m.net);
    return bytes;
}

static void every_field(void) {
    int n;
    const tn_config_field *fields = tn_config_fields(&n);
    tn_config defaults;
    tn_config_default(&defaults);
    tn_sweep sw;
    char key_default[TN_HEX_SIZE], key[TN_HEX_SIZE];
    sweep_of(&sw);
    key_of(&sw, key_default);
    size_t size_default;
    uint8_t *file_default = model_bytes(&defaults, &size_default);
    for (int k = 0; k < n; k++) {
        const tn_config_field *f = &fields[k];
        tn_config c;
        changed(&c, f);
        CHECK(!same_field(&c, &defaults, f), "%s: moved", f->name);
        /* the key */
        sweep_of(&sw);
        sw.base = c;
        key_of(&sw, key);
        CHECK((strcmp(key, key_default) != 0) == ((f->in & (TN_IN_KEY | TN_IN_KEY_IF_SET)) != 0), "%s: in the key or not", f->name);
        /* the model file */
        size_t size;
        uint8_t *file = model_bytes(&c, &size);
        int differs = file && file_default && (size != size_default || memcmp(file, file_default, size) != 0);
        CHECK(differs == ((f->in & TN_IN_FILE) != 0), "%s: model.c writes it iff TN_IN_FILE", f->name);
        tn_model back;
        tn_error err = {""};
        if (file && tn_model_parse(&back, "m", file, size, &err) == TN_OK) {
            CHECK(same_field(&back.config, (f->in & TN_IN_FILE) ? &c : &defaults, f), "%s: model.c reads it back", f->name);
            tn_model_free(&back);
        } else {
            CHECK(0, "%s: %s", f->name, err.msg);
        }
        free(file);
        /* the manifest's config object */
        tn_json j;
        tn_json_begin_mem(&j);
        tn_json_object(&j, NULL);
        tn_config_write_json(&c, TN_IN_MANIFEST, &j);
        tn_json_end(&j);
        size_t len;
        char *text = tn_json_take(&j, &len);
        tn_json_doc doc;
        CHECK_OK(tn_json_parse("manifest", text, len, &doc, &err), err);
        tn_config read;
        tn_config_default(&read);
        const char *bad = doc.root ? tn_config_read_json(&read, TN_IN_MANIFEST, doc.root) : "parse";
        CHECK(bad == NULL, "%s: read back: %s", f->name, bad ? bad : "");
        CHECK((tn_json_get(doc.root, f->name) != NULL) == ((f->in & TN_IN_MANIFEST) != 0), "%s: in the manifest iff marked", f->name);
        CHECK(same_field(&read, (f->in & TN_IN_MANIFEST) ? &c : &defaults, f), "%s: the manifest gives it back", f->name);
        tn_json_doc_free(&doc);
        free(text);
    }
    free(file_default);
}

static void table(void) {
    int n, slots = 0, max_slot = 0;
    const tn_config_field *fields = tn_config_fields(&n);
    tn_config c;
    tn_config_default(&c);
    for (int k = 0; k < n; k++) {
        const tn_config_field *f = &fields[k];
        CHECK(tn_config_field_named(f->name) == f && strncmp(f->flag, "--", 2) == 0 && f->help, "%s: name, flag, help", f->name);
        for (int i = 0; i < k; i++) CHECK(strcmp(fields[i].flag, f->flag) != 0, "%s: flag twice", f->flag);
        CHECK((f->type == TN_FIELD_ENUM) == (f->names != NULL && f->n_names > 0), "%s: names iff an enum", f->name);
        CHECK((f->type == TN_FIELD_BOOL) == (f->metavar == NULL), "%s: a value iff not a flag", f->name);
        if (f->in & TN_IN_KEY) {
            slots++;
            max_slot = f->key_slot > max_slot ? f->key_slot : max_slot;
            for (int i = 0; i < k; i++) CHECK(!(fields[i].in & TN_IN_KEY) || fields[i].key_slot != f->key_slot, "%s: slot twice", f->name);
        }
        double v = f->type == TN_FIELD_F32 ? tn_config_get_f32(&c, f) : f->type == TN_FIELD_SIZES ? c.sizes[1] : (double)tn_config_get_uint(&c, f);
        CHECK(tn_config_in_range(f, v), "%s: the default is in range", f->name);
    }
    CHECK(slots == max_slot && slots == 15, "key slots 1..%d, %d used", max_slot, slots);
}

int main(void) {
    pinned_keys();
    every_field();
    table();
    return check_done("test_config");
}
