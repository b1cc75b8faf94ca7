/* The report's palette: a colour and words per source of randomness (palette.h). */
#include "palette.h"

/* Okabe and Ito's palette: told apart with any colour vision. */
const char *tn_report_colour(tn_vary source) {
    static const char *const colour[TN_VARY_COUNT] = {"#0072b2", "#e69f00", "#009e73", "#d55e00", "#666666"};
    return (unsigned)source < TN_VARY_COUNT ? colour[source] : "#000000";
}

const char *tn_report_source_words(tn_vary source) {
    static const char *const words[TN_VARY_COUNT] = {"another initialisation seed", "another example order",
                                                     "another seed for both", "one flipped bit of one initial weight",
                                                     "nothing varied (the control)"};
    return (unsigned)source < TN_VARY_COUNT ? words[source] : "?";
}
