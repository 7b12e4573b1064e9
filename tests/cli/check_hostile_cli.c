/*
 * check_hostile_cli.c — odd corpora through `theta train`: empty, one word,
 * a 100 MB line (memory stays bounded), only CRLFs, NUL bytes, invalid
 * UTF-8, gzip with trailing junk, several gzip members, and an empty or
 * closed standard input; outputs that are a device or a symlink. Inputs are
 * never destroyed: an output that names an input or another output is
 * refused (train, export); a FIFO, a /dev/fd/N pipe and several files work
 * as a corpus, and a spool leaves nothing in $TMPDIR, even after SIGKILL. The
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

/* ---- no output may name an input; inputs of every kind ------------------ */

#define TRAIN1 "train --dim 8 --epochs 2 --threads 1 --seed 7 --min-count 1 --quiet"

/* A small corpus of its own: a few hundred lines over 40 words, ending with
 * a newline. */
static char *small_corpus(const char *name, int lines, unsigned seed)
{
    char *p = tu_path(tu_dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    unsigned x = seed;
    for (int i = 0; i < lines; i++) {
        for (int w = 0; w < 8; w++) {
            x = x * 1103515245u + 12345u;
            fprintf(f, "%sw%u", w ? " " : "", (x >> 16) % 40);
        }
        fputc('\n', f);
    }
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

/* The refusal of a clash: exit 2, one line on stderr that starts with
 * "theta CMD: " and holds want, and the file's bytes as they were. */
static void expect_clash(int rc, const char *err, const char *cmd, const char *want,
                         const char *path, const char *before, size_t before_len)
{
    ck_assert_msg(rc == 2, "exit %d: %s", rc, err);
    char head[64];
    snprintf(head, sizeof head, "theta %s: ", cmd);
    ck_assert_msg(strncmp(err, head, strlen(head)) == 0, "stderr: %s", err);
    ck_assert_msg(strstr(err, want) != NULL, "stderr: %s\nwanted: %s", err, want);
    ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "not one line: %s", err);
    size_t n;
    char *now = tu_read_file(path, &n);
    ck_assert_ptr_nonnull(now);
    ck_assert_msg(n == before_len && memcmp(now, before, n) == 0, "%s changed", path);
    free(now);
}

START_TEST(train_output_names_the_corpus)
{
    char *c = small_corpus("c.txt", 50, 1);
    size_t n;
    char *before = tu_read_file(c, &n);
    char *err = NULL, want[4400];
    int rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --output '%s'", c, c);
    snprintf(want, sizeof want, "--output names the same file as --input: %s (refusing to "
                                "overwrite an input)", c);
    expect_clash(rc, err, "train", want, c, before, n);
    free(err);
    /* the same through another spelling: a/../c.txt, and through a hard link */
    char *sub = tu_path(tu_dir, "sub"), *other = tu_path(tu_dir, "sub/../c.txt");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --save-vocab '%s'", c, other);
    snprintf(want, sizeof want, "--save-vocab %s names the same file as --input %s", other, c);
    expect_clash(rc, err, "train", want, c, before, n);
    free(err);
    char *hard = tu_path(tu_dir, "hard.txt");
    ck_assert_int_eq(link(c, hard), 0);
    const char *opts[] = {"--output-context", "--save-model", "--checkpoint", "--log-json"};
    for (size_t k = 0; k < sizeof opts / sizeof *opts; k++) {
        rc = tu_run(NULL, &err, TRAIN1 " --input '%s' %s '%s'", c, opts[k], hard);
        snprintf(want, sizeof want, "%s %s names the same file as --input %s", opts[k], hard, c);
        expect_clash(rc, err, "train", want, c, before, n);
        free(err);
    }
    free(hard);
    free(sub);
    free(other);
    free(before);
    free(c);
}
END_TEST

START_TEST(train_output_is_a_symlink_to_the_corpus)
{
    char *c = small_corpus("c.txt", 50, 2), *l = tu_path(tu_dir, "link.txt");
    ck_assert_int_eq(symlink(c, l), 0);
    size_t n;
    char *before = tu_read_file(c, &n);
    char *err = NULL, want[4400];
    int rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --output '%s'", c, l);
    snprintf(want, sizeof want, "--output %s names the same file as --input %s", l, c);
    expect_clash(rc, err, "train", want, c, before, n);
    struct stat sb;
    ck_assert_int_eq(lstat(l, &sb), 0);
    ck_assert(S_ISLNK(sb.st_mode));
    free(err);
    free(before);
    free(l);
    free(c);
}
END_TEST

START_TEST(train_two_outputs_name_one_file)
{
    char *c = small_corpus("c.txt", 50, 3), *v = tu_path(tu_dir, "v.x");
    size_t n;
    char *before = tu_read_file(c, &n);
    char *err = NULL, want[4400];
    int rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --output '%s' --save-model '%s'", c, v, v);
    snprintf(want, sizeof want, "--output and --save-model name the same file: %s (one would "
                                "overwrite the other)", v);
    expect_clash(rc, err, "train", want, c, before, n);
    ck_assert(!exists("v.x"));
    free(err);
    /* a link to a file not yet written is that file */
    char *l = tu_path(tu_dir, "to-w.x"), *w = tu_path(tu_dir, "w.x");
    ck_assert_int_eq(symlink("w.x", l), 0);
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --output '%s' --output-context '%s'", c, w, l);
    snprintf(want, sizeof want, "--output %s and --output-context %s name the same file", w, l);
    expect_clash(rc, err, "train", want, c, before, n);
    free(err);
    /* /dev/null is no clash: vectors and model both thrown away */
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --output /dev/null --save-model /dev/null", c);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    /* --resume FILE --checkpoint FILE continues in place */
    char *ck = tu_path(tu_dir, "ck.theta");
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --checkpoint '%s' --stop-after-words 200", c, ck);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    rc = tu_run(NULL, &err, "train --quiet --input '%s' --resume '%s' --checkpoint '%s'", c, ck, ck);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    /* but not --output over the checkpoint it resumes */
    size_t ckn;
    char *ckb = tu_read_file(ck, &ckn);
    rc = tu_run(NULL, &err, "train --quiet --input '%s' --resume '%s' --output '%s'", c, ck, ck);
    snprintf(want, sizeof want, "--output names the same file as --resume: %s", ck);
    expect_clash(rc, err, "train", want, ck, ckb, ckn);
    free(err);
    free(ckb);
    free(ck);
    free(l);
    free(w);
    free(before);
    free(v);
    free(c);
}
END_TEST

START_TEST(export_output_names_the_model)
{
    char *c = small_corpus("c.txt", 50, 4), *m = tu_path(tu_dir, "model.theta");
    char *err = NULL, want[4400];
    int rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --save-model '%s'", c, m);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    size_t n;
    char *before = tu_read_file(m, &n);
    rc = tu_run(NULL, &err, "export '%s' --format txt -o '%s'", m, m);
    snprintf(want, sizeof want, "-o names the same file as the input FILE: %s (refusing to "
                                "overwrite an input)", m);
    expect_clash(rc, err, "export", want, m, before, n);
    free(err);
    /* the words file of npy, too */
    char *npy = tu_path(tu_dir, "v.npy");
    rc = tu_run(NULL, &err, "export '%s' -o '%s' --words '%s'", m, npy, m);
    snprintf(want, sizeof want, "--words names the same file as the input FILE: %s", m);
    expect_clash(rc, err, "export", want, m, before, n);
    ck_assert(!exists("v.npy"));
    free(err);
    rc = tu_run(NULL, &err, "export '%s' -o '%s' --words '%s'", m, npy, npy);
    snprintf(want, sizeof want, "-o and --words name the same file: %s", npy);
    expect_clash(rc, err, "export", want, m, before, n);
    free(err);
    rc = tu_run(NULL, &err, "export '%s' -o /dev/null", m);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    free(npy);
    free(before);
    free(m);
    free(c);
}
END_TEST

/* Starts a writer of path's bytes into fifo (as `cat path > fifo &`). */
static pid_t feed_fifo(const char *fifo, const char *path)
{
    size_t n;
    char *b = tu_read_file(path, &n);
    ck_assert_ptr_nonnull(b);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        FILE *f = fopen(fifo, "wb");
        _exit(f && fwrite(b, 1, n, f) == n && fclose(f) == 0 ? 0 : 1);
    }
    free(b);
    return pid;
}

static void same_bytes(const char *a, const char *b)
{
    size_t na, nb;
    char *x = tu_read_file(a, &na), *y = tu_read_file(b, &nb);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    ck_assert_msg(na == nb && memcmp(x, y, na) == 0, "%s and %s differ", a, b);
    free(x);
    free(y);
}

START_TEST(train_on_a_fifo_with_two_epochs)
{
    char *c = small_corpus("c.txt", 300, 5), *fifo = tu_path(tu_dir, "fifo");
    char *want = tu_path(tu_dir, "want.txt"), *got = tu_path(tu_dir, "got.txt");
    char *fd3 = tu_path(tu_dir, "fd3.txt"), *tmp = tu_path(tu_dir, "tmp");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    char *err = NULL;
    int rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --output '%s'", c, want);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    pid_t pid = feed_fifo(fifo, c);
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --output '%s'", fifo, got);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    same_bytes(want, got);
    /* a /dev/fd/N path, as `--input <(zcat a.gz)` gives: a pipe on descriptor 3 */
    pid = feed_fifo(fifo, c);
    rc = tu_run(NULL, &err, TRAIN1 " --input /dev/fd/3 --output '%s' 3< '%s'", fd3, fifo);
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    same_bytes(want, fd3);
    /* a real process substitution, where a shell has them */
    if (access("/bin/bash", X_OK) == 0) {
        char *ps = tu_path(tu_dir, "ps.txt");
        char cmd[13000];
        snprintf(cmd, sizeof cmd, "/bin/bash -c \"'%s' " TRAIN1 " --input <(cat '%s') "
                                  "--output '%s'\"", tu_theta_bin(), c, ps);
        ck_assert_int_eq(system(cmd), 0);
        same_bytes(want, ps);
        free(ps);
    }
    /* the summary reports the spool's size; $TMPDIR holds nothing afterwards */
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TMPDIR", tmp, 1);
    pid = feed_fifo(fifo, c);
    rc = tu_run(NULL, &err, "train --dim 8 --epochs 2 --threads 1 --min-count 1 --input '%s' "
                            "--output /dev/null", fifo);
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    size_t n;
    free(tu_read_file(c, &n));
    char line[4400];
    snprintf(line, sizeof line, "spooled %s (%.1f MB) to a file without a name in $TMPDIR", fifo,
             (double)n / 1e6);
    ck_assert_msg(strstr(err, line) != NULL, "stderr: %s\nwanted: %s", err, line);
    free(err);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tmp);
    ck_assert_int_eq(system(cmd), 0);
    /* one pass (a vocabulary read, one epoch) reads the FIFO as it comes */
    char *vocab = tu_path(tu_dir, "vocab.txt");
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --save-vocab '%s'", c, vocab);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    pid = feed_fifo(fifo, c);
    rc = tu_run(NULL, &err, "train --dim 8 --epochs 1 --min-count 1 --input '%s' --read-vocab "
                            "'%s' --output /dev/null", fifo, vocab);
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "spooled") == NULL, "stderr: %s", err);
    ck_assert_msg(strstr(err, "epoch 1/1 done") != NULL, "stderr: %s", err);
    free(err);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    free(vocab);
    free(tmp);
    free(fd3);
    free(want);
    free(got);
    free(fifo);
    free(c);
}
END_TEST

/* A run killed (SIGKILL: no handler runs) while it trains on a spooled
 * FIFO leaves nothing in $TMPDIR, and neither does SIGTERM. */
START_TEST(spool_is_gone_after_a_signal)
{
    char *c = small_corpus("c.txt", 20000, 6), *fifo = tu_path(tu_dir, "fifo");
    char *tmp = tu_path(tu_dir, "tmp"), *log = tu_path(tu_dir, "err.txt");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    const int sigs[] = {SIGTERM, SIGKILL};
    for (int k = 0; k < 2; k++) {
        pid_t feeder = feed_fifo(fifo, c);
        fflush(NULL);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            setenv("TMPDIR", tmp, 1);
            if (!freopen(log, "w", stderr))
                _exit(127);
            execl(tu_theta_bin(), "theta", "train", "--dim", "50", "--epochs", "1000",
                  "--threads", "1", "--min-count", "1", "--input", fifo, "--output", "/dev/null",
                  (char *)NULL);
            _exit(127);
        }
        /* wait until training runs (the spool is complete: the feeder is done) */
        int ws;
        ck_assert_int_eq(waitpid(feeder, &ws, 0), feeder);
        for (int i = 0; i < 200; i++) {
            char *text = tu_read_file(log, NULL);
            int started = text && strstr(text, "model:") != NULL;
            free(text);
            if (started)
                break;
            usleep(20000);
        }
        char cmd[4300];
        snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tmp);
        ck_assert_msg(system(cmd) == 0, "a spool file has a name in $TMPDIR while training");
        ck_assert_int_eq(kill(pid, sigs[k]), 0);
        ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
        ck_assert(WIFSIGNALED(ws) || WIFEXITED(ws));
        ck_assert_msg(system(cmd) == 0, "signal %d left a file in $TMPDIR", sigs[k]);
    }
    free(log);
    free(tmp);
    free(fifo);
    free(c);
}
END_TEST

START_TEST(train_on_two_files_equals_their_concatenation)
{
    char *a = small_corpus("a.txt", 200, 7), *b = small_corpus("b.txt", 150, 8);
    char *ab = tu_path(tu_dir, "ab.txt"), *bgz = tu_path(tu_dir, "b.txt.gz");
    char cmd[13000];
    snprintf(cmd, sizeof cmd, "cat '%s' '%s' > '%s' && gzip -c '%s' > '%s'", a, b, ab, b, bgz);
    ck_assert_int_eq(system(cmd), 0);
    char *want = tu_path(tu_dir, "want.txt"), *got = tu_path(tu_dir, "got.txt");
    char *gz = tu_path(tu_dir, "gz.txt"), *in = tu_path(tu_dir, "stdin.txt");
    char *err = NULL;
    int rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --output '%s'", ab, want);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' '%s' --output '%s'", a, b, got);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    same_bytes(want, got);
    /* gzip and standard input among them */
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' '%s' --output '%s'", a, bgz, gz);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    same_bytes(want, gz);
    rc = tu_run(NULL, &err, TRAIN1 " --input - '%s' --output '%s' < '%s'", b, in, a);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    same_bytes(want, in);
    /* standard input at most once */
    rc = tu_run(NULL, &err, TRAIN1 " --input - '%s' - < '%s'", b, a);
    ck_assert_msg(rc == 2 && strstr(err, "standard input") != NULL, "exit %d: %s", rc, err);
    free(err);
    /* and the output may not be any of them */
    size_t n;
    char *before = tu_read_file(b, &n);
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' '%s' --output '%s'", a, b, b);
    char line[4400];
    snprintf(line, sizeof line, "--output names the same file as --input: %s", b);
    expect_clash(rc, err, "train", line, b, before, n);
    free(err);
    free(before);
    free(in);
    free(gz);
    free(want);
    free(got);
    free(ab);
    free(bgz);
    free(a);
    free(b);
}
END_TEST

START_TEST(train_missing_second_file_is_named_first)
{
    char *a = small_corpus("a.txt", 100, 9), *missing = tu_path(tu_dir, "nope.txt");
    char *vocab = tu_path(tu_dir, "vocab.txt");
    char *err = NULL;
    int rc = tu_run(NULL, &err, "train --dim 8 --min-count 1 --input '%s' '%s' --save-vocab '%s'",
                    a, missing, vocab);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, err);
    char want[4400];
    snprintf(want, sizeof want, "theta train: %s: cannot open: No such file or directory\n",
             missing);
    /* the only line: refused before the vocabulary was counted */
    ck_assert_str_eq(err, want);
    ck_assert(!exists("vocab.txt"));
    free(err);
    free(vocab);
    free(missing);
    free(a);
}
END_TEST

START_TEST(resume_refuses_another_order)
{
    char *a = small_corpus("a.txt", 200, 10), *b = small_corpus("b.txt", 200, 11);
    char *ck = tu_path(tu_dir, "ck.theta");
    char *err = NULL;
    int rc = tu_run(NULL, &err, TRAIN1 " --input '%s' '%s' --checkpoint '%s' "
                                       "--stop-after-words 500", a, b, ck);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    size_t n;
    char *before = tu_read_file(ck, &n);
    rc = tu_run(NULL, &err, "train --quiet --input '%s' '%s' --resume '%s'", b, a, ck);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "give the same files in the same order") != NULL, "stderr: %s", err);
    free(err);
    rc = tu_run(NULL, &err, "train --quiet --input '%s' --resume '%s'", a, ck);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "read 2 input files, this one 1") != NULL, "stderr: %s", err);
    free(err);
    size_t m;
    char *after = tu_read_file(ck, &m);
    ck_assert(m == n && memcmp(before, after, n) == 0);
    /* the same order resumes, to the vectors of an uninterrupted run */
    char *v1 = tu_path(tu_dir, "v1.txt"), *v2 = tu_path(tu_dir, "v2.txt");
    rc = tu_run(NULL, &err, "train --quiet --input '%s' '%s' --resume '%s' --output '%s'", a, b,
                ck, v1);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' '%s' --output '%s'", a, b, v2);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    same_bytes(v1, v2);
    free(v1);
    free(v2);
    free(after);
    free(before);
    free(ck);
    free(a);
    free(b);
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
    TCase *inputs = tcase_create("inputs");
    tcase_add_checked_fixture(inputs, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(inputs, export_output_names_the_model);
    tcase_add_test(inputs, train_output_names_the_corpus);
    tcase_add_test(inputs, train_output_is_a_symlink_to_the_corpus);
    tcase_add_test(inputs, train_two_outputs_name_one_file);
    tcase_add_test(inputs, train_on_a_fifo_with_two_epochs);
    tcase_add_test(inputs, spool_is_gone_after_a_signal);
    tcase_add_test(inputs, train_on_two_files_equals_their_concatenation);
    tcase_add_test(inputs, train_missing_second_file_is_named_first);
    tcase_add_test(inputs, resume_refuses_another_order);
    tcase_set_timeout(inputs, 60);
    suite_add_tcase(s, inputs);
    return s;
}
