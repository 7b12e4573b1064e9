/*
 * pool.h — the one way libtheta runs work on several threads: ntasks tasks,
 * each run exactly once as fn(arg, task), taken in order by whichever
 * thread is free. Results must not depend on which thread ran a task (give
 * each task its own output slot); then they don't depend on the thread
 * count either. Nothing here prints.
 */
#ifndef THETA_POOL_H
#define THETA_POOL_H

#include "theta.h"

typedef void (*theta__task_fn)(void *arg, int task);

typedef struct theta__pool theta__pool;

/* Starts up to min(threads, ntasks) threads that run the tasks while the
 * caller goes on (the caller runs none of them). If only some threads can
 * be started the tasks run on those; if none can, THETA_ENOMEM. */
theta_status theta__pool_start(int ntasks, int threads, theta__task_fn fn, void *arg,
                               theta__pool **out);

/* Waits until every task has run, then frees the pool. */
void theta__pool_join(theta__pool *p);

/* Runs the tasks on the caller and up to threads - 1 more threads and
 * returns when all are done. Cannot fail: if no thread can be started, the
 * caller runs every task itself. */
void theta__pool_run(int ntasks, int threads, theta__task_fn fn, void *arg);

/* Online CPUs (at least 1). */
int theta__cpu_count(void);

#endif
