/* tn_model_import on bytes in memory: a safetensors network of known values in F32, F16, BF16
 * and F64 (exact values, and a rounding measured), the input scaling folded exactly, the
 * provenance filled, a supplied start, network2's JSON cost, and options the file contradicts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "twinnet.h"

/* [2,2,1]: W1 = [[0.5, -1], [2, 0.25]], b1 = [1, -0.5], W2 = [[1.5, -2]], b2 = [0.125]. */
static const double values[] = {0.5, -1, 2, 0.25, 1, -0.5, 1.5, -2, 0.125};

static size_t safetensors(uint8_t *buf, const char *dtype, double w0) {
    size_t item = !strcmp(dtype, "F64") ? 8 : !strcmp(dtype, "F32") ? 4 : 2;
    char header[512];
    int n = snprintf(header, sizeof header,
                     "{\"0.weight\":{\"dtype\":\"%s\",\"shape\":[2,2],\"data_offsets\":[0,%zu]},"
                     "\"0.bias\":{\"dtype\":\"%s\",\"shape\":[2],\"data_offsets\":[%zu,%zu]},"
                     "\"2.weight\":{\"dtype\":\"%s\",\"shape\":[1,2],\"data_offsets\":[%zu,%zu]},"
                     "\"2.bias\":{\"dtype\":\"%s\",\"shape\":[1],\"data_offsets\":[%zu,%zu]}}",
                     dtype, 4 * item, dtype, 4 * item, 6 * item, dtype, 6 * item, 8 * item, dtype, 8 * item, 9 * item);
    for (int i = 0; i < 8; i++) buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, header, (size_t)n);
    uint8_t *p = buf + 8 + n;
    for (int k = 0; k < 9; k++, p += item) {
        double v = k == 0 ? w0 : values[k];
        float f = (float)v;
        uint32_t u;
        uint64_t d;
        memcpy(&u, &f, 4);
        memcpy(&d, &v, 8);
        if (item == 8) for (int i = 0; i < 8; i++) p[i] = (uint8_t)(d >> (8 * i));
        else if (item == 4) for (int i = 0; i < 4; i++) p[i] = (uint8_t)(u >> (8 * i));
        else if (!strcmp(dtype, "BF16")) { p[0] = (uint8_t)(u >> 16); p[1] = (uint8_t)(u >> 24); }
        else {   /* F16 of these values: sign, exponent - 15 + ... built from the float's bits */
            uint32_t e = (u >> 23 & 255) - 127 + 15, m = (u >> 13) & 1023, h = (u >> 16 & 0x8000) | e << 10 | m;
            p[0] = (uint8_t)h;
            p[1] = (uint8_t)(h >> 8);
        }
    }
    return (size_t)(p - buf);
}

int main(void) {
    uint8_t buf[1024], start[1024];
    tn_import_options o;
    tn_import_info info;
    tn_model m;
    tn_error err;
    float got[9];
    const char *dtypes[] = {"F32", "F64", "F16", "BF16"};
    for (int d = 0; d < 4; d++) {
        size_t n = safetensors(buf, dtypes[d], 0.5);
        tn_import_options_default(&o);
        o.name = "dir/net.safetensors";
        CHECK_OK(tn_model_import(&m, buf, n, &o, &info, &err), err);
        if (!m.net.params) continue;
        tn_net_get_canonical(&m.net, got);
        for (int k = 0; k < 9; k++) CHECK(got[k] == (float)values[k], "%s: value %d: %g", dtypes[d], k, (double)got[k]);
        CHECK(info.format == TN_FORMAT_SAFETENSORS && !strcmp(info.dtypes, dtypes[d]), "%s: %s", dtypes[d], info.dtypes);
        CHECK(!info.activation_stated && !info.cost_stated && m.net.activation == TN_ACT_SIGMOID, "assumed sigmoid, quadratic");
        const tn_provenance *p = &m.provenance;
        CHECK(p->start == TN_START_UNKNOWN && !p->start_params && p->data_unknown, "provenance: start and data not known");
        CHECK(!p->init_unknown && m.config.init == TN_INIT_TORCH && info.init_stated,
              "nn.Sequential keys imply PyTorch's nn.Linear initialisation (torch)");
        CHECK(!strcmp(p->source, "safetensors") && !strcmp(p->origin, "net.safetensors"), "source %s, origin %s", p->source, p->origin);
        CHECK(p->max_rounding == 0.0 && p->input_std == 0.0, "no rounding, no scaling");
        tn_model_free(&m);
    }
    /* float64 rounded: 0.1 as a double; the rounding recorded is |f - 0.1| / 0.1 */
    size_t n = safetensors(buf, "F64", 0.1);
    tn_import_options_default(&o);
    CHECK_OK(tn_model_import(&m, buf, n, &o, &info, &err), err);
    double want = ((double)0.1f - 0.1) / 0.1;
    CHECK(m.provenance.max_rounding == (want < 0 ? -want : want) && info.rounded == 1, "rounding %g", m.provenance.max_rounding);
    tn_model_free(&m);
    /* scaling folded: x' = (2x - 0.5) / 4: W1' = W1 / 2, b1' = b1 - 0.125 * rowsum(W1) */
    n = safetensors(buf, "F32", 0.5);
    size_t start_n = safetensors(start, "F32", 0.5);
    tn_import_options_default(&o);
    o.input_scale = 2.0;
    o.input_mean = 0.5;
    o.input_std = 4.0;
    o.activation = TN_ACT_RELU;
    o.cost = TN_COST_LOG_LIKELIHOOD;
    o.start = start;
    o.start_size = start_n;
    CHECK_OK(tn_model_import(&m, buf, n, &o, &info, &err), err);
    if (m.net.params) {
        tn_net_get_canonical(&m.net, got);
        const float folded[6] = {0.25f, -0.5f, 1.0f, 0.125f, 1.0f - 0.125f * -0.5f, -0.5f - 0.125f * 2.25f};
        for (int k = 0; k < 6; k++) CHECK(got[k] == folded[k], "folded value %d: %g, want %g", k, (double)got[k], (double)folded[k]);
        CHECK(info.activation_stated && info.cost_stated && m.net.cost == TN_COST_LOG_LIKELIHOOD, "stated relu, log-likelihood");
        CHECK(m.provenance.start == TN_START_SUPPLIED && m.provenance.start_params &&
              !memcmp(m.provenance.start_params, got, sizeof got), "the start, folded alike");
        CHECK(m.provenance.input_scale == 2.0 && m.provenance.input_mean == 0.5 && m.provenance.input_std == 4.0, "scaling recorded");
        tn_model_free(&m);
    }
    /* network2's JSON names its cost; a contradicting option is TN_ERR_ARG naming the file */
    const char *json = "{\"sizes\":[2,1],\"weights\":[[[1,2]]],\"biases\":[[[0.5]]],\"cost\":\"CrossEntropyCost\"}";
    tn_import_options_default(&o);
    o.name = "n2.json";
    CHECK_OK(tn_model_import(&m, (const uint8_t *)json, strlen(json), &o, &info, &err), err);
    CHECK(m.net.cost == TN_COST_CROSS_ENTROPY && info.cost_stated && m.config.init == TN_INIT_SCALED && !m.provenance.init_unknown,
          "network2: cross-entropy, scaled");
    tn_model_free(&m);
    o.cost = TN_COST_QUADRATIC;
    CHECK(tn_model_import(&m, (const uint8_t *)json, strlen(json), &o, &info, &err) == TN_ERR_ARG && !strncmp(err.msg, "n2.json: ", 9),
          "contradiction: %s", err.msg);
    CHECK(!m.net.params, "nothing left on failure");
    CHECK(tn_format_of((const uint8_t *)"PK\3\4", 4) == TN_FORMAT_NPZ && tn_format_of(buf, n) == TN_FORMAT_SAFETENSORS &&
          tn_format_of((const uint8_t *)" {", 2) == TN_FORMAT_NETWORK2_JSON && tn_format_of((const uint8_t *)"TWINNETM", 8) == TN_FORMAT_AUTO,
          "formats told by their first bytes");
    return check_done("test_import");
}
