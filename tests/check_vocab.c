/* check_vocab.c — vocabulary counting, pruning, ordering, files. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

static void add(theta_vocab *v, const char *w, int64_t c)
{
    ck_assert_int_eq(theta_vocab_add(v, w, strlen(w), c), THETA_OK);
}

START_TEST(counts_and_order)
{
    theta_vocab *v = theta_vocab_new();
    add(v, "b", 3);
    add(v, "a", 3);
    add(v, "c", 7);
    add(v, "rare", 1);
    add(v, "b", 1);
    ck_assert_int_eq(theta_vocab_finalize(v, 2, 0), THETA_OK);
    ck_assert_int_eq(v->size, 4);
    ck_assert_str_eq(v->entries[0].word, "</s>");
    ck_assert_str_eq(v->entries[1].word, "c");
    ck_assert_str_eq(v->entries[2].word, "b"); /* 4 */
    ck_assert_str_eq(v->entries[3].word, "a"); /* 3 */
    ck_assert_int_eq(v->entries[2].count, 4);
    ck_assert_int_eq(theta_vocab_find(v, "a", 1), 3);
    ck_assert_int_eq(theta_vocab_find(v, "rare", 4), -1);
    ck_assert_int_eq(v->dropped_words, 1);
    ck_assert_int_eq(v->total, 14);
    theta_vocab_free(v);
}
END_TEST

START_TEST(ties_by_bytes_and_max_vocab)
{
    theta_vocab *v = theta_vocab_new();
    add(v, "zeta", 5);
    add(v, "alpha", 5);
    add(v, "beta", 5);
    add(v, "\xc3\xa9t\xc3\xa9", 5);
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 4), THETA_OK);
    ck_assert_int_eq(v->size, 4);
    ck_assert_str_eq(v->entries[1].word, "alpha");
    ck_assert_str_eq(v->entries[2].word, "beta");
    ck_assert_str_eq(v->entries[3].word, "zeta");
    ck_assert_int_eq(v->dropped_words, 1); /* the UTF-8 word sorts last by bytes */
    theta_vocab_free(v);
}
END_TEST

START_TEST(pruning_bounds_memory)
{
    theta_vocab *v = theta_vocab_new();
    v->prune_limit = 100;
    /* 10 frequent words and 1000 singletons interleaved */
    char w[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(w, sizeof w, "f%d", i % 10);
        add(v, w, 1);
        add(v, w, 1);
        snprintf(w, sizeof w, "s%d", i);
        add(v, w, 1);
        ck_assert_int_le(v->size, 101);
    }
    ck_assert_int_gt(v->pruned_words, 800);
    ck_assert_int_ge(v->pruned_below, 2);
    ck_assert_int_eq(theta_vocab_finalize(v, 5, 0), THETA_OK);
    ck_assert_int_eq(v->size, 11);
    for (int i = 1; i < 11; i++)
        ck_assert_int_eq(v->entries[i].count, 200);
    theta_vocab_free(v);
}
END_TEST

START_TEST(build_from_corpus_and_roundtrip)
{
    char *dir = tu_tmpdir();
    char *corpus = tu_path(dir, "c.txt"), *vf = tu_path(dir, "v.txt");
    tu_write_file(corpus, "the cat the dog\nthe end\n\n", (size_t)-1);
    theta_vocab *v;
    ck_assert_int_eq(theta_vocab_build(corpus, 1, 0, 0, &v), THETA_OK);
    ck_assert_int_eq(v->size, 5);
    ck_assert_str_eq(v->entries[0].word, "</s>");
    ck_assert_int_eq(v->entries[0].count, 3);
    ck_assert_str_eq(v->entries[1].word, "the");
    ck_assert_int_eq(v->entries[1].count, 3);
    ck_assert_int_eq(v->total, 9);
    ck_assert_int_eq(theta_vocab_save(v, vf), THETA_OK);
    char *text = tu_read_file(vf, NULL);
    ck_assert_str_eq(text, "</s> 3\nthe 3\ncat 1\ndog 1\nend 1\n");
    theta_vocab *w;
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &w), THETA_OK);
    ck_assert_int_eq(w->size, v->size);
    ck_assert_uint_eq(theta_vocab_crc(w), theta_vocab_crc(v));
    theta_vocab_free(w);
    theta_vocab_free(v);
    free(text);
    tu_rmdir(dir);
    free(corpus); free(vf); free(dir);
}
END_TEST

START_TEST(load_rejects_malformed)
{
    char *dir = tu_tmpdir();
    char *vf = tu_path(dir, "v.txt");
    theta_vocab *v = NULL;
    tu_write_file(vf, "a 3\nb x\n", (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), ":2:"));
    tu_write_file(vf, "a 3\na 4\n", (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    tu_write_file(vf, "", 0);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EDATA);
    ck_assert_int_eq(theta_vocab_load("/nonexistent/v", 1, 0, &v), THETA_EIO);
    ck_assert_ptr_null(v);
    tu_rmdir(dir);
    free(vf); free(dir);
}
END_TEST

Suite *vocab_suite(void)
{
    Suite *s = suite_create("vocab");
    TCase *core = tcase_create("core");
    tcase_add_test(core, counts_and_order);
    tcase_add_test(core, ties_by_bytes_and_max_vocab);
    tcase_add_test(core, pruning_bounds_memory);
    suite_add_tcase(s, core);
    TCase *io = tcase_create("io");
    tcase_add_test(io, build_from_corpus_and_roundtrip);
    tcase_add_test(io, load_rejects_malformed);
    suite_add_tcase(s, io);
    return s;
}
