/* The stability table: per spawn step and perturbation, the mean and standard error over the pairs
 * of each measurement; the settled step (the criterion: TN_STABILITY_SETTLED, said in every output);
 * the answer in words; text, JSON and CSV. Everything is derived from the journal's values, so the
 * bytes do not depend on how many processes trained the children. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "stability.h"

void tn_stability_table(const tn_stability *st, const double *values, tn_stab_cell *cells) {
    uint32_t P = tn_stability_perturbations(st);
    for (uint32_t i = 0; i < st->n_steps; i++)
        for (uint32_t p = 0; p < P; p++) {
            tn_stab_cell *c = &cells[i * P + p];
            memset(c, 0, sizeof *c);
            c->step = st->steps[i];
            c->perturbation = p;
            c->pairs = st->pairs;
            for (int m = 0; m < TN_STAB_METRIC_COUNT; m++) {
                double sum = 0, sq = 0;
                uint32_t n = 0;
                for (uint32_t r = 0; r < st->pairs; r++) {
                    double v = values[((size_t)(i * st->pairs + r) * P + p) * TN_STAB_METRIC_COUNT + m];
                    if (isfinite(v)) { sum += v; n++; }
                }
                double mean = n ? sum / n : NAN;
                for (uint32_t r = 0; r < st->pairs; r++) {
                    double v = values[((size_t)(i * st->pairs + r) * P + p) * TN_STAB_METRIC_COUNT + m];
                    if (isfinite(v)) sq += (v - mean) * (v - mean);
                }
                c->metric[m].mean = mean;
                c->metric[m].stderr_ = n > 1 ? sqrt(sq / (n - 1) / n) : n ? 0.0 : NAN;
            }
        }
}

uint64_t tn_stability_settled(const tn_stability *st, const tn_stab_cell *cells, uint32_t p, int aligned) {
    uint32_t P = tn_stability_perturbations(st);
    uint64_t from = UINT64_MAX;
    for (uint32_t i = st->n_steps; i-- > 0;) {
        double b = cells[i * P + p].metric[aligned ? TN_STAB_ERROR_BARRIER_ALIGNED : TN_STAB_ERROR_BARRIER_RAW].mean;
        if (!(b < TN_STABILITY_SETTLED)) break;
        from = st->steps[i];
    }
    return from;
}

static uint64_t end_step(const tn_stability *st, uint32_t spe) { return (uint64_t)spe * st->base.epochs; }

void tn_stability_step_words(const tn_stability *st, uint64_t step, uint32_t spe, char *out, size_t cap) {
    double epochs = spe ? (double)step / spe : 0;
    const char *s = epochs == 1 ? "" : "s";
    if (step == end_step(st, spe)) snprintf(out, cap, "the end (step %llu, %g epoch%s)", (unsigned long long)step, epochs, s);
    else snprintf(out, cap, "step %llu (%.3g epoch%s)", (unsigned long long)step, epochs, s);
}

/* The criterion, said in every output. */
static const char criterion[] =
    "A spawn step counts as settled when the mean error barrier of the pairs spawned there (the largest rise of the "
    "test error on the straight path between the two children above the line between their ends; Frankle et al. "
    "2020's instability) is under 1 point, there and at every later spawn step before the end. Children spawned at "
    "the end train no further: that row shows the perturbation itself.";

static void settled_words(const tn_stability *st, const tn_stab_cell *cells, uint32_t p, int aligned, uint32_t spe, char *out,
                          size_t cap) {
    uint64_t from = tn_stability_settled(st, cells, p, aligned);
    char at[80];
    if (from == UINT64_MAX || (from == end_step(st, spe) && st->n_steps > 1)) snprintf(out, cap, "not before the end");
    else {
        tn_stability_step_words(st, from, spe, at, sizeof at);
        snprintf(out, cap, "%s from %s on", from == st->steps[0] ? "already" : "settled", at);
    }
}

char *tn_stability_summary(const tn_stability *st, const tn_stab_cell *cells, uint32_t spe) {
    uint32_t P = tn_stability_perturbations(st);
    size_t cap = 1024 + 600 * (size_t)P, used = 0;
    char *t = malloc(cap);
    if (!t) return NULL;
    used += (size_t)snprintf(t + used, cap - used, "%s\n", criterion);
    uint64_t worst = 0;
    int never = 0;
    for (uint32_t p = 0; p < P && used < cap; p++) {
        char name[32], raw[128], aln[128];
        tn_stability_perturbation_name(st, p, name);
        settled_words(st, cells, p, 0, spe, raw, sizeof raw);
        settled_words(st, cells, p, 1, spe, aln, sizeof aln);
        uint64_t from = tn_stability_settled(st, cells, p, 0);
        if (from == UINT64_MAX || (from == end_step(st, spe) && st->n_steps > 1)) never = 1;
        else if (from > worst) worst = from;
        const tn_stab_cell *first = &cells[p], *late = &cells[(st->n_steps > 1 ? st->n_steps - 2 : 0) * P + p];
        char late_at[80];
        tn_stability_step_words(st, late->step, spe, late_at, sizeof late_at);
        used += (size_t)snprintf(t + used, cap - used,
                                 "%s: %s; %s %s. "
                                 "Spawned at step %llu, a pair ends %.3g apart relative to ||A|| (aligned %.3g), with an error "
                                 "barrier of %.2f points; spawned at %s, %.3g apart (aligned %.3g), %.2f points.\n",
                                 name, raw, p ? "aligned" : "aligned (hidden units matched by their activations, sign flips allowed)",
                                 aln, (unsigned long long)first->step, first->metric[TN_STAB_DISTANCE_RAW].mean,
                                 first->metric[TN_STAB_DISTANCE_ALIGNED].mean, 100 * first->metric[TN_STAB_ERROR_BARRIER_RAW].mean,
                                 late_at, late->metric[TN_STAB_DISTANCE_RAW].mean, late->metric[TN_STAB_DISTANCE_ALIGNED].mean,
                                 100 * late->metric[TN_STAB_ERROR_BARRIER_RAW].mean);
    }
    char at[80];
    tn_stability_step_words(st, worst, spe, at, sizeof at);
    if (used < cap) {
        if (never) snprintf(t + used, cap - used, "For this network the outcome is not settled for every perturbation before the end.");
        else snprintf(t + used, cap - used, "For this network the outcome is settled for every perturbation from %s on.", at);
    }
    return t;
}

void tn_stability_write_text(FILE *f, const tn_stability *st, const tn_stab_cell *cells, uint32_t spe) {
    uint32_t P = tn_stability_perturbations(st);
    fprintf(f, "Mean over %u pair%s (+- standard error). Distances relative to ||A||; barriers: cost (absolute) and error "
               "(points); aligned: hidden units matched by their activations, sign flips allowed.\n",
            st->pairs, st->pairs == 1 ? "" : "s");
    for (uint32_t p = 0; p < P; p++) {
        char name[32];
        tn_stability_perturbation_name(st, p, name);
        fprintf(f, "\n%s\n%10s %7s", name, "step", "epochs");
        for (int m = 0; m < TN_STAB_METRIC_COUNT; m++) fprintf(f, " %-17s", tn_stab_metric_info((tn_stab_metric)m)->header);
        fprintf(f, "\n");
        for (uint32_t i = 0; i < st->n_steps; i++) {
            const tn_stab_cell *c = &cells[i * P + p];
            fprintf(f, "%10llu %7.3g", (unsigned long long)c->step, spe ? (double)c->step / spe : 0.0);
            for (int m = 0; m < TN_STAB_METRIC_COUNT; m++) {
                double k = tn_stab_metric_info((tn_stab_metric)m)->scale;
                char cell[40];
                snprintf(cell, sizeof cell, "%.3g+-%.2g", k * c->metric[m].mean, k * c->metric[m].stderr_);
                fprintf(f, " %-17s", cell);
            }
            fprintf(f, "\n");
        }
    }
}

void tn_stability_write_json(tn_json *j, const tn_stability *st, const tn_stab_cell *cells, uint32_t spe) {
    uint32_t P = tn_stability_perturbations(st);
    tn_json_uint(j, "pairs", st->pairs);
    tn_json_uint(j, "steps_per_epoch", spe);
    tn_json_array(j, "perturbations");
    for (uint32_t p = 0; p < P; p++) {
        char name[32];
        tn_stability_perturbation_name(st, p, name);
        uint64_t raw = tn_stability_settled(st, cells, p, 0), aln = tn_stability_settled(st, cells, p, 1);
        tn_json_object(j, NULL);
        tn_json_string(j, "name", name);
        if (raw == UINT64_MAX) tn_json_null(j, "settled_from_step"); else tn_json_uint(j, "settled_from_step", raw);
        if (aln == UINT64_MAX) tn_json_null(j, "settled_aligned_from_step"); else tn_json_uint(j, "settled_aligned_from_step", aln);
        tn_json_end(j);
    }
    tn_json_end(j);
    tn_json_number(j, "settled_threshold", TN_STABILITY_SETTLED);
    tn_json_array(j, "cells");
    for (uint32_t i = 0; i < st->n_steps; i++)
        for (uint32_t p = 0; p < P; p++) {
            const tn_stab_cell *c = &cells[i * P + p];
            char name[32], se[48];
            tn_stability_perturbation_name(st, p, name);
            tn_json_newline(j);
            tn_json_object(j, NULL);
            tn_json_uint(j, "step", c->step);
            tn_json_number(j, "epochs", spe ? (double)c->step / spe : 0.0);
            tn_json_string(j, "perturbation", name);
            for (int m = 0; m < TN_STAB_METRIC_COUNT; m++) {
                const tn_stab_metric_desc *d = tn_stab_metric_info((tn_stab_metric)m);
                snprintf(se, sizeof se, "%s_se", d->name);
                tn_json_number(j, d->name, c->metric[m].mean);
                tn_json_number(j, se, c->metric[m].stderr_);
            }
            tn_json_end(j);
        }
    tn_json_end(j);
    char *words = tn_stability_summary(st, cells, spe);
    tn_json_string(j, "summary", words ? words : "");
    free(words);
}

void tn_stability_write_csv(FILE *f, const tn_stability *st, const tn_stab_cell *cells, uint32_t spe) {
    uint32_t P = tn_stability_perturbations(st);
    fprintf(f, "step,epochs,perturbation,pairs");
    for (int m = 0; m < TN_STAB_METRIC_COUNT; m++) fprintf(f, ",%s,%s_se", tn_stab_metric_info((tn_stab_metric)m)->name, tn_stab_metric_info((tn_stab_metric)m)->name);
    fprintf(f, "\n");
    for (uint32_t i = 0; i < st->n_steps; i++)
        for (uint32_t p = 0; p < P; p++) {
            const tn_stab_cell *c = &cells[i * P + p];
            char name[32];
            tn_stability_perturbation_name(st, p, name);
            fprintf(f, "%llu,%.9g,%s,%u", (unsigned long long)c->step, spe ? (double)c->step / spe : 0.0, name, c->pairs);
            for (int m = 0; m < TN_STAB_METRIC_COUNT; m++) fprintf(f, ",%.9g,%.9g", c->metric[m].mean, c->metric[m].stderr_);
            fprintf(f, "\n");
        }
}
