/* check_pool.c — the thread pool: every task runs exactly once, whatever
 * the thread count, and start/join runs the tasks beside the caller. */
#include <check.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "pool.h"
#include "suites.h"

typedef struct {
    atomic_int *runs; /* [ntasks]: how often each task ran */
    atomic_int total;
} count_job;

static void count_task(void *arg, int task)
{
    count_job *j = arg;
    atomic_fetch_add(&j->runs[task], 1);
    atomic_fetch_add(&j->total, 1);
}

static void check_every_task_once(int ntasks, int threads, int async)
{
    count_job j;
    j.runs = calloc((size_t)(ntasks > 0 ? ntasks : 1), sizeof *j.runs);
    ck_assert_ptr_nonnull(j.runs);
    atomic_init(&j.total, 0);
    if (async) {
        theta__pool *p = NULL;
        ck_assert_int_eq(theta__pool_start(ntasks, threads, count_task, &j, &p), THETA_OK);
        theta__pool_join(p);
    } else {
        theta__pool_run(ntasks, threads, count_task, &j);
    }
    for (int t = 0; t < ntasks; t++)
        ck_assert_msg(atomic_load(&j.runs[t]) == 1, "task %d of %d ran %d times on %d threads",
                      t, ntasks, atomic_load(&j.runs[t]), threads);
    ck_assert_int_eq(atomic_load(&j.total), ntasks);
    free(j.runs);
}

START_TEST(run_every_task_once)
{
    static const int threads[] = {1, 2, 3, 8, 100};
    static const int tasks[] = {0, 1, 2, 7, 1000};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++)
        for (size_t k = 0; k < sizeof tasks / sizeof tasks[0]; k++)
            check_every_task_once(tasks[k], threads[i], 0);
}
END_TEST

START_TEST(start_join_every_task_once)
{
    static const int threads[] = {1, 2, 5};
    static const int tasks[] = {1, 3, 500};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++)
        for (size_t k = 0; k < sizeof tasks / sizeof tasks[0]; k++)
            check_every_task_once(tasks[k], threads[i], 1);
}
END_TEST

/* Tasks that wait for each other only finish if they run at the same time:
 * start/join gives every task its own thread when threads >= ntasks. */
typedef struct {
    atomic_int arrived;
    int n;
} barrier_job;

static void barrier_task(void *arg, int task)
{
    (void)task;
    barrier_job *b = arg;
    atomic_fetch_add(&b->arrived, 1);
    while (atomic_load(&b->arrived) < b->n)
        ;
}

START_TEST(start_runs_tasks_concurrently)
{
    barrier_job b;
    atomic_init(&b.arrived, 0);
    b.n = 4;
    theta__pool *p = NULL;
    ck_assert_int_eq(theta__pool_start(4, 4, barrier_task, &b, &p), THETA_OK);
    theta__pool_join(p);
    ck_assert_int_eq(atomic_load(&b.arrived), 4);
}
END_TEST

Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, run_every_task_once);
    tcase_add_test(tc, start_join_every_task_once);
    tcase_add_test(tc, start_runs_tasks_concurrently);
    tcase_set_timeout(tc, 20);
    suite_add_tcase(s, tc);
    return s;
}
