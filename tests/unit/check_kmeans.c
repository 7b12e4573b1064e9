/* check_kmeans.c — spherical k-means: planted clusters are recovered,
 * results depend on the seed only (not the thread count), errors. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

#define GROUPS 4
#define PER 50
#define DIM 16

/* GROUPS directions; each row is its group's direction times a random
 * length, plus small noise, rows of the groups interleaved. */
static float *planted(uint64_t seed)
{
    float *m = malloc(sizeof(float) * GROUPS * PER * DIM);
    float dir[GROUPS][DIM];
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    for (int g = 0; g < GROUPS; g++)
        for (int d = 0; d < DIM; d++)
            dir[g][d] = (float)(theta_rng_uniform(&rng) * 2 - 1);
    for (int i = 0; i < GROUPS * PER; i++) {
        int g = i % GROUPS;
        double len = 0.5 + 3 * theta_rng_uniform(&rng);
        for (int d = 0; d < DIM; d++)
            m[i * DIM + d] = (float)(len * (dir[g][d] + 0.05 * (theta_rng_uniform(&rng) - 0.5)));
    }
    return m;
}

/* Every group is one class and the classes differ. */
static void assert_recovered(const int32_t *a)
{
    for (int i = 0; i < GROUPS * PER; i++)
        ck_assert_int_eq(a[i], a[i % GROUPS]);
    for (int g = 0; g < GROUPS; g++)
        for (int h = g + 1; h < GROUPS; h++)
            ck_assert_int_ne(a[g], a[h]);
}

START_TEST(recovers_planted_groups)
{
    float *m = planted(3);
    int32_t a[GROUPS * PER];
    int iters = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        ck_assert_int_eq(theta_kmeans_cluster(m, GROUPS * PER, DIM, GROUPS, 20, seed, 2, a, &iters),
                         THETA_OK);
        assert_recovered(a);
        ck_assert_int_ge(iters, 1);
        ck_assert_int_lt(iters, 20); /* converged: stopped when nothing moved */
    }
    free(m);
}
END_TEST

START_TEST(deterministic_across_threads)
{
    /* no structure: assignments depend on every detail of the arithmetic */
    const int64_t rows = 3001;
    const int dim = 13, k = 17;
    float *m = malloc(sizeof(float) * rows * dim);
    theta_rng rng;
    theta_rng_seed(&rng, 8);
    for (int64_t i = 0; i < rows * dim; i++)
        m[i] = (float)(theta_rng_uniform(&rng) - 0.5);
    int32_t *a1 = malloc(sizeof *a1 * rows), *a3 = malloc(sizeof *a3 * rows),
            *b = malloc(sizeof *b * rows);
    int i1, i3, ib;
    ck_assert_int_eq(theta_kmeans_cluster(m, rows, dim, k, 8, 42, 1, a1, &i1), THETA_OK);
    ck_assert_int_eq(theta_kmeans_cluster(m, rows, dim, k, 8, 42, 3, a3, &i3), THETA_OK);
    ck_assert_int_eq(i1, i3);
    ck_assert_int_eq(memcmp(a1, a3, sizeof *a1 * rows), 0);
    ck_assert_int_eq(theta_kmeans_cluster(m, rows, dim, k, 8, 43, 1, b, &ib), THETA_OK);
    ck_assert_int_ne(memcmp(a1, b, sizeof *a1 * rows), 0); /* the seed matters */
    /* every class is used */
    int used[17] = {0};
    for (int64_t r = 0; r < rows; r++) {
        ck_assert(a1[r] >= 0 && a1[r] < k);
        used[a1[r]] = 1;
    }
    for (int c = 0; c < k; c++)
        ck_assert_int_eq(used[c], 1);
    free(m);
    free(a1);
    free(a3);
    free(b);
}
END_TEST

START_TEST(k_equals_rows_and_duplicates)
{
    /* 5 rows, 3 of them the same direction: with k = 5, empty classes are
     * re-seeded so every row still gets a class of its own */
    const float m[] = {1, 0, 2, 0, 3, 0, 0, 1, -1, -1};
    int32_t a[5];
    ck_assert_int_eq(theta_kmeans_cluster(m, 5, 2, 5, 10, 1, 1, a, NULL), THETA_OK);
    int seen[5] = {0};
    for (int i = 0; i < 5; i++)
        seen[a[i]]++;
    for (int c = 0; c < 5; c++)
        ck_assert_int_eq(seen[c], 1);
    /* k = 1: everything in class 0 */
    ck_assert_int_eq(theta_kmeans_cluster(m, 5, 2, 1, 10, 1, 1, a, NULL), THETA_OK);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(a[i], 0);
}
END_TEST

START_TEST(errors)
{
    float m[] = {1, 0, 0, 1};
    int32_t a[2];
    ck_assert_int_eq(theta_kmeans_cluster(m, 2, 2, 3, 10, 1, 1, a, NULL), THETA_EINVAL);
    ck_assert_int_eq(theta_kmeans_cluster(m, 2, 2, 0, 10, 1, 1, a, NULL), THETA_EINVAL);
    ck_assert_int_eq(theta_kmeans_cluster(m, 2, 2, 1, 0, 1, 1, a, NULL), THETA_EINVAL);
    m[3] = NAN;
    ck_assert_int_eq(theta_kmeans_cluster(m, 2, 2, 1, 10, 1, 1, a, NULL), THETA_EDATA);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "vector 1"));
}
END_TEST

Suite *kmeans_suite(void)
{
    Suite *s = suite_create("kmeans");
    TCase *core = tcase_create("core");
    tcase_add_test(core, recovers_planted_groups);
    tcase_add_test(core, deterministic_across_threads);
    tcase_add_test(core, k_equals_rows_and_duplicates);
    tcase_add_test(core, errors);
    suite_add_tcase(s, core);
    return s;
}
