/*
 * check_tools.c — the analysis commands through the program: theta nn,
 * analogy, eval, export, info and classes on hand-made vector files and
 * models with known answers; round trips between the formats; malformed
 * files (exit 1 with a message, never a crash); and, when python3 has
 * gensim and numpy, that they read theta's output and agree with theta eval.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

#define DEG (3.14159265358979323846 / 180)

/* tu_dir/name in a static rotating buffer (valid for a few calls). */
static const char *P(const char *name)
{
    static char buf[8][4200];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof buf[i], "%s/%s", tu_dir, name);
    return buf[i];
}

static void write_vectors(const char *name, theta_vec_format fmt, int64_t rows, int dim,
                          const float *m, const char *const *words)
{
    ck_assert_int_eq(theta_vectors_write(P(name), fmt, rows, dim, m, words), THETA_OK);
}

/* 2-D vectors at angles (degrees), lengths varied. */
static void write_angles(const char *name, int n, const char *const *words, const double *deg)
{
    float m[64];
    for (int i = 0; i < n; i++) {
        double len = 0.5 + i;
        m[2 * i] = (float)(len * cos(deg[i] * DEG));
        m[2 * i + 1] = (float)(len * sin(deg[i] * DEG));
    }
    write_vectors(name, THETA_VEC_TEXT, n, 2, m, words);
}

static const char *nn_words[] = {"a", "b", "c", "d", "e", "Zed"};
static const double nn_deg[] = {0, 20, 50, 80, 180, 100};

/* ---- nn ------------------------------------------------------------------- */

START_TEST(nn_words_and_stdin)
{
    write_angles("nn.txt", 6, nn_words, nn_deg);
    char *out, *err;
    ck_assert_int_eq(tu_run(&out, NULL, "nn %s a -k 3", P("nn.txt")), 0);
    ck_assert_str_eq(out, "b\t0.939693\nc\t0.642788\nd\t0.173648\n");
    free(out);
    /* options after the words; two words: the normalized sum points at 25 degrees */
    ck_assert_int_eq(tu_run(&out, NULL, "nn %s a c -k 1", P("nn.txt")), 0);
    ck_assert_str_eq(out, "b\t0.996195\n");
    free(out);
    /* binary file, same answers */
    theta_vectors *v;
    ck_assert_int_eq(theta_vectors_load(P("nn.txt"), &v), THETA_OK);
    write_vectors("nn.bin", THETA_VEC_BINARY, v->rows, v->dim, v->data,
                  (const char *const *)v->words);
    theta_vectors_free(v);
    ck_assert_int_eq(tu_run(&out, NULL, "nn %s a -k 3", P("nn.bin")), 0);
    ck_assert_str_eq(out, "b\t0.939693\nc\t0.642788\nd\t0.173648\n");
    free(out);
    /* stdin: one query per line, an unknown word does not stop the others */
    tu_write_file(P("queries"), "a\nnope\n\nb d\n", (size_t)-1);
    ck_assert_int_eq(tu_run(&out, &err, "nn %s -k 1 < %s", P("nn.bin"), P("queries")), 1);
    ck_assert_str_eq(out, "b\t0.939693\n\nc\t1.000000\n\n");
    ck_assert_ptr_nonnull(strstr(err, "theta nn: 'nope' is not in the vocabulary"));
    free(out);
    free(err);
    /* case-sensitive; --restrict limits the search */
    ck_assert_int_eq(tu_run(NULL, &err, "nn %s zed", P("nn.txt")), 1);
    free(err);
    ck_assert_int_eq(tu_run(&out, NULL, "nn %s d --restrict 3", P("nn.txt")), 0);
    ck_assert_str_eq(out, "c\t0.866025\nb\t0.500000\na\t0.173648\n");
    free(out);
}
END_TEST

START_TEST(nn_usage_errors)
{
    write_angles("nn.txt", 6, nn_words, nn_deg);
    char *err;
    static const char *bad[] = {"-k 0", "-k x", "--restrict -1", "--matrix both", "--bogus", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *file = bad[i][0] ? P("nn.txt") : "";
        int rc = tu_run(NULL, &err, "nn %s a %s", file, bad[i]);
        if (!bad[i][0]) /* "nn a": a is taken as FILE and does not exist */
            ck_assert_int_eq(rc, 1);
        else
            ck_assert_msg(rc == 2, "'%s' exited %d", bad[i], rc);
        ck_assert_msg(strncmp(err, "theta nn: ", 10) == 0, "stderr: %s", err);
        free(err);
    }
    ck_assert_int_eq(tu_run(NULL, &err, "nn"), 2);
    free(err);
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "nn --help"), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: theta nn"));
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "help nn"), 0);
    ck_assert_ptr_nonnull(strstr(out, "--restrict"));
    free(out);
    /* a vector file has no output matrix */
    ck_assert_int_eq(tu_run(NULL, &err, "nn %s a --matrix out", P("nn.txt")), 1);
    ck_assert_ptr_nonnull(strstr(err, "not a theta model"));
    free(err);
}
END_TEST

/* ---- analogy -------------------------------------------------------------- */

static const char *an_words[] = {"</s>", "man", "woman", "king", "queen", "prince", "apple"};
static const float an_m[] = {
    0.1f, 0.2f, 0.1f, 0.1f, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0,
    0, 1, 1, 0.1f, 1, 0, 1, 0.5f, 0, 0, 0, 1,
};

START_TEST(analogy_planted)
{
    write_vectors("an.bin", THETA_VEC_BINARY, 7, 4, an_m, an_words);
    char *out, *err;
    ck_assert_int_eq(tu_run(&out, NULL, "analogy %s man king woman -k 1", P("an.bin")), 0);
    /* cos(queen, unit(king^ - man^ + woman^)) = (1 + 1/sqrt2) / (|v| sqrt(2.01)) */
    double k = M_SQRT1_2, vn = sqrt((k - 1) * (k - 1) + 1 + k * k);
    char want[64];
    snprintf(want, sizeof want, "queen\t%.6f\n", (1 + k) / (vn * sqrt(2.01)));
    ck_assert_str_eq(out, want);
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "analogy %s man king woman -k 2 --method 3cosmul",
                            P("an.bin")),
                     0);
    ck_assert_int_eq(strncmp(out, "queen\t1.27", 10), 0);
    free(out);
    tu_write_file(P("q"), "man king woman\nman king\nman king nope\nman king woman\n", (size_t)-1);
    ck_assert_int_eq(tu_run(&out, &err, "analogy %s -k 1 < %s", P("an.bin"), P("q")), 1);
    snprintf(want, sizeof want, "queen\t%.6f\n\nqueen\t%.6f\n\n", (1 + k) / (vn * sqrt(2.01)),
             (1 + k) / (vn * sqrt(2.01)));
    ck_assert_str_eq(out, want);
    ck_assert_ptr_nonnull(strstr(err, "stdin:2: expected three words"));
    ck_assert_ptr_nonnull(strstr(err, "'nope' is not in the vocabulary"));
    free(out);
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "analogy %s man king", P("an.bin")), 2);
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "analogy %s man king woman --method 4cos", P("an.bin")), 2);
    ck_assert_ptr_nonnull(strstr(err, "--method"));
    free(err);
}
END_TEST

/* ---- eval ----------------------------------------------------------------- */

static const char *cap_words[] = {"</s>", "Paris", "paris", "France", "france", "Berlin",
                                  "germany", "berlin", "GERMANY", "wrong"};
static const float cap_m[] = {
    0.3f, 0.3f, 0.3f, -1, 1, 0, 0, 0, -1, 1, 1, 0, 0, 1, 0, 0, -1, 1, 1, 0.2f,
    0, 0, 1, 0, -1, 1, 1, 0.5f, 0, 0, 1, 0, 0, 0, 0, 1, -1, 1, 1, 0.8f,
};

static void write_eval_files(void)
{
    write_vectors("cap.txt", THETA_VEC_TEXT, 10, 4, cap_m, cap_words);
    tu_write_file(P("q.txt"),
                  ": capitals\r\n"
                  "paris france berlin germany\r\n"
                  "PARIS FRANCE BERLIN Germany\n"
                  ": caf\xe9 \"quoted\"\n"
                  "paris france berlin wrong\n"
                  "paris france tokyo germany\n",
                  (size_t)-1);
    tu_write_file(P("p.tsv"),
                  "# w1\tw2\tscore\n"
                  "paris\tfrance\t7\n"
                  "berlin\tgermany\t8\n"
                  "paris\twrong\t2\n"
                  "france\tgermany\t6\n"
                  "Paris\tBerlin\t7\n"
                  "paris\ttokyo\t5\n",
                  (size_t)-1);
}

START_TEST(eval_json_and_table)
{
    write_eval_files();
    char *out, *err;
    ck_assert_int_eq(tu_run(&out, &err, "eval %s --analogies %s --pairs %s --json -t 2",
                            P("cap.txt"), P("q.txt"), P("p.tsv")),
                     0);
    ck_assert_ptr_nonnull(strstr(out, "\"analogy_accuracy\": 0.6666666667"));
    ck_assert_ptr_nonnull(strstr(out, "\"analogy_correct\": 2, \"analogy_seen\": 3, "
                                      "\"analogy_total\": 4"));
    ck_assert_ptr_nonnull(strstr(out, "\"name\": \"capitals\", \"correct\": 2, \"seen\": 2, "
                                      "\"total\": 2}"));
    /* a non-UTF-8 byte and quotes in a section name stay valid JSON */
    ck_assert_ptr_nonnull(strstr(out, "\"name\": \"caf\\ufffd \\\"quoted\\\"\", \"correct\": 0, "
                                      "\"seen\": 1, \"total\": 2}"));
    ck_assert_ptr_nonnull(strstr(out, "\"oov_ratio\": 0.1666666667, \"pairs\": 5, \"oov\": 1}"));
    ck_assert_ptr_nonnull(strstr(out, "\"restrict\": 30000"));
    ck_assert_ptr_nonnull(strstr(err, "evaluated in"));
    free(out);
    free(err);

    /* the pairs figures are the library's, through the case-folded look-up */
    float m[40];
    memcpy(m, cap_m, sizeof m);
    theta_eval_index *ix;
    ck_assert_int_eq(theta_eval_index_new(m, 10, 4, cap_words, &ix), THETA_OK);
    theta_eval_pairs *pp;
    ck_assert_int_eq(theta_eval_pairs_load(P("p.tsv"), &pp), THETA_OK);
    theta_eval_pairs_result pr;
    ck_assert_int_eq(theta_eval_pairs_score(ix, pp, 0, &pr), THETA_OK);
    char want[128];
    snprintf(want, sizeof want, "\"spearman\": %.10g, \"pearson\": %.10g", pr.spearman, pr.pearson);
    ck_assert_int_eq(tu_run(&out, NULL, "eval %s -p %s --json", P("cap.txt"), P("p.tsv")), 0);
    ck_assert_msg(strstr(out, want) != NULL, "%s not in %s", want, out);
    ck_assert_ptr_nonnull(strstr(out, "\"analogy_accuracy\": null"));
    free(out);
    theta_eval_pairs_free(pp);
    theta_eval_index_free(ix);

    ck_assert_int_eq(tu_run(&out, NULL, "eval %s -a %s", P("cap.txt"), P("q.txt")), 0);
    ck_assert_ptr_nonnull(strstr(out, "  capitals                            2 /     2  100.00%\n"));
    ck_assert_ptr_nonnull(strstr(out, "  total                               2 /     3   66.67%\n"));
    ck_assert_ptr_nonnull(strstr(out, "questions: 4, seen 3, skipped 1"));
    free(out);
    /* --restrict 6: germany (row 6) is outside the vocabulary */
    ck_assert_int_eq(tu_run(&out, NULL, "eval %s -a %s --restrict 6 --json", P("cap.txt"),
                            P("q.txt")),
                     0);
    ck_assert_ptr_nonnull(strstr(out, "\"analogy_seen\": 0, \"analogy_total\": 4"));
    free(out);
}
END_TEST

START_TEST(eval_errors)
{
    write_eval_files();
    char *err;
    ck_assert_int_eq(tu_run(NULL, &err, "eval %s", P("cap.txt")), 2);
    ck_assert_ptr_nonnull(strstr(err, "nothing to evaluate"));
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "eval %s -a %s --restrict x", P("cap.txt"), P("q.txt")), 2);
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "eval %s -a %s -t 0", P("cap.txt"), P("q.txt")), 2);
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "eval %s -a %s/none.txt", P("cap.txt"), tu_dir), 1);
    ck_assert_ptr_nonnull(strstr(err, "none.txt"));
    free(err);
    tu_write_file(P("bad.tsv"), "just words here\n", (size_t)-1);
    ck_assert_int_eq(tu_run(NULL, &err, "eval %s -p %s", P("cap.txt"), P("bad.tsv")), 1);
    ck_assert_ptr_nonnull(strstr(err, "bad.tsv"));
    free(err);
}
END_TEST

/* ---- models, export and info --------------------------------------------- */

/* A 6-word model (dim 3) with values that need all 9 digits, saved as name. */
static void make_model(const char *name, theta_loss loss)
{
    theta_vocab *v = theta_vocab_new();
    static const char *w[] = {"the", "cat", "sat", "on", "mat"};
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(theta_vocab_add(v, w[i], strlen(w[i]), 10 - i), THETA_OK);
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    theta_config cfg = theta_config_default();
    cfg.dim = 3;
    cfg.loss = loss;
    cfg.epochs = 7;
    theta_model *m;
    ck_assert_int_eq(theta_model_new(&cfg, v, &m), THETA_OK);
    for (int i = 0; i < m->vocab->size * 3; i++)
        m->in[i] = (float)(0.1 * i - 0.7) / 3.0f;
    for (int i = 0; i < m->out_rows * 3; i++)
        m->out[i] = (float)(1e-5 * i + 1) * (i % 2 ? -1.0f : 1.0f);
    m->state.epoch = 3;
    m->state.words_done = 12345;
    ck_assert_int_eq(theta_model_save(m, P(name)), THETA_OK);
    theta_model_free(m);
}

static void assert_same_matrix(const char *path, const float *want, int64_t rows, int dim)
{
    theta_vectors *v;
    ck_assert_msg(theta_vectors_load(path, &v) == THETA_OK, "%s", theta_last_error());
    ck_assert_int_eq(v->rows, rows);
    ck_assert_int_eq(v->dim, dim);
    ck_assert_int_eq(memcmp(v->data, want, sizeof(float) * (size_t)rows * (size_t)dim), 0);
    theta_vectors_free(v);
}

static void assert_same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = tu_read_file(a, &la), *y = tu_read_file(b, &lb);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    ck_assert_msg(la == lb && memcmp(x, y, la) == 0, "%s and %s differ", a, b);
    free(x);
    free(y);
}

START_TEST(export_round_trips)
{
    make_model("m.theta", THETA_LOSS_NS);
    theta_model *m;
    ck_assert_int_eq(theta_model_load(P("m.theta"), &m), THETA_OK);
    char *err;
    ck_assert_int_eq(tu_run(NULL, &err, "export %s -o %s", P("m.theta"), P("in.txt")), 0);
    ck_assert_ptr_nonnull(strstr(err, "wrote 6 x 3 (txt)"));
    free(err);
    assert_same_matrix(P("in.txt"), m->in, 6, 3);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s --matrix out -o %s", P("m.theta"), P("out.bin")),
                     0);
    assert_same_matrix(P("out.bin"), m->out, 6, 3);
    /* between formats, byte-exact both ways */
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s -o %s", P("in.txt"), P("in.bin")), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s -o %s", P("in.bin"), P("in2.txt")), 0);
    assert_same_file(P("in.txt"), P("in2.txt"));
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s --format bin -o %s", P("in2.txt"), P("in2.vec")),
                     0);
    assert_same_file(P("in.bin"), P("in2.vec"));
    /* theta writes what the library writes */
    ck_assert_int_eq(theta_model_write_vectors(m, 0, P("lib.txt"), THETA_VEC_TEXT), THETA_OK);
    assert_same_file(P("in.txt"), P("lib.txt"));

    /* npy: header, C-order float32 data, and the words file */
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s -o %s", P("m.theta"), P("in.npy")), 0);
    size_t len;
    char *npy = tu_read_file(P("in.npy"), &len);
    ck_assert_int_eq(memcmp(npy, "\x93NUMPY\x01\x00", 8), 0);
    size_t hlen = (unsigned char)npy[8] | (size_t)(unsigned char)npy[9] << 8;
    ck_assert_uint_eq((10 + hlen) % 64, 0);
    ck_assert_int_eq(npy[10 + hlen - 1], '\n');
    ck_assert_ptr_nonnull(strstr(npy + 10, "'descr': '<f4', 'fortran_order': False, 'shape': (6, 3)"));
    ck_assert_uint_eq(len, 10 + hlen + 6 * 3 * 4);
    ck_assert_int_eq(memcmp(npy + 10 + hlen, m->in, 6 * 3 * 4), 0);
    free(npy);
    char *words = tu_read_file(P("in.words.txt"), NULL);
    ck_assert_str_eq(words, "</s>\nthe\ncat\nsat\non\nmat\n");
    free(words);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s -f npy --words %s -o %s", P("in.bin"),
                            P("w.txt"), P("x")),
                     0);
    words = tu_read_file(P("w.txt"), NULL);
    ck_assert_str_eq(words, "</s>\nthe\ncat\nsat\non\nmat\n");
    free(words);

    /* --center: every column less its mean (in double, rows in order) */
    ck_assert_int_eq(tu_run(NULL, &err, "export %s --center -o %s", P("m.theta"), P("c.txt")), 0);
    ck_assert_ptr_nonnull(strstr(err, "wrote 6 x 3 (txt, centred)"));
    free(err);
    float centred[18];
    for (int j = 0; j < 3; j++) {
        double mean = 0;
        for (int i = 0; i < 6; i++)
            mean += m->in[i * 3 + j];
        mean /= 6;
        ck_assert_double_gt(fabs(mean), 1e-4); /* there is something to subtract */
        for (int i = 0; i < 6; i++)
            centred[i * 3 + j] = (float)((double)m->in[i * 3 + j] - mean);
    }
    assert_same_matrix(P("c.txt"), centred, 6, 3);
    theta_model_free(m);

    /* hierarchical softmax: the output rows are inner nodes */
    make_model("hs.theta", THETA_LOSS_HS);
    char *out;
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s --matrix out -o %s", P("hs.theta"), P("hs.txt")),
                     0);
    out = tu_read_file(P("hs.txt"), NULL);
    ck_assert_int_eq(strncmp(out, "5 3\n__node_0 ", 13), 0);
    free(out);
}
END_TEST

START_TEST(export_errors)
{
    make_model("m.theta", THETA_LOSS_NS);
    char *err;
    ck_assert_int_eq(tu_run(NULL, &err, "export %s", P("m.theta")), 2);
    ck_assert_ptr_nonnull(strstr(err, "-o"));
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "export %s -o %s -f csv", P("m.theta"), P("x")), 2);
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "export %s -o %s --matrix sideways", P("m.theta"), P("x")),
                     2);
    free(err);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s -o %s", P("m.theta"), P("v.txt")), 0);
    ck_assert_int_eq(tu_run(NULL, &err, "export %s --matrix out -o %s", P("v.txt"), P("x")), 1);
    ck_assert_ptr_nonnull(strstr(err, "no output matrix"));
    free(err);
    /* a missing file is reported as missing, not as a vector file */
    ck_assert_int_eq(tu_run(NULL, &err, "export %s --matrix out -o %s", P("none.theta"), P("x")), 1);
    ck_assert_ptr_nonnull(strstr(err, "none.theta: cannot open: No such file"));
    ck_assert_ptr_null(strstr(err, "vector file"));
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "export %s -o %s/no/tu_dir/x.txt", P("m.theta"), tu_dir), 1);
    free(err);
    ck_assert(access(P("x"), F_OK) != 0);
}
END_TEST

START_TEST(info_model_and_vectors)
{
    make_model("m.theta", THETA_LOSS_HS);
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "info %s", P("m.theta")), 0);
    ck_assert_ptr_nonnull(strstr(out, "format:           theta-model\n"));
    ck_assert_ptr_nonnull(strstr(out, "format_version:   1\n"));
    ck_assert_ptr_nonnull(strstr(out, "rows:             6\n"));
    ck_assert_ptr_nonnull(strstr(out, "dim:              3\n"));
    ck_assert_ptr_nonnull(strstr(out, "output_rows:      5\n"));
    ck_assert_ptr_nonnull(strstr(out, "loss:             hs\n"));
    ck_assert_ptr_nonnull(strstr(out, "epochs:           7\n"));
    ck_assert_ptr_nonnull(strstr(out, "epochs_done:      3\n"));
    ck_assert_ptr_nonnull(strstr(out, "words_done:       12345\n"));
    ck_assert_ptr_nonnull(strstr(out, "finished:         false\n"));
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "info %s --json", P("m.theta")), 0);
    ck_assert_int_eq(out[0], '{');
    ck_assert_ptr_nonnull(strstr(out, "\"rows\": 6, \"dim\": 3"));
    ck_assert_ptr_nonnull(strstr(out, "\"arch\": \"skipgram\""));
    ck_assert_ptr_nonnull(strstr(out, "\"finished\": false"));
    free(out);
    /* a vector file with a zero row, a repeated word, a GloVe layout */
    tu_write_file(P("g.txt"), "a 1 0\nb 0 0\na 3 4\n", (size_t)-1);
    ck_assert_int_eq(tu_run(&out, NULL, "info %s", P("g.txt")), 0);
    ck_assert_ptr_nonnull(strstr(out, "format:           glove\n"));
    ck_assert_ptr_nonnull(strstr(out, "rows:             3\n"));
    ck_assert_ptr_nonnull(strstr(out, "norm_mean:        2\n"));
    ck_assert_ptr_nonnull(strstr(out, "norm_max:         5\n"));
    ck_assert_ptr_nonnull(strstr(out, "zero_rows:        1\n"));
    ck_assert_ptr_nonnull(strstr(out, "repeated_words:   1\n"));
    ck_assert(strstr(out, "epochs") == NULL);
    free(out);
}
END_TEST

/* ---- classes -------------------------------------------------------------- */

START_TEST(classes_planted_groups)
{
    /* 3 directions x 5 words, interleaved, lengths varied */
    char names[15][32];
    const char *w[15];
    double deg[15];
    for (int i = 0; i < 15; i++) {
        snprintf(names[i], sizeof names[i], "g%dw%d", i % 3, i / 3);
        w[i] = names[i];
        deg[i] = 120.0 * (i % 3) + 4.0 * (i / 3);
    }
    write_angles("cl.txt", 15, w, deg);
    char *out, *out2, *err;
    ck_assert_int_eq(tu_run(&out, &err, "classes %s -k 3 --seed 7 -t 2", P("cl.txt")), 0);
    ck_assert_ptr_nonnull(strstr(err, "15 rows into 3 classes"));
    free(err);
    int cls[15];
    char word[16];
    const char *p = out;
    for (int i = 0; i < 15; i++) {
        int n = 0;
        ck_assert_int_eq(sscanf(p, "%15s %d\n%n", word, &cls[i], &n), 2);
        ck_assert_str_eq(word, w[i]);
        p += n;
    }
    ck_assert_str_eq(p, "");
    for (int i = 0; i < 15; i++)
        ck_assert_int_eq(cls[i], cls[i % 3]);
    ck_assert(cls[0] != cls[1] && cls[1] != cls[2] && cls[0] != cls[2]);
    /* same seed, one thread: the same output */
    ck_assert_int_eq(tu_run(&out2, NULL, "classes %s -k 3 --seed 7 -t 1", P("cl.txt")), 0);
    ck_assert_str_eq(out, out2);
    free(out);
    free(out2);
    ck_assert_int_eq(tu_run(NULL, &err, "classes %s", P("cl.txt")), 2);
    ck_assert_ptr_nonnull(strstr(err, "-k"));
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "classes %s -k 16", P("cl.txt")), 1);
    free(err);
    ck_assert_int_eq(tu_run(&out, NULL, "classes %s -k 2 --restrict 4", P("cl.txt")), 0);
    int lines = 0;
    for (p = out; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 4);
    free(out);
}
END_TEST

/* ---- malformed input ------------------------------------------------------ */

static const struct {
    const char *name;
    const char *data;
    size_t len;
    const char *message;
} malformed[] = {
    {"huge header", "1000000000 100\na 1 2\n", (size_t)-1, "header declares"},
    {"header says more rows", "3 2\na 1 0\nb 0 1\n", (size_t)-1, "header declares 3"},
    {"header says fewer rows", "1 2\na 1 0\nb 0 1\n", (size_t)-1, "more vectors"},
    {"short row", "2 3\naaaa 1 0\nb 0 1 1\n", (size_t)-1, "expected 3 values"},
    {"not a number", "2 2\na 1 0\nb 0 x\n", (size_t)-1, "not a number"},
    {"empty", "", 0, "empty"},
    {"truncated binary", "2 2\nabcdefghij \x00\x00\x80\x3f\x00\x00\x00\x00\nb \x00\x00", 28,
     "ends inside the vector"},
    {"NaN value", "2 2\na nan 1\nb 0 1\n", (size_t)-1, "non-finite"},
    {"Inf in binary", "1 2\na \x00\x00\x80\x7f\x00\x00\x80\x3f\n", 15, "non-finite"},
    {"garbage", "\x13\x37\xff\x00\x01 \x02\n\xfe", 9, ""},
};

START_TEST(malformed_vector_files)
{
    const char *f = P("bad.vec");
    tu_write_file(f, malformed[_i].data, malformed[_i].len);
    char *err;
    int rc = tu_run(NULL, &err, "nn %s a", f);
    ck_assert_msg(rc == 1, "%s: exit %d, stderr %s", malformed[_i].name, rc, err);
    ck_assert_msg(strncmp(err, "theta nn: ", 10) == 0, "%s: %s", malformed[_i].name, err);
    ck_assert_msg(strstr(err, malformed[_i].message) != NULL, "%s: %s", malformed[_i].name, err);
    free(err);
    rc = tu_run(NULL, &err, "eval %s --pairs %s", f, f);
    ck_assert_msg(rc == 1, "%s: eval exit %d", malformed[_i].name, rc);
    free(err);
}
END_TEST

START_TEST(robust_variants_work)
{
    /* CRLF, no final newline, a 5000-byte word, non-UTF-8 bytes */
    char *big = malloc(5200);
    memset(big, 'x', 5000);
    snprintf(big + 5000, 200, " 0 1\r\n\xff\xfe 1 0.1\r\na 1 0");
    char *data = malloc(5300);
    snprintf(data, 5300, "3 2\r\n%s", big);
    tu_write_file(P("v.txt"), data, (size_t)-1);
    char *out, *err;
    ck_assert_int_eq(tu_run(&out, &err, "nn %s a -k 2", P("v.txt")), 0);
    ck_assert_int_eq(strncmp(out, "\xff\xfe\t0.995037\n", 12), 0);
    ck_assert_uint_eq(strlen(out), 12 + 5000 + 10);
    free(out);
    free(err);
    /* the same through binary, with and without word2vec's newlines */
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s -o %s", P("v.txt"), P("v.bin")), 0);
    ck_assert_int_eq(tu_run(&out, NULL, "nn %s a -k 1", P("v.bin")), 0);
    ck_assert_str_eq(out, "\xff\xfe\t0.995037\n");
    free(out);
    free(big);
    free(data);
}
END_TEST

START_TEST(malformed_models)
{
    make_model("m.theta", THETA_LOSS_NS);
    size_t len;
    char *b = tu_read_file(P("m.theta"), &len);
    b[len - 10] ^= 0x40; /* inside the output matrix */
    tu_write_file(P("flip.theta"), b, len);
    tu_write_file(P("cut.theta"), b, len / 2);
    char *err;
    ck_assert_int_eq(tu_run(NULL, &err, "info %s", P("flip.theta")), 1);
    ck_assert_ptr_nonnull(strstr(err, "CRC"));
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "export %s -o %s", P("cut.theta"), P("x.txt")), 1);
    ck_assert_ptr_nonnull(strstr(err, "cut.theta"));
    free(err);
    ck_assert(access(P("x.txt"), F_OK) != 0);
    ck_assert_int_eq(tu_run(NULL, &err, "info %s", tu_dir), 1);
    free(err);
    free(b);
}
END_TEST

/* ---- gensim and numpy ----------------------------------------------------- */

static int have_python(const char *modules)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import %s' >/dev/null 2>&1", modules);
    return access("/usr/bin/python3", X_OK) == 0 && system(cmd) == 0;
}

START_TEST(gensim_and_numpy_read_exports)
{
    if (!have_python("gensim, numpy")) {
        fprintf(stderr, "check_tools: /usr/bin/python3 with gensim and numpy not found; "
                        "skipping the interoperability test\n");
        return;
    }
    make_model("m.theta", THETA_LOSS_NS);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s -o %s", P("m.theta"), P("v.txt")), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s -o %s", P("m.theta"), P("v.bin")), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s -o %s", P("m.theta"), P("v.npy")), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "export %s --matrix out -o %s", P("m.theta"), P("o.npy")),
                     0);
    /* two values the exports must hold, computed here as make_model does */
    const float in27 = (float)(0.1 * 7 - 0.7) / 3.0f, out30 = -(float)(1e-5 * 3 + 1);
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && /usr/bin/python3 -c \"\n"
             "import numpy as np\n"
             "from gensim.models import KeyedVectors as K\n"
             "t = K.load_word2vec_format('v.txt')\n"
             "b = K.load_word2vec_format('v.bin', binary=True)\n"
             "n = np.load('v.npy')\n"
             "o = np.load('o.npy')\n"
             "w = open('v.words.txt').read().split('\\n')[:-1]\n"
             "assert n.dtype == np.float32 and n.shape == (6, 3) and o.shape == (6, 3), n.shape\n"
             "assert t.index_to_key == b.index_to_key == w, (t.index_to_key, w)\n"
             "assert (t.vectors == n).all() and (b.vectors == n).all(), 'values differ'\n"
             "assert n[2, 1] == np.float32('%.9g'), n[2, 1]\n"
             "assert o[1, 0] == np.float32('%.9g'), o[1, 0]\n"
             "\" 2>&1",
             tu_dir, in27, out30);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A random matrix with a planted relation (y = x + r + noise) and case
 * variants; theta eval and gensim's evaluators must give the same figures. */
START_TEST(eval_agrees_with_gensim)
{
    if (!have_python("gensim, numpy, scipy")) {
        fprintf(stderr, "check_tools: /usr/bin/python3 with gensim not found; skipping the "
                        "gensim agreement test\n");
        return;
    }
    enum { V = 400, D = 24, PAIRS = 40 };
    static float m[V * D];
    static char names[V][16];
    const char *w[V];
    theta_rng rng;
    theta_rng_seed(&rng, 2024);
    for (int i = 0; i < V * D; i++)
        m[i] = (float)(theta_rng_uniform(&rng) * 2 - 1);
    float r[D];
    for (int d = 0; d < D; d++)
        r[d] = (float)(theta_rng_uniform(&rng) * 2 - 1);
    for (int i = 0; i < V; i++) {
        /* rows 300..339 repeat words 0..39 upper-cased (later rows: never used) */
        if (i >= 300 && i < 340)
            snprintf(names[i], sizeof names[i], "W%d", i - 300);
        else
            snprintf(names[i], sizeof names[i], "w%d", i);
        w[i] = names[i];
    }
    for (int p = 0; p < PAIRS; p++) /* w(100+p) = w(p) + r + noise */
        for (int d = 0; d < D; d++)
            m[(100 + p) * D + d] =
                m[p * D + d] + r[d] + (float)(1.1 * (theta_rng_uniform(&rng) * 2 - 1));
    write_vectors("g.txt", THETA_VEC_TEXT, V, D, m, w);
    FILE *q = fopen(P("q.txt"), "w");
    ck_assert_ptr_nonnull(q);
    for (int s = 0; s < 3; s++) {
        fprintf(q, ": section-%d\n", s);
        for (int i = 0; i < 60; i++) {
            int a = (int)(theta_rng_next(&rng) % PAIRS), c = (int)(theta_rng_next(&rng) % PAIRS);
            if (a == c)
                continue;
            if (i % 17 == 0) /* OOV */
                fprintf(q, "w%d w%d zzz w%d\n", a, 100 + a, 100 + c);
            else if (i % 5 == 0) /* mixed case */
                fprintf(q, "W%d w%d W%d W%d\n", a, 100 + a, c, 100 + c);
            else
                fprintf(q, "w%d w%d w%d w%d\n", a, 100 + a, c, 100 + c);
        }
    }
    fclose(q);
    FILE *pf = fopen(P("p.tsv"), "w");
    ck_assert_ptr_nonnull(pf);
    fprintf(pf, "# word1\tword2\tscore\n");
    for (int i = 0; i < 80; i++) {
        int a = (int)(theta_rng_next(&rng) % 250), b = (int)(theta_rng_next(&rng) % 250);
        if (i % 13 == 0)
            fprintf(pf, "w%d\tnope\t%d\n", a, i % 7);
        else /* integer scores: plenty of ties */
            fprintf(pf, "w%d\tW%d\t%d\n", a, b, (int)(theta_rng_next(&rng) % 6));
    }
    fclose(pf);
    char *json;
    ck_assert_int_eq(tu_run(&json, NULL, "eval %s -a %s -p %s --restrict 350 --json", P("g.txt"),
                            P("q.txt"), P("p.tsv")),
                     0);
    tu_write_file(P("theta.json"), json, (size_t)-1);
    free(json);
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && /usr/bin/python3 -c \"\n"
             "import json, logging\n"
             "from gensim.models import KeyedVectors as K\n"
             "t = json.load(open('theta.json'))\n"
             "kv = K.load_word2vec_format('g.txt')\n"
             "score, secs = kv.evaluate_word_analogies('q.txt', restrict_vocab=350)\n"
             "tot = secs[-1]\n"
             "seen = len(tot['correct']) + len(tot['incorrect'])\n"
             "assert t['analogy_seen'] == seen, (t['analogy_seen'], seen)\n"
             "assert t['analogy_correct'] == len(tot['correct']), (t['analogy_correct'], len(tot['correct']))\n"
             "assert abs(t['analogy_accuracy'] - score) < 1e-9\n"
             "assert 0.2 < score < 0.95, score\n"
             "for a, b in zip(t['sections'], secs[:-1]):\n"
             "    assert a['name'] == b['section'] and a['correct'] == len(b['correct']), (a, b)\n"
             "p, s, o = kv.evaluate_word_pairs('p.tsv', restrict_vocab=350)\n"
             "tp = t['pairs'][0]\n"
             "assert abs(tp['spearman'] - s[0]) < 1e-6, (tp['spearman'], s[0])\n"
             "assert abs(tp['pearson'] - p[0]) < 1e-6, (tp['pearson'], p[0])\n"
             "assert abs(tp['oov_ratio'] * 100 - o) < 1e-9, (tp['oov_ratio'], o)\n"
             "\" 2>&1",
             tu_dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *tools_suite(void)
{
    Suite *s = suite_create("tools");
    TCase *cmd = tcase_create("commands");
    tcase_add_checked_fixture(cmd, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(cmd, nn_words_and_stdin);
    tcase_add_test(cmd, nn_usage_errors);
    tcase_add_test(cmd, analogy_planted);
    tcase_add_test(cmd, eval_json_and_table);
    tcase_add_test(cmd, eval_errors);
    tcase_add_test(cmd, export_round_trips);
    tcase_add_test(cmd, export_errors);
    tcase_add_test(cmd, info_model_and_vectors);
    tcase_add_test(cmd, classes_planted_groups);
    suite_add_tcase(s, cmd);
    TCase *bad = tcase_create("errors");
    tcase_add_checked_fixture(bad, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_loop_test(bad, malformed_vector_files, 0, sizeof malformed / sizeof malformed[0]);
    tcase_add_test(bad, robust_variants_work);
    tcase_add_test(bad, malformed_models);
    suite_add_tcase(s, bad);
    TCase *io = tcase_create("io");
    tcase_set_timeout(io, 60);
    tcase_add_checked_fixture(io, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(io, gensim_and_numpy_read_exports);
    tcase_add_test(io, eval_agrees_with_gensim);
    suite_add_tcase(s, io);
    return s;
}
