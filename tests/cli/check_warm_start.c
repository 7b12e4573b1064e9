/* check_warm_start.c — `theta train`'s warm starts through the program:
 * --init-in / --init-out file:PATH[,FALLBACK] (rows matched by word with
 * the file's exact values, the fallback for the rest, the summary's count,
 * a model as the file, refusals) and --init-from MODEL (old ids and rows
 * kept, counts summed, new words appended and trained, the new run's state,
 * a differing --dim or an hs model refused, a continued run resumed), and
 * scripts/compare-inits.sh's pretrained strategy.
 *
 * The corpora: "old" holds w0..w19, "new" w10..w29 (w10..w19 shared), one
 * random sentence of 12 words per line; "new" also holds "rare" once. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

#define ck_assert_has(hay, needle) \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "'%s' not in:\n%s", (needle), (hay))

static char *old_txt, *new_txt;

static void write_corpus(const char *path, int first, int n, int lines, uint64_t seed,
                         const char *extra)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    for (int l = 0; l < lines; l++) {
        for (int i = 0; i < 12; i++)
            fprintf(f, "%sw%d", i ? " " : "", first + (int)(theta_rng_next(&rng) % (uint64_t)n));
        fputc('\n', f);
    }
    if (extra)
        fprintf(f, "%s\n", extra);
    ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
    old_txt = tu_path(tu_dir, "old.txt");
    new_txt = tu_path(tu_dir, "new.txt");
    write_corpus(old_txt, 0, 20, 400, 1, NULL);
    write_corpus(new_txt, 10, 20, 300, 2, "rare w10");
}

static void teardown(void)
{
    free(old_txt);
    free(new_txt);
}

static theta_model *load(const char *name)
{
    char *p = tu_path(tu_dir, name);
    theta_model *m = NULL;
    ck_assert_msg(theta_model_load(p, &m) == THETA_OK, "%s: %s", name, theta_last_error());
    free(p);
    return m;
}

static const float *row_of(const theta_model *m, int which, const char *word)
{
    int32_t id = theta_vocab_find(m->vocab, word, strlen(word));
    ck_assert_msg(id >= 0, "%s not in the vocabulary", word);
    return (which ? m->out : m->in) + (size_t)id * (size_t)m->cfg.dim;
}

/* Trains with args (run in tu_dir) and returns stderr; asserts exit status want. */
static char *train(int want, const char *args)
{
    char *err = NULL;
    int rc = tu_run(NULL, &err, "train --threads 1 --min-count 1 %s", args);
    ck_assert_msg(rc == want, "train %s: exit %d, want %d; stderr:\n%s", args, rc, want, err);
    return err;
}

/* ---- file: -------------------------------------------------------------- */

START_TEST(file_init_exact)
{
    char *pre = tu_path(tu_dir, "pre.txt");
    tu_write_file(pre, "3 4\nw0 1 2 3 4\nabsent 9 9 9 9\nw3 -0.5 0.25 0.125 8\n", (size_t)-1);
    char args[4096];
    /* at alpha 1e-30 an update is below the rounding of every start value:
     * the input matrix ends as it started */
    snprintf(args, sizeof args,
             "--input '%s' --dim 4 --epochs 1 --alpha 1e-30 --init-in 'file:%s,const:0.5' "
             "--init-out 'file:%s' --save-model '%s/m.theta'",
             old_txt, pre, pre, tu_dir);
    char *err = train(0, args);
    ck_assert_has(err, "init in: 2 of 21 rows from ");
    ck_assert_has(err, "(word2vec-text, 3 vectors); the other 19 const:0.5");
    ck_assert_has(err, "init out: 2 of 21 rows from ");
    ck_assert_has(err, "the other 19 zero");
    ck_assert_has(err, "init in file:");
    free(err);
    theta_model *m = load("m.theta");
    const float w0[] = {1, 2, 3, 4}, w3[] = {-0.5f, 0.25f, 0.125f, 8};
    for (int j = 0; j < 4; j++) {
        ck_assert_float_eq(row_of(m, 0, "w0")[j], w0[j]);
        ck_assert_float_eq(row_of(m, 0, "w3")[j], w3[j]);
        ck_assert_float_eq(row_of(m, 0, "w7")[j], 0.5f);
        ck_assert_float_eq(row_of(m, 0, "</s>")[j], 0.5f);
        /* the output rows move by about alpha: still the file's values to 1e-6 */
        ck_assert_double_eq_tol(row_of(m, 1, "w3")[j], w3[j], 1e-6);
        ck_assert_double_eq_tol(row_of(m, 1, "w7")[j], 0, 1e-6);
    }
    /* the fallback is what the model records as its init */
    ck_assert_int_eq(m->cfg.init_in.kind, THETA_INIT_CONST);
    ck_assert_double_eq(m->cfg.init_in.value, 0.5);
    theta_model_free(m);
    free(pre);
}
END_TEST

START_TEST(file_from_model)
{
    char args[4096];
    snprintf(args, sizeof args, "--input '%s' --dim 6 --epochs 1 --save-model '%s/a.theta'",
             old_txt, tu_dir);
    free(train(0, args));
    /* new.txt shares w10..w19 and </s> with a.theta: 11 of its 22 rows */
    snprintf(args, sizeof args,
             "--input '%s' --dim 6 --epochs 1 --alpha 1e-30 --init-in 'file:%s/a.theta' "
             "--save-model '%s/b.theta'",
             new_txt, tu_dir, tu_dir);
    char *err = train(0, args);
    ck_assert_has(err, "init in: 11 of 22 rows from ");
    ck_assert_has(err, "(theta-model, 21 vectors); the other 11 scaled:1");
    free(err);
    theta_model *a = load("a.theta"), *b = load("b.theta");
    ck_assert(memcmp(row_of(a, 0, "w15"), row_of(b, 0, "w15"), 6 * sizeof(float)) == 0);
    ck_assert(memcmp(row_of(a, 0, "</s>"), row_of(b, 0, "</s>"), 6 * sizeof(float)) == 0);
    theta_model_free(a);
    theta_model_free(b);
}
END_TEST

START_TEST(file_refusals)
{
    char *pre = tu_path(tu_dir, "pre.txt");
    tu_write_file(pre, "1 4\nw0 1 2 3 4\n", (size_t)-1);
    static const struct { int rc; const char *args, *msg; } cases[] = {
        {1, "--dim 5 --init-in file:@", "--init-in file:@: its vectors have 4 dimensions, "
                                        "this run's --dim is 5"},
        {1, "--dim 5 --init-out file:@", "its vectors have 4 dimensions, this run's --dim is 5"},
        {2, "--dim 4 --init-in file:", "--init-in file: needs a PATH"},
        {2, "--dim 4 --init-in file:@,file:@", "one file per matrix"},
        {2, "--dim 4 --loss hs --init-out file:@", "inner nodes of the Huffman tree"},
        {1, "--dim 4 --init-in file:@.missing", "--init-in: @.missing: cannot open"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[4096], msg[4096];
        size_t n = 0, k = 0;
        for (const char *p = cases[i].args; *p; p++)
            n += (size_t)(*p == '@' ? snprintf(args + n, sizeof args - n, "%s", pre)
                                    : snprintf(args + n, sizeof args - n, "%c", *p));
        for (const char *p = cases[i].msg; *p; p++)
            k += (size_t)(*p == '@' ? snprintf(msg + k, sizeof msg - k, "%s", pre)
                                    : snprintf(msg + k, sizeof msg - k, "%c", *p));
        char full[8192];
        snprintf(full, sizeof full, "--input '%s' --epochs 1 %s --output '%s/v.txt'", old_txt,
                 args, tu_dir);
        char *err = train(cases[i].rc, full);
        ck_assert_has(err, msg);
        free(err);
        char *v = tu_path(tu_dir, "v.txt");
        ck_assert_msg(access(v, F_OK) != 0, "case %zu wrote an output", i);
        free(v);
    }
    free(pre);
}
END_TEST

/* ---- --init-from -------------------------------------------------------- */

/* old.theta: 3 epochs on old.txt, dim 8, ns. */
static void train_old(const char *extra)
{
    char args[4096];
    snprintf(args, sizeof args, "--input '%s' --dim 8 --epochs 3 --save-model '%s/old.theta' %s",
             old_txt, tu_dir, extra);
    free(train(0, args));
}

static double max_change(const float *a, const float *b, int n)
{
    double d = 0;
    for (int j = 0; j < n; j++)
        d = fmax(d, fabs((double)a[j] - (double)b[j]));
    return d;
}

START_TEST(init_from_keeps_old_words)
{
    train_old("");
    char args[4096];
    snprintf(args, sizeof args,
             "--input '%s' --init-from '%s/old.theta' --epochs 1 --alpha 1e-6 --min-count 2 "
             "--save-model '%s/new.theta'",
             new_txt, tu_dir, tu_dir);
    char *err = train(0, args);
    /* 21 old rows (</s>, w0..w19) + w20..w29; "rare" (once) is below --min-count 2 */
    ck_assert_has(err, "vocabulary: 31 words: the 21 words of ");
    ck_assert_has(err, "(ids kept) + 10 new (min-count 2)");
    ck_assert_has(err, "1 rarer distinct new words dropped");
    free(err);
    theta_model *old = load("old.theta"), *m = load("new.theta");
    theta_vocab *added = NULL;
    ck_assert_int_eq(theta_vocab_build(new_txt, 1, 0, 0, &added), THETA_OK);
    ck_assert_int_eq(m->vocab->size, 31);
    ck_assert_int_eq(m->cfg.dim, 8);
    int64_t tokens = 0;
    for (int32_t i = 0; i < m->vocab->size; i++) {
        const theta_vocab_entry *e = &m->vocab->entries[i];
        int32_t j = theta_vocab_find(added, e->word, e->len);
        int64_t more = j >= 0 ? added->entries[j].count : 0;
        tokens += more;
        if (i < old->vocab->size) {
            /* old ids in their order, counts old + new */
            ck_assert_str_eq(e->word, old->vocab->entries[i].word);
            ck_assert_int_eq(e->count, old->vocab->entries[i].count + more);
            double d = max_change(row_of(m, 0, e->word), row_of(old, 0, e->word), 8);
            ck_assert_msg(d < 1e-3, "%s moved by %g at alpha 1e-6", e->word, d);
        } else {
            ck_assert_int_eq(e->count, more);
            ck_assert_int_eq(theta_vocab_find(old->vocab, e->word, e->len), -1);
        }
    }
    /* some old row moved: it was trained, not only copied */
    double moved = 0;
    for (int32_t i = 1; i < old->vocab->size; i++)
        moved = fmax(moved, max_change(m->in + (size_t)i * 8, old->in + (size_t)i * 8, 8));
    ck_assert_msg(moved > 0, "no old row moved");
    /* a new run over new.txt: one epoch of its tokens */
    ck_assert_int_eq(m->state.epoch, 1);
    ck_assert_int_eq(m->cfg.epochs, 1);
    ck_assert_int_eq(m->state.train_words, tokens);
    ck_assert_int_eq(m->state.words_done, tokens);
    ck_assert_int_lt(m->state.train_words, m->vocab->total);
    theta_vocab_free(added);
    theta_model_free(old);
    theta_model_free(m);
}
END_TEST

START_TEST(init_from_trains_new_words)
{
    train_old("");
    char args[4096];
    snprintf(args, sizeof args,
             "--input '%s' --init-from '%s/old.theta' --epochs 2 --init-in const:0.125 "
             "--save-model '%s/new.theta'",
             new_txt, tu_dir, tu_dir);
    free(train(0, args));
    theta_model *m = load("new.theta");
    static const float start[8] = {0.125f, 0.125f, 0.125f, 0.125f,
                                   0.125f, 0.125f, 0.125f, 0.125f};
    for (int w = 20; w < 30; w++) {
        char word[16];
        snprintf(word, sizeof word, "w%d", w);
        double d = max_change(row_of(m, 0, word), start, 8);
        ck_assert_msg(d > 0.01, "%s moved only %g from its start", word, d);
        d = max_change(row_of(m, 1, word), (const float[8]){0}, 8);
        ck_assert_msg(d > 0.01, "%s's output row moved only %g from zero", word, d);
    }
    theta_model_free(m);
}
END_TEST

START_TEST(init_from_file_for_new_words)
{
    train_old("");
    char *pre = tu_path(tu_dir, "pre.txt");
    /* w5 is an old word: it keeps the model's row; w25 is new: it takes the file's */
    tu_write_file(pre, "2 8\nw5 1 1 1 1 1 1 1 1\nw25 2 2 2 2 2 2 2 2\n", (size_t)-1);
    char args[4096];
    snprintf(args, sizeof args,
             "--input '%s' --init-from '%s/old.theta' --epochs 1 --alpha 1e-30 "
             "--init-in 'file:%s' --save-model '%s/new.theta'",
             new_txt, tu_dir, pre, tu_dir);
    char *err = train(0, args);
    ck_assert_has(err, "init in: 1 of 11 new rows from ");
    free(err);
    theta_model *old = load("old.theta"), *m = load("new.theta");
    ck_assert(memcmp(row_of(m, 0, "w5"), row_of(old, 0, "w5"), 8 * sizeof(float)) == 0);
    for (int j = 0; j < 8; j++)
        ck_assert_float_eq(row_of(m, 0, "w25")[j], 2.0f);
    theta_model_free(old);
    theta_model_free(m);
    free(pre);
}
END_TEST

START_TEST(init_from_refusals)
{
    train_old("");
    char args[4096];
    snprintf(args, sizeof args, "--input '%s' --init-from '%s/old.theta' --epochs 1 --dim 9",
             new_txt, tu_dir);
    char *err = train(1, args);
    ck_assert_has(err, "old.theta: the model has dim 8, this run asks for 9");
    free(err);
    snprintf(args, sizeof args, "--input '%s' --init-from '%s/old.theta' --loss softmax",
             new_txt, tu_dir);
    err = train(1, args);
    ck_assert_has(err, "the model has loss ns, this run asks for softmax");
    free(err);
    snprintf(args, sizeof args, "--input '%s' --init-from '%s/old.theta' --resume '%s/old.theta'",
             new_txt, tu_dir, tu_dir);
    err = train(2, args);
    ck_assert_has(err, "give one of them");
    free(err);
    snprintf(args, sizeof args, "--input '%s' --init-from '%s/nothing.theta'", new_txt, tu_dir);
    err = train(1, args);
    ck_assert_has(err, "--init-from: ");
    ck_assert_has(err, "nothing.theta");
    free(err);
    /* hs: refused, with the way to start from its vectors instead */
    snprintf(args, sizeof args, "--input '%s' --dim 8 --epochs 1 --loss hs --save-model '%s/hs.theta'",
             old_txt, tu_dir);
    free(train(0, args));
    snprintf(args, sizeof args, "--input '%s' --init-from '%s/hs.theta' --save-model '%s/x.theta'",
             new_txt, tu_dir, tu_dir);
    err = train(1, args);
    ck_assert_has(err, "a model trained with --loss hs cannot continue on new text");
    ck_assert_has(err, "--init-in file:");
    free(err);
    char *x = tu_path(tu_dir, "x.theta");
    ck_assert_int_ne(access(x, F_OK), 0);
    free(x);
}
END_TEST

START_TEST(init_from_resumes)
{
    train_old("");
    char args[4096];
    /* the full continued run, and the same run stopped and resumed */
    snprintf(args, sizeof args,
             "--input '%s' --init-from '%s/old.theta' --epochs 2 --save-model '%s/full.theta'",
             new_txt, tu_dir, tu_dir);
    free(train(0, args));
    snprintf(args, sizeof args,
             "--input '%s' --init-from '%s/old.theta' --epochs 2 --stop-after-words 4000 "
             "--checkpoint '%s/ck.theta'",
             new_txt, tu_dir, tu_dir);
    free(train(0, args));
    snprintf(args, sizeof args, "--input '%s' --resume '%s/ck.theta' --save-model '%s/res.theta'",
             new_txt, tu_dir, tu_dir);
    free(train(0, args));
    theta_model *full = load("full.theta"), *res = load("res.theta");
    ck_assert_int_eq(res->vocab->size, full->vocab->size);
    size_t n = (size_t)full->vocab->size * 8;
    ck_assert_msg(memcmp(full->in, res->in, n * sizeof(float)) == 0,
                  "a resumed continued run differs from the uninterrupted one");
    theta_model_free(full);
    theta_model_free(res);
}
END_TEST

/* ---- scripts/compare-inits.sh --strategies ...,pretrained --------------- */

START_TEST(compare_inits_pretrained)
{
    ck_assert_msg(access("scripts/compare-inits.sh", R_OK) == 0, "run the tests from the source tree");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "THETA='%s' bash scripts/compare-inits.sh --no-install --no-plot --epochs 1 "
             "--dim 8 --min-count 1 --losses ns,hs --threads 1 --strategies zero,pretrained "
             "--out '%s/res' '%s' >'%s/out.txt' 2>'%s/err.txt'",
             tu_theta_bin(), tu_dir, old_txt, tu_dir, tu_dir);
    int rc = system(cmd);
    char *p = tu_path(tu_dir, "err.txt"), *err = tu_read_file(p, NULL);
    free(p);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "compare-inits.sh: %s", err);
    /* the second half of old.txt holds every word: all 21 start from it */
    ck_assert_has(err, "pretrained: input started from vectors theta trained on the second half "
                       "of old.txt (200 lines), 2400 tokens");
    free(err);
    p = tu_path(tu_dir, "res/results.csv");
    char *csv = tu_read_file(p, NULL);
    free(p);
    ck_assert_ptr_nonnull(csv);
    ck_assert_has(csv, "\npretrained,file:pretrained.vec,zero,ns,1,1,");
    ck_assert_has(csv, "\npretrained,file:pretrained.vec,zero,hs,1,1,");
    /* the warm start is not stuck, and starts below the zero start's loss */
    double zero_first = 0, pre_first = 0;
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        double first;
        char strategy[32], loss[8];
        if (sscanf(line, "%31[^,],%*[^,],%*[^,],%7[^,],%*[^,],%*[^,],%lf", strategy, loss,
                   &first) != 3 || strcmp(loss, "ns") != 0)
            continue;
        if (strcmp(strategy, "zero") == 0)
            zero_first = first;
        else if (strcmp(strategy, "pretrained") == 0)
            pre_first = first;
        if (strcmp(strategy, "pretrained") == 0)
            ck_assert_msg(strstr(line, "full rank") != NULL, "%s", line);
    }
    ck_assert_double_gt(zero_first, 0);
    ck_assert_double_gt(pre_first, 0);
    ck_assert_double_lt(pre_first, zero_first);
    free(csv);
}
END_TEST

Suite *warm_start_suite(void)
{
    Suite *s = suite_create("warm_start");
    TCase *file = tcase_create("file");
    tcase_add_checked_fixture(file, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_checked_fixture(file, setup, teardown);
    tcase_set_timeout(file, 60);
    tcase_add_test(file, file_init_exact);
    tcase_add_test(file, file_from_model);
    tcase_add_test(file, file_refusals);
    suite_add_tcase(s, file);
    TCase *from = tcase_create("init_from");
    tcase_add_checked_fixture(from, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_checked_fixture(from, setup, teardown);
    tcase_set_timeout(from, 60);
    tcase_add_test(from, init_from_keeps_old_words);
    tcase_add_test(from, init_from_trains_new_words);
    tcase_add_test(from, init_from_file_for_new_words);
    tcase_add_test(from, init_from_refusals);
    tcase_add_test(from, init_from_resumes);
    suite_add_tcase(s, from);
    TCase *script = tcase_create("compare_inits");
    tcase_add_checked_fixture(script, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_checked_fixture(script, setup, teardown);
    tcase_set_timeout(script, 120);
    tcase_add_test(script, compare_inits_pretrained);
    suite_add_tcase(s, script);
    return s;
}
