/*
 * check_compare_inits.c — scripts/compare-inits.sh end to end on a tiny
 * corpus: one results.csv row per grid cell, zero init stuck at its exact
 * starting loss with rank 0, constant init symmetric (one distinct dimension)
 * with one thread, random inits at full rank; the table, seeds, the plots or
 * the reason there are none, and usage errors. The multi-threaded constant
 * case is left unasserted: races may or may not break the symmetry.
 *
 * The corpus: 16 words (15 + </s>) of equal count, each sentence a shuffle of
 * the 15, so the Huffman tree is balanced (every code 4 bits) and a model
 * that never moves has the exact losses 6 ln 2 (ns, 5 negatives), 4 ln 2
 * (hs) and ln 15 (softmax over every word but </s>).
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

#define SCRIPT "scripts/compare-inits.sh"
#define DIM 10
#define NWORDS 15
#define NSENT 300

static char *corpus;

/* the corpus, in tu_dir (the tmpdir fixture runs first) */
static void setup(void)
{
    ck_assert_msg(access(SCRIPT, R_OK) == 0, "%s not found: run the tests from the source tree",
                  SCRIPT);
    corpus = tu_path(tu_dir, "corpus.txt");
    FILE *f = fopen(corpus, "w");
    ck_assert_ptr_nonnull(f);
    static const char *words[NWORDS] = {"red", "green", "blue", "cat", "dog",
                                        "horse", "one", "two", "three", "sea",
                                        "river", "rain", "bread", "wine", "salt"};
    theta_rng rng;
    theta_rng_seed(&rng, 7);
    int order[NWORDS];
    for (int s = 0; s < NSENT; s++) {
        for (int i = 0; i < NWORDS; i++)
            order[i] = i;
        for (int i = NWORDS - 1; i > 0; i--) {
            int j = (int)(theta_rng_next(&rng) % (uint64_t)(i + 1));
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < NWORDS; i++)
            fprintf(f, "%s%s", i ? " " : "", words[order[i]]);
        fputc('\n', f);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static void teardown(void)
{
    free(corpus);
}

/* Runs the script with THETA set; stdout and stderr into tu_dir/out.txt, tu_dir/err.txt. */
static int run_script(const char *env, const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "THETA='%s' %s bash " SCRIPT " --no-install %s >'%s/out.txt' "
             "2>'%s/err.txt'", tu_theta_bin(), env, args, tu_dir, tu_dir);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *read_in_dir(const char *name)
{
    char *p = tu_path(tu_dir, name);
    char *b = tu_read_file(p, NULL);
    free(p);
    return b;
}

/* A CSV file as rows of fields (no quoting: the script writes none). */
typedef struct {
    int rows, cols;
    char ***cell; /* cell[row][col]; row 0 is the header */
} csv;

static csv csv_read(const char *name)
{
    char *text = read_in_dir(name);
    ck_assert_msg(text != NULL, "%s was not written", name);
    csv c = {0, 0, NULL};
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        c.cell = realloc(c.cell, (size_t)(c.rows + 1) * sizeof *c.cell);
        ck_assert_ptr_nonnull(c.cell);
        char **row = NULL;
        int n = 0;
        for (char *p = line;; p++) {
            char *comma = strchr(p, ',');
            row = realloc(row, (size_t)(n + 1) * sizeof *row);
            ck_assert_ptr_nonnull(row);
            row[n++] = strndup(p, comma ? (size_t)(comma - p) : strlen(p));
            if (!comma)
                break;
            p = comma;
        }
        if (c.rows == 0)
            c.cols = n;
        ck_assert_msg(n == c.cols, "%s line %d has %d fields, the header %d", name, c.rows + 1, n,
                      c.cols);
        c.cell[c.rows++] = row;
    }
    free(text);
    ck_assert_int_ge(c.rows, 1);
    return c;
}

static void csv_free(csv *c)
{
    for (int r = 0; r < c->rows; r++) {
        for (int k = 0; k < c->cols; k++)
            free(c->cell[r][k]);
        free(c->cell[r]);
    }
    free(c->cell);
}

static int col(const csv *c, const char *name)
{
    for (int k = 0; k < c->cols; k++)
        if (strcmp(c->cell[0][k], name) == 0)
            return k;
    ck_abort_msg("results.csv has no column %s", name);
    return -1;
}

static const char *get(const csv *c, int row, const char *name)
{
    return c->cell[row][col(c, name)];
}

static double num(const csv *c, int row, const char *name)
{
    const char *s = get(c, row, name);
    char *end;
    double v = strtod(s, &end);
    ck_assert_msg(*s && *end == '\0', "row %d: %s is '%s', not a number", row, name, s);
    return v;
}

static const char *strategies[] = {"w2v", "zero", "const-in", "const-both", "uniform", "normal"};
static const char *losses[] = {"ns", "hs", "softmax"};
#define NSTRAT (int)(sizeof strategies / sizeof strategies[0])
#define NLOSS (int)(sizeof losses / sizeof losses[0])

START_TEST(grid_rows_and_symmetry)
{
    char args[4096];
    snprintf(args, sizeof args, "--epochs 1 --dim %d --threads 1,2 --out '%s/res' '%s'", DIM, tu_dir,
             corpus);
    int rc = run_script("", args);
    char *err = read_in_dir("err.txt");
    ck_assert_msg(rc == 0, "compare-inits.sh exited %d: %s", rc, err);
    csv c = csv_read("res/results.csv");
    ck_assert_int_eq(c.rows - 1, NSTRAT * NLOSS * 2);

    /* every cell exactly once */
    int seen[NSTRAT][NLOSS][2] = {{{0}}};
    for (int r = 1; r < c.rows; r++) {
        int s = -1, l = -1, t = atoi(get(&c, r, "threads"));
        for (int i = 0; i < NSTRAT; i++)
            if (strcmp(get(&c, r, "strategy"), strategies[i]) == 0)
                s = i;
        for (int i = 0; i < NLOSS; i++)
            if (strcmp(get(&c, r, "loss"), losses[i]) == 0)
                l = i;
        ck_assert_msg(s >= 0 && l >= 0 && (t == 1 || t == 2), "row %d: %s %s %d", r,
                      get(&c, r, "strategy"), get(&c, r, "loss"), t);
        seen[s][l][t - 1]++;
        ck_assert_str_eq(get(&c, r, "seed"), "1");
        ck_assert_double_ge(num(&c, r, "seconds"), 0);
    }
    for (int s = 0; s < NSTRAT; s++)
        for (int l = 0; l < NLOSS; l++)
            for (int t = 0; t < 2; t++)
                ck_assert_msg(seen[s][l][t] == 1, "%s %s threads %d: %d rows", strategies[s],
                              losses[l], t + 1, seen[s][l][t]);

    for (int r = 1; r < c.rows; r++) {
        const char *s = get(&c, r, "strategy"), *l = get(&c, r, "loss");
        int threads = atoi(get(&c, r, "threads"));
        /* the exact mean loss of a model whose parameters are all zero (softmax is
         * normalised over the 15 words, </s> is never a target) */
        double stuck = strcmp(l, "ns") == 0 ? 6 * log(2) : strcmp(l, "hs") == 0 ? 4 * log(2)
                                                                                : log(15);
        if (strcmp(s, "zero") == 0) {
            ck_assert_msg(fabs(num(&c, r, "final_loss") - stuck) < 2e-6, "zero %s: loss %s, want %f",
                          l, get(&c, r, "final_loss"), stuck);
            ck_assert_str_eq(get(&c, r, "first_loss"), get(&c, r, "final_loss"));
            ck_assert_int_eq((int)num(&c, r, "rank_in"), 0);
            ck_assert_int_eq((int)num(&c, r, "rank_out"), 0);
            ck_assert_int_eq((int)num(&c, r, "distinct_in"), 1);
            ck_assert_str_eq(get(&c, r, "verdict"), "stuck: all zero");
        } else if (strncmp(s, "const", 5) == 0) {
            if (threads == 1) {
                ck_assert_msg(num(&c, r, "distinct_in") == 1 && num(&c, r, "distinct_out") == 1,
                              "%s %s, 1 thread: %s / %s distinct dims", s, l,
                              get(&c, r, "distinct_in"), get(&c, r, "distinct_out"));
                ck_assert_int_eq((int)num(&c, r, "rank_in"), 1);
                ck_assert_int_eq((int)num(&c, r, "rank_out"), 1);
                ck_assert_str_eq(get(&c, r, "verdict"), "symmetric: 1 distinct dim");
            }
            /* a constant start moves: its loss is not the all-zero one */
            ck_assert_msg(fabs(num(&c, r, "first_loss") - stuck) > 1e-5, "%s %s: loss %s", s, l,
                          get(&c, r, "first_loss"));
        } else {
            ck_assert_msg(num(&c, r, "rank_in") == DIM && num(&c, r, "distinct_in") == DIM,
                          "%s %s threads %d: rank %s, %s distinct dims", s, l, threads,
                          get(&c, r, "rank_in"), get(&c, r, "distinct_in"));
            ck_assert_int_eq((int)num(&c, r, "rank_out"), DIM);
            ck_assert_str_eq(get(&c, r, "verdict"), "full rank");
        }
        /* no evaluation files: empty columns */
        ck_assert_str_eq(get(&c, r, "analogy_accuracy"), "");
        ck_assert_str_eq(get(&c, r, "analogy_seen"), "");
        ck_assert_str_eq(get(&c, r, "spearman"), "");
        ck_assert_str_eq(get(&c, r, "pairs_used"), "");
    }
    csv_free(&c);

    /* one epoch, one snapshot per run (the corpus is a single chunk) */
    csv e = csv_read("res/epochs.csv");
    ck_assert_int_eq(e.rows - 1, NSTRAT * NLOSS * 2);
    csv_free(&e);

    /* the table: a header, a rule, one line per cell */
    char *out = read_in_dir("out.txt"), *table = read_in_dir("res/table.md");
    ck_assert_str_eq(out, table);
    int lines = 0;
    for (char *p = out; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    ck_assert_int_eq(lines, 2 + NSTRAT * NLOSS * 2);
    ck_assert_ptr_nonnull(strstr(out, "| ns | zero | zero / zero | 1 | 4.1589 → 4.1589 | 1 / 1 | "
                                      "0 / 0 |"));
    ck_assert_ptr_nonnull(strstr(out, "| hs | const-in | const:0.1 / zero | 1 |"));
    char *readme = read_in_dir("res/README.md");
    ck_assert_ptr_nonnull(strstr(readme, "--epochs 1 --dim 10 --threads 1,2"));
    ck_assert_ptr_nonnull(strstr(readme, table));

    /* plots when gnuplot is here, else the reason */
    char *png = tu_path(tu_dir, "res/loss.png");
    if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
        for (int i = 0; i < 2; i++) {
            char *p = read_in_dir(i ? "res/dims.png" : "res/loss.png");
            ck_assert_msg(p && memcmp(p, "\x89PNG", 4) == 0, "plot %d is not a PNG", i);
            free(p);
        }
    } else {
        ck_assert_int_ne(access(png, F_OK), 0);
        ck_assert_ptr_nonnull(strstr(err, "no plot drawn: gnuplot"));
    }
    free(png); free(readme); free(table); free(out); free(err);
}
END_TEST

START_TEST(seeds_and_no_gnuplot)
{
    char args[4096];
    snprintf(args, sizeof args, "--epochs 1 --dim %d --seeds 2 --threads 1 --losses ns "
             "--strategies w2v,zero --out '%s/res' '%s'", DIM, tu_dir, corpus);
    int rc = run_script("GNUPLOT=/nonexistent/gnuplot", args);
    char *err = read_in_dir("err.txt");
    ck_assert_msg(rc == 0, "compare-inits.sh exited %d: %s", rc, err);
    ck_assert_ptr_nonnull(strstr(err, "no plot drawn: gnuplot (/nonexistent/gnuplot) is not installed"));
    char *png = tu_path(tu_dir, "res/loss.png");
    ck_assert_int_ne(access(png, F_OK), 0);
    csv c = csv_read("res/results.csv");
    ck_assert_int_eq(c.rows - 1, 4);
    int seeds[3] = {0};
    for (int r = 1; r < c.rows; r++) {
        int s = atoi(get(&c, r, "seed"));
        ck_assert(s == 1 || s == 2);
        seeds[s]++;
    }
    ck_assert_int_eq(seeds[1], 2);
    ck_assert_int_eq(seeds[2], 2);
    csv_free(&c);
    /* mean +- sd over the two seeds; zero init has sd 0 */
    char *out = read_in_dir("out.txt");
    ck_assert_ptr_nonnull(strstr(out, "| ns | zero | zero / zero | 1 | 4.1589 ± 0.0000 → 4.1589 ± "
                                      "0.0000 |"));
    ck_assert_ptr_nonnull(strstr(out, "| ns | w2v | w2v / w2v | 1 |"));
    char *readme = read_in_dir("res/README.md");
    ck_assert_ptr_nonnull(strstr(readme, "No plot was drawn"));
    free(readme); free(out); free(png); free(err);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
    /* each: arguments, and what the message must contain */
    static const char *bad[][2] = {
        {"--epochs 0", "--epochs"},         {"--dim x", "--dim"},
        {"--losses ns,foo", "'foo'"},       {"--strategies bogus", "'bogus'"},
        {"--threads 0", "--threads"},       {"--bogus", "unknown option --bogus"},
        {"--seeds", "--seeds needs a value"}, {"a.txt b.txt", "one corpus only"},
        {"--uniform -1", "--uniform"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = run_script("", bad[i][0]);
        ck_assert_msg(rc == 2, "'%s' exited %d", bad[i][0], rc);
        char *err = read_in_dir("err.txt");
        ck_assert_msg(strncmp(err, "compare-inits.sh: ", 18) == 0 && strstr(err, bad[i][1]),
                      "'%s': %s", bad[i][0], err);
        free(err);
    }
    char args[4096];
    snprintf(args, sizeof args, "--out '%s/res' '%s/missing.txt'", tu_dir, tu_dir);
    ck_assert_int_eq(run_script("", args), 1);
    char *err = read_in_dir("err.txt");
    ck_assert_ptr_nonnull(strstr(err, "missing.txt"));
    free(err);
}
END_TEST

Suite *compare_inits_suite(void)
{
    Suite *s = suite_create("compare_inits");
    TCase *tc = tcase_create("script");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, grid_rows_and_symmetry);
    tcase_add_test(tc, seeds_and_no_gnuplot);
    tcase_add_test(tc, usage_errors_exit_2);
    suite_add_tcase(s, tc);
    return s;
}
