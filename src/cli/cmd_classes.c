/*
 * cmd_classes.c — `theta classes`: k-means clusters of the vectors, as
 * word2vec's -classes writes them ('word class' lines in file order).
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void help_classes(FILE *out)
{
    fprintf(out,
"usage: theta classes FILE -k K [options]\n"
"\n"
"Clusters the vectors with spherical k-means, as word2vec's -classes does (a\n"
"class centroid is the normalized sum of its vectors; a word joins the centroid\n"
"of highest cosine), seeded with k-means++ from --seed, and prints one\n"
"'word class' line per row in file order (classes 0..K-1). Sort by class with\n"
"'sort -k2,2n'.\n"
"\n"
"  -k, --classes K      number of classes (required)\n"
"      --iter N         at most N assignment rounds (default 10, as word2vec;\n"
"                       stops earlier when no word moves)\n"
"      --seed S         random seed of the k-means++ start (default 1)\n"
"      --restrict N     cluster only the first N rows (default: all)\n"
"  -t, --threads N      threads (default: online CPUs); the result does not\n"
"                       depend on it\n"
"      --matrix in|out  which matrix of a model (default in)\n"
"  -h, --help           this text\n"
"\n"
"example (vectors from 'theta train' on the 20M-word benchmark corpus):\n"
"  $ theta classes vec.bin -k 500 --restrict 30000 > classes.txt\n"
"  theta classes: 30000 rows into 500 classes in 10 rounds\n"
"  $ grep -w march classes.txt\n"
"  march 55\n"
"  $ awk '$2 == 55 { print $1 }' classes.txt | head -6 | tr '\\n' ' '\n"
"  month week march june july september\n");
}

int cmd_classes(int argc, char **argv)
{
    enum { OPT_ITER = 256, OPT_SEED, OPT_RESTRICT, OPT_MATRIX };
    static const struct option opts[] = {
        {"classes", required_argument, NULL, 'k'},
        {"iter", required_argument, NULL, OPT_ITER},
        {"seed", required_argument, NULL, OPT_SEED},
        {"restrict", required_argument, NULL, OPT_RESTRICT},
        {"threads", required_argument, NULL, 't'},
        {"matrix", required_argument, NULL, OPT_MATRIX},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long long k = 0, iters = 10, seed = 1, limit = 0, threads = cli_default_threads();
    int which = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (cli_parse_int(optarg, 1, 1000000, &k))
                return cli_usage_error("classes", "-k must be an integer in 1..1000000, not '%s'",
                                       optarg);
            break;
        case OPT_ITER:
            if (cli_parse_int(optarg, 1, 100000, &iters))
                return cli_usage_error("classes", "--iter must be in 1..100000, not '%s'", optarg);
            break;
        case OPT_SEED:
            if (cli_parse_int(optarg, 0, INT64_MAX, &seed))
                return cli_usage_error("classes", "--seed must be a non-negative integer, not '%s'",
                                       optarg);
            break;
        case OPT_RESTRICT:
            if (cli_parse_int(optarg, 0, INT64_MAX, &limit))
                return cli_usage_error("classes",
                                       "--restrict must be a non-negative integer, not '%s'", optarg);
            break;
        case 't':
            if (cli_parse_int(optarg, 1, 512, &threads))
                return cli_usage_error("classes", "--threads must be in 1..512, not '%s'", optarg);
            break;
        case OPT_MATRIX:
            if ((which = cli_parse_matrix(optarg)) < 0)
                return cli_usage_error("classes", "--matrix must be 'in' or 'out', not '%s'",
                                       optarg);
            break;
        case 'h':
            help_classes(stdout);
            return 0;
        default:
            return cli_option_error("classes", c, argv);
        }
    }
    if (optind != argc - 1)
        return optind >= argc ? cli_usage_error("classes", "missing FILE")
                              : cli_usage_error("classes", "one FILE expected, got '%s' too",
                                                argv[optind + 1]);
    if (k == 0)
        return cli_usage_error("classes", "missing -k K (the number of classes)");
    const char *path = argv[optind];
    cli_vectors v;
    if (cli_load_vectors("classes", path, which, &v))
        return 1;
    int64_t rows = limit > 0 && limit < v.rows ? limit : v.rows;
    int rc = 0;
    if (k > rows) {
        rc = cli_error("classes", "-k %lld is more than the %lld vectors", k, (long long)rows);
        cli_vectors_free(&v);
        return rc;
    }
    int32_t *assign = malloc(sizeof *assign * (size_t)rows);
    int done = 0;
    if (!assign) {
        rc = cli_error("classes", "out of memory");
    } else if (theta_kmeans_cluster(v.data, rows, v.dim, (int)k, (int)iters, (uint64_t)seed,
                                    (int)threads, assign, &done)) {
        rc = cli_error("classes", "%s: %s", path, theta_last_error());
    } else {
        for (int64_t r = 0; r < rows; r++)
            printf("%s %d\n", v.words[r], assign[r]);
        if (fflush(stdout) != 0)
            rc = cli_error("classes", "writing the output failed");
        fprintf(stderr, "theta classes: %lld rows into %lld classes in %d rounds\n",
                (long long)rows, k, done);
    }
    free(assign);
    cli_vectors_free(&v);
    return rc;
}
