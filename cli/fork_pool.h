/* A pool of child processes (fork_pool.c) for work that writes its own results (the stability
 * study's children and pairs): each item in its own process, forked after the data was loaded, at
 * most J at once; WASI, which cannot fork, runs them one after another. */
#ifndef TN_CLI_FORK_POOL_H
#define TN_CLI_FORK_POOL_H

#include "cli.h"

/* Runs work(i, user) for every i < n with todo[i] == 0, at most jobs at once, until stop_requested;
 * work returns 0 on success (the child's exit status). done(i, ok, user) (may be NULL) is called in
 * this process as each ends. Returns how many failed. */
uint32_t fork_pool(uint32_t n, const uint8_t *todo_done, uint32_t jobs, int (*work)(uint32_t i, void *user),
                   void (*done)(uint32_t i, int ok, void *user), void *user);

#endif
