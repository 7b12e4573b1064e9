/*
 * check_hostile.c — files made to hurt: model and vector files whose
 * headers claim 2^40 rows, negative dimensions, sizes whose product
 * overflows size_t, words without an end, a file that stops inside a
 * vector. Each must be refused with a message, fast, and without
 * allocating more than a small budget (the load runs in a forked child
 * under RLIMIT_AS, like `ulimit -v`). Outputs that are not regular files
 * (a FIFO, a directory). Odd corpora and outputs through `theta train` are
 * in tests/cli/check_hostile_cli.c.
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
    char *p = tu_path(tu_dir, name);
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
    char *path = tu_path(tu_dir, "valid.theta");
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
    char *out = tu_path(tu_dir, "cr.vec");
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

/* ---- outputs that are not regular files --------------------------------- */

START_TEST(output_to_a_fifo_is_written_in_place)
{
    char *fifo = tu_path(tu_dir, "fifo"), *copy = tu_path(tu_dir, "copy");
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
    ck_assert_int_eq(theta_vectors_write(tu_dir, THETA_VEC_TEXT, 1, 2, m, names), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "is a directory"));
    struct stat sb;
    ck_assert_int_eq(lstat(tu_dir, &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode));
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *files = tcase_create("files");
    tcase_add_checked_fixture(files, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
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
    TCase *outputs = tcase_create("outputs");
    tcase_set_timeout(outputs, 30);
    tcase_add_checked_fixture(outputs, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(outputs, output_to_a_fifo_is_written_in_place);
    tcase_add_test(outputs, output_to_a_directory_is_an_error);
    suite_add_tcase(s, outputs);
    return s;
}
