/*
 * cmd_export.c — `theta export`: writes either matrix of a .theta model,
 * or any vector file theta reads, as word2vec text, word2vec binary or
 * numpy .npy (with the words in a separate file, one per line).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void help_export(FILE *out)
{
    fprintf(out,
"usage: theta export FILE -o OUT [--matrix in|out] [--format txt|bin|npy] [--center]\n"
"\n"
"Writes the input matrix (word vectors) or the output matrix (context vectors\n"
"for ns/softmax; inner tree nodes __node_N for hs) of a .theta model, or\n"
"converts a vector file (word2vec text or binary, fastText .vec, GloVe) into\n"
"another format. Rows keep their order, including </s> of a model.\n"
"\n"
"  -o, --output OUT        the file to write (atomically)\n"
"  -f, --format txt|bin|npy  word2vec text ('V D' header, %%.9g values: float32\n"
"                          round-trips exactly), word2vec binary (float32 LE),\n"
"                          or numpy .npy 1.0 (<f4, C order, shape (V, D)) with\n"
"                          the words, one per line, in --words. Default: from\n"
"                          OUT's extension (.bin, .npy), else txt\n"
"      --words PATH        words file for npy (default: OUT without .npy, plus\n"
"                          .words.txt)\n"
"      --matrix in|out     which matrix of a model (default in)\n"
"      --center            subtract each dimension's mean over the rows first\n"
"                          (better analogies from trained vectors; identical\n"
"                          dimensions stay identical)\n"
"  -h, --help              this text\n"
"\n"
"examples:\n"
"  $ theta export model.theta --matrix out -o context.bin\n"
"  theta export: wrote 66052 x 100 (bin) to context.bin\n"
"  $ theta export vec.bin -o vec.npy\n"
"  theta export: wrote 66052 x 100 (npy) to vec.npy, words to vec.words.txt\n"
"  $ python3 -c \"import numpy; print(numpy.load('vec.npy').shape)\"\n"
"  (66052, 100)\n");
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* One word per line, through a temporary file renamed into place. */
static int write_words(const char *path, const cli_vectors *v)
{
    for (int64_t r = 0; r < v->rows; r++)
        if (strchr(v->words[r], '\n'))
            return cli_error("export", "word %lld holds a newline: it cannot go in a words file",
                             (long long)r);
    size_t n = strlen(path);
    char *tmp = malloc(n + 8);
    if (!tmp)
        return cli_error("export", "out of memory");
    snprintf(tmp, n + 8, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int rc = cli_error("export", "%s: cannot write: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    int bad = 0;
    for (int64_t r = 0; r < v->rows && !bad; r++)
        bad = fputs(v->words[r], f) == EOF || fputc('\n', f) == EOF;
    bad = fclose(f) != 0 || bad;
    if (bad || rename(tmp, path) != 0) {
        int rc = cli_error("export", "%s: write failed: %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return 0;
}

/* --format's value: THETA_VEC_*, or -1 for an unknown name. */
static int parse_format(const char *name)
{
    if (strcmp(name, "txt") == 0 || strcmp(name, "text") == 0)
        return THETA_VEC_TEXT;
    if (strcmp(name, "bin") == 0 || strcmp(name, "binary") == 0)
        return THETA_VEC_BINARY;
    if (strcmp(name, "npy") == 0)
        return THETA_VEC_NPY;
    return -1;
}

/* Centres v if asked, writes it to out (and the words file for npy), and
 * says what it wrote. 0, or 1 after printing the error. */
static int export_vectors(cli_vectors *v, const char *out, theta_vec_format fmt,
                          const char *words_path, int center)
{
    static const char *names[] = {"txt", "bin", "npy"};
    if (center && theta_vectors_center(v->data, v->rows, v->dim))
        return cli_error("export", "%s", theta_last_error());
    if (theta_vectors_write(out, fmt, v->rows, v->dim, v->data, (const char *const *)v->words))
        return cli_error("export", "%s", theta_last_error());
    if (fmt == THETA_VEC_NPY && write_words(words_path, v))
        return 1;
    fprintf(stderr, "theta export: wrote %lld x %d (%s%s) to %s", (long long)v->rows, v->dim,
            names[fmt], center ? ", centred" : "", out);
    if (fmt == THETA_VEC_NPY)
        fprintf(stderr, ", words to %s", words_path);
    fputc('\n', stderr);
    return 0;
}

int cmd_export(int argc, char **argv)
{
    enum { OPT_WORDS = 256, OPT_MATRIX, OPT_CENTER };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"words", required_argument, NULL, OPT_WORDS},
        {"matrix", required_argument, NULL, OPT_MATRIX},
        {"center", no_argument, NULL, OPT_CENTER},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *words_path = NULL;
    int which = 0, fmt = -1, center = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'f':
            if ((fmt = parse_format(optarg)) < 0)
                return cli_usage_error("export", "--format must be txt, bin or npy, not '%s'",
                                       optarg);
            break;
        case OPT_WORDS:
            words_path = optarg;
            break;
        case OPT_MATRIX:
            if ((which = cli_parse_matrix(optarg)) < 0)
                return cli_usage_error("export", "--matrix must be 'in' or 'out', not '%s'",
                                       optarg);
            break;
        case OPT_CENTER:
            center = 1;
            break;
        case 'h':
            help_export(stdout);
            return 0;
        default:
            return cli_option_error("export", c, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("export", "missing FILE");
    if (optind + 1 < argc)
        return cli_usage_error("export", "one FILE expected, got '%s' too", argv[optind + 1]);
    if (!out)
        return cli_usage_error("export", "missing -o OUT");
    const char *path = argv[optind];
    if (fmt < 0)
        fmt = ends_with(out, ".bin") ? THETA_VEC_BINARY
              : ends_with(out, ".npy") ? THETA_VEC_NPY
                                       : THETA_VEC_TEXT;
    if (words_path && fmt != THETA_VEC_NPY)
        return cli_usage_error("export", "--words goes with --format npy only");

    char *default_words = NULL;
    if (fmt == THETA_VEC_NPY && !words_path) {
        size_t n = strlen(out);
        if (ends_with(out, ".npy"))
            n -= 4;
        default_words = malloc(n + 16);
        if (!default_words)
            return cli_error("export", "out of memory");
        snprintf(default_words, n + 16, "%.*s.words.txt", (int)n, out);
        words_path = default_words;
    }
    const cli_file reads[] = {{"the input FILE", path, NULL}};
    const cli_file writes[] = {{"-o", out, NULL}, {default_words ? "the words file" : "--words", words_path, NULL}};
    if (cli_check_paths("export", reads, 1, writes, 2)) {
        free(default_words);
        return 2;
    }
    cli_vectors v;
    if (cli_load_vectors("export", path, which, &v)) {
        free(default_words);
        return 1;
    }
    int rc = export_vectors(&v, out, (theta_vec_format)fmt, words_path, center);
    cli_vectors_free(&v);
    free(default_words);
    return rc;
}
