/* The training options as JSON (src/nn/config_json.c), which the Python package's train() goes
 * through: the default's text names every option of the table but threads, reads back to the same
 * configuration, sets a subset, and refuses (changing nothing) unknown options, wrong types,
 * values out of range and texts that are not one JSON object. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "twinnet.h"

static tn_status set(tn_config *c, const char *text, tn_error *err) {
    return tn_config_from_json(c, text, strlen(text), err);
}

int main(void) {
    tn_config def, c;
    tn_error err = {""};
    tn_config_default(&def);
    size_t size = 0;
    char *text = tn_config_to_json(&def, &size);
    CHECK(text && size == strlen(text), "the default's text");
    if (!text) return check_done("test_config_json");
    static const char *const names[] = {"\"sizes\":[784,30,10]", "\"epochs\":30", "\"batch\":10", "\"eta\":3",
                                        "\"cost\":\"quadratic\"", "\"activation\":\"sigmoid\"", "\"init\":\"normal\"",
                                        "\"init_seed\":1", "\"train_size\":50000", "\"l2_biases\":false", "\"on_nan\":\"stop\""};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) CHECK(strstr(text, names[k]), "%s in %s", names[k], text);
    CHECK(!strstr(text, "threads"), "threads is not a file's option");
    memset(&c, 0, sizeof c);
    c.threads = def.threads;
    c.trace_every = def.trace_every;
    c.perturb_ulp = def.perturb_ulp;
    CHECK_OK(tn_config_from_json(&c, text, size, &err), err);
    CHECK(memcmp(&c, &def, sizeof c) == 0, "the default read back is the default");
    free(text);

    c = def;
    CHECK_OK(set(&c, "{\"sizes\":[784,100,10],\"eta\":0.5,\"cost\":\"cross-entropy\",\"l2_biases\":true,"
                     "\"init_seed\":18446744073709551615}", &err), err);
    CHECK(c.n_sizes == 3 && c.sizes[1] == 100 && c.eta == 0.5f && c.cost == TN_COST_CROSS_ENTROPY && c.l2_biases == 1 &&
          c.init_seed == UINT64_MAX && c.epochs == 30, "a subset set, the rest kept");

    static const char *const bad[][2] = {
        {"{\"epoch\":3}", "unknown option 'epoch'"},
        {"{\"threads\":2}", "unknown option 'threads'"},
        {"{\"eta\":-1}", "eta must be a number above 0"},
        {"{\"eta\":\"3\"}", "eta must be a number"},
        {"{\"batch\":0}", "batch must be a whole number from 1 to 65536"},
        {"{\"epochs\":2.5}", "epochs must be a whole number"},
        {"{\"init_seed\":18446744073709551616}", "init_seed must be a whole number from 0 to 18446744073709551615"},
        {"{\"cost\":\"hinge\"}", "cost must be one of quadratic, cross-entropy, log-likelihood"},
        {"{\"l2_biases\":1}", "l2_biases must be true or false"},
        {"{\"sizes\":[784]}", "sizes must be 2 to 16 widths"},
        {"{\"sizes\":[784,0,10]}", "sizes must be 2 to 16 widths, each 1 to 65536"},
        {"[1]", "options: not a JSON object"},
        {"{\"eta\":1,}", "options: JSON"},
        {"", "options: JSON"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        c = def;
        c.eta = 7.0f;
        err.msg[0] = 0;
        tn_status s = set(&c, bad[k][0], &err);
        CHECK(s == TN_ERR_ARG, "%s refused (%s)", bad[k][0], tn_status_string(s));
        CHECK(strstr(err.msg, bad[k][1]) && !strchr(err.msg, '\n'), "%s: message '%s' says '%s'", bad[k][0], err.msg, bad[k][1]);
        CHECK(c.eta == 7.0f && c.epochs == def.epochs && c.cost == def.cost, "%s: nothing changed", bad[k][0]);
    }
    return check_done("test_config_json");
}
