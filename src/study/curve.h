/* What the curve's training (curve_train.c) and its profile (curve_profile.c) share: the weights
 * phi(t) gives A, the bend and B', the mix of the three, and B arranged as the bend records. */
#ifndef TN_CURVE_H
#define TN_CURVE_H

#include "util.h"

/* phi(t) = w[0] A + w[1] theta + w[2] B'; w[1] is also dphi/dtheta, the weight of theta's gradient. */
void tn_curve_weights(tn_curve_type type, double t, double w[3]);
/* out[i] = w[0] a[i] + w[1] theta[i] + w[2] b[i] in float, the weights rounded to float, summed left to
 * right (n floats): a weight 1 and two 0 give that end exactly. */
void tn_curve_mix(float *restrict out, const float *restrict a, const float *restrict theta, const float *restrict b,
                  const double w[3], size_t n);
/* a and b of one shape (widths, activation, cost) with finite parameters, else TN_ERR_ARG naming b. */
tn_status tn_curve_same_shape(const tn_net *a, const tn_net *b, tn_error *err);
/* b_end (initialised here) = b arranged as align says (sign flips where the activation allows;
 * activation matching on test, which must then be given). */
tn_status tn_curve_arrange(const tn_net *a, const tn_net *b, tn_curve_align align, const tn_dataset *test, int threads,
                           tn_net *b_end, tn_error *err);

#endif
