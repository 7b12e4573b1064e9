/*
 * check_cmd_phrases.c — `theta phrases` through the program: help, usage
 * errors (exit 2), runtime errors (exit 1, one line, no output file),
 * standard input and gzip equal to plain, the summary (passes, pruning),
 * and --save-phrases.
 */
#include <check.h>
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

static char *dir;
static char *corpus;

#define ck_assert_has(hay, needle) \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "'%s' not in:\n%s", (needle), (hay))

/* 8000 lines of filler words, every 40th with "hong kong" in it. */
static void setup(void)
{
    dir = tu_tmpdir();
    corpus = tu_path(dir, "corpus.txt");
    FILE *f = fopen(corpus, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng rng;
    theta_rng_seed(&rng, 11);
    for (int s = 0; s < 8000; s++) {
        for (int i = 0; i < 8; i++)
            fprintf(f, "%sw%d", i ? " " : "", (int)(theta_rng_next(&rng) % 150));
        fprintf(f, "%s u%d\n", s % 40 == 0 ? " hong kong" : "", s);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static void teardown(void)
{
    tu_rmdir(dir);
    free(corpus);
    free(dir);
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
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

START_TEST(help_and_listing)
{
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "help phrases"), 0);
    ck_assert_has(out, "usage: theta phrases");
    ck_assert_has(out, "--save-phrases");
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "--help"), 0);
    ck_assert_has(out, "phrases ");
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "phrases --help"), 0);
    ck_assert_has(out, "--scoring w2v|npmi");
    free(out);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
    static const char *bad[][2] = {
        {"", "missing INPUT"},
        {"--scoring pmi @", "--scoring"},
        {"--scoring npmi --threshold 5 @", "--threshold"},
        {"--threshold -1 @", "--threshold"},
        {"--threshold abc @", "--threshold"},
        {"--passes 0 @", "--passes"},
        {"--min-count 0 @", "--min-count"},
        {"--delimiter '' @", "--delimiter"},
        {"--delimiter 'a b' @", "--delimiter"},
        {"--max-entries 2 @", "--max-entries"},
        {"--bogus @", "unknown option '--bogus'"},
        {"@ @", "one INPUT expected"},
        {"@ -o @", "refusing to overwrite an input"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char args[512];
        size_t n = 0;
        for (const char *a = bad[i][0]; *a; a++)
            n += *a == '@' ? (size_t)snprintf(args + n, sizeof args - n, "'%s'", corpus)
                           : (size_t)snprintf(args + n, sizeof args - n, "%c", *a);
        args[n] = '\0';
        char *out, *err;
        int rc = tu_run(&out, &err, "phrases %s", args);
        ck_assert_msg(rc == 2, "'%s': exit %d, stderr %s", args, rc, err);
        ck_assert_has(err, bad[i][1]);
        ck_assert_has(err, "theta phrases: ");
        ck_assert_str_eq(out, "");
        free(out);
        free(err);
    }
}
END_TEST

/* An output that is the input through a link, or the other output, is
 * refused before any work, and the input is left as it was. */
START_TEST(outputs_never_name_the_input)
{
    char *link = tu_path(dir, "link.txt"), *save = tu_path(dir, "s.txt");
    ck_assert_int_eq(symlink(corpus, link), 0);
    char *before = tu_read_file(corpus, NULL);
    char *err;
    ck_assert_int_eq(tu_run(NULL, &err, "phrases '%s' -o '%s'", corpus, link), 2);
    ck_assert_has(err, "names the same file as --input");
    ck_assert_has(err, "refusing to overwrite an input");
    ck_assert_int_eq(lines(err), 1);
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "phrases '%s' -o '%s' --save-phrases '%s'", corpus, save,
                            save), 2);
    ck_assert_has(err, "-o and --save-phrases name the same file");
    free(err);
    char *after = tu_read_file(corpus, NULL);
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(access(save, F_OK), -1);
    free(before);
    free(after);
    free(link);
    free(save);
}
END_TEST

START_TEST(runtime_errors_exit_1_with_one_line)
{
    char *out = tu_path(dir, "out.txt");
    char *err;
    /* a missing input */
    ck_assert_int_eq(tu_run(NULL, &err, "phrases %s/missing.txt -o '%s'", dir, out), 1);
    ck_assert_int_eq(lines(err), 1);
    ck_assert_has(err, "theta phrases: ");
    ck_assert_has(err, "missing.txt");
    free(err);
    /* a corrupt gzip file (the gzip header, then junk) */
    char *gz = tu_path(dir, "bad.gz");
    tu_write_file(gz, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage garbage", 25);
    ck_assert_int_eq(tu_run(NULL, &err, "phrases '%s' -o '%s' --passes 2", gz, out), 1);
    ck_assert_int_eq(lines(err), 1);
    ck_assert_has(err, "bad.gz");
    free(err);
    /* the same through standard input names standard input */
    ck_assert_int_eq(tu_run(NULL, &err, "phrases - -o '%s' < '%s'", out, gz), 1);
    ck_assert_int_eq(lines(err), 1);
    ck_assert_has(err, "standard input");
    free(err);
    /* an output directory that does not exist */
    ck_assert_int_eq(tu_run(NULL, &err, "phrases '%s' -o %s/nodir/out.txt", corpus, dir), 1);
    ck_assert_int_eq(lines(err), 1);
    ck_assert_has(err, "nodir/out.txt");
    free(err);
    ck_assert_int_eq(dir_entries(), 2); /* corpus.txt and bad.gz: no output, no temporary */
    free(gz);
    free(out);
}
END_TEST

START_TEST(stdin_and_gzip_equal_plain)
{
    size_t len;
    char *plain = tu_read_file(corpus, &len);
    char *gz = tu_path(dir, "corpus.txt.gz");
    gzFile g = gzopen(gz, "wb");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, plain, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(g), Z_OK);
    char *a, *b, *c, *d;
    ck_assert_int_eq(tu_run(&a, NULL, "phrases -q --passes 2 '%s'", corpus), 0);
    ck_assert_int_eq(tu_run(&b, NULL, "phrases -q --passes 2 - < '%s'", corpus), 0);
    ck_assert_int_eq(tu_run(&c, NULL, "phrases -q --passes 2 '%s'", gz), 0);
    ck_assert_int_eq(tu_run(&d, NULL, "phrases -q --passes 2 - < '%s'", gz), 0);
    ck_assert_ptr_nonnull(strstr(a, " hong_kong u0\n"));
    ck_assert_int_eq(lines(a), 8000);
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a, c);
    ck_assert_str_eq(a, d);
    /* a FIFO and a process substitution: read once, spooled for the passes */
    char *fifo = tu_path(dir, "fifo"), *e, *f;
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cat '%s' > '%s' &", corpus, fifo); /* blocks until read */
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(tu_run(&e, NULL, "phrases -q --passes 2 '%s'", fifo), 0);
    char *subst = tu_path(dir, "subst.txt");
    snprintf(cmd, sizeof cmd, "bash -c \"'%s' phrases -q --passes 2 <(cat '%s') > '%s'\"",
             tu_theta_bin(), corpus, subst);
    ck_assert_int_eq(system(cmd), 0);
    f = tu_read_file(subst, NULL);
    free(subst);
    ck_assert_str_eq(a, e);
    ck_assert_str_eq(a, f);
    free(a), free(b), free(c), free(d), free(e), free(f), free(fifo), free(gz), free(plain);
}
END_TEST

START_TEST(summary_and_saved_phrases)
{
    char *out = tu_path(dir, "out.txt"), *ph = tu_path(dir, "ph.txt");
    char *err;
    ck_assert_int_eq(tu_run(NULL, &err, "phrases '%s' -o '%s' --passes 2 --save-phrases '%s'",
                            corpus, out, ph), 0);
    ck_assert_has(err, "pass 1/2 (threshold 200): 72400 words");
    ck_assert_has(err, "pass 2/2 (threshold 100): 72200 words");
    ck_assert_has(err, "wrote 72200 tokens to ");
    ck_assert_msg(strstr(err, "pruned") == NULL, "%s", err);
    free(err);
    char *list = tu_read_file(ph, NULL);
    ck_assert_ptr_nonnull(list);
    ck_assert_int_eq(strncmp(list, "hong_kong ", 10), 0);
    ck_assert_has(list, " 200\n");
    free(list);
    /* a tiny table: the summary says it pruned; the phrase still joins */
    ck_assert_int_eq(tu_run(NULL, &err, "phrases '%s' -o '%s' --max-entries 5000 -t 1", corpus,
                            out), 0);
    ck_assert_has(err, "the count table was full: pruned ");
    ck_assert_has(err, "--max-entries");
    free(err);
    char *text = tu_read_file(out, NULL);
    ck_assert_has(text, " hong_kong u40\n");
    free(text);
    free(out);
    free(ph);
}
END_TEST

Suite *cmd_phrases_suite(void)
{
    Suite *s = suite_create("cmd_phrases");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, help_and_listing);
    tcase_add_test(tc, usage_errors_exit_2);
    tcase_add_test(tc, outputs_never_name_the_input);
    tcase_add_test(tc, runtime_errors_exit_1_with_one_line);
    tcase_add_test(tc, stdin_and_gzip_equal_plain);
    tcase_add_test(tc, summary_and_saved_phrases);
    suite_add_tcase(s, tc);
    return s;
}
