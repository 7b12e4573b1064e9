/*
 * load.c — what every analysis command reads: a .theta model's input or
 * output matrix, or a word-vector file (word2vec text/binary, fastText
 * .vec, GloVe; the kind is found from the content). Also the small output
 * helpers the commands share (JSON strings and numbers).
 */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cli_parse_matrix(const char *s)
{
    if (strcmp(s, "in") == 0 || strcmp(s, "input") == 0)
        return 0;
    if (strcmp(s, "out") == 0 || strcmp(s, "output") == 0)
        return 1;
    return -1;
}

static int load_model(const char *cmd, const char *path, int which, cli_vectors *v)
{
    theta_model *m;
    if (theta_model_load(path, &m))
        return cli_error(cmd, "%s", theta_last_error());
    v->model = m;
    v->dim = m->cfg.dim;
    v->rows = which ? m->out_rows : m->vocab->size;
    v->data = which ? m->out : m->in;
    snprintf(v->format, sizeof v->format, "theta-model");
    if (theta_model_row_names(m, which, &v->words))
        return cli_error(cmd, "%s", theta_last_error());
    return 0;
}

int cli_load_vectors(const char *cmd, const char *path, int which, cli_vectors *out)
{
    cli_vectors v;
    memset(&v, 0, sizeof v);
    int rc;
    theta_model_header head;
    theta_status peek = theta_model_peek(path, &head); /* THETA_EIO: cannot open */
    if (!peek) {
        rc = load_model(cmd, path, which, &v);
    } else if (which) {
        rc = peek == THETA_EIO
                 ? cli_error(cmd, "%s", theta_last_error())
                 : cli_error(cmd, "%s is a vector file, not a theta model: it has no output matrix",
                             path);
    } else {
        theta_vectors *tv;
        if (theta_vectors_load(path, &tv)) {
            rc = cli_error(cmd, "%s", theta_last_error());
        } else {
            v.vectors = tv;
            v.rows = tv->rows;
            v.dim = tv->dim;
            v.data = tv->data;
            v.words = (const char **)tv->words;
            snprintf(v.format, sizeof v.format, "%s", tv->format);
            rc = 0;
        }
    }
    if (rc == 0 && v.rows < 1)
        rc = cli_error(cmd, "%s holds no vectors", path);
    if (rc) {
        cli_vectors_free(&v);
        return rc;
    }
    *out = v;
    return 0;
}

void cli_vectors_free(cli_vectors *v)
{
    if (v->model) {
        free(v->words);
        theta_model_free(v->model);
    } else if (v->vectors) {
        theta_vectors_free(v->vectors);
    }
    memset(v, 0, sizeof *v);
}

/* Length of a valid UTF-8 sequence at p (1..4), or 0. */
static int utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    int n = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 && p[0] < 0xE0 ? 2 : 0;
    if (n == 0 || (p[0] >= 0xF0 && n != 4))
        return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    /* overlong, surrogate and out-of-range forms */
    if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
        return 0;
    if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
        return 0;
    return n;
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int n = utf8_len(p);
        if (n == 0) {
            fputs("\\ufffd", f); /* not UTF-8: JSON text must be */
            p++;
            continue;
        }
        if (n > 1) {
            fwrite(p, 1, (size_t)n, f);
            p += n;
            continue;
        }
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
        p++;
    }
    fputc('"', f);
}

void cli_json_number(FILE *f, double v, int digits)
{
    if (isfinite(v))
        fprintf(f, "%.*g", digits, v);
    else
        fputs("null", f);
}

int cli_split_words(char *line, char **tok, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            return n;
        if (n == max)
            return max + 1;
        tok[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
}

int cli_default_threads(void)
{
    return theta_config_default().threads;
}

int cli_option_error(const char *cmd, int c, char **argv)
{
    if (c == ':')
        return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

int cli_search_option(const char *cmd, int c, long long *k, long long *limit, int *which)
{
    switch (c) {
    case 'k':
        if (cli_parse_int(optarg, 1, 1000000, k))
            return cli_usage_error(cmd, "-k must be an integer in 1..1000000, not '%s'", optarg);
        return 1;
    case CLI_OPT_RESTRICT:
        if (cli_parse_int(optarg, 0, INT64_MAX, limit))
            return cli_usage_error(cmd, "--restrict must be a non-negative integer, not '%s'",
                                   optarg);
        return 1;
    case CLI_OPT_MATRIX:
        if ((*which = cli_parse_matrix(optarg)) < 0)
            return cli_usage_error(cmd, "--matrix must be 'in' or 'out', not '%s'", optarg);
        return 1;
    default:
        return 0;
    }
}

int cli_load_index(const char *cmd, const char *path, int which, cli_vectors *v,
                   theta_eval_index **ix)
{
    if (cli_load_vectors(cmd, path, which, v))
        return 1;
    if (theta_eval_index_new(v->data, v->rows, v->dim, v->words, ix)) {
        cli_error(cmd, "%s: %s", path, theta_last_error());
        cli_vectors_free(v);
        return 1;
    }
    return 0;
}
