/* A training run as one call (tn_run): the data (loaded here unless the caller has it), the
 * validation split rule, training, and the model assembled with the hash of the examples it
 * was trained on; the CLI's train, a sweep and an MPI rank all come through here. */
#include <stdio.h>
#include <stdlib.h>

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
    s = tn_train(&cfg, train, test, &model->net, spec->on_epoch, spec->user, spec->stop_flag, result, err);
    if (s == TN_OK) {
        model->config = cfg;
        model->config.trace_path = NULL;
        model->epochs_run = result->epochs_run;
        model->steps = result->steps;
        model->stop = result->interrupted ? TN_STOP_INTERRUPTED
                      : result->non_finite && cfg.on_nan == TN_ON_NAN_STOP ? TN_STOP_NON_FINITE
                      : result->stopped_early ? TN_STOP_EARLY : TN_STOP_COMPLETED;
        tn_dataset used = tn_dataset_view(train, 0, cfg.train_size ? cfg.train_size : train->n);
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
