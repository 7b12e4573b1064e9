/*
 * cmd_analogy.c — `theta analogy`: a is to b as c is to ?, like word2vec's
 * word-analogy and fastText's analogies: 3CosAdd (the words nearest to
 * b - a + c over unit vectors) or 3CosMul (Levy & Goldberg, as gensim's
 * most_similar_cosmul). The three query words are left out of the answer.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void help_analogy(FILE *out)
{
    fprintf(out,
"usage: theta analogy FILE [A B C] [options]\n"
"\n"
"A is to B as C is to ?  Prints the best answers, one 'word<TAB>score' line each,\n"
"best first, leaving out A, B and C. Without A B C, reads 'A B C' lines from\n"
"standard input and prints an empty line after each answer; a line that is not\n"
"three known words is reported on stderr and the next follows (exit status 1).\n"
"\n"
"FILE is a .theta model or a vector file (word2vec text or binary, fastText\n"
".vec, GloVe; detected from the content). Words match exactly (case-sensitive).\n"
"\n"
"  -k, --top N                 answers to print (default 10)\n"
"      --method 3cosadd|3cosmul  3CosAdd: cosine with B - A + C of unit vectors\n"
"                              (word2vec, gensim most_similar; default);\n"
"                              3CosMul: s(x,B) s(x,C) / (s(x,A) + 1e-6) with\n"
"                              s = (1 + cos) / 2 (gensim most_similar_cosmul)\n"
"      --restrict N            search only the first N rows (default: all)\n"
"      --matrix in|out         which matrix of a model (default in)\n"
"  -h, --help                  this text\n"
"\n"
"examples (vectors from 'theta train' on the 20M-word benchmark corpus):\n"
"  $ theta analogy vec.bin man king woman -k 3\n"
"  queen\t0.737835\n"
"  daughter\t0.692504\n"
"  esther\t0.668984\n"
"  $ echo 'france paris germany' | theta analogy vec.bin -k 1 --method 3cosmul\n"
"  berlin\t0.897508\n"
"  \n");
}

int cli_parse_method(const char *s, theta_analogy_method *out)
{
    if (strcmp(s, "3cosadd") == 0 || strcmp(s, "add") == 0)
        *out = THETA_ANALOGY_ADD;
    else if (strcmp(s, "3cosmul") == 0 || strcmp(s, "mul") == 0)
        *out = THETA_ANALOGY_MUL;
    else
        return -1;
    return 0;
}

typedef struct {
    const theta_eval_index *ix;
    theta_analogy_method method;
    int k;
    int64_t limit;
    theta_eval_hit *hits;
} analogy_ctx;

static int answer(const analogy_ctx *c, char **w)
{
    int64_t r[3];
    for (int i = 0; i < 3; i++) {
        r[i] = theta_eval_find(c->ix, w[i]);
        if (r[i] < 0) {
            fprintf(stderr, "theta analogy: '%s' is not in the vocabulary\n", w[i]);
            return 1;
        }
    }
    int nh = 0;
    if (theta_eval_analogy(c->ix, r[0], r[1], r[2], c->method, c->limit, c->k, c->hits, &nh)) {
        fprintf(stderr, "theta analogy: %s\n", theta_last_error());
        return 1;
    }
    for (int i = 0; i < nh; i++)
        printf("%s\t%.6f\n", theta_eval_index_word(c->ix, c->hits[i].row), c->hits[i].score);
    return 0;
}

int cmd_analogy(int argc, char **argv)
{
    enum { OPT_METHOD = CLI_OPT_FIRST_FREE };
    static const struct option opts[] = {
        {"top", required_argument, NULL, 'k'},
        {"restrict", required_argument, NULL, CLI_OPT_RESTRICT},
        {"matrix", required_argument, NULL, CLI_OPT_MATRIX},
        {"method", required_argument, NULL, OPT_METHOD},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long long k = 10, limit = 0;
    int which = 0, c;
    theta_analogy_method method = THETA_ANALOGY_ADD;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:h", opts, NULL)) != -1) {
        int r = cli_search_option("analogy", c, &k, &limit, &which);
        if (r == 1)
            continue;
        if (r)
            return r;
        switch (c) {
        case OPT_METHOD:
            if (cli_parse_method(optarg, &method))
                return cli_usage_error("analogy", "--method must be 3cosadd or 3cosmul, not '%s'",
                                       optarg);
            break;
        case 'h':
            help_analogy(stdout);
            return 0;
        default:
            return cli_option_error("analogy", c, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("analogy", "missing FILE");
    const char *path = argv[optind];
    char **words = argv + optind + 1;
    int nwords = argc - optind - 1;
    if (nwords != 0 && nwords != 3)
        return cli_usage_error("analogy", "expected three words A B C (or none, to read stdin), "
                               "got %d", nwords);

    cli_vectors v;
    theta_eval_index *ix = NULL;
    analogy_ctx ctx = {.method = method, .k = (int)k, .limit = limit};
    int rc = cli_load_index("analogy", path, which, &v, &ix);
    if (rc)
        return rc;
    ctx.ix = ix;
    if (!(ctx.hits = malloc(sizeof *ctx.hits * (size_t)k))) {
        rc = cli_error("analogy", "out of memory");
        goto done;
    }
    if (nwords == 3) {
        rc = answer(&ctx, words);
        goto done;
    }
    int tty = isatty(STDIN_FILENO);
    char *line = NULL;
    size_t cap = 0;
    long long lineno = 0;
    for (;;) {
        if (tty)
            fputs("a b c> ", stderr);
        if (getline(&line, &cap, stdin) < 0)
            break;
        lineno++;
        char *tok[3];
        int n = cli_split_words(line, tok, 3);
        if (n == 0)
            continue;
        if (n != 3) {
            fprintf(stderr, "theta analogy: stdin:%lld: expected three words\n", lineno);
            rc = 1;
            continue;
        }
        if (answer(&ctx, tok))
            rc = 1;
        else
            putchar('\n');
        fflush(stdout);
    }
    if (tty)
        fputc('\n', stderr);
    free(line);
done:
    if (fflush(stdout) != 0 && !rc)
        rc = cli_error("analogy", "writing the output failed");
    free(ctx.hits);
    theta_eval_index_free(ix);
    cli_vectors_free(&v);
    return rc;
}
