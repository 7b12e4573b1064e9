/*
 * cmd_eval.c — `theta eval`: analogy accuracy (word2vec's compute-accuracy,
 * gensim's evaluate_word_analogies) and word-pair similarity correlations
 * (gensim's evaluate_word_pairs) of a model or vector file, as a table or
 * as JSON. The definitions are gensim 4's; see theta.h and the help text.
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void help_eval(FILE *out)
{
    fprintf(out,
"usage: theta eval FILE [--analogies F]... [--pairs F]... [options]\n"
"\n"
"Analogies (questions-words format: ': section' lines, then 'a b c d' lines):\n"
"accuracy per section and overall. A question counts when its four words are\n"
"among the first --restrict rows of FILE (case-folded: each word stands for the\n"
"first row whose upper-cased form matches); the answer is the best row of those\n"
"by 3CosAdd, leaving out a, b, c and their case variants. Questions with a word\n"
"outside are skipped, and reported. Same definitions as gensim 4's\n"
"evaluate_word_analogies(restrict_vocab=N) and word2vec's compute-accuracy.\n"
"\n"
"Word pairs ('w1 w2 score' lines, tab- or space-separated, '#' comments):\n"
"Spearman's rho (ties ranked by their average) and Pearson's r between the\n"
"scores and the cosines, and the share of pairs with a word outside the first\n"
"--restrict rows (left out), as gensim's evaluate_word_pairs.\n"
"\n"
"  -a, --analogies F    analogy questions (repeatable)\n"
"  -p, --pairs F        word pairs with similarity scores (repeatable)\n"
"  -r, --restrict N     vocabulary: the first N rows of FILE (default 30000;\n"
"                       0 = all rows)\n"
"      --method 3cosadd|3cosmul  analogy objective (default 3cosadd)\n"
"  -t, --threads N      threads for the analogy search (default: online CPUs)\n"
"      --json           one JSON object on stdout instead of the table: keys\n"
"                       analogy_accuracy (0-1), analogy_correct, analogy_seen,\n"
"                       analogy_total, sections [{file, name, correct, seen,\n"
"                       total}], pairs [{file, spearman, pearson, oov_ratio\n"
"                       (0-1), pairs, oov}], plus file, format, rows, dim,\n"
"                       restrict, method, seconds\n"
"      --matrix in|out  which matrix of a model (default in)\n"
"  -h, --help           this text\n"
"\n"
"example (vectors from 'theta train' on the 20M-word benchmark corpus; gensim's\n"
"evaluators give the same figures):\n"
"  $ theta eval vec.bin --analogies questions-words.txt --pairs wordsim353.tsv\n"
"  analogies questions-words.txt (3cosadd, first 30000 rows, case-folded)\n"
"    capital-common-countries           27 /   272    9.93%%\n"
"    ...\n"
"    gram9-plural-verbs                421 /   812   51.85%%\n"
"    total                            3946 / 10923   36.13%%\n"
"    questions: 19544, seen 10923, skipped 8621 (a word outside the vocabulary)\n"
"  pairs wordsim353.tsv: spearman 0.6610  pearson 0.6421  (337 pairs; 16 out of\n"
"  vocabulary, 4.53%%)\n");
}

typedef struct {
    const char *path;
    theta_eval_questions *q;
    theta_eval_analogy_result r;
} analogy_run;

typedef struct {
    const char *path;
    theta_eval_pairs_result r;
    int64_t skipped_lines;
} pairs_run;

static double share(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : 0;
}

static void print_table(const analogy_run *an, int nan, const pairs_run *pr, int npr,
                        long long limit, const char *method)
{
    for (int f = 0; f < nan; f++) {
        const theta_eval_questions *q = an[f].q;
        const theta_eval_analogy_result *r = &an[f].r;
        if (limit > 0)
            printf("analogies %s (%s, first %lld rows, case-folded)\n", an[f].path, method, limit);
        else
            printf("analogies %s (%s, all rows, case-folded)\n", an[f].path, method);
        for (int64_t s = 0; s < r->nsections; s++)
            printf("  %-30s %6lld / %5lld  %6.2f%%\n", q->sections[s].name,
                   (long long)r->sections[s].correct, (long long)r->sections[s].seen,
                   100 * share(r->sections[s].correct, r->sections[s].seen));
        printf("  %-30s %6lld / %5lld  %6.2f%%\n", "total", (long long)r->overall.correct,
               (long long)r->overall.seen, 100 * share(r->overall.correct, r->overall.seen));
        printf("  questions: %lld, seen %lld, skipped %lld (a word outside the vocabulary)",
               (long long)r->overall.total, (long long)r->overall.seen,
               (long long)(r->overall.total - r->overall.seen));
        if (q->skipped_lines)
            printf("; %lld malformed lines ignored", (long long)q->skipped_lines);
        putchar('\n');
    }
    if (nan > 1) {
        int64_t c = 0, s = 0, t = 0;
        for (int f = 0; f < nan; f++) {
            c += an[f].r.overall.correct;
            s += an[f].r.overall.seen;
            t += an[f].r.overall.total;
        }
        printf("analogies, all files: %lld / %lld  %.2f%% (%lld questions)\n", (long long)c,
               (long long)s, 100 * share(c, s), (long long)t);
    }
    for (int f = 0; f < npr; f++) {
        const theta_eval_pairs_result *r = &pr[f].r;
        printf("pairs %s: spearman %.4f  pearson %.4f  (%lld pairs; %lld out of vocabulary, %.2f%%",
               pr[f].path, r->spearman, r->pearson, (long long)r->used, (long long)r->oov,
               100 * r->oov_ratio);
        if (pr[f].skipped_lines)
            printf("; %lld malformed lines ignored", (long long)pr[f].skipped_lines);
        printf(")\n");
    }
}

static void print_json(const cli_vectors *v, const char *file, const analogy_run *an, int nan,
                       const pairs_run *pr, int npr, long long limit, const char *method,
                       double seconds)
{
    int64_t c = 0, s = 0, t = 0;
    for (int f = 0; f < nan; f++) {
        c += an[f].r.overall.correct;
        s += an[f].r.overall.seen;
        t += an[f].r.overall.total;
    }
    printf("{\"file\": ");
    cli_json_string(stdout, file);
    printf(", \"format\": ");
    cli_json_string(stdout, v->format);
    printf(", \"rows\": %lld, \"dim\": %d, \"restrict\": %lld, \"method\": \"%s\",\n",
           (long long)v->rows, v->dim, limit, method);
    printf(" \"analogy_accuracy\": ");
    cli_json_number(stdout, s > 0 ? (double)c / (double)s : NAN, 10);
    printf(", \"analogy_correct\": %lld, \"analogy_seen\": %lld, \"analogy_total\": %lld,\n",
           (long long)c, (long long)s, (long long)t);
    printf(" \"sections\": [");
    int first = 1;
    for (int f = 0; f < nan; f++) {
        for (int64_t i = 0; i < an[f].r.nsections; i++) {
            const theta_eval_score *sc = &an[f].r.sections[i];
            printf("%s\n  {\"file\": ", first ? "" : ",");
            cli_json_string(stdout, an[f].path);
            printf(", \"name\": ");
            cli_json_string(stdout, an[f].q->sections[i].name);
            printf(", \"correct\": %lld, \"seen\": %lld, \"total\": %lld}", (long long)sc->correct,
                   (long long)sc->seen, (long long)sc->total);
            first = 0;
        }
    }
    printf("],\n \"pairs\": [");
    for (int f = 0; f < npr; f++) {
        const theta_eval_pairs_result *r = &pr[f].r;
        printf("%s\n  {\"file\": ", f ? "," : "");
        cli_json_string(stdout, pr[f].path);
        printf(", \"spearman\": ");
        cli_json_number(stdout, r->spearman, 10);
        printf(", \"pearson\": ");
        cli_json_number(stdout, r->pearson, 10);
        printf(", \"oov_ratio\": ");
        cli_json_number(stdout, r->oov_ratio, 10);
        printf(", \"pairs\": %lld, \"oov\": %lld}", (long long)r->used, (long long)r->oov);
    }
    printf("],\n \"seconds\": %.3f}\n", seconds);
}

/* One `theta eval`: its options, test files, vectors and results. */
typedef struct {
    long long limit, threads;
    int which, json, nan, npr;
    theta_analogy_method method;
    analogy_run *an;         /* [nan] */
    pairs_run *pr;           /* [npr] */
    theta_eval_pairs **pairs;/* [npr] */
    const char *path;        /* the vectors */
    cli_vectors v;
    theta_eval_index *ix;
    double seconds;
} eval_run;

/* Reads the options into e; 0, -1 after --help, or a usage error's status. */
static int parse_eval_args(int argc, char **argv, eval_run *e)
{
    enum { OPT_METHOD = 256, OPT_JSON, OPT_MATRIX };
    static const struct option opts[] = {
        {"analogies", required_argument, NULL, 'a'},
        {"pairs", required_argument, NULL, 'p'},
        {"restrict", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'},
        {"method", required_argument, NULL, OPT_METHOD},
        {"json", no_argument, NULL, OPT_JSON},
        {"matrix", required_argument, NULL, OPT_MATRIX},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int rc = 0, c;
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, ":a:p:r:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': e->an[e->nan++].path = optarg; break;
        case 'p': e->pr[e->npr++].path = optarg; break;
        case 'r':
            if (cli_parse_int(optarg, 0, INT64_MAX, &e->limit))
                rc = cli_usage_error("eval", "--restrict must be a non-negative integer, not '%s'",
                                     optarg);
            break;
        case 't':
            if (cli_parse_int(optarg, 1, 512, &e->threads))
                rc = cli_usage_error("eval", "--threads must be in 1..512, not '%s'", optarg);
            break;
        case OPT_METHOD:
            if (cli_parse_method(optarg, &e->method))
                rc = cli_usage_error("eval", "--method must be 3cosadd or 3cosmul, not '%s'",
                                     optarg);
            break;
        case OPT_JSON: e->json = 1; break;
        case OPT_MATRIX:
            if ((e->which = cli_parse_matrix(optarg)) < 0)
                rc = cli_usage_error("eval", "--matrix must be 'in' or 'out', not '%s'", optarg);
            break;
        case 'h': help_eval(stdout); return -1;
        default: rc = cli_option_error("eval", c, argv);
        }
    }
    if (rc == 0 && optind != argc - 1)
        rc = optind >= argc ? cli_usage_error("eval", "missing FILE")
                            : cli_usage_error("eval", "one FILE expected, got '%s' too",
                                              argv[optind + 1]);
    if (rc == 0 && e->nan == 0 && e->npr == 0)
        rc = cli_usage_error("eval", "nothing to evaluate: give --analogies and/or --pairs");
    if (rc == 0)
        e->path = argv[optind];
    return rc;
}

/* The test files first (a typo there should not wait for a large load),
 * then the vectors and their index. */
static int load_eval_inputs(eval_run *e)
{
    for (int f = 0; f < e->nan; f++)
        if (theta_eval_questions_load(e->an[f].path, &e->an[f].q))
            return cli_error("eval", "%s", theta_last_error());
    e->pairs = calloc((size_t)(e->npr ? e->npr : 1), sizeof *e->pairs);
    if (!e->pairs)
        return cli_error("eval", "out of memory");
    for (int f = 0; f < e->npr; f++) {
        if (theta_eval_pairs_load(e->pr[f].path, &e->pairs[f]))
            return cli_error("eval", "%s", theta_last_error());
        e->pr[f].skipped_lines = e->pairs[f]->skipped_lines;
    }
    return cli_load_index("eval", e->path, e->which, &e->v, &e->ix);
}

static int evaluate(eval_run *e)
{
    double t0 = theta_now();
    for (int f = 0; f < e->nan; f++)
        if (theta_eval_analogies(e->ix, e->an[f].q, e->limit, e->method, (int)e->threads,
                                 &e->an[f].r))
            return cli_error("eval", "%s", theta_last_error());
    for (int f = 0; f < e->npr; f++)
        if (theta_eval_pairs_score(e->ix, e->pairs[f], e->limit, &e->pr[f].r))
            return cli_error("eval", "%s", theta_last_error());
    e->seconds = theta_now() - t0;
    return 0;
}

/* The results on stdout (a table or JSON), the summary on stderr. */
static int report_eval(const eval_run *e)
{
    const char *method_name = e->method == THETA_ANALOGY_ADD ? "3cosadd" : "3cosmul";
    int rc = 0;
    for (int f = 0; f < e->npr; f++)
        if (e->pr[f].r.used < 2)
            fprintf(stderr, "theta eval: %s: fewer than two pairs in the vocabulary; no "
                    "correlation\n", e->pr[f].path);
    if (e->json)
        print_json(&e->v, e->path, e->an, e->nan, e->pr, e->npr, e->limit, method_name,
                   e->seconds);
    else
        print_table(e->an, e->nan, e->pr, e->npr, e->limit, method_name);
    if (fflush(stdout) != 0)
        rc = cli_error("eval", "writing the output failed");
    fprintf(stderr, "theta eval: %lld x %d vectors (%s); evaluated in %.2f s on %lld thread%s\n",
            (long long)e->v.rows, e->v.dim, e->v.format, e->seconds, e->threads,
            e->threads == 1 ? "" : "s");
    return rc;
}

static void eval_free(eval_run *e)
{
    for (int f = 0; f < e->nan; f++) {
        theta_eval_questions_free(e->an[f].q);
        theta_eval_analogy_result_free(&e->an[f].r);
    }
    for (int f = 0; f < e->npr && e->pairs; f++)
        theta_eval_pairs_free(e->pairs[f]);
    free(e->pairs);
    theta_eval_index_free(e->ix);
    cli_vectors_free(&e->v);
    free(e->an);
    free(e->pr);
}

int cmd_eval(int argc, char **argv)
{
    eval_run e;
    memset(&e, 0, sizeof e);
    e.limit = 30000;
    e.threads = cli_default_threads();
    e.method = THETA_ANALOGY_ADD;
    e.an = calloc((size_t)argc, sizeof *e.an);
    e.pr = calloc((size_t)argc, sizeof *e.pr);
    int rc = !e.an || !e.pr ? cli_error("eval", "out of memory") : parse_eval_args(argc, argv, &e);
    if (rc == 0 && !(rc = load_eval_inputs(&e)) && !(rc = evaluate(&e)))
        rc = report_eval(&e);
    eval_free(&e);
    return rc < 0 ? 0 : rc;
}
