/*
 * check_hostile.c — files made to hurt: model and vector files whose
 * headers claim 2^40 rows, negative dimensions, sizes whose product
 * overflows size_t, words without an end, a file that stops inside a
 * vector. Each must be refused with a message, fast, and without
 * allocating more than a small budget (the load runs in a forked child
 * under RLIMIT_AS, like `ulimit -v`). Then odd corpora through
 * `theta train`: empty, one word, a 100 MB line (memory stays bounded),
 * only CRLFs, NUL bytes, invalid UTF-8, gzip with trailing junk, several
 * gzip members, and an empty or closed standard input.
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

#define BUDGET_MB 16     /* what a load of a small hostile file may allocate */
#define FAST_SECONDS 0.5 /* "well under a second" */

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

/* ---- loading in a child with a memory budget ---------------------------- */

enum { LOAD_MODEL, LOAD_VECTORS, LOAD_VOCAB };

typedef struct {
    int limited;      /* RLIMIT_AS was set and a larger malloc was refused */
    theta_status status; /* of the load */
    int wrote_output; /* the out-parameter changed on failure */
    double seconds;
    char message[512];
} probe;

/* Virtual memory of this process in MB (/proc/self/statm, first field). */
static long vm_size_mb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0;
    if (f) {
        if (fscanf(f, "%ld", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

static void child_load(int kind, const char *path, int fd)
{
    probe p;
    memset(&p, 0, sizeof p);
    if (!UNDER_SANITIZER) {
        rlim_t cap = (rlim_t)(vm_size_mb() + BUDGET_MB) << 20;
        struct rlimit rl = {cap, cap};
        if (setrlimit(RLIMIT_AS, &rl) == 0) {
            /* the control: the limit really bites at twice the budget */
            void *big = malloc((size_t)2 * BUDGET_MB << 20);
            p.limited = big == NULL;
            free(big);
        }
    }
    double t0 = theta_now();
    void *sentinel = &p, *out = sentinel;
    if (kind == LOAD_MODEL)
        p.status = theta_model_load(path, (theta_model **)&out);
    else if (kind == LOAD_VECTORS)
        p.status = theta_vectors_load(path, (theta_vectors **)&out);
    else
        p.status = theta_vocab_load(path, 1, 0, (theta_vocab **)&out);
    p.seconds = theta_now() - t0;
    p.wrote_output = p.status != THETA_OK && out != sentinel;
    snprintf(p.message, sizeof p.message, "%s", theta_last_error());
    ssize_t n = write(fd, &p, sizeof p);
    _exit(n == (ssize_t)sizeof p ? 0 : 3);
}

/* Loads path in a forked child; the child must exit normally. */
static probe load_limited(int kind, const char *path)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        child_load(kind, path, fds[1]);
    }
    close(fds[1]);
    probe p;
    size_t got = 0;
    while (got < sizeof p) {
        ssize_t n = read(fds[0], (char *)&p + got, sizeof p - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fds[0]);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "the loader crashed (wait status %#x)",
                  ws);
    ck_assert_uint_eq(got, sizeof p);
    return p;
}

/* The file at path must be refused: status want, a one-line message naming
 * the file and containing needle, in under FAST_SECONDS, within the budget. */
static void expect_refused(int kind, const char *path, theta_status want, const char *needle)
{
    probe p = load_limited(kind, path);
    ck_assert_msg(p.status == want, "%s: status %d, wanted %d: %s", path, p.status, want,
                  p.message);
    ck_assert_msg(!p.wrote_output, "output written on failure");
    ck_assert_msg(strstr(p.message, path) != NULL, "message lacks the path: %s", p.message);
    ck_assert_msg(strstr(p.message, needle) != NULL, "message '%s' lacks '%s'", p.message, needle);
    ck_assert_ptr_null(strchr(p.message, '\n'));
    ck_assert_msg(p.seconds < FAST_SECONDS, "took %.3f s", p.seconds);
    if (!UNDER_SANITIZER)
        ck_assert_msg(p.limited, "the memory limit was not in force");
}

static char *write_bytes(const char *name, const void *data, size_t len)
{
    char *p = tu_path(dir, name);
    tu_write_file(p, data, len);
    return p;
}

/* ---- model files ---------------------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* A valid model file (3 words + </s>, dim 4, ns), malloc'ed. */
static unsigned char *valid_model(size_t *len)
{
    theta_vocab *v = theta_vocab_new();
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(theta_vocab_add(v, "alpha", 5, 9), THETA_OK);
    ck_assert_int_eq(theta_vocab_add(v, "beta", 4, 7), THETA_OK);
    ck_assert_int_eq(theta_vocab_add(v, "gamma", 5, 5), THETA_OK);
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    theta_config c = theta_config_default();
    c.dim = 4;
    c.threads = 1;
    theta_model *m;
    ck_assert_int_eq(theta_model_new(&c, v, &m), THETA_OK);
    char *path = tu_path(dir, "valid.theta");
    ck_assert_int_eq(theta_model_save(m, path), THETA_OK);
    theta_model_free(m);
    unsigned char *b = (unsigned char *)tu_read_file(path, len);
    ck_assert_ptr_nonnull(b);
    free(path);
    return b;
}

/* Offset of the payload of section tag; its length in *plen. */
static size_t section(const unsigned char *b, size_t n, const char *tag, uint64_t *plen)
{
    size_t pos = 16;
    while (pos + 12 <= n) {
        uint64_t len = get_u64(b + pos + 4);
        if (memcmp(b + pos, tag, 4) == 0) {
            *plen = len;
            return pos + 12;
        }
        pos += 12 + (size_t)len + 4;
    }
    ck_abort_msg("no section %s", tag);
    return 0;
}

/* Recomputes the CRC of section tag, so only the crafted values are wrong. */
static void fix_crc(unsigned char *b, size_t n, const char *tag)
{
    uint64_t len;
    size_t off = section(b, n, tag, &len);
    put_u32(b + off + len, (uint32_t)crc32(0, b + off, (uInt)len));
}

START_TEST(model_valid_file_loads_within_the_budget)
{
    /* the control for the cases below: a sound file passes the same probe */
    size_t n;
    unsigned char *b = valid_model(&n);
    char *path = write_bytes("m.theta", b, n);
    probe p = load_limited(LOAD_MODEL, path);
    ck_assert_msg(p.status == THETA_OK, "%s", p.message);
    ck_assert(p.seconds < FAST_SECONDS);
    free(path);
    free(b);
}
END_TEST

START_TEST(model_matrix_claims_2_pow_40_rows)
{
    size_t n;
    unsigned char *b = valid_model(&n);
    uint64_t len;
    size_t off = section(b, n, "MATI", &len);
    put_u64(b + off, (uint64_t)1 << 40);
    fix_crc(b, n, "MATI");
    char *path = write_bytes("rows.theta", b, n);
    expect_refused(LOAD_MODEL, path, THETA_EFORMAT, "1099511627776 x 4");
    free(path);
    free(b);
}
END_TEST

START_TEST(model_section_claims_2_pow_40_bytes)
{
    size_t n;
    unsigned char *b = valid_model(&n);
    uint64_t len;
    size_t off = section(b, n, "VOCB", &len);
    put_u64(b + off - 8, (uint64_t)1 << 40);
    char *path = write_bytes("section.theta", b, n);
    expect_refused(LOAD_MODEL, path, THETA_EFORMAT, "past the end");
    free(path);
    free(b);
}
END_TEST

START_TEST(model_vocabulary_claims_4_billion_words)
{
    size_t n;
    unsigned char *b = valid_model(&n);
    uint64_t len;
    size_t off = section(b, n, "VOCB", &len);
    put_u32(b + off, UINT32_MAX);
    fix_crc(b, n, "VOCB");
    char *path = write_bytes("words.theta", b, n);
    expect_refused(LOAD_MODEL, path, THETA_EFORMAT, "does not fit");
    free(path);
    free(b);
}
END_TEST

START_TEST(model_negative_dim)
{
    size_t n;
    unsigned char *b = valid_model(&n);
    uint64_t len;
    size_t off = section(b, n, "CONF", &len);
    put_u32(b + off + 8, (uint32_t)-5); /* CONF: arch, loss, dim */
    fix_crc(b, n, "CONF");
    char *path = write_bytes("dim.theta", b, n);
    expect_refused(LOAD_MODEL, path, THETA_EFORMAT, "dim must be");
    free(path);
    free(b);
}
END_TEST

START_TEST(model_rows_times_dim_overflows)
{
    /* rows x dim x 4 bytes is 2^62 x 4 x 4: wraps around size_t */
    size_t n;
    unsigned char *b = valid_model(&n);
    uint64_t len;
    size_t off = section(b, n, "MATO", &len);
    put_u64(b + off, (uint64_t)1 << 62);
    fix_crc(b, n, "MATO");
    char *path = write_bytes("overflow.theta", b, n);
    expect_refused(LOAD_MODEL, path, THETA_EFORMAT, "4611686018427387904 x 4");
    free(path);
    free(b);
}
END_TEST

START_TEST(model_word_runs_past_its_section)
{
    size_t n;
    unsigned char *b = valid_model(&n);
    uint64_t len;
    size_t off = section(b, n, "VOCB", &len);
    /* entry 0 is </s>: 4 + 4 bytes + count 8; entry 1's length follows */
    ck_assert_int_eq(memcmp(b + off + 8, "</s>", 4), 0);
    put_u32(b + off + 4 + 16, 0x7fffffff);
    fix_crc(b, n, "VOCB");
    char *path = write_bytes("word.theta", b, n);
    expect_refused(LOAD_MODEL, path, THETA_EFORMAT, "bad length");
    free(path);
    free(b);
}
END_TEST

START_TEST(model_ends_inside_a_vector)
{
    size_t n;
    unsigned char *b = valid_model(&n);
    uint64_t len;
    size_t off = section(b, n, "MATO", &len);
    size_t cut = off + 12 + 4 * 4 + 6; /* 1.5 rows into the output matrix */
    char *path = write_bytes("cut.theta", b, cut);
    expect_refused(LOAD_MODEL, path, THETA_EFORMAT, "past the end");
    free(path);
    free(b);
}
END_TEST

/* ---- vector files ------------------------------------------------------- */

static const char *const vector_files[][3] = {
    /* name, content, what the message says */
    {"rows.txt", "1099511627776 4\nw 1 2 3 4\n", "1099511627776 x 4"},
    {"million.txt", "1000000 4\nw 1 2 3 4\n", "1000000 x 4"}, /* 16 MB: over the budget too */
    {"rows.bin", "1099511627776 2\nw \x01\x02\x03\x04\x05\x06\x07\x08\n", "1099511627776 x 2"},
    {"negative-dim.txt", "3 -5\nw 1\n", "bad dimension"},
    {"negative-rows.txt", "-3 5\nw 1 2 3 4 5\n", "bad vector count"},
    {"huge-dim.txt", "2 4611686018427387904\nw 1\n", "bad dimension"},
    /* 2^61 x 2^30 x 4 bytes wraps size_t around to 2^93 mod 2^64 = 0 */
    {"overflow.txt", "2305843009213693952 1073741824\nw 1 2\n", "2305843009213693952 x 1073741824"},
    {"overflow-count.txt", "99999999999999999999999 4\nw 1 2 3 4\n", "bad vector count"},
    /* fewer bytes than the header's rows need at the least: refused before reading */
    {"short-text.txt", "3 3\nw1 1 2 3\nw2 1 2 3\n", "can hold as text"},
    {"short.bin", "2 3\nw1 \x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\n", "can hold as binary"},
    /* enough bytes, but the text stops inside a row or after too few rows */
    {"cut-text.txt", "2 3\nw1 1.000000 2.000000 3.000000\nw2 1.000000 2.000000", "expected 3 values"},
    {"cut-text-rows.txt", "3 3\nw1 1.000000 2.000000 3.000000\nw2 1.000000 2.000000 3.000000\n",
     "file ends after 2"},
};

START_TEST(vectors_hostile_header_or_body)
{
    const char *const *c = vector_files[_i];
    char *path = write_bytes(c[0], c[1], strlen(c[1]));
    expect_refused(LOAD_VECTORS, path, THETA_EFORMAT, c[2]);
    free(path);
}
END_TEST

START_TEST(vectors_binary_word_without_terminator)
{
    /* a word that never meets its space: 64 KB of letters, then the end */
    size_t n = 64 * 1024;
    char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    memcpy(b, "2 3\n", 4);
    memset(b + 4, 'x', n - 4);
    char *path = write_bytes("word.bin", b, n);
    expect_refused(LOAD_VECTORS, path, THETA_EFORMAT, "ends inside the word");
    free(path);
    free(b);
}
END_TEST

START_TEST(vectors_binary_ends_inside_a_vector)
{
    /* record 1 complete, record 2 has 5 of its 12 bytes (long words, so
     * the size check before reading lets it through) */
    unsigned char b[64];
    size_t n = 0;
    memcpy(b, "2 3\nword_one ", 13);
    n = 13;
    for (int i = 0; i < 12; i++)
        b[n++] = (unsigned char)(0x80 + i);
    memcpy(b + n, "\nword_two ", 10);
    n += 10;
    for (int i = 0; i < 5; i++)
        b[n++] = (unsigned char)(0x90 + i);
    char *path = write_bytes("cut.bin", b, n);
    expect_refused(LOAD_VECTORS, path, THETA_EFORMAT, "ends inside the vector");
    free(path);
}
END_TEST

START_TEST(vocab_line_without_count)
{
    /* one 1 MB word and no count: refused, and read within the budget */
    size_t n = 1 << 20;
    char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    memset(b, 'y', n);
    char *path = write_bytes("vocab.txt", b, n);
    expect_refused(LOAD_VOCAB, path, THETA_EFORMAT, "expected 'word count'");
    free(path);
    free(b);
}
END_TEST

START_TEST(vocab_nul_byte_after_the_count)
{
    /* regression (fuzz_vocab): "w 1\0junk" loaded as "w 1", the rest ignored */
    char *path = write_bytes("nul.txt", "a 5\nw 1\0junk\n", 14);
    expect_refused(LOAD_VOCAB, path, THETA_EFORMAT, ":2: NUL byte");
    free(path);
}
END_TEST

START_TEST(vectors_words_with_carriage_returns_round_trip)
{
    /* regression (fuzz_vectors): the words "5\r" and "\r" of a GloVe file
     * were written back as text that then read as binary, because the
     * text/binary detection skipped a '\r' that the text reader keeps */
    char *path = write_bytes("cr.txt", "5\r 4\n\r 4\n\r\r\n", (size_t)-1);
    theta_vectors *v, *w;
    ck_assert_msg(theta_vectors_load(path, &v) == THETA_OK, "%s", theta_last_error());
    ck_assert_str_eq(v->format, "glove");
    ck_assert_int_eq(v->rows, 2);
    ck_assert_int_eq(v->dim, 1);
    ck_assert_str_eq(v->words[0], "5\r");
    ck_assert_str_eq(v->words[1], "\r");
    char *out = tu_path(dir, "cr.vec");
    ck_assert_int_eq(theta_vectors_write(out, THETA_VEC_TEXT, v->rows, v->dim, v->data,
                                         (const char *const *)v->words),
                     THETA_OK);
    ck_assert_msg(theta_vectors_load(out, &w) == THETA_OK, "%s", theta_last_error());
    ck_assert_str_eq(w->format, "word2vec-text");
    ck_assert_int_eq(w->rows, 2);
    ck_assert_str_eq(w->words[0], "5\r");
    ck_assert_str_eq(w->words[1], "\r");
    ck_assert(w->data[0] == 4.0f && w->data[1] == 4.0f);
    theta_vectors_free(v);
    theta_vectors_free(w);
    /* blank lines of blanks and '\r' still end a text file */
    free(out);
    out = write_bytes("blank-end.vec", "1 1\nw 1\r\n \r\t\r\n", (size_t)-1);
    ck_assert_msg(theta_vectors_load(out, &w) == THETA_OK, "%s", theta_last_error());
    ck_assert_str_eq(w->format, "word2vec-text");
    theta_vectors_free(w);
    free(out);
    free(path);
}
END_TEST

/* ---- corpora through theta train ---------------------------------------- */

#define TRAIN "train --dim 8 --epochs 1 --threads 2 --min-count 1 --quiet"

/* Runs theta train on corpus (a path or "- <redirection>") with the
 * vocabulary saved to dir/vocab.txt; returns the exit status. */
static int train_on(const char *input, char **err)
{
    char *vocab = tu_path(dir, "vocab.txt"), *vec = tu_path(dir, "vec.txt");
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
    char *p = tu_path(dir, name);
    char *b = tu_read_file(p, NULL);
    free(p);
    return b;
}

static int exists(const char *name)
{
    char *p = tu_path(dir, name);
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
    char *path = tu_path(dir, "nul.txt");
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
    char *path = tu_path(dir, "utf8.txt");
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
    char *path = tu_path(dir, "junk.gz");
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
    char *path = tu_path(dir, "multi.gz");
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
    char *path = tu_path(dir, "line.txt");
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
    char *vocab = tu_path(dir, "vocab.txt");
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
    char *dev = tu_path(dir, "null");
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
    char *target = tu_path(dir, "target.txt"), *link = tu_path(dir, "link.txt");
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

START_TEST(output_to_a_fifo_is_written_in_place)
{
    char *fifo = tu_path(dir, "fifo"), *copy = tu_path(dir, "copy");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) { /* the reader: copies the FIFO into a file */
        FILE *in = fopen(fifo, "rb"), *out = fopen(copy, "wb");
        int ch;
        while (in && out && (ch = getc(in)) != EOF)
            putc(ch, out);
        _exit(in && out && fclose(out) == 0 ? 0 : 1);
    }
    const float m[4] = {1, 2, 3, 4};
    const char *names[2] = {"x", "y"};
    theta_status st = theta_vectors_write(fifo, THETA_VEC_TEXT, 2, 2, m, names);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert_msg(st == THETA_OK, "%s", theta_last_error());
    ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    char *text = tu_read_file(copy, NULL);
    ck_assert_str_eq(text, "2 2\nx 1 2\ny 3 4\n");
    struct stat sb;
    ck_assert_int_eq(lstat(fifo, &sb), 0);
    ck_assert(S_ISFIFO(sb.st_mode));
    free(text);
    free(fifo);
    free(copy);
}
END_TEST

START_TEST(output_to_a_directory_is_an_error)
{
    const float m[2] = {1, 2};
    const char *names[1] = {"x"};
    ck_assert_int_eq(theta_vectors_write(dir, THETA_VEC_TEXT, 1, 2, m, names), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "is a directory"));
    struct stat sb;
    ck_assert_int_eq(lstat(dir, &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode));
}
END_TEST

/* ---- no output may name an input; inputs of every kind ------------------ */

#define TRAIN1 "train --dim 8 --epochs 2 --threads 1 --seed 7 --min-count 1 --quiet"

/* A small corpus of its own: a few hundred lines over 40 words, ending with
 * a newline. */
static char *small_corpus(const char *name, int lines, unsigned seed)
{
    char *p = tu_path(dir, name);
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
    char *sub = tu_path(dir, "sub"), *other = tu_path(dir, "sub/../c.txt");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    rc = tu_run(NULL, &err, TRAIN1 " --input '%s' --save-vocab '%s'", c, other);
    snprintf(want, sizeof want, "--save-vocab %s names the same file as --input %s", other, c);
    expect_clash(rc, err, "train", want, c, before, n);
    free(err);
    char *hard = tu_path(dir, "hard.txt");
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
    char *c = small_corpus("c.txt", 50, 2), *l = tu_path(dir, "link.txt");
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
    char *c = small_corpus("c.txt", 50, 3), *v = tu_path(dir, "v.x");
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
    char *l = tu_path(dir, "to-w.x"), *w = tu_path(dir, "w.x");
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
    char *ck = tu_path(dir, "ck.theta");
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
    char *c = small_corpus("c.txt", 50, 4), *m = tu_path(dir, "model.theta");
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
    char *npy = tu_path(dir, "v.npy");
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
    char *c = small_corpus("c.txt", 300, 5), *fifo = tu_path(dir, "fifo");
    char *want = tu_path(dir, "want.txt"), *got = tu_path(dir, "got.txt");
    char *fd3 = tu_path(dir, "fd3.txt"), *tmp = tu_path(dir, "tmp");
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
        char *ps = tu_path(dir, "ps.txt");
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
    char *vocab = tu_path(dir, "vocab.txt");
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
    char *c = small_corpus("c.txt", 20000, 6), *fifo = tu_path(dir, "fifo");
    char *tmp = tu_path(dir, "tmp"), *log = tu_path(dir, "err.txt");
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
    char *ab = tu_path(dir, "ab.txt"), *bgz = tu_path(dir, "b.txt.gz");
    char cmd[13000];
    snprintf(cmd, sizeof cmd, "cat '%s' '%s' > '%s' && gzip -c '%s' > '%s'", a, b, ab, b, bgz);
    ck_assert_int_eq(system(cmd), 0);
    char *want = tu_path(dir, "want.txt"), *got = tu_path(dir, "got.txt");
    char *gz = tu_path(dir, "gz.txt"), *in = tu_path(dir, "stdin.txt");
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
    char *a = small_corpus("a.txt", 100, 9), *missing = tu_path(dir, "nope.txt");
    char *vocab = tu_path(dir, "vocab.txt");
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
    char *ck = tu_path(dir, "ck.theta");
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
    char *v1 = tu_path(dir, "v1.txt"), *v2 = tu_path(dir, "v2.txt");
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

Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *files = tcase_create("files");
    tcase_add_checked_fixture(files, setup, teardown);
    tcase_add_test(files, model_valid_file_loads_within_the_budget);
    tcase_add_test(files, model_matrix_claims_2_pow_40_rows);
    tcase_add_test(files, model_section_claims_2_pow_40_bytes);
    tcase_add_test(files, model_vocabulary_claims_4_billion_words);
    tcase_add_test(files, model_negative_dim);
    tcase_add_test(files, model_rows_times_dim_overflows);
    tcase_add_test(files, model_word_runs_past_its_section);
    tcase_add_test(files, model_ends_inside_a_vector);
    tcase_add_loop_test(files, vectors_hostile_header_or_body, 0,
                        (int)(sizeof vector_files / sizeof vector_files[0]));
    tcase_add_test(files, vectors_binary_word_without_terminator);
    tcase_add_test(files, vectors_binary_ends_inside_a_vector);
    tcase_add_test(files, vectors_words_with_carriage_returns_round_trip);
    tcase_add_test(files, vocab_line_without_count);
    tcase_add_test(files, vocab_nul_byte_after_the_count);
    suite_add_tcase(s, files);
    TCase *corpora = tcase_create("corpora");
    tcase_set_timeout(corpora, 60);
    tcase_add_checked_fixture(corpora, setup, teardown);
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
    tcase_add_checked_fixture(outputs, setup, teardown);
    tcase_add_test(outputs, output_to_a_device_keeps_the_device);
    tcase_add_test(outputs, output_through_a_symlink_keeps_the_link);
    tcase_add_test(outputs, output_to_a_fifo_is_written_in_place);
    tcase_add_test(outputs, output_to_a_directory_is_an_error);
    suite_add_tcase(s, outputs);
    TCase *inputs = tcase_create("inputs");
    tcase_add_checked_fixture(inputs, setup, teardown);
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
