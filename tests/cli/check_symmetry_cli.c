/* check_symmetry_cli.c — how a symmetric start breaks, through the program:
 * perturbed starts on theta train's command line (saved, shown by theta info,
 * checked on --resume, refused when malformed), the continuous measures in
 * theta dims (text and --json, the library's exact values) and in the
 * --log-json snapshots (in_spread / out_spread), and the perturbation sweep
 * of scripts/compare-inits.sh --sweep.
 *
 * The corpus: two topics of 12 words each; every sentence draws 10 words
 * from one topic, so there is structure for the dimensions to pick up. */
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

#define SCRIPT "scripts/compare-inits.sh"
#define NSENT 6000
#define TRAIN "--dim 8 --epochs 2 --threads 1 --min-count 1 --seed 3 --quiet"

static char *dir;
static char *corpus;

static void setup(void)
{
    dir = tu_tmpdir();
    corpus = tu_path(dir, "corpus.txt");
    FILE *f = fopen(corpus, "w");
    ck_assert_ptr_nonnull(f);
    theta_rng rng;
    theta_rng_seed(&rng, 11);
    for (int s = 0; s < NSENT; s++) {
        int topic = (int)(theta_rng_next(&rng) % 2);
        for (int i = 0; i < 10; i++)
            fprintf(f, "%s%c%d", i ? " " : "", topic ? 'a' : 'b',
                    (int)(theta_rng_next(&rng) % 12));
        fputc('\n', f);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static void teardown(void)
{
    tu_rmdir(dir);
    free(corpus);
    free(dir);
}

#define ck_assert_has(hay, needle) \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "'%s' not in:\n%.400s", (needle), (hay))

static char *read_in_dir(const char *name)
{
    char *p = tu_path(dir, name);
    char *b = tu_read_file(p, NULL);
    free(p);
    ck_assert_msg(b != NULL, "%s was not written", name);
    return b;
}

/* The number after "key": in s (after the first occurrence at or past from). */
static double number_after(const char *s, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(s, pat);
    ck_assert_msg(p != NULL, "no %s in %s", key, s);
    return strtod(p + strlen(pat), NULL);
}

/* ---- train: the perturbed start ----------------------------------------- */

START_TEST(train_saves_the_perturbation)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --save-model %s/m.theta " TRAIN
                            " --init-in const:0.1+normal:1e-6 --init-out zero+uniform:0",
                            corpus, dir), 0);
    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "info %s/m.theta", dir), 0);
    ck_assert_has(out, "const:0.1+normal:1e-06");
    ck_assert_has(out, "zero+uniform:0");
    free(out);
    /* the saved config is the one given */
    char *p = tu_path(dir, "m.theta");
    theta_model *m;
    ck_assert_int_eq(theta_model_load(p, &m), THETA_OK);
    ck_assert_int_eq(m->cfg.init_in.noise_kind, THETA_NOISE_NORMAL);
    ck_assert(m->cfg.init_in.noise == 1e-6);
    ck_assert_int_eq(m->cfg.init_out.noise_kind, THETA_NOISE_UNIFORM);
    theta_model_free(m);
    free(p);
    /* the same seed, the same model, bit for bit; +normal:0 is the plain start */
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/a.txt " TRAIN
                            " --init-in const:0.1+normal:1e-6", corpus, dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/b.txt " TRAIN
                            " --init-in const:0.1+normal:1e-6", corpus, dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/c.txt " TRAIN
                            " --init-in const:0.1", corpus, dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --output %s/d.txt " TRAIN
                            " --init-in const:0.1+normal:0", corpus, dir), 0);
    char *a = read_in_dir("a.txt"), *b = read_in_dir("b.txt"), *c = read_in_dir("c.txt"),
         *d = read_in_dir("d.txt");
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(c, d);
    ck_assert_str_ne(a, c);
    free(a);
    free(b);
    free(c);
    free(d);
}
END_TEST

START_TEST(train_refuses_bad_perturbations)
{
    static const char *bad[] = {"const:0.1+normal:-1", "const:0.1+gauss:1", "const:0.1+normal:",
                                "const:0.1+normal:1e-6+normal:1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err;
        int rc = tu_run(NULL, &err, "train --input %s --output %s/x.txt " TRAIN " --init-in '%s'",
                        corpus, dir, bad[i]);
        ck_assert_msg(rc == 2, "%s: exit %d", bad[i], rc);
        ck_assert_has(err, "theta train: --init-in: ");
        free(err);
        char *p = tu_path(dir, "x.txt");
        ck_assert_int_ne(access(p, F_OK), 0);
        free(p);
    }
}
END_TEST

START_TEST(resume_checks_the_perturbation)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --checkpoint %s/ck.theta "
                            "--stop-after-words 5000 " TRAIN " --init-in const:0.1+normal:1e-6",
                            corpus, dir), 0);
    char *err;
    /* the start without its perturbation is another start */
    static const char *other[] = {"--init-in const:0.1", "--init-in const:0.1+normal:1e-5",
                                  "--init-in const:0.1+uniform:1e-6", "--zero-init"};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        int rc = tu_run(NULL, &err, "train --resume %s/ck.theta --input %s --quiet %s", dir,
                        corpus, other[i]);
        ck_assert_msg(rc != 0, "%s: resumed", other[i]);
        ck_assert_has(err, "differs from the checkpoint's");
        free(err);
    }
    ck_assert_int_eq(tu_run(NULL, &err, "train --resume %s/ck.theta --input %s --quiet "
                            "--init-in const:0.1+normal:1e-06 --save-model %s/r.theta",
                            dir, corpus, dir), 0);
    free(err);
}
END_TEST

/* ---- dims --------------------------------------------------------------- */

START_TEST(dims_reports_the_measures)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --save-model %s/m.theta " TRAIN
                            " --init-in const:0.1+normal:1e-6 --epochs 1", corpus, dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --save-model %s/s.theta " TRAIN
                            " --init-in const:0.1", corpus, dir), 0);
    char *p = tu_path(dir, "m.theta");
    theta_model *m;
    ck_assert_int_eq(theta_model_load(p, &m), THETA_OK);
    theta_dims_report rin, rout;
    ck_assert_int_eq(theta_dims_analyze(m->in, m->vocab->size, m->cfg.dim, 0, &rin), THETA_OK);
    ck_assert_int_eq(theta_dims_analyze(m->out, m->out_rows, m->cfg.dim, 0, &rout), THETA_OK);
    theta_model_free(m);
    free(p);
    ck_assert(rin.sigma_ratio > 0 && rin.effective_rank > 1);

    char *out;
    ck_assert_int_eq(tu_run(&out, NULL, "dims --json %s/m.theta", dir), 0);
    /* the input matrix first, then the output matrix: the library's doubles */
    char *second = strstr(out, "\"name\": \"out\"");
    ck_assert_ptr_nonnull(second);
    ck_assert(number_after(out, "sigma_ratio") == rin.sigma_ratio);
    ck_assert(number_after(out, "effective_rank") == rin.effective_rank);
    ck_assert(number_after(second, "sigma_ratio") == rout.sigma_ratio);
    ck_assert(number_after(second, "effective_rank") == rout.effective_rank);
    free(out);
    /* the text report */
    ck_assert_int_eq(tu_run(&out, NULL, "dims %s/m.theta", dir), 0);
    char want[128];
    snprintf(want, sizeof want, "  sigma_2/sigma_1   %.6g ", rin.sigma_ratio);
    ck_assert_has(out, want);
    snprintf(want, sizeof want, "  effective rank    %.6g ", rin.effective_rank);
    ck_assert_has(out, want);
    free(out);
    /* a constant start with one thread stays exactly symmetric: 0 and 1 */
    ck_assert_int_eq(tu_run(&out, NULL, "dims --json %s/s.theta", dir), 0);
    ck_assert_has(out, "\"sigma_ratio\": 0, \"effective_rank\": 1, ");
    ck_assert(number_after(strstr(out, "\"name\": \"out\""), "sigma_ratio") == 0);
    free(out);
    /* help defines them */
    ck_assert_int_eq(tu_run(&out, NULL, "dims --help"), 0);
    ck_assert_has(out, "sigma_2/sigma_1");
    ck_assert_has(out, "Roy & Vetterli");
    free(out);
    ck_assert_int_eq(tu_run(&out, NULL, "train --help"), 0);
    ck_assert_has(out, "+normal:S");
    free(out);
}
END_TEST

START_TEST(log_json_follows_the_growth)
{
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --log-json %s/p.json "
                            "--log-every-words 2000 " TRAIN " --init-in const:0.1+normal:1e-6",
                            corpus, dir), 0);
    ck_assert_int_eq(tu_run(NULL, NULL, "train --input %s --log-json %s/s.json "
                            "--log-every-words 2000 " TRAIN " --init-in const:0.1",
                            corpus, dir), 0);
    /* constant start: every snapshot exactly symmetric, in both matrices */
    char *log = read_in_dir("s.json");
    int lines = 0, sym_in = 0, sym_out = 0;
    for (char *q = log; (q = strchr(q, '\n')) != NULL; q++)
        lines++;
    for (char *q = log; (q = strstr(q, "\"in_spread\": {\"sigma_ratio\": 0, \"effective_rank\": 1}"));
         q++)
        sym_in++;
    for (char *q = log; (q = strstr(q, "\"out_spread\": {\"sigma_ratio\": 0, \"effective_rank\": 1}"));
         q++)
        sym_out++;
    ck_assert_int_ge(lines, 12); /* 132000 words: a snapshot at every 10000-word chunk */
    ck_assert_int_eq(sym_in, lines);
    ck_assert_int_eq(sym_out, lines);
    free(log);
    /* perturbed: tiny at the first snapshot, grown by the last */
    log = read_in_dir("p.json");
    char *last = log + strlen(log) - 1;
    while (last > log && last[-1] != '\n')
        last--;
    double first_ratio = number_after(strstr(log, "\"in_spread\""), "sigma_ratio");
    double last_ratio = number_after(strstr(last, "\"in_spread\""), "sigma_ratio");
    double last_erank = number_after(strstr(last, "\"in_spread\""), "effective_rank");
    ck_assert_msg(first_ratio > 0 && first_ratio < 1e-3, "first %g", first_ratio);
    ck_assert_msg(last_ratio > 100 * first_ratio, "first %g, last %g", first_ratio, last_ratio);
    ck_assert_msg(last_erank > 1.5, "effective rank %g", last_erank);
    ck_assert_ptr_nonnull(strstr(last, "\"out_spread\": {\"sigma_ratio\": "));
    /* the exact verdicts are where they were, the measures beside them */
    ck_assert_has(log, "\"in\": {\"distinct_dims\": 8, \"identical_dims\": 0, \"rank\": ");
    ck_assert_has(log, "\"all_zero\": false}, \"in_spread\": {\"sigma_ratio\": ");
    free(log);
}
END_TEST

/* ---- compare-inits.sh --sweep ------------------------------------------- */

static int run_script(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "THETA='%s' bash " SCRIPT " --no-install %s >'%s/out.txt' "
             "2>'%s/err.txt'", tu_theta_bin(), args, dir, dir);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Field k (0-based) of a CSV line, into buf. */
static const char *field(const char *line, int k, char *buf, size_t size)
{
    for (int i = 0; i < k && line; i++) {
        line = strchr(line, ',');
        if (line)
            line++;
    }
    ck_assert_ptr_nonnull(line);
    size_t n = strcspn(line, ",\n");
    ck_assert_uint_lt(n, size);
    memcpy(buf, line, n);
    buf[n] = '\0';
    return buf;
}

START_TEST(sweep_writes_the_growth_curves)
{
    ck_assert_msg(access(SCRIPT, R_OK) == 0, "%s not found: run the tests from the source tree",
                  SCRIPT);
    char args[4096];
    snprintf(args, sizeof args, "--sweep --losses ns,hs --noise 0,1e-6 --dim 8 --every 1000 "
             "--epochs 2 --min-count 1 --out '%s/sw' '%s'", dir, corpus);
    int rc = run_script(args);
    char *err = read_in_dir("err.txt");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    free(err);
    char *s = read_in_dir("sw/sweep.csv");
    ck_assert(strncmp(s, "loss,start,noise,init_in,init_out,words,epoch,epoch_end,mean_loss,"
                         "interval_loss,sigma_ratio_in,effective_rank_in,sigma_ratio_out,"
                         "effective_rank_out,distinct_in,distinct_out\n", 155) == 0);
    int rows = 0, zero_rows = 0, zero_exact = 0;
    double first_small = -1, last_small = -1;
    char buf[64];
    for (char *line = strchr(s, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        rows++;
        if (strncmp(line, "ns,perturbed,0,const:0.1+normal:0,zero,", 39) == 0) {
            zero_rows++;
            zero_exact += strcmp(field(line, 10, buf, sizeof buf), "0") == 0 &&
                          strcmp(field(line, 11, buf, sizeof buf), "1") == 0 &&
                          strcmp(field(line, 14, buf, sizeof buf), "1") == 0;
        }
        if (strncmp(line, "ns,perturbed,1e-6,", 18) == 0) {
            double r = strtod(field(line, 10, buf, sizeof buf), NULL);
            if (first_small < 0)
                first_small = r;
            last_small = r;
        }
    }
    /* 2 losses x 3 runs x (132000 words: a snapshot at every 10000-word chunk) */
    ck_assert_int_ge(rows, 6 * 13);
    ck_assert_int_ge(zero_rows, 13);
    ck_assert_int_eq(zero_exact, zero_rows);
    ck_assert_msg(first_small > 0 && first_small < 1e-3, "first %g", first_small);
    ck_assert_msg(last_small > 100 * first_small, "first %g last %g", first_small, last_small);
    free(s);

    /* growth.csv: one row per run, a positive early growth rate for 1e-6 */
    char *g = read_in_dir("sw/growth.csv");
    int grows = 0;
    char start[32], noise[32];
    for (char *line = strchr(g, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        grows++;
        int perturbed = strcmp(field(line, 1, start, sizeof start), "perturbed") == 0;
        field(line, 2, noise, sizeof noise);
        if (perturbed && strcmp(noise, "1e-6") == 0 && atoi(field(line, 7, buf, sizeof buf)) >= 3)
            ck_assert_msg(strtod(field(line, 8, buf, sizeof buf), NULL) > 0, "rate: %.80s", line);
        if (perturbed && strcmp(noise, "0") == 0) {
            ck_assert_str_eq(field(line, 12, buf, sizeof buf), "0"); /* final sigma ratio */
            ck_assert_str_eq(field(line, 16, buf, sizeof buf), "never");
        }
    }
    ck_assert_int_eq(grows, 6);
    ck_assert_ptr_nonnull(strstr(g, "ns,default,,default,"));
    ck_assert_ptr_nonnull(strstr(g, "hs,perturbed,1e-6,const:0.1+normal:1e-6,"));
    free(g);
    char *md = read_in_dir("sw/README.md");
    ck_assert_has(md, "compare-inits.sh --sweep");
    ck_assert_has(md, "| ns | const + normal:1e-6 |");
    ck_assert_has(md, "| hs | default (random) |");
    /* a plot, or the reason there is none */
    char *png = tu_path(dir, "sw/symmetry.png");
    if (access(png, F_OK) != 0)
        ck_assert_has(md, "No plot was drawn: ");
    free(png);
    free(md);
}
END_TEST

START_TEST(sweep_usage_errors)
{
    static const char *bad[][2] = {
        {"--sweep --noise -1", "--noise"},
        {"--sweep --noise 1e-6,abc", "--noise"},
        {"--sweep --every 0", "--every"},
        {"--sweep --evals x", "--evals"},
        {"--sweep --noise", "needs a value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char args[512];
        snprintf(args, sizeof args, "'%s' %s", corpus, bad[i][0]);
        int rc = run_script(args);
        char *err = read_in_dir("err.txt");
        ck_assert_msg(rc == 2, "'%s': exit %d", bad[i][0], rc);
        ck_assert_has(err, bad[i][1]);
        free(err);
    }
}
END_TEST

Suite *symmetry_cli_suite(void)
{
    Suite *s = suite_create("symmetry_cli");
    TCase *train = tcase_create("train");
    tcase_add_checked_fixture(train, setup, teardown);
    tcase_set_timeout(train, 60);
    tcase_add_test(train, train_saves_the_perturbation);
    tcase_add_test(train, train_refuses_bad_perturbations);
    tcase_add_test(train, resume_checks_the_perturbation);
    suite_add_tcase(s, train);
    TCase *dims = tcase_create("dims");
    tcase_add_checked_fixture(dims, setup, teardown);
    tcase_set_timeout(dims, 60);
    tcase_add_test(dims, dims_reports_the_measures);
    tcase_add_test(dims, log_json_follows_the_growth);
    suite_add_tcase(s, dims);
    TCase *sweep = tcase_create("sweep");
    tcase_add_checked_fixture(sweep, setup, teardown);
    tcase_set_timeout(sweep, 120);
    tcase_add_test(sweep, sweep_writes_the_growth_curves);
    tcase_add_test(sweep, sweep_usage_errors);
    suite_add_tcase(s, sweep);
    return s;
}
