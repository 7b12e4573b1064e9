/*
 * check_kernel.c — the training kernels one sentence at a time: every ISA's
 * pair and batch kernels against the plain scalar reference (kernel_ref.c),
 * bit for bit, for every loss and architecture, at widths with and without
 * a tail; the reference against a naive double-precision computation of
 * the same updates (tolerance: float rounding and summation order); dot and
 * axpy likewise, and axpy against fmaf where double rounding would err; and
 * the products counter.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "loss.h"
#include "suites.h"
#include "testutil.h"
#include "theta.h"

static const char *isas[] = {"avx512f", "avx2", "sse2"};
static const theta_loss losses[3] = {THETA_LOSS_NS, THETA_LOSS_HS, THETA_LOSS_SOFTMAX};

/* Words w0..w11 in a fixed pseudo-random text, so that counts differ. */
static theta_model *small_model(theta_loss loss, theta_arch arch, int dim, int window)
{
    char *dir = tu_tmpdir();
    char *path = tu_path(dir, "k.txt");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng r;
    theta_rng_seed(&r, 5);
    for (int s = 0; s < 40; s++) {
        for (int i = 0; i < 8; i++) {
            uint64_t x = theta_rng_next(&r) % 100;
            fprintf(f, "%sw%d", i ? " " : "", (int)(x * x / 900)); /* skewed: w0 most often */
        }
        fputc('\n', f);
    }
    ck_assert_int_eq(fclose(f), 0);
    theta_config c = theta_config_default();
    c.loss = loss;
    c.arch = arch;
    c.dim = dim;
    c.window = window;
    c.min_count = 1;
    c.negative = 5;
    c.threads = 1;
    c.init_in.kind = c.init_out.kind = THETA_INIT_UNIFORM;
    c.init_in.value = 0.5;
    c.init_out.value = 0.5;
    theta_vocab *v;
    ck_assert_int_eq(theta_vocab_build(path, 1, 0, 0, &v), THETA_OK);
    theta_model *m;
    ck_assert_int_eq(theta_model_new(&c, v, &m), THETA_OK);
    ck_assert_int_ge(m->vocab->size, 11); /* the sentences below use ids up to 9 */
    tu_rmdir(dir);
    free(path);
    free(dir);
    return m;
}

typedef struct {
    theta__worker w;
    float *buf;
    theta__tables *tables;
} worker_box;

static void worker_open(worker_box *b, const theta_model *m, uint64_t seed)
{
    size_t n = theta__worker_scratch(m);
    b->buf = aligned_alloc(64, n * sizeof(float));
    ck_assert_ptr_nonnull(b->buf);
    memset(b->buf, 0, n * sizeof(float));
    b->tables = malloc(sizeof *b->tables);
    ck_assert_ptr_nonnull(b->tables);
    theta__tables_init(b->tables);
    memset(&b->w, 0, sizeof b->w);
    theta__worker_attach(&b->w, m, b->buf);
    b->w.t = b->tables;
    theta__worker_seed(&b->w, seed);
}

static void worker_close(worker_box *b)
{
    free(b->buf);
    free(b->tables);
}

static const int32_t sentence[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4};
#define SENTENCE_LEN ((int)(sizeof sentence / sizeof sentence[0]))

/* Runs kernel k (pair or batch) of set ks on a copy of m's matrices. */
static void run(const theta__kernel *ks, int kernel, const theta_model *m0, float *in, float *out,
                theta__worker *stats)
{
    theta_model m = *m0;
    size_t nin = (size_t)m0->vocab->size * m0->cfg.dim, nout = (size_t)m0->out_rows * m0->cfg.dim;
    memcpy(in, m0->in, nin * sizeof *in);
    memcpy(out, m0->out, nout * sizeof *out);
    m.in = in;
    m.out = out;
    worker_box b;
    worker_open(&b, &m, 99);
    for (int rep = 0; rep < 3; rep++)
        ks->sentence[kernel](&b.w, sentence, SENTENCE_LEN, 0.05f);
    *stats = b.w;
    worker_close(&b);
}

/* _i: loss (3) x arch (2) x kernel (2) x dim (37, 100, 16) */
START_TEST(every_isa_matches_the_reference_bit_for_bit)
{
    theta_loss loss = losses[_i % 3];
    theta_arch arch = (_i / 3) % 2 ? THETA_ARCH_CBOW : THETA_ARCH_SKIPGRAM;
    int kernel = (_i / 6) % 2;
    static const int dims[3] = {37, 100, 16};
    int dim = dims[_i / 12];
    theta_model *m = small_model(loss, arch, dim, 3);
    size_t nin = (size_t)m->vocab->size * dim, nout = (size_t)m->out_rows * dim;
    float *rin = malloc(nin * sizeof *rin), *rout = malloc(nout * sizeof *rout);
    float *fin = malloc(nin * sizeof *fin), *fout = malloc(nout * sizeof *fout);
    theta__worker rs, fs;
    run(theta__kernel_reference(), kernel, m, rin, rout, &rs);
    ck_assert(!rs.diverged);
    ck_assert_int_gt(rs.examples, 0);
    /* training moved the rows */
    ck_assert(memcmp(rin, m->in, nin * sizeof *rin) != 0);
    ck_assert(memcmp(rout, m->out, nout * sizeof *rout) != 0);
    int ran = 0;
    for (int k = 0; k < 3; k++) {
        const theta__kernel *ks = theta__kernel_select(isas[k]);
        if (!ks)
            continue;
        ran++;
        run(ks, kernel, m, fin, fout, &fs);
        ck_assert_msg(memcmp(fin, rin, nin * sizeof *fin) == 0, "%s %s/%s/%s dim %d: input differs",
                      isas[k], theta_kernel_name((theta_kernel)kernel), theta_loss_name(loss),
                      theta_arch_name(arch), dim);
        ck_assert_msg(memcmp(fout, rout, nout * sizeof *fout) == 0, "%s: output differs", isas[k]);
        ck_assert(fs.loss == rs.loss);
        ck_assert_int_eq(fs.examples, rs.examples);
        ck_assert_int_eq(fs.products, rs.products);
    }
    ck_assert_int_ge(ran, 1);
    free(rin);
    free(rout);
    free(fin);
    free(fout);
    theta_model_free(m);
}
END_TEST

START_TEST(dot_and_axpy_match_reference_and_doubles)
{
    float a[70], b[70], y0[70], yr[70], yf[70];
    theta_rng r;
    theta_rng_seed(&r, 3);
    for (int i = 0; i < 70; i++) {
        a[i] = (float)(theta_rng_uniform(&r) - 0.5);
        b[i] = (float)(theta_rng_uniform(&r) - 0.5);
        y0[i] = (float)(theta_rng_uniform(&r) - 0.5);
    }
    const theta__kernel *ref = theta__kernel_reference();
    for (int n = 0; n <= 70; n++) {
        double d = 0, s = 0;
        for (int i = 0; i < n; i++) {
            d += (double)a[i] * b[i];
            s += fabs((double)a[i] * b[i]);
        }
        float rd = ref->dot(a, b, n);
        ck_assert_msg(fabs(rd - d) <= 1e-6 * s + 1e-30, "n %d: %g vs %g", n, rd, d);
        memcpy(yr, y0, sizeof yr);
        ref->axpy(yr, 0.37f, a, n);
        for (int i = 0; i < 70; i++)
            ck_assert_float_eq(yr[i], i < n ? fmaf(0.37f, a[i], y0[i]) : y0[i]);
        for (int k = 0; k < 3; k++) {
            const theta__kernel *ks = theta__kernel_select(isas[k]);
            if (!ks)
                continue;
            float fd = ks->dot(a, b, n);
            ck_assert_msg(memcmp(&fd, &rd, sizeof fd) == 0, "%s dot n %d", isas[k], n);
            memcpy(yf, y0, sizeof yf);
            ks->axpy(yf, 0.37f, a, n);
            ck_assert_msg(memcmp(yf, yr, sizeof yf) == 0, "%s axpy n %d", isas[k], n);
        }
    }
}
END_TEST

/* axpy of every ISA against libm's fmaf, element by element, on n values. */
static void axpy_matches_fmaf(float a, const float *x, const float *y0, int n, const char *what)
{
    float y[256];
    ck_assert_int_le(n, 256);
    for (int k = 0; k < 3; k++) {
        const theta__kernel *ks = theta__kernel_select(isas[k]);
        if (!ks)
            continue;
        memcpy(y, y0, (size_t)n * sizeof *y);
        ks->axpy(y, a, x, n);
        for (int i = 0; i < n; i++) {
            float want = fmaf(a, x[i], y0[i]);
            ck_assert_msg(memcmp(&y[i], &want, sizeof want) == 0, "%s %s [%d]: %a * %a + %a = %a, not %a",
                          isas[k], what, i, (double)a, (double)x[i], (double)y0[i], (double)y[i],
                          (double)want);
        }
    }
}

/* Where a * x + y rounded to double lands on a midpoint between two floats,
 * rounding again to float can go the wrong way: a = 1 + 2^-23,
 * x = 2^-24 (1 - 2^-23), y = 1 + 2^-23 give 1 + 3 * 2^-24 - 2^-70, just
 * below the midpoint, which double rounds onto it. Scaled through float's
 * whole range, both signs; the same below float's normal range; then random
 * values of every magnitude. */
START_TEST(fma_hard_cases_match_fmaf)
{
    const float a = 1.0f + 0x1p-23f;
    float x[256], y[256];
    int n = 0;
    for (int e = -150; e <= 100 && n + 2 <= 256; e += 2) {
        float sx = ldexpf(0x1p-24f * (1.0f - 0x1p-23f), e), sy = ldexpf(a, e);
        x[n] = sx, y[n++] = sy;
        x[n] = -sx, y[n++] = -sy;
    }
    float naive = (float)((double)a * (double)x[75] + (double)y[75]);
    ck_assert_msg(naive != fmaf(a, x[75], y[75]), "the case does not round twice");
    axpy_matches_fmaf(a, x, y, n, "midpoints");
    /* below 2^-126 the midpoints are the odd multiples of 2^-150: with
     * a2 x = 2^-150 (1 - 2^-46) and y an odd multiple of 2^-149 (at least 65
     * of them, so that double drops the 2^-196) */
    const float a2 = ldexpf(a, -25), x2 = ldexpf(1.0f - 0x1p-23f, -125);
    for (int i = 0; i < 128; i++) {
        x[i] = i % 2 ? -x2 : x2;
        y[i] = ldexpf((float)(2 * (65 + 37 * i) + 1), -149) * (i % 2 ? -1.0f : 1.0f);
    }
    naive = (float)((double)a2 * (double)x[0] + (double)y[0]);
    ck_assert_msg(naive != fmaf(a2, x[0], y[0]), "the subnormal case does not round twice");
    axpy_matches_fmaf(a2, x, y, 128, "subnormal midpoints");
    theta_rng r;
    theta_rng_seed(&r, 11);
    for (int round = 0; round < 400; round++) {
        float s = ldexpf((float)(theta_rng_uniform(&r) + 0.5), (int)(theta_rng_next(&r) % 40) - 20);
        for (int i = 0; i < 256; i++) {
            int ex = (int)(theta_rng_next(&r) % 300) - 150, ey = (int)(theta_rng_next(&r) % 300) - 150;
            x[i] = ldexpf((float)(theta_rng_uniform(&r) - 0.5), ex);
            y[i] = ldexpf((float)(theta_rng_uniform(&r) - 0.5), i % 4 ? ey : ex);
        }
        axpy_matches_fmaf(s, x, y, 256, "random");
    }
}
END_TEST

static double sigmoid_d(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* hs (deterministic targets: the tree path) with window 1 (no random
 * shrinking): the reference's batch and pair updates of one sentence against
 * the same updates computed naively in double precision. */
START_TEST(reference_matches_doubles)
{
    int kernel = _i; /* 0 pair, 1 batch */
    const int dim = 37;
    theta_model *m = small_model(THETA_LOSS_HS, THETA_ARCH_SKIPGRAM, dim, 1);
    const theta_huffman *hf = &m->huffman;
    size_t nin = (size_t)m->vocab->size * dim, nout = (size_t)m->out_rows * dim;
    double *din = malloc(nin * sizeof *din), *dout = malloc(nout * sizeof *dout);
    float *in0 = malloc(nin * sizeof *in0);
    memcpy(in0, m->in, nin * sizeof *in0);
    for (size_t i = 0; i < nin; i++)
        din[i] = m->in[i];
    for (size_t i = 0; i < nout; i++)
        dout[i] = m->out[i];
    const double alpha = 0.05;
    const int32_t sen[] = {3, 1, 4, 1, 5, 2};
    const int len = 6;
    for (int pos = 0; pos < len; pos++) {
        int32_t word = sen[pos];
        int ctx[2], n = 0;
        if (pos > 0)
            ctx[n++] = sen[pos - 1];
        if (pos + 1 < len)
            ctx[n++] = sen[pos + 1];
        int64_t p0 = hf->offset[word], nt = hf->offset[word + 1] - p0;
        if (kernel == 0) {
            for (int j = 0; j < n; j++) {
                double *x = din + (size_t)ctx[j] * dim, grad[64] = {0};
                for (int64_t k = 0; k < nt; k++) {
                    double *o = dout + (size_t)hf->point[p0 + k] * dim, f = 0;
                    for (int i = 0; i < dim; i++)
                        f += x[i] * o[i];
                    double g = (1.0 - hf->code[p0 + k] - sigmoid_d(f)) * alpha;
                    for (int i = 0; i < dim; i++)
                        grad[i] += g * o[i];
                    for (int i = 0; i < dim; i++)
                        o[i] += g * x[i];
                }
                for (int i = 0; i < dim; i++)
                    x[i] += grad[i];
            }
        } else {
            double G[2][64], grad[2][64] = {{0}};
            for (int j = 0; j < n; j++)
                for (int64_t k = 0; k < nt; k++) {
                    double f = 0, *o = dout + (size_t)hf->point[p0 + k] * dim;
                    for (int i = 0; i < dim; i++)
                        f += din[(size_t)ctx[j] * dim + i] * o[i];
                    G[j][k] = (1.0 - hf->code[p0 + k] - sigmoid_d(f)) * alpha;
                }
            for (int j = 0; j < n; j++)
                for (int64_t k = 0; k < nt; k++)
                    for (int i = 0; i < dim; i++)
                        grad[j][i] += G[j][k] * dout[(size_t)hf->point[p0 + k] * dim + i];
            for (int64_t k = 0; k < nt; k++)
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < dim; i++)
                        dout[(size_t)hf->point[p0 + k] * dim + i] +=
                            G[j][k] * din[(size_t)ctx[j] * dim + i];
            for (int j = 0; j < n; j++)
                for (int i = 0; i < dim; i++)
                    din[(size_t)ctx[j] * dim + i] += grad[j][i];
        }
    }
    worker_box b;
    worker_open(&b, m, 1);
    theta__kernel_reference()->sentence[kernel](&b.w, sen, len, (float)alpha);
    worker_close(&b);
    /* the sigmoid is a table (steps of 1/512): a loose relative bound */
    double worst = 0, moved = 0;
    for (size_t i = 0; i < nin; i++) {
        worst = fmax(worst, fabs(m->in[i] - din[i]));
        moved = fmax(moved, fabs(m->in[i] - in0[i]));
    }
    for (size_t i = 0; i < nout; i++)
        worst = fmax(worst, fabs(m->out[i] - dout[i]));
    ck_assert_msg(worst < 2e-4, "largest difference %g", worst);
    ck_assert(moved > 1e-3); /* well above the differences */
    free(in0);
    free(din);
    free(dout);
    theta_model_free(m);
}
END_TEST

/* _i: share_negatives (2, 3, 5) x dim (37, 100, 16, and 37 with 15
 * negatives): the batch kernel's groups of centre words (negative sampling,
 * skip-gram), every ISA against the reference. */
START_TEST(shared_negatives_match_the_reference_bit_for_bit)
{
    static const int shares[3] = {2, 3, 5}, dims[4] = {37, 100, 16, 37};
    int dim = dims[_i / 3];
    theta_model *m = small_model(THETA_LOSS_NS, THETA_ARCH_SKIPGRAM, dim, 3);
    m->cfg.share_negatives = shares[_i % 3];
    if (_i >= 9)
        m->cfg.negative = 15; /* blocks wider than 8 and 16 targets (the vector loss step) */
    size_t nin = (size_t)m->vocab->size * dim, nout = (size_t)m->out_rows * dim;
    float *rin = malloc(nin * sizeof *rin), *rout = malloc(nout * sizeof *rout);
    float *fin = malloc(nin * sizeof *fin), *fout = malloc(nout * sizeof *fout);
    theta__worker rs, fs, one;
    run(theta__kernel_reference(), THETA_KERNEL_BATCH, m, rin, rout, &rs);
    ck_assert(!rs.diverged);
    ck_assert(memcmp(rin, m->in, nin * sizeof *rin) != 0);
    ck_assert(memcmp(rout, m->out, nout * sizeof *rout) != 0);
    /* fewer products than one draw per centre word, as many examples drawn
     * from the same windows' sizes (the draws differ, so not equal) */
    theta_model m1 = *m;
    m1.cfg.share_negatives = 1;
    run(theta__kernel_reference(), THETA_KERNEL_BATCH, &m1, fin, fout, &one);
    ck_assert_int_lt(rs.products, one.products);
    for (int k = 0; k < 3; k++) {
        const theta__kernel *ks = theta__kernel_select(isas[k]);
        if (!ks)
            continue;
        run(ks, THETA_KERNEL_BATCH, m, fin, fout, &fs);
        ck_assert_msg(memcmp(fin, rin, nin * sizeof *fin) == 0, "%s share %d dim %d: input differs",
                      isas[k], m->cfg.share_negatives, dim);
        ck_assert_msg(memcmp(fout, rout, nout * sizeof *fout) == 0, "%s: output differs", isas[k]);
        ck_assert(fs.loss == rs.loss);
        ck_assert_int_eq(fs.examples, rs.examples);
        ck_assert_int_eq(fs.products, rs.products);
    }
    free(rin);
    free(rout);
    free(fin);
    free(fout);
    theta_model_free(m);
}
END_TEST

/* A group of 3 centre words at window 1 (every window exactly pos +- 1):
 * one row per context position, and the weights by hand. */
START_TEST(group_rows_and_weights)
{
    theta_model *m = small_model(THETA_LOSS_NS, THETA_ARCH_SKIPGRAM, 16, 1);
    m->cfg.share_negatives = 3;
    worker_box b;
    worker_open(&b, m, 7);
    const int32_t sen[] = {3, 1, 4, 1, 5, 2};
    int32_t tg[16];
    float lab[16], wt[16];
    int npos;
    int nt = theta__group_targets(&b.w, sen, 3, tg, lab, wt, &npos);
    ck_assert_int_eq(npos, 3); /* the group's words 3 1 4, each a column */
    ck_assert_int_eq(tg[0], 3);
    ck_assert_int_eq(tg[1], 1);
    ck_assert_int_eq(tg[2], 4);
    ck_assert_int_ge(nt, 4);
    ck_assert_int_le(nt, npos + 5);
    float drawn = 0;
    for (int k = 0; k < nt; k++) {
        ck_assert_float_eq(lab[k], k < npos ? 1 : 0);
        if (k >= npos) {
            ck_assert(tg[k] != 3 && tg[k] != 1 && tg[k] != 4);
            drawn += wt[k];
        }
    }
    ck_assert_float_le(drawn, 5);
    /* windows [0,1], [0,2], [1,3] of centres 0, 1, 2: rows are positions 0..3 */
    float *rows[8], W[8 * 16];
    int pairs;
    int n = theta__group_rows(&b.w, sen, 6, 0, 3, tg, wt, npos, nt, rows, W, &pairs);
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(pairs, 5);
    /* positive weights: position 0 a context of centre 1; 1 of centres 0 and
     * 2; 2 of centre 1; 3 of centre 2 */
    static const float want[4][3] = {{0, 1, 0}, {1, 0, 1}, {0, 1, 0}, {0, 0, 1}};
    for (int j = 0; j < 4; j++) {
        ck_assert_ptr_eq(rows[j], m->in + (size_t)sen[j] * 16);
        for (int k = 0; k < 3; k++)
            ck_assert_float_eq(W[j * nt + k], want[j][k]);
        for (int k = npos; k < nt; k++) /* each position meets the negatives once */
            ck_assert_float_eq(W[j * nt + k], wt[k]);
    }
    theta_model_free(m);
    worker_close(&b);
}
END_TEST

/* The counter: batch counts n x distinct targets per centre word, pair
 * counts each context's targets; both counts equal the sum by hand. */
START_TEST(products_are_counted)
{
    theta_model *m = small_model(THETA_LOSS_HS, THETA_ARCH_SKIPGRAM, 16, 1);
    const theta_huffman *hf = &m->huffman;
    const int32_t sen[] = {3, 1, 4, 1, 5, 2};
    int64_t want = 0;
    for (int pos = 0; pos < 6; pos++)
        want += (int64_t)((pos > 0) + (pos < 5)) * (hf->offset[sen[pos] + 1] - hf->offset[sen[pos]]);
    for (int kernel = 0; kernel < 2; kernel++) {
        worker_box b;
        worker_open(&b, m, 1);
        theta__kernel_select(NULL)->sentence[kernel](&b.w, sen, 6, 0.01f);
        ck_assert_int_eq(b.w.products, want);
        ck_assert_int_eq(b.w.examples, 10);
        worker_close(&b);
    }
    theta_model_free(m);
}
END_TEST

/* A negative drawn twice for one window is one target of weight 2. */
START_TEST(repeated_targets_merge)
{
    int32_t t[6] = {7, 2, 9, 2, 2, 9};
    float l[6] = {1, 0, 0, 0, 0, 0}, w[6];
    int n = theta__targets_merge(t, l, w, 6);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(t[0], 7);
    ck_assert_int_eq(t[1], 2);
    ck_assert_int_eq(t[2], 9);
    ck_assert_float_eq(w[0], 1);
    ck_assert_float_eq(w[1], 3);
    ck_assert_float_eq(w[2], 2);
    ck_assert_float_eq(l[0], 1);
    ck_assert_float_eq(l[1], 0);
}
END_TEST

/* The loss step against doubles: the gradient (label - σ(s)) α times the
 * weight, and the loss -log σ(±s), both from one table cell: within the
 * table's step (1/512 in s) for the loss, relative where it is tiny. */
START_TEST(loss_step_matches_doubles)
{
    theta__tables *t = malloc(sizeof *t);
    ck_assert_ptr_nonnull(t);
    theta__tables_init(t);
    const float s0[] = {-9.5f, -7.9f, -3.0f, -0.3f, 0.0f, 0.7f, 2.5f, 7.95f, 11.0f, -2.0f};
    const int nt = (int)(sizeof s0 / sizeof s0[0]);
    const float alpha = 0.025f;
    for (int label = 0; label <= 1; label++) {
        float s[16], labels[16], weights[16];
        for (int k = 0; k < nt; k++) {
            s[k] = s0[k];
            labels[k] = (float)label;
            weights[k] = (float)(1 + k % 3);
        }
        double loss = 0, want = 0;
        ck_assert_int_eq(theta__loss_sigmoid(t, s, labels, weights, nt, alpha, &loss), 0);
        for (int k = 0; k < nt; k++) {
            double x = label ? s0[k] : -s0[k], nls = x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x));
            double g = (label - 1.0 / (1.0 + exp(-(double)s0[k]))) * alpha * weights[k];
            /* σ's slope is at most 1/4, the table's points 1/512 apart */
            double gtol = 0.26 * 0.5 / THETA_SIGMOID_RES * alpha * weights[k] + 1e-7;
            if (fabs(s0[k]) >= THETA_SIGMOID_MAX)
                gtol = 1.0 / (1.0 + exp(THETA_SIGMOID_MAX)) * alpha * weights[k] + 1e-7;
            ck_assert_msg(fabs(s[k] - g) <= gtol, "gradient %g, want %g (s %g)", s[k], g, s0[k]);
            want += weights[k] * nls;
            /* each term alone: inside the table, within half a step in s
             * (the loss's slope is below 1), and close relative to a tiny
             * loss; outside, the limit: off by at most -log σ(8) */
            double one = 0;
            float sk = s0[k], lk = (float)label, wk = 1.0f;
            theta__loss_sigmoid(t, &sk, &lk, &wk, 1, alpha, &one);
            double tol = fabs(s0[k]) >= THETA_SIGMOID_MAX ? log1p(exp(-THETA_SIGMOID_MAX))
                                                          : fmin(0.51 / THETA_SIGMOID_RES,
                                                                 2e-3 * nls + 1e-6);
            ck_assert_msg(fabs(one - nls) <= tol, "loss %g, want %g (s %g, label %d)", one, nls,
                          s0[k], label);
        }
        ck_assert_msg(fabs(loss - want) < 1e-2, "row loss %g, want %g", loss, want);
    }
    float bad[2] = {1.0f, NAN}, lab[2] = {1, 0};
    double loss = 0;
    ck_assert_int_eq(theta__loss_sigmoid(t, bad, lab, NULL, 2, alpha, &loss), -1);
    ck_assert(loss == 0);
    free(t);
}
END_TEST

Suite *kernel_suite(void)
{
    Suite *s = suite_create("kernel");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, every_isa_matches_the_reference_bit_for_bit, 0, 36);
    tcase_add_test(tc, dot_and_axpy_match_reference_and_doubles);
    tcase_add_test(tc, fma_hard_cases_match_fmaf);
    tcase_add_loop_test(tc, reference_matches_doubles, 0, 2);
    tcase_add_loop_test(tc, shared_negatives_match_the_reference_bit_for_bit, 0, 12);
    tcase_add_test(tc, group_rows_and_weights);
    tcase_add_test(tc, products_are_counted);
    tcase_add_test(tc, repeated_targets_merge);
    tcase_add_test(tc, loss_step_matches_doubles);
    suite_add_tcase(s, tc);
    return s;
}
