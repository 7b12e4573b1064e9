/*
 * check_reliability.c — interrupting and resuming `theta train`: checkpoints
 * written at a stop (by --stop-after-words or a signal) resume to vectors
 * byte-identical to an uninterrupted run; damaged checkpoints and a full
 * disk are errors that keep what was there before.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

static char *corpus;

/* sentences over 4 word groups; `sentences` lines */
static void make_corpus(int sentences)
{
    corpus = tu_path(tu_dir, "corpus.txt");
    FILE *f = fopen(corpus, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng rng;
    theta_rng_seed(&rng, 5);
    for (int s = 0; s < sentences; s++) {
        int g = (int)(theta_rng_next(&rng) % 4);
        for (int i = 0; i < 10; i++)
            fprintf(f, "%sw%d_%d", i ? " " : "", g, (int)(theta_rng_next(&rng) % 12));
        fputc('\n', f);
    }
    fclose(f);
}

/* in tu_dir (the tmpdir fixture runs first) */
static void setup(void)
{
    make_corpus(3000);
}

static void teardown(void)
{
    free(corpus);
}

static char *slurp(const char *name)
{
    char *p = tu_path(tu_dir, name);
    char *b = tu_read_file(p, NULL);
    free(p);
    return b;
}

#define OPTS "--dim 16 --epochs 3 --threads 1 --min-count 1 --quiet --seed 3"

static const char *loss_names[] = {"ns", "hs", "softmax"};

START_TEST(resume_after_stop_equals_uninterrupted)
{
    const char *loss = loss_names[_i];
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/full.txt --loss %s " OPTS,
                            corpus, tu_dir, loss), 0);
    char *full = slurp("full.txt");
    ck_assert_ptr_nonnull(full);
    /* 3000 lines x 11 tokens = 33000 words per epoch: stop in epochs 1, 2 and 3 */
    const long points[] = {5000, 40000, 90000};
    for (int p = 0; p < 3; p++) {
        char *err = NULL;
        int rc = tu_run(NULL, &err, "train --input %s --output %s/part.txt --loss %s "
                        "--checkpoint %s/ck.theta --stop-after-words %ld " OPTS,
                        corpus, tu_dir, loss, tu_dir, points[p]);
        ck_assert_msg(rc == 0, "stop at %ld: exit %d: %s", points[p], rc, err);
        ck_assert_ptr_nonnull(strstr(err, "Resume with: theta train --resume"));
        free(err);
        char *ck = tu_path(tu_dir, "ck.theta");
        theta_model *m;
        ck_assert_int_eq(theta_model_load(ck, &m), THETA_OK);
        ck_assert_int_ge(m->state.words_done, points[p]);
        ck_assert_int_lt(m->state.words_done, points[p] + 12000);
        theta_model_free(m);
        free(ck);
        rc = tu_run(NULL, &err, "train --resume %s/ck.theta --input %s --output %s/part.txt "
                    "--quiet", tu_dir, corpus, tu_dir);
        ck_assert_msg(rc == 0, "resume: %s", err);
        free(err);
        char *part = slurp("part.txt");
        ck_assert_msg(part && strcmp(part, full) == 0, "%s: resumed run at %ld differs", loss,
                      points[p]);
        free(part);
    }
    free(full);
}
END_TEST

/* --share-negatives is saved in the checkpoint: a resumed run continues
 * with it (equal to the uninterrupted run) and refuses another value. */
START_TEST(resume_keeps_share_negatives)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/full.txt "
                            "--share-negatives 3 " OPTS, corpus, tu_dir), 0);
    char *full = slurp("full.txt");
    ck_assert_ptr_nonnull(full);
    char *err = NULL;
    int rc = tu_run(NULL, &err, "train --input %s --output %s/part.txt --share-negatives 3 "
                    "--checkpoint %s/ck.theta --stop-after-words 40000 " OPTS,
                    corpus, tu_dir, tu_dir);
    ck_assert_msg(rc == 0, "stop: exit %d: %s", rc, err);
    free(err);
    rc = tu_run(NULL, &err, "train --resume %s/ck.theta --input %s --output %s/part.txt "
                "--share-negatives 2 --quiet", tu_dir, corpus, tu_dir);
    ck_assert_int_ne(rc, 0);
    ck_assert_msg(strstr(err, "--share-negatives differs from the checkpoint's"), "%s", err);
    free(err);
    rc = tu_run(NULL, &err, "train --resume %s/ck.theta --input %s --output %s/part.txt "
                "--quiet", tu_dir, corpus, tu_dir);
    ck_assert_msg(rc == 0, "resume: %s", err);
    free(err);
    char *part = slurp("part.txt");
    ck_assert_msg(part && strcmp(part, full) == 0, "resumed run with shared negatives differs");
    /* and the run differs from one draw per centre word */
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/one.txt " OPTS, corpus,
                            tu_dir), 0);
    char *one = slurp("one.txt");
    ck_assert_ptr_nonnull(one);
    ck_assert(strcmp(one, full) != 0);
    free(one);
    free(part);
    free(full);
}
END_TEST

START_TEST(sigint_saves_a_checkpoint_that_resumes)
{
    /* a corpus big enough that training is still running when the signal comes */
    free(corpus);
    make_corpus(30000);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "train --input %s --output %s/full.txt --dim 16 --epochs 30 "
             "--threads 1 --min-count 1 --quiet --seed 3", corpus, tu_dir);
    double t0 = theta_now();
    ck_assert_int_eq(tu_run(NULL, NULL, "%s", cmd), 0);
    double took = theta_now() - t0; /* interrupt the second run a third of the way in */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char ck[4200], out[4200];
        snprintf(ck, sizeof ck, "%s/ck.theta", tu_dir);
        snprintf(out, sizeof out, "%s/part.txt", tu_dir);
        freopen("/dev/null", "w", stderr);
        execl(tu_theta_bin(), "theta", "train", "--input", corpus, "--output", out, "--dim", "16",
              "--epochs", "30", "--threads", "1", "--min-count", "1", "--quiet", "--seed", "3",
              "--checkpoint", ck, (char *)NULL);
        _exit(127);
    }
    usleep((useconds_t)(took / 3 * 1e6));
    kill(pid, SIGINT);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 130,
                  "expected exit 130 after SIGINT, got status %d", status);
    char *part = slurp("part.txt");
    ck_assert_msg(part == NULL, "vectors were written by an interrupted run");
    char *err = NULL;
    ck_assert_int_eq(tu_run(NULL, &err, "train --resume %s/ck.theta --input %s --output "
                            "%s/part.txt --quiet", tu_dir, corpus, tu_dir), 0);
    free(err);
    char *full = slurp("full.txt");
    part = slurp("part.txt");
    ck_assert_ptr_nonnull(part);
    ck_assert_msg(strcmp(part, full) == 0, "resumed run differs from the uninterrupted one");
    free(full);
    free(part);
}
END_TEST

START_TEST(periodic_checkpoint_is_written_while_training)
{
    free(corpus);
    make_corpus(30000);
    char ck[4200], out[4200];
    snprintf(ck, sizeof ck, "%s/ck.theta", tu_dir);
    snprintf(out, sizeof out, "%s/v.txt", tu_dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        execl(tu_theta_bin(), "theta", "train", "--input", corpus, "--output", out, "--dim", "16",
              "--epochs", "200", "--threads", "1", "--min-count", "1", "--quiet",
              "--checkpoint", ck, "--checkpoint-every", "1", (char *)NULL);
        _exit(127);
    }
    /* wait (at most 60 s) for a checkpoint to appear while training runs */
    int seen = 0;
    for (int i = 0; i < 600 && !seen; i++) {
        usleep(100 * 1000);
        seen = access(ck, F_OK) == 0;
    }
    int still_running = waitpid(pid, NULL, WNOHANG) == 0;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    ck_assert_msg(seen, "no checkpoint within 60 s");
    ck_assert(still_running);
    theta_model *m;
    ck_assert_int_eq(theta_model_load(ck, &m), THETA_OK);
    ck_assert_int_gt(m->state.words_done, 0);
    ck_assert_int_lt(m->state.epoch, 200);
    ck_assert_int_eq(m->cfg.epochs, 200);
    theta_model_free(m);
}
END_TEST

START_TEST(damaged_checkpoint_is_refused)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --checkpoint %s/ck.theta "
                            "--stop-after-words 20000 " OPTS, corpus, tu_dir), 0);
    char *ck = tu_path(tu_dir, "ck.theta");
    size_t len;
    char *bytes = tu_read_file(ck, &len);
    ck_assert_ptr_nonnull(bytes);
    /* a flipped byte in each region of the file, and truncations */
    const size_t flips[] = {3, 20, 40, 200, len / 2, len - 10};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        bytes[flips[i]] ^= 0x20;
        tu_write_file(ck, bytes, len);
        bytes[flips[i]] ^= 0x20;
        char *err = NULL;
        int rc = tu_run(NULL, &err, "train --resume %s --input %s --output %s/v.txt --quiet", ck,
                        corpus, tu_dir);
        ck_assert_msg(rc == 1, "flip at %zu: exit %d", flips[i], rc);
        ck_assert_msg(strstr(err, "ck.theta") != NULL, "message: %s", err);
        free(err);
    }
    const size_t cuts[] = {0, 10, 100, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        tu_write_file(ck, bytes, cuts[i]);
        ck_assert_int_eq(tu_run(NULL, NULL, "train --resume %s --input %s --output %s/v.txt "
                                "--quiet", ck, corpus, tu_dir), 1);
    }
    char *v = slurp("v.txt");
    ck_assert_ptr_null(v);
    /* another corpus, or changed options, are refused too */
    tu_write_file(ck, bytes, len);
    char *other = tu_path(tu_dir, "other.txt");
    tu_write_file(other, "w0_1 w0_2 w0_3\n", (size_t)-1);
    char *err = NULL;
    ck_assert_int_eq(tu_run(NULL, &err, "train --resume %s --input %s --quiet", ck, other), 1);
    ck_assert_ptr_nonnull(strstr(err, "not the corpus"));
    free(err);
    ck_assert_int_eq(tu_run(NULL, &err, "train --resume %s --input %s --dim 17 --quiet", ck,
                            corpus), 1);
    ck_assert_ptr_nonnull(strstr(err, "--dim differs"));
    free(err);
    free(other);
    free(bytes);
    free(ck);
}
END_TEST

START_TEST(full_disk_keeps_previous_files)
{
    /* a first, complete run leaves vectors and a model */
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/v.txt --save-model "
                            "%s/m.theta " OPTS, corpus, tu_dir, tu_dir), 0);
    char *v0 = slurp("v.txt"), *m0 = slurp("m.theta");
    ck_assert_ptr_nonnull(v0);
    /* the second run may write only 8 KiB per file: every save fails (EFBIG, as ENOSPC would) */
    char script[8192];
    snprintf(script, sizeof script,
             "sh -c 'trap \"\" XFSZ; ulimit -f 8; exec %s train --input %s --output %s/v.txt "
             "--save-model %s/m.theta --dim 24 --epochs 1 --threads 1 --min-count 1 --quiet' "
             "2>%s/err.txt",
             tu_theta_bin(), corpus, tu_dir, tu_dir, tu_dir);
    int st = system(script);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    char *msg = slurp("err.txt");
    ck_assert_msg(strstr(msg, "v.txt") != NULL && strstr(msg, "write failed") != NULL, "%s", msg);
    char *v1 = slurp("v.txt"), *m1 = slurp("m.theta");
    ck_assert_str_eq(v1, v0);
    ck_assert_ptr_nonnull(m1);
    char lsc[4200];
    snprintf(lsc, sizeof lsc, "ls %s | grep -q '\\.tmp\\.'", tu_dir);
    ck_assert_msg(system(lsc) != 0, "a temporary file was left behind");
    free(msg); free(v0); free(v1); free(m0); free(m1);
}
END_TEST

Suite *reliability_suite(void)
{
    Suite *s = suite_create("reliability");
    TCase *tc = tcase_create("resume");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, resume_after_stop_equals_uninterrupted, 0, 3);
    tcase_add_test(tc, resume_keeps_share_negatives);
    tcase_add_test(tc, sigint_saves_a_checkpoint_that_resumes);
    tcase_add_test(tc, damaged_checkpoint_is_refused);
    tcase_add_test(tc, periodic_checkpoint_is_written_while_training);
    tcase_add_test(tc, full_disk_keeps_previous_files);
    suite_add_tcase(s, tc);
    return s;
}
