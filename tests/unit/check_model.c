/* check_model.c — model creation (every init strategy, seeds, loss-specific
 * shapes and tables) and the .theta file: exact round trip, deterministic
 * bytes, atomic save, and a loader that refuses every damaged file. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "suites.h"
#include "testutil.h"
#include "internal.h"
#include "theta.h"

/* An assertion for hot loops: Check's ck_assert records its location with a
 * write to the runner on every *passing* check, which costs a system call. */
#define REQUIRE(cond, ...) \
    do { \
        if (!(cond)) \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

/* A finalized vocabulary of n entries: </s> and words with Zipf-like counts
 * (some multi-byte UTF-8). */
static theta_vocab *vocab_n(int n)
{
    theta_vocab *v = theta_vocab_new();
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(theta_vocab_add(v, "</s>", 4, 17), THETA_OK);
    for (int i = 1; i < n; i++) {
        char w[32];
        snprintf(w, sizeof w, i % 3 ? "word%d" : "m\xc3\xbc\xc3\x9f%d", i);
        ck_assert_int_eq(theta_vocab_add(v, w, strlen(w), 1000 / i + 1), THETA_OK);
    }
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    ck_assert_int_eq(v->size, n);
    return v;
}

static theta_config small_config(int dim)
{
    theta_config c = theta_config_default();
    c.dim = dim;
    c.threads = 1;
    c.seed = 7;
    return c;
}

static theta_model *new_model(const theta_config *c, int n)
{
    theta_model *m = NULL;
    theta_status st = theta_model_new(c, vocab_n(n), &m);
    ck_assert_msg(st == THETA_OK, "theta_model_new: %s", theta_last_error());
    ck_assert_ptr_nonnull(m);
    return m;
}

static size_t in_count(const theta_model *m)
{
    return (size_t)m->vocab->size * (size_t)m->cfg.dim;
}

static size_t out_count(const theta_model *m)
{
    return (size_t)m->out_rows * (size_t)m->cfg.dim;
}

static void all_equal(const float *x, size_t n, float value, const char *what)
{
    for (size_t i = 0; i < n; i++)
        REQUIRE(memcmp(&x[i], &value, sizeof value) == 0, "%s[%zu] = %.9g, not %.9g", what, i,
                (double)x[i], (double)value);
}

typedef struct {
    double mean, sd, min, max;
    size_t distinct_first; /* elements differing from x[0] */
} stats;

static stats stats_of(const float *x, size_t n)
{
    stats s = {0, 0, INFINITY, -INFINITY, 0};
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        REQUIRE(isfinite(x[i]), "element %zu is %g", i, (double)x[i]);
        sum += x[i];
        sum2 += (double)x[i] * x[i];
        s.min = x[i] < s.min ? x[i] : s.min;
        s.max = x[i] > s.max ? x[i] : s.max;
        s.distinct_first += x[i] != x[0];
    }
    s.mean = sum / (double)n;
    s.sd = sqrt(sum2 / (double)n - s.mean * s.mean);
    return s;
}

/* ---- creation ----------------------------------------------------------- */

START_TEST(init_w2v)
{
    theta_config c = small_config(50);
    c.init_in.kind = c.init_out.kind = THETA_INIT_W2V; /* word2vec's start, not the default */
    theta_model *m = new_model(&c, 400);
    ck_assert_int_eq(m->out_rows, 400);
    size_t n = in_count(m);
    stats s = stats_of(m->in, n);
    ck_assert_double_ge(s.min, -0.5 / 50);
    ck_assert_double_le(s.max, 0.5 / 50);
    /* U(-a, a): the extremes come close to +-a, sd = a / sqrt(3) */
    ck_assert_double_lt(s.min, -0.0099);
    ck_assert_double_gt(s.max, 0.0099);
    ck_assert_uint_gt(s.distinct_first, n - 100);
    ck_assert_double_eq_tol(s.mean, 0, 5 * 0.01 / sqrt(3.0 * (double)n));
    ck_assert_double_eq_tol(s.sd, 0.01 / sqrt(3.0), 0.0002);
    all_equal(m->out, out_count(m), 0.0f, "out");
    /* ns: the sampler is built over this vocabulary, no Huffman tree */
    ck_assert_int_eq(m->sampler.n, 400);
    ck_assert_int_eq(m->huffman.n, 0);
    ck_assert_int_eq(m->state.train_words, m->vocab->total);
    ck_assert_int_eq(m->state.epoch, 0);
    theta_model_free(m);
}
END_TEST

START_TEST(init_zero)
{
    theta_config c = small_config(16);
    c.init_in.kind = c.init_out.kind = THETA_INIT_ZERO;
    theta_model *m = new_model(&c, 30);
    all_equal(m->in, in_count(m), 0.0f, "in");
    all_equal(m->out, out_count(m), 0.0f, "out");
    theta_model_free(m);
}
END_TEST

START_TEST(init_const)
{
    theta_config c = small_config(13);
    ck_assert_int_eq(theta_init_parse("const:0.1", &c.init_in), THETA_OK);
    ck_assert_int_eq(theta_init_parse("const:-2", &c.init_out), THETA_OK);
    theta_model *m = new_model(&c, 30);
    all_equal(m->in, in_count(m), (float)0.1, "in");
    all_equal(m->out, out_count(m), -2.0f, "out");
    theta_model_free(m);
    /* const on one side, w2v (zero output) on the other */
    c.init_out.kind = THETA_INIT_W2V;
    m = new_model(&c, 5);
    all_equal(m->out, out_count(m), 0.0f, "out");
    theta_model_free(m);
}
END_TEST

START_TEST(init_uniform)
{
    theta_config c = small_config(100);
    ck_assert_int_eq(theta_init_parse("uniform:0.5", &c.init_in), THETA_OK);
    ck_assert_int_eq(theta_init_parse("uniform:2", &c.init_out), THETA_OK);
    theta_model *m = new_model(&c, 300);
    size_t n = in_count(m);
    stats s = stats_of(m->in, n);
    ck_assert_double_ge(s.min, -0.5);
    ck_assert_double_le(s.max, 0.5);
    ck_assert_double_lt(s.min, -0.499);
    ck_assert_double_gt(s.max, 0.499);
    /* mean 0 with SE a/sqrt(3n); sd a/sqrt(3) with SE about a/sqrt(3)/sqrt(1.25 n)... 5 SE */
    ck_assert_double_eq_tol(s.mean, 0, 5 * 0.5 / sqrt(3.0 * (double)n));
    ck_assert_double_eq_tol(s.sd, 0.5 / sqrt(3.0), 5 * 0.5 / sqrt(3.0) / sqrt((double)n));
    stats o = stats_of(m->out, out_count(m));
    ck_assert_double_ge(o.min, -2);
    ck_assert_double_le(o.max, 2);
    ck_assert_double_eq_tol(o.sd, 2 / sqrt(3.0), 5 * 2 / sqrt(3.0) / sqrt((double)n));
    /* the two matrices use different streams (the same stream would give
     * out == 4 * in exactly) */
    int scaled = 0;
    for (int i = 0; i < 100; i++)
        scaled += m->out[i] == 4 * m->in[i];
    ck_assert_int_lt(scaled, 5);
    theta_model_free(m);
}
END_TEST

START_TEST(init_scaled)
{
    /* scaled:K is uniform in +-K/dim: with dim from small_config */
    theta_config c = small_config(100);
    ck_assert_int_eq(theta_init_parse("scaled:1", &c.init_in), THETA_OK);
    theta_model *m = new_model(&c, 300);
    double a = 1.0 / c.dim;
    stats s = stats_of(m->in, in_count(m));
    ck_assert_double_ge(s.min, -a);
    ck_assert_double_le(s.max, a);
    ck_assert_double_lt(s.min, -0.99 * a);
    ck_assert_double_gt(s.max, 0.99 * a);
    ck_assert_double_eq_tol(s.sd, a / sqrt(3.0), 5 * a / sqrt(3.0) / sqrt((double)in_count(m)));
    theta_model_free(m);
}
END_TEST

START_TEST(init_normal)
{
    theta_config c = small_config(100);
    ck_assert_int_eq(theta_init_parse("normal:0.1", &c.init_in), THETA_OK);
    ck_assert_int_eq(theta_init_parse("normal:3", &c.init_out), THETA_OK);
    theta_model *m = new_model(&c, 300);
    size_t n = in_count(m);
    stats s = stats_of(m->in, n);
    /* mean 0 (SE sigma/sqrt(n)); sample sd sigma (SE sigma/sqrt(2n)) */
    ck_assert_double_eq_tol(s.mean, 0, 5 * 0.1 / sqrt((double)n));
    ck_assert_double_eq_tol(s.sd, 0.1, 5 * 0.1 / sqrt(2.0 * (double)n));
    /* the shape: P(|x| < sigma) = 0.6827, P(|x| < 2 sigma) = 0.9545 */
    size_t in1 = 0, in2 = 0;
    for (size_t i = 0; i < n; i++) {
        in1 += fabs(m->in[i]) < 0.1;
        in2 += fabs(m->in[i]) < 0.2;
    }
    ck_assert_double_eq_tol((double)in1 / (double)n, 0.6827, 5 * sqrt(0.6827 * 0.3173 / (double)n));
    ck_assert_double_eq_tol((double)in2 / (double)n, 0.9545, 5 * sqrt(0.9545 * 0.0455 / (double)n));
    stats o = stats_of(m->out, out_count(m));
    ck_assert_double_eq_tol(o.sd, 3, 5 * 3 / sqrt(2.0 * (double)n));
    theta_model_free(m);
    /* an odd number of elements: the last one is drawn too */
    c.dim = 3;
    c.init_in.value = 1;
    m = new_model(&c, 3);
    ck_assert(isfinite(m->in[8]) && fabs(m->in[8]) < 10);
    ck_assert(m->in[8] != m->in[7]);
    theta_model_free(m);
}
END_TEST

START_TEST(seeds)
{
    const char *inits[] = {"w2v", "uniform:0.3", "normal:0.2"};
    for (int k = 0; k < 3; k++) {
        theta_config c = small_config(20);
        ck_assert_int_eq(theta_init_parse(inits[k], &c.init_in), THETA_OK);
        ck_assert_int_eq(theta_init_parse(k ? inits[k] : "uniform:1", &c.init_out), THETA_OK);
        theta_model *a = new_model(&c, 50), *b = new_model(&c, 50);
        c.seed = 8;
        theta_model *d = new_model(&c, 50);
        ck_assert_int_eq(memcmp(a->in, b->in, in_count(a) * sizeof(float)), 0);
        ck_assert_int_eq(memcmp(a->out, b->out, out_count(a) * sizeof(float)), 0);
        size_t same = 0;
        for (size_t i = 0; i < in_count(a); i++)
            same += a->in[i] == d->in[i];
        ck_assert_uint_lt(same, 5);
        ck_assert_int_ne(memcmp(a->out, d->out, out_count(a) * sizeof(float)), 0);
        theta_model_free(a);
        theta_model_free(b);
        theta_model_free(d);
    }
}
END_TEST

START_TEST(shapes_per_loss)
{
    theta_config c = small_config(8);
    c.loss = THETA_LOSS_HS;
    theta_model *m = new_model(&c, 25);
    ck_assert_int_eq(m->out_rows, 24);
    ck_assert_int_eq(m->huffman.n, 25);
    ck_assert_int_eq(m->sampler.n, 0);
    ck_assert_uint_eq(theta_model_matrix_bytes(&c, 25), (size_t)(25 + 24) * 8 * 4);
    char name[32];
    theta_model_out_name(m, 3, name, sizeof name);
    ck_assert_str_eq(name, "__node_3");
    theta_model_free(m);
    c.loss = THETA_LOSS_SOFTMAX;
    m = new_model(&c, 25);
    ck_assert_int_eq(m->out_rows, 25);
    ck_assert_int_eq(m->huffman.n, 0);
    ck_assert_int_eq(m->sampler.n, 0);
    ck_assert_uint_eq(theta_model_matrix_bytes(&c, 25), (size_t)50 * 8 * 4);
    theta_model_out_name(m, 1, name, sizeof name);
    ck_assert_str_eq(name, m->vocab->entries[1].word);
    ck_assert_str_eq(name, "word1");
    theta_model_free(m);
}
END_TEST

START_TEST(row_names_per_matrix)
{
    theta_config c = small_config(4);
    c.loss = THETA_LOSS_HS;
    theta_model *m = new_model(&c, 25);
    const char **in, **out;
    ck_assert_int_eq(theta_model_row_names(m, 0, &in), THETA_OK);
    ck_assert_int_eq(theta_model_row_names(m, 1, &out), THETA_OK);
    for (int32_t r = 0; r < m->vocab->size; r++)
        ck_assert_ptr_eq(in[r], m->vocab->entries[r].word);
    char want[32];
    for (int64_t r = 0; r < m->out_rows; r++) {
        snprintf(want, sizeof want, "__node_%lld", (long long)r);
        ck_assert_str_eq(out[r], want);
    }
    free(in);
    free(out);
    theta_model_free(m);
    c.loss = THETA_LOSS_NS; /* the output rows are words too */
    m = new_model(&c, 6);
    ck_assert_int_eq(theta_model_row_names(m, 1, &out), THETA_OK);
    for (int64_t r = 0; r < m->out_rows; r++)
        ck_assert_ptr_eq(out[r], m->vocab->entries[r].word);
    free(out);
    theta_model_free(m);
}
END_TEST

START_TEST(new_rejects_bad_input)
{
    theta_config c = small_config(0);
    theta_model *m = NULL;
    ck_assert_int_eq(theta_model_new(&c, vocab_n(5), &m), THETA_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "dim must be"));
    c = small_config(4);
    theta_vocab *v = theta_vocab_new();
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    ck_assert_int_eq(theta_model_new(&c, v, &m), THETA_EDATA);
    ck_assert_ptr_null(m);
    /* ns with words that all have count 0: the sampler cannot be built */
    v = theta_vocab_new();
    ck_assert_int_eq(theta_vocab_add(v, "a", 1, 0), THETA_OK);
    ck_assert_int_eq(theta_vocab_finalize(v, 0, 0), THETA_OK);
    ck_assert_int_eq(theta_model_new(&c, v, &m), THETA_EDATA);
    ck_assert_ptr_null(m);
}
END_TEST

/* ---- files -------------------------------------------------------------- */

/* A model with every config field and the state set to unusual values. */
static theta_model *unusual_model(theta_loss loss)
{
    theta_config c = theta_config_default();
    c.arch = THETA_ARCH_CBOW;
    c.loss = loss;
    c.dim = 7;
    c.window = 3;
    c.negative = 11;
    c.epochs = 9;
    c.threads = 2;
    c.min_count = 1;
    c.max_vocab = 100;
    c.sample = 1.5e-4;
    c.alpha = 0.0375;
    c.min_alpha_ratio = 0.003;
    c.noise_uniform = 0.0123f;
    c.seed = 123456789012345ULL;
    ck_assert_int_eq(theta_init_parse("normal:0.3", &c.init_in), THETA_OK);
    ck_assert_int_eq(theta_init_parse("const:-0.25", &c.init_out), THETA_OK);
    theta_model *m = new_model(&c, 12);
    m->state.epoch = 2;
    m->state.words_done = 98765432101LL;
    m->state.chunks_done = 37;
    m->state.train_words = 4242;
    m->state.loss_sum = 1234.5678;
    m->state.loss_count = 999;
    m->state.corpus_bytes = 0xfedcba9876543210ULL;
    m->state.corpus_crc = 0xdeadbeef;
    /* make the output matrix non-constant too */
    for (size_t i = 0; i < out_count(m); i++)
        m->out[i] = (float)i * 0.5f - 3;
    return m;
}

static void assert_same_model(const theta_model *a, const theta_model *b)
{
    const theta_config *x = &a->cfg, *y = &b->cfg;
    ck_assert_int_eq(x->arch, y->arch);
    ck_assert_int_eq(x->loss, y->loss);
    ck_assert_int_eq(x->dim, y->dim);
    ck_assert_int_eq(x->window, y->window);
    ck_assert_int_eq(x->negative, y->negative);
    ck_assert_int_eq(x->epochs, y->epochs);
    ck_assert_int_eq(x->threads, y->threads);
    ck_assert_int_eq(x->min_count, y->min_count);
    ck_assert_int_eq(x->max_vocab, y->max_vocab);
    ck_assert(x->sample == y->sample);
    ck_assert(x->alpha == y->alpha);
    ck_assert(x->min_alpha_ratio == y->min_alpha_ratio);
    ck_assert(x->noise_uniform == y->noise_uniform);
    ck_assert_uint_eq(x->seed, y->seed);
    ck_assert_int_eq(x->init_in.kind, y->init_in.kind);
    ck_assert(x->init_in.value == y->init_in.value);
    ck_assert_int_eq(x->share_negatives, y->share_negatives);
    ck_assert_int_eq(x->init_out.kind, y->init_out.kind);
    ck_assert(x->init_out.value == y->init_out.value);
    ck_assert_int_eq(a->vocab->size, b->vocab->size);
    ck_assert_int_eq(a->vocab->total, b->vocab->total);
    for (int32_t i = 0; i < a->vocab->size; i++) {
        ck_assert_str_eq(a->vocab->entries[i].word, b->vocab->entries[i].word);
        ck_assert_int_eq(a->vocab->entries[i].count, b->vocab->entries[i].count);
        ck_assert_int_eq(theta_vocab_find(b->vocab, a->vocab->entries[i].word,
                                          strlen(a->vocab->entries[i].word)),
                         i);
    }
    ck_assert_uint_eq(theta_vocab_crc(a->vocab), theta_vocab_crc(b->vocab));
    ck_assert_int_eq(a->state.epoch, b->state.epoch);
    ck_assert_int_eq(a->state.words_done, b->state.words_done);
    ck_assert_int_eq(a->state.chunks_done, b->state.chunks_done);
    ck_assert_int_eq(a->state.train_words, b->state.train_words);
    ck_assert(a->state.loss_sum == b->state.loss_sum);
    ck_assert_int_eq(a->state.loss_count, b->state.loss_count);
    ck_assert_uint_eq(a->state.corpus_bytes, b->state.corpus_bytes);
    ck_assert_uint_eq(a->state.corpus_crc, b->state.corpus_crc);
    ck_assert_int_eq(a->out_rows, b->out_rows);
    ck_assert_int_eq(memcmp(a->in, b->in, in_count(a) * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(a->out, b->out, out_count(a) * sizeof(float)), 0);
    ck_assert_int_eq(a->huffman.n, b->huffman.n);
    ck_assert_int_eq(a->sampler.n, b->sampler.n);
    if (a->huffman.n) {
        ck_assert_int_eq(memcmp(a->huffman.offset, b->huffman.offset,
                                ((size_t)a->huffman.n + 1) * sizeof(int64_t)),
                         0);
        ck_assert_int_eq(memcmp(a->huffman.point, b->huffman.point,
                                (size_t)a->huffman.offset[a->huffman.n] * sizeof(int32_t)),
                         0);
    }
    if (a->sampler.n)
        ck_assert_int_eq(memcmp(a->sampler.cell, b->sampler.cell,
                                (size_t)a->sampler.n * sizeof *a->sampler.cell),
                         0);
}

START_TEST(save_load_round_trip)
{
    char *p = tu_path(tu_dir, "m.theta");
    theta_model *m = unusual_model((theta_loss)_i);
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    ck_assert_int_eq(theta_file_is_model(p), 1);
    theta_model *l = NULL;
    ck_assert_msg(theta_model_load(p, &l) == THETA_OK, "load: %s", theta_last_error());
    assert_same_model(m, l);
    theta_model_free(l);
    theta_model_free(m);
    free(p);
}
END_TEST

START_TEST(saved_bytes_are_deterministic)
{
    char *p1 = tu_path(tu_dir, "a.theta"), *p2 = tu_path(tu_dir, "b.theta"), *p3 = tu_path(tu_dir, "c.theta");
    theta_model *m = unusual_model(THETA_LOSS_HS);
    ck_assert_int_eq(theta_model_save(m, p1), THETA_OK);
    ck_assert_int_eq(theta_model_save(m, p2), THETA_OK);
    theta_model *l;
    ck_assert_int_eq(theta_model_load(p1, &l), THETA_OK);
    ck_assert_int_eq(theta_model_save(l, p3), THETA_OK);
    size_t n1, n2, n3;
    char *b1 = tu_read_file(p1, &n1), *b2 = tu_read_file(p2, &n2), *b3 = tu_read_file(p3, &n3);
    ck_assert_uint_eq(n1, n2);
    ck_assert_uint_eq(n1, n3);
    ck_assert_int_eq(memcmp(b1, b2, n1), 0);
    ck_assert_int_eq(memcmp(b1, b3, n1), 0);
    /* the layout of the documented header: magic, version 1, 5 sections, CONF of 108 bytes */
    ck_assert_int_eq(memcmp(b1, "THETAMOD\x01\0\0\0\x05\0\0\0CONF\x6c\0\0\0\0\0\0\0", 28), 0);
    /* the file size follows from the format: 16 + 5 sections of 16 bytes
     * framing + CONF 108 + STAT 64 + vocab + 2 matrices (12 + rows*dim*4) */
    size_t vb = 4;
    for (int32_t i = 0; i < m->vocab->size; i++)
        vb += 12 + strlen(m->vocab->entries[i].word);
    ck_assert_uint_eq(n1, 16 + 5 * 16 + 108 + 64 + vb + 12 + in_count(m) * 4 + 12 + out_count(m) * 4);
    free(b1);
    free(b2);
    free(b3);
    theta_model_free(l);
    theta_model_free(m);
    free(p1);
    free(p2);
    free(p3);
}
END_TEST

/* Number of entries in dir (without . and ..). */
static int count_entries(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    int n = -1;
    ck_assert_int_eq(fscanf(f, "%d", &n), 1);
    pclose(f);
    return n;
}

/* share_negatives other than 1 makes the CONF section 136 bytes (the
 * perturbation block, then the field) and round-trips; the same file cut
 * back to 108 bytes (an older theta's) loads with 1; other lengths fail. */
START_TEST(share_negatives_in_conf)
{
    char *p = tu_path(tu_dir, "share.theta");
    theta_model *m = unusual_model(THETA_LOSS_NS);
    m->cfg.share_negatives = 3;
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    theta_model *l = NULL;
    ck_assert_msg(theta_model_load(p, &l) == THETA_OK, "load: %s", theta_last_error());
    assert_same_model(m, l);
    theta_model_free(l);
    size_t n;
    unsigned char *b = (unsigned char *)tu_read_file(p, &n);
    /* header 16, CONF tag and length 12, payload 136, crc 4 */
    ck_assert_uint_eq(theta__get_u64(b + 16 + 4), 136);
    ck_assert_uint_eq(theta__get_u32(b + 16 + 12 + 132), 3);
    memmove(b + 16 + 12 + 108, b + 16 + 12 + 136, n - (16 + 12 + 136));
    n -= 28;
    theta__put_u64(b + 16 + 4, 108);
    theta__put_u32(b + 16 + 12 + 108, theta_crc32(0, b + 16 + 12, 108));
    tu_write_file(p, b, n);
    ck_assert_msg(theta_model_load(p, &l) == THETA_OK, "load: %s", theta_last_error());
    ck_assert_int_eq(l->cfg.share_negatives, 1);
    ck_assert_int_eq(l->cfg.negative, 11);
    ck_assert(memcmp(l->in, m->in, (size_t)in_count(m) * sizeof(float)) == 0);
    theta_model_free(l);
    theta__put_u64(b + 16 + 4, 110);
    tu_write_file(p, b, n);
    l = NULL;
    ck_assert_int_eq(theta_model_load(p, &l), THETA_EFORMAT);
    ck_assert_ptr_null(l);
    theta_model_free(m);
    free(b);
    free(p);
}
END_TEST

START_TEST(save_is_atomic)
{
    char *p = tu_path(tu_dir, "m.theta");
    theta_model *m = unusual_model(THETA_LOSS_NS);
    /* over an existing file: replaced, and nothing else left behind */
    tu_write_file(p, "old contents", (size_t)-1);
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    ck_assert_int_eq(count_entries(tu_dir), 1);
    ck_assert_int_eq(theta_file_is_model(p), 1);
    /* into a missing directory: an error naming the path, no file */
    char *q = tu_path(tu_dir, "missing/m.theta");
    ck_assert_int_eq(theta_model_save(m, q), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), q));
    ck_assert_int_eq(count_entries(tu_dir), 1);
    /* onto a directory: the rename fails, the temporary file is removed */
    char *d = tu_path(tu_dir, "adir");
    ck_assert_int_eq(mkdir(d, 0700), 0);
    ck_assert_int_eq(theta_model_save(m, d), THETA_EIO);
    ck_assert_int_eq(count_entries(tu_dir), 2);
    ck_assert_int_eq(count_entries(d), 0);
    theta_model_free(m);
    free(p);
    free(q);
    free(d);
}
END_TEST

START_TEST(load_missing_and_not_a_model)
{
    char *p = tu_path(tu_dir, "none.theta"), *t = tu_path(tu_dir, "text.theta");
    theta_model *m = NULL;
    ck_assert_int_eq(theta_model_load(p, &m), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), p));
    ck_assert_ptr_null(m);
    ck_assert_int_eq(theta_file_is_model(p), 0);
    ck_assert_int_eq(theta_model_load(tu_dir, &m), THETA_EIO);
    ck_assert_ptr_null(m);
    tu_write_file(t, "2 3\nthe 0.1 0.2 0.3\nof 1 2 3\n", (size_t)-1);
    ck_assert_int_eq(theta_model_load(t, &m), THETA_EFORMAT);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "magic"));
    ck_assert_ptr_null(m);
    ck_assert_int_eq(theta_file_is_model(t), 0);
    free(p);
    free(t);
}
END_TEST

/* Saves a small model and returns its bytes. */
static char *small_model_bytes(const char *path, theta_loss loss, size_t *len)
{
    theta_config c = small_config(3);
    c.loss = loss;
    ck_assert_int_eq(theta_init_parse("uniform:1", &c.init_out), THETA_OK);
    theta_model *m = new_model(&c, 5);
    ck_assert_int_eq(theta_model_save(m, path), THETA_OK);
    theta_model_free(m);
    char *b = tu_read_file(path, len);
    ck_assert_ptr_nonnull(b);
    return b;
}

START_TEST(every_byte_flip_fails)
{
    char *p = tu_path(tu_dir, "m.theta"), *bad = tu_path(tu_dir, "bad.theta");
    size_t len;
    char *b = small_model_bytes(p, (theta_loss)_i, &len);
    static const unsigned char flips[] = {0x01, 0x80, 0xff, 0x10};
    for (size_t off = 0; off < len; off++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            b[off] ^= (char)flips[f];
            tu_write_file(bad, b, len);
            b[off] ^= (char)flips[f];
            theta_model *m = NULL;
            theta_status st = theta_model_load(bad, &m);
            REQUIRE(st == THETA_EFORMAT, "byte %zu of %zu ^ 0x%02x: load gave %d (%s)", off, len,
                    flips[f], (int)st, theta_last_error());
            REQUIRE(m == NULL, "byte %zu: out-parameter written on failure", off);
        }
    }
    /* and the pristine bytes still load */
    tu_write_file(bad, b, len);
    theta_model *m = NULL;
    ck_assert_int_eq(theta_model_load(bad, &m), THETA_OK);
    theta_model_free(m);
    free(b);
    free(p);
    free(bad);
}
END_TEST

START_TEST(every_truncation_fails)
{
    char *p = tu_path(tu_dir, "m.theta"), *bad = tu_path(tu_dir, "bad.theta");
    size_t len;
    char *b = small_model_bytes(p, THETA_LOSS_HS, &len);
    for (size_t cut = 0; cut < len; cut++) {
        tu_write_file(bad, b, cut);
        theta_model *m = NULL;
        theta_status st = theta_model_load(bad, &m);
        REQUIRE(st == THETA_EFORMAT, "cut at %zu of %zu: load gave %d (%s)", cut, len, (int)st,
                theta_last_error());
        REQUIRE(m == NULL, "cut at %zu: out-parameter written", cut);
    }
    /* one byte too many */
    char *longer = malloc(len + 1);
    ck_assert_ptr_nonnull(longer);
    memcpy(longer, b, len);
    longer[len] = 0;
    tu_write_file(bad, longer, len + 1);
    theta_model *m = NULL;
    ck_assert_int_eq(theta_model_load(bad, &m), THETA_EFORMAT);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "unexpected bytes"));
    free(longer);
    free(b);
    free(p);
    free(bad);
}
END_TEST

/* ---- crafted files: valid CRCs, invalid contents ------------------------ */

typedef struct {
    size_t off[5]; /* offset of each section's tag */
    uint64_t len[5];
} layout;

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

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

static layout layout_of(const unsigned char *b, size_t n)
{
    layout l;
    size_t off = 16;
    for (int s = 0; s < 5; s++) {
        ck_assert_uint_le(off + 12, n);
        l.off[s] = off;
        l.len[s] = get_u64(b + off + 4);
        off += 16 + (size_t)l.len[s];
    }
    ck_assert_uint_eq(off, n);
    return l;
}

/* Recomputes the CRC of section s after its payload was edited. */
static void fix_crc(unsigned char *b, const layout *l, int s)
{
    const unsigned char *payload = b + l->off[s] + 12;
    put_u32(b + l->off[s] + 12 + l->len[s], (uint32_t)crc32(0, payload, (uInt)l->len[s]));
}

/* Writes b, loads it, expects THETA_EFORMAT with msg in the message. */
static void expect_format_error(const char *path, const unsigned char *b, size_t n, const char *msg,
                                const char *what)
{
    tu_write_file(path, b, n);
    theta_model *m = NULL;
    theta_status st = theta_model_load(path, &m);
    ck_assert_msg(st == THETA_EFORMAT, "%s: load gave %d (%s)", what, (int)st, theta_last_error());
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(theta_last_error(), msg) != NULL, "%s: message '%s' lacks '%s'", what,
                  theta_last_error(), msg);
    ck_assert_msg(strstr(theta_last_error(), path) != NULL, "%s: message does not name the file",
                  what);
}

START_TEST(crafted_files_with_valid_crcs)
{
    char *p = tu_path(tu_dir, "m.theta"), *bad = tu_path(tu_dir, "bad.theta");
    size_t n;
    unsigned char *orig = (unsigned char *)small_model_bytes(p, THETA_LOSS_NS, &n);
    unsigned char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    layout l = layout_of(orig, n);
    ck_assert_int_eq(memcmp(orig + l.off[1], "VOCB", 4), 0);
    size_t conf = l.off[0] + 12, vocb = l.off[1] + 12, mati = l.off[3] + 12;

    /* the pristine file loads after a no-op CRC fix (the helpers are right) */
    memcpy(b, orig, n);
    fix_crc(b, &l, 0);
    ck_assert_int_eq(memcmp(b, orig, n), 0);

    memcpy(b, orig, n);
    put_u32(b + conf + 8, 0); /* dim 0 */
    fix_crc(b, &l, 0);
    expect_format_error(bad, b, n, "invalid hyper-parameters", "dim 0");

    memcpy(b, orig, n);
    put_u32(b + conf + 4, 7); /* loss 7 */
    fix_crc(b, &l, 0);
    expect_format_error(bad, b, n, "invalid hyper-parameters", "loss 7");

    memcpy(b, orig, n);
    put_u32(b + conf + 8, 4); /* dim 4: valid, but the matrices are 5 x 3 */
    fix_crc(b, &l, 0);
    expect_format_error(bad, b, n, "expected", "dim 3 -> 4");

    memcpy(b, orig, n);
    put_u32(b + conf + 4, THETA_LOSS_HS); /* hs expects 4 output rows, not 5 */
    fix_crc(b, &l, 0);
    expect_format_error(bad, b, n, "MATO", "ns -> hs");

    memcpy(b, orig, n);
    put_u32(b + vocb, 0xffffffffu); /* a huge vocabulary: refused before allocating */
    fix_crc(b, &l, 1);
    expect_format_error(bad, b, n, "does not fit", "vocab size 2^32-1");

    memcpy(b, orig, n);
    put_u32(b + vocb, 1); /* one word: fewer than 2 */
    fix_crc(b, &l, 1);
    expect_format_error(bad, b, n, "vocabulary", "vocab size 1");

    memcpy(b, orig, n);
    put_u32(b + vocb, 4); /* one entry fewer than the section holds */
    fix_crc(b, &l, 1);
    expect_format_error(bad, b, n, "trailing", "vocab size 4 of 5");

    memcpy(b, orig, n);
    ck_assert_int_eq(memcmp(b + vocb + 8, "</s>", 4), 0);
    b[vocb + 9] = 'x'; /* "<xs>": the first entry is not </s> */
    fix_crc(b, &l, 1);
    expect_format_error(bad, b, n, "does not start with", "first word");

    memcpy(b, orig, n);
    b[vocb + 9] = '\0'; /* a NUL inside a word */
    fix_crc(b, &l, 1);
    expect_format_error(bad, b, n, "invalid", "NUL in a word");

    memcpy(b, orig, n);
    put_u64(b + vocb + 8 + 4, UINT64_MAX); /* count of </s> negative as int64 */
    fix_crc(b, &l, 1);
    expect_format_error(bad, b, n, "negative", "negative count");

    memcpy(b, orig, n);
    put_u32(b + vocb + 4, 0); /* word length 0 */
    fix_crc(b, &l, 1);
    expect_format_error(bad, b, n, "length", "empty word");

    memcpy(b, orig, n);
    put_u32(b + vocb + 4, 0x7fffffffu); /* word length past the section */
    fix_crc(b, &l, 1);
    expect_format_error(bad, b, n, "length", "word length 2^31-1");

    memcpy(b, orig, n);
    {
        /* counts that each fit int64 but whose sum does not */
        size_t e = vocb + 4;
        for (int k = 0; k < 5; k++) {
            uint32_t wl = (uint32_t)b[e] | (uint32_t)b[e + 1] << 8;
            put_u64(b + e + 4 + wl, (uint64_t)INT64_MAX / 3);
            e += 12 + wl;
        }
        ck_assert_uint_eq(e, vocb + l.len[1]);
    }
    fix_crc(b, &l, 1);
    expect_format_error(bad, b, n, "count", "counts overflow");

    memcpy(b, orig, n);
    put_u32(b + l.off[2] + 12, 0xffffffffu); /* epoch -1 */
    fix_crc(b, &l, 2);
    expect_format_error(bad, b, n, "STAT", "epoch -1");

    memcpy(b, orig, n);
    put_u64(b + l.off[2] + 12 + 4, UINT64_MAX); /* words_done -1 */
    fix_crc(b, &l, 2);
    expect_format_error(bad, b, n, "STAT", "words_done -1");

    memcpy(b, orig, n);
    put_u64(b + l.off[2] + 12 + 36, (uint64_t)INT64_MIN); /* loss_count < 0 */
    fix_crc(b, &l, 2);
    expect_format_error(bad, b, n, "STAT", "loss_count < 0");

    memcpy(b, orig, n);
    put_u64(b + mati, 6); /* matrix rows 6 */
    fix_crc(b, &l, 3);
    expect_format_error(bad, b, n, "MATI", "rows 6");

    memcpy(b, orig, n);
    put_u64(b + l.off[1] + 4, UINT64_MAX - 3); /* section length past the end */
    expect_format_error(bad, b, n, "past the end", "VOCB length");

    memcpy(b, orig, n);
    put_u32(b + 12, 7); /* seven sections */
    expect_format_error(bad, b, n, "sections", "section count");

    memcpy(b, orig, n);
    put_u32(b + 12, 6); /* six sections: the sixth (RANK) is not there */
    expect_format_error(bad, b, n, "section RANK is missing", "section count 6");

    memcpy(b, orig, n);
    put_u32(b + 8, 2); /* version 2 */
    expect_format_error(bad, b, n, "version", "version 2");

    memcpy(b, orig, n);
    memcpy(b + l.off[2], "STAX", 4);
    expect_format_error(bad, b, n, "STAT", "tag");

    memcpy(b, orig, n);
    b[l.off[4] + 12 + 12] ^= 1; /* a matrix element: only the CRC can tell */
    expect_format_error(bad, b, n, "CRC", "matrix element");

    free(b);
    free(orig);
    free(p);
    free(bad);
}
END_TEST

/* ---- the RANK section of MPI checkpoints -------------------------------- */

/* A small model with the shares of a 3-rank run over 2 input files. */
static theta_model *model_with_shares(void)
{
    theta_config c = small_config(3);
    theta_model *m = new_model(&c, 5);
    m->shares.nranks = 3;
    m->shares.ninputs = 2;
    m->shares.ranks = calloc(3, sizeof *m->shares.ranks);
    m->shares.inputs = calloc(2, sizeof *m->shares.inputs);
    ck_assert(m->shares.ranks && m->shares.inputs);
    for (int r = 0; r < 3; r++)
        m->shares.ranks[r] = (theta__rank_state){7 + r, 1.5 * r, 100 + r};
    m->shares.inputs[0] = (theta_fingerprint){12345, 0xdeadbeef};
    m->shares.inputs[1] = (theta_fingerprint){(uint64_t)1 << 40, 7};
    m->shares.piece = 262144;
    return m;
}

START_TEST(rank_section_round_trip)
{
    char *p = tu_path(tu_dir, "m.theta"), *q = tu_path(tu_dir, "plain.theta");
    theta_model *m = model_with_shares();
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    theta_model *l = NULL;
    ck_assert_msg(theta_model_load(p, &l) == THETA_OK, "load: %s", theta_last_error());
    assert_same_model(m, l);
    ck_assert_int_eq(l->shares.nranks, 3);
    ck_assert_int_eq(l->shares.ninputs, 2);
    for (int r = 0; r < 3; r++) {
        ck_assert_int_eq(l->shares.ranks[r].chunks_done, 7 + r);
        ck_assert(l->shares.ranks[r].loss_sum == 1.5 * r);
        ck_assert_int_eq(l->shares.ranks[r].loss_count, 100 + r);
    }
    ck_assert_uint_eq(l->shares.inputs[0].bytes, 12345);
    ck_assert_uint_eq(l->shares.inputs[0].crc, 0xdeadbeef);
    ck_assert_uint_eq(l->shares.inputs[1].bytes, (uint64_t)1 << 40);
    ck_assert_uint_eq(l->shares.inputs[1].crc, 7);
    ck_assert_int_eq(l->shares.piece, 262144);
    /* without shares: the five sections of a one-process model, 24 + 16 * 2 + 24 * 3 + 8
     * bytes shorter (section header and CRC, two inputs, three ranks, the piece) */
    theta_model_free(l);
    free(m->shares.ranks);
    free(m->shares.inputs);
    memset(&m->shares, 0, sizeof m->shares);
    ck_assert_int_eq(theta_model_save(m, q), THETA_OK);
    size_t n6, n5;
    char *b6 = tu_read_file(p, &n6), *b5 = tu_read_file(q, &n5);
    ck_assert_uint_eq(n6, n5 + 16 + 8 + 16 * 2 + 24 * 3 + 8);
    ck_assert_int_eq((unsigned char)b5[12], 5);
    ck_assert_int_eq((unsigned char)b6[12], 6);
    ck_assert_int_eq(memcmp(b5 + 16, b6 + 16, n5 - 16), 0);
    ck_assert_int_eq(theta_model_load(q, &l), THETA_OK);
    ck_assert_int_eq(l->shares.nranks, 0);
    ck_assert_ptr_null(l->shares.ranks);
    theta_model_free(l);
    theta_model_free(m);
    free(b6);
    free(b5);
    free(p);
    free(q);
}
END_TEST

/* A RANK section of an earlier theta, without the piece size at its end,
 * loads as the split of its time: one equal byte range per rank (piece 0). */
START_TEST(rank_section_without_piece_loads_as_ranges)
{
    char *p = tu_path(tu_dir, "m.theta"), *old = tu_path(tu_dir, "old.theta");
    theta_model *m = model_with_shares();
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    size_t n;
    unsigned char *b = (unsigned char *)tu_read_file(p, &n);
    const uint64_t len = 8 + 16 * 2 + 24 * 3 + 8;
    const size_t off = n - (size_t)(16 + len);
    ck_assert_int_eq(memcmp(b + off, "RANK", 4), 0);
    layout l = {{0}, {0}};
    l.off[0] = off;
    l.len[0] = len - 8;
    put_u64(b + off + 4, len - 8); /* the payload without its last 8 bytes, a new CRC */
    fix_crc(b, &l, 0);
    tu_write_file(old, b, n - 8);
    theta_model *x = NULL;
    ck_assert_msg(theta_model_load(old, &x) == THETA_OK, "load: %s", theta_last_error());
    ck_assert_int_eq(x->shares.nranks, 3);
    ck_assert_int_eq(x->shares.ranks[2].chunks_done, 9);
    ck_assert_int_eq(x->shares.piece, 0);
    theta_model_free(x);
    theta_model_free(m);
    free(b);
    free(p);
    free(old);
}
END_TEST

START_TEST(rank_section_damage_is_refused)
{
    char *p = tu_path(tu_dir, "m.theta"), *bad = tu_path(tu_dir, "bad.theta");
    theta_model *m = model_with_shares();
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    theta_model_free(m);
    size_t n;
    unsigned char *orig = (unsigned char *)tu_read_file(p, &n);
    unsigned char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    /* the RANK section is the last: tag, length, payload, CRC */
    const uint64_t len = 8 + 16 * 2 + 24 * 3 + 8;
    const size_t off = n - (size_t)(16 + len);
    ck_assert_int_eq(memcmp(orig + off, "RANK", 4), 0);
    unsigned char *payload = b + off + 12;
    layout l = {{0}, {0}};
    l.off[0] = off;
    l.len[0] = len;
#define RANK_CASE(EDIT, MSG, WHAT)                                                                 \
    memcpy(b, orig, n);                                                                            \
    EDIT;                                                                                          \
    fix_crc(b, &l, 0);                                                                             \
    expect_format_error(bad, b, n, MSG, WHAT);
    RANK_CASE(put_u32(payload, 0), "do not fit", "0 ranks")
    RANK_CASE(put_u32(payload, 4), "do not fit", "4 ranks in the room of 3")
    RANK_CASE(put_u32(payload + 4, 0), "do not fit", "0 input files")
    RANK_CASE(put_u32(payload, 0xffffffffu), "do not fit", "2^32 - 1 ranks")
    RANK_CASE(put_u64(payload + 8 + 32 + 24, UINT64_MAX), "invalid position", "rank 1: chunks < 0")
    RANK_CASE(put_u64(payload + 8 + 32 + 8, 0x7ff8000000000000ULL), "invalid position",
              "rank 0: loss NaN")
    RANK_CASE(put_u64(payload + 8 + 32 + 48 + 16, UINT64_MAX), "invalid position",
              "rank 2: loss count < 0")
    RANK_CASE(put_u64(payload + 8 + 32 + 72, UINT64_MAX), "invalid piece size", "piece < 0")
#undef RANK_CASE
    /* the payload changed without a new CRC */
    memcpy(b, orig, n);
    payload[8 + 32] ^= 1;
    expect_format_error(bad, b, n, "CRC", "chunks of rank 0");
    /* every truncation inside the section */
    for (size_t cut = off; cut < n; cut++) {
        tu_write_file(bad, orig, cut);
        theta_model *x = NULL;
        ck_assert_msg(theta_model_load(bad, &x) == THETA_EFORMAT, "cut at %zu", cut);
        ck_assert_ptr_null(x);
    }
    free(b);
    free(orig);
    free(p);
    free(bad);
}
END_TEST

START_TEST(peek_reads_the_header)
{
    char *dir = tu_tmpdir();
    char *p = tu_path(dir, "m.theta"), *t = tu_path(dir, "text.vec"), *none = tu_path(dir, "none");
    size_t len;
    free(small_model_bytes(p, THETA_LOSS_NS, &len));
    theta_model_header h = {0, 0};
    ck_assert_int_eq(theta_model_peek(p, &h), THETA_OK);
    ck_assert_uint_eq(h.version, 1);
    ck_assert_uint_eq(h.sections, 5);
    /* a header of a version this build does not read is still reported */
    tu_write_file(p, "THETAMOD\x07\0\0\0\x05\0\0\0", 16);
    ck_assert_int_eq(theta_model_peek(p, &h), THETA_OK);
    ck_assert_uint_eq(h.version, 7);
    ck_assert_int_eq(theta_file_is_model(p), 1);
    tu_write_file(t, "2 3\nthe 0.1 0.2 0.3\nof 1 2 3\n", (size_t)-1);
    h.version = 99;
    ck_assert_int_eq(theta_model_peek(t, &h), THETA_EFORMAT);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "magic"));
    ck_assert_uint_eq(h.version, 99); /* untouched on failure */
    ck_assert_int_eq(theta_model_peek(none, &h), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), none));
    tu_rmdir(dir);
    free(p);
    free(t);
    free(none);
    free(dir);
}
END_TEST

/* ---- the INPT section: one process, several input files ----------------- */

START_TEST(inputs_section_round_trip_and_damage)
{
    char *dir = tu_tmpdir();
    char *p = tu_path(dir, "m.theta"), *q = tu_path(dir, "one.theta"), *bad = tu_path(dir, "b");
    theta_config c = small_config(3);
    theta_model *m = new_model(&c, 5);
    ck_assert_int_eq(theta_model_save(m, q), THETA_OK); /* one input: no sixth section */
    m->shares.ninputs = 3;
    m->shares.inputs = calloc(3, sizeof *m->shares.inputs);
    ck_assert_ptr_nonnull(m->shares.inputs);
    for (int i = 0; i < 3; i++)
        m->shares.inputs[i] = (theta_fingerprint){((uint64_t)1 << 33) + (uint64_t)i, 0xabc0u + i};
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    theta_model *l = NULL;
    ck_assert_msg(theta_model_load(p, &l) == THETA_OK, "load: %s", theta_last_error());
    assert_same_model(m, l);
    ck_assert_int_eq(l->shares.nranks, 0);
    ck_assert_ptr_null(l->shares.ranks);
    ck_assert_int_eq(l->shares.ninputs, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(l->shares.inputs[i].bytes, ((uint64_t)1 << 33) + (uint64_t)i);
        ck_assert_uint_eq(l->shares.inputs[i].crc, 0xabc0u + (uint32_t)i);
    }
    theta_model_free(l);
    /* the same file as one input's plus the section at the end */
    size_t n6, n5;
    unsigned char *b6 = (unsigned char *)tu_read_file(p, &n6);
    char *b5 = tu_read_file(q, &n5);
    const uint64_t len = 8 + 16 * 3;
    ck_assert_uint_eq(n6, n5 + 16 + len);
    ck_assert_int_eq(b5[12], 5);
    ck_assert_int_eq(b6[12], 6);
    ck_assert_int_eq(memcmp(b5 + 16, b6 + 16, n5 - 16), 0);
    ck_assert_int_eq(memcmp(b6 + n5, "INPT", 4), 0);
    ck_assert_int_eq(theta_model_load(q, &l), THETA_OK);
    ck_assert_int_eq(l->shares.ninputs, 0);
    theta_model_free(l);
    /* damaged counts are refused, with a valid CRC or without */
    unsigned char *b = malloc(n6);
    ck_assert_ptr_nonnull(b);
    unsigned char *payload = b + n5 + 12;
    layout lay = {{0}, {0}};
    lay.off[0] = n5;
    lay.len[0] = len;
    const uint32_t counts[] = {0, 1, 2, 4, 0xffffffffu};
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        memcpy(b, b6, n6);
        put_u32(payload, counts[k]);
        fix_crc(b, &lay, 0);
        expect_format_error(bad, b, n6, "do not fit", "a bad input count");
    }
    memcpy(b, b6, n6);
    payload[9] ^= 1;
    expect_format_error(bad, b, n6, "CRC", "a fingerprint");
    for (size_t cut = n5; cut < n6; cut++) {
        tu_write_file(bad, b6, cut);
        theta_model *x = NULL;
        ck_assert_msg(theta_model_load(bad, &x) == THETA_EFORMAT, "cut at %zu", cut);
        ck_assert_ptr_null(x);
    }
    free(b);
    free(b6);
    free(b5);
    theta_model_free(m);
    tu_rmdir(dir);
    free(p);
    free(q);
    free(bad);
    free(dir);
}
END_TEST

Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *core = tcase_create("core");
    tcase_add_test(core, init_w2v);
    tcase_add_test(core, init_zero);
    tcase_add_test(core, init_const);
    tcase_add_test(core, init_uniform);
    tcase_add_test(core, init_normal);
    tcase_add_test(core, init_scaled);
    tcase_add_test(core, seeds);
    tcase_add_test(core, shapes_per_loss);
    tcase_add_test(core, row_names_per_matrix);
    suite_add_tcase(s, core);
    TCase *io = tcase_create("io");
    tcase_add_checked_fixture(io, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_loop_test(io, save_load_round_trip, THETA_LOSS_NS, THETA_LOSS_SOFTMAX + 1);
    tcase_add_test(io, saved_bytes_are_deterministic);
    tcase_add_test(io, share_negatives_in_conf);
    tcase_add_test(io, save_is_atomic);
    tcase_add_test(io, rank_section_round_trip);
    tcase_add_test(io, rank_section_without_piece_loads_as_ranges);
    tcase_set_timeout(io, 20);
    suite_add_tcase(s, io);
    TCase *err = tcase_create("errors");
    tcase_add_checked_fixture(err, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(err, new_rejects_bad_input);
    tcase_add_test(err, load_missing_and_not_a_model);
    tcase_add_test(err, peek_reads_the_header);
    tcase_add_loop_test(err, every_byte_flip_fails, THETA_LOSS_NS, THETA_LOSS_SOFTMAX + 1);
    tcase_add_test(err, every_truncation_fails);
    tcase_add_test(err, crafted_files_with_valid_crcs);
    tcase_add_test(err, rank_section_damage_is_refused);
    tcase_add_test(err, inputs_section_round_trip_and_damage);
    tcase_set_timeout(err, 20);
    suite_add_tcase(s, err);
    return s;
}
