/* check_eval.c — case folding, the cosine index, nearest neighbours,
 * analogies (planted answers, gensim's rules, the blocked search against a
 * naive reference), question and pair files, Spearman and Pearson. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

#define DEG (3.14159265358979323846 / 180)

/* ---- folding -------------------------------------------------------------- */

static void fold_is(const char *in, const char *want)
{
    char buf[64];
    ck_assert_uint_eq(theta_eval_fold(in, buf, sizeof buf), strlen(want));
    ck_assert_str_eq(buf, want);
}

START_TEST(fold_like_python_upper)
{
    fold_is("athens", "ATHENS");
    fold_is("Mixed-Case_09", "MIXED-CASE_09");
    fold_is("stra\xc3\x9f" "e", "STRASSE");                           /* ß -> SS */
    fold_is("\xc3\xa9" "cole", "\xc3\x89" "COLE");                    /* é -> É */
    fold_is("\xce\xba\xcf\x8c\xcf\x83\xce\xbc\xce\xbf\xcf\x82",        /* κόσμος */
            "\xce\x9a\xce\x8c\xce\xa3\xce\x9c\xce\x9f\xce\xa3");       /* ΚΌΣΜΟΣ */
    fold_is("\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0",        /* москва */
            "\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90");
    fold_is("\xc4\xb1", "I");                                         /* dotless ı -> I */
    fold_is("\xce\x90", "\xce\x99\xcc\x88\xcc\x81");                  /* ΐ -> 3 code points */
    fold_is("\xff\xfe" "ab\xe4\xb8\xad", "\xff\xfe" "AB\xe4\xb8\xad"); /* bad bytes, CJK kept */
    char small[4];
    ck_assert_uint_eq(theta_eval_fold("abcd", small, sizeof small), (size_t)-1);
    ck_assert_uint_eq(theta_eval_fold("abc", small, sizeof small), 3);
}
END_TEST

/* ---- fixtures ------------------------------------------------------------- */

typedef struct {
    float *m;
    const char **w;
    int64_t rows;
    int dim;
    theta_eval_index *ix;
} fixture;

static void fx_build(fixture *f, int64_t rows, int dim, const char *const *words, const float *m)
{
    f->rows = rows;
    f->dim = dim;
    f->m = malloc(sizeof(float) * (size_t)rows * (size_t)dim);
    f->w = malloc(sizeof(char *) * (size_t)rows);
    ck_assert_ptr_nonnull(f->m);
    memcpy(f->m, m, sizeof(float) * (size_t)rows * (size_t)dim);
    memcpy(f->w, words, sizeof(char *) * (size_t)rows);
    ck_assert_int_eq(theta_eval_index_new(f->m, rows, dim, f->w, &f->ix), THETA_OK);
}

static void fx_free(fixture *f)
{
    theta_eval_index_free(f->ix);
    free(f->m);
    free(f->w);
}

/* 2-D vectors at the given angles (degrees) and lengths. */
static void fx_angles(fixture *f, int n, const char *const *words, const double *deg,
                      const double *len)
{
    float m[64];
    for (int i = 0; i < n; i++) {
        m[2 * i] = (float)(len[i] * cos(deg[i] * DEG));
        m[2 * i + 1] = (float)(len[i] * sin(deg[i] * DEG));
    }
    fx_build(f, n, 2, words, m);
}

/* ---- index and nearest neighbours ----------------------------------------- */

START_TEST(index_normalizes_and_finds)
{
    static const char *w[] = {"</s>", "Paris", "paris", "zero", "paris"};
    const float m[] = {1, 0, 3, 4, 0, -2, 0, 0, 5, 5};
    fixture f;
    fx_build(&f, 5, 2, w, m);
    ck_assert_int_eq(theta_eval_index_rows(f.ix), 5);
    ck_assert_int_eq(theta_eval_index_dim(f.ix), 2);
    ck_assert_float_eq_tol(theta_eval_index_unit(f.ix, 1)[0], 0.6, 1e-7);
    ck_assert_float_eq_tol(theta_eval_index_unit(f.ix, 1)[1], 0.8, 1e-7);
    ck_assert_double_eq_tol(theta_eval_index_norm(f.ix, 1), 5, 1e-6);
    ck_assert_float_eq(theta_eval_index_unit(f.ix, 3)[0], 0); /* zero row stays zero */
    ck_assert_double_eq(theta_eval_index_norm(f.ix, 3), 0);
    /* exact: the first of repeated words */
    ck_assert_int_eq(theta_eval_find(f.ix, "paris"), 2);
    ck_assert_int_eq(theta_eval_find(f.ix, "PARIS"), -1);
    /* folded: the first row of the folded form, only below the limit */
    ck_assert_int_eq(theta_eval_find_folded(f.ix, "PARIS", 0), 1);
    ck_assert_int_eq(theta_eval_find_folded(f.ix, "paris", 2), 1);
    ck_assert_int_eq(theta_eval_find_folded(f.ix, "paris", 1), -1);
    ck_assert_int_eq(theta_eval_find_folded(f.ix, "london", 0), -1);
    ck_assert_str_eq(theta_eval_index_word(f.ix, 3), "zero");
    fx_free(&f);
}
END_TEST

START_TEST(index_rejects_non_finite)
{
    static const char *w[] = {"a", "b"};
    float m[] = {1, 2, NAN, 0};
    theta_eval_index *ix = NULL;
    ck_assert_int_eq(theta_eval_index_new(m, 2, 2, w, &ix), THETA_EDATA);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "'b'"));
    m[2] = INFINITY;
    ck_assert_int_eq(theta_eval_index_new(m, 2, 2, w, &ix), THETA_EDATA);
    ck_assert_int_eq(theta_eval_index_new(m, 0, 2, w, &ix), THETA_EINVAL);
    ck_assert_ptr_null(ix);
}
END_TEST

START_TEST(nearest_by_angle)
{
    static const char *w[] = {"a", "b", "c", "d", "e", "f"};
    const double deg[] = {0, 20, 50, 80, 180, 0}, len[] = {2, 0.5, 3, 1, 7, 0};
    fixture f;
    fx_angles(&f, 6, w, deg, len);
    theta_eval_hit h[10];
    int n = -1;
    const float q[2] = {4, 0}; /* the direction of a; its length does not matter */
    int64_t ex = 0;
    ck_assert_int_eq(theta_eval_nearest(f.ix, q, 0, &ex, 1, 10, h, &n), THETA_OK);
    ck_assert_int_eq(n, 5);
    static const int64_t order[] = {1, 2, 3, 5, 4};
    const double want[] = {cos(20 * DEG), cos(50 * DEG), cos(80 * DEG), 0, -1};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(h[i].row, order[i]);
        ck_assert_double_eq_tol(h[i].score, want[i], 1e-6);
    }
    /* k and limit */
    ck_assert_int_eq(theta_eval_nearest(f.ix, q, 3, NULL, 0, 2, h, &n), THETA_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(h[0].row, 0);
    ck_assert_int_eq(h[1].row, 1);
    const float zero[2] = {0, 0};
    ck_assert_int_eq(theta_eval_nearest(f.ix, zero, 0, NULL, 0, 2, h, &n), THETA_EINVAL);
    ck_assert_int_eq(theta_eval_nearest(f.ix, q, 0, NULL, 0, 0, h, &n), THETA_EINVAL);
    fx_free(&f);
}
END_TEST

START_TEST(query_sum_is_normalized_sum_of_units)
{
    static const char *w[] = {"x", "y"};
    const double deg[] = {0, 90}, len[] = {10, 0.1};
    fixture f;
    fx_angles(&f, 2, w, deg, len);
    int64_t rows[2] = {0, 1};
    float q[2];
    theta_eval_query_sum(f.ix, rows, 2, q);
    ck_assert_float_eq_tol(q[0], (float)M_SQRT1_2, 1e-7);
    ck_assert_float_eq_tol(q[1], (float)M_SQRT1_2, 1e-7);
    fx_free(&f);
}
END_TEST

/* ---- analogies ------------------------------------------------------------ */

/* man, woman, king orthogonal-ish; queen planted at king - man + woman. */
START_TEST(planted_analogy_add_and_mul)
{
    static const char *w[] = {"</s>", "man", "woman", "king", "queen", "prince", "apple"};
    const float m[] = {
        0.1f, 0.1f, 0.1f, 0.1f, /* </s> */
        1, 0, 0, 0,             /* man */
        0, 1, 0, 0,             /* woman */
        1, 0, 1, 0,             /* king */
        0, 1, 1, 0.1f,          /* queen ~ king - man + woman */
        1, 0, 1, 0.5f,          /* prince: close to king */
        0, 0, 0, 1,             /* apple */
    };
    fixture f;
    fx_build(&f, 7, 4, w, m);
    theta_eval_hit h[3];
    int n = 0;
    ck_assert_int_eq(theta_eval_analogy(f.ix, 1, 3, 2, THETA_ANALOGY_ADD, 0, 3, h, &n), THETA_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(h[0].row, 4);
    /* reference in double: cos(queen, unit(king^ - man^ + woman^)) */
    double k = M_SQRT1_2, v[4] = {k - 1, 1, k, 0}, qn = sqrt(1 + 1 + 0.01);
    double vn = sqrt(v[0] * v[0] + 1 + k * k);
    ck_assert_double_eq_tol(h[0].score, (1 + k) / (vn * qn), 1e-6);
    for (int i = 0; i < n; i++) /* a, b, c are never answers */
        ck_assert(h[i].row != 1 && h[i].row != 2 && h[i].row != 3);
    /* 3CosMul for queen: s(q,king) s(q,woman) / (s(q,man) + 1e-6), s = (1 + cos) / 2 */
    ck_assert_int_eq(theta_eval_analogy(f.ix, 1, 3, 2, THETA_ANALOGY_MUL, 0, 3, h, &n), THETA_OK);
    ck_assert_int_eq(h[0].row, 4);
    double c_king = 1 / (M_SQRT2 * qn), c_woman = 1 / qn, c_man = 0;
    double want = ((1 + c_king) / 2) * ((1 + c_woman) / 2) / ((1 + c_man) / 2 + 1e-6);
    ck_assert_double_eq_tol(h[0].score, want, 1e-5);
    /* restricted to the first 4 rows, only </s> is left to answer */
    ck_assert_int_eq(theta_eval_analogy(f.ix, 1, 3, 2, THETA_ANALOGY_ADD, 4, 3, h, &n), THETA_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(h[0].row, 0);
    ck_assert_int_eq(theta_eval_analogy(f.ix, 1, 3, 99, THETA_ANALOGY_ADD, 0, 3, h, &n),
                     THETA_EINVAL);
    fx_free(&f);
}
END_TEST

/* The blocked, threaded search against a naive double-precision scan. */
START_TEST(batch_matches_naive_reference)
{
    const int64_t rows = 1203; /* not a multiple of the tile sizes */
    const int dim = 37, nq = 301;
    float *m = malloc(sizeof(float) * rows * dim);
    char **words = malloc(sizeof(char *) * rows);
    theta_rng rng;
    theta_rng_seed(&rng, 5);
    for (int64_t i = 0; i < rows * dim; i++)
        m[i] = (float)(theta_rng_uniform(&rng) * 2 - 1);
    for (int64_t r = 0; r < rows; r++) {
        words[r] = malloc(32);
        snprintf(words[r], 32, "w%lld", (long long)r);
    }
    fixture f;
    fx_build(&f, rows, dim, (const char *const *)words, m);
    /* questions over random rows, in one section */
    theta_eval_questions q = {0};
    q.n = nq;
    q.words = malloc(sizeof(char *) * 4 * nq);
    theta_eval_section sec = {"s", 0, nq};
    q.nsections = 1;
    q.sections = &sec;
    for (int i = 0; i < 4 * nq; i++)
        q.words[i] = words[theta_rng_next(&rng) % (uint64_t)rows];
    const int64_t limit = 1000;
    theta_eval_analogy_result r1, r3;
    ck_assert_int_eq(theta_eval_analogies(f.ix, &q, limit, THETA_ANALOGY_ADD, 1, &r1), THETA_OK);
    ck_assert_int_eq(theta_eval_analogies(f.ix, &q, limit, THETA_ANALOGY_ADD, 3, &r3), THETA_OK);
    int64_t seen = 0, correct = 0;
    for (int i = 0; i < nq; i++) {
        ck_assert_int_eq(r1.predicted[i], r3.predicted[i]);
        int64_t a = theta_eval_find(f.ix, q.words[4 * i]), b = theta_eval_find(f.ix, q.words[4 * i + 1]),
                c = theta_eval_find(f.ix, q.words[4 * i + 2]), d = theta_eval_find(f.ix, q.words[4 * i + 3]);
        if (a >= limit || b >= limit || c >= limit || d >= limit) {
            ck_assert_int_eq(r1.predicted[i], -1);
            continue;
        }
        seen++;
        double v[64], best = -2;
        int64_t arg = -1;
        const float *ua = theta_eval_index_unit(f.ix, a), *ub = theta_eval_index_unit(f.ix, b),
                    *uc = theta_eval_index_unit(f.ix, c);
        for (int k = 0; k < dim; k++)
            v[k] = (double)ub[k] - ua[k] + uc[k];
        for (int64_t r = 0; r < limit; r++) {
            if (r == a || r == b || r == c)
                continue;
            const float *u = theta_eval_index_unit(f.ix, r);
            double s = 0;
            for (int k = 0; k < dim; k++)
                s += u[k] * v[k];
            if (s > best) {
                best = s;
                arg = r;
            }
        }
        ck_assert_int_eq(r1.predicted[i], arg);
        correct += arg == d;
    }
    ck_assert_int_eq(r1.overall.seen, seen);
    ck_assert_int_eq(r1.overall.correct, correct);
    ck_assert_int_eq(r1.overall.total, nq);
    ck_assert_int_gt(seen, 100);
    theta_eval_analogy_result_free(&r1);
    theta_eval_analogy_result_free(&r3);
    free(q.words);
    fx_free(&f);
    for (int64_t r = 0; r < rows; r++)
        free(words[r]);
    free(words);
    free(m);
}
END_TEST

/* gensim's rules: case-folded look-up to the first variant, case variants of
 * a, b, c passed over as answers, OOV questions skipped, restrict_vocab. */
static const char *cap_words[] = {"</s>", "Paris", "paris", "France", "france", "Berlin",
                                  "germany", "berlin", "GERMANY", "wrong"};
static const float cap_m[] = {
    0.3f, 0.3f, 0.3f, -1, /* </s> */
    1, 0, 0, 0,           /* Paris */
    -1, 1, 1, 0,          /* paris: exactly France - Paris + Berlin, but a variant of a */
    0, 1, 0, 0,           /* France */
    -1, 1, 1, 0.2f,       /* france: variant of b */
    0, 0, 1, 0,           /* Berlin */
    -1, 1, 1, 0.5f,       /* germany: the right answer, 3rd best */
    0, 0, 1, 0,           /* berlin */
    0, 0, 0, 1,           /* GERMANY: a later variant; look-ups use row 6 */
    -1, 1, 1, 0.8f,       /* wrong */
};

static char *write_questions(const char *dir)
{
    char *p = tu_path(dir, "q.txt");
    tu_write_file(p,
                  "\xef\xbb\xbf: capitals  \r\n"
                  "paris france berlin germany\r\n"
                  "PARIS FRANCE BERLIN Germany\n"
                  "this is malformed\n"
                  "\n"
                  ": : second section\n"
                  "paris france berlin wrong\n"
                  "paris france tokyo germany\n",
                  (size_t)-1);
    return p;
}

START_TEST(questions_file_parsing)
{
    char *p = write_questions(tu_dir);
    theta_eval_questions *q = NULL;
    ck_assert_int_eq(theta_eval_questions_load(p, &q), THETA_OK);
    ck_assert_int_eq(q->n, 4);
    ck_assert_int_eq(q->nsections, 2);
    ck_assert_str_eq(q->sections[0].name, "capitals");
    ck_assert_str_eq(q->sections[1].name, "second section");
    ck_assert_int_eq(q->sections[0].first, 0);
    ck_assert_int_eq(q->sections[0].count, 2);
    ck_assert_int_eq(q->sections[1].first, 2);
    ck_assert_int_eq(q->sections[1].count, 2);
    ck_assert_int_eq(q->skipped_lines, 1);
    ck_assert_str_eq(q->words[7], "Germany"); /* CR dropped */
    ck_assert_str_eq(q->words[14], "tokyo");
    theta_eval_questions_free(q);
    tu_write_file(p, "a b c d\n: s\n", (size_t)-1);
    q = NULL;
    ck_assert_int_eq(theta_eval_questions_load(p, &q), THETA_EFORMAT);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), ":1:"));
    ck_assert_ptr_null(q);
    ck_assert_int_eq(theta_eval_questions_load("/nonexistent/q", &q), THETA_EIO);
    free(p);
}
END_TEST

START_TEST(analogies_follow_gensim_rules)
{
    char *p = write_questions(tu_dir);
    theta_eval_questions *q;
    ck_assert_int_eq(theta_eval_questions_load(p, &q), THETA_OK);
    fixture f;
    fx_build(&f, 10, 4, cap_words, cap_m);
    theta_eval_analogy_result r;
    ck_assert_int_eq(theta_eval_analogies(f.ix, q, 0, THETA_ANALOGY_ADD, 2, &r), THETA_OK);
    /* questions 0, 1: paris and france (variants of a, b) score higher but are
     * passed over; germany (row 6) answers, correct in both spellings */
    ck_assert_int_eq(r.predicted[0], 6);
    ck_assert_int_eq(r.predicted[1], 6);
    ck_assert_int_eq(r.predicted[2], 6); /* expected "wrong": incorrect */
    ck_assert_int_eq(r.predicted[3], -1); /* tokyo: skipped */
    ck_assert_int_eq(r.nsections, 2);
    ck_assert_int_eq(r.sections[0].correct, 2);
    ck_assert_int_eq(r.sections[0].seen, 2);
    ck_assert_int_eq(r.sections[0].total, 2);
    ck_assert_int_eq(r.sections[1].correct, 0);
    ck_assert_int_eq(r.sections[1].seen, 1);
    ck_assert_int_eq(r.sections[1].total, 2);
    ck_assert_int_eq(r.overall.correct, 2);
    ck_assert_int_eq(r.overall.seen, 3);
    ck_assert_int_eq(r.overall.total, 4);
    theta_eval_analogy_result_free(&r);
    /* restrict 6: germany (row 6) is outside, every question is skipped */
    ck_assert_int_eq(theta_eval_analogies(f.ix, q, 6, THETA_ANALOGY_ADD, 1, &r), THETA_OK);
    ck_assert_int_eq(r.overall.seen, 0);
    ck_assert_int_eq(r.overall.total, 4);
    theta_eval_analogy_result_free(&r);
    /* restrict 7: "wrong" (row 9) is outside, question 2 skipped too */
    ck_assert_int_eq(theta_eval_analogies(f.ix, q, 7, THETA_ANALOGY_ADD, 1, &r), THETA_OK);
    ck_assert_int_eq(r.overall.seen, 2);
    ck_assert_int_eq(r.overall.correct, 2);
    theta_eval_analogy_result_free(&r);
    fx_free(&f);
    theta_eval_questions_free(q);
    free(p);
}
END_TEST

/* ---- correlations and pairs ----------------------------------------------- */

START_TEST(correlations_by_hand)
{
    /* ranks of x with ties: 1 2.5 2.5 4; scipy.stats.spearmanr: 0.9486832980505139 */
    const double x[] = {1, 2, 2, 3}, y[] = {1, 3, 2, 4};
    ck_assert_double_eq_tol(theta_eval_spearman(x, y, 4), 4.5 / sqrt(22.5), 1e-12);
    const double a[] = {1, 2, 3, 4}, b[] = {2, 4, 5, 9};
    ck_assert_double_eq_tol(theta_eval_pearson(a, b, 4), 11 / sqrt(130), 1e-12);
    ck_assert_double_eq_tol(theta_eval_spearman(a, b, 4), 1, 1e-12);
    const double rev[] = {9, 5, 4, 2};
    ck_assert_double_eq_tol(theta_eval_spearman(a, rev, 4), -1, 1e-12);
    const double c[] = {3, 3, 3, 3};
    ck_assert(isnan(theta_eval_spearman(a, c, 4)));
    ck_assert(isnan(theta_eval_pearson(a, c, 4)));
    ck_assert(isnan(theta_eval_pearson(a, b, 1)));
}
END_TEST

START_TEST(pairs_file_and_score)
{
    char *p = tu_path(tu_dir, "pairs.tsv");
    /* tab-separated with comments, CRLF, a malformed line, an OOV pair */
    tu_write_file(p,
                  "# a comment\n"
                  "# Word 1\tWord 2\tHuman (mean)\n"
                  "A\tb\t10\r\n"
                  "b\tc\t8\n"
                  "d\te\t8\n"
                  "a\tc\t6\n"
                  "c\te\t7\n"
                  "a\td\t3\n"
                  "b\te\t3\n"
                  "a\te\t1\n"
                  "a\tzzz\t5\n"
                  "a\tb\tnot-a-number\n"
                  "\n",
                  (size_t)-1);
    theta_eval_pairs *pr;
    ck_assert_int_eq(theta_eval_pairs_load(p, &pr), THETA_OK);
    ck_assert_int_eq(pr->n, 9);
    ck_assert_int_eq(pr->skipped_lines, 1);
    ck_assert_str_eq(pr->words[0], "A");
    ck_assert_double_eq(pr->gold[0], 10);
    static const char *w[] = {"a", "b", "c", "d", "e"};
    const double deg[] = {0, 25, 65, 90, 140}, len[] = {1, 2, 3, 0.5, 1};
    fixture f;
    fx_angles(&f, 5, w, deg, len);
    theta_eval_pairs_result r;
    ck_assert_int_eq(theta_eval_pairs_score(f.ix, pr, 0, &r), THETA_OK);
    ck_assert_int_eq(r.used, 8);
    ck_assert_int_eq(r.oov, 1);
    ck_assert_double_eq_tol(r.oov_ratio, 1.0 / 9, 1e-12);
    /* ranks by hand (gold ties averaged): 40 / sqrt(42 * 41); scipy agrees */
    ck_assert_double_eq_tol(r.spearman, 40 / sqrt(42.0 * 41), 1e-12);
    ck_assert_double_eq_tol(r.pearson, 0.9578427848040169, 1e-6); /* scipy.stats.pearsonr */
    /* restrict 4: e is out, so are the 4 pairs with e and the zzz pair */
    ck_assert_int_eq(theta_eval_pairs_score(f.ix, pr, 4, &r), THETA_OK);
    ck_assert_int_eq(r.used, 4);
    ck_assert_int_eq(r.oov, 5);
    theta_eval_pairs_free(pr);
    fx_free(&f);

    /* space-separated works too; nothing valid is an error */
    tu_write_file(p, "a b 1.5\n  c   d  2e0  \n", (size_t)-1);
    ck_assert_int_eq(theta_eval_pairs_load(p, &pr), THETA_OK);
    ck_assert_int_eq(pr->n, 2);
    ck_assert_str_eq(pr->words[3], "d");
    ck_assert_double_eq(pr->gold[1], 2);
    theta_eval_pairs_free(pr);
    tu_write_file(p, "# only\na b\na b c d\n", (size_t)-1);
    pr = NULL;
    ck_assert_int_eq(theta_eval_pairs_load(p, &pr), THETA_EFORMAT);
    ck_assert_ptr_null(pr);
    free(p);
}
END_TEST

Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *core = tcase_create("core");
    tcase_add_test(core, fold_like_python_upper);
    tcase_add_test(core, index_normalizes_and_finds);
    tcase_add_test(core, index_rejects_non_finite);
    tcase_add_test(core, nearest_by_angle);
    tcase_add_test(core, query_sum_is_normalized_sum_of_units);
    tcase_add_test(core, planted_analogy_add_and_mul);
    tcase_add_test(core, batch_matches_naive_reference);
    tcase_add_test(core, correlations_by_hand);
    suite_add_tcase(s, core);
    TCase *io = tcase_create("io");
    tcase_add_checked_fixture(io, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(io, questions_file_parsing);
    tcase_add_test(io, analogies_follow_gensim_rules);
    tcase_add_test(io, pairs_file_and_score);
    suite_add_tcase(s, io);
    return s;
}
