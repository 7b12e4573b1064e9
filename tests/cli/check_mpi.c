/*
 * check_mpi.c — data-parallel training over MPI, end to end with mpirun:
 * one vocabulary on every rank, identical matrices on every rank after the
 * last sync, each rank's change to the matrices added in full (base + the
 * sum of the ranks' deltas, bit for bit, against the ranks' training redone
 * in this process), neighbour quality equal to one process, `mpirun -np 1` equal
 * to the build without MPI, a failing rank ending the job. Skips (with a
 * message) when THETA_BIN was not built with `make MPI=1` or mpirun is
 * missing. The byte-range reader behind the corpus split is in
 * tests/unit/check_segments.c.
 *
 * THETA_PLAIN_BIN: the build without MPI for the -np 1 comparison (default
 * build/theta; that comparison is skipped if it is missing).
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "internal.h"
#include "theta.h"
#include "train.h"

#define GROUPS 8
#define GROUP_WORDS 15

/* Planted structure: each line draws words from one of GROUPS groups.
 * Writes `lines` lines to name in tu_dir; returns the path (malloc'ed). */
static char *make_corpus(const char *name, int lines, uint64_t seed)
{
    char *path = tu_path(tu_dir, name);
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
             np, ompi ? "--oversubscribe" : "", tu_theta_bin(), args, tu_dir);
    int rc = system(cmd);
    if (err) {
        char *p = tu_path(tu_dir, "mpi.err");
        *err = tu_read_file(p, NULL);
        free(p);
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* ---- jobs in the background, signals, checkpoints ----------------------- */

static int is_open_mpi(void)
{
    return system("mpirun --version 2>&1 | grep -q 'Open MPI'") == 0;
}

/* Starts `mpirun -np N THETA_BIN train args` with stderr to tu_dir/errname;
 * returns the pid of mpirun itself. */
static pid_t mpirun_start(int np, const char *args, const char *errname)
{
    char cmd[8192];
    /* stdout too: MPICH's mpirun reports a dead rank there */
    snprintf(cmd, sizeof cmd, "exec mpirun -np %d %s %s train %s </dev/null >%s/%s 2>&1",
             np, is_open_mpi() ? "--oversubscribe" : "", tu_theta_bin(), args, tu_dir, errname);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Waits at most `limit` seconds for pid; its exit status as a shell reports
 * it (128 + signal), or -1 if it was still running (it is then killed).
 * *took: the seconds waited. */
static int wait_bounded(pid_t pid, double limit, double *took)
{
    double t0 = theta_now();
    int ws;
    for (;;) {
        pid_t got = waitpid(pid, &ws, WNOHANG);
        ck_assert_int_ge(got, 0);
        if (got == pid)
            break;
        if (theta_now() - t0 > limit) {
            kill(pid, SIGKILL);
            waitpid(pid, &ws, 0);
            if (took)
                *took = theta_now() - t0;
            return -1;
        }
        sleep_s(0.02);
    }
    if (took)
        *took = theta_now() - t0;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* Lines in a file (0 if it does not exist). */
static int count_lines(const char *path)
{
    char *b = tu_read_file(path, NULL);
    int n = 0;
    for (char *p = b; p && *p; p++)
        n += *p == '\n';
    free(b);
    return n;
}

/* Waits up to `limit` seconds for path to have `lines` lines while the job
 * pid runs; 1 if it did, 0 at the limit, -1 if the job ended first. */
static int wait_lines(const char *path, int lines, double limit, pid_t pid)
{
    double t0 = theta_now();
    while (count_lines(path) < lines) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        if (theta_now() - t0 > limit)
            return 0;
        sleep_s(0.02);
    }
    return 1;
}

/* The pid of rank `rank` of a job whose command line contains the test's
 * directory (Open MPI and MPICH put the rank in the environment), or -1. */
static pid_t find_rank(int rank)
{
    char want_ompi[64], want_pmi[64];
    snprintf(want_ompi, sizeof want_ompi, "OMPI_COMM_WORLD_RANK=%d", rank);
    snprintf(want_pmi, sizeof want_pmi, "PMI_RANK=%d", rank);
    DIR *d = opendir("/proc");
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    pid_t found = -1;
    while (found < 0 && (e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64];
        size_t n;
        snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
        char *cmdline = tu_read_file(path, &n);
        /* a theta process (not mpirun) with an argument in the test's directory;
         * the arguments are NUL-separated */
        int ours = 0;
        if (cmdline && n > 0) {
            const char *base = strrchr(cmdline, '/');
            if (strcmp(base ? base + 1 : cmdline, "theta") == 0)
                for (size_t i = 0; i < n; i += strlen(cmdline + i) + 1)
                    ours |= strstr(cmdline + i, tu_dir) != NULL;
        }
        free(cmdline);
        if (!ours)
            continue;
        snprintf(path, sizeof path, "/proc/%ld/environ", pid);
        char *env = tu_read_file(path, &n);
        for (size_t i = 0; env && i < n; i += strlen(env + i) + 1)
            if (strcmp(env + i, want_ompi) == 0 || strcmp(env + i, want_pmi) == 0)
                found = (pid_t)pid;
        free(env);
    }
    closedir(d);
    return found;
}

/* The "words" of the last line of a --log-json file, or -1. */
static long long last_logged_words(const char *path)
{
    char *b = tu_read_file(path, NULL);
    long long words = -1;
    for (char *p = b; p && (p = strstr(p, "\"words\": ")) != NULL; p++)
        words = strtoll(p + 9, NULL, 10);
    free(b);
    return words;
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
/* quality comparisons train long enough that both setups learn the planted
 * groups fully (at 2 epochs the multi-rank run sometimes stopped at 0.95) */
#define QOPTS "--dim 24 --epochs 5 --min-count 1 --seed 11 --window 5 --quiet"

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
             plain, corpus, tu_dir);
    ck_assert_int_eq(system(cmd), 0);
    char args[4096], *err = NULL;
    /* a short sync period: many syncs, each must change nothing */
    snprintf(args, sizeof args, "--input %s --output %s/np1.txt --threads 1 --sync-every 0.001 " OPTS,
             corpus, tu_dir);
    int rc = mpirun(1, &err, args);
    ck_assert_msg(rc == 0, "mpirun -np 1: exit %d: %s", rc, err);
    char *a = tu_path(tu_dir, "plain.txt"), *b = tu_path(tu_dir, "np1.txt");
    ck_assert_msg(same_file(a, b), "mpirun -np 1 vectors differ from the build without MPI");
    free(err);
    /* the default sync, every --sync-words words (one chunk here): the same */
    snprintf(args, sizeof args, "--input %s --output %s/np1.txt --threads 1 --sync-words 10000 "
             OPTS, corpus, tu_dir);
    rc = mpirun(1, &err, args);
    ck_assert_msg(rc == 0, "mpirun -np 1 --sync-words: exit %d: %s", rc, err);
    ck_assert_msg(same_file(a, b), "mpirun -np 1 --sync-words vectors differ from the build "
                  "without MPI");
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
    snprintf(cmd, sizeof cmd, "cat %s %s > %s/all.txt && gzip -k %s", s1, s2, tu_dir, s2);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s train --input %s/all.txt --output %s/single.txt "
             "--save-vocab %s/single.vocab --threads 2 " QOPTS, tu_theta_bin(), tu_dir, tu_dir, tu_dir);
    ck_assert_int_eq(system(cmd), 0);
    char args[4096], *err = NULL;
    snprintf(args, sizeof args, "--input %s %s.gz --output %s/np2.txt --save-vocab %s/np2.vocab "
             "--threads 1 --sync-every 0.05 " QOPTS, s1, s2, tu_dir, tu_dir);
    setenv("THETA_MPI_RANK_OUTPUT", "1", 1);
    int rc = mpirun(2, &err, args);
    unsetenv("THETA_MPI_RANK_OUTPUT");
    ck_assert_msg(rc == 0, "mpirun -np 2: exit %d: %s", rc, err);
    free(err);
    char *v1 = tu_path(tu_dir, "single.vocab"), *v2 = tu_path(tu_dir, "np2.vocab");
    ck_assert_msg(same_file(v1, v2), "the merged vocabulary differs from one process's");
    char *r0 = tu_path(tu_dir, "np2.txt"), *r1 = tu_path(tu_dir, "np2.txt.rank1");
    ck_assert_msg(same_file(r0, r1), "rank 0 and rank 1 end with different matrices");
    char *single = tu_path(tu_dir, "single.txt");
    double q1 = neighbour_quality(single), q2 = neighbour_quality(r0);
    fprintf(stderr, "check_mpi: neighbour quality: 1 process x 2 threads %.3f, 2 ranks x 1 thread %.3f\n",
            q1, q2);
    ck_assert_msg(q1 > 0.9, "single-process quality %.3f", q1);
    ck_assert_msg(q2 >= q1 - 0.03, "2 ranks: quality %.3f, one process %.3f", q2, q1);
    free(v1); free(v2); free(r0); free(r1); free(single); free(s1); free(s2);
}
END_TEST

/* theta__train_ext.sync of one process standing for one rank of a run whose
 * only sync is the one at the end of the epoch: no change to the matrices */
static theta_status alone_sync(theta_model *m, theta__sync *s, void *user)
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
    theta__train_ext x;
    memset(&x, 0, sizeof x);
    x.sync = alone_sync;
    x.sync_every = 1e9;
    x.stream = (uint64_t)rank;
    theta_segment seg = {share, 0, -1};
    ck_assert_int_eq(theta__train(m, &seg, 1, NULL, &x), THETA_OK);
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
             "--window 5 --quiet", s1, s2, tu_dir, tu_dir, SUM_DIM);
    int rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "mpirun -np 2: exit %d: %s", rc, err);
    free(err);
    char *vocab = tu_path(tu_dir, "np2.vocab"), *saved = tu_path(tu_dir, "np2.model");
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
             " --epochs 1 --threads 1", tu_theta_bin(), corpus, tu_dir);
    ck_assert_int_eq(system(cmd), 0);
    char args[4096], *err = NULL;
    snprintf(args, sizeof args, "--input %s --output %s/np2.txt --save-vocab %s/np2.vocab "
             "--threads 1 " OPTS, corpus, tu_dir, tu_dir);
    int rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "mpirun -np 2 on one file: exit %d: %s", rc, err);
    free(err);
    char *v1 = tu_path(tu_dir, "single.vocab"), *v2 = tu_path(tu_dir, "np2.vocab");
    ck_assert_msg(same_file(v1, v2), "split file: the vocabulary differs from one process's");
    char *out = tu_path(tu_dir, "np2.txt");
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
    snprintf(args, sizeof args, "--input %s %s/missing.txt --output %s/x.txt " OPTS, corpus, tu_dir,
             tu_dir);
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

/* ---- checkpoints, signals and resume under mpirun ------------------------ */

START_TEST(np1_stop_and_resume_equal_build_without_mpi)
{
    if (!have_mpi())
        return;
    const char *plain = getenv("THETA_PLAIN_BIN") ? getenv("THETA_PLAIN_BIN") : "build/theta";
    if (access(plain, X_OK) != 0) {
        fprintf(stderr, "check_mpi: -np 1 resume skipped: no build without MPI at %s\n", plain);
        return;
    }
    char *corpus = make_corpus("c.txt", 6000, 3); /* 78000 words per epoch */
    char cmd[8192], args[4096], *err = NULL;
    snprintf(cmd, sizeof cmd, "%s train --input %s --output %s/full.txt --threads 1 " OPTS,
             plain, corpus, tu_dir);
    ck_assert_int_eq(system(cmd), 0);
    char *full = tu_path(tu_dir, "full.txt"), *res = tu_path(tu_dir, "res.txt");
    char *ck0 = tu_path(tu_dir, "ck0.theta"), *ck1 = tu_path(tu_dir, "ck1.theta");
    const long points[] = {30000, 100000}; /* in epoch 1, in epoch 2 */
    for (int p = 0; p < 2; p++) {
        snprintf(cmd, sizeof cmd, "%s train --input %s --checkpoint %s --stop-after-words %ld "
                 "--threads 1 " OPTS " 2>/dev/null", plain, corpus, ck0, points[p]);
        ck_assert_int_eq(system(cmd), 0);
        snprintf(args, sizeof args, "--input %s --checkpoint %s --stop-after-words %ld "
                 "--threads 1 --sync-every 0.001 " OPTS, corpus, ck1, points[p]);
        int rc = mpirun(1, &err, args);
        ck_assert_msg(rc == 0, "mpirun -np 1 stop at %ld: exit %d: %s", points[p], rc, err);
        free(err);
        /* the same stop, the same file: one rank on one file is one process */
        ck_assert_msg(same_file(ck0, ck1), "stop at %ld: the -np 1 checkpoint differs from the "
                      "build without MPI's", points[p]);
        snprintf(args, sizeof args, "--resume %s --input %s --output %s --quiet", ck1, corpus, res);
        rc = mpirun(1, &err, args);
        ck_assert_msg(rc == 0, "mpirun -np 1 resume: exit %d: %s", rc, err);
        free(err);
        ck_assert_msg(same_file(full, res), "stop at %ld: mpirun -np 1 resumed to other vectors "
                      "than the uninterrupted run of the build without MPI", points[p]);
    }
    free(full); free(res); free(ck0); free(ck1); free(corpus);
}
END_TEST

/* two shards of 20000 lines: 260000 words each, 520000 per epoch */
#define SHARD_LINES 20000
#define EPOCH_WORDS 520000LL
#define LOPTS "--dim 24 --min-count 1 --seed 11 --window 5 --quiet --threads 1 --sample 0"

static void make_shards(char **s1, char **s2)
{
    *s1 = make_corpus("p1.txt", SHARD_LINES, 31);
    *s2 = make_corpus("p2.txt", SHARD_LINES, 32);
}

static theta_model *load_checkpoint(const char *name)
{
    char *p = tu_path(tu_dir, name);
    theta_model *m = NULL;
    ck_assert_msg(theta_model_load(p, &m) == THETA_OK, "%s: %s", name, theta_last_error());
    free(p);
    return m;
}

/* occurrences of needle in hay */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

START_TEST(np2_stop_records_each_ranks_place_and_resume_trains_the_rest)
{
    if (!have_mpi())
        return;
    char *s1, *s2, args[16384], *err = NULL;
    make_shards(&s1, &s2);
    /* 5 epochs: both runs learn the planted groups fully (see QOPTS) */
    snprintf(args, sizeof args, "--input %s %s --output %s/full.txt --log-json %s/full.json "
             "--epochs 5 --sync-every 0.05 " LOPTS, s1, s2, tu_dir, tu_dir);
    int rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "uninterrupted: exit %d: %s", rc, err);
    free(err);
    char *full_json = tu_path(tu_dir, "full.json");
    ck_assert_int_eq(last_logged_words(full_json), 5 * EPOCH_WORDS);
    /* stop half-way through epoch 3, a sync at every chunk */
    const long long stop = 5 * EPOCH_WORDS / 2;
    snprintf(args, sizeof args, "--input %s %s --output %s/part.txt --checkpoint %s/ck.theta "
             "--epochs 5 --sync-every 0.001 --stop-after-words %lld " LOPTS, s1, s2, tu_dir, tu_dir, stop);
    rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "stop: exit %d: %s", rc, err);
    ck_assert_msg(strstr(err, "stopped in epoch 3") && strstr(err, "Resume with: mpirun -np 2 "),
                  "%s", err);
    free(err);
    theta_model *m = load_checkpoint("ck.theta");
    ck_assert_int_eq(m->shares.nranks, 2);
    ck_assert_int_eq(m->shares.ninputs, 2);
    ck_assert_int_eq(m->state.epoch, 2);
    ck_assert_int_eq(m->state.train_words, EPOCH_WORDS);
    ck_assert_int_ge(m->state.words_done, stop);
    ck_assert_int_lt(m->state.words_done, 3 * EPOCH_WORDS);
    /* the word count agrees with the chunks the ranks trained in this epoch:
     * a chunk is 10000..10012 words (whole sentences of 13), but the last
     * of a share may be shorter */
    const int64_t in_epoch = m->state.words_done - 2 * EPOCH_WORDS;
    const int64_t c0 = m->shares.ranks[0].chunks_done, c1 = m->shares.ranks[1].chunks_done;
    fprintf(stderr, "check_mpi: stopped after %lld words: rank 0 at chunk %lld, rank 1 at "
            "chunk %lld of epoch 3\n", (long long)m->state.words_done, (long long)c0,
            (long long)c1);
    ck_assert(c0 > 0 && c1 > 0 && in_epoch > 0);
    ck_assert_int_le(in_epoch, 10012 * (c0 + c1));
    ck_assert_int_ge(in_epoch, 10000 * (c0 + c1) - 2 * 10000);
    ck_assert(m->shares.ranks[0].loss_count > 0 && m->shares.ranks[1].loss_count > 0);
    theta_model_free(m);
    char *ck = tu_path(tu_dir, "ck.theta"), *ck_copy = tu_path(tu_dir, "ck-copy.theta");
    char *out = NULL, want[128];
    ck_assert_int_eq(tu_run(&out, NULL, "info %s", ck), 0);
    snprintf(want, sizeof want, "rank_chunks_done: %lld %lld\n", (long long)c0, (long long)c1);
    ck_assert_msg(strstr(out, "mpi_ranks:        2\n") && strstr(out, "input_files:      2\n") &&
                  strstr(out, want), "theta info: %s", out);
    free(out);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cp %s %s", ck, ck_copy);
    ck_assert_int_eq(system(cmd), 0);

    /* refused: other -np, other or reordered files, one process */
    struct { int np; const char *a, *b, *c, *msg; } bad[] = {
        {1, s1, s2, "", "resume it with mpirun -np 2, not 1"},
        {2, s2, s1, "", "input file 1 is not the one"},
        {2, s1, "", "", "read 2 input files, this one 1"},
        {3, s1, s2, s1, "resume it with mpirun -np 2, not 3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(args, sizeof args, "--resume %s --input %s %s %s --output %s/x.txt", ck,
                 bad[i].a, bad[i].b, bad[i].c, tu_dir);
        rc = mpirun(bad[i].np, &err, args);
        ck_assert_msg(rc != 0 && rc != 124, "case %zu: exit %d", i, rc);
        ck_assert_msg(strstr(err, bad[i].msg), "case %zu: '%s' not in: %s", i, bad[i].msg, err);
        ck_assert_msg(count_of(err, "theta train:") == 1, "case %zu: said more than once: %s",
                      i, err);
        free(err);
    }
    rc = tu_run(NULL, &err, "train --resume %s --input %s --output %s/x.txt", ck, s1, tu_dir);
    ck_assert_int_eq(rc, 1);
    ck_assert_ptr_nonnull(strstr(err, "checkpoint of an MPI run of 2 ranks over 2 input files"));
    free(err);
    ck_assert_msg(same_file(ck, ck_copy), "a refused resume changed the checkpoint");

    /* the rest: every word of the 5 epochs once, and as good as uninterrupted */
    snprintf(args, sizeof args, "--resume %s --input %s %s --output %s/res.txt "
             "--log-json %s/res.json --sync-every 0.05", ck, s1, s2, tu_dir, tu_dir);
    rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "resume: exit %d: %s", rc, err);
    free(err);
    char *res_json = tu_path(tu_dir, "res.json");
    ck_assert_int_eq(last_logged_words(res_json), 5 * EPOCH_WORDS);
    char *full = tu_path(tu_dir, "full.txt"), *res = tu_path(tu_dir, "res.txt");
    double qf = neighbour_quality(full), qr = neighbour_quality(res);
    fprintf(stderr, "check_mpi: neighbour quality: uninterrupted %.3f, stopped and resumed %.3f\n",
            qf, qr);
    /* how far ahead one rank gets between syncs depends on the machine's load:
     * measured with another job on the two cores, uninterrupted runs scored
     * 0.957..1.000 and resumed ones 0.938..1.000 */
    ck_assert_msg(qf > 0.9, "uninterrupted %.3f", qf);
    ck_assert_msg(qr > 0.9 && qr >= qf - 0.07, "resumed %.3f, uninterrupted %.3f", qr, qf);
    free(full_json); free(res_json); free(full); free(res); free(ck); free(ck_copy);
    free(s1); free(s2);
}
END_TEST

/* A long np 2 run in the background (30 epochs, ~15.6 M words); waits until
 * epoch 1 is logged. *json: its --log-json file. */
static pid_t start_long_run(const char *extra, const char *errname, char **json)
{
    char *s1, *s2, args[4096];
    make_shards(&s1, &s2);
    *json = tu_path(tu_dir, "log.json");
    snprintf(args, sizeof args, "--input %s %s --output %s/part.txt --log-json %s --epochs 30 "
             "%s " LOPTS, s1, s2, tu_dir, *json, extra);
    pid_t pid = mpirun_start(2, args, errname);
    int w = wait_lines(*json, 1, 60, pid);
    if (w <= 0) {
        char *p = tu_path(tu_dir, errname), *err = tu_read_file(p, NULL);
        if (w == 0)
            kill(pid, SIGKILL);
        ck_abort_msg("the job %s: %s", w ? "ended before epoch 1 was over" :
                     "did not finish epoch 1 in 60 s", err ? err : "");
    }
    free(s1);
    free(s2);
    return pid;
}

/* One file of lines of 1..29 words (so that chunks differ in size), planted
 * as make_corpus's; returns its number of words, sentence ends included (as
 * the trainer counts them). */
static long long make_ragged_corpus(const char *path, int lines, uint64_t seed)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    long long words = 0;
    for (int s = 0; s < lines; s++) {
        int g = (int)(theta_rng_next(&rng) % GROUPS), n = 1 + (int)(theta_rng_next(&rng) % 29);
        for (int i = 0; i < n; i++)
            fprintf(f, "%sg%d_%d", i ? " " : "", g, (int)(theta_rng_next(&rng) % GROUP_WORDS));
        fputc('\n', f);
        words += n + 1;
    }
    fclose(f);
    return words;
}

/* One file dealt to 2 ranks in pieces: a stop records the piece size, and a
 * resume deals the file as the stopped run did (whatever THETA_MPI_PIECE
 * says now), so every word is trained once per epoch. Halves (piece 0), the
 * split of older checkpoints, resume as halves. */
START_TEST(np2_one_file_resume_deals_the_pieces_of_the_checkpoint)
{
    if (!have_mpi())
        return;
    char *corpus = tu_path(tu_dir, "ragged.txt");
    const long long words = make_ragged_corpus(corpus, 30000, 41);
    const char *pieces[][2] = {{"4096", "0"}, {"0", "4096"}};
    for (int k = 0; k < 2; k++) {
        char args[8192], *err = NULL;
        setenv("THETA_MPI_PIECE", pieces[k][0], 1);
        snprintf(args, sizeof args, "--input %s --output %s/part.txt --checkpoint %s/ck.theta "
                 "--epochs 3 --sync-words 20000 --stop-after-words %lld " LOPTS, corpus, tu_dir,
                 tu_dir, words * 3 / 2);
        int rc = mpirun(2, &err, args);
        ck_assert_msg(rc == 0 && strstr(err, "stopped in epoch 2"), "stop: exit %d: %s", rc, err);
        free(err);
        theta_model *m = load_checkpoint("ck.theta");
        ck_assert_int_eq(m->shares.nranks, 2);
        ck_assert_int_eq(m->shares.piece, atoi(pieces[k][0]));
        ck_assert(m->shares.ranks[0].chunks_done > 0 && m->shares.ranks[1].chunks_done > 0);
        theta_model_free(m);
        char *out = NULL;
        ck_assert_int_eq(tu_run(&out, NULL, "info %s/ck.theta", tu_dir), 0);
        ck_assert_msg(k == 1 || strstr(out, "mpi_piece_bytes:  4096\n"), "theta info: %s", out);
        ck_assert_msg(k == 0 || !strstr(out, "mpi_piece_bytes"), "theta info: %s", out);
        free(out);
        setenv("THETA_MPI_PIECE", pieces[k][1], 1); /* not what the checkpoint's run dealt */
        snprintf(args, sizeof args, "--resume %s/ck.theta --input %s --output %s/res.txt "
                 "--log-json %s/res.json", tu_dir, corpus, tu_dir, tu_dir);
        rc = mpirun(2, &err, args);
        unsetenv("THETA_MPI_PIECE");
        ck_assert_msg(rc == 0, "resume: exit %d: %s", rc, err);
        free(err);
        char *json = tu_path(tu_dir, "res.json"), *res = tu_path(tu_dir, "res.txt");
        ck_assert_int_eq(last_logged_words(json), 3 * words);
        ck_assert(neighbour_quality(res) > 0.9);
        free(json);
        free(res);
    }
    free(corpus);
}
END_TEST

/* Resumes ck (tu_dir/name) with np 2: finishes with every word trained once. */
static void resume_finishes(const char *name)
{
    char args[4096], *err = NULL;
    snprintf(args, sizeof args, "--resume %s/%s --input %s/p1.txt %s/p2.txt --output "
             "%s/res.txt --log-json %s/res.json", tu_dir, name, tu_dir, tu_dir, tu_dir, tu_dir);
    int rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "resume: exit %d: %s", rc, err);
    free(err);
    char *res_json = tu_path(tu_dir, "res.json"), *res = tu_path(tu_dir, "res.txt");
    ck_assert_int_eq(last_logged_words(res_json), 30 * EPOCH_WORDS);
    ck_assert(neighbour_quality(res) > 0.9);
    free(res_json);
    free(res);
}

/* A checkpoint saved at a stop of the long run: two ranks, mid-run. */
static void check_stop_checkpoint(const char *errname)
{
    char *p = tu_path(tu_dir, errname), *err = tu_read_file(p, NULL);
    ck_assert_msg(err && strstr(err, "stopped in epoch") && strstr(err, "saved to"), "%s", err);
    theta_model *m = load_checkpoint("ck.theta");
    ck_assert_int_eq(m->shares.nranks, 2);
    ck_assert_int_gt(m->state.words_done, 0);
    ck_assert_int_lt(m->state.words_done, 30 * EPOCH_WORDS);
    fprintf(stderr, "check_mpi: %s: stopped in epoch %d after %lld words\n", errname,
            m->state.epoch + 1, (long long)m->state.words_done);
    theta_model_free(m);
    free(err);
    free(p);
}

START_TEST(sigterm_to_mpirun_saves_a_checkpoint_that_resumes)
{
    if (!have_mpi())
        return;
    char *json, extra[4200];
    snprintf(extra, sizeof extra, "--checkpoint %s/ck.theta", tu_dir);
    pid_t pid = start_long_run(extra, "term.err", &json);
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    double took;
    int rc = wait_bounded(pid, 60, &took);
    fprintf(stderr, "check_mpi: SIGTERM to mpirun: exit %d after %.1f s\n", rc, took);
    /* Open MPI's mpirun says 1 (it ends the job); MPICH's (4.0.2) passes on
     * the ranks' 143, but says 0 in about one run of four (a 15-line MPI
     * program that exits 143 on SIGTERM shows the same): the checkpoint and
     * the message below tell that the ranks stopped */
    char *p = tu_path(tu_dir, "term.err"), *err = tu_read_file(p, NULL);
    ck_assert_msg(is_open_mpi() ? rc == 1 || rc == 143 : rc == 143 || rc == 0, "exit %d: %s",
                  rc, err);
    free(err);
    free(p);
    check_stop_checkpoint("term.err");
    resume_finishes("ck.theta");
    free(json);
}
END_TEST

START_TEST(sigterm_to_one_rank_stops_every_rank)
{
    if (!have_mpi())
        return;
    char *json, extra[4200];
    snprintf(extra, sizeof extra, "--checkpoint %s/ck.theta --sync-every 0.05", tu_dir);
    pid_t pid = start_long_run(extra, "one.err", &json);
    pid_t r1 = find_rank(1);
    ck_assert_msg(r1 > 0, "rank 1 not found");
    ck_assert_int_eq(kill(r1, SIGTERM), 0);
    double took;
    int rc = wait_bounded(pid, 60, &took);
    fprintf(stderr, "check_mpi: SIGTERM to rank 1: exit %d after %.1f s\n", rc, took);
    /* every rank exits 143, rank 0 after saving */
    ck_assert_msg(rc == 143, "exit %d", rc);
    check_stop_checkpoint("one.err");
    free(json);
}
END_TEST

START_TEST(periodic_checkpoint_of_np2_run_loads_and_resumes)
{
    if (!have_mpi())
        return;
    char *json, extra[4200];
    snprintf(extra, sizeof extra, "--checkpoint %s/ck.theta --checkpoint-every 1", tu_dir);
    pid_t pid = start_long_run(extra, "every.err", &json);
    char *ck = tu_path(tu_dir, "ck.theta"), *copy = tu_path(tu_dir, "early.theta");
    double t0 = theta_now();
    size_t len = 0;
    char *bytes = NULL;
    while (!bytes && theta_now() - t0 < 60) {
        bytes = tu_read_file(ck, &len); /* renamed into place: whole or absent */
        if (!bytes)
            sleep_s(0.05);
    }
    ck_assert_msg(bytes, "no checkpoint after 60 s");
    int running = waitpid(pid, NULL, WNOHANG) == 0;
    tu_write_file(copy, bytes, len);
    free(bytes);
    ck_assert_msg(running, "the job ended before its first checkpoint");
    int rc = wait_bounded(pid, 120, NULL);
    ck_assert_msg(rc == 0, "exit %d", rc);
    theta_model *m = load_checkpoint("early.theta");
    ck_assert_int_eq(m->shares.nranks, 2);
    ck_assert_int_eq(m->shares.ninputs, 2);
    ck_assert_int_gt(m->state.words_done, 0);
    ck_assert_int_lt(m->state.words_done, 30 * EPOCH_WORDS);
    fprintf(stderr, "check_mpi: --checkpoint-every 1: first checkpoint in epoch %d after %lld "
            "words (ranks at chunks %lld, %lld)\n", m->state.epoch + 1,
            (long long)m->state.words_done, (long long)m->shares.ranks[0].chunks_done,
            (long long)m->shares.ranks[1].chunks_done);
    theta_model_free(m);
    /* the final checkpoint: training done, no ranks' places */
    m = load_checkpoint("ck.theta");
    ck_assert_int_eq(m->state.epoch, 30);
    ck_assert_int_eq(m->shares.nranks, 0);
    theta_model_free(m);
    resume_finishes("early.theta");
    free(ck); free(copy); free(json);
}
END_TEST

START_TEST(killed_rank_ends_the_job)
{
    if (!have_mpi())
        return;
    char *json;
    pid_t pid = start_long_run("", "kill.err", &json);
    pid_t r1 = find_rank(1);
    ck_assert_msg(r1 > 0, "rank 1 not found");
    ck_assert_int_eq(kill(r1, SIGKILL), 0);
    double took;
    int rc = wait_bounded(pid, 60, &took);
    fprintf(stderr, "check_mpi: SIGKILL to rank 1: exit %d after %.1f s\n", rc, took);
    ck_assert_msg(rc > 0, "exit %d (-1: still running after 60 s)", rc);
    ck_assert_msg(took < 30, "the job took %.1f s to end", took);
    char *p = tu_path(tu_dir, "kill.err"), *err = tu_read_file(p, NULL);
    /* the launcher names the signal: Open MPI "exited on signal 9", MPICH
     * "KILLED BY SIGNAL: 9" */
    ck_assert_msg(err && (strstr(err, "signal 9") || strstr(err, "SIGNAL: 9")), "%s", err);
    free(err);
    free(p);
    free(json);
}
END_TEST

/* ---- the sync: when, how much, how ------------------------------------- */

/* The integer after "key": in the {"mpi": ...} line of a --log-json file
 * in tu_dir, or -1. */
static long long mpi_logged(const char *json, const char *key)
{
    char *p = tu_path(tu_dir, json), *b = tu_read_file(p, NULL);
    free(p);
    long long v = -1;
    char want[64];
    snprintf(want, sizeof want, "\"%s\": ", key);
    const char *line = b ? strstr(b, "{\"mpi\": ") : NULL;
    const char *at = line ? strstr(line, want) : NULL;
    if (at)
        v = strtoll(at + strlen(want), NULL, 10);
    free(b);
    return v;
}

START_TEST(sync_words_sets_the_number_of_syncs)
{
    if (!have_mpi())
        return;
    /* two equal shards of 8000 lines, 13 words each (with the line end) */
    char *s1 = make_corpus("w1.txt", 8000, 31), *s2 = make_corpus("w2.txt", 8000, 32);
    static const long long every[] = {20000, 50000, 1000000000};
    for (int i = 0; i < 3; i++) {
        char args[4096], *err = NULL;
        snprintf(args, sizeof args, "--input %s %s --threads 1 --sync-words %lld --log-json "
                 "%s/w%d.json " OPTS, s1, s2, every[i], tu_dir, i);
        int rc = mpirun(2, &err, args);
        ck_assert_msg(rc == 0, "mpirun -np 2 --sync-words %lld: exit %d: %s", every[i], rc, err);
        free(err);
        char json[32];
        snprintf(json, sizeof json, "w%d.json", i);
        long long syncs = mpi_logged(json, "syncs"), words = mpi_logged(json, "rank_words");
        /* this rank's words per epoch (2 epochs), and the syncs they should take:
         * one per N words, the last one at the end of the epoch */
        long long per_epoch = words / 2, want = 2 * ((per_epoch + every[i] - 1) / every[i]);
        fprintf(stderr, "check_mpi: --sync-words %lld: %lld syncs for %lld words per rank per "
                "epoch (expected %lld +- 2)\n", every[i], syncs, per_epoch, want);
        ck_assert_int_eq(per_epoch, 8000 * 13);
        ck_assert_msg(llabs(syncs - want) <= 2, "%lld syncs, expected %lld +- 2", syncs, want);
        ck_assert_int_eq(mpi_logged(json, "sync_words"), every[i]);
    }
    /* and the seconds instead: a period longer than the run leaves the epochs' last syncs */
    char args[4096], *err = NULL;
    snprintf(args, sizeof args, "--input %s %s --threads 1 --sync-every 1000 --log-json "
             "%s/t.json " OPTS, s1, s2, tu_dir);
    ck_assert_int_eq(mpirun(2, &err, args), 0);
    free(err);
    ck_assert_int_eq(mpi_logged("t.json", "syncs"), 2);
    ck_assert_int_eq(mpi_logged("t.json", "sync_words"), 0);
    free(s1);
    free(s2);
}
END_TEST

START_TEST(sync_bytes_are_counted_exactly)
{
    if (!have_mpi())
        return;
    /* 120 words, each ~200 times per shard: every row but </s>'s changes in
     * an epoch, in both matrices (</s> is never trained nor drawn) */
    char *s1 = make_corpus("b1.txt", 2000, 41), *s2 = make_corpus("b2.txt", 2000, 42);
    char args[4096], *err = NULL;
    /* no periodic sync: each of the 3 epochs ends with one exact sum of every row */
    snprintf(args, sizeof args, "--input %s %s --threads 1 --sync-words 1000000000 --sample 0 "
             "--save-model %s/b.model --log-json %s/b.json --dim 24 --epochs 3 --min-count 1 "
             "--seed 11 --quiet --sync-merge sum", s1, s2, tu_dir, tu_dir);
    int rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "mpirun -np 2: exit %d: %s", rc, err);
    free(err);
    char *saved = tu_path(tu_dir, "b.model");
    theta_model *m;
    ck_assert_int_eq(theta_model_load(saved, &m), THETA_OK);
    const long long n = m->vocab->size, nout = m->out_rows, dim = 24, e = 3;
    ck_assert_int_eq(n, GROUPS * GROUP_WORDS + 1);
    ck_assert_int_eq(nout, n);
    ck_assert_int_eq(mpi_logged("b.json", "syncs"), e);
    ck_assert_int_eq(mpi_logged("b.json", "full_syncs"), e);
    ck_assert_int_eq(mpi_logged("b.json", "exact_syncs"), e);
    /* per sync: the flags (4 int64), then per matrix a bitmap of its rows and
     * the n - 1 changed rows, reduced and broadcast (twice) */
    long long flags = 4 * 8, bitmap = (n + 7) / 8;
    long long want = e * (flags + 2 * (bitmap + 2 * (n - 1) * dim * 4));
    long long dense = e * (flags + 2 * (2 * n * dim * 4));
    ck_assert_int_eq(mpi_logged("b.json", "rows"), e * 2 * (n - 1));
    ck_assert_int_eq(mpi_logged("b.json", "sparse_sums"), e * 2);
    ck_assert_int_eq(mpi_logged("b.json", "bytes_sent"), want);
    ck_assert_int_eq(mpi_logged("b.json", "dense_bytes"), dense);
    ck_assert_int_eq(mpi_logged("b.json", "rank_words"), e * 2000 * 13);
    /* the dense encoding sends what it says */
    snprintf(args, sizeof args, "--input %s %s --threads 1 --sync-words 1000000000 --sample 0 "
             "--log-json %s/d.json --dim 24 --epochs 3 --min-count 1 --seed 11 --quiet "
             "--sync-merge sum", s1, s2, tu_dir);
    setenv("THETA_MPI_SYNC_DENSE", "1", 1);
    rc = mpirun(2, &err, args);
    unsetenv("THETA_MPI_SYNC_DENSE");
    ck_assert_msg(rc == 0, "mpirun -np 2 dense: exit %d: %s", rc, err);
    free(err);
    ck_assert_int_eq(mpi_logged("d.json", "bytes_sent"), dense + e * 2 * bitmap);
    ck_assert_int_eq(mpi_logged("d.json", "rows"), e * 2 * n);
    ck_assert_int_eq(mpi_logged("d.json", "sparse_sums"), 0);
    /* the default takes the mean for the most frequent rows, but not at an
     * exact sync (the end of an epoch): those send and add exactly what the
     * sum does */
    snprintf(args, sizeof args, "--input %s %s --threads 1 --sync-words 1000000000 --sample 0 "
             "--log-json %s/m.json --dim 24 --epochs 3 --min-count 1 --seed 11 --quiet",
             s1, s2, tu_dir);
    rc = mpirun(2, &err, args);
    ck_assert_msg(rc == 0, "mpirun -np 2 mean: exit %d: %s", rc, err);
    free(err);
    ck_assert_int_eq(mpi_logged("m.json", "bytes_sent"), want);
    theta_model_free(m);
    free(saved); free(s1); free(s2);
}
END_TEST

START_TEST(sparse_sums_equal_dense_and_every_rank_holds_them)
{
    if (!have_mpi())
        return;
    char *s1 = make_corpus("p1.txt", 8000, 51), *s2 = make_corpus("p2.txt", 8000, 52);
    /* a sync at every chunk, every row every 2nd: many sparse sums, hot and full */
    const char *mode[2] = {"0", "1"};
    for (int i = 0; i < 2; i++) {
        char args[4096], *err = NULL;
        snprintf(args, sizeof args, "--input %s %s --output %s/pv%d.txt --threads 1 "
                 "--sync-words 10000 --sync-full-every 2 --log-json %s/p%d.json " OPTS,
                 s1, s2, tu_dir, i, tu_dir, i);
        setenv("THETA_MPI_SYNC_DENSE", mode[i], 1);
        setenv("THETA_MPI_RANK_OUTPUT", "1", 1);
        int rc = mpirun(2, &err, args);
        unsetenv("THETA_MPI_SYNC_DENSE");
        unsetenv("THETA_MPI_RANK_OUTPUT");
        ck_assert_msg(rc == 0, "mpirun -np 2: exit %d: %s", rc, err);
        free(err);
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s/pv%d.txt", tu_dir, i);
        snprintf(b, sizeof b, "%s/pv%d.txt.rank1", tu_dir, i);
        ck_assert_msg(same_file(a, b), "rank 0 and rank 1 hold different vectors (dense %s)",
                      mode[i]);
    }
    char json[2][16] = {"p0.json", "p1.json"};
    long long sparse = mpi_logged(json[0], "sparse_sums"), syncs = mpi_logged(json[0], "syncs");
    long long b0 = mpi_logged(json[0], "bytes_sent"), b1 = mpi_logged(json[1], "bytes_sent");
    fprintf(stderr, "check_mpi: %lld syncs, %lld sparse sums: %lld bytes sent, dense %lld\n",
            syncs, sparse, b0, b1);
    ck_assert_int_ge(syncs, 18);
    ck_assert_int_eq(sparse, 2 * syncs);
    ck_assert_int_eq(mpi_logged(json[1], "sparse_sums"), 0);
    ck_assert_int_eq(mpi_logged(json[1], "syncs"), syncs);
    ck_assert(b0 < b1);
    ck_assert_int_eq(mpi_logged(json[0], "dense_bytes"), mpi_logged(json[1], "dense_bytes"));
    /* the same sums either way: the same vectors, bit for bit */
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/pv0.txt", tu_dir);
    snprintf(b, sizeof b, "%s/pv1.txt", tu_dir);
    ck_assert_msg(same_file(a, b), "the sparse and the dense sums trained different vectors");
    free(s1);
    free(s2);
}
END_TEST

START_TEST(bfloat16_and_mean_syncs_keep_ranks_equal_and_vectors_good)
{
    if (!have_mpi())
        return;
    char *s1 = make_corpus("h1.txt", 8000, 71), *s2 = make_corpus("h2.txt", 8000, 72);
    static const char *extra[3] = {"--sync-merge sum", "--sync-merge sum --sync-precision bfloat16",
                                   "--sync-merge mean"};
    long long bytes[3], words[3];
    for (int i = 0; i < 3; i++) {
        char args[4096], *err = NULL;
        snprintf(args, sizeof args, "--input %s %s --output %s/hv%d.txt --threads 1 "
                 "--sync-words 10000 --log-json %s/h%d.json %s " QOPTS,
                 s1, s2, tu_dir, i, tu_dir, i, extra[i]);
        setenv("THETA_MPI_RANK_OUTPUT", "1", 1);
        int rc = mpirun(2, &err, args);
        unsetenv("THETA_MPI_RANK_OUTPUT");
        ck_assert_msg(rc == 0, "mpirun -np 2 %s: exit %d: %s", extra[i], rc, err);
        free(err);
        char a[4096], b[4096], json[32];
        snprintf(a, sizeof a, "%s/hv%d.txt", tu_dir, i);
        snprintf(b, sizeof b, "%s/hv%d.txt.rank1", tu_dir, i);
        ck_assert_msg(same_file(a, b), "%s: rank 0 and rank 1 hold different vectors", extra[i]);
        double q = neighbour_quality(a);
        fprintf(stderr, "check_mpi: np 2 %s: neighbour quality %.3f\n", extra[i], q);
        ck_assert_msg(q > 0.9, "%s: neighbour quality %.3f", extra[i], q);
        snprintf(json, sizeof json, "h%d.json", i);
        bytes[i] = mpi_logged(json, "bytes_sent");
        words[i] = mpi_logged(json, "rank_words");
    }
    ck_assert_int_eq(words[1], words[0]);
    /* bfloat16: half the bytes of the rows within an epoch (the epochs' last
     * syncs stay float32); the mean sends 16-bit counts instead of a bitmap */
    ck_assert_msg(bytes[1] < bytes[0] * 3 / 4, "bfloat16 sent %lld bytes, float32 %lld",
                  bytes[1], bytes[0]);
    ck_assert_msg(bytes[2] > bytes[0], "mean sent %lld bytes, sum %lld", bytes[2], bytes[0]);
    free(s1);
    free(s2);
}
END_TEST

START_TEST(sync_options_usage_errors)
{
    if (!have_mpi())
        return;
    char *corpus = make_corpus("u.txt", 100, 61);
    static const struct { const char *args, *msg; } bad[] = {
        {"--sync-words 0", "--sync-words must be an integer >= 1"},
        {"--sync-words 12abc", "--sync-words must be an integer >= 1"},
        {"--sync-words -5", "--sync-words must be an integer >= 1"},
        {"--sync-full-every 0", "--sync-full-every must be an integer from 1"},
        {"--sync-full-every x", "--sync-full-every must be an integer from 1"},
        {"--sync-words 1000 --sync-every 1", "not both"},
        {"--sync-merge avg", "--sync-merge must be sum, mean or mean:M"},
        {"--sync-merge mean:0", "--sync-merge must be sum, mean or mean:M"},
        {"--sync-precision float16", "--sync-precision must be float32 or bfloat16"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err = NULL;
        int rc = tu_run(NULL, &err, "train --input %s --output %s/u.vec %s", corpus, tu_dir,
                        bad[i].args);
        ck_assert_msg(rc == 2, "%s: exit %d", bad[i].args, rc);
        ck_assert_msg(err && strstr(err, bad[i].msg), "%s: %s", bad[i].args, err);
        ck_assert_msg(strncmp(err, "theta train: ", 13) == 0, "%s", err);
        free(err);
        char *out = tu_path(tu_dir, "u.vec");
        ck_assert_int_ne(access(out, F_OK), 0);
        free(out);
    }
    /* the build without MPI refuses them */
    const char *plain = getenv("THETA_PLAIN_BIN") ? getenv("THETA_PLAIN_BIN") : "build/theta";
    if (access(plain, X_OK) == 0) {
        static const char *opts[] = {"--sync-words 1000", "--sync-full-every 4",
                                     "--sync-merge mean", "--sync-precision bfloat16"};
        for (int i = 0; i < 4; i++) {
            char cmd[8192];
            snprintf(cmd, sizeof cmd, "%s train --input %s %s 2>%s/plain.err", plain, corpus,
                     opts[i], tu_dir);
            int rc = system(cmd);
            ck_assert_int_eq(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, 2);
            char *p = tu_path(tu_dir, "plain.err"), *err = tu_read_file(p, NULL);
            ck_assert_msg(err && strstr(err, "needs a build with MPI"), "%s", err);
            free(err);
            free(p);
        }
    }
    free(corpus);
}
END_TEST

Suite *mpi_suite(void)
{
    Suite *s = suite_create("mpi");
    TCase *tc = tcase_create("mpirun");
    tcase_add_checked_fixture(tc, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, np1_equals_build_without_mpi);
    tcase_add_test(tc, np2_shards_one_vocab_same_matrices_same_quality);
    tcase_add_test(tc, np2_adds_every_ranks_change_in_full);
    tcase_add_test(tc, np2_splits_one_plain_file);
    tcase_add_test(tc, failing_rank_ends_the_job);
    suite_add_tcase(s, tc);
    tc = tcase_create("sync");
    tcase_add_checked_fixture(tc, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, sync_words_sets_the_number_of_syncs);
    tcase_add_test(tc, sync_bytes_are_counted_exactly);
    tcase_add_test(tc, sparse_sums_equal_dense_and_every_rank_holds_them);
    tcase_add_test(tc, bfloat16_and_mean_syncs_keep_ranks_equal_and_vectors_good);
    tcase_add_test(tc, sync_options_usage_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("checkpoints");
    tcase_add_checked_fixture(tc, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, np1_stop_and_resume_equal_build_without_mpi);
    tcase_add_test(tc, np2_stop_records_each_ranks_place_and_resume_trains_the_rest);
    tcase_add_test(tc, np2_one_file_resume_deals_the_pieces_of_the_checkpoint);
    tcase_add_test(tc, sigterm_to_mpirun_saves_a_checkpoint_that_resumes);
    tcase_add_test(tc, sigterm_to_one_rank_stops_every_rank);
    tcase_add_test(tc, periodic_checkpoint_of_np2_run_loads_and_resumes);
    tcase_add_test(tc, killed_rank_ends_the_job);
    suite_add_tcase(s, tc);
    return s;
}
