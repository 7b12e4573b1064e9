/* check_dims.c — identical dimensions, zero and duplicate rows, rank and
 * singular values of hand-made matrices (theta_dims_analyze/_classes). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dims.h"
#include "suites.h"
#include "testutil.h"
#include "theta.h"

static theta_dims_report analyze(const float *m, int64_t rows, int dim, double tol)
{
    theta_dims_report r;
    memset(&r, 0xab, sizeof r);
    ck_assert_msg(theta_dims_analyze(m, rows, dim, tol, &r) == THETA_OK, "%s", theta_last_error());
    return r;
}

static void expect_classes(const float *m, int64_t rows, int dim, double tol, const int *want)
{
    int got[64];
    ck_assert_int_le(dim, 64);
    ck_assert_int_eq(theta_dims_classes(m, rows, dim, tol, got), THETA_OK);
    for (int j = 0; j < dim; j++)
        ck_assert_msg(got[j] == want[j], "column %d: class %d, wanted %d", j, got[j], want[j]);
}

/* Relative closeness for singular values. */
#define ck_assert_close(x, y, rel) \
    ck_assert_msg(fabs((double)(x) - (double)(y)) <= (rel) * fmax(fabs((double)(y)), 1e-300), \
                  "%.17g is not within %g of %.17g", (double)(x), (double)(rel), (double)(y))

START_TEST(all_zero)
{
    float m[5 * 4] = {0};
    m[3] = -0.0f;
    theta_dims_report r = analyze(m, 5, 4, 0);
    ck_assert_int_eq(r.rows, 5);
    ck_assert_int_eq(r.dim, 4);
    ck_assert_int_eq(r.all_zero, 1);
    ck_assert_int_eq(r.zero_rows, 5);
    ck_assert_int_eq(r.duplicate_rows, 4);
    ck_assert_int_eq(r.distinct_dims, 1);
    ck_assert_int_eq(r.identical_dims, 4);
    ck_assert_int_eq(r.largest_class, 4);
    ck_assert_int_eq(r.rank, 0);
    ck_assert_int_eq(r.n_singular, 4);
    for (int t = 0; t < 4; t++)
        ck_assert_double_eq(r.singular[t], 0.0);
    ck_assert_double_eq(r.first_share, 0.0);
    ck_assert_double_eq(r.max_abs, 0.0);
    ck_assert_int_eq(r.nan_dims, 0);
    ck_assert_int_eq(r.nonfinite_rows, 0);
}
END_TEST

START_TEST(all_columns_equal)
{
    enum { ROWS = 7, DIM = 50 };
    static float m[ROWS * DIM];
    double ss = 0;
    for (int i = 0; i < ROWS; i++) {
        float v = 0.1f * (float)(i + 1) - 0.35f;
        ss += (double)v * v;
        for (int j = 0; j < DIM; j++)
            m[i * DIM + j] = v;
    }
    theta_dims_report r = analyze(m, ROWS, DIM, 0);
    ck_assert_int_eq(r.distinct_dims, 1);
    ck_assert_int_eq(r.identical_dims, DIM);
    ck_assert_int_eq(r.largest_class, DIM);
    ck_assert_int_eq(r.rank, 1);
    ck_assert_int_eq(r.all_zero, 0);
    ck_assert_int_eq(r.zero_rows, 0);
    ck_assert_int_eq(r.duplicate_rows, 0);
    ck_assert_int_eq(r.n_singular, THETA_DIMS_TOP);
    /* M = v 1': one singular value |v| sqrt(DIM), the rest exactly zero */
    ck_assert_close(r.singular[0], sqrt(ss * DIM), 1e-12);
    for (int t = 1; t < THETA_DIMS_TOP; t++)
        ck_assert_double_eq(r.singular[t], 0.0);
    ck_assert_close(r.first_share, 1.0, 1e-12);
}
END_TEST

START_TEST(two_equal_pairs)
{
    /* columns 0 = 3 and 2 = 5; 1 and 4 differ from everything */
    const float m[4 * 6] = {
        1, 2, 3, 1, 5, 3,
        4, 4, 6, 4, 4, 6,
        7, 8, 9, 7, 8, 9.5f,
        0, 1, 0, 0, 2, 0,
    };
    theta_dims_report r = analyze(m, 4, 6, 0);
    ck_assert_int_eq(r.distinct_dims, 5);
    ck_assert_int_eq(r.identical_dims, 2);
    ck_assert_int_eq(r.largest_class, 2);
    const int want[6] = {0, 1, 2, 0, 4, 5};
    expect_classes(m, 4, 6, 0, want);
    float m2[4 * 6];
    memcpy(m2, m, sizeof m2);
    m2[2 * 6 + 5] = 9; /* now 2 = 5 as well */
    r = analyze(m2, 4, 6, 0);
    ck_assert_int_eq(r.distinct_dims, 4);
    ck_assert_int_eq(r.identical_dims, 4);
    ck_assert_int_eq(r.largest_class, 2);
    ck_assert_int_eq(r.rank, 4);
    const int want2[6] = {0, 1, 2, 0, 4, 2};
    expect_classes(m2, 4, 6, 0, want2);
}
END_TEST

START_TEST(equal_except_one_element)
{
    enum { ROWS = 1000, DIM = 8 };
    static float m[ROWS * DIM];
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < DIM; j++)
            m[i * DIM + j] = (float)((i * 37) % 101) / 101.0f;
    m[(ROWS - 1) * DIM + 5] = nextafterf(m[(ROWS - 1) * DIM + 5], 2.0f); /* one ulp, last row */
    theta_dims_report r = analyze(m, ROWS, DIM, 0);
    ck_assert_int_eq(r.distinct_dims, 2);
    ck_assert_int_eq(r.identical_dims, 7);
    ck_assert_int_eq(r.largest_class, 7);
    const int want[DIM] = {0, 0, 0, 0, 0, 5, 0, 0};
    expect_classes(m, ROWS, DIM, 0, want);
    /* within a tolerance of 1e-6 x max|value| the odd column joins the rest */
    r = analyze(m, ROWS, DIM, 1e-6);
    ck_assert_int_eq(r.distinct_dims, 1);
    ck_assert_int_eq(r.identical_dims, DIM);
    ck_assert_double_eq(r.tol, 1e-6);
    ck_assert_close(r.threshold, 1e-6 * r.max_abs, 1e-15);
    /* one ulp in one element is far below the rank cut (1e-6 sigma_1) */
    ck_assert_int_eq(r.rank, 1);
    ck_assert_int_eq(analyze(m, ROWS, DIM, 0).rank, 1);
}
END_TEST

START_TEST(signed_zeros)
{
    const float m[3 * 3] = {
        0.0f, -0.0f, 1,
        2, 2, -0.0f,
        -0.0f, 0.0f, 0.0f,
    };
    theta_dims_report r = analyze(m, 3, 3, 0);
    ck_assert_int_eq(r.distinct_dims, 2);
    ck_assert_int_eq(r.identical_dims, 2);
    ck_assert_int_eq(r.zero_rows, 1);
    const int want[3] = {0, 0, 2};
    expect_classes(m, 3, 3, 0, want);
    /* rows that differ only in the sign of zero are duplicates */
    const float d[3 * 2] = {0.0f, 1, -0.0f, 1, 1, 0};
    r = analyze(d, 3, 2, 0);
    ck_assert_int_eq(r.duplicate_rows, 1);
    ck_assert_int_eq(r.zero_rows, 0);
}
END_TEST

START_TEST(nan_columns)
{
    /* columns 0 and 1 are bit-identical, NaN included; 2 = 3 without NaN */
    const float m[4 * 4] = {
        NAN, NAN, 1, 1,
        2, 2, 3, 3,
        4, 4, 5, 5,
        1, 1, 2, 2,
    };
    theta_dims_report r = analyze(m, 4, 4, 0);
    ck_assert_int_eq(r.nan_dims, 2);
    ck_assert_int_eq(r.distinct_dims, 3); /* {0}, {1}, {2, 3} */
    ck_assert_int_eq(r.identical_dims, 2);
    ck_assert_int_eq(r.largest_class, 2);
    ck_assert_int_eq(r.nonfinite_rows, 1);
    const int want[4] = {0, 1, 2, 2};
    expect_classes(m, 4, 4, 0, want);
    expect_classes(m, 4, 4, 0.5, want);
    /* the NaN row is left out of the rank: rows 1..3 of [a a b b] -> rank 2 */
    ck_assert_int_eq(r.rank, 2);
    ck_assert(isfinite(r.singular[0]) && r.singular[0] > 0);
    ck_assert_double_eq(r.max_abs, 5.0);
    /* infinities compare equal to themselves */
    const float inf[2 * 2] = {INFINITY, INFINITY, 1, 1};
    r = analyze(inf, 2, 2, 0);
    ck_assert_int_eq(r.distinct_dims, 1);
    ck_assert_int_eq(r.nan_dims, 0);
    ck_assert_int_eq(r.nonfinite_rows, 1);
    ck_assert_int_eq(r.rank, 1);
    ck_assert_close(r.singular[0], sqrt(2.0), 1e-14);
}
END_TEST

START_TEST(one_row_one_column)
{
    const float row[5] = {1, 2, 3, 4, 5};
    theta_dims_report r = analyze(row, 1, 5, 0);
    ck_assert_int_eq(r.distinct_dims, 5);
    ck_assert_int_eq(r.identical_dims, 0);
    ck_assert_int_eq(r.largest_class, 1);
    ck_assert_int_eq(r.rank, 1);
    ck_assert_int_eq(r.n_singular, 5);
    ck_assert_close(r.singular[0], sqrt(55.0), 1e-14);
    ck_assert_double_eq(r.singular[1], 0.0);
    ck_assert_close(r.first_share, 1.0, 1e-14);
    const float col[4] = {3, 0, -4, 0};
    r = analyze(col, 4, 1, 0);
    ck_assert_int_eq(r.distinct_dims, 1);
    ck_assert_int_eq(r.identical_dims, 0);
    ck_assert_int_eq(r.largest_class, 1);
    ck_assert_int_eq(r.zero_rows, 2);
    ck_assert_int_eq(r.duplicate_rows, 1);
    ck_assert_int_eq(r.rank, 1);
    ck_assert_int_eq(r.n_singular, 1);
    ck_assert_close(r.singular[0], 5.0, 1e-15);
    /* no rows at all */
    r = analyze(NULL, 0, 3, 0);
    ck_assert_int_eq(r.rank, 0);
    ck_assert_int_eq(r.all_zero, 1);
    ck_assert_int_eq(r.distinct_dims, 1);
}
END_TEST

START_TEST(tolerance)
{
    /* max |value| = 10.12, tol 0.01 -> threshold 0.1012 */
    const float m[3 * 4] = {
        10, 10.06f, 10.12f, 1,
        1, 1, 1, 1,
        2, 2.05f, 2, 2,
    };
    theta_dims_report r = analyze(m, 3, 4, 0.01);
    ck_assert_close(r.threshold, 0.01 * (double)10.12f, 1e-15);
    ck_assert_double_eq(r.max_abs, (double)10.12f);
    /* 1 is within 0.1012 of 0; 2 is 0.12 from 0 and is not compared with 1
     * (a class is measured from its first column) */
    const int want[4] = {0, 0, 2, 3};
    expect_classes(m, 3, 4, 0.01, want);
    ck_assert_int_eq(r.distinct_dims, 3);
    ck_assert_int_eq(r.identical_dims, 2);
    /* exact: all different; large tolerance: columns 0..2 together, 3 is 9 away */
    r = analyze(m, 3, 4, 0);
    ck_assert_int_eq(r.distinct_dims, 4);
    ck_assert_double_eq(r.threshold, 0.0);
    const int wide[4] = {0, 0, 0, 3};
    expect_classes(m, 3, 4, 0.05, wide);
    const int all[4] = {0, 0, 0, 0};
    expect_classes(m, 3, 4, 0.9, all);
}
END_TEST

/* M = A B with A (rows, k), B (k, dim) small integers: rank k. */
static float *product(int rows, int k, int dim, unsigned seed)
{
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    float *a = malloc(sizeof(float) * (size_t)rows * (size_t)k);
    float *b = malloc(sizeof(float) * (size_t)k * (size_t)dim);
    float *m = malloc(sizeof(float) * (size_t)rows * (size_t)dim);
    for (int i = 0; i < rows * k; i++)
        a[i] = (float)(int)(theta_rng_next(&rng) % 9) - 4;
    for (int i = 0; i < k * dim; i++)
        b[i] = (float)(int)(theta_rng_next(&rng) % 9) - 4;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < dim; j++) {
            float s = 0;
            for (int t = 0; t < k; t++)
                s += a[i * k + t] * b[t * dim + j];
            m[i * dim + j] = s;
        }
    free(a);
    free(b);
    return m;
}

START_TEST(rank_one_outer_product)
{
    enum { ROWS = 30, DIM = 20 };
    float m[ROWS * DIM];
    double uu = 0, vv = 0;
    for (int j = 0; j < DIM; j++)
        vv += (double)(j + 1) * (j + 1);
    for (int i = 0; i < ROWS; i++) {
        float u = (float)(i % 7) - 3.0f;
        uu += (double)u * u;
        for (int j = 0; j < DIM; j++)
            m[i * DIM + j] = u * (float)(j + 1);
    }
    theta_dims_report r = analyze(m, ROWS, DIM, 0);
    ck_assert_int_eq(r.distinct_dims, DIM);
    ck_assert_int_eq(r.rank, 1);
    ck_assert_close(r.singular[0], sqrt(uu * vv), 1e-12);
    ck_assert_double_lt(r.singular[1], 1e-6 * r.singular[0]);
    ck_assert_close(r.first_share, 1.0, 1e-12);
}
END_TEST

START_TEST(rank_k_products)
{
    const int ks[] = {1, 2, 5, 17, 40};
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        float *m = product(120, ks[t], 40, 7 + (unsigned)t);
        theta_dims_report r = analyze(m, 120, 40, 0);
        ck_assert_msg(r.rank == ks[t], "k %d: rank %d", ks[t], r.rank);
        free(m);
    }
    /* big enough for the multi-part (threaded) Gram sum */
    float *m = product(3000, 6, 100, 99);
    theta_dims_report r = analyze(m, 3000, 100, 0);
    ck_assert_int_eq(r.rank, 6);
    ck_assert_int_eq(r.distinct_dims, 100);
    free(m);
}
END_TEST

START_TEST(identity_like)
{
    enum { D = 12 };
    float m[D * D] = {0};
    for (int i = 0; i < D; i++)
        m[i * D + i] = 1;
    theta_dims_report r = analyze(m, D, D, 0);
    ck_assert_int_eq(r.rank, D);
    ck_assert_int_eq(r.distinct_dims, D);
    for (int t = 0; t < THETA_DIMS_TOP; t++)
        ck_assert_close(r.singular[t], 1.0, 1e-14);
    ck_assert_close(r.first_share, 1.0 / D, 1e-14);
    /* diag(D, ..., 1): singular values in order */
    for (int i = 0; i < D; i++)
        m[i * D + i] = (float)(D - i);
    r = analyze(m, D, D, 0);
    for (int t = 0; t < THETA_DIMS_TOP; t++)
        ck_assert_close(r.singular[t], (double)(D - t), 1e-13);
    /* a direction at 1e-7 of the largest is below the rank cut, 1e-5 is not */
    m[(D - 1) * D + (D - 1)] = 1e-7f * D;
    ck_assert_int_eq(analyze(m, D, D, 0).rank, D - 1);
    m[(D - 1) * D + (D - 1)] = 1e-5f * D;
    ck_assert_int_eq(analyze(m, D, D, 0).rank, D);
    /* more rows than columns, repeated identity blocks: duplicates */
    float tall[3 * D * D] = {0};
    for (int b = 0; b < 3; b++)
        for (int i = 0; i < D; i++)
            tall[(b * D + i) * D + i] = 2;
    r = analyze(tall, 3 * D, D, 0);
    ck_assert_int_eq(r.rank, D);
    ck_assert_int_eq(r.duplicate_rows, 2 * D);
    ck_assert_close(r.singular[0], sqrt(12.0), 1e-14);
}
END_TEST

/* M = H diag(s) H with H the n x n Sylvester-Hadamard matrix (H'H = nI):
 * M'M = n H diag(s^2) H is dense, and its singular values are exactly
 * n |s_i|. Small integers, so M is exact in float and the Gram matrix in
 * double: this checks the eigenvalue solver on a full matrix. */
static float *hadamard_product(int n, const double *sv)
{
    float *m = calloc((size_t)n * (size_t)n, sizeof *m);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int t = 0; t < n; t++) {
                int hi = __builtin_popcount((unsigned)(i & t)) & 1 ? -1 : 1;
                int hj = __builtin_popcount((unsigned)(t & j)) & 1 ? -1 : 1;
                s += hi * sv[t] * hj;
            }
            m[i * n + j] = (float)s;
        }
    return m;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

START_TEST(dense_known_spectrum)
{
    enum { N = 64 };
    double sv[N], sorted[N];
    /* distinct, repeated and zero values; rank = nonzero count */
    for (int t = 0; t < N; t++)
        sv[t] = (t * 37) % 11 == 0 ? 0.0 : (double)((t * 29) % 13 + 1) * (t % 2 ? 1 : -1);
    int nonzero = 0;
    for (int t = 0; t < N; t++) {
        sorted[t] = fabs(sv[t]) * N;
        nonzero += sv[t] != 0;
    }
    qsort(sorted, N, sizeof *sorted, cmp_desc);
    float *m = hadamard_product(N, sv);
    theta_dims_report r = analyze(m, N, N, 0);
    ck_assert_int_eq(r.rank, nonzero);
    ck_assert_int_lt(nonzero, N);
    for (int t = 0; t < THETA_DIMS_TOP; t++)
        ck_assert_close(r.singular[t], sorted[t], 1e-12);
    double total = 0;
    for (int t = 0; t < N; t++)
        total += sorted[t] * sorted[t];
    ck_assert_close(r.first_share, sorted[0] * sorted[0] / total, 1e-12);
    free(m);
}
END_TEST

START_TEST(random_full_rank)
{
    enum { ROWS = 500, DIM = 64 };
    float *m = malloc(sizeof(float) * ROWS * DIM);
    theta_rng rng;
    theta_rng_seed(&rng, 5);
    for (int i = 0; i < ROWS * DIM; i++)
        m[i] = (float)(theta_rng_uniform(&rng) - 0.5);
    theta_dims_report r = analyze(m, ROWS, DIM, 0);
    ck_assert_int_eq(r.rank, DIM);
    ck_assert_int_eq(r.distinct_dims, DIM);
    ck_assert_int_eq(r.identical_dims, 0);
    ck_assert_int_eq(r.duplicate_rows, 0);
    /* sum of sigma^2 = squared Frobenius norm; singular values descend */
    double fro = 0;
    for (int i = 0; i < ROWS * DIM; i++)
        fro += (double)m[i] * m[i];
    ck_assert_double_le(r.singular[0] * r.singular[0], fro);
    ck_assert_close(r.first_share, r.singular[0] * r.singular[0] / fro, 1e-10);
    for (int t = 1; t < THETA_DIMS_TOP; t++)
        ck_assert_double_le(r.singular[t], r.singular[t - 1]);
    /* a copy of column 3 in column 40, and a duplicated row */
    for (int i = 0; i < ROWS; i++)
        m[i * DIM + 40] = m[i * DIM + 3];
    memcpy(m + 7 * DIM, m + 300 * DIM, sizeof(float) * DIM);
    r = analyze(m, ROWS, DIM, 0);
    ck_assert_int_eq(r.rank, DIM - 1);
    ck_assert_int_eq(r.distinct_dims, DIM - 1);
    ck_assert_int_eq(r.identical_dims, 2);
    ck_assert_int_eq(r.duplicate_rows, 1);
    free(m);
}
END_TEST

START_TEST(too_many_dims_for_rank)
{
    enum { DIM = THETA_DIMS_MAX_RANK_DIM + 10 };
    float *m = malloc(sizeof(float) * 2 * DIM);
    for (int j = 0; j < DIM; j++) {
        m[j] = (float)j;
        m[DIM + j] = 1;
    }
    theta_dims_report r = analyze(m, 2, DIM, 0);
    ck_assert_int_eq(r.distinct_dims, DIM);
    ck_assert_int_eq(r.rank, -1);
    ck_assert(isnan(r.singular[0]));
    /* with most columns equal the distinct ones are few: rank computed */
    for (int j = 0; j < DIM; j++)
        m[j] = (float)(j % 3);
    r = analyze(m, 2, DIM, 0);
    ck_assert_int_eq(r.distinct_dims, 3);
    ck_assert_int_eq(r.rank, 2);
    free(m);
}
END_TEST

/* Both Gram kernels against the naive sum in the same order: bit-identical. */
START_TEST(gram_kernels_match_reference)
{
    enum { NB = 37, KP = 24, K = 21 };
    static double X[NB * KP], ref[KP * KP], G[KP * KP];
    theta_rng rng;
    theta_rng_seed(&rng, 11);
    for (int b = 0; b < NB; b++)
        for (int c = 0; c < KP; c++)
            X[b * KP + c] = c < K ? (double)(float)(theta_rng_uniform(&rng) * 2 - 1) : 0.0;
    for (int i = 0; i < KP; i++)
        for (int j = 0; j < KP; j++) {
            double s = 0;
            for (int b = 0; b < NB; b++)
                s += X[b * KP + i] * X[b * KP + j];
            ref[i * KP + j] = 0.5 + s; /* G starts at 0.5: the block sum is added to it */
        }
    static const char *isas[] = {"sse2", "avx2"};
    int ran = 0;
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < KP * KP; i++)
            G[i] = 0.5;
        if (theta__dims_gram_block(isas[t], X, NB, KP, G) != 0)
            continue;
        ran++;
        for (int i = 0; i < KP; i++)
            for (int j = i; j < KP; j++)
                ck_assert_msg(memcmp(&G[i * KP + j], &ref[i * KP + j], sizeof(double)) == 0,
                              "%s: G[%d][%d] = %.17g, reference %.17g", isas[t], i, j,
                              G[i * KP + j], ref[i * KP + j]);
    }
    ck_assert_int_ge(ran, 1);
    ck_assert_int_eq(theta__dims_gram_block("mmx", X, NB, KP, G), -1);
}
END_TEST

START_TEST(bad_arguments)
{
    float m[4] = {1, 2, 3, 4};
    theta_dims_report r;
    int cls[2];
    ck_assert_int_eq(theta_dims_analyze(m, 2, 0, 0, &r), THETA_EINVAL);
    ck_assert_int_eq(theta_dims_analyze(m, -1, 2, 0, &r), THETA_EINVAL);
    ck_assert_int_eq(theta_dims_analyze(NULL, 2, 2, 0, &r), THETA_EINVAL);
    ck_assert_int_eq(theta_dims_analyze(m, 2, 2, -0.1, &r), THETA_EINVAL);
    ck_assert_int_eq(theta_dims_analyze(m, 2, 2, NAN, &r), THETA_EINVAL);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "tolerance"));
    ck_assert_int_eq(theta_dims_classes(m, 2, 2, INFINITY, cls), THETA_EINVAL);
}
END_TEST

Suite *dims_suite(void)
{
    Suite *s = suite_create("dims");
    TCase *classes = tcase_create("classes");
    tcase_add_test(classes, all_zero);
    tcase_add_test(classes, all_columns_equal);
    tcase_add_test(classes, two_equal_pairs);
    tcase_add_test(classes, equal_except_one_element);
    tcase_add_test(classes, signed_zeros);
    tcase_add_test(classes, nan_columns);
    tcase_add_test(classes, one_row_one_column);
    tcase_add_test(classes, tolerance);
    suite_add_tcase(s, classes);
    TCase *rank = tcase_create("rank");
    tcase_add_test(rank, rank_one_outer_product);
    tcase_add_test(rank, rank_k_products);
    tcase_add_test(rank, identity_like);
    tcase_add_test(rank, dense_known_spectrum);
    tcase_add_test(rank, random_full_rank);
    tcase_add_test(rank, too_many_dims_for_rank);
    tcase_add_test(rank, gram_kernels_match_reference);
    suite_add_tcase(s, rank);
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, bad_arguments);
    suite_add_tcase(s, errors);
    return s;
}
