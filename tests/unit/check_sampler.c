/* check_sampler.c — the negative-sampling alias table over count^power:
 * the exact distribution the table encodes, empirical frequencies of
 * theta_sampler_draw, </s> never drawn, edge cases and errors. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

/* An assertion for hot loops: Check's ck_assert records its location with a
 * write to the runner on every *passing* check, which costs a system call. */
#define REQUIRE(cond, ...) \
    do { \
        if (!(cond)) \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

/* A finalized vocabulary from counts[0..n): counts[0] is the count of </s>,
 * counts[1..] those of words "w1", "w2", ... (given in descending order, so
 * ids equal indexes). */
static theta_vocab *vocab_of(const int64_t *counts, int n)
{
    theta_vocab *v = theta_vocab_new();
    ck_assert_ptr_nonnull(v);
    if (counts[0] > 0)
        ck_assert_int_eq(theta_vocab_add(v, "</s>", 4, counts[0]), THETA_OK);
    for (int i = 1; i < n; i++) {
        char w[32];
        snprintf(w, sizeof w, "w%06d", i);
        ck_assert_int_eq(theta_vocab_add(v, w, strlen(w), counts[i]), THETA_OK);
    }
    ck_assert_int_eq(theta_vocab_finalize(v, 0, 0), THETA_OK);
    ck_assert_int_eq(v->size, n);
    for (int i = 1; i < n; i++)
        ck_assert_int_eq(v->entries[i].count, counts[i]);
    return v;
}

/* The target distribution: (1 - u) count^power / sum + u / (V - 1), </s>
 * excluded. */
static double *target_mix(const theta_vocab *v, double power, double u)
{
    double *p = calloc((size_t)v->size, sizeof *p);
    ck_assert_ptr_nonnull(p);
    double sum = 0;
    for (int32_t i = 1; i < v->size; i++)
        sum += pow((double)v->entries[i].count, power);
    for (int32_t i = 1; i < v->size; i++)
        p[i] = (1 - u) * pow((double)v->entries[i].count, power) / sum + u / (v->size - 1);
    return p;
}

static double *target(const theta_vocab *v, double power)
{
    return target_mix(v, power, 0);
}

/* The distribution the table encodes, exactly: a column is picked with
 * probability 1/n, then accepted with threshold/2^32, else its alias. */
static double *table_distribution(const theta_sampler *s)
{
    double *q = calloc((size_t)s->n, sizeof *q);
    ck_assert_ptr_nonnull(q);
    for (int32_t j = 0; j < s->n; j++) {
        const theta_sampler_cell c = s->cell[j];
        REQUIRE(c.alias >= 0 && c.alias < s->n, "alias[%d] = %d", j, c.alias);
        double acc = (double)c.threshold / 4294967296.0;
        q[j] += acc / s->n;
        q[c.alias] += (1.0 - acc) / s->n;
    }
    return q;
}

/* Thresholds are 32-bit: each column loses < 2^-32 of its acceptance to its
 * alias, i.e. < 2^-32 / n of probability; a word that is the alias of every
 * column can gain at most n times that. Double rounding in the build adds
 * far less. So the table is exact to 2^-32 per word. */
#define TABLE_TOL (1.0 / 4294967296.0)

/* Checks the table against the target to within tol (absolute, per word),
 * and that </s> has probability exactly 0. */
static void check_table_mix(const theta_sampler *s, const theta_vocab *v, double power, double u,
                            double tol)
{
    ck_assert_int_eq(s->n, v->size);
    double *p = target_mix(v, power, u), *q = table_distribution(s);
    ck_assert(q[0] == 0.0);
    for (int32_t i = 1; i < v->size; i++)
        REQUIRE(fabs(q[i] - p[i]) <= tol, "word %d: table %.12g, target %.12g", i, q[i], p[i]);
    free(p);
    free(q);
}

static void check_table(const theta_sampler *s, const theta_vocab *v, double power, double tol)
{
    check_table_mix(s, v, power, 0, tol);
}

/* Draws n samples and compares the frequencies with the target. With N
 * draws a word of probability p is drawn N p ± sqrt(N p (1 - p)) times; a
 * deviation beyond 5 standard errors has probability < 6e-7 per word, so
 * with at most a few dozen words a correct sampler essentially never fails,
 * while a wrong power (0.75 vs 1) moves the top word by hundreds of errors.
 * Also a chi-square over all words against its 1e-6 tail bound. */
static void check_draws_mix(const theta_sampler *s, const theta_vocab *v, double power, double u,
                            int64_t n, uint64_t seed)
{
    int64_t *hits = calloc((size_t)v->size, sizeof *hits);
    ck_assert_ptr_nonnull(hits);
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    for (int64_t k = 0; k < n; k++) {
        int32_t w = theta_sampler_draw(s, theta_rng_next(&rng));
        REQUIRE(w >= 1 && w < v->size, "drew %d", w); /* never </s>, never out of range */
        hits[w]++;
    }
    double *p = target_mix(v, power, u);
    double chi2 = 0;
    int df = -1;
    for (int32_t i = 1; i < v->size; i++) {
        double e = (double)n * p[i];
        double se = sqrt((double)n * p[i] * (1 - p[i]));
        ck_assert_msg(fabs((double)hits[i] - e) <= 5 * se + 1e-9,
                      "word %d: %lld draws, expected %.1f +- %.1f", i, (long long)hits[i], e, se);
        if (e >= 5) {
            chi2 += ((double)hits[i] - e) * ((double)hits[i] - e) / e;
            df++;
        }
    }
    /* chi-square tail: for df <= 30, P(chi2 > df + 6 sqrt(2 df) + 10) < 1e-6 */
    if (df > 0)
        ck_assert_msg(chi2 < df + 6 * sqrt(2.0 * df) + 10, "chi2 %.1f with %d degrees of freedom",
                      chi2, df);
    free(p);
    free(hits);
}

static void check_draws(const theta_sampler *s, const theta_vocab *v, double power, int64_t n,
                        uint64_t seed)
{
    check_draws_mix(s, v, power, 0, n, seed);
}

START_TEST(frequencies_follow_count_pow_075)
{
    /* </s> is the most frequent entry, as in a corpus of short lines */
    static const int64_t counts[] = {5000, 900, 500, 300, 200, 120, 60, 30, 10, 4, 2, 1};
    int n = (int)(sizeof counts / sizeof counts[0]);
    theta_vocab *v = vocab_of(counts, n);
    theta_sampler s;
    ck_assert_int_eq(theta_sampler_build(&s, v, 0.75), THETA_OK);
    check_table(&s, v, 0.75, TABLE_TOL);
    check_draws(&s, v, 0.75, 2000000, 42);
    /* the target really is count^0.75: word 1 is 900^.75 / sum */
    double *p = target(v, 0.75);
    double sum = 0;
    for (int i = 1; i < n; i++)
        sum += pow((double)counts[i], 0.75);
    ck_assert_double_eq_tol(p[1], pow(900, 0.75) / sum, 1e-15);
    ck_assert_double_eq_tol(p[1], 0.3444159, 1e-7);
    free(p);
    theta_sampler_free(&s);
    ck_assert_ptr_null(s.cell);
    ck_assert_int_eq(s.n, 0);
    theta_vocab_free(v);
}
END_TEST

START_TEST(other_powers)
{
    static const int64_t counts[] = {10, 64, 27, 8, 1};
    theta_vocab *v = vocab_of(counts, 5);
    theta_sampler s;
    /* power 0: uniform over the four words */
    ck_assert_int_eq(theta_sampler_build(&s, v, 0.0), THETA_OK);
    check_table(&s, v, 0.0, TABLE_TOL);
    double *q = table_distribution(&s);
    for (int i = 1; i < 5; i++)
        ck_assert_double_eq_tol(q[i], 0.25, 1e-9);
    free(q);
    check_draws(&s, v, 0.0, 400000, 1);
    theta_sampler_free(&s);
    /* power 1: proportional to counts 64:27:8:1 */
    ck_assert_int_eq(theta_sampler_build(&s, v, 1.0), THETA_OK);
    q = table_distribution(&s);
    ck_assert_double_eq_tol(q[1], 0.64, 1e-9);
    ck_assert_double_eq_tol(q[2], 0.27, 1e-9);
    ck_assert_double_eq_tol(q[3], 0.08, 1e-9);
    ck_assert_double_eq_tol(q[4], 0.01, 1e-9);
    free(q);
    check_draws(&s, v, 1.0, 400000, 2);
    theta_sampler_free(&s);
    theta_vocab_free(v);
}
END_TEST

START_TEST(one_word_dominates)
{
    static const int64_t counts[] = {3, 1000000000, 1, 1, 1};
    theta_vocab *v = vocab_of(counts, 5);
    theta_sampler s;
    ck_assert_int_eq(theta_sampler_build(&s, v, 0.75), THETA_OK);
    /* the rare words have probability ~1.8e-7 each: the table must keep it */
    double *q = table_distribution(&s), *p = target(v, 0.75);
    ck_assert_double_eq_tol(p[2], 1.0 / (pow(1e9, 0.75) + 3), 1e-18);
    for (int i = 2; i < 5; i++) {
        ck_assert_double_gt(q[i], 0.0);
        ck_assert_double_eq_tol(q[i], p[i], 1e-9);
    }
    free(q);
    free(p);
    check_draws(&s, v, 0.75, 2000000, 3);
    theta_sampler_free(&s);
    theta_vocab_free(v);
}
END_TEST

START_TEST(two_words)
{
    /* </s> and one word: every draw is the word */
    static const int64_t one[] = {7, 5};
    theta_vocab *v = vocab_of(one, 2);
    theta_sampler s;
    ck_assert_int_eq(theta_sampler_build(&s, v, 0.75), THETA_OK);
    theta_rng rng;
    theta_rng_seed(&rng, 9);
    for (int k = 0; k < 100000; k++)
        REQUIRE(theta_sampler_draw(&s, theta_rng_next(&rng)) == 1, "drew a word other than 1");
    /* the extreme random values too */
    ck_assert_int_eq(theta_sampler_draw(&s, 0), 1);
    ck_assert_int_eq(theta_sampler_draw(&s, UINT64_MAX), 1);
    theta_sampler_free(&s);
    theta_vocab_free(v);
    /* two real words: 3^.75 : 1 */
    static const int64_t two[] = {0, 3, 1};
    v = vocab_of(two, 3);
    ck_assert_int_eq(theta_sampler_build(&s, v, 0.75), THETA_OK);
    double *q = table_distribution(&s);
    ck_assert_double_eq_tol(q[1], pow(3, 0.75) / (pow(3, 0.75) + 1), 1e-9);
    ck_assert_double_eq_tol(q[1], 0.6950761, 1e-7);
    free(q);
    check_draws(&s, v, 0.75, 2000000, 4);
    theta_sampler_free(&s);
    theta_vocab_free(v);
}
END_TEST

START_TEST(zipf_vocabulary_table_is_exact)
{
    /* 20000 words with Zipf counts: the table must encode the target */
    int n = 20001;
    int64_t *counts = malloc((size_t)n * sizeof *counts);
    ck_assert_ptr_nonnull(counts);
    counts[0] = 123456;
    for (int i = 1; i < n; i++)
        counts[i] = 10000000 / i;
    theta_vocab *v = vocab_of(counts, n);
    theta_sampler s;
    ck_assert_int_eq(theta_sampler_build(&s, v, 0.75), THETA_OK);
    check_table(&s, v, 0.75, TABLE_TOL);
    /* and the draws of the top words */
    int64_t hits[6] = {0};
    theta_rng rng;
    theta_rng_seed(&rng, 5);
    const int64_t draws = 1000000;
    for (int64_t k = 0; k < draws; k++) {
        int32_t w = theta_sampler_draw(&s, theta_rng_next(&rng));
        REQUIRE(w >= 1 && w < n, "drew %d", w);
        if (w < 6)
            hits[w]++;
    }
    double *p = target(v, 0.75);
    for (int i = 1; i < 6; i++) {
        double e = (double)draws * p[i], se = sqrt(e * (1 - p[i]));
        ck_assert_msg(fabs((double)hits[i] - e) <= 5 * se, "word %d: %lld vs %.1f", i,
                      (long long)hits[i], e);
    }
    free(p);
    theta_sampler_free(&s);
    theta_vocab_free(v);
    free(counts);
}
END_TEST

START_TEST(uniform_share_mixes_in)
{
    /* word2vec.c in effect: a share u of the draws is uniform over the words */
    static const int64_t counts[] = {5000, 900, 500, 300, 200, 120, 60, 30, 10, 4, 2, 1};
    int n = (int)(sizeof counts / sizeof counts[0]);
    theta_vocab *v = vocab_of(counts, n);
    theta_sampler s;
    ck_assert_int_eq(theta_sampler_build_mix(&s, v, 0.75, 0.2), THETA_OK);
    check_table_mix(&s, v, 0.75, 0.2, TABLE_TOL);
    check_draws_mix(&s, v, 0.75, 0.2, 2000000, 43);
    /* the rarest word: 0.8 * 1 / sum + 0.2 / 11, more than twice its share
     * without the mix, and the top word less */
    double *q = table_distribution(&s), *p0 = target(v, 0.75);
    double sum = 0;
    for (int i = 1; i < n; i++)
        sum += pow((double)counts[i], 0.75);
    ck_assert_double_eq_tol(q[11], 0.8 / sum + 0.2 / 11, 1e-9);
    ck_assert_double_gt(q[11], 2 * p0[11]);
    ck_assert_double_lt(q[1], p0[1]);
    free(q);
    free(p0);
    theta_sampler_free(&s);
    /* u = 1: exactly uniform, whatever the counts */
    ck_assert_int_eq(theta_sampler_build_mix(&s, v, 0.75, 1.0), THETA_OK);
    q = table_distribution(&s);
    ck_assert(q[0] == 0.0);
    for (int i = 1; i < n; i++)
        ck_assert_double_eq_tol(q[i], 1.0 / 11, 1e-9);
    free(q);
    check_draws_mix(&s, v, 0.75, 1.0, 400000, 44);
    theta_sampler_free(&s);
    /* u = 0 builds the very table theta_sampler_build does */
    theta_sampler a, b;
    ck_assert_int_eq(theta_sampler_build(&a, v, 0.75), THETA_OK);
    ck_assert_int_eq(theta_sampler_build_mix(&b, v, 0.75, 0.0), THETA_OK);
    ck_assert_int_eq(memcmp(a.cell, b.cell, (size_t)n * sizeof *a.cell), 0);
    theta_sampler_free(&a);
    theta_sampler_free(&b);
    theta_vocab_free(v);
}
END_TEST

START_TEST(uniform_share_zipf_table_is_exact)
{
    /* 20000 Zipf words with word2vec.c's share (about 1 %): the table
     * encodes the mixture exactly, and </s> stays out */
    int n = 20001;
    int64_t *counts = malloc((size_t)n * sizeof *counts);
    ck_assert_ptr_nonnull(counts);
    counts[0] = 123456;
    for (int i = 1; i < n; i++)
        counts[i] = 10000000 / i;
    theta_vocab *v = vocab_of(counts, n);
    theta_sampler s;
    ck_assert_int_eq(theta_sampler_build_mix(&s, v, 0.75, 0.0125), THETA_OK);
    check_table_mix(&s, v, 0.75, 0.0125, TABLE_TOL);
    /* the rarest word: (1 - u) of its count^0.75 share, plus u / (V - 1) */
    double *q = table_distribution(&s), *p = target(v, 0.75);
    ck_assert_double_eq_tol(q[n - 1], 0.9875 * p[n - 1] + 0.0125 / (n - 1), 1e-12);
    free(q);
    free(p);
    theta_sampler_free(&s);
    theta_vocab_free(v);
    free(counts);
}
END_TEST

START_TEST(no_countable_word_is_an_error)
{
    theta_vocab *v = theta_vocab_new();
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    ck_assert_int_eq(v->size, 1);
    theta_sampler s;
    memset(&s, 0xab, sizeof s);
    ck_assert_int_eq(theta_sampler_build(&s, v, 0.75), THETA_EDATA);
    ck_assert_ptr_null(s.cell);
    ck_assert_int_ne(strlen(theta_last_error()), 0);
    theta_vocab_free(v);
    /* words that are all count 0 */
    static const int64_t zero[] = {4, 0, 0};
    v = vocab_of(zero, 3);
    ck_assert_int_eq(theta_sampler_build(&s, v, 0.75), THETA_EDATA);
    theta_vocab_free(v);
}
END_TEST

Suite *sampler_suite(void)
{
    Suite *s = suite_create("sampler");
    TCase *core = tcase_create("core");
    tcase_add_test(core, frequencies_follow_count_pow_075);
    tcase_add_test(core, other_powers);
    tcase_add_test(core, one_word_dominates);
    tcase_add_test(core, two_words);
    tcase_add_test(core, zipf_vocabulary_table_is_exact);
    tcase_add_test(core, uniform_share_mixes_in);
    tcase_add_test(core, uniform_share_zipf_table_is_exact);
    tcase_set_timeout(core, 20);
    suite_add_tcase(s, core);
    TCase *err = tcase_create("errors");
    tcase_add_test(err, no_countable_word_is_an_error);
    suite_add_tcase(s, err);
    return s;
}
