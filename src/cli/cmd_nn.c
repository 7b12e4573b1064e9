/*
 * cmd_nn.c — `theta nn`: the nearest words by cosine similarity, like
 * word2vec's distance and fastText's nn. A query of several words searches
 * with the normalized sum of their unit vectors (word2vec's rule) and
 * leaves the query words out of the answer. Without words on the command
 * line, reads one query per line from standard input.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_QUERY_WORDS 1000

void help_nn(FILE *out)
{
    fprintf(out,
"usage: theta nn FILE [WORD...] [options]\n"
"\n"
"Prints the words nearest to the query by cosine similarity, one 'word<TAB>score'\n"
"line each, best first; the query words themselves are left out. Several words\n"
"form one query: the normalized sum of their unit vectors (as word2vec's\n"
"distance does). Without WORDs, reads one query per line from standard input\n"
"and prints an empty line after each answer; an unknown word is reported on\n"
"stderr and the next query follows (the exit status is then 1).\n"
"\n"
"FILE is a .theta model or a vector file (word2vec text or binary, fastText\n"
".vec, GloVe; detected from the content). Words match exactly (case-sensitive).\n"
"\n"
"  -k, --top N          neighbours to print (default 10)\n"
"      --restrict N     search only the first N rows of the file (default: all)\n"
"      --matrix in|out  which matrix of a model (default in)\n"
"  -h, --help           this text\n"
"\n"
"examples (vectors from 'theta train' on the 20M-word benchmark corpus):\n"
"  $ theta nn vec.bin paris france -k 3\n"
"  italy\t0.846595\n"
"  germany\t0.831812\n"
"  naples\t0.815319\n"
"  $ echo king | theta nn vec.bin -k 2\n"
"  ahasuerus\t0.830910\n"
"  zedekiah\t0.817622\n"
"  \n");
}

typedef struct {
    const theta_eval_index *ix;
    int k;
    int64_t limit;
    theta_eval_hit *hits;
    float *query;
    int64_t *rows;
} nn_ctx;

/* Answers one query; 0 ok, 1 if a word is unknown or the query is empty. */
static int answer(nn_ctx *c, char **words, int n)
{
    if (n == 0)
        return 0;
    for (int i = 0; i < n; i++) {
        c->rows[i] = theta_eval_find(c->ix, words[i]);
        if (c->rows[i] < 0) {
            fprintf(stderr, "theta nn: '%s' is not in the vocabulary\n", words[i]);
            return 1;
        }
    }
    theta_eval_query_sum(c->ix, c->rows, n, c->query);
    int nh = 0;
    if (theta_eval_nearest(c->ix, c->query, c->limit, c->rows, n, c->k, c->hits, &nh)) {
        fprintf(stderr, "theta nn: %s\n", theta_last_error());
        return 1;
    }
    for (int i = 0; i < nh; i++)
        printf("%s\t%.6f\n", theta_eval_index_word(c->ix, c->hits[i].row), c->hits[i].score);
    return 0;
}

int cmd_nn(int argc, char **argv)
{
    static const struct option opts[] = {
        {"top", required_argument, NULL, 'k'},
        {"restrict", required_argument, NULL, CLI_OPT_RESTRICT},
        {"matrix", required_argument, NULL, CLI_OPT_MATRIX},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long long k = 10, limit = 0;
    int which = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:h", opts, NULL)) != -1) {
        int r = cli_search_option("nn", c, &k, &limit, &which);
        if (r == 1)
            continue;
        if (r)
            return r;
        switch (c) {
        case 'h':
            help_nn(stdout);
            return 0;
        default:
            return cli_option_error("nn", c, argv);
        }
    }
    /* getopt_long permutes: options may follow the words; '--' ends them */
    if (optind >= argc)
        return cli_usage_error("nn", "missing FILE");
    const char *path = argv[optind];
    char **words = argv + optind + 1;
    int nwords = argc - optind - 1;

    cli_vectors v;
    theta_eval_index *ix = NULL;
    nn_ctx ctx = {0};
    int rc = cli_load_index("nn", path, which, &v, &ix);
    if (rc)
        return rc;
    ctx.ix = ix;
    ctx.k = (int)k;
    ctx.limit = limit;
    ctx.hits = malloc(sizeof *ctx.hits * (size_t)k);
    ctx.query = malloc(sizeof *ctx.query * (size_t)v.dim);
    ctx.rows = malloc(sizeof *ctx.rows * (size_t)(nwords > MAX_QUERY_WORDS ? nwords : MAX_QUERY_WORDS));
    if (!ctx.hits || !ctx.query || !ctx.rows) {
        rc = cli_error("nn", "out of memory");
        goto done;
    }
    if (nwords > 0) {
        rc = answer(&ctx, words, nwords);
        goto done;
    }
    int tty = isatty(STDIN_FILENO);
    char *line = NULL;
    size_t cap = 0;
    char *tok[MAX_QUERY_WORDS];
    for (;;) {
        if (tty)
            fputs("query> ", stderr);
        if (getline(&line, &cap, stdin) < 0)
            break;
        int n = cli_split_words(line, tok, MAX_QUERY_WORDS);
        if (n > MAX_QUERY_WORDS) {
            fprintf(stderr, "theta nn: a query of more than %d words\n", MAX_QUERY_WORDS);
            rc = 1;
            continue;
        }
        if (n == 0)
            continue;
        if (answer(&ctx, tok, n))
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
        rc = cli_error("nn", "writing the output failed");
    free(ctx.hits);
    free(ctx.query);
    free(ctx.rows);
    theta_eval_index_free(ix);
    cli_vectors_free(&v);
    return rc;
}
