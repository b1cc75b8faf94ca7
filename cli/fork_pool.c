/* fork_pool (fork_pool.h): J child processes at once, one item each; the parent waits for any. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifndef __wasi__
#include <signal.h>
#include <sys/wait.h>
#endif
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

#include "fork_pool.h"

#ifdef __wasi__
uint32_t fork_pool(uint32_t n, const uint8_t *todo_done, uint32_t jobs, int (*work)(uint32_t, void *),
                   void (*done)(uint32_t, int, void *), void *user) {
    uint32_t failed = 0;
    (void)jobs;
    for (uint32_t i = 0; i < n && !stop_requested; i++) {
        if (todo_done[i]) continue;
        int ok = work(i, user) == 0;
        failed += !ok;
        if (done) done(i, ok, user);
    }
    return failed;
}
#else
uint32_t fork_pool(uint32_t n, const uint8_t *todo_done, uint32_t jobs, int (*work)(uint32_t, void *),
                   void (*done)(uint32_t, int, void *), void *user) {
    pid_t *slot = calloc(jobs, sizeof *slot);   /* the child in each slot (0: free) ... */
    uint32_t *item = calloc(jobs, sizeof *item); /* ... and its item */
    if (!slot || !item) die(EXIT_RUNTIME, "out of memory");
    uint32_t next = 0, running = 0, failed = 0;
    for (;;) {
        while (running < jobs && !stop_requested && next < n) {
            if (todo_done[next]) { next++; continue; }
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0) die(EXIT_RUNTIME, "cannot start a process: %s", strerror(errno));
            if (pid == 0) {
#ifdef __linux__
                prctl(PR_SET_PDEATHSIG, SIGKILL);   /* a killed study leaves no worker behind (files are atomic) */
                if (getppid() == 1) _exit(1);
#endif
                _exit(work(next, user) == 0 ? 0 : 1);
            }
            uint32_t k = 0;
            while (slot[k]) k++;
            slot[k] = pid;
            item[k] = next++;
            running++;
        }
        if (running == 0) break;
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) continue; /* EINTR */
        for (uint32_t k = 0; k < jobs; k++) {
            if (slot[k] != pid) continue;
            slot[k] = 0;
            running--;
            int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            failed += !ok;
            if (done) done(item[k], ok, user);
        }
    }
    free(slot);
    free(item);
    return failed;
}
#endif
