/* The training options that train and sweep share: a network and how to train it. */
#include "cli.h"

const char *const data_options_help =
    "  --data DIR           MNIST directory (default $TWINNET_DATA, else ~/.cache/twinnet/mnist)\n"
    "  --train-images F --train-labels F   any IDX training set (raw or .gz)\n"
    "  --test-images F --test-labels F     any IDX test set (raw or .gz)\n";

const char *const config_options_help =
    "  --sizes LIST         layer widths (default 784,30,10)\n"
    "  --epochs N           (default 30)\n"
    "  --batch N            mini-batch size (default 10)\n"
    "  --eta X              learning rate (default 3.0)\n"
    "  --eta-decay D        eta / (1 + D e) in epoch e = 0, 1, ... (default 0: constant)\n"
    "  --cost NAME          quadratic | cross-entropy | log-likelihood (softmax output) (default quadratic)\n"
    "  --activation NAME    hidden layers: sigmoid | tanh | relu (default sigmoid)\n"
    "  --lambda X           L2 strength, scaled by the training set size as network2.py (default 0)\n"
    "  --l2-biases          decay the biases too (network2.py does not): softmax regression\n"
    "                       (--sizes 784,10 --cost log-likelihood) is then strictly convex\n"
    "  --init NAME          normal: N(0,1) | scaled: weights N(0,1/n_in) (default normal)\n"
    "  --seed N             sets both seeds (default 1)\n"
    "  --init-seed N        seed of the initial parameters (default 1)\n"
    "  --order-seed N       seed of the example order (default 1)\n"
    "  --train-size N       examples to train on; the rest of the training file is the\n"
    "                       validation set (default 50000; 0 = all)\n"
    "  --early-stop N       stop after N epochs without validation gain (default 0 = off)\n"
    "  --threads N          threads (default 1); the result is the same for any N\n"
    "  --on-nan WHAT        a non-finite cost or parameter at an epoch's end: stop (keep the\n"
    "                       last finite epoch's model) | continue (default stop)\n";

int config_option(args *a, tn_config *cfg, config_seeds *s) {
    if (args_is(a, "--sizes")) cfg->n_sizes = parse_sizes("--sizes", args_value(a), cfg->sizes);
    else if (args_is(a, "--epochs")) cfg->epochs = (uint32_t)parse_uint("--epochs", args_value(a), 1, 100000);
    else if (args_is(a, "--batch")) cfg->batch = (uint32_t)parse_uint("--batch", args_value(a), 1, 65536);
    else if (args_is(a, "--eta")) cfg->eta = (float)parse_real("--eta", args_value(a), 0.0, 1e6, 1);
    else if (args_is(a, "--eta-decay")) cfg->eta_decay = (float)parse_real("--eta-decay", args_value(a), 0.0, 1e6, 0);
    else if (args_is(a, "--lambda")) cfg->lambda = (float)parse_real("--lambda", args_value(a), 0.0, 1e6, 0);
    else if (args_is(a, "--l2-biases")) { args_flag(a); cfg->l2_biases = 1; }
    else if (args_is(a, "--cost")) cfg->cost = (tn_cost)parse_choice("--cost", args_value(a), tn_cost_names, TN_COST_COUNT);
    else if (args_is(a, "--activation"))
        cfg->activation = (tn_activation)parse_choice("--activation", args_value(a), tn_activation_names, TN_ACT_COUNT);
    else if (args_is(a, "--init")) cfg->init = (tn_init)parse_choice("--init", args_value(a), tn_init_names, TN_INIT_COUNT);
    else if (args_is(a, "--seed")) { s->seed = parse_uint("--seed", args_value(a), 0, UINT64_MAX); s->seed_set = 1; }
    else if (args_is(a, "--init-seed")) { cfg->init_seed = parse_uint("--init-seed", args_value(a), 0, UINT64_MAX); s->init_set = 1; }
    else if (args_is(a, "--order-seed")) { cfg->order_seed = parse_uint("--order-seed", args_value(a), 0, UINT64_MAX); s->order_set = 1; }
    else if (args_is(a, "--train-size")) cfg->train_size = (uint32_t)parse_uint("--train-size", args_value(a), 0, UINT32_MAX);
    else if (args_is(a, "--early-stop")) cfg->early_stop = (uint32_t)parse_uint("--early-stop", args_value(a), 0, 100000);
    else if (args_is(a, "--threads")) cfg->threads = (int)parse_uint("--threads", args_value(a), 1, 256);
    else if (args_is(a, "--on-nan")) cfg->on_nan = (tn_on_nan)parse_choice("--on-nan", args_value(a), tn_on_nan_names, TN_ON_NAN_COUNT);
    else return 0;
    return 1;
}

void config_finish(tn_config *cfg, const config_seeds *s) {
    if (s->seed_set && !s->init_set) cfg->init_seed = s->seed;
    if (s->seed_set && !s->order_set) cfg->order_seed = s->seed;
}
