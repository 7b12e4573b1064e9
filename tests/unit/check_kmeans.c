/* check_kmeans.c — spherical k-means: planted clusters are recovered,
 * results depend on the seed only (not the thread count), errors. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"
#include "linalg.h"

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

START_TEST(more_threads_than_64)
{
    /* 70 chunks of rows on 100 threads (the old pool stopped at 64) */
    const int64_t rows = 70 * 1024;
    const int dim = 4, k = 3;
    float *m = malloc(sizeof(float) * rows * dim);
    theta_rng rng;
    theta_rng_seed(&rng, 5);
    for (int64_t i = 0; i < rows * dim; i++)
        m[i] = (float)(theta_rng_uniform(&rng) - 0.5);
    int32_t *a1 = malloc(sizeof *a1 * rows), *a100 = malloc(sizeof *a100 * rows);
    int i1, i100;
    ck_assert_int_eq(theta_kmeans_cluster(m, rows, dim, k, 3, 7, 1, a1, &i1), THETA_OK);
    ck_assert_int_eq(theta_kmeans_cluster(m, rows, dim, k, 3, 7, 100, a100, &i100), THETA_OK);
    ck_assert_int_eq(i1, i100);
    ck_assert_int_eq(memcmp(a1, a100, sizeof *a1 * rows), 0);
    free(m);
    free(a1);
    free(a100);
}
END_TEST

START_TEST(tile_instances_agree)
{
    /* every built instance of the 4 x 8 tile gives the same bits, close to
     * a double-precision reference */
    enum { D = 37 };
    float rowbuf[THETA__MR][D], q[THETA__PANEL][D], panel[D * THETA__PANEL];
    theta_rng rng;
    theta_rng_seed(&rng, 11);
    for (int i = 0; i < THETA__MR; i++)
        for (int d = 0; d < D; d++)
            rowbuf[i][d] = (float)(theta_rng_uniform(&rng) * 2 - 1);
    const float *qs[THETA__PANEL];
    for (int j = 0; j < THETA__PANEL; j++) {
        for (int d = 0; d < D; d++)
            q[j][d] = (float)(theta_rng_uniform(&rng) * 2 - 1);
        qs[j] = q[j];
    }
    theta__linalg_pack(qs, THETA__PANEL, D, panel);
    const float *rows[THETA__MR] = {rowbuf[0], rowbuf[1], rowbuf[2], rowbuf[3]};
    float sse[THETA__MR][THETA__PANEL], avx[THETA__MR][THETA__PANEL], best[THETA__MR][THETA__PANEL];
    ck_assert_int_eq(theta__linalg_tile_isa("sse2", rows, panel, D, sse), 0);
    ck_assert_int_eq(theta__linalg_tile_isa("mmx", rows, panel, D, avx), -1);
    theta__linalg_tile(rows, panel, D, best);
    ck_assert_int_eq(memcmp(sse, best, sizeof sse), 0);
    if (theta__linalg_tile_isa("avx2", rows, panel, D, avx) == 0)
        ck_assert_int_eq(memcmp(sse, avx, sizeof sse), 0);
    for (int i = 0; i < THETA__MR; i++)
        for (int j = 0; j < THETA__PANEL; j++) {
            double ref = 0;
            for (int d = 0; d < D; d++)
                ref += (double)rowbuf[i][d] * q[j][d];
            ck_assert_double_eq_tol(sse[i][j], ref, 1e-5);
        }
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
    tcase_add_test(core, more_threads_than_64);
    tcase_add_test(core, tile_instances_agree);
    tcase_add_test(core, errors);
    suite_add_tcase(s, core);
    return s;
}
