/* A training run as one call (tn_run): the data (loaded here unless the caller has it), the
 * validation split rule, training, and the model assembled with the hash of the examples it
 * was trained on; the CLI's train, a sweep and an MPI rank all come through here. */
#include "util.h"

tn_status tn_run(const tn_run_spec *spec, tn_model *model, tn_train_result *result, tn_error *err) {
    memset(model, 0, sizeof *model);
    memset(result, 0, sizeof *result);
    tn_dataset loaded_train, loaded_test;
    const tn_dataset *train = spec->train, *test = spec->test;
    int loaded = 0;
    if (!train) {
        tn_status s = tn_data_load(&spec->data, &loaded_train, &loaded_test, err);
        if (s != TN_OK) return s;
        train = &loaded_train;
        test = &loaded_test;
        loaded = 1;
    }
    tn_config cfg = spec->config;
    /* The book's split (50,000 training, 10,000 validation) on a smaller training set: all of it. */
    if (cfg.train_size == 50000 && train->n < 50000) cfg.train_size = 0;
    tn_status s = tn_train(&cfg, train, test, &model->net, spec->on_epoch, spec->user, spec->stop_flag, result, err);
    if (s == TN_OK) {
        model->config = cfg;
        model->config.trace_path = NULL;
        model->epochs_run = result->epochs_run;
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
