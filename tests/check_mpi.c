/*
 * check_mpi.c — data-parallel training over MPI, end to end with mpirun:
 * one vocabulary on every rank, identical matrices on every rank after the
 * last sync, each rank's change to the matrices added in full (base + the
 * sum of the ranks' deltas, bit for bit, against the ranks' training redone
 * in this process), neighbour quality equal to one process, `mpirun -np 1` equal
 * to the build without MPI, a failing rank ending the job. Skips (with a
 * message) when THETA_BIN was not built with `make MPI=1` or mpirun is
 * missing. The byte-range reader behind the corpus split is tested always.
 *
 * THETA_PLAIN_BIN: the build without MPI for the -np 1 comparison (default
 * build/theta; that comparison is skipped if it is missing).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

#define GROUPS 8
#define GROUP_WORDS 15

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

/* Planted structure: each line draws words from one of GROUPS groups.
 * Writes `lines` lines to name in dir; returns the path (malloc'ed). */
static char *make_corpus(const char *name, int lines, uint64_t seed)
{
    char *path = tu_path(dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    for (int s = 0; s < lines; s++) {
        int g = (int)(theta_rng_next(&rng) % GROUPS);
        for (int i = 0; i < 12; i++)
            fprintf(f, "%sg%d_%d", i ? " " : "", g, (int)(theta_rng_next(&rng) % GROUP_WORDS));
        fputc('\n', f);
    }
    fclose(f);
    return path;
}

/* ---- the byte-range reader (no MPI needed) ------------------------------ */

/* every token of the segments, joined with ' ' ("\n" for sentence ends) */
static char *read_all(const theta_segment *segs, int n)
{
    theta_reader *r;
    ck_assert_int_eq(theta_reader_open_segments(segs, n, &r), THETA_OK);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    const char *w;
    size_t wl;
    int rc;
    while ((rc = theta_reader_next(r, &w, &wl)) > 0) {
        if (len + wl + 2 > cap)
            out = realloc(out, cap *= 2);
        memcpy(out + len, w, wl);
        len += wl;
        out[len++] = ' ';
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(theta_reader_close(r), THETA_OK);
    out[len] = '\0';
    return out;
}

START_TEST(byte_ranges_give_every_line_once)
{
    char *path = tu_path(dir, "lines.txt");
    tu_write_file(path, "aa bb\ncc\n\ndd ee ff\ngg\nhh ii", (size_t)-1);
    theta_segment whole = {path, 0, -1};
    char *expect = read_all(&whole, 1);
    const int64_t size = 27;
    /* every cut point, and a three-way cut */
    for (int64_t cut = 0; cut <= size; cut++) {
        theta_segment two[2] = {{path, 0, cut}, {path, cut, size}};
        char *got = read_all(two, 2);
        ck_assert_msg(strcmp(got, expect) == 0, "cut %lld: '%s' != '%s'", (long long)cut, got,
                      expect);
        free(got);
    }
    theta_segment three[3] = {{path, 0, 7}, {path, 7, 15}, {path, 15, size}};
    char *got = read_all(three, 3);
    ck_assert_str_eq(got, expect);
    free(got);
    /* one range alone: the lines that start in it */
    theta_segment mid = {path, 4, 13};
    got = read_all(&mid, 1);
    ck_assert_str_eq(got, "cc </s> </s> dd ee ff </s> ");
    free(got);
    free(expect);
    free(path);
}
END_TEST

START_TEST(segments_join_files_and_gzip)
{
    char *a = tu_path(dir, "a.txt"), *b = tu_path(dir, "b.txt.gz");
    tu_write_file(a, "x y", (size_t)-1); /* no final newline: one is added */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "printf 'z w\\n' | gzip > '%s'", b);
    ck_assert_int_eq(system(cmd), 0);
    theta_segment segs[2] = {{a, 0, -1}, {b, 0, -1}};
    char *got = read_all(segs, 2);
    ck_assert_str_eq(got, "x y </s> z w </s> ");
    free(got);
    /* a byte range of a gzip file is refused */
    theta_segment bad = {b, 1, -1};
    theta_reader *r;
    ck_assert_int_eq(theta_reader_open_segments(&bad, 1, &r), THETA_OK);
    const char *w;
    size_t wl;
    ck_assert_int_eq(theta_reader_next(r, &w, &wl), -1);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "gzip"));
    ck_assert_int_eq(theta_reader_close(r), THETA_EIO);
    free(a);
    free(b);
}
END_TEST

/* ---- mpirun ------------------------------------------------------------- */

/* 1 if THETA_BIN has MPI and mpirun runs; else prints why and returns 0 */
static int have_mpi(void)
{
    char *out = NULL;
    if (tu_run(&out, NULL, "--version") != 0 || !strstr(out, " mpi")) {
        fprintf(stderr, "check_mpi: skipped: %s was not built with MPI (make MPI=1)\n",
                tu_theta_bin());
        free(out);
        return 0;
    }
    free(out);
    if (system("command -v mpirun >/dev/null 2>&1") != 0) {
        fprintf(stderr, "check_mpi: skipped: mpirun is not installed\n");
        return 0;
    }
    /* Open MPI refuses root without these; MPICH ignores them */
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    return 1;
}

/* Runs `timeout 120 mpirun -np N [--oversubscribe] THETA_BIN args`; exit status. */
static int mpirun(int np, char **err, const char *args)
{
    char cmd[8192];
    /* --oversubscribe is Open MPI's; MPICH oversubscribes by default */
    int ompi = system("mpirun --version 2>&1 | grep -q 'Open MPI'") == 0;
    snprintf(cmd, sizeof cmd, "timeout 120 mpirun -np %d %s %s train %s </dev/null >/dev/null 2>%s/mpi.err",
             np, ompi ? "--oversubscribe" : "", tu_theta_bin(), args, dir);
    int rc = system(cmd);
    if (err) {
        char *p = tu_path(dir, "mpi.err");
        *err = tu_read_file(p, NULL);
        free(p);
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* share of each word's 5 nearest neighbours (cosine) that are in its group */
static double neighbour_quality(const char *path)
{
    theta_vectors *v;
    ck_assert_int_eq(theta_vectors_load(path, &v), THETA_OK);
    int64_t good = 0, total = 0;
    for (int64_t i = 0; i < v->rows; i++) {
        if (v->words[i][0] != 'g')
            continue;
        const float *a = v->data + (size_t)i * v->dim;
        double best[5] = {-2, -2, -2, -2, -2};
        int64_t who[5] = {-1, -1, -1, -1, -1};
        for (int64_t j = 0; j < v->rows; j++) {
            if (j == i || v->words[j][0] != 'g')
                continue;
            const float *b = v->data + (size_t)j * v->dim;
            double ab = 0, aa = 0, bb = 0;
            for (int d = 0; d < v->dim; d++) {
                ab += (double)a[d] * b[d];
                aa += (double)a[d] * a[d];
                bb += (double)b[d] * b[d];
            }
            double c = ab / (sqrt(aa * bb) + 1e-30);
            for (int k = 0; k < 5; k++)
                if (c > best[k]) {
                    for (int m = 4; m > k; m--) {
                        best[m] = best[m - 1];
                        who[m] = who[m - 1];
                    }
                    best[k] = c;
                    who[k] = j;
                    break;
                }
        }
        for (int k = 0; k < 5; k++) {
            total++;
            /* "g3_7": the group is the text before '_' */
            good += who[k] >= 0 && strcspn(v->words[who[k]], "_") == strcspn(v->words[i], "_") &&
                    strncmp(v->words[who[k]], v->words[i], strcspn(v->words[i], "_")) == 0;
        }
    }
    theta_vectors_free(v);
    return total ? (double)good / (double)total : 0;
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = tu_read_file(a, &la), *y = tu_read_file(b, &lb);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

#define OPTS "--dim 24 --epochs 2 --min-count 1 --seed 11 --window 5 --quiet"

START_TEST(np1_equals_build_without_mpi)
{
    if (!have_mpi())
        return;
    const char *plain = getenv("THETA_PLAIN_BIN") ? getenv("THETA_PLAIN_BIN") : "build/theta";
    if (access(plain, X_OK) != 0) {
        fprintf(stderr, "check_mpi: -np 1 comparison skipped: no build without MPI at %s\n", plain);
        return;
    }
    char *corpus = make_corpus("c.txt", 6000, 3);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s train --input %s --output %s/plain.txt --threads 1 " OPTS,
             plain, corpus, dir);
    ck_assert_int_eq(system(cmd), 0);
    char args[4096], *err = NULL;
    /* a short sync period: many syncs, each must change nothing */
    snprintf(args, sizeof args, "--input %s --output %s/np1.txt --threads 1 --sync-every 0.001 " OPTS,
             corpus, dir);
    int rc = mpirun(1, &err, args);
    ck_assert_msg(rc == 0, "mpirun -np 1: exit %d: %s", rc, err);
    char *a = tu_path(dir, "plain.txt"), *b = tu_path(dir, "np1.txt");
    ck_assert_msg(same_file(a, b), "mpirun -np 1 vectors differ from the build without MPI");
    free(a);
    free(b);
    free(err);
    free(corpus);
}
END_TEST

START_TEST(np2_shards_one_vocab_same_matrices_same_quality)
{
    if (!have_mpi())
        return;
    char *s1 = make_corpus("s1.txt", 8000, 5), *s2 = make_corpus("s2.txt", 8000, 6);
    char cmd[8192];
    /* one shard gzip-compressed: each rank reads through the same reader */
    snprintf(cmd, sizeof cmd, "cat %s %s > %s/all.txt && gzip -k %s", s1, s2, dir, s2);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s train --input %s/all.txt --output %s/single.txt "
             "--save-vocab %s/single.vocab --threads 2 " OPTS, tu_theta_bin(), dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    char args[4096], *err = NULL;
    snprintf(args, sizeof args, "--input %s %s.gz --output %s/np2.txt --save-vocab %s/np2.vocab "
             "--threads 1 --sync-every 0.05 " OPTS, s1, s2, dir, dir);
    setenv("THETA_MPI_RANK_OUTPUT", "1", 1);
    int rc = mpirun(2, &err, args);
    unsetenv("THETA_MPI_RANK_OUTPUT");
    ck_assert_msg(rc == 0, "mpirun -np 2: exit %d: %s", rc, err);
    free(err);
    char *v1 = tu_path(dir, "single.vocab"), *v2 = tu_path(dir, "np2.vocab");
    ck_assert_msg(same_file(v1, v2), "the merged vocabulary differs from one process's");
    char *r0 = tu_path(dir, "np2.txt"), *r1 = tu_path(dir, "np2.txt.rank1");
    ck_assert_msg(same_file(r0, r1), "rank 0 and rank 1 end with different matrices");
    char *single = tu_path(dir, "single.txt");
    double q1 = neighbour_quality(single), q2 = neighbour_quality(r0);
    fprintf(stderr, "check_mpi: neighbour quality: 1 process x 2 threads %.3f, 2 ranks x 1 thread %.3f\n",
            q1, q2);
    ck_assert_msg(q1 > 0.9, "single-process quality %.3f", q1);
    ck_assert_msg(q2 >= q1 - 0.03, "2 ranks: quality %.3f, one process %.3f", q2, q1);
    free(v1); free(v2); free(r0); free(r1); free(single); free(s1); free(s2);
}
END_TEST

/* theta_train_hooks.sync of one process standing for one rank of a run whose
 * only sync is the one at the end of the epoch: no change to the matrices */
static theta_status alone_sync(theta_model *m, theta_sync *s, void *user)
{
    (void)m;
    (void)user;
    s->words_total = s->words;
    s->all_finished = 1;
    s->stop = 0;
    return THETA_OK;
}

#define SUM_DIM 16

/* One rank's training, redone in this process: the same vocabulary, seed,
 * stream (the rank) and share, no sync before the end of the epoch. */
static theta_model *train_like_rank(const char *vocab_path, const char *share, int rank)
{
    theta_config cfg = theta_config_default();
    cfg.dim = SUM_DIM;
    cfg.window = 5;
    cfg.epochs = 1;
    cfg.min_count = 1;
    cfg.seed = 11;
    cfg.threads = 1;
    theta_vocab *v;
    ck_assert_int_eq(theta_vocab_load(vocab_path, cfg.min_count, cfg.max_vocab, &v), THETA_OK);
    theta_model *m;
    ck_assert_int_eq(theta_model_new(&cfg, v, &m), THETA_OK);
    theta_train_hooks h;
    memset(&h, 0, sizeof h);
    h.sync = alone_sync;
    h.sync_every = 1e9;
    h.stream = (uint64_t)rank;
    theta_segment seg = {share, 0, -1};
    h.segments = &seg;
    h.nsegments = 1;
    ck_assert_int_eq(theta_train(m, share, &h), THETA_OK);
    return m;
}

/* rows x dim floats: expect[i] == init[i] + ((a[i] - init[i]) + (b[i] - init[i])),
 * bit for bit; returns the number of values that differ, *avg_off the
 * number where the mean of a and b (the old scheme) differs from expect */
static int64_t check_sum(const float *got, const float *init, const float *a, const float *b,
                         int64_t n, int64_t *avg_off, double *max_diff)
{
    int64_t bad = 0;
    *avg_off = 0;
    *max_diff = 0;
    for (int64_t i = 0; i < n; i++) {
        float da = a[i] - init[i], db = b[i] - init[i];
        float sum = da + db;
        float expect = init[i] + sum;
        float mean = (a[i] + b[i]) / 2.0f;
        if (memcmp(&expect, &got[i], sizeof expect) != 0) {
            bad++;
            double d = fabs((double)expect - (double)got[i]);
            if (d > *max_diff)
                *max_diff = d;
        }
        *avg_off += fabsf(mean - expect) > 1e-6f;
    }
    return bad;
}

START_TEST(np2_adds_every_ranks_change_in_full)
{
    if (!have_mpi())
        return;
    /* rare words: 3000 distinct ones, each in one shard only, few times */
    char *s1 = make_corpus("r1.txt", 3000, 21), *s2 = make_corpus("r2.txt", 3000, 22);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "awk '{ print $0, \"rare_a\" NR %% 1500 }' %s > %s.t && mv %s.t %s && "
             "awk '{ print $0, \"rare_b\" NR %% 1500 }' %s > %s.t && mv %s.t %s",
             s1, s1, s1, s1, s2, s2, s2, s2);
    ck_assert_int_eq(system(cmd), 0);
    char args[4096], *err = NULL;
    /* a sync period longer than the run: the only sync ends the epoch */
    snprintf(args, sizeof args, "--input %s %s --save-model %s/np2.model --save-vocab %s/np2.vocab "
             "--threads 1 --sync-every 1000 --dim %d --epochs 1 --min-count 1 --seed 11 "
             "--window 5 --quiet", s1, s2, dir, dir, SUM_DIM);
    int rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "mpirun -np 2: exit %d: %s", rc, err);
    free(err);
    char *vocab = tu_path(dir, "np2.vocab"), *saved = tu_path(dir, "np2.model");
    theta_model *got;
    ck_assert_int_eq(theta_model_load(saved, &got), THETA_OK);
    /* the starting point: a fresh model of the same configuration */
    theta_config cfg = got->cfg;
    theta_vocab *v;
    ck_assert_int_eq(theta_vocab_load(vocab, 1, cfg.max_vocab, &v), THETA_OK);
    theta_model *init;
    ck_assert_int_eq(theta_model_new(&cfg, v, &init), THETA_OK);
    theta_model *r0 = train_like_rank(vocab, s1, 0), *r1 = train_like_rank(vocab, s2, 1);
    ck_assert_int_eq(got->vocab->size, r0->vocab->size);
    ck_assert_int_eq(got->out_rows, r0->out_rows);
    const int64_t nin = (int64_t)got->vocab->size * SUM_DIM, nout = got->out_rows * SUM_DIM;
    /* each rank moved the matrices, differently */
    ck_assert(memcmp(r0->in, init->in, (size_t)nin * sizeof(float)) != 0);
    ck_assert(memcmp(r0->in, r1->in, (size_t)nin * sizeof(float)) != 0);
    int64_t avg_in, avg_out;
    double dmax_in, dmax_out;
    int64_t bad_in = check_sum(got->in, init->in, r0->in, r1->in, nin, &avg_in, &dmax_in);
    int64_t bad_out = check_sum(got->out, init->out, r0->out, r1->out, nout, &avg_out, &dmax_out);
    fprintf(stderr, "check_mpi: base + sum of deltas: %lld of %lld input and %lld of %lld output "
            "values differ (max %g, %g); the mean of the ranks would differ in %lld and %lld\n",
            (long long)bad_in, (long long)nin, (long long)bad_out, (long long)nout, dmax_in,
            dmax_out, (long long)avg_in, (long long)avg_out);
    ck_assert_msg(bad_in == 0 && bad_out == 0, "the final matrices are not base + the ranks' "
                  "summed changes: %lld input, %lld output values differ",
                  (long long)bad_in, (long long)bad_out);
    /* and the test tells the sum from the old average */
    ck_assert(avg_in > nin / 4 && avg_out > nout / 4);
    theta_model_free(got);
    theta_model_free(init);
    theta_model_free(r0);
    theta_model_free(r1);
    free(vocab); free(saved); free(s1); free(s2);
}
END_TEST

START_TEST(np2_splits_one_plain_file)
{
    if (!have_mpi())
        return;
    char *corpus = make_corpus("one.txt", 8000, 9);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s train --input %s --save-vocab %s/single.vocab " OPTS
             " --epochs 1 --threads 1", tu_theta_bin(), corpus, dir);
    ck_assert_int_eq(system(cmd), 0);
    char args[4096], *err = NULL;
    snprintf(args, sizeof args, "--input %s --output %s/np2.txt --save-vocab %s/np2.vocab "
             "--threads 1 " OPTS, corpus, dir, dir);
    int rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "mpirun -np 2 on one file: exit %d: %s", rc, err);
    free(err);
    char *v1 = tu_path(dir, "single.vocab"), *v2 = tu_path(dir, "np2.vocab");
    ck_assert_msg(same_file(v1, v2), "split file: the vocabulary differs from one process's");
    char *out = tu_path(dir, "np2.txt");
    ck_assert(neighbour_quality(out) > 0.9);
    free(v1); free(v2); free(out); free(corpus);
}
END_TEST

START_TEST(failing_rank_ends_the_job)
{
    if (!have_mpi())
        return;
    char *corpus = make_corpus("ok.txt", 500, 2);
    char args[4096], *err = NULL;
    /* rank 1's shard does not exist: rank 0 must not wait for it forever */
    snprintf(args, sizeof args, "--input %s %s/missing.txt --output %s/x.txt " OPTS, corpus, dir,
             dir);
    int rc = mpirun(2, &err, args);
    ck_assert_msg(rc != 0 && rc != 124, "exit %d (124: hung until the timeout): %s", rc, err);
    ck_assert_ptr_nonnull(strstr(err, "missing.txt"));
    /* fewer files than ranks (and more than one) */
    free(err);
    snprintf(args, sizeof args, "--input %s %s " OPTS, corpus, corpus);
    rc = mpirun(3, &err, args);
    ck_assert_msg(rc != 0 && rc != 124, "exit %d: %s", rc, err);
    ck_assert_ptr_nonnull(strstr(err, "at least one file per rank"));
    free(err);
    free(corpus);
}
END_TEST

Suite *mpi_suite(void)
{
    Suite *s = suite_create("mpi");
    TCase *tc = tcase_create("segments");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, byte_ranges_give_every_line_once);
    tcase_add_test(tc, segments_join_files_and_gzip);
    suite_add_tcase(s, tc);
    tc = tcase_create("mpirun");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, np1_equals_build_without_mpi);
    tcase_add_test(tc, np2_shards_one_vocab_same_matrices_same_quality);
    tcase_add_test(tc, np2_adds_every_ranks_change_in_full);
    tcase_add_test(tc, np2_splits_one_plain_file);
    tcase_add_test(tc, failing_rank_ends_the_job);
    suite_add_tcase(s, tc);
    return s;
}
