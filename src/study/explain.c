/* The findings of a comparison in plain words: one sentence each, and a closing paragraph that
 * answers "why are the weights so different?". The library writes them, so that every caller
 * (the CLI, a report, the browser page) gives the same answer from the same numbers. */
#include <stdio.h>

#include "util.h"

/* A pair "as far apart as two random networks" is at least this fraction of their distance. */
#define AS_FAR_AS_RANDOM 0.8
/* Barriers in test-error points: 0 is none (the error never rises above the line between the
 * ends), below LOW_ERROR_BARRIER a low one, from HIGH_ERROR_BARRIER a high one. A barrier is
 * never called none when it is not 0: its number is said, and what it means in test images. */
#define LOW_ERROR_BARRIER 0.01
#define HIGH_ERROR_BARRIER 0.05

typedef struct { char *buf; size_t cap, len; } text;

static void say(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + (t->len < t->cap ? t->len : t->cap), t->len < t->cap ? t->cap - t->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n;
}

static int has_hidden(const tn_compare_result *r) { return r->n_sizes > 2; }

static double pct(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

/* The one alignment every sentence uses (CONVENTIONS.md): activation matching with sign flips,
 * without flips where the activation has no sign symmetry; raw when nothing was aligned. */
static tn_view one_view(const tn_compare_result *r) {
    return r->view[TN_VIEW_ACTIVATIONS_FLIPS].done ? TN_VIEW_ACTIVATIONS_FLIPS
           : r->view[TN_VIEW_ACTIVATIONS].done     ? TN_VIEW_ACTIVATIONS
                                                   : TN_VIEW_RAW;
}

/* "Aligned (hidden units matched by their activations, sign flips allowed)": its first use. */
static const char *aligned_words(const tn_compare_result *r) {
    return one_view(r) == TN_VIEW_ACTIVATIONS_FLIPS ? "Aligned (hidden units matched by their activations, sign flips allowed)"
                                                    : "Aligned (hidden units matched by their activations)";
}

static const char *barrier_words(double error_barrier) {
    return error_barrier <= 0 ? "no barrier" : error_barrier < LOW_ERROR_BARRIER ? "a low barrier"
           : error_barrier < HIGH_ERROR_BARRIER ? "a barrier" : "a high barrier";
}

/* "a low barrier of 0.72 points (72 more of the 10000 test images misclassified than on the line
 * between the ends)", or "no barrier (...never rises above the line...)"; said again (!first):
 * "a low barrier of 0.72 points (72 images)". */
static void barrier(text *t, const tn_compare_result *r, double error_barrier, int first) {
    if (error_barrier <= 0) {
        say(t, first ? "no barrier (the test error never rises above the line between the ends)" : "no barrier");
        return;
    }
    say(t, "%s of %.2f points (%.0f ", barrier_words(error_barrier), 100 * error_barrier, error_barrier * r->test_total);
    if (first) say(t, "more of the %u test images misclassified than on the line between the ends)", r->test_total);
    else say(t, "image%s)", error_barrier * r->test_total < 1.5 ? "" : "s");
}

static const char *closeness(double ratio) {
    return ratio >= AS_FAR_AS_RANDOM ? "as far apart as two random networks"
           : ratio >= 0.3            ? "closer than two random networks, but of the same order"
                                     : "much closer than two random networks";
}

/* "3.4e38": a magnitude in words a reader takes in at once. */
static void magnitude(text *t, double x) {
    int e = 0;
    while (x >= 10) { x /= 10; e++; }
    say(t, "%.1fe%d", x, e);
}

/* Absurd magnitudes: which model's parameters, and how large. */
static void absurd(text *t, const tn_compare_result *r) {
    int a = r->max_param_a > TN_ABSURD_PARAMETER, b = r->max_param_b > TN_ABSURD_PARAMETER;
    if (a || b) {
        say(t, "%s parameters reach ", a && b ? "A's and B's" : a ? "A's" : "B's");
        magnitude(t, a && (!b || r->max_param_a >= r->max_param_b) ? r->max_param_a : r->max_param_b);
    } else say(t, "A and B are more than 1e12 apart");
    say(t, ": no distance between them is meaningful.");
}

/* Why the "two random networks" baseline is left out. */
static void no_baseline(text *t, const tn_compare_result *r) {
    if (!r->init_known_a || !r->init_known_b)
        say(t, "there is no two-random-networks baseline: the initialisation that drew %s is not known (twinnet import "
               "--init names it)", !r->init_known_a ? r->name_a : r->name_b);
    else
        say(t, "there is no two-random-networks baseline: %s was drawn by the %s initialisation and %s by the %s one",
            r->name_a, tn_init_name(r->init_a), r->name_b, tn_init_name(r->init_b));
}

static void distance(text *t, const tn_compare_result *r) {
    const tn_distance *d = &r->view[TN_VIEW_RAW].distance.total, *z = &r->baseline.total;
    if (r->absurd) { absurd(t, r); return; }
    if (!r->baseline_known) {
        say(t, "A and B are %.3f apart relative to A's norm (cosine %.3f); ", d->relative, d->cosine);
        no_baseline(t, r);
        say(t, ".");
        return;
    }
    say(t, "A and B are %.3f apart relative to A's norm (cosine %.3f), against %.3f (cosine %.3f) for two fresh "
           "%s initialisations of this shape: %s.", d->relative, d->cosine, z->relative, z->cosine,
        tn_init_name(r->baseline_init), closeness(z->relative > 0 ? d->relative / z->relative : 0.0));
}

/* The difference "was there before training" when A - B still points along A0 - B0: more than
 * half of its square lies in that direction. */
static int starts_known(const tn_compare_result *r) { return r->start_known_a && r->start_known_b; }

static int inherited(const tn_compare_result *r) {
    return starts_known(r) && r->start.l2 > 0 && r->start_cosine * r->start_cosine > 0.5;
}

/* One model whose start is not known: its name, and why. */
static void unknown_start(text *t, const tn_compare_result *r, int side) {
    const char *source = side ? r->source_b : r->source_a;
    say(t, "%s: its start is not known (", side ? r->name_b : r->name_a);
    if (source[0]) say(t, "imported from %s without --start)", source);
    else say(t, "its file does not record it)");
}

static void start(text *t, const tn_compare_result *r) {
    if (!starts_known(r)) {
        if (r->start_how_a != TN_START_UNKNOWN && r->start_how_b != TN_START_UNKNOWN) return;   /* not measured (light) */
        if (r->start_known_a || r->start_known_b)
            say(t, "Training moved %s by %.3f (relative to its norm) from its initial parameters; ", r->start_known_a ? "A" : "B",
                r->start_known_a ? r->travel_a.relative : r->travel_b.relative);
        unknown_start(t, r, r->start_how_a == TN_START_UNKNOWN ? 0 : 1);
        if (r->start_how_a == TN_START_UNKNOWN && r->start_how_b == TN_START_UNKNOWN) {
            say(t, ", nor is %s's", r->name_b);
            say(t, ": how far training moved them, and whether A - B points where the difference of their starts did, "
                   "cannot be measured.");
        } else say(t, ": how far training moved it, and whether A - B points where the difference of the starts did, "
                      "cannot be measured.");
        return;
    }
    say(t, "Training moved A by %.3f and B by %.3f (relative to their norms) from their own initial parameters", r->travel_a.relative,
        r->travel_b.relative);
    if (r->start.l2 == 0) {
        say(t, ", which were the same: all of the difference comes from training.");
        return;
    }
    say(t, ", which were %.3f apart; A - B points along the difference of the initial parameters with cosine %.3f: %s.",
        r->start.relative, r->start_cosine, inherited(r) ? "most of the difference was there before training began"
                                                           : "little of the initial difference is left");
}

static void blank(text *t, const tn_compare_result *r) {
    const tn_distances *d = &r->view[TN_VIEW_RAW].distance;
    if (r->data_known)
        say(t, "%u of the %u inputs are 0 in all %u training examples, so their %llu first-layer weights get no gradient from "
               "the data", r->n_blank, r->sizes[0], r->train_examples, (unsigned long long)r->blank_weights);
    else /* imported, or trained on other data: what the models saw is not known */
        say(t, "%u of the %u inputs are 0 in all %u examples of the training set given (what A and B were trained on is not "
               "known: if it was this, their %llu first-layer weights got no gradient from it)", r->n_blank, r->sizes[0],
            r->train_examples, (unsigned long long)r->blank_weights);
    if (!starts_known(r)) {} /* whether they kept their initial values needs the starts (the start finding says why) */
    else if (r->blank_at_init_a == r->blank_weights && r->blank_at_init_b == r->blank_weights)
        say(t, " and keep their initial values exactly in both models");
    else
        say(t, " (%llu of A's and %llu of B's keep their initial values exactly; weight decay moves the others)",
            (unsigned long long)r->blank_at_init_a, (unsigned long long)r->blank_at_init_b);
    if (r->absurd) { say(t, "."); return; }
    say(t, "; they carry %.1f%% of the squared distance between A and B", pct(d->total.blank_sq, d->total.l2 * d->total.l2));
    if (r->baseline_known)
        say(t, " (%.1f%% between two random networks)", pct(r->baseline.total.blank_sq, r->baseline.total.l2 * r->baseline.total.l2));
    say(t, ".");
}

static void alignment(text *t, const tn_compare_result *r) {
    const tn_compare_view *raw = &r->view[TN_VIEW_RAW], *al = &r->view[one_view(r)];
    double d0 = raw->distance.total.relative, d1 = al->distance.total.relative;
    say(t, "%s, B has %u of its %u hidden units in another place", aligned_words(r), al->alignment.moved, al->alignment.units);
    if (one_view(r) == TN_VIEW_ACTIVATIONS_FLIPS) say(t, " and %u negated", al->alignment.flipped);
    say(t, " (the function stays the same), and the distance goes from %.3f to %.3f relative to A's norm (%.1f%% less).", d0,
        d1, pct(d0 - d1, d0));
}

static void flips(text *t, const tn_compare_result *r) {
    if (one_view(r) != TN_VIEW_ACTIVATIONS_FLIPS) {
        say(t, "%s units have no sign symmetry, so the alignment negates none.", tn_activation_name(r->activation));
        return;
    }
    say(t, "Negating a hidden unit (%s) with its outgoing weights leaves the function unchanged; the alignment negates %u "
           "of %u units.", r->activation == TN_ACT_TANH ? "tanh(-z) = -tanh(z)" : "sigmoid(-z) = 1 - sigmoid(z)",
        r->view[TN_VIEW_ACTIVATIONS_FLIPS].alignment.flipped, r->view[TN_VIEW_ACTIVATIONS_FLIPS].alignment.units);
}

/* "0.390" or "0.390, 0.379 (layers 1, 2)": a figure per hidden layer. */
static void per_layer(text *t, const tn_compare_result *r, const double *value) {
    for (int l = 1; l + 1 < r->n_sizes; l++) say(t, "%s%.3f", l > 1 ? ", " : "", value[l]);
    if (r->n_sizes > 3) {
        say(t, " (layers 1");
        for (int l = 2; l + 1 < r->n_sizes; l++) say(t, ", %d", l);
        say(t, ")");
    }
}

static void correlation(text *t, const tn_compare_result *r) {
    say(t, "Over the test set, aligned units correlate ");
    per_layer(t, r, r->view[one_view(r)].mean_correlation);
    say(t, " on average; units of the same index ");
    per_layer(t, r, r->view[TN_VIEW_RAW].mean_correlation);
    say(t, ".");
}

/* Plain words for how often two functions agree, and for how alike two representations are. */
static const char *agreement_words(double agree) {
    return agree >= 0.95 ? "almost the same function" : agree >= 0.85 ? "similar functions, not the same" : "different functions";
}

static int alike(const tn_compare_result *r) {
    for (int l = 1; l + 1 < r->n_sizes; l++)
        if (r->cka[l] < r->cka_baseline[l] + 0.5 * (1 - r->cka_baseline[l])) return 0;
    return 1;
}

static void function(text *t, const tn_compare_result *r) {
    say(t, "A and B compute %s: they predict the same digit on %.1f%% of the %u test images (accuracy %.2f%% and %.2f%%); "
           "of the %u images both get wrong, %u get two different wrong digits; their output vectors differ by %.3f on "
           "average.", agreement_words(1.0 - (double)r->disagree / r->test_total), pct(r->test_total - r->disagree, r->test_total),
        r->test_total, pct(r->correct_a, r->test_total), pct(r->correct_b, r->test_total), r->both_wrong,
        r->both_wrong_differently, r->output_distance);
}

static void representation(text *t, const tn_compare_result *r) {
    if (!r->baseline_known) {
        say(t, "The hidden activations have linear CKA ");
        per_layer(t, r, r->cka);
        say(t, "; ");
        no_baseline(t, r);
        say(t, " to hold it against.");
        return;
    }
    say(t, "The hidden activations are %s: linear CKA ", alike(r) ? "alike" : "not much more alike than random networks'");
    per_layer(t, r, r->cka);
    say(t, ", against ");
    per_layer(t, r, r->cka_baseline);
    say(t, " for two random networks.");
}

static void path(text *t, const tn_compare_result *r) {
    const tn_compare_view *raw = &r->view[TN_VIEW_RAW], *al = &r->view[one_view(r)];
    say(t, "On the straight line from A to B the test cost rises up to %.4f above the line between its ends (error up "
           "to %.2f points)", raw->cost_barrier, 100 * raw->error_barrier);
    if (one_view(r) != TN_VIEW_RAW) say(t, "; aligned, up to %.4f (%.2f points)", al->cost_barrier, 100 * al->error_barrier);
    say(t, ".");
}

/* The answer's last sentence: the barrier raw, and aligned, each with its number. */
static void answer_path(text *t, const tn_compare_result *r) {
    const tn_compare_view *raw = &r->view[TN_VIEW_RAW], *al = &r->view[one_view(r)];
    say(t, "The straight path from A to B crosses ");
    barrier(t, r, raw->error_barrier, 1);
    if (one_view(r) == TN_VIEW_RAW || raw->error_barrier <= 0) {
        say(t, raw->error_barrier <= 0 ? ": they lie in one basin." : ".");
        return;
    }
    say(t, "; aligned, ");
    barrier(t, r, al->error_barrier, 0);
    const char *order = one_view(r) == TN_VIEW_ACTIVATIONS_FLIPS ? "order and signs" : "order";
    if (al->error_barrier <= 0) say(t, ": up to the %s of their hidden units, A and B are one solution.", order);
    else if (al->error_barrier < LOW_ERROR_BARRIER)
        say(t, ": up to the %s of their hidden units, A and B are nearly, not quite, one solution.", order);
    else if (al->error_barrier < raw->error_barrier / 2)
        say(t, ": the order of the hidden units makes most of the barrier, but A and B are not one solution.");
    else say(t, ": A and B are different solutions, not one solution in another order.");
}

static void answer(text *t, const tn_compare_result *r) {
    const tn_compare_view *raw = &r->view[TN_VIEW_RAW], *al = &r->view[one_view(r)];
    double d0 = raw->distance.total.relative, z = r->baseline.total.relative, d1 = al->distance.total.relative;
    if (r->identical) {
        say(t, "A and B are identical: the same parameters bit for bit, so there is no difference to explain.");
        return;
    }
    if (r->absurd) {
        say(t, "Why the weights differ cannot be told from distances: ");
        absurd(t, r);
        say(t, " ");
    } else {
        if (r->baseline_known)
            say(t, "Why the weights differ: A and B are %s (%.2f apart relative to A's norm, against %.2f)",
                closeness(z > 0 ? d0 / z : 0), d0, z);
        else say(t, "Why the weights differ: A and B are %.2f apart relative to A's norm", d0);
        if (inherited(r))
            say(t, ", mostly because they started from different random weights: A - B still points along the difference "
                   "of their initial weights (cosine %.2f)", r->start_cosine);
        else if (starts_known(r) && r->start.l2 == 0)
            say(t, "; they started alike, so training alone (the order of the examples) made them differ");
        say(t, ". ");
    }
    if (r->absurd) {}
    else if (!has_hidden(r)) say(t, "There is no hidden layer, so there are no units to reorder: alignment is the identity. ");
    else if (pct(d0 - d1, d0) < 1)
        say(t, "%s, they are hardly closer (%.2f, %.1f%% less): the difference is in the weights themselves, not in the "
               "order of the hidden units. ", aligned_words(r), d1, pct(d0 - d1, d0));
    else
        say(t, "%s, they are %.2f apart (%.0f%% less): %s is a real difference in the weights. ", aligned_words(r), d1,
            pct(d0 - d1, d0), pct(d0 - d1, d0) < 50 ? "most of it" : "the rest");
    double agree = 1.0 - (double)r->disagree / r->test_total;
    say(t, "%s compute %s: they agree on %.1f%% of the test images. ", agree >= 0.95 ? "Yet the two" : "The two",
        agreement_words(agree), 100 * agree);
    answer_path(t, r);
}

const char *const tn_finding_names[TN_FINDING_COUNT] = {"distance", "start", "blank", "alignment", "flips",
                                                        "correlation", "function", "representation", "path", "answer"};

size_t tn_compare_explain(const tn_compare_result *r, tn_finding f, char *buf, size_t cap) {
    text t = {buf, cap, 0};
    if (cap) buf[0] = 0;
    int hidden = has_hidden(r);
    if (r->identical && f != TN_FINDING_ANSWER) return 0;    /* nothing that presupposes a difference */
    if (r->absurd && (f == TN_FINDING_START || f == TN_FINDING_ALIGNMENT || f == TN_FINDING_FLIPS))
        return 0;   /* distances: the first finding says why none is meaningful */
    switch (f) {
    case TN_FINDING_DISTANCE: distance(&t, r); break;
    case TN_FINDING_START: start(&t, r); break;
    case TN_FINDING_BLANK: if (r->has_train) blank(&t, r); break;
    case TN_FINDING_ALIGNMENT:
        if (hidden) alignment(&t, r);
        else say(&t, "There is no hidden layer, so there are no units to reorder: alignment is the identity.");
        break;
    case TN_FINDING_FLIPS: if (hidden) flips(&t, r); break;
    case TN_FINDING_CORRELATION: if (hidden) correlation(&t, r); break;
    case TN_FINDING_FUNCTION: function(&t, r); break;
    case TN_FINDING_REPRESENTATION: if (hidden) representation(&t, r); break;
    case TN_FINDING_PATH: path(&t, r); break;
    case TN_FINDING_ANSWER: answer(&t, r); break;
    default: break;
    }
    return t.len < cap ? t.len : cap ? cap - 1 : 0;
}
