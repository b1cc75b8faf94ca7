/* A training run as one call (tn_run): the data (loaded here unless the caller has it), the
 * validation split rule, training, and the model assembled with the hash of the examples it
 * was trained on; the CLI's train, a sweep and an MPI rank all come through here. A run may go
 * on from a model's state (resume), or start a new run there, perturbed (spawn). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "resume.h"
#include "util.h"

/* The model file and the trace can be written, and neither is a data file or the other. */
static tn_status check_outputs(const tn_run_spec *spec, tn_error *err) {
    const char *outputs[2] = {spec->out, spec->config.trace_path};
    tn_data_files *files = NULL;
    const char *inputs[4] = {NULL, NULL, NULL, NULL};
    if (!spec->train) {
        if (!(files = malloc(sizeof *files))) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
        tn_data_resolve(&spec->data, files);
        for (int i = 0; i < 4; i++) inputs[i] = files->path[i];
    }
    tn_status s = TN_OK;
    for (int i = 0; i < 2 && s == TN_OK; i++)
        if (outputs[i]) s = tn_out_check(outputs[i], inputs, 4, outputs, 2, spec->force, err);
    free(files);
    return s;
}

/* A continued run is from's: every field the file holds (and so changes the bits) is from's, but
 * for the epochs and, in a spawn, the order seed; the data are from's. */
static void validation_hash(const tn_dataset *train, const tn_dataset *used, char hex[TN_HEX_SIZE]) {
    uint8_t sha[32];
    tn_dataset validation = tn_dataset_view(train, used->n, train->n - used->n);
    hex[0] = 0;
    if (!validation.n) return;
    tn_dataset_sha256(&validation, sha);
    tn_hex(sha, 32, hex);
}

static tn_status check_continues(const tn_run_spec *spec, const tn_config *cfg, const tn_dataset *train,
                                 const tn_dataset *used, tn_error *err) {
    const tn_model *from = spec->from;
    tn_config want = from->config;
    want.epochs = cfg->epochs;
    if (spec->spawn) want.order_seed = cfg->order_seed;
    int n;
    const tn_config_field *f = tn_config_fields(&n);
    for (int k = 0; k < n; k++) {
        if (!(f[k].in & TN_IN_FILE)) continue;
        int same = f[k].type == TN_FIELD_SIZES ? want.n_sizes == cfg->n_sizes && !memcmp(want.sizes, cfg->sizes, sizeof want.sizes)
                   : f[k].type == TN_FIELD_F32 ? tn_f2u(tn_config_get_f32(&want, &f[k])) == tn_f2u(tn_config_get_f32(cfg, &f[k]))
                   : tn_config_get_uint(&want, &f[k]) == tn_config_get_uint(cfg, &f[k]);
        if (!same) return tn_fail(err, TN_ERR_ARG, "%s: a continued run keeps the model's %s", f[k].flag, f[k].name);
    }
    if (cfg->epochs < from->epochs_run)
        return tn_fail(err, TN_ERR_ARG, "--epochs: %u, but the model has run %u", cfg->epochs, from->epochs_run);
    if (from->stop == TN_STOP_NON_FINITE) return tn_fail(err, TN_ERR_ARG, "the model's training diverged: there is nothing to continue");
    if (cfg->early_stop && !from->provenance.state.saved)
        return tn_fail(err, TN_ERR_ARG, "--early-stop: the model records no early-stopping state (only a run stopped on request does)");
    uint8_t sha[32];
    tn_dataset_sha256(used, sha);
    if (!from->provenance.data_unknown && memcmp(sha, from->data_sha256, 32) != 0)
        return tn_fail(err, TN_ERR_ARG, "%s: not the training examples the model was trained on", used->images_name);
    char valid[TN_HEX_SIZE];
    validation_hash(train, used, valid);
    if (cfg->early_stop && strcmp(valid, from->provenance.state.validation) != 0)
        return tn_fail(err, TN_ERR_ARG, "%s: not the validation examples the model's early stopping read", used->images_name);
    return TN_OK;
}

/* Kwok et al. 2025: weights += sigma e, e Gaussian with ||e||^2 = n Var(theta_0) over the n weights
 * (biases untouched), theta_0 the model's initial weights; in double, each rounded once to float. */
static tn_status perturb_gauss(const tn_run_spec *spec, float *params, tn_error *err) {
    const tn_net *net = &spec->from->net;
    float *start = malloc(net->n_params * sizeof *start);
    if (!start) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    if (!tn_model_start(spec->from, start)) {
        free(start);
        return tn_fail(err, TN_ERR_ARG, "--perturb-gauss: the model's initial weights are not known (their variance scales the noise)");
    }
    double sum = 0.0, dev = 0.0, zz = 0.0;
    uint64_t count = 0;
    for (int pass = 0; pass < 3; pass++) {
        size_t at = 0;
        uint64_t j = 0;
        for (int l = 1; l < net->n_sizes; l++) {
            size_t weights = (size_t)net->sizes[l] * net->sizes[l - 1];
            double mean = count ? sum / (double)count : 0.0, scale = zz > 0.0 && count ? spec->perturb_gauss * sqrt((double)count * dev / count / zz) : 0.0;
            for (size_t i = at; i < at + weights; i++, j++) {
                if (pass == 0) { sum += start[i]; count++; }
                else if (pass == 1) { dev += (start[i] - mean) * (start[i] - mean); double z = tn_normal(spec->perturb_seed, TN_STREAM_PERTURB, j); zz += z * z; }
                else params[i] = (float)((double)params[i] + scale * tn_normal(spec->perturb_seed, TN_STREAM_PERTURB, j));
            }
            at += weights + net->sizes[l];
        }
    }
    free(start);
    return TN_OK;
}

/* A spawn's words for its provenance: "order seed 2; ulp 1234; gauss 0.01 seed 1" ("none"). */
static void spawn_words(const tn_run_spec *spec, char *out, size_t cap) {
    size_t used = 0;
    out[0] = 0;
    if (spec->config.order_seed != spec->from->config.order_seed)
        used += (size_t)snprintf(out + used, cap - used, "order seed %llu", (unsigned long long)spec->config.order_seed);
    if (spec->config.perturb_ulp >= 0 && used < cap)
        used += (size_t)snprintf(out + used, cap - used, "%sulp %lld", used ? "; " : "", (long long)spec->config.perturb_ulp);
    if (spec->perturb_gauss != 0.0 && used < cap)
        used += (size_t)snprintf(out + used, cap - used, "%sgauss %.9g seed %llu", used ? "; " : "", spec->perturb_gauss,
                                 (unsigned long long)spec->perturb_seed);
    if (!out[0]) snprintf(out, cap, "none");
}

/* The start of a continued run: from's parameters (a spawn's perturbed), step and state. */
static tn_status continue_from(const tn_run_spec *spec, tn_config *cfg, tn_train_start *st, float **params, tn_error *err) {
    const tn_model *from = spec->from;
    if (!(*params = malloc(from->net.n_params * sizeof **params))) return tn_fail(err, TN_ERR_NOMEM, "out of memory");
    tn_net_get_canonical(&from->net, *params);
    st->params = *params;
    st->step = from->steps;
    st->epochs_done = from->epochs_run;
    if (from->provenance.state.saved) {
        st->state = from->provenance.state;
        cfg->on_nan = st->state.on_nan;
    }
    if (!spec->spawn) cfg->perturb_ulp = -1;
    if (spec->spawn && spec->perturb_gauss != 0.0) {
        if (!(spec->perturb_gauss > 0.0) || !isfinite(spec->perturb_gauss))
            return tn_fail(err, TN_ERR_ARG, "--perturb-gauss: sigma must be positive and finite");
        return perturb_gauss(spec, *params, err);
    }
    return TN_OK;
}

/* The model's provenance: a resumed run's is from's, a spawn's names from as its parent; the state
 * is kept only when the run stopped on request (a run continued to its end writes the bytes of one
 * never stopped). */
static tn_status provenance_of(const tn_run_spec *spec, tn_model *model, tn_train_start *st, int interrupted,
                               const tn_dataset *train, const tn_dataset *used, tn_error *err) {
    const tn_model *from = spec->from;
    if (from) {
        tn_status s = tn_provenance_copy(&model->provenance, &from->provenance, from->net.n_params, err);
        if (s != TN_OK) return s;
        free(model->provenance.state.last_finite);   /* from's state: the run's own replaces it */
        memset(&model->provenance.state, 0, sizeof model->provenance.state);
        if (spec->spawn) {
            tn_net_fingerprint(&from->net, model->provenance.parents[0]);
            model->provenance.spawn_step = from->steps;
            spawn_words(spec, model->provenance.spawn, sizeof model->provenance.spawn);
        }
    }
    if (interrupted) {
        model->provenance.state = st->state;
        model->provenance.state.saved = 1;
        validation_hash(train, used, model->provenance.state.validation);
        st->state.last_finite = NULL;   /* the model's now */
    }
    return TN_OK;
}

tn_status tn_run(const tn_run_spec *spec, tn_model *model, tn_train_result *result, tn_error *err) {
    memset(model, 0, sizeof *model);
    memset(result, 0, sizeof *result);
    tn_status s = check_outputs(spec, err);
    if (s == TN_OK) s = tn_train_memory_check(&spec->config, spec->train ? spec->train->n : 0, err); /* before the data */
    if (s != TN_OK) return s;
    tn_dataset loaded_train, loaded_test;
    const tn_dataset *train = spec->train, *test = spec->test;
    int loaded = 0;
    if (!train) {
        s = tn_data_load(&spec->data, &loaded_train, &loaded_test, err);
        if (s != TN_OK) return s;
        train = &loaded_train;
        test = &loaded_test;
        loaded = 1;
    }
    tn_config cfg = spec->config;
    /* The book's split (50,000 training, 10,000 validation) on a smaller training set: all of it. */
    if (cfg.train_size == 50000 && train->n < 50000) cfg.train_size = 0;
    tn_dataset used = tn_dataset_view(train, 0, cfg.train_size && cfg.train_size < train->n ? cfg.train_size : train->n);
    tn_train_start st;
    memset(&st, 0, sizeof st);
    st.stop_at = spec->stop_at;
    st.stop_at_step = spec->stop_at_step;
    float *params = NULL;
    if (spec->from && (s = check_continues(spec, &cfg, train, &used, err)) == TN_OK) s = continue_from(spec, &cfg, &st, &params, err);
    if (s == TN_OK) s = tn_train_from(&cfg, train, test, &model->net, &st, spec->on_epoch, spec->user, spec->stop_flag, result, err);
    free(params);
    if (s == TN_OK && (s = provenance_of(spec, model, &st, result->interrupted, train, &used, err)) != TN_OK) tn_model_free(model);
    free(st.state.last_finite);
    if (s == TN_OK) {
        model->config = cfg;
        model->config.trace_path = NULL;
        model->epochs_run = result->epochs_run;
        model->steps = result->steps;
        model->stop = result->interrupted ? TN_STOP_INTERRUPTED
                      : result->non_finite && cfg.on_nan == TN_ON_NAN_STOP ? TN_STOP_NON_FINITE
                      : result->stopped_early ? TN_STOP_EARLY : TN_STOP_COMPLETED;
        tn_dataset_sha256(&used, model->data_sha256);
        if (spec->out) s = tn_model_save(model, spec->out, err);
        if (s != TN_OK) tn_model_free(model);
    }
    if (loaded) {
        tn_dataset_free(&loaded_train);
        tn_dataset_free(&loaded_test);
    }
    return s;
}
