/*
 * check_cli.c — `theta train` through the program: option validation and
 * exit codes, word2vec's flags, stdin/gzip input, output files, the JSON
 * log, and (when python3-gensim is installed) that gensim reads the vectors.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

static char *corpus;

/* A small corpus of 3 word groups, regenerated for each test in tu_dir (the
 * tmpdir fixture runs first). */
static void setup(void)
{
    corpus = tu_path(tu_dir, "corpus.txt");
    FILE *f = fopen(corpus, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng rng;
    theta_rng_seed(&rng, 99);
    static const char *groups[3][4] = {{"red", "green", "blue", "yellow"},
                                       {"cat", "dog", "horse", "cow"},
                                       {"one", "two", "three", "four"}};
    for (int s = 0; s < 400; s++) {
        int g = (int)(theta_rng_next(&rng) % 3);
        for (int i = 0; i < 8; i++)
            fprintf(f, "%s%s", i ? " " : "", groups[g][theta_rng_next(&rng) % 4]);
        fputc('\n', f);
    }
    fclose(f);
}

static void teardown(void)
{
    free(corpus);
}

static int exists(const char *name)
{
    char *p = tu_path(tu_dir, name);
    int e = access(p, F_OK) == 0;
    free(p);
    return e;
}

static char *read_in_dir(const char *name, size_t *len)
{
    char *p = tu_path(tu_dir, name);
    char *b = tu_read_file(p, len);
    free(p);
    return b;
}

#define SMALL "--dim 10 --epochs 2 --threads 1 --min-count 1 --quiet"

/* Each row: arguments after 'train --input corpus', and a word the message must contain. */
static const char *bad_options[][2] = {
    {"--dim 0", "--dim"},
    {"--dim abc", "--dim"},
    {"--dim 20000", "--dim"},
    {"--window -1", "--window"},
    {"--negative -2", "--negative"},
    {"--epochs 0", "--epochs"},
    {"--threads 0", "--threads"},
    {"--min-count 0", "--min-count"},
    {"--sample 2", "--sample"},
    {"--sample x", "--sample"},
    {"--noise-uniform 1.5", "--noise-uniform"},
    {"--noise-uniform -0.1", "--noise-uniform"},
    {"--noise-uniform x", "--noise-uniform"},
    {"--alpha 0", "--alpha"},
    {"--alpha -1", "--alpha"},
    {"--loss foo", "--loss"},
    {"--model rnn", "--model"},
    {"--init-in bogus", "init"},
    {"--init-out uniform:-1", "init"},
    {"--init-in const", "init"},
    {"--seed -5", "--seed"},
    {"--max-vocab 1", "--max-vocab"},
    {"--bogus", "unknown option"},
    {"-hs 1 -negative 5", "-negative 0"},
    {"-cbow 2", "0 or 1"},
    {"--loss ns --negative 0", "--negative 0"},
    /* (an extra argument is another input file now: see check_hostile's
     * train_missing_second_file_is_named_first) */
    {"- -", "standard input ('-') can be only one of the inputs"},
};

/* The program's range messages are the library's ranges (one table). */
START_TEST(range_messages_come_from_the_library)
{
    static const char *cases[][2] = {
        {"--window 1001", "theta train: --window must be an integer in 1..1000, not '1001'\n"
                          "Try 'theta help train'.\n"},
        {"--max-vocab 1", "theta train: --max-vocab must be 0 or an integer in 2..2147483647, "
                          "not '1'\n"
                          "Try 'theta help train'.\n"},
        {"--sample 1", "theta train: --sample must be a number in [0, 1), not '1'\n"
                          "Try 'theta help train'.\n"},
        {"--alpha 0", "theta train: --alpha must be a number in (0, 10], not '0'\n"
                          "Try 'theta help train'.\n"},
        {"--min-count 0", "theta train: --min-count must be an integer >= 1, not '0'\n"
                          "Try 'theta help train'.\n"},
        {"--threads 513", "theta train: --threads must be an integer in 1..512, not '513'\n"
                          "Try 'theta help train'.\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *err = NULL;
        int rc = tu_run(NULL, &err, "train --input %s %s", corpus, cases[i][0]);
        ck_assert_int_eq(rc, 2);
        ck_assert_str_eq(err, cases[i][1]);
        free(err);
    }
}
END_TEST

START_TEST(bad_option_is_usage_error)
{
    char *err = NULL;
    char *out = tu_path(tu_dir, "v.txt");
    int rc = tu_run(NULL, &err, "train --input %s --output %s %s", corpus, out, bad_options[_i][0]);
    ck_assert_msg(rc == 2, "'%s' exited %d", bad_options[_i][0], rc);
    ck_assert_msg(strncmp(err, "theta train: ", 13) == 0, "stderr: %s", err);
    ck_assert_msg(strstr(err, bad_options[_i][1]) != NULL, "'%s': stderr lacks '%s': %s",
                  bad_options[_i][0], bad_options[_i][1], err);
    ck_assert(!exists("v.txt"));
    free(err);
    free(out);
}
END_TEST

START_TEST(no_input_is_usage_error)
{
    char *err = NULL;
    ck_assert_int_eq(tu_run(NULL, &err, "train --dim 10"), 2);
    ck_assert_ptr_nonnull(strstr(err, "--input"));
    free(err);
}
END_TEST

START_TEST(runtime_errors_exit_1_and_write_nothing)
{
    char *err = NULL, *out = tu_path(tu_dir, "v.txt"), *empty = tu_path(tu_dir, "empty.txt");
    char *rare = tu_path(tu_dir, "rare.txt");
    tu_write_file(empty, "", 0);
    tu_write_file(rare, "each word here occurs once\n", (size_t)-1);

    ck_assert_int_eq(tu_run(NULL, &err, "train --input %s/missing.txt --output %s", tu_dir, out), 1);
    ck_assert_ptr_nonnull(strstr(err, "missing.txt"));
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "train --input %s --output %s", empty, out), 1);
    ck_assert_ptr_nonnull(strstr(err, "min-count"));
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "train --input %s --output %s --min-count 2", rare, out), 1);
    ck_assert_ptr_nonnull(strstr(err, "no word occurs at least 2 times"));
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "train --input %s --output %s/nodir/v.txt " SMALL, corpus,
                            tu_dir), 1);
    ck_assert_ptr_nonnull(strstr(err, "nodir/v.txt"));
    free(err);
    ck_assert(!exists("v.txt"));
    /* no temporary file left behind either */
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q tmp", tu_dir);
    ck_assert_int_ne(system(cmd), 0);
    free(out); free(empty); free(rare);
}
END_TEST

START_TEST(word2vec_flags_match_long_options)
{
    ck_assert_int_eq(tu_run(NULL, NULL,
                            "train -train %s -output %s/a.bin -size 12 -window 3 -sample 0 "
                            "-negative 3 -threads 1 -iter 2 -min-count 1 -alpha 0.03 -binary 1 "
                            "-cbow 0 -save-vocab %s/vocab.txt -debug 2",
                            corpus, tu_dir, tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL,
                            "train --input %s --output %s/b.bin --dim 12 --window 3 --sample 0 "
                            "--negative 3 --threads 1 --epochs 2 --min-count 1 --alpha 0.03 "
                            "--binary --model skipgram",
                            corpus, tu_dir), 0);
    size_t la, lb;
    char *a = read_in_dir("a.bin", &la), *b = read_in_dir("b.bin", &lb);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(la, lb);
    ck_assert_int_eq(memcmp(a, b, la), 0);
    /* binary layout: "13 12\n" then 13 records of "word " + 48 bytes + "\n" */
    ck_assert_int_eq(strncmp(a, "13 12\n</s> ", 11), 0);
    ck_assert_uint_eq(la, 6 + 13 * (48 + 2) + (4 + 6 * 3 + 2 * 4 + 3 * 5 + 1 * 6));
    char *vocab = read_in_dir("vocab.txt", NULL);
    ck_assert_ptr_nonnull(strstr(vocab, "</s> 400\n"));
    free(a); free(b); free(vocab);
    /* -hs 1 -negative 0 trains hierarchical softmax: V - 1 output rows */
    ck_assert_int_eq(tu_run(NULL, NULL, "train -train %s -hs 1 -negative 0 -size 8 -iter 1 "
                            "-min-count 1 -threads 1 --output-context %s/ctx.txt --quiet",
                            corpus, tu_dir), 0);
    char *ctx = read_in_dir("ctx.txt", NULL);
    ck_assert_int_eq(strncmp(ctx, "12 8\n__node_0 ", 14), 0);
    free(ctx);
}
END_TEST

/* The starting learning rate, as `theta info` reports it from a model file. */
static double model_alpha(const char *model)
{
    char *out = NULL;
    ck_assert_int_eq(tu_run(&out, NULL, "info %s", model), 0);
    const char *a = strstr(out, "\nalpha:");
    ck_assert_ptr_nonnull(a);
    double alpha = strtod(a + 7, NULL);
    free(out);
    return alpha;
}

START_TEST(default_alpha_depends_on_the_loss)
{
    static const struct { const char *args; double alpha; } runs[] = {
        {"", 0.05},
        {"--loss softmax", 0.05},
        {"--loss hs", 0.0375},
        {"-hs 1 -negative 0", 0.0375},
        {"--loss hs --alpha 0.02", 0.02},
        {"--alpha 0.07", 0.07},
    };
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s " SMALL " --epochs 1 %s "
                                "--save-model %s/m.theta", corpus, runs[i].args, tu_dir), 0);
        char *m = tu_path(tu_dir, "m.theta");
        double got = model_alpha(m);
        ck_assert_msg(got == runs[i].alpha, "'%s': alpha %g, expected %g", runs[i].args, got,
                      runs[i].alpha);
        free(m);
    }
    /* the help names both defaults */
    char *out = NULL;
    ck_assert_int_eq(tu_run(&out, NULL, "train --help"), 0);
    ck_assert_ptr_nonnull(strstr(out, "default 0.05, with --loss hs 0.0375"));
    free(out);
}
END_TEST

START_TEST(noise_uniform_is_saved_and_used)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s " SMALL " --noise-uniform 0.25 "
                            "--output %s/u1.txt --save-model %s/u.theta", corpus, tu_dir, tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s " SMALL " --noise-uniform 0.25 "
                            "--output %s/u2.txt", corpus, tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s " SMALL " --noise-uniform 0 "
                            "--output %s/u0.txt", corpus, tu_dir), 0);
    char *m = tu_path(tu_dir, "u.theta"), *out = NULL;
    ck_assert_int_eq(tu_run(&out, NULL, "info %s", m), 0);
    const char *a = strstr(out, "\nnoise_uniform:");
    ck_assert_ptr_nonnull(a);
    ck_assert(strtod(a + 15, NULL) == 0.25);
    char *u1 = read_in_dir("u1.txt", NULL), *u2 = read_in_dir("u2.txt", NULL);
    char *u0 = read_in_dir("u0.txt", NULL);
    ck_assert_str_eq(u1, u2); /* deterministic with one thread */
    ck_assert_str_ne(u1, u0); /* and the share reaches the sampler */
    free(u1); free(u2); free(u0); free(out); free(m);
}
END_TEST

/* --center writes the centred input rows (what export --center makes of the
 * saved model), and the model keeps the trained ones. */
START_TEST(center_writes_centred_vectors_and_keeps_the_model)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s " SMALL " --center --output %s/c.txt "
                            "--save-model %s/c.theta", corpus, tu_dir, tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s " SMALL " --output %s/raw.txt", corpus,
                            tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s/c.theta --center -o %s/e.txt", tu_dir, tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s/c.theta -o %s/m.txt", tu_dir, tu_dir), 0);
    char *c = read_in_dir("c.txt", NULL), *raw = read_in_dir("raw.txt", NULL);
    char *e = read_in_dir("e.txt", NULL), *m = read_in_dir("m.txt", NULL);
    ck_assert_int_eq(strncmp(c, "13 10\n", 6), 0);
    ck_assert_str_eq(c, e);
    ck_assert_str_eq(m, raw);
    ck_assert_str_ne(c, raw);
    free(c); free(raw); free(e); free(m);
}
END_TEST

/* By default the counted text is kept as word ids (a byte a token at least) and
 * training reads no text; --stream reads the text every epoch. Same vectors. */
START_TEST(kept_ids_and_stream_give_identical_vectors)
{
    char *big = tu_path(tu_dir, "big.txt");
    FILE *f = fopen(big, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 2000000; i++) /* 2.15 M tokens with the sentence ends */
        fprintf(f, "w%d%s", (int)(i * 7919LL % 500), i % 13 == 12 ? "\n" : " ");
    ck_assert_int_eq(fclose(f), 0);
    long kept_kb = 0, stream_kb = 0;
    ck_assert_int_eq(tu_run_limited(0, &kept_kb, NULL, NULL, "train --input %s " SMALL
                                    " --epochs 1 --output %s/k.txt", big, tu_dir), 0);
    ck_assert_int_eq(tu_run_limited(0, &stream_kb, NULL, NULL, "train --input %s " SMALL
                                    " --epochs 1 --stream --output %s/s.txt", big, tu_dir), 0);
    char *k = read_in_dir("k.txt", NULL), *st = read_in_dir("s.txt", NULL);
    ck_assert_int_eq(strncmp(k, "501 10\n", 7), 0);
    ck_assert_str_eq(k, st);
    ck_assert_msg(kept_kb - stream_kb > 2000, "peak %ld KB kept, %ld KB streamed", kept_kb,
                  stream_kb);
    free(k); free(st); free(big);
}
END_TEST

START_TEST(stdin_gzip_and_file_give_identical_vectors)
{
    char *gz = tu_path(tu_dir, "corpus.txt.gz");
    size_t len;
    char *text = tu_read_file(corpus, &len);
    gzFile g = gzopen(gz, "wb");
    ck_assert_int_eq(gzwrite(g, text, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(g), Z_OK);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/f.txt " SMALL, corpus, tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/g.txt " SMALL, gz, tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input - --output %s/s.txt " SMALL " < %s", tu_dir,
                            corpus), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input - --output %s/sg.txt " SMALL " < %s", tu_dir,
                            gz), 0);
    char *f = read_in_dir("f.txt", NULL), *gt = read_in_dir("g.txt", NULL);
    char *s = read_in_dir("s.txt", NULL), *sg = read_in_dir("sg.txt", NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(strncmp(f, "13 10\n", 6), 0);
    ck_assert_str_eq(f, gt);
    ck_assert_str_eq(f, s);
    ck_assert_str_eq(f, sg);
    free(f); free(gt); free(s); free(sg); free(text); free(gz);
}
END_TEST

START_TEST(truncated_gzip_is_an_error)
{
    char *gz = tu_path(tu_dir, "corpus.txt.gz");
    size_t len;
    char *text = tu_read_file(corpus, &len);
    gzFile g = gzopen(gz, "wb");
    ck_assert_int_eq(gzwrite(g, text, (unsigned)len), (int)len);
    gzclose(g);
    size_t glen;
    char *bytes = tu_read_file(gz, &glen);
    tu_write_file(gz, bytes, glen / 2);
    char *err = NULL;
    ck_assert_int_eq(tu_run(NULL, &err, "train --input %s --output %s/v.txt " SMALL, gz, tu_dir), 1);
    ck_assert_ptr_nonnull(strstr(err, "corpus.txt.gz"));
    ck_assert(!exists("v.txt"));
    free(err); free(bytes); free(text); free(gz);
}
END_TEST

START_TEST(json_log_and_model_file)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --log-json %s/log.json --save-model "
                            "%s/m.theta " SMALL, corpus, tu_dir, tu_dir), 0);
    char *log = read_in_dir("log.json", NULL);
    ck_assert_ptr_nonnull(log);
    int lines = 0;
    for (char *p = log; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 2);
    ck_assert_ptr_nonnull(strstr(log, "{\"epoch\": 1, \"end\": true, \"words\": 3600,"));
    ck_assert_ptr_nonnull(strstr(log, "{\"epoch\": 2, \"end\": true, \"words\": 7200,"));
    ck_assert_ptr_nonnull(strstr(log, "\"in\": {\"distinct_dims\": 10, \"identical_dims\": 0, "
                                      "\"rank\": 10, \"all_zero\": false}"));
    ck_assert_ptr_nonnull(strstr(log, "\"loss\": "));
    ck_assert_ptr_nonnull(strstr(log, "\"seconds\": "));
    char *mp = tu_path(tu_dir, "m.theta");
    theta_model *m;
    ck_assert_int_eq(theta_model_load(mp, &m), THETA_OK);
    ck_assert_int_eq(m->cfg.dim, 10);
    ck_assert_int_eq(m->state.epoch, 2);
    ck_assert_int_eq(m->vocab->size, 13);
    theta_model_free(m);
    free(mp);
    free(log);
}
END_TEST

START_TEST(json_log_tracks_symmetry)
{
    /* constant init, one thread: one distinct dimension, rank 1, at every snapshot;
     * a corpus of 10 copies (36000 words an epoch) so that chunk boundaries
     * (every ~10000 words) fall inside the epochs */
    char *big = tu_path(tu_dir, "big.txt");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "for i in 1 2 3 4 5 6 7 8 9 10; do cat %s; done > %s", corpus, big);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --log-json %s/log.json "
                            "--log-every-words 15000 --init-in const:0.1 --init-out zero " SMALL,
                            big, tu_dir), 0);
    free(big);
    char *log = read_in_dir("log.json", NULL);
    int lines = 0, sym = 0;
    for (char *p = log; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    for (char *p = log; (p = strstr(p, "{\"distinct_dims\": 1, \"identical_dims\": 10, "
                                     "\"rank\": 1, \"all_zero\": false}")) != NULL; p++)
        sym++;
    /* 72000 words: a snapshot past each of 15000, 30000, 45000, 60000 (at chunk
     * boundaries inside an epoch) plus two epoch ends */
    ck_assert_int_ge(lines, 5);
    ck_assert_int_le(lines, 6);
    ck_assert_int_eq(sym, 2 * lines);
    free(log);
    /* zero init: all zero and rank 0 in both matrices */
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --log-json %s/zero.json --zero-init "
                            SMALL, corpus, tu_dir), 0);
    log = read_in_dir("zero.json", NULL);
    ck_assert_ptr_nonnull(strstr(log, "\"out\": {\"distinct_dims\": 1, \"identical_dims\": 10, "
                                      "\"rank\": 0, \"all_zero\": true}"));
    ck_assert_ptr_nonnull(strstr(log, "\"loss\": 4.158883"));
    free(log);
}
END_TEST

START_TEST(read_vocab_matches_counted_vocab)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/a.txt --save-vocab %s/v.txt "
                            SMALL, corpus, tu_dir, tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/b.txt --read-vocab %s/v.txt "
                            SMALL, corpus, tu_dir, tu_dir), 0);
    char *a = read_in_dir("a.txt", NULL), *b = read_in_dir("b.txt", NULL);
    ck_assert_str_eq(a, b);
    free(a); free(b);
}
END_TEST

static int have_gensim(void)
{
    return system("/usr/bin/python3 -c 'import gensim' >/dev/null 2>&1") == 0;
}

START_TEST(gensim_reads_text_and_binary)
{
    if (!have_gensim()) {
        fprintf(stderr, "check_cli: python3-gensim not installed; skipping the gensim test\n");
        return;
    }
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/v.txt " SMALL, corpus, tu_dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/v.bin --binary " SMALL,
                            corpus, tu_dir), 0);
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"\n"
             "from gensim.models import KeyedVectors as K\n"
             "t = K.load_word2vec_format('%s/v.txt')\n"
             "b = K.load_word2vec_format('%s/v.bin', binary=True)\n"
             "assert len(t.index_to_key) == 13 and t.vector_size == 10, 'text shape'\n"
             "assert t.index_to_key == b.index_to_key, 'word order'\n"
             "assert abs(t['cat'] - b['cat']).max() == 0, 'values differ'\n"
             "assert t.index_to_key[0] == '</s>'\n"
             "\" 2>&1",
             tu_dir, tu_dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *errors = tcase_create("errors");
    tcase_add_checked_fixture(errors, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_checked_fixture(errors, setup, teardown);
    tcase_add_test(errors, range_messages_come_from_the_library);
    tcase_add_loop_test(errors, bad_option_is_usage_error, 0,
                        sizeof bad_options / sizeof bad_options[0]);
    tcase_add_test(errors, no_input_is_usage_error);
    tcase_add_test(errors, runtime_errors_exit_1_and_write_nothing);
    tcase_add_test(errors, truncated_gzip_is_an_error);
    suite_add_tcase(s, errors);
    TCase *io = tcase_create("io");
    tcase_set_timeout(io, 60);
    tcase_add_checked_fixture(io, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_checked_fixture(io, setup, teardown);
    tcase_add_test(io, word2vec_flags_match_long_options);
    tcase_add_test(io, stdin_gzip_and_file_give_identical_vectors);
    tcase_add_test(io, json_log_and_model_file);
    tcase_add_test(io, default_alpha_depends_on_the_loss);
    tcase_add_test(io, noise_uniform_is_saved_and_used);
    tcase_add_test(io, center_writes_centred_vectors_and_keeps_the_model);
    tcase_add_test(io, kept_ids_and_stream_give_identical_vectors);
    tcase_add_test(io, read_vocab_matches_counted_vocab);
    tcase_add_test(io, json_log_tracks_symmetry);
    tcase_add_test(io, gensim_reads_text_and_binary);
    suite_add_tcase(s, io);
    return s;
}
