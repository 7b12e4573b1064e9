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
    return s;
}
