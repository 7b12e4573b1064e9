/* check_dims_spread.c — the continuous measures of symmetry in a
 * theta_dims_report (sigma_2 / sigma_1 and the entropy-based effective rank
 * of Roy & Vetterli 2007) on matrices whose spectra are known exactly:
 * symmetric and rank-1 matrices, orthogonal columns, a diagonal spectrum, a
 * constant plus a Hadamard perturbation; and a perturbed constant start made
 * by theta_model_new, which is not exactly symmetric but nearly. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "theta.h"

static theta_dims_report analyze(const float *m, int64_t rows, int dim)
{
    theta_dims_report r;
    memset(&r, 0xab, sizeof r);
    ck_assert_msg(theta_dims_analyze(m, rows, dim, 0, &r) == THETA_OK, "%s", theta_last_error());
    return r;
}

#define ck_assert_close(x, y, rel) \
    ck_assert_msg(fabs((double)(x) - (double)(y)) <= (rel) * fmax(fabs((double)(y)), 1e-300), \
                  "%.17g is not within %g of %.17g", (double)(x), (double)(rel), (double)(y))

/* Entry i of column j of the Sylvester-Hadamard matrix of order 2^p: +-1,
 * columns orthogonal, column 0 all ones. */
static float hadamard(int i, int j)
{
    return __builtin_popcount((unsigned)(i & j)) % 2 ? -1.0f : 1.0f;
}

/* exp(-sum p ln p), p_i = s_i / sum s, in long double */
static double erank_of(const double *s, int n)
{
    long double sum = 0, h = 0;
    for (int i = 0; i < n; i++)
        sum += s[i];
    for (int i = 0; i < n; i++)
        if (s[i] > 0) {
            long double p = s[i] / sum;
            h -= p * logl(p);
        }
    return (double)expl(h);
}

START_TEST(symmetric_and_zero)
{
    /* every column equal: one distinct column, exactly 0 and 1 */
    float m[6 * 5];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 5; j++)
            m[i * 5 + j] = 0.1f * (float)(i + 1);
    theta_dims_report r = analyze(m, 6, 5);
    ck_assert(r.sigma_ratio == 0);
    ck_assert(r.effective_rank == 1);
    /* a zero matrix: rank 0, both 0 */
    memset(m, 0, sizeof m);
    r = analyze(m, 6, 5);
    ck_assert_int_eq(r.rank, 0);
    ck_assert(r.sigma_ratio == 0);
    ck_assert(r.effective_rank == 0);
    /* one dimension: no sigma_2 */
    float one[3] = {1, 2, 3};
    r = analyze(one, 3, 1);
    ck_assert(r.sigma_ratio == 0);
    ck_assert(r.effective_rank == 1);
}
END_TEST

START_TEST(rank_one_with_distinct_columns)
{
    /* u v' with small integers (every product exact in float): 12 distinct
     * columns, rank 1; the rounding of the Gram matrix's other eigenvalues
     * stays below the floor, so exactly 0 and 1 */
    enum { R = 40, D = 12 };
    float m[R * D];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < D; j++)
            m[i * D + j] = (float)((i % 7) + 1) * (float)(j + 1) * (i % 3 ? 1.0f : -1.0f);
    theta_dims_report r = analyze(m, R, D);
    ck_assert_int_eq(r.distinct_dims, D);
    ck_assert_int_eq(r.rank, 1);
    ck_assert(r.sigma_ratio == 0);
    ck_assert(r.effective_rank == 1);
}
END_TEST

START_TEST(orthogonal_equal_norms)
{
    /* 16 Hadamard columns of 64 rows: every singular value is 8 */
    enum { R = 64, D = 16 };
    float m[R * D];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < D; j++)
            m[i * D + j] = hadamard(i, j);
    theta_dims_report r = analyze(m, R, D);
    ck_assert_int_eq(r.rank, D);
    ck_assert_close(r.sigma_ratio, 1.0, 1e-12);
    ck_assert_close(r.effective_rank, (double)D, 1e-12);
    /* the same columns scaled by a common factor: the same measures */
    for (int i = 0; i < R * D; i++)
        m[i] *= 0.001953125f;
    r = analyze(m, R, D);
    ck_assert_close(r.effective_rank, (double)D, 1e-12);
}
END_TEST

START_TEST(diagonal_spectrum)
{
    /* diag(s) over 10 columns with zero rows below: singular values are s */
    enum { R = 14, D = 10 };
    static const double s[D] = {3.5, 0.25, 1, 2, 0.125, 7, 0.5, 1.5, 4, 0.75};
    float m[R * D];
    memset(m, 0, sizeof m);
    for (int j = 0; j < D; j++)
        m[j * D + j] = (float)s[j];
    theta_dims_report r = analyze(m, R, D);
    ck_assert_int_eq(r.rank, D);
    ck_assert_close(r.sigma_ratio, 4.0 / 7.0, 1e-12);
    double want = erank_of(s, D);
    ck_assert_close(r.effective_rank, want, 1e-12);
    /* the formula's value, independently: between 1 and D, below D (unequal) */
    ck_assert(want > 1 && want < D - 1);
    /* the same spectrum in permuted, signed columns of an orthogonal basis */
    enum { R2 = 32 };
    float h[R2 * D];
    for (int i = 0; i < R2; i++)
        for (int j = 0; j < D; j++)
            h[i * D + j] = (float)s[j] * hadamard(i, j + 3) * 0.25f;
    r = analyze(h, R2, D);
    /* sigma_j = s_j x 0.25 x sqrt(32) */
    ck_assert_close(r.singular[0], 7 * 0.25 * sqrt(32.0), 1e-12);
    ck_assert_close(r.sigma_ratio, 4.0 / 7.0, 1e-12);
    ck_assert_close(r.effective_rank, want, 1e-12);
}
END_TEST

START_TEST(constant_plus_small_difference)
{
    /* column j = a + b h_j (j = 1..D): M = H [a 1'; b I], so sigma_1^2 =
     * n (b^2 + a^2 D) and sigma_2..D^2 = n b^2 (a: float 0.1, b: 2^-20,
     * both exact in the float sums) */
    enum { R = 64, D = 16 };
    const double a = (double)0.1f, b = ldexp(1, -20);
    float m[R * D];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < D; j++)
            m[i * D + j] = (float)(a + b * hadamard(i, j + 1));
    theta_dims_report r = analyze(m, R, D);
    ck_assert_int_eq(r.distinct_dims, D);
    double s1 = sqrt(R * (b * b + a * a * D)), s2 = sqrt((double)R) * b;
    ck_assert_close(r.sigma_ratio, s2 / s1, 1e-4);
    double s[D];
    s[0] = s1;
    for (int j = 1; j < D; j++)
        s[j] = s2;
    ck_assert_close(r.effective_rank - 1, erank_of(s, D) - 1, 1e-3);
    ck_assert(r.sigma_ratio > 1e-6 && r.sigma_ratio < 1e-5);
    /* ten times the difference: ten times the ratio */
    for (int i = 0; i < R; i++)
        for (int j = 0; j < D; j++)
            m[i * D + j] = (float)(a + 8 * b * hadamard(i, j + 1));
    theta_dims_report r8 = analyze(m, R, D);
    ck_assert_close(r8.sigma_ratio / r.sigma_ratio, 8 * sqrt(b * b + a * a * D) /
                                                        sqrt(64 * b * b + a * a * D), 1e-4);
}
END_TEST

START_TEST(not_computed_is_nan)
{
    /* more distinct columns than THETA_DIMS_MAX_RANK_DIM: NaN, as the rank's -1 */
    int dim = THETA_DIMS_MAX_RANK_DIM + 1;
    float *m = malloc((size_t)dim * 2 * sizeof *m);
    ck_assert_ptr_nonnull(m);
    for (int i = 0; i < 2 * dim; i++)
        m[i] = (float)i;
    theta_dims_report r = analyze(m, 2, dim);
    ck_assert_int_eq(r.rank, -1);
    ck_assert(isnan(r.sigma_ratio));
    ck_assert(isnan(r.effective_rank));
    free(m);
}
END_TEST

/* A model of 30 words over dim dimensions from cfg (vocabulary: w0..w29). */
static theta_model *model_of(const theta_config *cfg)
{
    theta_vocab *v = theta_vocab_new();
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(theta_vocab_add(v, "</s>", 4, 50), THETA_OK);
    char w[16];
    for (int i = 0; i < 30; i++) {
        snprintf(w, sizeof w, "w%d", i);
        ck_assert_int_eq(theta_vocab_add(v, w, strlen(w), 100 - i), THETA_OK);
    }
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    theta_model *m;
    ck_assert_msg(theta_model_new(cfg, v, &m) == THETA_OK, "%s", theta_last_error());
    return m;
}

START_TEST(perturbed_start_nearly_symmetric)
{
    theta_config c = theta_config_default();
    c.dim = 20;
    ck_assert_int_eq(theta_init_parse("const:0.1", &c.init_in), THETA_OK);
    theta_model *sym = model_of(&c);
    theta_dims_report r = analyze(sym->in, sym->vocab->size, c.dim);
    ck_assert_int_eq(r.distinct_dims, 1);
    ck_assert(r.sigma_ratio == 0 && r.effective_rank == 1);
    theta_model_free(sym);

    ck_assert_int_eq(theta_init_parse("const:0.1+normal:1e-6", &c.init_in), THETA_OK);
    theta_model *m = model_of(&c);
    r = analyze(m->in, m->vocab->size, c.dim);
    /* not exactly symmetric: every dimension differs */
    ck_assert_int_eq(r.distinct_dims, c.dim);
    ck_assert_int_eq(r.identical_dims, 0);
    /* but nearly: sigma_2 / sigma_1 is of the order of the noise over the
     * constant, 1e-5 x (sqrt(rows) + sqrt(dim)) / sqrt(rows x dim) ~ 5e-6 */
    ck_assert_msg(r.sigma_ratio > 1e-6 && r.sigma_ratio < 2e-5, "sigma ratio %g", r.sigma_ratio);
    ck_assert_msg(r.effective_rank > 1 && r.effective_rank < 1.001, "effective rank %.17g",
                  r.effective_rank);
    /* a hundred times the noise: about a hundred times the ratio */
    ck_assert_int_eq(theta_init_parse("const:0.1+normal:1e-4", &c.init_in), THETA_OK);
    theta_model *m100 = model_of(&c);
    theta_dims_report r100 = analyze(m100->in, m100->vocab->size, c.dim);
    double growth = r100.sigma_ratio / r.sigma_ratio;
    ck_assert_msg(growth > 90 && growth < 110, "ratio of ratios %g", growth);
    theta_model_free(m);
    theta_model_free(m100);
}
END_TEST

Suite *dims_spread_suite(void)
{
    Suite *s = suite_create("dims_spread");
    TCase *known = tcase_create("known_spectra");
    tcase_add_test(known, symmetric_and_zero);
    tcase_add_test(known, rank_one_with_distinct_columns);
    tcase_add_test(known, orthogonal_equal_norms);
    tcase_add_test(known, diagonal_spectrum);
    tcase_add_test(known, constant_plus_small_difference);
    tcase_add_test(known, not_computed_is_nan);
    suite_add_tcase(s, known);
    TCase *starts = tcase_create("starts");
    tcase_add_test(starts, perturbed_start_nearly_symmetric);
    suite_add_tcase(s, starts);
    return s;
}
