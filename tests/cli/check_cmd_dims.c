/* check_cmd_dims.c — `theta dims` through the program: exit codes, messages,
 * the report's verdict lines and the JSON keys and values, on hand-written
 * vector files and a small .theta model made here. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

/* Writes content to tu_dir/name and returns the path (malloc'ed). */
static char *fixture(const char *name, const char *content)
{
    char *p = tu_path(tu_dir, name);
    tu_write_file(p, content, (size_t)-1);
    return p;
}

#define ck_assert_has(hay, needle) \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "'%s' not in:\n%s", (needle), (hay))

/* A model with a tiny vocabulary: input constant 0.25 (every dimension the
 * same), output zero. */
static char *make_model(const char *name, int dim)
{
    theta_vocab *v = theta_vocab_new();
    static const char *words[] = {"alpha", "beta", "gamma", "delta"};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(theta_vocab_add(v, words[i], strlen(words[i]), 10 - i), THETA_OK);
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    theta_config cfg = theta_config_default();
    cfg.dim = dim;
    cfg.threads = 1;
    cfg.init_in = (theta_init){.kind = THETA_INIT_CONST, .value = 0.25};
    cfg.init_out = (theta_init){.kind = THETA_INIT_ZERO};
    theta_model *m;
    ck_assert_int_eq(theta_model_new(&cfg, v, &m), THETA_OK);
    char *p = tu_path(tu_dir, name);
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    theta_model_free(m);
    return p;
}

/* args with every '@' replaced by path, into buf. */
static void expand(char *buf, size_t size, const char *args, const char *path)
{
    size_t n = 0;
    for (const char *a = args; *a && n + 1 < size; a++) {
        if (*a == '@')
            n += (size_t)snprintf(buf + n, size - n, "'%s'", path);
        else
            buf[n++] = *a;
        if (n >= size)
            n = size - 1;
    }
    buf[n] = '\0';
}

START_TEST(usage_errors)
{
    char *vec = fixture("v.txt", "2 2\na 1 2\nb 3 4\n");
    static const char *bad[][2] = {
        {"", "no FILE"},
        {"--bogus @", "unknown option '--bogus'"},
        {"--tol abc @", "--tol"},
        {"--tol -0.5 @", "--tol"},
        {"--tol 2 @", "--tol"},
        {"--tol nan @", "--tol"},
        {"@ --tol", "needs a value"},
        {"--matrix sideways @", "--matrix"},
        {"--matrix out @", "needs a theta model"},
        {"@ @", "one FILE only"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char args[1024], *out, *err;
        expand(args, sizeof args, bad[i][0], vec);
        int rc = tu_run(&out, &err, "dims %s", args);
        ck_assert_msg(rc == 2, "'dims %s': exit %d, stderr %s", args, rc, err);
        ck_assert_has(err, "theta dims: ");
        ck_assert_has(err, bad[i][1]);
        ck_assert_str_eq(out, "");
        free(out);
        free(err);
    }
    free(vec);
}
END_TEST

START_TEST(help)
{
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "dims --help"), 0);
    ck_assert_has(out, "usage: theta dims");
    ck_assert_has(out, "--tol");
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "help dims"), 0);
    ck_assert_has(out, "--matrix");
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "--help"), 0);
    ck_assert_has(out, "dims");
    free(out);
}
END_TEST

START_TEST(bad_files)
{
    char *err;
    char *missing = tu_path(tu_dir, "missing.txt");
    ck_assert_int_eq(tu_run(NULL, &err, "dims '%s'", missing), 1);
    ck_assert_has(err, "theta dims: ");
    ck_assert_has(err, missing);
    free(err);
    char *bad = fixture("bad.txt", "3 2\na 1 2\nb 3 x\nc 1 1\n");
    ck_assert_int_eq(tu_run(NULL, &err, "dims --json '%s'", bad), 1);
    ck_assert_has(err, bad);
    ck_assert_has(err, ":3:");
    free(err);
    /* a model cut short */
    char *model = make_model("m.theta", 4);
    size_t len;
    char *bytes = tu_read_file(model, &len);
    char *cut = tu_path(tu_dir, "cut.theta");
    tu_write_file(cut, bytes, len - 10);
    ck_assert_int_eq(tu_run(NULL, &err, "dims '%s'", cut), 1);
    ck_assert_has(err, "theta dims: ");
    ck_assert_has(err, cut);
    free(err);
    free(bytes);
    free(missing);
    free(bad);
    free(model);
    free(cut);
}
END_TEST

START_TEST(symmetric_text_file)
{
    /* every row a multiple of (1,1,1,1); "cow" repeats "cat", "nil" is zero */
    char *vec = fixture("sym.txt", "5 4\nthe 1 1 1 1 \ncat 2 2 2 2 \ncow 2 2 2 2 \n"
                                   "nil 0 -0 0 0 \ndog -1 -1 -1 -1 \n");
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "dims '%s'", vec), 0);
    ck_assert_has(out, "format:    word2vec-text");
    ck_assert_has(out, "input matrix: 4 of 4 dimensions identical (1 distinct), rank 1 \xe2\x80\x94 symmetric\n");
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "dims --json '%s'", vec), 0);
    ck_assert_has(out, "\"file\": \"");
    ck_assert_has(out, "\"format\": \"word2vec-text\"");
    ck_assert_has(out, "\"tolerance\": 0,");
    ck_assert_has(out, "\"equality\": \"exact\"");
    ck_assert_has(out, "\"name\": \"in\", \"rows\": 5, \"dims\": 4, \"distinct_dims\": 1, "
                       "\"identical_dims\": 4, \"largest_class\": 4, \"rank\": 1, \"zero_rows\": 1, "
                       "\"duplicate_rows\": 1, \"all_zero\": false");
    /* sigma_1 = sqrt(4 * (1 + 4 + 4 + 0 + 1)) = sqrt(40) */
    ck_assert_has(out, "\"singular_values\": [6.32455532, 0, 0, 0]");
    ck_assert_has(out, "\"first_share\": 1,");
    ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1); /* one line */
    free(out);
    free(vec);
}
END_TEST

START_TEST(distinct_binary_file)
{
    enum { ROWS = 40, DIM = 6 };
    float m[ROWS * DIM];
    const char *names[ROWS];
    char buf[ROWS][16];
    theta_rng rng;
    theta_rng_seed(&rng, 3);
    for (int i = 0; i < ROWS; i++) {
        snprintf(buf[i], sizeof buf[i], "w%d", i);
        names[i] = buf[i];
        for (int j = 0; j < DIM; j++)
            m[i * DIM + j] = (float)(theta_rng_uniform(&rng) - 0.5);
    }
    /* dimension 5 copies dimension 2 */
    for (int i = 0; i < ROWS; i++)
        m[i * DIM + 5] = m[i * DIM + 2];
    char *p = tu_path(tu_dir, "vectors.bin");
    ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_BINARY, ROWS, DIM, m, names), THETA_OK);
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "dims --json --matrix both '%s'", p), 0);
    ck_assert_has(out, "\"format\": \"word2vec-binary\"");
    ck_assert_has(out, "\"rows\": 40, \"dims\": 6, \"distinct_dims\": 5, \"identical_dims\": 2, "
                       "\"largest_class\": 2, \"rank\": 5,");
    ck_assert_ptr_null(strstr(out, "\"name\": \"out\""));
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "dims '%s'", p), 0);
    ck_assert_has(out, "input matrix: 2 of 6 dimensions identical (5 distinct), rank 5 \xe2\x80\x94 "
                       "partly symmetric (largest class 2)\n");
    free(out);
    free(p);
}
END_TEST

START_TEST(glove_without_identical)
{
    char *vec = fixture("g.txt", "a 1 0 0\nb 0 1 0\nc 0 0 1\n");
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "dims '%s'", vec), 0);
    ck_assert_has(out, "format:    glove");
    ck_assert_has(out, "input matrix: 0 of 3 dimensions identical (3 distinct), rank 3\n");
    free(out);
    free(vec);
}
END_TEST

START_TEST(model_both_matrices)
{
    char *model = make_model("m.theta", 6);
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "dims --json '%s'", model), 0);
    ck_assert_has(out, "\"format\": \"theta-model\"");
    /* vocabulary: </s> + 4 words, all rows 0.25 */
    ck_assert_has(out, "{\"name\": \"in\", \"rows\": 5, \"dims\": 6, \"distinct_dims\": 1, "
                       "\"identical_dims\": 6, \"largest_class\": 6, \"rank\": 1, \"zero_rows\": 0, "
                       "\"duplicate_rows\": 4, \"all_zero\": false");
    ck_assert_has(out, "{\"name\": \"out\", \"rows\": 5, \"dims\": 6, \"distinct_dims\": 1, "
                       "\"identical_dims\": 6, \"largest_class\": 6, \"rank\": 0, \"zero_rows\": 5, "
                       "\"duplicate_rows\": 4, \"all_zero\": true");
    /* sigma_1 = 0.25 * sqrt(5 * 6) */
    ck_assert_has(out, "\"singular_values\": [1.36930639, 0, 0, 0, 0, 0]");
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "dims '%s'", model), 0);
    ck_assert_has(out, "format:    theta-model");
    ck_assert_has(out, "\ninput matrix: 6 of 6 dimensions identical (1 distinct), rank 1 "
                       "\xe2\x80\x94 symmetric\n");
    ck_assert_has(out, "\noutput matrix: 6 of 6 dimensions identical (1 distinct), rank 0 "
                       "\xe2\x80\x94 all zero\n");
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "dims --matrix out --json '%s'", model), 0);
    ck_assert_ptr_null(strstr(out, "\"name\": \"in\""));
    ck_assert_has(out, "\"name\": \"out\"");
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "dims --matrix in '%s'", model), 0);
    ck_assert_ptr_null(strstr(out, "output matrix"));
    free(out);
    free(model);
}
END_TEST

START_TEST(nan_and_tolerance)
{
    char *vec = fixture("n.txt", "3 3\na 1 1.0001 nan\nb 2 2 5\nc 3 3 6\n");
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "dims '%s'", vec), 0);
    ck_assert_has(out, "NaN / Inf");
    ck_assert_has(out, "a NaN dimension is identical to no other");
    ck_assert_has(out, "input matrix: 0 of 3 dimensions identical (3 distinct), rank 2 \xe2\x80\x94 "
                       "NaN in 1 dimension\n");
    free(out);
    /* max |value| 6: --tol 0.001 allows 0.006, enough for 1 vs 1.0001 */
    ck_assert_int_eq(tu_run(&out, NULL, "dims --json --tol 0.001 '%s'", vec), 0);
    ck_assert_has(out, "\"tolerance\": 0.001,");
    ck_assert_has(out, "\"equality\": \"tolerance\"");
    ck_assert_has(out, "\"distinct_dims\": 2, \"identical_dims\": 2, \"largest_class\": 2");
    ck_assert_has(out, "\"nan_dims\": 1, \"nonfinite_rows\": 1, \"max_abs\": 6, \"threshold\": 0.006");
    free(out);
    free(vec);
}
END_TEST

Suite *cmd_dims_suite(void)
{
    Suite *s = suite_create("cmd_dims");
    TCase *cli = tcase_create("cli");
    tcase_add_checked_fixture(cli, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(cli, usage_errors);
    tcase_add_test(cli, help);
    tcase_add_test(cli, bad_files);
    tcase_add_test(cli, symmetric_text_file);
    tcase_add_test(cli, distinct_binary_file);
    tcase_add_test(cli, glove_without_identical);
    tcase_add_test(cli, model_both_matrices);
    tcase_add_test(cli, nan_and_tolerance);
    suite_add_tcase(s, cli);
    return s;
}
