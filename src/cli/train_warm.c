/*
 * train_warm.c — `theta train`'s warm starts: --init-in / --init-out
 * file:PATH (rows matched by word from a vector file or a model) and
 * --init-from MODEL (continue a saved model on new text). The library does
 * the work (pretrained.c); this file checks the options against the model,
 * reports errors and prints the summaries.
 */
#include "cmd_train.h"

#include <string.h>

static const char *cmd = "train";

/* 1 after printing why an option that sets `what` (given) to a value other
 * than the model's (same: 0) is refused; else 0. */
static int differs(const train_args *a, int given, int same, const char *what,
                   const char *theirs, const char *ours)
{
    if (!given || same)
        return 0;
    cli_error(cmd, "--init-from %s: the model has %s %s, this run asks for %s (it comes from the "
                   "model: drop the option)", a->init_from, what, theirs, ours);
    return 1;
}

int train_load_base(const train_args *a, theta_config *cfg, theta_model **out)
{
    theta_model *old;
    if (theta_model_load(a->init_from, &old))
        return cli_error(cmd, "--init-from: %s", theta_last_error());
    const theta_config *oc = &old->cfg;
    char theirs[32], ours[32];
    snprintf(theirs, sizeof theirs, "%d", oc->dim);
    snprintf(ours, sizeof ours, "%d", cfg->dim);
    int bad = differs(a, a->given[OPT_DIM], cfg->dim == oc->dim, "dim", theirs, ours) ||
              differs(a, a->given[OPT_LOSS] || a->given[OPT_W2V_HS], cfg->loss == oc->loss,
                      "loss", theta_loss_name(oc->loss), theta_loss_name(cfg->loss)) ||
              differs(a, a->given[OPT_MODEL] || a->given[OPT_W2V_CBOW], cfg->arch == oc->arch,
                      "model", theta_arch_name(oc->arch), theta_arch_name(cfg->arch));
    if (!bad && oc->loss == THETA_LOSS_HS) {
        cli_error(cmd, "--init-from %s: a model trained with --loss hs cannot continue on new "
                       "text (the output rows are the nodes of a Huffman tree built from the old "
                       "counts); start a new run from its word vectors instead: --init-in file:%s",
                  a->init_from, a->init_from);
        bad = 1;
    }
    if (bad) {
        theta_model_free(old);
        return 1;
    }
    cfg->dim = oc->dim;
    cfg->loss = oc->loss;
    cfg->arch = oc->arch;
    if (!a->alpha_set)
        cfg->alpha = theta_config_default_alpha(cfg->loss);
    if (theta_config_validate(cfg)) {
        theta_model_free(old);
        return cli_error(cmd, "--init-from %s: %s", a->init_from, theta_last_error());
    }
    *out = old;
    return 0;
}

int train_extend_model(const train_args *a, const theta_config *cfg, theta_model *old,
                       theta_vocab *v, theta_model **out)
{
    theta_model *m;
    theta_status st = theta_model_extend(old, v, cfg, &m);
    const int32_t kept = old->vocab->size;
    theta_model_free(old);
    theta_vocab_free(v);
    if (st)
        return cli_error(cmd, "--init-from %s: %s", a->init_from, theta_last_error());
    if (!a->quiet) {
        const theta_vocab *nv = m->vocab;
        fprintf(stderr, "vocabulary: %d words: the %d words of %s (ids kept) + %d new (min-count %lld"
                        "); %lld tokens per epoch; counts: the model's + this corpus's\n",
                nv->size, kept, a->init_from, nv->size - kept, (long long)cfg->min_count,
                (long long)m->state.train_words);
        if (nv->dropped_words)
            fprintf(stderr, "  %lld rarer distinct new words dropped by --min-count/--max-vocab\n",
                    (long long)nv->dropped_words);
        if (nv->pruned_words)
            fprintf(stderr, "  pruning while counting dropped %lld distinct words (counts below "
                            "%lld)\n", (long long)nv->pruned_words, (long long)nv->pruned_below);
    }
    *out = m;
    return 0;
}

int train_load_pretrained(const train_args *a, int dim, theta_vectors *src[2])
{
    src[0] = src[1] = NULL;
    for (int w = 0; w < 2; w++) {
        const char *path = a->init_file[w], *name = w ? "out" : "in";
        if (!path)
            continue;
        if (theta_pretrained_load(path, w, &src[w])) {
            cli_error(cmd, "--init-%s: %s", name, theta_last_error());
        } else if (src[w]->dim != dim) {
            cli_error(cmd, "--init-%s file:%s: its vectors have %d dimensions, this run's %s is %d",
                      name, path, src[w]->dim, a->init_from ? "model" : "--dim", dim);
        } else {
            continue;
        }
        train_free_pretrained(src);
        return 1;
    }
    return 0;
}

void train_free_pretrained(theta_vectors *src[2])
{
    for (int w = 0; w < 2; w++) {
        theta_vectors_free(src[w]);
        src[w] = NULL;
    }
}

int train_fill_pretrained(const train_args *a, theta_model *m, theta_vectors *src[2],
                          int32_t from_row)
{
    for (int w = 0; w < 2; w++) {
        const char *name = w ? "out" : "in";
        if (!src[w])
            continue;
        int64_t matched = 0;
        if (theta_model_fill_rows(m, w, src[w], from_row, &matched)) {
            cli_error(cmd, "--init-%s file:%s: %s", name, a->init_file[w], theta_last_error());
            train_free_pretrained(src);
            return 1;
        }
        if (!a->quiet) {
            char fb[80];
            theta_init_format(w ? &m->cfg.init_out : &m->cfg.init_in, fb, sizeof fb);
            const int64_t rows = (int64_t)m->vocab->size - from_row;
            fprintf(stderr, "init %s: %lld of %lld %srows from %s (%s, %lld vectors); the other "
                            "%lld %s\n",
                    name, (long long)matched, (long long)rows, from_row ? "new " : "",
                    a->init_file[w], src[w]->format, (long long)src[w]->rows,
                    (long long)(rows - matched), fb);
        }
    }
    train_free_pretrained(src);
    return 0;
}
