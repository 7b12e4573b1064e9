/*
 * pool.c — see pool.h. Threads take task numbers from one atomic counter,
 * so a slow task never holds up the others' share.
 */
#include "pool.h"
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

struct theta__pool {
    theta__task_fn fn;
    void *arg;
    int ntasks;
    atomic_int next;  /* the next task to hand out */
    int nthreads;     /* threads started */
    pthread_t *tids;  /* [nthreads] */
};

static void run_tasks(theta__pool *p)
{
    int task;
    while ((task = atomic_fetch_add(&p->next, 1)) < p->ntasks)
        p->fn(p->arg, task);
}

static void *thread_main(void *arg)
{
    run_tasks(arg);
    return NULL;
}

/* A pool with room for up to `threads` threads, none started yet. */
static theta__pool *pool_new(int ntasks, int threads, theta__task_fn fn, void *arg)
{
    theta__pool *p = theta__calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->tids = theta__calloc(threads > 0 ? (size_t)threads : 1, sizeof *p->tids);
    if (!p->tids) {
        free(p);
        return NULL;
    }
    p->fn = fn;
    p->arg = arg;
    p->ntasks = ntasks;
    atomic_init(&p->next, 0);
    return p;
}

static void start_threads(theta__pool *p, int threads)
{
    while (p->nthreads < threads &&
           pthread_create(&p->tids[p->nthreads], NULL, thread_main, p) == 0)
        p->nthreads++;
}

theta_status theta__pool_start(int ntasks, int threads, theta__task_fn fn, void *arg,
                               theta__pool **out)
{
    if (threads > ntasks)
        threads = ntasks;
    if (threads < 1)
        threads = 1;
    theta__pool *p = pool_new(ntasks, threads, fn, arg);
    if (!p)
        return THETA_ENOMEM;
    start_threads(p, threads);
    if (p->nthreads == 0) {
        free(p->tids);
        free(p);
        return theta__fail(THETA_ENOMEM, "cannot start a thread");
    }
    *out = p;
    return THETA_OK;
}

void theta__pool_join(theta__pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->tids[i], NULL);
    free(p->tids);
    free(p);
}

void theta__pool_run(int ntasks, int threads, theta__task_fn fn, void *arg)
{
    if (threads > ntasks)
        threads = ntasks;
    theta__pool *p = threads > 1 ? pool_new(ntasks, threads - 1, fn, arg) : NULL;
    if (!p) {
        /* one thread asked for, or no memory for a pool: all on the caller */
        for (int t = 0; t < ntasks; t++)
            fn(arg, t);
        return;
    }
    start_threads(p, threads - 1);
    run_tasks(p);
    theta__pool_join(p);
}

int theta__cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
}
