/* check_pretrained.c — pretrained.c: reading start vectors (word2vec text,
 * GloVe, a theta model's matrices), filling a model's rows by word (exact
 * values, the fallback left alone, first duplicate wins, from_row, refusals),
 * and theta_model_extend (vocabulary order and counts, copied rows, new rows
 * from the init, the new run's state, refusals). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

#define DIM 3

/* A finalized vocabulary of words[n] with counts[n] (</s> added by finalize). */
static theta_vocab *vocab_of(const char *const *words, const int64_t *counts, int n)
{
    theta_vocab *v = theta_vocab_new();
    ck_assert_ptr_nonnull(v);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(theta_vocab_add(v, words[i], strlen(words[i]), counts[i]), THETA_OK);
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    return v;
}

/* </s> a b c d (counts 40 30 20 10), input const:0.5, output const:-0.25. */
static theta_model *base_model(theta_loss loss, int dim)
{
    static const char *const w[] = {"a", "b", "c", "d"};
    static const int64_t n[] = {40, 30, 20, 10};
    theta_config cfg = theta_config_default();
    cfg.dim = dim;
    cfg.threads = 1;
    cfg.loss = loss;
    cfg.init_in = (theta_init){.kind = THETA_INIT_CONST, .value = 0.5};
    cfg.init_out = (theta_init){.kind = THETA_INIT_CONST, .value = -0.25};
    theta_model *m;
    ck_assert_int_eq(theta_model_new(&cfg, vocab_of(w, n, 4), &m), THETA_OK);
    ck_assert_str_eq(m->vocab->entries[1].word, "a");
    ck_assert_str_eq(m->vocab->entries[4].word, "d");
    return m;
}

static const float *row(const theta_model *m, int which, int32_t r)
{
    return (which ? m->out : m->in) + (size_t)r * (size_t)m->cfg.dim;
}

static void assert_row(const float *got, const float *want, int dim, const char *what)
{
    for (int j = 0; j < dim; j++)
        ck_assert_msg(got[j] == want[j], "%s[%d] = %.9g, want %.9g", what, j, got[j], want[j]);
}

static void assert_const_row(const float *got, float want, int dim, const char *what)
{
    for (int j = 0; j < dim; j++)
        ck_assert_msg(got[j] == want, "%s[%d] = %.9g, want %.9g", what, j, got[j], want);
}

/* A vector file for DIM = 3: b, zz (not in the model), a, b again. */
static const char *const vec_text = "4 3\n"
                                    "b 1 2 3\n"
                                    "zz 9 9 9\n"
                                    "a -1.5 0.25 8\n"
                                    "b 7 7 7\n";

static theta_vectors *load_text(const char *name, const char *text)
{
    char *p = tu_path(tu_dir, name);
    tu_write_file(p, text, (size_t)-1);
    theta_vectors *v = NULL;
    theta_status st = theta_pretrained_load(p, 0, &v);
    ck_assert_msg(st == THETA_OK, "%s: %s", name, theta_last_error());
    free(p);
    return v;
}

START_TEST(fill_matches_by_word)
{
    theta_model *m = base_model(THETA_LOSS_NS, DIM);
    theta_vectors *v = load_text("v.txt", vec_text);
    ck_assert_str_eq(v->format, "word2vec-text");
    int64_t matched = -1;
    ck_assert_int_eq(theta_model_fill_rows(m, 0, v, 0, &matched), THETA_OK);
    ck_assert_int_eq(matched, 2);
    const float a[] = {-1.5f, 0.25f, 8}, b[] = {1, 2, 3}; /* b: the first of its two rows */
    assert_row(row(m, 0, 1), a, DIM, "a");
    assert_row(row(m, 0, 2), b, DIM, "b");
    assert_const_row(row(m, 0, 0), 0.5f, DIM, "</s>");
    assert_const_row(row(m, 0, 3), 0.5f, DIM, "c");
    assert_const_row(row(m, 0, 4), 0.5f, DIM, "d");
    for (int32_t r = 0; r < 5; r++) /* the other matrix is not touched */
        assert_const_row(row(m, 1, r), -0.25f, DIM, "out");
    ck_assert_int_eq(theta_model_fill_rows(m, 1, v, 0, &matched), THETA_OK);
    ck_assert_int_eq(matched, 2);
    assert_row(row(m, 1, 1), a, DIM, "out a");
    assert_const_row(row(m, 1, 3), -0.25f, DIM, "out c");
    theta_vectors_free(v);
    theta_model_free(m);
}
END_TEST

START_TEST(fill_from_row)
{
    theta_model *m = base_model(THETA_LOSS_NS, DIM);
    theta_vectors *v = load_text("v.txt", vec_text);
    int64_t matched = -1;
    ck_assert_int_eq(theta_model_fill_rows(m, 0, v, 2, &matched), THETA_OK);
    ck_assert_int_eq(matched, 1); /* b (row 2); a (row 1) is below from_row */
    const float b[] = {1, 2, 3};
    assert_row(row(m, 0, 2), b, DIM, "b");
    assert_const_row(row(m, 0, 1), 0.5f, DIM, "a");
    theta_vectors_free(v);
    theta_model_free(m);
}
END_TEST

START_TEST(fill_glove_and_no_match)
{
    theta_model *m = base_model(THETA_LOSS_NS, DIM);
    theta_vectors *v = load_text("g.txt", "d 0.5 0.75 1\nnope 1 1 1\n");
    ck_assert_str_eq(v->format, "glove");
    int64_t matched = -1;
    ck_assert_int_eq(theta_model_fill_rows(m, 0, v, 0, &matched), THETA_OK);
    ck_assert_int_eq(matched, 1);
    const float d[] = {0.5f, 0.75f, 1};
    assert_row(row(m, 0, 4), d, DIM, "d");
    theta_vectors_free(v);
    v = load_text("n.txt", "1 3\nnope 1 1 1\n");
    ck_assert_int_eq(theta_model_fill_rows(m, 0, v, 0, &matched), THETA_OK);
    ck_assert_int_eq(matched, 0);
    theta_vectors_free(v);
    theta_model_free(m);
}
END_TEST

START_TEST(fill_refuses)
{
    theta_model *m = base_model(THETA_LOSS_NS, 4);
    theta_vectors *v = load_text("v.txt", vec_text);
    int64_t matched = 77;
    ck_assert_int_eq(theta_model_fill_rows(m, 0, v, 0, &matched), THETA_EINVAL);
    ck_assert_str_eq(theta_last_error(), "the vectors have 3 dimensions, the model 4");
    ck_assert_int_eq(matched, 77);
    theta_model_free(m);
    theta_vectors_free(v);
    /* a NaN in a vector to take: nothing written */
    m = base_model(THETA_LOSS_NS, DIM);
    v = load_text("nan.txt", "2 3\na 1 2 3\nc 1 nan 3\n");
    ck_assert_int_eq(theta_model_fill_rows(m, 0, v, 0, &matched), THETA_EDATA);
    ck_assert_msg(strstr(theta_last_error(), "'c'") != NULL, "%s", theta_last_error());
    assert_const_row(row(m, 0, 1), 0.5f, DIM, "a");
    ck_assert_int_eq(matched, 77);
    /* ... unless the row is not taken */
    ck_assert_int_eq(theta_model_fill_rows(m, 0, v, 4, &matched), THETA_OK);
    ck_assert_int_eq(matched, 0);
    theta_vectors_free(v);
    theta_model_free(m);
    /* hs: the output rows are tree nodes */
    m = base_model(THETA_LOSS_HS, DIM);
    v = load_text("v.txt", vec_text);
    ck_assert_int_eq(theta_model_fill_rows(m, 1, v, 0, &matched), THETA_EINVAL);
    ck_assert_msg(strstr(theta_last_error(), "tree nodes") != NULL, "%s", theta_last_error());
    ck_assert_int_eq(theta_model_fill_rows(m, 0, v, 0, &matched), THETA_OK);
    ck_assert_int_eq(matched, 2);
    theta_vectors_free(v);
    theta_model_free(m);
}
END_TEST

START_TEST(load_from_model)
{
    theta_model *m = base_model(THETA_LOSS_NS, DIM);
    for (size_t i = 0; i < (size_t)5 * DIM; i++) {
        m->in[i] = (float)i;
        m->out[i] = -(float)i;
    }
    char *p = tu_path(tu_dir, "m.theta");
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    for (int which = 0; which < 2; which++) {
        theta_vectors *v = NULL;
        ck_assert_int_eq(theta_pretrained_load(p, which, &v), THETA_OK);
        ck_assert_str_eq(v->format, "theta-model");
        ck_assert_int_eq(v->rows, 5);
        ck_assert_int_eq(v->dim, DIM);
        ck_assert_str_eq(v->words[0], "</s>");
        ck_assert_str_eq(v->words[3], "c");
        ck_assert(memcmp(v->data, which ? m->out : m->in, 5 * DIM * sizeof(float)) == 0);
        theta_vectors_free(v);
    }
    theta_model_free(m);
    m = base_model(THETA_LOSS_HS, DIM);
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    theta_vectors *v = NULL;
    ck_assert_int_eq(theta_pretrained_load(p, 1, &v), THETA_EINVAL);
    ck_assert_msg(strstr(theta_last_error(), "tree nodes") != NULL, "%s", theta_last_error());
    ck_assert_ptr_null(v);
    ck_assert_int_eq(theta_pretrained_load(p, 0, &v), THETA_OK);
    theta_vectors_free(v);
    theta_model_free(m);
    free(p);
    /* a missing file */
    p = tu_path(tu_dir, "missing.txt");
    v = NULL;
    ck_assert_int_eq(theta_pretrained_load(p, 0, &v), THETA_EIO);
    ck_assert_ptr_null(v);
    free(p);
}
END_TEST

/* ---- theta_model_extend ------------------------------------------------- */

/* The new text's vocabulary: b 5, e 7, f 2, a 1, g 7 and </s> 9. */
static theta_vocab *added_vocab(void)
{
    static const char *const w[] = {"b", "e", "f", "a", "g", "</s>"};
    static const int64_t n[] = {5, 7, 2, 1, 7, 9};
    return vocab_of(w, n, 6);
}

static theta_config extend_config(int dim)
{
    theta_config cfg = theta_config_default();
    cfg.dim = dim;
    cfg.threads = 1;
    cfg.min_count = 3;
    cfg.init_in = (theta_init){.kind = THETA_INIT_CONST, .value = 0.125};
    cfg.init_out = (theta_init){.kind = THETA_INIT_ZERO, .value = 0};
    return cfg;
}

START_TEST(extend_vocabulary_and_rows)
{
    theta_model *old = base_model(THETA_LOSS_NS, DIM);
    for (size_t i = 0; i < (size_t)5 * DIM; i++) {
        old->in[i] = 1.0f + (float)i;
        old->out[i] = -2.0f - (float)i;
    }
    old->state.epoch = 5;
    old->state.words_done = 12345;
    theta_vocab *added = added_vocab();
    theta_config cfg = extend_config(DIM);
    theta_model *m = NULL;
    ck_assert_msg(theta_model_extend(old, added, &cfg, &m) == THETA_OK, "%s", theta_last_error());
    /* old words first, ids kept, counts summed; then e and g (7 each, by bytes); f (2) dropped */
    static const char *const want[] = {"</s>", "a", "b", "c", "d", "e", "g"};
    static const int64_t counts[] = {0 + 9, 40 + 1, 30 + 5, 20, 10, 7, 7};
    ck_assert_int_eq(m->vocab->size, 7);
    for (int i = 0; i < 7; i++) {
        ck_assert_str_eq(m->vocab->entries[i].word, want[i]);
        ck_assert_int_eq(m->vocab->entries[i].count, counts[i]);
        ck_assert_int_eq(theta_vocab_find(m->vocab, want[i], strlen(want[i])), i);
    }
    ck_assert_int_eq(m->vocab->total, 9 + 41 + 35 + 20 + 10 + 7 + 7);
    ck_assert_int_eq(m->vocab->dropped_words, 1);
    ck_assert_int_eq(m->out_rows, 7);
    /* old rows copied in both matrices; new rows from the init */
    ck_assert(memcmp(m->in, old->in, 5 * DIM * sizeof(float)) == 0);
    ck_assert(memcmp(m->out, old->out, 5 * DIM * sizeof(float)) == 0);
    for (int32_t r = 5; r < 7; r++) {
        assert_const_row(row(m, 0, r), 0.125f, DIM, "new in");
        assert_const_row(row(m, 1, r), 0.0f, DIM, "new out");
    }
    /* a new run over the new text: its tokens of the kept words (f's 2 left out) */
    ck_assert_int_eq(m->state.epoch, 0);
    ck_assert_int_eq(m->state.words_done, 0);
    ck_assert_int_eq(m->state.train_words, 9 + 5 + 7 + 1 + 7);
    ck_assert_int_eq(m->cfg.min_count, 3);
    ck_assert_int_eq(m->sampler.n, 7);
    /* old is unchanged */
    ck_assert_int_eq(old->vocab->size, 5);
    ck_assert_int_eq(old->vocab->entries[1].count, 40);
    theta_model_free(m);
    /* max_vocab caps the rows; old words always stay */
    cfg.max_vocab = 6;
    ck_assert_int_eq(theta_model_extend(old, added, &cfg, &m), THETA_OK);
    ck_assert_int_eq(m->vocab->size, 6);
    ck_assert_str_eq(m->vocab->entries[5].word, "e");
    ck_assert_int_eq(m->vocab->dropped_words, 2);
    theta_model_free(m);
    cfg.max_vocab = 2;
    ck_assert_int_eq(theta_model_extend(old, added, &cfg, &m), THETA_OK);
    ck_assert_int_eq(m->vocab->size, 5);
    theta_model_free(m);
    theta_vocab_free(added);
    theta_model_free(old);
}
END_TEST

START_TEST(extend_refuses)
{
    theta_model *old = base_model(THETA_LOSS_NS, DIM), *m = NULL;
    theta_vocab *added = added_vocab();
    theta_config cfg = extend_config(DIM + 2);
    ck_assert_int_eq(theta_model_extend(old, added, &cfg, &m), THETA_EMISMATCH);
    ck_assert_str_eq(theta_last_error(), "the model has 3 dimensions, this run 5");
    cfg = extend_config(DIM);
    cfg.loss = THETA_LOSS_SOFTMAX;
    ck_assert_int_eq(theta_model_extend(old, added, &cfg, &m), THETA_EMISMATCH);
    ck_assert_msg(strstr(theta_last_error(), "ns") && strstr(theta_last_error(), "softmax"), "%s",
                  theta_last_error());
    cfg = extend_config(DIM);
    cfg.arch = THETA_ARCH_CBOW;
    ck_assert_int_eq(theta_model_extend(old, added, &cfg, &m), THETA_EMISMATCH);
    ck_assert_ptr_null(m);
    theta_model_free(old);
    /* hs: the tree follows the counts */
    old = base_model(THETA_LOSS_HS, DIM);
    cfg = extend_config(DIM);
    cfg.loss = THETA_LOSS_HS;
    ck_assert_int_eq(theta_model_extend(old, added, &cfg, &m), THETA_EINVAL);
    ck_assert_msg(strstr(theta_last_error(), "Huffman"), "%s", theta_last_error());
    ck_assert_ptr_null(m);
    theta_model_free(old);
    /* new text without a word of the vocabulary */
    old = base_model(THETA_LOSS_NS, DIM);
    theta_vocab_free(added);
    static const char *const w[] = {"zz"};
    static const int64_t n[] = {1};
    added = vocab_of(w, n, 1);
    cfg = extend_config(DIM);
    ck_assert_int_eq(theta_model_extend(old, added, &cfg, &m), THETA_EDATA);
    theta_vocab_free(added);
    theta_model_free(old);
}
END_TEST

Suite *pretrained_suite(void)
{
    Suite *s = suite_create("pretrained");
    TCase *fill = tcase_create("fill");
    tcase_add_checked_fixture(fill, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(fill, fill_matches_by_word);
    tcase_add_test(fill, fill_from_row);
    tcase_add_test(fill, fill_glove_and_no_match);
    tcase_add_test(fill, fill_refuses);
    tcase_add_test(fill, load_from_model);
    suite_add_tcase(s, fill);
    TCase *ext = tcase_create("extend");
    tcase_add_test(ext, extend_vocabulary_and_rows);
    tcase_add_test(ext, extend_refuses);
    suite_add_tcase(s, ext);
    return s;
}
