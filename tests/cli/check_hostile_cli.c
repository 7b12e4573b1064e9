/*
 * check_hostile_cli.c — odd corpora through `theta train`: empty, one word,
 * a 100 MB line (memory stays bounded), only CRLFs, NUL bytes, invalid
 * UTF-8, gzip with trailing junk, several gzip members, and an empty or
 * closed standard input; outputs that are a device or a symlink. The
 * hostile files for the loaders are in tests/unit/check_hostile.c.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

/* Sanitizer runtimes reserve terabytes of address space: no RLIMIT_AS there
 * (their own allocators refuse absurd sizes instead). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

static char *write_bytes(const char *name, const void *data, size_t len)
{
    char *p = tu_path(tu_dir, name);
    tu_write_file(p, data, len);
    return p;
}

/* ---- corpora through theta train ---------------------------------------- */

#define TRAIN "train --dim 8 --epochs 1 --threads 2 --min-count 1 --quiet"

/* Runs theta train on corpus (a path or "- <redirection>") with the
 * vocabulary saved to tu_dir/vocab.txt; returns the exit status. */
static int train_on(const char *input, char **err)
{
    char *vocab = tu_path(tu_dir, "vocab.txt"), *vec = tu_path(tu_dir, "vec.txt");
    remove(vocab);
    remove(vec);
    int rc = tu_run(NULL, err, TRAIN " --input %s --save-vocab '%s' --output '%s'", input, vocab,
                    vec);
    free(vocab);
    free(vec);
    return rc;
}

static char *slurp(const char *name)
{
    char *p = tu_path(tu_dir, name);
    char *b = tu_read_file(p, NULL);
    free(p);
    return b;
}

static int exists(const char *name)
{
    char *p = tu_path(tu_dir, name);
    int e = access(p, F_OK) == 0;
    free(p);
    return e;
}

/* A corpus that has no word: exit 1, a message, no output files. */
static void expect_no_words(const char *name, const void *data, size_t len)
{
    char *path = write_bytes(name, data, len);
    char *err = NULL;
    char input[4200];
    snprintf(input, sizeof input, "'%s'", path);
    ck_assert_int_eq(train_on(input, &err), 1);
    ck_assert_msg(strncmp(err, "theta train: ", 13) == 0, "stderr: %s", err);
    ck_assert_msg(strstr(err, "no word occurs") != NULL, "stderr: %s", err);
    ck_assert(!exists("vec.txt") && !exists("vocab.txt"));
    free(err);
    free(path);
}

START_TEST(corpus_empty_file)
{
    expect_no_words("empty.txt", "", 0);
}
END_TEST

START_TEST(corpus_only_crlf)
{
    char b[2000];
    for (int i = 0; i < 1000; i++)
        memcpy(b + 2 * i, "\r\n", 2);
    expect_no_words("crlf.txt", b, sizeof b);
}
END_TEST

START_TEST(corpus_single_word)
{
    char *path = write_bytes("one.txt", "hello", 5);
    char *err = NULL, input[4200];
    snprintf(input, sizeof input, "'%s'", path);
    ck_assert_msg(train_on(input, &err) == 0, "stderr: %s", err);
    char *vocab = slurp("vocab.txt"), *vec = slurp("vec.txt");
    ck_assert_str_eq(vocab, "</s> 0\nhello 1\n");
    ck_assert_int_eq(strncmp(vec, "2 8\n", 4), 0);
    ck_assert_ptr_nonnull(strstr(vec, "\nhello "));
    free(vocab);
    free(vec);
    free(err);
    free(path);
}
END_TEST

/* Repeats pattern (len bytes) n times into path. */
static void repeat_file(const char *path, const char *pattern, size_t len, int n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < n; i++)
        ck_assert_uint_eq(fwrite(pattern, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(corpus_nul_bytes_separate_words)
{
    static const char line[] = "alpha\0beta gamma\0\0delta\n";
    char *path = tu_path(tu_dir, "nul.txt");
    repeat_file(path, line, sizeof line - 1, 50);
    char *err = NULL, input[4200];
    snprintf(input, sizeof input, "'%s'", path);
    ck_assert_msg(train_on(input, &err) == 0, "stderr: %s", err);
    char *vocab = slurp("vocab.txt");
    ck_assert_str_eq(vocab, "</s> 50\nalpha 50\nbeta 50\ndelta 50\ngamma 50\n");
    free(vocab);
    free(err);
    free(path);
}
END_TEST

START_TEST(corpus_invalid_utf8_is_kept_as_bytes)
{
    /* a lone continuation byte, a truncated sequence, 0xff 0xfe, valid UTF-8 */
    static const char line[] = "\x80x caf\xc3 \xff\xfe \xc3\xa9t\xc3\xa9\n";
    char *path = tu_path(tu_dir, "utf8.txt");
    repeat_file(path, line, sizeof line - 1, 20);
    char *err = NULL, input[4200];
    snprintf(input, sizeof input, "'%s'", path);
    ck_assert_msg(train_on(input, &err) == 0, "stderr: %s", err);
    char *vocab = slurp("vocab.txt");
    /* by count, then bytes (unsigned): 0x80 < 'c' (0x63)? no: 'c' < 0x80 < 0xc3 < 0xff */
    ck_assert_str_eq(vocab, "</s> 20\ncaf\xc3 20\n\x80x 20\n\xc3\xa9t\xc3\xa9 20\n\xff\xfe 20\n");
    char *vec = slurp("vec.txt");
    ck_assert_ptr_nonnull(strstr(vec, "\n\xff\xfe "));
    free(vec);
    free(vocab);
    free(err);
    free(path);
}
END_TEST

/* gzip member of text appended to f */
static void gz_member(FILE *f, const char *text, size_t len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    uLong bound = deflateBound(&z, (uLong)len);
    unsigned char *b = malloc(bound);
    ck_assert_ptr_nonnull(b);
    z.next_in = (unsigned char *)text;
    z.avail_in = (uInt)len;
    z.next_out = b;
    z.avail_out = (uInt)bound;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = bound - z.avail_out;
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    deflateEnd(&z);
    free(b);
}

/* text repeated n times, as one string */
static char *repeated(const char *text, int n)
{
    size_t len = strlen(text);
    char *s = malloc(len * (size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < n; i++)
        memcpy(s + len * (size_t)i, text, len);
    s[len * (size_t)n] = '\0';
    return s;
}

START_TEST(corpus_gzip_with_trailing_garbage)
{
    char *path = tu_path(tu_dir, "junk.gz");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    char *text = repeated("alpha beta\n", 30);
    gz_member(f, text, strlen(text));
    fputs("this is not gzip", f);
    ck_assert_int_eq(fclose(f), 0);
    char *err = NULL, input[4200];
    snprintf(input, sizeof input, "'%s'", path);
    ck_assert_int_eq(train_on(input, &err), 1);
    ck_assert_msg(strstr(err, "unexpected bytes after the gzip data") != NULL, "stderr: %s", err);
    ck_assert_msg(strstr(err, path) != NULL, "stderr: %s", err);
    ck_assert(!exists("vec.txt") && !exists("vocab.txt"));
    free(err);
    free(text);
    free(path);
}
END_TEST

START_TEST(corpus_gzip_members_are_all_read)
{
    char *path = tu_path(tu_dir, "multi.gz");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    char *a = repeated("alpha beta\n", 30), *b = repeated("gamma delta\n", 20);
    gz_member(f, a, strlen(a));
    gz_member(f, "", 0); /* an empty member in between is valid too */
    gz_member(f, b, strlen(b));
    ck_assert_int_eq(fclose(f), 0);
    char *err = NULL, input[4200];
    snprintf(input, sizeof input, "'%s'", path);
    ck_assert_msg(train_on(input, &err) == 0, "stderr: %s", err);
    char *vocab = slurp("vocab.txt");
    ck_assert_str_eq(vocab, "</s> 50\nalpha 30\nbeta 30\ndelta 20\ngamma 20\n");
    free(vocab);
    free(err);
    free(a);
    free(b);
    free(path);
}
END_TEST

START_TEST(corpus_stdin_empty)
{
    char *err = NULL;
    /* an empty file of our own: the machine's /dev/null is shared */
    char *empty = write_bytes("empty", "", 0), input[4200];
    snprintf(input, sizeof input, "- < '%s'", empty);
    free(empty);
    int rc = train_on(input, &err);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "theta train: standard input is empty") != NULL, "stderr: %s", err);
    ck_assert(!exists("vec.txt") && !exists("vocab.txt"));
    free(err);
}
END_TEST

START_TEST(corpus_stdin_closed)
{
    char *err = NULL;
    ck_assert_int_eq(train_on("- <&-", &err), 1);
    ck_assert_msg(strstr(err, "theta train: standard input is closed") != NULL, "stderr: %s", err);
    ck_assert(!exists("vec.txt") && !exists("vocab.txt"));
    free(err);
}
END_TEST

START_TEST(corpus_100mb_single_line_in_bounded_memory)
{
    /* one line, no newline at all: 100,000 words of 999 bytes (cut to
     * THETA_MAX_WORD), 10 distinct ones after the cut */
    enum { WORD = 999, WORDS = 100000, DISTINCT = 10 };
    char *path = tu_path(tu_dir, "line.txt");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    char w[WORD + 1];
    memset(w, 'x', WORD);
    w[WORD] = ' ';
    for (int i = 0; i < WORDS; i++) {
        w[0] = (char)('a' + i % DISTINCT);
        ck_assert_uint_eq(fwrite(w, 1, sizeof w, f), sizeof w);
    }
    ck_assert_int_eq(fclose(f), 0);
    char *vocab = tu_path(tu_dir, "vocab.txt");
    long peak_kb = 0;
    char *err = NULL;
    /* 256 MB of address space (ulimit -v) for a 100 MB line */
    int rc = tu_run_limited(UNDER_SANITIZER ? 0 : 256, &peak_kb, NULL, &err,
                            TRAIN " --input '%s' --save-vocab '%s'", path, vocab);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    char *v = tu_read_file(vocab, NULL);
    ck_assert_ptr_nonnull(v);
    /* </s> 0, then the 10 words of 100 bytes, 10,000 times each */
    int lines = 0;
    for (char *p = v; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    ck_assert_int_eq(lines, 1 + DISTINCT);
    char want[THETA_MAX_WORD + 16];
    memset(want, 'x', THETA_MAX_WORD);
    want[0] = 'a';
    snprintf(want + THETA_MAX_WORD, 16, " %d\n", WORDS / DISTINCT);
    ck_assert_msg(strstr(v, want) != NULL, "vocabulary: %.300s", v);
    /* streaming: far less resident memory than the line (sanitizers add
     * their shadow and quarantine) */
    long max_kb = UNDER_SANITIZER ? 64 * 1024 : 32 * 1024; /* measured: 3.3 MB, 11 MB (ASan) */
    /* over 2 MB: the samples saw theta, not only the shell before it */
    ck_assert_msg(peak_kb > 2048 && peak_kb < max_kb, "peak RSS %ld KB", peak_kb);
    free(v);
    free(err);
    free(vocab);
    free(path);
}
END_TEST

/* ---- outputs that are not regular files --------------------------------- */

static int is_char_device(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0 && S_ISCHR(sb.st_mode);
}

START_TEST(output_to_a_device_keeps_the_device)
{
    /* regression: `theta train --output /dev/null` as root renamed a
     * temporary file over /dev/null, leaving a regular file there for every
     * process on the machine. A null device of our own stands in for it. */
    char *dev = tu_path(tu_dir, "null");
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0) {
        /* no CAP_MKNOD here (not root, or a container): nothing to check */
        ck_assert_int_eq(errno, EPERM);
        free(dev);
        return;
    }
    char *corpus = write_bytes("c.txt", "a b c a b\nb c a\n", (size_t)-1);
    char *err = NULL;
    int rc = tu_run(NULL, &err, TRAIN " --input '%s' --output '%s' --save-model '%s' --save-vocab '%s'",
                    corpus, dev, dev, dev);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(is_char_device(dev), "the device was replaced");
    free(err);
    free(corpus);
    free(dev);
}
END_TEST

START_TEST(output_through_a_symlink_keeps_the_link)
{
    char *target = tu_path(tu_dir, "target.txt"), *link = tu_path(tu_dir, "link.txt");
    tu_write_file(target, "old", (size_t)-1);
    ck_assert_int_eq(symlink(target, link), 0);
    char *corpus = write_bytes("c.txt", "a b c a b\nb c a\n", (size_t)-1);
    char *err = NULL;
    int rc = tu_run(NULL, &err, TRAIN " --input '%s' --output '%s'", corpus, link);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    struct stat sb;
    ck_assert_int_eq(lstat(link, &sb), 0);
    ck_assert_msg(S_ISLNK(sb.st_mode), "the link was replaced by a file");
    char *text = tu_read_file(target, NULL);
    ck_assert_int_eq(strncmp(text, "4 8\n", 4), 0);
    free(text);
    free(err);
    free(corpus);
    free(target);
    free(link);
}
END_TEST

Suite *hostile_cli_suite(void)
{
    Suite *s = suite_create("hostile_cli");
    TCase *corpora = tcase_create("corpora");
    tcase_set_timeout(corpora, 60);
    tcase_add_checked_fixture(corpora, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(corpora, corpus_empty_file);
    tcase_add_test(corpora, corpus_only_crlf);
    tcase_add_test(corpora, corpus_single_word);
    tcase_add_test(corpora, corpus_nul_bytes_separate_words);
    tcase_add_test(corpora, corpus_invalid_utf8_is_kept_as_bytes);
    tcase_add_test(corpora, corpus_gzip_with_trailing_garbage);
    tcase_add_test(corpora, corpus_gzip_members_are_all_read);
    tcase_add_test(corpora, corpus_stdin_empty);
    tcase_add_test(corpora, corpus_stdin_closed);
    tcase_add_test(corpora, corpus_100mb_single_line_in_bounded_memory);
    suite_add_tcase(s, corpora);
    TCase *outputs = tcase_create("outputs");
    tcase_set_timeout(outputs, 30);
    tcase_add_checked_fixture(outputs, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(outputs, output_to_a_device_keeps_the_device);
    tcase_add_test(outputs, output_through_a_symlink_keeps_the_link);
    suite_add_tcase(s, outputs);
    return s;
}
