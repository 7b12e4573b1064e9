/*
 * check_phrases.c — the phrases library (theta_phrases_*): the scores and
 * the pass schedule, counting within sentences, and rewriting planted
 * corpora made here: a pair that always co-occurs is joined, a frequent
 * pair of independent words is not, three-word phrases need two passes,
 * gzip equals plain, threads equal one thread, a tiny table prunes and
 * stays sane, and bad input leaves no output file.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

static char *dir;

static void setup(void)
{
    dir = tu_tmpdir();
}

static void teardown(void)
{
    tu_rmdir(dir);
    free(dir);
}

/* Planted corpus: `sentences` lines of 10 filler tokens drawn from 200
 * words w0..w199, "the" and "of" (each a tenth of the tokens, drawn
 * independently); every 50th line also holds "new york times" at a random
 * place; with `rare`, every line also holds a word of its own (r<line>). */
static char *planted(const char *name, int sentences, int rare, uint64_t seed)
{
    char *p = tu_path(dir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    for (int s = 0; s < sentences; s++) {
        int at = s % 50 == 0 ? (int)(theta_rng_next(&rng) % 10) : -1;
        for (int i = 0; i < 10; i++) {
            if (i)
                fputc(' ', f);
            if (i == at)
                fputs("new york times ", f);
            uint64_t r = theta_rng_next(&rng) % 10;
            if (r == 0)
                fputs("the", f);
            else if (r == 1)
                fputs("of", f);
            else
                fprintf(f, "w%d", (int)(theta_rng_next(&rng) % 200));
        }
        if (rare)
            fprintf(f, " r%d", s);
        fputc('\n', f);
    }
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

/* Whole-token occurrences of tok in text (tokens split at spaces and newlines). */
static int count_token(const char *text, const char *tok)
{
    int n = 0;
    size_t len = strlen(tok);
    for (const char *p = text; *p;) {
        size_t k = strcspn(p, " \n");
        if (k == len && memcmp(p, tok, len) == 0)
            n++;
        p += k;
        if (*p)
            p++;
    }
    return n;
}

static int count_char(const char *text, char c)
{
    int n = 0;
    for (; *text; text++)
        n += *text == c;
    return n;
}

/* Runs the phrases on in into dir/out; returns the status, *text the output. */
static theta_status run(const char *in, const theta_phrases_config *cfg, const char *out,
                        const char *save, theta_phrases_stats *stats, char **text)
{
    char *o = tu_path(dir, out);
    char *s = save ? tu_path(dir, save) : NULL;
    theta_phrases_hooks hooks = {o, NULL, s, NULL, NULL};
    theta_status st = theta_phrases_run(in, cfg, &hooks, stats);
    if (text)
        *text = tu_read_file(o, NULL);
    free(o);
    free(s);
    return st;
}

static int dir_entries(void)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* ---- scores and schedule -------------------------------------------------- */

START_TEST(w2v_score_is_word2phrase_formula)
{
    /* (n(ab) - min) / (n(a) n(b)) * N */
    ck_assert_double_eq_tol(theta_phrases_score(THETA_PHRASES_W2V, 10, 20, 8, 5, 1000),
                            3.0 / 200.0 * 1000.0, 1e-12);
    ck_assert_double_eq(theta_phrases_score(THETA_PHRASES_W2V, 10, 20, 5, 5, 1000), 0.0);
    /* below min_count: pair, either word */
    ck_assert(isinf(theta_phrases_score(THETA_PHRASES_W2V, 10, 20, 4, 5, 1000)));
    ck_assert(theta_phrases_score(THETA_PHRASES_W2V, 4, 20, 8, 5, 1000) < 0);
    ck_assert(theta_phrases_score(THETA_PHRASES_W2V, 10, 4, 8, 5, 1000) < 0);
    ck_assert(isinf(theta_phrases_score(THETA_PHRASES_W2V, 10, 20, 0, 1, 1000)));
}
END_TEST

START_TEST(npmi_score_is_normalised_pmi)
{
    double n = 1000, pa = 10 / n, pb = 20 / n, pab = 8 / n;
    double want = log(pab / (pa * pb)) / -log(pab);
    ck_assert_double_eq_tol(theta_phrases_score(THETA_PHRASES_NPMI, 10, 20, 8, 5, 1000), want,
                            1e-12);
    /* two words that only occur together: 1; independent words: 0 */
    ck_assert_double_eq_tol(theta_phrases_score(THETA_PHRASES_NPMI, 50, 50, 50, 5, 1000), 1.0,
                            1e-12);
    ck_assert_double_eq_tol(theta_phrases_score(THETA_PHRASES_NPMI, 100, 100, 10, 5, 1000), 0.0,
                            1e-12);
    ck_assert(isinf(theta_phrases_score(THETA_PHRASES_NPMI, 100, 100, 4, 5, 1000)));
}
END_TEST

START_TEST(pass_schedule_decreases_to_the_threshold)
{
    theta_phrases_config c = theta_phrases_config_default();
    ck_assert_double_eq(c.threshold, 100);
    ck_assert_int_eq(c.min_count, 5);
    c.passes = 3;
    ck_assert_double_eq(theta_phrases_pass_threshold(&c, 0), 400);
    ck_assert_double_eq(theta_phrases_pass_threshold(&c, 1), 200);
    ck_assert_double_eq(theta_phrases_pass_threshold(&c, 2), 100);
    c.scoring = THETA_PHRASES_NPMI;
    c.threshold = 0.5;
    ck_assert_double_eq(theta_phrases_pass_threshold(&c, 0), 0.875);
    ck_assert_double_eq(theta_phrases_pass_threshold(&c, 1), 0.75);
    ck_assert_double_eq(theta_phrases_pass_threshold(&c, 2), 0.5);
}
END_TEST

START_TEST(config_validation_names_the_option)
{
    theta_phrases_config c = theta_phrases_config_default();
    ck_assert_int_eq(theta_phrases_config_validate(&c), THETA_OK);
    c.scoring = THETA_PHRASES_NPMI;
    c.threshold = 2;
    ck_assert_int_eq(theta_phrases_config_validate(&c), THETA_EINVAL);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "--threshold"));
    c = theta_phrases_config_default();
    c.delimiter = "a b";
    ck_assert_int_eq(theta_phrases_config_validate(&c), THETA_EINVAL);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "--delimiter"));
    c.delimiter = "";
    ck_assert_int_eq(theta_phrases_config_validate(&c), THETA_EINVAL);
    c = theta_phrases_config_default();
    c.passes = THETA_PHRASES_MAX_PASSES + 1;
    ck_assert_int_eq(theta_phrases_config_validate(&c), THETA_EINVAL);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "--passes"));
    c = theta_phrases_config_default();
    c.min_count = 0;
    ck_assert_int_eq(theta_phrases_config_validate(&c), THETA_EINVAL);
    c = theta_phrases_config_default();
    c.max_entries = 3;
    ck_assert_int_eq(theta_phrases_config_validate(&c), THETA_EINVAL);
}
END_TEST

/* ---- counting ------------------------------------------------------------------ */

START_TEST(pairs_stay_inside_sentences)
{
    char *p = tu_path(dir, "c.txt");
    tu_write_file(p, "a b c\nc a\n\n b\ta  a", (size_t)-1);
    theta_phrases_config c = theta_phrases_config_default();
    theta_phrases_table *t;
    ck_assert_int_eq(theta_phrases_count(p, &c, &t), THETA_OK);
    ck_assert_int_eq(theta_phrases_word_count(t, "a"), 4);
    ck_assert_int_eq(theta_phrases_word_count(t, "b"), 2);
    ck_assert_int_eq(theta_phrases_word_count(t, "c"), 2);
    ck_assert_int_eq(theta_phrases_word_count(t, THETA_EOS), 0);
    ck_assert_int_eq(theta_phrases_pair_count(t, "a", "b"), 1);
    ck_assert_int_eq(theta_phrases_pair_count(t, "b", "c"), 1);
    ck_assert_int_eq(theta_phrases_pair_count(t, "c", "a"), 1);
    ck_assert_int_eq(theta_phrases_pair_count(t, "c", "c"), 0); /* across a newline */
    ck_assert_int_eq(theta_phrases_pair_count(t, "a", "a"), 1);
    ck_assert_int_eq(theta_phrases_pair_count(t, "b", "a"), 1);
    theta_phrases_table_info i = theta_phrases_table_stats(t);
    ck_assert_int_eq(i.words, 8);
    ck_assert_int_eq(i.entries, 3 + 5);
    ck_assert_int_eq(i.pruned, 0);
    theta_phrases_table_free(t);
    free(p);
}
END_TEST

START_TEST(threads_count_the_same)
{
    char *p = planted("big.txt", 60000, 1, 5); /* > 2 MB: split in byte ranges */
    theta_phrases_config c = theta_phrases_config_default();
    c.threads = 1;
    theta_phrases_table *one, *four;
    ck_assert_int_eq(theta_phrases_count(p, &c, &one), THETA_OK);
    c.threads = 4;
    ck_assert_int_eq(theta_phrases_count(p, &c, &four), THETA_OK);
    theta_phrases_table_info a = theta_phrases_table_stats(one), b = theta_phrases_table_stats(four);
    ck_assert_int_eq(a.words, b.words);
    ck_assert_int_eq(a.bytes, b.bytes);
    ck_assert_int_eq(a.entries, b.entries);
    ck_assert_int_eq(a.words, 60000 * 11 + 1200 * 3);
    static const char *w[] = {"the", "of", "w7", "new", "r59999", "r0"};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(theta_phrases_word_count(one, w[i]), theta_phrases_word_count(four, w[i]));
    ck_assert_int_eq(theta_phrases_pair_count(four, "new", "york"), 1200);
    ck_assert_int_eq(theta_phrases_pair_count(one, "the", "of"),
                     theta_phrases_pair_count(four, "the", "of"));
    theta_phrases_table_free(one);
    theta_phrases_table_free(four);
    free(p);
}
END_TEST

/* ---- rewriting planted corpora ---------------------------------------------------- */

START_TEST(cooccurring_pair_joins_independent_pair_does_not)
{
    char *p = planted("c.txt", 10000, 0, 1);
    theta_phrases_config c = theta_phrases_config_default();
    theta_phrases_stats s;
    char *text;
    ck_assert_int_eq(run(p, &c, "out.txt", NULL, &s, &text), THETA_OK);
    ck_assert_ptr_nonnull(text);
    /* 200 planted phrases: new york joins (greedy: times stays alone) */
    ck_assert_int_eq(count_token(text, "new_york"), 200);
    ck_assert_int_eq(count_token(text, "new"), 0);
    ck_assert_int_eq(count_token(text, "york"), 0);
    ck_assert_int_eq(count_token(text, "times"), 200);
    /* "the of" occurs about 1000 times, but as often as chance says */
    ck_assert_int_eq(count_token(text, "the_of"), 0);
    ck_assert_int_eq(count_token(text, "of_the"), 0);
    ck_assert_int_eq(count_char(text, '_'), 200);
    ck_assert_int_eq(count_char(text, '\n'), 10000);
    ck_assert_int_eq(s.passes, 1);
    ck_assert_int_eq(s.pass[0].words, 10000 * 10 + 200 * 3);
    ck_assert_int_eq(s.pass[0].joins, 200);
    ck_assert_int_eq(s.tokens_out, 10000 * 10 + 200 * 2);
    ck_assert_int_eq(s.pass[0].pruned, 0);
    free(text);
    free(p);
}
END_TEST

START_TEST(three_word_phrases_need_two_passes)
{
    char *p = planted("c.txt", 10000, 0, 2);
    theta_phrases_config c = theta_phrases_config_default();
    c.passes = 2;
    theta_phrases_stats s;
    char *text;
    ck_assert_int_eq(run(p, &c, "out.txt", "phrases.txt", &s, &text), THETA_OK);
    ck_assert_int_eq(count_token(text, "new_york_times"), 200);
    ck_assert_int_eq(count_char(text, '_'), 400);
    ck_assert_int_eq(s.passes, 2);
    ck_assert_double_eq(s.pass[0].threshold, 200);
    ck_assert_double_eq(s.pass[1].threshold, 100);
    ck_assert_int_eq(s.pass[0].joins, 200);
    ck_assert_int_eq(s.pass[1].joins, 200);
    ck_assert_int_eq(s.pass[1].words, 10000 * 10 + 200 * 2);
    /* the phrase list: both passes' phrases, with their counts and scores */
    char *ph = tu_path(dir, "phrases.txt");
    char *list = tu_read_file(ph, NULL);
    ck_assert_ptr_nonnull(list);
    char name[64];
    double score;
    long long count;
    int found = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        ck_assert_int_eq(sscanf(line, "%63s %lf %lld", name, &score, &count), 3);
        if (strcmp(name, "new_york_times") == 0) {
            found |= 2;
            ck_assert_int_eq(count, 200);
            double want = theta_phrases_score(THETA_PHRASES_W2V, 200, 200, 200, 5,
                                              s.pass[1].words);
            ck_assert_double_eq_tol(score, want, want * 1e-5);
            ck_assert_int_eq(found & 1, 1); /* pass 1's lines come first */
        } else if (strcmp(name, "new_york") == 0 || strcmp(name, "york_times") == 0) {
            found |= 1;
            ck_assert_int_eq(count, 200);
            ck_assert(score > 200);
        } else {
            ck_abort_msg("unexpected phrase line '%s'", line);
        }
    }
    ck_assert_int_eq(found, 3);
    /* one pass is not enough */
    free(text);
    c.passes = 1;
    c.threshold = 100;
    ck_assert_int_eq(run(p, &c, "one.txt", NULL, &s, &text), THETA_OK);
    ck_assert_int_eq(count_token(text, "new_york_times"), 0);
    ck_assert_int_eq(count_token(text, "new_york"), 200);
    free(text);
    free(list);
    free(ph);
    free(p);
}
END_TEST

START_TEST(npmi_joins_the_planted_pair_only)
{
    char *p = planted("c.txt", 10000, 0, 3);
    theta_phrases_config c = theta_phrases_config_default();
    c.scoring = THETA_PHRASES_NPMI;
    c.threshold = 0.5;
    c.delimiter = "+";
    theta_phrases_stats s;
    char *text;
    ck_assert_int_eq(run(p, &c, "out.txt", NULL, &s, &text), THETA_OK);
    ck_assert_int_eq(count_token(text, "new+york"), 200);
    ck_assert_int_eq(count_char(text, '+'), 200);
    ck_assert_int_eq(count_char(text, '_'), 0);
    free(text);
    free(p);
}
END_TEST

START_TEST(greedy_left_to_right_and_lines_kept)
{
    /* x y z always together: x_y joins first, so y z cannot; an empty line
     * stays; a last line without newline gets one; tabs become spaces */
    char *p = tu_path(dir, "c.txt");
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 40; i++)
        fprintf(f, "a%d x y z b%d\n\n", i % 20, i % 20);
    fputs("x\ty  z", f);
    fclose(f);
    theta_phrases_config c = theta_phrases_config_default();
    c.threshold = 1;
    char *text;
    ck_assert_int_eq(run(p, &c, "out.txt", NULL, NULL, &text), THETA_OK);
    ck_assert_int_eq(count_token(text, "x_y"), 41);
    ck_assert_int_eq(count_token(text, "y_z"), 0);
    ck_assert_int_eq(count_token(text, "z"), 41);
    ck_assert_int_eq(count_char(text, '\n'), 81);
    ck_assert_ptr_nonnull(strstr(text, "a0 x_y z b0\n\na1 x_y z b1\n"));
    size_t n = strlen(text);
    ck_assert_str_eq(text + n - 6, "x_y z\n");
    free(text);
    free(p);
}
END_TEST

START_TEST(joined_tokens_stay_within_the_word_limit)
{
    char a[61], b[61];
    memset(a, 'a', 60);
    memset(b, 'b', 60);
    a[60] = b[60] = '\0';
    char *p = tu_path(dir, "c.txt");
    FILE *f = fopen(p, "w");
    for (int i = 0; i < 50; i++)
        fprintf(f, "%s %s\nshort pair\n", a, b);
    fclose(f);
    theta_phrases_config c = theta_phrases_config_default();
    c.threshold = 1;
    char *text;
    ck_assert_int_eq(run(p, &c, "out.txt", NULL, NULL, &text), THETA_OK);
    ck_assert_int_eq(count_token(text, "short_pair"), 50);
    ck_assert_int_eq(count_token(text, a), 50); /* 121 bytes would be cut by the reader */
    free(text);
    free(p);
}
END_TEST

START_TEST(gzip_and_threads_give_the_same_output)
{
    char *p = planted("big.txt", 60000, 0, 4);
    size_t len;
    char *plain = tu_read_file(p, &len);
    char *gz = tu_path(dir, "big.txt.gz");
    gzFile g = gzopen(gz, "wb");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, plain, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(g), Z_OK);
    theta_phrases_config c = theta_phrases_config_default();
    c.passes = 2;
    c.threads = 1;
    char *a, *b, *d;
    size_t alen, blen, dlen;
    ck_assert_int_eq(run(p, &c, "a.txt", NULL, NULL, NULL), THETA_OK);
    ck_assert_int_eq(run(gz, &c, "b.txt", NULL, NULL, NULL), THETA_OK);
    c.threads = 3;
    ck_assert_int_eq(run(p, &c, "d.txt", NULL, NULL, NULL), THETA_OK);
    char *pa = tu_path(dir, "a.txt"), *pb = tu_path(dir, "b.txt"), *pd = tu_path(dir, "d.txt");
    a = tu_read_file(pa, &alen);
    b = tu_read_file(pb, &blen);
    d = tu_read_file(pd, &dlen);
    ck_assert_int_eq(count_token(a, "new_york_times"), 1200);
    ck_assert_uint_eq(alen, blen);
    ck_assert_uint_eq(alen, dlen);
    ck_assert(memcmp(a, b, alen) == 0);
    ck_assert(memcmp(a, d, alen) == 0);
    free(a), free(b), free(d), free(pa), free(pb), free(pd), free(plain), free(gz), free(p);
}
END_TEST

START_TEST(tiny_table_prunes_and_stays_sane)
{
    char *p = planted("c.txt", 10000, 1, 6); /* 10000 words and 20000 pairs seen once */
    theta_phrases_config c = theta_phrases_config_default();
    c.max_entries = 6000;
    c.threads = 1;
    theta_phrases_stats s;
    char *text;
    ck_assert_int_eq(run(p, &c, "out.txt", NULL, &s, &text), THETA_OK);
    ck_assert(s.pass[0].pruned > 20000);
    ck_assert(s.pass[0].pruned_below >= 2);
    ck_assert(s.pass[0].entries <= 6000);
    ck_assert_int_eq(s.pass[0].words, 10000 * 11 + 200 * 3); /* the total is exact */
    ck_assert_int_eq(count_token(text, "new_york"), 200);
    ck_assert_int_eq(count_char(text, '_'), 200);
    ck_assert_int_eq(count_char(text, '\n'), 10000);
    /* the same table with room for everything: no pruning, same output here */
    c.max_entries = 0;
    char *exact;
    ck_assert_int_eq(run(p, &c, "exact.txt", NULL, &s, &exact), THETA_OK);
    ck_assert_int_eq(s.pass[0].pruned, 0);
    ck_assert_str_eq(text, exact);
    free(exact);
    free(text);
    free(p);
}
END_TEST

/* ---- errors ---------------------------------------------------------------------------- */

START_TEST(bad_input_leaves_no_output)
{
    theta_phrases_config c = theta_phrases_config_default();
    c.passes = 2;
    char *missing = tu_path(dir, "missing.txt");
    ck_assert_int_eq(run(missing, &c, "out.txt", "ph.txt", NULL, NULL), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "missing.txt"));
    ck_assert_int_eq(dir_entries(), 0);
    /* a gzip file cut in the middle */
    char *p = planted("c.txt", 3000, 0, 7);
    size_t len;
    char *plain = tu_read_file(p, &len);
    char *gz = tu_path(dir, "c.txt.gz");
    gzFile g = gzopen(gz, "wb");
    gzwrite(g, plain, (unsigned)len);
    gzclose(g);
    size_t glen;
    char *gbytes = tu_read_file(gz, &glen);
    tu_write_file(gz, gbytes, glen / 2);
    ck_assert_int_eq(run(gz, &c, "out.txt", "ph.txt", NULL, NULL), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "c.txt.gz"));
    ck_assert_int_eq(dir_entries(), 2); /* c.txt and c.txt.gz */
    /* an output in a directory that does not exist */
    ck_assert_int_eq(run(p, &c, "no/such/dir/out.txt", NULL, NULL, NULL), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "no/such/dir/out.txt"));
    ck_assert_int_eq(dir_entries(), 2);
    free(gbytes), free(plain), free(gz), free(p), free(missing);
}
END_TEST

Suite *phrases_suite(void)
{
    Suite *s = suite_create("phrases");
    TCase *core = tcase_create("core");
    tcase_add_test(core, w2v_score_is_word2phrase_formula);
    tcase_add_test(core, npmi_score_is_normalised_pmi);
    tcase_add_test(core, pass_schedule_decreases_to_the_threshold);
    tcase_add_test(core, config_validation_names_the_option);
    suite_add_tcase(s, core);
    TCase *io = tcase_create("io");
    tcase_set_timeout(io, 60);
    tcase_add_checked_fixture(io, setup, teardown);
    tcase_add_test(io, pairs_stay_inside_sentences);
    tcase_add_test(io, threads_count_the_same);
    tcase_add_test(io, cooccurring_pair_joins_independent_pair_does_not);
    tcase_add_test(io, three_word_phrases_need_two_passes);
    tcase_add_test(io, npmi_joins_the_planted_pair_only);
    tcase_add_test(io, greedy_left_to_right_and_lines_kept);
    tcase_add_test(io, joined_tokens_stay_within_the_word_limit);
    tcase_add_test(io, gzip_and_threads_give_the_same_output);
    tcase_add_test(io, tiny_table_prunes_and_stays_sane);
    tcase_add_test(io, bad_input_leaves_no_output);
    suite_add_tcase(s, io);
    return s;
}
