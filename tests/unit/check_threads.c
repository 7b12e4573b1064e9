/*
 * check_threads.c — training with several worker threads: every loss,
 * architecture and kernel; checkpoints taken while workers exist (they must
 * see every worker idle); a stop request; a divergence; and the threaded
 * Gram matrix sum of theta_dims_analyze. Small and fast, so
 * that the ThreadSanitizer build can run the whole suite
 * (make test SANITIZE=thread with CK_RUN_SUITE=threads); the only races it
 * may report are the hogwild row updates in the kernels, which
 * tests/tsan.supp names.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

#define THREADS 3

static char *corpus;

/* 6000 sentences of 8 words over 4 groups of 6 words: 48000 tokens, so an
 * epoch is several chunks (train.c: 10000 words) and every worker gets work.
 * Written into tu_dir: the tmpdir fixture runs first. */
static void setup(void)
{
    corpus = tu_path(tu_dir, "corpus.txt");
    FILE *f = fopen(corpus, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng rng;
    theta_rng_seed(&rng, 17);
    for (int s = 0; s < 6000; s++) {
        int g = (int)(theta_rng_next(&rng) % 4);
        for (int i = 0; i < 8; i++)
            fprintf(f, "%sg%dw%d", i ? " " : "", g, (int)(theta_rng_next(&rng) % 6));
        fputc('\n', f);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static void teardown(void)
{
    free(corpus);
}

static theta_config threaded_config(void)
{
    theta_config c = theta_config_default();
    c.dim = 16;
    c.window = 3;
    c.negative = 3;
    c.epochs = 1;
    c.threads = THREADS;
    c.min_count = 1;
    c.sample = 0;
    c.seed = 5;
    return c;
}

static theta_model *new_model(theta_config c)
{
    theta_vocab *v;
    ck_assert_int_eq(theta_vocab_build(corpus, c.min_count, 0, 0, &v), THETA_OK);
    theta_model *m;
    ck_assert_int_eq(theta_model_new(&c, v, &m), THETA_OK);
    return m;
}

static size_t in_floats(const theta_model *m)
{
    return (size_t)m->vocab->size * (size_t)m->cfg.dim;
}

static size_t out_floats(const theta_model *m)
{
    return (size_t)m->out_rows * (size_t)m->cfg.dim;
}

START_TEST(every_loss_and_kernel_trains_with_threads)
{
    /* _i: loss (ns, hs, softmax) x (skip-gram pair, skip-gram batch, cbow) */
    static const theta_loss losses[3] = {THETA_LOSS_NS, THETA_LOSS_HS, THETA_LOSS_SOFTMAX};
    theta_config c = threaded_config();
    c.loss = losses[_i % 3];
    c.arch = _i / 3 == 2 ? THETA_ARCH_CBOW : THETA_ARCH_SKIPGRAM;
    c.kernel = _i / 3 == 1 ? THETA_KERNEL_BATCH : THETA_KERNEL_PAIR;
    if (c.arch == THETA_ARCH_CBOW)
        c.alpha = 0.05;
    theta_model *m = new_model(c);
    float *before = malloc(in_floats(m) * sizeof(float));
    ck_assert_ptr_nonnull(before);
    memcpy(before, m->in, in_floats(m) * sizeof(float));
    ck_assert_msg(theta_train(m, corpus, NULL) == THETA_OK, "%s", theta_last_error());
    ck_assert_int_eq(m->state.epoch, 1);
    ck_assert_int_eq(m->state.words_done, m->state.train_words);
    size_t moved = 0;
    for (size_t i = 0; i < in_floats(m); i++) {
        ck_assert(isfinite(m->in[i]));
        moved += m->in[i] != before[i];
    }
    for (size_t i = 0; i < out_floats(m); i++)
        ck_assert(isfinite(m->out[i]));
    /* every word but </s> occurs, so every one of its values moved */
    ck_assert_uint_eq(moved, in_floats(m) - (size_t)m->cfg.dim);
    free(before);
    theta_model_free(m);
}
END_TEST

typedef struct {
    int calls;
    int changed;        /* the matrices changed while the hook looked at them */
    int64_t last_words; /* words_done at the previous call */
    int backwards;      /* words_done went down */
} watch;

/* FNV-1a over the bits of both matrices, in this (instrumented) file rather
 * than through zlib, so that ThreadSanitizer sees every read. */
static uint64_t matrices_hash(const theta_model *m)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    const float *mats[2] = {m->in, m->out};
    size_t n[2] = {in_floats(m), out_floats(m)};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < n[k]; i++) {
            uint32_t u;
            memcpy(&u, &mats[k][i], 4);
            h = (h ^ u) * 0x100000001b3ULL;
        }
    return h;
}

/* Looks at the matrices twice, a few milliseconds apart: with every worker
 * idle, as theta_train promises, nothing moves in between. */
static theta_status watch_checkpoint(const theta_model *m, void *user)
{
    watch *w = user;
    uint64_t a = matrices_hash(m);
    struct timespec ts = {0, 3 * 1000 * 1000};
    nanosleep(&ts, NULL);
    w->changed += matrices_hash(m) != a;
    w->backwards += m->state.words_done < w->last_words;
    w->last_words = m->state.words_done;
    w->calls++;
    return THETA_OK;
}

START_TEST(checkpoints_see_idle_workers)
{
    theta_config c = threaded_config();
    c.epochs = 2;
    theta_model *m = new_model(c);
    watch w = {0};
    /* a checkpoint at every chunk boundary */
    theta_train_hooks h = {.checkpoint = watch_checkpoint, .checkpoint_every = 1e-9, .user = &w};
    ck_assert_msg(theta_train(m, corpus, &h) == THETA_OK, "%s", theta_last_error());
    ck_assert_int_ge(w.calls, 4);
    ck_assert_int_eq(w.changed, 0);
    ck_assert_int_eq(w.backwards, 0);
    ck_assert_int_eq(m->state.words_done, 2 * m->state.train_words);
    theta_model_free(m);
}
END_TEST

/* A checkpoint that fails (a full disk, say) stops training with its status. */
static theta_status failing_checkpoint(const theta_model *m, void *user)
{
    (void)m;
    ++*(int *)user;
    return THETA_EIO;
}

START_TEST(failing_checkpoint_stops_training)
{
    theta_model *m = new_model(threaded_config());
    int calls = 0;
    theta_train_hooks h = {.checkpoint = failing_checkpoint, .checkpoint_every = 1e-9, .user = &calls};
    ck_assert_int_eq(theta_train(m, corpus, &h), THETA_EIO);
    ck_assert_int_eq(calls, 1);
    ck_assert_int_lt(m->state.words_done, m->state.train_words);
    theta_model_free(m);
}
END_TEST

static int stop_at_second_report(const theta_progress *p, const theta_model *m, void *user)
{
    (void)p;
    (void)m;
    return ++*(int *)user >= 2;
}

START_TEST(stop_request_with_threads_leaves_a_consistent_state)
{
    theta_config c = threaded_config();
    c.epochs = 2;
    theta_model *m = new_model(c);
    int reports = 0;
    theta_train_hooks h = {.progress = stop_at_second_report, .interval = 1e-9, .user = &reports};
    ck_assert_int_eq(theta_train(m, corpus, &h), THETA_EINTR);
    ck_assert_int_eq(reports, 2);
    ck_assert_int_eq(m->state.epoch, 0);
    ck_assert_int_gt(m->state.chunks_done, 0);
    ck_assert_int_gt(m->state.words_done, 0);
    ck_assert_int_lt(m->state.words_done, m->state.train_words);
    /* the rest of the run finishes from there */
    ck_assert_msg(theta_train(m, corpus, NULL) == THETA_OK, "%s", theta_last_error());
    ck_assert_int_eq(m->state.epoch, 2);
    ck_assert_int_eq(m->state.words_done, 2 * m->state.train_words);
    theta_model_free(m);
}
END_TEST

START_TEST(divergence_with_threads_is_reported)
{
    theta_config c = threaded_config();
    c.init_in = (theta_init){.kind = THETA_INIT_CONST, .value = 1e6};
    c.init_out = (theta_init){.kind = THETA_INIT_CONST, .value = 1e6};
    c.alpha = 10;
    theta_model *m = new_model(c);
    ck_assert_int_eq(theta_train(m, corpus, NULL), THETA_EDIVERGED);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "diverged"));
    theta_divergence d = theta_train_divergence();
    ck_assert_int_gt(d.word, 0);
    ck_assert_int_lt(d.word, m->vocab->size);
    ck_assert_int_eq(d.epoch, 1);
    theta_model_free(m);
}
END_TEST

START_TEST(dims_analysis_with_threads)
{
    /* large enough (rows x distinct columns^2 >= 2^24) for theta_dims_analyze
     * to sum the Gram matrix on several threads: a rank-5 matrix
     * M = A (4096 x 5) . B (5 x 64) with random A and B */
    enum { ROWS = 4096, DIM = 64, RANK = 5 };
    float *a = malloc(sizeof(float) * ROWS * RANK), *b = malloc(sizeof(float) * RANK * DIM);
    float *m = malloc(sizeof(float) * ROWS * DIM);
    ck_assert(a && b && m);
    theta_rng rng;
    theta_rng_seed(&rng, 3);
    for (int i = 0; i < ROWS * RANK; i++)
        a[i] = (float)(theta_rng_uniform(&rng) - 0.5);
    for (int i = 0; i < RANK * DIM; i++)
        b[i] = (float)(theta_rng_uniform(&rng) - 0.5);
    for (int r = 0; r < ROWS; r++)
        for (int d = 0; d < DIM; d++) {
            double x = 0;
            for (int k = 0; k < RANK; k++)
                x += (double)a[r * RANK + k] * b[k * DIM + d];
            m[r * DIM + d] = (float)x;
        }
    theta_dims_report rep;
    ck_assert_int_eq(theta_dims_analyze(m, ROWS, DIM, 0, &rep), THETA_OK);
    ck_assert_int_eq(rep.distinct_dims, DIM);
    ck_assert_int_eq(rep.rank, RANK);
    free(a);
    free(b);
    free(m);
}
END_TEST

Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("hogwild");
    /* generous: the ThreadSanitizer build is ~20x slower */
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, every_loss_and_kernel_trains_with_threads, 0, 9);
    tcase_add_test(tc, checkpoints_see_idle_workers);
    tcase_add_test(tc, failing_checkpoint_stops_training);
    tcase_add_test(tc, stop_request_with_threads_leaves_a_consistent_state);
    tcase_add_test(tc, divergence_with_threads_is_reported);
    tcase_add_test(tc, dims_analysis_with_threads);
    suite_add_tcase(s, tc);
    return s;
}
