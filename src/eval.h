/* Evaluation on a caller's thread pool (eval.c), as training does after every epoch. */
#ifndef TN_EVAL_H
#define TN_EVAL_H

#include "pool.h"

tn_status tn_evaluate_pool(const tn_net *net, const tn_dataset *ds, tn_pool *pool, tn_eval_result *res,
                           tn_error *err);

#endif
