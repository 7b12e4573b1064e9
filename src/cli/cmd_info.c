/*
 * cmd_info.c — `theta info`: what a file is. For a .theta model: format
 * version, shapes, every hyper-parameter and the training state; for a
 * vector file: the detected format and shape. For both, statistics of the
 * vectors (norms, zero rows, non-finite values, repeated words).
 */
#include "cli.h"
#include "internal.h"

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void help_info(FILE *out)
{
    fprintf(out,
"usage: theta info FILE [--json]\n"
"\n"
"Prints what FILE holds: for a .theta model, the format version, vocabulary and\n"
"matrix shapes, all hyper-parameters and the training state (epochs done, words\n"
"processed, loss of the epoch in progress, corpus fingerprint); for a vector\n"
"file (word2vec text or binary, fastText .vec, GloVe), the detected format and\n"
"shape. Then statistics of the (input) vectors: norms, zero rows, non-finite\n"
"values and repeated words.\n"
"\n"
"      --json     one JSON object instead of 'key: value' lines\n"
"  -h, --help     this text\n"
"\n"
"example:\n"
"  $ theta info model.theta\n"
"  file:             model.theta\n"
"  format:           theta-model\n"
"  bytes:            54140362\n"
"  rows:             66052\n"
"  dim:              100\n"
"  format_version:   1\n"
"  ...\n"
"  arch:             skipgram\n"
"  loss:             ns\n"
"  ...\n"
"  epochs_done:      5\n"
"  words_done:       100091060\n"
"  finished:         true\n"
"  norm_mean:        2.26687\n"
"  ...\n");
}

#define MAX_KEYS 64

typedef struct {
    const char *key[MAX_KEYS];
    char val[MAX_KEYS][1024];
    int is_num[MAX_KEYS];
    int n;
} kv;

static void put(kv *t, const char *key, int is_num, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(kv *t, const char *key, int is_num, const char *fmt, ...)
{
    if (t->n == MAX_KEYS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->val[t->n], sizeof t->val[t->n], fmt, ap);
    va_end(ap);
    t->key[t->n] = key;
    t->is_num[t->n] = is_num;
    t->n++;
}

static void print_kv(const kv *t, int json)
{
    if (json)
        putchar('{');
    for (int i = 0; i < t->n; i++) {
        if (json) {
            printf("%s\"%s\": ", i ? ", " : "", t->key[i]);
            if (t->is_num[i])
                fputs(t->val[i], stdout);
            else
                cli_json_string(stdout, t->val[i]);
        } else {
            char key[64];
            snprintf(key, sizeof key, "%s:", t->key[i]);
            printf("%-17s %s\n", key, t->val[i]);
        }
    }
    if (json)
        puts("}");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void vector_stats(kv *t, const cli_vectors *v)
{
    double sum = 0, mn = INFINITY, mx = 0;
    int64_t zero = 0, nonfinite = 0, finite_rows = 0;
    for (int64_t r = 0; r < v->rows; r++) {
        const float *x = v->data + (size_t)r * (size_t)v->dim;
        double ss = 0;
        int bad = 0, nz = 0;
        for (int d = 0; d < v->dim; d++) {
            if (!isfinite(x[d])) {
                bad = 1;
                nonfinite++;
                continue;
            }
            nz |= x[d] != 0;
            ss += (double)x[d] * x[d];
        }
        if (!nz && !bad)
            zero++;
        if (bad)
            continue;
        double n = sqrt(ss);
        sum += n;
        mn = n < mn ? n : mn;
        mx = n > mx ? n : mx;
        finite_rows++;
    }
    if (finite_rows) {
        put(t, "norm_mean", 1, "%.6g", sum / (double)finite_rows);
        put(t, "norm_min", 1, "%.6g", mn);
        put(t, "norm_max", 1, "%.6g", mx);
    }
    put(t, "zero_rows", 1, "%lld", (long long)zero);
    put(t, "nonfinite_values", 1, "%lld", (long long)nonfinite);
    const char **sorted = malloc(sizeof *sorted * (size_t)v->rows);
    if (sorted) {
        memcpy(sorted, v->words, sizeof *sorted * (size_t)v->rows);
        qsort(sorted, (size_t)v->rows, sizeof *sorted, cmp_str);
        int64_t dup = 0;
        for (int64_t r = 1; r < v->rows; r++)
            dup += strcmp(sorted[r], sorted[r - 1]) == 0;
        put(t, "repeated_words", 1, "%lld", (long long)dup);
        free(sorted);
    }
}

static void model_info(kv *t, const char *path, const theta_model *m)
{
    const theta_config *c = &m->cfg;
    theta_model_header h = {0}; /* version 0 if the file changed since it was loaded */
    theta_model_peek(path, &h);
    put(t, "format_version", 1, "%u", (unsigned)h.version);
    put(t, "vocab_words", 1, "%lld", (long long)m->vocab->size);
    put(t, "vocab_tokens", 1, "%lld", (long long)m->vocab->total);
    put(t, "output_rows", 1, "%lld", (long long)m->out_rows);
    put(t, "arch", 0, "%s", theta_arch_name(c->arch));
    put(t, "loss", 0, "%s", theta_loss_name(c->loss));
    if (c->loss == THETA_LOSS_NS)
        put(t, "negative", 1, "%d", c->negative);
    put(t, "window", 1, "%d", c->window);
    put(t, "epochs", 1, "%d", c->epochs);
    put(t, "min_count", 1, "%lld", (long long)c->min_count);
    put(t, "max_vocab", 1, "%lld", (long long)c->max_vocab);
    put(t, "sample", 1, "%.9g", c->sample);
    put(t, "alpha", 1, "%.9g", c->alpha);
    put(t, "min_alpha_ratio", 1, "%.9g", c->min_alpha_ratio);
    put(t, "threads", 1, "%d", c->threads);
    put(t, "seed", 1, "%llu", (unsigned long long)c->seed);
    char buf[THETA_INIT_TEXT];
    theta_init_format(&c->init_in, buf, sizeof buf);
    put(t, "init_in", 0, "%s", buf);
    theta_init_format(&c->init_out, buf, sizeof buf);
    put(t, "init_out", 0, "%s", buf);
    put(t, "kernel", 0, "%s", theta_kernel_name(c->kernel));
    if (c->loss == THETA_LOSS_NS)
        put(t, "noise_uniform", 1, "%.9g", (double)c->noise_uniform);
    put(t, "share_negatives", 1, "%d", c->share_negatives);
    const theta_train_state *s = &m->state;
    put(t, "epochs_done", 1, "%d", s->epoch);
    put(t, "words_done", 1, "%lld", (long long)s->words_done);
    put(t, "train_words", 1, "%lld", (long long)s->train_words);
    put(t, "chunks_done", 1, "%lld", (long long)s->chunks_done);
    put(t, "finished", 1, "%s", s->epoch >= c->epochs ? "true" : "false");
    if (s->loss_count > 0)
        put(t, "epoch_loss", 1, "%.6g", s->loss_sum / (double)s->loss_count);
    if (s->corpus_bytes) { /* 0: the trainer recorded no fingerprint */
        put(t, "corpus_bytes", 1, "%llu", (unsigned long long)s->corpus_bytes);
        put(t, "corpus_crc32", 0, "%08x", (unsigned)s->corpus_crc);
    }
    const theta_shares *sh = &m->shares;
    if (sh->nranks > 0) { /* the checkpoint of an MPI run */
        put(t, "mpi_ranks", 1, "%d", sh->nranks);
        put(t, "input_files", 1, "%d", sh->ninputs);
        if (sh->piece > 0) /* one file dealt in pieces (0: one range per rank, or shards) */
            put(t, "mpi_piece_bytes", 1, "%lld", (long long)sh->piece);
        char list[1024];
        size_t len = 0;
        list[0] = '\0';
        for (int32_t r = 0; r < sh->nranks && len + 24 < sizeof list; r++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%lld", r ? " " : "",
                                    (long long)sh->ranks[r].chunks_done);
        if (len + 24 >= sizeof list)
            snprintf(list + len, sizeof list - len, " ...");
        put(t, "rank_chunks_done", 0, "%s", list);
    }
}

int cmd_info(int argc, char **argv)
{
    enum { OPT_JSON = 256 };
    static const struct option opts[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON:
            json = 1;
            break;
        case 'h':
            help_info(stdout);
            return 0;
        default:
            return cli_option_error("info", c, argv);
        }
    }
    if (optind != argc - 1)
        return optind >= argc ? cli_usage_error("info", "missing FILE")
                              : cli_usage_error("info", "one FILE expected, got '%s' too",
                                                argv[optind + 1]);
    const char *path = argv[optind];
    cli_vectors v;
    if (cli_load_vectors("info", path, 0, &v))
        return 1;
    kv *t = calloc(1, sizeof *t);
    if (!t) {
        cli_vectors_free(&v);
        return cli_error("info", "out of memory");
    }
    struct stat sb;
    put(t, "file", 0, "%s", path);
    put(t, "format", 0, "%s", v.format);
    if (stat(path, &sb) == 0)
        put(t, "bytes", 1, "%lld", (long long)sb.st_size);
    put(t, "rows", 1, "%lld", (long long)v.rows);
    put(t, "dim", 1, "%d", v.dim);
    if (v.model)
        model_info(t, path, v.model);
    vector_stats(t, &v);
    print_kv(t, json);
    int rc = fflush(stdout) != 0 ? cli_error("info", "writing the output failed") : 0;
    free(t);
    cli_vectors_free(&v);
    return rc;
}
