/* check_vecio.c — reading word vectors: round trips with the writer, the
 * variants other tools write, and malformed or hostile files. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

/* Loads text written into a fresh file; returns the status, *out on success. */
static theta_status load_text(const char *content, size_t len, theta_vectors **out)
{
    char *dir = tu_tmpdir();
    char *p = tu_path(dir, "v");
    tu_write_file(p, content, len);
    theta_status st = theta_vectors_load(p, out);
    tu_rmdir(dir);
    free(p);
    free(dir);
    return st;
}

static void expect_bad(const char *content, size_t len, theta_status want, const char *needle)
{
    theta_vectors *v = (theta_vectors *)&v; /* must stay untouched on failure */
    theta_vectors *sentinel = v;
    theta_status st = load_text(content, len, &v);
    ck_assert_msg(st == want, "status %d, wanted %d for input [%.60s]: %s", st, want, content,
                  theta_last_error());
    ck_assert_ptr_eq(v, sentinel);
    const char *e = theta_last_error();
    ck_assert_ptr_nonnull(strstr(e, "/v"));
    ck_assert_ptr_null(strchr(e, '\n'));
    if (needle)
        ck_assert_msg(strstr(e, needle) != NULL, "message '%s' lacks '%s'", e, needle);
}

static void put_f32(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    p[0] = (unsigned char)u;
    p[1] = (unsigned char)(u >> 8);
    p[2] = (unsigned char)(u >> 16);
    p[3] = (unsigned char)(u >> 24);
}

/* Appends "word " + floats (+ "\n" if nl) to buf at *n. */
static void put_record(unsigned char *buf, size_t *n, const char *word, const float *x, int dim,
                       int nl)
{
    memcpy(buf + *n, word, strlen(word));
    *n += strlen(word);
    buf[(*n)++] = ' ';
    for (int i = 0; i < dim; i++, *n += 4)
        put_f32(buf + *n, x[i]);
    if (nl)
        buf[(*n)++] = '\n';
}

/* A matrix with awkward values: tiny, huge, negative zero, subnormal. */
static void fill(float *m, int64_t rows, int dim)
{
    for (int64_t r = 0; r < rows; r++)
        for (int d = 0; d < dim; d++)
            m[r * dim + d] = (float)((r * 7 + d * 13) % 17 - 8) / 3.0f * powf(10.0f, (float)(d % 5 - 2));
    m[0] = -0.0f;
    m[1] = 1e-40f;
    m[2] = 3.4e38f;
    m[3] = -1.17549435e-38f;
}

static void roundtrip(theta_vec_format fmt, const char *want_format)
{
    enum { ROWS = 5, DIM = 7 };
    float m[ROWS * DIM];
    fill(m, ROWS, DIM);
    const char *names[ROWS] = {"the", "\xc3\xa9t\xc3\xa9", "\xff\xfe-not-utf8", "x", "a,b"};
    char *dir = tu_tmpdir();
    char *p = tu_path(dir, "v");
    ck_assert_int_eq(theta_vectors_write(p, fmt, ROWS, DIM, m, names), THETA_OK);
    theta_vectors *v;
    ck_assert_msg(theta_vectors_load(p, &v) == THETA_OK, "%s", theta_last_error());
    ck_assert_int_eq(v->rows, ROWS);
    ck_assert_int_eq(v->dim, DIM);
    ck_assert_str_eq(v->format, want_format);
    ck_assert_int_eq(memcmp(v->data, m, sizeof m), 0);
    for (int r = 0; r < ROWS; r++)
        ck_assert_str_eq(v->words[r], names[r]);
    ck_assert(signbit(v->data[0]));
    theta_vectors_free(v);
    tu_rmdir(dir);
    free(p);
    free(dir);
}

START_TEST(roundtrip_text)
{
    roundtrip(THETA_VEC_TEXT, "word2vec-text");
}
END_TEST

START_TEST(roundtrip_binary)
{
    roundtrip(THETA_VEC_BINARY, "word2vec-binary");
}
END_TEST

START_TEST(binary_without_newlines_and_mixed)
{
    float a[3] = {1.5f, -2.0f, 0.25f}, b[3] = {10.0f, 0.0f, -0.0f}, c[3] = {1e-3f, 2e-3f, 3e-3f};
    unsigned char buf[256];
    for (int variant = 0; variant < 3; variant++) {
        size_t n = (size_t)sprintf((char *)buf, "3 3\n");
        /* 0: gensim (no newlines); 1: mixed; 2: word2vec.c (all newlines) */
        put_record(buf, &n, "alpha", a, 3, variant == 2);
        put_record(buf, &n, "beta", b, 3, variant >= 1);
        put_record(buf, &n, "\xe2\x82\xac", c, 3, variant == 2);
        theta_vectors *v;
        ck_assert_msg(load_text((char *)buf, n, &v) == THETA_OK, "%s", theta_last_error());
        ck_assert_str_eq(v->format, "word2vec-binary");
        ck_assert_int_eq(v->rows, 3);
        ck_assert_int_eq(v->dim, 3);
        ck_assert_str_eq(v->words[0], "alpha");
        ck_assert_str_eq(v->words[1], "beta");
        ck_assert_str_eq(v->words[2], "\xe2\x82\xac");
        ck_assert_int_eq(memcmp(v->data, a, 12), 0);
        ck_assert_int_eq(memcmp(v->data + 3, b, 12), 0);
        ck_assert_int_eq(memcmp(v->data + 6, c, 12), 0);
        theta_vectors_free(v);
    }
}
END_TEST

/* Binary values whose bytes happen to be digits and a newline must not
 * fool the detector. */
START_TEST(binary_that_looks_like_text)
{
    unsigned char buf[64];
    size_t n = (size_t)sprintf((char *)buf, "2 2\n");
    const unsigned char rec1[] = {'a', ' ', '1', '2', '\n', '4', '5', '.', '6', '7'};
    const unsigned char rec2[] = {'b', ' ', '\n', '\n', '\n', '\n', 0, 0, 0, 0};
    memcpy(buf + n, rec1, sizeof rec1);
    n += sizeof rec1;
    memcpy(buf + n, rec2, sizeof rec2);
    n += sizeof rec2;
    theta_vectors *v;
    ck_assert_msg(load_text((char *)buf, n, &v) == THETA_OK, "%s", theta_last_error());
    ck_assert_str_eq(v->format, "word2vec-binary");
    ck_assert_str_eq(v->words[1], "b");
    ck_assert_int_eq(memcmp(v->data, rec1 + 2, 8), 0);
    ck_assert_float_eq(v->data[3], 0.0f);
    theta_vectors_free(v);
}
END_TEST

START_TEST(text_variants)
{
    /* word2vec.c: trailing space; gensim: none; CRLF; no final newline; fastText */
    static const char *const inputs[] = {
        "2 3\nfoo 1 -2.5 3e-2 \nbar 0.5 0 -0 \n",
        "2 3\nfoo 1 -2.5 3e-2\nbar 0.5 0 -0\n",
        "2 3\r\nfoo 1 -2.5 3e-2\r\nbar 0.5 0 -0\r\n",
        "2 3\nfoo 1 -2.5 3e-2\nbar 0.5 0 -0",
        "2 3 \nfoo\t1  -2.5\t3e-2 \nbar 0.5 0 -0 \n\n\n",
        "\xef\xbb\xbf" "2 3\nfoo 1 -2.5 0.03\nbar 0.50000 0 -0\n",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        theta_vectors *v;
        ck_assert_msg(load_text(inputs[i], (size_t)-1, &v) == THETA_OK, "input %zu: %s", i,
                      theta_last_error());
        ck_assert_str_eq(v->format, "word2vec-text");
        ck_assert_int_eq(v->rows, 2);
        ck_assert_int_eq(v->dim, 3);
        ck_assert_str_eq(v->words[0], "foo");
        ck_assert_str_eq(v->words[1], "bar");
        const float want[6] = {1.0f, -2.5f, 0.03f, 0.5f, 0.0f, -0.0f};
        ck_assert_int_eq(memcmp(v->data, want, sizeof want), 0);
        theta_vectors_free(v);
    }
}
END_TEST

START_TEST(fasttext_vec)
{
    theta_vectors *v;
    ck_assert_int_eq(load_text("3 4\n</s> 0.0036425 -0.0020132 0.0036799 -0.0033289 \n"
                               "the -0.12524 0.17329 0.057143 -0.098361 \n"
                               ", 0.023211 0.13317 -0.17008 4.3218e-05 \n",
                               (size_t)-1, &v),
                     THETA_OK);
    ck_assert_str_eq(v->format, "word2vec-text");
    ck_assert_int_eq(v->rows, 3);
    ck_assert_str_eq(v->words[0], "</s>");
    ck_assert_str_eq(v->words[2], ",");
    ck_assert_float_eq(v->data[4], -0.12524f);
    ck_assert_float_eq(v->data[11], 4.3218e-05f);
    theta_vectors_free(v);
}
END_TEST

START_TEST(glove)
{
    static const char *const inputs[] = {
        "the 0.418 0.24968 -0.41242\n, 0.013441 0.23682 -0.16899\nof 0.70853 0.57088 -0.4716\n",
        "the 0.418 0.24968 -0.41242\r\n, 0.013441 0.23682 -0.16899\r\nof 0.70853 0.57088 -0.4716",
    };
    for (size_t i = 0; i < 2; i++) {
        theta_vectors *v;
        ck_assert_msg(load_text(inputs[i], (size_t)-1, &v) == THETA_OK, "%s", theta_last_error());
        ck_assert_str_eq(v->format, "glove");
        ck_assert_int_eq(v->rows, 3);
        ck_assert_int_eq(v->dim, 3);
        ck_assert_str_eq(v->words[1], ",");
        ck_assert_str_eq(v->words[2], "of");
        ck_assert_float_eq(v->data[0], 0.418f);
        ck_assert_float_eq(v->data[8], -0.4716f);
        theta_vectors_free(v);
    }
}
END_TEST

START_TEST(glove_many_rows)
{
    /* more rows than the first growth step */
    size_t cap = 3000 * 32, n = 0;
    char *buf = malloc(cap);
    for (int r = 0; r < 3000; r++)
        n += (size_t)snprintf(buf + n, cap - n, "w%d %d.5 -%d\n", r, r, r);
    theta_vectors *v;
    ck_assert_int_eq(load_text(buf, n, &v), THETA_OK);
    ck_assert_int_eq(v->rows, 3000);
    ck_assert_int_eq(v->dim, 2);
    ck_assert_str_eq(v->words[2999], "w2999");
    ck_assert_float_eq(v->data[2 * 2999], 2999.5f);
    ck_assert_float_eq(v->data[2 * 2999 + 1], -2999.0f);
    theta_vectors_free(v);
    free(buf);
}
END_TEST

START_TEST(long_words)
{
    enum { LEN = 100000 };
    char *w = malloc(LEN + 1);
    for (int i = 0; i < LEN; i++)
        w[i] = (char)('a' + i % 26);
    w[LEN] = '\0';
    char *text = malloc(LEN + 64);
    int n = snprintf(text, LEN + 64, "1 2\n%s 0.5 -1\n", w);
    theta_vectors *v;
    ck_assert_int_eq(load_text(text, (size_t)n, &v), THETA_OK);
    ck_assert_str_eq(v->format, "word2vec-text");
    ck_assert_str_eq(v->words[0], w);
    theta_vectors_free(v);
    unsigned char *bin = malloc(LEN + 64);
    size_t bn = (size_t)sprintf((char *)bin, "1 2\n");
    const float x[2] = {0.5f, -1.0f};
    put_record(bin, &bn, w, x, 2, 1);
    ck_assert_int_eq(load_text((char *)bin, bn, &v), THETA_OK);
    ck_assert_str_eq(v->format, "word2vec-binary");
    ck_assert_str_eq(v->words[0], w);
    ck_assert_float_eq(v->data[1], -1.0f);
    theta_vectors_free(v);
    free(w);
    free(text);
    free(bin);
}
END_TEST

START_TEST(non_finite_accepted)
{
    theta_vectors *v;
    ck_assert_int_eq(load_text("2 3\na nan inf -inf\nb NaN -Infinity 1\n", (size_t)-1, &v),
                     THETA_OK);
    ck_assert(isnan(v->data[0]));
    ck_assert(isinf(v->data[1]) && v->data[1] > 0);
    ck_assert(isinf(v->data[2]) && v->data[2] < 0);
    ck_assert(isnan(v->data[3]));
    ck_assert(isinf(v->data[4]) && v->data[4] < 0);
    theta_vectors_free(v);
    unsigned char buf[64];
    size_t n = (size_t)sprintf((char *)buf, "1 2\n");
    const float x[2] = {NAN, -INFINITY};
    put_record(buf, &n, "z", x, 2, 0);
    ck_assert_int_eq(load_text((char *)buf, n, &v), THETA_OK);
    ck_assert(isnan(v->data[0]));
    ck_assert(isinf(v->data[1]));
    theta_vectors_free(v);
}
END_TEST

/* v printed in one of several formats (literal formats for -Wformat=2). */
static void print_as(char *t, size_t size, unsigned which, double v)
{
    switch (which % 10) {
    case 0: snprintf(t, size, "%.9g", v); break;
    case 1: snprintf(t, size, "%.6g", v); break;
    case 2: snprintf(t, size, "%.8e", v); break;
    case 3: snprintf(t, size, "%.3f", v); break;
    case 4: snprintf(t, size, "%g", v); break;
    case 5: snprintf(t, size, "%.17g", v); break;
    case 6: snprintf(t, size, "%.12g", v); break;
    case 7: snprintf(t, size, "%.1e", v); break;
    case 8: snprintf(t, size, "%.20f", v); break;
    default: snprintf(t, size, "%.16g", v); break;
    }
}

/* The text reader's fast decimal path must give exactly strtof's float for
 * every token: random floats in many printf formats, float midpoints and
 * their neighbours, subnormals, long mantissas, odd exponents. */
START_TEST(values_match_strtof)
{
    enum { ROWS = 3000, DIM = 10 };
    theta_rng rng;
    theta_rng_seed(&rng, 2024);
    size_t cap = (size_t)ROWS * DIM * 48 + 64, n = 0;
    char *text = malloc(cap);
    char (*toks)[40] = malloc(sizeof *toks * ROWS * DIM);
    n += (size_t)snprintf(text, cap, "%d %d\n", ROWS, DIM);
    for (int r = 0; r < ROWS; r++) {
        n += (size_t)snprintf(text + n, cap - n, "w%d", r);
        for (int d = 0; d < DIM; d++) {
            char *t = toks[r * DIM + d];
            uint64_t x = theta_rng_next(&rng);
            float f;
            uint32_t u = (uint32_t)x;
            int kind = (int)((x >> 32) % 4);
            if (kind == 0) { /* any finite bit pattern */
                if ((u & 0x7f800000u) == 0x7f800000u)
                    u &= 0xbf7fffffu;
                memcpy(&f, &u, 4);
                print_as(t, 40, (unsigned)(x >> 40), (double)f);
            } else if (kind == 1) { /* typical embedding values */
                f = (float)((theta_rng_uniform(&rng) - 0.5) * pow(10, (double)((x >> 40) % 7) - 4));
                print_as(t, 40, (unsigned)(x >> 44), (double)f);
            } else if (kind == 2) { /* halfway between two floats, and a hair off it */
                f = (float)(theta_rng_uniform(&rng) * 100);
                double mid = ((double)f + (double)nextafterf(f, 1e30f)) / 2;
                if ((x >> 40) % 3 == 0)
                    mid = nextafter(mid, (x >> 43) & 1 ? 1e300 : -1e300);
                static const unsigned near[] = {5, 9, 6, 0, 2}; /* %.17g %.16g %.12g %.9g %.8e */
                print_as(t, 40, near[(x >> 45) % 5], mid);
            } else { /* hand-written forms */
                static const char *forms[] = {"0", "-0", "+1.5", "1e-45", "1.4e-45", "3.4028235e38",
                                              "3.4028234e38", "1.17549435e-38", "1.1754942e-38",
                                              ".5", "5.", "0.000000000000000000000000001234",
                                              "123456789012345678901234567890", "1E+2", "1e-0",
                                              "00000.000100", "-7.0e-3", "9007199254740993",
                                              "0.1000000000000000055511151231257827"};
                snprintf(t, 40, "%s", forms[(x >> 40) % (sizeof forms / sizeof forms[0])]);
            }
            n += (size_t)snprintf(text + n, cap - n, " %s", t);
        }
        text[n++] = '\n';
    }
    theta_vectors *v;
    ck_assert_msg(load_text(text, n, &v) == THETA_OK, "%s", theta_last_error());
    for (int i = 0; i < ROWS * DIM; i++) {
        float want = strtof(toks[i], NULL);
        ck_assert_msg(memcmp(&v->data[i], &want, 4) == 0, "'%s': read %.9g, strtof %.9g", toks[i],
                      (double)v->data[i], (double)want);
    }
    theta_vectors_free(v);
    free(toks);
    free(text);
}
END_TEST

START_TEST(empty_matrix)
{
    theta_vectors *v;
    ck_assert_int_eq(load_text("0 50\n", (size_t)-1, &v), THETA_OK);
    ck_assert_int_eq(v->rows, 0);
    ck_assert_int_eq(v->dim, 50);
    theta_vectors_free(v);
}
END_TEST

START_TEST(bad_headers)
{
    double t0 = theta_now();
    expect_bad("1099511627776 100\na 1\n", (size_t)-1, THETA_EFORMAT, "1099511627776");
    expect_bad("4611686018427387904 2147483647\n", (size_t)-1, THETA_EFORMAT, "can hold");
    expect_bad("99999999999999999999999 3\n", (size_t)-1, THETA_EFORMAT, "vector count");
    expect_bad("2 0\na\nb\n", (size_t)-1, THETA_EFORMAT, "dimension");
    expect_bad("2 -3\na 1 2 3\nb 1 2 3\n", (size_t)-1, THETA_EFORMAT, "dimension");
    expect_bad("2 4294967296\na 1\n", (size_t)-1, THETA_EFORMAT, "dimension");
    expect_bad("-2 3\na 1 2 3\nb 1 2 3\n", (size_t)-1, THETA_EFORMAT, "vector count");
    /* a binary header whose rows would fill more than the file */
    unsigned char buf[64];
    size_t n = (size_t)sprintf((char *)buf, "100000000 100\n");
    const float x[2] = {0.0f, 1.0f};
    put_record(buf, &n, "q", x, 2, 0);
    expect_bad((char *)buf, n, THETA_EFORMAT, "can hold");
    ck_assert_double_lt(theta_now() - t0, 1.0);
}
END_TEST

START_TEST(body_disagrees)
{
    /* values padded so that the size check before allocating passes */
    expect_bad("3 2\na 1.000 2.000\nb 3.000 4.000\n", (size_t)-1, THETA_EFORMAT,
               ":4: the header declares 3 vectors, the file ends after 2");
    expect_bad("1 2\na 1 2\nb 3 4\n", (size_t)-1, THETA_EFORMAT, ":3: more vectors than the 1");
    expect_bad("2 3\na 1.0 2.0 3.0\nb 3 4\n", (size_t)-1, THETA_EFORMAT,
               ":3: expected 3 values after the word, found 2");
    expect_bad("2 3\na 1 2 3\nb 3 4 5 6\n", (size_t)-1, THETA_EFORMAT, ":3: expected 3 values after the word, found 4");
    expect_bad("2 3\na 1.0 2.0\nb 3.0 4.0 5.0\n", (size_t)-1, THETA_EFORMAT, ":2: expected 3 values after the word, found 2");
    expect_bad("3 2\na 1.0 2.0\n\nb 3.0 4.0\n", (size_t)-1, THETA_EFORMAT, ":3: empty line");
    expect_bad("2 2\na 1 2\nb 1 zz\n", (size_t)-1, THETA_EFORMAT, ":3: 'zz' is not a number");
    expect_bad("2 2\na 1 2\nb 1 0x10\n", (size_t)-1, THETA_EFORMAT, ":3: '0x10' is not a number");
    expect_bad("2 2\na 1 2\nb 1 1e50\n", (size_t)-1, THETA_EFORMAT, ":3: '1e50' is out of the float32 range");
    expect_bad("2 2\na 1 2\nb 1 2,5\n", (size_t)-1, THETA_EFORMAT, ":3: '2,5' is not a number");
    expect_bad("2 2\na 1 2\nb", (size_t)-1, THETA_EFORMAT, NULL);
    expect_bad("", 0, THETA_EFORMAT, "empty file");
    expect_bad("\n\n", 2, THETA_EFORMAT, "empty first line");
    static const char nul[] = "2 2\na 1 2\nb\0 1 2\n";
    expect_bad(nul, sizeof nul - 1, THETA_EFORMAT, ":3: NUL byte");
}
END_TEST

START_TEST(glove_malformed)
{
    expect_bad("a 1 2 3\nb 1 2\n", (size_t)-1, THETA_EFORMAT, ":2: expected 3 values");
    expect_bad("a 1 2\nb 1 2 3\n", (size_t)-1, THETA_EFORMAT, "found 3");
    expect_bad("justaword\n", (size_t)-1, THETA_EFORMAT, ":1:");
    expect_bad("a 1 2\n\nb 1 2\n", (size_t)-1, THETA_EFORMAT, ":3: a vector after a blank line");
    expect_bad("a 1 nope\n", (size_t)-1, THETA_EFORMAT, "'nope'");
}
END_TEST

START_TEST(binary_malformed)
{
    const float x[3] = {1.0f, 2.0f, 3.0f};
    unsigned char buf[128];
    size_t n = (size_t)sprintf((char *)buf, "2 3\n");
    put_record(buf, &n, "alphabetagammadelta", x, 3, 1);
    size_t one = n;
    put_record(buf, &n, "bravo", x, 3, 1);
    /* words long enough that the size check before allocating passes */
    expect_bad((char *)buf, n - 3, THETA_EFORMAT,
               "binary row 2 ('bravo'): the file ends inside the vector");
    expect_bad((char *)buf, one + 2, THETA_EFORMAT, "binary row 2: the file ends inside the word");
    expect_bad((char *)buf, one, THETA_EFORMAT, "declares 2 vectors, the file ends after 1");
    /* junk after the declared records */
    n = (size_t)sprintf((char *)buf, "1 3\n");
    put_record(buf, &n, "a", x, 3, 1);
    memcpy(buf + n, "extra ", 6);
    expect_bad((char *)buf, n + 6, THETA_EFORMAT, "data after the 1 vectors");
    /* an empty word, a NUL in a word */
    n = (size_t)sprintf((char *)buf, "1 3\n");
    put_record(buf, &n, "", x, 3, 1);
    expect_bad((char *)buf, n, THETA_EFORMAT, "binary row 1: empty word");
    n = (size_t)sprintf((char *)buf, "1 3\n");
    put_record(buf, &n, "ab", x, 3, 0);
    buf[5] = '\0';
    expect_bad((char *)buf, n, THETA_EFORMAT, "binary row 1: NUL byte in the word");
}
END_TEST

START_TEST(not_a_file)
{
    theta_vectors *v = NULL;
    ck_assert_int_eq(theta_vectors_load("/nonexistent/vectors.txt", &v), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "/nonexistent/vectors.txt"));
    ck_assert_int_eq(theta_vectors_load(tu_dir, &v), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "not a regular file"));
    ck_assert_ptr_null(v);
    theta_vectors_free(NULL);
}
END_TEST

Suite *vecio_suite(void)
{
    Suite *s = suite_create("vecio");
    TCase *core = tcase_create("core");
    tcase_add_test(core, roundtrip_text);
    tcase_add_test(core, roundtrip_binary);
    tcase_add_test(core, binary_without_newlines_and_mixed);
    tcase_add_test(core, binary_that_looks_like_text);
    tcase_add_test(core, text_variants);
    tcase_add_test(core, fasttext_vec);
    tcase_add_test(core, glove);
    tcase_add_test(core, glove_many_rows);
    tcase_add_test(core, long_words);
    tcase_add_test(core, non_finite_accepted);
    tcase_add_test(core, empty_matrix);
    tcase_add_test(core, values_match_strtof);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_checked_fixture(errors, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(errors, bad_headers);
    tcase_add_test(errors, body_disagrees);
    tcase_add_test(errors, glove_malformed);
    tcase_add_test(errors, binary_malformed);
    tcase_add_test(errors, not_a_file);
    suite_add_tcase(s, errors);
    return s;
}
